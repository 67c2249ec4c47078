//! Grouping lexemes into statements.
//!
//! A statement ends at a `;` outside any `BEGIN … END` block. Blocks are
//! recognised only where a database has them, because `BEGIN` alone is also
//! the start of a transaction (`BEGIN;`, `BEGIN TRANSACTION`, `BEGIN
//! IMMEDIATE`, `BEGIN WORK`), which must stay a statement of its own:
//!
//! * in a statement that starts `CREATE [OR REPLACE] [DEFINER = user]
//!   [TEMP|TEMPORARY] … TRIGGER|PROCEDURE|FUNCTION|EVENT`, at its first
//!   `BEGIN` (SQLite and MySQL trigger bodies, MySQL routines and events,
//!   PostgreSQL `BEGIN ATOMIC` bodies);
//! * in a statement that starts `BEGIN NOT ATOMIC` (MariaDB anonymous block)
//!   or `label: BEGIN`.
//!
//! Inside a block, `BEGIN` and `CASE` open, `END` closes. The other compound
//! statements (`IF … END IF`, `LOOP … END LOOP`, `WHILE … END WHILE`,
//! `REPEAT … END REPEAT`, MariaDB's `FOR … END FOR`) are counted on neither
//! side: their openers are also function names (`IF(a, b, c)`,
//! `REPEAT('x', 3)`), so `END` followed by one of those words is skipped
//! together with it. `END CASE` closes the `CASE` statement as `END` closes a
//! `CASE` expression. `END label` is a plain `END`.
//!
//! On PostgreSQL only, a `;` inside parentheses does not end a statement
//! either, as in psql: `CREATE RULE … DO ALSO (INSERT …; INSERT …)` needs it.
//! SQLite's shell and the `mysql` client do not count parentheses, so neither
//! does this for them.

use super::delimiter::{self, Scan};
use super::lex::{lex, Kind, Lexed, Lexeme};
use super::{Locator, SplitError, Statement};
use crate::dialect::Dialect;
use std::ops::Range;

pub(super) fn split(dialect: Dialect, sql: &str) -> Result<Vec<Statement>, SplitError> {
    let mut locator = Locator::new(sql);
    let mut statements = Vec::new();
    let mut lexed = lex(dialect, sql, 0);
    let mut index = 0;
    // `None`: the default `;`. Only MySQL `DELIMITER` lines change it.
    let mut custom_delimiter: Option<String> = None;
    loop {
        while lexed
            .lexemes
            .get(index)
            .is_some_and(|l| !l.kind.is_significant())
        {
            index += 1;
        }
        let Some(first) = lexed.lexemes.get(index) else {
            // Only whitespace and comments are left, unless lexing failed.
            return match lexed.error {
                Some(message) => Err(locator.error(lexed.end, message)),
                None => Ok(statements),
            };
        };

        if dialect == Dialect::Mysql {
            if let Some(line) = delimiter::delimiter_line(sql, first) {
                let line = line.map_err(|(at, message)| locator.error(at, message))?;
                custom_delimiter = line.delimiter;
                (lexed, index) = resume(dialect, sql, lexed, index, line.next);
                continue;
            }
        }

        let text = match &custom_delimiter {
            None => {
                let scanned = scan(dialect, sql, &lexed, index, &mut locator)?;
                index = scanned.next;
                scanned.text
            }
            Some(delimiter) => match delimiter::scan(sql, &lexed, index, delimiter) {
                Scan::Delimited { text, next } => {
                    (lexed, index) = resume(dialect, sql, lexed, index, next);
                    text
                }
                Scan::Exhausted { text } => {
                    if let Some(message) = lexed.error {
                        return Err(locator.error(lexed.end, message));
                    }
                    index = lexed.lexemes.len();
                    text
                }
            },
        };
        if let Some(statement) = statement(sql, text, &mut locator) {
            statements.push(statement);
        }
    }
}

