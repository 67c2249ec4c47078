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

use std::borrow::Cow;
use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::{SystemTime, UNIX_EPOCH};

use super::dir::PARALLEL_CHUNK;
use super::mapped::MappedText;
use crate::cores::Cores;
use crate::dialect::Dialect;

use super::{Direction, Refs, Script, Section};

const MAGIC: &str = "retort-cache 2";
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

    /// A fingerprint from its four fields as the cache writes them (see `Display`).
    fn parse<'t>(mut fields: impl Iterator<Item = &'t str>) -> Option<Fingerprint> {
        let mut next = || number(fields.next()?);
        Some(Fingerprint {
            len: u64::try_from(next()?).ok()?,
            mtime_ns: next()?,
            ctime_ns: next()?,
            ino: u64::try_from(next()?).ok()?,
        })
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

/// The four fields of a fingerprint, tab-separated, as the cache holds them.
impl std::fmt::Display for Fingerprint {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{}\t{}\t{}\t{}",
            self.len, self.mtime_ns, self.ctime_ns, self.ino
        )
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

/// A loaded cache: its text, kept whole, and where each file's fields are in it. Nothing is
/// copied out until a command asks for a script ([`Cache::script`]): at 10,000 files,
/// building every `Script` up front cost more than everything else the cache saves.
pub(super) struct Cache {
    written_ns: i64,
    /// The migrations folder's own fingerprint when it was listed for this cache.
    folder: Fingerprint,
    /// Mapped from the file (`mapped.rs`).
    pub(super) text: MappedText,
    /// In file-name order.
    pub(super) entries: Vec<Entry>,
}

/// One file's record in the cache text, as offsets (32-bit: 10,000 of these are made at
/// every start-up, and their size is page faults).
pub(super) struct Entry {
    pub(super) fingerprint: Fingerprint,
    /// The file name: `text[name.0..name.1]`; its record starts two bytes before (`F\t`).
    name: (u32, u32),
    /// Where each header field after the fingerprint starts, in the order [`save`] writes
    /// them; `fields[7]` is where the `S` lines start, one past the `F` line's end.
    fields: [u32; 8],
    /// The end of the record (its `S` lines, validated at load).
    end: u32,
    /// Where the checksum of each up section starts (0: none), by [`up_slot`]: comparing
    /// 10,000 applied rows with their files then reads no `S` line again.
    up: [u32; 4],
}

/// The slot of [`Entry::up`] for an up section written for `dialect` (`None`: any).
fn up_slot(dialect: Option<Dialect>) -> usize {
    match dialect {
        None => 0,
        Some(Dialect::Sqlite) => 1,
        Some(Dialect::Postgres) => 2,
        Some(Dialect::Mysql) => 3,
    }
}

/// The length of a section checksum (SHA-256, hex).
const SUM_LEN: usize = 64;

/// Header fields of [`Entry::fields`].
pub(super) const REVISION: usize = 0;
pub(super) const REVISES: usize = 1;
pub(super) const DEPENDS_ON: usize = 2;
pub(super) const BRANCH_LABELS: usize = 3;
const CREATED: usize = 4;
const TRANSACTION: usize = 5;
const MESSAGE: usize = 6;

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

    /// The text of entry `k`'s record, to copy into a new cache.
    pub(super) fn record(&self, k: usize) -> &str {
        let entry = &self.entries[k];
        &self.text[entry.name.0 as usize - 2..entry.end as usize]
    }

    pub(super) fn name(&self, entry: &Entry) -> &str {
        &self.text[entry.name.0 as usize..entry.name.1 as usize]
    }

    /// A header field as written (list fields comma-separated; ids and labels are
    /// validated when a file is parsed and never need escaping).
    pub(super) fn field(&self, entry: &Entry, k: usize) -> &str {
        &self.text[entry.fields[k] as usize..entry.fields[k + 1] as usize - 1]
    }

    fn sections(&self, entry: &Entry) -> &str {
        // With no `S` lines after the last line of a text without a final newline, the
        // lines would start one past the end.
        &self.text[entry.fields[7].min(entry.end) as usize..entry.end as usize]
    }

    /// The first line of an entry's message ([`Script::summary`]).
    pub(super) fn summary(&self, entry: &Entry) -> Cow<'_, str> {
        let message = self.field(entry, MESSAGE);
        if message.contains('\\') {
            Cow::Owned(unescape(message).lines().next().unwrap_or("").to_string())
        } else {
            Cow::Borrowed(message)
        }
    }

    /// The checksum of the up section that runs on `dialect` ([`Script::up_checksum`]).
    pub(super) fn up_sum(&self, entry: &Entry, dialect: Dialect) -> Option<&str> {
        let at = match entry.up[up_slot(Some(dialect))] {
            0 => entry.up[up_slot(None)],
            at => at,
        } as usize;
        // Offsets and lengths were checked at load.
        (at != 0).then(|| &self.text[at..at + SUM_LEN])
    }

    /// The script an entry describes, without its SQL text.
    pub(super) fn script(&self, entry: &Entry, dir: &Path) -> Script {
        let field = |k: usize| self.field(entry, k);
        let list = |k: usize| Refs::Joined(field(k)).iter().map(str::to_string).collect();
        Script {
            path: dir.join(self.name(entry)),
            revision: field(REVISION).to_string(),
            revises: list(REVISES),
            depends_on: list(DEPENDS_ON),
            branch_labels: list(BRANCH_LABELS),
            created: Some(unescape(field(CREATED))).filter(|c| !c.is_empty()),
            transaction: field(TRANSACTION) == "1",
            message: unescape(field(MESSAGE)),
            sections: self
                .sections(entry)
                .split('\n')
                .filter_map(section)
                .collect(),
            key_lines: Vec::new(),
            has_bodies: false,
        }
    }
}

