//! `redo [REV]`: revert with the recorded down section, apply the file as it is now.

use retort::{Error, Migrator};
use serde_json::json;

use crate::context::Context;
use crate::note;
use crate::output::{millis, paint, Reporter, BOLD};

pub fn redo(ctx: &Context, rev: Option<&str>, force: bool) -> Result<u8, Error> {
    let target = rev.map(super::parse_target).transpose()?;
    let (project, mut conn, rows) = ctx.open()?;
    if project.config.protected && !force {
        return Err(Error::Usage(format!(
            "redo is a development command, and this environment{} is marked `protected = true`; pass --force to run it anyway",
            ctx.global
                .environment
                .as_ref()
                .map(|e| format!(" ({e})"))
                .unwrap_or_default()
        )));
    }
    let url = project.config.url()?.masked();
    let mut reporter =
        Reporter::new(ctx.global.quiet || ctx.global.json).with_statements(ctx.global.verbose);
    let migrator = crate::keep_until_exit(
        Migrator::new(project, conn.as_mut())
            .with_stop(ctx.stop.clone())
            .with_rows(rows),
    );
    let result = migrator.redo(target.as_ref(), &mut |e| reporter.event(e));
    reporter.finish();
    let report = result?;
    let elapsed = report.reverted.elapsed + report.applied.elapsed;
    if ctx.global.json {
        crate::output::json(&json!({
            "revision": report.revision,
            "url": url,
            "reverted": report.reverted.revisions,
            "applied": report.applied.revisions,
            "elapsed_ms": elapsed.as_millis() as u64,
        }));
    } else if !ctx.global.quiet {
        note!(
            "{} {} on {url} in {}: reverted with the down section recorded when it ran, applied from its file as it is now",
            paint(BOLD, "redone"),
            report.revision,
            millis(elapsed)
        );
    }
    Ok(0)
}
