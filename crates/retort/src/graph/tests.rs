use super::testutil::*;
use super::*;

fn err(nodes: Vec<NodeSpec>) -> GraphError {
    match Graph::new(nodes) {
        Ok(_) => panic!("expected an error"),
        Err(e) => e,
    }
}

#[test]
fn empty_graph() {
    let g = Graph::new(vec![]).unwrap();
    assert!(g.is_empty());
    assert_eq!(g.len(), 0);
    assert!(g.heads().is_empty());
    assert!(g.bases().is_empty());
    assert!(g.topo_order().is_empty());
    assert!(g.current_heads(&[]).is_empty());
}

#[test]
fn index_of_near_agrees_with_index_of_whatever_the_hint() {
    let g = merged();
    for i in 0..g.len() {
        let id = g.id(i).to_string();
        for hint in [0, i, i + 1, g.len(), usize::MAX] {
            assert_eq!(g.index_of_near(&id, hint), Some(i), "{id} near {hint}");
        }
    }
    assert_eq!(g.index_of_near("nope", 0), None);
    assert_eq!(g.index_of_near("", g.len()), None);
}

#[test]
fn accessors() {
    let g = merged();
    let mg = g.index_of("mg").unwrap();
    assert_eq!(g.id(mg), "mg");
    assert_eq!(ids(&g, g.parents(mg)), ["m2", "b2"]);
    let r1 = g.index_of("r1").unwrap();
    assert_eq!(ids(&g, g.children(r1)), ["b1", "m1"]);
    assert_eq!(g.index_of("nope"), None);
    assert_eq!(g.label_owner("feat"), g.index_of("b1"));
    assert_eq!(g.label_owner("nope"), None);
    assert_eq!(g.branch_labels(), ["feat", "main"]);
    let c = crossdep();
    let x1 = c.index_of("x1").unwrap();
    let y2 = c.index_of("y2").unwrap();
    assert_eq!(c.dependencies(y2), [x1]);
    assert_eq!(c.dependents(x1), [y2]);
    assert!(c.dependencies(x1).is_empty());
}

#[test]
fn heads_and_bases() {
    let g = merged();
    assert_eq!(ids(&g, &g.heads()), ["mg"]);
    assert_eq!(ids(&g, &g.bases()), ["r0"]);
    let c = crossdep();
    // x1 is depended on but stays a non-head only because x2 revises it; x2 is a head.
    assert_eq!(ids(&c, &c.heads()), ["x2", "y2"]);
    let two_roots = Graph::new(vec![
        spec("s1", &["s0"], &[], &[]),
        spec("t0", &[], &[], &[]),
        spec("s0", &[], &[], &[]),
    ])
    .unwrap();
    assert_eq!(ids(&two_roots, &two_roots.bases()), ["t0", "s0"]);
    assert_eq!(ids(&two_roots, &two_roots.heads()), ["t0", "s1"]);
}

#[test]
fn depends_on_does_not_make_a_head() {
    let g = Graph::new(vec![spec("a", &[], &[], &[]), spec("b", &[], &["a"], &[])]).unwrap();
    assert_eq!(ids(&g, &g.heads()), ["a", "b"]);
}

#[test]
fn topo_order_ties_by_input_index() {
    // Input: c revises a; a; b. Ready at start: a(1), b(2) -> a, then c(0) beats b(2).
    let g = Graph::new(vec![
        spec("c", &["a"], &[], &[]),
        spec("a", &[], &[], &[]),
        spec("b", &[], &[], &[]),
    ])
    .unwrap();
    assert_eq!(g.topo_order(), [1, 0, 2]);
    // depends_on orders too.
    let g = Graph::new(vec![spec("x", &[], &["y"], &[]), spec("y", &[], &[], &[])]).unwrap();
    assert_eq!(ids(&g, g.topo_order()), ["y", "x"]);
}