/// An `S` line's fields after the tag (direction, dialect, first line, checksum); `None`
/// when malformed. Borrows only: every line is checked at load.
fn section_fields(line: &str) -> Option<(Direction, Option<Dialect>, usize, &str)> {
    let mut f = line.strip_prefix("S\t")?.split('\t');
    let fields = [f.next()?, f.next()?, f.next()?, f.next()?];
    f.next().is_none().then(|| section_of(fields))?
}

/// The four fields of an `S` line after its tag, checked and typed; `None` when malformed.
fn section_of(
    [direction, dialect, first_line, sum]: [&str; 4],
) -> Option<(Direction, Option<Dialect>, usize, &str)> {
    let direction = match direction {
        "up" => Direction::Up,
        "down" => Direction::Down,
        _ => return None,
    };
    let dialect = match dialect {
        "-" => None,
        name => Some(Dialect::from_name(name)?),
    };
    let first_line = usize::try_from(number(first_line)?).ok()?;
    is_sum(sum).then_some((direction, dialect, first_line, sum))
}

fn section(line: &str) -> Option<Section> {
    let (direction, dialect, first_line, sum) = section_fields(line)?;
    Some(Section {
        direction,
        dialect,
        first_line,
        sum: sum.to_string(),
        body: String::new(),
    })
}

/// Fingerprints one file of the migrations folder by name; `None` when it cannot.
pub(super) type StatByName<'a> = &'a (dyn Fn(&str) -> Option<Fingerprint> + Sync);

/// Reads the cache; `None` when there is none or it cannot be trusted to be well-formed.
/// Every record is validated here, so [`Cache::script`] cannot fail later.
pub(super) fn load(path: &Path, cores: &Cores) -> Option<Cache> {
    let text = MappedText::open(path)?;
    let header_end = text.find('\n')?;
    let mut head = text[..header_end].split('\t');
    if head.next()? != MAGIC || head.next()? != crate::history::TOOL_VERSION {
        return None;
    }
    let written_ns: i64 = head.next()?.parse().ok()?;
    let recorded = Fingerprint::parse(head.by_ref())?;
    if head.next().is_some() {
        return None;
    }
    // Entries are written in name order; if they were not, the merge in dir.rs would just
    // find fewer of them and read those files again.
    let entries = parse_in_parallel(&text, header_end + 1, cores)?;
    Some(Cache {
        written_ns,
        folder: recorded,
        text,
        entries,
    })
}

