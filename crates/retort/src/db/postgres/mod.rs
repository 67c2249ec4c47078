//! PostgreSQL through tokio-postgres, driven by a private current-thread Tokio runtime, so
//! no async leaks into the [`Connection`] trait.
//!
//! Why tokio-postgres and not its blocking facade `postgres`: libpq's `connect_timeout`
//! bounds the whole connection (TCP, TLS, authentication), while tokio-postgres' own timeout
//! covers only the TCP connect — a server that accepts and never answers would hang the
//! facade forever. Owning the runtime lets us put one deadline around each attempt.
//!
//! # URLs
//!
//! `postgres[ql]://[user[:password]@][host[:port][,host[:port]…]][/dbname][?option=value&…]`,
//! every part percent-decoded. The user info ends at the last `@`, as `mask` reads it: a
//! password may hold unencoded `/ ? # @`, but an `@` anywhere after it must be `%40`.
//!
//! Options: `host`, `port`, `user`, `password`, `dbname`, `sslmode` (`disable`, `prefer` —
//! the default —, `require`, `verify-ca`, `verify-full`), `sslrootcert`, `options` (e.g.
//! `-csearch_path=app`), `connect_timeout` (seconds; 0 = none), `application_name` (default
//! `retort`) and `fallback_application_name`. Other libpq options are refused by name.
//!
//! A host (or `host=`) starting with `/` is a Unix-socket directory; with no host at all,
//! the first of `/var/run/postgresql`, `/run/postgresql`, `/tmp` holding the server's socket
//! is used, else `localhost`. As in libpq: `sslmode` is ignored on Unix sockets; an
//! `sslrootcert` given with `prefer` or `require` makes them check the chain as `verify-ca`
//! does; `verify-ca` and `verify-full` without `sslrootcert` read `~/.postgresql/root.crt`.
//! Unlike libpq, `PG*` environment variables and `~/.pgpass` are not read (put `${VAR}` in
//! the URL instead); with no user in the URL, `$USER` is used.
//!
//! # Schema
//!
//! `ConnectOptions::schema` becomes the session's `search_path` right after connecting;
//! [`Connection::ensure_schema`] creates it. Without it, a `search_path` set by the URL's
//! `options` (`-csearch_path=app,public` or `-c search_path=…`) is honoured: `ensure_schema`
//! creates its first schema, where unqualified tables go. The server-side default
//! (`"$user", public`) is never created.

mod connect;
mod connection;
mod errors;
mod inspect;
mod options;
#[cfg(test)]
mod tests;

pub use connection::PostgresConnection;
pub use options::PostgresOptions;
#[cfg(test)]
pub(crate) use tests::TestDb;
