//! `cargo bench -p retort --bench startup`: the in-process cost of what every command does
//! at start-up — parse every migration header, build the graph, plan — at 1,000 and 10,000
//! revisions, with the 10k/1k ratio that shows whether each step is linear (~10x).
//!
//! A plain timing loop (no criterion) keeps the build light; whole-command timings against
//! Alembic and the sqlite3 CLI are in bench/run_startup.sh.

use std::hint::black_box;
use std::path::Path;
use std::time::{Duration, Instant};

use retort::graph::{Graph, NodeRefs, NodeSpec, Target};
use retort::script;

/// Median of `runs` timings of `f`.
fn time<T>(runs: usize, mut f: impl FnMut() -> T) -> Duration {
    let mut samples: Vec<Duration> = (0..runs)
        .map(|_| {
            let t = Instant::now();
            black_box(f());
            t.elapsed()
        })
        .collect();
    samples.sort();
    samples[runs / 2]
}

/// Migration texts of a linear history of `n` revisions (as `retort revision` writes them).
fn texts(n: usize) -> Vec<String> {
    (0..n)
        .map(|i| {
            let parent = if i == 0 {
                String::new()
            } else {
                format!("-- revises: {:012x}\n", i - 1)
            };
            format!(
                "-- migration {i}\n--\n-- revision: {i:012x}\n{parent}-- created: 2026-11-22T10:30:00Z\n\n-- migrate:up\nCREATE TABLE t{i} (id INTEGER PRIMARY KEY, a TEXT);\n\n-- migrate:down\nDROP TABLE t{i};\n"
            )
        })
        .collect()
}

/// A graph with a branch every 10 revisions, merged 5 revisions later.
fn branchy(n: usize) -> Vec<NodeSpec> {
    let mut nodes: Vec<NodeSpec> = Vec::with_capacity(n);
    let mut main = None::<String>;
    let mut side: Option<String> = None;
    for i in 0..n {
        let id = format!("{i:012x}");
        let mut revises: Vec<String> = main.iter().cloned().collect();
        if i % 10 == 5 {
            if let Some(s) = side.take() {
                revises.push(s);
            }
        }
        if i % 10 == 0 && i > 0 {
            side = main.clone();
        }
        let spec = NodeSpec {
            id: id.clone(),
            revises,
            depends_on: Vec::new(),
            branch_labels: Vec::new(),
        };
        if i % 10 == 1 && i > 1 && side.is_some() {
            // The side branch gets this revision instead of the main line.
            let mut s = spec;
            s.revises = side.iter().cloned().collect();
            side = Some(id.clone());
            nodes.push(s);
            continue;
        }
        main = Some(id);
        nodes.push(spec);
    }
    nodes
}

/// The ids of `specs` laid out as the start-up cache holds them: one text, each node's
/// id and lists side by side. Each entry: (id, revises, depends_on, labels) as ranges.
struct Packed {
    text: String,
    nodes: Vec<[std::ops::Range<usize>; 4]>,
}

fn pack(specs: &[NodeSpec]) -> Packed {
    let mut text = String::new();
    let mut nodes = Vec::with_capacity(specs.len());
    for s in specs {
        let mut put = |items: &[String]| {
            let start = text.len();
            text.push_str(&items.join(","));
            start..text.len()
        };
        let id = put(std::slice::from_ref(&s.id));
        nodes.push([
            id,
            put(&s.revises),
            put(&s.depends_on),
            put(&s.branch_labels),
        ]);
    }
    Packed { text, nodes }
}

/// The graph of packed nodes built as `Project` builds it from the cache.
fn build_from_refs(p: &Packed) -> Result<Graph, retort::graph::GraphError> {
    let list = |r: &std::ops::Range<usize>| p.text[r.clone()].split(',').filter(|x| !x.is_empty());
    let mut refs = NodeRefs::with_capacity(p.nodes.len());
    for [id, revises, depends_on, labels] in &p.nodes {
        refs.push(
            &p.text[id.clone()],
            list(revises),
            list(depends_on),
            list(labels),
        );
    }
    refs.build()
}

fn main() {
    let sizes = [1_000usize, 10_000];
    let mut rows: Vec<(String, Vec<Duration>)> = Vec::new();
    let mut add = |name: &str, d: Duration| match rows.iter_mut().find(|(n, _)| n == name) {
        Some((_, v)) => v.push(d),
        None => rows.push((name.to_string(), vec![d])),
    };
    for &n in &sizes {
        let texts = texts(n);
        let path = Path::new("m.sql");
        add(
            "parse headers",
            time(11, || {
                texts
                    .iter()
                    .map(|t| {
                        script::parse(path, t)
                            .map(|s| s.revision.len())
                            .unwrap_or(0)
                    })
                    .sum::<usize>()
            }),
        );
        let linear: Vec<NodeSpec> = texts
            .iter()
            .filter_map(|t| script::parse(path, t).ok())
            .map(|s| s.into_header())
            .map(|s| NodeSpec {
                id: s.revision,
                revises: s.revises,
                depends_on: s.depends_on,
                branch_labels: s.branch_labels,
            })
            .collect();
        let packed = pack(&linear);
        add(
            "graph: build (linear)",
            time(11, || build_from_refs(&packed)),
        );
        let g = Graph::new(linear.clone()).expect("linear graph");
        let none = vec![false; n];
        let all = vec![true; n];
        add("graph: heads", time(11, || g.heads()));
        add(
            "graph: current heads (all applied)",
            time(11, || g.current_heads(&all)),
        );
        add(
            "graph: plan upgrade head (nothing applied)",
            time(11, || g.plan_upgrade(&none, &Target::Head)),
        );
        add(
            "graph: plan upgrade head (all applied)",
            time(11, || g.plan_upgrade(&all, &Target::Head)),
        );
        add(
            "graph: plan downgrade base",
            time(11, || g.plan_downgrade(&all, &Target::Base)),
        );
        add(
            "graph: resolve id prefix",
            time(11, || g.resolve_id(&format!("{:012x}", n / 2))),
        );
        let b = branchy(n);
        let packed_b = pack(&b);
        add(
            "graph: build (branches + merges)",
            time(11, || build_from_refs(&packed_b)),
        );
        let gb = Graph::new(b).expect("branchy graph");
        add(
            "graph: plan upgrade heads (branchy)",
            time(11, || gb.plan_upgrade(&none, &Target::Heads)),
        );
        let sections: Vec<String> = texts.iter().map(|t| t[t.len() / 2..].to_string()).collect();
        add(
            "checksums (SHA-256 of each up section)",
            time(11, || {
                sections
                    .iter()
                    .map(|s| script::checksum(s).len())
                    .sum::<usize>()
            }),
        );
    }
    println!(
        "{:<44} {:>12} {:>12} {:>10}",
        "operation (median of 11)", "1,000", "10,000", "10k/1k"
    );
    for (name, d) in &rows {
        let ratio = d[1].as_secs_f64() / d[0].as_secs_f64().max(1e-9);
        println!("{name:<44} {:>12.3?} {:>12.3?} {:>9.1}x", d[0], d[1], ratio);
    }
}
