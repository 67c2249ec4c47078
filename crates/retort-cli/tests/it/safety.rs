//! The guarantees: failed migrations leave nothing, edited applied migrations are caught,
//! stamping adopts an existing database.

use crate::db_test;
use crate::util::*;

db_test!(failing_migration_leaves_the_database_unchanged, |p| {
    p.migration(
        "e00000000001",
        &[],
        "CREATE TABLE ok_t (id INTEGER);",
        Some("DROP TABLE ok_t;"),
    );
    let rel = p.migration(
        "e00000000002",
        &["e00000000001"],
        "CREATE TABLE half_t (id INTEGER);\nINSERT INTO half_t VALUES (1);\n\nINSERT INTO no_such_table VALUES (1);",
        Some("DROP TABLE half_t;"),
    );
    let err = p.fails(&["upgrade", "head"], 3);
    // file:line of the failing statement, the statement, the database's message
    assert!(err.contains(&format!("{rel}:10")), "{err}");
    assert!(
        err.contains("INSERT INTO no_such_table VALUES (1)"),
        "{err}"
    );
    assert!(err.contains("no_such_table"), "{err}");
    assert!(err.contains("e00000000001"), "completed list: {err}");
    if p.backend.transactional_ddl() {
        assert!(err.contains("rolled back"), "{err}");
        assert_eq!(p.applied(), ids(&["e00000000001"]));
        assert_eq!(p.tables(), ["ok_t"]);
        assert!(!p.log().iter().any(|(r, _)| r == "e00000000002"));
        // Fix the file: the next run completes.
        let text = p
            .read(&rel)
            .replace("INSERT INTO no_such_table VALUES (1);", "");
        p.write(&rel, &text);
        p.ok(&["upgrade", "head"]);
    } else {
        // MySQL commits DDL as it goes: the first two statements took effect, and the
        // revision is marked in progress with how far it got.
        assert!(
            err.contains("2 earlier statement(s)") && err.contains("line 8"),
            "{err}"
        );
        assert_eq!(p.tables(), ["half_t", "ok_t"]);
        let state = p
            .connect()
            .query(
                "SELECT state FROM retort_version WHERE revision = 'e00000000002'",
                &[],
            )
            .unwrap();
        assert_eq!(state[0][0].as_str(), Some("running:2"));
        // The migration before it completed and says so.
        assert_eq!(
            p.version_rows()[0],
            (
                "e00000000001".into(),
                p.version_rows()[0].1.clone(),
                "applied".into()
            )
        );
        // Every later run refuses, naming the revision and the last statement that worked.
        for args in [&["upgrade", "head"][..], &["downgrade", "base"]] {
            let err = p.fails(args, 3);
            assert!(
                err.contains("e00000000002") && err.contains("line 8"),
                "{err}"
            );
            assert!(
                err.contains("INSERT INTO half_t VALUES (1)") && err.contains("retort stamp"),
                "{err}"
            );
        }
        let (code, out, _) = p.run(&["status", "--exit-code"]);
        assert_eq!(code, 1);
        assert!(out.contains("interrupted: up of e00000000002"), "{out}");
        assert!(!out.contains("up to date"), "{out}");
        // Resolved by hand: the schema now is what the revision wants; record it.
        p.write(
            &rel,
            &p.read(&rel)
                .replace("INSERT INTO no_such_table VALUES (1);", ""),
        );
        p.ok(&["repair"]);
        p.ok(&["stamp", "e00000000002"]);
        p.ok(&["upgrade", "head"]);
    }
    assert_eq!(p.tables(), ["half_t", "ok_t"]);
    assert_eq!(p.applied().len(), 2);
});

