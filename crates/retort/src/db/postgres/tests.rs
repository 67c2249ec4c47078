//! Against a real server: `RETORT_TEST_POSTGRES_URL`, by default
//! `postgres://postgres@127.0.0.1:5432/postgres`. Each test creates its own database and
//! drops it. Without a server they fail, unless `RETORT_TEST_SKIP=postgres` marks them
//! ignored (see build.rs; not under `CI=true`).

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::OnceLock;

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use sha2::{Digest, Sha256};

use super::connection::lock_key;
use super::options::*;
use super::*;
use crate::db::mask;
use crate::db::tls::{self, Roots, Verify};
use crate::db::{ConnectOptions, Connection, DbError, Value};

const DEFAULT_URL: &str = "postgres://postgres@127.0.0.1:5432/postgres";

/// Self-signed, `CA:TRUE`, for `localhost`: webpki refuses it as an end entity
/// (CaUsedAsEndEntity) unless it is pinned. Valid 2026-11-23 to 2126.
const SELF_SIGNED_CA: &str = "-----BEGIN CERTIFICATE-----
MIIBljCCATugAwIBAgIURHsRxqiOgSBxpGaA3ekUmIv/WfUwCgYIKoZIzj0EAwIw
FDESMBAGA1UEAwwJbG9jYWxob3N0MCAXDTI2MTEyMzE2MTM1MVoYDzIxMjYxMDMw
MTYxMzUxWjAUMRIwEAYDVQQDDAlsb2NhbGhvc3QwWTATBgcqhkjOPQIBBggqhkjO
PQMBBwNCAARcX1va0+jIfyrHQMA+plQnVL3WvFLsh67lNDnf/IA99gxSU2NdNflN
MnbVwEh9sseldotaB/CGLOVo/AxjZGSko2kwZzAdBgNVHQ4EFgQU3D1rbjFGe2e6
+O/2cs+gJq+Jr+4wHwYDVR0jBBgwFoAU3D1rbjFGe2e6+O/2cs+gJq+Jr+4wFAYD
VR0RBA0wC4IJbG9jYWxob3N0MA8GA1UdEwEB/wQFMAMBAf8wCgYIKoZIzj0EAwID
SQAwRgIhAJyoyzrMoArh3ngWR1RHQX08VaTxdubKRneAniMpEMdpAiEAj8gyZK/j
XR/l0Nqiac5jSzPOCGjlf0J6eq0T7pw4Clc=
-----END CERTIFICATE-----
";

/// A test CA ("retort test CA") and a `localhost` leaf it signed (`CA:FALSE`).
const TEST_CA: &str = "-----BEGIN CERTIFICATE-----
MIIBmDCCAT+gAwIBAgIUccJ08dDCWwxQqG+Fno5YUvGLO9YwCgYIKoZIzj0EAwIw
GTEXMBUGA1UEAwwOcmV0b3J0IHRlc3QgQ0EwIBcNMjYxMTIzMTYxMzUxWhgPMjEy
NjEwMzAxNjEzNTFaMBkxFzAVBgNVBAMMDnJldG9ydCB0ZXN0IENBMFkwEwYHKoZI
zj0CAQYIKoZIzj0DAQcDQgAEDIEhnAF3C+hL3gcxc5Kvw7iJOJN8O2gij6Chgl/x
GFkqlyLDSgwRTDtyrbGCa5YF4SvocHdJ1Q+G3IohbF44LaNjMGEwHQYDVR0OBBYE
FAmhYrcrRh3awM3helx0n3X0yHyzMB8GA1UdIwQYMBaAFAmhYrcrRh3awM3helx0
n3X0yHyzMA8GA1UdEwEB/wQFMAMBAf8wDgYDVR0PAQH/BAQDAgEGMAoGCCqGSM49
BAMCA0cAMEQCIA8HSjwP7m5M4YfG2RJH+YSvH+rJ+FT864/grsf3rODyAiB4+Wzh
DXx4cWl7bm89IDNkfNKXLaT1tHZsuBDByy9N3g==
-----END CERTIFICATE-----
";
const LEAF_OF_TEST_CA: &str = "-----BEGIN CERTIFICATE-----
MIIBljCCAT2gAwIBAgIUELY74BYpsmtmAo//ed/ta/MWpfAwCgYIKoZIzj0EAwIw
GTEXMBUGA1UEAwwOcmV0b3J0IHRlc3QgQ0EwIBcNMjYxMTIzMTYxMzUxWhgPMjEy
NjEwMzAxNjEzNTFaMBQxEjAQBgNVBAMMCWxvY2FsaG9zdDBZMBMGByqGSM49AgEG
CCqGSM49AwEHA0IABL00njO+rFtZz6L3kZPU+T0iqVemQz0YGdM5r86B9qpwZsRj
a2Lz3MQx8cf/HnQ4GLwUCSYAwhvgm/IhdF6fKH6jZjBkMBQGA1UdEQQNMAuCCWxv
Y2FsaG9zdDAMBgNVHRMBAf8EAjAAMB0GA1UdDgQWBBTFr6Xl0nn8rT3NjGOjkbcw
kuabkTAfBgNVHSMEGDAWgBQJoWK3K0Yd2sDN4XpcdJ919Mh8szAKBggqhkjOPQQD
AgNHADBEAiB1tDay8+rIXIUivaUlF2TTKU00gh302Ca8dXMHhSG2EgIgZXAZh+vj
xTwPBj9LwqUk2BSZKD2D2HAgZvSEvcvyJVI=
-----END CERTIFICATE-----
";

