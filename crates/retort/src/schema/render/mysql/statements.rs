//! The exact statements of each kind of change (no server: `tests.rs` runs them).

use super::*;
use crate::schema::{
    diff, Check, Deferrable, EnumType, ForeignKey, Generated, Identity, IndexPart, PrimaryKey,
    ReferentialAction, Renames, Sequence, Unique, View,
};

fn column(name: &str, data_type: &str, nullable: bool) -> Column {
    Column {
        nullable,
        ..Column::new(name, data_type)
    }
}

fn part(key: &str) -> IndexPart {
    IndexPart {
        key: key.into(),
        expression: false,
        descending: false,
        nulls_first: None,
        opclass: None,
        collation: None,
    }
}

fn fk(name: Option<&str>, columns: &[&str], table: &str) -> ForeignKey {
    ForeignKey {
        name: name.map(str::to_string),
        columns: columns.iter().map(|c| c.to_string()).collect(),
        references_table: table.into(),
        references_columns: vec!["id".into()],
        on_delete: ReferentialAction::NoAction,
        on_update: ReferentialAction::NoAction,
        deferrable: Default::default(),
        match_full: false,
        not_valid: false,
    }
}

/// `p (id, name)` and `c (id, p_id → p, note)` with the index MySQL makes for the key.
fn base() -> Schema {
    let mut s = Schema::new(Dialect::Mysql);
    let mut p = Table::new("p");
    p.columns = vec![
        column("id", "int", false),
        column("name", "varchar(20)", true),
    ];
    p.primary_key = Some(PrimaryKey {
        name: None,
        columns: vec!["id".into()],
    });
    let mut c = Table::new("c");
    c.columns = vec![
        column("id", "int", false),
        column("p_id", "int", true),
        column("note", "text", true),
    ];
    c.primary_key = p.primary_key.clone();
    c.indexes = vec![Index {
        name: "p_id".into(),
        unique: false,
        parts: vec![part("p_id")],
        predicate: None,
        method: None,
        include: Vec::new(),
        nulls_not_distinct: false,
    }];
    c.foreign_keys = vec![fk(None, &["p_id"], "p")];
    s.tables.insert("p".into(), p);
    s.tables.insert("c".into(), c);
    s
}

fn up(a: &Schema, b: &Schema) -> Rendered {
    up_renamed(a, b, &Renames::none())
}

fn up_renamed(a: &Schema, b: &Schema, renames: &Renames) -> Rendered {
    render(&diff(a, b, renames), a, b).expect("renders")
}

fn edit(f: impl FnOnce(&mut Schema)) -> (Schema, Schema) {
    let a = base();
    let mut b = a.clone();
    f(&mut b);
    (a, b)
}

fn table<'s>(s: &'s mut Schema, name: &str) -> &'s mut Table {
    s.tables.get_mut(name).expect("table")
}

