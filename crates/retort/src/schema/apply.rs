//! A diff applied to the model itself, checking at each step what a database would check:
//! that what a change names exists, that what it creates does not, and that nothing still
//! uses what it drops. The diff uses it for renames, the tests to prove that a diff reaches
//! its target in an order a database accepts, and the autogenerate self-check can use it
//! before any SQL runs.

use std::collections::BTreeMap;
use std::fmt;

use super::change::{Change, Constraint, Diff, EnumPosition};
use super::keys::{check_referenced_keys, index_key};
use super::model::{Schema, Table};

/// Why a change cannot be applied at its place in the list: a bug in the diff or its
/// order, never the user's input.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApplyError {
    /// The change's position in the list.
    pub step: usize,
    pub reason: String,
}

impl fmt::Display for ApplyError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "change {}: {}", self.step + 1, self.reason)
    }
}

impl std::error::Error for ApplyError {}

/// `schema` with every change of `diff` applied in order.
pub fn apply(schema: &Schema, diff: &Diff) -> Result<Schema, ApplyError> {
    let mut out = schema.clone();
    for (step, change) in diff.changes.iter().enumerate() {
        apply_change(&mut out, change).map_err(|reason| ApplyError { step, reason })?;
    }
    Ok(out)
}

/// One change, checked; on error `schema` may be partly changed.
pub fn apply_change(schema: &mut Schema, change: &Change) -> Result<(), String> {
    match change {
        Change::RenameTable { from, to } => {
            if schema.tables.contains_key(to) {
                return Err(format!("table {to} already exists"));
            }
            let mut table = schema
                .tables
                .remove(from)
                .ok_or_else(|| format!("no table {from} to rename"))?;
            table.name.clone_from(to);
            schema.tables.insert(to.clone(), table);
            for table in schema.tables.values_mut() {
                for fk in &mut table.foreign_keys {
                    if fk.references_table == *from {
                        fk.references_table.clone_from(to);
                    }
                }
            }
        }
        Change::RenameColumn { table, from, to } => {
            let t = table_mut(schema, table)?;
            if t.column(to).is_some() {
                return Err(format!("column {table}.{to} already exists"));
            }
            let column = t
                .columns
                .iter_mut()
                .find(|c| c.name == *from)
                .ok_or_else(|| format!("no column {table}.{from} to rename"))?;
            column.name.clone_from(to);
            let rename = |name: &mut String| {
                if name == from {
                    name.clone_from(to);
                }
            };
            if let Some(pk) = &mut t.primary_key {
                pk.columns.iter_mut().for_each(rename);
            }
            for unique in &mut t.uniques {
                unique.columns.iter_mut().for_each(rename);
            }
            for index in &mut t.indexes {
                for part in index.parts.iter_mut().filter(|p| !p.expression) {
                    rename(&mut part.key);
                }
            }
            for fk in &mut t.foreign_keys {
                fk.columns.iter_mut().for_each(rename);
            }
            for other in schema.tables.values_mut() {
                for fk in &mut other.foreign_keys {
                    if fk.references_table == *table {
                        fk.references_columns.iter_mut().for_each(rename);
                    }
                }
            }
        }
        Change::RenameConstraint {
            table,
            constraint,
            to,
        } => {
            let t = table_mut(schema, table)?;
            let name = match constraint {
                Constraint::Unique(u) => {
                    t.uniques.iter_mut().find(|x| *x == u).map(|x| &mut x.name)
                }
                Constraint::ForeignKey(fk) => t
                    .foreign_keys
                    .iter_mut()
                    .find(|x| *x == fk)
                    .map(|x| &mut x.name),
                Constraint::Check(c) => t.checks.iter_mut().find(|x| *x == c).map(|x| &mut x.name),
            };
            *name.ok_or_else(|| format!("no such constraint on {table}: {constraint:?}"))? =
                to.clone();
        }
        Change::RenamePrimaryKey { table, key, to } => {
            let t = table_mut(schema, table)?;
            match &mut t.primary_key {
                Some(current) if current == key => current.name.clone_from(to),
                _ => {
                    return Err(format!(
                        "table {table} has no primary key {key:?} to rename"
                    ))
                }
            }
        }
        Change::DropView(view) => {
            drop_named(&mut schema.views, "view", &view.name)?;
        }
        Change::CreateView(view) => create(&mut schema.views, "view", &view.name, view)?,
        Change::ReplaceView { from, to } => {
            *existing(&mut schema.views, "view", &from.name, "replace")? = to.clone();
        }
        Change::CreateEnum(e) => create(&mut schema.enums, "type", &e.name, e)?,
        Change::DropEnum(e) => {
            if let Some((table, column)) = schema.tables.values().find_map(|t| {
                t.columns
                    .iter()
                    .find(|c| c.data_type == e.name)
                    .map(|c| (&t.name, &c.name))
            }) {
                return Err(format!("type {} still used by {table}.{column}", e.name));
            }
            drop_named(&mut schema.enums, "type", &e.name)?;
        }
        Change::AddEnumValue {
            name,
            value,
            position,
        } => {
            let e = existing(&mut schema.enums, "type", name, &format!("add {value} to"))?;
            if e.values.contains(value) {
                return Err(format!("type {name} already has {value}"));
            }
            let at = match position {
                EnumPosition::End => e.values.len(),
                EnumPosition::Before(anchor) | EnumPosition::After(anchor) => {
                    let i = e
                        .values
                        .iter()
                        .position(|v| v == anchor)
                        .ok_or_else(|| format!("type {name} has no value {anchor}"))?;
                    if matches!(position, EnumPosition::After(_)) {
                        i + 1
                    } else {
                        i
                    }
                }
            };
            e.values.insert(at, value.clone());
        }
        Change::RebuildEnum { from, to } => {
            *existing(&mut schema.enums, "type", &from.name, "rebuild")? = to.clone();
        }
        Change::CreateSequence(s) => create(&mut schema.sequences, "sequence", &s.name, s)?,
        Change::DropSequence(s) => {
            drop_named(&mut schema.sequences, "sequence", &s.name)?;
        }
        Change::AlterSequence { from, to } => {
            *existing(&mut schema.sequences, "sequence", &from.name, "alter")? = to.clone();
        }
        Change::CreateTable(table) => {
            if schema.tables.contains_key(&table.name) {
                return Err(format!("table {} already exists", table.name));
            }
            check_own_columns(table)?;
            for fk in &table.foreign_keys {
                let target = if fk.references_table == table.name {
                    Some(table)
                } else {
                    referenced(schema, &table.name, &fk.references_table)?
                };
                if let Some(target) = target {
                    check_columns(target, &fk.references_columns)?;
                }
            }
            schema.tables.insert(table.name.clone(), table.clone());
        }
        Change::DropTable(table) => {
            if let Some(user) = schema.tables.values().find(|t| {
                t.name != table.name
                    && t.foreign_keys
                        .iter()
                        .any(|fk| fk.references_table == table.name)
            }) {
                return Err(format!(
                    "table {} is still referenced by {}",
                    table.name, user.name
                ));
            }
            drop_named(&mut schema.tables, "table", &table.name)?;
        }
        Change::SetTableComment { table, to, .. } => {
            table_mut(schema, table)?.comment.clone_from(to);
        }
        Change::SetTableOptions { table, to, .. } => table_mut(schema, table)?.options = *to,
        Change::AddColumn { table, column } => {
            let t = table_mut(schema, table)?;
            if t.column(&column.name).is_some() {
                return Err(format!("column {table}.{} already exists", column.name));
            }
            t.columns.push(column.clone());
        }
        Change::DropColumn { table, column } => {
            let name = &column.name;
            if let Some(user) = column_user(schema, table, name) {
                return Err(format!("column {table}.{name} is still used by {user}"));
            }
            let t = table_mut(schema, table)?;
            let at = t
                .columns
                .iter()
                .position(|c| c.name == *name)
                .ok_or_else(|| format!("no column {table}.{name} to drop"))?;
            t.columns.remove(at);
        }
        Change::AlterColumn { table, from, to } => {
            if from.name != to.name {
                return Err(format!("{table}.{} altered into another name", from.name));
            }
            let t = table_mut(schema, table)?;
            let column = t
                .columns
                .iter_mut()
                .find(|c| c.name == from.name)
                .ok_or_else(|| format!("no column {table}.{} to alter", from.name))?;
            *column = to.clone();
        }
        Change::DropPrimaryKey { table, .. } => {
            let t = table_mut(schema, table)?;
            let key = t
                .primary_key
                .take()
                .ok_or_else(|| format!("table {table} has no primary key to drop"))?;
            check_referenced_keys(schema, table, key.columns)?;
        }
        Change::AddPrimaryKey { table, key } => {
            let t = table_mut(schema, table)?;
            if t.primary_key.is_some() {
                return Err(format!("table {table} already has a primary key"));
            }
            check_columns(t, &key.columns)?;
            t.primary_key = Some(key.clone());
        }
        Change::DropConstraint { table, constraint } => {
            remove_constraint(table_mut(schema, table)?, constraint)?;
            if let Constraint::Unique(u) = constraint {
                check_referenced_keys(schema, table, u.columns.clone())?;
            }
        }
        Change::AddConstraint { table, constraint } => {
            let t = table_mut(schema, table)?;
            match constraint {
                Constraint::Unique(u) => check_columns(t, &u.columns)?,
                Constraint::Check(_) => {}
                Constraint::ForeignKey(fk) => {
                    check_columns(t, &fk.columns)?;
                    if let Some(target) = referenced(schema, table, &fk.references_table)? {
                        check_columns(target, &fk.references_columns)?;
                    }
                }
            }
            push_constraint(table_mut(schema, table)?, constraint.clone());
        }
        Change::DropIndex { table, index } => {
            let t = table_mut(schema, table)?;
            let at = t
                .indexes
                .iter()
                .position(|i| i.name == index.name)
                .ok_or_else(|| format!("no index {} on {table} to drop", index.name))?;
            let index = t.indexes.remove(at);
            if let Some(columns) = index_key(&index) {
                check_referenced_keys(schema, table, columns)?;
            }
        }
        Change::CreateIndex { table, index } => {
            let t = table_mut(schema, table)?;
            if t.indexes.iter().any(|i| i.name == index.name) {
                return Err(format!("index {} already exists on {table}", index.name));
            }
            let columns: Vec<String> = index
                .parts
                .iter()
                .filter(|p| !p.expression)
                .map(|p| p.key.clone())
                .collect();
            check_columns(t, &columns)?;
            t.indexes.push(index.clone());
        }
    }
    Ok(())
}

