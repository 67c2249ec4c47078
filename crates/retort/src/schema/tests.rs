//! One test per kind of change: what the diff finds, in which order, and that applying
//! it to the model reaches the target.

use super::*;
use crate::dialect::Dialect;

fn col(name: &str, ty: &str) -> Column {
    Column::new(name, ty)
}

fn table(name: &str, columns: &[(&str, &str)]) -> Table {
    let mut t = Table::new(name);
    t.columns = columns.iter().map(|(n, ty)| col(n, ty)).collect();
    t.primary_key = Some(PrimaryKey {
        name: None,
        columns: vec![columns[0].0.to_string()],
    });
    t
}

fn fk(columns: &[&str], table: &str, references: &[&str]) -> ForeignKey {
    ForeignKey {
        name: None,
        columns: columns.iter().map(|c| c.to_string()).collect(),
        references_table: table.to_string(),
        references_columns: references.iter().map(|c| c.to_string()).collect(),
        on_delete: ReferentialAction::NoAction,
        on_update: ReferentialAction::NoAction,
        deferrable: Deferrable::NotDeferrable,
        match_full: false,
        not_valid: false,
    }
}

fn index(name: &str, columns: &[&str]) -> Index {
    Index {
        name: name.to_string(),
        unique: false,
        parts: columns
            .iter()
            .map(|c| IndexPart {
                key: c.to_string(),
                expression: false,
                descending: false,
                nulls_first: None,
                opclass: None,
                collation: None,
            })
            .collect(),
        predicate: None,
        method: None,
        include: Vec::new(),
        nulls_not_distinct: false,
    }
}

fn schema(tables: Vec<Table>) -> Schema {
    let mut s = Schema::new(Dialect::Postgres);
    for t in tables {
        s.tables.insert(t.name.clone(), t);
    }
    s
}

/// The diff, checked: applied to `from` it gives `to` (but for column order), and the
/// diff back gives `from`.
fn checked(from: &Schema, to: &Schema, renames: &Renames) -> Diff {
    let d = diff(from, to, renames);
    let reached = apply(from, &d).unwrap_or_else(|e| panic!("{e}\n{:#?}", d.changes));
    assert_eq!(reached, *to, "{:#?}", d.changes);
    let back = diff(to, from, &renames.reversed());
    let returned = apply(to, &back).unwrap_or_else(|e| panic!("{e}\n{:#?}", back.changes));
    assert_eq!(returned, *from, "{:#?}", back.changes);
    d
}

fn users() -> Table {
    table("users", &[("id", "integer"), ("email", "text")])
}

#[test]
fn a_schema_compared_with_itself_has_no_changes() {
    let mut posts = table("posts", &[("id", "integer"), ("user_id", "integer")]);
    posts.foreign_keys.push(fk(&["user_id"], "users", &["id"]));
    posts.indexes.push(index("posts_user", &["user_id"]));
    let s = schema(vec![users(), posts]);
    assert_eq!(diff(&s, &s, &Renames::none()), Diff::default());
}

#[test]
fn tables_are_created_and_dropped_whole() {
    let a = schema(vec![users()]);
    let b = schema(vec![users(), table("teams", &[("id", "bigint")])]);
    let d = checked(&a, &b, &Renames::none());
    assert_eq!(
        d.changes,
        vec![Change::CreateTable(table("teams", &[("id", "bigint")]))]
    );
    assert!(d.destructive().is_empty());
    let back = diff(&b, &a, &Renames::none());
    assert_eq!(
        back.changes,
        vec![Change::DropTable(table("teams", &[("id", "bigint")]))]
    );
    assert_eq!(back.destructive().len(), 1);
}

#[test]
fn columns_are_added_dropped_and_altered_with_both_sides() {
    let a = schema(vec![users()]);
    let mut u = users();
    u.columns[1].nullable = false;
    u.columns[1].data_type = "varchar(100)".to_string();
    u.columns[1].default = Some("''".to_string());
    u.columns.push(col("name", "text"));
    let b = schema(vec![u.clone()]);
    let d = checked(&a, &b, &Renames::none());
    assert_eq!(
        d.changes,
        vec![
            Change::AddColumn {
                table: "users".into(),
                column: col("name", "text"),
            },
            Change::AlterColumn {
                table: "users".into(),
                from: col("email", "text"),
                to: u.columns[1].clone(),
            },
        ]
    );
    let Change::AlterColumn { from, to, .. } = &d.changes[1] else {
        panic!("not an alter");
    };
    let changed = ColumnChanges::between(from, to);
    assert!(changed.data_type && changed.nullable && changed.default && !changed.comment);
    // text → varchar(100) may lose values.
    assert_eq!(d.destructive(), vec![&d.changes[1]]);
    let back = diff(&b, &a, &Renames::none());
    assert!(matches!(back.changes[0], Change::DropColumn { .. }));
    // varchar(100) → text does not, but the dropped column does.
    assert_eq!(back.destructive(), vec![&back.changes[0]]);
}

