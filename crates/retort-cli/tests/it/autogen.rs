//! The autogenerate loop of a team coming from Alembic: declare the schema, let retort
//! write the migration, review it, apply it, and have CI `check` that nothing drifted.
//! (SQLite: PostgreSQL and MySQL need their scratch databases and rendering first.)

use crate::db_test;
use crate::util::*;

const USERS: &str = "CREATE TABLE users (
    id INTEGER PRIMARY KEY,
    email VARCHAR(255) NOT NULL UNIQUE,
    name VARCHAR(100)
);
";
const POSTS: &str = "CREATE TABLE posts (
    id INTEGER PRIMARY KEY,
    user_id INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    title TEXT NOT NULL
);
CREATE INDEX posts_user ON posts (user_id);
";

fn sqlite() -> TestProject {
    TestProject::new(Backend::Sqlite)
}

/// The migration files, sorted by name.
fn migrations(p: &TestProject) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(p.path().join("migrations"))
        .expect("migrations")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

/// Runs `revision ARGS`, which must work, and returns the text of the file it wrote
/// (its path is what it prints on stdout).
fn written(p: &TestProject, args: &[&str]) -> String {
    let mut all = vec!["revision"];
    all.extend_from_slice(args);
    let path = p.ok(&all);
    std::fs::read_to_string(p.path().join(path.trim())).expect("the file written")
}

/// `name` quoted as the backend's rendering quotes it.
fn q(p: &TestProject, name: &str) -> String {
    match p.backend {
        Backend::Mysql => format!("`{name}`"),
        _ => format!("\"{name}\""),
    }
}

fn count(p: &TestProject, sql: &str) -> i64 {
    p.connect().query(sql, &[]).expect("count")[0][0]
        .as_i64()
        .expect("a number")
}

db_test!(
    the_whole_loop_writes_applies_checks_and_reverts_exactly,
    |p| {
        p.write("schema.sql", USERS);
        p.fails(&["check"], 1);
        p.ok(&["revision", "--autogenerate", "-m", "create users"]);
        p.ok(&["upgrade", "head"]);
        p.ok(&["check"]);
        p.exec("INSERT INTO users (id, email, name) VALUES (1, 'a@x', 'ada')");

        // A new table, a new column, a new index.
        let v2 = format!(
            "{}{POSTS}CREATE INDEX users_name ON users (name);\n",
            USERS.replace(
                "    name VARCHAR(100)\n",
                "    name VARCHAR(100),\n    bio TEXT DEFAULT 'none'\n"
            )
        );
        p.write("schema.sql", &v2);
        let out = p.fails(&["check"], 1);
        let listed = p.run(&["check"]).1;
        assert!(
            listed.contains("create table posts") && listed.contains("add column users.bio"),
            "{listed}{out}"
        );
        let (_, out, err) = p.run(&["revision", "--autogenerate", "-m", "posts and bio"]);
        assert!(err.contains("create table posts"), "{err}");
        let file = p.read(out.trim());
        assert!(file.contains("-- migrate:down"), "{file}");
        p.ok(&["upgrade", "head"]);
        p.ok(&["check"]);
        assert_eq!(count(p, "SELECT count(*) FROM users WHERE bio = 'none'"), 1);

        // Back one step: the schema is the first declaration again, rows kept.
        p.ok(&["downgrade", "-1"]);
        p.write("schema.sql", USERS);
        p.ok(&["check"]);
        assert_eq!(count(p, "SELECT count(*) FROM users"), 1);
    }
);

db_test!(no_changes_writes_nothing_unless_asked, |p| {
    p.write("schema.sql", USERS);
    p.ok(&["revision", "--autogenerate", "-m", "create users"]);
    p.ok(&["upgrade", "head"]);
    let (code, out, err) = p.run(&["revision", "--autogenerate", "-m", "nothing"]);
    assert_eq!(code, 0, "{out}{err}");
    assert!(err.contains("no changes"), "{err}");
    assert_eq!(migrations(p).len(), 1);
    p.ok(&["revision", "--autogenerate", "--empty", "-m", "on purpose"]);
    assert_eq!(migrations(p).len(), 2);
});