/// Adds `value` under `name`, refusing a name already taken, as CREATE does.
fn create<T: Clone>(
    map: &mut BTreeMap<String, T>,
    kind: &str,
    name: &str,
    value: &T,
) -> Result<(), String> {
    if map.contains_key(name) {
        return Err(format!("{kind} {name} already exists"));
    }
    map.insert(name.to_string(), value.clone());
    Ok(())
}

/// Takes `name` out, refusing one that is not there, as DROP does.
fn drop_named<T>(map: &mut BTreeMap<String, T>, kind: &str, name: &str) -> Result<T, String> {
    map.remove(name)
        .ok_or_else(|| format!("no {kind} {name} to drop"))
}

/// The entry a change `verb`s, refusing one that is not there.
fn existing<'a, T>(
    map: &'a mut BTreeMap<String, T>,
    kind: &str,
    name: &str,
    verb: &str,
) -> Result<&'a mut T, String> {
    map.get_mut(name)
        .ok_or_else(|| format!("no {kind} {name} to {verb}"))
}

fn table_mut<'a>(schema: &'a mut Schema, name: &str) -> Result<&'a mut Table, String> {
    schema
        .tables
        .get_mut(name)
        .ok_or_else(|| format!("no table {name}"))
}

fn check_columns(table: &Table, columns: &[String]) -> Result<(), String> {
    match columns.iter().find(|c| table.column(c).is_none()) {
        Some(missing) => Err(format!("no column {}.{missing}", table.name)),
        None => Ok(()),
    }
}

