//! Every everyday command, through the binary, with human and JSON output.

use crate::db_test;
use crate::util::{Backend, TestProject};

fn json(out: &str) -> serde_json::Value {
    serde_json::from_str(out).unwrap_or_else(|e| panic!("not JSON ({e}):\n{out}"))
}

#[test]
fn init_writes_a_project_and_refuses_to_overwrite() {
    let dir = tempfile::tempdir().unwrap();
    let run = |args: &[&str]| {
        assert_cmd::Command::cargo_bin("retort")
            .unwrap()
            .current_dir(dir.path())
            .args(args)
            .output()
            .unwrap()
    };
    let out = run(&["init", "app"]);
    assert!(out.status.success(), "{out:?}");
    for f in ["app/retort.toml", "app/migrations", "app/schema.sql"] {
        assert!(dir.path().join(f).exists(), "{f}");
    }
    let out = run(&["init", "app"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("refusing to overwrite"));
    // The new project works as it is: a revision, then an upgrade on the default SQLite file.
    let out = run(&["-C", "app", "revision", "-m", "first"]);
    assert!(out.status.success(), "{out:?}");
    let out = run(&["-C", "app", "upgrade", "head"]);
    assert!(out.status.success(), "{out:?}");
    assert!(dir.path().join("app/app.db").exists());
}

db_test!(revision_chains_on_the_head, |p| {
    let first = p.ok(&[
        "revision",
        "-m",
        "Create users table",
        "--rev-id",
        "aaaaaaaaaaaa",
    ]);
    let first = first.trim();
    assert!(
        first.ends_with("-aaaaaaaaaaaa_create_users_table.sql"),
        "{first}"
    );
    let text = p.read(first);
    assert!(
        text.starts_with("-- Create users table\n--\n-- revision: aaaaaaaaaaaa\n"),
        "{text}"
    );
    assert!(!text.contains("revises"), "{text}");
    let second = p.ok(&["--json", "revision", "-m", "second"]);
    let v = json(&second);
    assert_eq!(v["revises"][0], "aaaaaaaaaaaa");
    let id = v["revision"].as_str().unwrap().to_string();
    assert_eq!(id.len(), 12);
    let heads = json(&p.ok(&["--json", "heads"]));
    assert_eq!(heads["heads"][0]["revision"], id.as_str());
    // --rev-id reuse and bad ids are refused.
    p.fails(&["revision", "-m", "x", "--rev-id", "aaaaaaaaaaaa"], 2);
    p.fails(&["revision", "-m", "x", "--rev-id", "bad-id"], 2);
    // --head on a non-head needs --splice.
    let err = p.fails(&["revision", "-m", "x", "--head", "aaaa"], 2);
    assert!(err.contains("--splice"), "{err}");
    p.ok(&[
        "revision",
        "-m",
        "x",
        "--head",
        "aaaa",
        "--splice",
        "--rev-id",
        "bbbbbbbbbbbb",
    ]);
    // Now there are two heads: a plain revision must be told which one.
    let err = p.fails(&["revision", "-m", "y"], 2);
    assert!(
        err.contains("multiple heads") && err.contains("bbbbbbbbbbbb"),
        "{err}"
    );
    // It names what a new revision needs (--head) and the merge, not an upgrade.
    assert!(
        err.contains("--head REV") && err.contains("`retort merge`"),
        "{err}"
    );
    assert!(!err.contains("upgrade"), "{err}");
    // A message of nothing or blanks would name no file and head no header.
    let files = std::fs::read_dir(p.path().join("migrations"))
        .unwrap()
        .count();
    for blank in ["", "   "] {
        let err = p.fails(&["revision", "-m", blank, "--head", "bbbb"], 2);
        assert!(err.contains("the message is empty"), "{err}");
        let err = p.fails(&["merge", "-m", blank], 2);
        assert!(err.contains("the message is empty"), "{err}");
    }
    assert_eq!(
        std::fs::read_dir(p.path().join("migrations"))
            .unwrap()
            .count(),
        files
    );
    // Every option of merge says what it does.
    let help = p.ok(&["merge", "--help"]);
    for option in ["--rev-id <ID>", "--branch-label <LABEL>"] {
        let line = help.lines().find(|l| l.contains(option)).unwrap_or("");
        assert!(
            line.trim().len() > option.len() + 5,
            "{option} has no help text:\n{help}"
        );
    }
    // The library says what is wrong; the command line names the command that fixes it.
    let err = p.fails(&["upgrade", "-1"], 2);
    assert!(
        err.contains("`-1` moves backwards: it is a downgrade")
            && err.contains("hint: run `retort downgrade -1`"),
        "{err}"
    );
});

db_test!(current_history_show_status, |p| {
    p.migration(
        "a00000000001",
        &[],
        "CREATE TABLE t1 (id INTEGER);",
        Some("DROP TABLE t1;"),
    );
    p.migration(
        "a00000000002",
        &["a00000000001"],
        "CREATE TABLE t2 (id INTEGER);",
        Some("DROP TABLE t2;"),
    );
    p.migration(
        "a00000000003",
        &["a00000000002"],
        "CREATE TABLE t3 (id INTEGER);",
        Some("DROP TABLE t3;"),
    );

    let (code, out, err) = p.run(&["current"]);
    assert_eq!(code, 0);
    assert!(
        out.is_empty() && err.contains("no revision applied"),
        "{out}{err}"
    );
    // Read-only commands do not create a SQLite file that is not there.
    p.run(&["status"]);
    if p.backend == Backend::Sqlite {
        assert!(!p.path().join("test.db").exists());
    }
    // status --exit-code: 1 while something is pending.
    let (code, out, _) = p.run(&["status", "--exit-code"]);
    assert_eq!(code, 1, "{out}");
    assert!(out.contains("pending:  3"), "{out}");
    let status = json(&p.ok(&["--json", "status"]));
    assert_eq!(status["pending"].as_array().unwrap().len(), 3);
    assert_eq!(status["up_to_date"], false);

    p.ok(&["upgrade", "a00000000002"]);
    let cur = p.ok(&["current"]);
    assert!(
        cur.contains("a00000000002") && !cur.contains("a00000000003"),
        "{cur}"
    );
    let cur = json(&p.ok(&["--json", "current"]));
    assert_eq!(cur["current"][0]["revision"], "a00000000002");
    assert_eq!(cur["current"][0]["applied_by"], "tester");
    assert!(cur["current"][0]["applied_at"]
        .as_str()
        .is_some_and(|t| t.ends_with('Z')));
    // When, by whom and how long come from the current revision's own row.
    let verbose = p.ok(&["current", "--verbose"]);
    assert!(
        verbose.contains("applied: ") && verbose.contains(" by tester ("),
        "{verbose}"
    );

    let hist = p.ok(&["history", "--indicate-current"]);
    let lines: Vec<&str> = hist.lines().collect();
    assert_eq!(lines.len(), 3, "{hist}");
    assert!(lines[0].contains("a00000000003 (head)"), "{hist}");
    assert!(lines[1].contains("a00000000002 (current)"), "{hist}");
    let ranged = p.ok(&["history", "-r", "a00000000002:"]);
    assert_eq!(ranged.lines().count(), 2, "{ranged}");
    let ranged = p.ok(&["history", "-r", ":current"]);
    assert_eq!(ranged.lines().count(), 2, "{ranged}");
    let verbose = p.ok(&["history", "-v"]);
    assert!(verbose.contains("path: migrations/"), "{verbose}");

    let show = p.ok(&["show", "a00000000002"]);
    assert!(show.contains("Revises: a00000000001"), "{show}");
    assert!(show.contains("CREATE TABLE t2"), "{show}");
    let show = json(&p.ok(&["--json", "show", "head"]));
    assert_eq!(show["revisions"][0]["revision"], "a00000000003");

    let status = p.ok(&["status"]);
    assert!(
        status.contains("pending:  1") && status.contains("a00000000003"),
        "{status}"
    );
    // -q: only what needs attention.
    let (code, out, err) = p.run(&["-q", "status", "--exit-code"]);
    assert_eq!((code, err.as_str()), (1, ""), "{out}");
    assert_eq!(out.lines().count(), 2, "{out}");
    assert!(
        out.contains("pending:  1") && out.contains("a00000000003"),
        "{out}"
    );
    p.ok(&["upgrade", "head"]);
    let (code, out, _) = p.run(&["status", "--exit-code"]);
    assert_eq!(code, 0, "{out}");
    assert!(out.contains("up to date"), "{out}");
    let (code, out, err) = p.run(&["-q", "status", "--exit-code"]);
    assert_eq!((code, out.as_str(), err.as_str()), (0, "", ""));
});

db_test!(verbose_runs_echo_each_statement_with_file_and_line, |p| {
    let file = p.migration(
        "e00000000001",
        &[],
        "CREATE TABLE e1 (id INTEGER);\nCREATE TABLE e2 (\n  id INTEGER\n);",
        Some("DROP TABLE e2;\nDROP TABLE e1;"),
    );
    // Lines of the file: header (3), blank, marker, then the statements at 6 and 7.
    let (code, _, err) = p.run(&["-v", "upgrade", "head"]);
    assert_eq!(code, 0, "{err}");
    let first = format!("{file}:6:\n      CREATE TABLE e1 (id INTEGER)\n");
    let second = format!("{file}:7:\n      CREATE TABLE e2 (\n        id INTEGER\n      )\n");
    assert!(err.contains(&first) && err.contains(&second), "{err}");
    assert!(err.find(&first) < err.find(&second), "{err}");
    let (code, _, err) = p.run(&["-v", "downgrade", "base"]);
    assert_eq!(code, 0, "{err}");
    assert!(
        err.contains(&format!("{file}:12:\n      DROP TABLE e2\n")),
        "{err}"
    );
    assert!(
        err.contains(&format!("{file}:13:\n      DROP TABLE e1\n")),
        "{err}"
    );
    // Without -v, no statement is echoed.
    let (_, _, err) = p.run(&["upgrade", "head"]);
    assert!(err.contains("applied"), "{err}");
    assert!(!err.contains("CREATE TABLE"), "{err}");
    // redo: the recorded down section, then the file's up section.
    let (code, _, err) = p.run(&["-v", "redo"]);
    assert_eq!(code, 0, "{err}");
    assert!(err.contains("DROP TABLE e2\n"), "{err}");
    assert!(err.contains(&first) && err.contains(&second), "{err}");
    assert!(err.find("DROP TABLE e2") < err.find(&first), "{err}");
});

#[test]
fn quiet_init_prints_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let out = assert_cmd::Command::cargo_bin("retort")
        .unwrap()
        .current_dir(dir.path())
        .args(["-q", "init"])
        .output()
        .unwrap();
    assert!(out.status.success());
    assert_eq!(
        (out.stdout.as_slice(), out.stderr.as_slice()),
        (&b""[..], &b""[..])
    );
    assert!(dir.path().join("retort.toml").exists());
}

