//! Small graphs and helpers shared by the graph's unit and property tests.

use super::{Graph, NodeSpec};

pub fn spec(id: &str, revises: &[&str], depends_on: &[&str], labels: &[&str]) -> NodeSpec {
    let own = |xs: &[&str]| xs.iter().map(|s| s.to_string()).collect();
    NodeSpec {
        id: id.to_string(),
        revises: own(revises),
        depends_on: own(depends_on),
        branch_labels: own(labels),
    }
}

pub fn ids(g: &Graph, indices: &[usize]) -> Vec<String> {
    g.ids(indices)
}

pub fn set(g: &Graph, ids: &[&str]) -> Vec<bool> {
    let mut s = vec![false; g.len()];
    for id in ids {
        match g.index_of(id) {
            Some(i) => s[i] = true,
            None => panic!("unknown id {id} in test"),
        }
    }
    s
}

pub fn members(g: &Graph, set: &[bool]) -> Vec<String> {
    let chosen: Vec<usize> = g.topo_order().iter().copied().filter(|&i| set[i]).collect();
    g.ids(&chosen)
}

/// r0 -> r1 -> {m1 -> m2, b1(feat) -> b2} -> mg (merge of m2 and b2).
pub fn merged() -> Graph {
    let g = Graph::new(vec![
        spec("r0", &[], &[], &["main"]),
        spec("r1", &["r0"], &[], &[]),
        spec("b1", &["r1"], &[], &["feat"]),
        spec("b2", &["b1"], &[], &[]),
        spec("m1", &["r1"], &[], &[]),
        spec("m2", &["m1"], &[], &[]),
        spec("mg", &["m2", "b2"], &[], &[]),
    ]);
    match g {
        Ok(g) => g,
        Err(e) => panic!("{e}"),
    }
}

/// Two open branches off r0; y2 depends on x1 across branches.
pub fn crossdep() -> Graph {
    let g = Graph::new(vec![
        spec("r0", &[], &[], &[]),
        spec("x1", &["r0"], &[], &["x"]),
        spec("x2", &["x1"], &[], &[]),
        spec("y1", &["r0"], &[], &["y"]),
        spec("y2", &["y1"], &["x1"], &[]),
    ]);
    match g {
        Ok(g) => g,
        Err(e) => panic!("{e}"),
    }
}

/// Distinct 12-hex-char ids whose prefixes are spread out (an odd multiplier is a
/// bijection modulo 2^48).
pub fn hex_id(i: usize) -> String {
    let x = (i as u64 + 1).wrapping_mul(0x9e37_79b9_7f4a_7c15) & 0xffff_ffff_ffff;
    format!("{x:012x}")
}

pub fn linear(n: usize) -> Graph {
    let id = hex_id;
    let nodes = (0..n)
        .map(|i| NodeSpec {
            id: id(i),
            revises: if i == 0 { vec![] } else { vec![id(i - 1)] },
            depends_on: vec![],
            branch_labels: vec![],
        })
        .collect();
    match Graph::new(nodes) {
        Ok(g) => g,
        Err(e) => panic!("{e}"),
    }
}
