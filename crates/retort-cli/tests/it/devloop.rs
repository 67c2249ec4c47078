//! The dev loop of a team coming from Alembic: a migration just applied is edited, and the
//! database must know what ran, redo it, and say plainly what changed.

use retort::db::Value;

use crate::db_test;
use crate::util::*;

/// Whether the version table has `column`, asked the way retort asks.
fn has_column(p: &TestProject, column: &str) -> bool {
    let sql = p
        .backend
        .dialect()
        .sql()
        .column_count_sql("retort_version", &[column]);
    let rows = p.connect().query(&sql, &[]).expect("catalog");
    rows.first().and_then(|r| r.first()).and_then(Value::as_i64) == Some(1)
}

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
    assert!(
        p.tables().contains(&"own_t".to_string()),
        "{:?}",
        p.tables()
    );
    // Editing the section that did not run changes nothing for this database.
    let text = p.read(&file).replace("generic_t", "generic_renamed");
    p.write(&file, &text);
    p.age(&file, 5);
    p.ok(&["validate"]);
    p.ok(&["status", "--exit-code"]);
    // Editing the one that ran is an edit.
    let text = p
        .read(&file)
        .replace("own_t (id INTEGER)", "own_t (id INTEGER, x INTEGER)");
    p.write(&file, &text);
    p.age(&file, 5);
    let (code, out, _) = p.run(&["validate"]);
    assert!(
        code == 1 && out.contains("changed d00000000001"),
        "{code} {out}"
    );
});

db_test!(
    the_version_table_keeps_what_ran_and_an_older_table_gains_it,
    |p| {
        p.migration(
            "d00000000001",
            &[],
            "CREATE TABLE kept_a (id INTEGER);",
            Some("DROP TABLE kept_a;"),
        );
        p.ok(&["upgrade", "head"]);
        // What a retort from before texts were kept made: the same table without them.
        p.exec("ALTER TABLE retort_version DROP COLUMN up_sql");
        p.exec("ALTER TABLE retort_version DROP COLUMN down_sql");
        // Read-only commands leave an older table as it is, and say no text is kept.
        let (code, _, err) = p.run(&["show", "d00000000001", "--applied"]);
        assert!(code == 1 && err.contains("keeps no text"), "{code} {err}");
        assert!(!has_column(p, "up_sql"));
        // The first command that writes adds the columns, once; the old row keeps its place.
        let file = p.migration(
            "d00000000002",
            &["d00000000001"],
            "CREATE TABLE kept_b (id INTEGER);\nINSERT INTO kept_b VALUES (1);",
            Some("DROP TABLE kept_b;"),
        );
        p.ok(&["upgrade", "head"]);
        assert!(has_column(p, "up_sql") && has_column(p, "down_sql"));
        assert_eq!(p.applied(), ids(&["d00000000001", "d00000000002"]));
        p.ok(&["upgrade", "head"]);
        // What ran is what the row keeps, whatever becomes of the file.
        let shown = p.ok(&["show", "d00000000002", "--applied"]);
        assert!(
            shown.contains("CREATE TABLE kept_b (id INTEGER);\nINSERT INTO kept_b VALUES (1);")
                && shown.contains("DROP TABLE kept_b;"),
            "{shown}"
        );
        let ran = p.read(&file);
        p.write(&file, &ran.replace("VALUES (1)", "VALUES (2)"));
        let json: serde_json::Value =
            serde_json::from_str(&p.ok(&["--json", "show", "d00000000002", "--applied"]))
                .expect("json");
        assert_eq!(
            json["up_sql"].as_str().map(str::trim),
            Some("CREATE TABLE kept_b (id INTEGER);\nINSERT INTO kept_b VALUES (1);")
        );
        assert_eq!(json["recorded"], true);
        let (code, _, err) = p.run(&["show", "d00000000001", "--applied"]);
        assert!(code == 1 && err.contains("keeps no text"), "{code} {err}");
        p.write(&file, &ran);
        // Quotes, backslashes and non-ASCII text come back as they were.
        p.migration(
            "d00000000003",
            &["d00000000002"],
            "INSERT INTO kept_b VALUES (3); -- it's a \\ back'slash, é",
            None,
        );
        p.ok(&["upgrade", "head"]);
        let shown = p.ok(&["show", "d00000000003", "--applied"]);
        assert!(
            shown.contains("-- it's a \\ back'slash, é") && shown.contains("no down section"),
            "{shown}"
        );
    }
);

