//! A diff as MySQL/MariaDB statements.
//!
//! Every change to an existing table's columns, keys (but foreign keys), indexes, checks and
//! comment is one clause of a single `ALTER TABLE` per table, placed where the diff's first
//! such change of the table stands. MySQL checks an ALTER TABLE as a whole, so clauses that
//! only work together do: dropping the index a foreign key stands on while adding the one
//! that replaces it, dropping a primary key with the AUTO_INCREMENT of its column, adding a
//! column with its key. Foreign keys are added and dropped by statements of their own, in
//! the diff's order (drops before any table changes, adds after all of them), since they
//! tie tables together.
//!
//! Names the server made up are not in the model (introspection reads them as `None`): a
//! foreign key or check without a name is created without one, and dropped by a statement
//! that looks its name up in `information_schema` by definition and runs the drop as a
//! prepared statement (see `ddl::drop_unnamed_foreign_key`).
//!
//! `MODIFY COLUMN` restates the whole target column. ENUM and SET changes are such
//! modifications; one that removes or reorders values copies the table, and rows holding a
//! removed value fail or are emptied depending on `sql_mode`: a note says so.

use std::collections::{BTreeMap, BTreeSet};

mod ddl;
#[cfg(all(test, feature = "mysql"))]
mod proptests;
#[cfg(test)]
mod statements;
#[cfg(all(test, feature = "mysql"))]
mod tests;

use super::{RenderError, Rendered};
use crate::dialect::Dialect;
use crate::schema::apply::apply_change;
use crate::schema::change::{Change, ColumnChanges, Constraint, Diff};
use crate::schema::model::{Column, Deferrable, ForeignKey, Index, Schema, Table, Unique};
use ddl::{
    check_constraint, column, create_table, create_view, drop_unnamed_check,
    drop_unnamed_foreign_key, foreign_key, index_key, q, text, unique_key,
};

/// One statement, or the place of a table's ALTER TABLE.
enum Item {
    Sql(String),
    Alter(String),
}

/// A table's ALTER TABLE: the clauses in the diff's order, and the look-ups that must run
/// before it (dropping a check by a name only the server knows).
#[derive(Default)]
struct Alter {
    before: Vec<String>,
    clauses: Vec<String>,
}

pub(super) fn render(diff: &Diff, from: &Schema, _to: &Schema) -> Result<Rendered, RenderError> {
    let mut out = Rendered::default();
    let mut items: Vec<Item> = Vec::new();
    let mut alters: BTreeMap<String, Alter> = BTreeMap::new();
    let mut state = from.clone();
    let mut written = BTreeSet::new();
    let mut held = held_keys(diff, from);
    for (step, change) in diff.changes.iter().enumerate() {
        let mut r = Renderer {
            state: &state,
            written: &mut written,
            items: &mut items,
            alters: &mut alters,
            notes: &mut out.notes,
            held: &mut held,
        };
        r.change(change)?;
        apply_change(&mut state, change).map_err(|reason| {
            RenderError::Inconsistent(format!("change {}: {reason}", step + 1))
        })?;
    }
    // The foreign keys dropped around the column changes, added back as they end.
    let (keys, _) = std::mem::take(&mut held);
    let mut r = Renderer {
        state: &state,
        written: &mut written,
        items: &mut items,
        alters: &mut alters,
        notes: &mut out.notes,
        held: &mut held,
    };
    for (table, fk) in keys {
        r.add_constraint(&table, &Constraint::ForeignKey(fk), true)?;
    }
    for item in items {
        match item {
            Item::Sql(sql) => out.statements.push(sql),
            Item::Alter(table) => {
                let Some(alter) = alters.remove(&table) else {
                    continue;
                };
                out.statements.extend(alter.before);
                if !alter.clauses.is_empty() {
                    out.statements.push(format!(
                        "ALTER TABLE {}\n    {}",
                        q(&table),
                        alter.clauses.join(",\n    ")
                    ));
                }
            }
        }
    }
    Ok(out)
}

struct Renderer<'a> {
    /// The schema as it stands before the change being rendered.
    state: &'a Schema,
    /// Indexes written anew by this diff (by table and name), and those pinned: neither
    /// can be an index the server made for a foreign key.
    written: &'a mut BTreeSet<(String, String)>,
    items: &'a mut Vec<Item>,
    alters: &'a mut BTreeMap<String, Alter>,
    notes: &'a mut Vec<String>,
    /// Foreign keys on (or referencing) a column whose type or collation changes, which
    /// MySQL refuses to change under a key: dropped before the first ALTER TABLE (once:
    /// the flag), added back after the last. By table.
    held: &'a mut (Vec<(String, ForeignKey)>, bool),
}

