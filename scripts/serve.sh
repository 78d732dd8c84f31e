#!/usr/bin/env bash
# Builds the article (release) and serves it at http://127.0.0.1:8080, rebuilding on changes.
# Installs whatever is missing first (scripts/setup.sh).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
. scripts/env.sh
exec trunk serve --release --offline "$@"
