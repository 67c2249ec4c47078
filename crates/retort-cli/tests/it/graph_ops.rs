//! Branches, merges, labels and the target grammar, end to end.

use crate::db_test;
use crate::util::*;

/// base ─ r1 ─┬─ r2a (label: feature) ─ r3a
///            └─ r2b
fn branched(p: &TestProject) {
    p.migration(
        "c00000000001",
        &[],
        "CREATE TABLE base_t (id INTEGER);",
        Some("DROP TABLE base_t;"),
    );
    p.migration_with(
        "c0000000002a",
        &["c00000000001"],
        "-- branch_labels: feature\n",
        "CREATE TABLE a2 (id INTEGER);",
        Some("DROP TABLE a2;"),
    );
    p.migration(
        "c0000000003a",
        &["c0000000002a"],
        "CREATE TABLE a3 (id INTEGER);",
        Some("DROP TABLE a3;"),
    );
    p.migration(
        "c0000000002b",
        &["c00000000001"],
        "CREATE TABLE b2 (id INTEGER);",
        Some("DROP TABLE b2;"),
    );
}

db_test!(head_with_two_heads_is_refused_with_advice, |p| {
    branched(p);
    let err = p.fails(&["upgrade", "head"], 2);
    assert!(
        err.contains("c0000000003a") && err.contains("c0000000002b"),
        "{err}"
    );
    assert!(err.contains("heads") && err.contains("merge"), "{err}");
    assert!(p.applied().is_empty());
    let heads = p.ok(&["heads"]);
    assert_eq!(heads.lines().count(), 2, "{heads}");
    let branches = p.ok(&["branches"]);
    assert!(
        branches.contains("c00000000001") && branches.contains("branchpoint"),
        "{branches}"
    );
});

db_test!(labels_and_branches, |p| {
    branched(p);
    p.ok(&["upgrade", "feature@head"]);
    assert_eq!(
        p.applied(),
        ids(&["c00000000001", "c0000000002a", "c0000000003a"])
    );
    p.ok(&["upgrade", "heads"]);
    assert_eq!(p.applied().len(), 4);
    let cur = p.ok(&["current"]);
    assert_eq!(cur.lines().count(), 2, "{cur}");
    // Downgrading to the branch point reverts both branches, newest first.
    p.ok(&["downgrade", "c00000000001"]);
    assert_eq!(p.applied(), ids(&["c00000000001"]));
    p.ok(&["upgrade", "feature@c0000000002a"]);
    assert_eq!(p.applied(), ids(&["c00000000001", "c0000000002a"]));
    // Parents, the revision, its tags (head, the marks asked for, labels), its message.
    let hist = p.ok(&["history", "--indicate-current"]);
    let line = |rev: &str| {
        hist.lines()
            .find(|l| l.contains(&format!("> {rev}")))
            .unwrap_or_default()
            .to_string()
    };
    for (rev, start) in [
        ("c00000000001", "<base> -> c00000000001, "),
        (
            "c0000000002a",
            "c00000000001 -> c0000000002a (current) (labels: feature), ",
        ),
        ("c0000000003a", "c0000000002a -> c0000000003a (head), "),
        ("c0000000002b", "c00000000001 -> c0000000002b (head), "),
    ] {
        assert!(line(rev).starts_with(start), "{rev}: {hist}");
    }
    let err = p.fails(&["upgrade", "nosuch@head"], 2);
    assert!(err.contains("nosuch") && err.contains("feature"), "{err}");
    assert_eq!(p.applied().len(), 2);
});

// `LABEL@base`: downgrading there reverts the labelled branch alone.
db_test!(label_base_reverts_one_branch, |p| {
    branched(p);
    p.ok(&["upgrade", "heads"]);
    assert_eq!(p.applied().len(), 4);
    p.ok(&["downgrade", "feature@base"]);
    assert_eq!(p.applied(), ids(&["c00000000001", "c0000000002b"]));
    assert_eq!(p.tables(), ["b2", "base_t"]);
    // Nothing left of the branch: nothing to do.
    p.ok(&["downgrade", "feature@base"]);
    assert_eq!(p.applied(), ids(&["c00000000001", "c0000000002b"]));
    // As an upgrade target it is where the branch starts from.
    p.ok(&["upgrade", "feature@base"]);
    assert_eq!(p.applied(), ids(&["c00000000001", "c0000000002b"]));
    let script = p.ok(&["downgrade", "heads:feature@base", "--sql"]);
    assert!(
        script.contains("DROP TABLE a3") && !script.contains("DROP TABLE b2"),
        "{script}"
    );
});

db_test!(merge_joins_heads, |p| {
    branched(p);
    p.ok(&["upgrade", "heads"]);
    let out = p.ok(&["merge", "-m", "join", "--rev-id", "c00000000004", "heads"]);
    let text = p.read(out.trim());
    assert!(
        text.contains("-- revises: c0000000003a, c0000000002b"),
        "{text}"
    );
    let heads = p.ok(&["heads"]);
    assert_eq!(heads.lines().count(), 1);
    assert!(heads.contains("c00000000004"));
    p.ok(&["upgrade", "head"]);
    assert_eq!(p.applied().len(), 5);
    // The merge reverts alone: both branches stay.
    p.ok(&["downgrade", "-1"]);
    assert_eq!(p.applied().len(), 4);
    let err = p.fails(&["merge", "-m", "x", "c0000000003a"], 2);
    assert!(err.contains("two or more"), "{err}");
});

db_test!(relative_and_prefix_targets, |p| {
    p.migration(
        "d00000000001",
        &[],
        "CREATE TABLE t1 (id INTEGER);",
        Some("DROP TABLE t1;"),
    );
    p.migration(
        "d00000000002",
        &["d00000000001"],
        "CREATE TABLE t2 (id INTEGER);",
        Some("DROP TABLE t2;"),
    );
    p.migration(
        "d10000000003",
        &["d00000000002"],
        "CREATE TABLE t3 (id INTEGER);",
        Some("DROP TABLE t3;"),
    );
    p.ok(&["upgrade", "+2"]);
    assert_eq!(p.applied(), ids(&["d00000000001", "d00000000002"]));
    p.ok(&["downgrade", "-1"]);
    assert_eq!(p.applied(), ids(&["d00000000001"]));
    let err = p.fails(&["upgrade", "+5"], 2);
    assert!(err.contains("+5"), "{err}");
    p.ok(&["upgrade", "d1"]);
    assert_eq!(p.applied().len(), 3);
    let err = p.fails(&["downgrade", "d0"], 2);
    assert!(
        err.contains("d0") && err.contains("d00000000001") && err.contains("d00000000002"),
        "{err}"
    );
    p.ok(&["downgrade", "d00000000001+1"]);
    assert_eq!(p.applied(), ids(&["d00000000001", "d00000000002"]));
    let err = p.fails(&["upgrade", "zzz"], 2);
    assert!(err.contains("zzz"), "{err}");
    p.fails(&["upgrade", "-1"], 2);
    p.ok(&["downgrade", "base"]);
    assert!(p.applied().is_empty());
    assert!(p.tables().is_empty());
});
