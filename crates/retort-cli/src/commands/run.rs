//! `retort upgrade`, `retort downgrade` (online and `--sql`) and `retort stamp`.

use retort::graph::parse_range;
use retort::migrator::ExistingRows;
use retort::script::Direction;
use retort::{Dialect, Error, Migrator, Target};
use serde_json::json;

use crate::args::RunArgs;
use crate::context::Context;
use crate::output::{millis, paint, Reporter, BOLD};
use crate::{data, note};

pub fn upgrade(ctx: &Context, args: RunArgs) -> Result<u8, Error> {
    execute(ctx, args, Direction::Up)
}

pub fn downgrade(ctx: &Context, args: RunArgs) -> Result<u8, Error> {
    execute(ctx, args, Direction::Down)
}

fn execute(ctx: &Context, args: RunArgs, direction: Direction) -> Result<u8, Error> {
    if args.sql {
        return offline(ctx, ctx.project()?, &args, direction);
    }
    if args.target.contains(':') {
        return Err(Error::Usage(format!(
            "`{}` is a range; ranges are for --sql (offline) mode",
            args.target
        )));
    }
    let target = super::parse_target(&args.target)?;
    let (project, mut conn, rows) = ctx.open()?;
    let url = project.config.url()?.masked();
    let mut reporter =
        Reporter::new(ctx.global.quiet || ctx.global.json).with_statements(ctx.global.verbose);
    // Kept to the exit, like everything that grows with the revisions (see main.rs).
    let migrator = crate::keep_until_exit(
        Migrator::new(project, conn.as_mut())
            .with_stop(ctx.stop.clone())
            .with_single_transaction(args.single_transaction)
            .with_rows(rows),
    );
    let result = migrator.upgrade_or_downgrade(direction, &target, &mut |e| reporter.event(e));
    reporter.finish();
    let report = result?;
    if ctx.global.json {
        crate::output::json(&json!({
            "direction": direction.name(),
            "url": url,
            "revisions": report.revisions,
            "skipped": report.skipped,
            "elapsed_ms": report.elapsed.as_millis() as u64,
        }));
    } else if !ctx.global.quiet {
        let n = report.revisions.len();
        if n == 0 && report.skipped.is_empty() {
            note!("nothing to do: {url} is already at {}", args.target);
        } else {
            let verb = match direction {
                Direction::Up => "applied",
                Direction::Down => "reverted",
            };
            note!(
                "{} {n} migration{} on {url} in {}{}",
                paint(BOLD, verb),
                if n == 1 { "" } else { "s" },
                millis(report.elapsed),
                if report.skipped.is_empty() {
                    String::new()
                } else {
                    format!(
                        " ({} already handled by another process)",
                        report.skipped.len()
                    )
                }
            );
        }
    }
    Ok(0)
}

fn offline(
    ctx: &Context,
    project: &retort::Project,
    args: &RunArgs,
    direction: Direction,
) -> Result<u8, Error> {
    let dialect = match &args.dialect {
        Some(name) => name.parse::<Dialect>().ok().ok_or_else(|| {
            Error::Usage(format!(
                "unknown dialect `{name}` (expected sqlite, postgresql or mysql)"
            ))
        })?,
        None => project.config.url()?.dialect(),
    };
    let (from, to) = if args.target.contains(':') {
        parse_range(&args.target).map_err(Error::Target)?
    } else {
        (None, Some(super::parse_target(&args.target)?))
    };
    if direction == Direction::Down && from.is_none() {
        return Err(Error::Usage(
            "offline downgrade needs the starting point: `retort downgrade FROM:TO --sql` (e.g. head:base)".into(),
        ));
    }
    let to = to.unwrap_or(match direction {
        Direction::Up => Target::Heads,
        Direction::Down => Target::Base,
    });
    let script = retort::migrator::offline_script(project, dialect, direction, from.as_ref(), &to)?;
    if ctx.global.json {
        crate::output::json(&json!({ "dialect": dialect.name(), "sql": script }));
    } else {
        data!("{script}");
    }
    Ok(0)
}

pub fn stamp(ctx: &Context, target: &str, purge: bool) -> Result<u8, Error> {
    let target = super::parse_target(target)?;
    let (project, mut conn, _) = ctx.open()?;
    let mut reporter = Reporter::new(ctx.global.quiet || ctx.global.json);
    let result = Migrator::new(project, conn.as_mut())
        .with_stop(ctx.stop.clone())
        .stamp(
            &target,
            if purge {
                ExistingRows::Purge
            } else {
                ExistingRows::Keep
            },
            &mut |e| reporter.event(e),
        );
    reporter.finish();
    let report = result?;
    if ctx.global.json {
        crate::output::json(&json!({ "added": report.added, "removed": report.removed }));
    } else if !ctx.global.quiet && report.added.is_empty() && report.removed.is_empty() {
        note!("nothing to stamp: the version table already records {target}");
    }
    Ok(0)
}
