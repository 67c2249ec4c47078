//! One migration file whole: its header and the SQL of each section, read only for the
//! migrations that run or are shown.

use crate::dialect::Dialect;

use super::header::{pick, Direction, ScriptHeader};

/// One migration file, whole: its header and the SQL of each of its sections.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Script {
    pub header: ScriptHeader,
    /// `bodies[k]` is the text of `header.sections[k]`.
    pub(super) bodies: Vec<String>,
}

impl std::ops::Deref for Script {
    type Target = ScriptHeader;

    fn deref(&self) -> &ScriptHeader {
        &self.header
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