db_test!(
    a_database_behind_head_is_refused_naming_what_is_pending,
    |p| {
        p.write("schema.sql", USERS);
        p.migration(
            "a00000000001",
            &[],
            "CREATE TABLE old (id INTEGER);",
            Some("DROP TABLE old;"),
        );
        let err = p.fails(&["revision", "--autogenerate", "-m", "x"], 2);
        assert!(
            err.contains("not at head")
                && err.contains("a00000000001")
                && err.contains("upgrade head"),
            "{err}"
        );
        assert_eq!(migrations(p).len(), 1);
    }
);

db_test!(a_likely_rename_is_never_guessed, |p| {
    p.write("schema.sql", USERS);
    p.ok(&["revision", "--autogenerate", "-m", "create users"]);
    p.ok(&["upgrade", "head"]);
    p.exec("INSERT INTO users (id, email, name) VALUES (1, 'a@x', 'ada')");
    p.write(
        "schema.sql",
        &USERS.replace("name VARCHAR(100)", "full_name VARCHAR(100)"),
    );
    let err = p.fails(&["revision", "--autogenerate", "-m", "rename"], 2);
    assert!(
        err.contains("users.name → full_name")
            && err.contains("--rename-column users.name=full_name")
            && err.contains("--allow-drop"),
        "{err}"
    );
    assert_eq!(migrations(p).len(), 1);

    let file = written(
        p,
        &[
            "--autogenerate",
            "-m",
            "rename",
            "--rename-column",
            "users.name=full_name",
        ],
    );
    assert!(
        file.contains(&format!(
            "RENAME COLUMN {} TO {}",
            q(p, "name"),
            q(p, "full_name")
        )),
        "{file}"
    );
    p.ok(&["upgrade", "head"]);
    p.ok(&["check"]);
    assert_eq!(
        count(p, "SELECT count(*) FROM users WHERE full_name = 'ada'"),
        1
    );

    // Dropping and adding on purpose says what it drops, with the values it loses.
    p.write(
        "schema.sql",
        &USERS.replace("name VARCHAR(100)", "nick TEXT"),
    );
    let file = written(p, &["--autogenerate", "-m", "drop", "--allow-drop"]);
    assert!(
        file.contains("-- DESTRUCTIVE: drop column users.full_name: 1 non-null value(s)"),
        "{file}"
    );
});

db_test!(
    a_dropped_table_is_commented_with_its_rows_above_the_drop,
    |p| {
        p.write("schema.sql", &format!("{USERS}{POSTS}"));
        p.ok(&["revision", "--autogenerate", "-m", "both"]);
        p.ok(&["upgrade", "head"]);
        p.exec("INSERT INTO users (id, email) VALUES (1, 'a@x')");
        p.exec("INSERT INTO posts (id, user_id, title) VALUES (1, 1, 'a'), (2, 1, 'b')");
        p.write("schema.sql", USERS);
        let (code, out, err) = p.run(&["revision", "--autogenerate", "-m", "drop posts"]);
        assert_eq!(code, 0, "{err}");
        assert!(
            err.contains("destructive: drop table posts: 2 row(s)"),
            "{err}"
        );
        let file = p.read(out.trim());
        assert!(
            file.contains(&format!(
                "-- DESTRUCTIVE: drop table posts: 2 row(s)\nDROP TABLE {};",
                q(p, "posts")
            )),
            "{file}"
        );
    }
);

