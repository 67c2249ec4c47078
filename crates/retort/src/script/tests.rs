use std::path::Path;

use super::*;
use crate::dialect::Dialect;

const GOOD: &str = "\
-- Add user preferences table
-- with a second line
--
-- revision: 9ff5c33f8506
-- revises: 1a2b3c4d5e6f
-- created: 2026-11-22T10:30:00Z

-- migrate:up
CREATE TABLE user_preferences (
    id INTEGER PRIMARY KEY
);

-- migrate:down
DROP TABLE user_preferences;

-- migrate:up postgresql
CREATE TABLE user_preferences (id SERIAL PRIMARY KEY);
";

fn p(text: &str) -> Result<Script, ScriptError> {
    parse(Path::new("m/x.sql"), text)
}

#[test]
fn parses_header_and_sections() {
    let s = p(GOOD).unwrap();
    assert_eq!(s.revision, "9ff5c33f8506");
    assert_eq!(s.revises, ["1a2b3c4d5e6f"]);
    assert_eq!(s.message, "Add user preferences table\nwith a second line");
    assert_eq!(s.summary(), "Add user preferences table");
    assert_eq!(s.created.as_deref(), Some("2026-11-22T10:30:00Z"));
    assert!(s.transaction);
    assert_eq!(s.sections.len(), 3);
    let up = s.section(Direction::Up, Dialect::Sqlite).unwrap();
    assert_eq!(up.first_line, 9);
    assert!(up
        .body
        .starts_with("CREATE TABLE user_preferences (\n    id INTEGER"));
    let pg = s.section(Direction::Up, Dialect::Postgres).unwrap();
    assert_eq!(pg.dialect, Some(Dialect::Postgres));
    assert_eq!(pg.first_line, 17);
    assert!(s.reversible(Dialect::Postgres));
    assert_eq!(s.key_line("revises"), Some(5));
}

#[test]
fn keys_and_lists() {
    let s = p("-- revision: a1\n-- revises: b1, c1\n-- depends_on: d1\n-- branch_labels: feat, other-x\n-- transaction: false\n-- migrate:up\nSELECT 1;\n").unwrap();
    assert_eq!(s.revises, ["b1", "c1"]);
    assert_eq!(s.depends_on, ["d1"]);
    assert_eq!(s.branch_labels, ["feat", "other-x"]);
    assert!(!s.transaction);
    assert!(!s.reversible(Dialect::Sqlite));
    assert_eq!(s.message, "");
}

#[test]
fn crlf_bom_and_trailing_whitespace_keep_the_checksum() {
    let lf = p("-- revision: a1\n-- migrate:up\nSELECT 1;\n").unwrap();
    let crlf = p("\u{feff}-- revision: a1\r\n-- migrate:up\r\nSELECT 1;\r\n\r\n").unwrap();
    let a = lf
        .section(Direction::Up, Dialect::Sqlite)
        .unwrap()
        .checksum();
    let b = crlf
        .section(Direction::Up, Dialect::Sqlite)
        .unwrap()
        .checksum();
    assert_eq!(a, b);
    assert_eq!(a.len(), 64);
    let edited = p("-- revision: a1\n-- migrate:up\nSELECT 2;\n").unwrap();
    assert_ne!(
        a,
        edited
            .section(Direction::Up, Dialect::Sqlite)
            .unwrap()
            .checksum()
    );
}

#[test]
fn blank_sections() {
    let s = p("-- revision: a1\n-- migrate:up\n-- nothing\n\n-- migrate:down\n").unwrap();
    assert!(s
        .section(Direction::Up, Dialect::Sqlite)
        .unwrap()
        .is_blank());
    assert!(s
        .section(Direction::Down, Dialect::Sqlite)
        .unwrap()
        .is_blank());
    assert!(s.reversible(Dialect::Sqlite));
}

