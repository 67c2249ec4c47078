//! What the database says is applied, checked against the files on disk.

use std::path::PathBuf;

use crate::db::Connection;
use crate::dialect::Dialect;
use crate::error::Interrupted;
use crate::error::{ChecksumMismatch, Error};
use crate::history::{History, VersionRows};
use crate::project::Project;
use crate::script::Direction;

/// The version table read and compared with the project.
#[derive(Debug, Clone)]
pub struct DbState {
    /// Every version row, as read.
    pub rows: VersionRows,
    /// `applied[i]` for graph node `i`.
    pub applied: Vec<bool>,
    /// Applied revisions with no file on disk.
    pub missing: Vec<String>,
    /// Applied revisions whose file changed since they ran.
    pub changed: Vec<ChecksumMismatch>,
    /// Rows left `running`/`reverting` by an interrupted migration (MySQL, or
    /// `transaction: false`).
    pub running: Vec<String>,
    /// The same, with what is known about how far each got.
    pub interrupted: Vec<Interrupted>,
}

impl DbState {
    /// Reads the version table (without creating it) and compares it with the project.
    pub fn read(
        project: &Project,
        conn: &mut dyn Connection,
        history: &History,
    ) -> Result<DbState, Error> {
        let rows = history
            .read(conn)
            .map_err(Error::db("reading the version table"))?;
        Ok(DbState::compare(project, rows, history))
    }

    /// Compares version rows with the project's files.
    pub fn compare(project: &Project, rows: VersionRows, history: &History) -> DbState {
        let mut applied = vec![false; project.graph.len()];
        let mut missing = Vec::new();
        let mut changed = Vec::new();
        let mut running = Vec::new();
        let mut interrupted = Vec::new();
        let mut next = 0;
        for row in rows.iter() {
            if let Some((direction, done)) = row.state.progress() {
                running.push(row.revision.to_string());
                interrupted.push(interrupted_at(
                    project,
                    history.dialect,
                    row.revision,
                    direction,
                    done,
                ));
            }
            let Some(i) = project.graph.index_of_near(row.revision, next) else {
                missing.push(row.revision.to_string());
                continue;
            };
            next = i + 1;
            applied[i] = true;
            let on_disk = project.scripts().up_checksum(i, history.dialect);
            if let Some(on_disk) = on_disk.filter(|sum| *sum != row.checksum) {
                changed.push(ChecksumMismatch {
                    revision: row.revision.to_string(),
                    path: project.script(i).path.clone(),
                    applied: row.checksum.to_string(),
                    on_disk: on_disk.to_string(),
                });
            }
        }
        DbState {
            rows,
            applied,
            missing,
            changed,
            running,
            interrupted,
        }
    }

    /// The checks `upgrade` and `downgrade` make before running anything, an interrupted
    /// migration first.
    pub fn ensure_runnable(&self, migrations_dir: PathBuf) -> Result<(), Error> {
        if !self.running.is_empty() {
            return Err(Error::Interrupted(self.interrupted.clone()));
        }
        self.ensure_consistent(migrations_dir)
    }

    /// The files and the version table agree: nothing applied is missing or edited.
    pub fn ensure_consistent(&self, migrations_dir: PathBuf) -> Result<(), Error> {
        if !self.missing.is_empty() {
            return Err(Error::MissingOnDisk {
                dir: migrations_dir,
                revisions: self.missing.clone(),
            });
        }
        if !self.changed.is_empty() {
            return Err(Error::ChecksumMismatch(self.changed.clone()));
        }
        Ok(())
    }

    /// The applied revisions in graph order.
    pub fn applied_indices(&self) -> Vec<usize> {
        (0..self.applied.len())
            .filter(|&i| self.applied[i])
            .collect()
    }
}

/// How far a migration left in progress got, from its row (`done` statements took effect)
/// and its file (which statements those were, and the one that may or may not have run).
fn interrupted_at(
    project: &Project,
    dialect: Dialect,
    revision: &str,
    direction: Direction,
    done: usize,
) -> Interrupted {
    let index = project.index_of(revision);
    let section = index.and_then(|i| super::statements(project, i, direction, dialect).ok());
    let statement = |k: usize| {
        let section = section.as_ref()?;
        let stmt = section.statements.get(k)?;
        Some((stmt.text.clone(), section.first_line + stmt.line - 1))
    };
    Interrupted {
        revision: revision.to_string(),
        path: index.map(|i| project.script(i).path.clone()),
        direction,
        done,
        last: done.checked_sub(1).and_then(statement),
        maybe: statement(done),
    }
}
