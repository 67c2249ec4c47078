#!/usr/bin/env bash
# Prints the seed directories of a fuzz target, from the repository root: the inputs the
# repository already holds for its own tests, so that a seed is never a second copy.
#   parse_migration  examples/quickstart/migrations, plus fuzz/seeds/parse_migration
#                    (files only the fuzzer needs: every header key, a BOM and CRLF)
#   split_sql        the splitter's test files (crates/retort/src/sql/testdata/split),
#                    each written to fuzz/built-seeds/split_sql with the byte that picks
#                    its dialect first ('0' SQLite, '1' PostgreSQL, '2' MySQL: % 3)
#   decode_cache     fuzz/seeds/decode_cache
#
#   fuzz/seeds.sh TARGET
set -euo pipefail
cd "$(dirname "$0")/.."
case ${1:-} in
parse_migration)
    echo examples/quickstart/migrations fuzz/seeds/parse_migration
    ;;
split_sql)
    built=fuzz/built-seeds/split_sql
    rm -rf "$built"
    mkdir -p "$built"
    for f in crates/retort/src/sql/testdata/split/*.sql; do
        case $f in
        *.sqlite.sql) dialect=0 ;;
        *.postgresql.sql) dialect=1 ;;
        *.mysql.sql) dialect=2 ;;
        *) continue ;;
        esac
        { printf %s "$dialect"; cat "$f"; } >"$built/$(basename "$f")"
    done
    echo "$built"
    ;;
decode_cache)
    echo fuzz/seeds/decode_cache
    ;;
*)
    echo "usage: $0 parse_migration|split_sql|decode_cache" >&2
    exit 2
    ;;
esac
