use super::*;
use std::fmt::Write as _;
use std::path::Path;

/// The dialect named by a fixture's second extension:
/// `<nn>_<case>.<dialect>.sql`.
fn fixture_dialect(path: &Path) -> Dialect {
    let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("");
    let dialect = name
        .strip_suffix(".sql")
        .and_then(|stem| stem.rsplit('.').next())
        .unwrap_or("");
    [Dialect::Sqlite, Dialect::Postgres, Dialect::Mysql]
        .into_iter()
        .find(|d| d.name() == dialect)
        .unwrap_or_else(|| panic!("{name}: no dialect sqlite|postgresql|mysql in the file name"))
}

/// Checks what every successful split must satisfy, whatever the input.
fn check_invariants(sql: &str, statements: &[Statement]) {
    let mut previous_end = 0;
    for s in statements {
        assert!(!s.text.is_empty(), "empty statement from {sql:?}");
        assert_eq!(
            sql.get(s.byte_range.clone()),
            Some(s.text.as_str()),
            "byte_range does not slice text from {sql:?}"
        );
        assert!(s.byte_range.start >= previous_end, "overlap in {sql:?}");
        previous_end = s.byte_range.end;
        let before = &sql[..s.byte_range.start];
        let line = before.matches('\n').count() + 1;
        let column = before.rsplit('\n').next().unwrap_or("").chars().count() + 1;
        assert_eq!((s.line, s.column), (line, column), "position in {sql:?}");
        let blank = |c: char| c.is_ascii_whitespace();
        assert_eq!(
            s.text.trim_matches(blank),
            s.text,
            "untrimmed text from {sql:?}"
        );
    }
}

fn render(result: &Result<Vec<Statement>, SplitError>) -> String {
    let mut out = String::new();
    match result {
        Ok(statements) => {
            for (n, s) in statements.iter().enumerate() {
                let _ = writeln!(
                    out,
                    "-- statement {}, line {}, column {}\n{}",
                    n + 1,
                    s.line,
                    s.column,
                    s.text
                );
            }
        }
        Err(e) => {
            let _ = writeln!(out, "-- error: {e}");
        }
    }
    out
}

/// One snapshot per fixture in `testdata/split/`, named
/// `<nn>_<case>.<dialect>.sql` (01–19 SQLite, 20–39 PostgreSQL, 40– MySQL):
/// each statement as `-- statement N, line L, column C` and its exact text,
/// or the error. A new fixture needs its snapshot reviewed by eye before it
/// is accepted (`INSTA_UPDATE=always cargo test`, or `cargo insta review`).
#[test]
fn golden() {
    insta::glob!("testdata/split/*.sql", |path| {
        let sql = std::fs::read_to_string(path).unwrap();
        let result = split(fixture_dialect(path), &sql);
        if let Ok(statements) = &result {
            check_invariants(&sql, statements);
        }
        insta::assert_snapshot!(render(&result));
    });
}

fn texts(dialect: Dialect, sql: &str) -> Vec<String> {
    let statements = split(dialect, sql).unwrap();
    check_invariants(sql, &statements);
    statements.into_iter().map(|s| s.text).collect()
}

fn error(dialect: Dialect, sql: &str) -> SplitError {
    split(dialect, sql).unwrap_err()
}

const ALL: [Dialect; 3] = [Dialect::Sqlite, Dialect::Postgres, Dialect::Mysql];

#[test]
fn unterminated_string() {
    for dialect in ALL {
        let e = error(dialect, "SELECT 1;\nSELECT 'é€;\nmore");
        assert_eq!((e.line, e.column), (2, 8), "{dialect:?}");
        assert_eq!(e.message, "unterminated string literal", "{dialect:?}");
        assert_eq!(
            e.to_string(),
            "line 2, column 8: unterminated string literal"
        );
    }
}

