//! Reading one migration file: its header and its sections, keeping line numbers so every
//! complaint can point at the line to fix.

use std::path::{Path, PathBuf};

use crate::dialect::Dialect;

use super::checksum::checksum;
use super::error::ScriptError;
use super::header::{Direction, ScriptHeader, SectionSum, KEYS};
use super::ids::{validate_id, validate_label};
use super::text::Script;

/// Parses the text of a migration file. `path` is only used in errors and kept in the result.
pub fn parse(path: &Path, text: &str) -> Result<Script, ScriptError> {
    let err = |line: usize, message: String| ScriptError {
        path: path.to_path_buf(),
        line: Some(line),
        message,
    };
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    if let Some(at) = text.find('\0') {
        let line = text[..at].matches('\n').count() + 1;
        let line_start = text[..at].rfind('\n').map_or(0, |nl| nl + 1);
        let column = text[line_start..at].chars().count() + 1;
        return Err(err(
            line,
            format!("a NUL byte at column {column}: SQLite would stop reading the statement there and run only what comes before it, the servers would refuse it mid-run; remove it"),
        ));
    }

    let mut message_lines: Vec<&str> = Vec::new();
    let mut seen_key = false;
    let mut script = ScriptHeader::new(path.to_path_buf(), String::new());
    let mut current: Option<(Direction, Option<Dialect>, usize, usize)> = None; // dir, dialect, marker line, body start byte
    let mut offset = 0;
    let mut sections: Vec<(SectionSum, String)> = Vec::new();
    let close = |cur: Option<(Direction, Option<Dialect>, usize, usize)>,
                 end: usize,
                 sections: &mut Vec<(SectionSum, String)>| {
        if let Some((direction, dialect, marker_line, start)) = cur {
            let body = &text[start..end];
            let sum = SectionSum {
                direction,
                dialect,
                first_line: marker_line + 1,
                sum: checksum(body),
            };
            sections.push((sum, body.to_string()));
        }
    };

    for (idx, raw_line) in text.split_inclusive('\n').enumerate() {
        let line_no = idx + 1;
        let line_start = offset;
        offset += raw_line.len();
        let line = raw_line.trim_end_matches(['\n', '\r']).trim();

        if let Some(marker) = section_marker(line) {
            let (direction, dialect) = marker.map_err(|m| err(line_no, m))?;
            let already = sections
                .iter()
                .map(|(s, _)| (s.direction, s.dialect))
                .chain(current.map(|c| (c.0, c.1)))
                .any(|seen| seen == (direction, dialect));
            if already {
                return Err(err(
                    line_no,
                    format!(
                        "second `-- migrate:{}{}` section",
                        direction.name(),
                        dialect.map(|d| format!(" {d}")).unwrap_or_default()
                    ),
                ));
            }
            close(current.take(), line_start, &mut sections);
            current = Some((direction, dialect, line_no, offset));
            continue;
        }
        if current.is_some() {
            continue;
        }
        // Still in the header.
        if line.is_empty() {
            continue;
        }
        let Some(comment) = line.strip_prefix("--") else {
            return Err(err(
                line_no,
                "SQL before the first `-- migrate:up` marker; put statements in a section".into(),
            ));
        };
        let comment = comment.trim();
        match header_key(comment) {
            Some((key, value)) => {
                let Some(key) = KEYS.iter().copied().find(|k| *k == key) else {
                    return Err(err(
                        line_no,
                        format!(
                            "unknown header key `{key}` (known keys: {})",
                            KEYS.join(", ")
                        ),
                    ));
                };
                if script.key_lines.iter().any(|(k, _)| *k == key) {
                    return Err(err(line_no, format!("header key `{key}` given twice")));
                }
                script.key_lines.push((key, line_no));
                seen_key = true;
                apply_key(&mut script, key, value).map_err(|m| err(line_no, m))?;
            }
            None if seen_key && !comment.is_empty() => {
                return Err(err(
                    line_no,
                    format!(
                        "malformed header line `{line}`: expected `-- key: value` (the message goes before the keys)"
                    ),
                ));
            }
            None if !seen_key => message_lines.push(comment),
            None => {}
        }
    }
    close(current.take(), text.len(), &mut sections);

    if script.revision.is_empty() {
        return Err(ScriptError {
            path: path.to_path_buf(),
            line: None,
            message: "no `-- revision: <id>` header line".into(),
        });
    }
    if script.foreign_keys_off && !script.transaction {
        // Unchecked rows could then be committed statement by statement, with nothing to
        // roll back when the check finds them.
        let line = script
            .key_lines
            .iter()
            .find(|(k, _)| *k == "foreign_keys")
            .map(|&(_, l)| l);
        return Err(ScriptError {
            path: path.to_path_buf(),
            line,
            message: "`foreign_keys: off` needs the migration's transaction (the foreign-key check before its commit must be able to roll it back); remove `transaction: false`".into(),
        });
    }
    if !sections.iter().any(|(s, _)| s.direction == Direction::Up) {
        return Err(ScriptError {
            path: path.to_path_buf(),
            line: None,
            message: "no `-- migrate:up` section".into(),
        });
    }
    while message_lines.last().is_some_and(|l| l.is_empty()) {
        message_lines.pop();
    }
    script.message = message_lines.join("\n").trim().to_string();
    let (sums, bodies) = sections.into_iter().unzip();
    script.sections = sums;
    Ok(Script {
        header: script,
        bodies,
    })
}

