//! Random schema pairs as PostgreSQL's introspection reads them (tables with keys,
//! uniques, indexes of every kind, checks and foreign keys among them, cycles included;
//! identities, generated columns, collations, defaults; an enum type some columns use, a
//! sequence, views over a table and over a view): the rendered SQL, run by PostgreSQL,
//! makes A from nothing, takes A to B and B back to A, keeping one row per table where
//! the rows fit both schemas, and drops A again. One database for the whole run.

use proptest::prelude::*;

use super::postgres_tests::Pg;
use super::scenarios::{keys_fit, round_trip, Rows};
use crate::dialect::Dialect;
use crate::schema::{
    Check, Column, Deferrable, EnumType, ForeignKey, Generated, Identity, Index, IndexPart,
    PrimaryKey, ReferentialAction, Schema, Sequence, Table, Unique, View,
};

const TYPES: [&str; 5] = ["integer", "bigint", "text", "character varying(10)", "e"];
const ENUMS: [&[&str]; 4] = [&["a", "b"], &["a", "c", "b"], &["b", "a"], &["a"]];

fn numeric(data_type: &str) -> bool {
    matches!(data_type, "integer" | "bigint")
}

/// Per column slot: (present, type, nullable, default, flavour: see [`flavour`]).
type RawColumn = (bool, usize, bool, bool, usize);
/// Per table slot: present, columns c1..c3 (c0 is always there), a primary key on c0
/// (and its name), a unique column and whether PostgreSQL names it, two indexes, two
/// foreign keys (column, table, deferred), a check and its name.
type RawTable = (
    bool,
    [RawColumn; 3],
    Option<bool>,
    (Option<usize>, bool),
    [(Option<usize>, bool, bool, u8); 2],
    [(Option<usize>, usize, bool); 2],
    (bool, bool),
);
/// Tables, the enum's values (or no enum), a sequence (start, increment), a view and
/// a view over it.
type RawSchema = (Vec<RawTable>, Option<usize>, Option<(i64, i64)>, Option<u8>);

fn raw_column() -> impl Strategy<Value = RawColumn> {
    (
        proptest::bool::weighted(0.7),
        0..TYPES.len(),
        any::<bool>(),
        any::<bool>(),
        0..10usize,
    )
}

fn raw_index() -> impl Strategy<Value = (Option<usize>, bool, bool, u8)> {
    (
        proptest::option::of(0..4usize),
        any::<bool>(),
        any::<bool>(),
        0..3u8,
    )
}

/// Most tables present on both sides, so that most changes alter a table.
fn raw_table() -> impl Strategy<Value = RawTable> {
    (
        proptest::bool::weighted(0.8),
        [raw_column(), raw_column(), raw_column()],
        proptest::option::of(any::<bool>()),
        (proptest::option::of(0..4usize), any::<bool>()),
        [raw_index(), raw_index()],
        [
            (proptest::option::of(0..4usize), 0..3usize, any::<bool>()),
            (proptest::option::of(0..4usize), 0..3usize, any::<bool>()),
        ],
        (any::<bool>(), any::<bool>()),
    )
}

fn raw_schema() -> impl Strategy<Value = RawSchema> {
    (
        proptest::collection::vec(raw_table(), 3),
        proptest::option::of(0..ENUMS.len()),
        proptest::option::of((
            prop_oneof![Just(1i64), Just(0), Just(100)],
            prop_oneof![Just(1i64), Just(5), Just(-1)],
        )),
        proptest::option::of(0..4u8),
    )
}

/// What else a column may be: plain (most), an identity (numeric types), a generated
/// column (integer), a collation (text types).
fn flavour(column: &mut Column, flavour: usize) {
    match flavour {
        4 | 5 if numeric(&column.data_type) => {
            column.identity = Some(if flavour == 4 {
                Identity::ByDefault
            } else {
                Identity::Always
            });
            column.nullable = false;
            column.default = None;
        }
        6 | 7 if column.data_type == "integer" => {
            column.default = None;
            column.generated = Some(Generated {
                expression: if flavour == 6 { "c0 + 1" } else { "c0 * 2" }.into(),
                stored: true,
            });
        }
        8 if !numeric(&column.data_type) && column.data_type != "e" => {
            column.collation = Some("\"C\"".into());
        }
        _ => {}
    }
}

/// Whether a column can hold a foreign key to `c0`, or a row's value other than NULL.
fn plain_integer(c: &Column) -> bool {
    numeric(&c.data_type) && c.generated.is_none()
}

