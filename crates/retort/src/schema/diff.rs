//! The comparison of two schemas: which objects to create, drop, alter or rename. Tables,
//! columns, views, types, sequences and indexes are matched by name; unique constraints,
//! checks and foreign keys by definition, since names a database generates are not what
//! the user declared. `order.rs` then puts the changes in an order a database accepts.

use std::collections::BTreeMap;

use super::apply::apply_change;
use super::change::{Change, Constraint, Diff, EnumPosition};
use super::keys::rekey_foreign_keys;
use super::model::{EnumType, PrimaryKey, Schema, Table};
use super::order::order;
use super::renames::{likely_renames, rename_change};
use super::renames::{Rename, Renames};

/// The changes that take `from` to `to`. Tables and columns are renamed only where
/// `renames` says so; a dropped and an added one of the same definition is listed in
/// [`Diff::likely_renames`], never guessed. `diff(to, from, &renames.reversed())` is the
/// way back (the down section). Both schemas are of one dialect; column order and the
/// unmanaged objects are not compared.
pub fn diff(from: &Schema, to: &Schema, renames: &Renames) -> Diff {
    let mut out = Diff::default();
    let mut renamed = from.clone();
    // Tables first, so that a column's table is found under either name.
    let tables = renames
        .list
        .iter()
        .filter(|r| matches!(r, Rename::Table { .. }));
    let columns = renames
        .list
        .iter()
        .filter(|r| matches!(r, Rename::Column { .. }));
    for rename in tables.chain(columns) {
        match rename_change(&renamed, to, rename, &out.changes) {
            Some(change) if apply_change(&mut renamed, &change).is_ok() => out.changes.push(change),
            _ => out.ignored_renames.push(rename.clone()),
        }
    }

    let mut changes = Vec::new();
    by_name(&renamed.enums, &to.enums, &mut changes, |a, b, changes| {
        compare_enum(a, b, changes)
    });
    by_name(
        &renamed.sequences,
        &to.sequences,
        &mut changes,
        |a, b, changes| {
            if a != b {
                changes.push(Change::AlterSequence {
                    from: a.clone(),
                    to: b.clone(),
                });
            }
        },
    );
    by_name(&renamed.views, &to.views, &mut changes, |a, b, changes| {
        if a != b {
            changes.push(Change::ReplaceView {
                from: a.clone(),
                to: b.clone(),
            });
        }
    });
    by_name(&renamed.tables, &to.tables, &mut changes, compare_table);
    rekey_foreign_keys(&renamed, &mut changes);

    out.likely_renames = likely_renames(&changes);
    out.changes.extend(order(changes));
    out
}

/// Objects of one kind matched by name: drops, creates, and `compare` on the pairs.
fn by_name<T: Creatable>(
    from: &BTreeMap<String, T>,
    to: &BTreeMap<String, T>,
    changes: &mut Vec<Change>,
    mut compare: impl FnMut(&T, &T, &mut Vec<Change>),
) {
    for (name, a) in from {
        match to.get(name) {
            Some(b) => compare(a, b, changes),
            None => changes.push(a.drop_change()),
        }
    }
    for (name, b) in to {
        if !from.contains_key(name) {
            changes.push(b.create_change());
        }
    }
}

/// The objects a schema holds by name.
trait Creatable {
    fn create_change(&self) -> Change;
    fn drop_change(&self) -> Change;
}

macro_rules! creatable {
    ($type:ty, $create:ident, $drop:ident) => {
        impl Creatable for $type {
            fn create_change(&self) -> Change {
                Change::$create(self.clone())
            }
            fn drop_change(&self) -> Change {
                Change::$drop(self.clone())
            }
        }
    };
}

creatable!(Table, CreateTable, DropTable);
creatable!(super::model::View, CreateView, DropView);
creatable!(EnumType, CreateEnum, DropEnum);
creatable!(super::model::Sequence, CreateSequence, DropSequence);

/// Added values in place when the old values keep their order; otherwise a rebuild.
fn compare_enum(a: &EnumType, b: &EnumType, changes: &mut Vec<Change>) {
    if a == b {
        return;
    }
    let mut old = a.values.iter();
    let mut next_old = old.next();
    let mut kept_in_order = true;
    for value in &b.values {
        if Some(value) == next_old {
            next_old = old.next();
        } else if a.values.contains(value) {
            kept_in_order = false;
        }
    }
    if !kept_in_order || next_old.is_some() {
        changes.push(Change::RebuildEnum {
            from: a.clone(),
            to: b.clone(),
        });
        return;
    }
    let first_old = b.values.iter().find(|v| a.values.contains(v));
    for (i, value) in b.values.iter().enumerate() {
        if a.values.contains(value) {
            continue;
        }
        let position = match (i.checked_sub(1).map(|p| &b.values[p]), first_old) {
            (Some(previous), _) => EnumPosition::After(previous.clone()),
            (None, Some(first)) => EnumPosition::Before(first.clone()),
            (None, None) => EnumPosition::End,
        };
        changes.push(Change::AddEnumValue {
            name: b.name.clone(),
            value: value.clone(),
            position,
        });
    }
}

