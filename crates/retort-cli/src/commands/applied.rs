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

/// Which sections of an edited applied migration changed since it ran: the up section
/// always (its checksum is what marks the edit), the down section when the row kept the
/// one recorded with it and the file's differs. `None` for the down section when the row
/// keeps no text to compare with.
pub fn edited_sections(
    project: &retort::Project,
    conn: &mut dyn retort::Connection,
    history: &retort::history::History,
    changed: &retort::error::ChecksumMismatch,
) -> Result<(bool, Option<bool>), Error> {
    let recorded = history
        .recorded_text(conn, &changed.revision)
        .map_err(Error::db("reading the version table"))?;
    let Some(recorded) = recorded else {
        return Ok((true, None));
    };
    let Some(index) = project.index_of(&changed.revision) else {
        return Ok((true, None));
    };
    let file = project.load_script(index)?;
    let down_now = file
        .section(retort::Direction::Down, conn.dialect())
        .map(|s| s.body);
    Ok((true, Some(down_now != recorded.down.as_deref())))
}

/// `up section changed, down section unchanged` and the like, for listings.
pub fn edited_words(sections: (bool, Option<bool>)) -> String {
    let down = match sections.1 {
        Some(true) => "down section changed too",
        Some(false) => "down section unchanged",
        None => "down section not recorded to compare",
    };
    format!("up section changed, {down}")
}
