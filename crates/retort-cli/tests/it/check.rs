//! `retort check` on every database: the migrated schema against the declared one, read
//! through a scratch database of the same kind (SQLite in memory, a `retort_dev_` database
//! beside the target on a server, or `dev_url`).

use crate::db_test;
use crate::util::*;

const USERS: &str = "CREATE TABLE users (
    id INTEGER PRIMARY KEY,
    email VARCHAR(255) NOT NULL UNIQUE,
    name VARCHAR(255)
);
CREATE INDEX users_name ON users (name);
";

/// Whether the server has a database called `name` (SQLite: never).
fn server_has_database(p: &TestProject, name: &str) -> bool {
    let sql = match p.backend {
        Backend::Sqlite => return false,
        Backend::Postgres => format!("SELECT 1 FROM pg_database WHERE datname = '{name}'"),
        Backend::Mysql => {
            format!("SELECT 1 FROM information_schema.schemata WHERE schema_name = '{name}'")
        }
    };
    !p.connect().query(&sql, &[]).expect("catalog").is_empty()
}

db_test!(the_quickstart_schema_matches_its_migrations, |p| {
    p.copy_example("quickstart");
    std::fs::copy(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../../examples/quickstart/schema.sql"),
        p.path().join("schema.sql"),
    )
    .expect("schema.sql");
    p.ok(&["upgrade", "head"]);
    let out = p.ok(&["check"]);
    assert!(out.is_empty(), "{out}");
    p.ok(&["dev", "drop"]);
});

db_test!(check_lists_each_difference_and_exits_1, |p| {
    p.migration("c00000000001", &[], USERS, Some("DROP TABLE users;"));
    p.write("schema.sql", USERS);
    p.ok(&["upgrade", "head"]);
    let (code, out, err) = p.run(&["-v", "check"]);
    assert_eq!(code, 0, "{out}{err}");
    let scratch = match p.backend {
        Backend::Sqlite => None,
        _ => {
            let name = err
                .split_whitespace()
                .find(|w| w.starts_with("retort_dev_"))
                .expect("-v names the scratch database")
                .to_string();
            assert!(server_has_database(p, &name), "kept for the next run");
            Some(name)
        }
    };
    p.exec("ALTER TABLE users ADD COLUMN extra INTEGER");
    p.exec(
        "DROP INDEX users_name ON users"
            .replace(
                " ON users",
                if p.backend == Backend::Mysql {
                    " ON users"
                } else {
                    ""
                },
            )
            .as_str(),
    );
    let (code, out, _) = p.run(&["check"]);
    assert_eq!(code, 1, "{out}");
    assert!(
        out.contains("differs: drop column users.extra")
            && out.contains("differs: create index users_name (name) on users"),
        "{out}"
    );
    let json = p.run(&["check", "--json"]).1;
    let v: serde_json::Value = serde_json::from_str(&json).expect("json");
    assert_eq!(v["matches"], false);
    assert_eq!(v["differences"].as_array().map(Vec::len), Some(2));
    // `dev drop` removes the scratch database, and a second one finds none.
    let err = p.ok(&["dev", "drop"]);
    if let Some(name) = scratch {
        assert!(!server_has_database(p, &name), "{err}");
        let (_, _, err) = p.run(&["dev", "drop"]);
        assert!(err.contains("no scratch database"), "{err}");
    }
});

db_test!(declared_ddl_the_database_refuses_names_its_line, |p| {
    p.write(
        "schema.sql",
        &format!("{USERS}\nCREATE TABLE broken (id INTEGER,);\n"),
    );
    let err = p.fails(&["check"], 2);
    assert!(
        err.contains("schema.sql:8:") && err.contains("does not load"),
        "{err}"
    );
    p.ok(&["dev", "drop"]);
});

/// A `dev_url` is emptied on every use: one holding tables retort did not make is refused,
/// and its tables stay.
fn a_dev_url_with_tables_of_its_own_is_refused_never_wiped(backend: Backend) {
    let p = TestProject::new(backend);
    p.exec("CREATE TABLE precious (id INTEGER)");
    p.write("schema.sql", USERS);
    p.write(
        "retort.toml",
        "[database]\nurl = \"${RETORT_TEST_URL}\"\ndev_url = \"${RETORT_TEST_URL}\"\n",
    );
    let err = p.fails(&["check"], 2);
    assert!(
        err.contains("holds tables that retort did not make (precious)"),
        "{err}"
    );
    assert_eq!(p.tables(), vec!["precious".to_string()]);
}

#[test]
#[cfg_attr(retort_skip_postgres, ignore = "RETORT_TEST_SKIP names postgres")]
fn a_dev_url_with_tables_of_its_own_is_refused_never_wiped_postgres() {
    a_dev_url_with_tables_of_its_own_is_refused_never_wiped(Backend::Postgres);
}

#[test]
#[cfg_attr(retort_skip_mysql, ignore = "RETORT_TEST_SKIP names mysql")]
fn a_dev_url_with_tables_of_its_own_is_refused_never_wiped_mysql() {
    a_dev_url_with_tables_of_its_own_is_refused_never_wiped(Backend::Mysql);
}

/// Emptying a kept scratch database of thousands of tables (a full reload after a change
/// the incremental path cannot make) must not run out of PostgreSQL's lock table, as one
/// `DROP SCHEMA … CASCADE` did past max_locks_per_transaction (64 × 100 by default).
#[test]
#[cfg_attr(retort_skip_postgres, ignore = "RETORT_TEST_SKIP names postgres")]
fn a_large_scratch_database_is_emptied_without_running_out_of_locks() {
    let p = TestProject::new(Backend::Postgres);
    // About ten locks each: the table, its key, two indexes, a foreign key, its TOAST table
    // and index, its row types.
    let tables: String = (0..1000)
        .map(|i| {
            let parent = if i == 0 { 0 } else { i - 1 };
            format!(
                "CREATE TABLE t{i} (id INTEGER PRIMARY KEY, p INTEGER REFERENCES t{parent} (id), a TEXT, b TEXT);\n\
                 CREATE INDEX t{i}_a ON t{i} (a);\nCREATE INDEX t{i}_b ON t{i} (b);\n"
            )
        })
        .collect();
    p.write("schema.sql", &tables);
    let (code, _, err) = p.run(&["check", "-q"]);
    assert_eq!(code, 1, "{err}");
    // A view: nothing the incremental load can place, so the whole database is emptied.
    p.write(
        "schema.sql",
        &format!("{tables}CREATE VIEW v0 AS SELECT id FROM t0;\n"),
    );
    let (code, _, err) = p.run(&["check", "-q"]);
    assert_eq!(code, 1, "{err}");
    assert!(!err.contains("shared memory"), "{err}");
}
