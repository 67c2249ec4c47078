//! Building the graph from what the loaders give, and validating it: unique ids, known
//! edges, unique labels, no cycles.

use std::cmp::Reverse;
use std::collections::{BinaryHeap, HashMap};
use std::hash::BuildHasher;
use std::sync::OnceLock;

use hashbrown::{DefaultHashBuilder, HashTable};

use super::adjacency::Adjacency;
use super::{Graph, GraphError};

/// One migration as the graph sees it. Kept as plain strings so loaders (files, the
/// version table, tests) can build it without knowing about indices.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NodeSpec {
    pub id: String,
    pub revises: Vec<String>,
    pub depends_on: Vec<String>,
    pub branch_labels: Vec<String>,
}

/// One migration as the graph reads it, borrowed from wherever the loader keeps it (the
/// start-up cache's text, parsed files, test data), so building the graph copies nothing
/// but the ids.
#[derive(Debug, Clone, Copy)]
pub struct NodeRef<'a> {
    pub id: &'a str,
    pub revises: &'a [&'a str],
    pub depends_on: &'a [&'a str],
    pub branch_labels: &'a [&'a str],
}

/// Collects borrowed nodes for [`Graph::from_refs`] without a `Vec` per node: every list's
/// items go into one `Vec`, cut into each node's parts when the graph is built.
#[derive(Default)]
pub struct NodeRefs<'a> {
    ids: Vec<&'a str>,
    items: Vec<&'a str>,
    /// How many items each node's revises, depends_on and branch_labels have.
    counts: Vec<[usize; 3]>,
}

impl<'a> NodeRefs<'a> {
    pub fn with_capacity(nodes: usize) -> NodeRefs<'a> {
        NodeRefs {
            ids: Vec::with_capacity(nodes),
            items: Vec::with_capacity(nodes + nodes / 8),
            counts: Vec::with_capacity(nodes),
        }
    }

    /// Adds the next node, in input order.
    pub fn push(
        &mut self,
        id: &'a str,
        revises: impl IntoIterator<Item = &'a str>,
        depends_on: impl IntoIterator<Item = &'a str>,
        branch_labels: impl IntoIterator<Item = &'a str>,
    ) {
        let count = |items: &mut Vec<&'a str>, list: &mut dyn Iterator<Item = &'a str>| {
            let before = items.len();
            items.extend(list);
            items.len() - before
        };
        let counts = [
            count(&mut self.items, &mut revises.into_iter()),
            count(&mut self.items, &mut depends_on.into_iter()),
            count(&mut self.items, &mut branch_labels.into_iter()),
        ];
        self.ids.push(id);
        self.counts.push(counts);
    }

    /// The graph of the nodes pushed ([`Graph::from_refs`]).
    pub fn build(&self) -> Result<Graph, GraphError> {
        Graph::from_nodes(&self.ids, self.nodes())
    }

    /// The nodes pushed, in order, made as they are walked: at 10,000 revisions an array
    /// of them was half a megabyte of fresh pages.
    fn nodes(&self) -> impl Iterator<Item = NodeRef<'_>> + Clone {
        let items = self.items.as_slice();
        let lists = self.ids.iter().zip(&self.counts);
        lists.scan(
            0,
            move |at: &mut usize, (&id, &[revises, depends_on, labels])| {
                let list = items.get(*at..*at + revises + depends_on + labels)?;
                *at += list.len();
                let (revises, rest) = list.split_at(revises);
                let (depends_on, branch_labels) = rest.split_at(depends_on);
                Some(NodeRef {
                    id,
                    revises,
                    depends_on,
                    branch_labels,
                })
            },
        )
    }
}

impl Graph {
    /// [`Graph::from_refs`] for owned specs (tests, benchmarks, the version table).
    pub fn new(nodes: Vec<NodeSpec>) -> Result<Graph, GraphError> {
        let mut refs = NodeRefs::with_capacity(nodes.len());
        for node in &nodes {
            refs.push(
                &node.id,
                node.revises.iter().map(String::as_str),
                node.depends_on.iter().map(String::as_str),
                node.branch_labels.iter().map(String::as_str),
            );
        }
        refs.build()
    }

