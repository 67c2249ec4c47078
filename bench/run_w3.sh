#!/usr/bin/env bash
# W3 (check and autogenerate at scale) for retort and Alembic in one run, on every database
# of W3_DBS, then the comparison report (w3_report.py) with Alembic / retort ratios.
#   run_w3.sh
# The tools take turns (run_all.sh: ROUNDS rounds of baseline, then each tool, one timed
# run of each key per round), so a busy machine's slow minutes fall on both alike.
# Settings: TABLES, DRIFT_EVERY, W3_DBS, ROUNDS (lib.sh, run_all.sh); also
#   TOOLS    default "alembic retort"
#   RESULTS  default results/w3 (kept apart from the other workloads' results)
#   REPORT   default $RESULTS/w3.md (also printed)
set -euo pipefail
cd "$(dirname "$0")"
export RESULTS=${RESULTS:-results/w3}
export TOOLS=${TOOLS:-"alembic retort"}
REPORT=${REPORT:-$RESULTS/w3.md}
./run_all.sh w3
mkdir -p "$(dirname "$REPORT")"
./w3_report.py --results "$RESULTS" | tee "$REPORT"
