//! `ssl-mode` against a MariaDB with TLS on. The shared test server has TLS off, so this
//! starts a second one of its own: a private data directory, a free port, certificates
//! made for the test with openssl (a CA, a server certificate naming only
//! `retort-test-server`, and an unrelated CA), stopped when the test ends. Without
//! `mariadbd`, `mariadb-install-db` or `openssl` the test fails, saying why, unless
//! `RETORT_TEST_SKIP=mysql-tls` (or `mysql`) marks it ignored (see build.rs; not under
//! `CI=true`): a test that did not talk to its server never counts as passed.

use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use super::connect::{open_session, ssl_opts};
use super::options::MysqlOptions;
use super::MysqlConnection;
use crate::db::{ConnectOptions, Connection};

const MARIADBD: &str = "/usr/sbin/mariadbd";

/// The TLS server, killed (by its own process id) and waited for when dropped.
struct TlsServer {
    child: Child,
    port: u16,
    dir: tempfile::TempDir,
}

impl Drop for TlsServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl TlsServer {
    fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    /// A `mysql://` URL to this server by `127.0.0.1`, with `query` appended.
    fn url(&self, query: &str) -> String {
        self.url_on("127.0.0.1", query)
    }

    fn url_on(&self, host: &str, query: &str) -> String {
        format!("mysql://root@{host}:{}/mysql{query}", self.port)
    }
}

fn run(cmd: &mut Command) -> Result<(), String> {
    let out = cmd
        .stdin(Stdio::null())
        .output()
        .map_err(|e| format!("{cmd:?}: {e}"))?;
    if out.status.success() {
        Ok(())
    } else {
        Err(format!(
            "{cmd:?} failed: {}",
            String::from_utf8_lossy(&out.stderr)
        ))
    }
}

/// A CA (`name`.pem/.key), and with `server`, a certificate it signs for that DNS name.
fn certificates(dir: &Path) -> Result<(), String> {
    let openssl = |args: &[&str]| run(Command::new("openssl").current_dir(dir).args(args));
    for ca in ["ca", "wrong-ca"] {
        openssl(&[
            "req",
            "-x509",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-days",
            "2",
            "-subj",
            &format!("/CN=retort test {ca}"),
            "-keyout",
            &format!("{ca}.key"),
            "-out",
            &format!("{ca}.pem"),
        ])?;
    }
    std::fs::write(
        dir.join("server.ext"),
        "subjectAltName=IP:127.0.0.1\nbasicConstraints=CA:FALSE\n\
         keyUsage=digitalSignature,keyEncipherment\nextendedKeyUsage=serverAuth\n",
    )
    .map_err(|e| e.to_string())?;
    openssl(&[
        "req",
        "-newkey",
        "rsa:2048",
        "-nodes",
        "-subj",
        "/CN=retort-test-server",
        "-keyout",
        "server.key",
        "-out",
        "server.csr",
    ])?;
    openssl(&[
        "x509",
        "-req",
        "-in",
        "server.csr",
        "-CA",
        "ca.pem",
        "-CAkey",
        "ca.key",
        "-CAcreateserial",
        "-days",
        "2",
        "-extfile",
        "server.ext",
        "-out",
        "server.pem",
    ])
}

fn free_port() -> Result<u16, String> {
    let listener = TcpListener::bind("127.0.0.1:0").map_err(|e| e.to_string())?;
    Ok(listener.local_addr().map_err(|e| e.to_string())?.port())
}

