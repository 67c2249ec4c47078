//! Random schema pairs that SQLite's introspection can represent (tables with keys,
//! uniques, indexes, checks and foreign keys among them, cycles included; a view): the
//! rendered SQL, run by SQLite, makes A from nothing, takes A to B, and B back to A.

use proptest::prelude::*;

use super::scenarios::{keys_fit, null_or_one, round_trip, Rows};
use super::tests::Sqlite;
use crate::dialect::Dialect;
use crate::schema::{
    Check, Column, Deferrable, ForeignKey, Generated, Identity, Index, IndexPart, PrimaryKey,
    ReferentialAction, Schema, Table, Unique, View,
};

const TYPES: [&str; 4] = ["integer", "bigint", "text", "varchar(10)"];
const VIEWS: [&str; 2] = ["select 1", "select 2"];

/// Per column slot: (present, type, nullable, default, flavour: see [`flavour`]).
type RawColumn = (bool, usize, bool, bool, usize);
/// Per table slot: present, columns c1..c3 (c0 is always there), a primary key on c0, a
/// unique column and whether it is named, two indexes, two foreign keys (column, table),
/// a check and whether it is named.
type RawTable = (
    bool,
    [RawColumn; 3],
    Option<bool>,
    (Option<usize>, bool),
    [(Option<usize>, bool, bool, u8); 2],
    [(Option<usize>, usize); 2],
    (bool, bool),
);
type RawSchema = (Vec<RawTable>, Option<usize>);

fn raw_column() -> impl Strategy<Value = RawColumn> {
    (
        any::<bool>(),
        0..TYPES.len(),
        any::<bool>(),
        any::<bool>(),
        0..8usize,
    )
}

/// What else a column may be: plain (most), a string default, a default only a rebuild
/// can add, a collation, a generated column (virtual or stored).
fn flavour(column: &mut Column, flavour: usize) {
    match flavour {
        3 => column.default = Some("'x'".into()),
        4 => column.default = Some("current_timestamp".into()),
        5 => column.collation = Some("nocase".into()),
        6 | 7 => {
            column.default = None;
            column.generated = Some(Generated {
                expression: if flavour == 6 { "c0 + 1" } else { "c0 * 2" }.into(),
                stored: flavour == 7,
            });
        }
        _ => {}
    }
}

/// An index slot: (column, unique, descending, kind: on the column, partial, or on an
/// expression).
fn raw_index() -> impl Strategy<Value = (Option<usize>, bool, bool, u8)> {
    (
        proptest::option::of(0..4usize),
        any::<bool>(),
        any::<bool>(),
        0..3u8,
    )
}

fn raw_table() -> impl Strategy<Value = RawTable> {
    (
        any::<bool>(),
        [raw_column(), raw_column(), raw_column()],
        proptest::option::of(any::<bool>()),
        (proptest::option::of(0..4usize), any::<bool>()),
        [raw_index(), raw_index()],
        [
            (proptest::option::of(0..4usize), 0..4usize),
            (proptest::option::of(0..4usize), 0..4usize),
        ],
        (any::<bool>(), any::<bool>()),
    )
}

fn raw_schema() -> impl Strategy<Value = RawSchema> {
    (
        proptest::collection::vec(raw_table(), 4),
        proptest::option::of(0..VIEWS.len()),
    )
}