#[test]
fn identity_generated_collation_and_comments_are_column_alterations() {
    let a = schema(vec![users()]);
    let mut u = users();
    u.columns[0].identity = Some(Identity::Always);
    u.columns[1].generated = Some(Generated {
        expression: "lower(name)".into(),
        stored: true,
    });
    u.columns[1].collation = Some("C".into());
    u.columns[1].comment = Some("who".into());
    u.comment = Some("people".into());
    let b = schema(vec![u]);
    let d = checked(&a, &b, &Renames::none());
    assert_eq!(d.changes.len(), 3, "{:#?}", d.changes);
    // The column made generated loses its values.
    assert_eq!(d.destructive().len(), 1);
    assert!(d
        .changes
        .iter()
        .any(|c| matches!(c, Change::SetTableComment { to: Some(c), .. } if c == "people")));
}

#[test]
fn a_primary_key_change_drops_the_old_key_before_adding_the_new() {
    let a = schema(vec![users()]);
    let mut u = users();
    u.primary_key = Some(PrimaryKey {
        name: None,
        columns: vec!["id".into(), "email".into()],
    });
    let d = checked(&a, &schema(vec![u]), &Renames::none());
    assert!(matches!(d.changes[0], Change::DropPrimaryKey { .. }));
    assert!(matches!(d.changes[1], Change::AddPrimaryKey { .. }));
}

#[test]
fn constraints_match_by_definition_and_a_new_name_is_a_rename() {
    let mut u = users();
    u.uniques.push(Unique {
        name: Some("users_email_key".into()),
        columns: vec!["email".into()],
    });
    u.checks.push(Check {
        name: None,
        expression: "length(email) > 3".into(),
        not_valid: false,
    });
    let a = schema(vec![u.clone()]);
    u.uniques[0].name = Some("email_unique".into());
    u.checks[0].expression = "length(email) > 4".into();
    let d = checked(&a, &schema(vec![u]), &Renames::none());
    assert_eq!(d.changes.len(), 3, "{:#?}", d.changes);
    assert!(
        matches!(&d.changes[0], Change::RenameConstraint { to: Some(n), .. } if n == "email_unique")
    );
    assert!(matches!(
        &d.changes[1],
        Change::DropConstraint {
            constraint: Constraint::Check(_),
            ..
        }
    ));
    assert!(matches!(
        &d.changes[2],
        Change::AddConstraint {
            constraint: Constraint::Check(_),
            ..
        }
    ));
}

#[test]
fn foreign_keys_are_dropped_first_and_added_last() {
    let posts = table("posts", &[("id", "integer"), ("user_id", "integer")]);
    let a = schema(vec![users(), posts.clone()]);
    let mut p = posts;
    p.foreign_keys.push(fk(&["user_id"], "users", &["id"]));
    p.foreign_keys[0].on_delete = ReferentialAction::Cascade;
    let b = schema(vec![users(), p.clone()]);
    let d = checked(&a, &b, &Renames::none());
    assert!(matches!(
        &d.changes[..],
        [Change::AddConstraint {
            constraint: Constraint::ForeignKey(_),
            ..
        }]
    ));
    // Another action is another definition: drop and add.
    let mut c = p;
    c.foreign_keys[0].on_delete = ReferentialAction::SetNull;
    let d = checked(&b, &schema(vec![users(), c]), &Renames::none());
    assert!(matches!(d.changes[0], Change::DropConstraint { .. }));
    assert!(matches!(d.changes[1], Change::AddConstraint { .. }));
}

#[test]
fn indexes_match_by_name_and_a_changed_one_is_recreated() {
    let mut u = users();
    u.indexes.push(index("users_email", &["email"]));
    let a = schema(vec![u.clone()]);
    u.indexes[0].unique = true;
    u.indexes.push(index("users_both", &["id", "email"]));
    let d = checked(&a, &schema(vec![u]), &Renames::none());
    assert!(
        matches!(&d.changes[0], Change::DropIndex { index, .. } if index.name == "users_email")
    );
    assert_eq!(d.changes.len(), 3);
}

