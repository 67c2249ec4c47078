//! The `mysql` command-line client's `DELIMITER` lines.
//!
//! Files written for that client (and for tools that mimic it, e.g. Flyway
//! and Liquibase) bracket routines and triggers like this:
//!
//! ```sql
//! DELIMITER //
//! CREATE PROCEDURE p() BEGIN SELECT 1; SELECT 2; END //
//! DELIMITER ;
//! ```
//!
//! `DELIMITER` is not SQL: the client consumes the line, then ends statements
//! at the new delimiter instead of `;`, wherever it appears outside strings,
//! quoted identifiers and comments, even in the middle of what the tokenizer
//! sees as one word (`END$$` is a single MySQL identifier to it, since `$` is
//! an identifier character). This module finds such lines and such
//! delimiters the way the client does: textually, skipping only the tokens
//! the client would skip.
//!
//! A delimiter can also cut a token in two, or start something the tokenizer
//! took for the opening of a string or comment (`DELIMITER '` would make the
//! rest of the file one unterminated string to it). So after a `DELIMITER`
//! line or a custom delimiter, `split.rs` lexes again from there unless that
//! position already is a token boundary; see `split::resume`.

use super::lex::{Kind, Lexed, Lexeme};
use std::ops::Range;

/// A `DELIMITER` line: the new delimiter and where the next statement may
/// start.
#[derive(Debug, PartialEq, Eq)]
pub(super) struct DelimiterLine {
    /// `None` restores the default `;` (and with it `BEGIN … END` grouping);
    /// anything else is matched textually.
    pub(super) delimiter: Option<String>,
    /// Byte offset just after the line (after its `\n`, or the input's end).
    pub(super) next: usize,
}

/// Whether the statement-starting lexeme `first` begins a `DELIMITER` line:
/// the word `DELIMITER` (any case) with nothing but blanks before it on its
/// line, as the client recognises it only there.
///
/// Returns `Err((byte offset, message))` for a line the client would also
/// refuse: no delimiter, or one with a backslash (the client refuses those
/// because a backslash escapes the next character inside its input).
pub(super) fn delimiter_line(
    sql: &str,
    first: &Lexeme,
) -> Option<Result<DelimiterLine, (usize, String)>> {
    if first.kind != Kind::Word
        || !sql
            .get(first.range.clone())
            .is_some_and(|w| w.eq_ignore_ascii_case("DELIMITER"))
    {
        return None;
    }
    let before = sql.get(..first.range.start)?;
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    if !before[line_start..].chars().all(|c| c == ' ' || c == '\t') {
        return None;
    }
    let rest = sql.get(first.range.end..)?;
    let (line, next) = match rest.find('\n') {
        Some(i) => (&rest[..i], first.range.end + i + 1),
        None => (rest, sql.len()),
    };
    let argument = line.trim_start();
    let delimiter = match argument.chars().next() {
        Some(quote @ ('\'' | '"' | '`')) => {
            // The client takes a quoted argument up to its closing quote.
            let inner = &argument[quote.len_utf8()..];
            inner.find(quote).map_or(inner, |end| &inner[..end])
        }
        _ => argument
            .split(char::is_whitespace)
            .next()
            .unwrap_or_default(),
    };
    if delimiter.is_empty() {
        return Some(Err((
            first.range.start,
            "DELIMITER must be followed by a delimiter string".to_owned(),
        )));
    }
    if delimiter.contains('\\') {
        return Some(Err((
            first.range.start,
            "DELIMITER cannot contain a backslash".to_owned(),
        )));
    }
    Some(Ok(DelimiterLine {
        delimiter: (delimiter != ";").then(|| delimiter.to_owned()),
        next,
    }))
}

/// Where a statement under a custom delimiter ends.
#[derive(Debug, PartialEq, Eq)]
pub(super) enum Scan {
    /// The delimiter was found; `text` is the statement (possibly empty, as
    /// for `// //`) and `next` the byte offset just after the delimiter.
    Delimited { text: Range<usize>, next: usize },
    /// The lexemes ran out first; `text` is the statement (possibly empty).
    Exhausted { text: Range<usize> },
}

/// Scans from the statement's first significant lexeme `first` for
/// `delimiter`, looking where the client would: not inside strings, quoted
/// identifiers or comments (whose lexemes are [`Kind::Quoted`] or
/// [`Kind::Comment`]), but at their first character, since the client checks
/// for the delimiter before it checks for an opening quote or comment.
/// Everything before the delimiter, `;` included, is the statement.
pub(super) fn scan(sql: &str, lexed: &Lexed, first: usize, delimiter: &str) -> Scan {
    let lexemes = &lexed.lexemes;
    let start = lexemes.get(first).map_or(lexed.end, |l| l.range.start);
    let mut text_end = start;
    for lexeme in lexemes.iter().skip(first) {
        let found = if searchable(lexeme.kind) {
            find_in(sql, lexeme.range.clone(), delimiter)
        } else {
            starts_at(sql, lexeme.range.start, delimiter)
        };
        if let Some(at) = found {
            // A delimiter inside a token (`END$$`) ends the statement with
            // the part of the token before it.
            let end = if at > lexeme.range.start {
                at
            } else {
                text_end
            };
            return Scan::Delimited {
                text: start..end.max(start),
                next: at + delimiter.len(),
            };
        }
        if lexeme.kind.is_significant() {
            text_end = lexeme.range.end;
        }
    }
    // Where lexing failed, the token the tokenizer could not finish may be
    // the delimiter itself (`DELIMITER /*` with no `*/` anywhere).
    if lexed.error.is_some() {
        if let Some(at) = starts_at(sql, lexed.end, delimiter) {
            return Scan::Delimited {
                text: start..text_end,
                next: at + delimiter.len(),
            };
        }
    }
    Scan::Exhausted {
        text: start..text_end,
    }
}

fn starts_at(sql: &str, at: usize, delimiter: &str) -> Option<usize> {
    sql.get(at..)
        .is_some_and(|rest| rest.starts_with(delimiter))
        .then_some(at)
}

fn searchable(kind: Kind) -> bool {
    !matches!(kind, Kind::Space | Kind::Comment | Kind::Quoted)
}

/// The first offset within `range` where `delimiter` starts. The delimiter
/// may run on past the range, into the following tokens: `//` is two `/`
/// tokens.
fn find_in(sql: &str, range: Range<usize>, delimiter: &str) -> Option<usize> {
    let first_char = delimiter.chars().next()?;
    let text = sql.get(range.clone())?;
    text.match_indices(first_char)
        .map(|(offset, _)| range.start + offset)
        .find(|&at| {
            sql.get(at..)
                .is_some_and(|rest| rest.starts_with(delimiter))
        })
}
