//! The revision DAG of migrations: validation, ordering and target planning, with no
//! file or database I/O so every command (and every test) can reason about history
//! from plain data.
//!
//! Everything here is iterative and linear in the size of the graph (the one-off
//! topological sort is O((n + e) log n) for its deterministic tie-break): histories with
//! tens of thousands of revisions must neither overflow the stack nor stall.

use std::cmp::Reverse;
use std::collections::{BinaryHeap, HashMap};
use std::fmt;
use std::hash::BuildHasher;
use std::sync::OnceLock;

use hashbrown::{DefaultHashBuilder, HashTable};

mod plan;
mod target;

#[cfg(test)]
mod proptests;

pub use target::{parse_range, Target};

/// How many candidates an ambiguous-prefix error lists; beyond that the user needs more
/// characters anyway, and a wall of ids would bury the advice.
const MAX_LISTED_CANDIDATES: usize = 10;

/// One migration as the graph sees it. Kept as plain strings so loaders (files, the
/// version table, tests) can build it without knowing about indices.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NodeSpec {
    pub id: String,
    pub revises: Vec<String>,
    pub depends_on: Vec<String>,
    pub branch_labels: Vec<String>,
}

/// Everything that can go wrong building the graph or resolving and planning a target.
/// Each message ends with what the user can do about it, because these surface verbatim
/// in the CLI.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum GraphError {
    /// Two migrations share an id; `first` and `second` are input positions.
    DuplicateId {
        id: String,
        first: usize,
        second: usize,
    },
    /// `revises` names a revision that is not in the graph.
    MissingParent {
        index: usize,
        id: String,
        parent: String,
    },
    /// `depends_on` names a revision that is not in the graph.
    MissingDependency {
        index: usize,
        id: String,
        dependency: String,
    },
    /// A branch label must identify exactly one revision (the branch's first one).
    DuplicateBranchLabel {
        label: String,
        first: String,
        second: String,
    },
    /// The ids of one cycle, each revising or depending on the one before it (and the
    /// first on the last).
    Cycle {
        ids: Vec<String>,
    },
    UnknownRevision {
        given: String,
    },
    /// `candidates` holds at most ten ids (sorted); `total` is how many matched.
    AmbiguousPrefix {
        prefix: String,
        candidates: Vec<String>,
        total: usize,
    },
    UnknownBranchLabel {
        label: String,
        known: Vec<String>,
    },
    MultipleHeads {
        heads: Vec<String>,
    },
    /// A `REV+N`/`REV-N` walk reached a fork (several children) or a merge (several
    /// parents), so "the next one" is not defined.
    AmbiguousWalk {
        from: String,
        candidates: Vec<String>,
    },
    /// A `-N` downgrade needs one line of history to step back along.
    AmbiguousRelative {
        heads: Vec<String>,
    },
    RelativeOutOfRange {
        target: String,
        requested: u64,
        available: u64,
    },
    NotApplied {
        rev: String,
    },
    NotInBranch {
        rev: String,
        label: String,
    },
    /// `-N` given to upgrade or `+N` given to downgrade.
    WrongDirection {
        target: String,
    },
    /// A relative target where there is no current state to be relative to.
    NeedsCurrent {
        target: String,
    },
    BadTarget {
        given: String,
        reason: String,
    },
}

fn join_ids(ids: &[String]) -> String {
    ids.join(", ")
}

