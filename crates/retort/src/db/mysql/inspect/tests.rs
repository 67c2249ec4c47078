//! Against a real server (see `db::mysql::tests`): each test loads DDL into a database of
//! its own and reads it back; the normalizers also on their own.

use std::time::Instant;

use super::*;
use crate::db::mysql::tests::{admin, TestDb};
use crate::db::{Connection, Value};
use crate::schema::{diff, Deferrable, Renames};

/// retort's own tables, as the migrator names them by default.
const OURS: &[&str] = &["retort_version", "retort_log"];

/// A database loaded with `ddl` (statements separated by `;` at line ends).
fn load(ddl: &str) -> (TestDb, crate::db::MysqlConnection) {
    let db = TestDb::create();
    let mut c = db.connect();
    for statement in ddl.split(";\n").filter(|s| !s.trim().is_empty()) {
        c.run(statement)
            .unwrap_or_else(|e| panic!("{statement}: {e}"));
    }
    (db, c)
}

fn schema_of(ddl: &str) -> Schema {
    let (_db, mut c) = load(ddl);
    c.inspect(OURS).unwrap()
}

fn is_mariadb(c: &mut crate::db::MysqlConnection) -> bool {
    let rows = c.query("SELECT VERSION()", &[]).unwrap();
    matches!(&rows[0][0], Value::Text(v) if v.contains("MariaDB"))
}

fn column(name: &str, data_type: &str, nullable: bool) -> Column {
    Column {
        nullable,
        ..Column::new(name, data_type)
    }
}

fn part(key: &str, expression: bool, descending: bool) -> IndexPart {
    IndexPart {
        key: key.into(),
        expression,
        descending,
        nulls_first: None,
        opclass: None,
        collation: None,
    }
}

const EVERY_KIND: &str = "
CREATE TABLE users (
    id INT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
    email VARCHAR(255) NOT NULL COLLATE utf8mb4_bin COMMENT 'where we write',
    name VARCHAR(50) DEFAULT 'anon',
    active BOOL NOT NULL DEFAULT TRUE,
    score DECIMAL(6,2) DEFAULT 0.5,
    kind ENUM('admin','It''s') NOT NULL DEFAULT 'admin',
    tags SET('a','b'),
    doc JSON,
    created TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP ON UPDATE CURRENT_TIMESTAMP,
    token VARCHAR(36) DEFAULT (uuid()),
    email_lower VARCHAR(255) AS (lower(email)) VIRTUAL,
    email_len INT GENERATED ALWAYS AS (char_length(email)) STORED,
    CONSTRAINT users_email_key UNIQUE (email),
    CONSTRAINT score_positive CHECK (score >= 0)
) DEFAULT CHARSET utf8mb4 COLLATE utf8mb4_general_ci COMMENT 'people';
CREATE TABLE posts (
    id BIGINT PRIMARY KEY,
    user_id INT UNSIGNED NOT NULL,
    editor_id INT UNSIGNED,
    title VARCHAR(100) NOT NULL CHECK (char_length(title) > 0),
    body TEXT,
    UNIQUE KEY posts_user_title (user_id, title),
    INDEX posts_title (title DESC, body(10)),
    FULLTEXT INDEX posts_body (body),
    CONSTRAINT posts_user_fk FOREIGN KEY (user_id) REFERENCES users (id) ON DELETE CASCADE,
    FOREIGN KEY (editor_id) REFERENCES users (id) ON UPDATE SET NULL
);
CREATE VIEW recent AS SELECT id, title FROM posts WHERE id > 10;
CREATE TRIGGER posts_touch BEFORE UPDATE ON posts FOR EACH ROW SET NEW.body = OLD.body;
CREATE FUNCTION answer() RETURNS INT DETERMINISTIC RETURN 42;
CREATE PROCEDURE noop() SELECT 1;
CREATE EVENT nightly ON SCHEDULE EVERY 1 DAY DO SELECT 1;
CREATE TABLE parts (id INT PRIMARY KEY) PARTITION BY HASH (id) PARTITIONS 2;
CREATE TABLE retort_version (revision VARCHAR(64) PRIMARY KEY);
CREATE TABLE retort_log (id BIGINT AUTO_INCREMENT PRIMARY KEY);
";

