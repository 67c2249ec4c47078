//! The start-up cache's bytes, mapped from its file instead of copied into memory.
//!
//! At 10,000 files the cache is a few megabytes. Reading it copies it into fresh memory, one
//! page fault per 4 KiB page; mapping it with its pages populated up front takes half the
//! time, and the process exits sooner with that much less memory of its own.
//!
//! This is the only `unsafe` code in retort, and it rests on one fact: the cache file is
//! never written in place. [`super::cache`] writes a new file and renames it over the old
//! one, so a mapping keeps seeing the file it mapped, whatever other retort processes do.
//! Changing the file in place by other means while a command runs (truncating it, say) is
//! outside what this module guards against, as for any program that maps files.
//!
//! Elsewhere than Unix the file is read: Windows refuses to rename over a mapped file, so
//! the cache could not be rewritten while a command holds it.

use std::path::Path;

/// A file's bytes, whose tail (from [`Mapped::text_start`] on) was checked to be UTF-8 once
/// when it was opened.
pub(super) struct Mapped {
    #[cfg(unix)]
    map: memmap2::Mmap,
    #[cfg(not(unix))]
    bytes: Vec<u8>,
    text_start: usize,
}

impl Mapped {
    /// The file's bytes; `None` when it cannot be opened or mapped, when `text_start` (given
    /// the bytes) finds no text, or when that text is not UTF-8.
    pub(super) fn open(
        path: &Path,
        text_start: impl FnOnce(&[u8]) -> Option<usize>,
    ) -> Option<Mapped> {
        #[cfg(unix)]
        let map = {
            let file = std::fs::File::open(path).ok()?;
            // SAFETY: the file is only ever replaced by a rename, never modified in place
            // (see the module's documentation), so the mapped bytes do not change while
            // mapped.
            unsafe { memmap2::MmapOptions::new().populate().map(&file) }.ok()?
        };
        #[cfg(not(unix))]
        let bytes = std::fs::read(path).ok()?;
        #[cfg(unix)]
        let all: &[u8] = &map;
        #[cfg(not(unix))]
        let all: &[u8] = &bytes;
        let start = text_start(all)?;
        std::str::from_utf8(all.get(start..)?).ok()?;
        Some(Mapped {
            #[cfg(unix)]
            map,
            #[cfg(not(unix))]
            bytes,
            text_start: start,
        })
    }

    pub(super) fn bytes(&self) -> &[u8] {
        #[cfg(unix)]
        return &self.map;
        #[cfg(not(unix))]
        return &self.bytes;
    }

    /// The text at the end of the file.
    pub(super) fn text(&self) -> &str {
        let tail = &self.bytes()[self.text_start..];
        // SAFETY: checked to be UTF-8 in `open`, and the bytes do not change (see above).
        unsafe { std::str::from_utf8_unchecked(tail) }
    }
}

impl std::fmt::Debug for Mapped {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Mapped({} bytes)", self.bytes().len())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn maps_bytes_with_a_utf8_tail_and_refuses_anything_else() {
        let dir = tempfile::tempdir().unwrap();
        let good = dir.path().join("good");
        std::fs::write(&good, b"\xff\x00h\xc3\xa9llo\tworld\n").unwrap();
        let mapped = Mapped::open(&good, |_| Some(2)).unwrap();
        assert_eq!(mapped.bytes()[..2], [0xff, 0]);
        assert_eq!(mapped.text(), "héllo\tworld\n");
        // Text that starts inside a character, or past the end, or is not UTF-8.
        assert!(Mapped::open(&good, |_| Some(4)).is_none());
        assert!(Mapped::open(&good, |b| Some(b.len() + 1)).is_none());
        assert!(Mapped::open(&good, |_| Some(0)).is_none());
        assert!(Mapped::open(&good, |_| None).is_none());
        assert!(Mapped::open(&dir.path().join("missing"), |_| Some(0)).is_none());
        // An empty file cannot be mapped on every system; it is simply no cache.
        let empty = dir.path().join("empty");
        std::fs::write(&empty, "").unwrap();
        assert!(Mapped::open(&empty, |_| Some(0)).is_none_or(|m| m.text().is_empty()));
    }
}