db_test!(upgrade_reports_each_migration_and_a_summary, |p| {
    p.migration(
        "b00000000001",
        &[],
        "CREATE TABLE t1 (id INTEGER);",
        Some("DROP TABLE t1;"),
    );
    p.migration(
        "b00000000002",
        &["b00000000001"],
        "CREATE TABLE t2 (id INTEGER);",
        Some("DROP TABLE t2;"),
    );
    let (code, out, err) = p.run(&["upgrade", "head"]);
    assert_eq!(code, 0);
    assert!(out.is_empty(), "data on stdout: {out}");
    assert!(
        err.contains("[1/2] b00000000001 migration b00000000001"),
        "{err}"
    );
    assert!(err.contains("[2/2] b00000000002"), "{err}");
    assert!(err.contains("applied 2 migrations"), "{err}");
    let (_, _, err) = p.run(&["upgrade", "head"]);
    assert!(err.contains("nothing to do"), "{err}");
    let v = json(&p.ok(&["--json", "downgrade", "base"]));
    assert_eq!(
        v["revisions"],
        serde_json::json!(["b00000000002", "b00000000001"])
    );
    let (_, _, err) = p.run(&["-q", "upgrade", "head"]);
    assert!(err.is_empty(), "-q printed: {err}");
});

/// A message is text from a file: an escape sequence in it is shown, never sent to the
/// terminal, in every listing.
#[test]
fn control_characters_in_messages_never_reach_the_terminal() {
    let p = TestProject::new(Backend::Sqlite);
    p.write(
        "migrations/0001_esc.sql",
        "-- red \u{1b}[31malert\u{7} and a CR\rhere\n-- revision: e5c000000001\n\n-- migrate:up\nCREATE TABLE e (id INTEGER);\n\n-- migrate:down\nDROP TABLE e;\n",
    );
    let (_, applied, progress) = p.run(&["upgrade", "head"]);
    for args in [
        &["history"][..],
        &["heads"],
        &["current"],
        &["show", "e5c000000001"],
        &["status"],
    ] {
        let out = p.ok(args);
        for text in [&out, &applied, &progress] {
            assert!(
                !text.contains(['\u{1b}', '\u{7}', '\r']),
                "{args:?}: a raw control character in {text:?}"
            );
        }
        if args != ["status"] && args != ["current"] {
            assert!(
                out.contains("red \\u{1b}[31malert\\u{7} and a CR\\rhere"),
                "{args:?}: {out}"
            );
        }
    }
}

