//! SQLite itself checks the rendering: each schema is made by running the rendered SQL in
//! an in-memory database, and read back by the introspection, which must give the schema
//! the SQL was meant to make; rows inserted before survive where their columns do.

use super::scenarios::{case, each_kind_of_change, Case, Target};
use super::*;
use crate::db::inspect_sqlite as inspect;
use crate::schema::{diff, Renames};

/// An in-memory database, foreign keys enforced: the scenarios' SQLite.
pub(super) struct Sqlite(rusqlite::Connection);

impl Sqlite {
    pub(super) fn new() -> Sqlite {
        let conn = rusqlite::Connection::open_in_memory().expect("in-memory database");
        conn.execute_batch("PRAGMA foreign_keys = ON")
            .expect("foreign keys on");
        Sqlite(conn)
    }
}

impl Target for Sqlite {
    fn dialect(&self) -> Dialect {
        Dialect::Sqlite
    }

    fn reset(&mut self) {
        *self = Sqlite::new();
    }

    fn sql(&mut self, sql: &str) -> Result<(), String> {
        self.0.execute_batch(sql).map_err(|e| format!("{e}\n{sql}"))
    }

    /// Enforcement off around the transaction when asked, and no foreign-key violation at
    /// its end, as the migrator does.
    fn run(&mut self, rendered: &Rendered) -> Result<(), String> {
        let conn = &self.0;
        let sql = |text: &str| conn.execute_batch(text).map_err(|e| format!("{e}\n{text}"));
        if rendered.foreign_keys_off {
            sql("PRAGMA foreign_keys = OFF")?;
        }
        sql("BEGIN")?;
        for statement in &rendered.statements {
            if let Err(e) = sql(statement) {
                let _ = conn.execute_batch("ROLLBACK; PRAGMA foreign_keys = ON");
                return Err(e);
            }
        }
        let violations: i64 = conn
            .query_row("SELECT count(*) FROM pragma_foreign_key_check", [], |r| {
                r.get(0)
            })
            .map_err(|e| e.to_string())?;
        if violations > 0 {
            let _ = conn.execute_batch("ROLLBACK; PRAGMA foreign_keys = ON");
            return Err(format!("{violations} foreign-key violations"));
        }
        sql("COMMIT")?;
        sql("PRAGMA foreign_keys = ON")
    }

    fn schema(&mut self) -> Schema {
        inspect(&self.0, &[]).expect("inspect")
    }

    fn count(&mut self, sql: &str) -> Result<i64, String> {
        self.0
            .query_row(sql, [], |r| r.get(0))
            .map_err(|e| format!("{e}\n{sql}"))
    }

    fn keys_unchecked(&self) -> [&'static str; 2] {
        ["PRAGMA foreign_keys = OFF", "PRAGMA foreign_keys = ON"]
    }

    fn text_type(&self) -> &'static str {
        "TEXT"
    }
}

fn schema_from_ddl(ddl: &str) -> Schema {
    let mut db = Sqlite::new();
    db.sql(ddl).expect("the case's DDL");
    db.schema()
}

const T: &str = "CREATE TABLE t (id INTEGER PRIMARY KEY, a TEXT, b INTEGER);";
const T_INDEXED: &str =
    "CREATE TABLE t (id INTEGER PRIMARY KEY, a TEXT, b INTEGER); CREATE INDEX t_b ON t (b);";
const PARENT_CHILD: &str = "CREATE TABLE p (id INTEGER PRIMARY KEY, name TEXT);
CREATE TABLE c (id INTEGER PRIMARY KEY, p_id INTEGER REFERENCES p (id), note TEXT);";
const T_ROWS: &str = "INSERT INTO t (id, a, b) VALUES (1, 'x', 10), (2, 'y', NULL);";
const PC_ROWS: &str = "INSERT INTO p VALUES (1, 'one'), (2, 'two');
INSERT INTO c VALUES (1, 1, 'a'), (2, 2, 'b'), (3, NULL, 'c');";