#[test]
fn a_table_is_created_whole_and_dropped() {
    let empty = Schema::new(Dialect::Mysql);
    let (_, mut b) = edit(|_| {});
    let c = table(&mut b, "c");
    c.comment = Some("it's \\ here".into());
    c.columns[2].comment = Some("the note".into());
    c.columns[0].identity = Some(Identity::AutoIncrement);
    c.columns.push(Column {
        default: Some("'x'".into()),
        collation: Some("utf8mb4_bin".into()),
        ..column("code", "varchar(4)", false)
    });
    c.columns.push(Column {
        generated: Some(Generated {
            expression: "p_id + 1".into(),
            stored: true,
        }),
        ..column("g", "int", true)
    });
    c.columns.push(Column {
        default: Some("current_timestamp(3)".into()),
        ..column("at", "datetime(3)", true)
    });
    c.columns.push(Column {
        default: Some("'{}'".into()),
        ..column("doc", "json", true)
    });
    c.uniques.push(Unique {
        name: Some("c_code".into()),
        columns: vec!["code".into(), "p_id".into()],
    });
    c.checks.push(Check {
        name: None,
        expression: "p_id > 0".into(),
        not_valid: false,
    });
    c.indexes.push(Index {
        name: "c_mixed".into(),
        unique: false,
        parts: vec![
            IndexPart {
                key: "note(10)".into(),
                expression: true,
                descending: false,
                nulls_first: None,
                opclass: None,
                collation: None,
            },
            IndexPart {
                key: "id".into(),
                expression: false,
                descending: true,
                nulls_first: None,
                opclass: None,
                collation: None,
            },
            IndexPart {
                key: "lower(code)".into(),
                expression: true,
                descending: false,
                nulls_first: None,
                opclass: None,
                collation: None,
            },
        ],
        predicate: None,
        method: None,
        include: Vec::new(),
        nulls_not_distinct: false,
    });
    c.indexes.push(Index {
        name: "c_text".into(),
        unique: false,
        parts: vec![part("note")],
        predicate: None,
        method: Some("fulltext".into()),
        include: Vec::new(),
        nulls_not_distinct: false,
    });
    c.foreign_keys[0].on_delete = ReferentialAction::Cascade;
    let r = up(&empty, &b);
    assert_eq!(
        r.statements,
        [
            "CREATE TABLE `p` (\n    `id` int NOT NULL,\n    `name` varchar(20) NULL,\n    PRIMARY KEY (`id`)\n)",
            "CREATE TABLE `c` (\n    `id` int NOT NULL AUTO_INCREMENT,\n    `p_id` int NULL,\n    \
             `note` text NULL COMMENT 'the note',\n    \
             `code` varchar(4) COLLATE utf8mb4_bin NOT NULL DEFAULT 'x',\n    \
             `g` int GENERATED ALWAYS AS (p_id + 1) STORED,\n    \
             `at` datetime(3) NULL DEFAULT current_timestamp(3),\n    \
             `doc` json NULL DEFAULT ('{}'),\n    \
             PRIMARY KEY (`id`),\n    UNIQUE KEY `c_code` (`code`, `p_id`),\n    KEY `p_id` (`p_id`),\n    \
             KEY `c_mixed` (`note`(10), `id` DESC, (lower(code))),\n    FULLTEXT KEY `c_text` (`note`),\n    \
             CHECK (p_id > 0),\n    FOREIGN KEY (`p_id`) REFERENCES `p` (`id`) ON DELETE CASCADE\n) \
             COMMENT 'it''s \\\\ here'",
        ]
    );
    let back = up(&b, &empty);
    assert_eq!(back.statements, ["DROP TABLE `c`", "DROP TABLE `p`"]);
}

#[test]
fn column_changes_are_one_alter_table_per_table() {
    let (a, b) = edit(|s| {
        let c = table(s, "c");
        c.columns.retain(|c| c.name != "note");
        c.columns.push(column("extra", "bigint unsigned", true));
        c.columns[0].data_type = "bigint".into();
        c.comment = Some("children".into());
    });
    assert_eq!(
        up(&a, &b).statements,
        ["ALTER TABLE `c`\n    DROP COLUMN `note`,\n    ADD COLUMN `extra` bigint unsigned NULL,\n    \
          COMMENT = 'children',\n    MODIFY COLUMN `id` bigint NOT NULL"]
    );
    assert_eq!(
        up(&b, &a).statements,
        [
            "ALTER TABLE `c`\n    DROP COLUMN `extra`,\n    ADD COLUMN `note` text NULL,\n    \
          COMMENT = '',\n    MODIFY COLUMN `id` int NOT NULL"
        ]
    );
}

#[test]
fn auto_increment_goes_with_its_primary_key() {
    let (a, b) = edit(|s| {
        s.tables.remove("c");
        let p = table(s, "p");
        p.columns[1].nullable = false;
        p.primary_key = Some(PrimaryKey {
            name: None,
            columns: vec!["id".into(), "name".into()],
        });
        p.columns[0].identity = Some(Identity::AutoIncrement);
    });
    let mut a = a;
    a.tables.remove("c");
    assert_eq!(
        up(&a, &b).statements,
        ["ALTER TABLE `p`\n    DROP PRIMARY KEY,\n    MODIFY COLUMN `id` int NOT NULL AUTO_INCREMENT,\n    \
          MODIFY COLUMN `name` varchar(20) NOT NULL,\n    ADD PRIMARY KEY (`id`, `name`)"]
    );
}