#[test]
#[cfg_attr(retort_skip_mysql, ignore = "RETORT_TEST_SKIP names mysql")]
fn every_object_kind_is_read_into_the_model() {
    let (_db, mut c) = load(EVERY_KIND);
    let mariadb = is_mariadb(&mut c);
    let s = c.inspect(OURS).unwrap();
    assert_eq!(s.dialect, Dialect::Mysql);
    assert_eq!(
        s.tables.keys().collect::<Vec<_>>(),
        ["parts", "posts", "users"],
        "retort's own tables are left out"
    );

    let mut users = Table::new("users");
    users.comment = Some("people".into());
    users.columns = vec![
        Column {
            identity: Some(Identity::AutoIncrement),
            ..column("id", "int unsigned", false)
        },
        Column {
            collation: Some("utf8mb4_bin".into()),
            comment: Some("where we write".into()),
            ..column("email", "varchar(255)", false)
        },
        Column {
            default: Some("'anon'".into()),
            ..column("name", "varchar(50)", true)
        },
        Column {
            default: Some("1".into()),
            ..column("active", "boolean", false)
        },
        Column {
            default: Some("0.50".into()),
            ..column("score", "decimal(6,2)", true)
        },
        Column {
            default: Some("'admin'".into()),
            ..column("kind", "enum('admin','It''s')", false)
        },
        column("tags", "set('a','b')", true),
        column("doc", "json", true),
        Column {
            default: Some("current_timestamp".into()),
            ..column("created", "timestamp", false)
        },
        Column {
            default: Some("uuid()".into()),
            ..column("token", "varchar(36)", true)
        },
        Column {
            generated: Some(Generated {
                expression: if mariadb {
                    "lcase(email)"
                } else {
                    "lower(email)"
                }
                .into(),
                stored: false,
            }),
            ..column("email_lower", "varchar(255)", true)
        },
        Column {
            generated: Some(Generated {
                expression: "char_length(email)".into(),
                stored: true,
            }),
            ..column("email_len", "int", true)
        },
    ];
    users.primary_key = Some(PrimaryKey {
        name: None,
        columns: vec!["id".into()],
    });
    users.uniques = vec![Unique {
        name: Some("users_email_key".into()),
        columns: vec!["email".into()],
    }];
    users.checks = vec![Check {
        name: Some("score_positive".into()),
        expression: "score >= 0".into(),
        not_valid: false,
    }];
    assert_eq!(s.tables["users"], users);

    let mut posts = Table::new("posts");
    posts.columns = vec![
        column("id", "bigint", false),
        column("user_id", "int unsigned", false),
        column("editor_id", "int unsigned", true),
        column("title", "varchar(100)", false),
        column("body", "text", true),
    ];
    posts.primary_key = Some(PrimaryKey {
        name: None,
        columns: vec!["id".into()],
    });
    posts.uniques = vec![Unique {
        name: Some("posts_user_title".into()),
        columns: vec!["user_id".into(), "title".into()],
    }];
    posts.indexes = vec![
        Index {
            name: "editor_id".into(),
            unique: false,
            parts: vec![part("editor_id", false, false)],
            predicate: None,
            method: None,
            include: Vec::new(),
            nulls_not_distinct: false,
        },
        Index {
            name: "posts_body".into(),
            unique: false,
            parts: vec![part("body", false, false)],
            predicate: None,
            method: Some("fulltext".into()),
            include: Vec::new(),
            nulls_not_distinct: false,
        },
        Index {
            name: "posts_title".into(),
            unique: false,
            parts: vec![part("title", false, true), part("body(10)", true, false)],
            predicate: None,
            method: None,
            include: Vec::new(),
            nulls_not_distinct: false,
        },
    ];
    posts.foreign_keys = vec![
        ForeignKey {
            name: None,
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
            name: Some("posts_user_fk".into()),
            columns: vec!["user_id".into()],
            references_table: "users".into(),
            references_columns: vec!["id".into()],
            on_delete: ReferentialAction::Cascade,
            on_update: ReferentialAction::NoAction,
            deferrable: Deferrable::NotDeferrable,
            match_full: false,
            not_valid: false,
        },
    ];
    posts.checks = vec![Check {
        name: None,
        expression: "char_length(title) > 0".into(),
        not_valid: false,
    }];
    assert_eq!(
        s.tables["posts"], posts,
        "the unique key on (user_id, title) serves posts_user_fk; editor_id got its own index"
    );

    assert_eq!(
        s.views.values().collect::<Vec<_>>(),
        [&View {
            name: "recent".into(),
            definition: "select posts.`id` as `id`, posts.title as title from posts \
                         where posts.`id` > 10"
                .into(),
        }],
        "the view's text no longer names the database (`id` is a keyword to sqlparser)"
    );
    let unmanaged: Vec<(&str, &str)> = s
        .unmanaged
        .iter()
        .map(|u| (u.kind.as_str(), u.name.as_str()))
        .collect();
    assert_eq!(
        unmanaged,
        [
            ("event", "nightly"),
            ("function", "answer"),
            ("on update", "users.created = current_timestamp"),
            ("partitioned table", "parts"),
            ("procedure", "noop"),
            ("trigger", "posts_touch"),
        ],
        "what the model cannot hold is listed, never silently ignored"
    );
}