fn url(s: &str) -> PostgresOptions {
    PostgresOptions::parse(s).unwrap()
}

pub(super) fn quick() -> ConnectOptions {
    ConnectOptions {
        lock_timeout: Duration::from_millis(300),
        connect_timeout: Duration::from_secs(5),
        schema: None,
        lock_name: "retort:test".into(),
        create: true,
    }
}

fn connect(u: &str) -> Result<PostgresConnection, DbError> {
    PostgresConnection::connect(&url(u), &quick())
}

/// The server's URL. An unreachable server fails the test: it must not count as passed
/// (`RETORT_TEST_SKIP=postgres` marks these tests ignored instead, see build.rs).
fn server() -> &'static str {
    static SERVER: OnceLock<String> = OnceLock::new();
    SERVER.get_or_init(|| {
        let u = std::env::var("RETORT_TEST_POSTGRES_URL").unwrap_or_else(|_| DEFAULT_URL.to_string());
        if let Err(e) = connect(&u) {
            panic!(
                "PostgreSQL is unreachable at {} ({e}); set RETORT_TEST_POSTGRES_URL, or RETORT_TEST_SKIP=postgres to skip these tests",
                mask(&u)
            );
        }
        u
    })
}

/// Splits a URL into `scheme://`, `userinfo@` (possibly empty), host list, path and query.
fn url_parts(u: &str) -> (String, String, String, String) {
    let (scheme, rest) = u.split_once("://").unwrap();
    let end = rest.find(['/', '?']).unwrap_or(rest.len());
    let (authority, tail) = rest.split_at(end);
    let (userinfo, hosts) = match authority.rsplit_once('@') {
        Some((ui, h)) => (format!("{ui}@"), h.to_string()),
        None => (String::new(), authority.to_string()),
    };
    let query = tail
        .split_once('?')
        .map(|(_, q)| q.to_string())
        .unwrap_or_default();
    (
        format!("{scheme}://{userinfo}"),
        hosts,
        query,
        tail.to_string(),
    )
}

fn add_query(u: &str, q: &str) -> String {
    if q.is_empty() {
        u.to_string()
    } else if u.contains('?') {
        format!("{u}&{q}")
    } else {
        format!("{u}?{q}")
    }
}

/// A database of the test's own, dropped at the end (also when the test panics). The
/// schema renderer's tests use it too (`crate::db::PgTestDb`).
pub(crate) struct TestDb {
    admin: String,
    name: String,
    /// The URL of the database.
    url: String,
}

impl TestDb {
    pub(crate) fn new() -> TestDb {
        let admin = server().to_string();
        let mut bytes = [0u8; 6];
        getrandom::fill(&mut bytes).unwrap();
        let hex: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
        let name = format!("retort_pgdrv_{hex}");
        connect(&admin)
            .unwrap()
            .run(&format!("CREATE DATABASE {name}"))
            .unwrap();
        let (prefix, hosts, query, _) = url_parts(&admin);
        let url = add_query(&format!("{prefix}{hosts}/{name}"), &query);
        TestDb { admin, name, url }
    }

    pub(crate) fn connect(&self) -> PostgresConnection {
        connect(&self.url).unwrap()
    }

    pub(super) fn with(&self, opts: ConnectOptions) -> PostgresConnection {
        PostgresConnection::connect(&url(&self.url), &opts).unwrap()
    }

    /// The URL with other query options.
    pub(super) fn url_with(&self, query: &str) -> String {
        add_query(&self.url, query)
    }

    /// The URL with another host (`host:port` or a percent-encoded socket directory).
    fn url_at(&self, host: &str, query: &str) -> String {
        let (prefix, _, _, tail) = url_parts(&self.url);
        add_query(&format!("{prefix}{host}{tail}"), query)
    }
}

impl Drop for TestDb {
    fn drop(&mut self) {
        match connect(&self.admin) {
            Ok(mut admin) => {
                if let Err(e) = admin.run(&format!(
                    "DROP DATABASE IF EXISTS {} WITH (FORCE)",
                    self.name
                )) {
                    eprintln!("could not drop test database {}: {e}", self.name);
                }
            }
            Err(e) => eprintln!("could not drop test database {}: {e}", self.name),
        }
    }
}

fn one(conn: &mut PostgresConnection, sql: &str) -> Value {
    conn.query(sql, &[]).unwrap().remove(0).remove(0)
}

fn text(s: &str) -> Value {
    Value::Text(s.into())
}
#[test]
fn lock_key_is_stable() {
    // First 8 bytes of SHA-256("retort:retort_version"), big-endian: a different key in a
    // later version would let an old and a new retort migrate at once.
    let digest = Sha256::digest(b"retort:retort_version");
    assert_eq!(lock_key("retort:retort_version").to_be_bytes(), digest[..8]);
    assert_ne!(lock_key("a"), lock_key("b"));
}

// -- TLS verification (no server) ------------------------------------------------------

