//! A diff as PostgreSQL statements, every change made in place (PostgreSQL alters what
//! SQLite must rebuild). Where PostgreSQL cannot do a change as one statement, it is a
//! short sequence that it can do, and the notes say what it costs:
//!
//! - a column's type changes with `USING col::type` whenever the type's family changes
//!   (PostgreSQL has no assignment cast between families; within one, the assignment cast
//!   keeps refusing values that do not fit, where an explicit cast would cut them), its
//!   default dropped before and set again after (PostgreSQL would cast the old default);
//! - a generated column's expression cannot be altered (before PostgreSQL 17): the column
//!   is dropped and added again, and the indexes and constraints it was in, which the
//!   drop takes with it, are made again; likewise a generated column computing from a
//!   column whose type changes, around that change;
//! - an enum type that loses or reorders values is rebuilt: renamed, created anew, every
//!   column using it converted through text (with the index predicates and expressions
//!   and the checks of those tables that compare with it dropped and made again), the old
//!   type dropped;
//! - views a change would break (a column's type, collation or expression, an enum rebuild
//!   under it: PostgreSQL refuses those while a view uses the column) are dropped before
//!   the changes and created after them, with every view over them;
//! - a constraint whose name a rename gives to another before its own drop or rename comes
//!   is renamed aside first;
//! - a column made an identity has its sequence set past the numbers its rows hold.
//!
//! Not handled: a `serial` column (read as an identity by default) made `ALWAYS` (`SET
//! GENERATED` needs a real identity); a retyped column whose foreign-key partner must
//! change type in the same step; the bounds and options of sequences beyond start and
//! increment (the model keeps none).

use std::collections::{BTreeMap, BTreeSet};

use super::postgres_ddl::{
    alter_sequence, column, constraint, create_enum, create_index, create_sequence, create_table,
    create_view, drop_view, identity_clause, literal, primary_key, q, set_generated,
};
use super::sqlite::mentions;
use super::{RenderError, Rendered};
use crate::dialect::Dialect;
use crate::schema::apply::apply_change;
use crate::schema::change::{Change, ColumnChanges, Constraint, Diff, EnumPosition};
use crate::schema::model::{
    Check, Column, EnumType, Identity, Index, PrimaryKey, Schema, Table, View,
};

/// The suffix of an enum type while it is rebuilt, both versions existing.
const OLD_ENUM: &str = "_retort_old";

/// The suffix of a constraint whose name another takes before its own change comes.
const ASIDE: &str = "_retort_aside";

pub(super) fn render(diff: &Diff, from: &Schema, to: &Schema) -> Result<Rendered, RenderError> {
    let local = |name: &str| from.tables.contains_key(name) || to.tables.contains_key(name);
    let views = Views::plan(diff, from, to);
    let mut out = Rendered::default();
    for name in &views.dropped {
        out.statements.push(drop_view(name));
    }
    // What the statements have made so far, for the changes that need the current state
    // (an enum's columns, a column's indexes).
    let mut state = from.clone();
    // Values added to an enum: (the statement adding it, its literal).
    let mut added_values: Vec<(usize, String)> = Vec::new();
    let mut aside = Vec::new();
    for (step, change) in diff.changes.iter().enumerate() {
        if let Change::AddEnumValue { value, .. } = change {
            added_values.push((out.statements.len(), literal(value)));
        }
        Writer {
            out: &mut out,
            state: &state,
            local: &local,
            aside: &mut aside,
        }
        .change(change)?;
        apply_change(&mut state, change).map_err(|reason| {
            RenderError::Inconsistent(format!("change {}: {reason}", step + 1))
        })?;
    }
    for view in &views.created {
        out.statements.push(create_view(view));
    }

    for (at, value) in &added_values {
        // Another value placed after it is not a use.
        let uses = |s: &&String| s.contains(value) && !s.starts_with("ALTER TYPE ");
        if out.statements[at + 1..].iter().any(|s| uses(&s)) {
            out.outside_transaction = true;
        }
    }
    if !added_values.is_empty() {
        out.notes.push(if out.outside_transaction {
            "a value added to an enum type is used by a later statement, which PostgreSQL refuses in the transaction that added it: the migration must run outside a transaction".to_string()
        } else {
            "ALTER TYPE … ADD VALUE runs in a transaction on PostgreSQL 12 and later only, and the new value cannot be used before that transaction commits".to_string()
        });
    }
    Ok(out)
}

