use super::*;
use crate::schema::{Check, Deferrable};

/// retort's own tables, as the migrator names them by default.
const OURS: &[&str] = &["retort_version", "retort_log"];

fn load(ddl: &str) -> rusqlite::Connection {
    let conn = rusqlite::Connection::open_in_memory().unwrap();
    conn.execute_batch(ddl).unwrap();
    conn
}

fn schema_of(ddl: &str) -> Schema {
    inspect(&load(ddl), OURS).unwrap()
}

const EVERY_KIND: &str = "
CREATE TABLE users (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    email VARCHAR(255) NOT NULL COLLATE NOCASE,
    name TEXT DEFAULT 'anon',
    score REAL DEFAULT (0.5),
    created TEXT DEFAULT CURRENT_TIMESTAMP,
    email_lower TEXT GENERATED ALWAYS AS (lower(email)) VIRTUAL,
    email_len INTEGER AS (length( email )) STORED,
    CONSTRAINT users_email_key UNIQUE (email),
    CONSTRAINT score_positive CHECK (score >= 0)
);
CREATE TABLE posts (
    id INTEGER PRIMARY KEY,
    user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE DEFERRABLE INITIALLY DEFERRED,
    editor_id INTEGER CONSTRAINT posts_editor_fk REFERENCES users ON UPDATE SET NULL,
    title TEXT NOT NULL CHECK (length(title) > 0),
    body TEXT,
    UNIQUE (user_id, title)
);
CREATE INDEX posts_title ON posts (title DESC);
CREATE UNIQUE INDEX users_lower_name ON users (lower(name), id) WHERE name IS NOT NULL;
CREATE TABLE tags (
    post_id INTEGER,
    tag TEXT,
    PRIMARY KEY (post_id, tag),
    FOREIGN KEY (post_id) REFERENCES posts (id)
) WITHOUT ROWID;
CREATE VIEW recent AS SELECT id, title FROM posts WHERE id > 10;
CREATE TRIGGER posts_touch AFTER UPDATE ON posts BEGIN
    UPDATE posts SET body = body WHERE id = NEW.id;
END;
CREATE TABLE retort_version (revision TEXT PRIMARY KEY);
CREATE TABLE retort_log (id INTEGER PRIMARY KEY);
";

fn column(name: &str, data_type: &str, nullable: bool) -> Column {
    Column {
        nullable,
        ..Column::new(name, data_type)
    }
}

