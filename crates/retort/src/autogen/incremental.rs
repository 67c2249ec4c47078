//! The declared DDL loaded into the kept dev database incrementally (PostgreSQL, MySQL).
//!
//! Why: loading a large declared schema is the slow part of `check` and autogenerate
//! (PostgreSQL takes seconds for 1,000 tables), while between two runs of the dev loop
//! usually one statement changed. So the dev database keeps what it holds, and a table
//! (`LOADED`) records it: a hash of everything (format, dialect, retort's version, every
//! statement), and per declared statement, in order, a hash of its text and the object it
//! creates. The next run then
//!
//! * loads nothing when every statement is the same;
//! * when every statement, old and new, is one whose object is known with certainty
//!   ([`classify`]), drops the objects whose statements changed or went, and every object
//!   whose statements name one of those (enum types, sequences, an index's table,
//!   transitively), then runs the statements of everything dropped or new, in declared
//!   order. A table that names a dropped table only through a foreign key stays: its keys
//!   into the dropped tables are dropped first and added again last (`links.rs`), so that
//!   editing a table a thousand others reference makes that one table again, not all;
//! * otherwise, and whenever any step fails, empties the database and loads it whole, so
//!   the result is always what a full load gives, and a bad statement is named by file and
//!   line as `Scratch::load` names it.
//!
//! "Names" is read generously: every identifier-like word of a statement's text (strings
//! and comments included) that is the name of a declared object counts as a dependency.
//! Too many dependencies only recreate more; PostgreSQL drops with `RESTRICT`, so a
//! dependency missed (say, a default that names a serial's implicit sequence) makes the
//! drop fail and the load start again from empty, never leaves a dependent half dropped.
//!
//! The record is deleted before anything is changed and written after everything ran: a
//! process stopped midway leaves no record, and the next run loads everything. DDL that
//! sets the session's state (`SET search_path`, `USE`) gets no record at all: loading
//! nothing would leave the reading session without it.
//!
//! The self-check keeps its copy of the live schema the same way, in the project's second
//! scratch database: it forgets the record before the generated sections run, and writes
//! it again only when the down section brought the database back to the copy
//! ([`forget_loaded`], [`remember_loaded`]).

use std::collections::{HashMap, HashSet};

use sha2::{Digest, Sha256};

use super::scratch::{Scratch, LOADED};
use super::source::DdlText;
use crate::db::Value;
use crate::dialect::Dialect;
use crate::error::Error;
use crate::sql::lex::{self, Kind};

/// Bumped when the record's meaning changes: an older record then means a full load.
const FORMAT: &str = "retort-dev-loaded-1";

/// How the declared DDL reached the scratch database.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Loaded {
    /// Emptied and loaded whole (SQLite's in-memory database always is).
    Full,
    /// The dev database already held exactly these statements.
    Unchanged,
    /// Objects dropped, and statements run again or for the first time.
    Incremental { dropped: usize, ran: usize },
}

/// Loads `ddl` into `scratch`, incrementally where that is certain (see the module
/// documentation); errors are those of a full load.
pub(crate) fn load(scratch: &mut Scratch, ddl: &[DdlText]) -> Result<Loaded, Error> {
    let dialect = scratch.dialect();
    if dialect == Dialect::Sqlite {
        scratch.load(ddl)?;
        return Ok(Loaded::Full);
    }
    let declared = Declared::read(dialect, ddl);
    if let Some(declared) = &declared {
        if let Ok(Some(loaded)) = try_incremental(scratch, declared) {
            return Ok(loaded);
        }
    }
    scratch.reset()?;
    scratch.load(ddl)?;
    // A statement that sets the session's state (`SET search_path`…) must run in every
    // session that reads the result: no record, so every run loads everything.
    if let Some(declared) = declared.filter(|d| !d.sets_session) {
        record(scratch, &declared)?;
    }
    Ok(Loaded::Full)
}

/// What kind of object a statement makes or changes: the key its statements are grouped
/// under, and what is dropped when they change.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
enum Object {
    /// A table with its `CREATE TABLE`, `ALTER TABLE` and `COMMENT ON` statements.
    Table(String),
    /// An index by name and the table it is on (MySQL's index names are per table).
    Index {
        name: String,
        table: String,
    },
    /// A PostgreSQL enum type.
    Type(String),
    Sequence(String),
}

impl Object {
    fn name(&self) -> &str {
        match self {
            Object::Table(n) | Object::Type(n) | Object::Sequence(n) => n,
            Object::Index { name, .. } => name,
        }
    }

