//! The test harness: a temporary project, a database of its own per test, and helpers to
//! run the binary and read the version table back.

use std::path::{Path, PathBuf};

use assert_cmd::Command;
use retort::db::{self, Connection, Value};
use retort::{Config, Dialect};

/// The databases a scenario runs on. A scenario is written once, as a function over
/// `&TestProject`, and instantiated per database by [`db_test!`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
    Mysql,
}

impl Backend {
    pub fn dialect(self) -> Dialect {
        match self {
            Backend::Sqlite => Dialect::Sqlite,
            Backend::Postgres => Dialect::Postgres,
            Backend::Mysql => Dialect::Mysql,
        }
    }

    /// Whether a failed migration leaves nothing behind (DDL inside transactions).
    pub fn transactional_ddl(self) -> bool {
        self != Backend::Mysql
    }

    /// The server URL of the test suite for this backend (env or default).
    fn server_url(self) -> Option<String> {
        match self {
            Backend::Sqlite => None,
            Backend::Postgres => Some(
                std::env::var("RETORT_TEST_POSTGRES_URL")
                    .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".into()),
            ),
            Backend::Mysql => Some(
                std::env::var("RETORT_TEST_MYSQL_URL")
                    .unwrap_or_else(|_| "mysql://root@127.0.0.1:3306/test".into()),
            ),
        }
    }
}

/// Defines one test per backend running the same scenario function.
#[macro_export]
macro_rules! db_test {
    ($name:ident, $body:expr) => {
        mod $name {
            #[allow(unused_imports)]
            use super::*;
            fn scenario(backend: $crate::util::Backend) {
                let project = $crate::util::TestProject::new(backend);
                let run: fn(&$crate::util::TestProject) = $body;
                run(&project);
            }
            #[test]
            fn sqlite() {
                scenario($crate::util::Backend::Sqlite)
            }
            // Skipped only when the developer says so (RETORT_TEST_SKIP, see build.rs):
            // then the summary counts it as ignored, never as passed.
            #[test]
            #[cfg_attr(retort_skip_postgres, ignore = "RETORT_TEST_SKIP names postgres")]
            fn postgres() {
                scenario($crate::util::Backend::Postgres)
            }
            #[test]
            #[cfg_attr(retort_skip_mysql, ignore = "RETORT_TEST_SKIP names mysql")]
            fn mysql() {
                scenario($crate::util::Backend::Mysql)
            }
        }
    };
}

/// A database of its own for one test on a server, dropped when the test ends.
pub struct ServerDb {
    backend: Backend,
    admin_url: String,
    name: String,
    /// The scratch database `check` and autogenerate create beside the target for the
    /// project in this folder (each test's folder is new: left behind, they would pile up).
    scratch: Vec<String>,
}

impl ServerDb {
    /// Creates `retort_it_<random>` on the backend's server. An unreachable server fails
    /// the test: a test that did not talk to its database must not count as passed (to
    /// skip a database, name it in `RETORT_TEST_SKIP`: its tests then show as ignored).
    fn create(backend: Backend, admin_url: String) -> (ServerDb, String) {
        let mut admin = match connect_url(&admin_url) {
            Ok(c) => c,
            Err(e) => panic!(
                "{backend:?} server unreachable at {}: {e}\n(set RETORT_TEST_SKIP={} to skip its tests; they then show as ignored)",
                db::mask(&admin_url),
                format!("{backend:?}").to_lowercase()
            ),
        };
        let name = format!(
            "retort_it_{}",
            retort::script::random_id().expect("random id")
        );
        admin
            .run(&format!("CREATE DATABASE {name}"))
            .expect("create test database");
        let url = match admin_url.rfind('/') {
            Some(i) if i > admin_url.find("://").map_or(0, |j| j + 2) => {
                let (base, rest) = admin_url.split_at(i);
                let query = rest.find('?').map(|q| &rest[q..]).unwrap_or("");
                format!("{base}/{name}{query}")
            }
            _ => format!("{admin_url}/{name}"),
        };
        (
            ServerDb {
                backend,
                admin_url,
                name,
                scratch: Vec::new(),
            },
            url,
        )
    }
}