impl Renderer<'_> {
    fn sql(&mut self, sql: String) {
        self.items.push(Item::Sql(sql));
    }

    /// The ALTER TABLE of `table`, put in the list where it is first needed.
    fn alter(&mut self, table: &str) -> &mut Alter {
        if !self.held.1 {
            self.held.1 = true;
            for (t, fk) in self.held.0.clone() {
                // Only foreign keys drop alone: this cannot come back here.
                let _ = self.drop_constraint(&t, &Constraint::ForeignKey(fk), true);
            }
        }
        if !self.alters.contains_key(table) {
            self.items.push(Item::Alter(table.to_string()));
        }
        self.alters.entry(table.to_string()).or_default()
    }

    fn clause(&mut self, table: &str, clause: String) {
        self.alter(table).clauses.push(clause);
    }

    fn table(&self, name: &str) -> Result<&Table, RenderError> {
        self.state
            .tables
            .get(name)
            .ok_or_else(|| RenderError::Inconsistent(format!("table {name} does not exist")))
    }

    fn change(&mut self, change: &Change) -> Result<(), RenderError> {
        match change {
            Change::RenameTable { from, to } => {
                self.sql(format!("RENAME TABLE {} TO {}", q(from), q(to)));
            }
            Change::RenameColumn { table, from, to } => self.sql(format!(
                "ALTER TABLE {} RENAME COLUMN {} TO {}",
                q(table),
                q(from),
                q(to)
            )),
            Change::RenameConstraint {
                table,
                constraint,
                to,
            } => self.rename_constraint(table, constraint, to)?,
            // MySQL's primary key is always named PRIMARY: there is nothing to rename.
            Change::RenamePrimaryKey { .. } => {}
            Change::DropView(view) => self.sql(format!("DROP VIEW {}", q(&view.name))),
            Change::CreateView(view) => self.sql(create_view(view, false)),
            Change::ReplaceView { to, .. } => self.sql(create_view(to, true)),
            Change::CreateEnum(_)
            | Change::DropEnum(_)
            | Change::AddEnumValue { .. }
            | Change::RebuildEnum { .. } => {
                return Err(unsupported(
                    "enum types (an ENUM is a column's type in MySQL)",
                ))
            }
            Change::CreateSequence(_) | Change::DropSequence(_) | Change::AlterSequence { .. } => {
                return Err(unsupported("sequences retort manages"))
            }
            Change::SetTableOptions { .. } => {
                return Err(unsupported("WITHOUT ROWID or STRICT tables"))
            }
            Change::CreateTable(table) => {
                check_indexes(table)?;
                for index in &table.indexes {
                    self.written
                        .insert((table.name.clone(), index.name.clone()));
                }
                for fk in &table.foreign_keys {
                    check_foreign_key(fk)?;
                }
                self.sql(create_table(table));
            }
            Change::DropTable(table) => self.sql(format!("DROP TABLE {}", q(&table.name))),
            Change::SetTableComment { table, to, .. } => {
                let comment = text(to.as_deref().unwrap_or(""));
                self.clause(table, format!("COMMENT = {comment}"));
            }
            Change::AddColumn { table, column: c } => {
                self.clause(table, format!("ADD COLUMN {}", column(c)));
            }
            Change::DropColumn { table, column } => {
                self.clause(table, format!("DROP COLUMN {}", q(&column.name)));
            }
            Change::AlterColumn { table, from, to } => self.alter_column(table, from, to),
            Change::DropPrimaryKey { table, .. } => {
                self.clause(table, "DROP PRIMARY KEY".to_string());
            }
            Change::AddPrimaryKey { table, key } => {
                let columns: Vec<String> = key.columns.iter().map(|c| q(c)).collect();
                self.clause(table, format!("ADD PRIMARY KEY ({})", columns.join(", ")));
                self.pin_for_new_index(table, &key.columns)?;
            }
            Change::DropConstraint { table, constraint } => {
                self.drop_constraint(table, constraint, false)?
            }
            Change::AddConstraint { table, constraint } => {
                self.add_constraint(table, constraint, false)?
            }
            Change::DropIndex { table, index } => {
                self.clause(table, format!("DROP INDEX {}", q(&index.name)));
            }
            Change::CreateIndex { table, index } => {
                let t = self.table(table)?;
                check_index(index)?;
                let key = index_key(t, index);
                let columns: Vec<String> = index
                    .parts
                    .iter()
                    .take_while(|p| !p.expression)
                    .map(|p| p.key.clone())
                    .collect();
                self.clause(table, format!("ADD {key}"));
                self.written.insert((table.clone(), index.name.clone()));
                if index.method.is_none() {
                    self.pin_for_new_index(table, &columns)?;
                }
            }
        }
        Ok(())
    }

    /// `MODIFY COLUMN` with the whole target column. MariaDB cannot turn a column into a
    /// virtual one or a virtual one into anything else in place: the column is dropped and
    /// added again (a virtual column holds no data of its own; the diff lists a column made
    /// generated as destructive).
    fn alter_column(&mut self, table: &str, from: &Column, to: &Column) {
        let is_virtual = |c: &Column| c.generated.as_ref().is_some_and(|g| !g.stored);
        if let Some(note) = enum_note(table, from, to) {
            self.notes.push(note);
        }
        let changes = ColumnChanges::between(from, to);
        if changes.generated && (is_virtual(from) || is_virtual(to)) {
            // The keys on the column go and come back with it: MariaDB keeps a key bound
            // to the dropped column and refuses the new one under it (error 1089).
            let (uniques, indexes) = self.keys_on(table, &from.name);
            for name in uniques
                .iter()
                .filter_map(|u| u.name.as_ref())
                .chain(indexes.iter().map(|i| &i.name))
            {
                self.clause(table, format!("DROP INDEX {}", q(name)));
            }
            self.clause(table, format!("DROP COLUMN {}", q(&from.name)));
            self.clause(table, format!("ADD COLUMN {}", column(to)));
            for unique in &uniques {
                self.clause(table, format!("ADD {}", unique_key(unique)));
            }
            if let Some(t) = self.state.tables.get(table) {
                for index in &indexes {
                    let key = index_key(t, index);
                    self.clause(table, format!("ADD {key}"));
                }
            }
            self.notes.push(format!(
                "{table}.{}: dropped and added again (MySQL cannot change whether a column is virtual in place)",
                to.name
            ));
        } else {
            self.clause(table, format!("MODIFY COLUMN {}", column(to)));
        }
    }

    /// `table`'s unique keys and indexes that hold column `name` as a key part.
    fn keys_on(&self, table: &str, name: &str) -> (Vec<Unique>, Vec<Index>) {
        let Some(t) = self.state.tables.get(table) else {
            return (Vec::new(), Vec::new());
        };
        let uniques = t
            .uniques
            .iter()
            .filter(|u| u.columns.iter().any(|c| c == name))
            .cloned()
            .collect();
        let indexes = t
            .indexes
            .iter()
            .filter(|i| {
                // A prefix `name(10)` is read as an expression: it holds the column too.
                let prefix = format!("{name}(");
                i.parts
                    .iter()
                    .any(|p| p.key == name || (p.expression && p.key.starts_with(&prefix)))
            })
            .cloned()
            .collect();
        (uniques, indexes)
    }

    /// The names of `table`'s foreign keys (or checks), other than the one dropped: a
    /// look-up by definition leaves them out.
    fn named(&self, table: &str, foreign_keys: bool) -> Vec<String> {
        let Some(t) = self.state.tables.get(table) else {
            return Vec::new();
        };
        if foreign_keys {
            t.foreign_keys
                .iter()
                .filter_map(|f| f.name.clone())
                .collect()
        } else {
            t.checks.iter().filter_map(|c| c.name.clone()).collect()
        }
    }

    /// Drops `constraint`; `alone` puts it in a statement of its own (a rename, which
    /// adds it again at once) rather than the table's ALTER TABLE.
    fn drop_constraint(
        &mut self,
        table: &str,
        constraint: &Constraint,
        alone: bool,
    ) -> Result<(), RenderError> {
        let clause = match constraint {
            Constraint::Unique(u) => match &u.name {
                Some(name) => format!("DROP INDEX {}", q(name)),
                None => {
                    return Err(RenderError::Inconsistent(format!(
                        "a unique key of {table} has no name (MySQL always names one)"
                    )))
                }
            },
            Constraint::ForeignKey(fk) => {
                match &fk.name {
                    Some(name) => self.sql(format!(
                        "ALTER TABLE {} DROP FOREIGN KEY {}",
                        q(table),
                        q(name)
                    )),
                    None => {
                        let named = self.named(table, true);
                        let named: Vec<&str> = named.iter().map(String::as_str).collect();
                        for sql in drop_unnamed_foreign_key(table, fk, &named) {
                            self.sql(sql);
                        }
                    }
                }
                return Ok(());
            }
            Constraint::Check(check) => match &check.name {
                Some(name) => format!("DROP CONSTRAINT {}", q(name)),
                None => {
                    let named = self.named(table, false);
                    let named: Vec<&str> = named.iter().map(String::as_str).collect();
                    let lookup = drop_unnamed_check(table, check, &named);
                    if alone {
                        for sql in lookup {
                            self.sql(sql);
                        }
                    } else {
                        self.alter(table).before.extend(lookup);
                    }
                    return Ok(());
                }
            },
        };
        if alone {
            self.sql(format!("ALTER TABLE {} {clause}", q(table)));
        } else {
            self.clause(table, clause);
        }
        Ok(())
    }

    /// Adds `constraint`: a foreign key always by a statement of its own, after the
    /// tables it ties are changed; the others as a clause of the table's ALTER TABLE
    /// unless `alone`.
    fn add_constraint(
        &mut self,
        table: &str,
        constraint: &Constraint,
        alone: bool,
    ) -> Result<(), RenderError> {
        let clause = match constraint {
            Constraint::Unique(u) => {
                if let Some(name) = &u.name {
                    self.written.insert((table.to_string(), name.clone()));
                }
                if !alone {
                    self.pin_for_new_index(table, &u.columns)?;
                }
                format!("ADD {}", unique_key(u))
            }
            Constraint::Check(c) => format!("ADD {}", check_constraint(c)),
            Constraint::ForeignKey(fk) => {
                check_foreign_key(fk)?;
                let mut clauses = self.pins(table, |i| columns_of(i) == fk.columns)?;
                clauses.push(format!("ADD {}", foreign_key(fk)));
                self.sql(format!(
                    "ALTER TABLE {}\n    {}",
                    q(table),
                    clauses.join(",\n    ")
                ));
                return Ok(());
            }
        };
        if alone {
            self.sql(format!("ALTER TABLE {} {clause}", q(table)));
        } else {
            self.clause(table, clause);
        }
        Ok(())
    }

    /// The clauses that write again, as indexes of the user's, the indexes of `table`
    /// that the server may have made for a foreign key and that `serves` picks. The
    /// server drops such an index by itself when another index can serve the key, or
    /// replaces it when a foreign key is added on its columns, but never one the user
    /// made; introspection cannot tell the two apart, so the migration makes sure.
    /// Candidates: plain indexes named after their first column or after a foreign key of
    /// the table (the server's rule), not written by this diff.
    fn pins(
        &mut self,
        table: &str,
        serves: impl Fn(&Index) -> bool,
    ) -> Result<Vec<String>, RenderError> {
        let Some(t) = self.state.tables.get(table) else {
            return Ok(Vec::new());
        };
        let mut out = Vec::new();
        for index in &t.indexes {
            let key = (table.to_string(), index.name.clone());
            let implicit = !index.unique
                && index.method.is_none()
                && index.parts.iter().all(|p| !p.expression && !p.descending)
                && (index.parts.first().is_some_and(|p| p.key == index.name)
                    || t.foreign_keys
                        .iter()
                        .any(|f| f.name.as_deref() == Some(index.name.as_str())));
            if implicit && serves(index) && !self.written.contains(&key) {
                self.written.insert(key);
                out.push(format!("DROP INDEX {}", q(&index.name)));
                out.push(format!("ADD {}", index_key(t, index)));
            }
        }
        Ok(out)
    }

    /// Pins (see [`Renderer::pins`]) in the table's ALTER TABLE the indexes that an
    /// index added on `columns` could replace for a foreign key.
    fn pin_for_new_index(&mut self, table: &str, columns: &[String]) -> Result<(), RenderError> {
        let clauses = self.pins(table, |i| {
            let fk = columns_of(i);
            columns.len() >= fk.len() && columns[..fk.len()] == fk[..]
        })?;
        if !clauses.is_empty() {
            self.alter(table).clauses.extend(clauses);
        }
        Ok(())
    }

    /// A unique key keeps its index under `RENAME INDEX`; foreign keys and checks have
    /// no rename in MySQL and are dropped and added under the new name.
    fn rename_constraint(
        &mut self,
        table: &str,
        constraint: &Constraint,
        to: &Option<String>,
    ) -> Result<(), RenderError> {
        if let (Constraint::Unique(u), Some(old), Some(new)) = (constraint, &constraint.name(), to)
        {
            let _ = u;
            self.sql(format!(
                "ALTER TABLE {} RENAME INDEX {} TO {}",
                q(table),
                q(old),
                q(new)
            ));
            return Ok(());
        }
        self.drop_constraint(table, constraint, true)?;
        self.add_constraint(table, &constraint.renamed(to.clone()), true)
    }
}