    /// Validates everything planning relies on (unique ids, known edges, unique labels,
    /// no cycles) up front, so later queries cannot fail on a malformed history.
    /// Repeated entries in one node's `revises` or `depends_on` count once.
    pub fn from_refs(nodes: &[NodeRef<'_>]) -> Result<Graph, GraphError> {
        let ids: Vec<&str> = nodes.iter().map(|node| node.id).collect();
        Graph::from_nodes(&ids, nodes.iter().copied())
    }

    /// [`Graph::from_refs`] of `nodes`, walked twice, whose ids are `ids` in order.
    fn from_nodes<'a>(
        ids: &[&str],
        nodes: impl Iterator<Item = NodeRef<'a>> + Clone,
    ) -> Result<Graph, GraphError> {
        let n = ids.len();
        let hasher = DefaultHashBuilder::default();
        let mut id_text = String::with_capacity(ids.iter().map(|id| id.len()).sum());
        let mut id_end = Vec::with_capacity(n);
        let mut index: HashTable<usize> = HashTable::with_capacity(n);
        for (i, &id) in ids.iter().enumerate() {
            let hash = hasher.hash_one(id);
            if let Some(&first) = index.find(hash, |&j| ids[j] == id) {
                return Err(GraphError::DuplicateId {
                    id: id.to_string(),
                    first,
                    second: i,
                });
            }
            index.insert_unique(hash, i, |&j| hasher.hash_one(ids[j]));
            id_text.push_str(id);
            id_end.push(id_text.len());
        }
        let lookup = |id: &str| index.find(hasher.hash_one(id), |&j| ids[j] == id).copied();

        let mut parents = Adjacency::default();
        let mut dependencies = Adjacency::default();
        parents.start.reserve(n + 1);
        dependencies.start.reserve(n + 1);
        parents.start.push(0);
        dependencies.start.push(0);
        // `mark[j] == stamp` means j was already added for the current node and list;
        // this dedupes in O(1) without clearing anything between nodes.
        let mut mark = vec![0usize; n];
        for (i, node) in nodes.clone().enumerate() {
            let stamp = 2 * i + 1;
            for &parent in node.revises {
                let Some(p) = lookup(parent) else {
                    return Err(GraphError::MissingParent {
                        index: i,
                        id: node.id.to_string(),
                        parent: parent.to_string(),
                    });
                };
                if mark[p] != stamp {
                    mark[p] = stamp;
                    parents.items.push(p);
                }
            }
            parents.start.push(parents.items.len());
            let stamp = stamp + 1;
            for &dependency in node.depends_on {
                let Some(d) = lookup(dependency) else {
                    return Err(GraphError::MissingDependency {
                        index: i,
                        id: node.id.to_string(),
                        dependency: dependency.to_string(),
                    });
                };
                if mark[d] != stamp {
                    mark[d] = stamp;
                    dependencies.items.push(d);
                }
            }
            dependencies.start.push(dependencies.items.len());
        }
        let children = Adjacency::reversed(&parents, n);
        let dependents = Adjacency::reversed(&dependencies, n);

        let mut labels: HashMap<String, usize> = HashMap::new();
        for (i, node) in nodes.enumerate() {
            for &label in node.branch_labels {
                match labels.get(label) {
                    Some(&owner) if owner != i => {
                        return Err(GraphError::DuplicateBranchLabel {
                            label: label.to_string(),
                            first: ids[owner].to_string(),
                            second: node.id.to_string(),
                        });
                    }
                    Some(_) => {}
                    None => {
                        labels.insert(label.to_string(), i);
                    }
                }
            }
        }

        let mut graph = Graph {
            id_text,
            id_end,
            index,
            hasher,
            by_id: OnceLock::new(),
            parents,
            children,
            dependencies,
            dependents,
            labels,
            topo: Vec::new(),
        };
        graph.topo = graph.kahn()?;
        Ok(graph)
    }

    /// Kahn's algorithm with a min-heap so ties go to the earliest input, which keeps
    /// plans stable across runs and platforms. A parent that is also a dependency is
    /// counted on both edge lists, consistently for in-degrees and successors.
    fn kahn(&self) -> Result<Vec<usize>, GraphError> {
        let n = self.len();
        let mut indegree: Vec<usize> = (0..n)
            .map(|i| self.parents.of(i).len() + self.dependencies.of(i).len())
            .collect();
        let mut ready: BinaryHeap<Reverse<usize>> =
            (0..n).filter(|&i| indegree[i] == 0).map(Reverse).collect();
        let mut order = Vec::with_capacity(n);
        while let Some(Reverse(v)) = ready.pop() {
            order.push(v);
            for &s in self.children.of(v).iter().chain(self.dependents.of(v)) {
                indegree[s] -= 1;
                if indegree[s] == 0 {
                    ready.push(Reverse(s));
                }
            }
        }
        if order.len() == n {
            Ok(order)
        } else {
            Err(GraphError::Cycle {
                ids: self.find_cycle(&indegree),
            })
        }
    }

    /// After Kahn stalls, every node left (in-degree > 0) has a predecessor that is also
    /// left, so following such predecessors must revisit a node: that loop is a cycle.
    /// A plain walk, not a recursive DFS, so a 10,000-long cycle is fine.
    fn find_cycle(&self, indegree: &[usize]) -> Vec<String> {
        const UNSEEN: usize = usize::MAX;
        let Some(start) = (0..self.len()).find(|&i| indegree[i] > 0) else {
            return Vec::new();
        };
        let mut position = vec![UNSEEN; self.len()];
        let mut path: Vec<usize> = Vec::new();
        let mut current = start;
        let mut cycle: Vec<usize> = loop {
            if position[current] != UNSEEN {
                break path.split_off(position[current]);
            }
            position[current] = path.len();
            path.push(current);
            let next = self
                .parents
                .of(current)
                .iter()
                .chain(self.dependencies.of(current))
                .copied()
                .find(|&p| indegree[p] > 0);
            match next {
                Some(p) => current = p,
                // Unreachable by the argument above; report the walk rather than panic.
                None => break path,
            }
        };
        // The walk went from dependent to dependency; present it the other way round,
        // starting from the earliest input so the message is stable.
        cycle.reverse();
        if let Some(min_at) = (0..cycle.len()).min_by_key(|&k| cycle[k]) {
            cycle.rotate_left(min_at);
        }
        self.ids(&cycle)
    }
}