#[test]
fn verifier_pins_self_signed_certificates_and_checks_chains() {
    use rustls::client::danger::ServerCertVerifier;
    let der = |pem: &str| CertificateDer::from_pem_slice(pem.as_bytes()).unwrap();
    use rustls::pki_types::pem::PemObject;
    use rustls::pki_types::{CertificateDer, ServerName, UnixTime};
    let provider = std::sync::Arc::new(rustls::crypto::ring::default_provider());
    let verifier = |verify, roots: &str| {
        tls::PgCertVerifier::new(
            provider.clone(),
            verify,
            Some(Roots::from_pem(roots.as_bytes()).unwrap()),
        )
        .unwrap()
    };
    // 2030-03-17: inside every test certificate's validity.
    let now = UnixTime::since_unix_epoch(Duration::from_secs(1_900_000_000));
    let localhost = ServerName::try_from("localhost").unwrap();
    let ip = ServerName::try_from("127.0.0.1").unwrap();
    let check = |v: &tls::PgCertVerifier, cert: &str, name: &ServerName<'_>, now| {
        v.verify_server_cert(&der(cert), &[], name, &[], now)
            .map(|_| ())
    };

    // webpki alone refuses a self-signed CA:TRUE certificate as its own anchor...
    let mut store = rustls::RootCertStore::empty();
    store.add(der(SELF_SIGNED_CA)).unwrap();
    let e = rustls::client::verify_server_cert_signed_by_trust_anchor(
        &rustls::server::ParsedCertificate::try_from(&der(SELF_SIGNED_CA)).unwrap(),
        &store,
        &[],
        now,
        provider.signature_verification_algorithms.all,
    )
    .unwrap_err();
    assert!(format!("{e:?}").contains("CaUsedAsEndEntity"), "{e:?}");
    // ... so it is pinned: accepted, with its name checked for verify-full and its
    // dates checked.
    let pinned = verifier(Verify::Chain, SELF_SIGNED_CA);
    check(&pinned, SELF_SIGNED_CA, &localhost, now).unwrap();
    check(&pinned, SELF_SIGNED_CA, &ip, now).unwrap();
    let full = verifier(Verify::ChainAndName, SELF_SIGNED_CA);
    check(&full, SELF_SIGNED_CA, &localhost, now).unwrap();
    let e = check(&full, SELF_SIGNED_CA, &ip, now).unwrap_err();
    assert!(e.to_string().contains("not valid for name"), "{e}");
    let in_2200 = UnixTime::since_unix_epoch(Duration::from_secs(7_258_118_400));
    let e = check(&pinned, SELF_SIGNED_CA, &localhost, in_2200).unwrap_err();
    assert!(
        matches!(
            e,
            rustls::Error::InvalidCertificate(rustls::CertificateError::Expired)
        ),
        "{e}"
    );

    // A certificate that is neither pinned nor signed by a root: refused.
    let e = check(&pinned, LEAF_OF_TEST_CA, &localhost, now).unwrap_err();
    assert!(
        matches!(
            e,
            rustls::Error::InvalidCertificate(rustls::CertificateError::UnknownIssuer)
        ),
        "{e}"
    );
    let other = verifier(Verify::Chain, TEST_CA);
    check(&other, SELF_SIGNED_CA, &localhost, now).unwrap_err();

    // A normal chain: leaf signed by the root.
    check(&other, LEAF_OF_TEST_CA, &localhost, now).unwrap();
    let full = verifier(Verify::ChainAndName, TEST_CA);
    check(&full, LEAF_OF_TEST_CA, &localhost, now).unwrap();
    check(&full, LEAF_OF_TEST_CA, &ip, now).unwrap_err();

    // A bundle: any of its certificates counts.
    let bundle = verifier(Verify::Chain, &format!("{TEST_CA}{SELF_SIGNED_CA}"));
    check(&bundle, SELF_SIGNED_CA, &localhost, now).unwrap();
    check(&bundle, LEAF_OF_TEST_CA, &localhost, now).unwrap();

    // No verification (prefer/require): anything goes.
    let none = tls::PgCertVerifier::new(provider.clone(), Verify::Nothing, None).unwrap();
    check(&none, LEAF_OF_TEST_CA, &ip, now).unwrap();

    assert!(Roots::from_pem(b"not a certificate").is_err());
}

// -- Against the server ----------------------------------------------------------------

#[test]
#[cfg_attr(retort_skip_postgres, ignore = "RETORT_TEST_SKIP names postgres")]
fn run_execute_query_round_trip() {
    let db = TestDb::new();
    let mut c = db.connect();
    c.run("CREATE TABLE v (revision VARCHAR(64) PRIMARY KEY, n BIGINT, note VARCHAR(20))")
        .unwrap();
    let ins = "INSERT INTO v (revision, n, note) VALUES ($1, $2, $3)";
    assert_eq!(
        c.execute(ins, &[text("a1"), Value::Int(42), Value::Null])
            .unwrap(),
        1
    );
    assert_eq!(
        c.execute(ins, &[text("b2"), Value::Null, text("x")])
            .unwrap(),
        1
    );
    assert_eq!(
        c.query("SELECT revision, n, note FROM v ORDER BY revision", &[])
            .unwrap(),
        [
            vec![text("a1"), Value::Int(42), Value::Null],
            vec![text("b2"), Value::Null, text("x")],
        ]
    );
    assert_eq!(
        c.query("SELECT n FROM v WHERE revision = $1", &[text("a1")])
            .unwrap(),
        [vec![Value::Int(42)]]
    );
    assert_eq!(
        c.execute("UPDATE v SET n = n + $1", &[Value::Int(1)])
            .unwrap(),
        2
    );
    assert_eq!(
        c.execute("DELETE FROM v WHERE note IS NULL", &[]).unwrap(),
        1
    );
    // Integers of every width come back as Int; an int into int2 is range-checked.
    assert_eq!(
        c.query(
            "SELECT $1::int2, $2::int4, 3::int8",
            &[Value::Int(7), Value::Int(8)]
        )
        .unwrap(),
        [vec![Value::Int(7), Value::Int(8), Value::Int(3)]]
    );
    let e = c
        .query("SELECT $1::int2", &[Value::Int(70_000)])
        .unwrap_err();
    assert!(e.message.contains("parameter"), "{}", e.message);
    // Text into an integer column parses; a number into a text column prints.
    c.execute(ins, &[text("c3"), text("5"), Value::Int(9)])
        .unwrap();
    assert_eq!(
        c.query("SELECT n, note FROM v WHERE revision = 'c3'", &[])
            .unwrap(),
        [vec![Value::Int(5), text("9")]]
    );

    // run: the simple-query protocol, so DO blocks, functions with $$ bodies and
    // statements returning rows all work.
    c.run("DO $$ BEGIN INSERT INTO v (revision) VALUES ('do'); END $$")
        .unwrap();
    c.run(
            "CREATE FUNCTION add1(i bigint) RETURNS bigint LANGUAGE plpgsql AS $body$ BEGIN RETURN i + 1; END; $body$",
        )
        .unwrap();
    c.run("SELECT * FROM v").unwrap();
    assert_eq!(one(&mut c, "SELECT add1(41)"), Value::Int(42));
    assert_eq!(one(&mut c, "SELECT count(*) FROM v"), Value::Int(3));
    assert_eq!(
        one(&mut c, "SELECT current_setting('application_name')"),
        text("retort")
    );
    let mut named = connect(&db.url_with("application_name=deploy%20bot")).unwrap();
    assert_eq!(
        one(&mut named, "SELECT current_setting('application_name')"),
        text("deploy bot")
    );
}

