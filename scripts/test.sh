#!/usr/bin/env bash
# Runs every test: formatting, clippy (native and wasm32), rustdoc, native tests (including the
# oracle tests against the kernel, binutils and the processor), wasm-bindgen tests in headless
# Chromium, the release build, and the Playwright end-to-end suite against it on loopback.
# Installs whatever is missing first (scripts/setup.sh).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
. scripts/env.sh

t0=$(date +%s)
step() { printf '\n== %s (%ss)\n' "$*" "$(( $(date +%s) - t0 ))"; }

step "cargo fmt --check"
cargo fmt --all -- --check

step "clippy, native"
cargo clippy --workspace --all-targets --locked -- -D warnings

step "clippy, wasm32"
cargo clippy --target wasm32-unknown-unknown --locked -p youcpu-core -p youcpu-web --lib -- -D warnings
cargo clippy --target wasm32-unknown-unknown --locked -p youcpu-web --tests -- -D warnings

step "rustdoc"
RUSTDOCFLAGS="-D warnings" cargo doc --workspace --no-deps --locked --quiet

step "native tests"
# Every oracle must be there (setup.sh installed them): a test whose tool is missing fails
# instead of skipping (crates/youcpu-testkit/src/oracle.rs).
YOUCPU_STRICT_ORACLES=1 cargo test --workspace --locked

step "wasm tests in headless Chromium"
cargo test --target wasm32-unknown-unknown --locked -p youcpu-web

step "release build (trunk)"
trunk build --release --offline

step "size budgets (gzip of the release build; docs/performance.md)"
node scripts/budget.mjs dist

step "end-to-end tests (Playwright, Chromium)"
node --test --test-concurrency=1 tests/e2e/

step "all tests passed"
