//! The start-up cache is an accelerator only: whatever its bytes, whatever sits at its path,
//! every command answers as it would without it, and what runs is what the files say after
//! the lock is taken.

use std::io::{BufRead, BufReader};
use std::process::Stdio;
use std::time::Duration;

use crate::db_test;
use crate::util::*;

/// A chain of `n` migrations, aged so that the cache may trust them.
fn chain(p: &TestProject, n: usize) {
    for i in 0..n {
        let parent = (i > 0).then(|| format!("ca{:010}", i - 1));
        let parents: Vec<&str> = parent.iter().map(String::as_str).collect();
        let rel = p.migration(
            &format!("ca{i:010}"),
            &parents,
            &format!("CREATE TABLE ca_{i} (id INTEGER);"),
            Some(&format!("DROP TABLE ca_{i};")),
        );
        p.age(&rel, 3600);
    }
    p.age("migrations", 3600);
}

/// The one cache file the project's commands wrote.
fn cache_file(p: &TestProject) -> std::path::PathBuf {
    let dir = p.path().join(".cache/retort");
    let files: Vec<_> = std::fs::read_dir(&dir)
        .expect("cache folder")
        .map(|e| e.expect("entry").path())
        .filter(|f| f.extension().is_some_and(|e| e == "cache"))
        .collect();
    assert_eq!(files.len(), 1, "{files:?}");
    files[0].clone()
}

#[test]
fn a_fifo_at_the_cache_path_hangs_nothing() {
    let p = TestProject::new(Backend::Sqlite);
    chain(&p, 3);
    let expected = p.ok(&["heads"]);
    let cache = cache_file(&p);
    std::fs::remove_file(&cache).expect("remove");
    let made = std::process::Command::new("mkfifo")
        .arg(&cache)
        .status()
        .expect("mkfifo (coreutils)");
    assert!(made.success());
    for args in [
        &["heads"][..],
        &["history"],
        &["upgrade", "head"],
        &["current"],
    ] {
        let out = p
            .cmd()
            .args(args)
            .timeout(Duration::from_secs(20))
            .output()
            .expect("run");
        assert_eq!(out.status.code(), Some(0), "{args:?}: {out:?}");
        if args == ["heads"] {
            assert_eq!(String::from_utf8_lossy(&out.stdout), expected);
        }
    }
}

/// Every single-bit flip at a spread of places in the cache: the output is always the
/// output without a cache.
#[test]
fn a_cache_with_flipped_bits_never_changes_an_answer() {
    let p = TestProject::new(Backend::Sqlite);
    chain(&p, 12);
    p.ok(&["upgrade", "+7"]);
    let commands: [&[&str]; 4] = [&["heads"], &["history"], &["current"], &["validate"]];
    let truth: Vec<String> = commands
        .iter()
        .map(|args| {
            let out = p
                .cmd()
                .env("RETORT_NO_CACHE", "1")
                .args(*args)
                .output()
                .expect("run");
            assert!(out.status.success(), "{args:?}");
            String::from_utf8_lossy(&out.stdout).into_owned()
        })
        .collect();
    p.ok(&["heads"]);
    let cache = cache_file(&p);
    let good = std::fs::read(&cache).expect("cache");
    let places: Vec<usize> = (0..good.len()).step_by(good.len() / 40 + 1).collect();
    for (k, &at) in places.iter().enumerate() {
        let mut bad = good.clone();
        bad[at] ^= 1 << (k % 8);
        for (args, truth) in commands.iter().zip(&truth) {
            std::fs::write(&cache, &bad).expect("write cache");
            let out = p.cmd().args(*args).output().expect("run");
            assert_eq!(out.status.code(), Some(0), "{args:?}, byte {at}: {out:?}");
            assert_eq!(
                &String::from_utf8_lossy(&out.stdout),
                truth,
                "{args:?} with byte {at} flipped"
            );
        }
    }
}

db_test!(
    a_file_replaced_while_waiting_for_the_lock_runs_nothing,
    |p| {
        chain(p, 2);
        p.ok(&["heads"]);
        // Another process holds the migration lock.
        let mut holder = p.connect();
        holder.lock(&mut || {}).expect("hold the lock");
        let mut child = p
            .process()
            .args(["--lock-timeout", "60", "upgrade", "head"])
            .stderr(Stdio::piped())
            .stdout(Stdio::null())
            .spawn()
            .expect("spawn retort");
        let mut stderr = BufReader::new(child.stderr.take().expect("stderr"));
        let mut seen = String::new();
        while !seen.contains("waiting") {
            let mut line = String::new();
            if stderr.read_line(&mut line).expect("read") == 0 {
                panic!("retort ended without waiting: {seen}");
            }
            seen.push_str(&line);
        }
        // Planned from the old header; the file is replaced by one with other SQL.
        let rel = "migrations/0001_ca0000000001.sql";
        let text = p
            .read(rel)
            .replace("CREATE TABLE ca_1", "CREATE TABLE evil");
        p.write("migrations/replacement.tmp", &text);
        std::fs::rename(
            p.path().join("migrations/replacement.tmp"),
            p.path().join(rel),
        )
        .expect("rename");
        holder.unlock().expect("release");
        drop(holder);
        let mut rest = String::new();
        std::io::Read::read_to_string(&mut stderr, &mut rest).expect("read");
        let status = child.wait().expect("wait");
        assert_eq!(status.code(), Some(2), "{seen}{rest}");
        assert!(
            rest.contains(rel) && rest.contains("changed while retort was running"),
            "{rest}"
        );
        assert!(p.applied().is_empty(), "nothing recorded");
        assert!(p.tables().is_empty(), "nothing ran: {:?}", p.tables());
    }
);
