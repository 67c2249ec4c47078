//! A `DATABASE_URL` written for SQLAlchemy opens the database the application opens:
//! `sqlite:///x.db` from the directory the process starts in (never from `/`, never from
//! the project folder), retort's own `sqlite:x.db` from the project folder.

use std::path::Path;

use crate::util::*;

/// A SQLite project whose URL comes from `DATABASE_URL` alone, with one migration.
fn project() -> TestProject {
    let p = TestProject::new(Backend::Sqlite);
    p.write("retort.toml", "[migrations]\ndir = \"migrations\"\n");
    p.migration(
        "aa0000000001",
        &[],
        "CREATE TABLE users (id INTEGER);",
        Some("DROP TABLE users;"),
    );
    p
}

/// `retort ARGS` started in `cwd` with `DATABASE_URL=url`: (exit code, stderr).
fn run_in(p: &TestProject, cwd: &Path, url: &str, args: &[&str]) -> (i32, String) {
    let out = p
        .process()
        .current_dir(cwd)
        .env("DATABASE_URL", url)
        .args(args)
        .output()
        .expect("run retort");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// The tables of the SQLite file at `path`.
fn tables_in(path: &Path) -> Vec<String> {
    let conn = rusqlite::Connection::open(path).expect("open");
    let mut stmt = conn
        .prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")
        .expect("prepare");
    let names = stmt
        .query_map([], |row| row.get::<_, String>(0))
        .expect("query")
        .collect::<Result<Vec<_>, _>>()
        .expect("rows");
    names
}

/// A file name no other test (or earlier run) uses, so that its absence at `/` proves
/// something.
fn unique_name(tag: &str) -> String {
    format!("retort-it-{tag}-{}.db", std::process::id())
}

#[test]
fn sqlalchemy_relative_path_starts_at_the_processs_directory_even_with_c() {
    let p = project();
    let elsewhere = tempfile::tempdir().expect("temp dir");
    let name = unique_name("dot");
    let url = format!("sqlite:///./{name}");

    let (code, err) = run_in(
        &p,
        elsewhere.path(),
        &url,
        &["-C", &p.path().display().to_string(), "upgrade", "head"],
    );
    assert_eq!(code, 0, "{err}");

    let landed = elsewhere.path().join(&name);
    assert!(landed.is_file(), "no {}", landed.display());
    assert!(tables_in(&landed).contains(&"users".to_string()));
    assert!(!p.path().join(&name).exists(), "the project folder got it");
    assert!(!Path::new("/").join(&name).exists(), "the root got it");
}

#[test]
fn sqlalchemy_and_retort_relative_paths_from_a_subfolder() {
    let p = project();
    let sub = p.path().join("app/src");
    std::fs::create_dir_all(&sub).expect("mkdir");

    // SQLAlchemy's form: where the process runs, as the application started there.
    let (code, err) = run_in(&p, &sub, "sqlite+pysqlite:///here.db", &["upgrade", "head"]);
    assert_eq!(code, 0, "{err}");
    assert!(tables_in(&sub.join("here.db")).contains(&"users".to_string()));
    assert!(!p.path().join("here.db").exists());

    // retort's own form: the project folder, from any subfolder.
    let (code, err) = run_in(&p, &sub, "sqlite:root.db", &["upgrade", "head"]);
    assert_eq!(code, 0, "{err}");
    assert!(tables_in(&p.path().join("root.db")).contains(&"users".to_string()));
    assert!(!sub.join("root.db").exists());

    // Four slashes: absolute.
    let abs = p.path().join("abs.db");
    let url = format!("sqlite+aiosqlite:///{}", abs.display());
    let (code, err) = run_in(&p, &sub, &url, &["upgrade", "head"]);
    assert_eq!(code, 0, "{err}");
    assert!(tables_in(&abs).contains(&"users".to_string()));

    // `sqlite://` is an in-memory database: the run works and leaves no file.
    let before = std::fs::read_dir(&sub).expect("list").count();
    let (code, err) = run_in(&p, &sub, "sqlite://", &["upgrade", "head"]);
    assert_eq!(code, 0, "{err}");
    assert_eq!(std::fs::read_dir(&sub).expect("list").count(), before);
}

#[test]
fn a_host_part_or_an_option_is_refused_before_any_file_is_made() {
    let p = project();
    let name = unique_name("host");
    for url in [
        format!("sqlite://{name}"),
        format!("sqlite:///{name}?check_same_thread=false"),
    ] {
        let (code, err) = run_in(&p, p.path(), &url, &["upgrade", "head"]);
        assert_eq!(code, 2, "{url}: {err}");
        assert!(
            err.contains("stands where a host goes") || err.contains("take no options"),
            "{url}: {err}"
        );
        assert!(!p.path().join(&name).exists(), "{url}");
        assert!(!Path::new("/").join(&name).exists(), "{url}");
    }
}