#[test]
#[cfg_attr(retort_skip_postgres, ignore = "RETORT_TEST_SKIP names postgres")]
fn run_batch_is_one_round_trip_and_stops_at_an_error() {
    let db = TestDb::new();
    let mut c = db.connect();
    c.run("CREATE TABLE t (id int PRIMARY KEY)").unwrap();
    let batch = |sql: &[&str]| sql.iter().map(|s| s.to_string()).collect::<Vec<_>>();
    c.run_batch(&[]).unwrap();
    c.run_batch(&batch(&[
        "BEGIN",
        "INSERT INTO t VALUES (1)",
        "INSERT INTO t VALUES (2)",
        "COMMIT",
    ]))
    .unwrap();
    let e = c
        .run_batch(&batch(&[
            "BEGIN",
            "INSERT INTO t VALUES (3)",
            "INSERT INTO t VALUES (1)",
            "INSERT INTO t VALUES (4)",
            "COMMIT",
        ]))
        .unwrap_err();
    assert!(e.message.contains("(SQLSTATE 23505)"), "{e}");
    // The rest did not run: the transaction is open, aborted, until rollback.
    let e = c.run("SELECT 1").unwrap_err();
    assert!(e.message.contains("25P02"), "{e}");
    c.rollback().unwrap();
    assert_eq!(
        c.query("SELECT id FROM t ORDER BY id", &[]).unwrap(),
        [vec![Value::Int(1)], vec![Value::Int(2)]]
    );
    // Inside a transaction begun apart, as the migrator records a migration.
    c.begin().unwrap();
    c.run("INSERT INTO t VALUES (5)").unwrap();
    c.run_batch(&batch(&["INSERT INTO t VALUES (6)", "COMMIT"]))
        .unwrap();
    assert_eq!(one(&mut c, "SELECT count(*) FROM t"), Value::Int(4));
}

#[test]
#[cfg_attr(retort_skip_postgres, ignore = "RETORT_TEST_SKIP names postgres")]
fn a_terminated_session_says_so() {
    let db = TestDb::new();
    let mut victim = db.connect();
    let pid = one(&mut victim, "SELECT pg_backend_pid()");
    let mut admin = db.connect();
    admin
        .query("SELECT pg_terminate_backend($1::int)", &[pid])
        .unwrap();
    std::thread::sleep(Duration::from_millis(100));
    // tokio-postgres reports the call as "closed": the server's FATAL (57P01) does not
    // reach it, so the driver says what it knows.
    for _ in 0..2 {
        let e = victim.run("SELECT 1").unwrap_err();
        assert!(
            e.message
                .starts_with("the connection to the server was closed")
                || e.message.contains("(SQLSTATE 57P01)"),
            "{}",
            e.message
        );
    }
}

#[test]
#[cfg_attr(retort_skip_postgres, ignore = "RETORT_TEST_SKIP names postgres")]
fn values_read_as_the_server_prints_them() {
    let db = TestDb::new();
    let mut c = db.connect();
    c.run("SET TimeZone = 'UTC'").unwrap();
    c.run("CREATE DOMAIN short_text AS varchar(5)").unwrap();
    for expr in [
        "true",
        "false",
        "'abc'::name",
        "'x'::char(3)",
        "42::oid",
        "7::int2",
        "-8::int4",
        "9000000000::int8",
        "'abc'::short_text",
        "'plain'::text",
    ] {
        let sql = format!("SELECT {expr}");
        let client = c.client();
        let expected = c
            .block_on(client.simple_query(&sql))
            .unwrap()
            .into_iter()
            .find_map(|m| match m {
                tokio_postgres::SimpleQueryMessage::Row(r) => Some(r.get(0).unwrap().to_string()),
                _ => None,
            })
            .unwrap();
        let got = match one(&mut c, &sql) {
            Value::Text(s) => s,
            Value::Int(i) => i.to_string(),
            Value::Null => panic!("{expr}: NULL"),
        };
        assert_eq!(got, expected, "{expr}");
    }
    // Types retort's own tables never hold are refused with the cast that reads them.
    for expr in [
        "'1 day'::interval",
        "1.5::numeric",
        "'2026-11-22'::date",
        "1.5::float8",
    ] {
        let e = c.query(&format!("SELECT {expr}"), &[]).unwrap_err();
        assert!(e.message.contains("::text"), "{expr}: {}", e.message);
    }
    assert_eq!(one(&mut c, "SELECT NULL::interval"), Value::Null);
}