fn statement(sql: &str, range: Range<usize>, locator: &mut Locator<'_>) -> Option<Statement> {
    // Tokens end in whitespace only through a tokenizer quirk (MySQL `@`
    // followed by a newline or tab becomes one word with it), but the text
    // must not, whatever the tokens. Only ASCII whitespace: MySQL words may
    // end in other Unicode spaces, which MySQL also takes as identifier
    // characters.
    let text = sql
        .get(range.clone())?
        .trim_end_matches(|c: char| c.is_ascii_whitespace());
    if text.is_empty() {
        return None;
    }
    let range = range.start..range.start + text.len();
    let (line, column) = locator.position(range.start);
    Some(Statement {
        text: text.to_owned(),
        line,
        column,
        byte_range: range,
    })
}

/// Continues lexing at byte offset `at`, where a `DELIMITER` line or a
/// custom delimiter ended. The existing lexemes are reused when `at` is a
/// token boundary (the tokenizer is context-free between tokens, so lexing
/// afresh from there would give the same tokens); otherwise the delimiter
/// cut a token, or the tokenizer read the `DELIMITER` argument as the start
/// of a string or comment, and the text from `at` is lexed again
/// ([`relex`]). `live` is the index of the first lexeme still to be read:
/// only from there on are the lexemes in order (`relex` reuses the slots
/// before it).
pub(super) fn resume(
    dialect: Dialect,
    sql: &str,
    lexed: Lexed,
    live: usize,
    at: usize,
) -> (Lexed, usize) {
    let rest = lexed.lexemes.get(live..).unwrap_or_default();
    match rest.binary_search_by_key(&at, |l| l.range.start) {
        Ok(k) => (lexed, live + k),
        Err(k) if k == rest.len() && at == lexed.end && lexed.error.is_none() => (lexed, live + k),
        Err(_) => relex(dialect, sql, lexed, live, at, 128),
    }
}

/// The lexemes from `at` on (and the index of the first), lexed again only as
/// far as needed: up to the first token both lexings agree on (same place,
/// same kind), after which the old lexemes are what a new lexing would give,
/// the tokenizer being context-free between tokens. The new lexemes take the
/// places of old ones before the meeting point, which are spent, so the rest
/// is not copied. Lexing (or copying) the whole rest after every statement made
/// a file of statements glued to their delimiter (`SELECT a$$SELECT b$$`, where
/// `$$SELECT` is one word) quadratic: 16,000 of them took 37 s.
///
/// `window` is the first stretch of text lexed, in bytes; it grows fourfold
/// until the lexings meet.
fn relex(
    dialect: Dialect,
    sql: &str,
    mut old: Lexed,
    live: usize,
    at: usize,
    mut window: usize,
) -> (Lexed, usize) {
    loop {
        let mut end = at.saturating_add(window).min(sql.len());
        while !sql.is_char_boundary(end) {
            end += 1;
        }
        if end == sql.len() {
            return (lex(dialect, sql, at), 0);
        }
        let part = lex(dialect, &sql[..end], at);
        // The window may cut its last token (or open a string it cannot
        // close): only the lexemes before that one are sure.
        let sure = part.lexemes.len().saturating_sub(1);
        for (k, lexeme) in part.lexemes[..sure].iter().enumerate() {
            let rest = old.lexemes.get(live..).unwrap_or_default();
            let same = rest
                .binary_search_by_key(&lexeme.range.start, |l| l.range.start)
                .ok()
                .map(|j| live + j)
                .filter(|&j| old.lexemes[j] == *lexeme);
            let Some(j) = same else { continue };
            let fresh = &part.lexemes[..k];
            return match j.checked_sub(k) {
                Some(first) => {
                    old.lexemes[first..j].clone_from_slice(fresh);
                    (old, first)
                }
                None => {
                    let mut lexemes = fresh.to_vec();
                    lexemes.extend_from_slice(&old.lexemes[j..]);
                    old.lexemes = lexemes;
                    (old, 0)
                }
            };
        }
        window = window.saturating_mul(4);
    }
}