/// Renders one change against the schema as the earlier changes left it.
struct Writer<'a> {
    out: &'a mut Rendered,
    state: &'a Schema,
    local: &'a dyn Fn(&str) -> bool,
    aside: &'a mut Vec<Aside>,
}

/// A constraint renamed aside: a rename gives its name to another (constraints are
/// matched by definition, so `a ↔ b` swaps and a name taken from one dropped later both
/// happen) before its own change (a drop, a rename) comes.
struct Aside {
    table: String,
    /// The primary key (`None`) or the constraint.
    held: Option<Constraint>,
    /// Its name in the model, which the diff's later change gives.
    name: String,
    /// Its name in the database meanwhile.
    actual: String,
}

impl Writer<'_> {
    fn push(&mut self, statement: String) {
        self.out.statements.push(statement);
    }

    fn note(&mut self, note: String) {
        self.out.notes.push(note);
    }

    fn change(&mut self, change: &Change) -> Result<(), RenderError> {
        match change {
            Change::RenameTable { from, to } => {
                self.push(format!("ALTER TABLE {} RENAME TO {}", q(from), q(to)));
            }
            Change::RenameColumn { table, from, to } => self.push(format!(
                "ALTER TABLE {} RENAME COLUMN {} TO {}",
                q(table),
                q(from),
                q(to)
            )),
            Change::RenameConstraint {
                table,
                constraint,
                to,
            } => {
                let from = named(constraint.name(), table)?;
                let to = named(to.as_deref(), table)?;
                self.rename(table, Some(constraint), from, to);
            }
            Change::RenamePrimaryKey { table, key, to } => {
                let from = named(key.name.as_deref(), table)?;
                let to = named(to.as_deref(), table)?;
                self.rename(table, None, from, to);
            }
            // Views are dropped first and created last, all together (see `Views`).
            Change::DropView(_) | Change::CreateView(_) | Change::ReplaceView { .. } => {}
            Change::SetTableOptions { .. } => {
                return Err(RenderError::Unsupported {
                    dialect: Dialect::Postgres,
                    what: "WITHOUT ROWID or STRICT tables".to_string(),
                })
            }
            Change::CreateEnum(e) => self.push(create_enum(&e.name, e)),
            Change::DropEnum(e) => self.push(format!("DROP TYPE {}", q(&e.name))),
            Change::AddEnumValue {
                name,
                value,
                position,
            } => {
                let at = match position {
                    EnumPosition::Before(v) => format!(" BEFORE {}", literal(v)),
                    EnumPosition::After(v) => format!(" AFTER {}", literal(v)),
                    EnumPosition::End => String::new(),
                };
                self.push(format!(
                    "ALTER TYPE {} ADD VALUE {}{at}",
                    q(name),
                    literal(value)
                ));
            }
            Change::RebuildEnum { from, to } => self.rebuild_enum(from, to)?,
            Change::CreateSequence(s) => self.push(create_sequence(s)),
            Change::DropSequence(s) => self.push(format!("DROP SEQUENCE {}", q(&s.name))),
            Change::AlterSequence { from, to } => {
                self.push(alter_sequence(from, to));
                if (from.increment > 0) != (to.increment > 0) {
                    self.note(format!(
                        "sequence {} changes direction: it restarts at {}",
                        to.name, to.start
                    ));
                }
            }
            Change::CreateTable(table) => self.create_table(table),
            Change::DropTable(table) => self.push(format!("DROP TABLE {}", q(&table.name))),
            Change::SetTableComment { table, to, .. } => self.push(format!(
                "COMMENT ON TABLE {} IS {}",
                q(table),
                comment(to.as_deref())
            )),
            Change::AddColumn { table, column: c } => {
                self.push(format!("ALTER TABLE {} ADD COLUMN {}", q(table), column(c)));
                if c.comment.is_some() {
                    self.push(column_comment(table, c));
                }
            }
            Change::DropColumn { table, column } => self.push(format!(
                "ALTER TABLE {} DROP COLUMN {}",
                q(table),
                q(&column.name)
            )),
            Change::AlterColumn { table, from, to } => self.alter_column(table, from, to)?,
            Change::DropPrimaryKey { table, key } => {
                let name = self.actual(table, None, named(key.name.as_deref(), table)?);
                self.drop_constraint(table, &name);
            }
            Change::AddPrimaryKey { table, key } => {
                self.push(format!("ALTER TABLE {} ADD {}", q(table), primary_key(key)))
            }
            Change::DropConstraint { table, constraint } => {
                let name = self.actual(table, Some(constraint), named(constraint.name(), table)?);
                self.drop_constraint(table, &name);
            }
            Change::AddConstraint { table, constraint } => self.add_constraint(table, constraint),
            Change::DropIndex { index, .. } => {
                self.push(format!("DROP INDEX {}", q(&index.name)));
            }
            Change::CreateIndex { table, index } => self.push(create_index(table, index)),
        }
        Ok(())
    }

    /// The name a constraint (or the key, `held` being `None`) has in the database.
    fn actual(&self, table: &str, held: Option<&Constraint>, name: &str) -> String {
        self.aside
            .iter()
            .find(|a| a.table == table && a.name == name && same(a.held.as_ref(), held))
            .map_or_else(|| name.to_string(), |a| a.actual.clone())
    }

    /// Renames a constraint (or the key) from `from` to `to`, first setting aside the
    /// constraint of the table that still holds `to`.
    fn rename(&mut self, table: &str, held: Option<&Constraint>, from: &str, to: &str) {
        let actual = self.actual(table, held, from);
        let holder = self.state.tables.get(table).and_then(|t| {
            let key = t
                .primary_key
                .as_ref()
                .filter(|k| held.is_some() && k.name.as_deref() == Some(to))
                .map(|_| None);
            let others = t
                .uniques
                .iter()
                .cloned()
                .map(Constraint::Unique)
                .chain(t.foreign_keys.iter().cloned().map(Constraint::ForeignKey))
                .chain(t.checks.iter().cloned().map(Constraint::Check))
                .find(|c| c.name() == Some(to) && held != Some(c))
                .map(Some);
            key.or(others)
        });
        let holder = holder.filter(|h| {
            !self
                .aside
                .iter()
                .any(|a| a.table == table && a.name == to && same(a.held.as_ref(), h.as_ref()))
        });
        if let Some(holder) = holder {
            let aside = format!("{to}{ASIDE}");
            self.rename_constraint(table, to, &aside);
            self.aside.push(Aside {
                table: table.to_string(),
                held: holder,
                name: to.to_string(),
                actual: aside,
            });
        }
        self.aside
            .retain(|a| !(a.table == table && a.name == from && same(a.held.as_ref(), held)));
        self.rename_constraint(table, &actual, to);
    }

    fn rename_constraint(&mut self, table: &str, from: &str, to: &str) {
        self.push(format!(
            "ALTER TABLE {} RENAME CONSTRAINT {} TO {}",
            q(table),
            q(from),
            q(to)
        ));
    }

    fn drop_constraint(&mut self, table: &str, name: &str) {
        self.push(format!(
            "ALTER TABLE {} DROP CONSTRAINT {}",
            q(table),
            q(name)
        ));
    }

    fn add_constraint(&mut self, table: &str, c: &Constraint) {
        let text = constraint(c, self.local);
        self.push(format!("ALTER TABLE {} ADD {text}", q(table)));
    }

    /// The table (as the diff gives it: keys that close a cycle come later), its comments,
    /// its indexes. A unique constraint on the columns of the primary key or of an earlier
    /// one is added after: `CREATE TABLE` would silently leave it out as redundant; so are
    /// NOT VALID checks and foreign keys, which `CREATE TABLE` would make valid.
    fn create_table(&mut self, table: &Table) {
        let mut whole = table.clone();
        let mut keys: Vec<&Vec<String>> = table.primary_key.iter().map(|k| &k.columns).collect();
        let mut later = Vec::new();
        // NOT VALID is kept only by ALTER TABLE … ADD.
        for c in table.checks.iter().filter(|c| c.not_valid) {
            later.push(Constraint::Check(c.clone()));
        }
        for fk in table.foreign_keys.iter().filter(|f| f.not_valid) {
            later.push(Constraint::ForeignKey(fk.clone()));
        }
        whole.checks.retain(|c| !c.not_valid);
        whole.foreign_keys.retain(|f| !f.not_valid);
        whole.uniques.clear();
        for unique in &table.uniques {
            if keys.contains(&&unique.columns) {
                later.push(Constraint::Unique(unique.clone()));
            } else {
                keys.push(&unique.columns);
                whole.uniques.push(unique.clone());
            }
        }
        self.push(create_table(&whole, self.local));
        for c in &later {
            self.add_constraint(&table.name, c);
        }
        if table.comment.is_some() {
            self.push(format!(
                "COMMENT ON TABLE {} IS {}",
                q(&table.name),
                comment(table.comment.as_deref())
            ));
        }
        for c in table.columns.iter().filter(|c| c.comment.is_some()) {
            self.push(column_comment(&table.name, c));
        }
        for index in &table.indexes {
            self.push(create_index(&table.name, index));
        }
    }

    /// Each part that differs, in an order PostgreSQL accepts: an identity goes before the
    /// NOT NULL it needs is dropped, and comes after the NOT NULL it needs is set; a default
    /// is dropped around a type change.
    fn alter_column(&mut self, table: &str, from: &Column, to: &Column) -> Result<(), RenderError> {
        let changes = ColumnChanges::between(from, to);
        if changes.generated && to.generated.is_some() {
            return self.replace_generated(table, from, to);
        }
        let alter = |what: String| {
            format!(
                "ALTER TABLE {} ALTER COLUMN {} {what}",
                q(table),
                q(&to.name)
            )
        };
        if changes.generated {
            self.push(alter("DROP EXPRESSION".into()));
        }
        if changes.identity && to.identity.is_none() {
            self.push(alter("DROP IDENTITY IF EXISTS".into()));
            // A `serial` reads as an identity by default but is a default of its sequence.
            if from.identity == Some(Identity::ByDefault) && to.default.is_none() {
                self.push(alter("DROP DEFAULT".into()));
            }
        }
        let retype = changes.data_type || changes.collation;
        let redefault = changes.default || retype;
        if redefault && from.default.is_some() {
            self.push(alter("DROP DEFAULT".into()));
        }
        // PostgreSQL will not retype a column a generated column computes from: those are
        // dropped around the change and added again.
        let mut computed = Vec::new();
        if retype {
            let users: Vec<Column> = self
                .state
                .tables
                .get(table)
                .map(|t| {
                    t.columns
                        .iter()
                        .filter(|c| c.name != to.name)
                        .filter(|c| {
                            c.generated
                                .as_ref()
                                .is_some_and(|g| mentions(&g.expression, &to.name))
                        })
                        .cloned()
                        .collect()
                })
                .unwrap_or_default();
            for user in users {
                let dependents = self.drop_column_keeping(table, &user)?;
                self.note(format!(
                    "{table}.{}: dropped and added again (its values computed anew), as PostgreSQL cannot change the type of {} while a generated column uses it",
                    user.name, to.name
                ));
                computed.push((user, dependents));
            }
        }
        if retype {
            let mut what = format!("TYPE {}", to.data_type);
            // Without COLLATE, a new type takes its own default collation; the same type
            // keeps the column's unless told.
            match (&to.collation, changes.collation && !changes.data_type) {
                (Some(collation), _) => what.push_str(&format!(" COLLATE {collation}")),
                (None, true) => what.push_str(" COLLATE \"default\""),
                (None, false) => {}
            }
            if changes.data_type {
                if let Some(using) = using(&to.name, &from.data_type, &to.data_type) {
                    what.push_str(" USING ");
                    what.push_str(&using);
                }
            }
            self.push(alter(what));
        }
        for (user, dependents) in computed {
            self.add_column_again(table, &user, dependents);
        }
        if let (true, Some(default)) = (redefault, &to.default) {
            self.push(alter(format!("SET DEFAULT {default}")));
        }
        if changes.nullable {
            self.push(alter(
                if to.nullable {
                    "DROP NOT NULL"
                } else {
                    "SET NOT NULL"
                }
                .into(),
            ));
        }
        match (changes.identity, from.identity, to.identity) {
            (true, None, Some(identity)) => {
                self.push(alter(format!("ADD {}", identity_clause(identity))));
                // The new sequence starts at 1: past the numbers the rows already hold.
                self.push(format!(
                    "SELECT pg_catalog.setval(pg_catalog.pg_get_serial_sequence({}, {}), max({col})) FROM {} HAVING max({col}) IS NOT NULL",
                    literal(&q(table)),
                    literal(&to.name),
                    q(table),
                    col = q(&to.name)
                ));
            }
            (true, Some(_), Some(identity)) => self.push(alter(set_generated(identity).into())),
            _ => {}
        }
        if changes.comment {
            self.push(column_comment(table, to));
        }
        Ok(())
    }

    /// A generated column whose expression changes, or a column that becomes generated:
    /// PostgreSQL alters neither, so the column is dropped and added again.
    fn replace_generated(
        &mut self,
        table: &str,
        from: &Column,
        to: &Column,
    ) -> Result<(), RenderError> {
        let readd = self.drop_column_keeping(table, from)?;
        self.add_column_again(table, to, readd);
        self.note(format!(
            "{table}.{}: PostgreSQL cannot change a column into a generated one or alter its expression, so it is dropped and added again (its values computed anew)",
            to.name
        ));
        Ok(())
    }

    /// Drops `column` of `table` and returns what the drop takes with it (the key,
    /// constraints and indexes of the table naming it), for [`Writer::add_column_again`].
    fn drop_column_keeping(
        &mut self,
        table: &str,
        column: &Column,
    ) -> Result<Dependents, RenderError> {
        let current = self.state.tables.get(table).ok_or_else(|| {
            RenderError::Inconsistent(format!(
                "table {table} does not exist when {} changes",
                column.name
            ))
        })?;
        let name = &column.name;
        let uses = |columns: &[String]| columns.contains(name);
        let text_uses = |text: &str| mentions(text, name);
        let primary_key = current.primary_key.clone().filter(|k| uses(&k.columns));
        let uniques = current.uniques.iter().filter(|u| uses(&u.columns));
        let checks = current.checks.iter().filter(|c| text_uses(&c.expression));
        let fks = current.foreign_keys.iter().filter(|f| uses(&f.columns));
        let constraints = uniques
            .cloned()
            .map(Constraint::Unique)
            .chain(checks.cloned().map(Constraint::Check))
            .chain(fks.cloned().map(Constraint::ForeignKey))
            .collect();
        let indexes = current
            .indexes
            .iter()
            .filter(|i| {
                i.parts.iter().any(|p| {
                    if p.expression {
                        text_uses(&p.key)
                    } else {
                        p.key == *name
                    }
                }) || i.predicate.as_deref().is_some_and(text_uses)
            })
            .cloned()
            .collect();
        self.push(format!("ALTER TABLE {} DROP COLUMN {}", q(table), q(name)));
        Ok(Dependents {
            primary_key,
            constraints,
            indexes,
        })
    }

    /// Adds `column` to `table` with what dropping it took.
    fn add_column_again(&mut self, table: &str, column: &Column, dependents: Dependents) {
        self.push(format!(
            "ALTER TABLE {} ADD COLUMN {}",
            q(table),
            self::column(column)
        ));
        if column.comment.is_some() {
            self.push(column_comment(table, column));
        }
        if let Some(pk) = dependents.primary_key {
            self.push(format!("ALTER TABLE {} ADD {}", q(table), primary_key(&pk)));
        }
        for c in &dependents.constraints {
            self.add_constraint(table, c);
        }
        for index in &dependents.indexes {
            self.push(create_index(table, index));
        }
    }

    /// The type renamed aside, created anew, every column of it converted through text
    /// (its default dropped around, as it names the old type), the old type dropped.
    fn rebuild_enum(&mut self, from: &EnumType, to: &EnumType) -> Result<(), RenderError> {
        let old = format!("{}{OLD_ENUM}", from.name);
        self.push(format!(
            "ALTER TYPE {} RENAME TO {}",
            q(&from.name),
            q(&old)
        ));
        self.push(create_enum(&to.name, to));
        let mut tables = Vec::new();
        for table in self.state.tables.values() {
            let mut statements = Vec::new();
            for c in &table.columns {
                let Some(array) = enum_use(&c.data_type, &from.name) else {
                    continue;
                };
                let alter = |what: String| {
                    format!(
                        "ALTER TABLE {} ALTER COLUMN {} {what}",
                        q(&table.name),
                        q(&c.name)
                    )
                };
                if c.default.is_some() {
                    statements.push(alter("DROP DEFAULT".into()));
                }
                let text = if array { "text[]" } else { "text" };
                statements.push(alter(format!(
                    "TYPE {ty} USING {}::{text}::{ty}",
                    q(&c.name),
                    ty = c.data_type
                )));
                // Set again when the value is still there; otherwise the diff changes the
                // default later anyway (the target cannot hold a removed value).
                if let Some(d) = c
                    .default
                    .as_ref()
                    .filter(|d| to.values.iter().any(|v| literal(v) == **d))
                {
                    statements.push(alter(format!("SET DEFAULT {d}")));
                }
            }
            if statements.is_empty() {
                continue;
            }
            // Index expressions, predicates and checks comparing with the type's values
            // name the old type once it is renamed, and the conversion cannot rebuild
            // them: they are dropped before it and made again after it.
            let columns: Vec<&str> = table
                .columns
                .iter()
                .filter(|c| enum_use(&c.data_type, &from.name).is_some())
                .map(|c| c.name.as_str())
                .collect();
            let uses = |text: &str| {
                mentions(text, &from.name) || columns.iter().any(|c| mentions(text, c))
            };
            let indexes: Vec<&Index> = table
                .indexes
                .iter()
                .filter(|i| {
                    i.predicate.as_deref().is_some_and(uses)
                        || i.parts.iter().any(|p| p.expression && uses(&p.key))
                })
                .collect();
            let checks: Vec<&Check> = table
                .checks
                .iter()
                .filter(|c| uses(&c.expression))
                .collect();
            for index in &indexes {
                self.push(format!("DROP INDEX {}", q(&index.name)));
            }
            for check in &checks {
                let name = named(check.name.as_deref(), &table.name)?;
                self.drop_constraint(&table.name, name);
            }
            tables.push(table.name.clone());
            self.out.statements.extend(statements);
            for check in checks {
                self.add_constraint(&table.name, &Constraint::Check(check.clone()));
            }
            for index in indexes {
                self.push(create_index(&table.name, index));
            }
        }
        self.push(format!("DROP TYPE {}", q(&old)));
        let removed: Vec<String> = from
            .values
            .iter()
            .filter(|v| !to.values.contains(v))
            .map(|v| literal(v))
            .collect();
        let mut note = format!(
            "enum type {} is rebuilt (values removed or reordered)",
            from.name
        );
        if !tables.is_empty() {
            note.push_str(&format!(
                ", which rewrites every row of {}",
                tables.join(", ")
            ));
        }
        if !removed.is_empty() {
            note.push_str(&format!(
                "; a row holding {} makes the migration fail",
                removed.join(" or ")
            ));
        }
        self.note(note);
        Ok(())
    }
}

