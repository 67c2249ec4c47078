//! Bad input: a message naming the file (and line) and the cause, exit 2 or 3, and an
//! unchanged database.

use crate::db_test;
use crate::util::*;

/// Applies one good migration, then adds a broken file and checks that `upgrade head`
/// fails with `code` and every `needles` in its message, leaving the database as it was.
fn refused(p: &TestProject, broken: &str, code: i32, needles: &[&str]) {
    p.migration(
        "aa0000000001",
        &[],
        "CREATE TABLE keep (id INTEGER);",
        Some("DROP TABLE keep;"),
    );
    p.ok(&["upgrade", "head"]);
    p.write("migrations/9999_broken.sql", broken);
    let before = (p.applied(), p.tables(), p.log());
    let err = p.fails(&["upgrade", "head"], code);
    for n in needles {
        assert!(err.contains(n), "missing {n:?} in: {err}");
    }
    assert_eq!(
        (p.applied(), p.tables(), p.log()),
        before,
        "database changed"
    );
}

db_test!(malformed_header, |p| {
    refused(
    p,
    "-- revision: bb0000000001\n-- revises: aa0000000001\n-- this is no key\n-- migrate:up\nCREATE TABLE x (id INTEGER);\n",
    2,
    &["migrations/9999_broken.sql:3", "malformed header line"],
)
});

db_test!(unknown_header_key, |p| {
    refused(
    p,
    "-- revision: bb0000000001\n-- revisez: aa0000000001\n-- migrate:up\nCREATE TABLE x (id INTEGER);\n",
    2,
    &["migrations/9999_broken.sql:2", "unknown header key `revisez`"],
)
});

db_test!(duplicate_revision_id, |p| refused(
    p,
    "-- revision: aa0000000001\n-- migrate:up\nCREATE TABLE x (id INTEGER);\n",
    2,
    &["9999_broken.sql:1", "aa0000000001", "0000_aa0000000001.sql"],
));

db_test!(missing_parent, |p| {
    refused(
    p,
    "-- revision: bb0000000001\n-- revises: ffffffffffff\n-- migrate:up\nCREATE TABLE x (id INTEGER);\n",
    2,
    &["9999_broken.sql:2", "ffffffffffff"],
)
});

db_test!(cycle, |p| {
    p.write(
        "migrations/0001_cycle_a.sql",
        "-- revision: cc0000000001\n-- revises: cc0000000002\n-- migrate:up\nSELECT 1;\n",
    );
    p.write(
        "migrations/0002_cycle_b.sql",
        "-- revision: cc0000000002\n-- revises: cc0000000001\n-- migrate:up\nSELECT 1;\n",
    );
    for args in [&["upgrade", "head"][..], &["heads"], &["history"]] {
        let err = p.fails(args, 2);
        assert!(
            err.contains("cycle") && err.contains("cc0000000001") && err.contains("cc0000000002"),
            "{err}"
        );
        assert!(err.contains("migrations/0001_cycle_a.sql:2"), "{err}");
    }
    assert!(p.applied().is_empty());
});

// The failing statement comes first so that nothing takes effect on any database (on
// MySQL an earlier DDL statement would commit; safety.rs covers that case).
db_test!(sql_error_names_statement_and_line, |p| {
    // PostgreSQL also says where in the statement; MySQL quotes the text near the error.
    let position = match p.backend {
        Backend::Postgres => "at character 8",
        Backend::Mysql => "near 'TABLEE y",
        Backend::Sqlite => "near \"TABLEE\": syntax error (at character 8)",
    };
    refused(
        p,
        "-- revision: bb0000000001\n-- revises: aa0000000001\n\n-- migrate:up\nCREATE TABLEE y (id INTEGER);\nCREATE TABLE x (id INTEGER);\n-- migrate:down\nDROP TABLE x;\n",
        3,
        &["9999_broken.sql:5", "CREATE TABLEE y", "syntax", position],
    );
    // The failing statement is shown once: the driver's message does not quote it again.
    let err = p.fails(&["upgrade", "head"], 3);
    assert_eq!(err.matches("CREATE TABLEE y").count(), 1, "{err}");
});

