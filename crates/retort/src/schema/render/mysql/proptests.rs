//! Random schema pairs as MariaDB's introspection reads them (tables with keys,
//! auto-increment, unique keys, plain, descending and prefix indexes, checks named or not,
//! foreign keys named or not with the index the server makes for them, cycles included,
//! generated columns, collations, comments; a view): the rendered SQL, run by the server,
//! makes A from nothing, takes A to B keeping one row per table, B back to A, and A to
//! nothing.

use proptest::prelude::*;

use super::super::scenarios::{null_or_one, round_trip, Rows};
use super::tests::Mariadb;
use crate::dialect::Dialect;
use crate::schema::{
    Check, Column, ForeignKey, Generated, Identity, Index, IndexPart, PrimaryKey,
    ReferentialAction, Schema, Table, Unique, View,
};

const TYPES: [&str; 4] = ["int", "bigint", "varchar(10)", "text"];
const VIEWS: [&str; 2] = ["select 1 as a1", "select 2 as a2"];

/// Per column slot: (present, type, nullable, default, flavour: see [`flavour`]).
type RawColumn = (bool, usize, bool, bool, usize);
/// Per table slot: present, columns c1..c3 (c0 is always there), a primary key on c0
/// (auto-increment or not), a unique column, an index (column, descending), two foreign
/// keys (target table, named), a check (named or not), a comment, and whether c0 (and
/// the key columns referencing it) is a bigint rather than an int.
type RawTable = (
    bool,
    [RawColumn; 3],
    Option<bool>,
    Option<usize>,
    (Option<usize>, bool),
    [(Option<usize>, bool); 2],
    Option<bool>,
    bool,
    bool,
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

fn raw_table() -> impl Strategy<Value = RawTable> {
    (
        any::<bool>(),
        [raw_column(), raw_column(), raw_column()],
        proptest::option::of(any::<bool>()),
        proptest::option::of(1..4usize),
        (proptest::option::of(1..4usize), any::<bool>()),
        [
            (proptest::option::of(0..4usize), any::<bool>()),
            (proptest::option::of(0..4usize), any::<bool>()),
        ],
        proptest::option::of(any::<bool>()),
        any::<bool>(),
        any::<bool>(),
    )
}

fn raw_schema() -> impl Strategy<Value = RawSchema> {
    (
        proptest::collection::vec(raw_table(), 3),
        proptest::option::of(0..VIEWS.len()),
    )
}

/// What else a column may be: plain (most), a collation, a comment, a generated column
/// (virtual or stored).
fn flavour(column: &mut Column, flavour: usize) {
    let string = column.data_type.starts_with("varchar") || column.data_type == "text";
    match flavour {
        3 if string => column.collation = Some("utf8mb4_bin".into()),
        4 => column.comment = Some("a 'note'".into()),
        5 | 6 => {
            column.default = None;
            column.nullable = true;
            column.generated = Some(Generated {
                expression: if flavour == 5 { "c0 + 1" } else { "c0 * 2" }.into(),
                stored: flavour == 6,
            });
        }
        _ => {}
    }
}

fn plain(key: &str, descending: bool) -> IndexPart {
    IndexPart {
        key: key.into(),
        expression: false,
        descending,
        nulls_first: None,
        opclass: None,
        collation: None,
    }
}

fn key_type(wide: &bool) -> &'static str {
    if *wide {
        "bigint"
    } else {
        "int"
    }
}