#[test]
fn new_tables_come_in_foreign_key_order_and_a_cycle_is_closed_after_them() {
    let mut a_t = table("a", &[("id", "integer"), ("b_id", "integer")]);
    a_t.foreign_keys.push(fk(&["b_id"], "b", &["id"]));
    let mut b_t = table(
        "b",
        &[("id", "integer"), ("a_id", "integer"), ("c_id", "integer")],
    );
    b_t.foreign_keys.push(fk(&["a_id"], "a", &["id"]));
    b_t.foreign_keys.push(fk(&["c_id"], "c", &["id"]));
    let mut c_t = table("c", &[("id", "integer"), ("parent", "integer")]);
    c_t.foreign_keys.push(fk(&["parent"], "c", &["id"]));
    let empty = schema(vec![]);
    let full = schema(vec![a_t, b_t, c_t]);
    let d = checked(&empty, &full, &Renames::none());
    let names: Vec<String> = d
        .changes
        .iter()
        .map(|c| match c {
            Change::CreateTable(t) => format!("create {} ({} fks)", t.name, t.foreign_keys.len()),
            Change::AddConstraint { table, .. } => format!("fk {table}"),
            other => format!("{other:?}"),
        })
        .collect();
    assert_eq!(
        names,
        [
            "create c (1 fks)",
            "create a (0 fks)",
            "create b (2 fks)",
            "fk a"
        ]
    );
    // And back: the cycle's key is dropped first, referencing tables before referenced.
    let back = checked(&full, &empty, &Renames::none());
    assert!(matches!(back.changes[0], Change::DropConstraint { .. }));
    assert_eq!(back.changes.len(), 4);
}

#[test]
fn a_new_table_referencing_an_existing_one_gets_its_key_after_the_referenced_key() {
    let mut u = users();
    let a = schema(vec![u.clone()]);
    u.uniques.push(Unique {
        name: None,
        columns: vec!["email".into()],
    });
    let mut mails = table("mails", &[("id", "integer"), ("email", "text")]);
    mails.foreign_keys.push(fk(&["email"], "users", &["email"]));
    let d = checked(&a, &schema(vec![u, mails]), &Renames::none());
    assert!(matches!(&d.changes[0], Change::CreateTable(t) if t.foreign_keys.is_empty()));
    assert!(matches!(
        &d.changes[1],
        Change::AddConstraint {
            constraint: Constraint::Unique(_),
            ..
        }
    ));
    assert!(matches!(
        &d.changes[2],
        Change::AddConstraint {
            constraint: Constraint::ForeignKey(_),
            ..
        }
    ));
}

#[test]
fn renames_happen_only_when_asked_and_a_likely_one_is_named() {
    let a = schema(vec![users()]);
    let same = schema(vec![table(
        "people",
        &[("id", "integer"), ("email", "text")],
    )]);
    let guessed = diff(&a, &same, &Renames::none());
    assert_eq!(
        guessed.likely_renames,
        vec![Rename::Table {
            from: "users".into(),
            to: "people".into()
        }]
    );
    assert!(guessed.changes.contains(&Change::DropTable(users())));
    let b = schema(vec![table(
        "people",
        &[("id", "integer"), ("mail", "text")],
    )]);

    // Renamed table, column named in the old table's name or the new one.
    for table_name in ["users", "people"] {
        // Listed in either order.
        let renames = Renames::none()
            .column(table_name, "email", "mail")
            .table("users", "people");
        let d = checked(&a, &b, &renames);
        assert_eq!(
            d.changes,
            vec![
                Change::RenameTable {
                    from: "users".into(),
                    to: "people".into()
                },
                Change::RenameColumn {
                    table: "people".into(),
                    from: "email".into(),
                    to: "mail".into()
                },
            ]
        );
        assert!(d.likely_renames.is_empty() && d.ignored_renames.is_empty());
    }

    let mut renamed_column = users();
    renamed_column.columns[1].name = "mail".into();
    let b = schema(vec![renamed_column]);
    let d = diff(&a, &b, &Renames::none());
    assert_eq!(
        d.likely_renames,
        vec![Rename::Column {
            table: "users".into(),
            from: "email".into(),
            to: "mail".into()
        }]
    );
    let bad = Renames::none().column("users", "nope", "mail");
    assert_eq!(diff(&a, &b, &bad).ignored_renames, bad.list);
}

