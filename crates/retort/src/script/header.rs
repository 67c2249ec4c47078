//! What a migration file says besides its SQL: the type every other part of `script`
//! (parser, cache, folder reader, collection) shares, so none of them needs another.

use std::path::PathBuf;

use crate::dialect::Dialect;

/// What one migration file says besides its SQL: all that the revision graph, listings and
/// the comparison with the version table need, and all that the start-up cache keeps.
/// The SQL itself is read again, from the file, only for the migrations that run or are
/// shown ([`Script`](crate::script::Script)), so a header from the cache never stands in
/// for text it does not have.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScriptHeader {
    pub path: PathBuf,
    pub revision: String,
    pub revises: Vec<String>,
    pub depends_on: Vec<String>,
    pub branch_labels: Vec<String>,
    /// RFC 3339, as written in the header.
    pub created: Option<String>,
    /// `false` runs the migration outside a transaction (`CREATE INDEX CONCURRENTLY`).
    pub transaction: bool,
    /// `foreign_keys: off`: on SQLite, the migration runs with foreign-key enforcement off
    /// (set before its transaction, where SQLite allows it) and `PRAGMA foreign_key_check`
    /// must find nothing before it commits. A table rebuild needs it: dropping the old
    /// table would otherwise fire the ON DELETE actions of every table that references it.
    /// Other databases ignore it.
    pub foreign_keys_off: bool,
    /// The comment lines before the header keys.
    pub message: String,
    /// Every section's place and checksum, in file order.
    pub sections: Vec<SectionSum>,
    /// The line of each header key, so graph errors can point into the file.
    pub key_lines: Vec<(&'static str, usize)>,
}

/// Where one section of a file is and what its text hashes to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SectionSum {
    pub direction: Direction,
    /// `None` for the generic section, which serves every dialect without its own.
    pub dialect: Option<Dialect>,
    /// The file line of the body's first line: statement lines are offsets from it.
    pub first_line: usize,
    /// [`checksum`](crate::script::checksum) of the body.
    pub sum: String,
}

/// Which way a section runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Direction {
    Up,
    Down,
}

impl Direction {
    pub fn name(self) -> &'static str {
        match self {
            Direction::Up => "up",
            Direction::Down => "down",
        }
    }
}

/// `up` or `down`, as messages and the file markers name it.
impl std::fmt::Display for Direction {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

/// Header keys retort understands; any other `-- key: value` line after the first key is
/// an error, so a typo (`revison:`) cannot silently turn a migration into a root.
pub(super) const KEYS: &[&str] = &[
    "revision",
    "revises",
    "depends_on",
    "branch_labels",
    "created",
    "transaction",
    "foreign_keys",
];

/// The section of `sections` that runs on `dialect`: its own if there is one, else the
/// generic one.
pub(super) fn pick<T>(
    sections: impl Iterator<Item = T> + Clone,
    key: impl Fn(&T) -> (Direction, Option<Dialect>),
    direction: Direction,
    dialect: Dialect,
) -> Option<T> {
    let find = |d: Option<Dialect>| sections.clone().find(|s| key(s) == (direction, d));
    find(Some(dialect)).or_else(|| find(None))
}

impl ScriptHeader {
    /// The header of a file that says nothing but its revision yet: no parents, no
    /// sections, runs in a transaction (what a header key does not say, it means).
    pub fn new(path: PathBuf, revision: String) -> ScriptHeader {
        ScriptHeader {
            path,
            revision,
            revises: Vec::new(),
            depends_on: Vec::new(),
            branch_labels: Vec::new(),
            created: None,
            transaction: true,
            foreign_keys_off: false,
            message: String::new(),
            sections: Vec::new(),
            key_lines: Vec::new(),
        }
    }

    /// The section that runs on `dialect`: its own if the file has one, else the generic one.
    pub fn section(&self, direction: Direction, dialect: Dialect) -> Option<&SectionSum> {
        pick(
            self.sections.iter(),
            |s| (s.direction, s.dialect),
            direction,
            dialect,
        )
    }

    /// The checksum of the up section that runs on `dialect` (what the version table
    /// records); empty when the file has none for it.
    pub fn up_checksum(&self, dialect: Dialect) -> String {
        self.section(Direction::Up, dialect)
            .map(|s| s.sum.clone())
            .unwrap_or_default()
    }

    /// `false` when downgrading through this migration is impossible on `dialect`.
    pub fn reversible(&self, dialect: Dialect) -> bool {
        self.section(Direction::Down, dialect).is_some()
    }

    /// The line of a header key, for errors about its value.
    pub fn key_line(&self, key: &str) -> Option<usize> {
        self.key_lines
            .iter()
            .find(|(k, _)| *k == key)
            .map(|(_, l)| *l)
    }

    /// The first line of the message, as listings show it.
    pub fn summary(&self) -> &str {
        self.message.lines().next().unwrap_or("")
    }

    /// Whether `now` (the same file read again) says what this header said of everything a
    /// plan is made from: the graph keys, `transaction`, `foreign_keys`, and the text of every section.
    /// Only the message and line numbers may differ.
    pub fn same_migration(&self, now: &ScriptHeader) -> bool {
        let sums = |h: &ScriptHeader| {
            h.sections
                .iter()
                .map(|s| (s.direction, s.dialect, s.sum.clone()))
                .collect::<Vec<_>>()
        };
        self.revision == now.revision
            && self.revises == now.revises
            && self.depends_on == now.depends_on
            && self.branch_labels == now.branch_labels
            && self.transaction == now.transaction
            && self.foreign_keys_off == now.foreign_keys_off
            && sums(self) == sums(now)
    }
}