impl Drop for ServerDb {
    fn drop(&mut self) {
        if let Ok(mut admin) = connect_url(&self.admin_url) {
            let sql = match self.backend {
                Backend::Postgres => format!("DROP DATABASE IF EXISTS {} WITH (FORCE)", self.name),
                _ => format!("DROP DATABASE IF EXISTS {}", self.name),
            };
            let _ = admin.run(&sql);
            for scratch in &self.scratch {
                let sql = match self.backend {
                    Backend::Postgres => format!("DROP DATABASE IF EXISTS {scratch} WITH (FORCE)"),
                    _ => format!("DROP DATABASE IF EXISTS {scratch}"),
                };
                let _ = admin.run(&sql);
            }
        }
    }
}

fn connect_url(url: &str) -> Result<Box<dyn Connection>, db::DbError> {
    let spec =
        db::ConnectSpec::parse(url, Path::new(".")).map_err(|e| db::DbError::new(e.to_string()))?;
    let opts = retort::ConnectOptions {
        connect_timeout: std::time::Duration::from_secs(3),
        ..Default::default()
    };
    db::connect(&spec, &opts)
}

/// A temporary project directory with its own database.
pub struct TestProject {
    pub backend: Backend,
    pub dir: tempfile::TempDir,
    pub url: String,
    /// Dropped after the project (fields drop in order).
    _server: Option<ServerDb>,
}

impl TestProject {
    /// A project on `backend`, in a database of its own; an unreachable server fails the
    /// test (see [`ServerDb::create`]).
    pub fn new(backend: Backend) -> TestProject {
        let dir = tempfile::tempdir().expect("temp dir");
        let (server, url) = match backend.server_url() {
            None => (
                None,
                format!("sqlite:{}", dir.path().join("test.db").display()),
            ),
            Some(admin_url) => {
                let (mut server, url) = ServerDb::create(backend, admin_url);
                server.scratch = vec![
                    retort::autogen::dev_database_name(dir.path(), backend.dialect()),
                    retort::autogen::work_database_name(dir.path(), backend.dialect()),
                ];
                (Some(server), url)
            }
        };
        let project = TestProject {
            backend,
            dir,
            url,
            _server: server,
        };
        project.write(
            "retort.toml",
            "[database]\nurl = \"${RETORT_TEST_URL}\"\n\n[migrations]\ndir = \"migrations\"\n",
        );
        std::fs::create_dir_all(project.path().join("migrations")).expect("migrations dir");
        project
    }

    /// A project holding a copy of one of the repository's examples.
    pub fn example(backend: Backend, name: &str) -> TestProject {
        let project = TestProject::new(backend);
        project.copy_example(name);
        project
    }

    /// Copies the migrations of one of the repository's examples into this project.
    pub fn copy_example(&self, name: &str) {
        let src = Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../../examples")
            .join(name)
            .join("migrations");
        for entry in std::fs::read_dir(&src).expect("example migrations") {
            let entry = entry.expect("entry");
            std::fs::copy(
                entry.path(),
                self.path().join("migrations").join(entry.file_name()),
            )
            .expect("copy");
        }
    }

    pub fn path(&self) -> &Path {
        self.dir.path()
    }