#[test]
fn a_renamed_column_carries_its_keys_indexes_and_references() {
    let mut u = users();
    u.indexes.push(index("users_email", &["email"]));
    let mut posts = table("posts", &[("id", "integer"), ("author", "text")]);
    posts
        .foreign_keys
        .push(fk(&["author"], "users", &["email"]));
    let a = schema(vec![u.clone(), posts.clone()]);
    u.columns[1].name = "mail".into();
    u.indexes[0].parts[0].key = "mail".into();
    posts.foreign_keys[0].references_columns = vec!["mail".into()];
    let b = schema(vec![u, posts]);
    let d = checked(&a, &b, &Renames::none().column("users", "email", "mail"));
    assert_eq!(d.changes.len(), 1, "{:#?}", d.changes);
}

#[test]
fn enum_values_are_added_in_place_and_a_removal_or_reorder_rebuilds() {
    let mood = |values: &[&str]| EnumType {
        name: "mood".into(),
        values: values.iter().map(|v| v.to_string()).collect(),
    };
    let with = |e: EnumType| {
        let mut s = schema(vec![]);
        s.enums.insert(e.name.clone(), e);
        s
    };
    let d = checked(
        &with(mood(&["ok"])),
        &with(mood(&["sad", "meh", "ok", "happy"])),
        &Renames::none(),
    );
    let positions: Vec<(String, EnumPosition)> = d
        .changes
        .iter()
        .map(|c| match c {
            Change::AddEnumValue {
                value, position, ..
            } => (value.clone(), position.clone()),
            other => panic!("{other:?}"),
        })
        .collect();
    assert_eq!(
        positions,
        [
            ("sad".into(), EnumPosition::Before("ok".into())),
            ("meh".into(), EnumPosition::After("sad".into())),
            ("happy".into(), EnumPosition::After("ok".into())),
        ]
    );
    assert!(d.destructive().is_empty());
    let d = checked(
        &with(mood(&["a", "b"])),
        &with(mood(&["b", "a"])),
        &Renames::none(),
    );
    assert!(matches!(d.changes[..], [Change::RebuildEnum { .. }]));
    assert!(d.destructive().is_empty());
    let d = checked(
        &with(mood(&["a", "b"])),
        &with(mood(&["a"])),
        &Renames::none(),
    );
    assert_eq!(d.destructive().len(), 1);
    checked(&with(mood(&[])), &with(mood(&["a", "b"])), &Renames::none());
}

#[test]
fn enums_are_created_before_the_tables_using_them_and_dropped_after() {
    let a = schema(vec![users()]);
    let mut b = schema(vec![table("t", &[("id", "integer"), ("m", "mood")])]);
    b.enums.insert(
        "mood".into(),
        EnumType {
            name: "mood".into(),
            values: vec!["x".into()],
        },
    );
    let d = checked(&a, &b, &Renames::none());
    assert!(matches!(d.changes[1], Change::CreateEnum(_)));
    checked(&b, &a, &Renames::none());
}

#[test]
fn views_are_dropped_first_created_last_and_replaced_only_when_tables_keep_their_shape() {
    let view = |definition: &str| View {
        name: "v".into(),
        definition: definition.into(),
    };
    let mut a = schema(vec![users()]);
    a.views.insert("v".into(), view("SELECT id FROM users"));
    let mut b = a.clone();
    b.views.insert("v".into(), view("SELECT email FROM users"));
    let d = checked(&a, &b, &Renames::none());
    assert!(matches!(d.changes[..], [Change::ReplaceView { .. }]));
    b.tables
        .insert("users".into(), table("users", &[("id", "integer")]));
    let d = checked(&a, &b, &Renames::none());
    assert!(matches!(d.changes.first(), Some(Change::DropView(_))));
    assert!(matches!(d.changes.last(), Some(Change::CreateView(_))));
}

#[test]
fn sequences_are_created_altered_and_dropped() {
    let seq = |increment| Sequence {
        name: "s".into(),
        start: 1,
        increment,
    };
    let a = schema(vec![]);
    let mut b = schema(vec![]);
    b.sequences.insert("s".into(), seq(1));
    let mut c = schema(vec![]);
    c.sequences.insert("s".into(), seq(2));
    assert!(matches!(
        checked(&a, &b, &Renames::none()).changes[..],
        [Change::CreateSequence(_)]
    ));
    assert!(matches!(
        checked(&b, &c, &Renames::none()).changes[..],
        [Change::AlterSequence { .. }]
    ));
    assert!(matches!(
        checked(&c, &a, &Renames::none()).changes[..],
        [Change::DropSequence(_)]
    ));
}

