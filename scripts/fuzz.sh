#!/usr/bin/env bash
# Fuzzes the simulator core with cargo-fuzz (libFuzzer, nightly): every target in fuzz/ for
# SECONDS seconds each (default 180), one after another, growing fuzz/corpus/<target>/.
# Installs cargo-fuzz if missing. Usage: scripts/fuzz.sh [SECONDS] [TARGET...]
# Afterwards `scripts/fuzz.sh --cmin [TARGET...]` minimises the corpora, and
# `scripts/fuzz.sh --replay [TARGET...]` runs each corpus once and prints its coverage. A crash stops the run
# with the input in fuzz/artifacts/<target>/; fix the bug, then copy the input into the corpus
# as crash-<name> so `cargo test` (crates/youcpu-core/tests/it/fuzz_corpus.rs) replays it.
# The code is safe Rust (unsafe_code = "forbid"), so no sanitizer is needed: `-s none` runs
# several times faster; debug assertions and overflow checks stay on (cargo-fuzz's default).
set -euo pipefail
cd "$(dirname "$0")/../fuzz"
# Build output stays under the repository (fuzz/target, ignored by git) unless told otherwise.
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$PWD/target}"
if ! cargo +nightly fuzz --version >/dev/null 2>&1; then
  cargo install --locked cargo-fuzz
fi
mode=run
if [ "${1:-}" = "--cmin" ] || [ "${1:-}" = "--replay" ]; then
  mode=${1#--}
  shift
fi
secs=180
if [[ "${1:-}" =~ ^[0-9]+$ ]]; then
  secs=$1
  shift
fi
targets=("$@")
if [ ${#targets[@]} -eq 0 ]; then
  mapfile -t targets < <(cargo +nightly fuzz list)
fi
mkdir -p logs
for t in "${targets[@]}"; do
  mkdir -p "corpus/$t"
  if [ "$mode" = replay ]; then
    # -runs=0: load the corpus, report what it covers (the INITED line), fuzz nothing.
    cargo +nightly fuzz run -s none "$t" "corpus/$t" -- -runs=0 -rss_limit_mb=2048 2>&1 |
      grep -E 'INITED|DONE' | tail -1 | sed "s/^/$t: /"
    continue
  fi
  if [ "$mode" = cmin ]; then
    cargo +nightly fuzz cmin -s none "$t" "corpus/$t" -- -rss_limit_mb=2048 2>&1 | tail -3
    continue
  fi
  echo "== $t for ${secs}s"
  cargo +nightly fuzz run -s none "$t" "corpus/$t" -- \
    -max_total_time="$secs" -print_final_stats=1 -timeout=10 -rss_limit_mb=2048 \
    >"logs/$t.log" 2>&1 || { tail -40 "logs/$t.log"; echo "== $t: crash or error (logs/$t.log)"; exit 1; }
  # The last status line (cov: edges, ft: features, corp: inputs/bytes, exec/s) and the totals.
  grep -E '^#[0-9]+' "logs/$t.log" | tail -1
  grep -E 'stat::number_of_executed_units|stat::average_exec_per_sec|stat::peak_rss_mb' "logs/$t.log"
  echo "corpus: $(ls "corpus/$t" | wc -l) files, $(du -sk "corpus/$t" | cut -f1) KiB"
done
