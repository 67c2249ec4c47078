//! Properties of planning over random DAGs: whatever the shape, plans must respect every
//! edge, reach exactly the requested state, and undo each other.

use proptest::prelude::*;

use super::testutil::hex_id;
use super::{Graph, NodeSpec, Target};

/// Raw per-node choices: (parent count, parent a, parent b, dependency?, dependency,
/// label?). Interpreted by `build` relative to the node's creation position.
type RawNode = (u8, u16, u16, u8, u16, u8);

/// Small deterministic generator for the choices that depend on the graph's size
/// (shuffle, subsets), seeded by proptest so failures reproduce.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
}

struct Case {
    graph: Graph,
    rng: Rng,
}

fn build(raw: &[RawNode], seed: u64) -> Case {
    let mut nodes: Vec<NodeSpec> = Vec::with_capacity(raw.len());
    for (i, &(count, a, b, dep_kind, dep, label)) in raw.iter().enumerate() {
        let mut revises: Vec<usize> = Vec::new();
        if i > 0 {
            let count = count % 3;
            if count >= 1 {
                revises.push(a as usize % i);
            }
            let second = b as usize % i;
            if count == 2 && !revises.contains(&second) {
                revises.push(second);
            }
        }
        let mut depends_on = Vec::new();
        if i > 0 && dep_kind % 4 == 0 {
            let d = dep as usize % i;
            if !revises.contains(&d) {
                depends_on.push(hex_id(d));
            }
        }
        nodes.push(NodeSpec {
            id: hex_id(i),
            revises: revises.into_iter().map(hex_id).collect(),
            depends_on,
            branch_labels: if label % 5 == 0 {
                vec![format!("l{i}")]
            } else {
                vec![]
            },
        });
    }
    let mut rng = Rng(seed);
    for i in (1..nodes.len()).rev() {
        let j = rng.below(i + 1);
        nodes.swap(i, j);
    }
    match Graph::new(nodes) {
        Ok(graph) => Case { graph, rng },
        Err(e) => panic!("generated graph rejected: {e}"),
    }
}

fn case() -> impl Strategy<Value = (Vec<RawNode>, u64)> {
    (prop::collection::vec(any::<RawNode>(), 1..40), any::<u64>())
}

/// An ancestor-closed applied set: the ancestors of a random subset.
fn random_applied(g: &Graph, rng: &mut Rng) -> Vec<bool> {
    let every = 1 + rng.below(4);
    let picked: Vec<usize> = (0..g.len()).filter(|_| rng.below(every + 1) == 0).collect();
    g.ancestors(&picked)
}

fn rev(g: &Graph, i: usize) -> Target {
    Target::Rev(g.id(i).to_string())
}

fn is_closed(g: &Graph, set: &[bool]) -> bool {
    (0..g.len()).all(|i| {
        !set[i]
            || g.parents(i)
                .iter()
                .chain(g.dependencies(i))
                .all(|&p| set[p])
    })
}

/// Independent of `strict_descendants`: x is strictly beyond r when r is among x's
/// ancestors. Quadratic, which is fine at 40 nodes.
fn naive_strict_descendants(g: &Graph, r: usize) -> Vec<bool> {
    (0..g.len())
        .map(|x| x != r && g.ancestors(&[x])[r])
        .collect()
}

