//! The start-up cache: what every migration file's header says, with the checksums of its
//! sections, kept between runs so that a command over 10,000 revisions asks the file
//! system one question per file (its metadata) instead of opening, reading and parsing it.
//!
//! Soundness rests on the fingerprint: size, modification time, change time and inode.
//! Any write to a file changes its change time (which, unlike the modification time, no
//! user tool can set back), and a file replaced by a rename has a new inode. A file whose
//! modification time is within two seconds of the cache's own writing is never trusted
//! (it may have been edited in the same clock tick), so an edited migration cannot hide
//! behind the cache. Anything unreadable or unexpected makes the cache count as absent.
//! The folder itself is fingerprinted the same way: while it is unchanged, no entry was
//! added, removed or renamed, and its list of names is the cache's, so it is not listed.

use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::{SystemTime, UNIX_EPOCH};

use super::dir::PARALLEL_CHUNK;
use super::mapped::Mapped;
use crate::cores::Cores;
use crate::dialect::Dialect;

use super::{Direction, Refs, Script, Section};

const MAGIC: &str = "retort-cache 3";
/// Files modified this close to the cache's writing are read again.
const RACY_NS: i64 = 2_000_000_000;

/// What identifies one version of a file without reading it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct Fingerprint {
    len: u64,
    mtime_ns: i64,
    ctime_ns: i64,
    ino: u64,
}

impl Fingerprint {
    pub(super) fn of(meta: &fs::Metadata) -> Fingerprint {
        let mtime_ns = meta.modified().map(ns_since_epoch).unwrap_or(0);
        #[cfg(unix)]
        let (ctime_ns, ino) = {
            use std::os::unix::fs::MetadataExt;
            (
                meta.ctime()
                    .saturating_mul(1_000_000_000)
                    .saturating_add(meta.ctime_nsec()),
                meta.ino(),
            )
        };
        #[cfg(not(unix))]
        let (ctime_ns, ino) = (mtime_ns, 0);
        Fingerprint {
            len: meta.len(),
            mtime_ns,
            ctime_ns,
            ino,
        }
    }

    /// The same fingerprint as [`Fingerprint::of`], from a `statx` result.
    #[cfg(target_os = "linux")]
    pub(super) fn of_statx(st: &rustix::fs::Statx) -> Fingerprint {
        let ns = |t: &rustix::fs::StatxTimestamp| {
            t.tv_sec
                .saturating_mul(1_000_000_000)
                .saturating_add(i64::from(t.tv_nsec))
        };
        Fingerprint {
            len: st.stx_size,
            mtime_ns: ns(&st.stx_mtime),
            ctime_ns: ns(&st.stx_ctime),
            ino: st.stx_ino,
        }
    }
}

/// Nanoseconds since 1970, saturating outside 1678–2262.
fn ns_since_epoch(t: SystemTime) -> i64 {
    let ns = |d: std::time::Duration| i64::try_from(d.as_nanos()).unwrap_or(i64::MAX);
    match t.duration_since(UNIX_EPOCH) {
        Ok(d) => ns(d),
        Err(e) => -ns(e.duration()),
    }
}

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
    let key = super::checksum(&abs.to_string_lossy());
    Some(base.join("retort").join(format!("{}.cache", &key[..24])))
}