/// Below this many bytes of records, a second thread costs more than it saves.
pub(super) const PARALLEL_BYTES: usize = 256 * 1024;

/// Pieces of the records per core: a core given back part-way through the parse (the
/// database read done) can still take some.
const PIECES_PER_CORE: usize = 4;

/// The records of `text` from `start` on, parsed in pieces (each starting at an `F` line)
/// on the free cores, joined in order.
fn parse_in_parallel(text: &str, start: usize, cores: &Cores) -> Option<Vec<Entry>> {
    let len = text.len() - start;
    let pieces = cores.total() * PIECES_PER_CORE;
    if cores.total() < 2 || len < PARALLEL_BYTES {
        return parse_records(text, start, text.len());
    }
    let mut cuts = vec![start];
    for k in 1..pieces {
        let from = (start + len * k / pieces).max(*cuts.last()?);
        if let Some(at) = text[from..].find("\nF\t") {
            cuts.push(from + at + 1);
        }
    }
    cuts.push(text.len());
    cuts.dedup();
    let (parsed, ()) = cores.run(
        cuts.len() - 1,
        |k| parse_records(text, cuts[k], cuts[k + 1]),
        || (),
    );
    // The first piece's vector takes in the others' (a large vector grows by remapping
    // its pages, where a new one would copy them all).
    let mut parsed = parsed.into_iter();
    let mut entries = parsed.next()??;
    for piece in parsed {
        entries.extend(piece?);
    }
    Some(entries)
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
    let entries = &cache.entries;
    let chunk = |k: usize| {
        let from = k * PARALLEL_CHUNK;
        let mut changed = Vec::new();
        let chunk = entries.get(from..entries.len().min(from + PARALLEL_CHUNK))?;
        for (i, entry) in (from..).zip(chunk) {
            let now = stat(cache.name(entry))?;
            if now != entry.fingerprint {
                changed.push((i, now));
            }
        }
        Some(changed)
    };
    let (changed, value) = cores.run(entries.len().div_ceil(PARALLEL_CHUNK), chunk, alongside);
    let mut fingerprints: Vec<Fingerprint> = entries.iter().map(|e| e.fingerprint).collect();
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

/// The records of `text[start..end]`, which starts at an `F` line (or is empty); `None`
/// when any line is malformed. One vectorised pass finds every tab and newline: at
/// 10,000 files, searching field by field cost more than reading the files' metadata.
fn parse_records(text: &str, start: usize, end: usize) -> Option<Vec<Entry>> {
    // Offsets are 32-bit.
    let text_len = u32::try_from(text.len()).ok()?;
    let bytes = text.as_bytes();
    let mut entries: Vec<Entry> = Vec::with_capacity((end - start) / 256);
    // Where each field of the current line starts, then one past the line's end: an `F`
    // line has 12 fields after its tag, an `S` line 4.
    let mut starts = [0usize; 14];
    let mut fields = 0;
    let mut at = start;
    for k in Separators::new(&bytes[start..end]) {
        let k = start + k;
        *starts.get_mut(fields)? = k + 1;
        fields += 1;
        if bytes[k] == b'\n' {
            record_line(text, at, &starts[..fields], &mut entries, text_len)?;
            at = k + 1;
            fields = 0;
        }
    }
    if at < end {
        // A last line without a newline.
        *starts.get_mut(fields)? = end + 1;
        record_line(text, at, &starts[..=fields], &mut entries, text_len)?;
    }
    Some(entries)
}

/// Where every tab and newline of a text is, eight bytes at a time: one word's positions
/// come out of one bit mask. At 10,000 files the cache has 230,000 separators, about one
/// every 14 bytes, so a search that starts again after each match (`memchr2_iter`) spent
/// more on starting than on searching.
struct Separators<'a> {
    words: std::slice::ChunksExact<'a, u8>,
    /// Where the word the mask is of starts.
    at: usize,
    mask: u64,
}

