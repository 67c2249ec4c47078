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
}

impl Backend {
    pub fn dialect(self) -> Dialect {
        match self {
            Backend::Sqlite => Dialect::Sqlite,
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
            #[test]
            fn sqlite() {
                let project = $crate::util::TestProject::new($crate::util::Backend::Sqlite);
                let run: fn(&$crate::util::TestProject) = $body;
                run(&project);
            }
        }
    };
}

/// A temporary project directory with its own database.
pub struct TestProject {
    pub backend: Backend,
    pub dir: tempfile::TempDir,
    pub url: String,
}

impl TestProject {
    pub fn new(backend: Backend) -> TestProject {
        let dir = tempfile::tempdir().expect("temp dir");
        let url = match backend {
            Backend::Sqlite => format!("sqlite:{}", dir.path().join("test.db").display()),
        };
        let project = TestProject { backend, dir, url };
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
        let src = Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../../examples")
            .join(name)
            .join("migrations");
        for entry in std::fs::read_dir(&src).expect("example migrations") {
            let entry = entry.expect("entry");
            std::fs::copy(
                entry.path(),
                project.path().join("migrations").join(entry.file_name()),
            )
            .expect("copy");
        }
        project
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
        let mut cmd = Command::cargo_bin("retort").expect("binary");
        cmd.current_dir(self.path())
            .env("RETORT_TEST_URL", &self.url)
            .env("RETORT_ACTOR", "tester")
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
        db::connect(config.url().expect("url"), self.path(), &Default::default()).expect("connect")
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
            _ => unreachable!("only SQLite is wired up"),
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
