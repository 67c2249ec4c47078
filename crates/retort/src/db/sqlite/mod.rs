//! SQLite through rusqlite (bundled, so the binary needs no system library).

mod connect;
mod connection;
mod errors;
mod inspect;
mod options;
#[cfg(test)]
mod tests;

pub use connection::SqliteConnection;
pub use inspect::inspect;
pub use options::{SqliteLocation, SqliteOptions};