/// Both the key, or constraints of one definition.
fn same(a: Option<&Constraint>, b: Option<&Constraint>) -> bool {
    match (a, b) {
        (None, None) => true,
        (Some(a), Some(b)) => a.same_definition(b),
        _ => false,
    }
}

/// What dropping a column takes with it, to be made again when it is added back.
struct Dependents {
    primary_key: Option<PrimaryKey>,
    constraints: Vec<Constraint>,
    indexes: Vec<Index>,
}

/// A name PostgreSQL needs (it addresses constraints by name; introspection always reads
/// one).
fn named<'a>(name: Option<&'a str>, table: &str) -> Result<&'a str, RenderError> {
    name.ok_or_else(|| RenderError::Unsupported {
        dialect: Dialect::Postgres,
        what: format!("way to address an unnamed constraint (on {table})"),
    })
}

fn comment(text: Option<&str>) -> String {
    text.map(literal).unwrap_or_else(|| "NULL".to_string())
}

fn column_comment(table: &str, c: &Column) -> String {
    format!(
        "COMMENT ON COLUMN {}.{} IS {}",
        q(table),
        q(&c.name),
        comment(c.comment.as_deref())
    )
}

/// Whether a column of type `data_type` uses enum `name`: `Some(true)` as an array.
fn enum_use(data_type: &str, name: &str) -> Option<bool> {
    let (base, array) = match data_type.strip_suffix("[]") {
        Some(base) => (base, true),
        None => (data_type, false),
    };
    (base == name || base == q(name)).then_some(array)
}