/// Every malformed file names its line (where it has one) and the cause.
#[test]
fn malformed_files() {
    let cases: &[(&str, Option<usize>, &str)] = &[
        (
            "-- revision: a1\n-- revison: b1\n-- migrate:up\n",
            Some(2),
            "unknown header key `revison`",
        ),
        (
            "-- revision: a1\n-- revision: b1\n-- migrate:up\n",
            Some(2),
            "given twice",
        ),
        (
            "-- revision: a1\n-- this is not a key\n-- migrate:up\n",
            Some(2),
            "malformed header line",
        ),
        (
            "-- revision: not-an-id\n-- migrate:up\n",
            Some(1),
            "not a valid revision id",
        ),
        (
            "-- revision: a1\n-- revises: b1, b1\n-- migrate:up\n",
            Some(2),
            "listed twice",
        ),
        (
            "-- revision: a1\n-- revises: b 1\n-- migrate:up\n",
            Some(2),
            "not a valid revision id",
        ),
        (
            "-- revision: a1\n-- created: yesterday\n-- migrate:up\n",
            Some(2),
            "RFC 3339",
        ),
        (
            "-- revision: a1\n-- transaction: maybe\n-- migrate:up\n",
            Some(2),
            "true or false",
        ),
        (
            "-- revision: a1\n-- branch_labels: 9lives\n-- migrate:up\n",
            Some(2),
            "branch label",
        ),
        (
            "-- revision: a1\nCREATE TABLE t (a int);\n-- migrate:up\n",
            Some(2),
            "SQL before the first",
        ),
        (
            "-- revision: a1\n-- migrate:sideways\n",
            Some(2),
            "unknown section marker",
        ),
        (
            "-- revision: a1\n-- migrate:up oracle\n",
            Some(2),
            "unknown dialect `oracle`",
        ),
        (
            "-- revision: a1\n-- migrate:up sqlite extra\n",
            Some(2),
            "unexpected `extra`",
        ),
        (
            "-- revision: a1\n-- migrate:up\nSELECT 1;\n-- migrate:up\n",
            Some(4),
            "second `-- migrate:up` section",
        ),
        (
            "-- revision: a1\n-- migrate:down\n-- migrate:down\n",
            Some(3),
            "second `-- migrate:down`",
        ),
        (
            "-- just a message\n-- migrate:up\nSELECT 1;\n",
            None,
            "no `-- revision: <id>`",
        ),
        ("-- revision: a1\n", None, "no `-- migrate:up` section"),
        (
            "-- revision: a1\n-- migrate:down\nSELECT 1;\n",
            None,
            "no `-- migrate:up` section",
        ),
    ];
    for (text, line, needle) in cases {
        let e = p(text).expect_err(text);
        assert_eq!(e.line, *line, "{text:?} -> {e}");
        assert!(e.message.contains(needle), "{text:?} -> {e}");
        let shown = e.to_string();
        let expected_prefix = match line {
            Some(l) => format!("m/x.sql:{l}: "),
            None => "m/x.sql: ".to_string(),
        };
        assert!(shown.starts_with(&expected_prefix), "{shown}");
    }
}

#[test]
fn new_files_round_trip() {
    let new = NewScript {
        revision: "abcdef012345".into(),
        message: "Add users\nand more".into(),
        revises: vec!["111111111111".into(), "222222222222".into()],
        depends_on: vec!["333333333333".into()],
        branch_labels: vec!["feature".into()],
        created: "2026-11-22T10:30:00Z".into(),
        up: "CREATE TABLE users (id INTEGER);".into(),
        down: "DROP TABLE users;".into(),
        dialect_sections: vec![(Dialect::Postgres, "SELECT 1;".into(), String::new())],
        foreign_keys_off: true,
        outside_transaction: false,
    };
    let text = render_new(&new);
    let s = p(&text).unwrap();
    assert!(s.foreign_keys_off && s.transaction);
    let outside = NewScript {
        foreign_keys_off: false,
        outside_transaction: true,
        ..new.clone()
    };
    assert!(!p(&render_new(&outside)).unwrap().transaction);
    assert_eq!(s.revision, new.revision);
    assert_eq!(s.message, new.message);
    assert_eq!(s.revises, new.revises);
    assert_eq!(s.depends_on, new.depends_on);
    assert_eq!(s.branch_labels, new.branch_labels);
    assert_eq!(s.created.as_deref(), Some("2026-11-22T10:30:00Z"));
    assert_eq!(
        s.section(Direction::Up, Dialect::Sqlite)
            .unwrap()
            .body
            .trim(),
        "CREATE TABLE users (id INTEGER);"
    );
    assert_eq!(
        s.section(Direction::Up, Dialect::Postgres)
            .unwrap()
            .body
            .trim(),
        "SELECT 1;"
    );
}

