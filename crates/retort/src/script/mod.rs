//! Migration files: parsing them (with line numbers for errors), reading a folder of them,
//! and writing new ones. No database and no graph here: a [`Script`] is what one file says.

mod cache;
mod dir;
mod mapped;
mod parse;
mod set;
mod write;

use std::fmt;
use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};

use crate::dialect::Dialect;

pub use cache::location as cache_location;
pub(crate) use dir::read_dir_cached_then;
pub use dir::{read_dir, read_dir_cached};
pub use parse::{display_path, parse};
pub use set::{Header, Refs, Scripts};
pub use write::{comment_text, file_name, render_new, slug, NewScript};

/// One migration file, as written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Script {
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
    pub sections: Vec<Section>,
    /// The line of each header key, so graph errors can point into the file. Empty when
    /// the script came from the start-up cache.
    pub key_lines: Vec<(String, usize)>,
    /// `false` when the script came from the start-up cache without its SQL text.
    pub has_bodies: bool,
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

/// The SQL under one `-- migrate:up|down [dialect]` marker.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Section {
    pub direction: Direction,
    /// `None` for the generic section, which serves every dialect without its own.
    pub dialect: Option<Dialect>,
    /// The file line of the body's first line: statement lines are offsets from it.
    pub first_line: usize,
    /// The SQL text. Empty when the script came from the start-up cache: call
    /// [`Script::complete`] before reading it.
    pub body: String,
    /// [`checksum`] of the body, computed when the file is parsed (and kept in the cache).
    pub sum: String,
}

impl Section {
    /// SHA-256 (hex) of the section text. Line endings are normalised to `\n` and trailing
    /// whitespace is ignored, so a checkout with CRLF (git autocrlf on Windows) or an editor
    /// that trims the last blank line does not look like an edited migration.
    pub fn checksum(&self) -> String {
        self.sum.clone()
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

impl Script {
    /// The section that runs on `dialect`: its own if the file has one, else the generic one.
    pub fn section(&self, direction: Direction, dialect: Dialect) -> Option<&Section> {
        let pick = |d: Option<Dialect>| {
            self.sections
                .iter()
                .find(|s| s.direction == direction && s.dialect == d)
        };
        pick(Some(dialect)).or_else(|| pick(None))
    }

    /// The checksum of the up section that runs on `dialect` (what the version table
    /// records); empty when the file has none for it.
    pub fn up_checksum(&self, dialect: Dialect) -> String {
        self.section(Direction::Up, dialect)
            .map(Section::checksum)
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
            .find(|(k, _)| k == key)
            .map(|(_, l)| *l)
    }

    /// This script with its SQL text, reading the file again if it came from the cache.
    /// `root` is the project directory the script's path is relative to.
    pub fn complete(&self, root: &Path) -> Result<std::borrow::Cow<'_, Script>, ScriptError> {
        if self.has_bodies {
            return Ok(std::borrow::Cow::Borrowed(self));
        }
        let full_path = root.join(&self.path);
        let text = std::fs::read_to_string(&full_path).map_err(|e| ScriptError {
            path: self.path.clone(),
            line: None,
            message: format!("cannot read: {e}"),
        })?;
        let mut full = parse(&self.path, &text)?;
        full.path = self.path.clone();
        Ok(std::borrow::Cow::Owned(full))
    }

    /// The first line of the message, as listings show it.
    pub fn summary(&self) -> &str {
        self.message.lines().next().unwrap_or("")
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
        && id.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
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