/// A type's family: types of one family convert by PostgreSQL's assignment casts, others
/// need `USING`. `None` for a type retort does not know (an enum, an extension's type),
/// which is converted through its text form.
fn family(data_type: &str) -> Option<String> {
    if let Some(element) = data_type.strip_suffix("[]") {
        return family(element).map(|f| format!("{f}[]"));
    }
    // Without type modifiers: `character varying(10)`, `timestamp(3) with time zone`.
    let mut base = String::new();
    let mut depth = 0;
    for ch in data_type.chars() {
        match ch {
            '(' => depth += 1,
            ')' => depth -= 1,
            _ if depth == 0 => base.push(ch),
            _ => {}
        }
    }
    let base = base.split_whitespace().collect::<Vec<_>>().join(" ");
    let family = match base.as_str() {
        "smallint" | "integer" | "bigint" | "numeric" | "real" | "double precision" => "number",
        "text" | "character varying" | "character" | "\"char\"" | "name" => "string",
        "timestamp" | "timestamp without time zone" | "timestamp with time zone" | "date" => {
            "timestamp"
        }
        "time" | "time without time zone" | "time with time zone" => "time",
        "bit" | "bit varying" => "bit",
        "boolean" | "interval" | "json" | "jsonb" | "uuid" | "bytea" | "money" | "inet"
        | "cidr" | "macaddr" | "xml" | "tsvector" | "oid" => return Some(base),
        _ => return None,
    };
    Some(family.to_string())
}