    pub fn write(&self, rel: &str, text: &str) -> PathBuf {
        let path = self.path().join(rel);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).expect("mkdir");
        }
        std::fs::write(&path, text).expect("write");
        path
    }

    pub fn read(&self, rel: &str) -> String {
        std::fs::read_to_string(self.path().join(rel)).expect("read")
    }

    /// Sets a file's or folder's modification time `secs` seconds into the past (as a checkout from
    /// long ago would have it), so the start-up cache may trust it.
    pub fn age(&self, rel: &str, secs: u64) {
        // Read-only: a folder can be aged too (setting times needs ownership, not write).
        let file = std::fs::File::open(self.path().join(rel)).expect("open");
        let then = std::time::SystemTime::now() - std::time::Duration::from_secs(secs);
        file.set_modified(then).expect("set mtime");
    }

    /// Writes `migrations/<nn>_<id>.sql` with a header and the given sections.
    pub fn migration(&self, id: &str, revises: &[&str], up: &str, down: Option<&str>) -> String {
        self.migration_with(id, revises, "", up, down)
    }

    /// As [`TestProject::migration`], with extra header lines (e.g. `-- branch_labels: x\n`).
    pub fn migration_with(
        &self,
        id: &str,
        revises: &[&str],
        extra_header: &str,
        up: &str,
        down: Option<&str>,
    ) -> String {
        let n = std::fs::read_dir(self.path().join("migrations"))
            .map(|d| d.count())
            .unwrap_or(0);
        let mut text = format!("-- migration {id}\n--\n-- revision: {id}\n");
        if !revises.is_empty() {
            text.push_str(&format!("-- revises: {}\n", revises.join(", ")));
        }
        text.push_str(extra_header);
        text.push_str(&format!("\n-- migrate:up\n{up}\n"));
        if let Some(down) = down {
            text.push_str(&format!("\n-- migrate:down\n{down}\n"));
        }
        let rel = format!("migrations/{n:04}_{id}.sql");
        self.write(&rel, &text);
        rel
    }

    /// The binary, run in the project directory with the test database's URL.
    pub fn cmd(&self) -> Command {
        Command::from_std(self.process())
    }

    /// [`TestProject::cmd`] as a plain process, for tests that start several at once or
    /// talk to one while it runs.
    pub fn process(&self) -> std::process::Command {
        let mut cmd = std::process::Command::new(assert_cmd::cargo::cargo_bin("retort"));
        cmd.current_dir(self.path())
            .env("RETORT_TEST_URL", &self.url)
            .env("RETORT_ACTOR", "tester")
            .env("XDG_CACHE_HOME", self.path().join(".cache"))
            .env_remove("RETORT_NO_CACHE")
            .env_remove("DATABASE_URL")
            .env("NO_COLOR", "1");
        cmd
    }

    /// Runs `retort ARGS` and returns (exit code, stdout, stderr).
    pub fn run(&self, args: &[&str]) -> (i32, String, String) {
        let out = self.cmd().args(args).output().expect("run retort");
        (
            out.status.code().unwrap_or(-1),
            String::from_utf8_lossy(&out.stdout).into_owned(),
            String::from_utf8_lossy(&out.stderr).into_owned(),
        )
    }

    /// Runs `retort ARGS`, asserting it exits 0; returns stdout.
    pub fn ok(&self, args: &[&str]) -> String {
        let (code, out, err) = self.run(args);
        assert_eq!(
            code, 0,
            "retort {args:?} failed\nstdout:\n{out}\nstderr:\n{err}"
        );
        out
    }

    /// Runs `retort ARGS`, asserting the exit code; returns stderr.
    pub fn fails(&self, args: &[&str], code: i32) -> String {
        let (got, out, err) = self.run(args);
        assert_eq!(
            got, code,
            "retort {args:?}: expected exit {code}\nstdout:\n{out}\nstderr:\n{err}"
        );
        err
    }

    /// A connection of our own to the test database, through the library.
    pub fn connect(&self) -> Box<dyn Connection> {
        let config = Config::in_dir(self.path(), &self.url).expect("config");
        db::connect(config.connect_spec().expect("url"), &Default::default()).expect("connect")
    }

    /// Revisions in the version table, sorted.
    pub fn applied(&self) -> Vec<String> {
        let mut conn = self.connect();
        if !conn.table_exists("retort_version").expect("exists") {
            return Vec::new();
        }
        let mut ids: Vec<String> = conn
            .query("SELECT revision FROM retort_version", &[])
            .expect("query")
            .into_iter()
            .filter_map(|r| r.first().and_then(Value::as_str).map(str::to_string))
            .collect();
        ids.sort();
        ids
    }

    /// (revision, action) rows of the audit log, oldest first.
    pub fn log(&self) -> Vec<(String, String)> {
        let mut conn = self.connect();
        conn.query("SELECT revision, action FROM retort_log ORDER BY id", &[])
            .expect("query log")
            .into_iter()
            .map(|r| {
                let t = |i: usize| r[i].as_str().unwrap_or("").to_string();
                (t(0), t(1))
            })
            .collect()
    }

    /// User tables (not retort's), sorted.
    pub fn tables(&self) -> Vec<String> {
        let mut conn = self.connect();
        let sql = match self.backend.dialect() {
            Dialect::Sqlite => {
                "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
            }
            Dialect::Postgres => {
                "SELECT table_name::text FROM information_schema.tables WHERE table_schema = current_schema()"
            }
            Dialect::Mysql => {
                "SELECT table_name FROM information_schema.tables WHERE table_schema = DATABASE()"
            }
        };
        let mut names: Vec<String> = conn
            .query(sql, &[])
            .expect("tables")
            .into_iter()
            .filter_map(|r| r.first().and_then(Value::as_str).map(str::to_string))
            .filter(|n| !n.starts_with("retort_"))
            .collect();
        names.sort();
        names
    }

    /// A text picture of the user schema (tables, columns, indexes), to compare databases.
    pub fn schema_summary(&self) -> String {
        let queries: &[&str] = match self.backend {
            Backend::Sqlite => &["SELECT type, name, sql FROM sqlite_master WHERE name NOT LIKE 'sqlite_%' ORDER BY name"],
            Backend::Postgres => &[
                "SELECT table_name::text, column_name::text, data_type::text, is_nullable::text, coalesce(column_default, '') FROM information_schema.columns WHERE table_schema = current_schema() ORDER BY 1, ordinal_position",
                "SELECT indexname::text, indexdef FROM pg_indexes WHERE schemaname = current_schema() ORDER BY 1",
            ],
            Backend::Mysql => &[
                "SELECT table_name, column_name, column_type, is_nullable, coalesce(column_default, '') FROM information_schema.columns WHERE table_schema = DATABASE() ORDER BY 1, ordinal_position",
                "SELECT table_name, index_name, column_name, seq_in_index FROM information_schema.statistics WHERE table_schema = DATABASE() ORDER BY 1, 2, 4",
            ],
        };
        let mut conn = self.connect();
        let mut out = String::new();
        for q in queries {
            for row in conn.query(q, &[]).expect("schema query") {
                let cells: Vec<String> = row
                    .iter()
                    .map(|v| match v {
                        Value::Null => "NULL".to_string(),
                        Value::Int(i) => i.to_string(),
                        Value::Text(t) => t.clone(),
                    })
                    .collect();
                out.push_str(&cells.join(" | "));
                out.push('\n');
            }
        }
        out
    }

    /// Feeds `script` to the database's own command-line client (sqlite3, psql, mariadb).
    pub fn load_with_client(&self, script: &str) {
        use std::io::Write;
        let mut cmd = match self.backend {
            Backend::Sqlite => {
                let mut c = std::process::Command::new("sqlite3");
                c.arg("-bail").arg(self.url.trim_start_matches("sqlite:"));
                c
            }
            Backend::Postgres => {
                let mut c = std::process::Command::new("psql");
                c.args(["-v", "ON_ERROR_STOP=1", "-q", "-X", "-f", "-", &self.url]);
                c
            }
            Backend::Mysql => {
                // mysql://user[:pass]@host[:port]/db
                let rest = self.url.split_once("://").map_or("", |(_, r)| r);
                let (auth, hostdb) = rest.rsplit_once('@').unwrap_or(("root", rest));
                let (user, pass) = auth.split_once(':').unwrap_or((auth, ""));
                let (hostport, db) = hostdb.split_once('/').unwrap_or((hostdb, ""));
                let db = db.split('?').next().unwrap_or(db);
                let (host, port) = hostport.split_once(':').unwrap_or((hostport, "3306"));
                let mut c = std::process::Command::new("mariadb");
                c.args(["-h", host, "-P", port, "-u", user, db]);
                if !pass.is_empty() {
                    c.arg(format!("-p{pass}"));
                }
                c
            }
        };
        let mut child = cmd
            .stdin(std::process::Stdio::piped())
            .spawn()
            .expect("database client (sqlite3, psql, mariadb)");
        child
            .stdin
            .take()
            .expect("stdin")
            .write_all(script.as_bytes())
            .expect("write script");
        assert!(
            child.wait().expect("client").success(),
            "{:?} client failed on:\n{script}",
            self.backend
        );
    }

    /// (revision, checksum, state) of every version row, sorted.
    pub fn version_rows(&self) -> Vec<(String, String, String)> {
        self.connect()
            .query(
                "SELECT revision, checksum, state FROM retort_version ORDER BY revision",
                &[],
            )
            .expect("version rows")
            .into_iter()
            .map(|r| {
                let t = |i: usize| r[i].as_str().unwrap_or("").to_string();
                (t(0), t(1), t(2))
            })
            .collect()
    }

    /// Runs one statement directly (to set up "a database that already has the schema").
    pub fn exec(&self, sql: &str) {
        self.connect().run(sql).expect("exec");
    }
}

/// `["a", "b"]` as owned strings, for comparisons with [`TestProject::applied`].
pub fn ids(list: &[&str]) -> Vec<String> {
    let mut v: Vec<String> = list.iter().map(|s| s.to_string()).collect();
    v.sort();
    v
}