db_test!(unterminated_string_is_caught_before_anything_runs, |p| {
    refused(
    p,
    "-- revision: bb0000000001\n-- revises: aa0000000001\n-- migrate:up\nCREATE TABLE x (id INTEGER);\nINSERT INTO x VALUES ('oops);\n",
    2,
    &["9999_broken.sql:5"],
)
});

db_test!(ambiguous_prefix_and_unknown_label, |p| {
    p.migration("ab0000000001", &[], "SELECT 1;", Some("SELECT 1;"));
    p.migration(
        "ab0000000002",
        &["ab0000000001"],
        "SELECT 1;",
        Some("SELECT 1;"),
    );
    let err = p.fails(&["upgrade", "ab"], 2);
    assert!(
        err.contains("ab0000000001") && err.contains("ab0000000002"),
        "{err}"
    );
    let err = p.fails(&["upgrade", "nolabel@head"], 2);
    assert!(err.contains("nolabel"), "{err}");
    assert!(p.applied().is_empty());
});

db_test!(downgrade_through_irreversible_migration, |p| {
    p.migration(
        "ac0000000001",
        &[],
        "CREATE TABLE a (id INTEGER);",
        Some("DROP TABLE a;"),
    );
    let rel = p.migration(
        "ac0000000002",
        &["ac0000000001"],
        "CREATE TABLE b (id INTEGER);",
        None,
    );
    p.migration(
        "ac0000000003",
        &["ac0000000002"],
        "CREATE TABLE c (id INTEGER);",
        Some("DROP TABLE c;"),
    );
    p.ok(&["upgrade", "head"]);
    let err = p.fails(&["downgrade", "base"], 2);
    assert!(
        err.contains(&rel) && err.contains("ac0000000002") && err.contains("migrate:down"),
        "{err}"
    );
    // Nothing was reverted, not even the reversible migration above it.
    assert_eq!(p.applied().len(), 3);
    assert_eq!(p.tables(), ["a", "b", "c"]);
    p.ok(&["downgrade", "-1"]);
    assert_eq!(p.tables(), ["a", "b"]);
});

