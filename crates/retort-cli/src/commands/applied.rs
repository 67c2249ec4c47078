//! What the database says ran: `show REV --applied`, from the text a version row keeps.

use retort::{Error, Migrator};
use serde_json::json;

use crate::context::Context;
use crate::output::{paint, BOLD, DIM};
use crate::{data, note};

/// Prints the up section that ran for `rev` and the down section recorded with it. Exit 1
/// when the revision is not applied or its row keeps no text.
pub fn show_applied(ctx: &Context, rev: &str) -> Result<u8, Error> {
    let (project, mut conn, state) = ctx.state_on()?;
    // A revision whose file is gone is still in the version table: its exact id will do.
    let id = match project.graph.resolve(&super::parse_target(rev)?) {
        Ok(found) if found.len() == 1 => project.script(found[0]).revision.clone(),
        Ok(_) => {
            return Err(Error::Usage(format!(
                "`{rev}` names several revisions; name one"
            )))
        }
        Err(e) if state.rows.find(rev).is_none() => return Err(Error::Target(e)),
        Err(_) => rev.to_string(),
    };
    let history = Migrator::new(project, conn.as_mut()).history().clone();
    let row = history
        .row(conn.as_mut(), &id)
        .map_err(Error::db("reading the version table"))?;
    let texts = match &row {
        Some(_) => history
            .recorded_text(conn.as_mut(), &id)
            .map_err(Error::db("reading the version table"))?,
        None => None,
    };
    if ctx.global.json {
        crate::output::json(&json!({
            "revision": id,
            "applied": row.is_some(),
            "applied_at": row.as_ref().map(|r| r.applied_at.clone()),
            "state": row.as_ref().map(|r| r.state.to_string()),
            "recorded": texts.is_some(),
            "up_sql": texts.as_ref().map(|t| t.up.clone()),
            "down_sql": texts.as_ref().and_then(|t| t.down.clone()),
        }));
        return Ok(if texts.is_some() { 0 } else { 1 });
    }
    let Some(row) = row else {
        note!("{id} is not applied: nothing of it ran on this database");
        return Ok(1);
    };
    let Some(texts) = texts else {
        note!(
            "{id} is applied ({}), but its version row keeps no text: it was stamped, or applied by a retort from before texts were kept",
            row.applied_at
        );
        return Ok(1);
    };
    data!(
        "{} {id} {}",
        paint(BOLD, "Revision:"),
        paint(
            DIM,
            format!("(applied {} by {})", row.applied_at, row.applied_by)
        )
    );
    data!("{}", paint(DIM, "-- migrate:up (as it ran)"));
    data!("{}", texts.up.trim_end());
    match &texts.down {
        Some(down) => {
            data!("{}", paint(DIM, "-- migrate:down (recorded with it)"));
            data!("{}", down.trim_end());
        }
        None => data!("{}", paint(DIM, "-- no down section was recorded")),
    }
    Ok(0)
}