/// The cache's layout after its first line (`MAGIC`, a tab, the tool's version, a newline).
/// Numbers are little-endian; every table has fixed-size rows, so loading it is a bounds
/// check per row instead of a parse of every field (at 10,000 files, parsing a text cache
/// cost more than building the revision graph).
///
/// - head, [`HEAD_BYTES`]: the time of writing (i64 ns), the folder's fingerprint, the
///   number of entries, of sections and of text bytes (u32 each), four zero bytes;
/// - entries, [`ENTRY_BYTES`] each, in file-name order: the file's fingerprint, then the
///   [`STRINGS`] + 1 offsets into the text that bound its strings, then one past its last
///   section (sections are consecutive, entry after entry), then flags (bit 0: runs in a
///   transaction);
/// - sections, [`SECTION_BYTES`] each: direction (0 up, 1 down), dialect (0 for the generic
///   section, else [`dialect_code`]), two zero bytes, the first line, and the offset in the
///   text of its checksum ([`SUM_LEN`] hex digits);
/// - the text: UTF-8, the strings as they are (list fields comma-separated: ids and labels
///   never hold a comma) and the checksums.
///
/// A fingerprint is four 64-bit numbers: size, modification time, change time (ns) and inode.
const HEAD_BYTES: usize = 56;
const FINGERPRINT_BYTES: usize = 32;
const ENTRY_BYTES: usize = FINGERPRINT_BYTES + 4 * (STRINGS + 1) + 8;
const SECTION_BYTES: usize = 12;

/// The strings of an entry, by position.
const NAME: usize = 0;
pub(super) const REVISION: usize = 1;
pub(super) const REVISES: usize = 2;
pub(super) const DEPENDS_ON: usize = 3;
pub(super) const BRANCH_LABELS: usize = 4;
const CREATED: usize = 5;
const MESSAGE: usize = 6;
const STRINGS: usize = 7;

/// The length of a section checksum (SHA-256, hex).
const SUM_LEN: usize = 64;

/// A loaded cache, read in place from its mapped bytes. Nothing is copied out until a
/// command asks for a script ([`Cache::script`]): at 10,000 files, building every `Script`
/// up front cost more than everything else the cache saves.
pub(super) struct Cache {
    written_ns: i64,
    /// The migrations folder's own fingerprint when it was listed for this cache.
    folder: Fingerprint,
    /// Mapped from the file (`mapped.rs`); its text is the cache's.
    mapped: Mapped,
    len: usize,
    /// Where the entries and the sections tables start in `mapped`.
    entries_at: usize,
    sections_at: usize,
}

/// One section of a cached entry, borrowed from the cache.
struct CachedSection<'c> {
    direction: Direction,
    dialect: Option<Dialect>,
    first_line: usize,
    sum: &'c str,
}

impl Cache {
    /// Whether the cache's list of file names is still the folder's, now fingerprinted
    /// `now`: creating, removing or renaming an entry changes a folder's modification
    /// and change times, and no tool can set a change time back. The folder must also
    /// have been listed two seconds before the cache was written (see [`RACY_NS`]).
    pub(super) fn trusts_folder(&self, now: &Fingerprint) -> bool {
        self.trusts(&self.folder, now)
    }

    /// Whether a cached entry still describes the file now fingerprinted `now`.
    pub(super) fn trusts(&self, cached: &Fingerprint, now: &Fingerprint) -> bool {
        cached == now && now.mtime_ns < self.written_ns - RACY_NS
    }

    /// The number of entries (files).
    pub(super) fn len(&self) -> usize {
        self.len
    }

    fn entry(&self, k: usize) -> &[u8] {
        let at = self.entries_at + k * ENTRY_BYTES;
        self.mapped.bytes().get(at..at + ENTRY_BYTES).unwrap_or(&[])
    }

    pub(super) fn fingerprint(&self, k: usize) -> Fingerprint {
        fingerprint_at(self.entry(k), 0)
    }

    pub(super) fn name(&self, k: usize) -> &str {
        self.string(k, NAME)
    }

    /// A header field as written (list fields comma-separated).
    pub(super) fn field(&self, k: usize, which: usize) -> &str {
        self.string(k, which)
    }

    fn string(&self, k: usize, which: usize) -> &str {
        let entry = self.entry(k);
        let bound = |i: usize| le32(entry, FINGERPRINT_BYTES + 4 * i) as usize;
        // Bounds were checked at load.
        self.mapped
            .text()
            .get(bound(which)..bound(which + 1))
            .unwrap_or("")
    }

    fn transaction(&self, k: usize) -> bool {
        le32(self.entry(k), ENTRY_BYTES - 4) & 1 == 1
    }

