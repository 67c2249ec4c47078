//! `retort::script::parse` on arbitrary text: it must never panic, and what it
//! returns must keep the promises of `script/mod.rs` and `script/parse.rs`.
#![no_main]

use std::collections::HashSet;
use std::path::Path;

use libfuzzer_sys::fuzz_target;
use retort::script::{self, Direction};
use retort::Dialect;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let path = Path::new("fuzz.sql");
    // `parse` drops a leading BOM before it counts lines.
    let body_text = text.strip_prefix('\u{feff}').unwrap_or(text);
    // Byte offset where each 1-based line starts (lines end at `\n`); one more
    // entry for the line after the last, where an empty last section starts.
    let mut line_starts = vec![0];
    line_starts.extend(body_text.match_indices('\n').map(|(i, _)| i + 1));
    let lines = body_text.split_inclusive('\n').count();
    if !body_text.ends_with('\n') && !body_text.is_empty() {
        line_starts.push(body_text.len());
    }

    let parsed = match script::parse(path, text) {
        Ok(parsed) => parsed,
        Err(e) => {
            assert_eq!(e.path, path);
            if let Some(line) = e.line {
                assert!(
                    (1..=lines).contains(&line),
                    "error line {line} outside 1..={lines}: {e}"
                );
            }
            let _ = e.to_string();
            return;
        }
    };

    assert_eq!(parsed.path, path);
    assert!(
        script::validate_id(&parsed.revision).is_ok(),
        "revision {:?}",
        parsed.revision
    );
    for ids in [&parsed.revises, &parsed.depends_on] {
        let mut seen = HashSet::new();
        for id in ids {
            assert!(script::validate_id(id).is_ok(), "id {id:?}");
            assert!(seen.insert(id), "{id:?} listed twice");
        }
    }
    for label in &parsed.branch_labels {
        assert!(script::validate_label(label).is_ok(), "label {label:?}");
    }
    assert_eq!(parsed.message, parsed.message.trim());
    let _ = parsed.summary();

    let mut keys = HashSet::new();
    for &(key, line) in &parsed.key_lines {
        assert!(keys.insert(key), "key {key:?} twice");
        assert!((1..=lines).contains(&line), "key line {line} of {lines}");
        assert_eq!(parsed.key_line(key), Some(line));
    }
    assert!(keys.contains("revision"));

    assert!(parsed.sections().any(|s| s.direction == Direction::Up));
    assert_eq!(parsed.sections().count(), parsed.header.sections.len());
    let mut pairs = HashSet::new();
    let mut previous_line = 0;
    for section in parsed.sections() {
        assert!(
            pairs.insert((section.direction, section.dialect)),
            "two {:?} {:?} sections",
            section.direction,
            section.dialect
        );
        // The line after its marker: at least 2, at most one past the last line.
        assert!(
            section.first_line >= 2 && section.first_line <= lines + 1,
            "first_line {} with {lines} lines",
            section.first_line
        );
        // Sections come in file order.
        assert!(section.first_line > previous_line);
        previous_line = section.first_line;
        // The body is the file text starting at `first_line`.
        let start = line_starts[section.first_line - 1];
        assert!(
            body_text[start..].starts_with(section.body),
            "body of the section at line {} is not the text there",
            section.first_line
        );
        assert_eq!(section.checksum(), script::checksum(section.body));
        assert_eq!(section.checksum().len(), 64);
        let _ = section.is_blank();
    }
    for dialect in Dialect::ALL {
        for direction in [Direction::Up, Direction::Down] {
            if let Some(section) = parsed.section(direction, dialect) {
                assert_eq!(section.direction, direction);
                assert!(section.dialect.is_none_or(|d| d == dialect));
            }
        }
        assert_eq!(
            parsed.header.section(Direction::Up, dialect).map(|s| s.sum.clone()),
            parsed.section(Direction::Up, dialect).map(|s| s.checksum())
        );
        let _ = parsed.up_checksum(dialect);
        let _ = parsed.reversible(dialect);
    }
});