db_test!(single_transaction_is_all_or_nothing, |p| {
    p.migration(
        "e10000000001",
        &[],
        "CREATE TABLE s1 (id INTEGER);",
        Some("DROP TABLE s1;"),
    );
    p.migration(
        "e10000000002",
        &["e10000000001"],
        "CREATE TABLE s2 (id INTEGER);",
        Some("DROP TABLE s2;"),
    );
    let rel = p.migration(
        "e10000000003",
        &["e10000000002"],
        "INSERT INTO nope VALUES (1);",
        Some("SELECT 1;"),
    );
    if !p.backend.transactional_ddl() {
        let err = p.fails(&["upgrade", "head", "--single-transaction"], 2);
        assert!(
            err.contains("single-transaction mode") && err.contains("implicitly"),
            "{err}"
        );
        assert!(p.applied().is_empty() && p.tables().is_empty());
        return;
    }
    let err = p.fails(&["upgrade", "head", "--single-transaction"], 3);
    assert!(err.contains("whole run was rolled back"), "{err}");
    assert!(p.applied().is_empty(), "{:?}", p.applied());
    assert!(p.tables().is_empty(), "{:?}", p.tables());
    p.write(
        &rel,
        &p.read(&rel)
            .replace("INSERT INTO nope VALUES (1);", "SELECT 1;"),
    );
    p.ok(&["upgrade", "head", "--single-transaction"]);
    assert_eq!(p.applied().len(), 3);
    p.ok(&["downgrade", "base", "--single-transaction"]);
    assert!(p.applied().is_empty() && p.tables().is_empty());
});

db_test!(edited_applied_migration_is_refused_until_repaired, |p| {
    let rel = p.migration(
        "f00000000001",
        &[],
        "CREATE TABLE t1 (id INTEGER);",
        Some("DROP TABLE t1;"),
    );
    p.migration(
        "f00000000002",
        &["f00000000001"],
        "CREATE TABLE t2 (id INTEGER);",
        Some("DROP TABLE t2;"),
    );
    p.ok(&["upgrade", "f00000000001"]);
    p.write(
        &rel,
        &p.read(&rel).replace(
            "CREATE TABLE t1 (id INTEGER);",
            "CREATE TABLE t1 (id BIGINT);",
        ),
    );

    let err = p.fails(&["upgrade", "head"], 2);
    assert!(
        err.contains("f00000000001") && err.contains("edited"),
        "{err}"
    );
    let checksums: Vec<&str> = err
        .split(|c: char| !c.is_ascii_hexdigit())
        .filter(|w| w.len() == 64)
        .collect();
    assert_eq!(checksums.len(), 2, "both checksums shown: {err}");
    assert_ne!(checksums[0], checksums[1]);
    assert!(err.contains("retort repair"), "{err}");
    assert_eq!(p.applied(), ids(&["f00000000001"]));
    p.fails(&["downgrade", "base"], 2);
    assert_eq!(p.applied(), ids(&["f00000000001"]));

    let (code, out, _) = p.run(&["validate"]);
    assert_eq!(code, 1, "{out}");
    assert!(out.contains("changed f00000000001"), "{out}");
    let (code, out, _) = p.run(&["status", "--exit-code"]);
    assert_eq!(code, 1);
    assert!(out.contains("was edited"), "{out}");

    let out = p.ok(&["repair"]);
    assert!(out.contains("accepted f00000000001"), "{out}");
    p.ok(&["validate"]);
    assert!(p.log().contains(&("f00000000001".into(), "repair".into())));
    p.ok(&["upgrade", "head"]);
    assert_eq!(p.applied().len(), 2);
    // Whitespace-only and line-ending changes do not count as edits.
    p.write(&rel, &p.read(&rel).replace('\n', "\r\n"));
    p.ok(&["validate"]);
});

db_test!(stamp_adopts_an_existing_database, |p| {
    p.migration(
        "a10000000001",
        &[],
        "CREATE TABLE users (id INTEGER);",
        Some("DROP TABLE users;"),
    );
    p.migration(
        "a10000000002",
        &["a10000000001"],
        "CREATE TABLE posts (id INTEGER);",
        Some("DROP TABLE posts;"),
    );
    p.migration(
        "a10000000003",
        &["a10000000002"],
        "CREATE TABLE tags (id INTEGER);",
        Some("DROP TABLE tags;"),
    );
    // The schema exists already (created by hand, or by create_all()).
    p.exec("CREATE TABLE users (id INTEGER)");
    p.exec("CREATE TABLE posts (id INTEGER)");
    p.ok(&["stamp", "a10000000002"]);
    assert_eq!(p.applied(), ids(&["a10000000001", "a10000000002"]));
    p.ok(&["upgrade", "head"]);
    assert_eq!(p.tables(), ["posts", "tags", "users"]);
    // Stamping down removes rows without running downgrades.
    p.ok(&["stamp", "a10000000001"]);
    assert_eq!(p.applied(), ids(&["a10000000001"]));
    assert_eq!(p.tables(), ["posts", "tags", "users"]);
    let log = p.log();
    assert!(log.contains(&("a10000000002".into(), "stamp".into())));
    assert!(log.contains(&("a10000000003".into(), "unstamp".into())));
    // A row whose file is gone blocks upgrade until stamp --purge.
    p.connect()
        .run("INSERT INTO retort_version (revision, checksum, applied_at, applied_by, execution_ms, state) VALUES ('deadbeef0000', 'x', 't', 'me', 0, 'applied')")
        .unwrap();
    let err = p.fails(&["upgrade", "head"], 2);
    assert!(
        err.contains("deadbeef0000") && err.contains("--purge"),
        "{err}"
    );
    p.fails(&["stamp", "head"], 2);
    p.ok(&["stamp", "--purge", "head"]);
    assert_eq!(
        p.applied(),
        ids(&["a10000000001", "a10000000002", "a10000000003"])
    );
    p.ok(&["stamp", "base"]);
    assert!(p.applied().is_empty());
});

