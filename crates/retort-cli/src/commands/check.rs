//! `retort validate` and `retort repair`: applied migrations against their files.

use retort::{Error, Migrator};
use serde_json::json;

use crate::context::Context;
use crate::output::{paint, GREEN, RED};
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
            "repaired": repaired.iter().map(|c| json!({
                "revision": c.revision, "path": c.path,
                "old_checksum": c.applied, "new_checksum": c.on_disk,
            })).collect::<Vec<_>>(),
        }));
        return Ok(0);
    }
    for c in &repaired {
        data!(
            "{} {} ({}): checksum {} -> {}",
            paint(GREEN, "accepted"),
            c.revision,
            c.path.display(),
            c.applied,
            c.on_disk
        );
    }
    if repaired.is_empty() && !ctx.global.quiet {
        note!("nothing to repair: every applied migration matches its file");
    }
    Ok(0)
}
