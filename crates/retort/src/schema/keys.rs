//! The keys foreign keys stand on: a database refuses to drop a primary key, unique
//! constraint or unique index while a foreign key uses it, so the diff drops and adds such
//! foreign keys around the change, and apply checks it.

use super::change::{Change, Constraint};
use super::model::{ForeignKey, Index, Schema, Table};

/// A kept foreign key that stands on a key being dropped (a primary key, unique
/// constraint or unique index changed or removed) is dropped before it and added again
/// after: databases refuse to drop a key a foreign key uses.
pub(super) fn rekey_foreign_keys(from: &Schema, changes: &mut Vec<Change>) {
    let mut dropped_keys: Vec<(String, Vec<String>)> = Vec::new();
    for change in changes.iter() {
        let (table, columns) = match change {
            Change::DropPrimaryKey { table, key } => (table, key.columns.clone()),
            Change::DropConstraint {
                table,
                constraint: Constraint::Unique(u),
            } => (table, u.columns.clone()),
            Change::DropIndex { table, index } => match index_key(index) {
                Some(columns) => (table, columns),
                None => continue,
            },
            _ => continue,
        };
        let mut columns = columns;
        columns.sort();
        dropped_keys.push((table.clone(), columns));
    }
    if dropped_keys.is_empty() {
        return;
    }
    let stands_on_dropped = |fk: &ForeignKey| {
        let mut columns = fk.references_columns.clone();
        columns.sort();
        dropped_keys
            .iter()
            .any(|(table, key)| *table == fk.references_table && *key == columns)
    };
    let mut rekeyed = Vec::new();
    for table in from.tables.values() {
        if changes.contains(&Change::DropTable(table.clone())) {
            continue;
        }
        // Identical keys may repeat: each copy the diff does not drop already is rekeyed.
        let mut seen: Vec<&ForeignKey> = Vec::new();
        for fk in table.foreign_keys.iter().filter(|fk| stands_on_dropped(fk)) {
            if seen.contains(&fk) {
                continue;
            }
            seen.push(fk);
            let copies = table.foreign_keys.iter().filter(|f| *f == fk).count();
            let old = Constraint::ForeignKey(fk.clone());
            let mut dropped = 0;
            let mut renamed_to = Vec::new();
            changes.retain(|change| match change {
                Change::DropConstraint {
                    table: t,
                    constraint,
                } if *t == table.name && *constraint == old => {
                    dropped += 1;
                    true
                }
                Change::RenameConstraint {
                    table: t,
                    constraint,
                    to,
                } if *t == table.name && *constraint == old => {
                    renamed_to.push(to.clone());
                    false
                }
                _ => true,
            });
            let mut renamed_to = renamed_to.into_iter();
            for _ in dropped..copies {
                let new = match renamed_to.next() {
                    Some(name) => old.renamed(name),
                    None => old.clone(),
                };
                rekeyed.push(Change::DropConstraint {
                    table: table.name.clone(),
                    constraint: old.clone(),
                });
                rekeyed.push(Change::AddConstraint {
                    table: table.name.clone(),
                    constraint: new,
                });
            }
        }
    }
    changes.extend(rekeyed);
}

/// No foreign key to `table` stood on the key of `dropped` columns that is gone: a
/// database refuses to drop the primary key, unique constraint or unique index a foreign
/// key uses (unless another key of the same columns remains).
pub(super) fn check_referenced_keys(
    schema: &Schema,
    table: &str,
    dropped: Vec<String>,
) -> Result<(), String> {
    let dropped = sorted(dropped);
    let Some(t) = schema.tables.get(table) else {
        return Ok(());
    };
    if key_column_sets(t).contains(&dropped) {
        return Ok(());
    }
    for other in schema.tables.values() {
        for fk in other
            .foreign_keys
            .iter()
            .filter(|fk| fk.references_table == table)
        {
            if sorted(fk.references_columns.clone()) == dropped {
                return Err(format!(
                    "a foreign key of {} still uses the key ({}) of {table}",
                    other.name,
                    fk.references_columns.join(", ")
                ));
            }
        }
    }
    Ok(())
}

fn sorted(mut columns: Vec<String>) -> Vec<String> {
    columns.sort();
    columns
}

/// The columns (sorted) of an index a foreign key can stand on: unique, on plain columns,
/// without a predicate.
pub(super) fn index_key(index: &Index) -> Option<Vec<String>> {
    let plain =
        index.unique && index.predicate.is_none() && index.parts.iter().all(|p| !p.expression);
    plain.then(|| sorted(index.parts.iter().map(|p| p.key.clone()).collect()))
}

/// The column sets (sorted) that a foreign key to `table` can stand on, as a database
/// matches them.
fn key_column_sets(table: &Table) -> Vec<Vec<String>> {
    let mut keys: Vec<Vec<String>> = Vec::new();
    if let Some(pk) = &table.primary_key {
        keys.push(sorted(pk.columns.clone()));
    }
    keys.extend(table.uniques.iter().map(|u| sorted(u.columns.clone())));
    keys.extend(table.indexes.iter().filter_map(index_key));
    keys
}
