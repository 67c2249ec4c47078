//! The `state` column of a version row, parsed in one place.

use std::fmt;

use crate::script::Direction;

/// Where the migration of a version row stands. Only a migration that runs outside a
/// transaction (MySQL, or `transaction: false`) is ever seen in progress: its row is marked
/// before its first statement and counts the statements that took effect, so that an
/// interrupted run can name the last one that certainly did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RowState {
    /// The migration completed (`applied`).
    Applied,
    /// Its upgrade is under way or was interrupted after `done` statements (`running`,
    /// `running:2`).
    Running { done: usize },
    /// Its downgrade is under way or was interrupted after `done` statements (`reverting`,
    /// `reverting:1`).
    Reverting { done: usize },
}

const APPLIED: &str = "applied";
const RUNNING: &str = "running";
const REVERTING: &str = "reverting";

impl RowState {
    /// The mark of a migration under way in `direction` after `done` of its statements.
    pub fn in_progress(direction: Direction, done: usize) -> RowState {
        match direction {
            Direction::Up => RowState::Running { done },
            Direction::Down => RowState::Reverting { done },
        }
    }

    /// Reads the column. Text retort never writes (a row edited by hand) is `None`; the
    /// commands count such a row as applied, as they always have.
    pub fn parse(text: &str) -> Option<RowState> {
        // Nearly every row: not worth a search for ':'.
        if text == APPLIED {
            return Some(RowState::Applied);
        }
        let (base, done) = match text.split_once(':') {
            Some((base, n)) => (base, n.parse().ok()?),
            None => (text, 0),
        };
        match base {
            RUNNING => Some(RowState::Running { done }),
            REVERTING => Some(RowState::Reverting { done }),
            _ => None,
        }
    }

    /// For a migration left in progress: which way it ran and how many statements took
    /// effect.
    pub fn progress(self) -> Option<(Direction, usize)> {
        match self {
            RowState::Applied => None,
            RowState::Running { done } => Some((Direction::Up, done)),
            RowState::Reverting { done } => Some((Direction::Down, done)),
        }
    }
}

/// The text stored in the column.
impl fmt::Display for RowState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (base, done) = match *self {
            RowState::Applied => return f.write_str(APPLIED),
            RowState::Running { done } => (RUNNING, done),
            RowState::Reverting { done } => (REVERTING, done),
        };
        f.write_str(base)?;
        if done > 0 {
            write!(f, ":{done}")?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_state_reads_back_as_written() {
        for state in [
            RowState::Applied,
            RowState::Running { done: 0 },
            RowState::Running { done: 2 },
            RowState::Reverting { done: 0 },
            RowState::Reverting { done: 17 },
        ] {
            assert_eq!(RowState::parse(&state.to_string()), Some(state), "{state}");
        }
        assert_eq!(RowState::Running { done: 0 }.to_string(), "running");
        assert_eq!(RowState::Reverting { done: 1 }.to_string(), "reverting:1");
        assert_eq!(
            RowState::parse("running:0"),
            Some(RowState::Running { done: 0 })
        );
    }

    #[test]
    fn text_retort_never_writes_is_not_a_state() {
        for text in [
            "",
            "Applied",
            "running:",
            "running:x",
            "reverting:-1",
            "done",
            "applied:1",
        ] {
            assert_eq!(RowState::parse(text), None, "{text:?}");
        }
    }

    #[test]
    fn only_a_migration_in_progress_has_progress() {
        assert_eq!(RowState::Applied.progress(), None);
        assert_eq!(
            RowState::in_progress(Direction::Down, 3).progress(),
            Some((Direction::Down, 3))
        );
        assert_eq!(
            RowState::in_progress(Direction::Up, 0),
            RowState::Running { done: 0 }
        );
    }
}