#[test]
fn every_object_kind_is_read_into_the_model() {
    let s = schema_of(EVERY_KIND);
    assert_eq!(s.dialect, Dialect::Sqlite);
    assert_eq!(
        s.tables.keys().collect::<Vec<_>>(),
        ["posts", "tags", "users"],
        "retort's own tables are left out"
    );

    let users = &s.tables["users"];
    let mut expected = Table::new("users");
    expected.columns = vec![
        Column {
            identity: Some(Identity::AutoIncrement),
            ..column("id", "integer", false)
        },
        Column {
            collation: Some("nocase".into()),
            ..column("email", "varchar(255)", false)
        },
        Column {
            default: Some("'anon'".into()),
            ..column("name", "text", true)
        },
        Column {
            default: Some("0.5".into()),
            ..column("score", "real", true)
        },
        Column {
            default: Some("current_timestamp".into()),
            ..column("created", "text", true)
        },
        Column {
            generated: Some(Generated {
                expression: "lower(email)".into(),
                stored: false,
            }),
            ..column("email_lower", "text", true)
        },
        Column {
            generated: Some(Generated {
                expression: "length(email)".into(),
                stored: true,
            }),
            ..column("email_len", "integer", true)
        },
    ];
    expected.primary_key = Some(PrimaryKey {
        name: None,
        columns: vec!["id".into()],
    });
    expected.uniques = vec![Unique {
        name: Some("users_email_key".into()),
        columns: vec!["email".into()],
    }];
    expected.indexes = vec![Index {
        name: "users_lower_name".into(),
        unique: true,
        parts: vec![
            IndexPart {
                key: "lower(name)".into(),
                expression: true,
                descending: false,
                nulls_first: None,
                opclass: None,
                collation: None,
            },
            IndexPart {
                key: "id".into(),
                expression: false,
                descending: false,
                nulls_first: None,
                opclass: None,
                collation: None,
            },
        ],
        predicate: Some("name is not null".into()),
        method: None,
        include: Vec::new(),
        nulls_not_distinct: false,
    }];
    expected.checks = vec![Check {
        name: Some("score_positive".into()),
        expression: "score >= 0".into(),
        not_valid: false,
    }];
    assert_eq!(users, &expected);

    let posts = &s.tables["posts"];
    assert_eq!(
        posts.columns[0],
        column("id", "integer", false),
        "a rowid alias is never NULL, and numbers itself without AUTOINCREMENT"
    );
    assert_eq!(
        posts.uniques,
        [Unique {
            name: None,
            columns: vec!["user_id".into(), "title".into()],
        }]
    );
    assert_eq!(
        posts.indexes,
        [Index {
            name: "posts_title".into(),
            unique: false,
            parts: vec![IndexPart {
                key: "title".into(),
                expression: false,
                descending: true,
                nulls_first: None,
                opclass: None,
                collation: None,
            }],
            predicate: None,
            method: None,
            include: Vec::new(),
            nulls_not_distinct: false,
        }]
    );
    assert_eq!(
        posts.foreign_keys,
        [
            ForeignKey {
                name: Some("posts_editor_fk".into()),
                columns: vec!["editor_id".into()],
                references_table: "users".into(),
                references_columns: vec!["id".into()],
                on_delete: ReferentialAction::NoAction,
                on_update: ReferentialAction::SetNull,
                deferrable: Deferrable::NotDeferrable,
                match_full: false,
                not_valid: false,
            },
            ForeignKey {
                name: None,
                columns: vec!["user_id".into()],
                references_table: "users".into(),
                references_columns: vec!["id".into()],
                on_delete: ReferentialAction::Cascade,
                on_update: ReferentialAction::NoAction,
                deferrable: Deferrable::InitiallyDeferred,
                match_full: false,
                not_valid: false,
            },
        ]
    );
    assert_eq!(
        posts.checks,
        [Check {
            name: None,
            expression: "length(title) > 0".into(),
            not_valid: false,
        }]
    );

    let tags = &s.tables["tags"];
    assert_eq!(
        tags.columns,
        [
            column("post_id", "integer", false),
            column("tag", "text", false)
        ],
        "a WITHOUT ROWID table's key is NOT NULL, and an INTEGER in it is no rowid"
    );
    assert_eq!(
        tags.primary_key.as_ref().map(|k| &k.columns[..]),
        Some(&["post_id".to_owned(), "tag".to_owned()][..])
    );
    assert_eq!(tags.foreign_keys.len(), 1);
    assert!(tags.uniques.is_empty() && tags.indexes.is_empty());
    assert_eq!(
        (tags.options, s.tables["posts"].options),
        (
            TableOptions {
                without_rowid: true,
                strict: false
            },
            TableOptions::default()
        )
    );

    assert_eq!(
        s.views.values().collect::<Vec<_>>(),
        [&View {
            name: "recent".into(),
            definition: "select id, title from posts where id > 10".into(),
        }]
    );
    assert_eq!(
        s.unmanaged,
        [Unmanaged {
            kind: "trigger".into(),
            name: "posts_touch".into(),
        }],
        "a trigger is listed, never silently ignored"
    );
}

#[test]
fn the_same_schema_written_two_ways_gives_one_model() {
    let plain = schema_of(
        "CREATE TABLE Parent (
             id INTEGER PRIMARY KEY,
             code varchar(10) NOT NULL UNIQUE,
             n int DEFAULT 1 CHECK (n > 0),
             label TEXT COLLATE nocase,
             at TEXT DEFAULT 'now'
         );
         CREATE TABLE child (
             id integer primary key,
             parent_id INT REFERENCES Parent(id) ON DELETE CASCADE,
             note TEXT DEFAULT NULL
         );
         CREATE INDEX child_parent ON child(parent_id);
         CREATE VIEW v AS SELECT id FROM child WHERE note IS NULL;",
    );
    let other = schema_of(
        "create table \"Parent\" (
             \"id\" INTEGER,
             [code] VARCHAR ( 10 ) NOT NULL,
             `n` INT DEFAULT (1),
             label text COLLATE NOCASE,
             at TEXT DEFAULT \"now\",
             PRIMARY KEY (\"id\"),
             UNIQUE (code),
             CHECK(\"n\">0)
         );
         CREATE TABLE child (
             -- a comment inside the table
             id INTEGER NOT NULL PRIMARY KEY,
             parent_id INT,
             note TEXT,
             FOREIGN KEY (parent_id) REFERENCES \"parent\" ON DELETE CASCADE
         );
         create index \"child_parent\" on \"child\" ( \"parent_id\" ASC );
         CREATE VIEW v AS
             SELECT id
             FROM child /* why */ WHERE note is null;",
    );
    assert_eq!(plain, other);
    assert_eq!(
        plain.tables["child"].foreign_keys[0].references_columns,
        ["id"],
        "REFERENCES parent without columns means its primary key"
    );
}

