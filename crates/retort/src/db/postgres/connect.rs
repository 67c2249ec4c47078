//! Opening a session from parsed options: the roots and TLS mode, every host and address
//! in turn, each within the connect timeout.

use std::net::{IpAddr, SocketAddr};
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::runtime::Runtime;
use tokio_postgres_rustls::MakeRustlsConnect;

use super::connection::{lock_key, quote, CancelRequest, PostgresConnection};
use super::errors::{server_text, Attempt};
use super::options::{Host, PostgresOptions, SslMode};
use crate::db::tls::{self, Roots, Verify};
use crate::db::url::scrub;
use crate::db::{ConnectOptions, Connection, DbError};

impl PostgresConnection {
    /// Connects as the URL said; `opts.connect_timeout` applies unless the URL has
    /// `connect_timeout`, and bounds each address tried (TCP, TLS and authentication).
    pub fn connect(
        params: &PostgresOptions,
        opts: &ConnectOptions,
    ) -> Result<PostgresConnection, DbError> {
        outside_a_runtime("PostgresConnection::connect")?;
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .map_err(|e| DbError::new(format!("cannot start the PostgreSQL driver: {e}")))?;
        let timeout = params.connect_timeout.unwrap_or(opts.connect_timeout);
        let (client, connection, tls) = open(&runtime, params, timeout).map_err(|message| {
            // Belt and braces: no message of ours holds the password, and neither should a
            // server's or a library's.
            DbError::new(scrub(message, params.password.as_deref()))
        })?;
        let cancel = Arc::new(CancelRequest {
            token: client.cancel_token(),
            tls,
        });
        let closed_because = Arc::new(Mutex::new(None));
        let reason = closed_because.clone();
        let io_task = runtime.spawn(async move {
            if let Err(e) = connection.await {
                if let Some(db) = e.as_db_error() {
                    *reason.lock().unwrap_or_else(|p| p.into_inner()) = Some(server_text(db));
                }
            }
        });
        let mut conn = PostgresConnection {
            runtime,
            client: Some(client),
            io_task: Some(io_task),
            closed_because,
            lock_key: lock_key(&opts.lock_name),
            lock_timeout: opts.lock_timeout,
            schema: opts.schema.clone().or_else(|| params.options_schema()),
            home: None,
            cancel,
        };
        if let Some(schema) = &opts.schema {
            // A schema that does not exist yet is allowed in search_path: it is skipped until
            // ensure_schema creates it.
            conn.run(&format!("SET search_path TO {}", quote(schema)))?;
        }
        Ok(conn)
    }
}

