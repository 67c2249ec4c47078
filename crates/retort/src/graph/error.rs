//! What can go wrong building the graph or resolving and planning a target, and the
//! words the user reads for each: these messages surface verbatim in the CLI.

use std::fmt;

/// How many candidates an ambiguous-prefix error lists; beyond that the user needs more
/// characters anyway, and a wall of ids would bury the advice.
pub(super) const MAX_LISTED_CANDIDATES: usize = 10;

/// Everything that can go wrong building the graph or resolving and planning a target.
/// Each message ends with what the user can do about it, because these surface verbatim
/// in the CLI.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
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
            UnknownRevision { given } => write!(f, "no revision matches `{given}`"),
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
                "multiple heads: {}; target `heads` to upgrade all of them, or merge them into \
                 one",
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
                "revision `{rev}` is not applied, so there is nothing to downgrade to; \
                 upgrade to it instead"
            ),
            NotInBranch { rev, label } => write!(
                f,
                "revision `{rev}` is not on branch `{label}`; drop the `{label}@` prefix or \
                 pick a revision from that branch"
            ),
            WrongDirection { target } => {
                if target.starts_with('-') {
                    write!(f, "`{target}` moves backwards: it is a downgrade")
                } else {
                    write!(f, "`{target}` moves forwards: it is an upgrade")
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
                 or prefix, +N, -N, REV+N, REV-N, LABEL@head, LABEL@base or LABEL@REV"
            ),
        }
    }
}

impl std::error::Error for GraphError {}