#[test]
fn inspecting_twice_gives_the_same_model() {
    let conn = load(EVERY_KIND);
    assert_eq!(inspect(&conn, OURS).unwrap(), inspect(&conn, OURS).unwrap());
}

#[test]
fn retorts_own_tables_are_left_out_whatever_their_case() {
    let conn = load(
        "CREATE TABLE Retort_Version (revision TEXT PRIMARY KEY);
         CREATE TABLE retort_log (id INTEGER PRIMARY KEY);
         CREATE TABLE app (id INTEGER PRIMARY KEY);",
    );
    let s = inspect(&conn, OURS).unwrap();
    assert_eq!(s.tables.keys().collect::<Vec<_>>(), ["app"]);
    let all = inspect(&conn, &[]).unwrap();
    assert_eq!(all.tables.len(), 3, "nothing is left out unless named");
}

#[test]
fn triggers_and_virtual_tables_are_listed_as_unmanaged() {
    let s = schema_of(
        "CREATE TABLE t (a TEXT);
         CREATE TRIGGER t_ins AFTER INSERT ON t BEGIN SELECT 1; END;
         CREATE VIRTUAL TABLE docs USING fts5(body);",
    );
    assert_eq!(
        s.unmanaged,
        [
            Unmanaged {
                kind: "trigger".into(),
                name: "t_ins".into(),
            },
            Unmanaged {
                kind: "virtual table".into(),
                name: "docs".into(),
            },
        ]
    );
    assert_eq!(
        s.tables.keys().collect::<Vec<_>>(),
        ["t"],
        "the virtual table's shadow tables are its own"
    );
}

#[test]
fn integer_and_int_stay_apart_because_only_integer_is_the_rowid() {
    let s = schema_of(
        "CREATE TABLE a (id INTEGER PRIMARY KEY AUTOINCREMENT);
         CREATE TABLE b (id INT PRIMARY KEY);",
    );
    assert_eq!(
        s.tables["a"].columns[0],
        Column {
            identity: Some(Identity::AutoIncrement),
            ..column("id", "integer", false)
        }
    );
    assert_eq!(
        s.tables["b"].columns[0],
        column("id", "int", true),
        "INT PRIMARY KEY is no rowid: SQLite lets it hold NULL"
    );
    let s = schema_of(
        "CREATE TABLE c (id INTEGER PRIMARY KEY DESC);
         CREATE TABLE d (id INTEGER, PRIMARY KEY (id DESC));",
    );
    assert!(
        s.tables["c"].columns[0].nullable,
        "INTEGER PRIMARY KEY DESC on the column is no rowid either (SQLite's quirk)"
    );
    assert!(
        !s.tables["d"].columns[0].nullable,
        "but as a table constraint it is"
    );
}

#[test]
fn only_deferrable_initially_deferred_defers() {
    let s = schema_of(
        "CREATE TABLE p (id INTEGER PRIMARY KEY);
         CREATE TABLE c (
             a INTEGER REFERENCES p DEFERRABLE INITIALLY DEFERRED,
             b INTEGER REFERENCES p DEFERRABLE INITIALLY IMMEDIATE,
             c INTEGER REFERENCES p NOT DEFERRABLE INITIALLY DEFERRED,
             d INTEGER REFERENCES p ON DELETE SET DEFAULT DEFAULT 0,
             e INTEGER,
             CONSTRAINT c_e FOREIGN KEY (e) REFERENCES p (id) DEFERRABLE INITIALLY DEFERRED
         );",
    );
    let got: Vec<_> = s.tables["c"]
        .foreign_keys
        .iter()
        .map(|f| (f.columns[0].as_str(), f.name.as_deref(), f.deferrable))
        .collect();
    assert_eq!(
        got,
        [
            ("a", None, Deferrable::InitiallyDeferred),
            ("b", None, Deferrable::NotDeferrable),
            ("c", None, Deferrable::NotDeferrable),
            ("d", None, Deferrable::NotDeferrable),
            ("e", Some("c_e"), Deferrable::InitiallyDeferred),
        ]
    );
    assert_eq!(
        s.tables["c"].columns[3].default.as_deref(),
        Some("0"),
        "SET DEFAULT is an action, DEFAULT 0 the column's default"
    );
}

#[test]
fn types_are_normalized_only_in_case_and_spacing() {
    assert_eq!(normalize::data_type("VARCHAR ( 20 )"), "varchar(20)");
    assert_eq!(normalize::data_type("NUMERIC(10, 2)"), "numeric(10,2)");
    assert_eq!(
        normalize::data_type("  unsigned   BIG\tINT "),
        "unsigned big int"
    );
    assert_eq!(normalize::data_type(""), "");
}

