//! A diff as SQLite statements. `ALTER TABLE` does what SQLite lets it do (renames, most
//! added columns, dropped columns nothing else uses); every other change to a table is
//! made by rebuilding it the way SQLite documents: the target definition created under a
//! scratch name, the rows of the columns that survive copied, the old table dropped, the
//! new one renamed, its indexes created again. Rebuilds come last, all of them, with the
//! views dropped around them (SQLite checks views when a table is renamed), so that a
//! table is rebuilt once whatever the number of its changes.

use std::collections::{BTreeMap, BTreeSet};

use super::sqlite_ddl::{create_index, create_table, create_view, drop_view, is_constant, q};
use super::{RenderError, Rendered};
use crate::dialect::Dialect;
use crate::schema::apply::apply_change;
use crate::schema::change::{Change, ColumnChanges, Constraint, Diff};
use crate::schema::model::{Column, ForeignKey, Schema, Table};

/// The prefix of a table being rebuilt, while both copies exist.
const SCRATCH: &str = "_retort_new_";

pub(super) fn render(diff: &Diff, from: &Schema, to: &Schema) -> Result<Rendered, RenderError> {
    let Plan {
        created,
        rebuilt,
        unkeyed,
        inline,
    } = plan(diff, from)?;
    let mut out = Rendered {
        foreign_keys_off: !rebuilt.is_empty() || unkeyed,
        rebuilt: rebuilt.iter().cloned().collect(),
        ..Rendered::default()
    };
    let target = |name: &str| {
        to.tables
            .get(name)
            .ok_or_else(|| RenderError::Inconsistent(format!("table {name} is not in the target")))
    };
    let touched = |name: &str| created.contains(name) || rebuilt.contains(name);
    // Views as they stand while the statements run, to drop around the rebuilds.
    let mut views: BTreeSet<String> = from.views.keys().cloned().collect();
    let statements = &mut out.statements;
    for change in &diff.changes {
        match change {
            Change::RenameTable { from, to } => {
                statements.push(format!("ALTER TABLE {} RENAME TO {}", q(from), q(to)));
            }
            Change::RenameColumn { table, from, to } => statements.push(format!(
                "ALTER TABLE {} RENAME COLUMN {} TO {}",
                q(table),
                q(from),
                q(to)
            )),
            Change::DropView(view) => {
                views.remove(&view.name);
                statements.push(drop_view(&view.name));
            }
            Change::CreateView(view) if rebuilt.is_empty() => {
                views.insert(view.name.clone());
                statements.push(create_view(view));
            }
            Change::ReplaceView { from, to } => {
                views.remove(&from.name);
                statements.push(drop_view(&from.name));
                if rebuilt.is_empty() {
                    views.insert(to.name.clone());
                    statements.push(create_view(to));
                }
            }
            // Created with every view after the rebuilds.
            Change::CreateView(_) => {}
            Change::CreateTable(table) => {
                let table = target(&table.name)?;
                statements.push(create_table(&table.name, table));
                for index in &table.indexes {
                    statements.push(create_index(&table.name, index));
                }
            }
            Change::DropTable(table) => statements.push(format!("DROP TABLE {}", q(&table.name))),
            Change::AddColumn { table, column } if !touched(table) => {
                let reference = inline
                    .get(&(table.clone(), column.name.clone()))
                    .map(|fk| format!(" {}", super::sqlite_ddl::column_reference(fk)))
                    .unwrap_or_default();
                statements.push(format!(
                    "ALTER TABLE {} ADD COLUMN {}{reference}",
                    q(table),
                    super::sqlite_ddl::column(column, false)
                ));
            }
            Change::DropColumn { table, column } if !touched(table) => statements.push(format!(
                "ALTER TABLE {} DROP COLUMN {}",
                q(table),
                q(&column.name)
            )),
            // Dropped before anything else is created: index names are the schema's.
            Change::DropIndex { index, .. } => {
                statements.push(format!("DROP INDEX {}", q(&index.name)));
            }
            Change::CreateIndex { table, index } if !touched(table) => {
                statements.push(create_index(table, index));
            }
            Change::SetTableComment { table, .. } => out.notes.push(format!(
                "SQLite keeps no comments: the comment of {table} is not written"
            )),
            Change::AlterColumn { table, from, to }
                if !touched(table) && ColumnChanges::between(from, to).comment =>
            {
                out.notes.push(format!(
                    "SQLite keeps no comments: the comment of {table}.{} is not written",
                    to.name
                ));
            }
            // The rest changes a table that is created whole or rebuilt (see `plan`).
            _ => {}
        }
    }

    if !rebuilt.is_empty() {
        for view in &views {
            out.statements.push(drop_view(view));
        }
        for name in &rebuilt {
            let new = target(name)?;
            rebuild(
                &mut out.statements,
                name,
                new,
                &old_columns(diff, from, name),
            );
        }
        for view in to.views.values() {
            out.statements.push(create_view(view));
        }
        if from.unmanaged.iter().any(|u| u.kind == "trigger") {
            out.notes.push(
                "triggers on a rebuilt table are dropped with it and not written again".to_string(),
            );
        }
    }
    Ok(out)
}

