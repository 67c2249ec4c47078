//! Against a real server: `RETORT_TEST_MYSQL_URL` (default
//! `mysql://root@127.0.0.1:3306/test`). Each test works in a database of its own,
//! dropped at the end. Without a server they fail, unless `RETORT_TEST_SKIP=mysql` marks
//! them ignored (see build.rs; not under `CI=true`).

use std::time::{Duration, Instant};

use super::connect::open_session;
use super::connection::{lock_name, MAX_LOCK_NAME, MAX_MERGED_STATEMENT};
use super::options::*;
use super::*;
use crate::db::{mask, ConnectSpec};
use crate::db::{BatchError, ConnectOptions, Connection, DbError, Value};
use crate::dialect::Dialect;
use std::net::TcpListener;

const DEFAULT_URL: &str = "mysql://root@127.0.0.1:3306/test";

fn server_url() -> String {
    std::env::var("RETORT_TEST_MYSQL_URL").unwrap_or_else(|_| DEFAULT_URL.to_string())
}

fn hex_id() -> String {
    let mut bytes = [0u8; 6];
    getrandom::fill(&mut bytes).expect("random bytes");
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// `url` naming database `db` instead (query options kept).
fn with_database(url: &str, db: &str) -> String {
    let (head, query) = url
        .split_once('?')
        .map_or((url, None), |(h, q)| (h, Some(q)));
    let start = head.find("://").expect("scheme") + 3;
    let base = head[start..].find('/').map_or(head, |i| &head[..start + i]);
    match query {
        Some(q) => format!("{base}/{db}?{q}"),
        None => format!("{base}/{db}"),
    }
}

/// `url` with one more query option.
fn with_option(url: &str, option: &str) -> String {
    let sep = if url.contains('?') { '&' } else { '?' };
    format!("{url}{sep}{option}")
}

fn server() -> MysqlOptions {
    MysqlOptions::parse(&server_url()).expect("RETORT_TEST_MYSQL_URL")
}

/// A session without a database selected. An unreachable server fails the test: it must
/// not count as passed (`RETORT_TEST_SKIP=mysql` marks these tests ignored, see build.rs).
pub(super) fn admin() -> MysqlConnection {
    match open_session(&server(), Duration::from_secs(5)) {
        Ok(conn) => conn,
        Err(e) => panic!(
            "no MySQL server at {} ({e}); set RETORT_TEST_MYSQL_URL, or RETORT_TEST_SKIP=mysql to skip these tests",
            mask(&server_url())
        ),
    }
}

/// A database of the test's own, dropped when the test ends, also on panic.
pub(crate) struct TestDb {
    pub(crate) name: String,
    url: String,
}

impl TestDb {
    pub(crate) fn create() -> TestDb {
        let mut conn = admin();
        let name = format!("retort_mydrv_{}", hex_id());
        conn.run(&format!("CREATE DATABASE `{name}`"))
            .expect("create the test database");
        TestDb {
            url: with_database(&server_url(), &name),
            name,
        }
    }

    pub(crate) fn connect(&self) -> MysqlConnection {
        self.connect_with(&ConnectOptions::default())
    }

    fn connect_with(&self, opts: &ConnectOptions) -> MysqlConnection {
        let url = MysqlOptions::parse(&self.url).unwrap();
        MysqlConnection::connect(&url, opts).expect("connect to the test database")
    }
}

impl Drop for TestDb {
    fn drop(&mut self) {
        if let Ok(mut conn) = open_session(&server(), Duration::from_secs(5)) {
            let _ = conn.run(&format!("DROP DATABASE IF EXISTS `{}`", self.name));
        }
    }
}

/// A user created for one test, dropped at its end.
struct TestUser(String);

impl Drop for TestUser {
    fn drop(&mut self) {
        if let Ok(mut conn) = open_session(&server(), Duration::from_secs(5)) {
            let _ = conn.run(&format!("DROP USER IF EXISTS '{}'@'%'", self.0));
        }
    }
}

fn connect_err(url: &str, opts: &ConnectOptions) -> DbError {
    match MysqlConnection::connect(&MysqlOptions::parse(url).unwrap(), opts) {
        Ok(_) => panic!("connected to {}", mask(url)),
        Err(e) => e,
    }
}

fn text(s: &str) -> Value {
    Value::Text(s.to_string())
}

#[test]
#[cfg_attr(retort_skip_mysql, ignore = "RETORT_TEST_SKIP names mysql")]
fn run_execute_query_round_trip() {
    let db = TestDb::create();
    let mut c = db.connect();
    c.run(
        "CREATE TABLE t (id BIGINT PRIMARY KEY, name VARCHAR(20), note TEXT NULL, \
             price DECIMAL(6,2), big BIGINT UNSIGNED)",
    )
    .unwrap();
    let n = c
            .execute(
                "INSERT INTO t (id, name, note, price, big) VALUES (?, ?, ?, 1.5, 18446744073709551615)",
                &[Value::Int(1), text("héllo ✓"), Value::Null],
            )
            .unwrap();
    assert_eq!(n, 1);
    let n = c
        .execute(
            "INSERT INTO t (id, name) VALUES (2, 'two'), (3, 'three')",
            &[],
        )
        .unwrap();
    assert_eq!(n, 2);
    let expected = vec![
        Value::Int(1),
        text("héllo ✓"),
        Value::Null,
        text("1.50"),
        text("18446744073709551615"),
    ];
    let sql = "SELECT id, name, note, price, big FROM t WHERE id";
    // With parameters: a prepared statement (binary protocol).
    let rows = c.query(&format!("{sql} = ?"), &[Value::Int(1)]).unwrap();
    assert_eq!(rows, vec![expected.clone()]);
    // Without: the text protocol; the same values come back.
    let rows = c.query(&format!("{sql} = 1"), &[]).unwrap();
    assert_eq!(rows, vec![expected]);
    let n = c
        .execute(
            "UPDATE t SET note = ? WHERE id > ? AND note IS NULL",
            &[text("x"), Value::Int(1)],
        )
        .unwrap();
    assert_eq!(n, 2);
    let rows = c
        .query(
            "SELECT id FROM t WHERE note <=> ? ORDER BY id",
            &[Value::Null],
        )
        .unwrap();
    assert_eq!(rows, vec![vec![Value::Int(1)]]);
    // `run` accepts statements returning rows and discards them.
    c.run("SELECT * FROM t").unwrap();
    assert!(c
        .query("SELECT id FROM t WHERE id = ?", &[Value::Int(9)])
        .unwrap()
        .is_empty());
}

#[test]
#[cfg_attr(retort_skip_mysql, ignore = "RETORT_TEST_SKIP names mysql")]
fn other_types_in_text_form_from_both_protocols() {
    let db = TestDb::create();
    let mut c = db.connect();
    c.run(
        "CREATE TABLE ty (id INT, d DATE, t TIME(1), dt DATETIME(3), ts DATETIME, \
             f DOUBLE, y YEAR, b VARBINARY(8), small TINYINT)",
    )
    .unwrap();
    c.run(
        "INSERT INTO ty VALUES (1, '2026-11-22', '-26:01:02.5', '2026-11-22 10:30:00.25', \
             '2026-11-22 10:30:00', 2.5, 2026, 'ab\\0', -7)",
    )
    .unwrap();
    // The text protocol sends every value as text: integers are read back as integers.
    let expected = vec![
        text("2026-11-22"),
        text("-26:01:02.5"),
        text("2026-11-22 10:30:00.250"),
        text("2026-11-22 10:30:00"),
        text("2.5"),
        Value::Int(2026),
        text("ab\0"),
        Value::Int(-7),
    ];
    let sql = "SELECT d, t, dt, ts, f, y, b, small FROM ty WHERE id";
    assert_eq!(c.query(&format!("{sql} = 1"), &[]).unwrap(), vec![expected]);
    // The binary protocol: integers and bytes as from the text protocol; dates, times and
    // floats, which retort's own tables never hold, are refused with the cast to use.
    assert_eq!(
        c.query("SELECT y, b, small FROM ty WHERE id = ?", &[Value::Int(1)])
            .unwrap(),
        vec![vec![Value::Int(2026), text("ab\0"), Value::Int(-7)]]
    );
    for column in ["d", "t", "dt", "ts", "f"] {
        let e = c
            .query(
                &format!("SELECT {column} FROM ty WHERE id = ?"),
                &[Value::Int(1)],
            )
            .unwrap_err();
        assert!(e.message.contains("CAST(column AS CHAR)"), "{column}: {e}");
    }
}

/// MySQL commits the open transaction when DDL runs (an implicit COMMIT before and after
/// the statement), so a ROLLBACK after DDL cannot undo what came before it. This is why
/// `transactional_ddl()` is false and the migrator records a `running` row first.
#[test]
#[cfg_attr(retort_skip_mysql, ignore = "RETORT_TEST_SKIP names mysql")]
fn ddl_commits_the_open_transaction() {
    let db = TestDb::create();
    let mut c = db.connect();
    assert!(!c.transactional_ddl());
    assert!(!c.lock_is_per_transaction());
    c.run("CREATE TABLE t (id INT)").unwrap();
    c.begin().unwrap();
    c.execute("INSERT INTO t VALUES (?)", &[Value::Int(1)])
        .unwrap();
    c.run("CREATE TABLE u (id INT)").unwrap();
    // The DDL ended the transaction: this insert autocommits.
    c.execute("INSERT INTO t VALUES (?)", &[Value::Int(2)])
        .unwrap();
    // Not an error outside a transaction, and undoes nothing.
    c.rollback().unwrap();
    let ids = |c: &mut MysqlConnection| c.query("SELECT id FROM t ORDER BY id", &[]).unwrap();
    assert_eq!(ids(&mut c), vec![vec![Value::Int(1)], vec![Value::Int(2)]]);
    assert!(c.table_exists("u").unwrap());
    // Without DDL a transaction does roll back, and commits when asked.
    c.begin().unwrap();
    c.execute("INSERT INTO t VALUES (?)", &[Value::Int(3)])
        .unwrap();
    c.rollback().unwrap();
    assert_eq!(ids(&mut c).len(), 2);
    c.begin().unwrap();
    c.execute("INSERT INTO t VALUES (?)", &[Value::Int(3)])
        .unwrap();
    c.commit().unwrap();
    assert_eq!(ids(&mut c).len(), 3);
    c.rollback().unwrap();
}

#[test]
#[cfg_attr(retort_skip_mysql, ignore = "RETORT_TEST_SKIP names mysql")]
fn statement_errors_carry_code_and_state() {
    let db = TestDb::create();
    let mut c = db.connect();
    let e = c.run("SELEC 1").unwrap_err();
    assert!(e.message.contains("error in your SQL syntax"), "{e}");
    assert!(
        e.message.ends_with("(MySQL error 1064, SQLSTATE 42000)"),
        "{e}"
    );
    assert_eq!(e.position, None);
    assert!(!e.lock_timeout);
    let e = c
        .query("SELECT * FROM missing WHERE id = ?", &[Value::Int(1)])
        .unwrap_err();
    assert_eq!(
        e.message,
        format!(
            "Table '{}.missing' doesn't exist (MySQL error 1146, SQLSTATE 42S02)",
            db.name
        )
    );
    // An error raised after a first result set is reported, not dropped with the rows.
    c.run(
        "CREATE PROCEDURE boom() BEGIN SELECT 1; \
             SIGNAL SQLSTATE '45000' SET MESSAGE_TEXT = 'boom'; END",
    )
    .unwrap();
    let e = c.run("CALL boom()").unwrap_err();
    assert_eq!(e.message, "boom (MySQL error 1644, SQLSTATE 45000)");
    let e = c.query("CALL boom()", &[]).unwrap_err();
    assert_eq!(e.message, "boom (MySQL error 1644, SQLSTATE 45000)");
    // The session is still usable.
    assert_eq!(c.query("SELECT 1", &[]).unwrap(), vec![vec![Value::Int(1)]]);
}

#[test]
#[cfg_attr(retort_skip_mysql, ignore = "RETORT_TEST_SKIP names mysql")]
fn run_batch_sends_statements_together_and_stops_at_an_error() {
    let db = TestDb::create();
    let mut c = db.connect();
    c.run("CREATE TABLE t (id INT PRIMARY KEY)").unwrap();
    let batch = |sql: &[&str]| sql.iter().map(|s| s.to_string()).collect::<Vec<_>>();
    c.run_batch(&batch(&[
        "START TRANSACTION",
        "INSERT INTO t VALUES (1)",
        "INSERT INTO t VALUES (2)",
        "COMMIT",
    ]))
    .unwrap();
    let e = c
        .run_batch(&batch(&[
            "START TRANSACTION",
            "INSERT INTO t VALUES (3)",
            "INSERT INTO t VALUES (1)",
            "INSERT INTO t VALUES (4)",
            "COMMIT",
        ]))
        .unwrap_err();
    assert!(
        e.message.contains("(MySQL error 1062, SQLSTATE 23000)"),
        "{e}"
    );
    // The statements after the error did not run: the transaction is still open.
    c.rollback().unwrap();
    assert_eq!(
        c.query("SELECT id FROM t ORDER BY id", &[]).unwrap(),
        vec![vec![Value::Int(1)], vec![Value::Int(2)]]
    );
    c.run_batch(&[]).unwrap();
}

/// The migrator's round trip outside a transaction: its bookkeeping, committed, then the
/// migration's statement, which runs only if the bookkeeping did; errors say whose.
#[test]
#[cfg_attr(retort_skip_mysql, ignore = "RETORT_TEST_SKIP names mysql")]
fn run_batch_then_runs_ours_first_and_names_the_failing_side() {
    let db = TestDb::create();
    let mut c = db.connect();
    c.run("CREATE TABLE v (id INT PRIMARY KEY, state VARCHAR(16) NOT NULL)")
        .unwrap();
    let ours = |id: i32| {
        vec![
            "START TRANSACTION".to_string(),
            format!("INSERT INTO v VALUES ({id}, 'running')"),
            "COMMIT".to_string(),
        ]
    };
    let ids = |c: &mut MysqlConnection, sql: &str| c.query(sql, &[]).unwrap();

    c.run_batch_then(&ours(1), "CREATE TABLE t1 (id INT)")
        .unwrap();
    assert!(c.table_exists("t1").unwrap());
    assert_eq!(
        ids(&mut c, "SELECT id, state FROM v"),
        vec![vec![Value::Int(1), text("running")]]
    );

    // One of ours fails (a duplicate key): the statement did not run, and the
    // transaction ours opened is still open (the caller rolls it back).
    let e = c
        .run_batch_then(
            &[
                "START TRANSACTION".to_string(),
                "INSERT INTO v VALUES (2, 'running')".to_string(),
                "INSERT INTO v VALUES (1, 'running')".to_string(),
                "COMMIT".to_string(),
            ],
            "CREATE TABLE t2 (id INT)",
        )
        .unwrap_err();
    let BatchError::Ours(e) = e else {
        panic!("{e:?}")
    };
    assert!(e.message.contains("(MySQL error 1062"), "{e}");
    c.rollback().unwrap();
    assert!(!c.table_exists("t2").unwrap());
    assert_eq!(ids(&mut c, "SELECT id FROM v").len(), 1);
    // The very first of ours fails: the error comes with the query's first answer.
    let e = c
        .run_batch_then(&["SELEC 1".to_string()], "CREATE TABLE t2 (id INT)")
        .unwrap_err();
    assert!(matches!(e, BatchError::Ours(_)), "{e:?}");
    assert!(!c.table_exists("t2").unwrap());

    // The statement fails: ours were committed before it ran. The server's message
    // counts lines within the statement, not within the whole query.
    let e = c
        .run_batch_then(&ours(3), "CREATE TABLE t3 (\n  id INT,\n  x INT,,\n)")
        .unwrap_err();
    let BatchError::Statement(e) = e else {
        panic!("{e:?}")
    };
    assert!(e.message.contains("(MySQL error 1064"), "{e}");
    assert!(e.message.contains("at line 3"), "{e}");
    c.rollback().unwrap(); // changes nothing: ours committed
    assert_eq!(ids(&mut c, "SELECT id FROM v ORDER BY id").len(), 2);
    assert!(!c.table_exists("t3").unwrap());

    // Statements with bodies, result sets, and an error after a result set.
    c.run_batch_then(
        &ours(4),
        "CREATE PROCEDURE p(IN k INT)\nBEGIN\n  SELECT k;\n  SELECT k + 1;\n  \
             IF k < 0 THEN SIGNAL SQLSTATE '45000' SET MESSAGE_TEXT = 'negative'; END IF;\nEND",
    )
    .unwrap();
    c.run_batch_then(&ours(5), "CALL p(1)").unwrap();
    let e = c.run_batch_then(&ours(6), "CALL p(-1)").unwrap_err();
    assert_eq!(
        e,
        BatchError::Statement(DbError::new("negative (MySQL error 1644, SQLSTATE 45000)"))
    );
    assert_eq!(ids(&mut c, "SELECT id FROM v").len(), 5);

    // Nothing of ours: the statement alone. A long statement goes in a round trip of
    // its own, after ours.
    c.run_batch_then(&[], "CREATE TABLE t7 (note MEDIUMTEXT)")
        .unwrap();
    let long = format!(
        "INSERT INTO t7 VALUES ('{}')",
        "x".repeat(MAX_MERGED_STATEMENT)
    );
    c.run_batch_then(&ours(8), &long).unwrap();
    assert_eq!(ids(&mut c, "SELECT id FROM v").len(), 6);
    assert_eq!(
        ids(&mut c, "SELECT LENGTH(note) FROM t7"),
        vec![vec![Value::Int(MAX_MERGED_STATEMENT as i64)]]
    );
    let e = c
        .run_batch_then(&ours(9), &format!("{long} trailing garbage"))
        .unwrap_err();
    assert!(matches!(e, BatchError::Statement(_)), "{e:?}");
    assert_eq!(ids(&mut c, "SELECT id FROM v").len(), 7);
    let e = c.run_batch_then(&ours(9), &long).unwrap_err();
    assert!(matches!(e, BatchError::Ours(_)), "{e:?}");
    c.rollback().unwrap();
    assert_eq!(ids(&mut c, "SELECT LENGTH(note) FROM t7").len(), 1);
    // The session is still usable.
    assert_eq!(ids(&mut c, "SELECT 1"), vec![vec![Value::Int(1)]]);
}

#[test]
#[cfg_attr(retort_skip_mysql, ignore = "RETORT_TEST_SKIP names mysql")]
fn table_exists_looks_in_the_current_database_only() {
    let db = TestDb::create();
    let other = TestDb::create();
    let mut c = db.connect();
    assert!(!c.table_exists("retort_version").unwrap());
    c.run("CREATE TABLE retort_version (revision VARCHAR(64))")
        .unwrap();
    assert!(c.table_exists("retort_version").unwrap());
    other
        .connect()
        .run("CREATE TABLE elsewhere (id INT)")
        .unwrap();
    assert!(!c.table_exists("elsewhere").unwrap());
}

#[test]
#[cfg_attr(retort_skip_mysql, ignore = "RETORT_TEST_SKIP names mysql")]
fn procedure_trigger_and_prepare_through_run() {
    let db = TestDb::create();
    let mut c = db.connect();
    c.run("CREATE TABLE counter (n INT NOT NULL)").unwrap();
    c.run("CREATE TABLE audit (n INT NOT NULL)").unwrap();
    c.run("INSERT INTO counter VALUES (0)").unwrap();
    c.run(
        "CREATE PROCEDURE bump(IN step INT)\nBEGIN\n  DECLARE x INT DEFAULT 0;\n  \
             SET x = step;\n  UPDATE counter SET n = n + x;\n  SELECT n FROM counter;\nEND",
    )
    .unwrap();
    c.run("CALL bump(2)").unwrap();
    assert_eq!(
        c.query("CALL bump(?)", &[Value::Int(3)]).unwrap(),
        vec![vec![Value::Int(5)]]
    );
    c.run(
        "CREATE TRIGGER counter_audit AFTER UPDATE ON counter FOR EACH ROW\nBEGIN\n  \
             INSERT INTO audit VALUES (NEW.n);\nEND",
    )
    .unwrap();
    c.run("PREPARE s FROM 'UPDATE counter SET n = n * ?'")
        .unwrap();
    c.run("SET @k = 10").unwrap();
    c.run("EXECUTE s USING @k").unwrap();
    c.run("DEALLOCATE PREPARE s").unwrap();
    assert_eq!(
        c.query("SELECT n FROM counter", &[]).unwrap(),
        vec![vec![Value::Int(50)]]
    );
    assert_eq!(
        c.query("SELECT n FROM audit", &[]).unwrap(),
        vec![vec![Value::Int(50)]]
    );
}

#[test]
#[cfg_attr(retort_skip_mysql, ignore = "RETORT_TEST_SKIP names mysql")]
fn lock_waits_times_out_and_is_released() {
    let db = TestDb::create();
    // The default name: every test database on the server uses it at once.
    let opts = ConnectOptions {
        lock_timeout: Duration::from_millis(300),
        ..ConnectOptions::default()
    };
    let mut a = db.connect_with(&opts);
    let mut b = db.connect_with(&opts);
    let name = format!("retort:retort_version@{}", db.name);
    assert_eq!(a.lock_name(), name);
    let mut waits = 0;
    a.lock(&mut || waits += 1).unwrap();
    a.lock(&mut || waits += 1).unwrap(); // already ours: nothing to do
    assert_eq!(waits, 0);

    // The same configured name in another database of the server is another lock.
    {
        let other = TestDb::create();
        let mut o = other.connect_with(&opts);
        o.lock(&mut || panic!("blocked by another database's lock"))
            .unwrap();
        o.unlock().unwrap();
    }

    let t0 = Instant::now();
    let e = b.lock(&mut || waits += 1).unwrap_err();
    let waited = t0.elapsed();
    assert_eq!(waits, 1, "`waiting` is called once");
    assert!(e.lock_timeout, "{e}");
    assert!(waited >= Duration::from_millis(300), "{waited:?}");
    assert!(waited < Duration::from_secs(3), "{waited:?}");
    for part in ["300ms", &name, "IS_USED_LOCK(", "connection id"] {
        assert!(e.message.contains(part), "{part} in {e}");
    }

    a.unlock().unwrap();
    a.unlock().unwrap(); // not held: nothing to do
    waits = 0;
    b.lock(&mut || waits += 1).unwrap();
    assert_eq!(waits, 0);

    // A waiter gets the lock as soon as it is released (GET_LOCK with a wait).
    let long = ConnectOptions {
        lock_timeout: Duration::from_secs(5),
        ..opts.clone()
    };
    let mut c = db.connect_with(&long);
    let waiter = std::thread::spawn(move || {
        let mut waits = 0;
        let t0 = Instant::now();
        let result = c.lock(&mut || waits += 1);
        (result, waits, t0.elapsed(), c)
    });
    std::thread::sleep(Duration::from_millis(200));
    b.unlock().unwrap();
    let (result, waits, waited, mut c) = waiter.join().unwrap();
    result.unwrap();
    assert_eq!(waits, 1);
    assert!(waited < Duration::from_secs(3), "{waited:?}");
    c.unlock().unwrap();
}

#[test]
#[cfg_attr(retort_skip_mysql, ignore = "RETORT_TEST_SKIP names mysql")]
fn long_lock_names_are_hashed() {
    assert_eq!(lock_name("retort:retort_version"), "retort:retort_version");
    let long_a = format!("retort:{}a", "x".repeat(80));
    let long_b = format!("retort:{}b", "x".repeat(80));
    let (a, b) = (lock_name(&long_a), lock_name(&long_b));
    assert!(
        a.len() <= MAX_LOCK_NAME && b.len() <= MAX_LOCK_NAME,
        "{a} {b}"
    );
    assert!(a.starts_with("retort:xxx"), "{a}");
    assert_ne!(a, b);
    assert_eq!(a, lock_name(&long_a));
    let wide = lock_name(&"é".repeat(40));
    assert!(wide.len() <= MAX_LOCK_NAME, "{wide}");

    let db = TestDb::create();
    let opts = ConnectOptions {
        lock_name: long_a,
        ..ConnectOptions::default()
    };
    let mut c = db.connect_with(&opts);
    assert!(c.lock_name().len() <= MAX_LOCK_NAME, "{}", c.lock_name());
    c.lock(&mut || {}).unwrap();
    c.unlock().unwrap();
}

#[test]
#[cfg_attr(retort_skip_mysql, ignore = "RETORT_TEST_SKIP names mysql")]
fn connects_over_the_unix_socket() {
    let db = TestDb::create();
    let rows = db.connect().query("SELECT @@socket", &[]).unwrap();
    let socket = rows[0][0].as_str().unwrap_or("").to_string();
    if socket.is_empty() || !std::path::Path::new(&socket).exists() {
        eprintln!("skipping: the server's socket `{socket}` is not on this machine");
        return;
    }
    let url = with_option(&db.url, &format!("socket={socket}"));
    let mut c = MysqlConnection::connect(
        &MysqlOptions::parse(&url).unwrap(),
        &ConnectOptions::default(),
    )
    .unwrap();
    // Over a socket the server sees the client as `localhost`, never `ip:port`.
    let rows = c
        .query(
            "SELECT host FROM information_schema.processlist WHERE id = CONNECTION_ID()",
            &[],
        )
        .unwrap();
    assert_eq!(rows, vec![vec![text("localhost")]]);

    let e = connect_err(
        &with_option(&db.url, "socket=/nonexistent/mysqld.sock"),
        &ConnectOptions::default(),
    );
    assert!(e.message.contains("socket /nonexistent/mysqld.sock"), "{e}");
    assert!(e.message.contains("@@socket"), "{e}");
}

#[test]
#[cfg_attr(retort_skip_mysql, ignore = "RETORT_TEST_SKIP names mysql")]
fn wrong_password_and_missing_database_hide_the_password() {
    let db = TestDb::create();
    let mut admin = admin();
    let user = TestUser(format!("retort_u_{}", hex_id()));
    let missing = format!("retort_mydrv_missing_{}", hex_id());
    admin
        .run(&format!(
            "CREATE USER '{}'@'%' IDENTIFIED BY 'p@ss:w/rd%1 ok'",
            user.0
        ))
        .unwrap();
    for name in [&db.name, &missing] {
        admin
            .run(&format!("GRANT ALL ON `{name}`.* TO '{}'@'%'", user.0))
            .unwrap();
    }
    let s = server();
    let url = |password: &str, db: &str| {
        format!("mysql://{}:{password}@{}:{}/{db}", user.0, s.host, s.port)
    };
    let opts = ConnectOptions::default();

    // The right password, percent-encoded, works.
    let ok = url("p%40ss%3Aw%2Frd%251%20ok", &db.name);
    let mut c = MysqlConnection::connect(&MysqlOptions::parse(&ok).unwrap(), &opts).unwrap();
    let rows = c.query("SELECT CURRENT_USER()", &[]).unwrap();
    assert!(
        rows[0][0].as_str().unwrap().starts_with(&user.0),
        "{rows:?}"
    );

    let e = connect_err(&url("Wr0ngPassw0rd", &db.name), &opts);
    assert!(e.message.contains("Access denied"), "{e}");
    assert!(
        e.message.contains("(MySQL error 1045, SQLSTATE 28000)"),
        "{e}"
    );
    assert!(e.message.contains("password"), "{e}");
    assert!(!e.message.contains("Wr0ngPassw0rd"), "{e}");

    let e = connect_err(&url("p%40ss%3Aw%2Frd%251%20ok", &missing), &opts);
    assert!(
        e.message.contains(&format!("Unknown database '{missing}'")),
        "{e}"
    );
    assert!(e.message.contains("(MySQL error 1049"), "{e}");
    assert!(e.message.contains("CREATE DATABASE"), "{e}");
    assert!(
        !e.message.contains("p@ss") && !e.message.contains("p%40ss"),
        "{e}"
    );
}

#[test]
fn unreachable_server_is_named_without_the_password() {
    let e = connect_err(
        "mysql://root:Sekr3tPass@127.0.0.1:1/db",
        &ConnectOptions::default(),
    );
    assert!(e.message.contains("127.0.0.1:1"), "{e}");
    assert!(e.message.contains("is the server running"), "{e}");
    assert!(!e.message.contains("Sekr3tPass"), "{e}");
}

#[test]
fn connect_timeout_covers_a_silent_server() {
    // Accepts TCP connections (the kernel does) but never sends the server greeting.
    let silent = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = silent.local_addr().unwrap().port();
    let url = format!("mysql://root:Sekr3tPass@127.0.0.1:{port}/db");
    let opts = ConnectOptions {
        connect_timeout: Duration::from_millis(300),
        ..ConnectOptions::default()
    };
    let t0 = Instant::now();
    let e = connect_err(&url, &opts);
    assert!(t0.elapsed() < Duration::from_secs(3), "{:?}", t0.elapsed());
    assert!(e.message.contains("within 300ms"), "{e}");
    assert!(e.message.contains(&format!("127.0.0.1:{port}")), "{e}");
    assert!(!e.message.contains("Sekr3tPass"), "{e}");
    // The URL's option wins over the connect options.
    let t0 = Instant::now();
    let e = connect_err(
        &format!("{url}?connect_timeout=0.2"),
        &ConnectOptions::default(),
    );
    assert!(t0.elapsed() < Duration::from_secs(3), "{:?}", t0.elapsed());
    assert!(e.message.contains("within 200ms"), "{e}");
}

#[test]
#[cfg_attr(retort_skip_mysql, ignore = "RETORT_TEST_SKIP names mysql")]
fn mariadb_scheme() {
    let db = TestDb::create();
    let (_, rest) = db.url.split_once("://").unwrap();
    let spec = ConnectSpec::parse(&format!("mariadb://{rest}"), std::path::Path::new(".")).unwrap();
    let mut c = crate::db::connect(&spec, &ConnectOptions::default()).unwrap();
    assert_eq!(c.dialect(), Dialect::Mysql);
    assert_eq!(
        c.query("SELECT DATABASE()", &[]).unwrap(),
        vec![vec![text(&db.name)]]
    );
}
