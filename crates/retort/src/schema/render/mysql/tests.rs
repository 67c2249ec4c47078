//! MariaDB itself checks the rendering (a live server: see `db::mysql::tests`): each case's
//! two schemas are loaded from DDL into databases of their own and read back; the rendered
//! SQL, run on a database loaded with the first, must leave exactly the second, and the way
//! back exactly the first, keeping rows where their columns stay. The exact statements of
//! each kind of change are held too.

use super::*;
use crate::db::{Connection, MysqlConnection, MysqlTestDb as TestDb, Value};
use crate::schema::proptests::canonical;
use crate::schema::{diff, Renames};

/// retort's own tables, left out as the migrator's would be.
const OURS: &[&str] = &["retort_version", "retort_log"];

fn load(c: &mut MysqlConnection, ddl: &str) {
    for statement in ddl.split(";\n").filter(|s| !s.trim().is_empty()) {
        c.run(statement)
            .unwrap_or_else(|e| panic!("{statement}: {e}"));
    }
}

pub(super) fn schema_of(c: &mut MysqlConnection) -> Schema {
    c.inspect(OURS).expect("inspect")
}

fn schema_from_ddl(ddl: &str) -> Schema {
    let db = TestDb::create();
    let mut c = db.connect();
    load(&mut c, ddl);
    schema_of(&mut c)
}

/// Runs `rendered` statement by statement, as a migration on MySQL does.
pub(super) fn run(c: &mut MysqlConnection, rendered: &Rendered) -> Result<(), String> {
    for statement in &rendered.statements {
        c.run(statement).map_err(|e| format!("{e}\n{statement}"))?;
    }
    Ok(())
}

/// Renders `from` → `to`, runs it on `c` (which holds `from`), and checks that the
/// server then holds `to`.
pub(super) fn migrate(
    c: &mut MysqlConnection,
    from: &Schema,
    to: &Schema,
    renames: &Renames,
) -> Result<Rendered, String> {
    let d = diff(from, to, renames);
    let rendered = render(&d, from, to).map_err(|e| e.to_string())?;
    run(c, &rendered).map_err(|e| format!("{e}\n{:#?}", d.changes))?;
    let got = schema_of(c);
    let left = diff(&got, to, &Renames::none());
    if !left.is_empty() || canonical(&got) != canonical(to) {
        return Err(format!(
            "left {:#?}\nreached\n{got:#?}\nexpected\n{to:#?}\nby\n{}",
            left.changes,
            rendered.statements.join(";\n")
        ));
    }
    Ok(rendered)
}

pub(super) fn run_sql(c: &mut MysqlConnection, sql: &str) -> Result<(), String> {
    c.run(sql).map_err(|e| format!("{e}\n{sql}"))
}

pub(super) fn count(c: &mut MysqlConnection, sql: &str) -> i64 {
    let rows = c.query(sql, &[]).unwrap_or_else(|e| panic!("{sql}: {e}"));
    match &rows[0][0] {
        Value::Int(n) => *n,
        Value::Text(t) => t.parse().expect("a count"),
        other => panic!("{sql}: {other:?}"),
    }
}

