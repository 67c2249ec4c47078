//! The start-up cache decoder on any bytes: it never panics. Arbitrary bytes almost never
//! get past the cache's checksum, so each input is also tried as the payload of a cache
//! whose first line and checksum are right: what is fuzzed then is the decoder's own check
//! of every count, bound and field. Seeds are payloads of caches retort wrote.
#![no_main]

use libfuzzer_sys::fuzz_target;
use sha2::{Digest, Sha256};

fuzz_target!(|data: &[u8]| {
    // As given: almost always refused at the checksum.
    let _ = retort::script::decode_cache(data);
    // With the checksum put right, so the decoder's checks of each field are what is
    // fuzzed: the first line, then the payload.
    let first = format!("retort-cache 4\t{}\n", retort::history::TOOL_VERSION);
    let mut bytes = first.into_bytes();
    bytes.extend_from_slice(&Sha256::digest(data));
    bytes.extend_from_slice(data);
    if let Some(entries) = retort::script::decode_cache(&bytes) {
        // Each entry takes at least 75 bytes of its own: a count cannot promise more than
        // was given.
        assert!(entries <= data.len() / 75, "{entries} entries from {} bytes", data.len());
    }
});
