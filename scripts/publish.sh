#!/usr/bin/env bash
# Builds the site to copy to a static host: `scripts/publish.sh [SITE]` (default site/).
# A release build with Trunk (never `trunk serve`, whose live-reload script breaks the strict
# Content-Security-Policy), then scripts/publish.mjs: every file of the build, brotli and gzip
# copies beside each asset, and a `_headers` file listing the headers the host must send
# (README, "Publishing"). Installs whatever is missing first (scripts/setup.sh).
set -euo pipefail
cd "$(dirname "$0")/.."
site="${1:-site}"
scripts/setup.sh
. scripts/env.sh
build=target/publish-build
trunk build --release --offline --dist "$build"
node scripts/publish.mjs "$build" "$site"
node scripts/budget.mjs "$site"
