//! Expressions as MySQL and MariaDB write them back into the catalog (generated columns,
//! expression defaults, CHECK clauses, view definitions), in one spelling.
//!
//! The server already rewrites what a user typed (`lower(email)` becomes
//! ``lcase(`email`)`` on MariaDB, `(1+2)` becomes `(1 + 2)`), but not everything the same
//! way twice: a view's text names the database it was created in (`` `db`.`t`.`a` ``,
//! which differs between the declared schema's scratch database and the live one),
//! MySQL writes the connection's character set before string literals
//! (`_utf8mb4'a'`, which depends on the client that ran the DDL), and MySQL 8 wraps
//! CHECK clauses and expression defaults in parentheses that MariaDB leaves out. So:
//! comments dropped, one canonical spacing, unquoted words (keywords and functions: the
//! server quotes every name) lowercased, a backquoted name that needs no quotes written
//! bare, the current database's qualifier and charset introducers dropped, parentheses
//! around the whole dropped; literals kept exactly.

use crate::dialect::Dialect;
use crate::sql::expr::{render, strip_parens, tokens, Tok};
use crate::sql::lex::Kind;

/// `text` normalized; `database`, when given, is the qualifier dropped from names.
pub(super) fn expr(text: &str, database: Option<&str>) -> String {
    let toks = tokens(Dialect::Mysql, text);
    let mut kept: Vec<Tok<'_>> = Vec::with_capacity(toks.len());
    let mut i = 0;
    while i < toks.len() {
        let t = toks[i];
        let next = toks.get(i + 1);
        // `db`.`t`: the database is the one inspected, which differs between the
        // declared schema's scratch database and the live one.
        if let (Some(db), Some(n)) = (database, next) {
            if n.is_dot() && (t.kind == Kind::Word || t.text.starts_with('`')) && t.name() == db {
                i += 2;
                continue;
            }
        }
        // A charset introducer (`_utf8mb4'a'`): the client's character set when the
        // DDL ran, not the literal's meaning. `_binary` does change the meaning: kept.
        if t.kind == Kind::Word
            && t.text.starts_with('_')
            && !t.text.eq_ignore_ascii_case("_binary")
            && next.is_some_and(|n| n.kind == Kind::Quoted && n.text.starts_with('\''))
        {
            i += 1;
            continue;
        }
        kept.push(t);
        i += 1;
    }
    render(strip_parens(&kept), '`')
}
