//! examples/fastapi end to end: a team keeping its schema in SQLModel models walks the
//! autogenerate loop with the real sqlmodel from PyPI, in a virtualenv this test run makes.
//! On every database: SQLAlchemy compiles the models for the dialect retort names.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;
use std::time::Instant;

use crate::util::*;

/// The example in the source tree.
fn example_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples/fastapi")
}

/// The virtualenv with the example's requirements, made once per test run (the first test
/// that needs it makes it; the others wait for it). A failure to make it (no python3, no
/// network for pip) is kept and fails every test that needs it: never a silent pass.
fn venv() -> &'static Path {
    static VENV: OnceLock<Result<PathBuf, String>> = OnceLock::new();
    match VENV.get_or_init(make_venv) {
        Ok(dir) => dir,
        Err(e) => panic!("the example's virtualenv could not be made: {e}"),
    }
}

/// `target/tmp/fastapi-venv/<pid>`: one per test process, so two runs at once do not share
/// one; those of processes that have ended are removed first.
fn make_venv() -> Result<PathBuf, String> {
    let parent = Path::new(env!("CARGO_TARGET_TMPDIR")).join("fastapi-venv");
    remove_stale_venvs(&parent);
    let dir = parent.join(std::process::id().to_string());
    if dir.exists() {
        std::fs::remove_dir_all(&dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    }
    let started = Instant::now();
    run_ok(Command::new("python3").arg("-m").arg("venv").arg(&dir))?;
    run_ok(
        Command::new(dir.join("bin/python"))
            .args(["-m", "pip", "install", "-q", "--disable-pip-version-check"])
            .arg("-r")
            .arg(example_dir().join("requirements.txt")),
    )?;
    eprintln!(
        "fastapi: virtualenv with the example's requirements made in {:.1} s",
        started.elapsed().as_secs_f64()
    );
    Ok(dir)
}

/// Removes `parent/<pid>` folders whose process is gone (where /proc says so).
fn remove_stale_venvs(parent: &Path) {
    if !Path::new("/proc/self").exists() {
        return;
    }
    let Ok(entries) = std::fs::read_dir(parent) else {
        return;
    };
    for entry in entries.flatten() {
        let name = entry.file_name();
        let alive = Path::new("/proc").join(&name).exists();
        if !alive && name.to_string_lossy().parse::<u32>().is_ok() {
            let _ = std::fs::remove_dir_all(entry.path());
        }
    }
}

fn run_ok(cmd: &mut Command) -> Result<(), String> {
    let out = cmd.output().map_err(|e| format!("{cmd:?}: {e}"))?;
    if out.status.success() {
        Ok(())
    } else {
        Err(format!(
            "{cmd:?} exited with {}\n{}{}",
            out.status,
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        ))
    }
}

/// Copies the example into the project (over the harness's retort.toml), leaving out what a
/// developer's own run may have left in the source tree (bytecode, a virtualenv, app.db).
fn copy_example(p: &TestProject) {
    fn copy(from: &Path, to: &Path) {
        std::fs::create_dir_all(to).expect("mkdir");
        for entry in std::fs::read_dir(from).expect("read example") {
            let entry = entry.expect("entry");
            let name = entry.file_name();
            let name_text = name.to_string_lossy();
            if name_text == "__pycache__" || name_text == ".venv" || name_text.ends_with(".db") {
                continue;
            }
            if entry.file_type().expect("file type").is_dir() {
                copy(&entry.path(), &to.join(&name));
            } else {
                std::fs::copy(entry.path(), to.join(&name)).expect("copy");
            }
        }
    }
    copy(&example_dir(), p.path());
}

/// The environment of a shell where the virtualenv is active, as the example's README asks,
/// and the application's DATABASE_URL (which the example's retort.toml reads).
fn in_venv(p: &TestProject, cmd: &mut Command) {
    let venv = venv();
    let path = std::env::var_os("PATH").unwrap_or_default();
    let mut dirs = vec![venv.join("bin")];
    dirs.extend(std::env::split_paths(&path));
    cmd.env("PATH", std::env::join_paths(dirs).expect("PATH"))
        .env("VIRTUAL_ENV", venv)
        .env_remove("PYTHONHOME")
        // Models edited within one second must not be read back from stale bytecode.
        .env("PYTHONDONTWRITEBYTECODE", "1")
        .env("DATABASE_URL", &p.url);
}

/// Runs `retort ARGS` in the project with the virtualenv active: (exit code, stdout, stderr).
fn retort(p: &TestProject, args: &[&str]) -> (i32, String, String) {
    let mut cmd = p.process();
    in_venv(p, &mut cmd);
    let out = cmd.args(args).output().expect("run retort");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// `retort ARGS`, which must exit with `code`; returns (stdout, stderr).
fn expect(p: &TestProject, args: &[&str], code: i32) -> (String, String) {
    let (got, out, err) = retort(p, args);
    assert_eq!(
        got, code,
        "retort {args:?}: expected exit {code}\nstdout:\n{out}\nstderr:\n{err}"
    );
    (out, err)
}

/// `python -m app.schema_ddl` in the project for `dialect`: (exit code, stdout, stderr).
fn schema_ddl(p: &TestProject, dialect: Option<&str>) -> (i32, String, String) {
    let mut cmd = Command::new("python");
    in_venv(p, &mut cmd);
    cmd.current_dir(p.path()).args(["-m", "app.schema_ddl"]);
    match dialect {
        Some(d) => cmd.env("RETORT_DIALECT", d),
        None => cmd.env_remove("RETORT_DIALECT"),
    };
    let out = cmd.output().expect("run python from the virtualenv");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// Edits the project's copy of app/models.py: `from` must be there exactly once.
fn edit_models(p: &TestProject, from: &str, to: &str) {
    let models = p.read("app/models.py");
    assert_eq!(models.matches(from).count(), 1, "{from:?} in app/models.py");
    p.write("app/models.py", &models.replacen(from, to, 1));
}

/// Drops the dev (scratch) database retort made for the project on a server, even when the
/// scenario fails half way (`retort dev drop`; on SQLite there is none).
struct DevDrop<'a>(&'a TestProject);

impl Drop for DevDrop<'_> {
    fn drop(&mut self) {
        let _ = retort(self.0, &["dev", "drop"]);
    }
}

const TABLES: [&str; 5] = [
    "pull_requests",
    "repositories",
    "scans",
    "users",
    "vulnerabilities",
];

/// The new field the team adds, after an existing one of `User`.
const BEFORE_BIO: &str = "    github_token: Optional[str] = Field(default=None, max_length=255)\n";
const BIO: &str = "    bio: Optional[str] = Field(default=None, max_length=500)\n";

/// The team's loop on `backend`: the models are the schema; retort writes the migrations.
fn the_loop(backend: Backend) {
    let p = TestProject::new(backend);
    copy_example(&p);
    let _dev = DevDrop(&p);

    // The first migration, from nothing to the models.
    let (out, _) = expect(&p, &["check"], 1);
    assert!(out.contains("create table vulnerabilities"), "{out}");
    let (out, err) = expect(
        &p,
        &["revision", "--autogenerate", "-m", "create tables"],
        0,
    );
    assert!(err.contains("5 change(s)"), "{err}");
    let first = p.read(out.trim());
    let q = |name: &str| match backend {
        Backend::Mysql => format!("`{name}`"),
        _ => format!("\"{name}\""),
    };
    assert!(
        first.contains(&format!("REFERENCES {}", q("scans")))
            && first.contains(&q("ix_vulnerabilities_severity")),
        "{first}"
    );
    expect(&p, &["upgrade", "head"], 0);
    let tables: Vec<String> = TABLES.iter().map(|t| t.to_string()).collect();
    assert_eq!(p.tables(), tables);
    expect(&p, &["check"], 0);
    let (before, _) = expect(&p, &["schema", "dump"], 0);
    p.exec("INSERT INTO users (email) VALUES ('ada@example.com')");

    // A new field on a model: check sees it, autogenerate writes it, upgrade applies it.
    edit_models(&p, BEFORE_BIO, &format!("{BEFORE_BIO}{BIO}"));
    let (out, _) = expect(&p, &["check"], 1);
    assert!(out.contains("add column users.bio"), "{out}");
    let (out, _) = expect(&p, &["revision", "--autogenerate", "-m", "add bio"], 0);
    let second = p.read(out.trim());
    assert!(second.contains(&q("bio")), "{second}");
    assert!(second.contains("-- migrate:down"), "{second}");
    expect(&p, &["upgrade", "head"], 0);
    expect(&p, &["check"], 0);
    let (out, err) = expect(&p, &["revision", "--autogenerate", "-m", "again"], 0);
    assert!(out.is_empty() && err.contains("no changes"), "{out}{err}");

    // One step back, with the field gone from the model again: the first schema exactly,
    // and the row kept.
    expect(&p, &["downgrade", "-1"], 0);
    edit_models(&p, BIO, "");
    expect(&p, &["check"], 0);
    let (after, _) = expect(&p, &["schema", "dump"], 0);
    assert_eq!(before, after);
    let rows = p
        .connect()
        .query("SELECT count(*) FROM users", &[])
        .expect("count");
    assert_eq!(rows[0][0].as_i64(), Some(1));
}

// One scenario, every database (as db_test! would, over `the_loop`'s own project).
#[test]
fn the_models_drive_the_autogenerate_loop_sqlite() {
    the_loop(Backend::Sqlite);
}

#[test]
#[cfg_attr(retort_skip_postgres, ignore = "RETORT_TEST_SKIP names postgres")]
fn the_models_drive_the_autogenerate_loop_postgres() {
    the_loop(Backend::Postgres);
}

#[test]
#[cfg_attr(retort_skip_mysql, ignore = "RETORT_TEST_SKIP names mysql")]
fn the_models_drive_the_autogenerate_loop_mysql() {
    the_loop(Backend::Mysql);
}

#[test]
fn a_model_that_fails_to_import_stops_with_its_traceback() {
    let p = TestProject::new(Backend::Sqlite);
    copy_example(&p);
    edit_models(
        &p,
        "class Scan(SQLModel, table=True):",
        "class Scan(SQLModel, table=True)",
    );
    let (_, err) = expect(&p, &["check"], 2);
    assert!(
        err.contains("command: python -m app.schema_ddl")
            && err.contains("Traceback")
            && err.contains("app/models.py")
            && err.contains("SyntaxError"),
        "{err}"
    );
    let (_, err) = expect(&p, &["revision", "--autogenerate", "-m", "x"], 2);
    assert!(err.contains("SyntaxError"), "{err}");
    let written: Vec<_> = std::fs::read_dir(p.path().join("migrations"))
        .expect("migrations")
        .map(|e| e.expect("entry").file_name())
        .filter(|n| n != ".gitkeep")
        .collect();
    assert!(written.is_empty(), "{written:?}");
}

/// The DDL the models print for each dialect loads on that database as it is (what retort's
/// scratch databases will do with it), and a dialect it does not know is exit 2.
fn the_ddl_loads(p: &TestProject) {
    copy_example(p);
    let dialect = p.backend.dialect().name();
    let (code, ddl, err) = schema_ddl(p, Some(dialect));
    assert_eq!(code, 0, "{err}");
    assert_eq!(ddl.matches("CREATE TABLE").count(), 5, "{ddl}");
    assert_eq!(ddl.matches("CREATE INDEX").count(), 2, "{ddl}");
    assert!(ddl.trim_end().ends_with(';'), "{ddl}");
    // Parents before the tables that reference them.
    let at = |t: &str| ddl.find(&format!("CREATE TABLE {t} ")).expect(t);
    assert!(at("users") < at("repositories") && at("repositories") < at("scans"));
    assert!(at("scans") < at("vulnerabilities") && at("scans") < at("pull_requests"));
    p.load_with_client(&ddl);
    let tables: Vec<String> = TABLES.iter().map(|t| t.to_string()).collect();
    assert_eq!(p.tables(), tables);

    for bad in [Some("oracle"), None] {
        let (code, out, err) = schema_ddl(p, bad);
        assert_eq!((code, out.as_str()), (2, ""), "{bad:?}: {err}");
        assert!(err.contains("RETORT_DIALECT"), "{err}");
    }
}

crate::db_test!(the_models_ddl_loads_on_its_database, the_ddl_loads);
