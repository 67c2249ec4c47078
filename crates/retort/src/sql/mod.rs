//! Splitting a migration's SQL text into the statements retort executes one
//! by one.
//!
//! Why split at all: drivers differ in whether they accept several statements
//! in one call, and executing statement by statement is what lets a failure
//! name the statement and the line of the migration file it came from.
//!
//! Why not split on `;` with a regular expression: real migration files,
//! including ones written for other tools, contain semicolons inside string
//! literals, quoted identifiers, comments, PostgreSQL dollar-quoted bodies and
//! `BEGIN … END` bodies of triggers and routines. Lexing is delegated to
//! `sqlparser`'s tokenizer (so quoting and comment rules per dialect are the
//! ones a maintained SQL library uses), and this module only adds what a
//! tokenizer cannot know:
//!
//! * grouping of `BEGIN … END` blocks of triggers, procedures, functions and
//!   events, whose inner `;` do not end the statement (`split.rs`);
//! * the `mysql` command-line client's `DELIMITER` lines, which files written
//!   for that client use to the same end (`delimiter.rs`);
//! * exact byte positions: the tokenizer reports only 1-based line and
//!   character columns, so statements are located and sliced from the input
//!   here (`lex.rs`), never re-rendered from tokens, so the database sees
//!   exactly what the author wrote.
//!
//! The splitter never judges whether a statement is valid SQL: anything that
//! lexes is passed through, and the database reports what it rejects.

mod delimiter;
/// Used by the introspection of the drivers that read expressions back as text.
#[cfg(any(feature = "sqlite", feature = "mysql"))]
pub(crate) mod expr;
pub(crate) mod lex;
mod split;

#[cfg(test)]
mod tests;

use crate::dialect::Dialect;
use std::fmt;
use std::ops::Range;

/// One executable statement, sliced from the input (never re-rendered from
/// tokens).
///
/// `text` runs from the statement's first token that is neither whitespace
/// nor a comment to the end of its last such token, without the terminating
/// delimiter (`;` or a custom MySQL `DELIMITER`). Comments before the
/// statement are left out because they belong to the file, not to the
/// statement (and a comment-only "statement" would be an error on some
/// drivers); comments inside it are kept, since the text is an exact slice.
/// MySQL executable comments (`/*! … */`, `/*M! … */`) are not comments in
/// this sense: MySQL runs their contents, so they are kept wherever they are.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Statement {
    /// Exact slice of the input: `&input[byte_range] == text`.
    pub text: String,
    /// 1-based line of the statement's first token.
    pub line: usize,
    /// 1-based column of the statement's first token, counted in characters
    /// (not bytes), as an editor shows it.
    pub column: usize,
    /// Byte range of `text` within the input.
    pub byte_range: Range<usize>,
}

/// Why the input could not be split, and where.
///
/// Splitting fails only where continuing would mean guessing: an unterminated
/// string, quoted identifier, dollar quote or block comment (everything after
/// it would be swallowed into one statement), a `BEGIN … END` block that is
/// never closed, or a malformed MySQL `DELIMITER` line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SplitError {
    /// 1-based line where the offending construct starts.
    pub line: usize,
    /// 1-based column (in characters) where the offending construct starts.
    pub column: usize,
    /// What is wrong, in lower case, without position.
    pub message: String,
}

impl fmt::Display for SplitError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "line {}, column {}: {}",
            self.line, self.column, self.message
        )
    }
}

impl std::error::Error for SplitError {}

/// Splits `sql` into the statements to execute one by one, in order.
///
/// Statements end at a top-level `;`, or at the end of the input (a last
/// statement needs no `;`). Whitespace- and comment-only pieces (including
/// `;;` and a comment-only input) yield no statement. `BEGIN … END` bodies of
/// `CREATE TRIGGER|PROCEDURE|FUNCTION|EVENT`, MariaDB's `BEGIN NOT ATOMIC`
/// and `label: BEGIN` are kept whole; a plain `BEGIN` (transaction start) is
/// an ordinary statement. With [`Dialect::Mysql`], `DELIMITER x` lines switch
/// the terminator as the `mysql` client does.
///
/// # Errors
///
/// Returns a [`SplitError`] for input that cannot be split without guessing:
/// see its documentation.
pub fn split(dialect: Dialect, sql: &str) -> Result<Vec<Statement>, SplitError> {
    split::split(dialect, sql)
}

/// Turns byte offsets into the 1-based line and character column users see.
///
/// Lines are counted at `\n` only, as `sqlparser`'s tokenizer does (the `\r`
/// of a CRLF pair is the last character of its line, and a lone `\r` is no
/// line break), so positions agree with the tokenizer's. Offsets are asked for in
/// increasing order while splitting, so the last answer is kept and the
/// column is counted on from it: a multi-megabyte single-line dump with
/// thousands of statements stays linear.
struct Locator<'a> {
    sql: &'a str,
    /// Byte offset where each line starts; `line_starts[0] == 0`.
    line_starts: Vec<usize>,
    /// Last answer: (byte offset, line, column).
    last: (usize, usize, usize),
}

impl<'a> Locator<'a> {
    fn new(sql: &'a str) -> Self {
        let line_starts = std::iter::once(0)
            .chain(sql.match_indices('\n').map(|(i, _)| i + 1))
            .collect();
        Locator {
            sql,
            line_starts,
            last: (0, 1, 1),
        }
    }

    /// Line and column of byte offset `at`. An offset past the end or not on
    /// a character boundary is moved back to one, so this cannot panic.
    fn position(&mut self, at: usize) -> (usize, usize) {
        let mut at = at.min(self.sql.len());
        while !self.sql.is_char_boundary(at) {
            at -= 1;
        }
        // `line_starts[0] == 0 <= at`, so the partition point (the 1-based
        // line) is at least 1.
        let line = self.line_starts.partition_point(|&start| start <= at);
        let line_start = self
            .line_starts
            .get(line.saturating_sub(1))
            .copied()
            .unwrap_or(0);
        let (last_at, last_line, last_column) = self.last;
        let chars = |from: usize| self.sql.get(from..at).map_or(0, |s| s.chars().count());
        let column = if last_line == line && last_at <= at {
            last_column + chars(last_at)
        } else {
            chars(line_start) + 1
        };
        self.last = (at, line, column);
        (line, column)
    }

    /// A [`SplitError`] located at byte offset `at`.
    fn error(&mut self, at: usize, message: impl Into<String>) -> SplitError {
        let (line, column) = self.position(at);
        SplitError {
            line,
            column,
            message: message.into(),
        }
    }
}