#[test]
#[cfg_attr(retort_skip_postgres, ignore = "RETORT_TEST_SKIP names postgres")]
fn rolled_back_ddl_leaves_nothing() {
    let db = TestDb::new();
    let mut c = db.connect();
    c.rollback().unwrap(); // not in a transaction: no error
    c.begin().unwrap();
    c.run("CREATE TABLE gone (x int)").unwrap();
    assert!(c.table_exists("gone").unwrap());
    c.rollback().unwrap();
    assert!(!c.table_exists("gone").unwrap());

    // A failed statement aborts the transaction; rollback recovers.
    c.begin().unwrap();
    c.run("CREATE TABLE gone (x int)").unwrap();
    c.run("SELECT nope").unwrap_err();
    let e = c.run("SELECT 1").unwrap_err();
    assert!(e.message.contains("25P02"), "{}", e.message);
    c.rollback().unwrap();
    assert!(!c.table_exists("gone").unwrap());

    c.begin().unwrap();
    c.run("CREATE TABLE kept (x int)").unwrap();
    c.commit().unwrap();
    assert!(db.connect().table_exists("kept").unwrap());
    assert!(c.transactional_ddl());
    assert!(!c.lock_is_per_transaction());
}

#[test]
#[cfg_attr(retort_skip_postgres, ignore = "RETORT_TEST_SKIP names postgres")]
fn statement_errors_carry_message_sqlstate_and_position() {
    let db = TestDb::new();
    let mut c = db.connect();
    let e = c.run("SELECT * FROM nope").unwrap_err();
    assert_eq!(
        e.message,
        "relation \"nope\" does not exist (SQLSTATE 42P01)"
    );
    assert_eq!(e.position, Some(15));
    assert!(!e.lock_timeout);
    assert_eq!(
        e.to_string(),
        "relation \"nope\" does not exist (SQLSTATE 42P01) (at character 15)"
    );

    let e = c.run("SELEC 1").unwrap_err();
    assert!(e
        .message
        .starts_with("syntax error at or near \"SELEC\" (SQLSTATE 42601)"));
    assert_eq!(e.position, Some(1));

    c.run("CREATE TABLE u (id int PRIMARY KEY)").unwrap();
    c.run("INSERT INTO u VALUES (1)").unwrap();
    let e = c
        .execute("INSERT INTO u VALUES ($1)", &[Value::Int(1)])
        .unwrap_err();
    assert_eq!(
            e.message,
            "duplicate key value violates unique constraint \"u_pkey\" (SQLSTATE 23505)\nDETAIL: Key (id)=(1) already exists."
        );

    let e = c.query("SELECT no_such_function(1)", &[]).unwrap_err();
    assert!(
        e.message
            .contains("(SQLSTATE 42883)\nHINT: No function matches"),
        "{}",
        e.message
    );
    assert_eq!(e.position, Some(8));

    let e = c
        .run("DO $$ BEGIN RAISE EXCEPTION 'boom %', 42 USING HINT = 'fix it'; END $$")
        .unwrap_err();
    assert!(
            e.message.starts_with("boom 42 (SQLSTATE P0001)\nHINT: fix it\nCONTEXT: PL/pgSQL function inline_code_block line 1 at RAISE"),
            "{}",
            e.message
        );
}

#[test]
#[cfg_attr(retort_skip_postgres, ignore = "RETORT_TEST_SKIP names postgres")]
fn table_exists_looks_in_the_current_schema_only() {
    let db = TestDb::new();
    let mut c = db.connect();
    c.run("CREATE TABLE t1 (x int)").unwrap();
    c.run("CREATE SCHEMA other").unwrap();
    c.run("CREATE TABLE other.t2 (x int)").unwrap();
    c.run("CREATE VIEW w AS SELECT 1").unwrap();
    assert!(c.table_exists("t1").unwrap());
    assert!(!c.table_exists("t2").unwrap());
    assert!(!c.table_exists("w").unwrap());
    assert!(!c.table_exists("nope").unwrap());

    // With a schema: search_path is that schema alone, even before it exists.
    let opts = |schema: &str| ConnectOptions {
        schema: Some(schema.into()),
        ..quick()
    };
    let mut s = db.with(opts("app"));
    assert!(!s.table_exists("t1").unwrap());
    let e = s.run("CREATE TABLE t3 (x int)").unwrap_err();
    assert!(e.message.contains("3F000"), "{}", e.message);
    s.ensure_schema().unwrap();
    s.ensure_schema().unwrap(); // idempotent
    s.run("CREATE TABLE t3 (x int)").unwrap();
    assert!(s.table_exists("t3").unwrap());
    assert!(!c.table_exists("t3").unwrap());
    assert_eq!(
        one(
            &mut s,
            "SELECT table_schema FROM information_schema.tables WHERE table_name = 't3'"
        ),
        text("app")
    );
    let mut o = db.with(opts("other"));
    assert!(o.table_exists("t2").unwrap());
    assert!(!o.table_exists("t1").unwrap());

    // A name needing quotes.
    let mut q = db.with(opts("Mixed \"Case\""));
    q.ensure_schema().unwrap();
    q.run("CREATE TABLE t4 (x int)").unwrap();
    assert!(q.table_exists("t4").unwrap());
    assert_eq!(
        one(&mut q, "SELECT current_schema()"),
        text("Mixed \"Case\"")
    );
}