/// The foreign keys MySQL would not let the diff's column changes through (error 1832/1833:
/// a column's type or collation cannot change under a key), that the diff keeps: they
/// are dropped before the tables change and added back after.
fn held_keys(diff: &Diff, from: &Schema) -> (Vec<(String, ForeignKey)>, bool) {
    let mut state = from.clone();
    let mut held: Vec<(String, ForeignKey)> = Vec::new();
    for change in &diff.changes {
        if let Change::AlterColumn { table, from, to } = change {
            if from.data_type != to.data_type || from.collation != to.collation {
                for t in state.tables.values() {
                    for fk in &t.foreign_keys {
                        let on = t.name == *table && fk.columns.contains(&from.name);
                        let to_it = fk.references_table == *table
                            && fk.references_columns.contains(&from.name);
                        let key = (t.name.clone(), fk.clone());
                        if (on || to_it) && !held.contains(&key) {
                            held.push(key);
                        }
                    }
                }
            }
        }
        // A change that does not apply is reported by the rendering itself.
        if apply_change(&mut state, change).is_err() {
            break;
        }
    }
    held.retain(|(t, fk)| {
        state
            .tables
            .get(t)
            .is_some_and(|t| t.foreign_keys.contains(fk))
    });
    (held, false)
}

/// An index's columns (all its parts: the callers ask only of plain indexes).
fn columns_of(index: &Index) -> Vec<String> {
    index.parts.iter().map(|p| p.key.clone()).collect()
}

