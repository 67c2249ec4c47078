//! SQLite through rusqlite (bundled, so the binary needs no system library).

mod connect;
mod connection;
mod errors;
mod options;
#[cfg(test)]
mod tests;

pub use connection::SqliteConnection;
pub use options::{SqliteLocation, SqliteOptions};
