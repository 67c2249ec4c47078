//! Turning a target plus the applied set into concrete work: which revisions to apply,
//! un-apply, or record, and in what order. Pure functions of the graph so the CLI can
//! show a plan (`--sql`, dry runs) before touching the database.

use super::{is_set, Graph, GraphError, Target};

impl Graph {
    /// Maps a target to revisions without looking at the database, so targets can be
    /// checked (and shown) before connecting. Relative targets need the current state
    /// and are only meaningful through the `plan_*` methods.
    pub fn resolve(&self, target: &Target) -> Result<Vec<usize>, GraphError> {
        match target {
            Target::Head => self.single_head(),
            Target::Heads => Ok(self.heads()),
            Target::Base => Ok(Vec::new()),
            Target::Rev(rev) => Ok(vec![self.resolve_id(rev)?]),
            Target::RevRelative { rev, delta } => Ok(vec![self.walk(target, rev, *delta)?]),
            Target::LabelHead(label) => self.label_head(label),
            Target::LabelRev { label, rev } => Ok(vec![self.label_rev(label, rev)?]),
            // What the branch's first revision revises: the point the branch starts from.
            Target::LabelBase(label) => Ok(self.parents(self.label(label)?).to_vec()),
            Target::Relative(_) => Err(GraphError::NeedsCurrent {
                target: target.to_string(),
            }),
        }
    }

    /// Resolves the targets that always name exactly one revision; `None` for the rest.
    fn resolve_single(&self, target: &Target) -> Result<Option<usize>, GraphError> {
        match target {
            Target::Rev(rev) => self.resolve_id(rev).map(Some),
            Target::RevRelative { rev, delta } => self.walk(target, rev, *delta).map(Some),
            Target::LabelRev { label, rev } => self.label_rev(label, rev).map(Some),
            _ => Ok(None),
        }
    }

    fn single_head(&self) -> Result<Vec<usize>, GraphError> {
        let heads = self.heads();
        if heads.len() > 1 {
            return Err(GraphError::MultipleHeads {
                heads: self.ids(&heads),
            });
        }
        Ok(heads)
    }

    fn sorted_ids(&self, indices: &[usize]) -> Vec<String> {
        let mut ids = self.ids(indices);
        ids.sort_unstable();
        ids
    }

    /// `REV+N` follows children, `REV-N` follows parents; any fork or merge on the way
    /// makes "N steps" meaningless, so it is refused rather than guessed.
    fn walk(&self, target: &Target, rev: &str, delta: i64) -> Result<usize, GraphError> {
        let mut current = self.resolve_id(rev)?;
        let steps = delta.unsigned_abs();
        let mut taken: u64 = 0;
        while taken < steps {
            let next = if delta > 0 {
                self.children(current)
            } else {
                self.parents(current)
            };
            match next {
                [] => {
                    return Err(GraphError::RelativeOutOfRange {
                        target: target.to_string(),
                        requested: steps,
                        available: taken,
                    })
                }
                [only] => current = *only,
                many => {
                    return Err(GraphError::AmbiguousWalk {
                        from: self.id(current).to_string(),
                        candidates: self.sorted_ids(many),
                    })
                }
            }
            taken += 1;
        }
        Ok(current)
    }

    fn label(&self, label: &str) -> Result<usize, GraphError> {
        self.label_owner(label)
            .ok_or_else(|| GraphError::UnknownBranchLabel {
                label: label.to_string(),
                known: self.branch_labels(),
            })
    }

    /// A branch is the labelled revision and whatever revises it, transitively; a
    /// revision that merely depends on the branch is not on it.
    fn label_head(&self, label: &str) -> Result<Vec<usize>, GraphError> {
        let owner = self.label(label)?;
        let on_branch = self.branch_members(&[owner]);
        let heads: Vec<usize> = self.heads().into_iter().filter(|&h| on_branch[h]).collect();
        if heads.len() == 1 {
            Ok(heads)
        } else {
            Err(GraphError::MultipleHeads {
                heads: self.ids(&heads),
            })
        }
    }

