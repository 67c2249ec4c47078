//! The start-up cache's text, mapped from its file instead of copied into memory.
//!
//! At 10,000 files the cache is about 3.3 MB. Reading it copies it into fresh memory, one
//! page fault per 4 KiB page (about 800); mapping it with its pages populated up front takes
//! half the time, and the process exits sooner with that much less memory of its own.
//!
//! This is the only `unsafe` code in retort, and it rests on one fact: the cache file is
//! never written in place. [`super::cache`] writes a new file and renames it over the old
//! one, so a mapping keeps seeing the file it mapped, whatever other retort processes do.
//! Changing the file in place by other means while a command runs (truncating it, say) is
//! outside what this module guards against, as for any program that maps files.
//!
//! Elsewhere than Unix the file is read: Windows refuses to rename over a mapped file, so
//! the cache could not be rewritten while a command holds it.

#[cfg(unix)]
use std::fs::File;
use std::ops::Deref;
use std::path::Path;

/// UTF-8 text, checked once when it is mapped.
pub(super) struct MappedText {
    #[cfg(unix)]
    map: memmap2::Mmap,
    #[cfg(not(unix))]
    text: String,
}

impl MappedText {
    /// The file's text; `None` when it cannot be read or is not UTF-8.
    #[cfg(not(unix))]
    pub(super) fn open(path: &Path) -> Option<MappedText> {
        let text = std::fs::read_to_string(path).ok()?;
        Some(MappedText { text })
    }

    /// The file's text; `None` when it cannot be opened or mapped, or is not UTF-8.
    #[cfg(unix)]
    pub(super) fn open(path: &Path) -> Option<MappedText> {
        let file = File::open(path).ok()?;
        // SAFETY: the file is only ever replaced by a rename, never modified in place (see
        // the module's documentation), so the mapped bytes do not change while mapped.
        let map = unsafe { memmap2::MmapOptions::new().populate().map(&file) }.ok()?;
        std::str::from_utf8(&map).ok()?;
        Some(MappedText { map })
    }
}

impl Deref for MappedText {
    type Target = str;

    #[cfg(not(unix))]
    fn deref(&self) -> &str {
        &self.text
    }

    #[cfg(unix)]
    fn deref(&self) -> &str {
        // SAFETY: checked to be UTF-8 in `open`, and the bytes do not change (see above).
        unsafe { std::str::from_utf8_unchecked(&self.map) }
    }
}

impl std::fmt::Debug for MappedText {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "MappedText({} bytes)", self.len())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn maps_utf8_text_and_refuses_anything_else() {
        let dir = tempfile::tempdir().unwrap();
        let good = dir.path().join("good");
        std::fs::write(&good, "héllo\tworld\n").unwrap();
        assert_eq!(&*MappedText::open(&good).unwrap(), "héllo\tworld\n");
        let bad = dir.path().join("bad");
        std::fs::write(&bad, b"ok \xff\xfe not utf-8").unwrap();
        assert!(MappedText::open(&bad).is_none());
        assert!(MappedText::open(&dir.path().join("missing")).is_none());
        // An empty file cannot be mapped on every system; it is simply no cache.
        let empty = dir.path().join("empty");
        std::fs::write(&empty, "").unwrap();
        assert!(MappedText::open(&empty).is_none_or(|t| t.is_empty()));
    }
}
