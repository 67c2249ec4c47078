#!/usr/bin/env bash
# Measure the "physical limit": each database's own CLI running the same SQL directly.
#   run_baseline.sh [w1] [w2] [w3] [w4]      (no argument: all four)
# Settings come from the environment (see lib.sh); keys match run_alembic.sh's, so
# summarize.py can put each tool beside the baseline.
source "$(dirname "$0")/lib.sh"
TOOL=baseline
DB=bench_baseline   # prefix of this script's database names

# script WORKLOAD up|down -> one SQL file: BEGIN; migration; version row; COMMIT; ...
script() {
  local out="$WORK/scripts/$(basename "$1")-$2.sql"
  mkdir -p "$WORK/scripts"
  [ -f "$out" ] || "$PY" to_script.py "$1" "$2" > "$out"
  echo "$out"
}

w1() {  # the whole up script into an empty database
  for db in $DBS; do
    local up; up=$(script "$(linear_workload "$db" "$N")" up)
    measure $TOOL "w1-apply-$db-n$N" "$RUNS" "./db.sh reset $db ${DB}_w1" \
      "$(./db.sh cli "$db" "${DB}_w1") < $up"
    check $TOOL "w1-apply-$db-n$N" "tables=$(./db.sh tables "$db" "${DB}_w1")" \
      "(expected $(( (N + 2) / 3 + 1 )) with bench_version)"
    if [ "$db" = postgresql ]; then  # the same statements in one transaction (psql -1)
      local one="${up%.sql}-onetxn.sql"
      grep -vxE 'BEGIN;|COMMIT;' "$up" > "$one"
      measure $TOOL "w1-apply-$db-n$N-onetxn" "$RUNS" "./db.sh reset $db ${DB}_w1" \
        "$(./db.sh cli "$db" "${DB}_w1") -1 -f $one"
    fi
  done
}

w2() {  # the floor of a no-op command: start the CLI, read the version table
  export RSS_EXTRA=1  # these take a few ms: GNU time must not be in the timed runs
  for n in $N $N_BIG; do
    local up name="${DB}_w2_n$n" runs=$QUICK_RUNS warmup=2
    up=$(script "$(linear_workload sqlite "$n")" up)
    [ "$n" = "$N" ] || { runs=$RUNS; warmup=0; }
    if [ "$n" != "$N" ] && [ "$TIME_BIG_APPLY" = 1 ]; then  # timed once, as for Alembic
      measure_once $TOOL "w2-apply-sqlite-n$n" "./db.sh reset sqlite $name" \
        "$(./db.sh cli sqlite "$name") < $up"
    else
      ./db.sh reset sqlite "$name"
      ./db.sh exec sqlite "$name" < "$up"
    fi
    for cmd in heads history upgrade-head current heads-nopyc; do
      measure $TOOL "w2-$cmd-sqlite-n$n" "$runs" "" \
        "sqlite3 $WORK/db/$name.sqlite 'SELECT revision FROM bench_version'" --warmup "$warmup"
    done
    # the same version rows in a database that holds nothing else
    ./db.sh reset sqlite "${name}_stamped"
    grep -E '^(CREATE TABLE IF NOT EXISTS bench_version|INSERT INTO bench_version)' "$up" \
      | { echo "BEGIN;"; cat; echo "COMMIT;"; } | ./db.sh exec sqlite "${name}_stamped"
    for cmd in heads history upgrade-head current; do
      measure $TOOL "w2-$cmd-sqlite-n$n-stamped" "$runs" "" \
        "sqlite3 $WORK/db/${name}_stamped.sqlite 'SELECT revision FROM bench_version'" --warmup "$warmup"
    done
  done
  unset RSS_EXTRA
}

w3() {  # read the whole schema from the PostgreSQL catalog (sql/pg_schema.sql)
  for t in $TABLES; do
    for d in 0 "$DRIFT_EVERY"; do
      local wl key_sfx name="${DB}_w3"
      wl=$(schema_workload "$t" "$d")
      key_sfx="postgresql-t$t"; [ "$d" = 0 ] || key_sfx+="-drift$d"
      ./db.sh reset postgresql "$name"
      ./db.sh exec postgresql "$name" < "$wl/database.sql"
      for cmd in autogen check; do
        measure $TOOL "w3-$cmd-$key_sfx" "$QUICK_RUNS" "" \
          "$(./db.sh cli postgresql "$name") -f sql/pg_schema.sql" --warmup 2
      done
    done
  done
  ./db.sh drop postgresql "${DB}_w3"
}

w4() {  # the whole down script, from a copy of a database at head (SQLite)
  local wl up down; wl=$(linear_workload sqlite "$N")
  up=$(script "$wl" up); down=$(script "$wl" down)
  ./db.sh reset sqlite "${DB}_w4_head"
  ./db.sh exec sqlite "${DB}_w4_head" < "$up"
  measure $TOOL "w4-downgrade-sqlite-n$N" "$RUNS" \
    "cp $WORK/db/${DB}_w4_head.sqlite $WORK/db/${DB}_w4.sqlite" \
    "$(./db.sh cli sqlite "${DB}_w4") < $down"
  check $TOOL "w4-downgrade-sqlite-n$N" "tables=$(./db.sh tables sqlite "${DB}_w4")" \
    "(expected 1: bench_version)"
}

record_versions $TOOL
for w in ${@:-w1 w2 w3 w4}; do "$w"; done