impl PostgresConnection {
    /// Wraps a client the application connected itself, so its migrations run without a
    /// second login. The application keeps driving the client's connection (the future
    /// `tokio_postgres::connect` returned) on its own runtime, which must keep running
    /// while retort works (a multi-thread runtime, or a thread of its own): retort awaits
    /// the client's requests on a private runtime, and they reach the socket through the
    /// application's task. [`PostgresConnection::into_inner`] gives the client back.
    ///
    /// This blocks. Call it, and run the migrator, from a thread that is not a Tokio
    /// runtime's (`std::thread::spawn`): from inside one (an async task, and also
    /// `spawn_blocking`, which Tokio cannot tell apart from one) it returns an error
    /// rather than letting Tokio panic.
    ///
    /// `opts.schema`, when set, becomes the session's `search_path` right away, as with
    /// [`PostgresConnection::connect`]: this changes the application's session, and stays
    /// after [`PostgresConnection::into_inner`]. The lock is a session-level advisory lock,
    /// released at the end of every run.
    ///
    /// A stop request sends the cancel request with the client's own `sslmode` and host
    /// (its `cancel_token`), over rustls without checking the server's certificate: the
    /// request carries only the session's cancel key. Why the server closed a session is
    /// known to the application's connection task, not here: a statement on a closed
    /// session fails with a general message.
    ///
    /// ```no_run
    /// use retort::db::PostgresConnection;
    /// use retort::{Migrator, Project, Target};
    ///
    /// # fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// let app_runtime = tokio::runtime::Runtime::new()?; // multi-thread: drives the socket
    /// let (client, connection) = app_runtime.block_on(tokio_postgres::connect(
    ///     "host=127.0.0.1 user=postgres dbname=shop",
    ///     tokio_postgres::NoTls,
    /// ))?;
    /// app_runtime.spawn(connection);
    ///
    /// let project = Project::from_dir("migrations")?;
    /// let mut conn = PostgresConnection::from_client(client, &project.config.connect_options())?;
    /// Migrator::new(&project, &mut conn).upgrade(&"head".parse::<Target>()?, &mut |_| {})?;
    /// let client = conn.into_inner();
    /// app_runtime.block_on(client.batch_execute("SELECT 1"))?;
    /// # Ok(())
    /// # }
    /// ```
    pub fn from_client(
        client: tokio_postgres::Client,
        opts: &ConnectOptions,
    ) -> Result<PostgresConnection, DbError> {
        outside_a_runtime("PostgresConnection::from_client")?;
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .map_err(|e| DbError::new(format!("cannot start the PostgreSQL driver: {e}")))?;
        let tls = MakeRustlsConnect::new(
            tls::client_config(Verify::Nothing, None)
                .map_err(|e| DbError::new(format!("cannot set up the cancel request: {e}")))?,
        );
        let cancel = Arc::new(CancelRequest {
            token: client.cancel_token(),
            tls,
        });
        let mut conn = PostgresConnection {
            runtime,
            client: Some(client),
            // The application's task drives the socket.
            io_task: None,
            closed_because: Arc::new(Mutex::new(None)),
            lock_key: lock_key(&opts.lock_name),
            lock_timeout: opts.lock_timeout,
            schema: opts.schema.clone(),
            home: None,
            cancel,
        };
        if let Some(schema) = &opts.schema {
            conn.run(&format!("SET search_path TO {}", quote(schema)))?;
        }
        Ok(conn)
    }
}

/// Runs `future` to its end, or gives up after `timeout` (zero: no limit).
/// The driver blocks on a Tokio runtime of its own, which Tokio forbids inside another
/// (an async task, or `spawn_blocking`): say so instead of letting Tokio panic.
fn outside_a_runtime(what: &str) -> Result<(), DbError> {
    if tokio::runtime::Handle::try_current().is_ok() {
        return Err(DbError::new(format!(
            "{what} was called inside a Tokio runtime (an async task, or spawn_blocking): \
             retort blocks on a runtime of its own, which Tokio forbids there; call it, and \
             run the migrator, from a plain thread (std::thread::spawn)"
        )));
    }
    Ok(())
}

pub(super) fn within<F: std::future::Future>(
    runtime: &Runtime,
    timeout: Duration,
    future: F,
) -> Result<F::Output, ()> {
    runtime.block_on(async {
        if timeout.is_zero() {
            Ok(future.await)
        } else {
            tokio::time::timeout(timeout, future).await.map_err(|_| ())
        }
    })
}

pub(super) type PgConnectionFuture = tokio_postgres::Connection<
    tokio_postgres::Socket,
    <MakeRustlsConnect as tokio_postgres::tls::MakeTlsConnect<tokio_postgres::Socket>>::Stream,
>;

/// Tries every target (and every address of a host name) in order; the first session
/// wins. On failure, says what happened at each.
pub(super) fn open(
    runtime: &Runtime,
    params: &PostgresOptions,
    timeout: Duration,
) -> Result<
    (
        tokio_postgres::Client,
        PgConnectionFuture,
        MakeRustlsConnect,
    ),
    String,
