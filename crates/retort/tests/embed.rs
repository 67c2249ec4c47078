//! An application runs its migrations over the connection it already has, through the
//! public API only: it opens the connection with the driver crate, hands it to retort,
//! takes it back, and goes on using it. One scenario, instantiated per database by
//! `embed_test!`; each server test works in a database of its own, dropped at the end.
//! An unreachable server fails the test; `RETORT_TEST_SKIP=postgres,mysql` marks those
//! tests ignored instead (see build.rs), except under `CI=true`.

use std::time::{Duration, Instant};

use retort::{ConnectOptions, Connection, Migrator, Project, Target};

const USERS: &str = "\
-- Create users
--
-- revision: e0b0d0000001
-- created: 2026-11-20T09:00:00Z

-- migrate:up
CREATE TABLE embed_users (
    id INTEGER PRIMARY KEY,
    name VARCHAR(100) NOT NULL
);

-- migrate:down
DROP TABLE embed_users;
";

/// Auto-numbered ids are spelled three ways: one section per dialect.
const NOTES: &str = "\
-- Create notes
--
-- revision: e0b0d0000002
-- revises: e0b0d0000001
-- created: 2026-11-20T09:15:00Z

-- migrate:up
CREATE TABLE embed_notes (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    user_id INTEGER NOT NULL REFERENCES embed_users (id),
    body TEXT
);

-- migrate:up postgresql
CREATE TABLE embed_notes (
    id SERIAL PRIMARY KEY,
    user_id INTEGER NOT NULL REFERENCES embed_users (id),
    body TEXT
);

-- migrate:up mysql
CREATE TABLE embed_notes (
    id INTEGER AUTO_INCREMENT PRIMARY KEY,
    user_id INTEGER NOT NULL,
    body TEXT,
    FOREIGN KEY (user_id) REFERENCES embed_users (id)
);

-- migrate:down
DROP TABLE embed_notes;
";

fn project() -> Project {
    // Given out of order: names order them.
    Project::from_memory([("0002_notes.sql", NOTES), ("0001_users.sql", USERS)])
        .expect("the embedded migrations load")
}

/// What the scenario needs from an application: its driver connection handed to retort
/// and taken back, and a look at its database through that connection.
trait App {
    type Wrapped: Connection;
    /// Hands the application's connection to retort.
    fn wrap(&mut self, opts: &ConnectOptions) -> Self::Wrapped;
    /// Takes it back (`into_inner`).
    fn take_back(&mut self, wrapped: Self::Wrapped);
    /// Runs a statement over the application's own connection.
    fn exec(&mut self, sql: &str);
    /// A query with one integer result, over the application's own connection.
    fn count(&mut self, sql: &str) -> i64;
    /// The query counting the tables of the application's current schema named `?`.
    const TABLE_COUNT: &'static str;
    /// A statement that runs for far longer than the test waits.
    const SLOW: &'static str;

    fn has_table(&mut self, name: &str) -> bool {
        let sql = Self::TABLE_COUNT.replace('?', &format!("'{name}'"));
        self.count(&sql) == 1
    }
}

fn head() -> Target {
    "head".parse().expect("head")
}

fn base() -> Target {
    "base".parse().expect("base")
}

/// Upgrade to head over the application's connection, use it, downgrade to base over it
/// again: every table retort made is gone and the version table is empty.
fn scenario<A: App>(app: &mut A) {
    let project = project();
    let opts = project.config.connect_options();

    let mut conn = app.wrap(&opts);
    let report = Migrator::new(&project, &mut conn)
        .upgrade(&head(), &mut |_| {})
        .expect("upgrade head");
    assert_eq!(report.revisions.len(), 2, "{report:?}");
    app.take_back(conn);

    assert!(app.has_table("embed_users"));
    assert!(app.has_table("embed_notes"));
    assert_eq!(app.count("SELECT COUNT(*) FROM retort_version"), 2);
    app.exec("INSERT INTO embed_users (id, name) VALUES (1, 'ada')");
    app.exec("INSERT INTO embed_notes (user_id, body) VALUES (1, 'hello')");
    assert_eq!(app.count("SELECT COUNT(*) FROM embed_notes"), 1);

    let mut conn = app.wrap(&opts);
    let report = Migrator::new(&project, &mut conn)
        .downgrade(&base(), &mut |_| {})
        .expect("downgrade base");
    assert_eq!(report.revisions.len(), 2, "{report:?}");
    app.take_back(conn);

    assert!(!app.has_table("embed_users"));
    assert!(!app.has_table("embed_notes"));
    assert_eq!(app.count("SELECT COUNT(*) FROM retort_version"), 0);

    // A stop request reaches a statement running on the wrapped connection, and the
    // connection goes on working.
    let mut conn = app.wrap(&opts);
    let cancel = conn.canceller().expect("every driver can cancel");
    let started = Instant::now();
    let stopper = std::thread::spawn(move || {
        std::thread::sleep(Duration::from_millis(300));
        cancel.cancel()
    });
    let slow = conn.run(A::SLOW);
    stopper.join().expect("stopper").expect("cancel");
    assert!(slow.is_err(), "the slow statement was cancelled");
    assert!(started.elapsed() < Duration::from_secs(15));
    app.take_back(conn);
    assert_eq!(app.count("SELECT COUNT(*) FROM retort_version"), 0);
}