db_test!(
    redo_reverts_what_ran_and_applies_the_file_as_it_is_now,
    |p| {
        p.migration(
            "d00000000001",
            &[],
            "CREATE TABLE base_t (id INTEGER);",
            Some("DROP TABLE base_t;"),
        );
        let file = p.migration(
            "d00000000002",
            &["d00000000001"],
            "CREATE TABLE redo_t (id INTEGER);",
            Some("DROP TABLE redo_t;"),
        );
        p.ok(&["upgrade", "head"]);
        // The edit adds a column, and its down section would fail if it ran now: redo must
        // revert with the down section recorded when the migration ran.
        p.write(
            &file,
            &p.read(&file)
                .replace("redo_t (id INTEGER)", "redo_t (id INTEGER, extra INTEGER)")
                .replace(
                    "DROP TABLE redo_t;",
                    "DROP TABLE redo_t;\nDROP TABLE no_such_table;",
                ),
        );
        p.age(&file, 5);
        let err = p.fails(&["downgrade", "-1"], 2);
        assert!(err.contains("edited"), "{err}");
        // Not redone alone: a revision something applied builds on.
        let err = p.fails(&["redo", "d00000000001"], 2);
        assert!(err.contains("d00000000002"), "{err}");
        let out = p.ok(&["redo"]);
        assert!(out.is_empty(), "{out}");
        p.ok(&["validate"]);
        p.exec("INSERT INTO redo_t (id, extra) VALUES (1, 2)");
        let shown = p.ok(&["show", "d00000000002", "--applied"]);
        assert!(
            shown.contains("extra INTEGER") && shown.contains("no_such_table"),
            "{shown}"
        );
        let log = p.log();
        assert_eq!(
            log.iter()
                .filter(|(rev, _)| rev == "d00000000002")
                .map(|(_, action)| action.as_str())
                .collect::<Vec<_>>(),
            ["upgrade", "downgrade", "upgrade"]
        );
        // Its down section fixed (the up section is what ran): redo reverts with the file's.
        p.write(
            &file,
            &p.read(&file).replace("\nDROP TABLE no_such_table;", ""),
        );
        p.age(&file, 5);
        // A protected environment refuses it unless forced, with the database untouched.
        p.write(
        "retort.toml",
        "[database]\nurl = \"${RETORT_TEST_URL}\"\n\n[environments.prod]\nurl = \"${RETORT_TEST_URL}\"\nprotected = true\n",
    );
        let err = p.fails(&["--env", "prod", "redo"], 2);
        assert!(
            err.contains("protected") && err.contains("--force"),
            "{err}"
        );
        p.exec("INSERT INTO redo_t (id, extra) VALUES (2, 3)");
        p.ok(&["--env", "prod", "redo", "--force"]);
        assert_eq!(p.applied(), ids(&["d00000000001", "d00000000002"]));
    }
);

db_test!(redo_without_a_recorded_text_needs_the_file_as_it_ran, |p| {
    let file = p.migration(
        "d00000000001",
        &[],
        "CREATE TABLE stamped_t (id INTEGER);",
        Some("DROP TABLE stamped_t;"),
    );
    // Stamped: the row keeps no text, so the file's own down section reverts it.
    p.exec("CREATE TABLE stamped_t (id INTEGER)");
    p.ok(&["stamp", "head"]);
    p.ok(&["redo", "d00000000001"]);
    assert!(p.tables().contains(&"stamped_t".to_string()));
    // Now it ran, and keeps its text; stamp it again to drop the text, and edit the file.
    p.ok(&["stamp", "base"]);
    p.ok(&["stamp", "head"]);
    p.write(
        &file,
        &p.read(&file)
            .replace("(id INTEGER)", "(id INTEGER, x INTEGER)"),
    );
    p.age(&file, 5);
    let err = p.fails(&["redo"], 2);
    assert!(err.contains("known nowhere"), "{err}");
    assert!(p.tables().contains(&"stamped_t".to_string()));
    assert_eq!(p.applied(), ids(&["d00000000001"]));
});