    /// Entry `k`'s sections, in file order.
    fn sections(&self, k: usize) -> impl Iterator<Item = CachedSection<'_>> {
        let end = |k: usize| le32(self.entry(k), ENTRY_BYTES - 8) as usize;
        let start = if k == 0 { 0 } else { end(k - 1) };
        (start..end(k)).filter_map(move |i| {
            let at = self.sections_at + i * SECTION_BYTES;
            let row = self.mapped.bytes().get(at..at + SECTION_BYTES)?;
            let sum_at = le32(row, 8) as usize;
            // Codes and bounds were checked at load.
            Some(CachedSection {
                direction: if row[0] == 0 {
                    Direction::Up
                } else {
                    Direction::Down
                },
                dialect: dialect_of_code(row[1])?,
                first_line: le32(row, 4) as usize,
                sum: self.mapped.text().get(sum_at..sum_at + SUM_LEN)?,
            })
        })
    }

    /// The first line of an entry's message ([`Script::summary`]).
    pub(super) fn summary(&self, k: usize) -> &str {
        self.string(k, MESSAGE).lines().next().unwrap_or("")
    }

    /// The checksum of the up section that runs on `dialect` ([`Script::up_checksum`]).
    pub(super) fn up_sum(&self, k: usize, dialect: Dialect) -> Option<&str> {
        let mut generic = None;
        for s in self.sections(k) {
            if s.direction != Direction::Up {
                continue;
            }
            match s.dialect {
                Some(d) if d == dialect => return Some(s.sum),
                None => generic = Some(s.sum),
                Some(_) => {}
            }
        }
        generic
    }

    /// The script an entry describes, without its SQL text.
    pub(super) fn script(&self, k: usize, dir: &Path) -> Script {
        let field = |which: usize| self.string(k, which);
        let list = |which: usize| {
            Refs::Joined(field(which))
                .iter()
                .map(str::to_string)
                .collect()
        };
        Script {
            path: dir.join(self.name(k)),
            revision: field(REVISION).to_string(),
            revises: list(REVISES),
            depends_on: list(DEPENDS_ON),
            branch_labels: list(BRANCH_LABELS),
            created: Some(field(CREATED).to_string()).filter(|c| !c.is_empty()),
            transaction: self.transaction(k),
            message: field(MESSAGE).to_string(),
            sections: self
                .sections(k)
                .map(|s| Section {
                    direction: s.direction,
                    dialect: s.dialect,
                    first_line: s.first_line,
                    sum: s.sum.to_string(),
                    body: String::new(),
                })
                .collect(),
            key_lines: Vec::new(),
            has_bodies: false,
        }
    }
}

/// The code of a section's dialect in the cache (0: the generic section). `None` for a
/// code no dialect has; `Some(None)` for the generic section.
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

/// The little-endian u32 at `at` (0 past the end: tables are bounds-checked at load).
fn le32(bytes: &[u8], at: usize) -> u32 {
    bytes
        .get(at..at + 4)
        .and_then(|b| b.try_into().ok())
        .map_or(0, u32::from_le_bytes)
}

fn le64(bytes: &[u8], at: usize) -> u64 {
    bytes
        .get(at..at + 8)
        .and_then(|b| b.try_into().ok())
        .map_or(0, u64::from_le_bytes)
}

fn fingerprint_at(bytes: &[u8], at: usize) -> Fingerprint {
    Fingerprint {
        len: le64(bytes, at),
        mtime_ns: le64(bytes, at + 8) as i64,
        ctime_ns: le64(bytes, at + 16) as i64,
        ino: le64(bytes, at + 24),
    }
}

fn put_fingerprint(out: &mut Vec<u8>, fp: &Fingerprint) {
    out.extend_from_slice(&fp.len.to_le_bytes());
    out.extend_from_slice(&fp.mtime_ns.to_le_bytes());
    out.extend_from_slice(&fp.ctime_ns.to_le_bytes());
    out.extend_from_slice(&fp.ino.to_le_bytes());
}

/// Fingerprints one file of the migrations folder by name; `None` when it cannot.
pub(super) type StatByName<'a> = &'a (dyn Fn(&str) -> Option<Fingerprint> + Sync);

