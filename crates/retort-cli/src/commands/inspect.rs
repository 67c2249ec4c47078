//! Read-only commands: `current`, `history`, `heads`, `branches`, `show`, `status`.

use retort::graph::{parse_range, Target};
use retort::{Error, Migrator};
use serde_json::json;

use super::{push_revision_line, revision_json, revision_line};
use crate::context::Context;
use crate::output::{paint, BOLD, DIM, RED, YELLOW};
use crate::{data, note};

pub fn current(ctx: &Context) -> Result<u8, Error> {
    let (project, mut conn, state) = ctx.state_on()?;
    let heads = project.graph.current_heads(&state.applied);
    // When, by whom and how long: only these few rows are read whole.
    let history = Migrator::new(project, conn.as_mut()).history().clone();
    let mut row = |id: &str| {
        history
            .row(conn.as_mut(), id)
            .map_err(Error::db("reading the version table"))
    };
    if ctx.global.json {
        let mut current = Vec::with_capacity(heads.len());
        for &i in &heads {
            let mut v = revision_json(project, i);
            if let Some(r) = row(&project.script(i).revision)? {
                v["applied_at"] = json!(r.applied_at);
                v["applied_by"] = json!(r.applied_by);
                v["state"] = json!(r.state.to_string());
            }
            current.push(v);
        }
        crate::output::json(&json!({
            "url": project.config.url()?.masked(),
            "current": current,
            "applied": state.applied.iter().filter(|&&a| a).count(),
            "missing_on_disk": state.missing,
            "interrupted": state.running,
        }));
        return Ok(0);
    }
    if heads.is_empty() && !ctx.global.quiet {
        note!("no revision applied to {}", project.config.url()?.masked());
    }
    for &i in &heads {
        let mark = super::interrupted_mark(state, &project.script(i).revision);
        data!("{}", revision_line(project, i, mark.as_slice()));
        if ctx.global.verbose {
            let s = project.script(i);
            data!("    path: {}", s.path.display());
            if let Some(r) = row(&s.revision)? {
                data!(
                    "    applied: {} by {} ({} ms)",
                    r.applied_at,
                    r.applied_by,
                    r.execution_ms
                );
            }
        }
    }
    for id in &state.missing {
        data!(
            "{} {}",
            paint(RED, id),
            paint(DIM, "(applied, but no file on disk)")
        );
    }
    for i in &state.interrupted {
        note!("{} {i}", paint(RED, "interrupted:"));
    }
    Ok(0)
}

pub fn history(ctx: &Context, range: Option<&str>, indicate_current: bool) -> Result<u8, Error> {
    let needs_db = indicate_current || range.is_some_and(|r| r.contains("current"));
    let (project, state) = if needs_db {
        let (project, state) = ctx.state()?;
        (project, Some(state))
    } else {
        (ctx.project()?, None)
    };
    let graph = &project.graph;
    let resolve_side = |t: &Option<Target>| -> Result<Option<Vec<usize>>, Error> {
        match t {
            None => Ok(None),
            Some(Target::Rev(r)) if r == "current" => {
                let applied = state
                    .as_ref()
                    .map(|s| s.applied.clone())
                    .unwrap_or_default();
                Ok(Some(graph.current_heads(&applied)))
            }
            Some(t) => graph.resolve(t).map(Some).map_err(Error::Target),
        }
    };
    let (lower, upper) = match range {
        Some(r) => {
            let (lo, hi) = parse_range(r).map_err(Error::Target)?;
            (resolve_side(&lo)?, resolve_side(&hi)?)
        }
        None => (None, None),
    };
    let within_upper = upper.as_ref().map(|u| graph.ancestors(u));
    let within_lower = lower.as_ref().map(|l| graph.descendants(l));
    let selected: Vec<usize> = graph
        .topo_order()
        .iter()
        .rev()
        .copied()
        .filter(|&i| within_upper.as_ref().is_none_or(|u| u[i]))
        .filter(|&i| within_lower.as_ref().is_none_or(|l| l[i]))
        .collect();
    let current: Vec<usize> = state
        .as_ref()
        .map(|s| graph.current_heads(&s.applied))
        .unwrap_or_default();
    if ctx.global.json {
        let items: Vec<_> = selected
            .iter()
            .map(|&i| {
                let mut v = revision_json(project, i);
                if let Some(s) = &state {
                    v["applied"] = json!(s.applied[i]);
                    v["is_current"] = json!(current.contains(&i));
                }
                v
            })
            .collect();
        crate::output::json(&json!({ "revisions": items }));
        return Ok(0);
    }
    // A line is about 55 bytes: one allocation for the whole listing, mostly.
    let mut out = String::with_capacity(selected.len() * 64);
    for &i in &selected {
        let mut marks: Vec<&str> = Vec::new();
        if current.contains(&i) {
            marks.push("current");
        }
        if let Some(s) = &state {
            marks.extend(super::interrupted_mark(s, graph.id(i)));
        }
        push_revision_line(&mut out, project, i, &marks);
        out.push('\n');
        if ctx.global.verbose {
            let s = project.script(i);
            out.push_str(&format!("    path: {}\n", s.path.display()));
            if let Some(c) = &s.created {
                out.push_str(&format!("    created: {c}\n"));
            }
            if !s.depends_on.is_empty() {
                out.push_str(&format!("    depends on: {}\n", s.depends_on.join(", ")));
            }
            if let Some(st) = &state {
                out.push_str(&format!(
                    "    applied: {}\n",
                    if st.applied[i] { "yes" } else { "no" }
                ));
            }
        }
    }
    crate::output::print_data(&out);
    Ok(0)
}