fn start() -> Result<TlsServer, String> {
    if !Path::new(MARIADBD).exists() {
        return Err(format!("{MARIADBD} is not installed"));
    }
    let dir = tempfile::tempdir().map_err(|e| e.to_string())?;
    certificates(dir.path())?;
    let data = dir.path().join("data");
    run(Command::new("mariadb-install-db")
        .arg("--no-defaults")
        .arg(format!("--datadir={}", data.display()))
        .args([
            "--user=root",
            "--skip-test-db",
            "--auth-root-authentication-method=normal",
        ]))?;
    let port = free_port()?;
    let arg = |name: &str, file: &str| format!("--{name}={}", dir.path().join(file).display());
    let child = Command::new(MARIADBD)
        .arg("--no-defaults")
        .arg(format!("--datadir={}", data.display()))
        .arg(format!("--port={port}"))
        .arg(arg("socket", "mysqld.sock"))
        .arg(arg("pid-file", "mysqld.pid"))
        .arg(arg("log-error", "error.log"))
        .arg(arg("ssl-ca", "ca.pem"))
        .arg(arg("ssl-cert", "server.pem"))
        .arg(arg("ssl-key", "server.key"))
        .args([
            "--bind-address=127.0.0.1",
            "--user=root",
            "--skip-grant-tables",
        ])
        .args(["--innodb-buffer-pool-size=16M", "--skip-log-bin"])
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .map_err(|e| format!("{MARIADBD}: {e}"))?;
    let mut server = TlsServer { child, port, dir };
    let options = MysqlOptions::parse(&server.url("")).map_err(|e| e.message)?;
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        if open_session(&options, Duration::from_secs(2)).is_ok() {
            return Ok(server);
        }
        if let Ok(Some(status)) = server.child.try_wait() {
            let log = std::fs::read_to_string(server.path("error.log")).unwrap_or_default();
            return Err(format!("mariadbd exited ({status}): {log}"));
        }
        if Instant::now() > deadline {
            return Err("the TLS server did not answer within 60 s".into());
        }
        std::thread::sleep(Duration::from_millis(200));
    }
}

/// Connects with the URL's options, or says why not.
fn connect(url: &str) -> Result<MysqlConnection, String> {
    let options = MysqlOptions::parse(url).map_err(|e| e.message)?;
    MysqlConnection::connect(&options, &ConnectOptions::default()).map_err(|e| e.message)
}

/// The session's cipher: empty when it is not encrypted.
fn cipher(conn: &mut MysqlConnection) -> String {
    let rows = conn
        .query("SHOW SESSION STATUS LIKE 'Ssl_cipher'", &[])
        .expect("Ssl_cipher");
    rows.first()
        .and_then(|row| row.get(1))
        .and_then(|v| v.as_str().map(str::to_string))
        .unwrap_or_default()
}

