//! `retort revision` and `retort merge`: new migration files.

use std::io::Write;

use retort::autogen::{self, AutogenOptions, Generated};
use retort::graph::Target;
use retort::schema::Renames;
use retort::script::{self, NewScript};
use retort::{Error, Project};

use crate::args::RevisionArgs;
use crate::context::Context;
use crate::output::{paint, RED, YELLOW};
use crate::{data, note};

pub fn revision(ctx: &Context, args: RevisionArgs) -> Result<u8, Error> {
    let project = ctx.project()?;
    let graph = &project.graph;
    let revises = match args.head.as_deref() {
        Some("base") => Vec::new(),
        Some(head) => {
            let revs = graph
                .resolve(&super::parse_target(head)?)
                .map_err(Error::Target)?;
            let heads = graph.heads();
            if let Some(&not_head) = revs.iter().find(|i| !heads.contains(i)) {
                if !args.splice {
                    return Err(Error::Usage(format!(
                        "{} is not a head; pass --splice to start a branch from it",
                        graph.id(not_head)
                    )));
                }
            }
            revs.iter().map(|&i| graph.id(i).to_string()).collect()
        }
        None => match graph.heads().as_slice() {
            [] => Vec::new(),
            [one] => vec![graph.id(*one).to_string()],
            // The library's word for this is about targets (upgrade them all, or merge);
            // a new revision builds on one head, which --head names.
            many => {
                let heads: Vec<&str> = many.iter().map(|&i| graph.id(i)).collect();
                return Err(Error::Usage(format!(
                    "multiple heads: {}; name the one the new revision builds on with --head REV, or join them first with `retort merge`",
                    heads.join(", ")
                )));
            }
        },
    };
    let depends_on = args
        .depends_on
        .iter()
        .map(|d| {
            graph
                .resolve_id(d)
                .map(|i| graph.id(i).to_string())
                .map_err(Error::Target)
        })
        .collect::<Result<Vec<_>, _>>()?;
    let body = if args.autogenerate {
        match generate(ctx, &args)? {
            Some(body) => body,
            None if args.empty => Body::template(),
            None => {
                if ctx.global.json {
                    crate::output::json(&serde_json::json!({"revision": null, "changes": []}));
                } else if !ctx.global.quiet {
                    note!("no changes: the database matches the declared schema; nothing written (--empty writes a revision anyway)");
                }
                return Ok(0);
            }
        }
    } else {
        Body::template()
    };
    write_new(
        ctx,
        project,
        NewRevision {
            message: args.message,
            rev_id: args.rev_id,
            revises,
            depends_on,
            branch_labels: args.branch_label,
        },
        body,
    )
}

/// What a new file holds besides its header, and what the command reports of it.
struct Body {
    up: String,
    down: String,
    /// One (dialect, up, down) per dialect of `dialects`, instead of `up` and `down`.
    sections: Vec<(retort::Dialect, String, String)>,
    foreign_keys_off: bool,
    outside_transaction: bool,
    generated: Option<Generated>,
}

impl Body {
    /// The template of a file the user writes: comments saying what each section is for.
    fn template() -> Body {
        Body {
            up: "-- The change: the statements that take the schema from the revision before to this one.".into(),
            down: "-- The exact undo of the up section: after it runs, the schema must be what it was\n-- before the up section ran (`downgrade` and `redo` run it). Leave it without a\n-- statement only when there is nothing to undo; delete this section when the change\n-- cannot be undone (a downgrade then stops here instead of going on).".into(),
            sections: Vec::new(),
            foreign_keys_off: false,
            outside_transaction: false,
            generated: None,
        }
    }
}

/// The new revision's header, as the command was asked for it.
struct NewRevision {
    message: String,
    rev_id: Option<String>,
    revises: Vec<String>,
    depends_on: Vec<String>,
    branch_labels: Vec<String>,
}

/// The migration from the database to the declared schema, `None` when they match.
fn generate(ctx: &Context, args: &RevisionArgs) -> Result<Option<Body>, Error> {
    let (project, mut conn, _state) = ctx.state_on()?;
    super::compare::scratch_note(ctx, project, conn.dialect());
    let mut renames = Renames::none();
    for (old, new) in &args.rename_table {
        renames = renames.table(old, new);
    }
    for (table, old, new) in &args.rename_column {
        renames = renames.column(table, old, new);
    }
    let options = AutogenOptions {
        renames,
        allow_drop: args.allow_drop,
        from_empty: args.from_empty,
    };
    let Some(generated) = autogen::autogenerate(project, conn.as_mut(), &options)? else {
        return Ok(None);
    };
    Ok(Some(Body {
        up: generated.up.clone(),
        down: generated.down.clone(),
        sections: generated.sections.clone(),
        outside_transaction: generated.outside_transaction,
        foreign_keys_off: generated.foreign_keys_off,
        generated: Some(generated),
    }))
}

