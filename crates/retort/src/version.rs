//! This build's version, below every module that records or checks it: the audit log
//! writes it into each row, and the start-up cache refuses a cache another build wrote.

/// The tool version written into every audit-log row and at the head of the start-up cache.
pub const TOOL_VERSION: &str = env!("CARGO_PKG_VERSION");