/// Two databases loaded with `a` and `b` give one model, and the diff between them is
/// empty.
fn assert_same_model(a: &str, b: &str) -> Schema {
    let left = schema_of(a);
    let right = schema_of(b);
    assert_eq!(left, right);
    assert!(diff(&left, &right, &Renames::default()).changes.is_empty());
    left
}

#[test]
#[cfg_attr(retort_skip_mysql, ignore = "RETORT_TEST_SKIP names mysql")]
fn the_same_schema_written_two_ways_gives_one_model() {
    let s = assert_same_model(
        "CREATE TABLE parent (
             id INT NOT NULL AUTO_INCREMENT PRIMARY KEY,
             code VARCHAR(10) NOT NULL UNIQUE,
             flag BOOL DEFAULT FALSE,
             n INT(11) DEFAULT 1 CHECK (n > 0),
             label VARCHAR(20) DEFAULT 'x',
             at TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP,
             at6 DATETIME(6) DEFAULT CURRENT_TIMESTAMP(6),
             note TEXT NULL,
             big BIGINT UNSIGNED
         );
         CREATE TABLE child (
             id INTEGER PRIMARY KEY,
             parent_id INT,
             FOREIGN KEY (parent_id) REFERENCES parent (id) ON DELETE CASCADE
         );
         CREATE VIEW v AS SELECT id FROM child WHERE parent_id IS NULL",
        "create table `parent` (
             `id` integer not null auto_increment,
             code varchar(10) not null,
             flag tinyint(1) default 0,
             n integer default '1',
             label varchar(20) default \"x\",
             at timestamp not null default now(),
             at6 datetime(6) default now(6),
             note text default null,
             big bigint(20) unsigned,
             primary key (id),
             unique key code (code),
             check (`n`>0)
         );
         create table child (id int(11) not null, parent_id int(11) default null, primary key (id));
         alter table child add foreign key (parent_id) references parent (id) on delete cascade;
         create view v as select `id` from `child` where (`parent_id` is null)",
    );
    let parent = &s.tables["parent"];
    assert_eq!(parent.columns[2].data_type, "boolean");
    assert_eq!(parent.columns[3].data_type, "int");
    assert_eq!(parent.columns[3].default.as_deref(), Some("1"));
    assert_eq!(
        parent.columns[5].default.as_deref(),
        Some("current_timestamp")
    );
    assert_eq!(
        parent.columns[6].default.as_deref(),
        Some("current_timestamp(6)")
    );
    assert_eq!(parent.columns[8].data_type, "bigint unsigned");
    assert_eq!(
        parent.checks,
        [Check {
            name: None,
            expression: "n > 0".into(),
            not_valid: false,
        }],
        "a check on the column and one on the table are one check"
    );
    assert_eq!(
        s.tables["child"]
            .indexes
            .iter()
            .map(|i| &i.name[..])
            .collect::<Vec<_>>(),
        ["parent_id"],
        "the index MySQL makes for the foreign key, alike from CREATE and ALTER TABLE"
    );
}