    /// One line of the record (names never hold tabs or line breaks: [`classify`]).
    fn encode(&self) -> String {
        match self {
            Object::Table(n) => format!("T\t{n}\t"),
            Object::Index { name, table } => format!("I\t{name}\t{table}"),
            Object::Type(n) => format!("Y\t{n}\t"),
            Object::Sequence(n) => format!("S\t{n}\t"),
        }
    }

    fn decode(kind: &str, name: &str, table: &str) -> Option<Object> {
        let name = name.to_string();
        Some(match kind {
            "T" => Object::Table(name),
            "I" => Object::Index {
                name,
                table: table.to_string(),
            },
            "Y" => Object::Type(name),
            "S" => Object::Sequence(name),
            _ => return None,
        })
    }
}

/// The declared DDL of this run, split, hashed and (where possible) classified.
struct Declared {
    /// Format, dialect and retort's version: a record made under another is not used.
    base: String,
    /// `base` and every statement.
    summary: String,
    statements: Vec<String>,
    /// Per statement: its hash, and its object when every statement has one.
    hashes: Vec<String>,
    objects: Option<Vec<Object>>,
    /// Some statement changes the session rather than the database (`SET`, `USE`,
    /// `set_config`): its effect would be missing from a run that loads nothing.
    sets_session: bool,
}

impl Declared {
    /// `None` when the DDL does not split (or holds a NUL byte): the full load reports it.
    fn read(dialect: Dialect, ddl: &[DdlText]) -> Option<Declared> {
        let mut base = Sha256::new();
        base.update(FORMAT.as_bytes());
        base.update([0]);
        base.update(dialect.name().as_bytes());
        base.update([0]);
        base.update(env!("CARGO_PKG_VERSION").as_bytes());
        let mut summary = base.clone();
        let base = hex(&base.finalize(), 32);
        let mut statements = Vec::new();
        for piece in ddl {
            if piece.text.contains('\0') {
                return None;
            }
            for stmt in crate::sql::split(dialect, &piece.text).ok()? {
                statements.push(stmt.text);
            }
        }
        let mut hashes = Vec::with_capacity(statements.len());
        for text in &statements {
            let digest = Sha256::digest(text.as_bytes());
            summary.update(digest);
            hashes.push(hex(&digest, 16));
        }
        let objects = statements
            .iter()
            .map(|s| classify(dialect, s))
            .collect::<Option<Vec<_>>>();
        let sets_session = statements.iter().any(|s| sets_session(s));
        Some(Declared {
            base,
            summary: hex(&summary.finalize(), 32),
            statements,
            hashes,
            objects,
            sets_session,
        })
    }

    /// The record's text: one line per statement, or `-` when some statement has no
    /// known object.
    fn items(&self) -> String {
        let Some(objects) = &self.objects else {
            return "-".into();
        };
        let mut out = String::new();
        for (hash, object) in self.hashes.iter().zip(objects) {
            out.push_str(hash);
            out.push('\t');
            out.push_str(&object.encode());
            out.push('\n');
        }
        out
    }
}

/// Whether `text` may change the session's state: read generously (a word anywhere).
fn sets_session(text: &str) -> bool {
    let first = text.split_whitespace().next().unwrap_or("");
    ["SET", "RESET", "USE"]
        .iter()
        .any(|w| first.eq_ignore_ascii_case(w))
        || identifier_words(text).any(|w| w == "set_config" || w == "search_path")
}