#[test]
fn a_rebuild_keeps_rows_and_the_rows_that_reference_them() {
    let p = &sqlite();
    p.write("schema.sql", &format!("{USERS}{POSTS}"));
    p.ok(&["revision", "--autogenerate", "-m", "both"]);
    p.ok(&["upgrade", "head"]);
    p.exec("INSERT INTO users (id, email, name) VALUES (1, 'a@x', 'ada'), (2, 'b@x', NULL)");
    p.exec("INSERT INTO posts (id, user_id, title) VALUES (1, 1, 'a'), (2, 2, 'b')");
    // NOT NULL with a default: SQLite's ALTER TABLE cannot, so the table is rebuilt.
    p.write(
        "schema.sql",
        &format!(
            "{}{POSTS}",
            USERS.replace("name VARCHAR(100)", "name VARCHAR(100) NOT NULL DEFAULT ''")
        ),
    );
    p.exec("UPDATE users SET name = '' WHERE name IS NULL");
    let (_, out, err) = p.run(&["revision", "--autogenerate", "-m", "name required"]);
    assert!(err.contains("table users is rebuilt"), "{err}");
    let file = p.read(out.trim());
    assert!(file.contains("-- foreign_keys: off"), "{file}");
    p.ok(&["upgrade", "head"]);
    p.ok(&["check"]);
    assert_eq!(count(p, "SELECT count(*) FROM users"), 2);
    assert_eq!(
        count(p, "SELECT count(*) FROM posts"),
        2,
        "ON DELETE CASCADE did not fire"
    );
    p.ok(&["downgrade", "-1"]);
    assert_eq!(count(p, "SELECT count(*) FROM posts"), 2);
}

db_test!(
    a_command_prints_the_schema_for_the_dialect_it_is_told,
    |p| {
        p.write("ddl/users.sql", USERS);
        p.write(
        "retort.toml",
        &format!(
            "[database]\nurl = \"${{RETORT_TEST_URL}}\"\n\n[migrations]\nschema = \"command: test \\\"$RETORT_DIALECT\\\" = {} && cat ddl/users.sql\"\n",
            p.backend.dialect().name()
        ),
    );
        let file = written(p, &["--autogenerate", "-m", "from a command"]);
        assert!(
            file.contains(&format!("CREATE TABLE {}", q(p, "users"))),
            "{file}"
        );

        p.write(
        "retort.toml",
        "[database]\nurl = \"${RETORT_TEST_URL}\"\n\n[migrations]\nschema = \"command: echo 'models failed to import' >&2; exit 3\"\n",
    );
        let err = p.fails(&["check"], 2);
        assert!(
            err.contains("exited with status 3") && err.contains("models failed to import"),
            "{err}"
        );
        p.write(
        "retort.toml",
        "[database]\nurl = \"${RETORT_TEST_URL}\"\n\n[migrations]\nschema = \"command: true\"\n",
    );
        let err = p.fails(&["check"], 2);
        assert!(err.contains("printed no DDL"), "{err}");
    }
);

db_test!(
    bad_declared_ddl_names_its_file_and_line_and_writes_nothing,
    |p| {
        p.write(
            "schema.sql",
            &format!("{USERS}\nCREATE TABLE broken (id INTEGER,);\n"),
        );
        let err = p.fails(&["revision", "--autogenerate", "-m", "x"], 2);
        assert!(err.contains("schema.sql:7:"), "{err}");
        p.write(
            "schema.sql",
            &format!("{USERS}CREATE TABLE t (id INTEGER);\0 DROP TABLE users;\n"),
        );
        let err = p.fails(&["check"], 2);
        assert!(
            err.contains("schema.sql:6:") && err.contains("NUL"),
            "{err}"
        );
        p.write(
            "retort.toml",
            "[database]\nurl = \"${RETORT_TEST_URL}\"\n\n[migrations]\nschema = \"missing.sql\"\n",
        );
        let err = p.fails(&["check"], 2);
        assert!(
            err.contains("missing.sql") && err.contains("not there"),
            "{err}"
        );
        assert!(migrations(p).is_empty());
        assert!(p.applied().is_empty());
    }
);

db_test!(a_folder_of_files_loads_in_name_order, |p| {
    p.write("schema/01_users.sql", USERS);
    p.write("schema/02_posts.sql", POSTS);
    p.write("schema/README.md", "not SQL");
    p.write(
        "retort.toml",
        "[database]\nurl = \"${RETORT_TEST_URL}\"\n\n[migrations]\nschema = \"schema\"\n",
    );
    p.ok(&["revision", "--autogenerate", "-m", "both"]);
    p.ok(&["upgrade", "head"]);
    p.ok(&["check"]);
    assert_eq!(p.tables(), vec!["posts".to_string(), "users".to_string()]);
});

