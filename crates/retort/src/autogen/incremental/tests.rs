//! The incremental load against a full reload. Unit tests of the classification and the
//! plan; live tests on PostgreSQL (`RETORT_TEST_POSTGRES_URL`) and MariaDB/MySQL
//! (`RETORT_TEST_MYSQL_URL`), each in project folders of its own whose `retort_dev_`
//! databases are dropped at the end.

// The live helpers below serve the PostgreSQL and MySQL tests only.
#![cfg_attr(
    not(any(feature = "postgres", feature = "mysql")),
    allow(dead_code, unused_imports)
)]

use super::*;
use crate::autogen::scratch::Role;
use crate::autogen::{drop_dev_database, SchemaSource};
use crate::config::{Config, LoadOptions};
use crate::schema::Schema;

fn object(dialect: Dialect, sql: &str) -> Option<Object> {
    classify(dialect, sql)
}

fn table(n: &str) -> Option<Object> {
    Some(Object::Table(n.into()))
}

#[test]
fn statements_whose_object_is_certain_are_classified() {
    let pg = Dialect::Postgres;
    let my = Dialect::Mysql;
    assert_eq!(object(pg, "CREATE TABLE Users (id int)"), table("users"));
    assert_eq!(
        object(pg, "create table if not exists \"Users\" (id int)"),
        table("Users")
    );
    assert_eq!(object(my, "CREATE TABLE `Users` (id int)"), table("Users"));
    assert_eq!(object(my, "CREATE TABLE Users (id int)"), table("Users"));
    assert_eq!(
        object(pg, "ALTER TABLE ONLY t ADD COLUMN x int"),
        table("t")
    );
    assert_eq!(
        object(pg, "ALTER TABLE IF EXISTS t ADD COLUMN x int"),
        table("t")
    );
    assert_eq!(object(pg, "COMMENT ON TABLE t IS 'x'"), table("t"));
    assert_eq!(object(pg, "COMMENT ON COLUMN t.c IS 'x'"), table("t"));
    assert_eq!(
        object(pg, "CREATE UNIQUE INDEX IF NOT EXISTS i ON ONLY t (x)"),
        Some(Object::Index {
            name: "i".into(),
            table: "t".into()
        })
    );
    assert_eq!(
        object(my, "CREATE FULLTEXT INDEX i ON t (x)"),
        Some(Object::Index {
            name: "i".into(),
            table: "t".into()
        })
    );
    assert_eq!(
        object(pg, "CREATE TYPE mood AS ENUM ('a')"),
        Some(Object::Type("mood".into()))
    );
    assert_eq!(
        object(pg, "CREATE SEQUENCE s START 5"),
        Some(Object::Sequence("s".into()))
    );
    for unsure in [
        "CREATE TABLE app.t (id int)",
        "CREATE INDEX ON t (x)",
        "CREATE INDEX CONCURRENTLY i ON t (x)",
        "CREATE INDEX i ON app.t (x)",
        "CREATE VIEW v AS SELECT 1",
        "CREATE TYPE pair AS (a int, b int)",
        "ALTER TABLE t RENAME TO u",
        "ALTER TABLE t SET SCHEMA app",
        "ALTER TABLE t ATTACH PARTITION u FOR VALUES IN (1)",
        "COMMENT ON COLUMN app.t.c IS 'x'",
        "COMMENT ON INDEX i IS 'x'",
        "CREATE UNLOGGED TABLE t (id int)",
        "INSERT INTO t VALUES (1)",
        "SET search_path = app",
        "CREATE TABLE \"a\tb\" (id int)",
    ] {
        assert_eq!(object(pg, unsure), None, "{unsure}");
    }
    assert_eq!(object(my, "CREATE TYPE mood AS ENUM ('a')"), None);
    assert_eq!(object(my, "CREATE TABLE \"t\" (id int)"), None);
}

