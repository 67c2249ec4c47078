//! The revision DAG of migrations: validation, ordering and target planning, with no
//! file or database I/O so every command (and every test) can reason about history
//! from plain data.
//!
//! Everything here is iterative and linear in the size of the graph (the one-off
//! topological sort is O((n + e) log n) for its deterministic tie-break): histories with
//! tens of thousands of revisions must neither overflow the stack nor stall.
//!
//! This file holds the [`Graph`] and its queries; `build.rs` makes one from the loaded
//! migrations and validates it, `target.rs` parses targets, `plan.rs` turns a target into
//! upgrade, downgrade and stamp plans, and `error.rs` says what went wrong, in words.

use std::collections::HashMap;
use std::hash::BuildHasher;
use std::sync::OnceLock;

use hashbrown::{DefaultHashBuilder, HashTable};

mod adjacency;
mod build;
mod error;
mod plan;
mod target;

#[cfg(test)]
mod proptests;
#[cfg(test)]
mod tests;
#[cfg(test)]
pub(crate) mod testutil;

use adjacency::Adjacency;

pub use build::NodeSpec;
// How a loader hands the graph borrowed ids without copying them: a speed internal, public
// only for the start-up benchmark (benches/startup.rs), not part of the API.
#[doc(hidden)]
pub use build::{NodeRef, NodeRefs};
pub use error::GraphError;
pub use target::{parse_range, Target};

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

impl Graph {
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
            if candidates.len() < error::MAX_LISTED_CANDIDATES {
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
        self.reach(of.iter().copied(), Walk::Back)
    }

    /// Everything that must be un-applied before `of` can be (inclusive), following
    /// `revises` and `depends_on` backwards. Out-of-range indices are ignored.
    pub fn descendants(&self, of: &[usize]) -> Vec<bool> {
        self.reach(of.iter().copied(), Walk::Forward)
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
        self.reach(seeds, Walk::Forward)
    }

    /// Revisions on the branch started at `of`: reachable through `revises` only, since
    /// depending on a branch does not make a revision part of it.
    pub fn branch_members(&self, of: &[usize]) -> Vec<bool> {
        self.reach(of.iter().copied(), Walk::Children)
    }

    fn reach(&self, seeds: impl Iterator<Item = usize>, walk: Walk) -> Vec<bool> {
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
            let (a, b): (&[usize], &[usize]) = match walk {
                Walk::Back => (self.parents.of(v), self.dependencies.of(v)),
                Walk::Forward => (self.children.of(v), self.dependents.of(v)),
                Walk::Children => (self.children.of(v), &[]),
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

/// Which edges [`Graph::reach`] follows from each revision.
#[derive(Clone, Copy)]
enum Walk {
    /// Towards parents and dependencies: what must be applied first.
    Back,
    /// Towards children and dependents: what must be un-applied first.
    Forward,
    /// Towards children only: a branch's members.
    Children,
}
