# Shared settings and helpers of run_alembic.sh and run_baseline.sh (sourced, not run).
# Every setting can be overridden from the environment; see README.md.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")"

N=${N:-1000}                        # migrations in W1, W2 and W4
N_BIG=${N_BIG-10000}                # second history size for W2 ("" skips it)
TABLES=${TABLES:-"100 200 500"}     # table counts for W3
DRIFT_EVERY=${DRIFT_EVERY:-50}      # W3 drift: one changed column every K tables
DBS=${DBS:-"sqlite postgresql mysql"}   # databases for W1
W3_DBS=${W3_DBS:-"postgresql mysql sqlite"}   # databases for W3
RUNS=${RUNS:-3}                     # timed runs of long measurements (median reported)
QUICK_RUNS=${QUICK_RUNS:-10}        # timed runs of short ones (W2 at N), after 2 warm-ups
TIME_BIG_APPLY=${TIME_BIG_APPLY:-1} # W2: time the apply of N_BIG once (0: set it up untimed)
MAX_SECONDS=${MAX_SECONDS:-600}     # ... and give up on that apply past this many seconds
export WORK=${WORK:-work}           # generated workloads, projects, SQLite files
RESULTS=${RESULTS:-results}
if [ -z "${PY:-}" ]; then
  if [ -x .venv/bin/python ]; then PY=.venv/bin/python; else PY=python3; fi
fi
mkdir -p "$WORK"
# Python caches bytecode as on a developer's machine or a usual deploy, so the revision files
# compile once; W2's "nopyc" rows time the first run without caches. (Some containers set
# PYTHONDONTWRITEBYTECODE=1, which makes every Alembic run such a first run.)
unset PYTHONDONTWRITEBYTECODE

log() { printf '\n== %s\n' "$*" >&2; }

# linear_workload DIALECT N -> path of the neutral workload (generated once)
linear_workload() {
  local dir="$WORK/linear-$1-$2"
  [ -f "$dir/manifest.json" ] || "$PY" gen_workload.py linear --n "$2" --dialect "$1" --out "$dir" --force
  echo "$dir"
}

# schema_workload T DRIFT_EVERY [DIALECT] -> path of the neutral schema workload (W3) of
# DIALECT (default postgresql)
schema_workload() {
  local dialect=${3:-postgresql}
  local dir="$WORK/schema-$dialect-$1-d$2"
  [ -f "$dir/manifest.json" ] || "$PY" gen_workload.py schema --tables "$1" --drift-every "$2" \
    --dialect "$dialect" --out "$dir" --force
  echo "$dir"
}

# measure TOOL KEY RUNS PREPARE COMMAND [hyperfine options...]
# Times COMMAND with hyperfine (PREPARE runs before every run; "" for none) and records its
# peak RSS: each timed run goes through GNU time (about 1.5 ms more per run), or, with
# RSS_EXTRA=1 (for commands of a few ms), one extra untimed run does. Writes
# $RESULTS/TOOL/KEY.json (hyperfine's export) and KEY.rss (the highest RSS, kB).
# With APPEND=1 (run_all.sh), the runs are added to those already recorded for KEY.
measure() {
  local tool=$1 key=$2 runs=$3 prepare=$4 cmd=$5
  shift 5
  local out="$RESULTS/$tool/$key" timed
  mkdir -p "$RESULTS/$tool"
  log "$tool $key: $cmd"
  note_load "$tool" "$key"
  rm -f "$out.rss.runs"
  local args=(--style basic --runs "$runs" --export-json "$out.new.json")
  [ -n "$prepare" ] && args+=(--prepare "$prepare")
  local gnu_time="/usr/bin/time -f %M -a -o $out.rss.runs"
  if [[ $cmd == *[\<\>\|\;\&\$\*]* ]]; then  # needs a shell
    timed="$cmd"; [ "${RSS_EXTRA:-0}" = 1 ] || timed="$gnu_time bash -c $(printf %q "$cmd")"
  else  # no intermediate shell; PREPARE then must not need one either
    args+=(--shell=none)
    timed="$cmd"; [ "${RSS_EXTRA:-0}" = 1 ] || timed="$gnu_time $cmd"
  fi
  hyperfine "${args[@]}" "$@" "$timed" >&2
  add_runs "$out.new.json" "$out.json"
  if [ "${RSS_EXTRA:-0}" = 1 ]; then
    [ -n "$prepare" ] && bash -c "$prepare"
    /usr/bin/time -f %M -a -o "$out.rss.runs" bash -c "$cmd" >/dev/null 2>&1 || true
  fi
  # GNU time notes a failing command's status on a line of its own: keep the numbers
  [ "${APPEND:-0}" = 1 ] && [ -f "$out.rss" ] && cat "$out.rss" >> "$out.rss.runs"
  { grep -E '^[0-9]+$' "$out.rss.runs" || true; } | sort -n | tail -1 > "$out.rss"
  rm -f "$out.rss.runs"
}