db_test!(killed_mid_migration, |p| {
    let slow = match p.backend {
        Backend::Sqlite => "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < 100000000) SELECT count(*) FROM c;",
        Backend::Postgres => "SELECT pg_sleep(30);",
        Backend::Mysql => "SELECT SLEEP(30);",
    };
    p.migration(
        "f10000000001",
        &[],
        "CREATE TABLE before_kill (id INTEGER);",
        Some("DROP TABLE before_kill;"),
    );
    let rel = p.migration(
        "f10000000002",
        &["f10000000001"],
        &format!("CREATE TABLE killed (id INTEGER);\nINSERT INTO killed VALUES (1);\n{slow}"),
        Some("DROP TABLE killed;"),
    );
    let mut child = std::process::Command::new(assert_cmd::cargo::cargo_bin("retort"))
        .current_dir(p.path())
        .env("RETORT_TEST_URL", &p.url)
        .args(["-q", "upgrade", "head"])
        .spawn()
        .expect("spawn");
    // Wait until the first migration is recorded, then a moment for the slow statement.
    let start = std::time::Instant::now();
    while !p.applied().contains(&"f10000000001".to_string()) {
        assert!(
            start.elapsed().as_secs() < 20,
            "first migration never applied"
        );
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    std::thread::sleep(std::time::Duration::from_millis(700));
    assert!(
        child.try_wait().expect("try_wait").is_none(),
        "finished before the kill"
    );
    child.kill().expect("kill -9");
    child.wait().expect("reap");
    let quick = p.read(&rel).replace(slow, "SELECT 1;");
    p.write(&rel, &quick);
    if p.backend.transactional_ddl() {
        // No trace: neither the table nor its row nor a version row.
        std::thread::sleep(std::time::Duration::from_millis(200));
        assert_eq!(p.tables(), ["before_kill"]);
        assert_eq!(p.applied(), ids(&["f10000000001"]));
        p.ok(&["upgrade", "head"]);
    } else {
        // MySQL: the two statements before the slow one took effect; the revision is
        // marked in progress and the next run refuses, naming where it stopped.
        let err = p.fails(&["upgrade", "head"], 3);
        assert!(
            err.contains("f10000000002") && err.contains("2 statement(s) certainly took effect"),
            "{err}"
        );
        assert!(err.contains("INSERT INTO killed VALUES (1)"), "{err}");
        // The statement that was running when the client died may have finished on the
        // server: the message says so, with its line, instead of counting it out.
        assert!(err.contains("may or may not have"), "{err}");
        p.ok(&["stamp", "f10000000002"]);
        p.ok(&["validate"]);
    }
    assert_eq!(p.tables(), ["before_kill", "killed"]);
    assert_eq!(p.applied().len(), 2);
});

db_test!(transaction_false_runs_outside_a_transaction, |p| {
    let concurrently = if p.backend == Backend::Postgres {
        "CONCURRENTLY "
    } else {
        ""
    };
    let down = "DROP INDEX ix_tf_a;\n\n-- migrate:down mysql\nDROP INDEX ix_tf_a ON tf;";
    p.migration(
        "f20000000001",
        &[],
        "CREATE TABLE tf (a INTEGER);",
        Some("DROP TABLE tf;"),
    );
    p.migration_with(
        "f20000000002",
        &["f20000000001"],
        "-- transaction: false\n",
        &format!("CREATE INDEX {concurrently}ix_tf_a ON tf (a);"),
        Some(down),
    );
    p.ok(&["upgrade", "head"]);
    assert_eq!(p.applied().len(), 2);
    assert_eq!(p.version_rows()[1].2, "applied");
    let script = p.ok(&["downgrade", "head:f20000000001", "--sql"]);
    assert!(
        !script.contains("BEGIN;") && !script.contains("START TRANSACTION;"),
        "{script}"
    );
    p.ok(&["downgrade", "-1"]);
    assert_eq!(p.applied().len(), 1);
    if p.backend == Backend::Postgres {
        // The same statement inside a transaction is refused by PostgreSQL itself.
        p.migration(
            "f20000000003",
            &["f20000000002"],
            "CREATE INDEX CONCURRENTLY ix_tf_b ON tf (a);",
            Some("DROP INDEX ix_tf_b;"),
        );
        p.ok(&["upgrade", "f20000000002"]);
        let err = p.fails(&["upgrade", "head"], 3);
        assert!(
            err.contains("cannot run inside a transaction block"),
            "{err}"
        );
        assert_eq!(p.applied().len(), 2);
    }
});

db_test!(start_up_cache_never_hides_an_edit, |p| {
    let a = p.migration(
        "c1c000000001",
        &[],
        "CREATE TABLE ca (id INTEGER);",
        Some("DROP TABLE ca;"),
    );
    let b = p.migration(
        "c1c000000002",
        &["c1c000000001"],
        "CREATE TABLE cb (id INTEGER);",
        Some("DROP TABLE cb;"),
    );
    for rel in [&a, &b] {
        p.age(rel, 3600);
    }
    p.ok(&["upgrade", "c1c000000001"]);
    let cache_dir = p.path().join(".cache/retort");
    let caches: Vec<_> = std::fs::read_dir(&cache_dir)
        .expect("cache written")
        .collect();
    assert_eq!(caches.len(), 1);
    // Served from the cache: the graph, the checksums, the SQL of a pending migration.
    p.ok(&["validate"]);
    assert!(p.ok(&["show", "c1c000000002"]).contains("CREATE TABLE cb"));
    p.ok(&["upgrade", "head"]);
    assert_eq!(p.tables(), ["ca", "cb"]);
    // An edit of the same length with the old modification time put back: the change
    // time still gives it away.
    let text = p.read(&a).replace(
        "CREATE TABLE ca (id INTEGER);",
        "CREATE TABLE ca (id BIGINT) ;",
    );
    assert_eq!(text.len(), p.read(&a).len());
    p.write(&a, &text);
    p.age(&a, 3600);
    let (code, out, _) = p.run(&["validate"]);
    assert_eq!(code, 1, "{out}");
    assert!(out.contains("changed c1c000000001"), "{out}");
    p.fails(&["downgrade", "base"], 2);
    // A header edit shows at once too.
    p.write(
        &b,
        &p.read(&b)
            .replace("-- migration c1c000000002", "-- renamed migration"),
    );
    p.age(&b, 3600);
    assert!(p.ok(&["heads"]).contains("renamed migration"));
});

db_test!(
    a_migration_that_moves_the_search_path_is_still_recorded,
    |p| {
        // What dump files do (PostgreSQL empties the search path; a MySQL dump may `USE`
        // another database): retort's own tables are named with the schema the run began in.
        p.migration(
        "e00000000001",
        &[],
        "CREATE TABLE moved (id INTEGER);\n\n-- migrate:up postgresql\nCREATE TABLE moved (id INTEGER);\nSELECT pg_catalog.set_config('search_path', '', false);\n\n-- migrate:up mysql\nCREATE TABLE moved (id INTEGER);\nUSE information_schema;",
        Some("DROP TABLE moved;"),
    );
        p.migration(
            "e00000000002",
            &["e00000000001"],
            "SELECT 1;",
            Some("SELECT 1;"),
        );
        p.ok(&["upgrade", "head"]);
        assert_eq!(p.applied(), ids(&["e00000000001", "e00000000002"]));
        assert_eq!(p.log().len(), 2);
        p.ok(&["downgrade", "base"]);
        assert!(p.applied().is_empty());
    }
);
