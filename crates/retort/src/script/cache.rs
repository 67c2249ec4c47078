//! The start-up cache: what every migration file's header says, with the checksums of its
//! sections, kept between runs so that a command over 10,000 revisions asks the file
//! system one question per file (its metadata) instead of opening, reading and parsing it.
//!
//! It is an accelerator only, never a source of truth:
//! - the whole file is checked against a SHA-256 of its content before any of it is used,
//!   and every field is checked as a migration file's would be (ids, labels, checksums,
//!   file names that stay inside the folder); anything wrong and the cache counts as absent;
//! - it is read (not mapped), and only when it is a regular file, opened without blocking;
//! - an entry is used only while its file's fingerprint (size, modification time, change
//!   time, inode) is the one cached, and the file is older than the cache by two seconds
//!   (it may have been edited in the same clock tick); any write to a file changes its
//!   change time, which no user tool can set back;
//! - the SQL of a migration that runs is always read from its file, and checked against the
//!   header the plan was made from (`Scripts::load`); `retort validate` reads every
//!   file without the cache.

use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::SystemTime;

use sha2::{Digest, Sha256};

use super::checksum::checksum;
use super::fingerprint::{ns_since_epoch, Fingerprint};
use super::header::{Direction, ScriptHeader, SectionSum, KEYS};
use super::ids::{validate_id, validate_label};
use super::read::read_regular;
use crate::dialect::Dialect;
use crate::version::TOOL_VERSION;

const MAGIC: &str = "retort-cache 5";
/// Files modified this close to the cache's writing are read again.
const RACY_NS: i64 = 2_000_000_000;
/// The length of a section checksum (SHA-256, hex).
const SUM_LEN: usize = 64;

/// Where the cache of a migrations folder lives: under `$XDG_CACHE_HOME/retort` (or
/// `~/.cache/retort`), named after the folder's absolute path, so the project tree stays
/// clean. `None` (no cache) when `RETORT_NO_CACHE` is set or there is no home.
pub fn location(dir: &Path) -> Option<PathBuf> {
    if std::env::var_os("RETORT_NO_CACHE").is_some_and(|v| !v.is_empty()) {
        return None;
    }
    let base = std::env::var_os("XDG_CACHE_HOME")
        .filter(|v| !v.is_empty())
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".cache")))?;
    let abs = fs::canonicalize(dir).ok()?;
    let key = checksum(&abs.to_string_lossy());
    Some(base.join("retort").join(format!("{}.cache", &key[..24])))
}

/// A loaded cache: one entry per file of the folder, in file-name order.
pub(super) struct Cache {
    written_ns: i64,
    /// The migrations folder's own fingerprint when it was listed for this cache.
    folder: Fingerprint,
    pub(super) entries: Vec<Entry>,
}

/// What the cache knows of one file.
pub(super) struct Entry {
    pub(super) name: String,
    pub(super) fingerprint: Fingerprint,
    pub(super) header: ScriptHeader,
}

impl Cache {
    /// Whether the cache's list of file names is still the folder's, now fingerprinted
    /// `now`: creating, removing or renaming an entry changes a folder's modification
    /// and change times, and no tool can set a change time back.
    pub(super) fn trusts_folder(&self, now: &Fingerprint) -> bool {
        self.trusts(&self.folder, now)
    }

    /// Whether a cached entry still describes the file now fingerprinted `now`.
    pub(super) fn trusts(&self, cached: &Fingerprint, now: &Fingerprint) -> bool {
        // Saturating: a forged cache may claim any time of writing.
        cached == now && now.mtime_ns < self.written_ns.saturating_sub(RACY_NS)
    }
}

/// The cache's layout after its first line (`MAGIC`, a tab, the tool's version, a
/// newline): the SHA-256 of the rest, then the time of writing (i64 ns), the folder's
/// fingerprint, the number of entries (u32) and the entries. An entry is the file's
/// fingerprint, its name, revision, revises, depends_on, branch_labels, created and
/// message, its flags (one byte: 1 runs in a transaction, 2 `foreign_keys: off`), its sections (a count, then direction,
/// dialect code, first line and checksum of each) and its header keys' lines (a count,
/// then key and line of each). Numbers are little-endian; a fingerprint is four 64-bit
/// numbers (size, modification time, change time, inode); a string is its length (u32)
/// and its UTF-8 bytes; a list is a count (u32) and its strings.
fn first_line() -> String {
    format!("{MAGIC}\t{}\n", TOOL_VERSION)
}