> {
    let user = params
        .user
        .clone()
        .or_else(|| std::env::var("USER").ok())
        .or_else(|| std::env::var("LOGNAME").ok())
        .ok_or("no user name in the URL (postgres://user@host/db), and $USER is not set")?;

    // The roots: an explicit sslrootcert always counts (as in libpq, `require` then checks
    // the chain); the verify modes fall back on libpq's default file.
    let root_path = match (&params.sslrootcert, params.sslmode) {
        (Some(p), _) => Some(p.clone()),
        (None, SslMode::VerifyCa | SslMode::VerifyFull) => {
            let default = std::env::var_os("HOME")
                .map(|h| PathBuf::from(h).join(".postgresql/root.crt"))
                .filter(|p| p.exists());
            Some(default.ok_or_else(|| {
                format!(
                    "sslmode={} needs the certificate authority to trust: add sslrootcert=/path/to/root.crt to the URL (or create ~/.postgresql/root.crt)",
                    params.sslmode.name()
                )
            })?)
        }
        (None, _) => None,
    };
    let verify = match (params.sslmode, &root_path) {
        (SslMode::VerifyFull, _) => Verify::ChainAndName,
        (SslMode::Disable, _) | (_, None) => Verify::Nothing,
        (_, Some(_)) => Verify::Chain,
    };
    let roots = match (&root_path, params.sslmode) {
        (Some(path), mode) if mode != SslMode::Disable => Some(Roots::from_pem_file(path)?),
        _ => None,
    };
    let tls = MakeRustlsConnect::new(tls::client_config(verify, roots)?);

    let mut config = tokio_postgres::Config::new();
    config.user(&user);
    if let Some(p) = &params.password {
        config.password(p);
    }
    if let Some(d) = &params.dbname {
        config.dbname(d);
    }
    if let Some(o) = &params.options {
        config.options(o);
    }
    config.application_name(
        params
            .application_name
            .as_deref()
            .or(params.fallback_application_name.as_deref())
            .unwrap_or("retort"),
    );
    if !timeout.is_zero() {
        config.connect_timeout(timeout);
    }

    let mut failures: Vec<String> = Vec::new();
    for target in params.targets() {
        let sslmode = match target.host {
            Host::Unix(_) => SslMode::Disable, // libpq ignores sslmode on Unix sockets
            _ => params.sslmode,
        };
        let mut attempt = Attempt {
            target: &target,
            addr: None,
            params,
            timeout,
            sslmode,
        };
        let mut config = config.clone();
        config.ssl_mode(match sslmode {
            SslMode::Disable => tokio_postgres::config::SslMode::Disable,
            SslMode::Prefer => tokio_postgres::config::SslMode::Prefer,
            _ => tokio_postgres::config::SslMode::Require,
        });
        config.port(target.port);
        let addrs: Vec<Option<IpAddr>> = match &target.host {
            Host::Unix(dir) => {
                config.host_path(dir);
                vec![None]
            }
            Host::Tcp(host) => {
                // Resolved here, so each address gets its own deadline and message; the
                // name still goes to TLS for verify-full.
                config.host(host);
                let lookup = tokio::net::lookup_host((host.clone(), target.port));
                match within(runtime, timeout, lookup) {
                    Ok(Ok(found)) => {
                        let mut ips: Vec<IpAddr> = found.map(|a: SocketAddr| a.ip()).collect();
                        ips.dedup();
                        ips.into_iter().map(Some).collect()
                    }
                    Ok(Err(e)) => {
                        failures.push(format!("could not resolve host name `{host}`: {e}"));
                        continue;
                    }
                    Err(()) => {
                        failures.push(attempt.timed_out());
                        continue;
                    }
                }
            }
        };
        for addr in addrs {
            let mut config = config.clone();
            if let Some(ip) = addr {
                config.hostaddr(ip);
            }
            attempt.addr = addr;
            let session_tls = tls.clone();
            let connecting = async move { config.connect(session_tls).await };
            match within(runtime, timeout, connecting) {
                Ok(Ok((client, connection))) => return Ok((client, connection, tls)),
                Ok(Err(e)) => failures.push(attempt.failed(&e)),
                Err(()) => failures.push(attempt.timed_out()),
            }
        }
    }
    failures.dedup();
    Err(match failures.as_slice() {
        [one] => one.clone(),
        many => format!(
            "could not connect to any server:\n  - {}",
            many.join("\n  - ")
        ),
    })
}