/// A statement found by [`scan`].
struct Scanned {
    /// From its first to the end of its last significant lexeme.
    text: Range<usize>,
    /// Index of the lexeme after its terminating `;` (or the end).
    next: usize,
}

/// Scans a `;`-terminated statement starting at significant lexeme `first`.
fn scan(
    dialect: Dialect,
    sql: &str,
    lexed: &Lexed,
    first: usize,
    locator: &mut Locator<'_>,
) -> Result<Scanned, SplitError> {
    let lexemes = &lexed.lexemes;
    let start = lexemes.get(first).map_or(sql.len(), |l| l.range.start);
    let can_open = has_block(sql, lexemes, first);
    let mut text_end = start;
    let mut depth = 0usize;
    let mut opened_at = start;
    // PostgreSQL's `CREATE RULE … DO (cmd; cmd)` has `;` inside parentheses,
    // and psql ends statements only outside them; so does this, there.
    let count_parens = dialect == Dialect::Postgres;
    let mut parens = 0usize;
    let mut index = first;
    while let Some(lexeme) = lexemes.get(index) {
        if lexeme.kind == Kind::Semicolon && depth == 0 && parens == 0 {
            return Ok(Scanned {
                text: start..text_end,
                next: index + 1,
            });
        }
        if lexeme.kind.is_significant() {
            text_end = lexeme.range.end;
        }
        match lexeme.kind {
            Kind::LParen if count_parens => parens += 1,
            Kind::RParen if count_parens => parens = parens.saturating_sub(1),
            Kind::Word if depth > 0 => {
                if is_word(sql, lexeme, "BEGIN") || is_word(sql, lexeme, "CASE") {
                    depth += 1;
                } else if is_word(sql, lexeme, "END") {
                    match next_significant(lexemes, index + 1) {
                        Some((next, word))
                            if ["IF", "LOOP", "WHILE", "REPEAT", "FOR"]
                                .iter()
                                .any(|kw| is_word(sql, word, kw)) =>
                        {
                            // Closes a construct that was never counted.
                            index = next;
                            text_end = word.range.end;
                        }
                        Some((next, word)) if is_word(sql, word, "CASE") => {
                            // `END CASE`: the `CASE` closes, it opens nothing.
                            index = next;
                            text_end = word.range.end;
                            depth = depth.saturating_sub(1);
                        }
                        _ => depth = depth.saturating_sub(1),
                    }
                }
            }
            Kind::Word if can_open && is_word(sql, lexeme, "BEGIN") => {
                depth = 1;
                opened_at = lexeme.range.start;
            }
            _ => {}
        }
        index += 1;
    }
    if let Some(message) = &lexed.error {
        // Lexing stopped inside this statement: report that first, it is
        // the likelier cause of an unclosed block too.
        return Err(locator.error(lexed.end, message.clone()));
    }
    if depth > 0 {
        return Err(locator.error(
            opened_at,
            "BEGIN ... END block is not closed: no matching END before the end of the input",
        ));
    }
    Ok(Scanned {
        text: start..text_end,
        next: lexemes.len(),
    })
}

/// Whether the statement starting at `first` may hold a `BEGIN … END` block
/// (see the module documentation).
fn has_block(sql: &str, lexemes: &[Lexeme], first: usize) -> bool {
    let mut words = significant(lexemes, first);
    let Some((_, head)) = words.next() else {
        return false;
    };
    if is_word(sql, head, "CREATE") {
        return is_routine_header(sql, lexemes, words);
    }
    let Some((_, second)) = words.next() else {
        return false;
    };
    if is_word(sql, head, "BEGIN") {
        // MariaDB `BEGIN NOT ATOMIC … END`; plain `BEGIN …` is a transaction.
        return is_word(sql, second, "NOT")
            && words
                .next()
                .is_some_and(|(_, third)| is_word(sql, third, "ATOMIC"));
    }
    // `label: BEGIN … END label`
    head.kind == Kind::Word
        && second.kind == Kind::Colon
        && words
            .next()
            .is_some_and(|(_, third)| is_word(sql, third, "BEGIN"))
}