#[test]
fn current_heads_of_applied_sets() {
    let g = merged();
    assert!(g.current_heads(&set(&g, &[])).is_empty());
    assert_eq!(
        ids(&g, &g.current_heads(&set(&g, &["r0", "r1", "m1", "b1"]))),
        ["b1", "m1"]
    );
    assert_eq!(ids(&g, &g.current_heads(&set(&g, &["r0", "r1"]))), ["r1"]);
    let all = vec![true; g.len()];
    assert_eq!(ids(&g, &g.current_heads(&all)), ["mg"]);
    // depends_on edges do not hide a head.
    let c = crossdep();
    assert_eq!(
        ids(&c, &c.current_heads(&set(&c, &["r0", "x1", "y1", "y2"]))),
        ["x1", "y2"]
    );
    // A short slice reads as "not applied" instead of panicking.
    assert_eq!(ids(&g, &g.current_heads(&[true])), ["r0"]);
}

#[test]
fn closures() {
    let c = crossdep();
    let y2 = c.index_of("y2").unwrap();
    assert_eq!(members(&c, &c.ancestors(&[y2])), ["r0", "x1", "y1", "y2"]);
    let x1 = c.index_of("x1").unwrap();
    assert_eq!(members(&c, &c.descendants(&[x1])), ["x1", "x2", "y2"]);
    assert_eq!(members(&c, &c.strict_descendants(&[x1])), ["x2", "y2"]);
    assert_eq!(members(&c, &c.branch_members(&[x1])), ["x1", "x2"]);
    assert!(members(&c, &c.ancestors(&[])).is_empty());
    assert!(members(&c, &c.ancestors(&[99])).is_empty());
}

#[test]
fn resolve_id_exact_prefix_and_errors() {
    let g = Graph::new(vec![
        spec("ab", &[], &[], &[]),
        spec("abc1", &["ab"], &[], &[]),
        spec("abc2", &["ab"], &[], &[]),
        spec("ffee", &[], &[], &[]),
    ])
    .unwrap();
    // Exact beats prefix even though "ab" prefixes three ids.
    assert_eq!(g.resolve_id("ab"), Ok(0));
    assert_eq!(g.resolve_id("abc1"), Ok(1));
    assert_eq!(g.resolve_id("f"), Ok(3));
    assert_eq!(
        g.resolve_id("abc"),
        Err(GraphError::AmbiguousPrefix {
            prefix: "abc".into(),
            candidates: vec!["abc1".into(), "abc2".into()],
            total: 2
        })
    );
    assert_eq!(
        g.resolve_id("a"),
        Err(GraphError::AmbiguousPrefix {
            prefix: "a".into(),
            candidates: vec!["ab".into(), "abc1".into(), "abc2".into()],
            total: 3
        })
    );
    assert_eq!(
        g.resolve_id("abd"),
        Err(GraphError::UnknownRevision {
            given: "abd".into()
        })
    );
    assert_eq!(
        g.resolve_id("zz"),
        Err(GraphError::UnknownRevision { given: "zz".into() })
    );
    assert!(matches!(
        g.resolve_id(""),
        Err(GraphError::BadTarget { .. })
    ));
}

#[test]
fn ambiguous_prefix_lists_at_most_ten() {
    let g = Graph::new(
        (0..25)
            .map(|i| spec(&format!("{:04x}", 0xa00 + i), &[], &[], &[]))
            .collect(),
    )
    .unwrap();
    let e = g.resolve_id("0").unwrap_err();
    let GraphError::AmbiguousPrefix {
        candidates, total, ..
    } = &e
    else {
        panic!("{e:?}")
    };
    assert_eq!(*total, 25);
    assert_eq!(candidates.len(), 10);
    assert_eq!(candidates[0], "0a00");
    assert_eq!(candidates[9], "0a09");
    assert!(e.to_string().contains("(and 15 more)"), "{e}");
}

#[test]
fn duplicate_id() {
    let e = err(vec![
        spec("a", &[], &[], &[]),
        spec("b", &["a"], &[], &[]),
        spec("a", &["b"], &[], &[]),
    ]);
    assert_eq!(
        e,
        GraphError::DuplicateId {
            id: "a".into(),
            first: 0,
            second: 2
        }
    );
    assert!(e.to_string().contains("fresh id"));
}

#[test]
fn missing_parent_and_dependency() {
    assert_eq!(
        err(vec![spec("a", &[], &[], &[]), spec("b", &["zz"], &[], &[])]),
        GraphError::MissingParent {
            index: 1,
            id: "b".into(),
            parent: "zz".into()
        }
    );
    assert_eq!(
        err(vec![spec("a", &[], &["zz"], &[])]),
        GraphError::MissingDependency {
            index: 0,
            id: "a".into(),
            dependency: "zz".into()
        }
    );
}