    fn label_rev(&self, label: &str, rev: &str) -> Result<usize, GraphError> {
        let owner = self.label(label)?;
        let r = self.resolve_id(rev)?;
        if self.branch_members(&[owner])[r] {
            Ok(r)
        } else {
            Err(GraphError::NotInBranch {
                rev: self.id(r).to_string(),
                label: label.to_string(),
            })
        }
    }

    /// Ancestors of `targets` not yet applied, in application order.
    fn pending_toward(&self, applied: &[bool], targets: &[usize]) -> Vec<usize> {
        let needed = self.ancestors(targets);
        self.topo_order()
            .iter()
            .copied()
            .filter(|&i| needed[i] && !is_set(applied, i))
            .collect()
    }

    /// Applied members of `remove`, in un-application order.
    fn applied_in_reverse(&self, applied: &[bool], remove: impl Fn(usize) -> bool) -> Vec<usize> {
        self.topo_order()
            .iter()
            .rev()
            .copied()
            .filter(|&i| is_set(applied, i) && remove(i))
            .collect()
    }

    fn zero_step(target: &Target) -> GraphError {
        GraphError::BadTarget {
            given: target.to_string(),
            reason: "a step of zero does nothing; use at least 1".to_string(),
        }
    }

    /// The head `+N` climbs toward: the graph head reachable (through `revises`) from
    /// where the database is, or the only head of a fresh database. More than one means
    /// the step count would be split across branches, which is refused. `None` only for
    /// an empty history.
    fn relative_upgrade_head(&self, applied: &[bool]) -> Result<Option<usize>, GraphError> {
        let current = self.current_heads(applied);
        let heads: Vec<usize> = if current.is_empty() {
            self.heads()
        } else {
            let reachable = self.branch_members(&current);
            self.heads().into_iter().filter(|&h| reachable[h]).collect()
        };
        match heads.as_slice() {
            [] => Ok(None),
            [head] => Ok(Some(*head)),
            _ => Err(GraphError::MultipleHeads {
                heads: self.ids(&heads),
            }),
        }
    }

    /// What `upgrade TARGET` applies, in order. Applied revisions are skipped rather than
    /// reported, so re-running an upgrade is a no-op instead of an error.
    pub fn plan_upgrade(
        &self,
        applied: &[bool],
        target: &Target,
    ) -> Result<Vec<usize>, GraphError> {
        match *target {
            Target::Relative(delta) if delta > 0 => {
                let mut plan = match self.relative_upgrade_head(applied)? {
                    Some(head) => self.pending_toward(applied, &[head]),
                    None => Vec::new(),
                };
                let requested = delta.unsigned_abs();
                match usize::try_from(requested) {
                    Ok(n) if n <= plan.len() => {
                        plan.truncate(n);
                        Ok(plan)
                    }
                    _ => Err(GraphError::RelativeOutOfRange {
                        target: target.to_string(),
                        requested,
                        available: plan.len() as u64,
                    }),
                }
            }
            Target::Relative(delta) if delta < 0 => Err(GraphError::WrongDirection {
                target: target.to_string(),
            }),
            Target::Relative(_) => Err(Self::zero_step(target)),
            _ => {
                let targets = self.resolve(target)?;
                Ok(self.pending_toward(applied, &targets))
            }
        }
    }