#[test]
fn file_names_and_slugs() {
    let ts: jiff::Timestamp = "2026-11-22T10:30:05Z".parse().unwrap();
    assert_eq!(
        file_name(
            crate::config::DEFAULT_FILE_TEMPLATE,
            "9ff5c33f8506",
            "Add user prefs!",
            &ts
        ),
        "2026_11_22_1030-9ff5c33f8506_add_user_prefs.sql"
    );
    assert_eq!(file_name("{rev}_{slug}", "abc", "", &ts), "abc.sql");
    assert_eq!(file_name("{second}-{rev}", "abc", "", &ts), "05-abc.sql");
    let long = slug("a very long message that goes on and on beyond forty characters");
    assert!(long.len() <= 40, "{long}");
    assert_eq!(long, "a_very_long_message_that_goes_on_and_on");
}

#[test]
fn ids_and_labels() {
    assert!(validate_id("9ff5c33f8506").is_ok());
    assert!(validate_id("v1_init").is_ok());
    for bad in ["", "a-b", "a+1", "x@y", "a:b", &"a".repeat(65)] {
        assert!(validate_id(bad).is_err(), "{bad}");
    }
    assert!(validate_label("feature-x").is_ok());
    assert!(validate_label("1x").is_err());
    let id = random_id().unwrap();
    assert_eq!(id.len(), 12);
    assert!(id
        .chars()
        .all(|c| c.is_ascii_hexdigit() && !c.is_ascii_uppercase()));
}

#[test]
fn start_up_cache_serves_unchanged_files_and_rereads_changed_ones() {
    let dir = tempfile::tempdir().unwrap();
    let cache = dir.path().join("cache/x.cache");
    let old = std::time::SystemTime::now() - std::time::Duration::from_secs(3600);
    let write = |name: &str, text: &str| {
        let path = dir.path().join(name);
        std::fs::write(&path, text).unwrap();
        std::fs::File::options()
            .write(true)
            .open(&path)
            .unwrap()
            .set_modified(old)
            .unwrap();
    };
    write(
        "1.sql",
        "-- one\n-- revision: a1\n-- migrate:up\nSELECT 1;\n-- migrate:down\nSELECT 2;\n",
    );
    write("2.sql", "-- two\n--\n-- with\ttab\n-- revision: a2\n-- revises: a1\n-- transaction: false\n-- migrate:up\nSELECT 3;\n-- migrate:up postgresql\nSELECT 33;\n");
    let first = read_dir_cached(dir.path(), dir.path(), Some(&cache)).unwrap();
    assert!((0..2).all(|k| !first.from_cache(k)));
    assert!(cache.exists());
    let second = read_dir_cached(dir.path(), dir.path(), Some(&cache)).unwrap();
    assert!(
        (0..2).all(|k| second.from_cache(k)),
        "served from the cache"
    );
    for k in 0..2 {
        assert_eq!(second[k], first[k], "the whole header, line numbers too");
        let (a, b) = (first.load(k).unwrap(), second.load(k).unwrap());
        assert_eq!(a, b, "the SQL is read from the file");
    }
    // A changed file is read again; the other still comes from the cache.
    write(
        "2.sql",
        "-- two changed\n-- revision: a2\n-- revises: a1\n-- migrate:up\nSELECT 4;\n",
    );
    let third = read_dir_cached(dir.path(), dir.path(), Some(&cache)).unwrap();
    assert!(third.from_cache(0) && !third.from_cache(1));
    assert_eq!(third[1].message, "two changed");
    // A file modified just now is never trusted to the cache.
    std::fs::write(
        dir.path().join("1.sql"),
        "-- one\n-- revision: a1\n-- migrate:up\nSELECT 1;\n",
    )
    .unwrap();
    read_dir_cached(dir.path(), dir.path(), Some(&cache)).unwrap();
    let fifth = read_dir_cached(dir.path(), dir.path(), Some(&cache)).unwrap();
    assert!(!fifth.from_cache(0), "a fresh file is read, not cached");
    assert!(!fifth[0].reversible(Dialect::Sqlite));
    // A cache with one byte changed counts as none.
    let mut bytes = std::fs::read(&cache).unwrap();
    *bytes.last_mut().unwrap() ^= 1;
    std::fs::write(&cache, bytes).unwrap();
    let reread = read_dir_cached(dir.path(), dir.path(), Some(&cache)).unwrap();
    assert!(
        (0..2).all(|k| !reread.from_cache(k)),
        "read again, not cached"
    );
    // A corrupt cache counts as none.
    std::fs::write(&cache, "garbage").unwrap();
    assert_eq!(
        read_dir_cached(dir.path(), dir.path(), Some(&cache))
            .unwrap()
            .len(),
        2
    );
}

