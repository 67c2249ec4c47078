//! `retort validate` and `retort repair`: applied migrations against their files.

use retort::{Error, Migrator};
use serde_json::json;

use crate::context::Context;
use crate::output::{paint, DIM, GREEN, RED};
use crate::{data, note};

pub fn validate(ctx: &Context) -> Result<u8, Error> {
    let (project, state) = ctx.state_from_files()?;
    let ok = state.changed.is_empty() && state.missing.is_empty() && state.running.is_empty();
    if ctx.global.json {
        crate::output::json(&json!({
            "valid": ok,
            "changed": state.changed.iter().map(super::mismatch_json).collect::<Vec<_>>(),
            "missing_on_disk": state.missing,
            "running": state.running,
        }));
        return Ok(if ok { 0 } else { 1 });
    }
    for c in &state.changed {
        data!(
            "{} {} ({}): applied checksum {}, file now {}",
            paint(RED, "changed"),
            c.revision,
            c.path.display(),
            c.applied,
            c.on_disk
        );
    }
    for id in &state.missing {
        data!(
            "{} {id}: applied, but no file in {}",
            paint(RED, "missing"),
            project.migrations_dir().display()
        );
    }
    for i in &state.interrupted {
        data!("{} {i}", paint(RED, "interrupted"));
    }
    if ok {
        if !ctx.global.quiet {
            note!(
                "{} {} applied migration(s) match their files",
                paint(GREEN, "ok:"),
                state.rows.len()
            );
        }
        Ok(0)
    } else {
        if !state.changed.is_empty() && !ctx.global.quiet {
            note!("revert the edits, or accept the files as they are now with `retort repair`");
        }
        Ok(1)
    }
}

pub fn repair(ctx: &Context) -> Result<u8, Error> {
    let (project, mut conn, _) = ctx.open()?;
    let repaired = Migrator::new(project, conn.as_mut())
        .with_stop(ctx.stop.clone())
        .repair()?;
    if ctx.global.json {
        crate::output::json(&json!({
            "ran_nothing": true,
            "repaired": repaired.iter().map(|r| json!({
                "revision": r.mismatch.revision, "path": r.mismatch.path,
                "old_checksum": r.mismatch.applied, "new_checksum": r.mismatch.on_disk,
                "ran": r.ran, "file": r.now,
            })).collect::<Vec<_>>(),
        }));
        return Ok(0);
    }
    for r in &repaired {
        let c = &r.mismatch;
        data!(
            "{} {} ({}): checksum {} -> {}",
            paint(GREEN, "accepted"),
            c.revision,
            c.path.display(),
            c.applied,
            c.on_disk
        );
        match &r.ran {
            Some(ran) => data!("{}", diff(ran, &r.now)),
            None => data!(
                "  (its version row keeps no text of what ran: applied by an older retort, or stamped)"
            ),
        }
    }
    if repaired.is_empty() {
        if !ctx.global.quiet {
            note!("nothing to repair: every applied migration matches its file");
        }
    } else if !ctx.global.quiet {
        note!(
            "repair ran nothing: the database keeps the schema the text that ran made (shown with -), and now takes the file (+) as what was applied. Where the difference matters, revert the edit, or run `retort redo` on a development database"
        );
    }
    Ok(0)
}

/// The up section as it ran (`-`) against the file now (`+`), line by line.
fn diff(ran: &str, now: &str) -> String {
    let diff = similar::TextDiff::from_lines(ran.trim_end(), now.trim_end());
    let mut out = String::new();
    for change in diff.iter_all_changes() {
        let (sign, style) = match change.tag() {
            similar::ChangeTag::Delete => ("-", RED),
            similar::ChangeTag::Insert => ("+", GREEN),
            similar::ChangeTag::Equal => (" ", DIM),
        };
        let line = change.value().trim_end_matches('\n');
        out.push_str(&paint(style, format!("  {sign} {line}")));
        out.push('\n');
    }
    out.trim_end_matches('\n').to_string()
}
