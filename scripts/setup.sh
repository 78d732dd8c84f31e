#!/usr/bin/env bash
# Installs everything the build and the tests need on a fresh machine of this kind.
# Idempotent: each step checks first and skips what is already there.
# Versions: wasm-bindgen-cli equals the wasm-bindgen in Cargo.lock; Trunk 0.21.14 is the last
# release this machine's rustc builds; the npm tools are pinned by package-lock.json.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/env.sh

WASM_BINDGEN_VERSION="$(grep -A1 '^name = "wasm-bindgen"$' Cargo.lock | sed -n 's/^version = "\(.*\)"/\1/p')"
TRUNK_VERSION=0.21.14
log() { printf '[setup] %s\n' "$*" >&2; }

# Rust target for the browser build.
if ! rustup target list --installed | grep -qx wasm32-unknown-unknown; then
  log "adding rust target wasm32-unknown-unknown"
  rustup target add wasm32-unknown-unknown
fi
for c in clippy rustfmt; do
  rustup component list --installed 2>/dev/null | grep -q "^$c" || rustup component add "$c"
done

# Debian packages: Chromium + chromedriver (wasm-bindgen-test, Playwright) and the oracles the
# native tests compare against (GNU as/objdump/readelf, gcc, musl-gcc).
need_apt=()
for pair in chromium:chromium chromedriver:chromium-driver as:binutils objdump:binutils \
            readelf:binutils gcc:gcc g++:g++ musl-gcc:musl-tools \
            prlimit:util-linux taskset:util-linux unshare:util-linux mount:mount \
            dash:dash bash:bash strace:strace chroot:coreutils sha256sum:coreutils \
            grep:grep sed:sed awk:mawk; do
  cmd=${pair%%:*} pkg=${pair#*:}
  command -v "$cmd" >/dev/null || need_apt+=("$pkg")
done
# <elf.h> and the static C library for the oracle tests that build programs.
[ -f /usr/include/elf.h ] && [ -f /usr/lib/x86_64-linux-gnu/libc.a ] || need_apt+=(libc6-dev)
if [ ${#need_apt[@]} -gt 0 ]; then
  log "installing Debian packages: ${need_apt[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq "${need_apt[@]}" >/dev/null
fi

# wasm-bindgen CLI: must equal the wasm-bindgen version in Cargo.lock.
if ! wasm-bindgen --version 2>/dev/null | grep -q " $WASM_BINDGEN_VERSION\$"; then
  log "installing wasm-bindgen-cli $WASM_BINDGEN_VERSION (a few minutes)"
  # Without --locked: its lockfile pins a crate the registry no longer serves.
  cargo install -q wasm-bindgen-cli --version "$WASM_BINDGEN_VERSION" --force
fi

# Trunk (0.22 needs a newer rustc than the machine's).
if ! trunk --version 2>/dev/null | grep -q " $TRUNK_VERSION\$"; then
  log "installing trunk $TRUNK_VERSION (about 13 minutes)"
  cargo install -q --locked trunk --version "$TRUNK_VERSION" --force
fi

# npm tools (wasm-opt from binaryen, playwright-core, axe-core), pinned by the lockfile.
if [ ! -x node_modules/.bin/wasm-opt ] || [ ! -d node_modules/playwright-core ] \
   || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  log "installing npm packages (npm ci)"
  npm ci --no-audit --no-fund --loglevel=error
fi

# The wasm splitter in the release build's post-build hook (tools/youcpu-split, its own Cargo
# project): its crates fetched now, so `trunk build --offline` can compile it on first use.
cargo fetch -q --locked --manifest-path tools/youcpu-split/Cargo.toml
