// The integration tests skip servers exactly as the library's tests do: one file says how.
include!("../retort/build.rs");