/// A schema as SQLite's introspection reads one: a key on `c0 integer` is the rowid (NOT
/// NULL), and a foreign key references a key SQLite accepts as a parent (the primary key).
fn build(raw: &RawSchema) -> Schema {
    let (tables, view) = raw;
    let mut schema = Schema::new(Dialect::Sqlite);
    let keyed: Vec<bool> = tables.iter().map(|t| t.0 && t.2.is_some()).collect();
    for (i, raw) in tables.iter().enumerate().filter(|(_, t)| t.0) {
        let (_, columns, pk, unique, indexes, fks, check) = raw;
        let name = format!("t{i}");
        let mut table = Table::new(name.clone());
        let mut c0 = Column::new("c0", "integer");
        c0.nullable = false;
        table.columns.push(c0);
        for (j, &(here, ty, nullable, default, kind)) in columns.iter().enumerate() {
            if here {
                let mut column = Column::new(format!("c{}", j + 1), TYPES[ty]);
                column.nullable = nullable;
                column.default = default.then(|| "0".to_string());
                flavour(&mut column, kind);
                table.columns.push(column);
            }
        }
        let names: Vec<String> = table.columns.iter().map(|c| c.name.clone()).collect();
        let column = |k: usize| {
            let name = format!("c{k}");
            names.contains(&name).then_some(name)
        };
        if let Some(autoincrement) = pk {
            table.primary_key = Some(PrimaryKey {
                name: None,
                columns: vec!["c0".into()],
            });
            if *autoincrement {
                table.columns[0].identity = Some(Identity::AutoIncrement);
            }
        }
        if let (Some(c), named) = (unique.0.and_then(column), unique.1) {
            table.uniques.push(Unique {
                name: named.then(|| format!("{name}_u")),
                columns: vec![c],
            });
        }
        for (n, (k, unique, descending, kind)) in indexes.iter().enumerate() {
            if let Some(c) = k.and_then(column) {
                let (key, expression) = match kind {
                    2 => (format!("{c} + 1"), true),
                    _ => (c, false),
                };
                table.indexes.push(Index {
                    name: format!("{name}_i{n}"),
                    unique: *unique,
                    parts: vec![IndexPart {
                        key,
                        expression,
                        descending: *descending,
                        nulls_first: None,
                        opclass: None,
                        collation: None,
                    }],
                    predicate: (*kind == 1).then(|| "c0 > 0".to_string()),
                    method: None,
                    include: Vec::new(),
                    nulls_not_distinct: false,
                });
            }
        }
        for (k, target) in fks {
            if let (Some(c), true) = (k.and_then(column), keyed[*target]) {
                let fk = ForeignKey {
                    name: None,
                    columns: vec![c],
                    references_table: format!("t{target}"),
                    references_columns: vec!["c0".into()],
                    on_delete: ReferentialAction::NoAction,
                    on_update: ReferentialAction::NoAction,
                    deferrable: Deferrable::NotDeferrable,
                    match_full: false,
                    not_valid: false,
                };
                if !table.foreign_keys.contains(&fk) {
                    table.foreign_keys.push(fk);
                }
            }
        }
        if check.0 {
            table.checks.push(Check {
                name: check.1.then(|| format!("{name}_ck")),
                expression: "c0 > 0".into(),
                not_valid: false,
            });
        }
        schema.tables.insert(name, table);
    }
    if let Some(v) = view {
        schema.views.insert(
            "v".into(),
            View {
                name: "v".into(),
                definition: VIEWS[*v].into(),
            },
        );
    }
    schema
}

/// Whether one row per table of `a` can be migrated to `b`: not when `b` adds a NOT NULL
/// column without a default to a table `a` has, makes a NULL column NOT NULL, or points a
/// key at a table `a` lacks (empty, so the row's reference breaks) or from a new column
/// (whose default references nothing) or a generated one (whose value need not reference
/// anything).
fn fit(a: &Schema, b: &Schema) -> bool {
    b.tables.values().all(|t| {
        let Some(old) = a.tables.get(&t.name) else {
            return true;
        };
        t.columns.iter().all(|c| match old.column(&c.name) {
            None => c.nullable || c.default.is_some() || c.generated.is_some(),
            Some(o) => c.nullable || !o.nullable,
        }) && keys_fit(a, old, t)
    })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 48, ..ProptestConfig::default() })]

    #[test]
    fn sqlite_runs_the_rendered_diff_to_b_and_back_to_a(a in raw_schema(), b in raw_schema()) {
        let rows = Rows { value: null_or_one, fit };
        round_trip(&mut Sqlite::new(), &build(&a), &build(&b), &rows)
            .map_err(TestCaseError::fail)?;
    }
}