#[test]
fn renames_of_tables_columns_and_unique_keys() {
    let (a, b) = edit(|s| {
        let mut p = s.tables.remove("p").expect("p");
        p.name = "parent".into();
        p.columns[1].name = "title".into();
        p.uniques.push(Unique {
            name: Some("parent_title".into()),
            columns: vec!["title".into()],
        });
        s.tables.insert("parent".into(), p);
        table(s, "c").foreign_keys[0].references_table = "parent".into();
    });
    let mut a = a;
    table(&mut a, "p").uniques.push(Unique {
        name: Some("p_name".into()),
        columns: vec!["name".into()],
    });
    let renames = Renames::none()
        .table("p", "parent")
        .column("parent", "name", "title");
    assert_eq!(
        up_renamed(&a, &b, &renames).statements,
        [
            "RENAME TABLE `p` TO `parent`",
            "ALTER TABLE `parent` RENAME COLUMN `name` TO `title`",
            "ALTER TABLE `parent` RENAME INDEX `p_name` TO `parent_title`",
        ]
    );
}

#[test]
fn a_foreign_key_without_a_name_is_dropped_by_its_looked_up_name() {
    let (a, b) = edit(|s| {
        let c = table(s, "c");
        c.foreign_keys.clear();
        c.indexes.clear();
    });
    let r = up(&a, &b);
    assert_eq!(r.statements.len(), 5, "{:#?}", r.statements);
    let lookup = &r.statements[0];
    assert!(lookup.starts_with(
        "-- the server named this foreign key of c: its name is looked up by definition\n\
         SET @retort_ddl = COALESCE((SELECT CONCAT('ALTER TABLE `c` DROP FOREIGN KEY `'"
    ));
    for part in [
        "k.TABLE_NAME = 'c'",
        "k.REFERENCED_TABLE_NAME = 'p'",
        "r.DELETE_RULE IN ('NO ACTION', 'RESTRICT')",
        "ORDER BY k.ORDINAL_POSITION SEPARATOR ',') = '`p_id`'",
        "SEPARATOR ',') = '`id`'",
        "'SIGNAL SQLSTATE ''45000'' SET MESSAGE_TEXT = ''retort: no foreign key of c matches the one to drop'''",
    ] {
        assert!(lookup.contains(part), "{part} in {lookup}");
    }
    assert_eq!(
        r.statements[1..],
        [
            "PREPARE retort_ddl FROM @retort_ddl",
            "EXECUTE retort_ddl",
            "DEALLOCATE PREPARE retort_ddl",
            // The index the server made for the key stays after it: dropped after it.
            "ALTER TABLE `c`\n    DROP INDEX `p_id`",
        ]
    );
    // Added back: the index first, then the key, without a name (the server makes one).
    assert_eq!(
        up(&b, &a).statements,
        [
            "ALTER TABLE `c`\n    ADD KEY `p_id` (`p_id`)",
            "ALTER TABLE `c`\n    ADD FOREIGN KEY (`p_id`) REFERENCES `p` (`id`)",
        ]
    );
}

#[test]
fn named_foreign_keys_and_checks_are_dropped_and_added_by_name() {
    let (a, b) = edit(|s| {
        let c = table(s, "c");
        c.foreign_keys[0].name = Some("c_p".into());
        c.foreign_keys[0].on_update = ReferentialAction::SetNull;
        c.checks.push(Check {
            name: Some("c_pos".into()),
            expression: "id > 0".into(),
            not_valid: false,
        });
    });
    let mut a = a;
    table(&mut a, "c").foreign_keys[0].name = Some("c_old".into());
    table(&mut a, "c").checks.push(Check {
        name: Some("c_gone".into()),
        expression: "id < 0".into(),
        not_valid: false,
    });
    assert_eq!(
        up(&a, &b).statements,
        [
            "ALTER TABLE `c` DROP FOREIGN KEY `c_old`",
            "ALTER TABLE `c`\n    DROP CONSTRAINT `c_gone`,\n    ADD CONSTRAINT `c_pos` CHECK (id > 0)",
            // The index may be the server's (named after the column): written again as the
            // user's, so that adding the key does not replace it.
            "ALTER TABLE `c`\n    DROP INDEX `p_id`,\n    ADD KEY `p_id` (`p_id`),\n    \
             ADD CONSTRAINT `c_p` FOREIGN KEY (`p_id`) REFERENCES `p` (`id`) ON UPDATE SET NULL",
        ]
    );
}