/// Sets a file's or folder's modification time an hour back, as if it were old.
fn age(path: &Path) {
    let old = std::time::SystemTime::now() - std::time::Duration::from_secs(3600);
    std::fs::File::open(path)
        .unwrap()
        .set_modified(old)
        .unwrap();
}

/// A temporary directory (kept alive by the first value) with a cache path and an empty
/// migrations folder in it.
fn cache_and_folder() -> (tempfile::TempDir, std::path::PathBuf, std::path::PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let cache = dir.path().join("cache/x.cache");
    let folder = dir.path().join("m");
    std::fs::create_dir(&folder).unwrap();
    (dir, cache, folder)
}

#[test]
fn an_unchanged_folder_is_not_listed_and_every_change_to_it_is_seen() {
    let (_dir, cache, folder) = cache_and_folder();
    let write = |name: &str, text: &str| {
        std::fs::write(folder.join(name), text).unwrap();
        age(&folder.join(name));
        age(&folder);
    };
    let read = || read_dir_cached(&folder, &folder, Some(&cache)).unwrap();
    let ids = |s: &Scripts| s.iter().map(|s| s.revision.clone()).collect::<Vec<_>>();
    write("1.sql", "-- revision: a1\n-- migrate:up\nSELECT 1;\n");
    write(
        "2.sql",
        "-- revision: a2\n-- revises: a1\n-- migrate:up\nSELECT 2;\n",
    );
    assert!(read().listed_folder(), "no cache yet");
    let second = read();
    assert!(
        !second.listed_folder(),
        "unchanged folder, known from the cache"
    );
    assert_eq!(ids(&second), ["a1", "a2"]);
    assert!(second.from_cache(0) && second.from_cache(1));

    // Removed, even with the folder's modification time put back exactly: its change
    // time moved.
    let mtime = std::fs::metadata(&folder).unwrap().modified().unwrap();
    std::fs::remove_file(folder.join("2.sql")).unwrap();
    std::fs::File::open(&folder)
        .unwrap()
        .set_modified(mtime)
        .unwrap();
    assert_eq!(
        std::fs::metadata(&folder).unwrap().modified().unwrap(),
        mtime
    );
    let third = read();
    assert!(third.listed_folder());
    assert_eq!(ids(&third), ["a1"]);
    assert!(!read().listed_folder(), "recorded again once listed");

    // Added.
    write(
        "3.sql",
        "-- revision: a3\n-- revises: a1\n-- migrate:up\nSELECT 3;\n",
    );
    let fourth = read();
    assert!(fourth.listed_folder());
    assert_eq!(ids(&fourth), ["a1", "a3"]);

    // Renamed.
    std::fs::rename(folder.join("1.sql"), folder.join("0.sql")).unwrap();
    age(&folder);
    let fifth = read();
    assert!(fifth.listed_folder());
    assert_eq!(fifth[0].path, folder.join("0.sql"));
    assert!(!read().listed_folder());

    // Edited in place: the folder is unchanged, the file is read again.
    let before = std::fs::metadata(folder.join("3.sql")).unwrap();
    std::fs::write(
        folder.join("3.sql"),
        "-- revision: a3\n-- revises: a1\n-- migrate:up\nSELECT 33;\n",
    )
    .unwrap();
    age(&folder.join("3.sql"));
    let sixth = read();
    assert!(!sixth.listed_folder());
    assert!(!sixth.from_cache(1), "the edited file is read, not cached");
    let edited = sixth.load(1).unwrap();
    assert_eq!(
        edited
            .section(Direction::Up, Dialect::Sqlite)
            .unwrap()
            .body
            .trim(),
        "SELECT 33;"
    );
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        let after = std::fs::metadata(folder.join("3.sql")).unwrap();
        assert_eq!(before.ino(), after.ino(), "really edited in place");
    }
}