/// Reads the cache at `path`; `None` when there is none, or it is not a regular file, or
/// anything in it is not exactly as [`save`] writes it. Scripts' paths are `shown`
/// joined with their file names.
pub(super) fn load(path: &Path, shown: &Path) -> Option<Cache> {
    let bytes = read_regular(path).ok()?;
    decode_in(&bytes, shown)
}

/// Decodes a cache's bytes, as [`load`] does, and says how many entries they hold: the
/// entry point of the cache's fuzz target.
#[doc(hidden)]
pub fn decode(bytes: &[u8]) -> Option<usize> {
    decode_in(bytes, Path::new("")).map(|c| c.entries.len())
}

fn decode_in(bytes: &[u8], shown: &Path) -> Option<Cache> {
    let rest = bytes.strip_prefix(first_line().as_bytes())?;
    let (sum, payload) = rest.split_at_checked(32)?;
    let summed = || Sha256::digest(payload).as_slice() == sum;
    // The decoder checks every bound and field itself, so it can run while the checksum
    // is computed (on another core, for a large cache: a few milliseconds at 10,000
    // files); nothing decoded is used unless the checksum matches.
    let (matches, cache) = if payload.len() < 1 << 18 {
        (summed(), decode_payload(payload, shown))
    } else {
        std::thread::scope(|scope| {
            let check = scope.spawn(summed);
            let cache = decode_payload(payload, shown);
            (check.join().unwrap_or(false), cache)
        })
    };
    cache.filter(|_| matches)
}

/// The entries of a cache's payload (after its checksum), every field checked.
fn decode_payload(payload: &[u8], shown: &Path) -> Option<Cache> {
    let mut r = Reader { bytes: payload };
    let written_ns = r.u64()? as i64;
    let folder = r.fingerprint()?;
    let count = r.u32()? as usize;
    // Each entry takes at least 80 bytes: a count beyond that is a lie, not a reason to
    // reserve memory for it.
    let mut entries = Vec::with_capacity(count.min(payload.len() / 80));
    let mut previous: Option<String> = None;
    for _ in 0..count {
        let entry = r.entry(shown)?;
        // In strictly increasing name order, as the folder is read.
        if previous.is_some_and(|p| p >= entry.name) {
            return None;
        }
        previous = Some(entry.name.clone());
        entries.push(entry);
    }
    r.bytes.is_empty().then_some(Cache {
        written_ns,
        folder,
        entries,
    })
}

/// A cursor over the cache's bytes: every read is bounds-checked and `None` past the end.
struct Reader<'b> {
    bytes: &'b [u8],
}