impl<'a> Separators<'a> {
    fn new(bytes: &'a [u8]) -> Separators<'a> {
        Separators {
            words: bytes.chunks_exact(8),
            at: 0,
            mask: 0,
        }
    }

    /// One bit (the top one of its byte) per byte of `word` that is a tab or a newline.
    fn mask(word: u64) -> u64 {
        const LOW7: u64 = 0x7f7f_7f7f_7f7f_7f7f;
        let zero_bytes = |t: u64| !(((t & LOW7).wrapping_add(LOW7)) | t | LOW7);
        let each = |c: u8| u64::from(c) * 0x0101_0101_0101_0101;
        zero_bytes(word ^ each(b'\t')) | zero_bytes(word ^ each(b'\n'))
    }
}

impl Iterator for Separators<'_> {
    type Item = usize;

    fn next(&mut self) -> Option<usize> {
        while self.mask == 0 {
            let word = match self.words.next() {
                Some(word) => word,
                None if !self.words.remainder().is_empty() => {
                    // The last bytes, padded with zeros (neither tab nor newline).
                    let tail = self.words.remainder();
                    let mut padded = [0u8; 8];
                    padded[..tail.len()].copy_from_slice(tail);
                    self.words = [].chunks_exact(8);
                    self.at += 8;
                    self.mask = Separators::mask(u64::from_le_bytes(padded));
                    continue;
                }
                None => return None,
            };
            self.at += 8;
            self.mask = Separators::mask(u64::from_le_bytes(word.try_into().ok()?));
        }
        let k = self.at - 8 + self.mask.trailing_zeros() as usize / 8;
        self.mask &= self.mask - 1;
        Some(k)
    }
}

/// Adds the line at `at` to `entries`: an `F` line starts an entry, an `S` line belongs to
/// the last one. `starts` holds where each field after the tag starts, then one past the
/// line's end; `None` when the line is malformed.
fn record_line(
    text: &str,
    at: usize,
    starts: &[usize],
    entries: &mut Vec<Entry>,
    text_len: u32,
) -> Option<()> {
    let field = |k: usize| text.get(starts[k]..starts[k + 1] - 1);
    let next = (*starts.last()? as u32).min(text_len);
    match (text.as_bytes().get(at..at + 2), starts.len()) {
        (Some(b"F\t"), 13) => {
            let fingerprint = [field(1)?, field(2)?, field(3)?, field(4)?];
            let mut header = [0u32; 8];
            for (slot, &start) in header.iter_mut().zip(&starts[5..13]) {
                *slot = start as u32;
            }
            entries.push(Entry {
                fingerprint: Fingerprint::parse(fingerprint.into_iter())?,
                name: (starts[0] as u32, starts[1] as u32 - 1),
                fields: header,
                end: next,
                up: [0; 4],
            });
        }
        (Some(b"S\t"), 5) => {
            let (direction, dialect, _, _) =
                section_of([field(0)?, field(1)?, field(2)?, field(3)?])?;
            let entry = entries.last_mut()?;
            if direction == Direction::Up {
                entry.up[up_slot(dialect)] = starts[3] as u32;
            }
            entry.end = next;
        }
        // An empty line.
        (_, 1) if starts[0] == at + 1 => {}
        _ => return None,
    }
    Some(())
}

/// Whether `sum` is a section checksum as the cache writes it: 64 hex digits.
fn is_sum(sum: &str) -> bool {
    // No early exit, so the check of 20,000 sums at 10,000 files vectorizes.
    let hex = sum.bytes().fold(true, |ok, b| {
        ok & (b.is_ascii_digit() | ((b | 0x20).wrapping_sub(b'a') < 6))
    });
    sum.len() == SUM_LEN && hex
}

/// A decimal number as the cache writes it (an optional `-`, then digits). Faster than
/// `str::parse` on the 40,000 numbers of 10,000 fingerprints.
fn number(text: &str) -> Option<i64> {
    let (negative, digits) = match text.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, text),
    };
    if digits.is_empty() || digits.len() > 19 {
        return None;
    }
    // 19 digits cannot overflow a u64 (nanosecond times have 19): no check per digit.
    let mut value: u64 = 0;
    let mut all_digits = true;
    for b in digits.bytes() {
        let digit = b.wrapping_sub(b'0');
        all_digits &= digit <= 9;
        value = value.wrapping_mul(10).wrapping_add(u64::from(digit));
    }
    let value = i64::try_from(value).ok().filter(|_| all_digits)?;
    Some(if negative { -value } else { value })
}

