//! Several deploys at once: every migration applied exactly once, every process exits 0.

use std::process::Stdio;

use crate::db_test;

db_test!(eight_concurrent_upgrades_apply_each_migration_once, |p| {
    let n = 20;
    let mut parent: Vec<String> = Vec::new();
    for i in 0..n {
        let id = format!("c0c0c0{i:06}");
        let parents: Vec<&str> = parent.iter().map(String::as_str).collect();
        p.migration(
            &id,
            &parents,
            &format!("CREATE TABLE conc_{i} (id INTEGER);\nINSERT INTO conc_{i} VALUES ({i});"),
            Some(&format!("DROP TABLE conc_{i};")),
        );
        parent = vec![id];
    }
    let children: Vec<_> = (0..8)
        .map(|_| {
            let mut cmd = std::process::Command::new(assert_cmd::cargo::cargo_bin("retort"));
            cmd.current_dir(p.path())
                .env("RETORT_TEST_URL", &p.url)
                .env("RETORT_ACTOR", "tester")
                .env("NO_COLOR", "1")
                .args(["--lock-timeout", "120", "upgrade", "head"])
                .stdout(Stdio::piped())
                .stderr(Stdio::piped());
            cmd.spawn().expect("spawn retort")
        })
        .collect();
    for child in children {
        let out = child.wait_with_output().expect("wait");
        assert!(
            out.status.success(),
            "a concurrent upgrade failed:\n{}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    assert_eq!(p.applied().len(), n);
    let log = p.log();
    for i in 0..n {
        let id = format!("c0c0c0{i:06}");
        let times = log
            .iter()
            .filter(|(r, a)| *r == id && a == "upgrade")
            .count();
        assert_eq!(times, 1, "{id} applied {times} times; log: {log:?}");
        let rows = p
            .connect()
            .query(&format!("SELECT count(*) FROM conc_{i}"), &[])
            .expect("count");
        assert_eq!(
            rows[0][0].as_i64(),
            Some(1),
            "conc_{i} got its row more than once"
        );
    }
});
