//! The checksum of a section's text: what the version table records and compares.

use sha2::{Digest, Sha256};

/// The checksum [`Section::checksum`](crate::script::Section::checksum) computes, for any
/// text.
pub fn checksum(text: &str) -> String {
    let normalised: std::borrow::Cow<'_, str> = if text.contains('\r') {
        text.replace("\r\n", "\n").into()
    } else {
        text.into()
    };
    let digest = Sha256::digest(normalised.trim_end().as_bytes());
    const HEX: &[u8; 16] = b"0123456789abcdef";
    let mut hex = String::with_capacity(64);
    for byte in digest {
        hex.push(char::from(HEX[usize::from(byte >> 4)]));
        hex.push(char::from(HEX[usize::from(byte & 0xf)]));
    }
    hex
}