/// After `CREATE`: skips the modifiers that may precede the object type and
/// tells whether that type is one with a `BEGIN … END` body.
fn is_routine_header<'a>(
    sql: &str,
    lexemes: &'a [Lexeme],
    words: impl Iterator<Item = (usize, &'a Lexeme)>,
) -> bool {
    let mut words = words.take(64).peekable();
    while let Some((_, word)) = words.next() {
        let is = |kw: &str| is_word(sql, word, kw);
        if ["TRIGGER", "PROCEDURE", "FUNCTION", "EVENT"]
            .iter()
            .any(|kw| is(kw))
        {
            return true;
        }
        if [
            "OR",
            "REPLACE",
            "TEMP",
            "TEMPORARY",
            "AGGREGATE",
            "CONSTRAINT",
            "IF",
            "NOT",
            "EXISTS",
        ]
        .iter()
        .any(|kw| is(kw))
        {
            continue;
        }
        if is("SQL") {
            // `SQL SECURITY DEFINER|INVOKER`
            words.next();
            words.next();
            continue;
        }
        if !is("DEFINER") {
            return false;
        }
        // `DEFINER = user`, where user is `CURRENT_USER`, `CURRENT_USER()`,
        // `name`, `name@host`, `'name'@'host'`, `` `name`@`host` `` …: the
        // tokens of one account name touch each other (apart from spaces
        // around `@`), which is how its end is found.
        if words.peek().is_some_and(|(_, l)| l.kind == Kind::Eq) {
            words.next();
        }
        let Some((mut last, _)) = words.next() else {
            return false;
        };
        while let Some(&(index, lexeme)) = words.peek() {
            let touches = index == last + 1 && lexeme.kind != Kind::Semicolon;
            if touches {
                words.next();
                last = index;
            } else if lexeme.kind == Kind::AtSign {
                words.next();
                match words.next() {
                    Some((host, _)) => last = host,
                    None => return false,
                }
            } else if lexemes.get(last).is_some_and(|l| l.kind == Kind::AtSign) {
                words.next();
                last = index;
            } else {
                break;
            }
        }
    }
    false
}

/// Significant lexemes from `from` on, with their indices.
fn significant(lexemes: &[Lexeme], from: usize) -> impl Iterator<Item = (usize, &Lexeme)> {
    lexemes
        .iter()
        .enumerate()
        .skip(from)
        .filter(|(_, l)| l.kind.is_significant())
}

fn next_significant(lexemes: &[Lexeme], from: usize) -> Option<(usize, &Lexeme)> {
    significant(lexemes, from).next()
}

