//! Autogenerate and `check` (issue 16): the declared schema against the live database.
//!
//! Both sides become the same [`Schema`] model through the database itself: the live one
//! by introspection, the declared DDL by loading it into a scratch database of the same
//! dialect (`scratch.rs`) and introspecting that. The pure diff (`schema::diff`) compares
//! them; the dialect's rendering writes the change both ways; and before anything is
//! written, the result is replayed on a scratch copy (`selfcheck.rs`): a migration that
//! does not take the schema exactly where it should is our bug, never the user's surprise.

mod annotate;
mod incremental;
mod replay;
mod scratch;
mod selfcheck;
pub mod source;

use crate::db::Connection;
use crate::dialect::Dialect;
use crate::error::Error;
use crate::migrator::DbState;
use crate::project::Project;
use crate::schema::{self, Change, Diff, Renames, Schema, Unmanaged};

pub use annotate::{describe, NeedsData};
pub use scratch::{dev_database_name, drop_dev_database, work_database_name};
pub use source::{DdlText, SchemaSource};

/// The declared schema as the database loads it (see the module documentation).
pub fn declared_schema(project: &Project, dialect: Dialect) -> Result<Schema, Error> {
    let config = &project.config;
    let source = SchemaSource::from_config(config.schema.as_deref(), &config.root);
    let ddl = source.read(dialect, &config.root)?;
    let mut scratch = scratch::Scratch::open_kept(dialect, config, scratch::Role::Declared)?;
    incremental::load(&mut scratch, &ddl)?;
    scratch.inspect(&ours(project).each())
}

/// `start` (the schema a comparison starts from, and whatever else can be done before the
/// declared schema is known) and the declared schema of `dialect`, read at the same time:
/// the declared one on a thread of its own, through its own scratch database. `start`'s
/// error comes first when both fail.
fn with_declared<T: Send>(
    project: &Project,
    dialect: Dialect,
    start: impl FnOnce() -> Result<T, Error>,
) -> Result<(T, Schema), Error> {
    let (start, declared) = std::thread::scope(|s| {
        let declared = s.spawn(|| declared_schema(project, dialect));
        (start(), declared.join())
    });
    let declared = declared.unwrap_or_else(|_| {
        Err(Error::Usage(
            "reading the declared schema failed unexpectedly".into(),
        ))
    });
    Ok((start?, declared?))
}

/// The live database's schema, without retort's own tables.
pub fn live_schema(project: &Project, conn: &mut dyn Connection) -> Result<Schema, Error> {
    conn.inspect(&ours(project).each())
        .map_err(Error::db("reading the database's schema"))
}

/// retort's version and log tables: in every live database, in no declared schema.
struct Ours(String, String);

impl Ours {
    fn each(&self) -> [&str; 2] {
        [&self.0, &self.1]
    }
}

fn ours(project: &Project) -> Ours {
    Ours(
        project.config.version_table.clone(),
        project.config.log_table(),
    )
}

/// What `check` found: the changes that would take the live database to the declared
/// schema (empty when they match), and the objects neither side compares.
#[derive(Debug, Clone)]
pub struct Comparison {
    pub diff: Diff,
    /// Unmanaged objects of the live database (triggers, functions…): listed, their
    /// definitions not compared.
    pub unmanaged: Vec<Unmanaged>,
    /// Unmanaged objects of the declared schema.
    pub declared_unmanaged: Vec<Unmanaged>,
}

impl Comparison {
    pub fn matches(&self) -> bool {
        self.diff.is_empty()
    }

    /// Unmanaged objects on one side only, by kind and name (what `--strict` fails on):
    /// (in the database only, declared only).
    pub fn unmanaged_apart(&self) -> (Vec<&Unmanaged>, Vec<&Unmanaged>) {
        fn only<'a>(a: &'a [Unmanaged], b: &[Unmanaged]) -> Vec<&'a Unmanaged> {
            a.iter().filter(|u| !b.contains(u)).collect()
        }
        (
            only(&self.unmanaged, &self.declared_unmanaged),
            only(&self.declared_unmanaged, &self.unmanaged),
        )
    }
}

