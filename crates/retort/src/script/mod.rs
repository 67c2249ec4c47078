//! Migration files: parsing them (with line numbers for errors), reading a folder of them,
//! and writing new ones. No database and no graph here: a [`Script`] is what one file says.
//!
//! Data flows one way, from the bottom up; no file here imports one above it:
//! - shared by all: `header.rs` ([`ScriptHeader`], [`SectionSum`], [`Direction`]),
//!   `text.rs` (a [`Script`]: a header with its SQL), `checksum.rs`, `ids.rs`, `error.rs`,
//!   `fingerprint.rs` (a file's identity without reading it), `read.rs` (a regular file's
//!   bytes), `parallel.rs` (work on every core);
//! - `parse.rs` (a file's text into a [`Script`]) and `cache.rs` (headers to and from the
//!   start-up cache), which know nothing of each other;
//! - `dir.rs`: a folder's headers, through the cache and the parser;
//! - `set.rs`: [`Scripts`], which reads a folder and loads a file through `dir.rs`;
//! - `write.rs`, on its own: the text and name of a new file.

mod cache;
mod checksum;
mod dir;
mod error;
mod fingerprint;
mod header;
mod ids;
mod parallel;
mod parse;
mod read;
mod set;
mod text;
mod write;

#[doc(hidden)] // for the fuzz target only: not part of the API
pub use cache::decode as decode_cache;
pub(crate) use cache::location as cache_location;
pub use checksum::checksum;
pub use error::ScriptError;
pub use header::{Direction, ScriptHeader, SectionSum};
pub use ids::{random_id, validate_id, validate_label};
pub use parse::{display_path, parse};
pub(crate) use set::read_dir_cached;
pub use set::Scripts;
pub use text::{Script, Section};
pub use write::{comment_text, file_name, render_new, slug, NewScript};

#[cfg(test)]
mod tests;
