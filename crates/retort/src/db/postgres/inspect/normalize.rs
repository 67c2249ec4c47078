//! One spelling for what the catalog may still say two ways, so that a schema compared with
//! itself, or the same DDL written twice differently, gives one model.
//!
//! PostgreSQL parses every expression it keeps and deparses it on request (`pg_get_expr`,
//! `pg_get_constraintdef`, `pg_get_viewdef`), so equivalent spellings mostly arrive alike
//! already: `DEFAULT 'x'` and `DEFAULT 'x'::text` are both `'x'::text`. What is left:
//!
//! - a default that is a literal cast to the column's own type, or a string literal cast
//!   to a string type on a string column (`'x'::character varying`, `'x'::text` on a
//!   `varchar` column, whose value is the same once stored), is the bare literal `'x'`; a
//!   number quoted and cast to a numeric type on a numeric column (`'-1'::integer`, as
//!   PostgreSQL keeps `DEFAULT -1`) is the bare number. Casts that could change a value
//!   (to another type, inside a larger expression) stay. `now()` and `CURRENT_TIMESTAMP`
//!   stay apart, as the catalog keeps them;
//! - parentheses around a whole expression are dropped (`(a * 2)` is `a * 2`);
//! - the line breaks and indentation of pretty-printed text (views, long expressions) are
//!   single spaces, outside literals and quoted names.

use crate::dialect::Dialect;
use crate::sql::lex::{lex, Kind};

/// Cast targets, as a deparsed cast writes them, that hold text.
const STRING_TYPES: &[&str] = &["text", "character varying", "bpchar", "character", "name"];

/// Cast targets, as a deparsed cast writes them, that hold numbers.
const NUMERIC_TYPES: &[&str] = &[
    "smallint",
    "integer",
    "bigint",
    "numeric",
    "real",
    "double precision",
];

/// A column default as `pg_get_expr` gives it. `cast_name` is the column's type as a cast
/// names it (`format_type` without the type modifier), `category` its `typcategory`.
pub(super) fn default(text: &str, cast_name: &str, category: &str) -> String {
    let text = expression(text);
    if let Some((literal, target)) = cast_literal(&text) {
        let inner = &literal[1..literal.len() - 1];
        if category == "N" && NUMERIC_TYPES.contains(&target) && is_number(inner) {
            return inner.to_owned();
        }
        if target == cast_name || (category == "S" && STRING_TYPES.contains(&target)) {
            return literal.to_owned();
        }
    }
    text
}

/// An expression (generated column, index key, predicate): layout and enclosing
/// parentheses removed.
pub(super) fn expression(text: &str) -> String {
    let text = collapse_layout(text);
    strip_parens(text.trim()).to_owned()
}

/// A check's definition as `pg_get_constraintdef` gives it (`CHECK (n > 0)`, perhaps
/// followed by `NOT VALID` or `NO INHERIT`, which the model does not hold): the expression.
pub(super) fn check(definition: &str) -> String {
    let text = collapse_layout(definition);
    let text = text.trim();
    if let Some(rest) = text.strip_prefix("CHECK ") {
        if rest.starts_with('(') {
            if let Some(close) = close_of(rest, 0) {
                return expression(&rest[1..close]);
            }
        }
    }
    expression(text)
}

/// A view's definition as `pg_get_viewdef` gives it: one line, no final `;`.
pub(super) fn view(definition: &str) -> String {
    let text = collapse_layout(definition);
    let text = text.trim();
    text.strip_suffix(';').unwrap_or(text).trim_end().to_owned()
}

/// `'literal'::type` split into the quoted literal (with its quotes) and the type, when
/// that is the whole text. An escape-string literal (`E'…'`) is never taken apart.
fn cast_literal(text: &str) -> Option<(&str, &str)> {
    if !text.starts_with('\'') {
        return None;
    }
    let end = literal_end(text, 0)?;
    let target = text[end..].strip_prefix("::")?;
    Some((&text[..end], target))
}

/// A plain decimal number, as a numeric constant prints: `-1`, `1.5`, `2e10`.
fn is_number(text: &str) -> bool {
    let digits = text.strip_prefix('-').unwrap_or(text);
    let (mantissa, exponent) = match digits.split_once(['e', 'E']) {
        Some((m, e)) => (m, Some(e.strip_prefix(['-', '+']).unwrap_or(e))),
        None => (digits, None),
    };
    let all_digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    let mantissa_ok = match mantissa.split_once('.') {
        Some((a, b)) => (all_digits(a) || a.is_empty()) && (all_digits(b) || b.is_empty()),
        None => all_digits(mantissa),
    } && mantissa != ".";
    mantissa_ok && exponent.is_none_or(all_digits)
}

/// `text` without parentheses that enclose all of it (`((a + 1))` is `a + 1`).
fn strip_parens(mut text: &str) -> &str {
    while text.starts_with('(') && close_of(text, 0) == Some(text.len() - 1) {
        text = text[1..text.len() - 1].trim();
    }
    text
}