/// Compares the live database with the declared schema. Nothing is renamed: a dropped
/// and an added table of one definition is a difference like any other here.
pub fn check(project: &Project, conn: &mut dyn Connection) -> Result<Comparison, Error> {
    let dialect = conn.dialect();
    let (live, declared) = with_declared(project, dialect, || live_schema(project, conn))?;
    Ok(Comparison {
        diff: schema::diff(&live, &declared, &Renames::none()),
        unmanaged: live.unmanaged,
        declared_unmanaged: declared.unmanaged,
    })
}

/// How [`autogenerate`] should treat what only the user can decide.
#[derive(Debug, Clone, Default)]
pub struct AutogenOptions {
    /// Tables and columns to rename rather than drop and add.
    pub renames: Renames,
    /// Drop and add where a rename is likely, on purpose.
    pub allow_drop: bool,
    /// Write the migration that creates the whole declared schema from nothing (adopting
    /// a database made without migrations), whatever the live database holds.
    pub from_empty: bool,
}

/// A change that loses data, with what it touches in the live database: a dropped
/// table's rows, a dropped column's non-null values.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Destructive {
    pub change: Change,
    /// `None` when the database could not count them (the table is new, say).
    pub rows: Option<u64>,
}

/// A migration written for the user: its two sections and what the command reports.
#[derive(Debug, Clone)]
pub struct Generated {
    /// The up section's body (statements, with comments above destructive ones).
    pub up: String,
    /// The down section's body: the exact reverse, checked like the up section.
    pub down: String,
    /// With `dialects` listing several: one (dialect, up, down) each, and `up`/`down` empty.
    pub sections: Vec<(Dialect, String, String)>,
    /// The file needs `foreign_keys: off` (a SQLite table rebuild).
    pub foreign_keys_off: bool,
    /// The file needs `transaction: false` (see `Rendered::outside_transaction`).
    pub outside_transaction: bool,
    pub changes: Vec<Change>,
    pub destructive: Vec<Destructive>,
    /// Changes the live rows would make fail (written as warnings atop the up section).
    pub needs_data: Vec<NeedsData>,
    /// Tables rebuilt (every row copied).
    pub rebuilt: Vec<String>,
    /// What the up section's statements lose or cannot keep.
    pub notes: Vec<String>,
    /// Live objects not compared.
    pub unmanaged: Vec<Unmanaged>,
}