fn declared(dialect: Dialect, sql: &str) -> Declared {
    let ddl = [DdlText {
        path: None,
        origin: "test".into(),
        text: sql.into(),
    }];
    Declared::read(dialect, &ddl).expect("splits")
}

fn recorded(d: &Declared) -> Vec<(String, Object)> {
    let objects = d.objects.clone().expect("classified");
    d.hashes.iter().cloned().zip(objects).collect()
}

#[test]
fn a_change_recreates_what_names_it_transitively_and_nothing_else() {
    let pg = Dialect::Postgres;
    let before = declared(
        pg,
        "CREATE TABLE a (id int PRIMARY KEY);
         CREATE TABLE b (id int PRIMARY KEY, a_id int REFERENCES a);
         CREATE TABLE c (id int PRIMARY KEY, b_id int REFERENCES b);
         CREATE INDEX c_b ON c (b_id);
         CREATE TABLE d (id int PRIMARY KEY);",
    );
    let after = declared(
        pg,
        "CREATE TABLE a (id bigint PRIMARY KEY);
         CREATE TABLE b (id int PRIMARY KEY, a_id int REFERENCES a);
         CREATE TABLE c (id int PRIMARY KEY, b_id int REFERENCES b);
         CREATE INDEX c_b ON c (b_id);
         CREATE TABLE d (id int PRIMARY KEY);
         CREATE TABLE e (id int);",
    );
    let objects = after.objects.clone().expect("classified");
    let p = plan(&recorded(&before), &after, &objects);
    // b names a only in a foreign key: it stays, its key dropped and added again.
    assert_eq!(p.drop, vec![Object::Table("a".into())]);
    assert_eq!(p.run, vec![0, 5]);
    assert_eq!(p.relink, vec!["b".to_string()]);

    // A table that copies a's definition, or names it in any way but a key, is made again,
    // and so is what names it in turn.
    let copied = |a: &str| {
        declared(
            pg,
            &format!(
                "CREATE TABLE a (id {a} PRIMARY KEY);
                 CREATE TABLE b (LIKE a, a_id int REFERENCES a);
                 CREATE TABLE c (id int PRIMARY KEY, b_id int REFERENCES b);
                 CREATE INDEX c_b ON c (b_id);"
            ),
        )
    };
    let (before_copy, after_copy) = (copied("int"), copied("bigint"));
    let objects = after_copy.objects.clone().expect("classified");
    let p = plan(&recorded(&before_copy), &after_copy, &objects);
    assert_eq!(
        p.drop,
        vec![Object::Table("a".into()), Object::Table("b".into())]
    );
    assert_eq!(p.run, vec![0, 1]);
    assert_eq!(p.relink, vec!["c".to_string()]);

    // An index renamed: the old one dropped alone, the new one made, the table kept.
    let renamed = declared(
        pg,
        &before
            .statements
            .join(";\n")
            .replace("INDEX c_b ", "INDEX c_b_id "),
    );
    let objects = renamed.objects.clone().expect("classified");
    let p = plan(&recorded(&before), &renamed, &objects);
    assert_eq!(
        p.drop,
        vec![Object::Index {
            name: "c_b".into(),
            table: "c".into()
        }]
    );
    assert_eq!(p.run, vec![3]);
}

#[test]
fn statements_of_one_table_reordered_recreate_it() {
    let pg = Dialect::Postgres;
    let before = declared(
        pg,
        "CREATE TABLE t (id int);
         ALTER TABLE t ADD COLUMN x int;
         ALTER TABLE t ADD COLUMN y int;",
    );
    let after = declared(
        pg,
        "CREATE TABLE t (id int);
         ALTER TABLE t ADD COLUMN y int;
         ALTER TABLE t ADD COLUMN x int;",
    );
    let objects = after.objects.clone().expect("classified");
    let p = plan(&recorded(&before), &after, &objects);
    assert_eq!(p.drop, vec![Object::Table("t".into())]);
    assert_eq!(p.run, vec![0, 1, 2]);
}

// ---- live: the incremental path against a full reload ----