#[test]
fn apply_refuses_what_a_database_would_refuse() {
    let mut posts = table("posts", &[("id", "integer"), ("user_id", "integer")]);
    posts.foreign_keys.push(fk(&["user_id"], "users", &["id"]));
    let s = schema(vec![users(), posts]);
    let drop_users = Diff {
        changes: vec![Change::DropTable(users())],
        ..Diff::default()
    };
    let err = apply(&s, &drop_users).err().map(|e| e.to_string());
    assert_eq!(
        err.as_deref(),
        Some("change 1: table users is still referenced by posts")
    );
    let drop_id = Diff {
        changes: vec![Change::DropColumn {
            table: "users".into(),
            column: col("id", "integer"),
        }],
        ..Diff::default()
    };
    assert!(apply(&s, &drop_id).is_err());
}

#[test]
fn a_foreign_key_standing_on_a_changed_key_is_dropped_before_it_and_added_after() {
    // A unique constraint replaced by a unique index on the same column.
    let mut posts = table("posts", &[("id", "integer"), ("author", "text")]);
    posts
        .foreign_keys
        .push(fk(&["author"], "users", &["email"]));
    let mut u = users();
    u.uniques.push(Unique {
        name: Some("users_email_key".into()),
        columns: vec!["email".into()],
    });
    let a = schema(vec![u.clone(), posts.clone()]);
    u.uniques.clear();
    u.indexes.push(Index {
        unique: true,
        ..index("users_email_idx", &["email"])
    });
    let d = checked(&a, &schema(vec![u, posts]), &Renames::none());
    let kinds: Vec<&str> = d
        .changes
        .iter()
        .map(|c| match c {
            Change::DropConstraint {
                constraint: Constraint::ForeignKey(_),
                ..
            } => "drop fk",
            Change::DropConstraint { .. } => "drop unique",
            Change::CreateIndex { .. } => "create index",
            Change::AddConstraint { .. } => "add fk",
            _ => "other",
        })
        .collect();
    assert_eq!(kinds, ["drop fk", "drop unique", "create index", "add fk"]);
}

#[test]
fn a_primary_key_under_another_name_is_renamed_and_its_foreign_keys_stay() {
    let mut posts = table("posts", &[("id", "integer"), ("user_id", "integer")]);
    posts.foreign_keys.push(fk(&["user_id"], "users", &["id"]));
    let mut u = users();
    u.primary_key = Some(PrimaryKey {
        name: Some("users_pkey".into()),
        columns: vec!["id".into()],
    });
    let a = schema(vec![u.clone(), posts.clone()]);
    u.primary_key = Some(PrimaryKey {
        name: Some("people_pkey".into()),
        columns: vec!["id".into()],
    });
    let d = checked(&a, &schema(vec![u, posts]), &Renames::none());
    assert!(matches!(
        &d.changes[..],
        [Change::RenamePrimaryKey { to: Some(n), .. }] if n == "people_pkey"
    ));
}

#[test]
fn identical_foreign_keys_on_a_dropped_key_are_each_rekeyed() {
    // Found by a long property run: a self-reference twice over a unique index that goes,
    // one copy dropped by the diff, the other kept.
    let mut t = table("t", &[("id", "integer"), ("parent", "integer")]);
    t.primary_key = None;
    t.indexes.push(Index {
        unique: true,
        ..index("t_id", &["id"])
    });
    t.foreign_keys.push(fk(&["parent"], "t", &["id"]));
    t.foreign_keys.push(fk(&["parent"], "t", &["id"]));
    let a = schema(vec![t.clone()]);
    t.indexes.clear();
    t.foreign_keys.pop();
    checked(&a, &schema(vec![t]), &Renames::none());
}

#[test]
fn a_key_to_another_schemas_table_replays_while_a_missing_one_does_not() {
    let mut posts = table("posts", &[("id", "integer"), ("user_id", "integer")]);
    posts
        .foreign_keys
        .push(fk(&["user_id"], "auth.users", &["id"]));
    let to = schema(vec![posts.clone()]);
    checked(&Schema::new(Dialect::Postgres), &to, &Renames::none());

    posts.foreign_keys[0].references_table = "nowhere".into();
    let mut s = Schema::new(Dialect::Postgres);
    let e = apply_change(&mut s, &Change::CreateTable(posts)).expect_err("missing table");
    assert!(
        e.contains("posts references nowhere, which does not exist"),
        "{e}"
    );
}