/// A note when an ENUM or SET column loses or reorders values: MySQL rewrites the table,
/// and a row holding a removed value fails (strict mode) or is emptied.
fn enum_note(table: &str, from: &Column, to: &Column) -> Option<String> {
    let (kind, old) = enum_values(&from.data_type)?;
    let (new_kind, new) = enum_values(&to.data_type)?;
    if kind != new_kind {
        return None;
    }
    let removed: Vec<&String> = old.iter().filter(|v| !new.contains(v)).collect();
    let kept: Vec<&String> = new.iter().filter(|v| old.contains(v)).collect();
    let reordered = old
        .iter()
        .filter(|v| new.contains(v))
        .ne(kept.iter().copied());
    let appended_only = removed.is_empty() && !reordered && new.starts_with(&old);
    if appended_only {
        return None;
    }
    let what = match (removed.is_empty(), reordered) {
        (false, _) => format!(
            "removes {}",
            removed
                .iter()
                .map(|v| v.as_str())
                .collect::<Vec<_>>()
                .join(", ")
        ),
        (true, true) => "reorders its values".to_string(),
        (true, false) => "inserts values before the last one".to_string(),
    };
    Some(format!(
        "{table}.{}: the {kind} change {what}: MySQL copies the whole table, and a row \
         holding a removed value fails the change (strict sql_mode) or is emptied",
        to.name
    ))
}