pub fn merge(
    ctx: &Context,
    message: Option<String>,
    revs: Vec<String>,
    rev_id: Option<String>,
    branch_labels: Vec<String>,
) -> Result<u8, Error> {
    let project = ctx.project()?;
    let graph = &project.graph;
    let targets = if revs.is_empty() {
        vec![Target::Heads]
    } else {
        revs.iter()
            .map(|r| super::parse_target(r))
            .collect::<Result<Vec<_>, _>>()?
    };
    let mut parents: Vec<usize> = Vec::new();
    for t in &targets {
        for i in graph.resolve(t).map_err(Error::Target)? {
            if !parents.contains(&i) {
                parents.push(i);
            }
        }
    }
    if parents.len() < 2 {
        return Err(Error::Usage(format!(
            "a merge joins two or more revisions; got {}",
            parents
                .iter()
                .map(|&i| graph.id(i))
                .collect::<Vec<_>>()
                .join(", ")
        )));
    }
    let parent_ids: Vec<String> = parents.iter().map(|&i| graph.id(i).to_string()).collect();
    let message = message.unwrap_or_else(|| format!("merge {}", parent_ids.join(", ")));
    write_new(
        ctx,
        project,
        NewRevision {
            message,
            rev_id,
            revises: parent_ids,
            depends_on: Vec::new(),
            branch_labels,
        },
        Body::template(),
    )
}

fn write_new(ctx: &Context, project: &Project, new: NewRevision, body: Body) -> Result<u8, Error> {
    let NewRevision {
        message,
        rev_id,
        revises,
        depends_on,
        branch_labels,
    } = new;
    let graph = &project.graph;
    let revision = match rev_id {
        Some(id) => {
            script::validate_id(&id).map_err(Error::Usage)?;
            if graph.index_of(&id).is_some() {
                return Err(Error::Usage(format!("revision id {id} is already used")));
            }
            id
        }
        None => loop {
            let id = script::random_id().map_err(|e| Error::Usage(e.to_string()))?;
            if graph.index_of(&id).is_none() {
                break id;
            }
        },
    };
    for label in &branch_labels {
        script::validate_label(label).map_err(Error::Usage)?;
        if let Some(owner) = graph.label_owner(label) {
            return Err(Error::Usage(format!(
                "branch label {label} is already on revision {}",
                graph.id(owner)
            )));
        }
    }
    let now = jiff::Timestamp::now()
        .round(jiff::Unit::Second)
        .unwrap_or_else(|_| jiff::Timestamp::now());
    let new = NewScript {
        revision: revision.clone(),
        message: message.clone(),
        revises,
        depends_on,
        branch_labels,
        created: now.strftime("%Y-%m-%dT%H:%M:%SZ").to_string(),
        up: body.up,
        down: body.down,
        dialect_sections: body.sections,
        foreign_keys_off: body.foreign_keys_off,
        outside_transaction: body.outside_transaction,
    };
    let name = script::file_name(&project.config.file_template, &revision, &message, &now);
    let path = project.config.migrations_dir.join(&name);
    let io = |e: std::io::Error| Error::Io {
        path: path.clone(),
        message: e.to_string(),
    };
    // A message line such as `revision: …` or `migrate:up` would be read back as a header
    // key or a section marker: the file must parse to what was asked for.
    let text = script::render_new(&new);
    let unreadable = |why: String| {
        Error::Usage(format!(
            "the message cannot be written as the file's header comment: {why}; reword it"
        ))
    };
    match script::parse(&path, &text) {
        Ok(back)
            if back.revision == revision
                && back.revises == new.revises
                && back.depends_on == new.depends_on
                && back.branch_labels == new.branch_labels
                && back.transaction != new.outside_transaction
                && back.foreign_keys_off == new.foreign_keys_off => {}
        Ok(_) => {
            return Err(unreadable(
                "a line of it would be read as a header key".into(),
            ))
        }
        Err(e) => return Err(unreadable(e.message)),
    }
    let mut file = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(&path)
        .map_err(io)?;
    file.write_all(text.as_bytes()).map_err(io)?;
    let shown = script::display_path(&path, &ctx.cwd);
    if ctx.global.json {
        let mut out = serde_json::json!({
            "revision": revision,
            "revises": new.revises,
            "path": shown,
        });
        if let Some(g) = &body.generated {
            out["changes"] = g.changes.iter().map(|c| c.to_string()).collect();
            out["destructive"] = g
                .destructive
                .iter()
                .map(|d| serde_json::json!({"change": d.change.to_string(), "rows": d.rows}))
                .collect();
            out["warnings"] = g.needs_data.iter().map(|n| n.to_string()).collect();
            out["rebuilt"] = g.rebuilt.clone().into();
            out["notes"] = g.notes.clone().into();
            out["not_compared"] = super::unmanaged_json(&g.unmanaged);
        }
        crate::output::json(&out);
    } else {
        data!("{}", shown.display());
        if !ctx.global.quiet {
            match &body.generated {
                Some(g) => report_generated(&revision, g),
                None => note!("created revision {revision}; write its SQL under `-- migrate:up` and `-- migrate:down`"),
            }
        }
    }
    Ok(0)
}

/// What an autogenerated file holds, for the reviewer: every change, what loses data and
/// how much, the tables copied, and what was not compared.
fn report_generated(revision: &str, g: &Generated) {
    note!(
        "created revision {revision} with {} change(s), checked on a scratch copy of the schema both ways; review it before `upgrade`",
        g.changes.len()
    );
    for change in &g.changes {
        note!("  {change}");
    }
    for d in &g.destructive {
        note!("{} {}", paint(RED, "destructive:"), autogen::describe(d));
    }
    for n in &g.needs_data {
        note!("{} {n}", paint(RED, "warning:"));
    }
    for table in &g.rebuilt {
        note!(
            "{} table {table} is rebuilt: every row is copied",
            paint(YELLOW, "rebuild:")
        );
    }
    for n in &g.notes {
        note!("{} {n}", paint(YELLOW, "note:"));
    }
    for u in &g.unmanaged {
        note!("{} {} {}", paint(YELLOW, "not compared:"), u.kind, u.name);
    }
}
