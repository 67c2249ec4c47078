//! `foreign_keys: off`: a SQLite table rebuild (what autogenerate writes when ALTER TABLE
//! cannot make a change) keeps the rows that reference the rebuilt table, and a rebuild
//! that leaves a row pointing at nothing is rolled back.

use crate::db_test;
use crate::util::*;

const PARENT_AND_CHILD: &str = "CREATE TABLE users (id INTEGER PRIMARY KEY, name TEXT);
CREATE TABLE posts (id INTEGER PRIMARY KEY, user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE);
INSERT INTO users VALUES (1, 'ada'), (2, 'bob');
INSERT INTO posts VALUES (10, 1), (11, 2);";

/// Rebuilds `users` the way SQLite documents it; `extra` runs before the swap.
fn rebuild(extra: &str) -> String {
    format!(
        "CREATE TABLE users_new (id INTEGER PRIMARY KEY, name TEXT NOT NULL DEFAULT '');
INSERT INTO users_new (id, name) SELECT id, coalesce(name, '') FROM users;
{extra}
DROP TABLE users;
ALTER TABLE users_new RENAME TO users;"
    )
}

fn project(header: &str, extra: &str) -> TestProject {
    let p = TestProject::new(Backend::Sqlite);
    p.migration("f00000000001", &[], PARENT_AND_CHILD, None);
    p.migration_with(
        "f00000000002",
        &["f00000000001"],
        header,
        &rebuild(extra),
        None,
    );
    p
}

fn posts(p: &TestProject) -> i64 {
    let rows = p
        .connect()
        .query("SELECT count(*) FROM posts", &[])
        .expect("count");
    rows[0][0].as_i64().expect("a count")
}

#[test]
fn a_rebuild_with_foreign_keys_off_keeps_the_rows_that_reference_the_table() {
    let p = project("-- foreign_keys: off\n", "");
    p.ok(&["upgrade", "head"]);
    assert_eq!(posts(&p), 2);
    assert_eq!(p.applied(), ids(&["f00000000001", "f00000000002"]));
}

#[test]
fn without_the_key_the_drop_cascades_which_is_why_it_exists() {
    // Enforcement is on in retort's SQLite connections: dropping the parent deletes the
    // children through ON DELETE CASCADE.
    let p = project("", "");
    p.ok(&["upgrade", "head"]);
    assert_eq!(posts(&p), 0);
}

#[test]
fn a_row_left_pointing_at_nothing_rolls_the_migration_back() {
    let p = project(
        "-- foreign_keys: off\n",
        "DELETE FROM users_new WHERE id = 2;",
    );
    let err = p.fails(&["upgrade", "head"], 3);
    assert!(
        err.contains("foreign-key check")
            && err.contains("1 row(s) of posts reference rows of users"),
        "{err}"
    );
    assert_eq!(p.applied(), ids(&["f00000000001"]));
    let users = p
        .connect()
        .query("SELECT count(*) FROM users", &[])
        .expect("count");
    assert_eq!(users[0][0].as_i64(), Some(2), "the rebuild was rolled back");
    assert_eq!(posts(&p), 2);
}

#[test]
fn single_transaction_checks_the_whole_run_and_keeps_the_rows() {
    let p = project("-- foreign_keys: off\n", "");
    p.ok(&["upgrade", "head", "--single-transaction"]);
    assert_eq!(posts(&p), 2);

    let bad = project(
        "-- foreign_keys: off\n",
        "DELETE FROM users_new WHERE id = 1;",
    );
    let err = bad.fails(&["upgrade", "head", "--single-transaction"], 3);
    assert!(err.contains("foreign-key check"), "{err}");
    assert!(bad.applied().is_empty(), "the whole run was rolled back");
}

#[test]
fn the_offline_script_switches_enforcement_and_checks_before_commit() {
    let p = project("-- foreign_keys: off\n", "");
    let script = p.ok(&["upgrade", "head", "--sql"]);
    let off = script
        .find("PRAGMA foreign_keys = OFF;")
        .expect("switched off");
    let begin = script[off..]
        .find("BEGIN")
        .expect("after it, the transaction");
    assert!(off + begin > off && script.contains("pragma_foreign_key_check"));
    p.load_with_client(&script);
    assert_eq!(posts(&p), 2);
    assert_eq!(p.applied(), ids(&["f00000000001", "f00000000002"]));
}

#[test]
fn foreign_keys_off_needs_a_transaction_and_a_known_value() {
    let p = TestProject::new(Backend::Sqlite);
    let file = p.migration_with(
        "f00000000001",
        &[],
        "-- transaction: false\n-- foreign_keys: off\n",
        "SELECT 1;",
        None,
    );
    let err = p.fails(&["upgrade", "head"], 2);
    assert!(
        err.contains(&format!("{file}:5")) && err.contains("needs the migration's transaction"),
        "{err}"
    );
    p.write(
        &file,
        &p.read(&file)
            .replace("-- transaction: false\n", "")
            .replace("off", "maybe"),
    );
    let err = p.fails(&["upgrade", "head"], 2);
    assert!(err.contains("expected on or off"), "{err}");
    assert!(p.applied().is_empty());
}

db_test!(
    foreign_keys_off_is_accepted_and_ignored_where_there_is_no_switch,
    |p| {
        p.migration_with(
            "f00000000001",
            &[],
            "-- foreign_keys: off\n",
            "CREATE TABLE t (id INTEGER PRIMARY KEY);",
            Some("DROP TABLE t;"),
        );
        p.ok(&["upgrade", "head"]);
        assert!(p.tables().contains(&"t".to_string()));
        p.ok(&["downgrade", "base"]);
        assert!(!p.tables().contains(&"t".to_string()));
    }
);