fn hex(bytes: &[u8], take: usize) -> String {
    bytes
        .iter()
        .take(take)
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// What the dev database holds according to its record.
struct Record {
    base: String,
    summary: String,
    /// `None` when the statements loaded were not all classified.
    items: Option<Vec<(String, Object)>>,
}

fn read_record(scratch: &mut Scratch) -> Result<Option<Record>, Error> {
    if !scratch.has_table(LOADED)? {
        return Ok(None);
    }
    let dialect = scratch.dialect();
    let q = dialect.sql().quote_ident(LOADED);
    let rows = scratch
        .conn()
        .query(&format!("SELECT base, summary, items FROM {q}"), &[])
        .map_err(Error::db("reading what the dev database holds"))?;
    let [row] = rows.as_slice() else {
        return Ok(None);
    };
    let text = |i: usize| row.get(i).and_then(Value::as_str).map(str::to_string);
    let (Some(base), Some(summary), Some(items)) = (text(0), text(1), text(2)) else {
        return Ok(None);
    };
    let items = if items == "-" {
        None
    } else {
        let mut parsed = Vec::new();
        for line in items.lines() {
            let mut fields = line.split('\t');
            let (Some(hash), Some(kind), Some(name), Some(table)) =
                (fields.next(), fields.next(), fields.next(), fields.next())
            else {
                return Ok(None);
            };
            let Some(object) = Object::decode(kind, name, table) else {
                return Ok(None);
            };
            parsed.push((hash.to_string(), object));
        }
        Some(parsed)
    };
    Ok(Some(Record {
        base,
        summary,
        items,
    }))
}

/// Records what the dev database now holds (after the statements ran).
fn record(scratch: &mut Scratch, declared: &Declared) -> Result<(), Error> {
    let dialect = scratch.dialect();
    let q = dialect.sql().quote_ident(LOADED);
    let ctx = "recording what the dev database holds";
    let text = if dialect == Dialect::Mysql {
        "LONGTEXT"
    } else {
        "TEXT"
    };
    let sql = dialect.sql();
    let conn = scratch.conn();
    conn.run(&format!(
        "CREATE TABLE IF NOT EXISTS {q} (base VARCHAR(64), summary VARCHAR(64), items {text})"
    ))
    .map_err(Error::db(ctx))?;
    conn.run(&format!("DELETE FROM {q}"))
        .map_err(Error::db(ctx))?;
    conn.execute(
        &format!(
            "INSERT INTO {q} (base, summary, items) VALUES ({}, {}, {})",
            sql.placeholder(1),
            sql.placeholder(2),
            sql.placeholder(3)
        ),
        &[
            Value::Text(declared.base.clone()),
            Value::Text(declared.summary.clone()),
            Value::Text(declared.items()),
        ],
    )
    .map_err(Error::db(ctx))?;
    Ok(())
}

/// Forgets the record before the dev database is changed: whatever stops midway, the next
/// run finds no record and loads everything.
/// Before statements outside the record change the database (the self-check's up and
/// down sections): the record no longer says what it holds.
pub(crate) fn forget_loaded(scratch: &mut Scratch) -> Result<(), Error> {
    if scratch.dialect() == Dialect::Sqlite || !scratch.has_table(LOADED)? {
        return Ok(());
    }
    forget(scratch)
}

/// Once the database is back to exactly what `ddl` loaded (the self-check's down section
/// brought it back, as compared): recorded again, so the next run loads nothing.
pub(crate) fn remember_loaded(scratch: &mut Scratch, ddl: &[DdlText]) -> Result<(), Error> {
    let dialect = scratch.dialect();
    if dialect == Dialect::Sqlite {
        return Ok(());
    }
    match Declared::read(dialect, ddl).filter(|d| !d.sets_session) {
        Some(declared) => record(scratch, &declared),
        None => Ok(()),
    }
}

fn forget(scratch: &mut Scratch) -> Result<(), Error> {
    let q = scratch.dialect().sql().quote_ident(LOADED);
    scratch
        .conn()
        .run(&format!("DELETE FROM {q}"))
        .map_err(Error::db("recording what the dev database holds"))
}

/// The incremental load, without the fall-back: `Ok(None)` when it does not apply (no
/// usable record, or a statement without a known object), `Err` when a step failed (the
/// record is gone by then). The caller then loads everything.
fn try_incremental(scratch: &mut Scratch, declared: &Declared) -> Result<Option<Loaded>, Error> {
    let Some(old) = read_record(scratch)? else {
        return Ok(None);
    };
    if old.base != declared.base {
        return Ok(None);
    }
    if old.summary == declared.summary {
        return Ok(Some(Loaded::Unchanged));
    }
    let (Some(old_items), Some(new_objects)) = (&old.items, &declared.objects) else {
        return Ok(None);
    };
    let plan = plan(old_items, declared, new_objects);
    forget(scratch)?;
    let dropped: Vec<&str> = plan
        .drop
        .iter()
        .filter_map(|o| match o {
            Object::Table(n) => Some(n.as_str()),
            _ => None,
        })
        .collect();
    let keys = links::into(scratch, &dropped, &plan.relink)?;
    links::unlink(scratch, &keys)?;
    drop_objects(scratch, &plan.drop)?;
    for &i in &plan.run {
        if let Some(stmt) = declared.statements.get(i) {
            scratch
                .conn()
                .run(stmt)
                .map_err(Error::db("loading the declared schema again"))?;
        }
    }
    // Checked by the server as it adds them, as a full load would check them.
    links::relink(scratch, &keys)?;
    record(scratch, declared)?;
    Ok(Some(Loaded::Incremental {
        dropped: plan.drop.len(),
        ran: plan.run.len(),
    }))
}

/// What to drop (objects of the old load), which declared statements to run, and which
/// kept tables lose their foreign keys into dropped tables until those are made again.
#[derive(Debug, PartialEq, Eq)]
struct Plan {
    drop: Vec<Object>,
    run: Vec<usize>,
    /// Tables that stay, though they name a table that is dropped: only by a foreign key
    /// (see [`names_tables_by_keys_only`]), which [`links`] drops and adds again around the
    /// load.
    relink: Vec<String>,
}

/// The objects whose statements changed, went or are new, and transitively those whose
/// statements name one of them.
fn plan(old: &[(String, Object)], declared: &Declared, objects: &[Object]) -> Plan {
    // Each object's statements' hashes, in order: an object is unchanged when its whole
    // sequence is (an ALTER TABLE moved before another changes the table).
    let mut before: HashMap<&Object, Vec<&str>> = HashMap::new();
    for (hash, object) in old {
        before.entry(object).or_default().push(hash.as_str());
    }
    let mut after: HashMap<&Object, Vec<&str>> = HashMap::new();
    let mut words: HashMap<&Object, HashSet<String>> = HashMap::new();
    // Tables every statement of which can name another table only by a foreign key.
    let mut relinkable: HashSet<&Object> = objects.iter().collect();
    for ((hash, object), text) in declared
        .hashes
        .iter()
        .zip(objects)
        .zip(&declared.statements)
    {
        after.entry(object).or_default().push(hash.as_str());
        words
            .entry(object)
            .or_default()
            .extend(identifier_words(text));
        if !names_tables_by_keys_only(text) {
            relinkable.remove(object);
        }
    }
    // Objects that name each word (other than their own name).
    let mut named_by: HashMap<&str, Vec<&Object>> = HashMap::new();
    for (object, ws) in &words {
        let own = object.name().to_lowercase();
        for w in ws {
            if *w != own {
                named_by.entry(w.as_str()).or_default().push(object);
            }
        }
    }
    let mut dirty: HashSet<&Object> = HashSet::new();
    let mut queue: Vec<&Object> = Vec::new();
    for (object, hashes) in &before {
        if after.get(object) != Some(hashes) {
            dirty.insert(object);
            queue.push(object);
        }
    }
    for object in after.keys() {
        if !before.contains_key(object) && dirty.insert(object) {
            queue.push(object);
        }
    }
    // A table that names a table being made again only through a foreign key stays, its
    // key dropped and added again around the load; anything else that names a dropped
    // object is dropped and made again too.
    let mut relinked: HashSet<&Object> = HashSet::new();
    while let Some(changed) = queue.pop() {
        let name = changed.name().to_lowercase();
        for &object in named_by.get(name.as_str()).into_iter().flatten() {
            let by_key_only = matches!(changed, Object::Table(_))
                && matches!(object, Object::Table(_))
                && relinkable.contains(object);
            if by_key_only {
                relinked.insert(object);
            } else if dirty.insert(object) {
                queue.push(object);
            }
        }
    }
    let mut relink: Vec<String> = relinked
        .into_iter()
        .filter(|o| !dirty.contains(o))
        .map(|o| o.name().to_string())
        .collect();
    relink.sort();
    let mut drop: Vec<Object> = Vec::new();
    let mut seen = HashSet::new();
    for (_, object) in old {
        if dirty.contains(object) && seen.insert(object) {
            drop.push(object.clone());
        }
    }
    let run = objects
        .iter()
        .enumerate()
        .filter(|(_, o)| dirty.contains(o))
        .map(|(i, _)| i)
        .collect();
    Plan { drop, run, relink }
}

/// Whether a table's statement can name another table only in a foreign key, read
/// generously: not when it copies another table's definition (`LIKE`, `AS SELECT`,
/// `AS TABLE`), or inherits or partitions one, whose change would change this table too.
/// A word that only looks like one of those (in a comment, say) recreates the table, as
/// before.
fn names_tables_by_keys_only(text: &str) -> bool {
    let mut tables = 0;
    for word in identifier_words(text) {
        match word.as_str() {
            "like" | "inherits" | "partition" | "select" => return false,
            "table" => tables += 1,
            _ => {}
        }
    }
    tables <= 1
}

/// Every identifier-like word of `text`, lower-cased: letters, digits, `_` and `$`.
fn identifier_words(text: &str) -> impl Iterator<Item = String> + '_ {
    text.split(|c: char| !(c.is_alphanumeric() || c == '_' || c == '$'))
        .filter(|w| !w.is_empty())
        .map(str::to_lowercase)
}