/// Whether `lexeme` is the unquoted word `keyword` (ASCII, any case).
fn is_word(sql: &str, lexeme: &Lexeme, keyword: &str) -> bool {
    lexeme.kind == Kind::Word
        && sql
            .get(lexeme.range.clone())
            .is_some_and(|w| w.eq_ignore_ascii_case(keyword))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Lexing again from any place, with windows small enough that the old and the new
    /// lexings must be joined, gives exactly the lexemes of lexing the whole rest: on
    /// every golden file and on statements glued to their delimiters.
    #[test]
    fn relexing_part_of_the_text_is_lexing_all_of_it() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src/sql/testdata/split");
        let mut inputs: Vec<(Dialect, String)> = std::fs::read_dir(&dir)
            .expect("golden files")
            .map(|e| e.expect("entry").path())
            .filter(|p| p.extension().is_some_and(|e| e == "sql"))
            .map(|p| {
                let name = p.to_string_lossy().into_owned();
                let dialect = if name.contains(".mysql.") {
                    Dialect::Mysql
                } else if name.contains(".postgresql.") {
                    Dialect::Postgres
                } else {
                    Dialect::Sqlite
                };
                (dialect, std::fs::read_to_string(&p).expect("read"))
            })
            .collect();
        let glued = format!("DELIMITER $$\n{}", "SELECT 'a;$$' + a$$".repeat(30));
        inputs.push((Dialect::Mysql, glued));
        inputs.push((
            Dialect::Mysql,
            "DELIMITER #\nSELECT 1# -- x\nSELECT 'é'#\n".repeat(20),
        ));
        for (dialect, sql) in &inputs {
            let whole = lex(*dialect, sql, 0);
            for at in (0..sql.len())
                .filter(|&at| sql.is_char_boundary(at))
                .step_by(13)
            {
                let expected = lex(*dialect, sql, at);
                for window in [1, 48] {
                    let old = Lexed {
                        lexemes: whole.lexemes.clone(),
                        end: whole.end,
                        error: whole.error.clone(),
                    };
                    let (got, first) = relex(*dialect, sql, old, 0, at, window);
                    assert_eq!(
                        got.lexemes[first..],
                        expected.lexemes,
                        "at {at}, window {window}: {sql}"
                    );
                    assert_eq!(
                        (got.end, &got.error),
                        (expected.end, &expected.error),
                        "at {at}"
                    );
                }
            }
        }
    }

    /// 16,000 statements glued to their delimiter split one by one (37 s before; the
    /// time is the benchmark's business, the result is this test's).
    #[test]
    fn statements_glued_to_a_custom_delimiter_split_one_by_one() {
        let sql = format!("DELIMITER $$\n{}", "SELECT a$$".repeat(16_000));
        let statements = split(Dialect::Mysql, &sql).expect("split");
        assert_eq!(statements.len(), 16_000);
        assert!(statements.iter().all(|s| s.text == "SELECT a"));
    }

    /// Resuming again and again, each time from a later place, as `split` does: the
    /// lexemes from the returned index on are always those of lexing the rest afresh,
    /// although `relex` reuses the spent slots before them.
    #[test]
    fn repeated_resumes_keep_the_live_lexemes_right() {
        let inputs = [
            format!("DELIMITER $$\n{}", "SELECT 'a;$$' + a$$".repeat(40)),
            "DELIMITER ;;*\n/*!50002 CREATE*/ /*END017 DEFINER=`root`*/ /*!50003 TRI ;\nT;;*/*!5"
                .repeat(8),
        ];
        for sql in &inputs {
            for step in [1, 5, 17] {
                let mut lexed = lex(Dialect::Mysql, sql, 0);
                let mut live = 0;
                for at in (1..sql.len())
                    .step_by(step)
                    .filter(|&at| sql.is_char_boundary(at))
                {
                    let (next, index) = resume(Dialect::Mysql, sql, lexed, live, at);
                    let expected = lex(Dialect::Mysql, sql, at);
                    assert_eq!(
                        next.lexemes[index..],
                        expected.lexemes,
                        "at {at}, step {step}"
                    );
                    assert_eq!((next.end, &next.error), (expected.end, &expected.error));
                    (lexed, live) = (next, index);
                }
            }
        }
    }

    /// The input the `split_sql` fuzz target found hanging (over 30 s for 705 bytes) while
    /// splices made the spent lexemes out of order: it splits at once, as a full re-lex does.
    #[test]
    fn the_fuzzers_hanging_input_splits() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src/sql/testdata/regress");
        let data = std::fs::read(dir.join("fuzz_timeout_relex.mysql.bin")).expect("input");
        let sql = std::str::from_utf8(&data[1..]).expect("UTF-8");
        let statements = split(Dialect::Mysql, sql).expect("split");
        assert_eq!(statements.len(), 5);
        for s in &statements {
            assert_eq!(s.text, &sql[s.byte_range.clone()]);
        }
    }
}