#[test]
fn check_lists_what_it_does_not_compare_and_strict_fails_on_it() {
    let p = &sqlite();
    p.write("schema.sql", USERS);
    p.ok(&["revision", "--autogenerate", "-m", "create users"]);
    p.ok(&["upgrade", "head"]);
    p.exec("CREATE TRIGGER users_touch AFTER UPDATE ON users BEGIN SELECT 1; END");
    let out = p.ok(&["check"]);
    assert!(
        out.contains("not compared: trigger users_touch (not declared)"),
        "{out}"
    );
    p.fails(&["check", "--strict"], 1);
    // Declared too: on both sides by kind and name, which is all --strict can compare.
    p.write(
        "schema.sql",
        &format!("{USERS}CREATE TRIGGER users_touch AFTER UPDATE ON users BEGIN SELECT 1; END;\n"),
    );
    p.ok(&["check", "--strict"]);
    p.write("schema.sql", USERS);
    let json = p.ok(&["check", "--json"]);
    let v: serde_json::Value = serde_json::from_str(&json).expect("json");
    assert_eq!(v["matches"], true);
    assert_eq!(v["not_compared"][0]["name"], "users_touch");
    p.exec("ALTER TABLE users ADD COLUMN extra TEXT");
    let (code, json, _) = p.run(&["check", "--json"]);
    let v: serde_json::Value = serde_json::from_str(&json).expect("json");
    assert_eq!((code, &v["matches"]), (1, &serde_json::Value::Bool(false)));
    assert_eq!(v["differences"][0], "drop column users.extra");
}

db_test!(
    a_database_made_without_migrations_is_adopted_from_empty,
    |p| {
        // create_all made it; the declared schema says the same.
        p.exec("CREATE TABLE users (id INTEGER PRIMARY KEY, email VARCHAR(255) NOT NULL UNIQUE, name VARCHAR(100))");
        p.write("schema.sql", USERS);
        p.ok(&["check"]);
        let file = written(p, &["--autogenerate", "--from-empty", "-m", "baseline"]);
        assert!(
            file.contains(&format!("CREATE TABLE {}", q(p, "users"))),
            "{file}"
        );
        p.ok(&["stamp", "head"]);
        p.ok(&["check"]);
        p.ok(&["status", "--exit-code"]);
    }
);

#[test]
fn a_dump_loads_with_the_client_and_adopts_a_database_made_without_migrations() {
    let p = &sqlite();
    p.write("schema.sql", &format!("{USERS}{POSTS}"));
    p.load_with_client(&format!(
        "{USERS}{POSTS}CREATE TRIGGER t AFTER INSERT ON users BEGIN SELECT 1; END;"
    ));
    // The schema as the database has it, then the declared schema is that dump.
    let (code, _, err) = p.run(&["schema", "dump", "--output", "dumped.sql"]);
    assert_eq!(code, 0, "{err}");
    assert!(err.contains("not written: trigger t"), "{err}");
    let dumped = p.read("dumped.sql");
    assert!(
        dumped.contains("-- not written (retort does not manage it): trigger t"),
        "{dumped}"
    );
    p.write("schema.sql", &dumped);
    p.ok(&["check"]);
    // It loads with sqlite3, into a database `diff` then finds equal.
    let copy = p.path().join("copy.db");
    let status = std::process::Command::new("sqlite3")
        .arg("-bail")
        .arg(&copy)
        .stdin(std::fs::File::open(p.path().join("dumped.sql")).expect("dump"))
        .status()
        .expect("sqlite3");
    assert!(status.success());
    let copy_url = format!("sqlite:{}", copy.display());
    let (code, out, err) = p.run(&["diff", &p.url, &copy_url]);
    assert_eq!((code, out.as_str()), (0, ""), "{err}");
    assert!(err.contains("no differences"), "{err}");
    // Adopted: a baseline from nothing, stamped, and the normal loop from there.
    p.ok(&[
        "revision",
        "--autogenerate",
        "--from-empty",
        "-m",
        "baseline",
    ]);
    p.ok(&["stamp", "head"]);
    p.ok(&["check"]);
}