/// Drops objects of the old load: an index alone only when its table stays. PostgreSQL
/// drops each kind in one statement with `RESTRICT` (dependencies among the dropped are
/// fine, one outside them fails); MySQL without foreign-key checks, as `reset` does.
fn drop_objects(scratch: &mut Scratch, drop: &[Object]) -> Result<(), Error> {
    let dialect = scratch.dialect();
    let sql = dialect.sql();
    let q = |n: &str| sql.quote_ident(n);
    let tables: HashSet<&str> = drop
        .iter()
        .filter_map(|o| match o {
            Object::Table(n) => Some(n.as_str()),
            _ => None,
        })
        .collect();
    let names = |pick: fn(&Object) -> Option<&str>| -> Vec<String> {
        drop.iter().filter_map(pick).map(q).collect()
    };
    let lone_indexes: Vec<(&str, &str)> = drop
        .iter()
        .filter_map(|o| match o {
            Object::Index { name, table } if !tables.contains(table.as_str()) => {
                Some((name.as_str(), table.as_str()))
            }
            _ => None,
        })
        .collect();
    let table_names = names(|o| match o {
        Object::Table(n) => Some(n),
        _ => None,
    });
    let sequences = names(|o| match o {
        Object::Sequence(n) => Some(n),
        _ => None,
    });
    let types = names(|o| match o {
        Object::Type(n) => Some(n),
        _ => None,
    });
    let mut statements = Vec::new();
    match dialect {
        Dialect::Postgres => {
            let each = |what: &str, list: Vec<String>, out: &mut Vec<String>| {
                if !list.is_empty() {
                    out.push(format!(
                        "DROP {what} IF EXISTS {} RESTRICT",
                        list.join(", ")
                    ));
                }
            };
            let indexes = lone_indexes.iter().map(|(n, _)| q(n)).collect();
            each("INDEX", indexes, &mut statements);
            each("TABLE", table_names, &mut statements);
            each("SEQUENCE", sequences, &mut statements);
            each("TYPE", types, &mut statements);
        }
        _ => {
            statements.push("SET FOREIGN_KEY_CHECKS = 0".to_string());
            for (name, table) in &lone_indexes {
                statements.push(format!("DROP INDEX {} ON {}", q(name), q(table)));
            }
            if !table_names.is_empty() {
                statements.push(format!("DROP TABLE IF EXISTS {}", table_names.join(", ")));
            }
            if !sequences.is_empty() {
                statements.push(format!("DROP SEQUENCE IF EXISTS {}", sequences.join(", ")));
            }
        }
    }
    let ctx = "dropping what changed in the dev database";
    let mut result = Ok(());
    for stmt in &statements {
        result = scratch.conn().run(stmt).map_err(Error::db(ctx));
        if result.is_err() {
            break;
        }
    }
    if dialect == Dialect::Mysql {
        // Back on even after a failure: the full load that follows runs with checks.
        let on = scratch
            .conn()
            .run("SET FOREIGN_KEY_CHECKS = 1")
            .map_err(Error::db(ctx));
        result = result.and(on);
    }
    result
}