/// The byte just after the string literal or quoted name starting at `start` (a `'` or
/// `"`, doubled inside to escape itself; a `'` right after an `E` also escapes with `\`).
fn literal_end(text: &str, start: usize) -> Option<usize> {
    let bytes = text.as_bytes();
    let quote = *bytes.get(start)?;
    let backslashes = quote == b'\''
        && start > 0
        && matches!(bytes[start - 1], b'E' | b'e')
        && (start == 1 || !bytes[start - 2].is_ascii_alphanumeric() && bytes[start - 2] != b'_');
    let mut i = start + 1;
    while i < bytes.len() {
        match bytes[i] {
            b'\\' if backslashes => i += 2,
            b if b == quote => {
                if bytes.get(i + 1) == Some(&quote) {
                    i += 2;
                } else {
                    return Some(i + 1);
                }
            }
            _ => i += 1,
        }
    }
    None
}

/// The position of the `)` that closes the `(` at `open`, skipping literals and quoted
/// names.
fn close_of(text: &str, open: usize) -> Option<usize> {
    let bytes = text.as_bytes();
    let mut depth = 0usize;
    let mut i = open;
    while i < bytes.len() {
        match bytes[i] {
            b'\'' | b'"' => {
                i = literal_end(text, i)?;
                continue;
            }
            b'(' => depth += 1,
            b')' => {
                depth -= 1;
                if depth == 0 {
                    return Some(i);
                }
            }
            _ => {}
        }
        i += 1;
    }
    None
}

/// Runs of spaces, tabs and line breaks outside literals as one space. Text that has none
/// to collapse (most defaults and keys) is not lexed.
fn collapse_layout(text: &str) -> String {
    if !text.contains(['\n', '\t', '\r']) && !text.contains("  ") {
        return text.to_owned();
    }
    let lexed = lex(Dialect::Postgres, text, 0);
    let mut out = String::with_capacity(text.len());
    let mut end = 0;
    for l in &lexed.lexemes {
        match l.kind {
            Kind::Space | Kind::Comment => {
                if !out.is_empty() && !out.ends_with(' ') {
                    out.push(' ');
                }
            }
            _ => out.push_str(&text[l.range.clone()]),
        }
        end = l.range.end;
    }
    // What the lexer could not read is kept as it is.
    out.push_str(&text[end..]);
    out.trim_end().to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn casts_that_change_nothing_are_dropped() {
        assert_eq!(default("'x'::text", "text", "S"), "'x'");
        assert_eq!(
            default("'x'::character varying", "character varying", "S"),
            "'x'"
        );
        assert_eq!(default("'x'::text", "character varying", "S"), "'x'");
        assert_eq!(default("'ab'::bpchar", "character", "S"), "'ab'");
        assert_eq!(default("'it''s'::text", "text", "S"), "'it''s'");
        assert_eq!(default("'-1'::integer", "integer", "N"), "-1");
        assert_eq!(default("'-1'::integer", "bigint", "N"), "-1");
        assert_eq!(default("'-0.5'::numeric", "double precision", "N"), "-0.5");
        assert_eq!(default("'ok'::mood", "mood", "E"), "'ok'");
        assert_eq!(default("'{}'::text[]", "text[]", "A"), "'{}'");
        assert_eq!(default("'2020-01-01'::date", "date", "D"), "'2020-01-01'");
        assert_eq!(default("'NaN'::numeric", "numeric", "N"), "'NaN'");
    }

    #[test]
    fn casts_that_may_change_a_value_stay() {
        assert_eq!(
            default("'1 day'::interval", "text", "S"),
            "'1 day'::interval"
        );
        assert_eq!(default("'1'::text", "integer", "N"), "'1'::text");
        assert_eq!(
            default("'a'::text || 'b'::text", "text", "S"),
            "'a'::text || 'b'::text"
        );
        assert_eq!(default("now()", "timestamp with time zone", "D"), "now()");
        assert_eq!(
            default("CURRENT_TIMESTAMP", "timestamp with time zone", "D"),
            "CURRENT_TIMESTAMP"
        );
        assert_eq!(default("(1 + 2)", "integer", "N"), "1 + 2");
        assert_eq!(default("(a) + (b)", "integer", "N"), "(a) + (b)");
    }

    #[test]
    fn checks_lose_their_keyword_and_clauses_the_model_lacks() {
        assert_eq!(check("CHECK (n > 0)"), "n > 0");
        assert_eq!(check("CHECK ((n > 0))"), "n > 0");
        assert_eq!(check("CHECK (n > 0) NOT VALID"), "n > 0");
        assert_eq!(check("CHECK (n > 0) NO INHERIT"), "n > 0");
        assert_eq!(check("CHECK (s <> ')'::text)"), "s <> ')'::text");
    }

    #[test]
    fn layout_is_collapsed_outside_literals() {
        assert_eq!(
            view(" SELECT t.id,\n    t.name\n   FROM t\n  WHERE t.name <> 'a  b'::text;"),
            "SELECT t.id, t.name FROM t WHERE t.name <> 'a  b'::text"
        );
        assert_eq!(expression("(\n    a\n  + 1)"), "a + 1");
    }

    #[test]
    fn numbers_are_told_from_other_text() {
        for n in ["0", "-1", "1.5", "-.5", "5.", "2e10", "1E-3"] {
            assert!(is_number(n), "{n}");
        }
        for n in ["", "-", ".", "NaN", "Infinity", "1x", "1e", "--1", "1.2.3"] {
            assert!(!is_number(n), "{n}");
        }
    }
}
