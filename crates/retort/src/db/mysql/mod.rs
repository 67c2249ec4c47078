//! MySQL and MariaDB through `mysql_async` (pure Rust), awaited on a private
//! current-thread Tokio runtime so that `Connection` stays blocking; TLS over rustls
//! with ring, as `ssl-mode` asks, trusting only `ssl-ca`.
//!
//! DDL is not transactional here: every `CREATE`/`ALTER`/`DROP` commits whatever transaction
//! is open, before and after itself. So [`Connection::transactional_ddl`] is `false` and the
//! migrator marks a version row `running` before a migration and `applied` after it.
//!
//! The migration lock is a named session lock (`GET_LOCK`), held from [`Connection::lock`] to
//! [`Connection::unlock`] across the many transactions of a run, and freed by the server if
//! the connection dies. Its name is `<lock_name>@<database>`: the lock namespace is the
//! whole server.

mod connect;
mod connection;
mod errors;
mod inspect;
mod options;
#[cfg(test)]
mod tests;
#[cfg(test)]
mod tls_tests;

pub use connection::MysqlConnection;
pub use options::MysqlOptions;
#[cfg(test)]
pub(crate) use tests::TestDb as MysqlTestDb;