impl<'b> Reader<'b> {
    fn take(&mut self, n: usize) -> Option<&'b [u8]> {
        let (taken, rest) = self.bytes.split_at_checked(n)?;
        self.bytes = rest;
        Some(taken)
    }

    fn u8(&mut self) -> Option<u8> {
        Some(self.take(1)?[0])
    }

    fn u32(&mut self) -> Option<u32> {
        Some(u32::from_le_bytes(self.take(4)?.try_into().ok()?))
    }

    fn u64(&mut self) -> Option<u64> {
        Some(u64::from_le_bytes(self.take(8)?.try_into().ok()?))
    }

    fn fingerprint(&mut self) -> Option<Fingerprint> {
        Some(Fingerprint {
            len: self.u64()?,
            mtime_ns: self.u64()? as i64,
            ctime_ns: self.u64()? as i64,
            ino: self.u64()?,
        })
    }

    /// A string without NUL bytes (which no migration file may hold).
    fn str(&mut self) -> Option<&'b str> {
        let len = self.u32()? as usize;
        let text = std::str::from_utf8(self.take(len)?).ok()?;
        (!text.contains('\0')).then_some(text)
    }

    fn list(&mut self, valid: fn(&str) -> Result<(), String>) -> Option<Vec<String>> {
        let count = self.u32()? as usize;
        let mut items = Vec::with_capacity(count.min(self.bytes.len() / 4));
        for _ in 0..count {
            let item = self.str()?;
            valid(item).ok()?;
            items.push(item.to_string());
        }
        Some(items)
    }

    fn entry(&mut self, shown: &Path) -> Option<Entry> {
        let fingerprint = self.fingerprint()?;
        let name = self.str()?;
        // A plain file name: a cache must not point outside the folder.
        let plain = Path::new(name).file_name().and_then(|n| n.to_str()) == Some(name)
            && !name.contains(['/', '\\'])
            && name.to_ascii_lowercase().ends_with(".sql");
        if !plain {
            return None;
        }
        let revision = self.str()?;
        validate_id(revision).ok()?;
        let revises = self.list(validate_id)?;
        let depends_on = self.list(validate_id)?;
        let branch_labels = self.list(validate_label)?;
        let created = self.str()?;
        if !created.is_empty() && created.parse::<jiff::Timestamp>().is_err() {
            return None;
        }
        let message = self.str()?.to_string();
        let flags = self.u8()?;
        if flags > 3 {
            return None;
        }
        let (transaction, foreign_keys_off) = (flags & 1 != 0, flags & 2 != 0);
        let count = self.u32()? as usize;
        let mut sections = Vec::with_capacity(count.min(4));
        for _ in 0..count {
            let direction = match self.u8()? {
                0 => Direction::Up,
                1 => Direction::Down,
                _ => return None,
            };
            let dialect = dialect_of_code(self.u8()?)?;
            let first_line = self.u32()? as usize;
            let sum = self.str()?;
            let hex = sum
                .bytes()
                .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b));
            if sum.len() != SUM_LEN || !hex || first_line == 0 {
                return None;
            }
            sections.push(SectionSum {
                direction,
                dialect,
                first_line,
                sum: sum.to_string(),
            });
        }
        let count = self.u32()? as usize;
        let mut key_lines = Vec::with_capacity(count.min(8));
        for _ in 0..count {
            let key = self.str()?;
            let key = KEYS.iter().copied().find(|k| *k == key)?;
            key_lines.push((key, self.u32()? as usize));
        }
        Some(Entry {
            name: name.to_string(),
            fingerprint,
            header: ScriptHeader {
                path: shown.join(name),
                revision: revision.to_string(),
                revises,
                depends_on,
                branch_labels,
                created: Some(created.to_string()).filter(|c| !c.is_empty()),
                transaction,
                foreign_keys_off,
                message,
                sections,
                key_lines,
            },
        })
    }
}

/// The code of a section's dialect in the cache. `None` for a code no dialect has;
/// `Some(None)` for the generic section.
fn dialect_of_code(code: u8) -> Option<Option<Dialect>> {
    Some(match code {
        0 => None,
        1 => Some(Dialect::Sqlite),
        2 => Some(Dialect::Postgres),
        3 => Some(Dialect::Mysql),
        _ => return None,
    })
}

fn dialect_code(dialect: Option<Dialect>) -> u8 {
    match dialect {
        None => 0,
        Some(Dialect::Sqlite) => 1,
        Some(Dialect::Postgres) => 2,
        Some(Dialect::Mysql) => 3,
    }
}

/// The bytes of a cache being written.
struct Writer(Vec<u8>);

impl Writer {
    fn u32(&mut self, n: usize) -> Option<()> {
        self.0
            .extend_from_slice(&u32::try_from(n).ok()?.to_le_bytes());
        Some(())
    }

    fn u64(&mut self, n: u64) {
        self.0.extend_from_slice(&n.to_le_bytes());
    }

    fn fingerprint(&mut self, fp: &Fingerprint) {
        self.u64(fp.len);
        self.u64(fp.mtime_ns as u64);
        self.u64(fp.ctime_ns as u64);
        self.u64(fp.ino);
    }

    fn str(&mut self, s: &str) -> Option<()> {
        self.u32(s.len())?;
        self.0.extend_from_slice(s.as_bytes());
        Some(())
    }

    fn list(&mut self, items: &[String]) -> Option<()> {
        self.u32(items.len())?;
        items.iter().try_for_each(|s| self.str(s))
    }