#[test]
fn defaults_lose_their_parentheses_and_null_is_no_default() {
    assert_eq!(normalize::default("NULL"), None);
    assert_eq!(normalize::default("(null)"), None);
    assert_eq!(normalize::default("((1 + 2))").as_deref(), Some("1 + 2"));
    assert_eq!(normalize::default("-1").as_deref(), Some("-1"));
    assert_eq!(normalize::default("( - 1 )").as_deref(), Some("-1"));
    assert_eq!(normalize::default("'it''s'").as_deref(), Some("'it''s'"));
    assert_eq!(normalize::default("\"it's\"").as_deref(), Some("'it''s'"));
    assert_eq!(
        normalize::default("CURRENT_TIMESTAMP").as_deref(),
        Some("current_timestamp")
    );
    assert_eq!(
        normalize::default("(datetime('now',  'localtime'))").as_deref(),
        Some("datetime('now', 'localtime')"),
        "string literals keep their case"
    );
}

#[test]
fn expressions_keep_quotes_only_where_they_matter() {
    let toks = tokens::tokens(
        "\"a\" > 0 AND \"Mixed\" < [order] -- c\n AND x IN(1,- 2) AND LOWER (y) IS NOT NULL",
    );
    assert_eq!(
        normalize::expr(&toks),
        "a > 0 and \"Mixed\" < \"order\" and x in (1, -2) and lower(y) is not null",
        "a keyword and a name whose case matters keep their quotes"
    );
}

#[test]
fn a_table_text_is_lexed_only_when_it_may_hold_what_the_pragmas_lack() {
    use super::ddl::mentions_any;
    let words = &["check", "as"];
    assert!(mentions_any("CREATE TABLE t (a INT CHECK(a > 0))", words));
    assert!(mentions_any("CREATE TABLE t (a INT,CHECK (a))", words));
    assert!(mentions_any("CREATE TABLE t (b AS (1))", words));
    assert!(!mentions_any(
        "CREATE TABLE last (checked INT, \"has\" TEXT)",
        words
    ));
    assert!(!mentions_any("CREATE TABLE t (a$check INT)", words));
}

/// The two halves meet: what SQLite says of two schemas, diffed and replayed on the model,
/// reaches the second, and the diff back returns to the first.
#[test]
fn a_diff_of_two_inspected_schemas_replays_to_the_second_and_back() {
    use crate::schema::{apply, diff, Renames};
    let before = schema_of(
        "CREATE TABLE users (id INTEGER PRIMARY KEY, name VARCHAR(100) NOT NULL);
         CREATE TABLE old_notes (id INTEGER PRIMARY KEY, body TEXT);",
    );
    let after = schema_of(
        "CREATE TABLE users (id INTEGER PRIMARY KEY, name VARCHAR(100) NOT NULL, email TEXT);
         CREATE UNIQUE INDEX users_email ON users (email);
         CREATE TABLE posts (
             id INTEGER PRIMARY KEY AUTOINCREMENT,
             user_id INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
             title TEXT NOT NULL DEFAULT 'untitled' CHECK (length(title) > 0)
         );
         CREATE INDEX posts_user ON posts (user_id);",
    );
    let forward = diff(&before, &after, &Renames::default());
    assert!(!forward.changes.is_empty());
    assert!(
        !forward.destructive().is_empty(),
        "dropping old_notes is destructive"
    );
    assert_eq!(apply(&before, &forward).expect("forward"), after);
    let back = diff(&after, &before, &Renames::default());
    assert_eq!(apply(&after, &back).expect("back"), before);
    assert!(diff(&after, &after, &Renames::default()).changes.is_empty());
}

#[test]
fn strict_and_without_rowid_are_part_of_the_table_and_a_change_to_them_is_one() {
    let ddl = |options: &str| {
        format!("CREATE TABLE t (id INTEGER PRIMARY KEY, name TEXT NOT NULL){options};")
    };
    let plain = schema_of(&ddl(""));
    let strict = schema_of(&ddl(" STRICT"));
    let both = schema_of(&ddl(" WITHOUT ROWID, STRICT"));
    assert_eq!(plain.tables["t"].options, TableOptions::default());
    assert_eq!(
        both.tables["t"].options,
        TableOptions {
            without_rowid: true,
            strict: true
        }
    );
    let changes = crate::schema::diff(&plain, &strict, &Default::default()).changes;
    assert_eq!(
        changes.iter().map(ToString::to_string).collect::<Vec<_>>(),
        ["change table t: not strict → strict"]
    );
    let changes = crate::schema::diff(&strict, &both, &Default::default()).changes;
    assert_eq!(
        changes.iter().map(ToString::to_string).collect::<Vec<_>>(),
        ["change table t: rowid → without rowid"]
    );
}