#[test]
#[cfg_attr(retort_skip_mysql, ignore = "RETORT_TEST_SKIP names mysql")]
fn foreign_keys_and_their_indexes_are_alike_however_they_came() {
    // Named keys, a key served by an index declared after it, a key added before the index
    // that serves it (MySQL then drops the index it made), a key on two columns.
    assert_same_model(
        "CREATE TABLE p (id INT PRIMARY KEY, a INT, b INT, UNIQUE KEY p_ab (a, b));
         CREATE TABLE c (
             id INT PRIMARY KEY,
             pid INT,
             q INT,
             a INT,
             b INT,
             CONSTRAINT c_p FOREIGN KEY (pid) REFERENCES p (id) ON DELETE SET NULL,
             FOREIGN KEY (q) REFERENCES p (id),
             INDEX c_q_id (q, id),
             FOREIGN KEY (a, b) REFERENCES p (a, b) ON UPDATE CASCADE
         )",
        "CREATE TABLE p (id INT PRIMARY KEY, a INT, b INT);
         CREATE UNIQUE INDEX p_ab ON p (a, b);
         CREATE TABLE c (id INT PRIMARY KEY, pid INT, q INT, a INT, b INT);
         ALTER TABLE c ADD FOREIGN KEY (a, b) REFERENCES p (a, b) ON UPDATE CASCADE;
         ALTER TABLE c ADD FOREIGN KEY (q) REFERENCES p (id) ON DELETE RESTRICT;
         CREATE INDEX c_q_id ON c (q, id);
         ALTER TABLE c ADD CONSTRAINT c_p FOREIGN KEY (pid) REFERENCES p (id) ON DELETE SET NULL",
    );
}

#[test]
#[cfg_attr(retort_skip_mysql, ignore = "RETORT_TEST_SKIP names mysql")]
fn inspecting_twice_gives_the_same_model() {
    let (_db, mut c) = load(EVERY_KIND);
    let first = c.inspect(OURS).unwrap();
    assert_eq!(first, c.inspect(OURS).unwrap());
    assert!(diff(&first, &first, &Renames::default()).changes.is_empty());
}

#[test]
#[cfg_attr(retort_skip_mysql, ignore = "RETORT_TEST_SKIP names mysql")]
fn excluded_tables_are_left_out_by_their_exact_name() {
    let (_db, mut c) = load(
        "CREATE TABLE retort_version (revision VARCHAR(64) PRIMARY KEY);
         CREATE TABLE retort_log (id INT PRIMARY KEY);
         CREATE TABLE Retort_Log (id INT PRIMARY KEY);
         CREATE TABLE app (id INT PRIMARY KEY)",
    );
    let s = c.inspect(OURS).unwrap();
    assert_eq!(
        s.tables.keys().collect::<Vec<_>>(),
        ["Retort_Log", "app"],
        "table names are case-sensitive here, so is the exclusion"
    );
    let all = c.inspect(&[]).unwrap();
    assert_eq!(all.tables.len(), 4, "nothing is left out unless named");
}

#[test]
#[cfg_attr(retort_skip_mysql, ignore = "RETORT_TEST_SKIP names mysql")]
fn another_databases_tables_are_never_mixed_in() {
    let (other, _c) = load(
        "CREATE TABLE shared (id INT PRIMARY KEY, only_there INT);
         CREATE TABLE theirs (id INT PRIMARY KEY);
         CREATE VIEW their_view AS SELECT id FROM theirs;
         CREATE TRIGGER their_trigger BEFORE INSERT ON theirs FOR EACH ROW SET NEW.id = NEW.id",
    );
    let (_db, mut c) = load(&format!(
        "CREATE TABLE shared (id INT PRIMARY KEY, ref INT, INDEX shared_ref (ref));
         ALTER TABLE shared ADD CONSTRAINT to_theirs FOREIGN KEY (ref) REFERENCES `{}`.theirs (id)",
        other.name
    ));
    let s = c.inspect(OURS).unwrap();
    assert_eq!(s.tables.keys().collect::<Vec<_>>(), ["shared"]);
    let shared = &s.tables["shared"];
    assert_eq!(
        shared
            .columns
            .iter()
            .map(|c| &c.name[..])
            .collect::<Vec<_>>(),
        ["id", "ref"]
    );
    assert_eq!(shared.indexes.len(), 1);
    assert!(s.views.is_empty() && s.unmanaged.is_empty());
    assert_eq!(
        shared.foreign_keys[0].references_table,
        format!("{}.theirs", other.name),
        "a table of another database keeps its database's name"
    );
}