struct Case {
    name: &'static str,
    a: &'static str,
    b: &'static str,
    renames: Renames,
    /// Rows inserted under A.
    rows: &'static str,
    /// A count under B, and the number it must give.
    kept: (&'static str, i64),
    /// A note the up section must carry (a part of its text).
    note: Option<&'static str>,
}

fn case(name: &'static str, a: &'static str, b: &'static str) -> Case {
    Case {
        name,
        a,
        b,
        renames: Renames::none(),
        rows: "",
        kept: ("SELECT 0", 0),
        note: None,
    }
}

impl Case {
    fn rows(mut self, rows: &'static str, kept: &'static str, n: i64) -> Case {
        self.rows = rows;
        self.kept = (kept, n);
        self
    }
    fn renames(mut self, renames: Renames) -> Case {
        self.renames = renames;
        self
    }
    fn note(mut self, note: &'static str) -> Case {
        self.note = Some(note);
        self
    }
}

const T: &str = "CREATE TABLE t (id INT PRIMARY KEY, a VARCHAR(20), b INT)";
const T_ROWS: &str = "INSERT INTO t (id, a, b) VALUES (1, 'x', 10), (2, 'y', NULL)";
const PARENT_CHILD: &str = "CREATE TABLE p (id INT PRIMARY KEY, name VARCHAR(20));
CREATE TABLE c (id INT PRIMARY KEY, p_id INT, note TEXT, FOREIGN KEY (p_id) REFERENCES p (id))";
const PC_ROWS: &str = "INSERT INTO p VALUES (1, 'one'), (2, 'two');
INSERT INTO c VALUES (1, 1, 'a'), (2, 2, 'b'), (3, NULL, 'c')";

fn cases() -> Vec<Case> {
    vec![
        case("add columns of every kind", T,
            "CREATE TABLE t (id INT PRIMARY KEY, a VARCHAR(20), b INT,
               c TEXT, d INT NOT NULL DEFAULT -1, e VARCHAR(10) DEFAULT 'it''s' COMMENT 'a \\\\ note',
               f DATETIME(3) DEFAULT CURRENT_TIMESTAMP(3), g VARCHAR(36) DEFAULT (uuid()),
               h TEXT DEFAULT 'long', j JSON, k BOOL NOT NULL DEFAULT TRUE,
               v INT AS (b + 1) VIRTUAL, s INT AS (b * 2) STORED,
               l VARCHAR(10) COLLATE utf8mb4_bin)")
            .rows(T_ROWS, "SELECT count(*) FROM t WHERE d = -1 AND e = 'it''s' AND s = 20", 1),
        case("drop columns", T, "CREATE TABLE t (id INT PRIMARY KEY, a VARCHAR(20))")
            .rows(T_ROWS, "SELECT count(*) FROM t WHERE a IN ('x', 'y')", 2),
        case("change a column's type, nullability, default, collation and comment", T,
            "CREATE TABLE t (id INT PRIMARY KEY, a VARCHAR(40) COLLATE utf8mb4_bin NOT NULL DEFAULT 'z' COMMENT 'the a',
               b BIGINT DEFAULT 7)")
            .rows("INSERT INTO t (id, a, b) VALUES (1, 'x', 10), (2, 'y', NULL)",
                "SELECT count(*) FROM t WHERE a IN ('x', 'y') AND (b = 10 OR b IS NULL)", 2),
        case("auto-increment on and off with the primary key",
            "CREATE TABLE t (id INT NOT NULL, a VARCHAR(20), b INT)",
            "CREATE TABLE t (id INT NOT NULL AUTO_INCREMENT PRIMARY KEY, a VARCHAR(20), b INT)")
            .rows(T_ROWS, "SELECT count(*) FROM t", 2),
        case("change the primary key", T,
            "CREATE TABLE t (id INT NOT NULL, a VARCHAR(20) NOT NULL DEFAULT '', b INT, PRIMARY KEY (id, a))")
            .rows(T_ROWS, "SELECT count(*) FROM t", 2),
        case("generated columns: virtual, stored, plain, changed",
            "CREATE TABLE t (id INT PRIMARY KEY, a VARCHAR(20), b INT, v INT AS (b + 1) VIRTUAL,
               s INT AS (b * 2) STORED, w INT AS (b) VIRTUAL, x INT AS (b) STORED, y INT)",
            "CREATE TABLE t (id INT PRIMARY KEY, a VARCHAR(20), b INT, v INT AS (b + 2) VIRTUAL,
               s INT AS (b * 3) STORED, w INT AS (b) STORED, x INT, y INT AS (b) VIRTUAL)")
            .rows(T_ROWS, "SELECT count(*) FROM t WHERE v = 12 AND s = 30 AND w = 10", 1)
            .note("virtual"),
        case("unique keys, checks and indexes of every kind",
            "CREATE TABLE t (id INT PRIMARY KEY, a VARCHAR(20), b INT, body TEXT,
               UNIQUE KEY t_old (b), KEY t_gone (a), CHECK (b > 0), CONSTRAINT t_ck CHECK (id > 0))",
            "CREATE TABLE t (id INT PRIMARY KEY, a VARCHAR(20), b INT, body TEXT,
               UNIQUE KEY t_a (a), UNIQUE KEY t_ab (a, b), CONSTRAINT b_pos CHECK (b >= 0), CHECK (id < 1000),
               KEY t_b_desc (b DESC, a), KEY t_prefix (body(10)), FULLTEXT KEY t_ft (body),
               UNIQUE KEY t_hash (a, b) USING HASH)")
            .rows("INSERT INTO t (id, a, b) VALUES (1, 'x', 10), (2, 'y', 20)",
                "SELECT count(*) FROM t", 2),
        case("add and drop foreign keys, named and not, with actions", PARENT_CHILD,
            "CREATE TABLE p (id INT PRIMARY KEY, name VARCHAR(20), UNIQUE KEY p_name (name));
CREATE TABLE c (id INT PRIMARY KEY, p_id INT, note TEXT, pname VARCHAR(20), q_id INT, KEY p_id (p_id),
   CONSTRAINT c_name_fk FOREIGN KEY (pname) REFERENCES p (name) ON UPDATE CASCADE,
   FOREIGN KEY (q_id) REFERENCES c (id) ON DELETE SET NULL)")
            .rows(PC_ROWS, "SELECT count(*) FROM c WHERE p_id IS NOT NULL", 2),
        case("a foreign key named, renamed, and its action changed", PARENT_CHILD,
            "CREATE TABLE p (id INT PRIMARY KEY, name VARCHAR(20));
CREATE TABLE c (id INT PRIMARY KEY, p_id INT, note TEXT, KEY p_id (p_id),
   CONSTRAINT c_p FOREIGN KEY (p_id) REFERENCES p (id))")
            .rows(PC_ROWS, "SELECT count(*) FROM c JOIN p ON p.id = c.p_id", 2),
        case("an index a foreign key stands on, replaced", PARENT_CHILD,
            "CREATE TABLE p (id INT PRIMARY KEY, name VARCHAR(20));
CREATE TABLE c (id INT PRIMARY KEY, p_id INT, note TEXT, KEY c_pn (p_id, id), FOREIGN KEY (p_id) REFERENCES p (id))")
            .rows(PC_ROWS, "SELECT count(*) FROM c JOIN p ON p.id = c.p_id", 2),
        case("a check renamed and a unique key renamed",
            "CREATE TABLE t (id INT PRIMARY KEY, a VARCHAR(20), b INT, CONSTRAINT ck1 CHECK (b > 0), UNIQUE KEY u1 (a))",
            "CREATE TABLE t (id INT PRIMARY KEY, a VARCHAR(20), b INT, CONSTRAINT ck2 CHECK (b > 0), UNIQUE KEY u2 (a))")
            .rows("INSERT INTO t VALUES (1, 'x', 1)", "SELECT count(*) FROM t", 1),
        case("rename a table and a column", PARENT_CHILD,
            "CREATE TABLE parent (id INT PRIMARY KEY, title VARCHAR(20));
CREATE TABLE c (id INT PRIMARY KEY, p_id INT, note TEXT, FOREIGN KEY (p_id) REFERENCES parent (id))")
            .renames(Renames::none().table("p", "parent").column("parent", "name", "title"))
            .rows(PC_ROWS, "SELECT count(*) FROM c JOIN parent ON parent.id = c.p_id WHERE title IN ('one', 'two')", 2),
        case("create and drop tables in a foreign-key cycle", T,
            "CREATE TABLE x (id INT PRIMARY KEY, y_id INT);
CREATE TABLE y (id INT PRIMARY KEY, x_id INT, FOREIGN KEY (x_id) REFERENCES x (id));
ALTER TABLE x ADD FOREIGN KEY (y_id) REFERENCES y (id);
CREATE TABLE t (id INT PRIMARY KEY, a VARCHAR(20), b INT)"),
        case("drop tables in a foreign-key cycle that hold rows",
            "CREATE TABLE x (id INT PRIMARY KEY, y_id INT);
CREATE TABLE y (id INT PRIMARY KEY, x_id INT, CONSTRAINT y_x FOREIGN KEY (x_id) REFERENCES x (id));
ALTER TABLE x ADD FOREIGN KEY (y_id) REFERENCES y (id)", T)
            .rows("INSERT INTO x VALUES (1, NULL); INSERT INTO y VALUES (1, 1); UPDATE x SET y_id = 1",
                "SELECT count(*) FROM information_schema.TABLES WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME IN ('x', 'y')", 0),
        case("enum and set values appended", "CREATE TABLE t (id INT PRIMARY KEY, e ENUM('a','b'), s SET('x','y'))",
            "CREATE TABLE t (id INT PRIMARY KEY, e ENUM('a','b','c'), s SET('x','y','z'))")
            .rows("INSERT INTO t VALUES (1, 'b', 'x,y')", "SELECT count(*) FROM t WHERE e = 'b' AND s = 'x,y'", 1),
        case("enum values removed and reordered", "CREATE TABLE t (id INT PRIMARY KEY, e ENUM('a','b','c'), f ENUM('p','q'))",
            "CREATE TABLE t (id INT PRIMARY KEY, e ENUM('a','b'), f ENUM('q','p'))")
            .rows("INSERT INTO t VALUES (1, 'b', 'q')", "SELECT count(*) FROM t WHERE e = 'b' AND f = 'q'", 1)
            .note("removes c"),
        case("table comments", T, "CREATE TABLE t (id INT PRIMARY KEY, a VARCHAR(20), b INT) COMMENT 'the t'"),
        case("create, change and drop views",
            "CREATE TABLE t (id INT PRIMARY KEY, a VARCHAR(20), b INT);
CREATE VIEW v1 AS SELECT a FROM t; CREATE VIEW v2 AS SELECT 1 AS one",
            "CREATE TABLE t (id INT PRIMARY KEY, a VARCHAR(20), b INT);
CREATE VIEW v1 AS SELECT a, b FROM t WHERE b > 1; CREATE VIEW v3 AS SELECT id FROM t"),
        case("views over altered tables",
            "CREATE TABLE t (id INT PRIMARY KEY, a VARCHAR(20), b INT);
CREATE VIEW v AS SELECT a, b FROM t",
            "CREATE TABLE t (id INT PRIMARY KEY, a VARCHAR(40) NOT NULL DEFAULT '', c INT);
CREATE VIEW v AS SELECT a, c FROM t")
            .rows(T_ROWS, "SELECT count(*) FROM v", 2),
        case("drop a parent and its child", PARENT_CHILD, T).rows(PC_ROWS, "SELECT 0", 0),
        case("widen a key column and the column referencing it", PARENT_CHILD,
            "CREATE TABLE p (id BIGINT PRIMARY KEY, name VARCHAR(20));
CREATE TABLE c (id INT PRIMARY KEY, p_id BIGINT, note TEXT, FOREIGN KEY (p_id) REFERENCES p (id));
CREATE TABLE d (id INT PRIMARY KEY, p_id INT, CONSTRAINT d_p FOREIGN KEY (p_id) REFERENCES c (id) ON DELETE CASCADE)")
            .rows(PC_ROWS, "SELECT count(*) FROM c JOIN p ON p.id = c.p_id", 2),
    ]
}

#[test]
#[cfg_attr(retort_skip_mysql, ignore = "RETORT_TEST_SKIP names mysql")]
fn each_kind_of_change_takes_mariadb_from_a_to_b_and_back_keeping_rows() {
    for case in cases() {
        let name = case.name;
        let (a, b) = (schema_from_ddl(case.a), schema_from_ddl(case.b));
        let db = TestDb::create();
        let mut c = db.connect();
        // Loaded from the DDL itself, so that the server's own names stand.
        load(&mut c, case.a);
        load(&mut c, case.rows);
        let up =
            migrate(&mut c, &a, &b, &case.renames).unwrap_or_else(|e| panic!("{name}: up: {e}"));
        if let Some(note) = case.note {
            assert!(
                up.notes.iter().any(|n| n.contains(note)),
                "{name}: {:?}",
                up.notes
            );
        }
        assert_eq!(
            count(&mut c, case.kept.0),
            case.kept.1,
            "{name}: rows after up\n{up:#?}"
        );
        migrate(&mut c, &b, &a, &case.renames.reversed())
            .unwrap_or_else(|e| panic!("{name}: down: {e}"));
        // And A made from nothing by the rendered SQL is A.
        let fresh = TestDb::create();
        let mut f = fresh.connect();
        migrate(&mut f, &Schema::new(Dialect::Mysql), &a, &Renames::none())
            .unwrap_or_else(|e| panic!("{name}: creating A: {e}"));
        migrate(&mut f, &a, &Schema::new(Dialect::Mysql), &Renames::none())
            .unwrap_or_else(|e| panic!("{name}: dropping A: {e}"));
    }
}
