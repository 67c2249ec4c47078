#!/usr/bin/env bash
# The README's quick start: builds retort, applies this example to a SQLite file
# (examples/quickstart/quickstart.db) and shows its history.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
cargo build -q -p retort-cli --manifest-path "$here/../../Cargo.toml"
retort="$here/../../target/debug/retort"
"$retort" -C "$here" upgrade head
"$retort" -C "$here" history --indicate-current
"$retort" -C "$here" status