#[test]
fn a_check_without_a_name_is_looked_up_before_the_alter_table() {
    let (a, b) = edit(|s| {
        table(s, "c").columns.retain(|c| c.name != "note");
    });
    let mut a = a;
    table(&mut a, "c").checks.push(Check {
        name: None,
        expression: "note <> 'x'".into(),
        not_valid: false,
    });
    let r = up(&a, &b);
    assert_eq!(r.statements.len(), 5, "{:#?}", r.statements);
    assert!(r.statements[0].contains("ALTER TABLE `c` DROP CONSTRAINT `'"));
    assert!(r.statements[0].contains("IN ('note <> ''x''', '(note <> ''x'')')"));
    assert_eq!(r.statements[4], "ALTER TABLE `c`\n    DROP COLUMN `note`");
}

#[test]
fn renamed_foreign_keys_and_checks_are_dropped_and_added() {
    let (a, b) = edit(|s| {
        table(s, "c").foreign_keys[0].name = Some("c_p".into());
        table(s, "c").checks.push(Check {
            name: Some("c2".into()),
            expression: "id > 0".into(),
            not_valid: false,
        });
    });
    let mut a = a;
    table(&mut a, "c").checks.push(Check {
        name: Some("c1".into()),
        expression: "id > 0".into(),
        not_valid: false,
    });
    let r = up(&a, &b);
    assert_eq!(r.statements.len(), 7, "{:#?}", r.statements);
    assert_eq!(
        r.statements[4..],
        [
            "ALTER TABLE `c`\n    DROP INDEX `p_id`,\n    ADD KEY `p_id` (`p_id`),\n    \
             ADD CONSTRAINT `c_p` FOREIGN KEY (`p_id`) REFERENCES `p` (`id`)",
            "ALTER TABLE `c` DROP CONSTRAINT `c1`",
            "ALTER TABLE `c` ADD CONSTRAINT `c2` CHECK (id > 0)",
        ]
    );
}

#[test]
fn indexes_of_every_kind() {
    let (a, b) = edit(|s| {
        let c = table(s, "c");
        c.indexes.push(Index {
            name: "c_hash".into(),
            unique: true,
            parts: vec![part("id"), part("p_id")],
            predicate: None,
            method: Some("hash".into()),
            include: Vec::new(),
            nulls_not_distinct: false,
        });
        c.indexes.push(Index {
            name: "c_desc".into(),
            unique: true,
            parts: vec![IndexPart {
                key: "note(5)".into(),
                expression: true,
                descending: true,
                nulls_first: None,
                opclass: None,
                collation: None,
            }],
            predicate: None,
            method: None,
            include: Vec::new(),
            nulls_not_distinct: false,
        });
    });
    assert_eq!(
        up(&a, &b).statements,
        [
            "ALTER TABLE `c`\n    ADD UNIQUE KEY `c_hash` (`id`, `p_id`) USING HASH,\n    \
          ADD UNIQUE KEY `c_desc` (`note`(5) DESC)"
        ]
    );
    // An index that can serve the foreign key: the one that may be the server's is
    // written again so that the server does not drop it.
    let (a, b) = edit(|s| {
        table(s, "c").indexes.push(Index {
            name: "c_pn".into(),
            unique: false,
            parts: vec![
                part("p_id"),
                IndexPart {
                    key: "note(4)".into(),
                    expression: true,
                    descending: false,
                    nulls_first: None,
                    opclass: None,
                    collation: None,
                },
            ],
            predicate: None,
            method: None,
            include: Vec::new(),
            nulls_not_distinct: false,
        });
    });
    let r = up(&a, &b);
    assert_eq!(
        r.statements,
        [
            "ALTER TABLE `c`\n    ADD KEY `c_pn` (`p_id`, `note`(4)),\n    \
          DROP INDEX `p_id`,\n    ADD KEY `p_id` (`p_id`)"
        ]
    );
}

#[test]
fn views_are_created_replaced_and_dropped() {
    let view = |name: &str, definition: &str| View {
        name: name.into(),
        definition: definition.into(),
    };
    let mut a = base();
    a.views.insert("v1".into(), view("v1", "select 1 as one"));
    a.views.insert("v2".into(), view("v2", "select id from p"));
    let mut b = base();
    b.views.insert("v1".into(), view("v1", "select 2 as two"));
    b.views
        .insert("v3".into(), view("v3", "select name from p"));
    assert_eq!(
        up(&a, &b).statements,
        [
            "DROP VIEW `v2`",
            "CREATE OR REPLACE VIEW `v1` AS select 2 as two",
            "CREATE VIEW `v3` AS select name from p",
        ]
    );
}

