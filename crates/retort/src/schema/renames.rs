//! Renames: the ones the user asks for, the only way a diff renames a table or a column,
//! and the ones the diff suspects and lists without making (a wrong guess loses data
//! either way).

use super::change::{Change, ColumnChanges};
use super::model::Schema;

/// A rename of a table or of a column: asked for by the user ([`Renames`]), or suspected
/// by the diff ([`Diff::likely_renames`](super::Diff::likely_renames)). A column's `table`
/// may name the table before or after its own rename when asked for; a suspected one names
/// it as in the second schema.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub enum Rename {
    Table {
        from: String,
        to: String,
    },
    Column {
        table: String,
        from: String,
        to: String,
    },
}

/// `table OLD → NEW` or `column T.OLD → NEW`: how messages name it.
impl std::fmt::Display for Rename {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Rename::Table { from, to } => write!(f, "table {from} → {to}"),
            Rename::Column { table, from, to } => write!(f, "column {table}.{from} → {to}"),
        }
    }
}

/// The renames the user asked for, as explicit old and new names: the only way a diff
/// renames a table or a column, since a guess that is wrong loses data either way.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Renames {
    pub list: Vec<Rename>,
}

impl Renames {
    pub fn none() -> Renames {
        Renames::default()
    }

    pub fn table(mut self, from: impl Into<String>, to: impl Into<String>) -> Renames {
        self.list.push(Rename::Table {
            from: from.into(),
            to: to.into(),
        });
        self
    }

    /// The same renames the other way, for the diff back (the down section). A column's
    /// table keeps the name given: the diff finds it under either name.
    pub fn reversed(&self) -> Renames {
        let list = self
            .list
            .iter()
            .map(|rename| match rename {
                Rename::Table { from, to } => Rename::Table {
                    from: to.clone(),
                    to: from.clone(),
                },
                Rename::Column { table, from, to } => Rename::Column {
                    table: table.clone(),
                    from: to.clone(),
                    to: from.clone(),
                },
            })
            .collect();
        Renames { list }
    }

    pub fn column(
        mut self,
        table: impl Into<String>,
        from: impl Into<String>,
        to: impl Into<String>,
    ) -> Renames {
        self.list.push(Rename::Column {
            table: table.into(),
            from: from.into(),
            to: to.into(),
        });
        self
    }
}

/// The change a requested rename makes, if both schemas support it. A column's table may
/// be named as in either schema.
pub(super) fn rename_change(
    current: &Schema,
    to: &Schema,
    rename: &Rename,
    done: &[Change],
) -> Option<Change> {
    match rename {
        Rename::Table { from, to: new } => {
            let ok = current.tables.contains_key(from)
                && !current.tables.contains_key(new)
                && to.tables.contains_key(new);
            ok.then(|| Change::RenameTable {
                from: from.clone(),
                to: new.clone(),
            })
        }
        Rename::Column {
            table,
            from,
            to: new,
        } => {
            let table = if current.tables.contains_key(table) {
                table.clone()
            } else {
                // Named as in the first schema, and that table was renamed already.
                done.iter().find_map(|change| match change {
                    Change::RenameTable { from, to } if from == table => Some(to.clone()),
                    _ => None,
                })?
            };
            let ok = current
                .tables
                .get(&table)
                .is_some_and(|t| t.column(from).is_some() && t.column(new).is_none())
                && to
                    .tables
                    .get(&table)
                    .is_some_and(|t| t.column(new).is_some());
            ok.then(|| Change::RenameColumn {
                table,
                from: from.clone(),
                to: new.clone(),
            })
        }
    }
}

/// Dropped and added tables with the same columns and key, and dropped and added columns
/// of one table that differ only by name (and comment).
pub(super) fn likely_renames(changes: &[Change]) -> Vec<Rename> {
    let mut out = Vec::new();
    for dropped in changes {
        match dropped {
            Change::DropTable(old) => {
                for added in changes {
                    if let Change::CreateTable(new) = added {
                        if old.columns == new.columns
                            && old.primary_key.as_ref().map(|k| &k.columns)
                                == new.primary_key.as_ref().map(|k| &k.columns)
                        {
                            out.push(Rename::Table {
                                from: old.name.clone(),
                                to: new.name.clone(),
                            });
                        }
                    }
                }
            }
            Change::DropColumn { table, column: old } => {
                for added in changes {
                    if let Change::AddColumn {
                        table: t,
                        column: new,
                    } = added
                    {
                        let differs = ColumnChanges::between(old, new);
                        if t == table
                            && differs
                                == (ColumnChanges {
                                    comment: differs.comment,
                                    ..ColumnChanges::default()
                                })
                        {
                            out.push(Rename::Column {
                                table: table.clone(),
                                from: old.name.clone(),
                                to: new.name.clone(),
                            });
                        }
                    }
                }
            }
            _ => {}
        }
    }
    out.sort();
    out
}