/// A project folder of its own with a declared schema.sql; its `retort_dev_` database is
/// dropped with it.
struct Dev {
    dir: tempfile::TempDir,
    config: Config,
    dialect: Dialect,
}

impl Dev {
    fn new(url: &str, dialect: Dialect) -> Dev {
        let dir = tempfile::tempdir().expect("temp dir");
        std::fs::create_dir(dir.path().join("migrations")).expect("migrations dir");
        std::fs::write(
            dir.path().join("retort.toml"),
            format!("[database]\nurl = \"{url}\"\n"),
        )
        .expect("retort.toml");
        let config = Config::load(&LoadOptions {
            start_dir: dir.path().to_path_buf(),
            ..LoadOptions::default()
        })
        .expect("config");
        Dev {
            dir,
            config,
            dialect,
        }
    }

    fn ddl(&self, sql: &str) -> Vec<DdlText> {
        std::fs::write(self.dir.path().join("schema.sql"), sql).expect("schema.sql");
        SchemaSource::from_config(None, &self.config.root)
            .read(self.dialect, &self.config.root)
            .expect("declared schema read")
    }

    fn database(&self) -> String {
        crate::autogen::dev_database_name(&self.config.root, self.dialect)
    }

    /// As `declared_schema` loads it: the kept dev database, incrementally.
    fn incremental(&self, sql: &str) -> Result<(Loaded, Model), Error> {
        let ddl = self.ddl(sql);
        let mut scratch = Scratch::open_kept(self.dialect, &self.config, Role::Declared)?;
        let loaded = load(&mut scratch, &ddl)?;
        Ok((loaded, model(&mut scratch)?))
    }

    /// Emptied and loaded whole, as before this module.
    fn full(&self, sql: &str) -> Result<Model, Error> {
        let ddl = self.ddl(sql);
        let mut scratch = Scratch::open(self.dialect, &self.config, Role::Declared)?;
        scratch.load(&ddl)?;
        model(&mut scratch)
    }
}

/// What a loaded dev database holds: the model `declared_schema` returns, or, where the
/// driver cannot read a schema yet (MySQL today), the server's own `SHOW CREATE` text of
/// every table and view, by name.
#[derive(Debug, PartialEq, Eq)]
enum Model {
    Schema(Schema),
    Created(Vec<(String, String)>),
}

impl Model {
    fn has(&self, table: &str) -> bool {
        match self {
            Model::Schema(s) => s.tables.contains_key(table),
            Model::Created(c) => c.iter().any(|(n, _)| n == table),
        }
    }
}

fn model(scratch: &mut Scratch) -> Result<Model, Error> {
    match scratch.inspect(&[]) {
        Ok(schema) => return Ok(Model::Schema(schema)),
        Err(e)
            if scratch.dialect() == Dialect::Mysql
                && e.to_string().contains("not supported yet") => {}
        Err(e) => return Err(e),
    }
    let ctx = "reading the dev database";
    let conn = scratch.conn();
    let names = conn
        .query("SHOW FULL TABLES", &[])
        .map_err(Error::db(ctx))?;
    let mut created = Vec::new();
    for row in names {
        let name = row[0].as_str().expect("name").to_string();
        if name == super::super::scratch::MARKER || name == LOADED {
            continue;
        }
        let what = if row[1].as_str() == Some("VIEW") {
            "VIEW"
        } else {
            "TABLE"
        };
        let q = Dialect::Mysql.sql().quote_ident(&name);
        let rows = conn
            .query(&format!("SHOW CREATE {what} {q}"), &[])
            .map_err(Error::db(ctx))?;
        created.push((name, rows[0][1].as_str().expect("create").to_string()));
    }
    created.sort();
    Ok(Model::Created(created))
}