#[test]
#[cfg_attr(retort_skip_mysql, ignore = "RETORT_TEST_SKIP names mysql")]
fn what_the_model_lacks_is_listed() {
    let db = TestDb::create();
    let mut c = db.connect();
    // MariaDB says IGNORED and has sequences; MySQL 8 says INVISIBLE and has none.
    let mariadb = is_mariadb(&mut c);
    if mariadb {
        c.run("CREATE SEQUENCE seq").unwrap();
    }
    c.run(&format!(
        "CREATE TABLE t (id INT PRIMARY KEY, secret INT INVISIBLE, \
         at DATETIME(3) DEFAULT now(3) ON UPDATE now(3), INDEX t_at (at) {})",
        if mariadb { "IGNORED" } else { "INVISIBLE" }
    ))
    .unwrap();
    let s = c.inspect(OURS).unwrap();
    assert_eq!(s.tables.keys().collect::<Vec<_>>(), ["t"]);
    let mut expected = vec![
        unmanaged("invisible column", "t.secret"),
        unmanaged("invisible index", "t.t_at"),
        unmanaged("on update", "t.at = current_timestamp(3)"),
    ];
    if mariadb {
        expected.push(unmanaged("sequence", "seq"));
    }
    assert_eq!(s.unmanaged, expected);
    assert_eq!(
        s.tables["t"].columns[2].default.as_deref(),
        Some("current_timestamp(3)")
    );
}

/// Statements the server counted on this session (`Questions` counts the `SHOW` itself).
fn questions(c: &mut crate::db::MysqlConnection) -> u64 {
    let rows = c
        .query("SHOW SESSION STATUS LIKE 'Questions'", &[])
        .unwrap();
    match &rows[0][1] {
        Value::Text(n) => n.parse().unwrap(),
        Value::Int(n) => *n as u64,
        other => panic!("{other:?}"),
    }
}

fn tables_ddl(n: usize) -> String {
    let mut ddl = String::from("CREATE TABLE t0 (id INT PRIMARY KEY, v VARCHAR(10));\n");
    for i in 1..n {
        ddl.push_str(&format!(
            "CREATE TABLE t{i} (id INT PRIMARY KEY, up INT, v VARCHAR(10) DEFAULT 'x', \
             INDEX t{i}_v (v), CONSTRAINT t{i}_up FOREIGN KEY (up) REFERENCES t{} (id), \
             CHECK (id > 0));\n",
            i - 1
        ));
    }
    ddl
}

#[test]
#[cfg_attr(retort_skip_mysql, ignore = "RETORT_TEST_SKIP names mysql")]
fn the_number_of_queries_does_not_grow_with_the_tables() {
    let mut counts = Vec::new();
    for n in [1, 50] {
        let (_db, mut c) = load(&tables_ddl(n));
        let before = questions(&mut c);
        let s = c.inspect(OURS).unwrap();
        assert_eq!(s.tables.len(), n);
        counts.push(questions(&mut c) - before - 1);
    }
    assert_eq!(counts, [QUERIES, QUERIES]);
}

#[test]
fn types_lose_display_widths_but_not_what_they_mean() {
    let cases = [
        ("int(11)", "int"),
        ("int(10) unsigned", "int unsigned"),
        ("bigint(20)", "bigint"),
        ("INT", "int"),
        ("tinyint(1)", "boolean"),
        ("tinyint(4)", "tinyint"),
        ("tinyint(1) unsigned", "tinyint unsigned"),
        ("int(5) unsigned zerofill", "int(5) unsigned zerofill"),
        ("year(4)", "year"),
        ("varchar(255)", "varchar(255)"),
        ("decimal(10,2)", "decimal(10,2)"),
        ("bit(1)", "bit(1)"),
        ("enum('A','b''c')", "enum('A','b''c')"),
        ("SET('X')", "set('X')"),
        ("datetime(6)", "datetime(6)"),
    ];
    for (column_type, expected) in cases {
        assert_eq!(normalize::data_type(column_type), expected, "{column_type}");
    }
}

