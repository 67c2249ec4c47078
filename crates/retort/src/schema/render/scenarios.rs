//! The rendering's two test scenarios, each defined once and run on every database through
//! that database's [`Target`] (tests.rs for SQLite, postgres_tests.rs, mysql/tests.rs):
//! - [`each_kind_of_change`]: hand-written cases, one per kind of change, each with rows;
//! - [`round_trip`]: one random pair of schemas of a property test.
//!
//! In both the rendered SQL runs on the database itself, and its introspection must read
//! back exactly the schema the SQL was meant to make: the database, not our parser,
//! decides what the SQL did. Only what differs per database (its DDL, which schemas its
//! introspection can give, what a row holds) stays beside its Target.

use super::{render, Rendered};
use crate::dialect::Dialect;
use crate::schema::proptests::canonical;
#[cfg(any(feature = "sqlite", feature = "postgres"))]
use crate::schema::Table;
use crate::schema::{diff, Column, Renames, Schema};

/// One live database, as the scenarios use it.
pub(super) trait Target {
    fn dialect(&self) -> Dialect;
    /// Empties the database (or starts a new one).
    fn reset(&mut self);
    /// Runs SQL a test wrote (a case's DDL, its rows): any number of statements.
    fn sql(&mut self, sql: &str) -> Result<(), String>;
    /// Runs rendered statements as the migrator would (its transaction, foreign keys off
    /// where asked).
    fn run(&mut self, rendered: &Rendered) -> Result<(), String>;
    /// The introspection's model of the database, retort's own tables left out.
    fn schema(&mut self) -> Schema;
    /// The number a `SELECT count(*)` gives.
    fn count(&mut self, sql: &str) -> Result<i64, String>;
    /// The statements that turn this session's foreign-key checks off, then on again:
    /// rows are inserted with keys unchecked, since tables may reference each other in a
    /// cycle.
    fn keys_unchecked(&self) -> [&'static str; 2];
    /// The type a value is cast to for comparing it as text (a column's type may have
    /// changed under the row).
    fn text_type(&self) -> &'static str;
}

/// Renders `from` → `to`, runs it on `t` (which holds `from`), and checks that the
/// database then holds `to`, by its own introspection.
pub(super) fn migrate(
    t: &mut dyn Target,
    from: &Schema,
    to: &Schema,
    renames: &Renames,
) -> Result<Rendered, String> {
    let d = diff(from, to, renames);
    let rendered = render(&d, from, to, t.dialect()).map_err(|e| e.to_string())?;
    t.run(&rendered)
        .map_err(|e| format!("{e}\n{:#?}", d.changes))?;
    let got = t.schema();
    let left = diff(&got, to, &Renames::none());
    if !left.is_empty() || canonical(&got) != canonical(to) {
        return Err(format!(
            "left {:#?}\nreached\n{got:#?}\nexpected\n{to:#?}\nby\n{}",
            left.changes,
            rendered.statements.join(";\n")
        ));
    }
    Ok(rendered)
}

/// One kind of change: DDL A and DDL B, the rows A holds and what must remain of them
/// under B, and what the rendering must say of itself.
pub(super) struct Case {
    pub(super) name: &'static str,
    a: &'static str,
    b: &'static str,
    renames: Renames,
    /// Rows inserted under A.
    rows: &'static str,
    /// A count under B, and the number it must give.
    kept: (&'static str, i64),
    /// A statement that must work under B (an insert numbered by a new identity…).
    then: &'static str,
    /// Words a note of A → B holds.
    note: Option<&'static str>,
    /// Whether A → B must run outside a transaction (PostgreSQL).
    outside: bool,
    /// Whether A → B rebuilds a table (SQLite).
    rebuilds: bool,
    /// Whether A → B turns foreign-key enforcement off (SQLite: a rebuild does).
    keys_off: bool,
}

/// The case named `name`, from DDL `a` to DDL `b`, with no rows and nothing to say.
pub(super) fn case(name: &'static str, a: &'static str, b: &'static str) -> Case {
    Case {
        name,
        a,
        b,
        renames: Renames::none(),
        rows: "",
        kept: ("SELECT 0", 0),
        then: "",
        note: None,
        outside: false,
        rebuilds: false,
        keys_off: false,
    }
}

/// The builders beyond rows and renames serve the cases of one or two databases only.
impl Case {
    pub(super) fn rows(mut self, rows: &'static str, kept: &'static str, n: i64) -> Case {
        self.rows = rows;
        self.kept = (kept, n);
        self
    }
    pub(super) fn renames(mut self, renames: Renames) -> Case {
        self.renames = renames;
        self
    }
    #[cfg(feature = "postgres")]
    pub(super) fn then(mut self, then: &'static str) -> Case {
        self.then = then;
        self
    }
    #[cfg(any(feature = "postgres", feature = "mysql"))]
    pub(super) fn note(mut self, note: &'static str) -> Case {
        self.note = Some(note);
        self
    }
    #[cfg(feature = "postgres")]
    pub(super) fn outside(mut self) -> Case {
        self.outside = true;
        self
    }
    #[cfg(feature = "sqlite")]
    pub(super) fn rebuilds(mut self) -> Case {
        self.rebuilds = true;
        self.keys_off = true;
        self
    }
    #[cfg(feature = "sqlite")]
    pub(super) fn keys_off(mut self) -> Case {
        self.keys_off = true;
        self
    }
}

/// Each case: A and B loaded from their DDL (so that the database's own names stand) and
/// read back; A with its rows taken to B, where the rows kept must be there, and back to
/// A; then A and B each made from nothing by the rendered SQL and dropped again.
pub(super) fn each_kind_of_change(t: &mut dyn Target, cases: Vec<Case>) {
    let empty = Schema::new(t.dialect());
    let none = Renames::none();
    for case in cases {
        let name = case.name;
        let mut load = |ddl: &str, what: &str| {
            t.reset();
            t.sql(ddl)
                .unwrap_or_else(|e| panic!("{name}: loading {what}: {e}"));
            t.schema()
        };
        let b = load(case.b, "B");
        let a = load(case.a, "A");
        t.sql(case.rows)
            .unwrap_or_else(|e| panic!("{name}: rows: {e}"));
        let up = migrate(t, &a, &b, &case.renames).unwrap_or_else(|e| panic!("{name}: up: {e}"));
        assert_eq!(up.outside_transaction, case.outside, "{name}: {up:#?}");
        assert_eq!(up.foreign_keys_off, case.keys_off, "{name}: {up:#?}");
        assert_eq!(!up.rebuilt.is_empty(), case.rebuilds, "{name}: {up:#?}");
        if let Some(note) = case.note {
            assert!(
                up.notes.iter().any(|n| n.contains(note)),
                "{name}: {:?}",
                up.notes
            );
        }
        if !case.then.is_empty() {
            t.sql(case.then)
                .unwrap_or_else(|e| panic!("{name}: under B: {e}\n{:#?}", up.statements));
        }
        let kept = t
            .count(case.kept.0)
            .unwrap_or_else(|e| panic!("{name}: count: {e}"));
        assert_eq!(kept, case.kept.1, "{name}: rows after up\n{up:#?}");
        migrate(t, &b, &a, &case.renames.reversed())
            .unwrap_or_else(|e| panic!("{name}: down: {e}"));
        for (what, s) in [("A", &a), ("B", &b)] {
            t.reset();
            migrate(t, &empty, s, &none).unwrap_or_else(|e| panic!("{name}: creating {what}: {e}"));
            migrate(t, s, &empty, &none).unwrap_or_else(|e| panic!("{name}: dropping {what}: {e}"));
        }
    }
}

/// What one row per table holds on a database, for [`round_trip`].
pub(super) struct Rows {
    /// The value a row holds in a column, as SQL (`1`, `NULL`); `None` where the
    /// database numbers or computes it.
    pub(super) value: fn(&Column) -> Option<&'static str>,
    /// Whether one row per table of the first schema can be migrated to the second at
    /// all (not when the second adds a NOT NULL column without a default, say): such a
    /// migration fails on the rows by design, not by a fault of the rendering.
    pub(super) fit: fn(&Schema, &Schema) -> bool,
}

/// A row's value where any value fits: NULL where the column allows it (so that a foreign
/// key added later has nothing to check), else 1 (which every key finds: each table's row
/// has c0 = 1).
#[cfg(any(feature = "sqlite", feature = "mysql"))]
pub(super) fn null_or_one(column: &Column) -> Option<&'static str> {
    Some(if column.nullable { "NULL" } else { "1" })
}

/// Whether the foreign keys of `new` (table `old` in `a`) hold for the rows `a` had: not
/// when one points at a table `a` lacks (empty, so the row's reference breaks) or from a
/// column that is new or generated in either (whose value need not reference anything).
#[cfg(any(feature = "sqlite", feature = "postgres"))]
pub(super) fn keys_fit(a: &Schema, old: &Table, new: &Table) -> bool {
    let plain = |t: &Table, c: &str| t.column(c).is_some_and(|c| c.generated.is_none());
    new.foreign_keys.iter().all(|f| {
        a.tables.contains_key(&f.references_table)
            && f.columns.iter().all(|c| plain(old, c) && plain(new, c))
    })
}

/// A random pair: A made from nothing, one row per table where the rows fit both schemas,
/// A → B and B → A keeping the values of the columns kept all the way, A → nothing.
pub(super) fn round_trip(
    t: &mut dyn Target,
    a: &Schema,
    b: &Schema,
    rows: &Rows,
) -> Result<(), String> {
    t.reset();
    let empty = Schema::new(t.dialect());
    let none = Renames::none();
    migrate(t, &empty, a, &none)?;
    let with_rows = (rows.fit)(a, a) && (rows.fit)(a, b) && (rows.fit)(b, a);
    if with_rows {
        insert_rows(t, a, rows)?;
    }
    migrate(t, a, b, &none)?;
    if with_rows {
        rows_survive(t, a, b, b, rows)?;
    }
    migrate(t, b, a, &none)?;
    if with_rows {
        rows_survive(t, a, b, a, rows)?;
    }
    migrate(t, a, &empty, &none)?;
    Ok(())
}

/// One row per table of `schema`, foreign keys unchecked while they go in.
fn insert_rows(t: &mut dyn Target, schema: &Schema, rows: &Rows) -> Result<(), String> {
    let sql_dialect = t.dialect().sql();
    let q = |name: &str| sql_dialect.quote_ident(name);
    let [off, on] = t.keys_unchecked();
    let mut sql = vec![off.to_string()];
    for table in schema.tables.values() {
        let (columns, values): (Vec<String>, Vec<&str>) = table
            .columns
            .iter()
            .filter(|c| c.generated.is_none())
            .filter_map(|c| (rows.value)(c).map(|v| (q(&c.name), v)))
            .unzip();
        sql.push(format!(
            "INSERT INTO {} ({}) VALUES ({})",
            q(&table.name),
            columns.join(", "),
            values.join(", ")
        ));
    }
    sql.push(on.to_string());
    for statement in sql {
        t.sql(&statement)?;
    }
    Ok(())
}

/// Every table that `rows` had and kept through `through` to `now` still holds its row,
/// with the values of the columns kept all the way (a generated column's value is
/// computed, not kept).
fn rows_survive(
    t: &mut dyn Target,
    schema: &Schema,
    through: &Schema,
    now: &Schema,
    rows: &Rows,
) -> Result<(), String> {
    let sql_dialect = t.dialect().sql();
    let q = |name: &str| sql_dialect.quote_ident(name);
    for table in now.tables.values() {
        let (Some(old), Some(mid)) = (
            schema.tables.get(&table.name),
            through.tables.get(&table.name),
        ) else {
            continue;
        };
        let plain = |c: Option<&Column>| c.is_some_and(|c| c.generated.is_none());
        let kept = |name: &str| plain(table.column(name)) && plain(mid.column(name));
        let mut sql = format!("SELECT count(*) FROM {} WHERE 1 = 1", q(&table.name));
        for c in old
            .columns
            .iter()
            .filter(|c| c.generated.is_none() && kept(&c.name))
        {
            match (rows.value)(c) {
                None => {}
                Some("NULL") => sql.push_str(&format!(" AND {} IS NULL", q(&c.name))),
                Some(v) => sql.push_str(&format!(
                    " AND CAST({} AS {}) = '{v}'",
                    q(&c.name),
                    t.text_type()
                )),
            }
        }
        let n = t.count(&sql)?;
        if n != 1 {
            return Err(format!("{n} rows where one was kept: {sql}"));
        }
    }
    Ok(())
}