/// Everything a new table names of itself exists in it.
fn check_own_columns(table: &Table) -> Result<(), String> {
    if let Some(pk) = &table.primary_key {
        check_columns(table, &pk.columns)?;
    }
    for unique in &table.uniques {
        check_columns(table, &unique.columns)?;
    }
    for fk in &table.foreign_keys {
        check_columns(table, &fk.columns)?;
    }
    for index in &table.indexes {
        let columns: Vec<String> = index
            .parts
            .iter()
            .filter(|p| !p.expression)
            .map(|p| p.key.clone())
            .collect();
        check_columns(table, &columns)?;
    }
    Ok(())
}

/// What still uses `table.column` (a key, an index, a foreign key here or elsewhere), as
/// words for the error.
fn column_user(schema: &Schema, table: &str, column: &str) -> Option<String> {
    let t = schema.tables.get(table)?;
    let has = |columns: &[String]| columns.iter().any(|c| c == column);
    if t.primary_key.as_ref().is_some_and(|pk| has(&pk.columns)) {
        return Some("the primary key".to_string());
    }
    if t.uniques.iter().any(|u| has(&u.columns)) {
        return Some("a unique constraint".to_string());
    }
    if let Some(index) = t
        .indexes
        .iter()
        .find(|i| i.parts.iter().any(|p| !p.expression && p.key == column))
    {
        return Some(format!("index {}", index.name));
    }
    if t.foreign_keys.iter().any(|fk| has(&fk.columns)) {
        return Some("a foreign key".to_string());
    }
    schema.tables.values().find_map(|other| {
        other
            .foreign_keys
            .iter()
            .any(|fk| fk.references_table == table && has(&fk.references_columns))
            .then(|| format!("a foreign key of {}", other.name))
    })
}