impl fmt::Display for GraphError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        use GraphError::*;
        match self {
            // The input indices are for the caller, which names the files; they mean
            // nothing to a user.
            DuplicateId { id, .. } => write!(
                f,
                "revision id `{id}` is used by two migrations; give one of them a fresh id"
            ),
            MissingParent { id, parent, .. } => write!(
                f,
                "migration `{id}` revises `{parent}`, which does not exist; \
                 fix its `revises` or restore the missing migration"
            ),
            MissingDependency { id, dependency, .. } => write!(
                f,
                "migration `{id}` depends on `{dependency}`, which does not \
                 exist; fix its `depends_on` or restore the missing migration"
            ),
            DuplicateBranchLabel {
                label,
                first,
                second,
            } => write!(
                f,
                "branch label `{label}` is on both `{first}` and `{second}`; a label names one \
                 revision, so remove it from one of them"
            ),
            Cycle { ids } => {
                f.write_str("revisions form a cycle: ")?;
                for id in ids {
                    write!(f, "`{id}` -> ")?;
                }
                match ids.first() {
                    Some(first) => write!(f, "`{first}`")?,
                    None => f.write_str("(empty)")?,
                }
                f.write_str(
                    " (each revises or depends on the one before); edit `revises` or \
                     `depends_on` of one of them to break it",
                )
            }
            UnknownRevision { given } => write!(
                f,
                "no revision matches `{given}`; run `retort history` to list the revisions"
            ),
            AmbiguousPrefix {
                prefix,
                candidates,
                total,
            } => {
                write!(
                    f,
                    "revision prefix `{prefix}` matches {total} revisions: {}",
                    join_ids(candidates)
                )?;
                if *total > candidates.len() {
                    write!(f, " (and {} more)", total - candidates.len())?;
                }
                f.write_str("; type more characters of the id")
            }
            UnknownBranchLabel { label, known } => {
                if known.is_empty() {
                    write!(
                        f,
                        "unknown branch label `{label}`: no revision has a branch label; \
                         name a revision id instead"
                    )
                } else {
                    write!(
                        f,
                        "unknown branch label `{label}`; known labels: {}",
                        join_ids(known)
                    )
                }
            }
            MultipleHeads { heads } => write!(
                f,
                "multiple heads: {}; use `heads` to upgrade all of them, or `retort merge` to \
                 join them",
                join_ids(heads)
            ),
            AmbiguousWalk { from, candidates } => write!(
                f,
                "cannot step past `{from}`: the history forks there into {}; name the revision \
                 you want instead of a relative step",
                join_ids(candidates)
            ),
            AmbiguousRelative { heads } => write!(
                f,
                "a relative step needs exactly one current head, but the database is at {}; \
                 name the revision to go to instead",
                join_ids(heads)
            ),
            RelativeOutOfRange {
                target,
                requested,
                available,
            } => write!(
                f,
                "`{target}` asks for {requested} step(s) but only {available} are possible; \
                 use a smaller step or name a revision"
            ),
            NotApplied { rev } => write!(
                f,
                "revision `{rev}` is not applied, so there is nothing to downgrade to; run \
                 `retort current` to see what is applied, or `retort upgrade {rev}`"
            ),
            NotInBranch { rev, label } => write!(
                f,
                "revision `{rev}` is not on branch `{label}`; drop the `{label}@` prefix or \
                 pick a revision from that branch"
            ),
            WrongDirection { target } => {
                if target.starts_with('-') {
                    write!(
                        f,
                        "`{target}` moves backwards; use `retort downgrade {target}` instead"
                    )
                } else {
                    write!(
                        f,
                        "`{target}` moves forwards; use `retort upgrade {target}` instead"
                    )
                }
            }
            NeedsCurrent { target } => write!(
                f,
                "`{target}` is relative to the database's current revision; use it with \
                 upgrade or downgrade, or name a revision"
            ),
            BadTarget { given, reason } => write!(
                f,
                "invalid target `{given}`: {reason}; expected head, heads, base, a revision id \
                 or prefix, +N, -N, REV+N, REV-N, LABEL@head or LABEL@REV"
            ),
        }
    }
}

impl std::error::Error for GraphError {}

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

/// Edge lists of every node in one allocation (compressed sparse rows): at 10,000
/// revisions one `Vec` per node and list was most of the graph's build time.
#[derive(Debug, Clone, Default)]
struct Adjacency {
    /// Node `i`'s list is `items[start[i]..start[i + 1]]`.
    start: Vec<usize>,
    items: Vec<usize>,
}

impl Adjacency {
    fn of(&self, i: usize) -> &[usize] {
        &self.items[self.start[i]..self.start[i + 1]]
    }

    /// The reverse edges of `forward` over `n` nodes, each list in increasing source order.
    fn reversed(forward: &Adjacency, n: usize) -> Adjacency {
        let mut start = vec![0usize; n + 1];
        for &to in &forward.items {
            start[to + 1] += 1;
        }
        for i in 0..n {
            start[i + 1] += start[i];
        }
        let mut fill = start.clone();
        let mut items = vec![0usize; forward.items.len()];
        for from in 0..n {
            for &to in forward.of(from) {
                items[fill[to]] = from;
                fill[to] += 1;
            }
        }
        Adjacency { start, items }
    }
}

/// The validated revision DAG. Built once per command from the loaded migrations; all
/// queries work on `usize` input indices so planning never hashes strings per step.
/// Accessors taking an index panic when it is out of range, like slice indexing: indices
/// come from this graph, never from user input. Applied sets (`&[bool]`) are read
/// leniently instead: a missing entry means "not applied".
#[derive(Debug, Clone)]
pub struct Graph {
    /// Every id, concatenated in input order; id `i` ends at `id_end[i]`.
    id_text: String,
    id_end: Vec<usize>,
    /// Exact-id lookup: node indices, hashed by their id.
    index: HashTable<usize>,
    hasher: DefaultHashBuilder,
    /// Node indices sorted by id, so a prefix lookup is a binary search plus the matches.
    /// Sorted on first use: most commands never resolve a prefix.
    by_id: OnceLock<Vec<usize>>,
    parents: Adjacency,
    children: Adjacency,
    dependencies: Adjacency,
    dependents: Adjacency,
    labels: HashMap<String, usize>,
    topo: Vec<usize>,
}