// With `--json` an error is one JSON object on stdout, with the exit code it would
// have anyway; the human text stays on stderr.
db_test!(json_errors_are_one_object_on_stdout, |p| {
    let error = |args: &[&str], code: i32| {
        let (got, out, err) = p.run(args);
        assert_eq!(got, code, "{args:?}\nstdout:\n{out}\nstderr:\n{err}");
        assert!(err.contains("error: "), "{err}");
        // The whole of stdout is one document.
        let v: serde_json::Value = serde_json::from_str(&out)
            .unwrap_or_else(|e| panic!("{args:?}: stdout is not one JSON document ({e}):\n{out}"));
        let e = v["error"].clone();
        assert_eq!(e["exit_code"], code, "{out}");
        assert!(
            e["message"].as_str().is_some_and(|m| !m.is_empty()),
            "{out}"
        );
        assert!(e["hints"].is_array(), "{out}");
        e
    };
    let good = p.migration(
        "f00000000001",
        &[],
        "CREATE TABLE f1 (id INTEGER);",
        Some("DROP TABLE f1;"),
    );
    p.ok(&["upgrade", "head"]);
    // A statement that fails: its file and line (the first, so that nothing took effect
    // on MySQL either).
    let broken = p.migration(
        "f00000000002",
        &["f00000000001"],
        "CREATE TABLEE f3 (id INTEGER);\nCREATE TABLE f2 (id INTEGER);",
        Some("DROP TABLE f2;"),
    );
    let e = error(&["--json", "upgrade", "head"], 3);
    assert_eq!(e["kind"], "migration_failed");
    assert!(e["file"].as_str().unwrap_or("").ends_with(&broken), "{e}");
    assert_eq!(e["line"], 7, "{e}");
    assert_eq!(p.applied(), crate::util::ids(&["f00000000001"]));
    std::fs::remove_file(p.path().join(&broken)).unwrap();
    // A target that names nothing: no file, and the hint as a list.
    let e = error(&["--json", "upgrade", "nope"], 2);
    assert_eq!(e["kind"], "target");
    assert!(e["file"].is_null() && e["line"].is_null(), "{e}");
    assert_eq!(e["hints"][0], "`retort history` lists the revisions");
    // A graph error points at the header line.
    let orphan = p.migration("f00000000003", &["f0000000dead"], "SELECT 1;", None);
    let e = error(&["--json", "heads"], 2);
    assert_eq!(e["kind"], "graph");
    assert!(e["file"].as_str().unwrap_or("").ends_with(&orphan), "{e}");
    assert_eq!(e["line"], 4, "{e}");
    std::fs::remove_file(p.path().join(&orphan)).unwrap();
    // A config error: the line of the key.
    let config = p.read("retort.toml");
    p.write(
        "retort.toml",
        "[database]\n# url = \"${RETORT_SURELY_UNSET}\"\nurl = \"${RETORT_SURELY_UNSET}\"\n",
    );
    let e = error(&["--json", "current"], 2);
    assert_eq!(e["kind"], "config");
    assert!(
        e["file"].as_str().unwrap_or("").ends_with("retort.toml"),
        "{e}"
    );
    assert_eq!(e["line"], 3, "{e}");
    p.write("retort.toml", &config);
    // What clap refuses, too.
    let e = error(&["--json", "upgrade"], 2);
    assert_eq!(e["kind"], "usage");
    // Without --json, nothing on stdout.
    let (code, out, _) = p.run(&["upgrade", "nope"]);
    assert_eq!((code, out.as_str()), (2, ""));
    let _ = good;
});