db_test!(
    repair_shows_what_ran_against_the_file_and_runs_nothing,
    |p| {
        let file = p.migration(
            "d00000000001",
            &[],
            "CREATE TABLE rep_t (id INTEGER);",
            Some("DROP TABLE rep_t;"),
        );
        p.ok(&["upgrade", "head"]);
        p.write(
            &file,
            &p.read(&file)
                .replace("rep_t (id INTEGER)", "rep_t (id INTEGER, x INTEGER)")
                .replace("DROP TABLE rep_t;", "DROP TABLE IF EXISTS rep_t;"),
        );
        p.age(&file, 5);
        // status says which sections changed.
        let (code, out, _) = p.run(&["status", "--exit-code"]);
        assert!(
            code == 1 && out.contains("up section changed, down section changed too"),
            "{code} {out}"
        );
        let status: serde_json::Value =
            serde_json::from_str(&p.run(&["--json", "status"]).1).expect("json");
        assert_eq!(status["changed"][0]["up_changed"], true);
        assert_eq!(status["changed"][0]["down_changed"], true);
        let schema = p.schema_summary();
        let (code, out, err) = p.run(&["repair"]);
        assert_eq!(code, 0, "{err}");
        assert!(
            out.contains("- CREATE TABLE rep_t (id INTEGER);")
                && out.contains("+ CREATE TABLE rep_t (id INTEGER, x INTEGER);"),
            "{out}"
        );
        assert!(err.contains("repair ran nothing"), "{err}");
        // Nothing ran: the schema is what the text that ran made, and the row still says so.
        assert_eq!(p.schema_summary(), schema);
        let shown = p.ok(&["show", "d00000000001", "--applied"]);
        assert!(
            shown.contains("rep_t (id INTEGER);") && shown.contains("DROP TABLE IF EXISTS rep_t;"),
            "{shown}"
        );
        p.ok(&["status", "--exit-code"]);
    }
);

db_test!(empty_sections_are_named_before_they_run, |p| {
    // A new revision's template says what each section is for, and runs nothing as it is.
    p.ok(&["revision", "-m", "fill me in", "--rev-id", "d00000000001"]);
    let name = std::fs::read_dir(p.path().join("migrations"))
        .expect("migrations")
        .filter_map(Result::ok)
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .find(|n| n.contains("d00000000001"))
        .expect("the new file");
    let text = p.read(&format!("migrations/{name}"));
    assert!(text.contains("The exact undo of the up section"), "{text}");
    let (_, _, err) = p.run(&["upgrade", "head"]);
    assert!(
        err.contains(&format!(
            "warning: migrations/{name}: d00000000001: its up section has no statement"
        )),
        "{err}"
    );
    // An empty down section under one that changes the schema: said at upgrade and downgrade.
    p.migration(
        "d00000000002",
        &["d00000000001"],
        "CREATE TABLE warn_t (id INTEGER);",
        Some("-- nothing"),
    );
    let (code, _, err) = p.run(&["upgrade", "head"]);
    assert!(
        code == 0
            && err.contains("d00000000002: its down section is empty: a downgrade will leave"),
        "{err}"
    );
    let (code, _, err) = p.run(&["downgrade", "-1"]);
    assert!(
        code == 0 && err.contains("d00000000002: its down section is empty: reverting it leaves"),
        "{err}"
    );
    // It still ran as asked: the table is there, the revision no longer applied.
    assert!(p.tables().contains(&"warn_t".to_string()));
    assert_eq!(p.applied(), ids(&["d00000000001"]));
    // A merge revision has nothing to run, and is not warned about.
    p.migration("d00000000003", &["d00000000001"], "", None);
    p.ok(&["merge", "-m", "join", "--rev-id", "d00000000004", "heads"]);
    let (_, _, err) = p.run(&["upgrade", "head"]);
    assert!(!err.contains("d00000000004: its up"), "{err}");
});
