//! `retort revision` and `retort merge`: new migration files.

use std::io::Write;

use retort::graph::Target;
use retort::script::{self, NewScript};
use retort::{Error, Project};

use crate::args::RevisionArgs;
use crate::context::Context;
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
    write_new(
        ctx,
        project,
        args.message,
        args.rev_id,
        revises,
        depends_on,
        args.branch_label,
    )
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
        message,
        rev_id,
        parent_ids,
        Vec::new(),
        branch_labels,
    )
}

fn write_new(
    ctx: &Context,
    project: &Project,
    message: String,
    rev_id: Option<String>,
    revises: Vec<String>,
    depends_on: Vec<String>,
    branch_labels: Vec<String>,
) -> Result<u8, Error> {
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
        up: "-- The change: the statements that take the schema from the revision before to this one.".into(),
        down: "-- The exact undo of the up section: after it runs, the schema must be what it was\n-- before the up section ran (`downgrade` and `redo` run it). Leave it without a\n-- statement only when there is nothing to undo; delete this section when the change\n-- cannot be undone (a downgrade then stops here instead of going on).".into(),
        ..NewScript::default()
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
                && back.transaction => {}
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
        crate::output::json(&serde_json::json!({
            "revision": revision,
            "revises": new.revises,
            "path": shown,
        }));
    } else {
        data!("{}", shown.display());
        if !ctx.global.quiet {
            note!("created revision {revision}; write its SQL under `-- migrate:up` and `-- migrate:down`");
        }
    }
    Ok(0)
}