    /// What `downgrade TARGET` un-applies, in order: dependents always go before what
    /// they depend on, so each step leaves a consistent database.
    pub fn plan_downgrade(
        &self,
        applied: &[bool],
        target: &Target,
    ) -> Result<Vec<usize>, GraphError> {
        match target {
            Target::Base => Ok(self.applied_in_reverse(applied, |_| true)),
            Target::Relative(delta) if *delta < 0 => {
                let requested = delta.unsigned_abs();
                let count = (0..self.len()).filter(|&i| is_set(applied, i)).count();
                if count > 0 {
                    let current = self.current_heads(applied);
                    if current.len() != 1 {
                        return Err(GraphError::AmbiguousRelative {
                            heads: self.ids(&current),
                        });
                    }
                }
                match usize::try_from(requested) {
                    // With one current head every applied revision is an ancestor of
                    // it, so the last N in topological order are safe to remove.
                    Ok(n) if n <= count => Ok(self
                        .applied_in_reverse(applied, |_| true)
                        .into_iter()
                        .take(n)
                        .collect()),
                    _ => Err(GraphError::RelativeOutOfRange {
                        target: target.to_string(),
                        requested,
                        available: count as u64,
                    }),
                }
            }
            Target::Relative(delta) if *delta > 0 => Err(GraphError::WrongDirection {
                target: target.to_string(),
            }),
            Target::Relative(_) => Err(Self::zero_step(target)),
            Target::Rev(_) | Target::RevRelative { .. } | Target::LabelRev { .. } => {
                let Some(r) = self.resolve_single(target)? else {
                    return Ok(Vec::new());
                };
                if !is_set(applied, r) {
                    return Err(GraphError::NotApplied {
                        rev: self.id(r).to_string(),
                    });
                }
                let drop = self.strict_descendants(&[r]);
                Ok(self.applied_in_reverse(applied, |i| drop[i]))
            }
            Target::LabelBase(label) => {
                // The branch and whatever depends on it; the rest stays applied.
                let drop = self.descendants(&[self.label(label)?]);
                Ok(self.applied_in_reverse(applied, |i| drop[i]))
            }
            Target::Head | Target::Heads | Target::LabelHead(_) => {
                let keep_at = self.resolve(target)?;
                let drop = self.strict_descendants(&keep_at);
                let keep = self.ancestors(&keep_at);
                Ok(self.applied_in_reverse(applied, |i| drop[i] && !keep[i]))
            }
        }
    }

