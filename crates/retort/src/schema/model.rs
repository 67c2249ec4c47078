//! What retort compares: a schema as introspection reads it from a live database, and as the
//! declared schema (schema.sql, or a command's DDL) becomes once loaded into a scratch
//! database of the same dialect. Both sides come from the database's own catalog, so the
//! database, not a parser of ours, decides what the DDL means; this model only has to say
//! it the same way twice.
//!
//! Names are as the catalog spells them, without the schema (one schema is compared at a
//! time). Types and defaults are normalized per dialect by the introspection that fills
//! the model (`int4` and `integer`, `'x'::text` and `'x'`), so that a schema compared with
//! itself shows no change; the model keeps the normalized text, in the dialect's spelling,
//! which is also what rendering writes back.

use std::collections::BTreeMap;

use crate::dialect::Dialect;

/// One schema of one database.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Schema {
    pub dialect: Dialect,
    /// By name.
    pub tables: BTreeMap<String, Table>,
    /// By name.
    pub views: BTreeMap<String, View>,
    /// PostgreSQL `CREATE TYPE … AS ENUM`, by name (MySQL's ENUM is a column type).
    pub enums: BTreeMap<String, EnumType>,
    /// PostgreSQL sequences not owned by a column (those are part of the column's
    /// identity or default), by name.
    pub sequences: BTreeMap<String, Sequence>,
    /// What retort does not manage (triggers, functions, procedures, materialized views,
    /// extensions, partitions…): never compared, never silently ignored: listed.
    pub unmanaged: Vec<Unmanaged>,
}

