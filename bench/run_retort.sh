#!/usr/bin/env bash
# Measure retort on the benchmark workloads (same keys as run_alembic.sh).
#   run_retort.sh [w1] [w2] [w3] [w4]      (no argument: all four)
# Settings (N, N_BIG, DBS, RUNS, ...) are read from the environment: see lib.sh. Also:
#   RETORT   the binary (default ../target/release/retort; build it with
#            `cargo build --release -p retort-cli` at the workspace root)
#   FLOOR=1  W2 also times the floor on retort's own databases, right after each key:
#            `sqlite3 DB 'SELECT revision FROM retort_version'`, into $RESULTS/floor/
#            (run_startup.sh sets it)
# W1 runs on every database of DBS (PostgreSQL also with --single-transaction); W3
# (check and autogenerate) on every database of W3_DBS, as Alembic's.
# Results: results/retort/<key>.json (hyperfine), <key>.rss (peak RSS, kB), checks.tsv.
source "$(dirname "$0")/lib.sh"
TOOL=retort
DB=bench_retort   # prefix of this script's database names
RETORT=${RETORT:-../target/release/retort}
if [[ $RETORT == */* ]]; then RETORT=$(realpath "$RETORT"); fi
if ! command -v "$RETORT" >/dev/null; then
  echo "run_retort.sh: no retort binary at $RETORT: build it (cargo build --release -p retort-cli)" \
    "or set RETORT" >&2
  exit 2
fi
export RETORT FLOOR=${FLOOR:-0}

# project WORKLOAD -> the retort project converted from it (converted once)
project() {
  local dst="$WORK/retort/$(basename "$1")"
  [ -f "$dst/retort.toml" ] || "$PY" to_retort.py "$1" "$dst"
  echo "$dst"
}

# retort_cmd PROJECT ARGS... -> the command line (no shell syntax: hyperfine runs it directly)
retort_cmd() { echo "$RETORT -C $1 ${*:2}"; }

# sqlite_file NAME -> the absolute path of db.sh's SQLite file NAME
sqlite_file() { realpath -m "$WORK/db/$1.sqlite"; }

# use_db NAME: point retort.toml's ${BENCH_DB_URL} at SQLite database NAME (absolute path)
use_db() { export BENCH_DB_URL; BENCH_DB_URL="sqlite:$(sqlite_file "$1")"; }

# db_url DIALECT NAME -> the URL retort uses for database NAME (local sockets, as db.sh)
db_url() {
  case $1 in
    sqlite) echo "sqlite:$(sqlite_file "$2")" ;;
    postgresql) echo "postgres://$(id -un)@%2Fvar%2Frun%2Fpostgresql/$2" ;;
    mysql) echo "mysql://root@localhost/$2?socket=${MYSQL_SOCKET:-/run/mysqld/mysqld.sock}" ;;
  esac
}

# Expected table counts: the workload's, plus retort_version and retort_log, and on SQLite
# its own sqlite_sequence (retort_log's id is AUTOINCREMENT): +3 there, +2 elsewhere, where
# Alembic has +1.
w1() {  # apply N migrations to an empty database
  for db in $DBS; do
    local proj extra=2; proj=$(project "$(linear_workload "$db" "$N")")
    [ "$db" = sqlite ] && extra=3
    export BENCH_DB_URL; BENCH_DB_URL=$(db_url "$db" "${DB}_w1")
    measure $TOOL "w1-apply-$db-n$N" "$RUNS" "./db.sh reset $db ${DB}_w1" \
      "$(retort_cmd "$proj" upgrade head)"
    check $TOOL "w1-apply-$db-n$N" "tables=$(./db.sh tables "$db" "${DB}_w1")" \
      "(expected $(( (N + 2) / 3 + extra )) with retort_version, retort_log)"
    if [ "$db" = postgresql ]; then  # one transaction around the whole run, as the baseline's -onetxn
      measure $TOOL "w1-apply-$db-n$N-onetxn" "$RUNS" "./db.sh reset $db ${DB}_w1" \
        "$(retort_cmd "$proj" upgrade head --single-transaction)"
      check $TOOL "w1-apply-$db-n$N-onetxn" "tables=$(./db.sh tables "$db" "${DB}_w1")" \
        "(expected $(( (N + 2) / 3 + extra )))"
    fi
  done
}

w2() {  # no-op latency with the whole history applied (SQLite)
  # a few ms each: one extra untimed run gives the peak RSS, so GNU time (about 1.5 ms)
  # stays out of the timed runs, as for the baseline's floor
  export RSS_EXTRA=1
  for n in $N $N_BIG; do
    # retort's no-op commands take milliseconds at either size: QUICK_RUNS runs after 2
    # warm-ups at N_BIG too (Alembic's scripts use RUNS without warm-up there)
    local wl proj name="${DB}_w2_n$n" runs=$QUICK_RUNS warmup=2 big=0
    [ "$n" = "$N" ] || big=1
    wl=$(linear_workload sqlite "$n"); proj=$(project "$wl")
    use_db "$name"
    if [ "$big" = 0 ]; then  # untimed: W1 times it
      ./db.sh reset sqlite "$name"
      $(retort_cmd "$proj" -q upgrade head)
    elif [ "$TIME_BIG_APPLY" = 1 ] && measure_once $TOOL "w2-apply-sqlite-n$n" \
        "./db.sh reset sqlite $name" "timeout $MAX_SECONDS $(retort_cmd "$proj" upgrade head)"; then
      :
    else  # the same schema through the baseline's script (untimed, so without fsync), stamped
      [ "$TIME_BIG_APPLY" = 1 ] && check $TOOL "w2-apply-sqlite-n$n" "over $MAX_SECONDS s: not measured"
      ./db.sh reset sqlite "$name"
      { echo "PRAGMA synchronous = OFF;"; "$PY" to_script.py "$wl" up; } | ./db.sh exec sqlite "$name"
      $(retort_cmd "$proj" -q stamp head)
    fi
    w2_commands "$proj" "$wl" "$n" "$name" "" \
      "$(( (n + 2) / 3 + 3 )) tables, +1 (bench_version) if set up by the baseline script"
    # Alembic's "first run after a deploy" deletes its bytecode caches: retort keeps none, so
    # every run is such a run; the row times `heads` again, RUNS times without warm-up
    measure $TOOL "w2-heads-nopyc-sqlite-n$n" "$RUNS" "" "$(retort_cmd "$proj" heads)"
    # the same history stamped into a database that holds nothing but the version table
    use_db "${name}_stamped"
    ./db.sh reset sqlite "${name}_stamped"
    $(retort_cmd "$proj" -q stamp head)
    w2_commands "$proj" "$wl" "$n" "${name}_stamped" -stamped "3 tables"
  done
  unset RSS_EXTRA
}

# w2_commands PROJECT WORKLOAD N DBNAME SUFFIX EXPECTED_TABLES: the four no-op commands timed
# on database DBNAME (keys w2-<command>-sqlite-n<N><SUFFIX>), then what it holds checked
w2_commands() {
  local proj=$1 wl=$2 n=$3 db=$4 suffix=$5 tables=$6
  for cmd in heads history "upgrade head" current; do
    w2_measure "$proj" "w2-${cmd/ /-}-sqlite-n$n$suffix" "$cmd" "$db"
  done
  # the same without the start-up cache: every migration file read and parsed
  for cmd in heads history "upgrade head" current; do
    measure $TOOL "w2-${cmd/ /-}-sqlite-n$n$suffix-nocache" "$runs" "" \
      "env RETORT_NO_CACHE=1 $(retort_cmd "$proj" "$cmd")" --warmup "$warmup"
  done
  check $TOOL "w2-sqlite-n$n$suffix" "current=$(current_of "$proj")" \
    "rows=$(sqlite3 "$(sqlite_file "$db")" 'SELECT count(*) FROM retort_version')" \
    "tables=$(./db.sh tables sqlite "$db")" \
    "(expected $(manifest_head "$wl"), $n rows, $tables)"
}

# w2_measure PROJECT KEY COMMAND DBNAME: time the command; with FLOOR=1, then the floor on
# the same database file
w2_measure() {
  measure $TOOL "$2" "$runs" "" "$(retort_cmd "$1" "$3")" --warmup "$warmup"
  if [ "$FLOOR" = 1 ]; then
    measure floor "$2" "$runs" "" \
      "sqlite3 $(sqlite_file "$4") 'SELECT revision FROM retort_version'" --warmup "$warmup"
  fi
}

# current_of PROJECT -> the revision `retort current` reports (its line: "<parent> -> <rev> ...")
current_of() {
  $(retort_cmd "$1" current) 2>/dev/null | sed -n 's/^.* -> \([0-9a-f]\{12\}\).*$/\1/p' | paste -sd,
}

manifest_head() {
  "$PY" -c 'import json, sys; print(json.load(open(sys.argv[1]))["migrations"][-1]["id"])' "$1/manifest.json"
}

changed_columns() {
  "$PY" -c 'import json, sys; print(len(json.load(open(sys.argv[1]))["changed"]))' "$1/manifest.json"
}

# schema_project WORKLOAD -> a retort project whose declared schema is the workload's
# schema.sql (made once; no migrations: the live database is created by database.sql)
schema_project() {
  local dst="$WORK/retort/$(basename "$1")"
  if [ ! -f "$dst/retort.toml" ]; then
    mkdir -p "$dst/migrations"
    printf '# Generated by run_retort.sh (W3).\n[database]\nurl = "${BENCH_DB_URL}"\n\n[migrations]\ndir = "migrations"\nschema = "schema.sql"\n' \
      > "$dst/retort.toml"
    cp "$1/schema.sql" "$dst/schema.sql"
  fi
  echo "$dst"
}

# differences PROJECT -> "exit=N, differences: M" from one `retort --json check`
differences() {
  local rc=0 out
  out=$($(retort_cmd "$1" --json check) 2>/dev/null) || rc=$?
  echo "exit=$rc, differences: $("$PY" -c 'import json, sys
try: print(len(json.load(sys.stdin)["differences"]))
except Exception: print("n/a")' <<<"$out")"
}

# W3: `check` and `revision --autogenerate` against T tables created directly in each
# database of W3_DBS. On PostgreSQL and MariaDB retort loads the declared schema into a dev
# database it keeps (retort_dev_<hash>, beside the live one) and, from the second run on,
# loads only what changed; SQLite's is in memory, loaded by every run. Keys
# (w3-<what>-<db>-t<T>[-drift<K>]):
#   w3-check-first-*   the first run: the dev database dropped before each run (not SQLite)
#   w3-check-*         warm runs: the dev database holds the declared schema already
#   w3-dump-*          `schema dump -o /dev/null`: the live schema read alone (introspection)
#   w3-check-edit-*    after one table of the declared schema changed (before each run the
#                      declared schema flips between two versions of the last table)
#   w3-autogen-*       `revision --autogenerate` (the written file removed before each run)
#   w3-devloop-*       the developer's loop (no drift): one table changed, its migration
#                      written and applied, then that table changed again: `revision
#                      --autogenerate` again
w3() {
  for db in $W3_DBS; do
    for t in $TABLES; do
      for d in 0 "$DRIFT_EVERY"; do w3_pass "$db" "$t" "$d"; done
    done
    ./db.sh drop "$db" "${DB}_w3"
  done
}

# w3_pass DIALECT T DRIFT_EVERY: W3's keys on one workload; its dev databases dropped after
w3_pass() {
  local db=$1 t=$2 d=$3 wl proj key_sfx name="${DB}_w3" expected ignore=()
  wl=$(schema_workload "$t" "$d" "$db"); proj=$(schema_project "$wl")
  key_sfx="$db-t$t"; [ "$d" = 0 ] || { key_sfx+="-drift$d"; ignore=(--ignore-failure); }
  expected=$(changed_columns "$wl")
  ./db.sh reset "$db" "$name"
  ./db.sh exec "$db" "$name" < "$wl/database.sql"
  export BENCH_DB_URL; BENCH_DB_URL=$(db_url "$db" "$name")
  rm -f "$proj"/migrations/*.sql
  cp "$wl/schema.sql" "$proj/schema.sql"
  if [ "$db" != sqlite ]; then  # SQLite's dev database is in memory: every run is a first run
    measure $TOOL "w3-check-first-$key_sfx" "$RUNS" "$(retort_cmd "$proj" -q dev drop)" \
      "$(retort_cmd "$proj" check)" "${ignore[@]}"
  fi
  measure $TOOL "w3-check-$key_sfx" "$RUNS" "" "$(retort_cmd "$proj" check)" "${ignore[@]}"
  # introspection alone (the live schema read and written out), beside the catalog queries
  measure $TOOL "w3-dump-$key_sfx" "$RUNS" "" "$(retort_cmd "$proj" schema dump -o /dev/null)"
  check $TOOL "w3-check-$key_sfx" "$(differences "$proj")" \
    "(expected exit $([ "$expected" = 0 ] && echo 0 || echo 1), $expected differences)"
  # one table edited between runs: a column added to the last table, which no other
  # references (each table has a foreign key to the one before: editing an earlier one
  # recreates every later one, as a full load would)
  local last edited flip
  last=$(printf 't%04d' $(( t - 1 )))
  edited=$(edited_schema "$wl" "$last" bench_extra)
  flip="$WORK/retort/$(basename "$wl")-flip.sh"
  printf 'if cmp -s %q %q; then cp %q %q; else cp %q %q; fi\n' "$proj/schema.sql" \
    "$wl/schema.sql" "$edited" "$proj/schema.sql" "$wl/schema.sql" "$proj/schema.sql" > "$flip"
  measure $TOOL "w3-check-edit-$key_sfx" "$RUNS" "bash $flip" "$(retort_cmd "$proj" check)" \
    --ignore-failure
  cp "$edited" "$proj/schema.sql"
  check $TOOL "w3-check-edit-$key_sfx" "$(differences "$proj")" \
    "(expected exit 1, $(( expected + 1 )) differences: $last.bench_extra too)"
  cp "$wl/schema.sql" "$proj/schema.sql"
  # autogenerate: a dialect it cannot render yet is recorded, not timed
  local rc=0 out
  out=$($(retort_cmd "$proj" revision --autogenerate -m bench) 2>&1) || rc=$?
  rm -f "$proj"/migrations/*.sql
  if grep -q "not supported yet" <<<"$out"; then
    check $TOOL "w3-autogen-$key_sfx" "not measured: $(grep -m1 'not supported yet' <<<"$out")"
  else
    measure $TOOL "w3-autogen-$key_sfx" "$RUNS" "find $proj/migrations -name '*.sql' -delete" \
      "$(retort_cmd "$proj" revision --autogenerate -m bench)" "${ignore[@]}"
    check $TOOL "w3-autogen-$key_sfx" "exit=$rc, $(written "$proj")" \
      "(expected $expected changed columns)"
    [ "$d" != 0 ] || w3_devloop "$proj" "$wl" "$key_sfx" "$last"
  fi
  rm -f "$proj"/migrations/*.sql
  $(retort_cmd "$proj" -q dev drop)
}

# w3_devloop PROJECT WORKLOAD KEY_SUFFIX LAST_TABLE: the developer's loop, one table at a
# time. Before each run (untimed): the previous migration reverted and removed if there is
# one, then written again (the last table given column bench_extra) and applied, and the
# declared schema given bench_extra2 too. Timed: `revision --autogenerate` of that one
# change, with the dev databases as the loop leaves them (the self-check's copy of the live
# schema from before the previous migration: one table to load again).
w3_devloop() {
  local proj=$1 wl=$2 key="w3-devloop-$3" last=$4 edited edited2 prep
  edited=$(edited_schema "$wl" "$last" bench_extra)
  edited2=$(edited_schema "$wl" "$last" bench_extra bench_extra2)
  prep="$WORK/retort/$(basename "$wl")-devloop.sh"
  {
    echo 'set -e'
    printf 'if [ -n "$(ls %q)" ]; then %s; fi\n' "$proj/migrations" \
      "$(retort_cmd "$proj" -q downgrade base)"
    printf 'rm -f %q/*.sql\ncp %q %q\n' "$proj/migrations" "$edited" "$proj/schema.sql"
    echo "$(retort_cmd "$proj" -q revision --autogenerate -m previous) >/dev/null"
    retort_cmd "$proj" -q upgrade head
    printf 'cp %q %q\n' "$edited2" "$proj/schema.sql"
  } > "$prep"
  rm -f "$proj"/migrations/*.sql
  measure $TOOL "$key" "$RUNS" "bash $prep" "$(retort_cmd "$proj" revision --autogenerate -m bench)"
  local prev; prev=$(find "$proj/migrations" -name '*_previous.sql' -printf '%f\n')
  check $TOOL "$key" "after ${prev:-(none)} applied: $(written "$proj" "${prev:-.}")" \
    "(expected 1 changed column: $last.bench_extra2)"
  cp "$wl/schema.sql" "$proj/schema.sql"
}

# edited_schema WORKLOAD TABLE COLUMN... -> the workload's schema.sql with each COLUMN
# (INTEGER) added first to TABLE (written beside the project)
edited_schema() {
  local out="$WORK/retort/$(basename "$1")-$(IFS=-; echo "${*:3}").sql" cols=""
  for c in "${@:3}"; do cols+="$c INTEGER, "; done
  sed "s/^CREATE TABLE $2 (\$/CREATE TABLE $2 (${cols%, },/" "$1/schema.sql" > "$out"
  grep -q "$3" "$out" || { echo "run_retort.sh: no table $2 to edit in $1" >&2; exit 2; }
  echo "$out"
}

# written PROJECT [EXCEPT] -> "statements in up: N, tables rebuilt: M" of the migration
# autogenerate wrote last (the project's one .sql file but EXCEPT), or "no file written".
# SQLite rebuilds a table to change a column's type: six statements for one change here.
written() {
  local f up; f=$(find "$1/migrations" -name '*.sql' ! -name "${2:-.}" | head -1)
  [ -n "$f" ] || { echo "no file written"; return; }
  up=$(sed -n '/^-- migrate:up/,/^-- migrate:down/p' "$f")
  echo "statements in up: $(grep -c ';$' <<<"$up" || true)," \
    "tables rebuilt: $(grep -c '^-- rebuilds table' <<<"$up" || true)"
}

w4() {  # downgrade base from head (SQLite); each run starts from a copy of a head database
  local proj; proj=$(project "$(linear_workload sqlite "$N")")
  use_db "${DB}_w4_head"
  ./db.sh reset sqlite "${DB}_w4_head"
  $(retort_cmd "$proj" -q upgrade head)
  use_db "${DB}_w4"
  measure $TOOL "w4-downgrade-sqlite-n$N" "$RUNS" \
    "cp $WORK/db/${DB}_w4_head.sqlite $WORK/db/${DB}_w4.sqlite" "$(retort_cmd "$proj" downgrade base)"
  check $TOOL "w4-downgrade-sqlite-n$N" "tables=$(./db.sh tables sqlite "${DB}_w4")" \
    "rows=$(sqlite3 "$(sqlite_file "${DB}_w4")" 'SELECT count(*) FROM retort_version')" \
    "(expected 3: retort_version, retort_log, sqlite_sequence; 0 rows)"
}

record_versions $TOOL
for w in ${@:-w1 w2 w3 w4}; do "$w"; done
