//! A change as one line a reviewer reads: what `check` lists, what autogenerate reports,
//! and what a failed self-check shows. Names as the catalog spells them.

use std::fmt;

use super::change::{Change, ColumnChanges, Constraint};
use super::model::{Column, Index, TableOptions};

impl fmt::Display for Change {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Change::RenameTable { from, to } => write!(f, "rename table {from} to {to}"),
            Change::RenameColumn { table, from, to } => {
                write!(f, "rename column {table}.{from} to {to}")
            }
            Change::RenameConstraint {
                table,
                constraint,
                to,
            } => write!(
                f,
                "rename {} on {table} to {}",
                constraint_words(constraint),
                to.as_deref().unwrap_or("(unnamed)")
            ),
            Change::RenamePrimaryKey { table, key, to } => write!(
                f,
                "rename the primary key ({}) of {table} to {}",
                key.columns.join(", "),
                to.as_deref().unwrap_or("(unnamed)")
            ),
            Change::DropView(v) => write!(f, "drop view {}", v.name),
            Change::CreateView(v) => write!(f, "create view {}", v.name),
            Change::ReplaceView { to, .. } => write!(f, "change view {}", to.name),
            Change::CreateEnum(e) => write!(f, "create enum type {}", e.name),
            Change::DropEnum(e) => write!(f, "drop enum type {}", e.name),
            Change::AddEnumValue { name, value, .. } => {
                write!(f, "add value '{value}' to enum type {name}")
            }
            Change::RebuildEnum { from, to } => write!(
                f,
                "change the values of enum type {} from ({}) to ({})",
                to.name,
                from.values.join(", "),
                to.values.join(", ")
            ),
            Change::CreateSequence(s) => write!(f, "create sequence {}", s.name),
            Change::DropSequence(s) => write!(f, "drop sequence {}", s.name),
            Change::AlterSequence { to, .. } => write!(f, "change sequence {}", to.name),
            Change::CreateTable(t) => write!(f, "create table {}", t.name),
            Change::DropTable(t) => write!(f, "drop table {}", t.name),
            Change::SetTableComment { table, to, .. } => match to {
                Some(_) => write!(f, "set the comment of table {table}"),
                None => write!(f, "remove the comment of table {table}"),
            },
            Change::SetTableOptions { table, from, to } => {
                write!(f, "change table {table}: {}", option_changes(from, to))
            }
            Change::AddColumn { table, column } => {
                write!(
                    f,
                    "add column {table}.{} ({})",
                    column.name,
                    column_words(column)
                )
            }
            Change::DropColumn { table, column } => {
                write!(f, "drop column {table}.{}", column.name)
            }
            Change::AlterColumn { table, from, to } => {
                write!(f, "change column {table}.{}: ", to.name)?;
                f.write_str(&column_changes(from, to).join(", "))
            }
            Change::DropPrimaryKey { table, key } => write!(
                f,
                "drop the primary key ({}) of {table}",
                key.columns.join(", ")
            ),
            Change::AddPrimaryKey { table, key } => {
                write!(f, "add primary key ({}) to {table}", key.columns.join(", "))
            }
            Change::DropConstraint { table, constraint } => {
                write!(f, "drop {} on {table}", constraint_words(constraint))
            }
            Change::AddConstraint { table, constraint } => {
                write!(f, "add {} on {table}", constraint_words(constraint))
            }
            Change::DropIndex { table, index } => {
                write!(f, "drop index {} on {table}", index.name)
            }
            Change::CreateIndex { table, index } => {
                write!(f, "create {} on {table}", index_words(index))
            }
        }
    }
}