/// A schema as PostgreSQL's introspection reads one: every constraint and index named
/// (as PostgreSQL names it when the DDL does not), a key's columns NOT NULL, expressions
/// as `pg_get_expr` deparses them.
fn build(raw: &RawSchema) -> Schema {
    let (tables, values, sequence, views) = raw;
    let mut schema = Schema::new(Dialect::Postgres);
    if let Some(v) = values {
        schema.enums.insert(
            "e".into(),
            EnumType {
                name: "e".into(),
                values: ENUMS[*v].iter().map(|s| s.to_string()).collect(),
            },
        );
    }
    let keyed: Vec<bool> = tables.iter().map(|t| t.0 && t.2.is_some()).collect();
    for (i, raw) in tables.iter().enumerate().filter(|(_, t)| t.0) {
        let (_, columns, pk, unique, indexes, fks, check) = raw;
        let name = format!("t{i}");
        let mut table = Table::new(name.clone());
        table.columns.push(Column {
            nullable: false,
            ..Column::new("c0", "integer")
        });
        for (j, &(here, ty, nullable, default, kind)) in columns.iter().enumerate() {
            // An enum column only where the enum exists, always nullable (rows hold NULL).
            let ty = if ty == 4 && values.is_none() { 2 } else { ty };
            if !here {
                continue;
            }
            let data_type = TYPES[ty];
            let mut column = Column::new(format!("c{}", j + 1), data_type);
            column.nullable = nullable || data_type == "e";
            column.default = match (default, data_type) {
                (false, _) | (_, "e") => None,
                (true, t) if numeric(t) => Some("0".into()),
                (true, _) => Some("'x'".into()),
            };
            flavour(&mut column, kind);
            table.columns.push(column);
        }
        let column = |k: usize| table.columns.iter().find(|c| c.name == format!("c{k}"));
        if let Some(named) = pk {
            table.primary_key = Some(PrimaryKey {
                name: Some(if *named {
                    format!("{name}_key")
                } else {
                    format!("{name}_pkey")
                }),
                columns: vec!["c0".into()],
            });
        }
        if let (Some(c), named) = (unique.0.and_then(column), unique.1) {
            let c = c.name.clone();
            table.uniques.push(Unique {
                name: Some(if named {
                    format!("{name}_u")
                } else {
                    format!("{name}_{c}_key")
                }),
                columns: vec![c],
            });
        }
        for (n, (k, unique, descending, kind)) in indexes.iter().enumerate() {
            if let Some(c) = k.and_then(column) {
                let (key, expression) = match kind {
                    2 => ("c0 + 1".to_string(), true),
                    _ => (c.name.clone(), false),
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
        for (n, (k, target, deferred)) in fks.iter().enumerate() {
            let Some(c) = k.and_then(column).filter(|c| plain_integer(c)) else {
                continue;
            };
            if !keyed[*target] {
                continue;
            }
            let fk = ForeignKey {
                name: Some(format!("{name}_f{n}")),
                columns: vec![c.name.clone()],
                references_table: format!("t{target}"),
                references_columns: vec!["c0".into()],
                on_delete: if *deferred {
                    ReferentialAction::Cascade
                } else {
                    ReferentialAction::NoAction
                },
                on_update: ReferentialAction::NoAction,
                deferrable: if *deferred {
                    Deferrable::InitiallyDeferred
                } else {
                    Deferrable::NotDeferrable
                },
                match_full: false,
                not_valid: false,
            };
            if !table.foreign_keys.iter().any(|f| f.columns == fk.columns) {
                table.foreign_keys.push(fk);
            }
        }
        if check.0 {
            table.checks.push(Check {
                name: Some(if check.1 {
                    format!("{name}_ck")
                } else {
                    format!("{name}_c0_check")
                }),
                expression: "c0 > 0".into(),
                not_valid: false,
            });
        }
        schema.tables.insert(name, table);
    }
    if let Some((start, increment)) = sequence {
        schema.sequences.insert(
            "s".into(),
            Sequence {
                name: "s".into(),
                start: *start,
                increment: *increment,
            },
        );
    }
    let mut view = |name: &str, definition: String| {
        schema.views.insert(
            name.into(),
            View {
                name: name.into(),
                definition,
            },
        );
    };
    match views {
        Some(0) => view("v", "SELECT 1 AS one".into()),
        Some(n) if tables[0].0 => {
            view("v", "SELECT t0.c0 FROM t0".into());
            if *n > 1 {
                view("w", "SELECT v.c0 FROM v WHERE v.c0 > 1".into());
            }
        }
        _ => {}
    }
    schema
}

/// The value a row holds in `column`: 1, which every type but the enum takes and every
/// foreign key finds (each table's row has c0 = 1), or NULL in an enum column. An
/// identity or a generated column numbers or computes its own.
fn value(column: &Column) -> Option<&'static str> {
    if column.identity.is_some() || column.generated.is_some() {
        None
    } else if column.data_type == "e" {
        Some("NULL")
    } else {
        Some("1")
    }
}

/// Whether one row per table of `a` can be migrated to `b`: not when `b` adds a NOT NULL
/// column without a default to a table `a` has, makes a column holding 1 an enum, or
/// points a key at a table `a` lacks (empty) or from a column whose value need not
/// reference anything (new, or generated).
fn fit(a: &Schema, b: &Schema) -> bool {
    b.tables.values().all(|t| {
        let Some(old) = a.tables.get(&t.name) else {
            return true;
        };
        t.columns.iter().all(|c| match old.column(&c.name) {
            None => {
                c.nullable || c.default.is_some() || c.generated.is_some() || c.identity.is_some()
            }
            Some(o) => c.data_type != "e" || o.data_type == "e",
        }) && keys_fit(a, old, t)
    })
}

/// A test of its own runner rather than `proptest!`, so that the one database it uses is
/// dropped at its end; no failure file is kept (the repository keeps none).
#[test]
fn postgres_runs_the_rendered_diff_to_b_and_back_to_a() {
    use proptest::test_runner::{Config, TestRunner};
    use std::cell::RefCell;
    let pg = RefCell::new(Pg::new());
    let mut runner = TestRunner::new(Config {
        cases: 64,
        failure_persistence: None,
        ..Config::default()
    });
    let result = runner.run(&(raw_schema(), raw_schema()), |(a, b)| {
        let (a, b) = (build(&a), build(&b));
        round_trip(&mut *pg.borrow_mut(), &a, &b, &Rows { value, fit }).map_err(TestCaseError::fail)
    });
    if let Err(e) = result {
        panic!("{e}");
    }
}