/// The tables a diff creates, those it must rebuild (by their names in the target), and
/// whether a foreign key between tables it drops stays until they are gone (SQLite cannot
/// drop it first, and enforcement would check the rows each drop deletes).
/// How each table is changed: created whole, rebuilt, or altered in place.
struct Plan {
    created: BTreeSet<String>,
    rebuilt: BTreeSet<String>,
    /// A table with keys is dropped: enforcement must be off around it.
    unkeyed: bool,
    /// One-column foreign keys on columns the diff adds: written on the column by
    /// `ADD COLUMN` (SQLite takes a REFERENCES clause there when the default is NULL), so
    /// adding a nullable key column rebuilds nothing. By (table, column).
    inline: BTreeMap<(String, String), ForeignKey>,
}

fn plan(diff: &Diff, from: &Schema) -> Result<Plan, RenderError> {
    let mut created = BTreeSet::new();
    let mut rebuilt = BTreeSet::new();
    let mut inline = BTreeMap::new();
    // Columns this diff adds with ADD COLUMN and a NULL default.
    let mut added_null = BTreeSet::new();
    let mut state = from.clone();
    for (step, change) in diff.changes.iter().enumerate() {
        let table_of = |name: &str| state.tables.get(name);
        let rebuild = match change {
            Change::AddColumn { table, column } if can_add(column) && column.default.is_none() => {
                added_null.insert((table.clone(), column.name.clone()));
                None
            }
            Change::AddConstraint {
                table,
                constraint: Constraint::ForeignKey(fk),
            } if fk.columns.len() == 1
                && added_null.contains(&(table.clone(), fk.columns[0].clone()))
                && !inline.contains_key(&(table.clone(), fk.columns[0].clone())) =>
            {
                inline.insert((table.clone(), fk.columns[0].clone()), fk.clone());
                None
            }
            Change::CreateTable(table) => {
                created.insert(table.name.clone());
                None
            }
            Change::AddColumn { table, column } => (!can_add(column)).then_some(table),
            Change::DropColumn { table, column } => table_of(table)
                .filter(|t| !can_drop(&state, t, column))
                .map(|_| table),
            Change::AlterColumn { table, from, to } => {
                let c = ColumnChanges::between(from, to);
                let only_comment = ColumnChanges {
                    comment: false,
                    ..c
                } == ColumnChanges::default();
                (!only_comment).then_some(table)
            }
            Change::RenameConstraint { table, .. }
            | Change::SetTableOptions { table, .. }
            | Change::RenamePrimaryKey { table, .. }
            | Change::DropPrimaryKey { table, .. }
            | Change::AddPrimaryKey { table, .. }
            | Change::DropConstraint { table, .. }
            | Change::AddConstraint { table, .. } => Some(table),
            Change::CreateEnum(_)
            | Change::DropEnum(_)
            | Change::AddEnumValue { .. }
            | Change::RebuildEnum { .. } => return Err(unsupported("enum types")),
            Change::CreateSequence(_) | Change::DropSequence(_) | Change::AlterSequence { .. } => {
                return Err(unsupported("sequences"))
            }
            _ => None,
        };
        if let Some(table) = rebuild.filter(|t| !created.contains(*t)) {
            rebuilt.insert(table.clone());
        }
        apply_change(&mut state, change).map_err(|reason| {
            RenderError::Inconsistent(format!("change {}: {reason}", step + 1))
        })?;
    }
    // A table dropped later needs no rebuild; its keys go with it.
    let unkeyed = rebuilt.iter().any(|t| !state.tables.contains_key(t));
    rebuilt.retain(|t| state.tables.contains_key(t));
    // A rebuilt table is written whole, keys included.
    inline.retain(|(table, _), _| !rebuilt.contains(table) && !created.contains(table));
    Ok(Plan {
        created,
        rebuilt,
        unkeyed,
        inline,
    })
}