#[test]
#[cfg_attr(retort_skip_postgres, ignore = "RETORT_TEST_SKIP names postgres")]
fn ensure_schema_follows_search_path_in_options() {
    let db = TestDb::new();
    let schemas = |c: &mut PostgresConnection| {
        one(c, "SELECT string_agg(nspname, ',' ORDER BY nspname) FROM pg_namespace WHERE nspname NOT LIKE 'pg\\_%' AND nspname <> 'information_schema'")
    };
    let mut plain = db.connect();
    let before = schemas(&mut plain);
    plain.ensure_schema().unwrap(); // nothing configured: creates nothing ("$user" stays alone)
    assert_eq!(schemas(&mut plain), before);

    for (query, schema) in [
        ("options=-csearch_path%3Dapp2", "app2"),
        ("options=-c%20search_path%3DApp3,public", "app3"),
    ] {
        let mut c = connect(&db.url_with(query)).unwrap();
        assert!(!c.table_exists("t").unwrap());
        c.ensure_schema().unwrap();
        c.run("CREATE TABLE t (x int)").unwrap();
        assert!(c.table_exists("t").unwrap());
        assert_eq!(one(&mut c, "SELECT current_schema()"), text(schema));
    }
    // ConnectOptions::schema wins over the URL's search_path.
    let mut both = PostgresConnection::connect(
        &url(&db.url_with("options=-csearch_path%3Dapp4")),
        &ConnectOptions {
            schema: Some("app5".into()),
            ..quick()
        },
    )
    .unwrap();
    both.ensure_schema().unwrap();
    assert_eq!(one(&mut both, "SELECT current_schema()"), text("app5"));
}

#[test]
#[cfg_attr(retort_skip_postgres, ignore = "RETORT_TEST_SKIP names postgres")]
fn lock_waits_times_out_and_is_released_by_unlock() {
    let db = TestDb::new();
    let mut a = db.connect();
    let mut b = db.connect();
    a.lock(&mut || panic!("the first lock does not wait"))
        .unwrap();
    let a_pid = one(&mut a, "SELECT pg_backend_pid()");

    let started = Instant::now();
    let mut calls = 0;
    let e = b.lock(&mut || calls += 1).unwrap_err();
    let waited = started.elapsed();
    assert!(e.lock_timeout);
    assert_eq!(calls, 1);
    assert!(waited >= Duration::from_millis(300), "{waited:?}");
    assert!(waited < Duration::from_secs(2), "{waited:?}");
    assert!(
        e.message.starts_with(
            "timed out after 300ms waiting for the migration lock: another retort run"
        ),
        "{}",
        e.message
    );
    // The holder is named, and the query in the message finds it.
    let pid = a_pid.as_i64().unwrap();
    assert!(
        e.message
            .contains(&format!("(server process {pid}, application `retort`")),
        "{}",
        e.message
    );
    let holder = e.message.split('`').nth(3).unwrap();
    assert!(holder.starts_with("SELECT pid FROM pg_locks"), "{holder}");
    assert_eq!(b.query(holder, &[]).unwrap(), [vec![a_pid]]);

    // Another lock name is another lock.
    let mut other = db.with(ConnectOptions {
        lock_name: "retort:other_table".into(),
        ..quick()
    });
    other
        .lock(&mut || panic!("a different lock name must not wait"))
        .unwrap();

    a.unlock().unwrap();
    let mut calls = 0;
    b.lock(&mut || calls += 1).unwrap();
    assert_eq!(calls, 0);
    b.unlock().unwrap();

    // Released while waiting: the waiter gets it.
    a.lock(&mut || {}).unwrap();
    let releaser = std::thread::spawn(move || {
        std::thread::sleep(Duration::from_millis(250));
        a.unlock().unwrap();
        a
    });
    let mut patient = db.with(ConnectOptions {
        lock_timeout: Duration::from_secs(5),
        ..quick()
    });
    let mut calls = 0;
    let started = Instant::now();
    patient.lock(&mut || calls += 1).unwrap();
    assert_eq!(calls, 1);
    assert!(started.elapsed() >= Duration::from_millis(200));
    drop(releaser.join().unwrap());
    patient.unlock().unwrap();
}