/// `without rowid → rowid, not strict → strict`: each option that differs.
fn option_changes(from: &TableOptions, to: &TableOptions) -> String {
    let word = |set: bool, yes: &str, no: &str| if set { yes } else { no }.to_string();
    let mut out = Vec::new();
    if from.without_rowid != to.without_rowid {
        let w = |set| word(set, "without rowid", "rowid");
        out.push(format!(
            "{} → {}",
            w(from.without_rowid),
            w(to.without_rowid)
        ));
    }
    if from.strict != to.strict {
        let w = |set| word(set, "strict", "not strict");
        out.push(format!("{} → {}", w(from.strict), w(to.strict)));
    }
    out.join(", ")
}

fn column_words(c: &Column) -> String {
    let mut out = c.data_type.clone();
    if !c.nullable {
        out.push_str(" not null");
    }
    if let Some(d) = &c.default {
        out.push_str(&format!(" default {d}"));
    }
    out
}

fn shown(value: &Option<String>) -> &str {
    value.as_deref().unwrap_or("none")
}

fn column_changes(from: &Column, to: &Column) -> Vec<String> {
    let which = ColumnChanges::between(from, to);
    let mut out = Vec::new();
    if which.data_type {
        out.push(format!("type {} → {}", from.data_type, to.data_type));
    }
    if which.nullable {
        out.push(
            if to.nullable {
                "not null → nullable"
            } else {
                "nullable → not null"
            }
            .to_string(),
        );
    }
    if which.default {
        out.push(format!(
            "default {} → {}",
            shown(&from.default),
            shown(&to.default)
        ));
    }
    if which.identity {
        out.push(format!("identity {:?} → {:?}", from.identity, to.identity));
    }
    if which.generated {
        let expr = |c: &Column| c.generated.as_ref().map(|g| g.expression.clone());
        out.push(format!(
            "generated {} → {}",
            shown(&expr(from)),
            shown(&expr(to))
        ));
    }
    if which.collation {
        out.push(format!(
            "collation {} → {}",
            shown(&from.collation),
            shown(&to.collation)
        ));
    }
    if which.comment {
        out.push("comment".to_string());
    }
    out
}

fn named(name: Option<&str>) -> String {
    name.map(|n| format!(" {n}")).unwrap_or_default()
}

fn constraint_words(c: &Constraint) -> String {
    match c {
        Constraint::Unique(u) => format!(
            "unique constraint{} ({})",
            named(u.name.as_deref()),
            u.columns.join(", ")
        ),
        Constraint::ForeignKey(k) => format!(
            "foreign key{} ({}) → {} ({}){}{}",
            named(k.name.as_deref()),
            k.columns.join(", "),
            k.references_table,
            k.references_columns.join(", "),
            if k.match_full { " match full" } else { "" },
            not_valid(k.not_valid)
        ),
        Constraint::Check(c) => format!(
            "check constraint{} ({}){}",
            named(c.name.as_deref()),
            c.expression,
            not_valid(c.not_valid)
        ),
    }
}

fn not_valid(set: bool) -> &'static str {
    if set {
        " not valid"
    } else {
        ""
    }
}

/// Each key with what it says beyond its column or expression, in DDL's words.
fn index_words(i: &Index) -> String {
    let keys: Vec<String> = i
        .parts
        .iter()
        .map(|p| {
            let mut key = p.key.clone();
            if let Some(collation) = &p.collation {
                key.push_str(&format!(" COLLATE {collation}"));
            }
            if let Some(class) = &p.opclass {
                key.push_str(&format!(" {class}"));
            }
            if p.descending {
                key.push_str(" DESC");
            }
            match p.nulls_first {
                Some(true) => key.push_str(" NULLS FIRST"),
                Some(false) => key.push_str(" NULLS LAST"),
                None => {}
            }
            key
        })
        .collect();
    let mut out = format!(
        "{}index {} ({})",
        if i.unique { "unique " } else { "" },
        i.name,
        keys.join(", ")
    );
    if !i.include.is_empty() {
        out.push_str(&format!(" include ({})", i.include.join(", ")));
    }
    if i.nulls_not_distinct {
        out.push_str(" nulls not distinct");
    }
    if let Some(p) = &i.predicate {
        out.push_str(&format!(" where {p}"));
    }
    out
}