/// The object a declared statement creates or changes, when that is certain:
///
/// * `CREATE TABLE [IF NOT EXISTS] t`, `ALTER TABLE [IF EXISTS] [ONLY] t …` (not renaming
///   it, moving it to another schema, or attaching, detaching, exchanging or inheriting
///   tables), `COMMENT ON TABLE t` and `COMMENT ON COLUMN t.c` (PostgreSQL): table `t`;
/// * `CREATE [UNIQUE] INDEX [IF NOT EXISTS] i [USING m] ON [ONLY] t` (MySQL also
///   `FULLTEXT`, `SPATIAL`): index `i` on `t`;
/// * `CREATE TYPE e AS ENUM` (PostgreSQL), `CREATE SEQUENCE [IF NOT EXISTS] s`.
///
/// Names qualified by a schema (or database) are not: the object may be outside the
/// dev database's schema. Anything else (views, functions, `SET`, `INSERT`…) is `None`.
fn classify(dialect: Dialect, text: &str) -> Option<Object> {
    let lexed = lex::lex(dialect, text, 0);
    // A statement is an exact slice ending with its last token: lexemes that stop short
    // of its end mean the tokenizer gave up.
    if lexed.lexemes.last().map(|l| l.range.end) != Some(text.len()) {
        return None;
    }
    let tokens: Vec<(Kind, &str)> = lexed
        .lexemes
        .iter()
        .filter(|l| l.kind.is_significant())
        .map(|l| (l.kind, text.get(l.range.clone()).unwrap_or("")))
        .collect();
    let mut at = Tokens {
        tokens: &tokens,
        i: 0,
        dialect,
    };
    let pg = dialect == Dialect::Postgres;
    if at.word("CREATE") {
        if at.word("TABLE") {
            at.if_not_exists();
            return at.name().map(Object::Table);
        }
        let _ = at.word("UNIQUE") || (!pg && (at.word("FULLTEXT") || at.word("SPATIAL")));
        if at.word("INDEX") {
            if at.word("CONCURRENTLY") {
                return None;
            }
            at.if_not_exists();
            let name = at.name()?;
            if at.word("USING") {
                at.i += 1;
            }
            if !at.word("ON") {
                return None;
            }
            let _ = pg && at.word("ONLY");
            let table = at.name()?;
            return Some(Object::Index { name, table });
        }
        if pg && at.word("TYPE") {
            let name = at.name()?;
            return (at.word("AS") && at.word("ENUM")).then_some(Object::Type(name));
        }
        if at.word("SEQUENCE") {
            at.if_not_exists();
            return at.name().map(Object::Sequence);
        }
        return None;
    }
    if pg && at.word("COMMENT") && at.word("ON") {
        if at.word("TABLE") {
            return at.name().map(Object::Table);
        }
        if at.word("COLUMN") {
            let table = at.part()?;
            if !at.symbol(".") {
                return None;
            }
            at.name()?;
            return Some(Object::Table(table));
        }
        return None;
    }
    if at.word("ALTER") && at.word("TABLE") {
        const MOVES: [&str; 6] = [
            "RENAME", "SCHEMA", "ATTACH", "DETACH", "EXCHANGE", "INHERIT",
        ];
        let moves = tokens
            .iter()
            .any(|(k, t)| *k == Kind::Word && MOVES.iter().any(|m| t.eq_ignore_ascii_case(m)));
        if moves {
            return None;
        }
        if at.word("IF") && !at.word("EXISTS") {
            return None;
        }
        let _ = pg && at.word("ONLY");
        return at.name().map(Object::Table);
    }
    None
}