// The stored time is the migration's whole time, commit included (where SQLite syncs the
// file), as the progress line shows it: never 0 for a migration that ran (0 is a stamp's).
db_test!(stored_time_is_the_whole_migration_commit_included, |p| {
    let up = |n: usize| format!("CREATE TABLE d{n} (id INTEGER);");
    let down = |n: usize| format!("DROP TABLE d{n};");
    p.migration("d00000000001", &[], &up(1), Some(&down(1)));
    p.migration("d00000000002", &["d00000000001"], &up(2), Some(&down(2)));
    p.migration("d00000000003", &["d00000000002"], &up(3), Some(&down(3)));
    let (code, _, err) = p.run(&["upgrade", "head"]);
    assert_eq!(code, 0, "{err}");
    // "  applied  [1/3] d00000000001 migration d00000000001 (2.1 ms)"
    let shown: Vec<(String, f64)> = err
        .lines()
        .filter(|l| l.contains("applied  ["))
        .map(|l| {
            let id = l.split_whitespace().nth(2).unwrap_or("").to_string();
            let time = l.rsplit_once('(').map_or("", |(_, t)| t);
            let ms = time.trim_end_matches(" ms)").parse::<f64>().unwrap_or(-1.0);
            (id, ms)
        })
        .collect();
    assert_eq!(shown.len(), 3, "{err}");
    let mut conn = p.connect();
    for (id, ms) in &shown {
        assert!(*ms >= 0.0, "{err}");
        let sql = format!("SELECT execution_ms FROM retort_version WHERE revision = '{id}'");
        let stored = conn.query(&sql, &[]).unwrap()[0][0].as_i64().unwrap_or(-1);
        let sql = format!(
            "SELECT execution_ms FROM retort_log WHERE revision = '{id}' AND action = 'upgrade'"
        );
        let logged = conn.query(&sql, &[]).unwrap()[0][0].as_i64().unwrap_or(-1);
        // The log row, appended before the COMMIT, is never rewritten: at most the time
        // of the commit less.
        assert!(
            logged >= 1 && logged <= stored,
            "{id}: {logged} logged, {stored} stored"
        );
        assert!(stored >= 1, "{id}: {stored} ms stored\n{err}");
        // Measured a moment before the line's time, rounded to the nearest.
        assert!(
            (stored as f64) >= ms.floor() - 1.0 && (stored as f64) <= ms.ceil() + 1.0,
            "{id}: {stored} ms stored, {ms} ms shown\n{err}"
        );
    }
});
