//! The bundled example, applied, reverted and applied again.

use crate::db_test;
use crate::util::*;

const ALL: [&str; 8] = [
    "5f1c0a9e2b71",
    "8c3d47e1f0a2",
    "1b9e6f3c5d84",
    "d27a8b4e9c10",
    "6ea05c2d7b39",
    "a4f7e2c91d05",
    "3c8d1f6a0e57",
    "e91b5a7d2c36",
];

fn round_trip(p: &TestProject) {
    p.copy_example("quickstart");
    p.ok(&["upgrade", "head"]);
    assert_eq!(p.applied(), ids(&ALL));
    assert_eq!(
        p.tables(),
        [
            "pull_requests",
            "repositories",
            "scans",
            "users",
            "vulnerabilities"
        ]
    );
    // The data migration ran on real rows: insert some, re-run it through down/up.
    p.exec("INSERT INTO users (id, email) VALUES (1, 'a@example.com')");
    p.exec("INSERT INTO repositories (id, user_id, repo_name, repo_url) VALUES (1, 1, 'r', 'u')");
    p.exec("INSERT INTO scans (id, repository_id) VALUES (1, 1)");
    p.exec("INSERT INTO vulnerabilities (id, scan_id, type, severity, file_path) VALUES (1, 1, 'xss', 'High', 'a.js')");
    p.ok(&["downgrade", "-1"]);
    p.ok(&["upgrade", "+1"]);
    let rank = p
        .connect()
        .query("SELECT severity_rank FROM vulnerabilities", &[])
        .unwrap();
    assert_eq!(rank[0][0].as_i64(), Some(3));

    p.ok(&["downgrade", "base"]);
    assert!(p.applied().is_empty());
    assert!(p.tables().is_empty(), "{:?}", p.tables());
    p.ok(&["upgrade", "head"]);
    assert_eq!(p.applied(), ids(&ALL));
    let history = p.ok(&["history"]);
    assert_eq!(history.lines().count(), 8, "{history}");
    assert!(history
        .lines()
        .next()
        .unwrap()
        .contains("e91b5a7d2c36 (head)"));
    let log = p.log();
    assert_eq!(log.iter().filter(|(_, a)| a == "upgrade").count(), 17);
    assert_eq!(log.iter().filter(|(_, a)| a == "downgrade").count(), 9);
}

db_test!(example_up_down_up, round_trip);