#[test]
fn defaults_from_either_server_take_one_form() {
    use normalize::default;
    // MariaDB: quoted literals, `NULL` for none, expressions as text.
    assert_eq!(default(Some("NULL"), "", "int", true), None);
    assert_eq!(default(None, "", "int", true), None);
    assert_eq!(
        default(Some("'NULL'"), "", "varchar(5)", true).as_deref(),
        Some("'NULL'")
    );
    assert_eq!(
        default(Some("'it''s'"), "", "text", true).as_deref(),
        Some("'it''s'")
    );
    assert_eq!(
        default(Some("-1.50"), "", "decimal(5,2)", true).as_deref(),
        Some("-1.50")
    );
    assert_eq!(
        default(Some("current_timestamp()"), "", "timestamp", true).as_deref(),
        Some("current_timestamp")
    );
    assert_eq!(
        default(Some("(1 + 2)"), "", "int", true).as_deref(),
        Some("1 + 2")
    );
    // MySQL 8: bare literals, SQL NULL for none, DEFAULT_GENERATED for expressions.
    assert_eq!(
        default(Some("it's"), "", "text", false).as_deref(),
        Some("'it''s'")
    );
    assert_eq!(
        default(Some("a\\b"), "", "text", false).as_deref(),
        Some("'a\\\\b'")
    );
    assert_eq!(
        default(Some("NULL"), "", "text", false).as_deref(),
        Some("'NULL'")
    );
    assert_eq!(
        default(Some("-1.50"), "", "decimal(5,2)", false).as_deref(),
        Some("-1.50")
    );
    assert_eq!(
        default(Some("1"), "", "boolean", false).as_deref(),
        Some("1")
    );
    assert_eq!(
        default(Some("b'1'"), "", "bit(1)", false).as_deref(),
        Some("b'1'")
    );
    assert_eq!(
        default(Some("2020-01-01"), "", "date", false).as_deref(),
        Some("'2020-01-01'")
    );
    assert_eq!(
        default(
            Some("CURRENT_TIMESTAMP"),
            "DEFAULT_GENERATED on update CURRENT_TIMESTAMP",
            "timestamp",
            false
        )
        .as_deref(),
        Some("current_timestamp")
    );
    assert_eq!(
        default(Some("CURRENT_TIMESTAMP(6)"), "", "datetime(6)", false).as_deref(),
        Some("current_timestamp(6)"),
        "MySQL before DEFAULT_GENERATED"
    );
    assert_eq!(
        default(Some("(1 + 2)"), "DEFAULT_GENERATED", "int", false).as_deref(),
        Some("1 + 2")
    );
    assert_eq!(
        default(
            Some("concat(_utf8mb4'a',_utf8mb4'b')"),
            "DEFAULT_GENERATED",
            "text",
            false
        )
        .as_deref(),
        default(Some("concat('a','b')"), "", "text", true).as_deref(),
        "MySQL's charset introducers are the client's, not the value's"
    );
    assert_eq!(
        normalize::on_update("DEFAULT_GENERATED on update CURRENT_TIMESTAMP(3)").as_deref(),
        Some("current_timestamp(3)")
    );
    assert_eq!(
        normalize::on_update("on update current_timestamp()").as_deref(),
        Some("current_timestamp")
    );
    assert_eq!(normalize::on_update("auto_increment"), None);
}

#[test]
fn expressions_keep_quotes_only_where_they_matter() {
    assert_eq!(
        expr::expr(
            "select `db`.`t`.`a` AS `a`,`db`.`t`.`Mixed` AS `select` from `db`.`t` \
             where (`db`.`t`.`a` in (1,- 2) and lcase(`db`.`t`.`b`) like _utf8mb4'x%')",
            Some("db")
        ),
        "select t.a as a, t.`Mixed` as `select` from t where (t.a in (1, -2) and \
         lcase(t.b) like 'x%')",
        "the database's qualifier is dropped, a keyword and a name whose case matters keep \
         their quotes"
    );
    assert_eq!(
        expr::expr("(`elsewhere`.`t`.`a` > 0)", Some("db")),
        "elsewhere.t.a > 0",
        "another database's qualifier stays"
    );
}