pub fn heads(ctx: &Context) -> Result<u8, Error> {
    let project = ctx.project()?;
    let heads = project.graph.heads();
    if ctx.global.json {
        let items: Vec<_> = heads.iter().map(|&i| revision_json(project, i)).collect();
        crate::output::json(&json!({ "heads": items }));
        return Ok(0);
    }
    for &i in &heads {
        data!("{}", revision_line(project, i, &[]));
    }
    if heads.len() > 1 && !ctx.global.quiet {
        note!(
            "{} {} heads: upgrade all of them with `retort upgrade heads`, or join them with `retort merge`",
            paint(YELLOW, "note:"),
            heads.len()
        );
    }
    Ok(0)
}

pub fn branches(ctx: &Context) -> Result<u8, Error> {
    let project = ctx.project()?;
    let graph = &project.graph;
    let points: Vec<usize> = graph
        .topo_order()
        .iter()
        .copied()
        .filter(|&i| graph.children(i).len() > 1)
        .collect();
    if ctx.global.json {
        let items: Vec<_> = points
            .iter()
            .map(|&i| {
                let mut v = revision_json(project, i);
                v["children"] = json!(graph
                    .children(i)
                    .iter()
                    .map(|&c| graph.id(c).to_string())
                    .collect::<Vec<_>>());
                v
            })
            .collect();
        crate::output::json(&json!({ "branch_points": items }));
        return Ok(0);
    }
    for &i in &points {
        data!("{}", revision_line(project, i, &["branchpoint"]));
        for &c in graph.children(i) {
            data!("    -> {}", revision_line(project, c, &[]));
        }
    }
    Ok(0)
}

pub fn show(ctx: &Context, rev: &str) -> Result<u8, Error> {
    let project = ctx.project()?;
    let revs = project
        .graph
        .resolve(&super::parse_target(rev)?)
        .map_err(Error::Target)?;
    if ctx.global.json {
        let items: Vec<_> = revs
            .iter()
            .map(|&i| {
                let mut v = revision_json(project, i);
                let full = project.load_script(i)?;
                v["sections"] = json!(full
                    .sections()
                    .map(|s| json!({
                        "direction": s.direction.name(),
                        "dialect": s.dialect.map(|d| d.name()),
                        "line": s.first_line,
                        "sql": s.body.trim(),
                    }))
                    .collect::<Vec<_>>());
                Ok(v)
            })
            .collect::<Result<Vec<_>, Error>>()?;
        crate::output::json(&json!({ "revisions": items }));
        return Ok(0);
    }
    for &i in &revs {
        let s = &project.load_script(i)?;
        let g = &project.graph;
        let list = |v: &[String]| {
            if v.is_empty() {
                "<none>".to_string()
            } else {
                v.join(", ")
            }
        };
        data!("{} {}", paint(BOLD, "Revision:"), s.revision);
        data!(
            "Revises: {}",
            if s.revises.is_empty() {
                "<base>".into()
            } else {
                s.revises.join(", ")
            }
        );
        data!(
            "Revised by: {}",
            list(
                &g.children(i)
                    .iter()
                    .map(|&c| g.id(c).to_string())
                    .collect::<Vec<_>>()
            )
        );
        data!("Depends on: {}", list(&s.depends_on));
        data!("Branch labels: {}", list(&s.branch_labels));
        data!(
            "Head: {}",
            if g.children(i).is_empty() {
                "yes"
            } else {
                "no"
            }
        );
        data!("Created: {}", s.created.as_deref().unwrap_or("<unknown>"));
        data!("Transaction: {}", s.transaction);
        data!("Path: {}", s.path.display());
        data!("");
        for line in s.message.lines() {
            data!("    {}", retort::script::comment_text(line));
        }
        for section in s.sections() {
            data!("");
            data!(
                "{}",
                paint(
                    DIM,
                    format!(
                        "-- migrate:{}{} (line {})",
                        section.direction.name(),
                        section.dialect.map(|d| format!(" {d}")).unwrap_or_default(),
                        section.first_line - 1
                    )
                )
            );
            data!("{}", section.body.trim());
        }
    }
    Ok(0)
}

