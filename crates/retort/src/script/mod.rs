//! Migration files: parsing them (with line numbers for errors), reading a folder of them,
//! and writing new ones. No database and no graph here: a [`Script`] is what one file says.

mod cache;
mod dir;
mod parallel;
mod parse;
mod set;
mod write;

use std::fmt;
use std::path::PathBuf;

use sha2::{Digest, Sha256};

use crate::dialect::Dialect;

pub use cache::{decode as decode_cache, location as cache_location};
pub use dir::{read_dir, read_dir_cached};
pub use parse::{display_path, parse};
pub use set::Scripts;
pub use write::{comment_text, file_name, render_new, slug, NewScript};

/// What one migration file says besides its SQL: all that the revision graph, listings and
/// the comparison with the version table need, and all that the start-up cache keeps.
/// The SQL itself is read again, from the file, only for the migrations that run or are
/// shown ([`Script`]), so a header from the cache never stands in for text it does not have.
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
    /// [`checksum`] of the body.
    pub sum: String,
}

/// One migration file, whole: its header and the SQL of each of its sections.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Script {
    pub header: ScriptHeader,
    /// `bodies[k]` is the text of `header.sections[k]`.
    bodies: Vec<String>,
}

impl std::ops::Deref for Script {
    type Target = ScriptHeader;

    fn deref(&self) -> &ScriptHeader {
        &self.header
    }
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

/// The SQL under one `-- migrate:up|down [dialect]` marker of a [`Script`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Section<'a> {
    pub direction: Direction,
    pub dialect: Option<Dialect>,
    /// The file line of the body's first line.
    pub first_line: usize,
    pub body: &'a str,
    pub sum: &'a str,
}

impl Section<'_> {
    /// SHA-256 (hex) of the section text. Line endings are normalised to `\n` and trailing
    /// whitespace is ignored, so a checkout with CRLF (git autocrlf on Windows) or an editor
    /// that trims the last blank line does not look like an edited migration.
    pub fn checksum(&self) -> String {
        self.sum.to_string()
    }

    /// `true` when the section holds no SQL, only blank lines and `--` comments.
    pub fn is_blank(&self) -> bool {
        self.body.lines().all(|l| {
            let l = l.trim();
            l.is_empty() || l.starts_with("--")
        })
    }
}

/// The checksum [`Section::checksum`] computes, for any text.
pub fn checksum(text: &str) -> String {
    let normalised: std::borrow::Cow<str> = if text.contains('\r') {
        text.replace("\r\n", "\n").into()
    } else {
        text.into()
    };
    let digest = Sha256::digest(normalised.trim_end().as_bytes());
    const HEX: &[u8; 16] = b"0123456789abcdef";
    let mut hex = String::with_capacity(64);
    for byte in digest {
        hex.push(char::from(HEX[usize::from(byte >> 4)]));
        hex.push(char::from(HEX[usize::from(byte & 0xf)]));
    }
    hex
}

/// The section of `sections` that runs on `dialect`: its own if there is one, else the
/// generic one.
fn pick<T>(
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
    /// plan is made from: the graph keys, `transaction`, and the text of every section.
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
            && sums(self) == sums(now)
    }
}

impl Script {
    /// Every section with its SQL, in file order.
    pub fn sections(&self) -> impl Iterator<Item = Section<'_>> + Clone {
        self.header
            .sections
            .iter()
            .zip(&self.bodies)
            .map(|(s, body)| Section {
                direction: s.direction,
                dialect: s.dialect,
                first_line: s.first_line,
                body,
                sum: &s.sum,
            })
    }

    /// The section that runs on `dialect`, with its SQL.
    pub fn section(&self, direction: Direction, dialect: Dialect) -> Option<Section<'_>> {
        pick(
            self.sections(),
            |s| (s.direction, s.dialect),
            direction,
            dialect,
        )
    }

    /// The header alone (what is kept of a file that does not run).
    pub fn into_header(self) -> ScriptHeader {
        self.header
    }
}

/// A problem with one migration file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScriptError {
    pub path: PathBuf,
    pub line: Option<usize>,
    pub message: String,
}

impl fmt::Display for ScriptError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.path.display())?;
        if let Some(line) = self.line {
            write!(f, ":{line}")?;
        }
        write!(f, ": {}", self.message)
    }
}

impl std::error::Error for ScriptError {}

/// Revision ids: letters, digits and `_` (generated ids are 12 lowercase hex characters;
/// `--rev-id` may choose others). `+ - @ :` are excluded because targets use them.
pub fn validate_id(id: &str) -> Result<(), String> {
    let ok = !id.is_empty()
        && id.len() <= 64
        && id.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_');
    if ok {
        Ok(())
    } else {
        Err(format!(
            "`{id}` is not a valid revision id (letters, digits and _, at most 64)"
        ))
    }
}

/// Branch labels: an identifier that can be told apart from a revision prefix in
/// `label@head`.
pub fn validate_label(label: &str) -> Result<(), String> {
    let mut chars = label.chars();
    let ok = chars
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-');
    if ok {
        Ok(())
    } else {
        Err(format!(
            "`{label}` is not a valid branch label (a letter or _, then letters, digits, _ or -)"
        ))
    }
}

/// A fresh random revision id: 12 lowercase hex characters, as Alembic writes them.
pub fn random_id() -> Result<String, std::io::Error> {
    let mut bytes = [0u8; 6];
    getrandom::fill(&mut bytes).map_err(|e| std::io::Error::other(e.to_string()))?;
    Ok(bytes.iter().map(|b| format!("{b:02x}")).collect())
}

#[cfg(test)]
mod tests;