/// One file of a cache being written: a record copied from the old cache, or a file just
/// read.
pub(super) enum Record<'a> {
    Copied(&'a str),
    Read(&'a str, Fingerprint, &'a Script),
}

/// Writes the cache atomically (a temporary file renamed over the old one). `folder` is
/// the folder's fingerprint from before it was listed. Failure is not an error: the next
/// run just reads the files again.
pub(super) fn save(path: &Path, folder: Fingerprint, records: &[Record]) {
    let _ = try_save(path, folder, records);
}

/// Whether a file or folder last modified at `fp` is old enough for a cache written now
/// to trust it.
pub(super) fn settled(fp: &Fingerprint) -> bool {
    fp.mtime_ns < ns_since_epoch(SystemTime::now()) - RACY_NS
}

fn try_save(path: &Path, folder: Fingerprint, records: &[Record]) -> std::io::Result<()> {
    let mut out = String::with_capacity(records.len() * 330);
    let now = ns_since_epoch(SystemTime::now());
    out.push_str(&format!(
        "{MAGIC}\t{}\t{now}\t{folder}\n",
        crate::history::TOOL_VERSION,
    ));
    for record in records {
        let (name, fp, s) = match record {
            Record::Copied(text) => {
                out.push_str(text);
                continue;
            }
            Record::Read(name, fp, s) => (name, fp, s),
        };
        out.push_str(&format!(
            "F\t{}\t{fp}\t{}\t{}\t{}\t{}\t{}\t{}\t{}\n",
            escape(name),
            escape(&s.revision),
            escape(&s.revises.join(",")),
            escape(&s.depends_on.join(",")),
            escape(&s.branch_labels.join(",")),
            escape(s.created.as_deref().unwrap_or("")),
            if s.transaction { "1" } else { "0" },
            escape(&s.message),
        ));
        for sec in &s.sections {
            out.push_str(&format!(
                "S\t{}\t{}\t{}\t{}\n",
                sec.direction.name(),
                sec.dialect.map_or("-", Dialect::name),
                sec.first_line,
                sec.sum
            ));
        }
    }
    if let Some(parent) = path.parent() {
        fs::create_dir_all(parent)?;
    }
    let tmp = path.with_extension(format!("tmp{}", std::process::id()));
    let mut file = fs::File::create(&tmp)?;
    file.write_all(out.as_bytes())?;
    drop(file);
    fs::rename(&tmp, path).inspect_err(|_| {
        let _ = fs::remove_file(&tmp);
    })
}

fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '\t' => out.push_str("\\t"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            c => out.push(c),
        }
    }
    out
}