impl Drop for Dev {
    fn drop(&mut self) {
        let _ = drop_dev_database(&self.config, self.dialect);
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Expect {
    Full,
    Unchanged,
    Incremental,
    Refused,
}

fn kind(loaded: &Loaded) -> Expect {
    match loaded {
        Loaded::Full => Expect::Full,
        Loaded::Unchanged => Expect::Unchanged,
        Loaded::Incremental { .. } => Expect::Incremental,
    }
}

/// The declared schemas, one after the other, with how the kept dev database should
/// take each. `{text}`, `{mood}` and the PostgreSQL-only lines are filled per dialect.
fn steps(dialect: Dialect) -> Vec<(&'static str, String, Expect)> {
    let pg = dialect == Dialect::Postgres;
    let text = if pg { "text" } else { "varchar(100)" };
    let mood = |values: &str| {
        if pg {
            (
                "mood".to_string(),
                format!("CREATE TYPE mood AS ENUM ({values});\n"),
            )
        } else {
            (format!("ENUM({values})"), String::new())
        }
    };
    let orgs = format!("CREATE TABLE orgs (id integer PRIMARY KEY, name {text} NOT NULL);\n");
    let users = |mood: &str, fk: bool| {
        let fk = if fk {
            ", FOREIGN KEY (org_id) REFERENCES orgs (id)"
        } else {
            ""
        };
        format!(
            "CREATE TABLE users (id integer PRIMARY KEY, org_id integer, feeling {mood}, email {text}{fk});\n"
        )
    };
    let pg_only = if pg {
        "COMMENT ON TABLE users IS 'people';\nCREATE SEQUENCE counter;\n"
    } else {
        ""
    };
    let tags = format!("CREATE TABLE tags (id integer PRIMARY KEY, label {text});\n");
    let projects = |fk: bool| {
        let fk = if fk {
            ", FOREIGN KEY (org_id) REFERENCES orgs (id)"
        } else {
            ""
        };
        format!("CREATE TABLE projects (id integer PRIMARY KEY, org_id integer{fk});\n")
    };
    let (m2, type2) = mood("'ok', 'sad'");
    let (m3, type3) = mood("'ok', 'sad', 'glad'");
    let index = "CREATE INDEX users_email ON users (email);\n";
    let v1 = format!("{type2}{orgs}{}{index}{pg_only}{tags}", users(&m2, true));
    let v3 = format!("{v1}{}", projects(true));
    let orgs_changed = orgs.replace(" NOT NULL", &format!(", slug {text}"));
    let v4 = v3.replace(&orgs, &orgs_changed);
    let v5 = format!(
        "{type2}{}{index}{pg_only}{tags}{}",
        users(&m2, false),
        projects(false)
    );
    let v6 = v5.replace("INDEX users_email ", "INDEX users_email_idx ");
    let v7 = format!(
        "{type3}{}{}",
        users(&m3, false),
        &v6[type2.len() + users(&m2, false).len()..]
    );
    let unmappable = format!(
        "{v7}CREATE TABLE old_name (id integer);\nALTER TABLE old_name RENAME TO new_name;\n"
    );
    let v9 = v7.replace(&tags, &tags.replace("label", "title"));
    let v10 = v9.replace("title", &format!("title {text}, body"));
    let view = format!("{v10}CREATE VIEW tag_titles AS SELECT title FROM tags;\n");
    let v13 = v10.replace("PRIMARY KEY, title", "PRIMARY KEY, heading");
    let broken = format!(
        "{v13}CREATE TABLE broken (id integer, FOREIGN KEY (id) REFERENCES nowhere (id));\n"
    );
    // Keys from a table that stays into one made again: dropped and added around it.
    let v15 = format!(
        "{v13}CREATE TABLE members (id integer PRIMARY KEY, tag_id integer, other_tag integer, \
         CONSTRAINT members_tag FOREIGN KEY (tag_id) REFERENCES tags (id), \
         FOREIGN KEY (other_tag) REFERENCES tags (id));\n"
    );
    let v16 = v15.replace(
        "PRIMARY KEY, heading",
        "PRIMARY KEY, subtitle {text}, heading",
    );
    let v16 = v16.replace("{text}", text);
    // tags.id no longer a key: the members' keys cannot be added (the last statement).
    let v17 = v15.replace("tags (id integer PRIMARY KEY,", "tags (id integer,");
    assert_ne!(v17, v15, "the step changes tags");
    vec![
        ("first load", v1.clone(), Expect::Full),
        ("the same again", v1, Expect::Unchanged),
        ("a table added", v3, Expect::Incremental),
        (
            "a column of a referenced table changed",
            v4,
            Expect::Incremental,
        ),
        ("a referenced table dropped", v5, Expect::Incremental),
        ("an index renamed", v6, Expect::Incremental),
        ("an enum value added", v7.clone(), Expect::Incremental),
        ("a statement that is not mappable", unmappable, Expect::Full),
        ("mappable again", v9, Expect::Full),
        ("a column added", v10.clone(), Expect::Incremental),
        ("a view", view.clone(), Expect::Full),
        ("the view again", view, Expect::Unchanged),
        ("the view gone, a column renamed", v13.clone(), Expect::Full),
        ("a statement the database refuses", broken, Expect::Refused),
        ("fixed", v13.clone(), Expect::Full),
        (
            "keys into a table, named and not",
            v15.clone(),
            Expect::Incremental,
        ),
        (
            "the referenced table changed, the keys into it kept",
            v16,
            Expect::Incremental,
        ),
        (
            "the referenced table changed so that a key no longer fits",
            v17,
            Expect::Refused,
        ),
        ("fitting again", v15, Expect::Full),
    ]
}

fn equivalence(url: &str, dialect: Dialect) {
    let kept = Dev::new(url, dialect);
    let fresh = Dev::new(url, dialect);
    for (what, sql, expect) in steps(dialect) {
        let full = fresh.full(&sql);
        match kept.incremental(&sql) {
            Ok((loaded, schema)) => {
                assert_eq!(kind(&loaded), expect, "{what}: {loaded:?}\n{sql}");
                let full = full.unwrap_or_else(|e| panic!("{what}: a full load fails: {e}"));
                assert_eq!(schema, full, "{what}: the models differ\n{sql}");
                assert!(schema.has("users"), "{what}: nothing loaded");
            }
            Err(error) => {
                assert_eq!(expect, Expect::Refused, "{what}: {error}\n{sql}");
                let Err(full_error) = full else {
                    panic!("{what}: only the incremental load fails: {error}");
                };
                match (&error, &full_error) {
                    (
                        Error::DeclaredSchema {
                            path: Some(p1),
                            line: l1,
                            message: m1,
                        },
                        Error::DeclaredSchema {
                            path: Some(p2),
                            line: l2,
                            message: m2,
                        },
                    ) => {
                        assert_eq!(p1.file_name(), p2.file_name());
                        // MySQL names the database: each project has its own.
                        let m1 = m1.replace(&kept.database(), "DEV");
                        let m2 = m2.replace(&fresh.database(), "DEV");
                        assert_eq!((l1, m1), (l2, m2), "{what}");
                        let broken_line = sql.lines().count();
                        assert_eq!(*l1, Some(broken_line), "{what}: {error}");
                    }
                    other => panic!("{what}: not the declared schema's errors: {other:?}"),
                }
            }
        }
    }
}

/// `SET search_path` (and the like) must run in the session that reads the schema: such
/// DDL is loaded whole every time, never taken as already loaded.
fn session_statements_load_every_time(url: &str, dialect: Dialect) {
    let kept = Dev::new(url, dialect);
    let sql = if dialect == Dialect::Postgres {
        "SET search_path = public;\nCREATE TABLE a (id integer);\n"
    } else {
        "SET @x = 1;\nCREATE TABLE a (id integer);\n"
    };
    for _ in 0..2 {
        let (loaded, schema) = kept.incremental(sql).expect("load");
        assert_eq!(loaded, Loaded::Full);
        assert!(schema.has("a"));
    }
}

/// A run stopped after some of its statements ran (simulated by one the database refuses,
/// without the fall-back) leaves no record: the next run loads everything.
fn stopped_midway(url: &str, dialect: Dialect) {
    let kept = Dev::new(url, dialect);
    let fresh = Dev::new(url, dialect);
    let text = if dialect == Dialect::Postgres {
        "text"
    } else {
        "varchar(100)"
    };
    let v1 = format!(
        "CREATE TABLE a (id integer PRIMARY KEY, x {text});\nCREATE TABLE b (id integer PRIMARY KEY);\n"
    );
    let (loaded, _) = kept.incremental(&v1).expect("first load");
    assert_eq!(loaded, Loaded::Full);
    let v2 = format!(
        "CREATE TABLE a (id integer PRIMARY KEY, y {text});\nCREATE TABLE b (id integer PRIMARY KEY);\nCREATE INDEX bad ON nowhere (x);\n"
    );
    let ddl = kept.ddl(&v2);
    let mut scratch = Scratch::open_kept(dialect, &kept.config, Role::Declared).expect("open");
    let declared = Declared::read(dialect, &ddl).expect("splits");
    let stopped = try_incremental(&mut scratch, &declared);
    assert!(stopped.is_err(), "{stopped:?}");
    // Table a was made again before the failing statement: the dev database is half way.
    let half = model(&mut scratch).expect("inspect");
    assert!(half.has("a"));
    assert!(read_record(&mut scratch).expect("read").is_none());
    drop(scratch);

    let (loaded, schema) = kept.incremental(&v1).expect("next run");
    assert_eq!(loaded, Loaded::Full);
    assert_eq!(schema, fresh.full(&v1).expect("full load"));
    let (loaded, _) = kept.incremental(&v1).expect("and then");
    assert_eq!(loaded, Loaded::Unchanged);
}

#[cfg(feature = "postgres")]
mod postgres {
    use super::*;

    fn url() -> String {
        std::env::var("RETORT_TEST_POSTGRES_URL")
            .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".into())
    }

    #[test]
    #[cfg_attr(retort_skip_postgres, ignore = "RETORT_TEST_SKIP names postgres")]
    fn incremental_loads_give_the_model_of_a_full_reload_on_postgres() {
        equivalence(&url(), Dialect::Postgres);
    }

    #[test]
    #[cfg_attr(retort_skip_postgres, ignore = "RETORT_TEST_SKIP names postgres")]
    fn a_load_stopped_midway_is_followed_by_a_full_one_on_postgres() {
        stopped_midway(&url(), Dialect::Postgres);
    }

    #[test]
    #[cfg_attr(retort_skip_postgres, ignore = "RETORT_TEST_SKIP names postgres")]
    fn session_statements_load_every_time_on_postgres() {
        session_statements_load_every_time(&url(), Dialect::Postgres);
    }
}

#[cfg(feature = "mysql")]
mod mysql {
    use super::*;

    fn url() -> String {
        std::env::var("RETORT_TEST_MYSQL_URL")
            .unwrap_or_else(|_| "mysql://root@127.0.0.1:3306/test".into())
    }

    #[test]
    #[cfg_attr(retort_skip_mysql, ignore = "RETORT_TEST_SKIP names mysql")]
    fn incremental_loads_give_the_model_of_a_full_reload_on_mysql() {
        equivalence(&url(), Dialect::Mysql);
    }

    #[test]
    #[cfg_attr(retort_skip_mysql, ignore = "RETORT_TEST_SKIP names mysql")]
    fn a_load_stopped_midway_is_followed_by_a_full_one_on_mysql() {
        stopped_midway(&url(), Dialect::Mysql);
    }

    #[test]
    #[cfg_attr(retort_skip_mysql, ignore = "RETORT_TEST_SKIP names mysql")]
    fn session_statements_load_every_time_on_mysql() {
        session_statements_load_every_time(&url(), Dialect::Mysql);
    }
}