/// What the first line must be.
fn first_line() -> String {
    format!("{MAGIC}\t{}\n", crate::history::TOOL_VERSION)
}

/// Reads the cache; `None` when there is none or it cannot be trusted to be well-formed.
/// Every bound and code is checked here, so nothing read from the cache later can fail.
pub(super) fn load(path: &Path) -> Option<Cache> {
    let first = first_line();
    let mut counts = None;
    let mapped = Mapped::open(path, |bytes| {
        let head = bytes.strip_prefix(first.as_bytes())?.get(..HEAD_BYTES)?;
        let count = |at: usize| le32(head, at) as usize;
        let (entries, sections, text) = (count(40), count(44), count(48));
        let entries_at = first.len() + HEAD_BYTES;
        let sections_at = entries_at.checked_add(entries.checked_mul(ENTRY_BYTES)?)?;
        let text_at = sections_at.checked_add(sections.checked_mul(SECTION_BYTES)?)?;
        (bytes.len() == text_at.checked_add(text)? && count(52) == 0).then_some(())?;
        counts = Some((
            le64(head, 0) as i64,
            fingerprint_at(head, 8),
            entries,
            sections,
        ));
        Some(text_at)
    })?;
    let (written_ns, folder, len, sections) = counts?;
    let entries_at = first.len() + HEAD_BYTES;
    let cache = Cache {
        written_ns,
        folder,
        mapped,
        len,
        entries_at,
        sections_at: entries_at + len * ENTRY_BYTES,
    };
    checked(&cache, sections).then_some(cache)
}

/// Whether every entry's strings lie in the text on character boundaries, in order, and
/// its sections follow the previous entry's, and every section has known codes and a
/// checksum of hex digits in the text.
fn checked(cache: &Cache, sections: usize) -> bool {
    let text = cache.mapped.text();
    let mut sections_end = 0;
    for k in 0..cache.len {
        let entry = cache.entry(k);
        let mut last = 0;
        for i in 0..=STRINGS {
            let bound = le32(entry, FINGERPRINT_BYTES + 4 * i) as usize;
            if bound < last || !text.is_char_boundary(bound) {
                return false;
            }
            last = bound;
        }
        let end = le32(entry, ENTRY_BYTES - 8) as usize;
        if end < sections_end || end > sections || le32(entry, ENTRY_BYTES - 4) > 1 {
            return false;
        }
        sections_end = end;
    }
    let table = cache.sections_at..cache.sections_at + sections * SECTION_BYTES;
    let Some(table) = cache.mapped.bytes().get(table) else {
        return false;
    };
    sections_end == sections
        && table.chunks_exact(SECTION_BYTES).all(|row| {
            let sum_at = le32(row, 8) as usize;
            row[0] <= 1
                && dialect_of_code(row[1]).is_some()
                && row[2..4] == [0, 0]
                && text
                    .as_bytes()
                    .get(sum_at..sum_at + SUM_LEN)
                    .is_some_and(is_sum)
        })
}

/// Whether `sum` is a section checksum as the cache writes it: 64 hex digits.
fn is_sum(sum: &[u8]) -> bool {
    // No early exit, so the check of 20,000 sums at 10,000 files vectorizes.
    let hex = sum.iter().fold(true, |ok, &b| {
        ok & (b.is_ascii_digit() | ((b | 0x20).wrapping_sub(b'a') < 6))
    });
    sum.len() == SUM_LEN && hex
}

