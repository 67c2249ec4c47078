//! The schema model and its comparison (issue 16: autogenerate). Pure: no I/O. The
//! drivers' `inspect.rs` fill a [`Schema`] from a live database; [`diff`] turns two of
//! them into ordered changes, which the dialects render as SQL, and [`apply`] replays
//! changes on the model, checking each step as a database would.

mod apply;
mod change;
mod describe;
mod diff;
mod keys;
mod model;
mod narrowing;
mod order;
mod renames;
mod render;

#[cfg(test)]
mod proptests;
#[cfg(test)]
mod tests;

pub use apply::{apply, apply_change, ApplyError};
pub use change::{Change, ColumnChanges, Constraint, Diff, EnumPosition};
pub use diff::diff;
pub use model::{
    Check, Column, Deferrable, EnumType, ForeignKey, Generated, Identity, Index, IndexPart,
    PrimaryKey, ReferentialAction, Schema, Sequence, Table, TableOptions, Unique, Unmanaged, View,
};
pub use narrowing::narrows;
pub use renames::{Rename, Renames};
pub use render::{render, RenderError, Rendered};
