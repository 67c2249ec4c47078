#!/usr/bin/env bash
# The README's quick start: builds retort, applies this example to a SQLite file
# (examples/quickstart/quickstart.db) and shows its history.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
retort() { cargo run -q -p retort-cli --manifest-path "$here/../../Cargo.toml" -- -C "$here" "$@"; }
retort upgrade head
retort history --indicate-current
retort status
