//! The order a database accepts: nothing is created before what it names exists, nothing
//! is dropped while something still uses it. By phases:
//!
//!  0. renames (tables, columns, constraints), so every later change uses the new names
//!  1. drop views (the model does not know what a view uses: drop them first…)
//!  2. drop foreign keys, and those that tie dropped tables into a cycle; then drop tables
//!     (referencing before referenced), whose keys may stand on the keys dropped next
//!  3. drop indexes, unique and check constraints, primary keys
//!  4. drop columns
//!  5. create types (enums and their new values, rebuilds) and sequences
//!  6. create tables (referenced before referencing), add columns
//!  7. alter columns, table comments
//!  8. drop types and sequences, now that no column uses them
//!  9. add primary keys, unique and check constraints, indexes
//! 10. add foreign keys: those closing a cycle among new tables, and those from a new
//!     table to an existing one (whose referenced key may be added in phase 9)
//! 11. create views (…and create them last)

use std::collections::{BTreeMap, BTreeSet};

use super::change::{Change, Constraint};
use super::model::{ForeignKey, Table};

/// `changes` (as the comparison found them, renames excepted) in dependency order. A
/// changed view is replaced in place only when no table changes shape; otherwise it is
/// dropped first and created last, since what it uses is unknown.
pub fn order(changes: Vec<Change>) -> Vec<Change> {
    let reshapes = changes.iter().any(|c| {
        matches!(
            c,
            Change::DropTable(_)
                | Change::DropColumn { .. }
                | Change::AlterColumn { .. }
                | Change::RenameTable { .. }
                | Change::RenameColumn { .. }
                | Change::RebuildEnum { .. }
        )
    });
    let mut phases: BTreeMap<u8, Vec<Change>> = BTreeMap::new();
    let mut created = Vec::new();
    let mut dropped = Vec::new();
    for change in changes {
        match change {
            Change::CreateTable(table) => created.push(table),
            Change::DropTable(table) => dropped.push(table),
            Change::ReplaceView { from, to } if reshapes => {
                phases.entry(1).or_default().push(Change::DropView(from));
                phases.entry(11).or_default().push(Change::CreateView(to));
            }
            change => phases.entry(phase(&change)).or_default().push(change),
        }
    }

    let (drop_order, cut) = fk_order(dropped, false);
    let mut drops: Vec<Change> = cut
        .into_iter()
        .map(|(table, fk)| Change::DropConstraint {
            table,
            constraint: Constraint::ForeignKey(fk),
        })
        .collect();
    drops.extend(phases.remove(&2).unwrap_or_default());
    drops.extend(drop_order.into_iter().rev().map(Change::DropTable));
    phases.insert(2, drops);

    let (create_order, cut) = fk_order(created, true);
    let mut tables: Vec<Change> = create_order.into_iter().map(Change::CreateTable).collect();
    tables.extend(phases.remove(&6).unwrap_or_default());
    phases.insert(6, tables);
    let mut fks: Vec<Change> = cut
        .into_iter()
        .map(|(table, fk)| Change::AddConstraint {
            table,
            constraint: Constraint::ForeignKey(fk),
        })
        .collect();
    fks.extend(phases.remove(&10).unwrap_or_default());
    phases.insert(10, fks);

    phases.into_values().flatten().collect()
}

fn phase(change: &Change) -> u8 {
    let is_fk = |c: &Constraint| matches!(c, Constraint::ForeignKey(_));
    match change {
        Change::RenameTable { .. } | Change::RenameColumn { .. } => 0,
        Change::RenameConstraint { .. } | Change::RenamePrimaryKey { .. } => 0,
        Change::DropView(_) => 1,
        Change::DropConstraint { constraint, .. } if is_fk(constraint) => 2,
        Change::DropIndex { .. } | Change::DropConstraint { .. } => 3,
        Change::DropPrimaryKey { .. } => 3,
        Change::DropTable(_) => 2,
        Change::DropColumn { .. } => 4,
        Change::CreateEnum(_) | Change::AddEnumValue { .. } | Change::RebuildEnum { .. } => 5,
        Change::CreateSequence(_) | Change::AlterSequence { .. } => 5,
        Change::CreateTable(_) | Change::AddColumn { .. } => 6,
        Change::AlterColumn { .. } | Change::SetTableComment { .. } => 7,
        Change::SetTableOptions { .. } => 7,
        Change::DropEnum(_) | Change::DropSequence(_) => 8,
        Change::AddConstraint { constraint, .. } if is_fk(constraint) => 10,
        Change::AddPrimaryKey { .. } | Change::AddConstraint { .. } => 9,
        Change::CreateIndex { .. } => 9,
        Change::CreateView(_) | Change::ReplaceView { .. } => 11,
    }
}

/// `tables` with referenced tables before the tables that reference them, and the foreign
/// keys taken out of them to make that possible: those closing a cycle, and with
/// `cut_outside` those to a table outside `tables` (which a new table adds once everything
/// else exists; a dropped table's go with it). A table
/// referencing itself keeps that key. Deterministic: ties go by name.
fn fk_order(tables: Vec<Table>, cut_outside: bool) -> (Vec<Table>, Vec<(String, ForeignKey)>) {
    let mut cut = Vec::new();
    let mut pending: BTreeMap<String, Table> =
        tables.into_iter().map(|t| (t.name.clone(), t)).collect();
    let names: BTreeSet<String> = pending.keys().cloned().collect();
    for table in pending.values_mut().filter(|_| cut_outside) {
        let (outside, kept): (Vec<ForeignKey>, Vec<ForeignKey>) =
            std::mem::take(&mut table.foreign_keys)
                .into_iter()
                .partition(|fk| {
                    fk.references_table != table.name && !names.contains(&fk.references_table)
                });
        table.foreign_keys = kept;
        cut.extend(outside.into_iter().map(|fk| (table.name.clone(), fk)));
    }

    let mut ordered = Vec::with_capacity(pending.len());
    while !pending.is_empty() {
        let ready = pending
            .values()
            .find(|t| {
                t.foreign_keys.iter().all(|fk| {
                    fk.references_table == t.name || !pending.contains_key(&fk.references_table)
                })
            })
            .map(|t| t.name.clone());
        let name = match ready {
            Some(name) => name,
            None => {
                // A cycle: the first table by name gives up its keys to pending tables.
                let Some(mut table) = pending.pop_first().map(|(_, t)| t) else {
                    break;
                };
                let (cycle, kept): (Vec<ForeignKey>, Vec<ForeignKey>) =
                    std::mem::take(&mut table.foreign_keys)
                        .into_iter()
                        .partition(|fk| {
                            fk.references_table != table.name
                                && pending.contains_key(&fk.references_table)
                        });
                table.foreign_keys = kept;
                cut.extend(cycle.into_iter().map(|fk| (table.name.clone(), fk)));
                let name = table.name.clone();
                pending.insert(name.clone(), table);
                name
            }
        };
        if let Some(table) = pending.remove(&name) {
            ordered.push(table);
        }
    }
    (ordered, cut)
}