/// One test per database running [`scenario`], built only with its driver's feature.
/// A server test is ignored (never passed) when `RETORT_TEST_SKIP` names its database.
macro_rules! embed_test {
    ($($feature:literal $(if $skip:meta)? => $name:ident: $app:expr;)*) => {$(
        #[cfg(feature = $feature)]
        #[test]
        $(#[cfg_attr($skip, ignore = "RETORT_TEST_SKIP names this database")])?
        fn $name() {
            let mut app = $app;
            scenario(&mut app);
        }
    )*};
}

embed_test! {
    "sqlite" => sqlite_connection_of_the_application: sqlite::App::open();
    "postgres" if retort_skip_postgres => postgres_client_of_the_application: postgres::App::open();
    "mysql" if retort_skip_mysql => mysql_session_of_the_application: mysql::App::open();
}

#[test]
fn a_broken_embedded_migration_is_refused_with_its_name_and_line() {
    let broken = "-- revision: e0b0d0000002\n-- revises: e0b0d0000001\n-- colour: blue\n\n-- migrate:up\nSELECT 1;\n";
    let err = Project::from_memory([("0001_users.sql", USERS), ("0002_broken.sql", broken)])
        .expect_err("a broken migration is refused");
    let message = err.to_string();
    assert!(message.contains("0002_broken.sql:3"), "{message}");
    assert!(message.contains("colour"), "{message}");
}

/// A server test without its server fails: it must not count as passed.
#[cfg(any(feature = "postgres", feature = "mysql"))]
fn unreachable(what: &str, skip_name: &str, e: &dyn std::fmt::Display) -> ! {
    panic!("no {what} server ({e}); set RETORT_TEST_SKIP={skip_name} to skip its tests (they then show as ignored)");
}

#[cfg(any(feature = "postgres", feature = "mysql"))]
fn database_name() -> String {
    let mut bytes = [0u8; 6];
    getrandom::fill(&mut bytes).expect("random bytes");
    let hex: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
    format!("retort_embed_{hex}")
}

#[cfg(feature = "sqlite")]
mod sqlite {
    use retort::db::SqliteConnection;
    use retort::ConnectOptions;

    /// The application's in-memory database: it exists only on this connection, so the
    /// migrations can only run over it.
    pub struct App(Option<rusqlite::Connection>);

    impl App {
        pub fn open() -> App {
            App(Some(
                rusqlite::Connection::open_in_memory().expect("in-memory database"),
            ))
        }

        fn conn(&self) -> &rusqlite::Connection {
            self.0
                .as_ref()
                .expect("the application holds its connection")
        }
    }

    impl super::App for App {
        type Wrapped = SqliteConnection;
        const TABLE_COUNT: &'static str =
            "SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name = ?";
        const SLOW: &'static str = "WITH RECURSIVE n(x) AS (SELECT 1 UNION ALL \
             SELECT x + 1 FROM n LIMIT 5000000000) SELECT COUNT(*) FROM n";

        fn wrap(&mut self, opts: &ConnectOptions) -> SqliteConnection {
            let conn = self.0.take().expect("the application holds its connection");
            SqliteConnection::from_rusqlite(conn, opts).expect("wrap")
        }

        fn take_back(&mut self, wrapped: SqliteConnection) {
            self.0 = Some(wrapped.into_inner());
        }

        fn exec(&mut self, sql: &str) {
            self.conn().execute_batch(sql).expect(sql);
        }

        fn count(&mut self, sql: &str) -> i64 {
            self.conn().query_row(sql, [], |row| row.get(0)).expect(sql)
        }
    }
}

#[cfg(feature = "postgres")]
mod postgres {
    use retort::db::PostgresConnection;
    use retort::ConnectOptions;
    use tokio::runtime::Runtime;

    const DEFAULT_URL: &str = "postgres://postgres@127.0.0.1:5432/postgres";

    fn server_url() -> String {
        std::env::var("RETORT_TEST_POSTGRES_URL").unwrap_or_else(|_| DEFAULT_URL.into())
    }

    /// A client connected as an application does: its connection task spawned on the
    /// application's own (multi-thread) runtime.
    fn connect(
        runtime: &Runtime,
        url: &str,
    ) -> Result<tokio_postgres::Client, tokio_postgres::Error> {
        let (client, connection) =
            runtime.block_on(tokio_postgres::connect(url, tokio_postgres::NoTls))?;
        runtime.spawn(async move {
            let _ = connection.await;
        });
        Ok(client)
    }

    /// `url` naming database `name` instead.
    fn with_database(url: &str, name: &str) -> String {
        let (head, query) = url.split_once('?').map_or((url, ""), |(h, q)| (h, q));
        let base = head.rsplit_once('/').map_or(head, |(b, _)| b);
        if query.is_empty() {
            format!("{base}/{name}")
        } else {
            format!("{base}/{name}?{query}")
        }
    }

    pub struct App {
        client: Option<tokio_postgres::Client>,
        database: String,
        runtime: Runtime,
    }

    impl App {
        pub fn open() -> App {
            let runtime = Runtime::new().expect("the application's runtime");
            let admin = match connect(&runtime, &server_url()) {
                Ok(admin) => admin,
                Err(e) => super::unreachable("PostgreSQL", "postgres", &e),
            };
            let database = super::database_name();
            runtime
                .block_on(admin.batch_execute(&format!("CREATE DATABASE {database}")))
                .expect("create the test database");
            let client = connect(&runtime, &with_database(&server_url(), &database))
                .expect("connect to the test database");
            App {
                client: Some(client),
                database,
                runtime,
            }
        }

        fn client(&self) -> &tokio_postgres::Client {
            self.client
                .as_ref()
                .expect("the application holds its client")
        }
    }

    impl Drop for App {
        fn drop(&mut self) {
            drop(self.client.take());
            if let Ok(admin) = connect(&self.runtime, &server_url()) {
                let sql = format!("DROP DATABASE IF EXISTS {} WITH (FORCE)", self.database);
                let _ = self.runtime.block_on(admin.batch_execute(&sql));
            }
        }
    }

    impl super::App for App {
        type Wrapped = PostgresConnection;
        const TABLE_COUNT: &'static str = "SELECT COUNT(*) FROM information_schema.tables \
             WHERE table_schema = current_schema() AND table_name = ?";
        const SLOW: &'static str = "SELECT pg_sleep(60)";

        fn wrap(&mut self, opts: &ConnectOptions) -> PostgresConnection {
            let client = self
                .client
                .take()
                .expect("the application holds its client");
            PostgresConnection::from_client(client, opts).expect("wrap")
        }

        fn take_back(&mut self, wrapped: PostgresConnection) {
            self.client = Some(wrapped.into_inner());
        }

        fn exec(&mut self, sql: &str) {
            self.runtime
                .block_on(self.client().batch_execute(sql))
                .expect(sql);
        }

        fn count(&mut self, sql: &str) -> i64 {
            let row = self
                .runtime
                .block_on(self.client().query_one(sql, &[]))
                .expect(sql);
            row.get(0)
        }
    }

    /// Tokio forbids blocking on a runtime inside another: from an async task the wrap is
    /// refused with an error that says what to do, instead of a panic.
    #[test]
    #[cfg_attr(retort_skip_postgres, ignore = "RETORT_TEST_SKIP names postgres")]
    fn from_client_inside_a_runtime_is_an_error_not_a_panic() {
        let mut app = App::open();
        let client = app.client.take().expect("client");
        let result = app.runtime.block_on(async move {
            PostgresConnection::from_client(client, &ConnectOptions::default()).err()
        });
        let err = result.expect("refused inside a runtime");
        assert!(err.message.contains("inside a Tokio runtime"), "{err}");
        assert!(err.message.contains("std::thread::spawn"), "{err}");

        // Tokio's blocking threads carry the runtime too: refused alike, as documented.
        let client = connect(&app.runtime, &with_database(&server_url(), &app.database))
            .expect("a second client");
        let blocking = app.runtime.spawn_blocking(move || {
            PostgresConnection::from_client(client, &ConnectOptions::default()).err()
        });
        let err = app
            .runtime
            .block_on(blocking)
            .expect("the blocking task ends")
            .expect("refused on a blocking thread");
        assert!(err.message.contains("inside a Tokio runtime"), "{err}");

        // retort's own connect says the same, instead of Tokio's panic.
        let url = with_database(&server_url(), &app.database);
        let err = app.runtime.block_on(async move {
            let spec = retort::db::ConnectSpec::parse(&url, std::path::Path::new("."))
                .expect("the test URL");
            retort::db::connect(&spec, &ConnectOptions::default()).err()
        });
        let err = err.expect("refused inside a runtime");
        assert!(
            err.message
                .contains("PostgresConnection::connect was called inside a Tokio runtime"),
            "{err}"
        );
    }
}

#[cfg(feature = "mysql")]
mod mysql {
    use mysql_async::prelude::Queryable;
    use retort::db::MysqlConnection;
    use retort::ConnectOptions;

    const DEFAULT_URL: &str = "mysql://root@127.0.0.1:3306/";

    fn server_url() -> String {
        std::env::var("RETORT_TEST_MYSQL_URL").unwrap_or_else(|_| DEFAULT_URL.into())
    }

    /// The server's options naming database `name` (or none).
    fn server(name: Option<&str>) -> Result<mysql_async::Opts, mysql_async::Error> {
        let opts = mysql_async::Opts::from_url(&server_url())?;
        Ok(mysql_async::OptsBuilder::from_opts(opts)
            .db_name(name)
            .into())
    }

    /// The application's own multi-thread runtime: it drives the session's socket while
    /// retort awaits on its private one.
    fn app_runtime() -> tokio::runtime::Runtime {
        tokio::runtime::Runtime::new().expect("the application's runtime")
    }

    fn connect(
        runtime: &tokio::runtime::Runtime,
        name: Option<&str>,
    ) -> Result<mysql_async::Conn, mysql_async::Error> {
        let opts = server(name)?;
        runtime.block_on(mysql_async::Conn::new(opts))
    }

    pub struct App {
        conn: Option<mysql_async::Conn>,
        database: String,
        runtime: tokio::runtime::Runtime,
    }

    impl App {
        pub fn open() -> App {
            let runtime = app_runtime();
            let mut admin = match connect(&runtime, None) {
                Ok(admin) => admin,
                Err(e) => super::unreachable("MySQL", "mysql", &e),
            };
            let database = super::database_name();
            runtime
                .block_on(admin.query_drop(format!("CREATE DATABASE {database}")))
                .expect("create the test database");
            let conn = connect(&runtime, Some(&database)).expect("connect to the test database");
            App {
                conn: Some(conn),
                database,
                runtime,
            }
        }
    }

    impl Drop for App {
        fn drop(&mut self) {
            if let Some(conn) = self.conn.take() {
                let _ = self.runtime.block_on(conn.disconnect());
            }
            if let Ok(mut admin) = connect(&self.runtime, None) {
                let _ = self.runtime.block_on(
                    admin.query_drop(format!("DROP DATABASE IF EXISTS {}", self.database)),
                );
            }
        }
    }

    impl super::App for App {
        type Wrapped = MysqlConnection;
        const TABLE_COUNT: &'static str = "SELECT COUNT(*) FROM information_schema.tables \
             WHERE table_schema = DATABASE() AND table_name = ?";
        const SLOW: &'static str = "SELECT SLEEP(60)";

        fn wrap(&mut self, opts: &ConnectOptions) -> MysqlConnection {
            let conn = self.conn.take().expect("the application holds its session");
            MysqlConnection::from_conn(conn, opts).expect("wrap")
        }

        fn take_back(&mut self, wrapped: MysqlConnection) {
            self.conn = Some(wrapped.into_inner());
        }

        fn exec(&mut self, sql: &str) {
            let conn = self
                .conn
                .as_mut()
                .expect("the application holds its session");
            self.runtime.block_on(conn.query_drop(sql)).expect(sql);
        }

        fn count(&mut self, sql: &str) -> i64 {
            let conn = self
                .conn
                .as_mut()
                .expect("the application holds its session");
            let n: Option<i64> = self.runtime.block_on(conn.query_first(sql)).expect(sql);
            n.expect("one row")
        }
    }

    /// A session with no database selected has nothing to migrate: refused, saying so.
    #[test]
    #[cfg_attr(retort_skip_mysql, ignore = "RETORT_TEST_SKIP names mysql")]
    fn a_session_without_a_database_is_refused() {
        let app = App::open();
        let conn = connect(&app.runtime, None).expect("connect");
        let err = MysqlConnection::from_conn(conn, &ConnectOptions::default())
            .err()
            .expect("refused");
        assert!(err.message.contains("no database selected"), "{err}");
    }
}