#[test]
fn diff_prints_the_sql_from_one_database_to_the_other() {
    let p = &sqlite();
    p.exec("CREATE TABLE users (id INTEGER PRIMARY KEY, email TEXT NOT NULL)");
    let other = p.path().join("other.db");
    let other_url = format!("sqlite:{}", other.display());
    let status = std::process::Command::new("sqlite3")
        .arg(&other)
        .arg("CREATE TABLE users (id INTEGER PRIMARY KEY, email TEXT NOT NULL, bio TEXT); CREATE INDEX users_email ON users (email);")
        .status()
        .expect("sqlite3");
    assert!(status.success());
    let out = p.ok(&["diff", &p.url, &other_url]);
    assert_eq!(
        out,
        "ALTER TABLE \"users\" ADD COLUMN \"bio\" text;\nCREATE INDEX \"users_email\" ON \"users\" (\"email\");\n"
    );
    // Loading it takes the first database to the second.
    p.load_with_client(&out);
    let (code, out, _) = p.run(&["diff", &p.url, &other_url]);
    assert_eq!((code, out.as_str()), (0, ""));
    let err = p.fails(&["diff", &p.url, "postgres://nobody@127.0.0.1:1/x"], 3);
    assert!(err.contains("cannot connect"), "{err}");
}

db_test!(
    changes_the_live_rows_would_fail_are_warned_with_their_count,
    |p| {
        p.write("schema.sql", USERS);
        p.ok(&["revision", "--autogenerate", "-m", "create users"]);
        p.ok(&["upgrade", "head"]);
        p.exec("INSERT INTO users (id, email, name) VALUES (1, 'a@x', NULL), (2, 'b@x', NULL), (3, 'c@x', 'c')");
        p.write(
            "schema.sql",
            &USERS.replace(
                "name VARCHAR(100)",
                "name VARCHAR(100) NOT NULL DEFAULT 'anon',\n    plan TEXT NOT NULL",
            ),
        );
        let (code, out, err) = p.run(&["revision", "--autogenerate", "-m", "required"]);
        assert_eq!(code, 0, "{err}");
        assert!(
            err.contains("users.plan is added NOT NULL without a default, and users has 3 row(s)")
                && err.contains("users.name becomes NOT NULL and holds 2 NULL(s)")
                && err.contains("nullable → not null"),
            "{err}"
        );
        let file = p.read(out.trim());
        assert!(
            file.contains("-- WARNING: users.name becomes NOT NULL and holds 2 NULL(s)"),
            "{file}"
        );
        // As warned: the migration fails on these rows, and leaves them as they were.
        p.fails(&["upgrade", "head"], 3);
        assert_eq!(count(p, "SELECT count(*) FROM users WHERE name IS NULL"), 2);
    }
);

/// With `dialects = ["postgresql", "sqlite"]`: one file, a section for each, each written
/// from what the migrations build on that dialect; the SQLite one is replayed on a scratch
/// database while the PostgreSQL one comes from the live database.
#[test]
#[cfg_attr(retort_skip_postgres, ignore = "RETORT_TEST_SKIP names postgres")]
fn one_file_holds_a_section_for_each_dialect() {
    let p = &TestProject::new(Backend::Postgres);
    p.write(
        "retort.toml",
        "[database]\nurl = \"${RETORT_TEST_URL}\"\n\n[migrations]\ndialects = [\"postgresql\", \"sqlite\"]\n",
    );
    let laptop = format!("sqlite:{}", p.path().join("laptop.db").display());
    p.write("schema.sql", &format!("{USERS}{POSTS}"));
    let file = written(p, &["--autogenerate", "-m", "both"]);
    assert!(
        file.contains("-- migrate:up postgresql")
            && file.contains("-- migrate:up sqlite")
            && !file.contains("-- migrate:up\n"),
        "{file}"
    );
    p.ok(&["upgrade", "head"]);
    p.ok(&["check"]);
    p.ok(&["--url", &laptop, "upgrade", "head"]);
    p.ok(&["--url", &laptop, "check"]);

    // A change SQLite makes by a rebuild and PostgreSQL in place.
    p.write(
        "schema.sql",
        &format!(
            "{}{POSTS}",
            USERS.replace("name VARCHAR(100)", "name VARCHAR(100) NOT NULL DEFAULT ''")
        ),
    );
    let file = written(p, &["--autogenerate", "-m", "name required"]);
    assert!(file.contains("-- foreign_keys: off"), "{file}");
    let pg = file
        .split("-- migrate:up postgresql")
        .nth(1)
        .and_then(|s| s.split("-- migrate:").next())
        .expect("a postgresql section");
    assert!(
        pg.contains("SET NOT NULL") && !pg.contains("_retort_new_"),
        "{pg}"
    );
    for url in [p.url.as_str(), laptop.as_str()] {
        p.ok(&["--url", url, "upgrade", "head"]);
        p.ok(&["--url", url, "check"]);
        p.ok(&["--url", url, "downgrade", "-1"]);
    }
    // The database must be one of the dialects.
    p.write(
        "retort.toml",
        "[database]\nurl = \"${RETORT_TEST_URL}\"\n\n[migrations]\ndialects = [\"sqlite\"]\n",
    );
    let err = p.fails(&["revision", "--autogenerate", "-m", "x"], 2);
    assert!(err.contains("the database is postgresql"), "{err}");
    p.ok(&["dev", "drop"]);
}