    fn entry(&mut self, name: &str, fp: &Fingerprint, h: &ScriptHeader) -> Option<()> {
        self.fingerprint(fp);
        self.str(name)?;
        self.str(&h.revision)?;
        self.list(&h.revises)?;
        self.list(&h.depends_on)?;
        self.list(&h.branch_labels)?;
        self.str(h.created.as_deref().unwrap_or(""))?;
        self.str(&h.message)?;
        self.0
            .push(u8::from(h.transaction) | (u8::from(h.foreign_keys_off) << 1));
        self.u32(h.sections.len())?;
        for s in &h.sections {
            self.0.push(u8::from(s.direction == Direction::Down));
            self.0.push(dialect_code(s.dialect));
            self.u32(s.first_line)?;
            self.str(&s.sum)?;
        }
        self.u32(h.key_lines.len())?;
        for (key, line) in &h.key_lines {
            self.str(key)?;
            self.u32(*line)?;
        }
        Some(())
    }
}

/// Writes the cache atomically (a temporary file renamed over the old one). `folder` is
/// the folder's fingerprint from before it was listed. Failure is not an error: the next
/// run just reads the files again.
pub(super) fn save(
    path: &Path,
    folder: Fingerprint,
    entries: &[(&str, Fingerprint, &ScriptHeader)],
) {
    let _ = try_save(path, folder, entries);
}

fn try_save(
    path: &Path,
    folder: Fingerprint,
    entries: &[(&str, Fingerprint, &ScriptHeader)],
) -> std::io::Result<()> {
    let invalid = || std::io::Error::from(std::io::ErrorKind::InvalidData);
    let mut w = Writer(Vec::with_capacity(64 + entries.len() * 400));
    w.u64(ns_since_epoch(SystemTime::now()) as u64);
    w.fingerprint(&folder);
    w.u32(entries.len()).ok_or_else(invalid)?;
    for (name, fp, header) in entries {
        w.entry(name, fp, header).ok_or_else(invalid)?;
    }
    let mut out = Vec::with_capacity(w.0.len() + 96);
    out.extend_from_slice(first_line().as_bytes());
    out.extend_from_slice(&Sha256::digest(&w.0));
    out.extend_from_slice(&w.0);
    if let Some(parent) = path.parent() {
        fs::create_dir_all(parent)?;
    }
    let tmp = path.with_extension(format!("tmp{}", std::process::id()));
    let mut file = fs::File::create(&tmp)?;
    file.write_all(&out)?;
    drop(file);
    fs::rename(&tmp, path).inspect_err(|_| {
        let _ = fs::remove_file(&tmp);
    })
}

