#!/usr/bin/env bash
# The start-up benchmark: how long a no-op command takes on a long history, retort beside the
# floor and Alembic, on SQLite.
#   run_startup.sh                  (N=1000 and N_BIG=10000 linear revisions by default)
#
# At N and N_BIG revisions, `current`, `heads`, `history` and `upgrade head` (nothing to do)
# are timed twice: on a database where every revision was applied (the schema really there),
# and on one that holds only the version table (`stamp head`). In the same run:
#   floor    `sqlite3 DB 'SELECT revision FROM retort_version'` on retort's own database,
#            timed right after each retort key (run_retort.sh with FLOOR=1)
#   alembic  the same history (to_alembic.py: op.execute of the same SQL), run_alembic.sh w2;
#            its `current` at N_BIG is quadratic (about a minute) and timed once
# It runs `run_retort.sh w2` and then `run_alembic.sh w2` (TOOLS="retort alembic"; add
# `baseline` to run run_baseline.sh w2 too), so it reuses their keys and set-up: at N each
# tool applies the history itself, untimed; at N_BIG the schema comes from the baseline's
# script, untimed, then `stamp head` (TIME_BIG_APPLY=0, the default here).
#
# Results: $RESULTS (default results/startup)/<tool>/, and the report, a Markdown file:
# $REPORT (default $RESULTS/startup.md), also printed on stdout. Settings: lib.sh (N, N_BIG,
# QUICK_RUNS for N, RUNS for N_BIG, ...), RETORT and ALEMBIC for the binaries.
set -euo pipefail
cd "$(dirname "$0")"
export N=${N:-1000} N_BIG=${N_BIG-10000} TIME_BIG_APPLY=${TIME_BIG_APPLY:-0}
export RESULTS=${RESULTS:-results/startup} FLOOR=1
TOOLS=${TOOLS:-"retort alembic"}
REPORT=${REPORT:-$RESULTS/startup.md}
source lib.sh   # PY, WORK, and the defaults of the settings not given

# this run's W2 results start afresh (as run_all.sh does for a workload)
for t in $TOOLS floor; do
  rm -f "$RESULTS/$t"/w2-*
  [ ! -d "$RESULTS/$t" ] || sed -i "/^w2-/d" "$RESULTS/$t"/*.tsv 2>/dev/null || true
done
start=$(date -u +%Y-%m-%dT%H:%MZ)
for t in $TOOLS; do
  echo "== run_startup: $t w2 (N=$N, N_BIG=$N_BIG)" >&2
  "./run_$t.sh" w2
done
mkdir -p "$(dirname "$REPORT")"
{
  echo "# Start-up benchmark: retort, the floor and Alembic on SQLite"
  echo
  echo "Run $start – $(date -u +%Y-%m-%dT%H:%MZ) with \`N=$N N_BIG=$N_BIG QUICK_RUNS=$QUICK_RUNS" \
       "RUNS=$RUNS TIME_BIG_APPLY=$TIME_BIG_APPLY TOOLS=\"$TOOLS\" ./run_startup.sh\`" \
       "(results in \`$RESULTS\`)."
  echo
  "$PY" startup_report.py --results "$RESULTS" --n "$N" --n-big "$N_BIG"
  if [ -f "$RESULTS/retort/checks.tsv" ] || [ -f "$RESULTS/alembic/checks.tsv" ]; then
    echo
    echo "Checks (\`checks.tsv\`):"
    echo
    for t in retort alembic baseline; do
      [ ! -f "$RESULTS/$t/checks.tsv" ] || grep '^w2-' "$RESULTS/$t/checks.tsv" | sed "s/^/    $t  /"
    done
  fi
} > "$REPORT"
cat "$REPORT"
echo "== report written to $REPORT" >&2