/// The migration that takes the live database to the declared schema, checked on a
/// scratch copy; `Ok(None)` when there is nothing to change. Refused when the database
/// is not at head (the migration would be written against a schema older than its
/// parent's) and when a rename is likely and neither named nor allowed as a drop.
pub fn autogenerate(
    project: &Project,
    conn: &mut dyn Connection,
    options: &AutogenOptions,
) -> Result<Option<Generated>, Error> {
    let connected = conn.dialect();
    let dialects = match project.config.dialects.as_slice() {
        [] => vec![connected],
        listed if listed.contains(&connected) => listed.to_vec(),
        listed => {
            let names: Vec<&str> = listed.iter().map(|d| d.name()).collect();
            return Err(Error::Usage(format!(
                "`dialects` lists {} but the database is {connected}: list it too, so that the section that runs on it is written from it",
                names.join(", ")
            )));
        }
    };
    if !options.from_empty {
        ensure_at_head(project, conn)?;
    }
    let mut written = Vec::new();
    let mut report = None;
    for &dialect in &dialects {
        // Where this migration starts: the connected database itself, or, for another
        // dialect, what the migrations build on a scratch database of it. Its copy for
        // the self-check is made meanwhile, before anyone knows whether it is needed: the
        // declared schema's load takes as long, and the copy is what the next run keeps.
        let apart = scratch::roles_apart(dialect, &project.config);
        let ((live, copy), declared) = with_declared(project, dialect, || {
            let (live, replayed) = if options.from_empty {
                (Schema::new(dialect), None)
            } else if dialect == connected {
                (live_schema(project, &mut *conn)?, None)
            } else {
                let (scratch, live) = replay::migrated_schema(project, dialect)?;
                (live, Some(scratch))
            };
            let copy = match replayed {
                // Kept only while no other session waits for this database's lock.
                Some(scratch) if apart => {
                    Some(Ok(selfcheck::Copy::replayed(scratch, live.clone())))
                }
                Some(_) => None,
                None if apart => Some(selfcheck::prepare(project, &live)),
                None => None,
            };
            Ok((live, copy))
        })?;
        let up = schema::diff(&live, &declared, &options.renames);
        if !up.ignored_renames.is_empty() {
            let listed: Vec<String> = up.ignored_renames.iter().map(|r| r.to_string()).collect();
            return Err(Error::Usage(format!(
                "cannot rename {}: the old name must exist in the database and the new one only in the declared schema",
                listed.join("; ")
            )));
        }
        if !up.likely_renames.is_empty() && !options.allow_drop {
            return Err(Error::LikelyRenames(up.likely_renames.clone()));
        }
        if up.is_empty() {
            written.push((dialect, None));
            continue;
        }
        let down = schema::diff(&declared, &live, &options.renames.reversed());
        let rendered_up = render(&up, &live, &declared, dialect)?;
        let rendered_down = render(&down, &declared, &live, dialect)?;
        // A copy that failed to load is reported only now that a migration needs it.
        let copy = match copy {
            Some(copy) => copy?,
            None => selfcheck::prepare(project, &live)?,
        };
        selfcheck::run(project, copy, &declared, &rendered_up, &rendered_down)?;
        // Rows are counted where they are: in the connected database.
        let (destructive, needs_data) = if options.from_empty || dialect != connected {
            (Vec::new(), Vec::new())
        } else {
            (
                annotate::count_rows(conn, &up)?,
                annotate::needs_data(conn, &up)?,
            )
        };
        let sections = (
            annotate::section(&rendered_up, &destructive, &needs_data, dialect),
            annotate::section(&rendered_down, &[], &[], dialect),
        );
        if dialect == connected || report.is_none() {
            // The down section's notes stay in its own comments: the command reports what
            // the migration does going up, as the connected database sees it.
            report = Some(Generated {
                up: String::new(),
                down: String::new(),
                sections: Vec::new(),
                foreign_keys_off: false,
                outside_transaction: false,
                changes: up.changes.clone(),
                destructive,
                needs_data,
                rebuilt: rendered_up.rebuilt.clone(),
                notes: rendered_up.notes.clone(),
                unmanaged: live.unmanaged.clone(),
            });
        }
        let keys_off = rendered_up.foreign_keys_off || rendered_down.foreign_keys_off;
        let outside = rendered_up.outside_transaction || rendered_down.outside_transaction;
        written.push((dialect, Some((sections, (keys_off, outside)))));
    }
    let Some(mut generated) = report else {
        return Ok(None);
    };
    let any = |f: fn(&(bool, bool)) -> bool| {
        written
            .iter()
            .any(|(_, w)| w.as_ref().is_some_and(|(_, flags)| f(flags)))
    };
    generated.foreign_keys_off = any(|f| f.0);
    generated.outside_transaction = any(|f| f.1);
    if generated.foreign_keys_off && generated.outside_transaction {
        // One header for every section: a SQLite rebuild needs its transaction (to roll
        // back a failed key check), the PostgreSQL enum value needs none.
        return Err(Error::Usage(
            "this change needs a transaction on sqlite (a table rebuild) and none on postgresql (an enum value used where it is added): make it two migrations, the enum value first".into(),
        ));
    }
    if let [(_, Some(((up, down), _)))] = written.as_slice() {
        generated.up = up.clone();
        generated.down = down.clone();
    } else {
        // One section per dialect, so each database runs what was written for it.
        for (dialect, w) in written {
            let (up, down) = match w {
                Some(((up, down), _)) => (up, down),
                None => {
                    let same = format!("-- no change on {dialect}\n");
                    (same.clone(), same)
                }
            };
            generated.sections.push((dialect, up, down));
        }
    }
    Ok(Some(generated))
}

