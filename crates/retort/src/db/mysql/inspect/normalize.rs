//! One spelling for column types and defaults, whatever the DDL said and whichever server
//! (MariaDB 10.x/11.x, MySQL 8) wrote the catalog.
//!
//! Types come from `COLUMN_TYPE`: integer display widths are dropped (`int(11)` and
//! `INTEGER` are `int`; MySQL 8.0.19+ no longer shows them, MariaDB always does), except
//! with `zerofill`, where the width pads the values and both servers keep it; `tinyint(1)`,
//! what `BOOL` means on both, is `boolean`; `year(4)` is `year`; `enum(…)` and `set(…)` keep
//! their values exactly.
//!
//! Defaults take MariaDB's form: a literal string or date in single quotes, a number bare,
//! an expression normalized (`expr`), `current_timestamp` for `current_timestamp()`,
//! `CURRENT_TIMESTAMP` and `now()`. MariaDB writes `NULL` for a default of NULL and for no
//! default alike: both are no default. MySQL writes literals without quotes (and SQL NULL
//! for no default) and marks expressions with `DEFAULT_GENERATED` in `EXTRA`: its literals
//! are quoted here unless the column is numeric.

use super::expr::expr;

/// `COLUMN_TYPE` in one spelling.
pub(super) fn data_type(column_type: &str) -> String {
    let text = lower_outside_quotes(column_type.trim());
    if text.starts_with("enum(") || text.starts_with("set(") {
        return text;
    }
    if text == "tinyint(1)" {
        return "boolean".to_owned();
    }
    if text == "year(4)" {
        return "year".to_owned();
    }
    if text.contains("zerofill") {
        return text;
    }
    let integer = ["tinyint", "smallint", "mediumint", "int", "bigint"]
        .iter()
        .find_map(|t| Some((t, text.strip_prefix(t)?.strip_prefix('(')?)));
    match integer {
        Some((name, rest)) => {
            let after = rest.find(')').map_or("", |i| &rest[i + 1..]);
            format!("{name}{after}")
        }
        None => text,
    }
}

/// A column's default from `COLUMN_DEFAULT` and `EXTRA`; `data_type` is the normalized
/// type (it says whether MySQL's unquoted literal is a number).
pub(super) fn default(
    raw: Option<&str>,
    extra: &str,
    data_type: &str,
    mariadb: bool,
) -> Option<String> {
    let raw = raw?;
    if mariadb {
        if raw.eq_ignore_ascii_case("null") {
            return None;
        }
        if raw.starts_with('\'') || is_number(raw) {
            return Some(raw.to_owned());
        }
        return expression_default(raw);
    }
    let generated = extra
        .to_ascii_lowercase()
        .split_whitespace()
        .any(|w| w == "default_generated");
    if generated || (is_temporal(data_type) && current_timestamp(raw).is_some()) {
        return expression_default(raw);
    }
    if is_numeric(data_type) || raw.starts_with("b'") || raw.starts_with("0x") {
        return Some(raw.to_owned());
    }
    Some(format!(
        "'{}'",
        raw.replace('\\', "\\\\").replace('\'', "''")
    ))
}

/// The expression of `ON UPDATE` in `EXTRA` (`on update current_timestamp()` on MariaDB,
/// `DEFAULT_GENERATED on update CURRENT_TIMESTAMP(6)` on MySQL), normalized.
pub(super) fn on_update(extra: &str) -> Option<String> {
    let lower = extra.to_ascii_lowercase();
    let at = lower.find("on update ")?;
    let rest = extra[at + "on update ".len()..].trim();
    expression_default(rest)
}

fn expression_default(text: &str) -> Option<String> {
    if let Some(now) = current_timestamp(text) {
        return Some(now);
    }
    let normalized = expr(text, None);
    if normalized.is_empty() || normalized.eq_ignore_ascii_case("null") {
        return None;
    }
    current_timestamp(&normalized).or(Some(normalized))
}

/// `current_timestamp`, or `current_timestamp(N)` with a precision, for every spelling of
/// "now" a default or ON UPDATE may hold (`CURRENT_TIMESTAMP`, `current_timestamp()`,
/// `now()`, `localtimestamp`…); `None` for anything else.
fn current_timestamp(text: &str) -> Option<String> {
    let lower = text.trim().to_ascii_lowercase();
    let (name, args) = match lower.find('(') {
        Some(i) => (lower[..i].trim(), Some(lower[i..].trim())),
        None => (lower.as_str(), None),
    };
    let now = ["current_timestamp", "now", "localtime", "localtimestamp"];
    if !now.contains(&name) {
        return None;
    }
    let precision = match args {
        None => "",
        Some(a) => a.strip_prefix('(')?.strip_suffix(')')?.trim(),
    };
    match precision {
        "" | "0" => Some("current_timestamp".to_owned()),
        p if p.chars().all(|c| c.is_ascii_digit()) => Some(format!("current_timestamp({p})")),
        _ => None,
    }
}

fn is_number(text: &str) -> bool {
    let digits = text.strip_prefix('-').unwrap_or(text);
    !digits.is_empty()
        && digits.starts_with(|c: char| c.is_ascii_digit() || c == '.')
        && digits
            .chars()
            .all(|c| c.is_ascii_digit() || matches!(c, '.' | 'e' | 'E' | '+' | '-'))
}

/// Types whose literals MySQL writes bare (and MariaDB too).
fn is_numeric(data_type: &str) -> bool {
    let name = data_type.split(['(', ' ']).next().unwrap_or("");
    matches!(
        name,
        "boolean"
            | "tinyint"
            | "smallint"
            | "mediumint"
            | "int"
            | "bigint"
            | "decimal"
            | "numeric"
            | "float"
            | "double"
            | "real"
            | "bit"
            | "year"
    )
}

fn is_temporal(data_type: &str) -> bool {
    data_type.starts_with("timestamp") || data_type.starts_with("datetime")
}

/// ASCII lowercase outside single-quoted strings (an ENUM's values keep their case).
fn lower_outside_quotes(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut quoted = false;
    for c in text.chars() {
        if c == '\'' {
            quoted = !quoted;
        }
        out.push(if quoted { c } else { c.to_ascii_lowercase() });
    }
    out
}