#[test]
#[cfg_attr(retort_skip_postgres, ignore = "RETORT_TEST_SKIP names postgres")]
fn tls_modes() {
    let db = TestDb::new();
    let mut c = db.connect();
    if one(&mut c, "SHOW ssl") != text("on") {
        eprintln!("skipping tls_modes: the server has ssl = off");
        return;
    }
    let port = one(&mut c, "SHOW port");
    let port = port.as_str().unwrap();
    let in_tls = |u: &str| -> Result<Value, DbError> {
        let mut c = connect(u)?;
        Ok(one(
            &mut c,
            "SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()",
        ))
    };
    // Over TCP to 127.0.0.1 (the snakeoil certificate names a host, never an address).
    let at = |query: &str| db.url_at(&format!("127.0.0.1:{port}"), query);

    assert_eq!(in_tls(&at("sslmode=disable")).unwrap(), text("f"));
    assert_eq!(in_tls(&at("sslmode=prefer")).unwrap(), text("t"));
    assert_eq!(in_tls(&at("")).unwrap(), text("t")); // prefer is the default
    assert_eq!(in_tls(&at("sslmode=require")).unwrap(), text("t"));

    // verify-ca / verify-full with no root file at all: a clear refusal.
    let home_root = std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".postgresql/root.crt"));
    if !home_root.as_ref().is_some_and(|p| p.exists()) {
        let e = in_tls(&at("sslmode=verify-ca")).unwrap_err();
        assert!(e.message.contains("sslrootcert"), "{}", e.message);
    }

    // A different certificate as the root: refused, in every verifying mode.
    let dir = tempfile::tempdir().unwrap();
    let other = dir.path().join("other.pem");
    std::fs::write(&other, SELF_SIGNED_CA).unwrap();
    for mode in ["verify-ca", "verify-full", "require", "prefer"] {
        let e = in_tls(&at(&format!(
            "sslmode={mode}&sslrootcert={}",
            other.display()
        )))
        .unwrap_err();
        assert!(
            e.message.starts_with("TLS connection to 127.0.0.1:"),
            "{mode}: {}",
            e.message
        );
        assert!(
            e.message.contains("is not signed by"),
            "{mode}: {}",
            e.message
        );
    }
    let e = in_tls(&at("sslmode=verify-ca&sslrootcert=/nonexistent/root.crt")).unwrap_err();
    assert!(
        e.message
            .contains("cannot read sslrootcert /nonexistent/root.crt"),
        "{}",
        e.message
    );

    // The server's own certificate as the root.
    let cert_file = one(&mut c, "SHOW ssl_cert_file");
    let cert_file = PathBuf::from(cert_file.as_str().unwrap());
    let Ok(pem) = std::fs::read(&cert_file) else {
        eprintln!(
            "skipping verify-ca/verify-full acceptance: cannot read {}",
            cert_file.display()
        );
        return;
    };
    let root = format!("sslrootcert={}", cert_file.display());
    assert_eq!(
        in_tls(&at(&format!("sslmode=verify-ca&{root}"))).unwrap(),
        text("t")
    );
    assert_eq!(
        in_tls(&at(&format!("sslmode=require&{root}"))).unwrap(),
        text("t")
    );
    // verify-full to an address the certificate does not name: refused.
    let e = in_tls(&at(&format!("sslmode=verify-full&{root}"))).unwrap_err();
    assert!(
        e.message.contains("does not name the host"),
        "{}",
        e.message
    );
    // verify-full to `localhost`, when the certificate names it.
    let der = CertificateDer::pem_slice_iter(&pem)
        .next()
        .unwrap()
        .unwrap();
    use rustls::pki_types::pem::PemObject;
    use rustls::pki_types::{CertificateDer, ServerName};
    let names_localhost = rustls::server::ParsedCertificate::try_from(&der).is_ok_and(|cert| {
        rustls::client::verify_server_name(&cert, &ServerName::try_from("localhost").unwrap())
            .is_ok()
    });
    if names_localhost {
        let u = db.url_at(
            &format!("localhost:{port}"),
            &format!("sslmode=verify-full&{root}"),
        );
        assert_eq!(in_tls(&u).unwrap(), text("t"));
    } else {
        eprintln!(
            "skipping verify-full acceptance: the server certificate does not name localhost"
        );
    }
}

#[test]
#[cfg_attr(retort_skip_postgres, ignore = "RETORT_TEST_SKIP names postgres")]
fn unix_socket() {
    let db = TestDb::new();
    let mut c = db.connect();
    let port = one(&mut c, "SHOW port");
    let port = port.as_str().unwrap();
    let dirs = one(&mut c, "SHOW unix_socket_directories");
    let Some(dir) = dirs
        .as_str()
        .unwrap()
        .split(',')
        .map(str::trim)
        .find(|d| socket_path(Path::new(d), port.parse().unwrap()).exists())
    else {
        eprintln!("skipping unix_socket: no socket of the server on this machine");
        return;
    };
    let encoded = dir.replace('/', "%2F");
    let over_socket = |u: &str| {
        let mut c = connect(u).unwrap();
        assert_eq!(one(&mut c, "SELECT inet_server_addr()"), Value::Null, "{u}");
    };
    over_socket(&db.url_at(&format!("{encoded}:{port}"), ""));
    over_socket(&db.url_at("", &format!("host={dir}&port={port}")));
    // sslmode is ignored on sockets, as in libpq.
    over_socket(&db.url_at("", &format!("host={dir}&port={port}&sslmode=require")));
    // No host at all: the usual socket directories.
    if ["/var/run/postgresql", "/run/postgresql", "/tmp"].contains(&dir) {
        over_socket(&db.url_at("", &format!("port={port}")));
    }
    // A directory without the socket.
    let e = connect(&db.url_at("", "host=/nonexistent&port=5999"))
        .err()
        .unwrap();
    assert_eq!(
            e.message,
            "no server is listening on socket /nonexistent/.s.PGSQL.5999: is the server running, and is this its socket directory?"
        );
}

