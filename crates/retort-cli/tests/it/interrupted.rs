//! A migration left half-done (a row `running:N` or `reverting:N`, as a crash or a killed
//! client leaves it on MySQL or with `transaction: false`): every command and every output
//! format says the same thing about it, and none calls the database up to date.

use crate::db_test;
use crate::util::*;

/// `a` applied, `b` (three statements, outside a transaction) left with `state`.
fn half_done(p: &TestProject, state: &str) {
    p.migration(
        "ab0000000001",
        &[],
        "CREATE TABLE ha (id INTEGER);",
        Some("DROP TABLE ha;"),
    );
    p.migration_with(
        "ab0000000002",
        &["ab0000000001"],
        "-- transaction: false\n",
        "CREATE TABLE hb (id INTEGER);\nINSERT INTO hb VALUES (1);\nINSERT INTO hb SELECT id + 1 FROM hb;",
        Some("DELETE FROM hb;\nDROP TABLE hb;"),
    );
    p.ok(&["upgrade", "head"]);
    p.exec(&format!(
        "UPDATE retort_version SET state = '{state}' WHERE revision = 'ab0000000002'"
    ));
}

db_test!(a_half_done_migration_is_reported_alike_everywhere, |p| {
    half_done(p, "running:1");
    // What a kill during the second statement leaves: the first certainly took effect,
    // the second (line 9) may or may not have.
    let said = "up of ab0000000002 (migrations/0001_ab0000000002.sql): 1 statement(s) certainly took effect, the last at line 8: CREATE TABLE hb (id INTEGER); the next, at line 9, may or may not have";
    let (code, out, _) = p.run(&["status", "--exit-code"]);
    assert_eq!(code, 1, "{out}");
    assert!(out.contains(&format!("interrupted: {said}")), "{out}");
    assert!(!out.contains("up to date"), "{out}");
    let json: serde_json::Value = serde_json::from_str(&p.ok(&["status", "--json"])).expect("json");
    assert_eq!(json["up_to_date"], false);
    assert_eq!(json["running"], serde_json::json!(["ab0000000002"]));

    let (code, out, err) = p.run(&["current"]);
    assert_eq!(code, 0);
    assert!(
        out.contains("ab0000000002 (head) (interrupted while applying)"),
        "{out}"
    );
    assert!(err.contains(said), "{err}");
    let json: serde_json::Value =
        serde_json::from_str(&p.ok(&["current", "--json"])).expect("json");
    assert_eq!(json["current"][0]["state"], "running:1");
    assert_eq!(json["interrupted"], serde_json::json!(["ab0000000002"]));

    let history = p.ok(&["history", "-i"]);
    assert!(
        history.contains("(current) (interrupted while applying)"),
        "{history}"
    );

    let (code, out, _) = p.run(&["validate"]);
    assert_eq!(code, 1);
    assert!(out.contains(said), "{out}");

    for args in [&["upgrade", "head"][..], &["downgrade", "base"]] {
        let err = p.fails(args, 3);
        assert!(err.contains(said) && err.contains("retort stamp"), "{err}");
    }

    // The same for a downgrade left half-done.
    p.exec("UPDATE retort_version SET state = 'reverting:1' WHERE revision = 'ab0000000002'");
    let out = p.ok(&["status"]);
    assert!(
        out.contains("interrupted: down of ab0000000002")
            && out.contains("line 13: DELETE FROM hb"),
        "{out}"
    );
    assert!(
        out.contains("the next, at line 14, may or may not have"),
        "{out}"
    );
    let out = p.ok(&["current"]);
    assert!(out.contains("(interrupted while reverting)"), "{out}");
});

db_test!(a_failed_downgrade_names_what_it_reverted_before, |p| {
    p.migration(
        "ac0000000001",
        &[],
        "CREATE TABLE fa (id INTEGER);",
        Some("DROP TABLE fa;"),
    );
    p.migration(
        "ac0000000002",
        &["ac0000000001"],
        "CREATE TABLE fb (id INTEGER);",
        Some("DROP TABLE no_such_table_here;"),
    );
    p.migration(
        "ac0000000003",
        &["ac0000000002"],
        "CREATE TABLE fc (id INTEGER);",
        Some("DROP TABLE fc;"),
    );
    p.ok(&["upgrade", "head"]);
    let err = p.fails(&["downgrade", "base"], 3);
    assert!(
        err.contains("reverted before the failure (no longer applied): ac0000000003"),
        "{err}"
    );
    assert!(!err.contains("as it was before the run"), "{err}");
    assert!(!err.contains("still applied"), "{err}");
    assert_eq!(p.applied(), ids(&["ac0000000001", "ac0000000002"]));
    assert_eq!(p.tables(), ids(&["fa", "fb"]));
});