impl Schema {
    /// An empty schema of `dialect`.
    pub fn new(dialect: Dialect) -> Schema {
        Schema {
            dialect,
            tables: BTreeMap::new(),
            views: BTreeMap::new(),
            enums: BTreeMap::new(),
            sequences: BTreeMap::new(),
            unmanaged: Vec::new(),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Table {
    pub name: String,
    /// In the table's order.
    pub columns: Vec<Column>,
    pub primary_key: Option<PrimaryKey>,
    pub uniques: Vec<Unique>,
    /// Indexes that are not the primary key's or a unique constraint's own.
    pub indexes: Vec<Index>,
    pub foreign_keys: Vec<ForeignKey>,
    pub checks: Vec<Check>,
    pub comment: Option<String>,
    /// How the table stores its rows, where the dialect lets the user choose (SQLite).
    pub options: TableOptions,
}

/// SQLite's table options: part of what the table is (WITHOUT ROWID changes how rows are
/// keyed, STRICT which values a column accepts), so a change to them is a change to the
/// table (a rebuild). Always the default on the other dialects.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct TableOptions {
    pub without_rowid: bool,
    pub strict: bool,
}

impl Table {
    /// A table with `name` and nothing else yet.
    pub fn new(name: impl Into<String>) -> Table {
        Table {
            name: name.into(),
            columns: Vec::new(),
            primary_key: None,
            uniques: Vec::new(),
            indexes: Vec::new(),
            foreign_keys: Vec::new(),
            checks: Vec::new(),
            comment: None,
            options: TableOptions::default(),
        }
    }

    pub fn column(&self, name: &str) -> Option<&Column> {
        self.columns.iter().find(|c| c.name == name)
    }

    /// Foreign keys in the one order every introspection lists them in (by columns, then
    /// what they reference, then name), so that two reads of one schema are equal values.
    pub fn sort_foreign_keys(&mut self) {
        self.foreign_keys.sort_by(|a, b| {
            let key = |f: &ForeignKey| {
                (
                    f.columns.clone(),
                    f.references_table.clone(),
                    f.references_columns.clone(),
                    f.name.clone(),
                )
            };
            key(a).cmp(&key(b))
        });
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Column {
    pub name: String,
    /// The normalized type in the dialect's spelling, lowercase: `integer`, `bigint`,
    /// `varchar(255)`, `numeric(10,2)`, `timestamp with time zone`, `boolean`, an enum
    /// type's name…
    pub data_type: String,
    pub nullable: bool,
    /// The normalized default expression, if any (identity and auto-increment are not
    /// defaults: see `identity`).
    pub default: Option<String>,
    pub identity: Option<Identity>,
    /// A generated column's expression, and whether it is stored.
    pub generated: Option<Generated>,
    /// Only where set explicitly (not the table's or database's default).
    pub collation: Option<String>,
    pub comment: Option<String>,
}

impl Column {
    /// A nullable column of `data_type` with nothing else set.
    pub fn new(name: impl Into<String>, data_type: impl Into<String>) -> Column {
        Column {
            name: name.into(),
            data_type: data_type.into(),
            nullable: true,
            default: None,
            identity: None,
            generated: None,
            collation: None,
            comment: None,
        }
    }
}

/// How a column numbers itself.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Identity {
    /// PostgreSQL `GENERATED ALWAYS AS IDENTITY`.
    Always,
    /// PostgreSQL `GENERATED BY DEFAULT AS IDENTITY`, and `serial` (a default from an
    /// owned sequence) normalized to it.
    ByDefault,
    /// MySQL `AUTO_INCREMENT`, SQLite `INTEGER PRIMARY KEY AUTOINCREMENT`.
    AutoIncrement,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Generated {
    pub expression: String,
    pub stored: bool,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PrimaryKey {
    /// `None` where the dialect does not name it (SQLite, MySQL's is always PRIMARY).
    pub name: Option<String>,
    pub columns: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Unique {
    pub name: Option<String>,
    pub columns: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Index {
    pub name: String,
    pub unique: bool,
    pub parts: Vec<IndexPart>,
    /// A partial index's `WHERE`, normalized.
    pub predicate: Option<String>,
    /// `btree`, `gin`, `hash`…, where not the dialect's default.
    pub method: Option<String>,
    /// PostgreSQL `INCLUDE (…)`: columns stored in the index but not part of its key.
    pub include: Vec<String>,
    /// PostgreSQL 15 `NULLS NOT DISTINCT`: a unique index that admits one NULL only.
    pub nulls_not_distinct: bool,
}

/// One key of an index: a column or an expression, in order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IndexPart {
    /// A column name, or a normalized expression when `expression` is true.
    pub key: String,
    pub expression: bool,
    pub descending: bool,
    /// PostgreSQL `NULLS FIRST` (`Some(true)`) or `NULLS LAST` (`Some(false)`), only where
    /// not the direction's default (last ascending, first descending): the introspection
    /// reads the default as `None`, so a key said two ways is one value.
    pub nulls_first: Option<bool>,
    /// PostgreSQL operator class, where not the default one (`text_pattern_ops`…).
    pub opclass: Option<String>,
    /// PostgreSQL `COLLATE` of the key, where not the column's (or the expression type's).
    pub collation: Option<String>,
}

impl IndexPart {
    /// A key on the whole of column `name`, ascending, with nothing else set.
    pub fn column(name: impl Into<String>) -> IndexPart {
        IndexPart {
            key: name.into(),
            expression: false,
            descending: false,
            nulls_first: None,
            opclass: None,
            collation: None,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ForeignKey {
    pub name: Option<String>,
    pub columns: Vec<String>,
    pub references_table: String,
    pub references_columns: Vec<String>,
    pub on_delete: ReferentialAction,
    pub on_update: ReferentialAction,
    pub deferrable: Deferrable,
    /// PostgreSQL `MATCH FULL`: a key of several columns is all NULL or checked whole
    /// (the default, MATCH SIMPLE, skips the check when any column is NULL).
    pub match_full: bool,
    /// PostgreSQL `NOT VALID`: rows that were there when the key was added are unchecked.
    pub not_valid: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ReferentialAction {
    #[default]
    NoAction,
    Restrict,
    Cascade,
    SetNull,
    SetDefault,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Deferrable {
    #[default]
    NotDeferrable,
    InitiallyImmediate,
    InitiallyDeferred,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Check {
    pub name: Option<String>,
    /// Normalized.
    pub expression: String,
    /// PostgreSQL `NOT VALID`: rows that were there when the check was added are unchecked.
    pub not_valid: bool,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct View {
    pub name: String,
    /// The definition as the database normalizes it.
    pub definition: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EnumType {
    pub name: String,
    /// In the type's order.
    pub values: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Sequence {
    pub name: String,
    pub start: i64,
    pub increment: i64,
}

/// An object retort does not manage, as `check` lists it.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Unmanaged {
    /// `trigger`, `function`, `procedure`, `materialized view`, `extension`, `partition`…
    pub kind: String,
    pub name: String,
}
