//! SQLite through rusqlite (bundled, so the binary needs no system library).

mod connect;
mod connection;
mod errors;
#[cfg(test)]
mod tests;

pub use connection::SqliteConnection;