/// `Some(Ok(..))` for a valid `-- migrate:…` marker, `Some(Err(..))` for a marker retort
/// does not understand, `None` for any other line.
fn section_marker(line: &str) -> Option<Result<(Direction, Option<Dialect>), String>> {
    let rest = line.strip_prefix("--")?.trim_start();
    let rest = rest.strip_prefix("migrate:")?;
    let mut words = rest.split_whitespace();
    let direction = match words.next() {
        Some("up") => Direction::Up,
        Some("down") => Direction::Down,
        other => {
            return Some(Err(format!(
                "unknown section marker `-- migrate:{}`: expected `-- migrate:up` or `-- migrate:down`, optionally followed by sqlite, postgresql or mysql",
                other.unwrap_or("")
            )))
        }
    };
    let dialect = match words.next() {
        None => None,
        Some(name) => match name.parse::<Dialect>().ok() {
            Some(d) => Some(d),
            None => {
                return Some(Err(format!(
                "unknown dialect `{name}` in section marker (expected sqlite, postgresql or mysql)"
            )))
            }
        },
    };
    if let Some(extra) = words.next() {
        return Some(Err(format!(
            "unexpected `{extra}` after the section marker"
        )));
    }
    Some(Ok((direction, dialect)))
}

/// `key: value` where key looks like an identifier; anything else is message text.
fn header_key(comment: &str) -> Option<(&str, &str)> {
    let (key, value) = comment.split_once(':')?;
    let key = key.trim();
    let looks_like_key = !key.is_empty()
        && key
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_' || c == '-');
    looks_like_key.then(|| (key, value.trim()))
}

fn apply_key(script: &mut ScriptHeader, key: &str, value: &str) -> Result<(), String> {
    match key {
        "revision" => {
            validate_id(value)?;
            script.revision = value.to_string();
        }
        "revises" => script.revises = id_list(value)?,
        "depends_on" => script.depends_on = id_list(value)?,
        "branch_labels" => {
            script.branch_labels = list(value);
            for label in &script.branch_labels {
                validate_label(label)?;
            }
        }
        "created" => {
            value
                .parse::<jiff::Timestamp>()
                .map_err(|e| format!("`created: {value}` is not an RFC 3339 timestamp: {e}"))?;
            script.created = Some(value.to_string());
        }
        "transaction" => {
            script.transaction = match value {
                "true" => true,
                "false" => false,
                _ => return Err(format!("`transaction: {value}`: expected true or false")),
            }
        }
        "foreign_keys" => {
            script.foreign_keys_off = match value {
                "on" => false,
                "off" => true,
                _ => return Err(format!("`foreign_keys: {value}`: expected on or off")),
            }
        }
        _ => unreachable!("keys are checked against KEYS before"),
    }
    Ok(())
}

fn list(value: &str) -> Vec<String> {
    value
        .split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_string)
        .collect()
}

fn id_list(value: &str) -> Result<Vec<String>, String> {
    let ids = list(value);
    for id in &ids {
        validate_id(id)?;
    }
    let mut seen = std::collections::HashSet::new();
    if let Some(dup) = ids.iter().find(|id| !seen.insert(id.as_str())) {
        return Err(format!("`{dup}` listed twice"));
    }
    Ok(ids)
}

/// The path shown for a script: relative to `base` when it is inside it.
pub fn display_path(path: &Path, base: &Path) -> PathBuf {
    path.strip_prefix(base)
        .map_or_else(|_| path.to_path_buf(), Path::to_path_buf)
}