/// The fingerprint of every file of the cache now, by name, in entry order (`None` if any
/// could not be taken), and what `alongside` returns, run on this thread meanwhile. The
/// free cores take chunks of [`PARALLEL_CHUNK`] names until none are left (see [`Cores::run`]);
/// at 10,000 files these calls are most of start-up's CPU. Each chunk keeps only the
/// fingerprints that differ from the cache's.
pub(super) fn fingerprint_all<T>(
    cache: &Cache,
    stat: StatByName,
    cores: &Cores,
    alongside: impl FnOnce() -> T,
) -> (Option<Vec<Fingerprint>>, T) {
    let len = cache.len();
    let chunk = |k: usize| {
        let from = k * PARALLEL_CHUNK;
        let mut changed = Vec::new();
        for i in from..len.min(from + PARALLEL_CHUNK) {
            let now = stat(cache.name(i))?;
            if now != cache.fingerprint(i) {
                changed.push((i, now));
            }
        }
        Some(changed)
    };
    let (changed, value) = cores.run(len.div_ceil(PARALLEL_CHUNK), chunk, alongside);
    let mut fingerprints: Vec<Fingerprint> = (0..len).map(|i| cache.fingerprint(i)).collect();
    for changed in changed {
        let Some(changed) = changed else {
            return (None, value);
        };
        for (k, now) in changed {
            fingerprints[k] = now;
        }
    }
    (Some(fingerprints), value)
}

/// One file of a cache being written: entry `k` of the old cache, or a file just read.
pub(super) enum Record<'a> {
    Copied(usize),
    Read(&'a str, Fingerprint, &'a Script),
}

/// Writes the cache atomically (a temporary file renamed over the old one). `folder` is
/// the folder's fingerprint from before it was listed; `old` is the cache that copied
/// records come from. Failure is not an error: the next run just reads the files again.
pub(super) fn save(path: &Path, folder: Fingerprint, records: &[Record], old: Option<&Cache>) {
    let _ = try_save(path, folder, records, old);
}

/// Whether a file or folder last modified at `fp` is old enough for a cache written now
/// to trust it.
pub(super) fn settled(fp: &Fingerprint) -> bool {
    fp.mtime_ns < ns_since_epoch(SystemTime::now()) - RACY_NS
}

/// The cache's bytes while they are written: the tables and the text grow side by side.
#[derive(Default)]
struct Writer {
    entries: Vec<u8>,
    sections: Vec<u8>,
    section_count: u32,
    text: String,
}

impl Writer {
    /// The text's length as an offset; `None` past 4 GiB.
    fn offset(&self) -> Option<u32> {
        u32::try_from(self.text.len()).ok()
    }

    fn entry<'s>(
        &mut self,
        fp: &Fingerprint,
        strings: [&str; STRINGS],
        transaction: bool,
        sections: impl Iterator<Item = (Direction, Option<Dialect>, usize, &'s str)>,
    ) -> Option<()> {
        put_fingerprint(&mut self.entries, fp);
        self.entries
            .extend_from_slice(&self.offset()?.to_le_bytes());
        for s in strings {
            self.text.push_str(s);
            self.entries
                .extend_from_slice(&self.offset()?.to_le_bytes());
        }
        for (direction, dialect, first_line, sum) in sections {
            self.sections.push(u8::from(direction == Direction::Down));
            self.sections.push(dialect_code(dialect));
            self.sections.extend_from_slice(&[0, 0]);
            let first_line = u32::try_from(first_line).ok()?;
            self.sections.extend_from_slice(&first_line.to_le_bytes());
            self.sections
                .extend_from_slice(&self.offset()?.to_le_bytes());
            self.text.push_str(sum);
            self.section_count += 1;
        }
        self.entries
            .extend_from_slice(&self.section_count.to_le_bytes());
        self.entries
            .extend_from_slice(&u32::from(transaction).to_le_bytes());
        Some(())
    }
}