/// A cursor over a statement's significant tokens.
struct Tokens<'a> {
    tokens: &'a [(Kind, &'a str)],
    i: usize,
    dialect: Dialect,
}

impl Tokens<'_> {
    /// Takes keyword `kw` if it is next.
    fn word(&mut self, kw: &str) -> bool {
        match self.tokens.get(self.i) {
            Some((Kind::Word, t)) if t.eq_ignore_ascii_case(kw) => {
                self.i += 1;
                true
            }
            _ => false,
        }
    }

    fn symbol(&mut self, s: &str) -> bool {
        match self.tokens.get(self.i) {
            Some((_, t)) if *t == s => {
                self.i += 1;
                true
            }
            _ => false,
        }
    }

    fn if_not_exists(&mut self) {
        let start = self.i;
        if !(self.word("IF") && self.word("NOT") && self.word("EXISTS")) {
            self.i = start;
        }
    }

    /// An unqualified name: as the server stores it.
    fn name(&mut self) -> Option<String> {
        let name = self.part()?;
        match self.tokens.get(self.i) {
            Some((_, ".")) => None,
            _ => Some(name),
        }
    }

    /// One part of a name: an unquoted word (folded to lower case on PostgreSQL, as the
    /// server does) or an identifier in the dialect's quotes. Names with control
    /// characters are refused (they could not be kept in the record's lines).
    fn part(&mut self) -> Option<String> {
        let (kind, text) = *self.tokens.get(self.i)?;
        let quote = match self.dialect {
            Dialect::Mysql => '`',
            _ => '"',
        };
        let name = match kind {
            Kind::Word if self.dialect == Dialect::Postgres => text.to_ascii_lowercase(),
            Kind::Word => text.to_string(),
            Kind::Quoted => {
                let inner = text.strip_prefix(quote)?.strip_suffix(quote)?;
                let doubled: String = [quote, quote].iter().collect();
                inner.replace(&doubled, &quote.to_string())
            }
            _ => return None,
        };
        if name.is_empty() || name.chars().any(char::is_control) {
            return None;
        }
        self.i += 1;
        Some(name)
    }
}

mod links;
#[cfg(test)]
mod tests;