/// A schema as MariaDB's introspection reads one.
fn build(raw: &RawSchema) -> Schema {
    let (tables, view) = raw;
    let mut schema = Schema::new(Dialect::Mysql);
    let keyed: Vec<bool> = tables.iter().map(|t| t.0 && t.2.is_some()).collect();
    for (i, raw) in tables.iter().enumerate().filter(|(_, t)| t.0) {
        let (_, columns, pk, unique, index, fks, check, comment, _) = raw;
        let name = format!("t{i}");
        let mut table = Table::new(name.clone());
        table.columns.push(Column {
            nullable: false,
            ..Column::new("c0", key_type(&raw.8))
        });
        for (j, &(here, ty, nullable, default, kind)) in columns.iter().enumerate() {
            if here {
                let mut column = Column::new(format!("c{}", j + 1), TYPES[ty]);
                column.nullable = nullable;
                column.default = default.then(|| match ty {
                    0 | 1 => "0".to_string(),
                    _ => "'x'".to_string(),
                });
                flavour(&mut column, kind);
                table.columns.push(column);
            }
        }
        if pk.is_some() {
            table.primary_key = Some(PrimaryKey {
                name: None,
                columns: vec!["c0".into()],
            });
        }
        let all = table.columns.clone();
        let col = |k: usize| all.iter().find(|c| c.name == format!("c{k}"));
        let unique = unique
            .and_then(col)
            .filter(|c| c.data_type != "text")
            .map(|c| c.name.clone());
        let index = match (index.0.and_then(col), index.1) {
            (Some(c), descending)
                if c.data_type == "text" || c.data_type.starts_with("varchar") =>
            {
                Some(IndexPart {
                    key: format!("{}(5)", c.name),
                    expression: true,
                    descending,
                    nulls_first: None,
                    opclass: None,
                    collation: None,
                })
            }
            (Some(c), descending) => Some(plain(&c.name, descending)),
            (None, _) => None,
        };
        if let Some(c) = unique {
            table.uniques.push(Unique {
                name: Some(format!("{name}_u")),
                columns: vec![c],
            });
        }
        if let Some(part) = index {
            table.indexes.push(Index {
                name: format!("{name}_i"),
                unique: false,
                parts: vec![part],
                predicate: None,
                method: None,
                include: Vec::new(),
                nulls_not_distinct: false,
            });
        }
        for (n, (target, named)) in fks.iter().enumerate() {
            let Some(target) = target.filter(|t| *t < keyed.len() && keyed[*t]) else {
                continue;
            };
            let column = format!("f{n}");
            table
                .columns
                .push(Column::new(column.clone(), key_type(&tables[target].8)));
            let fk_name = named.then(|| format!("{name}_fk{n}"));
            // The index the server makes for the key: named after it, or its column.
            table.indexes.push(Index {
                name: fk_name.clone().unwrap_or_else(|| column.clone()),
                unique: false,
                parts: vec![plain(&column, false)],
                predicate: None,
                method: None,
                include: Vec::new(),
                nulls_not_distinct: false,
            });
            table.foreign_keys.push(ForeignKey {
                name: fk_name,
                columns: vec![column],
                references_table: format!("t{target}"),
                references_columns: vec!["c0".into()],
                on_delete: if *named {
                    ReferentialAction::SetNull
                } else {
                    ReferentialAction::NoAction
                },
                on_update: ReferentialAction::NoAction,
                deferrable: Default::default(),
                match_full: false,
                not_valid: false,
            });
        }
        if let Some(named) = check {
            table.checks.push(Check {
                name: named.then(|| format!("{name}_ck")),
                expression: "c0 > 0".into(),
                not_valid: false,
            });
        }
        // Neither a generated column nor a check may read an AUTO_INCREMENT column.
        if *pk == Some(true)
            && table.checks.is_empty()
            && table.columns.iter().all(|c| c.generated.is_none())
        {
            table.columns[0].identity = Some(Identity::AutoIncrement);
        }
        if *comment {
            table.comment = Some(format!("table {name}"));
        }
        table.indexes.sort_by(|a, b| a.name.cmp(&b.name));
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

/// Whether one row per table of `a` can go to `b`: not when a NULL column becomes NOT
/// NULL (strict mode refuses the row).
fn fit(a: &Schema, b: &Schema) -> bool {
    b.tables.values().all(|t| {
        let Some(old) = a.tables.get(&t.name) else {
            return true;
        };
        t.columns.iter().all(|c| match old.column(&c.name) {
            None => true,
            Some(o) => c.nullable || !o.nullable || o.generated.is_some(),
        })
    })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 48, ..ProptestConfig::default() })]

    #[test]
    #[cfg_attr(retort_skip_mysql, ignore = "RETORT_TEST_SKIP names mysql")]
    fn mariadb_runs_the_rendered_diff_to_b_and_back_to_a(a in raw_schema(), b in raw_schema()) {
        let rows = Rows { value: null_or_one, fit };
        round_trip(&mut Mariadb::new(), &build(&a), &build(&b), &rows)
            .map_err(TestCaseError::fail)?;
    }
}
