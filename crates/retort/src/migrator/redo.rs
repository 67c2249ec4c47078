//! `redo`: the dev loop of a migration just applied and then edited, in one command. It is
//! reverted with the down section its version row recorded (the text that matches what
//! ran), then applied again from its file as it is now.

use super::{statements, Event, Migrator, Prepared, RunReport, Step};
use crate::error::Error;
use crate::graph::Target;
use crate::script::Direction;
use crate::sql;

/// What [`Migrator::redo`] did: the revert and the new apply, each as a run reports it.
#[derive(Debug, Clone, Default)]
pub struct RedoReport {
    pub revision: String,
    pub reverted: RunReport,
    pub applied: RunReport,
}

impl<'a> Migrator<'a> {
    /// Reverts one applied revision that nothing applied builds on and applies its file as
    /// it is now. `target` names it; `None` takes the database's one current head. Only
    /// that revision's file may have changed since it ran; every other check of an upgrade
    /// applies. Where its up section changed, it is reverted with the down section recorded
    /// when it ran (the one that matches what ran); where only the down section changed, or
    /// nothing, with the file's (a fixed down section is the one to use). A row that keeps
    /// no text (applied by an older retort, or stamped) can only be redone while its up
    /// section is unchanged.
    pub fn redo(
        &mut self,
        target: Option<&Target>,
        on_event: &mut dyn FnMut(&Event<'_>),
    ) -> Result<RedoReport, Error> {
        self.locked(on_event, |m, on_event| {
            m.ensure_tables()?;
            let state = m.read_state()?;
            if !state.running.is_empty() {
                return Err(Error::Interrupted(state.interrupted.clone()));
            }
            let graph = &m.project.graph;
            let index = match target {
                Some(target) => match graph.resolve(target).map_err(Error::Target)?[..] {
                    [one] => one,
                    _ => {
                        return Err(Error::Usage(
                            "redo takes one revision; the target names several".into(),
                        ))
                    }
                },
                None => match graph.current_heads(&state.applied)[..] {
                    [one] => one,
                    [] => return Err(Error::Usage("nothing is applied: nothing to redo".into())),
                    ref several => {
                        return Err(Error::Usage(format!(
                            "the database has {} current heads ({}); name the one to redo",
                            several.len(),
                            graph.ids(several).join(", ")
                        )))
                    }
                },
            };
            let revision = m.project.script(index).revision.clone();
            if !state.applied[index] {
                return Err(Error::Usage(format!(
                    "{revision} is not applied: there is nothing to redo"
                )));
            }
            let built_on = graph.descendants(&[index]);
            let above: Vec<usize> = (0..graph.len())
                .filter(|&i| i != index && state.applied[i] && built_on[i])
                .collect();
            if !above.is_empty() {
                return Err(Error::Usage(format!(
                    "{revision} cannot be redone alone: applied revisions build on it ({})",
                    graph.ids(&above).join(", ")
                )));
            }
            // Every other applied migration must still match its file.
            let mut others = state.clone();
            others.changed.retain(|c| c.revision != revision);
            others.ensure_consistent(m.project.migrations_dir())?;
            let edited = others.changed.len() != state.changed.len();
            let down = m.recorded_down(index, edited)?;
            let down_step = Step {
                index,
                script: m.project.script(index),
                section: down,
            };
            let reverted = m.run_prepared(Direction::Down, &[down_step], on_event)?;
            let up = m.steps(Direction::Up, &[index])?;
            let applied = m.run_prepared(Direction::Up, &up, on_event)?;
            Ok(RedoReport {
                revision,
                reverted,
                applied,
            })
        })
    }

    /// The down section to revert migration `index` with: its file's while its up section
    /// is what ran (`edited` false), else the one its row recorded.
    fn recorded_down(&mut self, index: usize, edited: bool) -> Result<Prepared, Error> {
        let script = self.project.script(index);
        let dialect = self.conn.dialect();
        if !edited {
            return statements(self.project, index, Direction::Down, dialect);
        }
        let recorded = self
            .history
            .recorded_text(self.conn, &script.revision)
            .map_err(Error::db("reading the version table"))?;
        let Some(texts) = recorded else {
            return Err(Error::Usage(format!(
                "{}: {} was applied without keeping its text (by an older retort, or stamped), and its up section changed since: the down section that matches what ran is known nowhere; restore the file as it ran to revert it",
                script.path.display(),
                script.revision
            )));
        };
        let Some(body) = texts.down else {
            return Err(Error::Irreversible {
                revision: script.revision.clone(),
                path: script.path.clone(),
                dialect: dialect.to_string(),
            });
        };
        // Lines are the file's when the recorded text is still what the file says, else
        // counted from the recorded section's first line.
        let first_line = self
            .project
            .load_script(index)
            .ok()
            .and_then(|now| {
                now.section(Direction::Down, dialect)
                    .filter(|s| s.body == body)
                    .map(|s| s.first_line)
            })
            .unwrap_or(1);
        let statements = sql::split(dialect, &body).map_err(|e| {
            Error::Usage(format!(
                "{}: the recorded down section of {} does not split at its line {}: {}",
                script.path.display(),
                script.revision,
                e.line,
                e.message
            ))
        })?;
        Ok(Prepared {
            first_line,
            checksum: crate::script::checksum(&body),
            statements,
            texts: None,
            // What the recorded up section was does not matter to a revert of it.
            other_blank: None,
        })
    }
}
