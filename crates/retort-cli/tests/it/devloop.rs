//! The dev loop of a team coming from Alembic: a migration just applied is edited, and the
//! database must know what ran, redo it, and say plainly what changed.

use crate::db_test;
use crate::util::*;

db_test!(only_the_section_that_runs_counts_for_the_checksum, |p| {
    // The generic up section and this dialect's own: the dialect's is what runs.
    let dialect = p.backend.dialect().name();
    let file = p.migration(
        "d00000000001",
        &[],
        &format!(
            "CREATE TABLE generic_t (id INTEGER);\n\n-- migrate:up {dialect}\nCREATE TABLE own_t (id INTEGER);"
        ),
        Some("DROP TABLE own_t;"),
    );
    p.ok(&["upgrade", "head"]);
    assert!(p.tables().contains(&"own_t".to_string()), "{:?}", p.tables());
    // Editing the section that did not run changes nothing for this database.
    let text = p.read(&file).replace("generic_t", "generic_renamed");
    p.write(&file, &text);
    p.age(&file, 5);
    p.ok(&["validate"]);
    p.ok(&["status", "--exit-code"]);
    // Editing the one that ran is an edit.
    let text = p.read(&file).replace("own_t (id INTEGER)", "own_t (id INTEGER, x INTEGER)");
    p.write(&file, &text);
    p.age(&file, 5);
    let (code, out, _) = p.run(&["validate"]);
    assert!(code == 1 && out.contains("changed d00000000001"), "{code} {out}");
});