    /// The applied set after `stamp TARGET`: recording a position without running SQL.
    /// Without `purge` other branches' progress is kept and only what lies beyond the
    /// target is forgotten; with `purge` the table is rewritten to exactly the target.
    /// Relative targets step from the current state like upgrade/downgrade would.
    pub fn plan_stamp(
        &self,
        applied: &[bool],
        target: &Target,
        purge: bool,
    ) -> Result<Vec<bool>, GraphError> {
        let n = self.len();
        let mut result: Vec<bool> = (0..n).map(|i| is_set(applied, i)).collect();
        match target {
            Target::Base => Ok(vec![false; n]),
            Target::LabelBase(label) if !purge => {
                // As its downgrade would leave it: without the branch, the rest kept.
                for i in self.plan_downgrade(applied, target)? {
                    result[i] = false;
                }
                Ok(result)
            }
            Target::Relative(delta) => {
                if *delta > 0 {
                    for i in self.plan_upgrade(applied, target)? {
                        result[i] = true;
                    }
                } else {
                    for i in self.plan_downgrade(applied, target)? {
                        result[i] = false;
                    }
                }
                if purge {
                    let at = self.current_heads(&result);
                    return Ok(self.ancestors(&at));
                }
                Ok(result)
            }
            _ => {
                let at = self.resolve(target)?;
                let needed = self.ancestors(&at);
                if purge {
                    return Ok(needed);
                }
                let beyond = self.strict_descendants(&at);
                for (i, slot) in result.iter_mut().enumerate() {
                    *slot = (*slot && !beyond[i]) || needed[i];
                }
                Ok(result)
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::testutil::*;
    use super::*;

    fn rev(s: &str) -> Target {
        Target::Rev(s.to_string())
    }

    fn t(s: &str) -> Target {
        match s.parse() {
            Ok(t) => t,
            Err(e) => panic!("{s}: {e}"),
        }
    }

    fn up(g: &Graph, applied: &[&str], target: &str) -> Result<Vec<String>, GraphError> {
        g.plan_upgrade(&set(g, applied), &t(target))
            .map(|p| ids(g, &p))
    }

    fn down(g: &Graph, applied: &[&str], target: &str) -> Result<Vec<String>, GraphError> {
        g.plan_downgrade(&set(g, applied), &t(target))
            .map(|p| ids(g, &p))
    }

    fn stamp(g: &Graph, applied: &[&str], target: &str, purge: bool) -> Vec<String> {
        match g.plan_stamp(&set(g, applied), &t(target), purge) {
            Ok(s) => members(g, &s),
            Err(e) => panic!("{target}: {e}"),
        }
    }

    fn resolved(g: &Graph, target: &str) -> Result<Vec<String>, GraphError> {
        g.resolve(&t(target)).map(|r| ids(g, &r))
    }

    const ALL_MERGED: [&str; 7] = ["r0", "r1", "b1", "b2", "m1", "m2", "mg"];

    fn strs(xs: &[&str]) -> Vec<String> {
        xs.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn resolve_each_kind() {
        let g = merged();
        assert_eq!(resolved(&g, "head"), Ok(strs(&["mg"])));
        assert_eq!(resolved(&g, "heads"), Ok(strs(&["mg"])));
        assert_eq!(resolved(&g, "base"), Ok(vec![]));
        assert_eq!(resolved(&g, "r1"), Ok(strs(&["r1"])));
        assert_eq!(resolved(&g, "r0+1"), Ok(strs(&["r1"])));
        assert_eq!(resolved(&g, "b1+2"), Ok(strs(&["mg"])));
        assert_eq!(resolved(&g, "b2-3"), Ok(strs(&["r0"])));
        assert_eq!(resolved(&g, "b2-2"), Ok(strs(&["r1"])));
        assert_eq!(resolved(&g, "feat@head"), Ok(strs(&["mg"])));
        assert_eq!(resolved(&g, "main@head"), Ok(strs(&["mg"])));
        assert_eq!(resolved(&g, "feat@b2"), Ok(strs(&["b2"])));
        assert_eq!(resolved(&g, "feat@b1"), Ok(strs(&["b1"])));
        assert_eq!(resolved(&g, "main@m2"), Ok(strs(&["m2"])));
    }

    #[test]
    fn resolve_errors() {
        let g = merged();
        assert_eq!(
            resolved(&g, "b"),
            Err(GraphError::AmbiguousPrefix {
                prefix: "b".into(),
                candidates: strs(&["b1", "b2"]),
                total: 2
            })
        );
        assert_eq!(
            resolved(&g, "zz"),
            Err(GraphError::UnknownRevision { given: "zz".into() })
        );
        assert_eq!(
            resolved(&g, "r0+2"),
            Err(GraphError::AmbiguousWalk {
                from: "r1".into(),
                candidates: strs(&["b1", "m1"])
            })
        );
        assert_eq!(
            resolved(&g, "mg-1"),
            Err(GraphError::AmbiguousWalk {
                from: "mg".into(),
                candidates: strs(&["b2", "m2"])
            })
        );
        assert_eq!(
            resolved(&g, "b1+3"),
            Err(GraphError::RelativeOutOfRange {
                target: "b1+3".into(),
                requested: 3,
                available: 2
            })
        );
        assert_eq!(
            resolved(&g, "r1-2"),
            Err(GraphError::RelativeOutOfRange {
                target: "r1-2".into(),
                requested: 2,
                available: 1
            })
        );
        assert_eq!(
            resolved(&g, "feat@m1"),
            Err(GraphError::NotInBranch {
                rev: "m1".into(),
                label: "feat".into()
            })
        );
        assert_eq!(
            resolved(&g, "nope@head"),
            Err(GraphError::UnknownBranchLabel {
                label: "nope".into(),
                known: strs(&["feat", "main"])
            })
        );
        assert_eq!(
            resolved(&g, "nope@r1"),
            Err(GraphError::UnknownBranchLabel {
                label: "nope".into(),
                known: strs(&["feat", "main"])
            })
        );
        assert_eq!(
            resolved(&g, "feat@zz"),
            Err(GraphError::UnknownRevision { given: "zz".into() })
        );
        for relative in ["+1", "-2"] {
            assert_eq!(
                resolved(&g, relative),
                Err(GraphError::NeedsCurrent {
                    target: relative.into()
                })
            );
        }
    }

    #[test]
    fn labels_follow_revises_not_depends_on() {
        let c = crossdep();
        // y2 depends on x1 but is not on branch x.
        assert_eq!(resolved(&c, "x@head"), Ok(strs(&["x2"])));
        assert_eq!(resolved(&c, "y@head"), Ok(strs(&["y2"])));
        assert_eq!(
            resolved(&c, "x@y2"),
            Err(GraphError::NotInBranch {
                rev: "y2".into(),
                label: "x".into()
            })
        );
        let forked = Graph::new(vec![
            spec("r0", &[], &[], &[]),
            spec("a1", &["r0"], &[], &["f"]),
            spec("a2", &["a1"], &[], &[]),
            spec("a3", &["a1"], &[], &[]),
        ])
        .unwrap();
        assert_eq!(
            resolved(&forked, "f@head"),
            Err(GraphError::MultipleHeads {
                heads: strs(&["a2", "a3"])
            })
        );
    }

    #[test]
    fn head_with_several_heads() {
        let c = crossdep();
        let e = resolved(&c, "head").unwrap_err();
        assert_eq!(
            e,
            GraphError::MultipleHeads {
                heads: strs(&["x2", "y2"])
            }
        );
        assert_eq!(
            e.to_string(),
            "multiple heads: x2, y2; target `heads` to upgrade all of them, or merge them into one"
        );
        assert_eq!(resolved(&c, "heads"), Ok(strs(&["x2", "y2"])));
        assert_eq!(up(&c, &[], "head"), Err(e));
    }

    #[test]
    fn empty_graph_plans() {
        let g = Graph::new(vec![]).unwrap();
        assert_eq!(g.resolve(&Target::Head), Ok(vec![]));
        assert_eq!(g.plan_upgrade(&[], &Target::Head), Ok(vec![]));
        assert_eq!(g.plan_upgrade(&[], &Target::Heads), Ok(vec![]));
        assert_eq!(g.plan_downgrade(&[], &Target::Base), Ok(vec![]));
        assert!(matches!(
            g.plan_upgrade(&[], &Target::Relative(1)),
            Err(GraphError::RelativeOutOfRange {
                requested: 1,
                available: 0,
                ..
            })
        ));
        assert!(matches!(
            g.plan_downgrade(&[], &Target::Relative(-1)),
            Err(GraphError::RelativeOutOfRange { .. })
        ));
        assert_eq!(g.plan_stamp(&[], &Target::Heads, false), Ok(vec![]));
    }

    #[test]
    fn upgrade_to_each_target() {
        let g = merged();
        assert_eq!(up(&g, &[], "head"), Ok(strs(&ALL_MERGED)));
        assert_eq!(up(&g, &[], "heads"), Ok(strs(&ALL_MERGED)));
        assert_eq!(
            up(&g, &["r0", "r1", "m1"], "heads"),
            Ok(strs(&["b1", "b2", "m2", "mg"]))
        );
        assert_eq!(up(&g, &["r0"], "m2"), Ok(strs(&["r1", "m1", "m2"])));
        assert_eq!(up(&g, &ALL_MERGED, "head"), Ok(vec![]));
        assert_eq!(up(&g, &["r0", "r1", "b1", "b2"], "m1"), Ok(strs(&["m1"])));
        assert_eq!(up(&g, &["r0", "r1", "b1", "b2"], "b1"), Ok(vec![]));
        assert_eq!(up(&g, &["r0"], "base"), Ok(vec![]));
        assert_eq!(up(&g, &[], "r0+1"), Ok(strs(&["r0", "r1"])));
        assert_eq!(up(&g, &[], "b2-1"), Ok(strs(&["r0", "r1", "b1"])));
        assert_eq!(up(&g, &[], "feat@head"), Ok(strs(&ALL_MERGED)));
        assert_eq!(up(&g, &["r0"], "feat@b2"), Ok(strs(&["r1", "b1", "b2"])));
    }

    #[test]
    fn upgrade_relative() {
        let g = merged();
        assert_eq!(up(&g, &[], "+1"), Ok(strs(&["r0"])));
        assert_eq!(up(&g, &["r0"], "+2"), Ok(strs(&["r1", "b1"])));
        assert_eq!(
            up(&g, &["r0", "r1", "b1"], "+4"),
            Ok(strs(&["b2", "m1", "m2", "mg"]))
        );
        assert_eq!(
            up(&g, &["r0", "r1", "b1"], "+10"),
            Err(GraphError::RelativeOutOfRange {
                target: "+10".into(),
                requested: 10,
                available: 4
            })
        );
        assert_eq!(
            up(&g, &ALL_MERGED, "+1"),
            Err(GraphError::RelativeOutOfRange {
                target: "+1".into(),
                requested: 1,
                available: 0
            })
        );
        assert_eq!(
            up(&g, &[], "-1"),
            Err(GraphError::WrongDirection {
                target: "-1".into()
            })
        );
        assert_eq!(
            g.plan_upgrade(&[], &Target::Relative(0)),
            Err(GraphError::BadTarget {
                given: "+0".into(),
                reason: "a step of zero does nothing; use at least 1".into()
            })
        );
        let huge = Target::Relative(i64::MAX);
        assert!(matches!(
            g.plan_upgrade(&[], &huge),
            Err(GraphError::RelativeOutOfRange { available: 7, .. })
        ));
    }

    #[test]
    fn upgrade_relative_across_branches() {
        let c = crossdep();
        // A fresh database with two heads cannot take "+1".
        assert_eq!(
            up(&c, &[], "+1"),
            Err(GraphError::MultipleHeads {
                heads: strs(&["x2", "y2"])
            })
        );
        // On branch x only x's head is in reach (y2's dependency on x1 does not count).
        assert_eq!(up(&c, &["r0", "x1"], "+1"), Ok(strs(&["x2"])));
        // On both branches: two heads in reach.
        assert_eq!(
            up(&c, &["r0", "x1", "y1"], "+1"),
            Err(GraphError::MultipleHeads {
                heads: strs(&["x2", "y2"])
            })
        );
        // Toward y2 the dependency x1 comes first.
        assert_eq!(up(&c, &["r0", "y1"], "+1"), Ok(strs(&["x1"])));
        assert_eq!(up(&c, &["r0", "y1"], "+2"), Ok(strs(&["x1", "y2"])));
        assert_eq!(up(&c, &[], "y2"), Ok(strs(&["r0", "x1", "y1", "y2"])));
        assert_eq!(up(&c, &["r0"], "x@head"), Ok(strs(&["x1", "x2"])));
    }

    #[test]
    fn downgrade_to_each_target() {
        let g = merged();
        let reversed: Vec<String> = ALL_MERGED.iter().rev().map(|s| s.to_string()).collect();
        assert_eq!(down(&g, &ALL_MERGED, "base"), Ok(reversed.clone()));
        assert_eq!(
            down(&g, &["r0", "r1", "b1", "m1"], "base"),
            Ok(strs(&["m1", "b1", "r1", "r0"]))
        );
        assert_eq!(down(&g, &[], "base"), Ok(vec![]));
        assert_eq!(
            down(&g, &ALL_MERGED, "r1"),
            Ok(strs(&["mg", "m2", "m1", "b2", "b1"]))
        );
        assert_eq!(down(&g, &ALL_MERGED, "b1"), Ok(strs(&["mg", "b2"])));
        assert_eq!(
            down(&g, &["r0", "r1", "b1", "b2", "m1"], "b1"),
            Ok(strs(&["b2"]))
        );
        assert_eq!(down(&g, &ALL_MERGED, "b2-1"), Ok(strs(&["mg", "b2"])));
        assert_eq!(down(&g, &ALL_MERGED, "feat@b1"), Ok(strs(&["mg", "b2"])));
        assert_eq!(down(&g, &ALL_MERGED, "mg"), Ok(vec![]));
        assert_eq!(down(&g, &ALL_MERGED, "head"), Ok(vec![]));
        assert_eq!(down(&g, &ALL_MERGED, "heads"), Ok(vec![]));
        assert_eq!(down(&g, &ALL_MERGED, "feat@head"), Ok(vec![]));
    }

    /// `LABEL@base`: just before the branch's first revision. Downgrading there reverts
    /// the branch and what depends on it, and nothing else; upgrading there applies what
    /// the branch starts from.
    #[test]
    fn label_base_is_where_the_branch_starts() {
        let c = crossdep();
        let all = ["r0", "x1", "x2", "y1", "y2"];
        assert_eq!(resolved(&c, "x@base"), Ok(strs(&["r0"])));
        assert_eq!(down(&c, &all, "y@base"), Ok(strs(&["y2", "y1"])));
        // y2 depends on x1: it goes first, y1 stays.
        assert_eq!(down(&c, &all, "x@base"), Ok(strs(&["y2", "x2", "x1"])));
        assert_eq!(down(&c, &["r0", "y1"], "x@base"), Ok(vec![]));
        assert_eq!(up(&c, &[], "x@base"), Ok(strs(&["r0"])));
        assert_eq!(up(&c, &all, "y@base"), Ok(vec![]));
        assert_eq!(stamp(&c, &all, "y@base", false), strs(&["r0", "x1", "x2"]));
        assert_eq!(stamp(&c, &all, "y@base", true), strs(&["r0"]));
        // A label on a root: its base is the empty database.
        let g = merged();
        assert_eq!(resolved(&g, "main@base"), Ok(vec![]));
        assert_eq!(
            down(&g, &ALL_MERGED, "feat@base"),
            Ok(strs(&["mg", "b2", "b1"]))
        );
        assert!(matches!(
            resolved(&g, "nope@base"),
            Err(GraphError::UnknownBranchLabel { .. })
        ));
    }

    #[test]
    fn downgrade_removes_dependents_first() {
        let c = crossdep();
        let all = ["r0", "x1", "x2", "y1", "y2"];
        // y2 depends on x1, so it goes too (before x2, by reverse topological order).
        assert_eq!(down(&c, &all, "x1"), Ok(strs(&["y2", "x2"])));
        assert_eq!(down(&c, &all, "y1"), Ok(strs(&["y2"])));
        assert_eq!(down(&c, &all, "x@head"), Ok(vec![]));
        // A head that something depends on: downgrading "to" it drops the dependent.
        let g = Graph::new(vec![
            spec("r0", &[], &[], &[]),
            spec("x1", &["r0"], &[], &["x"]),
            spec("x2", &["x1"], &[], &[]),
            spec("y1", &["r0"], &[], &[]),
            spec("y2", &["y1"], &["x2"], &[]),
        ])
        .unwrap();
        assert_eq!(down(&g, &all, "x@head"), Ok(strs(&["y2"])));
        assert_eq!(down(&g, &all, "heads"), Ok(vec![]));
    }

    #[test]
    fn downgrade_relative() {
        let g = merged();
        assert_eq!(down(&g, &ALL_MERGED, "-2"), Ok(strs(&["mg", "m2"])));
        assert_eq!(
            down(&g, &["r0", "r1", "b1"], "-3"),
            Ok(strs(&["b1", "r1", "r0"]))
        );
        assert_eq!(
            down(&g, &ALL_MERGED, "-8"),
            Err(GraphError::RelativeOutOfRange {
                target: "-8".into(),
                requested: 8,
                available: 7
            })
        );
        assert_eq!(
            down(&g, &["r0", "r1", "b1", "m1"], "-1"),
            Err(GraphError::AmbiguousRelative {
                heads: strs(&["b1", "m1"])
            })
        );
        assert_eq!(
            down(&g, &[], "-1"),
            Err(GraphError::RelativeOutOfRange {
                target: "-1".into(),
                requested: 1,
                available: 0
            })
        );
        assert_eq!(
            down(&g, &ALL_MERGED, "+1"),
            Err(GraphError::WrongDirection {
                target: "+1".into()
            })
        );
        assert!(matches!(
            g.plan_downgrade(&[], &Target::Relative(0)),
            Err(GraphError::BadTarget { .. })
        ));
    }

    #[test]
    fn downgrade_errors() {
        let g = merged();
        assert_eq!(
            down(&g, &["r0"], "r1"),
            Err(GraphError::NotApplied { rev: "r1".into() })
        );
        assert_eq!(
            down(&g, &ALL_MERGED, "zz"),
            Err(GraphError::UnknownRevision { given: "zz".into() })
        );
        assert!(matches!(
            down(&g, &ALL_MERGED, "mg-1"),
            Err(GraphError::AmbiguousWalk { .. })
        ));
        assert!(matches!(
            down(&g, &ALL_MERGED, "feat@m1"),
            Err(GraphError::NotInBranch { .. })
        ));
        assert!(matches!(
            down(&crossdep(), &[], "head"),
            Err(GraphError::MultipleHeads { .. })
        ));
    }

    #[test]
    fn stamp_each_target() {
        let g = merged();
        assert!(stamp(&g, &ALL_MERGED, "base", false).is_empty());
        assert!(stamp(&g, &ALL_MERGED, "base", true).is_empty());
        assert_eq!(stamp(&g, &[], "b1", false), ["r0", "r1", "b1"]);
        assert_eq!(stamp(&g, &[], "b1", true), ["r0", "r1", "b1"]);
        // Other branches' progress survives a plain stamp; purge forgets it.
        assert_eq!(
            stamp(&g, &["r0", "r1", "m1", "m2"], "b1", false),
            ["r0", "r1", "b1", "m1", "m2"]
        );
        assert_eq!(
            stamp(&g, &["r0", "r1", "m1", "m2"], "b1", true),
            ["r0", "r1", "b1"]
        );
        // Whatever lies beyond the target is forgotten.
        assert_eq!(
            stamp(&g, &ALL_MERGED, "b1", false),
            ["r0", "r1", "b1", "m1", "m2"]
        );
        assert_eq!(stamp(&g, &[], "heads", false), ALL_MERGED);
        assert_eq!(stamp(&g, &[], "head", true), ALL_MERGED);
        assert_eq!(stamp(&g, &[], "feat@b2", false), ["r0", "r1", "b1", "b2"]);
        assert_eq!(stamp(&g, &[], "b2-1", false), ["r0", "r1", "b1"]);
        assert_eq!(stamp(&g, &["r0"], "+2", false), ["r0", "r1", "b1"]);
        assert_eq!(
            stamp(&g, &ALL_MERGED, "-1", false),
            ["r0", "r1", "b1", "b2", "m1", "m2"]
        );
        assert_eq!(
            stamp(&g, &ALL_MERGED, "-1", true),
            ["r0", "r1", "b1", "b2", "m1", "m2"]
        );
        let c = crossdep();
        assert_eq!(
            stamp(&c, &["r0", "x1", "x2", "y1", "y2"], "x1", false),
            ["r0", "x1", "y1"]
        );
    }

    #[test]
    fn stamp_errors() {
        let g = merged();
        assert_eq!(
            g.plan_stamp(&set(&g, &ALL_MERGED), &t("+1"), false),
            Err(GraphError::RelativeOutOfRange {
                target: "+1".into(),
                requested: 1,
                available: 0
            })
        );
        assert_eq!(
            g.plan_stamp(&[], &rev("zz"), false),
            Err(GraphError::UnknownRevision { given: "zz".into() })
        );
        assert!(matches!(
            crossdep().plan_stamp(&[], &Target::Head, true),
            Err(GraphError::MultipleHeads { .. })
        ));
    }
}