fn try_save(
    path: &Path,
    folder: Fingerprint,
    records: &[Record],
    old: Option<&Cache>,
) -> std::io::Result<()> {
    let invalid = || std::io::Error::from(std::io::ErrorKind::InvalidData);
    let mut w = Writer {
        entries: Vec::with_capacity(records.len() * ENTRY_BYTES),
        sections: Vec::with_capacity(records.len() * 2 * SECTION_BYTES),
        section_count: 0,
        text: String::with_capacity(records.len() * 256),
    };
    for record in records {
        let written = match *record {
            Record::Copied(k) => old.and_then(|c| {
                let strings = [0, 1, 2, 3, 4, 5, 6].map(|i| c.string(k, i));
                let sections = c
                    .sections(k)
                    .map(|s| (s.direction, s.dialect, s.first_line, s.sum));
                w.entry(&c.fingerprint(k), strings, c.transaction(k), sections)
            }),
            Record::Read(name, fp, s) => {
                let lists = [&s.revises, &s.depends_on, &s.branch_labels].map(|l| l.join(","));
                let strings = [
                    name,
                    &s.revision,
                    &lists[0],
                    &lists[1],
                    &lists[2],
                    s.created.as_deref().unwrap_or(""),
                    &s.message,
                ];
                let sections = s
                    .sections
                    .iter()
                    .map(|x| (x.direction, x.dialect, x.first_line, x.sum.as_str()));
                w.entry(&fp, strings, s.transaction, sections)
            }
        };
        written.ok_or_else(invalid)?;
    }
    let mut out =
        Vec::with_capacity(64 + HEAD_BYTES + w.entries.len() + w.sections.len() + w.text.len());
    out.extend_from_slice(first_line().as_bytes());
    out.extend_from_slice(&ns_since_epoch(SystemTime::now()).to_le_bytes());
    put_fingerprint(&mut out, &folder);
    let count = |n: usize| u32::try_from(n).map_err(|_| invalid());
    out.extend_from_slice(&count(records.len())?.to_le_bytes());
    out.extend_from_slice(&w.section_count.to_le_bytes());
    out.extend_from_slice(&count(w.text.len())?.to_le_bytes());
    out.extend_from_slice(&[0; 4]);
    out.extend_from_slice(&w.entries);
    out.extend_from_slice(&w.sections);
    out.extend_from_slice(w.text.as_bytes());
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

    /// Two files, one with tabs, newlines, backslashes and non-ASCII text in its message
    /// and sections for two dialects; the cache gives back every field.
    fn saved(dir: &Path) -> (PathBuf, Script) {
        let path = dir.join("c.cache");
        let script = crate::script::parse(
            Path::new("2.sql"),
            "-- first line\\ with\ttab, é\n-- second\n-- revision: b2\n-- revises: a1\n\
             -- branch_labels: x, y\n-- created: 2026-11-23T10:00:00Z\n-- transaction: false\n\
             -- migrate:up\nSELECT 1;\n-- migrate:up sqlite\nSELECT 2;\n-- migrate:down\nSELECT 3;\n",
        )
        .unwrap();
        let mut bare =
            crate::script::parse(Path::new("1.sql"), "-- revision: a1\n-- migrate:up\n").unwrap();
        bare.sections.clear();
        save(
            &path,
            fp(9),
            &[
                Record::Read("1.sql", fp(1), &bare),
                Record::Read("2.sql", fp(2), &script),
            ],
            None,
        );
        (path, script)
    }

    #[test]
    fn every_field_is_read_back_as_written() {
        let dir = tempfile::tempdir().unwrap();
        let (path, script) = saved(dir.path());
        let cache = load(&path).unwrap();
        assert_eq!(cache.len(), 2);
        assert_eq!(cache.folder, fp(9));
        assert_eq!((cache.name(0), cache.name(1)), ("1.sql", "2.sql"));
        assert_eq!(cache.fingerprint(1), fp(2));
        assert_eq!(cache.field(1, REVISES), "a1");
        assert_eq!(cache.field(1, BRANCH_LABELS), "x,y");
        assert_eq!(cache.summary(1), "first line\\ with\ttab, é");
        let sum = |d| script.section(Direction::Up, d).map(|s| s.sum.as_str());
        assert_eq!(cache.up_sum(1, Dialect::Sqlite), sum(Dialect::Sqlite));
        assert_eq!(cache.up_sum(1, Dialect::Postgres), sum(Dialect::Postgres));
        assert_ne!(sum(Dialect::Sqlite), sum(Dialect::Postgres));
        assert_eq!(cache.up_sum(0, Dialect::Sqlite), None);
        let mut rebuilt = cache.script(1, Path::new(""));
        rebuilt.path = script.path.clone();
        let mut expected = script.clone();
        expected.key_lines.clear();
        expected.has_bodies = false;
        for s in &mut expected.sections {
            s.body.clear();
        }
        assert_eq!(rebuilt, expected);
        assert!(cache.script(0, Path::new("")).sections.is_empty());

        // Copied records come out the same.
        let again = dir.path().join("d.cache");
        save(
            &again,
            fp(9),
            &[Record::Copied(0), Record::Copied(1)],
            Some(&cache),
        );
        let copy = load(&again).unwrap();
        assert_eq!(
            copy.script(1, Path::new("")),
            cache.script(1, Path::new(""))
        );
        assert_eq!(copy.fingerprint(0), fp(1));
    }

    /// Anything that would make a later read go out of bounds, land inside a character or
    /// meet an unknown code makes the whole cache count as absent (the files are read).
    #[test]
    fn malformed_caches_are_refused() {
        let dir = tempfile::tempdir().unwrap();
        let (path, _) = saved(dir.path());
        let good = fs::read(&path).unwrap();
        let head = first_line().len();
        let entry = head + HEAD_BYTES;
        let sections = entry + 2 * ENTRY_BYTES;
        let text = sections + 3 * SECTION_BYTES;
        assert!(load(&path).is_some());
        let set = |at: usize, value: u32| {
            let mut b = good.clone();
            b[at..at + 4].copy_from_slice(&value.to_le_bytes());
            b
        };
        let text_len = (good.len() - text) as u32;
        let e_acute = text
            + std::str::from_utf8(&good[text..])
                .unwrap()
                .find('é')
                .unwrap();
        let cases: Vec<(&str, Vec<u8>)> = vec![
            (
                "another version",
                good.replacen_first(b"cache 3", b"cache 2"),
            ),
            ("truncated", good[..good.len() - 1].to_vec()),
            ("longer", [&good[..], b"x"].concat()),
            ("too many entries", set(head + 40, 3)),
            ("reserved bytes", set(head + 52, 1)),
            (
                "a string past the text",
                set(entry + 32 + 4 * 7, text_len + 1),
            ),
            (
                "bounds out of order",
                set(entry + 32 + 4, 0).then_set(entry + 32, 5),
            ),
            (
                "inside a character",
                set(
                    entry + ENTRY_BYTES + 32 + 4 * 7,
                    (e_acute - text + 1) as u32,
                ),
            ),
            ("sections past the table", set(entry + ENTRY_BYTES + 64, 4)),
            ("flags", set(entry + 68, 2)),
            ("a direction", {
                let mut b = good.clone();
                b[sections] = 2;
                b
            }),
            ("a dialect", {
                let mut b = good.clone();
                b[sections + 1] = 4;
                b
            }),
            ("a sum out of the text", set(sections + 8, text_len - 10)),
            ("a sum not hex", set(sections + 8, 0)),
            ("text not UTF-8", {
                let mut b = good.clone();
                b[e_acute + 1] = 0xff;
                b
            }),
        ];
        for (what, bytes) in cases {
            fs::write(&path, &bytes).unwrap();
            assert!(load(&path).is_none(), "{what}");
        }
        fs::write(&path, "garbage").unwrap();
        assert!(load(&path).is_none());
    }

    trait Edit {
        fn replacen_first(&self, from: &[u8], to: &[u8]) -> Vec<u8>;
        fn then_set(self, at: usize, value: u32) -> Vec<u8>;
    }

    impl Edit for Vec<u8> {
        fn replacen_first(&self, from: &[u8], to: &[u8]) -> Vec<u8> {
            let at = self.windows(from.len()).position(|w| w == from).unwrap();
            [&self[..at], to, &self[at + from.len()..]].concat()
        }

        fn then_set(mut self, at: usize, value: u32) -> Vec<u8> {
            self[at..at + 4].copy_from_slice(&value.to_le_bytes());
            self
        }
    }
}