#[test]
#[cfg_attr(retort_skip_postgres, ignore = "RETORT_TEST_SKIP names postgres")]
fn connection_errors_are_clear_and_never_show_the_password() {
    // Refused.
    let e = connect("postgres://postgres:hunter2-pw@127.0.0.1:1/db")
        .err()
        .unwrap();
    assert_eq!(
            e.message,
            "connection refused by 127.0.0.1:1: is the server running and accepting TCP/IP connections on that port?"
        );
    // A server that accepts and never answers: the timeout covers the whole handshake.
    let silent = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = silent.local_addr().unwrap().port();
    let started = Instant::now();
    let e = PostgresConnection::connect(
        &url(&format!("postgres://u:hunter2-pw@127.0.0.1:{port}/db")),
        &ConnectOptions {
            connect_timeout: Duration::from_millis(300),
            ..quick()
        },
    )
    .err()
    .unwrap();
    assert!(started.elapsed() < Duration::from_secs(3));
    assert_eq!(
            e.message,
            format!("timed out after 300ms connecting to 127.0.0.1:{port} (connect_timeout): is the host reachable, the port right and the server up?")
        );
    drop(silent);
    // A host name that does not resolve.
    let e = connect("postgres://u:hunter2-pw@no-such-host.invalid/db")
        .err()
        .unwrap();
    assert!(
        e.message
            .starts_with("could not resolve host name `no-such-host.invalid`"),
        "{}",
        e.message
    );
    assert!(!e.message.contains("hunter2"), "{}", e.message);

    // A missing database, on the real server.
    let db = TestDb::new();
    let missing = format!("{}_missing", db.name);
    let (prefix, hosts, query, _) = url_parts(&db.url);
    let u = add_query(&format!("{prefix}{hosts}/{missing}"), &query);
    let e = connect(&u).err().unwrap();
    assert_eq!(
            e.message,
            format!("database \"{missing}\" does not exist (SQLSTATE 3D000); create the database first (CREATE DATABASE), or fix its name in the URL")
        );
}

/// A user name the server does not know is reported as that, not blamed on the server's
/// access rules (both come as SQLSTATE 28000).
#[test]
#[cfg_attr(retort_skip_postgres, ignore = "RETORT_TEST_SKIP names postgres")]
fn a_missing_role_is_named_and_not_blamed_on_pg_hba() {
    let (prefix, hosts, _, path_and_query) = url_parts(server());
    let scheme = prefix.split_once("://").map_or("postgres", |(s, _)| s);
    let u = format!("{scheme}://retort_no_such_role_x9@{hosts}{path_and_query}");
    let e = connect(&u).err().unwrap();
    assert!(
        e.message
            .contains("role \"retort_no_such_role_x9\" does not exist"),
        "{}",
        e.message
    );
    assert!(e.message.contains("fix the user name"), "{}", e.message);
    assert!(!e.message.contains("pg_hba"), "{}", e.message);
}

/// A one-connection imitation of a server: answers `N` to SSLRequest, then (if it gets a
/// startup message) asks for a cleartext password and refuses it. Yields the password.
fn fake_server() -> (u16, std::thread::JoinHandle<Option<String>>) {
    fn packet(s: &mut TcpStream) -> std::io::Result<Vec<u8>> {
        let mut len = [0u8; 4];
        s.read_exact(&mut len)?;
        let mut body = vec![0u8; u32::from_be_bytes(len) as usize - 4];
        s.read_exact(&mut body)?;
        Ok(body)
    }
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let handle = std::thread::spawn(move || {
        let (mut s, _) = listener.accept().ok()?;
        let mut body = packet(&mut s).ok()?;
        while body[..4] == 80877103u32.to_be_bytes() {
            s.write_all(b"N").ok()?; // no TLS here
            body = packet(&mut s).ok()?;
        }
        // AuthenticationCleartextPassword
        s.write_all(&[b'R', 0, 0, 0, 8, 0, 0, 0, 3]).ok()?;
        let mut tag = [0u8; 1];
        s.read_exact(&mut tag).ok()?;
        let password = packet(&mut s).ok()?;
        let password = String::from_utf8_lossy(&password[..password.len() - 1]).into_owned();
        let mut fields = Vec::new();
        for (code, value) in [
            (b'S', "FATAL"),
            (b'V', "FATAL"),
            (b'C', "28P01"),
            (b'M', "password authentication failed for user \"bob\""),
        ] {
            fields.push(code);
            fields.extend_from_slice(value.as_bytes());
            fields.push(0);
        }
        fields.push(0);
        let mut msg = vec![b'E'];
        msg.extend_from_slice(&(fields.len() as u32 + 4).to_be_bytes());
        msg.extend_from_slice(&fields);
        s.write_all(&msg).ok()?;
        Some(password)
    });
    (port, handle)
}

#[test]
fn wrong_password_message_hides_the_password() {
    let (port, server) = fake_server();
    // sslmode=prefer (the default): the server declines TLS, and the driver goes on in
    // plain text, as libpq does.
    let e = connect(&format!("postgres://bob:s3cr%2Ft-pw@127.0.0.1:{port}/db"))
        .err()
        .unwrap();
    assert_eq!(server.join().unwrap().as_deref(), Some("s3cr/t-pw"));
    assert_eq!(
            e.message,
            "password authentication failed for user \"bob\" (SQLSTATE 28P01); check the user name and password (in a URL, percent-encode special characters of the password)"
        );
    assert!(!e.message.contains("s3cr"));
}

#[test]
fn require_refuses_a_server_without_tls() {
    let (port, server) = fake_server();
    let e = connect(&format!(
        "postgres://bob:s3cr3t-pw@127.0.0.1:{port}/db?sslmode=require"
    ))
    .err()
    .unwrap();
    assert_eq!(
        server.join().unwrap(),
        None,
        "no password may be sent in plain text"
    );
    assert_eq!(
            e.message,
            format!("127.0.0.1:{port} does not accept TLS connections, but sslmode=require requires TLS: use sslmode=prefer or disable, or turn ssl on in the server's configuration")
        );
}