#[test]
fn duplicate_branch_label() {
    assert_eq!(
        err(vec![
            spec("a", &[], &[], &["x"]),
            spec("b", &["a"], &[], &["y", "x"]),
        ]),
        GraphError::DuplicateBranchLabel {
            label: "x".into(),
            first: "a".into(),
            second: "b".into()
        }
    );
    // The same label twice on one revision is harmless.
    assert!(Graph::new(vec![spec("a", &[], &[], &["x", "x"])]).is_ok());
}

#[test]
fn repeated_edges_count_once() {
    let g = Graph::new(vec![
        spec("a", &[], &[], &[]),
        spec("b", &["a", "a"], &["a", "a"], &[]),
        spec("c", &["b"], &[], &[]),
    ])
    .unwrap();
    assert_eq!(g.parents(1), [0]);
    assert_eq!(g.children(0), [1]);
    assert_eq!(g.dependencies(1), [0]);
    assert_eq!(ids(&g, g.topo_order()), ["a", "b", "c"]);
}

#[test]
fn cycles_are_reported_in_order() {
    // a revises c, b revises a, c revises b; d hangs off the cycle.
    let e = err(vec![
        spec("d", &["b"], &[], &[]),
        spec("a", &["c"], &[], &[]),
        spec("b", &["a"], &[], &[]),
        spec("c", &["b"], &[], &[]),
        spec("ok", &[], &[], &[]),
    ]);
    assert_eq!(
        e,
        GraphError::Cycle {
            ids: vec!["a".into(), "b".into(), "c".into()]
        }
    );
    assert!(e.to_string().contains("`a` -> `b` -> `c` -> `a`"), "{e}");
    assert_eq!(
        err(vec![spec("s", &["s"], &[], &[])]),
        GraphError::Cycle {
            ids: vec!["s".into()]
        }
    );
    // Through depends_on.
    assert_eq!(
        err(vec![
            spec("p", &[], &["q"], &[]),
            spec("q", &["p"], &[], &[]),
        ]),
        GraphError::Cycle {
            ids: vec!["p".into(), "q".into()]
        }
    );
}

#[test]
fn long_cycle_is_found_without_recursion() {
    let n = 10_000;
    let id = |i: usize| format!("{i:012x}");
    let nodes = (0..n)
        .map(|i| spec(&id(i), &[&id((i + n - 1) % n)], &[], &[]))
        .collect();
    let GraphError::Cycle { ids } = err(nodes) else {
        panic!("expected a cycle")
    };
    assert_eq!(ids.len(), n);
    assert_eq!(ids[0], id(0));
    assert_eq!(ids[1], id(1));
}

#[test]
fn error_messages_say_what_to_do() {
    let heads = GraphError::MultipleHeads {
        heads: vec!["a".into(), "b".into()],
    };
    assert_eq!(
        heads.to_string(),
        "multiple heads: a, b; target `heads` to upgrade all of them, or merge them into one"
    );
    let cases = [
        (
            GraphError::UnknownBranchLabel {
                label: "f".into(),
                known: vec!["g".into()],
            },
            "known labels: g",
        ),
        (
            GraphError::UnknownBranchLabel {
                label: "f".into(),
                known: vec![],
            },
            "name a revision id",
        ),
        (
            GraphError::WrongDirection {
                target: "-1".into(),
            },
            "`-1` moves backwards: it is a downgrade",
        ),
        (
            GraphError::WrongDirection {
                target: "+2".into(),
            },
            "`+2` moves forwards: it is an upgrade",
        ),
        (
            GraphError::NotApplied { rev: "ab".into() },
            "upgrade to it instead",
        ),
        (
            GraphError::NotInBranch {
                rev: "ab".into(),
                label: "f".into(),
            },
            "drop the `f@` prefix",
        ),
        (
            GraphError::NeedsCurrent {
                target: "+1".into(),
            },
            "use it with upgrade or downgrade",
        ),
        (
            GraphError::RelativeOutOfRange {
                target: "+3".into(),
                requested: 3,
                available: 1,
            },
            "only 1 are possible",
        ),
        (
            GraphError::AmbiguousWalk {
                from: "a".into(),
                candidates: vec!["b".into(), "c".into()],
            },
            "forks there into b, c",
        ),
        (
            GraphError::AmbiguousRelative {
                heads: vec!["b".into(), "c".into()],
            },
            "database is at b, c",
        ),
        (
            GraphError::BadTarget {
                given: "x y".into(),
                reason: "r".into(),
            },
            "invalid target `x y`: r;",
        ),
    ];
    for (e, needle) in cases {
        let msg = e.to_string();
        assert!(msg.contains(needle), "{msg:?} lacks {needle:?}");
    }
}