pub fn status(ctx: &Context, exit_code: bool) -> Result<u8, Error> {
    let (project, mut conn, state) = ctx.state_on()?;
    let history = Migrator::new(project, conn.as_mut()).history().clone();
    let edited = state
        .changed
        .iter()
        .map(|c| super::applied::edited_sections(project, conn.as_mut(), &history, c))
        .collect::<Result<Vec<_>, Error>>()?;
    let graph = &project.graph;
    let current = graph.current_heads(&state.applied);
    let pending = graph
        .plan_upgrade(&state.applied, &Target::Heads)
        .map_err(Error::Target)?;
    let attention = !pending.is_empty()
        || !state.changed.is_empty()
        || !state.missing.is_empty()
        || !state.running.is_empty();
    let url = project.config.url()?.masked();
    if ctx.global.json {
        crate::output::json(&json!({
            "url": url,
            "current": current.iter().map(|&i| graph.id(i).to_string()).collect::<Vec<_>>(),
            "pending": pending.iter().map(|&i| revision_json(project, i)).collect::<Vec<_>>(),
            "changed": state.changed.iter().zip(&edited).map(|(c, &(up, down))| {
                let mut v = super::mismatch_json(c);
                v["up_changed"] = json!(up);
                v["down_changed"] = json!(down);
                v
            }).collect::<Vec<_>>(),
            "missing_on_disk": state.missing,
            "running": state.running,
            "heads": graph.heads().iter().map(|&i| graph.id(i).to_string()).collect::<Vec<_>>(),
            "up_to_date": !attention,
        }));
    } else {
        // Quiet: only what needs attention (nothing when all is well), for scripts that
        // print whatever `status -q` says.
        let quiet = ctx.global.quiet;
        if !quiet {
            data!("{} {url}", paint(BOLD, "database:"));
        }
        if current.is_empty() && !quiet {
            data!("{} <base> (nothing applied)", paint(BOLD, "current: "));
        }
        for &i in current.iter().filter(|_| !quiet) {
            data!(
                "{} {}",
                paint(BOLD, "current: "),
                revision_line(
                    project,
                    i,
                    super::interrupted_mark(state, graph.id(i)).as_slice()
                )
            );
        }
        if quiet && pending.is_empty() {
        } else if pending.is_empty() && !attention {
            data!("{} none: up to date", paint(BOLD, "pending: "));
        } else if pending.is_empty() {
            data!("{} none", paint(BOLD, "pending: "));
        } else {
            data!("{} {}", paint(BOLD, "pending: "), pending.len());
            for &i in &pending {
                let s = project.script(i);
                data!(
                    "  {} {}",
                    paint(YELLOW, &s.revision),
                    retort::script::comment_text(s.summary())
                );
            }
        }
        for (c, &sections) in state.changed.iter().zip(&edited) {
            data!(
                "{} {} ({}) was edited after it ran ({}): applied {} file {}",
                paint(RED, "changed: "),
                c.revision,
                c.path.display(),
                super::applied::edited_words(sections),
                short(&c.applied),
                short(&c.on_disk)
            );
        }
        for id in &state.missing {
            data!(
                "{} {id} is applied but has no file",
                paint(RED, "missing: ")
            );
        }
        for i in &state.interrupted {
            data!("{} {i}", paint(RED, "interrupted:"));
        }
    }
    Ok(if exit_code && attention { 1 } else { 0 })
}

fn short(checksum: &str) -> &str {
    checksum.get(..12).unwrap_or(checksum)
}