/// Reads `applied` defensively: a short slice means "not applied" rather than a panic.
fn is_set(set: &[bool], i: usize) -> bool {
    set.get(i).copied().unwrap_or(false)
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
    pub fn from_refs(nodes: &[NodeRef]) -> Result<Graph, GraphError> {
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

    /// The length every applied set and bitset in this API has.
    pub fn len(&self) -> usize {
        self.id_end.len()
    }

    /// An empty history is valid: a fresh project has no migrations yet.
    pub fn is_empty(&self) -> bool {
        self.id_end.is_empty()
    }

    /// The id of the migration at input index `i`, so callers can show plans.
    ///
    /// # Panics
    /// If `i >= len()`; indices come from this graph, never from user input.
    pub fn id(&self, i: usize) -> &str {
        let start = if i == 0 { 0 } else { self.id_end[i - 1] };
        &self.id_text[start..self.id_end[i]]
    }

    /// [`Graph::index_of`], trying index `hint` first. Version rows mostly come in the
    /// files' order, so at 10,000 rows looking at the next index first saves a hash
    /// lookup, a cache miss, per row. Ids are unique, so a match at `hint` is the answer.
    pub fn index_of_near(&self, id: &str, hint: usize) -> Option<usize> {
        if hint < self.len() && self.id(hint) == id {
            return Some(hint);
        }
        self.index_of(id)
    }

    /// Exact-id lookup for data that must not be guessed at (e.g. the version table);
    /// user-typed ids go through [`Graph::resolve_id`].
    pub fn index_of(&self, id: &str) -> Option<usize> {
        self.index
            .find(self.hasher.hash_one(id), |&j| self.id(j) == id)
            .copied()
    }

    /// Revisions `i` revises (deduplicated, in the order written): what must be applied
    /// before it and what a `REV-N` walk steps back to.
    pub fn parents(&self, i: usize) -> &[usize] {
        self.parents.of(i)
    }

    /// Revisions that revise `i`; `depends_on` edges are deliberately excluded because
    /// they do not continue a branch.
    pub fn children(&self, i: usize) -> &[usize] {
        self.children.of(i)
    }

    /// Revisions `i` depends on (ordering only, across branches).
    pub fn dependencies(&self, i: usize) -> &[usize] {
        self.dependencies.of(i)
    }

    /// Revisions that depend on `i`: they must be un-applied before `i` is.
    pub fn dependents(&self, i: usize) -> &[usize] {
        self.dependents.of(i)
    }

    /// The one deterministic application order every plan is a subsequence of, so that
    /// upgrading in pieces applies migrations in the same order as upgrading at once.
    pub fn topo_order(&self) -> &[usize] {
        &self.topo
    }

    /// Tips of the history: revisions nothing revises (a dependency on a revision does
    /// not supersede it).
    pub fn heads(&self) -> Vec<usize> {
        self.topo
            .iter()
            .copied()
            .filter(|&i| self.children.of(i).is_empty())
            .collect()
    }

    /// Revisions that start a line of history.
    pub fn bases(&self) -> Vec<usize> {
        self.topo
            .iter()
            .copied()
            .filter(|&i| self.parents.of(i).is_empty())
            .collect()
    }

    /// The revision a branch label was declared on, i.e. where that branch starts.
    pub fn label_owner(&self, label: &str) -> Option<usize> {
        self.labels.get(label).copied()
    }

    /// Every branch label, sorted, for error messages and completion.
    pub fn branch_labels(&self) -> Vec<String> {
        let mut labels: Vec<String> = self.labels.keys().cloned().collect();
        labels.sort_unstable();
        labels
    }

    /// Users type short prefixes of ids; an exact id always wins so a full id can never
    /// become ambiguous when a longer id happens to extend it.
    pub fn resolve_id(&self, prefix: &str) -> Result<usize, GraphError> {
        if prefix.is_empty() {
            return Err(GraphError::BadTarget {
                given: String::new(),
                reason: "a revision id cannot be empty".to_string(),
            });
        }
        if let Some(i) = self.index_of(prefix) {
            return Ok(i);
        }
        let by_id = self.by_id();
        let start = by_id.partition_point(|&i| self.id(i) < prefix);
        let mut matches = by_id[start..]
            .iter()
            .copied()
            .take_while(|&i| self.id(i).starts_with(prefix));
        let Some(first) = matches.next() else {
            return Err(GraphError::UnknownRevision {
                given: prefix.to_string(),
            });
        };
        let Some(second) = matches.next() else {
            return Ok(first);
        };
        let mut candidates = vec![self.id(first).to_string(), self.id(second).to_string()];
        let mut total = 2;
        for i in matches {
            total += 1;
            if candidates.len() < MAX_LISTED_CANDIDATES {
                candidates.push(self.id(i).to_string());
            }
        }
        Err(GraphError::AmbiguousPrefix {
            prefix: prefix.to_string(),
            candidates,
            total,
        })
    }

    fn by_id(&self) -> &[usize] {
        self.by_id.get_or_init(|| {
            let mut by_id: Vec<usize> = (0..self.len()).collect();
            by_id.sort_unstable_by(|&a, &b| self.id(a).cmp(self.id(b)));
            by_id
        })
    }

    /// Everything that must be applied for `of` to be applied (inclusive), following
    /// `revises` and `depends_on`. Out-of-range indices are ignored.
    pub fn ancestors(&self, of: &[usize]) -> Vec<bool> {
        self.reach(of.iter().copied(), Direction::Up)
    }

    /// Everything that must be un-applied before `of` can be (inclusive), following
    /// `revises` and `depends_on` backwards. Out-of-range indices are ignored.
    pub fn descendants(&self, of: &[usize]) -> Vec<bool> {
        self.reach(of.iter().copied(), Direction::Down)
    }

    /// Descendants excluding the starting revisions themselves (unless one is reachable
    /// from another): what stamping or downgrading *to* `of` must drop.
    pub fn strict_descendants(&self, of: &[usize]) -> Vec<bool> {
        let n = self.len();
        let seeds = of.iter().copied().filter(|&i| i < n).flat_map(|i| {
            self.children
                .of(i)
                .iter()
                .chain(self.dependents.of(i))
                .copied()
        });
        self.reach(seeds, Direction::Down)
    }

    /// Revisions on the branch started at `of`: reachable through `revises` only, since
    /// depending on a branch does not make a revision part of it.
    pub fn branch_members(&self, of: &[usize]) -> Vec<bool> {
        self.reach(of.iter().copied(), Direction::Children)
    }

    fn reach(&self, seeds: impl Iterator<Item = usize>, direction: Direction) -> Vec<bool> {
        let n = self.len();
        let mut seen = vec![false; n];
        let mut stack = Vec::new();
        for i in seeds {
            if i < n && !seen[i] {
                seen[i] = true;
                stack.push(i);
            }
        }
        while let Some(v) = stack.pop() {
            let (a, b): (&[usize], &[usize]) = match direction {
                Direction::Up => (self.parents.of(v), self.dependencies.of(v)),
                Direction::Down => (self.children.of(v), self.dependents.of(v)),
                Direction::Children => (self.children.of(v), &[]),
            };
            for &w in a.iter().chain(b) {
                if !seen[w] {
                    seen[w] = true;
                    stack.push(w);
                }
            }
        }
        seen
    }

    /// Where the database currently is: applied revisions that no applied revision
    /// revises. With several, the database sits on several branches at once.
    pub fn current_heads(&self, applied: &[bool]) -> Vec<usize> {
        self.topo
            .iter()
            .copied()
            .filter(|&i| {
                is_set(applied, i) && !self.children.of(i).iter().any(|&c| is_set(applied, c))
            })
            .collect()
    }

    /// Ids of `indices`, in the order given, so plans and errors can be shown to users.
    /// Out-of-range indices are skipped.
    pub fn ids(&self, indices: &[usize]) -> Vec<String> {
        indices
            .iter()
            .filter(|&&i| i < self.len())
            .map(|&i| self.id(i).to_string())
            .collect()
    }
}

#[derive(Clone, Copy)]
enum Direction {
    /// Parents and dependencies.
    Up,
    /// Children and dependents.
    Down,
    /// Children only (branch membership).
    Children,
}

#[cfg(test)]
pub(crate) mod testutil {
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
}

#[cfg(test)]
mod tests {
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
            "multiple heads: a, b; use `heads` to upgrade all of them, or `retort merge` to join them"
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
                "retort downgrade -1",
            ),
            (
                GraphError::WrongDirection {
                    target: "+2".into(),
                },
                "retort upgrade +2",
            ),
            (
                GraphError::NotApplied { rev: "ab".into() },
                "retort upgrade ab",
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
}