fn unsupported(what: &str) -> RenderError {
    RenderError::Unsupported {
        dialect: Dialect::Sqlite,
        what: what.to_string(),
    }
}

/// What `ALTER TABLE … ADD COLUMN` accepts: no key, no auto-numbering, not a stored
/// generated column, and a default that is constant (non-NULL when the column is NOT NULL).
fn can_add(column: &Column) -> bool {
    if column.identity.is_some() || column.generated.as_ref().is_some_and(|g| g.stored) {
        return false;
    }
    if column.generated.is_some() {
        return column.nullable;
    }
    match &column.default {
        Some(d) => (column.nullable || !d.eq_ignore_ascii_case("null")) && is_constant(d),
        None => column.nullable,
    }
}

/// What `ALTER TABLE … DROP COLUMN` accepts, erring towards a rebuild: the column is in no
/// key, constraint, index, generated column or view, by name, and no table references it.
fn can_drop(schema: &Schema, table: &Table, column: &Column) -> bool {
    let name = column.name.as_str();
    let named = |columns: &[String]| columns.iter().any(|c| c.eq_ignore_ascii_case(name));
    if column.generated.is_some()
        || table
            .primary_key
            .as_ref()
            .is_some_and(|k| named(&k.columns))
        || table.uniques.iter().any(|u| named(&u.columns))
        || table.foreign_keys.iter().any(|f| named(&f.columns))
        || table.checks.iter().any(|c| mentions(&c.expression, name))
        || table.columns.iter().any(|c| {
            c.generated
                .as_ref()
                .is_some_and(|g| mentions(&g.expression, name))
        })
        || table.indexes.iter().any(|i| {
            i.parts.iter().any(|p| mentions(&p.key, name))
                || i.predicate.as_ref().is_some_and(|w| mentions(w, name))
        })
        || schema.views.values().any(|v| mentions(&v.definition, name))
    {
        return false;
    }
    !schema.tables.values().any(|t| {
        t.foreign_keys.iter().any(|f| {
            f.references_table.eq_ignore_ascii_case(&table.name) && named(&f.references_columns)
        })
    })
}

/// Whether `name` occurs in `text` as a word (quoted or not), ignoring ASCII case.
pub(super) fn mentions(text: &str, name: &str) -> bool {
    text.split(|c: char| !(c.is_alphanumeric() || c == '_' || c == '$' || !c.is_ascii()))
        .any(|w| w.eq_ignore_ascii_case(name))
        || name.contains(|c: char| !(c.is_alphanumeric() || c == '_'))
}

/// The columns table `name` (its name in the target) has when the rebuilds start: those
/// of the first schema's table, under the names the diff's renames give them.
fn old_columns(diff: &Diff, from: &Schema, name: &str) -> Vec<String> {
    let mut original = name.to_string();
    for change in diff.changes.iter().rev() {
        if let Change::RenameTable { from, to } = change {
            if *to == original {
                original.clone_from(from);
            }
        }
    }
    let mut columns: Vec<String> = from
        .tables
        .get(&original)
        .map(|t| t.columns.iter().map(|c| c.name.clone()).collect())
        .unwrap_or_default();
    for change in &diff.changes {
        if let Change::RenameColumn { table, from, to } = change {
            if table == name {
                for c in columns.iter_mut().filter(|c| *c == from) {
                    c.clone_from(to);
                }
            }
        }
    }
    columns
}

/// SQLite's way: the new definition under a scratch name, the surviving columns' rows
/// copied (a generated column is computed, never copied), the old table dropped, the new
/// one renamed into place and its indexes created.
fn rebuild(statements: &mut Vec<String>, name: &str, table: &Table, old: &[String]) {
    let scratch = format!("{SCRATCH}{name}");
    statements.push(format!(
        "-- rebuild of {name}: SQLite cannot make this change in place\n{}",
        create_table(&scratch, table)
    ));
    let kept: Vec<String> = table
        .columns
        .iter()
        .filter(|c| c.generated.is_none() && old.contains(&c.name))
        .map(|c| q(&c.name))
        .collect();
    if !kept.is_empty() {
        let kept = kept.join(", ");
        statements.push(format!(
            "INSERT INTO {} ({kept}) SELECT {kept} FROM {}",
            q(&scratch),
            q(name)
        ));
    }
    statements.push(format!("DROP TABLE {}", q(name)));
    statements.push(format!("ALTER TABLE {} RENAME TO {}", q(&scratch), q(name)));
    for index in &table.indexes {
        statements.push(create_index(name, index));
    }
}
