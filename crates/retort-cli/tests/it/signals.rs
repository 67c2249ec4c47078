//! SIGTERM (Kubernetes stopping a pod) and SIGINT (Ctrl-C) during a long statement: the
//! statement is cancelled on the server, its migration rolled back or recorded exactly,
//! the lock released, and retort exits 143 / 130 long before the statement would have ended.

use std::process::Stdio;
use std::time::{Duration, Instant};

use crate::db_test;
use crate::util::*;

/// A statement that runs for about a minute on each database.
fn long_statement(backend: Backend) -> &'static str {
    match backend {
        Backend::Sqlite => "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < 5000000000) SELECT count(*) FROM c;",
        Backend::Postgres => "SELECT pg_sleep(60);",
        Backend::Mysql => "SELECT SLEEP(60);",
    }
}

/// Sessions of the server still running the long statement (none once it was cancelled).
fn still_running(p: &TestProject) -> i64 {
    let sql = match p.backend {
        Backend::Sqlite => return 0,
        Backend::Postgres => "SELECT count(*) FROM pg_stat_activity WHERE query LIKE '%pg_sleep(60)%' AND pid <> pg_backend_pid()",
        Backend::Mysql => "SELECT count(*) FROM information_schema.processlist WHERE info LIKE '%SLEEP(60)%' AND id <> CONNECTION_ID()",
    };
    let rows = p.connect().query(sql, &[]).expect("sessions");
    rows[0][0].as_i64().unwrap_or(-1)
}

/// Starts `upgrade head`, waits until the first migration is recorded and the second's
/// long statement has started, sends `signals`, and returns the exit code and stderr.
fn stopped_run(p: &TestProject, signals: &[&str]) -> (i32, String) {
    let mut child = p
        .process()
        .args(["--lock-timeout", "30", "upgrade", "head"])
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn retort");
    let start = Instant::now();
    while !p.applied().contains(&"5e0000000001".to_string()) {
        assert!(start.elapsed() < Duration::from_secs(20), "never started");
        std::thread::sleep(Duration::from_millis(20));
    }
    std::thread::sleep(Duration::from_millis(700));
    assert!(child.try_wait().expect("try_wait").is_none(), "ended early");
    for signal in signals {
        let sent = std::process::Command::new("kill")
            .args([&format!("-{signal}"), &child.id().to_string()])
            .status()
            .expect("kill");
        assert!(sent.success());
    }
    // Far less than the statement's minute: it was cancelled, not waited for.
    let deadline = Instant::now() + Duration::from_secs(20);
    while child.try_wait().expect("try_wait").is_none() {
        if Instant::now() > deadline {
            let _ = child.kill();
            panic!("retort did not stop within 20 s of {signals:?}");
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    let out = child.wait_with_output().expect("output");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

db_test!(
    a_stop_signal_cancels_the_statement_and_releases_the_lock,
    |p| {
        p.migration(
            "5e0000000001",
            &[],
            "CREATE TABLE sig_a (id INTEGER);",
            Some("DROP TABLE sig_a;"),
        );
        p.migration(
            "5e0000000002",
            &["5e0000000001"],
            &format!(
                "{}\nCREATE TABLE sig_b (id INTEGER);",
                long_statement(p.backend)
            ),
            Some("DROP TABLE sig_b;"),
        );
        for (signals, code) in [
            (&["TERM"][..], 143),
            (&["INT"], 130),
            (&["TERM", "TERM"], 143),
        ] {
            let (got, err) = stopped_run(p, signals);
            assert_eq!(got, code, "{signals:?}: {err}");
            if signals.len() == 1 {
                assert!(
                    err.contains("stopped on request during the up of 5e0000000002")
                        && err.contains("the migration lock was released"),
                    "{err}"
                );
                // Nothing of the stopped migration is kept, and no mark is left: on MySQL its
                // first statement was the cancelled one.
                let expected = if p.backend.transactional_ddl() {
                    "its statement was cancelled and its transaction rolled back"
                } else {
                    "no statement of it took effect, and it is not marked"
                };
                assert!(err.contains(expected), "{err}");
            }
            let rows: Vec<(String, String)> = p
                .version_rows()
                .into_iter()
                .map(|(r, _, s)| (r, s))
                .collect();
            let clean = [("5e0000000001".to_string(), "applied".to_string())];
            if signals.len() == 1 || p.backend.transactional_ddl() {
                assert_eq!(rows, clean, "{signals:?}");
            } else {
                // A second signal ends the process at once, before the mark of a migration
                // outside a transaction can be taken back: it says `running`, truthfully (the
                // cancelled statement may or may not have run, as far as anyone can tell), and
                // the next run refuses until `stamp` resolves it (below).
                let running = [clean[0].clone(), ("5e0000000002".into(), "running".into())];
                assert!(rows == clean || rows == running, "{rows:?}");
            }
            assert_eq!(p.tables(), ids(&["sig_a"]), "{signals:?}");
            // No server session is left running the statement (and holding the lock)...
            let start = Instant::now();
            while still_running(p) > 0 {
                assert!(
                    start.elapsed() < Duration::from_secs(10),
                    "{signals:?}: the statement still runs"
                );
                std::thread::sleep(Duration::from_millis(50));
            }
            // ...and the lock is free at once.
            p.ok(&["--lock-timeout", "2", "stamp", "5e0000000001"]);
        }
    }
);