/// Guards against recursion and quadratic walks: this must finish promptly even in a
/// debug build. No timing assertion, only that it completes with sane answers.
#[test]
fn ten_thousand_revisions() {
    let n = 10_000;
    let g = linear(n);
    assert_eq!(g.heads(), [n - 1]);
    let none = vec![false; n];
    let up = g.plan_upgrade(&none, &Target::Heads).unwrap();
    assert_eq!(up.len(), n);
    let all = vec![true; n];
    let down = g.plan_downgrade(&all, &Target::Base).unwrap();
    assert_eq!(down.first(), Some(&(n - 1)));
    assert_eq!(
        g.plan_downgrade(&all, &Target::Relative(-5000))
            .unwrap()
            .len(),
        5000
    );
    assert_eq!(
        g.resolve(&Target::RevRelative {
            rev: g.id(0).to_string(),
            delta: 9_999
        }),
        Ok(vec![n - 1])
    );
    for i in (0..n).step_by(7) {
        assert_eq!(g.resolve_id(&g.id(i)[..10]), Ok(i));
    }

    // Many branches and merges, plus cross-branch dependencies, shuffled input.
    let id = hex_id;
    let mut nodes: Vec<NodeSpec> = Vec::with_capacity(n);
    let mut open: Vec<usize> = vec![0];
    nodes.push(spec(&id(0), &[], &[], &["trunk"]));
    for i in 1..n {
        let mut revises = Vec::new();
        let mut depends = Vec::new();
        let last = open.len() - 1;
        if i % 5 == 0 {
            // Fork: a new branch off an older revision.
            revises.push(id(i / 2));
            open.push(i);
        } else if i % 7 == 0 && open.len() >= 2 {
            // Merge the two newest open branches.
            let a = open.remove(last);
            let b = open.remove(last - 1);
            revises.push(id(a));
            revises.push(id(b));
            open.push(i);
        } else {
            revises.push(id(open[last]));
            open[last] = i;
        }
        if i % 13 == 0 && i > 3 {
            depends.push(id(i - 3));
        }
        let revises: Vec<&str> = revises.iter().map(String::as_str).collect();
        let depends: Vec<&str> = depends.iter().map(String::as_str).collect();
        nodes.push(spec(&id(i), &revises, &depends, &[]));
    }
    nodes.reverse();
    let g = Graph::new(nodes).unwrap();
    let heads = g.heads();
    assert!(heads.len() > 1);
    let none = vec![false; n];
    let up = g.plan_upgrade(&none, &Target::Heads).unwrap();
    assert_eq!(up, g.topo_order());
    let all = vec![true; n];
    let mut down = g.plan_downgrade(&all, &Target::Base).unwrap();
    down.reverse();
    assert_eq!(down, up);
    assert_eq!(g.current_heads(&all), heads);
    let trunk = g.resolve(&Target::LabelRev {
        label: "trunk".into(),
        rev: id(0),
    });
    assert_eq!(trunk.map(|v| v.len()), Ok(1));
    let half = g.ancestors(&[g.index_of(&id(n / 2)).unwrap()]);
    let stamped = g.plan_stamp(&half, &Target::Heads, false).unwrap();
    assert!(stamped.iter().all(|&b| b));
    let d = g.plan_downgrade(&all, &Target::Rev(id(0))).unwrap();
    assert_eq!(d.len(), n - 1);
    for i in (0..n).step_by(3) {
        assert_eq!(g.resolve_id(&id(i)[..10]).ok(), g.index_of(&id(i)));
    }
}
