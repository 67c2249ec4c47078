//! The details of a table, an index or a constraint that its columns do not say (an
//! operator class, INCLUDE, NOT VALID, a prefix length, STRICT…): a change to one is a
//! difference `check` reports, which autogenerate writes, and downgrade takes back.

use crate::db_test;
use crate::util::*;

/// The declared schema before and after a detail changes, on `backend`, and words of the
/// line `check` prints for the change.
fn before_and_after(backend: Backend) -> (&'static str, &'static str, &'static str) {
    match backend {
        Backend::Sqlite => (
            "CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT NOT NULL, n INTEGER);\n",
            "CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT NOT NULL, n INTEGER) \
             STRICT, WITHOUT ROWID;\n",
            "change table notes: rowid → without rowid, not strict → strict",
        ),
        Backend::Postgres => (
            "CREATE TABLE notes (id integer PRIMARY KEY, body text NOT NULL, n integer);
             CREATE INDEX notes_body ON notes (body);
             ALTER TABLE notes ADD CONSTRAINT notes_n CHECK (n > 0);\n",
            "CREATE TABLE notes (id integer PRIMARY KEY, body text NOT NULL, n integer);
             CREATE INDEX notes_body ON notes (body text_pattern_ops DESC NULLS LAST) INCLUDE (n);
             ALTER TABLE notes ADD CONSTRAINT notes_n CHECK (n > 0) NOT VALID;\n",
            "create index notes_body (body text_pattern_ops DESC NULLS LAST) include (n)",
        ),
        Backend::Mysql => (
            "CREATE TABLE notes (id int PRIMARY KEY, body varchar(200) NOT NULL, n int,
               KEY notes_body (body(10)));\n",
            "CREATE TABLE notes (id int PRIMARY KEY, body varchar(200) NOT NULL, n int,
               KEY notes_body (body(20)));\n",
            "create index notes_body (body(20))",
        ),
    }
}

db_test!(
    a_changed_detail_is_a_difference_autogenerate_writes_and_downgrade_undoes,
    |p| {
        let (before, after, words) = before_and_after(p.backend);
        p.write("schema.sql", before);
        p.ok(&["revision", "--autogenerate", "-m", "notes"]);
        p.ok(&["upgrade", "head"]);
        p.ok(&["check"]);
        p.exec("INSERT INTO notes (id, body, n) VALUES (1, 'a note', 1)");

        p.write("schema.sql", after);
        p.fails(&["check"], 1);
        let listed = p.run(&["check"]).1;
        assert!(listed.contains(words), "{listed}");
        p.ok(&["revision", "--autogenerate", "-m", "detail"]);
        p.ok(&["upgrade", "head"]);
        p.ok(&["check"]);

        p.ok(&["downgrade", "-1"]);
        p.fails(&["check"], 1);
        p.write("schema.sql", before);
        p.ok(&["check"]);
        let rows = p.connect().query("SELECT count(*) FROM notes", &[]);
        assert_eq!(rows.expect("count")[0][0].as_i64(), Some(1));
    }
);