#[test]
fn unterminated_block_comment() {
    for dialect in ALL {
        let e = error(dialect, "SELECT 1;\n  é /* never; closed\n");
        assert_eq!((e.line, e.column), (2, 5), "{dialect:?}");
        assert_eq!(e.message, "unterminated block comment", "{dialect:?}");
    }
    // Nested comments on PostgreSQL: one `*/` is not enough.
    let e = error(Dialect::Postgres, "/* a /* b */ c;\nSELECT 1;");
    assert_eq!(
        (e.line, e.column, e.message.as_str()),
        (1, 1, "unterminated block comment")
    );
}

#[test]
fn unterminated_dollar_quote() {
    let e = error(
        Dialect::Postgres,
        "SELECT 1;\nDO $body$ BEGIN\n  RAISE NOTICE 'x';\nEND $$;\n",
    );
    assert_eq!((e.line, e.column), (2, 4));
    assert_eq!(e.message, "unterminated dollar-quoted string");
}

#[test]
fn unterminated_quoted_identifier() {
    let e = error(Dialect::Postgres, "SELECT \"abc;\nSELECT 1;");
    assert_eq!((e.line, e.column), (1, 8));
    assert_eq!(e.message, "unterminated quoted identifier (no closing \")");
    let e = error(Dialect::Mysql, "SELECT `abc;");
    assert_eq!((e.line, e.column), (1, 8));
    let e = error(Dialect::Sqlite, "SELECT [abc;");
    assert_eq!((e.line, e.column), (1, 8));
}

#[test]
fn unclosed_block() {
    let e = error(
        Dialect::Sqlite,
        "SELECT 1;\nCREATE TRIGGER t AFTER INSERT ON x BEGIN\n  SELECT 1;\n",
    );
    assert_eq!((e.line, e.column), (2, 36));
    assert!(e.message.contains("not closed"), "{e}");
    let e = error(Dialect::Mysql, "BEGIN NOT ATOMIC SELECT 1;");
    assert_eq!((e.line, e.column), (1, 1));
}

#[test]
fn statement_positions_and_byte_ranges_with_non_ascii() {
    let sql = "-- é€\n  /* 😀 */ SELECT 'é€';\tSELECT 2";
    let statements = split(Dialect::Sqlite, sql).unwrap();
    check_invariants(sql, &statements);
    assert_eq!(statements.len(), 2);
    assert_eq!(statements[0].text, "SELECT 'é€'");
    assert_eq!((statements[0].line, statements[0].column), (2, 11));
    assert_eq!(&sql[statements[0].byte_range.clone()], "SELECT 'é€'");
    assert_eq!((statements[1].line, statements[1].column), (2, 24));
    assert_eq!(statements[1].byte_range, sql.len() - 8..sql.len());
}

#[test]
fn crlf_line_endings() {
    let sql = "SELECT 1;\r\n-- c\r\nSELECT 'a\r\nb';\r\n";
    let statements = split(Dialect::Postgres, sql).unwrap();
    check_invariants(sql, &statements);
    assert_eq!(statements[1].text, "SELECT 'a\r\nb'");
    assert_eq!((statements[1].line, statements[1].column), (3, 1));
}

#[test]
fn placeholders_casts_and_variables_do_not_split() {
    assert_eq!(
        texts(
            Dialect::Postgres,
            "SELECT $1::int, :'v', a := 1, @x;SELECT ?"
        ),
        ["SELECT $1::int, :'v', a := 1, @x", "SELECT ?"]
    );
    assert_eq!(
        texts(Dialect::Sqlite, "SELECT :name, @p, $v, ?1, $$x$$;SELECT 1"),
        ["SELECT :name, @p, $v, ?1, $$x$$", "SELECT 1"]
    );
    assert_eq!(
        texts(Dialect::Mysql, "SET @a := 1; SELECT @@sql_mode, @a"),
        ["SET @a := 1", "SELECT @@sql_mode, @a"]
    );
}

