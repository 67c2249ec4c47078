#!/usr/bin/env bash
# Measure Alembic on the benchmark workloads.
#   run_alembic.sh [w1] [w2] [w3] [w4]      (no argument: all four)
# Settings (N, N_BIG, TABLES, DBS, RUNS, ...) are read from the environment: see lib.sh.
# Results: results/alembic/<key>.json (hyperfine), <key>.rss (peak RSS, kB), checks.tsv.
source "$(dirname "$0")/lib.sh"
TOOL=alembic
DB=bench_alembic   # prefix of this script's database names
if [ -z "${ALEMBIC:-}" ]; then
  if [ -x .venv/bin/alembic ]; then ALEMBIC=.venv/bin/alembic; else ALEMBIC=alembic; fi
fi

# project WORKLOAD -> the Alembic project converted from it (converted once)
project() {
  local dst="$WORK/alembic/$(basename "$1")"
  [ -f "$dst/alembic.ini" ] || "$PY" to_alembic.py "$1" "$dst"
  echo "$dst"
}

# alembic_cmd PROJECT ARGS... -> the command line
alembic_cmd() { echo "$ALEMBIC -c $1/alembic.ini ${*:2}"; }

use_db() { export BENCH_DB_URL; BENCH_DB_URL=$(./db.sh url "$1" "$2"); }

w1() {  # apply N migrations to an empty database
  for db in $DBS; do
    local proj; proj=$(project "$(linear_workload "$db" "$N")")
    use_db "$db" "${DB}_w1"
    measure $TOOL "w1-apply-$db-n$N" "$RUNS" "./db.sh reset $db ${DB}_w1" \
      "$(alembic_cmd "$proj" upgrade head)"
    check $TOOL "w1-apply-$db-n$N" "tables=$(./db.sh tables "$db" "${DB}_w1")" \
      "(expected $(( (N + 2) / 3 + 1 )) with alembic_version)"
    if [ "$db" = postgresql ]; then  # Alembic's default: one transaction around the whole run
      BENCH_ALEMBIC_ONE_TXN=1 measure $TOOL "w1-apply-$db-n$N-onetxn" "$RUNS" \
        "./db.sh reset $db ${DB}_w1" "$(alembic_cmd "$proj" upgrade head)"
    fi
  done
}

w2() {  # no-op latency with the whole history applied (SQLite)
  for n in $N $N_BIG; do
    local wl proj name="${DB}_w2_n$n" runs=$QUICK_RUNS warmup=2 big=0
    [ "$n" = "$N" ] || { big=1; runs=$RUNS; warmup=0; }
    wl=$(linear_workload sqlite "$n"); proj=$(project "$wl")
    use_db sqlite "$name"
    if [ "$big" = 0 ]; then  # untimed: W1 times it
      ./db.sh reset sqlite "$name"
      $(alembic_cmd "$proj" upgrade head) 2>/dev/null
    elif [ "$TIME_BIG_APPLY" = 1 ] && measure_once $TOOL "w2-apply-sqlite-n$n" \
        "./db.sh reset sqlite $name" "timeout $MAX_SECONDS $(alembic_cmd "$proj" upgrade head)"; then
      :
    else  # the same schema through the baseline's script, then the version stamped
      [ "$TIME_BIG_APPLY" = 1 ] && check $TOOL "w2-apply-sqlite-n$n" "over $MAX_SECONDS s: not measured"
      ./db.sh reset sqlite "$name"
      "$PY" to_script.py "$wl" up | ./db.sh exec sqlite "$name"
      $(alembic_cmd "$proj" stamp head) 2>/dev/null
    fi
    for cmd in heads history "upgrade head" current; do
      w2_measure "$proj" "w2-${cmd/ /-}-sqlite-n$n" "$cmd"
    done
    check $TOOL "w2-sqlite-n$n" "current=$(sqlite3 "$WORK/db/$name.sqlite" 'SELECT version_num FROM alembic_version')" \
      "(expected $(manifest_head "$wl"))"
    # first run after a deploy: no __pycache__ for the revision files yet
    measure $TOOL "w2-heads-nopyc-sqlite-n$n" "$RUNS" \
      "find $proj -name __pycache__ -prune -exec rm -rf {} +" "$(alembic_cmd "$proj" heads)"
    # the same history stamped into a database that holds nothing but the version table
    use_db sqlite "${name}_stamped"
    ./db.sh reset sqlite "${name}_stamped"
    $(alembic_cmd "$proj" stamp head) 2>/dev/null
    for cmd in heads history "upgrade head" current; do
      w2_measure "$proj" "w2-${cmd/ /-}-sqlite-n$n-stamped" "$cmd"
    done
  done
}

