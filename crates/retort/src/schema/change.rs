//! What a diff is made of: one change to one object, carrying enough of both sides that a
//! dialect can render it forwards without looking at either schema again, and that the
//! command can list what it destroys.

use super::model::{
    Check, Column, EnumType, ForeignKey, Index, PrimaryKey, Sequence, Table, TableOptions, Unique,
    View,
};
use super::narrowing::narrows;
use super::renames::Rename;

/// One step from one schema towards another. The list in a [`Diff`] is in an order a
/// database accepts (see `order.rs`); every name in a change is the name the object has
/// at that point of the list (after earlier renames).
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Change {
    /// Only from an explicit rename: never guessed (see [`Diff::likely_renames`]).
    RenameTable {
        from: String,
        to: String,
    },
    /// Only from an explicit rename; `table` is the table's new name (table renames come
    /// first).
    RenameColumn {
        table: String,
        from: String,
        to: String,
    },
    /// The same definition under another name (or a name where the dialect kept none):
    /// renamed so that later migrations, which address constraints by name, find it.
    RenameConstraint {
        table: String,
        constraint: Constraint,
        to: Option<String>,
    },
    /// The same columns under another name: a rename, not a drop and add that would take
    /// every foreign key standing on the key with it.
    RenamePrimaryKey {
        table: String,
        key: PrimaryKey,
        to: Option<String>,
    },
    DropView(View),
    CreateView(View),
    /// Kept in place only when nothing in the diff changes a table's shape; otherwise the
    /// order splits it into a drop first and a create last.
    ReplaceView {
        from: View,
        to: View,
    },
    CreateEnum(EnumType),
    DropEnum(EnumType),
    /// A value added without touching the others: no table rewrite on PostgreSQL.
    AddEnumValue {
        name: String,
        value: String,
        position: EnumPosition,
    },
    /// Values removed or reordered: the type is rebuilt, which rewrites every table that
    /// uses it, and rows holding a removed value cannot be converted.
    RebuildEnum {
        from: EnumType,
        to: EnumType,
    },
    CreateSequence(Sequence),
    DropSequence(Sequence),
    AlterSequence {
        from: Sequence,
        to: Sequence,
    },
    /// The whole table; foreign keys that close a cycle are left out here and added after
    /// every table exists (as [`Change::AddConstraint`]).
    CreateTable(Table),
    /// The whole table as it was, for the destructive list and its row count; foreign keys
    /// that close a cycle are left out here and dropped before any table is.
    DropTable(Table),
    SetTableComment {
        table: String,
        from: Option<String>,
        to: Option<String>,
    },
    /// SQLite's WITHOUT ROWID or STRICT set or cleared: the table is rebuilt.
    SetTableOptions {
        table: String,
        from: TableOptions,
        to: TableOptions,
    },
    /// Appended: column order is not compared (only MySQL could place it).
    AddColumn {
        table: String,
        column: Column,
    },
    DropColumn {
        table: String,
        column: Column,
    },
    /// Same name; any of type, nullability, default, identity, generated expression,
    /// collation or comment differs ([`ColumnChanges`] says which).
    AlterColumn {
        table: String,
        from: Column,
        to: Column,
    },
    DropPrimaryKey {
        table: String,
        key: PrimaryKey,
    },
    AddPrimaryKey {
        table: String,
        key: PrimaryKey,
    },
    DropConstraint {
        table: String,
        constraint: Constraint,
    },
    AddConstraint {
        table: String,
        constraint: Constraint,
    },
    DropIndex {
        table: String,
        index: Index,
    },
    CreateIndex {
        table: String,
        index: Index,
    },
}

/// Table constraints other than the primary key, matched by definition rather than by
/// name, because names a database generates are not part of what the user declared.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Constraint {
    Unique(Unique),
    ForeignKey(ForeignKey),
    Check(Check),
}

impl Constraint {
    pub fn name(&self) -> Option<&str> {
        match self {
            Constraint::Unique(u) => u.name.as_deref(),
            Constraint::ForeignKey(f) => f.name.as_deref(),
            Constraint::Check(c) => c.name.as_deref(),
        }
    }

    /// The same constraint under `name`.
    pub fn renamed(&self, name: Option<String>) -> Constraint {
        let mut out = self.clone();
        match &mut out {
            Constraint::Unique(u) => u.name = name,
            Constraint::ForeignKey(f) => f.name = name,
            Constraint::Check(c) => c.name = name,
        }
        out
    }

    /// Equal but for the name: what "the same constraint" means across two loads.
    pub fn same_definition(&self, other: &Constraint) -> bool {
        self.renamed(None) == other.renamed(None)
    }
}

/// Where `ALTER TYPE … ADD VALUE` puts a value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EnumPosition {
    Before(String),
    After(String),
    /// The type had no values.
    End,
}

/// Which parts of a column an [`Change::AlterColumn`] changes, so that a dialect renders
/// only those.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct ColumnChanges {
    pub data_type: bool,
    pub nullable: bool,
    pub default: bool,
    pub identity: bool,
    pub generated: bool,
    pub collation: bool,
    pub comment: bool,
}

impl ColumnChanges {
    pub fn between(from: &Column, to: &Column) -> ColumnChanges {
        ColumnChanges {
            data_type: from.data_type != to.data_type,
            nullable: from.nullable != to.nullable,
            default: from.default != to.default,
            identity: from.identity != to.identity,
            generated: from.generated != to.generated,
            collation: from.collation != to.collation,
            comment: from.comment != to.comment,
        }
    }
}

/// The ordered changes that take one schema to another, and what the caller must know
/// before writing them.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Diff {
    pub changes: Vec<Change>,
    /// A dropped and an added table (or column of one table) of the same definition: the
    /// caller refuses the diff until the user names the rename or allows the drop.
    pub likely_renames: Vec<Rename>,
    /// Requested renames the two schemas do not support (the old name is not in the
    /// first, the new one not in the second, or the new name is already taken): left out,
    /// and listed so the caller refuses them rather than drop and add.
    pub ignored_renames: Vec<Rename>,
}

impl Diff {
    pub fn is_empty(&self) -> bool {
        self.changes.is_empty()
    }

    /// The changes that lose data: dropped tables and columns, type changes that may not
    /// keep every value (unknown type pairs count), a column made generated (its stored
    /// values are replaced), and enum rebuilds that remove values.
    /// The command lists them and comments each with the rows it touches.
    pub fn destructive(&self) -> Vec<&Change> {
        self.changes
            .iter()
            .filter(|change| match change {
                Change::DropTable(_) | Change::DropColumn { .. } => true,
                Change::AlterColumn { from, to, .. } => {
                    narrows(&from.data_type, &to.data_type)
                        || (from.generated.is_none() && to.generated.is_some())
                }
                Change::RebuildEnum { from, to } => {
                    from.values.iter().any(|v| !to.values.contains(v))
                }
                _ => false,
            })
            .collect()
    }
}