#[test]
fn missing_config() {
    let dir = tempfile::tempdir().unwrap();
    let out = assert_cmd::Command::cargo_bin("retort")
        .unwrap()
        .current_dir(dir.path())
        .arg("heads")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("retort.toml") && err.contains("retort init"),
        "{err}"
    );
    let out = assert_cmd::Command::cargo_bin("retort")
        .unwrap()
        .current_dir(dir.path())
        .args(["--config", "nope.toml", "heads"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("nope.toml"));
    // Unreadable: a directory where the file should be.
    std::fs::create_dir(dir.path().join("retort.toml")).unwrap();
    let out = assert_cmd::Command::cargo_bin("retort")
        .unwrap()
        .current_dir(dir.path())
        .args(["--config", "retort.toml", "heads"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("retort.toml: cannot read"), "{err}");
}

db_test!(bad_config_and_urls, |p| {
    p.migration("ad0000000001", &[], "SELECT 1;", None);
    p.write(
        "retort.toml",
        "[database]\nurl = \"${RETORT_SURELY_UNSET_VAR}\"\n",
    );
    let err = p.fails(&["upgrade", "head"], 2);
    assert!(
        err.contains("retort.toml:2") && err.contains("RETORT_SURELY_UNSET_VAR"),
        "{err}"
    );
    // Commands that need no database still work.
    p.ok(&["heads"]);
    p.write(
        "retort.toml",
        "[database]\nurl = \"sqlite:x.db\"\n[migrations]\ndirectory = \"m\"\n",
    );
    let err = p.fails(&["heads"], 2);
    assert!(
        err.contains("retort.toml:4") && err.contains("directory"),
        "{err}"
    );
    p.write(
        "retort.toml",
        "[database]\nurl = \"postgres://me:hunter2@127.0.0.1:1/db\"\n",
    );
    let (code, out, err) = p.run(&["current"]);
    assert_ne!(code, 0);
    assert!(
        !out.contains("hunter2") && !err.contains("hunter2"),
        "{err}"
    );
    assert!(err.contains("me:***@127.0.0.1"), "{err}");
    let (code, out, err) = p.run(&["--url", "mysql://root:s3cret@127.0.0.1:1/x", "status"]);
    assert_eq!(code, 3, "{err}");
    assert!(!out.contains("s3cret") && !err.contains("s3cret"), "{err}");
    assert!(err.contains("127.0.0.1:1"), "{err}");
    // A URL option the driver does not know is bad input, not a failed connection.
    let (code, _, err) = p.run(&[
        "--url",
        "mysql://root:s3cret@127.0.0.1:1/x?sslmod=1",
        "status",
    ]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("sslmod") && !err.contains("s3cret"), "{err}");
    let (code, _, err) = p.run(&["--url", "mysql://u:pa/ss@127.0.0.1:1/x", "status"]);
    assert_ne!(code, 0);
    assert!(!err.contains("pa/ss"), "{err}");
});

db_test!(nul_byte_in_a_section_is_refused_before_anything_runs, |p| {
    // Before: SQLite ran the text before the NUL (`DELETE FROM keep`, every row).
    p.migration(
        "aa0000000001",
        &[],
        "CREATE TABLE keep (id INTEGER);\nINSERT INTO keep VALUES (1);\nINSERT INTO keep VALUES (2);",
        Some("DROP TABLE keep;"),
    );
    p.ok(&["upgrade", "head"]);
    // A good pending migration first: it must not run either.
    p.migration(
        "bb0000000001",
        &["aa0000000001"],
        "CREATE TABLE first (id INTEGER);",
        Some("DROP TABLE first;"),
    );
    for (section, rel) in [
        ("up", "migrations/9998_up.sql"),
        ("down", "migrations/9999_down.sql"),
    ] {
        let (up, down) = match section {
            "up" => ("DELETE FROM keep\0 WHERE id = 2;", "SELECT 1;"),
            _ => ("SELECT 1;", "DELETE FROM keep\0 WHERE id = 2;"),
        };
        let path = p.write(
            rel,
            &format!("-- revision: cc000000000{}\n-- revises: bb0000000001\n\n-- migrate:up\n{up}\n\n-- migrate:down\n{down}\n", section.len()),
        );
        let line = if section == "up" { 5 } else { 8 };
        let before = (p.applied(), p.tables(), p.log());
        for args in [
            &["upgrade", "head"][..],
            &["validate"],
            &["upgrade", "head", "--sql"],
        ] {
            let err = p.fails(args, 2);
            assert!(
                err.contains(&format!("{rel}:{line}")) && err.contains("NUL byte at column 17"),
                "{args:?}: {err}"
            );
        }
        assert_eq!(
            (p.applied(), p.tables(), p.log()),
            before,
            "database changed"
        );
        let rows = p
            .connect()
            .query("SELECT count(*) FROM keep", &[])
            .expect("count");
        assert_eq!(rows[0][0].as_i64(), Some(2), "rows of keep deleted");
        std::fs::remove_file(path).expect("remove");
    }
});

db_test!(numeric_options_at_their_extremes_never_panic, |p| {
    p.migration(
        "aa0000000001",
        &[],
        "CREATE TABLE n (id INTEGER);",
        Some("DROP TABLE n;"),
    );
    // (arguments, expected exit, a piece of the message)
    let cases: &[(&[&str], i32, &str)] = &[
        (&["--lock-timeout", "0", "upgrade", "head"], 0, ""),
        (&["--lock-timeout", "86400", "current"], 0, ""),
        (&["--lock-timeout", "0.001", "current"], 0, ""),
        (
            &["--lock-timeout", "86400.5", "current"],
            2,
            "from 0 to 86400",
        ),
        (
            &["--lock-timeout", "2147484", "current"],
            2,
            "from 0 to 86400",
        ),
        (&["--lock-timeout", "1e19", "current"], 2, "from 0 to 86400"),
        (
            &["--lock-timeout", "1e400", "current"],
            2,
            "from 0 to 86400",
        ),
        (&["--lock-timeout=-1", "current"], 2, "from 0 to 86400"),
        (&["--lock-timeout=-0.0001", "current"], 2, "from 0 to 86400"),
        (&["--lock-timeout", "NaN", "current"], 2, "from 0 to 86400"),
        (&["--lock-timeout", "inf", "current"], 2, "from 0 to 86400"),
        (
            &["--lock-timeout", "9".repeat(400).leak(), "current"],
            2,
            "from 0 to 86400",
        ),
        (&["upgrade", "+9223372036854775807"], 2, ""),
        (&["upgrade", "+9223372036854775808"], 2, "too large"),
        (&["downgrade", "-9223372036854775808"], 2, ""),
        (&["downgrade", "-99999999999999999999"], 2, "too large"),
    ];
    for (args, code, needle) in cases {
        let err = p.fails(args, *code);
        assert!(err.contains(needle), "{args:?}: {err}");
    }
    let config = p.read("retort.toml");
    for (line, code, needle) in [
        ("lock_timeout = 86400", 0, ""),
        ("lock_timeout = 0", 0, ""),
        (
            "lock_timeout = 86401",
            2,
            "retort.toml:3: lock_timeout = 86401 must be a number of seconds from 0 to 86400",
        ),
        ("lock_timeout = 9223372036854775807", 2, "from 0 to 86400"),
        ("lock_timeout = 18446744073709551616", 2, "retort.toml:3"),
        ("lock_timeout = -1", 2, "retort.toml:3"),
        ("lock_timeout = 1e19", 2, "retort.toml:3"),
        ("connect_timeout = 86400", 0, ""),
        (
            "connect_timeout = 0",
            2,
            "connect_timeout = 0 must be a number of seconds from 1 to 86400",
        ),
        (
            "connect_timeout = 9223372036854775807",
            2,
            "from 1 to 86400",
        ),
        (
            "schema = \"\"",
            2,
            "retort.toml:3: schema \"\" must name a schema",
        ),
        ("schema = \"  \"", 2, "must name a schema"),
    ] {
        p.write(
            "retort.toml",
            &format!("[database]\nurl = \"${{RETORT_TEST_URL}}\"\n{line}\n"),
        );
        let (got, out, err) = p.run(&["current"]);
        assert_eq!(got, code, "{line}: {out}{err}");
        assert!(err.contains(needle), "{line}: {err}");
    }
    p.write("retort.toml", &config);
    // Timeouts in the URL, where the driver has them.
    let timeout_options: &[(&str, i32)] = match p.backend {
        Backend::Sqlite => &[],
        Backend::Postgres => &[
            ("connect_timeout=86400", 0),
            ("connect_timeout=86401", 2),
            ("connect_timeout=99999999999999999999", 2),
            ("connect_timeout=-9223372036854775808", 0),
        ],
        Backend::Mysql => &[
            ("connect_timeout=86400", 0),
            ("connect_timeout=86401", 2),
            ("connect_timeout=1e19", 2),
            ("connect_timeout=NaN", 2),
            ("connect_timeout=0", 2),
        ],
    };
    for (option, code) in timeout_options {
        let sep = if p.url.contains('?') { '&' } else { '?' };
        let url = format!("{}{sep}{option}", p.url);
        let (got, out, err) = p.run(&["--url", &url, "current"]);
        assert_eq!(got, *code, "{option}: {out}{err}");
    }
});