fn render(
    diff: &Diff,
    from: &Schema,
    to: &Schema,
    dialect: Dialect,
) -> Result<schema::Rendered, Error> {
    schema::render(diff, from, to, dialect).map_err(|e| match e {
        schema::RenderError::Inconsistent(reason) => {
            Error::SelfCheck(Box::new(crate::error::SelfCheckFailure {
                after_up: Vec::new(),
                after_down: Vec::new(),
                failed: Some(reason),
            }))
        }
        other => Error::Usage(other.to_string()),
    })
}

/// Refuses a database with revisions still to apply, naming them.
fn ensure_at_head(project: &Project, conn: &mut dyn Connection) -> Result<(), Error> {
    let mut migrator = crate::Migrator::new(project, conn);
    let state: DbState = migrator.state()?;
    state.ensure_consistent(project.migrations_dir())?;
    let pending: Vec<String> = (0..project.graph.len())
        .filter(|&i| !state.applied[i])
        .map(|i| project.graph.id(i).to_string())
        .collect();
    if pending.is_empty() {
        Ok(())
    } else {
        Err(Error::NotAtHead { pending })
    }
}

/// The statements that create `schema` from nothing, each ending in `;`: a live database's
/// schema as a file that loads with the database's own client and as a declared schema.
/// Objects retort does not manage are listed in comments, not written.
pub fn dump(schema: &Schema) -> Result<String, Error> {
    let empty = Schema::new(schema.dialect);
    let create = schema::diff(&empty, schema, &Renames::none());
    let rendered = render(&create, &empty, schema, schema.dialect)?;
    let mut out = String::new();
    for u in &schema.unmanaged {
        out.push_str(&format!(
            "-- not written (retort does not manage it): {} {}\n",
            u.kind,
            crate::script::comment_text(&u.name)
        ));
    }
    out.push_str(&script(&rendered, schema.dialect));
    Ok(out)
}

/// Rendered statements as a script for the database's own client: on SQLite, a rebuild
/// (or a foreign-key cycle) runs with enforcement off, as a migration marked
/// `foreign_keys: off` would.
fn script(rendered: &schema::Rendered, dialect: Dialect) -> String {
    let section = annotate::section(rendered, &[], &[], dialect);
    if rendered.foreign_keys_off && dialect == Dialect::Sqlite {
        format!("PRAGMA foreign_keys = OFF;\n{section}PRAGMA foreign_keys = ON;\n")
    } else {
        section
    }
}

/// The SQL that takes database `a` to database `b` (both of one dialect), each statement
/// ending in `;`; empty when they match. Both are read at the same time.
pub fn diff_databases(
    a: &mut dyn Connection,
    b: &mut dyn Connection,
    exclude: &[&str],
) -> Result<String, Error> {
    if a.dialect() != b.dialect() {
        return Err(Error::Usage(format!(
            "the two databases are {} and {}: a diff is written for one dialect",
            a.dialect(),
            b.dialect()
        )));
    }
    let (from, to) = std::thread::scope(|s| {
        let first = s.spawn(|| a.inspect(exclude));
        let second = b.inspect(exclude);
        let first = first
            .join()
            .unwrap_or_else(|_| Err(crate::db::DbError::new("reading the first schema failed")));
        (first, second)
    });
    let from = from.map_err(Error::db("reading the first database's schema"))?;
    let to = to.map_err(Error::db("reading the second database's schema"))?;
    let changes = schema::diff(&from, &to, &Renames::none());
    if changes.is_empty() {
        return Ok(String::new());
    }
    let rendered = render(&changes, &from, &to, from.dialect)?;
    Ok(script(&rendered, from.dialect))
}