fn unescape(text: &str) -> String {
    if !text.contains('\\') {
        return text.to_string();
    }
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars();
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        match chars.next() {
            Some('t') => out.push('\t'),
            Some('n') => out.push('\n'),
            Some('r') => out.push('\r'),
            Some(other) => out.push(other),
            None => out.push('\\'),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A record with no sections, last in a text without a final newline, still loads.
    #[test]
    fn last_record_without_sections_or_newline_loads() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("c.cache");
        let mut script = crate::script::parse(
            Path::new("1.sql"),
            "-- first line\\ with\ttab\n-- second\n-- revision: a1\n-- migrate:up\n",
        )
        .unwrap();
        script.sections.clear();
        let fp = Fingerprint {
            len: 1,
            mtime_ns: 2,
            ctime_ns: 3,
            ino: 4,
        };
        save(&path, fp, &[Record::Read("1.sql", fp, &script)]);
        let text = fs::read_to_string(&path).unwrap();
        fs::write(&path, text.trim_end_matches('\n')).unwrap();
        let cache = load(&path, &Cores::of_machine()).unwrap();
        let entry = &cache.entries[0];
        assert_eq!(cache.name(entry), "1.sql");
        assert_eq!(entry.fingerprint, fp);
        assert_eq!(cache.field(entry, REVISION), "a1");
        assert_eq!(cache.summary(entry), "first line\\ with\ttab");
        assert_eq!(cache.up_sum(entry, Dialect::Sqlite), None);
        let rebuilt = cache.script(entry, Path::new(""));
        assert_eq!(rebuilt.message, script.message);
        assert!(rebuilt.sections.is_empty());
        assert!(cache.record(0).starts_with("F\t1.sql\t1\t2\t3\t4\ta1\t"));
    }

    /// Every malformed line makes the whole cache count as absent (the files are read).
    #[test]
    fn malformed_records_are_refused() {
        let sum = "ab".repeat(32);
        let f = "F\t1.sql\t1\t2\t3\t4\ta1\t\t\t\t\t1\tmsg\n";
        let good = format!("{f}S\tup\t-\t3\t{sum}\nS\tdown\tpostgresql\t9\t{sum}\n");
        let entries = parse_records(&good, 0, good.len()).unwrap();
        assert_eq!(entries.len(), 1);
        assert_eq!(entries[0].end as usize, good.len());
        assert_eq!(
            entries[0].up[up_slot(None)] as usize,
            f.len() + "S\tup\t-\t3\t".len()
        );
        assert_eq!(entries[0].up[up_slot(Some(Dialect::Postgres))], 0);
        for bad in [
            format!("S\tup\t-\t3\t{sum}\n{f}"), // a section before any file
            f.replace("\t1\tmsg", "\tmsg"),     // a field missing
            f.replace("\tmsg", "\tmsg\textra"), // a field too many
            f.replace("\t2\t3\t", "\t2x\t3\t"), // not a number
            format!("{f}S\tup\t-\t3\t{}\n", &sum[1..]), // a short checksum
            format!("{f}S\tup\t-\t3\t{}g\n", &sum[1..]), // not hex
            format!("{f}S\tsideways\t-\t3\t{sum}\n"), // no such direction
            format!("{f}S\tup\toracle\t3\t{sum}\n"), // no such dialect
            format!("{f}S\tup\t-\t-3\t{sum}\n"), // a negative line
            format!("{f}X\n"),                  // an unknown line
        ] {
            assert!(parse_records(&bad, 0, bad.len()).is_none(), "{bad:?}");
        }
    }

    proptest::proptest! {
        /// Every tab and newline, in order, whatever the bytes around them and wherever
        /// the text ends in its last word.
        #[test]
        fn separators_are_found_as_a_plain_scan_finds_them(
            bytes in proptest::collection::vec(
                proptest::prop_oneof![
                    proptest::prelude::Just(b'\t'),
                    proptest::prelude::Just(b'\n'),
                    proptest::prelude::any::<u8>(),
                ],
                0..100,
            )
        ) {
            let plain: Vec<usize> = (0..bytes.len())
                .filter(|&k| bytes[k] == b'\t' || bytes[k] == b'\n')
                .collect();
            proptest::prop_assert_eq!(Separators::new(&bytes).collect::<Vec<_>>(), plain);
        }
    }

    #[test]
    fn numbers_parse_as_written_and_refuse_anything_else() {
        for (text, value) in [
            ("0", 0),
            ("-17", -17),
            ("9223372036854775807", i64::MAX),
            ("1795469727336001071", 1_795_469_727_336_001_071),
        ] {
            assert_eq!(number(text), Some(value));
        }
        for text in [
            "",
            "-",
            "+1",
            "1 ",
            "9223372036854775808",
            "12345678901234567890",
            "99999999999999999:9",
            "1795469727336001O71",
        ] {
            assert_eq!(number(text), None, "{text:?}");
        }
    }

    #[test]
    fn escaping_round_trips() {
        for s in [
            "plain",
            "tab\there",
            "line\nbreak\r\n",
            "back\\slash\\t",
            "",
        ] {
            assert_eq!(unescape(&escape(s)), s);
            assert!(!escape(s).contains('\t') && !escape(s).contains('\n'));
        }
    }
}
