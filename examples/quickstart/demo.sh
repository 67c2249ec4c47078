#!/usr/bin/env bash
# The README's quick start: builds retort, applies this example to a SQLite file
# (examples/quickstart/quickstart.db), shows its history and checks it against schema.sql.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
manifest="$here/../../Cargo.toml"
# The first build takes minutes: say so, and let cargo show its progress on stderr.
echo "demo.sh: building retort (the first build takes a few minutes; later ones, a second)" >&2
cargo build -p retort-cli --manifest-path "$manifest"
retort() { cargo run -q -p retort-cli --manifest-path "$manifest" -- -C "$here" "$@"; }
retort upgrade head
retort history --indicate-current
retort status
# The migrated database against the declared schema (schema.sql): what CI runs.
retort check
