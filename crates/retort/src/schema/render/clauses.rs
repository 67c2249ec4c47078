//! Pieces of DDL every dialect writes the same way.

use crate::schema::model::{Deferrable, ForeignKey, ReferentialAction};

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