# measure_once TOOL KEY PREPARE COMMAND: one run only, under GNU time (for runs too slow
# to repeat); writes the same files as measure, in hyperfine's JSON shape. With APPEND=1,
# a KEY already measured is not measured again.
measure_once() {
  local tool=$1 key=$2 prepare=$3 cmd=$4 out="$RESULTS/$1/$2"
  mkdir -p "$RESULTS/$tool"
  [ "${APPEND:-0}" = 1 ] && [ -f "$out.json" ] && return 0
  log "$tool $key (1 run): $cmd"
  note_load "$tool" "$key"
  [ -n "$prepare" ] && bash -c "$prepare"
  /usr/bin/time -f '%e %U %S %M' -o "$out.time" bash -c "$cmd" >/dev/null 2>&1 || return 1
  read -r secs user sys rss < "$out.time" && rm "$out.time"
  echo "$rss" > "$out.rss"
  printf '{"results": [{"command": "%s", "median": %s, "mean": %s, "user": %s, "system": %s, "times": [%s]}]}\n' \
    "$cmd" "$secs" "$secs" "$user" "$sys" "$secs" > "$out.json"
  echo "  $secs s, $rss kB" >&2
}

# note_load TOOL KEY: the 1-, 5- and 15-minute load averages as a measurement starts
note_load() { printf '%s\t%s\n' "$2" "$(cut -d' ' -f1-3 /proc/loadavg)" >> "$RESULTS/$1/load.tsv"; }

# add_runs NEW OLD: move hyperfine's NEW export to OLD, or with APPEND=1 add its runs to OLD's
add_runs() {
  if [ "${APPEND:-0}" != 1 ] || [ ! -f "$2" ]; then mv "$1" "$2"; return; fi
  "$PY" - "$1" "$2" <<'PYEOF'
import json, statistics, sys
new, old = (json.load(open(p)) for p in sys.argv[1:3])
n, o = new["results"][0], old["results"][0]
k, m = len(n["times"]), len(o["times"])
for f in ("user", "system"):
    o[f] = (o[f] * m + n[f] * k) / (m + k)
o["times"] += n["times"]
o["median"], o["mean"] = statistics.median(o["times"]), statistics.mean(o["times"])
json.dump(old, open(sys.argv[2], "w"))
PYEOF
  rm "$1"
}

# check TOOL KEY MESSAGE...: record a correctness check next to the timings
check() {
  mkdir -p "$RESULTS/$1"
  printf '%s\t%s\n' "$2" "${*:3}" | tee -a "$RESULTS/$1/checks.tsv" >&2
}

# record_versions TOOL: the versions every result depends on
record_versions() {
  mkdir -p "$RESULTS/$1"
  {
    echo "date: $(date -u +%Y-%m-%dT%H:%MZ)"
    echo "machine: $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo)," \
         "$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')"
    echo "kernel: $(uname -r)"
    echo "hyperfine: $(hyperfine --version | cut -d' ' -f2)"
    echo "python: $("$PY" -c 'import platform; print(platform.python_version())')"
    echo "sqlite3 CLI: $(sqlite3 --version | cut -d' ' -f1)"
    echo "sqlite (python module): $("$PY" -c 'import sqlite3; print(sqlite3.sqlite_version)')"
    echo "postgresql: $(psql -X -At -d postgres -c 'SHOW server_version' 2>/dev/null || echo n/a)"
    echo "mariadb: $(./db.sh exec mysql mysql <<<'SELECT VERSION()' 2>/dev/null | tail -1 || echo n/a)"
    if [ "$1" = alembic ]; then
      "$PY" -c 'import alembic, sqlalchemy, psycopg2, pymysql
print("alembic:", alembic.__version__); print("sqlalchemy:", sqlalchemy.__version__)
print("psycopg2:", psycopg2.__version__.split()[0]); print("pymysql:", pymysql.__version__)'
    fi
    if [ "$1" = retort ]; then
      echo "retort: $("$RETORT" --version | cut -d' ' -f2) ($RETORT, file modified $(date -u -r "$RETORT" +%Y-%m-%dT%H:%MZ)," \
           "sha256 $(sha256sum "$RETORT" | cut -c1-12))"
    fi
  } > "$RESULTS/$1/versions.txt"
}