/// A cache of many files, checked on several threads, gives back every header, in order;
/// files edited far apart are read again, and only they.
#[test]
fn a_large_cache_is_read_back_whole_and_in_order() {
    let (_dir, cache, folder) = cache_and_folder();
    let n = 2000;
    for i in 0..n {
        let name = format!("{i:05}_m.sql");
        let revises = if i == 0 {
            String::new()
        } else {
            format!("-- revises: r{:05}\n", i - 1)
        };
        let text = format!(
            "-- migration number {i}, with a message long enough to fill the cache\n\
             -- revision: r{i:05}\n{revises}-- migrate:up\nCREATE TABLE t{i} (id INT);\n\
             -- migrate:down\nDROP TABLE t{i};\n"
        );
        std::fs::write(folder.join(&name), text).unwrap();
        age(&folder.join(&name));
    }
    age(&folder);
    let first = read_dir_cached(&folder, &folder, Some(&cache)).unwrap();
    let second = read_dir_cached(&folder, &folder, Some(&cache)).unwrap();
    assert!(!second.listed_folder());
    assert_eq!(second.len(), n);
    for i in 0..n {
        assert!(second.from_cache(i));
        assert_eq!(second[i], first[i]);
    }
    let edited = [7, 1900];
    for i in edited {
        let path = folder.join(format!("{i:05}_m.sql"));
        let text = std::fs::read_to_string(&path)
            .unwrap()
            .replace("-- migration number", "-- edited migration");
        std::fs::write(&path, text).unwrap();
        age(&path);
    }
    let third = read_dir_cached(&folder, &folder, Some(&cache)).unwrap();
    assert!(!third.listed_folder());
    for i in 0..n {
        let was_edited = edited.contains(&i);
        assert_eq!(third.from_cache(i), !was_edited, "file {i}");
        assert_eq!(
            third.summary(i).starts_with("edited"),
            was_edited,
            "file {i}"
        );
    }
}

/// What runs is what the plan was made from: a file whose SQL or graph keys changed
/// after its header was read cannot be loaded; one whose message alone changed can.
#[test]
fn a_file_changed_after_its_header_was_read_is_refused_when_loaded() {
    let (_dir, cache, folder) = cache_and_folder();
    let path = folder.join("1.sql");
    std::fs::write(&path, "-- one\n-- revision: a1\n-- migrate:up\nSELECT 1;\n").unwrap();
    for cache in [None, Some(cache.as_path())] {
        let scripts = read_dir_cached(&folder, &folder, cache).unwrap();
        assert!(scripts.load(0).is_ok());
        for (text, same) in [
            (
                "-- one, reworded\n-- revision: a1\n-- migrate:up\nSELECT 1;\n",
                true,
            ),
            (
                "-- one\n-- revision: a1\n-- migrate:up\nDROP TABLE users;\n",
                false,
            ),
            ("-- one\n-- revision: b1\n-- migrate:up\nSELECT 1;\n", false),
            (
                "-- one\n-- revision: a1\n-- transaction: false\n-- migrate:up\nSELECT 1;\n",
                false,
            ),
            (
                "-- one\n-- revision: a1\n-- migrate:up\nSELECT 1;\n-- migrate:down\nSELECT 2;\n",
                false,
            ),
        ] {
            std::fs::write(&path, text).unwrap();
            match scripts.load(0) {
                Ok(_) => assert!(same, "{text}"),
                Err(e) => {
                    assert!(!same, "{text}: {e}");
                    assert!(
                        e.message.contains("changed while retort was running"),
                        "{e}"
                    );
                    assert_eq!(e.path, path);
                }
            }
        }
        std::fs::write(&path, "-- one\n-- revision: a1\n-- migrate:up\nSELECT 1;\n").unwrap();
    }
}

/// A cache that lies (well-formed, for files whose fingerprints it has right) is believed by
/// the fast path, and never when the cache is off, as it is for `retort validate`.
#[test]
fn a_forged_cache_is_believed_only_where_the_cache_is_used() {
    let (_dir, cache, folder) = cache_and_folder();
    let path = folder.join("1.sql");
    std::fs::write(&path, "-- revision: a1\n-- migrate:up\nSELECT 1;\n").unwrap();
    age(&path);
    age(&folder);
    let truth = read_dir_cached(&folder, &folder, None).unwrap();
    let mut forged = truth[0].clone();
    forged.sections[0].sum = "0".repeat(64);
    let fp = |p: &Path| fingerprint::Fingerprint::of(&std::fs::metadata(p).unwrap());
    cache::save(&cache, fp(&folder), &[("1.sql", fp(&path), &forged)]);
    let fast = read_dir_cached(&folder, &folder, Some(&cache)).unwrap();
    assert!(fast.from_cache(0));
    assert_eq!(
        fast[0], forged,
        "the fast path trusts a cache it cannot tell from a true one"
    );
    let files = read_dir_cached(&folder, &folder, None).unwrap();
    assert_eq!(files[0], truth[0]);
    assert!(
        fast.load(0).is_err(),
        "and still never runs what the file does not say"
    );
}
