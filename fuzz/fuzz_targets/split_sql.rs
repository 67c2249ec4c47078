//! `retort::sql::split` on arbitrary text: it must never panic, and the
//! statements it returns must keep the promises of `sql/mod.rs`.
//!
//! The first byte picks the dialect, the rest is the SQL text.
#![no_main]

use libfuzzer_sys::fuzz_target;
use retort::Dialect;

/// The 1-based line and character column of byte offsets, counting lines at
/// `\n` only, as `Statement` and `SplitError` document. Offsets must come in
/// increasing order: walking on from the last one keeps a target run linear
/// in the input (a fresh count from the start for every statement made
/// inputs with thousands of statements spend their time here).
struct Position<'a> {
    sql: &'a str,
    at: usize,
    line: usize,
    column: usize,
}

impl<'a> Position<'a> {
    fn new(sql: &'a str) -> Self {
        Position {
            sql,
            at: 0,
            line: 1,
            column: 1,
        }
    }

    fn of(&mut self, to: usize) -> (usize, usize) {
        let step = &self.sql[self.at..to];
        match step.rfind('\n') {
            Some(newline) => {
                self.line += step.matches('\n').count();
                self.column = step[newline + 1..].chars().count() + 1;
            }
            None => self.column += step.chars().count(),
        }
        self.at = to;
        (self.line, self.column)
    }
}

fuzz_target!(|data: &[u8]| {
    let Some((&selector, rest)) = data.split_first() else {
        return;
    };
    let dialect = match selector % 3 {
        0 => Dialect::Sqlite,
        1 => Dialect::Postgres,
        _ => Dialect::Mysql,
    };
    let Ok(sql) = std::str::from_utf8(rest) else {
        return;
    };
    let lines = sql.matches('\n').count() + 1;

    let statements = match retort::sql::split(dialect, sql) {
        Ok(statements) => statements,
        Err(e) => {
            assert!(
                (1..=lines).contains(&e.line) && e.column >= 1,
                "{dialect}: error at {}:{} with {lines} lines: {e}",
                e.line,
                e.column
            );
            assert!(!e.message.is_empty());
            return;
        }
    };

    let mut previous_end = 0;
    let mut position = Position::new(sql);
    for statement in &statements {
        let range = statement.byte_range.clone();
        // An exact slice of the input: `&input[byte_range] == text`.
        assert_eq!(
            sql.get(range.clone()),
            Some(statement.text.as_str()),
            "{dialect}: text is not input[{range:?}]"
        );
        // In order, not overlapping.
        assert!(
            range.start >= previous_end,
            "{dialect}: statement at {range:?} overlaps the previous one (ends at {previous_end})"
        );
        previous_end = range.end;
        // Never empty, and from a first token to a last token: no ASCII
        // whitespace at either end. (Not `str::trim`: non-ASCII spaces such as
        // U+3000 are identifier characters to the tokenizer, so a statement
        // may consist of one.)
        let trimmed = statement
            .text
            .trim_matches(|c: char| c.is_ascii_whitespace());
        assert!(
            !trimmed.is_empty(),
            "{dialect}: blank statement at {range:?}"
        );
        assert_eq!(
            trimmed.len(),
            statement.text.len(),
            "{dialect}: statement at {range:?} has whitespace at an end: {:?}",
            statement.text
        );
        // The line and column of its first byte, both 1-based.
        assert!(statement.line >= 1 && statement.line <= lines);
        assert!(statement.column >= 1);
        assert_eq!(
            (statement.line, statement.column),
            position.of(range.start),
            "{dialect}: position of the statement at {range:?}"
        );
    }
});