db_test!(
    a_narrowed_column_is_commented_above_its_own_statement,
    |p| {
        p.write("schema.sql", USERS);
        p.ok(&["revision", "--autogenerate", "-m", "create users"]);
        p.ok(&["upgrade", "head"]);
        p.exec("INSERT INTO users (id, email, name) VALUES (1, 'a@x', 'ada'), (2, 'b@x', NULL)");
        p.write(
            "schema.sql",
            &USERS.replace("name VARCHAR(100)", "name VARCHAR(20)"),
        );
        let file = written(p, &["--autogenerate", "-m", "shorter names"]);
        let comment = "-- DESTRUCTIVE: change column users.name: type varchar(100) → varchar(20): 1 non-null value(s)";
        let comment = match p.backend {
            Backend::Postgres => comment.replace("varchar", "character varying"),
            _ => comment.to_string(),
        };
        let at = file.find(&comment).unwrap_or_else(|| panic!("{file}"));
        // The statement right below it (up to its `;`).
        let below = file[at + comment.len()..].split(';').next().unwrap_or("");
        match p.backend {
            // A rebuild has no statement of its own: the comment heads the section.
            Backend::Sqlite => assert!(below.contains("_retort_new_users"), "{file}"),
            _ => assert!(
                below.contains(&q(p, "name")) && below.contains("ALTER TABLE"),
                "{below}\n{file}"
            ),
        }
    }
);

/// With `dev_url` one database is both scratch databases, the declared schema's and the
/// self-check's copy's, used in turn: the copy is made only once the declared schema has
/// been read from it (made beside it, the two sessions would wait for each other's lock).
fn one_dev_url_serves_both_scratch_databases_in_turn(backend: Backend) {
    let p = &TestProject::new(backend);
    let dev = TestProject::new(backend);
    p.write(
        "retort.toml",
        &format!(
            "[database]\nurl = \"${{RETORT_TEST_URL}}\"\ndev_url = \"{}\"\n",
            dev.url
        ),
    );
    p.write("schema.sql", USERS);
    written(p, &["--autogenerate", "-m", "users"]);
    p.ok(&["upgrade", "head"]);
    p.write("schema.sql", &format!("{USERS}{POSTS}"));
    let file = written(p, &["--autogenerate", "-m", "posts"]);
    assert!(
        file.contains(&format!("CREATE TABLE {}", q(p, "posts"))),
        "{file}"
    );
    p.ok(&["upgrade", "head"]);
    p.ok(&["check"]);
    assert_eq!(p.tables(), vec!["posts".to_string(), "users".to_string()]);
}

#[test]
#[cfg_attr(retort_skip_postgres, ignore = "RETORT_TEST_SKIP names postgres")]
fn one_dev_url_serves_both_scratch_databases_in_turn_postgres() {
    one_dev_url_serves_both_scratch_databases_in_turn(Backend::Postgres);
}

#[test]
#[cfg_attr(retort_skip_mysql, ignore = "RETORT_TEST_SKIP names mysql")]
fn one_dev_url_serves_both_scratch_databases_in_turn_mysql() {
    one_dev_url_serves_both_scratch_databases_in_turn(Backend::Mysql);
}