#[test]
fn enum_changes_are_modifications_with_a_note_when_they_copy_the_table() {
    let with = |e: &str| {
        let mut s = base();
        table(&mut s, "p").columns.push(column("kind", e, true));
        s
    };
    let a = with("enum('a','b')");
    let appended = up(&a, &with("enum('a','b','c')"));
    assert_eq!(
        appended.statements,
        ["ALTER TABLE `p`\n    MODIFY COLUMN `kind` enum('a','b','c') NULL"]
    );
    assert!(appended.notes.is_empty());
    let removed = up(&a, &with("enum('a')"));
    assert_eq!(removed.notes.len(), 1);
    assert!(removed.notes[0]
        .starts_with("p.kind: the ENUM change removes b: MySQL copies the whole table"));
    let reordered = up(&a, &with("enum('b','a')"));
    assert!(reordered.notes[0].contains("reorders its values"));
    let set = up(&with("set('x','it''s')"), &with("set('it''s')"));
    assert!(
        set.notes[0].contains("the SET change removes x"),
        "{:?}",
        set.notes
    );
}

#[test]
fn what_mysql_has_no_way_to_write_is_refused() {
    let a = base();
    let mut b = base();
    b.enums.insert(
        "mood".into(),
        EnumType {
            name: "mood".into(),
            values: vec!["ok".into()],
        },
    );
    b.sequences.insert(
        "seq".into(),
        Sequence {
            name: "seq".into(),
            start: 1,
            increment: 1,
        },
    );
    let e = render(&diff(&a, &b, &Renames::none()), &a, &b).expect_err("unsupported");
    assert!(matches!(
        e,
        RenderError::Unsupported {
            dialect: Dialect::Mysql,
            ..
        }
    ));
    let (a, b) = edit(|s| {
        table(s, "c").indexes[0].predicate = Some("p_id > 0".into());
    });
    let e = render(&diff(&a, &b, &Renames::none()), &a, &b).expect_err("partial");
    assert!(e.to_string().contains("partial indexes"), "{e}");
    let (a, b) = edit(|s| {
        table(s, "c").foreign_keys[0].deferrable = Deferrable::InitiallyDeferred;
    });
    let e = render(&diff(&a, &b, &Renames::none()), &a, &b).expect_err("deferrable");
    assert!(e.to_string().contains("deferrable"), "{e}");
}

#[test]
fn a_virtual_column_changed_is_dropped_and_added() {
    let (a, b) = edit(|s| {
        table(s, "c").columns.push(Column {
            generated: Some(Generated {
                expression: "id * 2".into(),
                stored: false,
            }),
            ..column("g", "int", true)
        });
    });
    let mut c = b.clone();
    table(&mut c, "c").columns[3].generated = Some(Generated {
        expression: "id * 2".into(),
        stored: true,
    });
    let r = up(&b, &c);
    assert_eq!(
        r.statements,
        ["ALTER TABLE `c`\n    DROP COLUMN `g`,\n    ADD COLUMN `g` int GENERATED ALWAYS AS (id * 2) STORED"]
    );
    assert_eq!(r.notes.len(), 1);
    let _ = a;
}

#[test]
fn keys_on_a_column_whose_type_changes_are_dropped_around_it() {
    let (a, b) = edit(|s| {
        table(s, "p").columns[0].data_type = "bigint".into();
        table(s, "c").columns[1].data_type = "bigint".into();
        table(s, "c").foreign_keys[0].name = Some("c_p".into());
        table(s, "c").indexes[0].name = "c_p".into();
    });
    let mut a = a;
    table(&mut a, "c").foreign_keys[0].name = Some("c_p".into());
    table(&mut a, "c").indexes[0].name = "c_p".into();
    assert_eq!(
        up(&a, &b).statements,
        [
            "ALTER TABLE `c` DROP FOREIGN KEY `c_p`",
            "ALTER TABLE `c`\n    MODIFY COLUMN `p_id` bigint NULL",
            "ALTER TABLE `p`\n    MODIFY COLUMN `id` bigint NOT NULL",
            // The index is named after the key: it may be the server's, so it is pinned.
            "ALTER TABLE `c`\n    DROP INDEX `c_p`,\n    ADD KEY `c_p` (`p_id`),\n    \
             ADD CONSTRAINT `c_p` FOREIGN KEY (`p_id`) REFERENCES `p` (`id`)",
        ]
    );
}