#[test]
#[cfg_attr(retort_skip_mysql_tls, ignore = "RETORT_TEST_SKIP names mysql-tls")]
fn ssl_modes_against_a_server_with_tls() {
    let server = match start() {
        Ok(server) => server,
        Err(e) => panic!(
            "the MariaDB server with TLS did not start: {e}; set RETORT_TEST_SKIP=mysql-tls to skip this test"
        ),
    };
    let ca = server.path("ca.pem").display().to_string();
    let wrong = server.path("wrong-ca.pem").display().to_string();

    // DISABLED (and no option at all): a plain session, though the server offers TLS.
    for query in ["", "?ssl-mode=DISABLED"] {
        let mut conn = connect(&server.url(query)).expect(query);
        assert_eq!(cipher(&mut conn), "", "{query}");
    }
    // PREFERRED and REQUIRED: encrypted, the certificate unchecked.
    for query in ["?ssl-mode=PREFERRED", "?ssl_mode=REQUIRED"] {
        let mut conn = connect(&server.url(query)).expect(query);
        assert_ne!(cipher(&mut conn), "", "{query}");
    }
    // VERIFY_IDENTITY: the right CA, and the certificate names the address dialled...
    let mut conn =
        connect(&server.url(&format!("?ssl-mode=VERIFY_IDENTITY&ssl-ca={ca}"))).expect("right CA");
    assert_ne!(cipher(&mut conn), "");
    // ...pymysql's spelling too (ssl_ca alone checks the name, as pymysql does)...
    let url = server.url(&format!("?ssl_ca={ca}"));
    assert_ne!(cipher(&mut connect(&url).expect("pymysql's names")), "");
    // ...a wrong CA is refused, saying so...
    let e = connect(&server.url(&format!("?ssl-mode=VERIFY_IDENTITY&ssl-ca={wrong}")))
        .err()
        .unwrap_or_default();
    assert!(
        e.contains("not signed by") && e.contains("wrong-ca.pem"),
        "{e}"
    );
    // ...and so is a name the certificate does not list (it names 127.0.0.1 only).
    let e = connect(&server.url_on(
        "localhost",
        &format!("?ssl-mode=VERIFY_IDENTITY&ssl-ca={ca}"),
    ))
    .err()
    .unwrap_or_default();
    assert!(e.contains("does not name the host"), "{e}");
    // A CA file that is not there.
    let e = connect(&server.url("?ssl-mode=VERIFY_IDENTITY&ssl-ca=/nonexistent/ca.pem"))
        .err()
        .unwrap_or_default();
    assert!(e.contains("/nonexistent/ca.pem"), "{e}");
    // VERIFY_CA: the chain to ssl-ca only, so a host name the certificate does not list
    // (it names 127.0.0.1, not localhost) connects, encrypted, in both spellings...
    for query in [
        format!("?ssl-mode=VERIFY_CA&ssl-ca={ca}"),
        format!("?ssl_ca={ca}&ssl_check_hostname=false"),
    ] {
        for host in ["localhost", "127.0.0.1"] {
            let mut conn = connect(&server.url_on(host, &query)).expect(&query);
            assert_ne!(cipher(&mut conn), "", "{host} {query}");
        }
    }
    // ...and a certificate from a CA not in ssl-ca is refused, whatever the host name.
    for host in ["localhost", "127.0.0.1"] {
        let e = connect(&server.url_on(host, &format!("?ssl-mode=VERIFY_CA&ssl-ca={wrong}")))
            .err()
            .unwrap_or_default();
        assert!(
            e.contains("not signed by") && e.contains("wrong-ca.pem") && e.contains("VERIFY_CA"),
            "{e}"
        );
    }
    drop(conn);

    // The stop request's second session (KILL QUERY) goes over TLS too: a running
    // statement on an encrypted session is cancelled.
    let mut conn = connect(&server.url("?ssl-mode=REQUIRED")).expect("required");
    let cancel = conn.canceller().expect("canceller");
    let sleeper = std::thread::spawn(move || {
        let started = Instant::now();
        let result = conn.run("SELECT SLEEP(30)");
        (result, started.elapsed())
    });
    std::thread::sleep(Duration::from_millis(500));
    cancel.cancel().expect("cancel over TLS");
    let (_, took) = sleeper.join().expect("sleeper");
    assert!(took < Duration::from_secs(20), "not cancelled: {took:?}");
}

/// The driver's built-in public web CAs are off in every mode that checks a certificate:
/// a certificate from a public CA not in `ssl-ca` must never pass VERIFY_CA (where no
/// host name narrows it) or VERIFY_IDENTITY.
#[test]
fn only_ssl_ca_is_trusted() {
    for mode in ["VERIFY_CA", "VERIFY_IDENTITY", "REQUIRED", "PREFERRED"] {
        let url = format!("mysql://u@h/db?ssl-mode={mode}&ssl-ca=/ca.pem");
        let options = MysqlOptions::parse(&url).expect("url");
        let tls = ssl_opts(&options).expect(mode);
        let verified = mode.starts_with("VERIFY");
        assert_eq!(tls.disable_built_in_roots(), verified, "{mode}");
        assert_eq!(tls.root_certs().len(), 1, "{mode}");
        // Only VERIFY_CA skips the name; only the two unchecked modes skip the chain.
        assert_eq!(tls.skip_domain_validation(), mode == "VERIFY_CA", "{mode}");
        assert_eq!(tls.accept_invalid_certs(), !verified, "{mode}");
    }
}
