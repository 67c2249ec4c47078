//! `retort check`: the migrated database against the declared schema, as CI runs it.

use retort::autogen;
use retort::Error;
use serde_json::json;

use crate::context::Context;
use crate::output::{paint, GREEN, RED, YELLOW};
use crate::{data, note};

pub fn check(ctx: &Context, strict: bool) -> Result<u8, Error> {
    let (project, mut conn, _state) = ctx.state_on()?;
    let comparison = autogen::check(project, conn.as_mut())?;
    let differs = !comparison.matches();
    let unmanaged = !comparison.unmanaged.is_empty();
    let code = u8::from(differs || (strict && unmanaged));
    if ctx.global.json {
        crate::output::json(&json!({
            "matches": !differs,
            "differences": comparison.diff.changes.iter().map(|c| c.to_string()).collect::<Vec<_>>(),
            "not_compared": super::unmanaged_json(&comparison.unmanaged),
        }));
        return Ok(code);
    }
    for change in &comparison.diff.changes {
        data!("{} {change}", paint(RED, "differs:"));
    }
    for u in &comparison.unmanaged {
        let label = if strict {
            paint(RED, "not compared:")
        } else {
            paint(YELLOW, "not compared:")
        };
        data!("{label} {} {}", u.kind, u.name);
    }
    if !ctx.global.quiet {
        if differs {
            note!(
                "the database differs from the declared schema in {} way(s): a migration is missing (`retort revision --autogenerate -m …` writes it) or one was not applied",
                comparison.diff.changes.len()
            );
        } else {
            note!(
                "{} the database matches the declared schema",
                paint(GREEN, "ok:")
            );
        }
        if unmanaged && !strict {
            note!(
                "objects retort does not manage are listed, not compared (--strict fails on them)"
            );
        }
    }
    Ok(code)
}