fn cases() -> Vec<Case> {
    vec![
        case("add a nullable column", T, "CREATE TABLE t (id INTEGER PRIMARY KEY, a TEXT, b INTEGER, c TEXT);")
            .rows(T_ROWS, "SELECT count(*) FROM t WHERE c IS NULL", 2),
        case("add a nullable key column in place", PARENT_CHILD,
            "CREATE TABLE p (id INTEGER PRIMARY KEY, name TEXT);
CREATE TABLE c (id INTEGER PRIMARY KEY, p_id INTEGER REFERENCES p (id), note TEXT,
    q_id INTEGER CONSTRAINT c_q_fk REFERENCES p (id) ON DELETE SET NULL DEFERRABLE INITIALLY DEFERRED);")
            .rows(PC_ROWS, "SELECT count(*) FROM c WHERE q_id IS NULL", 3),
        case("add a NOT NULL column with a default", T,
            "CREATE TABLE t (id INTEGER PRIMARY KEY, a TEXT, b INTEGER, c INTEGER NOT NULL DEFAULT -1, d TEXT DEFAULT 'it''s');")
            .rows(T_ROWS, "SELECT count(*) FROM t WHERE c = -1 AND d = 'it''s'", 2),
        case("add a column with a default SQLite cannot add", T,
            "CREATE TABLE t (id INTEGER PRIMARY KEY, a TEXT, b INTEGER, at TEXT DEFAULT CURRENT_TIMESTAMP, e INTEGER DEFAULT (1 + 2));")
            .rows(T_ROWS, "SELECT count(*) FROM t WHERE a IS NOT NULL AND e = 3", 2).rebuilds(),
        case("drop a plain column", T, "CREATE TABLE t (id INTEGER PRIMARY KEY, a TEXT);")
            .rows(T_ROWS, "SELECT count(*) FROM t WHERE a IN ('x', 'y')", 2),
        case("drop an indexed column", T_INDEXED, T)
            .rows(T_ROWS, "SELECT count(*) FROM t", 2),
        case("change a column's type", T, "CREATE TABLE t (id INTEGER PRIMARY KEY, a TEXT, b REAL);")
            .rows(T_ROWS, "SELECT count(*) FROM t WHERE b = 10.0", 1).rebuilds(),
        case("make a column NOT NULL with a default", T,
            "CREATE TABLE t (id INTEGER PRIMARY KEY, a TEXT NOT NULL DEFAULT 'z', b INTEGER);")
            .rows(T_ROWS, "SELECT count(*) FROM t WHERE a IN ('x', 'y')", 2).rebuilds(),
        case("add a unique constraint and a check", T,
            "CREATE TABLE t (id INTEGER PRIMARY KEY, a TEXT, b INTEGER, CONSTRAINT t_a UNIQUE (a), CONSTRAINT b_pos CHECK (b > 0), UNIQUE (a, b));")
            .rows(T_ROWS, "SELECT count(*) FROM t", 2).rebuilds(),
        case("change the primary key", T,
            "CREATE TABLE t (id INTEGER NOT NULL, a TEXT NOT NULL DEFAULT '', b INTEGER, PRIMARY KEY (id, a));")
            .rows(T_ROWS, "SELECT count(*) FROM t", 2).rebuilds(),
        case("add and drop a foreign key", PARENT_CHILD,
            "CREATE TABLE p (id INTEGER PRIMARY KEY, name TEXT);
             CREATE TABLE c (id INTEGER PRIMARY KEY, p_id INTEGER, note TEXT, q_id INTEGER REFERENCES c (id) ON DELETE CASCADE DEFERRABLE INITIALLY DEFERRED);")
            .rows(PC_ROWS, "SELECT count(*) FROM c WHERE p_id IS NOT NULL", 2).rebuilds(),
        case("rebuild a table others reference", PARENT_CHILD,
            "CREATE TABLE p (id INTEGER PRIMARY KEY, name TEXT NOT NULL DEFAULT 'n');
             CREATE TABLE c (id INTEGER PRIMARY KEY, p_id INTEGER REFERENCES p (id), note TEXT);")
            .rows(PC_ROWS, "SELECT count(*) FROM c JOIN p ON p.id = c.p_id", 2).rebuilds(),
        case("rename a table and a column", PARENT_CHILD,
            "CREATE TABLE parent (id INTEGER PRIMARY KEY, title TEXT);
             CREATE TABLE c (id INTEGER PRIMARY KEY, p_id INTEGER REFERENCES parent (id), note TEXT);")
            .renames(Renames::none().table("p", "parent").column("parent", "name", "title"))
            .rows(PC_ROWS, "SELECT count(*) FROM parent WHERE title IN ('one', 'two')", 2),
        case("rename a table and a column of a rebuilt table", PARENT_CHILD,
            "CREATE TABLE parent (id INTEGER PRIMARY KEY, title TEXT NOT NULL DEFAULT '');
             CREATE TABLE c (id INTEGER PRIMARY KEY, p_id INTEGER REFERENCES parent (id), note TEXT);")
            .renames(Renames::none().table("p", "parent").column("parent", "name", "title"))
            .rows(PC_ROWS, "SELECT count(*) FROM c JOIN parent ON parent.id = c.p_id WHERE title IN ('one', 'two')", 2)
            .rebuilds(),
        case("drop tables in a foreign-key cycle that hold rows",
            "CREATE TABLE x (id INTEGER PRIMARY KEY, y_id INTEGER REFERENCES y (id));
             CREATE TABLE y (id INTEGER PRIMARY KEY, x_id INTEGER REFERENCES x (id));", T)
            .rows("INSERT INTO x VALUES (1, NULL); INSERT INTO y VALUES (1, 1); UPDATE x SET y_id = 1;",
                "SELECT count(*) FROM sqlite_master WHERE name IN ('x', 'y')", 0)
            .keys_off(),
        case("create and drop indexes of every kind", "CREATE TABLE t (id INTEGER PRIMARY KEY, a TEXT, b INTEGER);
             CREATE INDEX t_old ON t (b);",
            "CREATE TABLE t (id INTEGER PRIMARY KEY, a TEXT, b INTEGER);
             CREATE UNIQUE INDEX t_lower ON t (lower(a), b DESC) WHERE b IS NOT NULL;
             CREATE INDEX t_b ON t (b DESC, a);")
            .rows(T_ROWS, "SELECT count(*) FROM t", 2),
        case("create, change and drop views", "CREATE TABLE t (id INTEGER PRIMARY KEY, a TEXT, b INTEGER);
             CREATE VIEW v1 AS SELECT a FROM t; CREATE VIEW v2 AS SELECT 1;",
            "CREATE TABLE t (id INTEGER PRIMARY KEY, a TEXT, b INTEGER);
             CREATE VIEW v1 AS SELECT a, b FROM t WHERE b > 1; CREATE VIEW v3 AS SELECT id FROM t;"),
        case("a view over a rebuilt table", "CREATE TABLE t (id INTEGER PRIMARY KEY, a TEXT, b INTEGER);
             CREATE VIEW v AS SELECT a FROM t;",
            "CREATE TABLE t (id INTEGER PRIMARY KEY, a TEXT NOT NULL DEFAULT 'q', b INTEGER);
             CREATE VIEW v AS SELECT a FROM t;")
            .rows(T_ROWS, "SELECT count(*) FROM v", 2).rebuilds(),
        case("auto-numbering, generated columns, collations", T,
            "CREATE TABLE t (id INTEGER PRIMARY KEY AUTOINCREMENT, a TEXT COLLATE NOCASE, b INTEGER,
               g TEXT GENERATED ALWAYS AS (upper(a)) VIRTUAL, s INTEGER AS (b * 2) STORED);")
            .rows(T_ROWS, "SELECT count(*) FROM t WHERE s = 20 AND g = 'X'", 1).rebuilds(),
        case("create and drop tables in a foreign-key cycle", T,
            "CREATE TABLE x (id INTEGER PRIMARY KEY, y_id INTEGER REFERENCES y (id));
             CREATE TABLE y (id INTEGER PRIMARY KEY, x_id INTEGER REFERENCES x (id), name VARCHAR(20) NOT NULL);
             CREATE TABLE t (id INTEGER PRIMARY KEY, a TEXT, b INTEGER);"),
        case("drop a parent and its child", PARENT_CHILD, T)
            .rows(PC_ROWS, "SELECT 0", 0),
        case("a table made STRICT and WITHOUT ROWID", T,
            "CREATE TABLE t (id INTEGER PRIMARY KEY, a TEXT, b INTEGER) STRICT, WITHOUT ROWID;")
            .rows(T_ROWS, "SELECT count(*) FROM t", 2).rebuilds(),
    ]
}

#[test]
fn each_kind_of_change_takes_sqlite_from_a_to_b_and_back_keeping_rows() {
    each_kind_of_change(&mut Sqlite::new(), cases());
}

#[test]
fn a_rebuild_says_so_and_names_its_table() {
    let a = schema_from_ddl(T);
    let b = schema_from_ddl("CREATE TABLE t (id INTEGER PRIMARY KEY, a TEXT, b TEXT);");
    let d = diff(&a, &b, &Renames::none());
    let r = render(&d, &a, &b, Dialect::Sqlite).expect("renders");
    assert_eq!(r.rebuilt, vec!["t".to_string()]);
    assert!(r.foreign_keys_off);
    assert!(r.statements.iter().any(|s| s.contains("\"_retort_new_t\"")));
}