/// The `USING` a type change needs: none within a family, a direct cast between known
/// families (`boolean` to `integer` is 1 or 0, not its text), and through text otherwise
/// (text input is how every type converts from another it knows nothing of).
fn using(name: &str, from: &str, to: &str) -> Option<String> {
    let (a, b) = (family(from), family(to));
    if a.is_some() && a == b {
        return None;
    }
    Some(match (a, b) {
        (Some(_), Some(_)) => format!("{}::{to}", q(name)),
        _ if from.ends_with("[]") && to.ends_with("[]") => format!("{}::text[]::{to}", q(name)),
        _ => format!("{}::text::{to}", q(name)),
    })
}

/// The views dropped before the changes and created after them: those the diff drops,
/// replaces or creates, those over a table a change would break under them, and every
/// view over one of those (found by name in the definitions, erring towards more).
struct Views {
    /// In an order PostgreSQL accepts: a view before the views it uses.
    dropped: Vec<String>,
    /// The other way round: a view after the views it uses.
    created: Vec<View>,
}

impl Views {
    fn plan(diff: &Diff, from: &Schema, to: &Schema) -> Views {
        let mut dropped: BTreeSet<String> = BTreeSet::new();
        let mut created: BTreeMap<String, View> = BTreeMap::new();
        // Tables (under each name they have in the diff) a change rewrites.
        let mut rewritten: BTreeSet<String> = BTreeSet::new();
        for change in &diff.changes {
            match change {
                Change::DropView(v) => {
                    dropped.insert(v.name.clone());
                }
                Change::CreateView(v) => {
                    created.insert(v.name.clone(), v.clone());
                }
                Change::ReplaceView { from, to } => {
                    dropped.insert(from.name.clone());
                    created.insert(to.name.clone(), to.clone());
                }
                Change::AlterColumn { table, from, to } => {
                    let c = ColumnChanges::between(from, to);
                    if c.data_type || c.collation || c.generated {
                        rewritten.insert(table.clone());
                    }
                }
                Change::RebuildEnum { from: e, .. } => {
                    for t in from.tables.values().chain(to.tables.values()) {
                        if t.columns
                            .iter()
                            .any(|c| enum_use(&c.data_type, &e.name).is_some())
                        {
                            rewritten.insert(t.name.clone());
                        }
                    }
                }
                _ => {}
            }
        }
        for change in &diff.changes {
            if let Change::RenameTable { from, to } = change {
                if rewritten.contains(to) {
                    rewritten.insert(from.clone());
                }
            }
        }
        let mentions_any = |definition: &str, names: &BTreeSet<String>| {
            names.iter().any(|n| mentions(definition, n))
        };
        for view in from.views.values() {
            if mentions_any(&view.definition, &rewritten) {
                dropped.insert(view.name.clone());
            }
        }
        // Every view over a dropped one goes too.
        loop {
            let more: Vec<String> = from
                .views
                .values()
                .filter(|v| !dropped.contains(&v.name) && mentions_any(&v.definition, &dropped))
                .map(|v| v.name.clone())
                .collect();
            if more.is_empty() {
                break;
            }
            dropped.extend(more);
        }
        for name in &dropped {
            if let Some(view) = to.views.get(name) {
                created.entry(name.clone()).or_insert_with(|| view.clone());
            }
        }
        let drop_list: Vec<&View> = dropped.iter().filter_map(|n| from.views.get(n)).collect();
        let create_list: Vec<&View> = created.values().collect();
        Views {
            dropped: dependency_order(&drop_list, true)
                .into_iter()
                .map(|v| v.name.clone())
                .collect(),
            created: dependency_order(&create_list, false)
                .into_iter()
                .cloned()
                .collect(),
        }
    }
}