fn compare_table(a: &Table, b: &Table, changes: &mut Vec<Change>) {
    let table = &b.name;
    if a.comment != b.comment {
        changes.push(Change::SetTableComment {
            table: table.clone(),
            from: a.comment.clone(),
            to: b.comment.clone(),
        });
    }
    if a.options != b.options {
        changes.push(Change::SetTableOptions {
            table: table.clone(),
            from: a.options,
            to: b.options,
        });
    }
    for column in &a.columns {
        match b.column(&column.name) {
            None => changes.push(Change::DropColumn {
                table: table.clone(),
                column: column.clone(),
            }),
            Some(new) if new != column => changes.push(Change::AlterColumn {
                table: table.clone(),
                from: column.clone(),
                to: new.clone(),
            }),
            Some(_) => {}
        }
    }
    for column in &b.columns {
        if a.column(&column.name).is_none() {
            changes.push(Change::AddColumn {
                table: table.clone(),
                column: column.clone(),
            });
        }
    }
    match (&a.primary_key, &b.primary_key) {
        (Some(old), Some(new)) if old.columns == new.columns && old.name != new.name => {
            changes.push(Change::RenamePrimaryKey {
                table: table.clone(),
                key: old.clone(),
                to: new.name.clone(),
            });
        }
        (old, new) if old != new => compare_primary_keys(table, old, new, changes),
        _ => {}
    }
    compare_constraints(table, &constraints(a), &constraints(b), changes);

    for index in &a.indexes {
        match b.indexes.iter().find(|i| i.name == index.name) {
            Some(new) if new == index => {}
            new => {
                changes.push(Change::DropIndex {
                    table: table.clone(),
                    index: index.clone(),
                });
                if let Some(new) = new {
                    changes.push(Change::CreateIndex {
                        table: table.clone(),
                        index: new.clone(),
                    });
                }
            }
        }
    }
    for index in &b.indexes {
        if !a.indexes.iter().any(|i| i.name == index.name) {
            changes.push(Change::CreateIndex {
                table: table.clone(),
                index: index.clone(),
            });
        }
    }
}

/// Another key (other columns, or one key missing): the old one is dropped, the new one
/// added, and foreign keys standing on the old one follow (`keys.rs`).
fn compare_primary_keys(
    table: &str,
    old: &Option<PrimaryKey>,
    new: &Option<PrimaryKey>,
    changes: &mut Vec<Change>,
) {
    if let Some(key) = old {
        changes.push(Change::DropPrimaryKey {
            table: table.to_string(),
            key: key.clone(),
        });
    }
    if let Some(key) = new {
        changes.push(Change::AddPrimaryKey {
            table: table.to_string(),
            key: key.clone(),
        });
    }
}

fn constraints(table: &Table) -> Vec<Constraint> {
    let uniques = table.uniques.iter().cloned().map(Constraint::Unique);
    let fks = table
        .foreign_keys
        .iter()
        .cloned()
        .map(Constraint::ForeignKey);
    let checks = table.checks.iter().cloned().map(Constraint::Check);
    uniques.chain(fks).chain(checks).collect()
}

/// Pairs equal constraints first, then the same definition under another name (a rename:
/// later migrations address constraints by name, so the database must carry the declared
/// one); the rest is dropped or added.
fn compare_constraints(table: &str, a: &[Constraint], b: &[Constraint], changes: &mut Vec<Change>) {
    let mut a_used = vec![false; a.len()];
    let mut b_used = vec![false; b.len()];
    for (j, new) in b.iter().enumerate() {
        if let Some(i) = (0..a.len()).find(|&i| !a_used[i] && a[i] == *new) {
            a_used[i] = true;
            b_used[j] = true;
        }
    }
    for (j, new) in b.iter().enumerate() {
        if b_used[j] {
            continue;
        }
        if let Some(i) = (0..a.len()).find(|&i| !a_used[i] && a[i].same_definition(new)) {
            a_used[i] = true;
            b_used[j] = true;
            changes.push(Change::RenameConstraint {
                table: table.to_string(),
                constraint: a[i].clone(),
                to: new.name().map(str::to_string),
            });
        }
    }
    for (old, _) in a.iter().zip(&a_used).filter(|(_, used)| !**used) {
        changes.push(Change::DropConstraint {
            table: table.to_string(),
            constraint: old.clone(),
        });
    }
    for (new, _) in b.iter().zip(&b_used).filter(|(_, used)| !**used) {
        changes.push(Change::AddConstraint {
            table: table.to_string(),
            constraint: new.clone(),
        });
    }
}