#[test]
fn delimiter_lines() {
    // Case-insensitive keyword, indentation allowed, trailing text ignored.
    assert_eq!(
        texts(
            Dialect::Mysql,
            "  delimiter $$ -- switch\nSELECT 1; SELECT 2$$\nSELECT 3 $$\nDELIMITER ;\nSELECT 4;"
        ),
        ["SELECT 1; SELECT 2", "SELECT 3", "SELECT 4"]
    );
    // Not first on its line: not a DELIMITER line, so no switch back.
    assert_eq!(
        texts(
            Dialect::Mysql,
            "DELIMITER //\nSELECT 1 // DELIMITER ;\nSELECT 2;"
        ),
        ["SELECT 1", "DELIMITER ;\nSELECT 2;"]
    );
    // Empty statements between custom delimiters give nothing.
    assert_eq!(
        texts(Dialect::Mysql, "DELIMITER ;;\n;; ;;SELECT 1;;;;\n"),
        ["SELECT 1"]
    );
    // A delimiter inside what the tokenizer sees as one word cuts it, and
    // lexing resumes inside it.
    assert_eq!(
        texts(Dialect::Mysql, "DELIMITER $$\nSELECT 1 a$$b$$ END$$"),
        ["SELECT 1 a", "b", "END"]
    );
    // Quoted argument.
    assert_eq!(
        texts(Dialect::Mysql, "DELIMITER '$$'\nSELECT 1$$SELECT 2"),
        ["SELECT 1", "SELECT 2"]
    );
    // The delimiter is found at the opening of what the tokenizer takes for
    // a comment or string, as the mysql client finds it there too; lexing
    // resumes after it.
    assert_eq!(
        texts(
            Dialect::Mysql,
            "DELIMITER /*\nSELECT 1 /*\nSELECT 2 /*\nDELIMITER ;\nSELECT 3;"
        ),
        ["SELECT 1", "SELECT 2", "SELECT 3"]
    );
    assert_eq!(
        texts(Dialect::Mysql, "DELIMITER #\nSELECT '#'#\nSELECT 2#"),
        ["SELECT '#'", "SELECT 2"]
    );
    // Inside strings, identifiers and comments it is text.
    assert_eq!(
        texts(
            Dialect::Mysql,
            "DELIMITER //\nSELECT '//', `a//b` /* // */ -- //\n, 2 //"
        ),
        ["SELECT '//', `a//b` /* // */ -- //\n, 2"]
    );
    // Only MySQL has DELIMITER lines.
    assert_eq!(
        texts(Dialect::Postgres, "DELIMITER //\nSELECT 1;"),
        ["DELIMITER //\nSELECT 1"]
    );
}

#[test]
fn delimiter_line_errors() {
    let e = error(Dialect::Mysql, "SELECT 1;\n  DELIMITER\nSELECT 2;");
    assert_eq!((e.line, e.column), (2, 3));
    assert_eq!(
        e.message,
        "DELIMITER must be followed by a delimiter string"
    );
    let e = error(Dialect::Mysql, "DELIMITER \\\\\n");
    assert_eq!((e.line, e.column), (1, 1));
    assert_eq!(e.message, "DELIMITER cannot contain a backslash");
}

#[test]
fn transaction_begin_is_not_a_block() {
    for dialect in ALL {
        assert_eq!(
            texts(dialect, "BEGIN;\nSELECT 1;\nCOMMIT;"),
            ["BEGIN", "SELECT 1", "COMMIT"],
            "{dialect:?}"
        );
    }
    assert_eq!(
        texts(
            Dialect::Sqlite,
            "BEGIN DEFERRED; BEGIN EXCLUSIVE TRANSACTION; END"
        ),
        ["BEGIN DEFERRED", "BEGIN EXCLUSIVE TRANSACTION", "END"]
    );
}

#[test]
fn mysql_executable_comments_are_statement_text() {
    assert_eq!(
        texts(
            Dialect::Mysql,
            "/* plain */ /*!40101 SET x=1; */;\n/*M!100100 SET y=2 */ ;"
        ),
        ["/*!40101 SET x=1; */", "/*M!100100 SET y=2 */"]
    );
    // Elsewhere they are plain comments.
    assert_eq!(
        texts(Dialect::Postgres, "/*!40101 SET x=1 */;"),
        Vec::<String>::new()
    );
}