/// 1,000 tables of 10 columns, a primary key, 2 indexes and a foreign key each: how long
/// `inspect` takes (run it in a release build:
/// `cargo test --release -p retort --lib inspect_1000_tables -- --ignored --nocapture`).
#[test]
#[ignore = "a measurement, not a check"]
fn inspect_1000_tables() {
    let db = TestDb::create();
    let mut c = db.connect();
    let mut ddl = Vec::new();
    for i in 0..1000 {
        let fk = if i == 0 {
            String::new()
        } else {
            format!(
                ", CONSTRAINT t{i}_up FOREIGN KEY (up) REFERENCES t{} (id)",
                i - 1
            )
        };
        ddl.push(format!(
            "CREATE TABLE t{i} (id BIGINT AUTO_INCREMENT PRIMARY KEY, up BIGINT, \
             name VARCHAR(100) NOT NULL, email VARCHAR(255), score INT DEFAULT 0, \
             note TEXT, created TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP, \
             active BOOL NOT NULL DEFAULT TRUE, price DECIMAL(10,2), code CHAR(8), \
             INDEX t{i}_name (name), INDEX t{i}_email_score (email, score){fk})"
        ));
    }
    for chunk in ddl.chunks(100) {
        c.run_batch(chunk).unwrap();
    }
    let mut times = Vec::new();
    for _ in 0..11 {
        let start = Instant::now();
        let s = c.inspect(OURS).unwrap();
        times.push(start.elapsed());
        assert_eq!(s.tables.len(), 1000);
        assert_eq!(s.tables["t999"].columns.len(), 10);
        assert_eq!(s.tables["t999"].indexes.len(), 3, "2 and the foreign key's");
    }
    times.sort();
    eprintln!(
        "database {}: inspect of 1,000 tables: min {:?}, median {:?}, max {:?}",
        db.name, times[0], times[5], times[10]
    );
    // The same queries, their rows read and dropped: what the catalog costs alone.
    let version = c.query("SELECT VERSION()", &[]).unwrap()[0][0].clone();
    let server = Server::new(db.name.clone(), version.as_str().unwrap());
    let sql = [
        queries::SERVER.to_owned(),
        queries::TABLES.to_owned(),
        queries::VIEWS.to_owned(),
        queries::COLUMNS.to_owned(),
        queries::statistics(&server),
        queries::REFERENTIAL_CONSTRAINTS.to_owned(),
        queries::FOREIGN_KEY_COLUMNS.to_owned(),
        queries::checks(&server).unwrap(),
        queries::UNMANAGED.to_owned(),
    ];
    assert_eq!(sql.len() as u64, QUERIES);
    let mut times = Vec::new();
    for _ in 0..11 {
        let start = Instant::now();
        for q in &sql {
            each(&mut c.session(), q, |_| Ok(())).unwrap();
        }
        times.push(start.elapsed());
    }
    times.sort();
    eprintln!(
        "the {QUERIES} queries alone: min {:?}, median {:?}, max {:?}",
        times[0], times[5], times[10]
    );
    if std::env::var_os("RETORT_KEEP_BENCH_DB").is_some() {
        std::mem::forget(db);
    }
}

/// The two halves meet: what the server says of two schemas, diffed and replayed on the
/// model, reaches the second, and the diff back returns to the first.
#[test]
#[cfg_attr(retort_skip_mysql, ignore = "RETORT_TEST_SKIP names mysql")]
fn a_diff_of_two_inspected_schemas_replays_to_the_second_and_back() {
    use crate::schema::apply;
    let before = schema_of(
        "CREATE TABLE users (id INT AUTO_INCREMENT PRIMARY KEY, name VARCHAR(100) NOT NULL);
         CREATE TABLE old_notes (id INT PRIMARY KEY, body TEXT)",
    );
    let after = schema_of(
        "CREATE TABLE users (
             id INT AUTO_INCREMENT PRIMARY KEY,
             name VARCHAR(100) NOT NULL,
             email VARCHAR(255) UNIQUE,
             kind ENUM('a','b') NOT NULL DEFAULT 'a'
         );
         CREATE TABLE posts (
             id BIGINT AUTO_INCREMENT PRIMARY KEY,
             user_id INT NOT NULL,
             title VARCHAR(200) NOT NULL DEFAULT 'untitled' CHECK (char_length(title) > 0),
             CONSTRAINT posts_user FOREIGN KEY (user_id) REFERENCES users (id) ON DELETE CASCADE
         );
         CREATE VIEW titles AS SELECT title FROM posts",
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
}

#[test]
#[cfg_attr(retort_skip_mysql, ignore = "RETORT_TEST_SKIP names mysql")]
fn a_session_without_a_database_has_no_schema_to_read() {
    let mut conn = admin();
    let e = inspect(&mut conn.session(), OURS).unwrap_err();
    assert!(e.to_string().contains("no database is selected"), "{e}");
}