/// `views` with each one before (`users_first`) or after the views it names; ties, and
/// a cycle that only a name inside a literal can make, go by name.
fn dependency_order<'a>(views: &[&'a View], users_first: bool) -> Vec<&'a View> {
    let mut pending: Vec<&View> = views.to_vec();
    let mut out = Vec::with_capacity(pending.len());
    while !pending.is_empty() {
        let blocked = |v: &View, pending: &[&View]| {
            pending.iter().any(|other| {
                other.name != v.name
                    && if users_first {
                        mentions(&other.definition, &v.name)
                    } else {
                        mentions(&v.definition, &other.name)
                    }
            })
        };
        let at = pending
            .iter()
            .position(|v| !blocked(v, &pending))
            .unwrap_or(0);
        out.push(pending.remove(at));
    }
    out
}

#[cfg(test)]
mod unit {
    use super::*;

    #[test]
    fn using_is_written_across_families_only() {
        assert_eq!(using("a", "integer", "bigint"), None);
        assert_eq!(using("a", "character varying(10)", "text"), None);
        assert_eq!(
            using(
                "a",
                "timestamp without time zone",
                "timestamp(3) with time zone"
            ),
            None
        );
        assert_eq!(using("a", "integer[]", "bigint[]"), None);
        assert_eq!(
            using("a", "text", "integer"),
            Some("\"a\"::integer".to_string())
        );
        assert_eq!(
            using("a", "boolean", "integer"),
            Some("\"a\"::integer".to_string())
        );
        assert_eq!(
            using("a", "json", "jsonb"),
            Some("\"a\"::jsonb".to_string())
        );
        assert_eq!(
            using("a", "text", "mood"),
            Some("\"a\"::text::mood".to_string())
        );
        assert_eq!(
            using("a", "mood[]", "text[]"),
            Some("\"a\"::text[]::text[]".to_string())
        );
        assert_eq!(
            using("a", "mood", "\"Other\""),
            Some("\"a\"::text::\"Other\"".to_string())
        );
    }

    #[test]
    fn enum_columns_are_found_quoted_or_not_and_as_arrays() {
        assert_eq!(enum_use("mood", "mood"), Some(false));
        assert_eq!(enum_use("mood[]", "mood"), Some(true));
        assert_eq!(enum_use("\"Mood\"", "Mood"), Some(false));
        assert_eq!(enum_use("moods", "mood"), None);
    }
}