/// `enum('a','b')` or `set(…)`: its kind and its values (quotes undone).
fn enum_values(data_type: &str) -> Option<(&'static str, Vec<String>)> {
    let (kind, rest) = if let Some(rest) = data_type.strip_prefix("enum(") {
        ("ENUM", rest)
    } else {
        ("SET", data_type.strip_prefix("set(")?)
    };
    let body = rest.strip_suffix(')')?;
    let mut values = Vec::new();
    let mut current = String::new();
    let mut quoted = false;
    let mut chars = body.chars().peekable();
    while let Some(c) = chars.next() {
        match (quoted, c) {
            (false, '\'') => quoted = true,
            (true, '\'') if chars.peek() == Some(&'\'') => {
                chars.next();
                current.push('\'');
            }
            (true, '\'') => {
                quoted = false;
                values.push(std::mem::take(&mut current));
            }
            (true, c) => current.push(c),
            (false, _) => {}
        }
    }
    Some((kind, values))
}

fn check_indexes(table: &Table) -> Result<(), RenderError> {
    table.indexes.iter().try_for_each(check_index)
}

fn check_index(index: &Index) -> Result<(), RenderError> {
    if index.predicate.is_some() {
        return Err(unsupported("partial indexes (an index with WHERE)"));
    }
    Ok(())
}

fn check_foreign_key(fk: &ForeignKey) -> Result<(), RenderError> {
    if fk.deferrable != Deferrable::NotDeferrable {
        return Err(unsupported("deferrable foreign keys"));
    }
    Ok(())
}

fn unsupported(what: &str) -> RenderError {
    RenderError::Unsupported {
        dialect: Dialect::Mysql,
        what: what.to_string(),
    }
}