/// Whether a file or folder last modified at `fp` is old enough for a cache written now
/// to trust it.
pub(super) fn settled(fp: &Fingerprint) -> bool {
    fp.mtime_ns < ns_since_epoch(SystemTime::now()).saturating_sub(RACY_NS)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fp(n: u64) -> Fingerprint {
        Fingerprint {
            len: n,
            mtime_ns: -2,
            ctime_ns: i64::MAX,
            ino: u64::MAX,
        }
    }

    /// A cache whose checksum is right can still claim any time of writing: the earliest
    /// possible one trusts nothing, and no time makes the comparison overflow.
    #[test]
    fn a_forged_time_of_writing_trusts_nothing_and_never_overflows() {
        for written_ns in [i64::MIN, i64::MIN + 1, -1, 0] {
            let cache = Cache {
                written_ns,
                folder: fp(0),
                entries: Vec::new(),
            };
            assert!(!cache.trusts(&fp(1), &fp(1)), "{written_ns}");
            assert!(!cache.trusts_folder(&fp(0)), "{written_ns}");
        }
        let late = Cache {
            written_ns: i64::MAX,
            folder: fp(0),
            entries: Vec::new(),
        };
        assert!(late.trusts(&fp(1), &fp(1)) && !late.trusts(&fp(1), &fp(2)));
    }

    /// Two files, one with tabs, backslashes and non-ASCII text in its message and
    /// sections for two dialects (outside a transaction), the other with foreign-key
    /// enforcement off, saved to a cache.
    fn saved(dir: &Path) -> (PathBuf, ScriptHeader, ScriptHeader) {
        let path = dir.join("c.cache");
        let full = super::super::parse::parse(
            Path::new("2.sql"),
            "-- first line\\ with\ttab, é\n-- second\n-- revision: b2\n-- revises: a1\n\
             -- branch_labels: x, y\n-- created: 2026-11-23T10:00:00Z\n-- transaction: false\n\
             -- migrate:up\nSELECT 1;\n-- migrate:up sqlite\nSELECT 2;\n-- migrate:down\nSELECT 3;\n",
        )
        .unwrap()
        .into_header();
        let mut bare = super::super::parse::parse(
            Path::new("1.sql"),
            "-- revision: a1\n-- foreign_keys: off\n-- migrate:up\n",
        )
        .unwrap()
        .into_header();
        bare.sections.clear();
        save(
            &path,
            fp(9),
            &[("1.sql", fp(1), &bare), ("2.sql", fp(2), &full)],
        );
        (path, bare, full)
    }

    #[test]
    fn every_field_is_read_back_as_written() {
        let dir = tempfile::tempdir().unwrap();
        let (path, bare, full) = saved(dir.path());
        let cache = load(&path, Path::new("")).unwrap();
        assert_eq!(cache.folder, fp(9));
        let names: Vec<&str> = cache.entries.iter().map(|e| e.name.as_str()).collect();
        assert_eq!(names, ["1.sql", "2.sql"]);
        assert_eq!(cache.entries[1].fingerprint, fp(2));
        assert_eq!(cache.entries[0].header, bare);
        assert_eq!(cache.entries[1].header, full);
        assert_eq!(
            full.key_line("branch_labels"),
            Some(5),
            "line numbers are kept"
        );
        let shown = load(&path, Path::new("m")).unwrap();
        assert_eq!(shown.entries[1].header.path, Path::new("m/2.sql"));
    }

    /// A flipped byte anywhere, a truncated or extended file, another version, a count that
    /// lies: the whole cache counts as absent (the files are read).
    #[test]
    fn a_cache_changed_anywhere_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let (path, _, _) = saved(dir.path());
        let good = fs::read(&path).unwrap();
        assert!(decode(&good).is_some());
        for at in 0..good.len() {
            for bit in [0x01, 0x80] {
                let mut bad = good.clone();
                bad[at] ^= bit;
                assert!(decode(&bad).is_none(), "byte {at} ^ {bit:#x}");
            }
        }
        assert!(decode(&good[..good.len() - 1]).is_none(), "truncated");
        assert!(decode(&[&good[..], b"x"].concat()).is_none(), "longer");
        assert!(decode(b"garbage").is_none());
        assert!(decode(b"").is_none());
    }

    /// A cache whose checksum is right (written by someone who knows the format) is still
    /// refused when a field is not what a migration file could hold.
    #[test]
    fn a_well_summed_cache_with_a_hostile_field_is_refused() {
        let header = |id: &str| ScriptHeader::new(PathBuf::new(), id.into());
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("h.cache");
        let good = header("a1");
        let mut nul = header("a1");
        nul.message = "a\0b".into();
        let mut short_sum = header("a1");
        short_sum.sections.push(SectionSum {
            direction: Direction::Up,
            dialect: None,
            first_line: 1,
            sum: "abc".into(),
        });
        let cases: [(&str, &ScriptHeader, &str); 6] = [
            ("a name outside the folder", &good, "../../etc/passwd.sql"),
            ("a name with a slash", &good, "sub/1.sql"),
            ("a name that is no migration", &good, "1.txt"),
            ("an id no file could have", &header("a'1"), "1.sql"),
            ("a NUL in a message", &nul, "1.sql"),
            ("a checksum that is none", &short_sum, "1.sql"),
        ];
        save(&path, fp(1), &[("1.sql", fp(1), &good)]);
        assert!(load(&path, Path::new("")).is_some());
        for (what, h, name) in cases {
            save(&path, fp(1), &[(name, fp(1), h)]);
            assert!(path.exists(), "{what}: written");
            assert!(load(&path, Path::new("")).is_none(), "{what}");
        }
        save(
            &path,
            fp(1),
            &[("2.sql", fp(1), &good), ("1.sql", fp(1), &good)],
        );
        assert!(load(&path, Path::new("")).is_none(), "names out of order");
    }

    #[cfg(target_os = "linux")]
    #[test]
    fn a_fifo_at_the_cache_path_is_not_waited_on() {
        use rustix::fs::{mknodat, FileType, Mode, CWD};
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("f.cache");
        mknodat(CWD, &path, FileType::Fifo, Mode::RUSR | Mode::WUSR, 0).unwrap();
        assert!(load(&path, Path::new("")).is_none());
    }
}