fn position_in_topo(g: &Graph) -> Vec<usize> {
    let mut pos = vec![0; g.len()];
    for (k, &i) in g.topo_order().iter().enumerate() {
        pos[i] = k;
    }
    pos
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]

    #[test]
    fn topo_order_matches_naive_smallest_ready_first((raw, seed) in case()) {
        let g = build(&raw, seed).graph;
        let n = g.len();
        let mut placed = vec![false; n];
        let mut naive = Vec::with_capacity(n);
        for _ in 0..n {
            let next = (0..n).find(|&i| {
                !placed[i] && g.parents(i).iter().chain(g.dependencies(i)).all(|&p| placed[p])
            });
            let Some(next) = next else { break };
            placed[next] = true;
            naive.push(next);
        }
        prop_assert_eq!(g.topo_order(), naive.as_slice());
        let naive_heads: Vec<usize> = g
            .topo_order()
            .iter()
            .copied()
            .filter(|&i| (0..n).all(|c| !g.parents(c).contains(&i)))
            .collect();
        prop_assert_eq!(g.heads(), naive_heads);
    }

    #[test]
    fn prefixes_resolve_like_a_linear_scan((raw, seed) in case()) {
        let g = build(&raw, seed).graph;
        for i in 0..g.len() {
            let id = g.id(i).to_string();
            prop_assert_eq!(g.resolve_id(&id), Ok(i));
            for len in [1, 2, 3] {
                let prefix = &id[..len];
                let matching: Vec<usize> =
                    (0..g.len()).filter(|&j| g.id(j).starts_with(prefix)).collect();
                match g.resolve_id(prefix) {
                    Ok(j) => prop_assert_eq!(matching, vec![j]),
                    Err(_) => prop_assert!(matching.len() > 1),
                }
            }
        }
    }

    /// (1) Upgrading to any revision applies exactly its missing ancestors, each after
    /// its parents and dependencies.
    #[test]
    fn upgrade_respects_edges_and_reaches_target((raw, seed) in case()) {
        let Case { graph: g, mut rng } = build(&raw, seed);
        let applied = random_applied(&g, &mut rng);
        let pos = position_in_topo(&g);
        for r in 0..g.len() {
            let plan = g.plan_upgrade(&applied, &rev(&g, r)).map_err(|e| TestCaseError::fail(e.to_string()))?;
            let mut state = applied.clone();
            for &x in &plan {
                prop_assert!(!state[x], "{} applied twice or already applied", x);
                for &p in g.parents(x).iter().chain(g.dependencies(x)) {
                    prop_assert!(state[p], "{} applied before its prerequisite {}", x, p);
                }
                state[x] = true;
            }
            prop_assert!(plan.windows(2).all(|w| pos[w[0]] < pos[w[1]]));
            let want = g.ancestors(&[r]);
            for i in 0..g.len() {
                prop_assert_eq!(state[i], applied[i] || want[i]);
            }
            let fresh = g.plan_upgrade(&vec![false; g.len()], &rev(&g, r)).map_err(|e| TestCaseError::fail(e.to_string()))?;
            let mut from_empty = vec![false; g.len()];
            for &x in &fresh {
                from_empty[x] = true;
            }
            prop_assert_eq!(fresh.len(), want.iter().filter(|&&b| b).count());
            prop_assert_eq!(from_empty, want);
        }
    }

    /// (2) Downgrading to an applied revision removes exactly what lies beyond it, never
    /// leaving an applied revision whose parent or dependency is gone.
    #[test]
    fn downgrade_removes_exactly_what_lies_beyond((raw, seed) in case()) {
        let Case { graph: g, mut rng } = build(&raw, seed);
        let applied = random_applied(&g, &mut rng);
        for r in (0..g.len()).filter(|&r| applied[r]) {
            let plan = g.plan_downgrade(&applied, &rev(&g, r)).map_err(|e| TestCaseError::fail(e.to_string()))?;
            let mut state = applied.clone();
            for &x in &plan {
                prop_assert!(state[x]);
                state[x] = false;
                for y in (0..g.len()).filter(|&y| state[y]) {
                    prop_assert!(
                        !g.parents(y).contains(&x) && !g.dependencies(y).contains(&x),
                        "{} removed while {} still needs it", x, y
                    );
                }
            }
            let beyond = naive_strict_descendants(&g, r);
            for i in 0..g.len() {
                prop_assert_eq!(state[i], applied[i] && !beyond[i]);
            }
        }
        for r in (0..g.len()).filter(|&r| !applied[r]) {
            let is_not_applied = matches!(
                g.plan_downgrade(&applied, &rev(&g, r)),
                Err(super::GraphError::NotApplied { .. })
            );
            prop_assert!(is_not_applied);
        }
    }

    /// (3) Downgrade then upgrade back is the same path in opposite directions.
    #[test]
    fn downgrade_and_upgrade_are_inverse((raw, seed) in case()) {
        let Case { graph: g, mut rng } = build(&raw, seed);
        let t = rng.below(g.len());
        let applied = g.ancestors(&[t]);
        let below: Vec<usize> = (0..g.len()).filter(|&i| applied[i]).collect();
        let r = below[rng.below(below.len())];
        let down = g.plan_downgrade(&applied, &rev(&g, r)).map_err(|e| TestCaseError::fail(e.to_string()))?;
        let mut after = applied.clone();
        for &x in &down {
            after[x] = false;
        }
        let up = g.plan_upgrade(&after, &rev(&g, t)).map_err(|e| TestCaseError::fail(e.to_string()))?;
        let mut reversed = down;
        reversed.reverse();
        prop_assert_eq!(reversed, up);
    }

    /// (4) Up to every head and back to base is the full order and its exact reverse.
    #[test]
    fn heads_then_base_round_trip((raw, seed) in case()) {
        let Case { graph: g, mut rng } = build(&raw, seed);
        let n = g.len();
        let up = g.plan_upgrade(&vec![false; n], &Target::Heads).map_err(|e| TestCaseError::fail(e.to_string()))?;
        prop_assert_eq!(up.as_slice(), g.topo_order());
        let all = vec![true; n];
        let mut down = g.plan_downgrade(&all, &Target::Base).map_err(|e| TestCaseError::fail(e.to_string()))?;
        down.reverse();
        prop_assert_eq!(&down, &up);

        let applied = random_applied(&g, &mut rng);
        let rest = g.plan_upgrade(&applied, &Target::Heads).map_err(|e| TestCaseError::fail(e.to_string()))?;
        let mut state = applied.clone();
        for &x in &rest {
            state[x] = true;
        }
        prop_assert_eq!(&state, &all);
        let mut back = g.plan_downgrade(&state, &Target::Base).map_err(|e| TestCaseError::fail(e.to_string()))?;
        back.reverse();
        prop_assert_eq!(back, up);
    }

    /// (5) Stamping never records a revision without its prerequisites.
    #[test]
    fn stamp_results_are_ancestor_closed((raw, seed) in case()) {
        let Case { graph: g, mut rng } = build(&raw, seed);
        let applied = random_applied(&g, &mut rng);
        let mut targets = vec![
            Target::Head,
            Target::Heads,
            Target::Base,
            Target::Relative(1),
            Target::Relative(-1),
            Target::Relative(3),
            Target::Relative(-2),
        ];
        for i in 0..g.len() {
            targets.push(rev(&g, i));
        }
        for label in g.branch_labels() {
            targets.push(Target::LabelHead(label.clone()));
            let j = rng.below(g.len());
            targets.push(Target::LabelRev { label, rev: g.id(j).to_string() });
        }
        for target in &targets {
            for purge in [false, true] {
                if let Ok(result) = g.plan_stamp(&applied, target, purge) {
                    prop_assert_eq!(result.len(), g.len());
                    prop_assert!(is_closed(&g, &result), "stamp {} purge={} not closed", target, purge);
                    if let Ok(at) = g.resolve(target) {
                        let needed = g.ancestors(&at);
                        prop_assert!((0..g.len()).all(|i| !needed[i] || result[i]));
                    }
                }
            }
        }
    }

    /// Relative steps move along the single reachable line and never break closure.
    #[test]
    fn relative_steps_keep_the_set_closed((raw, seed) in case()) {
        let Case { graph: g, mut rng } = build(&raw, seed);
        let applied = random_applied(&g, &mut rng);
        for step in 1..4i64 {
            if let Ok(plan) = g.plan_upgrade(&applied, &Target::Relative(step)) {
                prop_assert_eq!(plan.len() as i64, step);
                let mut state = applied.clone();
                for &x in &plan {
                    state[x] = true;
                }
                prop_assert!(is_closed(&g, &state));
            }
            if let Ok(plan) = g.plan_downgrade(&applied, &Target::Relative(-step)) {
                prop_assert_eq!(plan.len() as i64, step);
                let mut state = applied.clone();
                for &x in &plan {
                    state[x] = false;
                }
                prop_assert!(is_closed(&g, &state));
            }
        }
    }

    #[test]
    fn ancestors_and_descendants_are_dual((raw, seed) in case()) {
        let g = build(&raw, seed).graph;
        let n = g.len();
        let down: Vec<Vec<bool>> = (0..n).map(|i| g.descendants(&[i])).collect();
        let up: Vec<Vec<bool>> = (0..n).map(|i| g.ancestors(&[i])).collect();
        for (x, below_x) in down.iter().enumerate() {
            for (y, &y_below_x) in below_x.iter().enumerate() {
                prop_assert_eq!(y_below_x, up[y][x]);
            }
        }
    }
}

#[test]
fn target_strings_round_trip_for_generated_ids() {
    for i in 0..200 {
        let id = hex_id(i);
        for target in [
            Target::Rev(id.clone()),
            Target::RevRelative {
                rev: id.clone(),
                delta: -(i as i64) - 1,
            },
            Target::RevRelative {
                rev: id.clone(),
                delta: i as i64 + 1,
            },
            Target::LabelRev {
                label: format!("l{i}"),
                rev: id.clone(),
            },
            Target::LabelHead(format!("l-{i}")),
            Target::Relative(i as i64 + 1),
        ] {
            assert_eq!(target.to_string().parse::<Target>(), Ok(target.clone()));
        }
    }
}
