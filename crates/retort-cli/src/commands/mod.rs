//! One function per command. Each returns the exit code of a run that worked (0, or 1
//! when a check found something) or the library error that stopped it.

mod applied;
mod check;
mod compare;
mod completions;
mod init;
mod inspect;
mod man;
mod redo;
mod revision;
mod run;

use retort::script::Direction;
use retort::{Error, Project, Target};
use serde_json::json;

use crate::args::Command;
use crate::context::Context;

pub fn run(ctx: &Context, command: Command) -> Result<u8, Error> {
    match command {
        Command::Init { dir } => init::init(ctx, dir),
        Command::Revision(args) => revision::revision(ctx, args),
        Command::Merge {
            message,
            revs,
            rev_id,
            branch_label,
        } => revision::merge(ctx, message, revs, rev_id, branch_label),
        Command::Upgrade(args) => run::upgrade(ctx, args),
        Command::Downgrade(args) => run::downgrade(ctx, args),
        Command::Redo { rev, force } => redo::redo(ctx, rev.as_deref(), force),
        Command::Stamp { target, purge } => run::stamp(ctx, &target, purge),
        Command::Current => inspect::current(ctx),
        Command::History {
            range,
            indicate_current,
        } => inspect::history(ctx, range.as_deref(), indicate_current),
        Command::Heads => inspect::heads(ctx),
        Command::Branches => inspect::branches(ctx),
        Command::Show {
            rev,
            applied: false,
        } => inspect::show(ctx, &rev),
        Command::Show { rev, applied: true } => applied::show_applied(ctx, &rev),
        Command::Status { exit_code } => inspect::status(ctx, exit_code),
        Command::Validate => check::validate(ctx),
        Command::Check { strict } => compare::check(ctx, strict),
        Command::Schema {
            action: crate::args::SchemaAction::Dump { output },
        } => compare::dump(ctx, output),
        Command::Diff { url_a, url_b } => compare::diff(ctx, &url_a, &url_b),
        Command::Dev {
            action: crate::args::DevAction::Drop,
        } => compare::dev_drop(ctx),
        Command::Repair => check::repair(ctx),
        // They write a script and roff pages: a --json caller would get neither JSON nor an
        // error it expects, so it is refused (DESIGN.md: --json prints only JSON on stdout).
        Command::Completions { .. } | Command::Man { .. } if ctx.global.json => Err(Error::Usage(
            "--json does not apply: this command writes a shell script or man pages, not data"
                .into(),
        )),
        Command::Completions { shell } => completions::completions(shell),
        Command::Man { dir } => man::man(ctx, dir),
    }
}

/// The mark listings put on a revision left half-done by an interrupted run, so that no
/// output shows it as simply applied.
pub fn interrupted_mark(state: &retort::migrator::DbState, id: &str) -> Option<&'static str> {
    let i = state.interrupted.iter().find(|i| i.revision == id)?;
    Some(match i.direction {
        Direction::Down => "interrupted while reverting",
        Direction::Up => "interrupted while applying",
    })
}

/// Parses a target given on the command line.
pub fn parse_target(text: &str) -> Result<Target, Error> {
    text.parse::<Target>().map_err(Error::Target)
}

/// A revision as JSON, the same shape in every command's output.
pub fn revision_json(project: &Project, i: usize) -> serde_json::Value {
    let s = project.script(i);
    let heads = project.graph.heads();
    json!({
        "revision": s.revision,
        "message": s.message,
        "revises": s.revises,
        "depends_on": s.depends_on,
        "branch_labels": s.branch_labels,
        "created": s.created,
        "transaction": s.transaction,
        "path": s.path,
        "is_head": heads.contains(&i),
    })
}

/// An edited applied migration as JSON (`status`, `validate`).
pub fn mismatch_json(c: &retort::error::ChecksumMismatch) -> serde_json::Value {
    json!({
        "revision": c.revision,
        "path": c.path,
        "applied_checksum": c.applied,
        "file_checksum": c.on_disk,
    })
}

/// `rev (head) [labels], message` as listings show it; `marks` adds words like `current`.
pub fn revision_line(project: &Project, i: usize, marks: &[&str]) -> String {
    let mut line = String::new();
    push_revision_line(&mut line, project, i, marks);
    line
}

/// [`revision_line`], appended to `out`: `history` writes 10,000 of them into one buffer,
/// where building each from pieces of its own took longer than loading the project.
pub fn push_revision_line(out: &mut String, project: &Project, i: usize, marks: &[&str]) {
    use crate::output::{push_styled, BOLD, CYAN, DIM};
    // From the header and the graph, not the whole script: `history` lists thousands.
    let header = project.script(i);
    push_styled(out, DIM, |out| {
        if !push_list(out, header.revises.iter().map(String::as_str)) {
            out.push_str("<base>");
        }
    });
    out.push_str(" -> ");
    push_styled(out, BOLD, |out| out.push_str(&header.revision));
    let head = project.graph.children(i).is_empty().then_some("head");
    let mut labels = header.branch_labels.iter().map(String::as_str).peekable();
    if head.is_some() || !marks.is_empty() || labels.peek().is_some() {
        out.push(' ');
        push_styled(out, CYAN, |out| {
            let mut open = "(";
            for tag in head.iter().chain(marks) {
                out.push_str(open);
                out.push_str(tag);
                open = ") (";
            }
            if labels.peek().is_some() {
                out.push_str(open);
                out.push_str("labels: ");
                push_list(out, labels);
            }
            out.push(')');
        });
    }
    out.push_str(", ");
    // Escaped like a comment line: a message is text from a file, and an escape sequence
    // in it must not drive the terminal.
    out.push_str(&retort::script::comment_text(project.scripts().summary(i)));
}

/// Appends `items` separated by `, `; whether there was any.
fn push_list<'a>(out: &mut String, items: impl Iterator<Item = &'a str>) -> bool {
    let mut any = false;
    for item in items {
        if any {
            out.push_str(", ");
        }
        out.push_str(item);
        any = true;
    }
    any
}

/// Objects a schema comparison lists without comparing, as JSON.
pub fn unmanaged_json(list: &[retort::schema::Unmanaged]) -> serde_json::Value {
    list.iter()
        .map(|u| json!({"kind": u.kind, "name": u.name}))
        .collect()
}