# w2_measure PROJECT KEY COMMAND: `current` is quadratic in the revisions (minutes at
# 10,000), so at N_BIG it is timed once, abandoned past MAX_SECONDS; everything else
# RUNS/QUICK_RUNS times.
w2_measure() {
  if [ "$big" = 1 ] && [ "$3" = current ]; then
    measure_once $TOOL "$2" "" "timeout $MAX_SECONDS $(alembic_cmd "$1" "$3")" \
      || check $TOOL "$2" "over $MAX_SECONDS s or failed: not measured"
  else
    measure $TOOL "$2" "$runs" "" "$(alembic_cmd "$1" "$3")" --warmup "$warmup"
  fi
}

manifest_head() {
  "$PY" -c 'import json, sys; print(json.load(open(sys.argv[1]))["migrations"][-1]["id"])' "$1/manifest.json"
}

changed_columns() {
  "$PY" -c 'import json, sys; print(len(json.load(open(sys.argv[1]))["changed"]))' "$1/manifest.json"
}

# W3: autogenerate and check against T tables created directly in each database of W3_DBS
# (keys w3-<autogen|check>-<db>-t<T>[-drift<K>])
w3() {
  for db in $W3_DBS; do
    for t in $TABLES; do
      for d in 0 "$DRIFT_EVERY"; do
        local wl proj key_sfx name="${DB}_w3" rev
        wl=$(schema_workload "$t" "$d" "$db"); proj=$(project "$wl")
        key_sfx="$db-t$t"; [ "$d" = 0 ] || key_sfx+="-drift$d"
        ./db.sh reset "$db" "$name"
        ./db.sh exec "$db" "$name" < "$wl/database.sql"
        use_db "$db" "$name"
        rev="$proj/versions/autogen_bench.py"
        measure $TOOL "w3-autogen-$key_sfx" "$RUNS" "find $proj/versions -name '*.py' -delete" \
          "$(alembic_cmd "$proj" revision --autogenerate -m bench --rev-id autogen)"
        # on SQLite Alembic also finds every table's created_at changed (TIMESTAMP read back,
        # DateTime declared): one operation or difference more per table there
        local expected; expected="$(changed_columns "$wl")"
        [ "$db" != sqlite ] || expected+=" + $t created_at, SQLite"
        check $TOOL "w3-autogen-$key_sfx" "ops in upgrade(): $(sed -n '/^def upgrade/,/^def downgrade/p' \
          "$rev" | grep -c '^    op\.')" "(expected $expected)"
        rm -f "$proj"/versions/*.py
        # drift fails the check; so does every SQLite database (created_at, above)
        local ignore=(); [ "$d" = 0 ] && [ "$db" != sqlite ] || ignore=(--ignore-failure)
        measure $TOOL "w3-check-$key_sfx" "$RUNS" "" "$(alembic_cmd "$proj" check)" "${ignore[@]}"
        local rc=0 out; out=$($(alembic_cmd "$proj" check) 2>&1) || rc=$?
        check $TOOL "w3-check-$key_sfx" "exit=$rc, diffs reported:" \
          "$(grep '^FAILED' <<<"$out" | grep -o "('modify_type'" | wc -l) (expected $expected)"
      done
    done
    ./db.sh drop "$db" "${DB}_w3"
  done
}

w4() {  # downgrade base from head (SQLite); each run starts from a copy of a head database
  local proj; proj=$(project "$(linear_workload sqlite "$N")")
  use_db sqlite "${DB}_w4_head"
  ./db.sh reset sqlite "${DB}_w4_head"
  $(alembic_cmd "$proj" upgrade head) 2>/dev/null
  use_db sqlite "${DB}_w4"
  measure $TOOL "w4-downgrade-sqlite-n$N" "$RUNS" \
    "cp $WORK/db/${DB}_w4_head.sqlite $WORK/db/${DB}_w4.sqlite" "$(alembic_cmd "$proj" downgrade base)"
  check $TOOL "w4-downgrade-sqlite-n$N" "tables=$(./db.sh tables sqlite "${DB}_w4")" \
    "(expected 1: alembic_version)"
}

record_versions $TOOL
for w in ${@:-w1 w2 w3 w4}; do "$w"; done