/// `MySqlWithoutHints` must tokenize exactly like `MySqlDialect` wherever
/// there is no executable comment: guards the delegation against a new
/// tokenizer-relevant dialect method in a future sqlparser.
#[test]
fn mysql_wrapper_tokenizes_like_mysql_dialect() {
    let mut inputs: Vec<String> = FUZZ.iter().map(|s| s.to_string()).collect();
    insta::glob!("testdata/split/*.sql", |path| {
        inputs.push(std::fs::read_to_string(path).unwrap());
    });
    assert!(inputs.len() > FUZZ.len() + 20, "fixtures not found");
    inputs.push(
        "SELECT b'01', x'ff', N'x', _utf8mb4'é', 1.5e3, 0x1F, a<=>b, a->>'$.k', @@g, \
         `q``x`, \"d\\\"q\", 'it\\'s', a DIV b, c || d, e && f, ~g, h << 2 #c\n--x\n-- y\n"
            .to_string(),
    );
    for input in inputs.iter().filter(|i| !i.contains("/*!")) {
        let (plain, wrapped) = lex::tokenize_mysql_both_ways(input);
        assert_eq!(plain, wrapped, "{input:?}");
    }
}

/// Inputs that are cut short or odd: each must give Ok or SplitError in
/// every dialect, never a panic, and Ok results must be sound.
const FUZZ: &[&str] = &[
    "",
    " ",
    ";",
    ";;",
    "'",
    "\"",
    "`",
    "[",
    "$",
    "$$",
    "$a$",
    "$a$ $b$",
    "$1",
    "/*",
    "/* /*",
    "*/",
    "--",
    "-- x",
    "#",
    "\\",
    "E'",
    "E'\\'",
    "'\\'",
    "x'",
    "U&'",
    "BEGIN",
    "BEGIN;",
    "BEGIN NOT",
    "BEGIN NOT ATOMIC",
    "BEGIN NOT ATOMIC END",
    "END",
    "END;END;",
    "CASE",
    "lbl:",
    "lbl: BEGIN",
    "lbl: BEGIN END lbl",
    "CREATE",
    "CREATE TRIGGER",
    "CREATE TRIGGER t BEGIN",
    "CREATE TRIGGER t BEGIN END",
    "CREATE TRIGGER t BEGIN CASE END",
    "CREATE TRIGGER t BEGIN END CASE",
    "CREATE TRIGGER t BEGIN END IF END",
    "CREATE DEFINER",
    "CREATE DEFINER =",
    "CREATE DEFINER = a@",
    "CREATE DEFINER = 'a'@",
    "CREATE DEFINER = CURRENT_USER(",
    "CREATE SQL",
    "CREATE PROCEDURE p() BEGIN SELECT 1; END; SELECT 2",
    "DELIMITER",
    "DELIMITER ",
    "DELIMITER //",
    "DELIMITER //\n",
    "DELIMITER //\n//",
    "DELIMITER //\nSELECT 1 /",
    "DELIMITER '",
    "DELIMITER \"",
    "DELIMITER `x",
    "DELIMITER ;\n",
    "DELIMITER é€\nSELECT 1é€SELECT 2é",
    "DELIMITER $$\n$$$$$",
    "/*!",
    "/*!40101",
    "/*!40101 */",
    "/*M!",
    "é",
    "'é",
    "\u{feff}SELECT 1",
    "\r",
    "\r\n;\r",
    "SELECT 1\0;",
    "SELECT '\0';",
];

#[test]
fn odd_inputs_never_panic() {
    for dialect in ALL {
        for input in FUZZ {
            // Also every prefix of a few real statements.
            if let Ok(statements) = split(dialect, input) {
                check_invariants(input, &statements);
            }
        }
        let real = "DELIMITER $$\nCREATE TRIGGER t BEFORE INSERT ON x FOR EACH ROW BEGIN \
                    SET NEW.a = CASE WHEN 'é;' THEN 1 END; END$$\nDELIMITER ;\n\
                    DO $b$ BEGIN /* c */ END $b$; SELECT E'\\'', \"q\", [b] -- x\n;";
        for (end, _) in real.char_indices() {
            if let Ok(statements) = split(dialect, &real[..end]) {
                check_invariants(&real[..end], &statements);
            }
        }
    }
}

