//! Where SQLite's lock is each migration's own transaction, another process can commit
//! between two reads of this one. These tests play that other process with a second
//! connection at exactly the moment that used to go wrong.

use std::path::Path;

use super::*;
use crate::{Config, Dialect, Target};

/// A chain of four migrations `a0…a3`, each creating a table, in a temporary project on a
/// SQLite file; the first three applied.
fn project(dir: &Path) -> Project {
    std::fs::write(dir.join("retort.toml"), "").expect("config");
    std::fs::create_dir(dir.join("migrations")).expect("dir");
    for i in 0..4 {
        let revises = if i == 0 {
            String::new()
        } else {
            format!("-- revises: a{:011}\n", i - 1)
        };
        std::fs::write(
            dir.join(format!("migrations/{i}.sql")),
            format!(
                "-- revision: a{i:011}\n{revises}\n-- migrate:up\nCREATE TABLE t{i} (id INTEGER);\n\n-- migrate:down\nDROP TABLE t{i};\n"
            ),
        )
        .expect("migration");
    }
    let url = format!("sqlite:{}", dir.join("db.sqlite").display());
    let project = Project::load(Config::in_dir(dir, &url).expect("config")).expect("project");
    let mut conn = crate::connect(&project).expect("connect");
    Migrator::new(&project, conn.as_mut())
        .upgrade(&"+3".parse().expect("target"), &mut |_| {})
        .expect("upgrade");
    project
}

/// What another process does when it applies `a{i}`: its table and its version row.
fn apply_elsewhere(project: &Project, i: usize) {
    let index = project.index_of(&format!("a{i:011}")).expect("revision");
    let checksum = project.script(index).up_checksum(Dialect::Sqlite);
    let mut other = crate::connect(project).expect("second connection");
    other
        .run_batch(&[
            "BEGIN IMMEDIATE".into(),
            format!("CREATE TABLE t{i} (id INTEGER)"),
            format!("INSERT INTO retort_version (revision, checksum, applied_at, applied_by, execution_ms, state) VALUES ('a{i:011}', '{checksum}', '', 'other', 0, 'applied')"),
            "COMMIT".into(),
        ])
        .expect("the other process's upgrade");
}

fn applied(project: &Project) -> Vec<String> {
    let mut conn = crate::connect(project).expect("connect");
    let mut ids: Vec<String> = conn
        .query("SELECT revision FROM retort_version", &[])
        .expect("rows")
        .into_iter()
        .filter_map(|r| r[0].as_str().map(str::to_string))
        .collect();
    ids.sort();
    ids
}

#[test]
fn a_relative_downgrade_is_planned_from_the_rows_under_the_lock() {
    let dir = tempfile::tempdir().expect("temp dir");
    let project = project(dir.path());
    let mut conn = crate::connect(&project).expect("connect");
    // Read at start-up, before another process applies a3 and before the lock.
    let history = History::new(Dialect::Sqlite, "retort_version", "retort_log");
    let rows = history.read(conn.as_mut()).expect("rows");
    apply_elsewhere(&project, 3);
    let report = Migrator::new(&project, conn.as_mut())
        .with_rows(rows)
        .downgrade(&Target::Relative(-1), &mut |_| {})
        .expect("downgrade");
    assert_eq!(
        report.revisions,
        ["a00000000003"],
        "-1 is the head under the lock"
    );
    assert_eq!(
        applied(&project),
        ["a00000000000", "a00000000001", "a00000000002"]
    );
}

#[test]
fn a_run_overtaken_between_two_steps_stops_before_breaking_the_chain() {
    let dir = tempfile::tempdir().expect("temp dir");
    let project = project(dir.path());
    let mut conn = crate::connect(&project).expect("connect");
    let mut finished = 0;
    let result =
        Migrator::new(&project, conn.as_mut()).downgrade(&Target::Relative(-2), &mut |event| {
            if let Event::Finished { .. } = event {
                finished += 1;
                // a2 reverted; before a1's turn, another process applies a2 again.
                apply_elsewhere(&project, 2);
            }
        });
    assert_eq!(finished, 1, "one step ran, then the run stopped");
    match result {
        Err(Error::ConcurrentChange {
            revision, reason, ..
        }) => {
            assert_eq!(revision, "a00000000001");
            assert!(reason.contains("a00000000002"), "{reason}");
        }
        other => panic!("expected a stop before a1, got {other:?}"),
    }
    assert_eq!(
        applied(&project),
        ["a00000000000", "a00000000001", "a00000000002"],
        "a1 stays applied under a2"
    );
}
