#!/usr/bin/env bash
# Builds the article (release) and serves it at http://127.0.0.1:8080 (PORT=... for another
# port), rebuilding on changes: `trunk watch` rebuilds dist/ (its post-build hook prerenders the
# article and writes the .br and .gz copies of every asset), and the project's static server
# (tests/e2e/server.mjs) sends those copies with Content-Encoding, under the strict
# Content-Security-Policy the page is published with. Reload the page by hand after a rebuild
# (`trunk serve`'s live-reload client is an inline script, which that policy blocks).
# Installs whatever is missing first (scripts/setup.sh).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
. scripts/env.sh
port="${PORT:-8080}"
node tests/e2e/server.mjs dist "$port" --strict &
server=$!
trunk watch --release --offline "$@" &
watcher=$!
trap 'kill "$server" "$watcher" 2>/dev/null || true' EXIT INT TERM
wait "$watcher"
