//! The schema model and its comparison (issue 16: autogenerate). Pure: no I/O. The
//! drivers' `inspect.rs` fill a [`Schema`] from a live database; `diff` (to come) turns two
//! of them into ordered changes, which the dialects render as SQL.

mod model;

pub use model::{
    Check, Column, Deferrable, EnumType, ForeignKey, Generated, Identity, Index, IndexPart,
    PrimaryKey, ReferentialAction, Schema, Sequence, Table, Unique, Unmanaged, View,
};
