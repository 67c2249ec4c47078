#!/usr/bin/env bash
# The dev loop of issue 16 (target: under 1 s at 1,000 tables): edit one table of the declared
# schema, `retort revision --autogenerate`, `retort upgrade head`, again. Prints the time and
# peak RSS of each autogenerate (the upgrade is not timed).
#
#   run_devloop.sh DIALECT [TABLES] [RUNS] [TABLE]
#
# DIALECT: sqlite, postgresql or mysql. TABLE (default: the last one, which no other table
# references) gains a column before each run; an earlier one makes the kept scratch
# databases reload every table that references it. Servers over TCP as root/postgres
# (PG_URL, MYSQL_URL override the server part); the database retort_devloop_<dialect> and
# retort's scratch databases are dropped at the end. RETORT: the binary (default: the
# workspace's release build).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")"
dialect=${1:?dialect}; tables=${2:-1000}; runs=${3:-3}
table=${4:-$(printf 't%04d' $((tables - 1)))}
RETORT=${RETORT:-$(cd .. && pwd)/target/release/retort}
PG_URL=${PG_URL:-postgres://postgres@127.0.0.1:5432}
MYSQL_URL=${MYSQL_URL:-mysql://root@127.0.0.1:3306}
work=$(mktemp -d); db=retort_devloop_$dialect
python3 gen_workload.py schema --tables "$tables" --dialect "$dialect" --out "$work/wl" >/dev/null
case $dialect in
  sqlite) url="sqlite:$work/app.db"; sqlite3 "$work/app.db" < "$work/wl/database.sql" ;;
  postgresql) url="$PG_URL/$db"
    psql -X -q "$PG_URL/postgres" -c "SET client_min_messages = warning" -c "DROP DATABASE IF EXISTS $db" -c "CREATE DATABASE $db"
    psql -X -q -v ON_ERROR_STOP=1 "$url" -f "$work/wl/database.sql" >/dev/null ;;
  mysql) url="$MYSQL_URL/$db"
    mysql -h 127.0.0.1 -u root -e "DROP DATABASE IF EXISTS $db; CREATE DATABASE $db"
    mysql -h 127.0.0.1 -u root "$db" < "$work/wl/database.sql" ;;
  *) sed -n '2,13p' "$0" >&2; exit 2 ;;
esac
mkdir "$work/migrations"; cp "$work/wl/schema.sql" "$work/schema.sql"
printf '[database]\nurl = "%s"\n\n[migrations]\ndir = "migrations"\nschema = "schema.sql"\n' \
  "$url" > "$work/retort.toml"
cleanup() {
  "$RETORT" -C "$work" -q dev drop >/dev/null 2>&1 || true
  case $dialect in
    postgresql) psql -X -q "$PG_URL/postgres" -c "DROP DATABASE IF EXISTS $db" ;;
    mysql) mysql -h 127.0.0.1 -u root -e "DROP DATABASE IF EXISTS $db" ;;
  esac
  rm -rf "$work"
}
trap cleanup EXIT
"$RETORT" -C "$work" -q check >/dev/null  # the first run fills the kept scratch databases
for i in $(seq 0 "$runs"); do
  python3 - "$work/schema.sql" "$table" "$i" <<'PY'
import sys
path, table, n = sys.argv[1:]
s = open(path).read()
edited = s.replace(f"    CONSTRAINT {table}_pkey", f"    extra_{n} INTEGER,\n    CONSTRAINT {table}_pkey", 1)
assert edited != s, f"no table {table}"
open(path, "w").write(edited)
PY
  label="run $i"; [ "$i" = 0 ] && label="warm-up (the self-check's copy filled)"
  /usr/bin/time -f "$dialect $tables tables, $table edited, $label: %e s, %M KB" \
    "$RETORT" -C "$work" -q revision --autogenerate -m "x$i" >/dev/null
  "$RETORT" -C "$work" -q upgrade head >/dev/null
done
