#!/usr/bin/env bash
# Runs every fuzz target for SECONDS each (default 600), one after the other, on one
# core, and exits non-zero if any of them found a crash (panic, sanitizer report,
# timeout of an input or out-of-memory). Needs the nightly toolchain and cargo-fuzz
# (`cargo install cargo-fuzz --locked`). See fuzz/README.md.
#
#   fuzz/run.sh [SECONDS]
#
# New inputs go to fuzz/corpus/<target> (the seeds, from fuzz/seeds.sh, are read, never
# written), crashing inputs to fuzz/artifacts/<target>, and each run's output to
# fuzz/logs/<target>.log. CARGO_TARGET_DIR is honoured.
set -euo pipefail

seconds=${1:-600}
case $seconds in
'' | *[!0-9]*)
    echo "usage: $0 [SECONDS]" >&2
    exit 2
    ;;
esac

cd "$(dirname "$0")/.."
cargo +nightly fuzz build

status=0
mkdir -p fuzz/logs
for target in $(cargo +nightly fuzz list); do
    mkdir -p "fuzz/corpus/$target"
    read -r -a seeds <<<"$(fuzz/seeds.sh "$target")"
    log=fuzz/logs/$target.log
    echo "== $target: ${seconds}s, log in $log"
    # -jobs=1 runs one fuzzing process, which writes to ./fuzz-0.log; the parent
    # repeats that log when the job ends, so it is in $log and removed below.
    if cargo +nightly fuzz run "$target" "fuzz/corpus/$target" "${seeds[@]}" -- \
        -max_total_time="$seconds" -jobs=1 -workers=1 -timeout=30 \
        -print_final_stats=1 >"$log" 2>&1; then
        result=ok
    else
        result=CRASHED
        status=1
    fi
    rm -f fuzz-0.log
    grep -E '^#[0-9]+[[:space:]]+DONE|^stat::(number_of_executed_units|average_exec_per_sec)' "$log" || true
    grep -E 'panicked at|^==[0-9]+==ERROR|^SUMMARY|ALARM|out-of-memory|Test unit written' "$log" || true
    echo "== $target: $result"
done
exit "$status"
