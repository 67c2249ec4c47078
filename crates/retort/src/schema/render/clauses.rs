//! Pieces of DDL every dialect writes the same way.

use crate::dialect::Dialect;
use crate::schema::model::{Deferrable, ForeignKey, Index, ReferentialAction, View};

/// A foreign key's ` ON DELETE …`, ` ON UPDATE …` (only where not NO ACTION) and, where the
/// dialect has it, ` DEFERRABLE INITIALLY …`.
pub(super) fn key_actions(fk: &ForeignKey, deferrable: bool) -> String {
    let mut out = String::new();
    for (on, action) in [("DELETE", fk.on_delete), ("UPDATE", fk.on_update)] {
        if action != ReferentialAction::NoAction {
            out.push_str(&format!(" ON {on} {}", referential(action)));
        }
    }
    if deferrable {
        match fk.deferrable {
            Deferrable::NotDeferrable => {}
            Deferrable::InitiallyImmediate => out.push_str(" DEFERRABLE INITIALLY IMMEDIATE"),
            Deferrable::InitiallyDeferred => out.push_str(" DEFERRABLE INITIALLY DEFERRED"),
        }
    }
    out
}

pub(super) fn referential(action: ReferentialAction) -> &'static str {
    match action {
        ReferentialAction::NoAction => "NO ACTION",
        ReferentialAction::Restrict => "RESTRICT",
        ReferentialAction::Cascade => "CASCADE",
        ReferentialAction::SetNull => "SET NULL",
        ReferentialAction::SetDefault => "SET DEFAULT",
    }
}

/// A numeric literal, signed or not (`-1`, `0.5`, `1e3`, `0x1F`).
pub(super) fn is_number(text: &str) -> bool {
    let number = text.strip_prefix(['-', '+']).unwrap_or(text);
    !number.is_empty()
        && number.starts_with(|c: char| c.is_ascii_digit() || c == '.')
        && number
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '.' || c == '+' || c == '-')
}

/// `CREATE [UNIQUE] INDEX`, for the dialects that write an index as a statement of its own
/// (SQLite, PostgreSQL; MySQL's go in its ALTER TABLE). PostgreSQL wants an expression key
/// parenthesized (anything but a column or a function call), and takes a method, a key's
/// collation, operator class and NULLS FIRST/LAST, INCLUDE and NULLS NOT DISTINCT.
pub(super) fn create_index(dialect: Dialect, table: &str, index: &Index) -> String {
    let q = |name: &str| dialect.sql().quote_ident(name);
    let postgres = dialect == Dialect::Postgres;
    let parts: Vec<String> = index
        .parts
        .iter()
        .map(|p| {
            let mut key = match (p.expression, postgres) {
                (true, true) => format!("({})", p.key),
                (true, false) => p.key.clone(),
                (false, _) => q(&p.key),
            };
            if let Some(collation) = p.collation.as_ref().filter(|_| postgres) {
                key.push_str(&format!(" COLLATE {collation}"));
            }
            if let Some(class) = p.opclass.as_ref().filter(|_| postgres) {
                key.push_str(&format!(" {class}"));
            }
            if p.descending {
                key.push_str(" DESC");
            }
            match p.nulls_first.filter(|_| postgres) {
                Some(true) => key.push_str(" NULLS FIRST"),
                Some(false) => key.push_str(" NULLS LAST"),
                None => {}
            }
            key
        })
        .collect();
    let method = match &index.method {
        Some(m) if postgres => format!(" USING {m}"),
        _ => String::new(),
    };
    let mut out = format!(
        "CREATE {}INDEX {} ON {}{method} ({})",
        if index.unique { "UNIQUE " } else { "" },
        q(&index.name),
        q(table),
        parts.join(", ")
    );
    if postgres && !index.include.is_empty() {
        let columns: Vec<String> = index.include.iter().map(|c| q(c)).collect();
        out.push_str(&format!(" INCLUDE ({})", columns.join(", ")));
    }
    if postgres && index.nulls_not_distinct {
        out.push_str(" NULLS NOT DISTINCT");
    }
    if let Some(predicate) = &index.predicate {
        out.push_str(" WHERE ");
        out.push_str(predicate);
    }
    out
}

pub(super) fn create_view(dialect: Dialect, view: &View) -> String {
    format!(
        "CREATE VIEW {} AS {}",
        dialect.sql().quote_ident(&view.name),
        view.definition
    )
}

pub(super) fn drop_view(dialect: Dialect, name: &str) -> String {
    format!("DROP VIEW {}", dialect.sql().quote_ident(name))
}