fn remove_constraint(table: &mut Table, constraint: &Constraint) -> Result<(), String> {
    let found = match constraint {
        Constraint::Unique(u) => remove_first(&mut table.uniques, u),
        Constraint::ForeignKey(fk) => remove_first(&mut table.foreign_keys, fk),
        Constraint::Check(c) => remove_first(&mut table.checks, c),
    };
    if found {
        Ok(())
    } else {
        Err(format!(
            "no such constraint on {}: {constraint:?}",
            table.name
        ))
    }
}

fn remove_first<T: PartialEq>(items: &mut Vec<T>, item: &T) -> bool {
    match items.iter().position(|i| i == item) {
        Some(at) => {
            items.remove(at);
            true
        }
        None => false,
    }
}

fn push_constraint(table: &mut Table, constraint: Constraint) {
    match constraint {
        Constraint::Unique(u) => table.uniques.push(u),
        Constraint::ForeignKey(fk) => table.foreign_keys.push(fk),
        Constraint::Check(c) => table.checks.push(c),
    }
}

/// The table a foreign key of `table` references: one of the schema's, or `None` for one
/// in another schema (or MySQL database), which introspection names `schema.table` and
/// nothing here compares.
fn referenced<'s>(
    schema: &'s Schema,
    table: &str,
    name: &str,
) -> Result<Option<&'s Table>, String> {
    match schema.tables.get(name) {
        Some(t) => Ok(Some(t)),
        None if name.contains('.') => Ok(None),
        None => Err(format!("{table} references {name}, which does not exist")),
    }
}