/// Random soups of the fragments splitting cares about (a fixed-seed LCG,
/// so failures reproduce): Ok or SplitError, never a panic.
#[test]
fn fragment_soup_never_panics() {
    const FRAGMENTS: &[&str] = &[
        "'",
        "\"",
        "`",
        "[",
        "]",
        "$$",
        "$a$",
        "/*",
        "*/",
        "/*!",
        "--",
        "-- ",
        "#",
        "\n",
        "\r\n",
        ";",
        ";;",
        " ",
        "BEGIN",
        "END",
        "CASE",
        "IF",
        "LOOP",
        "CREATE",
        "TRIGGER",
        "NOT",
        "ATOMIC",
        "DEFINER",
        "=",
        "@",
        "DELIMITER",
        "\nDELIMITER ",
        "//",
        "é€",
        "(",
        ")",
        "lbl:",
        "\\",
        "E'",
        "x",
        "1",
    ];
    let mut state: u64 = 0x5eed;
    let mut next = move || {
        state = state
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        (state >> 33) as usize
    };
    for _ in 0..3000 {
        let len = next() % 24;
        let input: String = (0..len)
            .map(|_| FRAGMENTS[next() % FRAGMENTS.len()])
            .collect();
        for dialect in ALL {
            if let Ok(statements) = split(dialect, &input) {
                check_invariants(&input, &statements);
            }
        }
    }
}

#[test]
fn routine_headers_with_modifiers_open_blocks() {
    let body = "TRIGGER t BEFORE INSERT ON x FOR EACH ROW BEGIN SET NEW.a = 1; SET NEW.b = 2; END";
    for definer in [
        "DEFINER='root'@'localhost'",
        "DEFINER = 'root' @ 'localhost'",
        "DEFINER=`root`@`%`",
        "DEFINER=`root`@localhost",
        "DEFINER=root@localhost",
        "DEFINER = CURRENT_USER",
        "DEFINER=CURRENT_USER()",
        "OR REPLACE DEFINER=root",
    ] {
        let create = format!("create {definer} {body}");
        let sql = format!("{create};\nSELECT 1;");
        assert_eq!(
            texts(Dialect::Mysql, &sql),
            [create.as_str(), "SELECT 1"],
            "{definer}"
        );
    }
    for (dialect, sql) in [
        (
            Dialect::Sqlite,
            "CREATE TEMPORARY TRIGGER IF NOT EXISTS t AFTER DELETE ON x BEGIN DELETE FROM y; END",
        ),
        (
            Dialect::Postgres,
            "CREATE OR REPLACE FUNCTION f() RETURNS int LANGUAGE sql begin atomic SELECT 1; end",
        ),
        (
            Dialect::Mysql,
            "CREATE AGGREGATE FUNCTION f(x INT) RETURNS INT BEGIN DECLARE s INT; RETURN s; END",
        ),
        (
            Dialect::Mysql,
            "Create Procedure p() lbl: begin select 1; end lbl",
        ),
    ] {
        assert_eq!(
            texts(dialect, &format!("{sql};SELECT 2")),
            [sql, "SELECT 2"],
            "{dialect:?}"
        );
    }
    // Not routines: a `BEGIN` there is no block (and `;` ends the statement).
    assert_eq!(
        texts(Dialect::Sqlite, "CREATE TABLE begin_end (x); SELECT 1"),
        ["CREATE TABLE begin_end (x)", "SELECT 1"]
    );
    assert_eq!(
        texts(
            Dialect::Mysql,
            "CREATE VIEW v AS SELECT CASE WHEN 1 THEN 2 END AS c; SELECT 1"
        ),
        [
            "CREATE VIEW v AS SELECT CASE WHEN 1 THEN 2 END AS c",
            "SELECT 1"
        ]
    );
}

#[test]
fn split_error_is_a_std_error() {
    let e: Box<dyn std::error::Error> = Box::new(error(Dialect::Mysql, "SELECT 'x"));
    assert_eq!(
        e.to_string(),
        "line 1, column 8: unterminated string literal"
    );
}
