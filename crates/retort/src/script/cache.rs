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

use std::borrow::Cow;
use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::{SystemTime, UNIX_EPOCH};

use crate::dialect::Dialect;

use super::{Direction, Script, Section};

const MAGIC: &str = "retort-cache 1";
/// Files modified this close to the cache's writing are read again.
const RACY_NS: i128 = 2_000_000_000;

/// What identifies one version of a file without reading it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct Fingerprint {
    len: u64,
    mtime_ns: i128,
    ctime_ns: i128,
    ino: u64,
}

impl Fingerprint {
    pub(super) fn of(meta: &fs::Metadata) -> Fingerprint {
        let mtime_ns = meta.modified().map(ns_since_epoch).unwrap_or(0);
        #[cfg(unix)]
        let (ctime_ns, ino) = {
            use std::os::unix::fs::MetadataExt;
            (
                i128::from(meta.ctime()) * 1_000_000_000 + i128::from(meta.ctime_nsec()),
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
}

fn ns_since_epoch(t: SystemTime) -> i128 {
    match t.duration_since(UNIX_EPOCH) {
        Ok(d) => d.as_nanos() as i128,
        Err(e) => -(e.duration().as_nanos() as i128),
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

/// A byte range of the cache's text.
pub(super) type Span = std::ops::Range<usize>;

/// A loaded cache: its text, kept whole, and where each file's fields are in it. Nothing is
/// copied out until a command asks for a script ([`Cache::script`]): at 10,000 files,
/// building every `Script` up front cost more than everything else the cache saves.
pub(super) struct Cache {
    written_ns: i128,
    pub(super) text: String,
    /// In file-name order.
    pub(super) entries: Vec<Entry>,
}

/// One file's record in the cache text.
pub(super) struct Entry {
    pub(super) name: Span,
    pub(super) fingerprint: Fingerprint,
    /// The whole record (its `F` line and `S` lines), to write back unchanged.
    record: Span,
    /// The header fields after the fingerprint, in the order [`save`] writes them.
    fields: [Span; 7],
    /// The `S` lines, validated at load.
    sections: Span,
}

/// Header fields of [`Entry::fields`].
pub(super) const REVISION: usize = 0;
pub(super) const REVISES: usize = 1;
pub(super) const DEPENDS_ON: usize = 2;
pub(super) const BRANCH_LABELS: usize = 3;
const CREATED: usize = 4;
const TRANSACTION: usize = 5;
const MESSAGE: usize = 6;

impl Cache {
    /// Whether a cached entry still describes the file now fingerprinted `now`.
    pub(super) fn trusts(&self, cached: &Fingerprint, now: &Fingerprint) -> bool {
        cached == now && now.mtime_ns < self.written_ns - RACY_NS
    }

    /// The text of entry `k`'s record, to copy into a new cache.
    pub(super) fn record(&self, k: usize) -> &str {
        &self.text[self.entries[k].record.clone()]
    }

    pub(super) fn name(&self, entry: &Entry) -> &str {
        &self.text[entry.name.clone()]
    }

    /// A header field as written (list fields comma-separated; ids and labels are
    /// validated when a file is parsed and never need escaping).
    pub(super) fn field(&self, entry: &Entry, k: usize) -> &str {
        &self.text[entry.fields[k].clone()]
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
        let mut generic = None;
        for line in self.text[entry.sections.clone()].split('\n') {
            let mut f = line.split('\t').skip(1);
            if f.next() != Some("up") {
                continue;
            }
            let on = f.next();
            let sum = f.nth(1);
            if on == Some(dialect.name()) {
                return sum;
            }
            if on == Some("-") {
                generic = sum;
            }
        }
        generic
    }

    /// The script an entry describes, without its SQL text.
    pub(super) fn script(&self, entry: &Entry, dir: &Path) -> Script {
        let field = |k: usize| self.field(entry, k);
        let list = |k: usize| {
            field(k)
                .split(',')
                .filter(|s| !s.is_empty())
                .map(str::to_string)
                .collect()
        };
        Script {
            path: dir.join(self.name(entry)),
            revision: field(REVISION).to_string(),
            revises: list(REVISES),
            depends_on: list(DEPENDS_ON),
            branch_labels: list(BRANCH_LABELS),
            created: Some(unescape(field(CREATED))).filter(|c| !c.is_empty()),
            transaction: field(TRANSACTION) == "1",
            message: unescape(field(MESSAGE)),
            sections: self.text[entry.sections.clone()]
                .split('\n')
                .filter_map(section)
                .collect(),
            key_lines: Vec::new(),
            has_bodies: false,
        }
    }
}

/// An `S` line's fields after the tag; `None` when malformed.
fn section(line: &str) -> Option<Section> {
    let mut f = line.strip_prefix("S\t")?.split('\t');
    let direction = match f.next()? {
        "up" => Direction::Up,
        "down" => Direction::Down,
        _ => return None,
    };
    let dialect = match f.next()? {
        "-" => None,
        name => Some(Dialect::from_name(name)?),
    };
    let first_line = f.next()?.parse().ok()?;
    let sum = f.next()?;
    let well_formed =
        sum.len() == 64 && sum.bytes().all(|b| b.is_ascii_hexdigit()) && f.next().is_none();
    well_formed.then(|| Section {
        direction,
        dialect,
        first_line,
        sum: sum.to_string(),
        body: String::new(),
    })
}

/// Reads the cache; `None` when there is none or it cannot be trusted to be well-formed.
/// Every record is validated here, so [`Cache::script`] cannot fail later.
pub(super) fn load(path: &Path) -> Option<Cache> {
    let text = fs::read_to_string(path).ok()?;
    let header_end = text.find('\n')?;
    let mut head = text[..header_end].split('\t');
    if head.next()? != MAGIC || head.next()? != crate::history::TOOL_VERSION {
        return None;
    }
    let written_ns: i128 = head.next()?.parse().ok()?;
    let mut entries: Vec<Entry> = Vec::new();
    let mut at = header_end + 1;
    while at < text.len() {
        let end = text[at..].find('\n').map_or(text.len(), |k| at + k);
        let line = &text[at..end];
        let next = (end + 1).min(text.len());
        if let Some(rest) = line.strip_prefix("F\t") {
            let mut spans = fields(rest, at + 2);
            let mut next_span = || spans.next();
            let name = next_span()?;
            let mut number = || text[next_span()?].parse::<i128>().ok();
            let fingerprint = Fingerprint {
                len: u64::try_from(number()?).ok()?,
                mtime_ns: number()?,
                ctime_ns: number()?,
                ino: u64::try_from(number()?).ok()?,
            };
            let fields: [Span; 7] = std::array::from_fn(|_| spans.next().unwrap_or(0..0));
            if spans.next().is_some() || fields[MESSAGE].start == 0 {
                return None;
            }
            entries.push(Entry {
                name,
                fingerprint,
                record: at..next,
                fields,
                sections: next..next,
            });
        } else if line.starts_with("S\t") {
            section(line)?;
            let entry = entries.last_mut()?;
            entry.sections.end = end;
            entry.record.end = next;
        } else if !line.is_empty() {
            return None;
        }
        at = next;
    }
    // Entries are written in name order; if they were not, the merge in dir.rs would just
    // find fewer of them and read those files again.
    Some(Cache {
        written_ns,
        text,
        entries,
    })
}

/// The tab-separated fields of `line` (which starts at `offset` in the text), as spans.
fn fields(line: &str, offset: usize) -> impl Iterator<Item = Span> + '_ {
    let mut start = 0;
    line.split('\t').map(move |field| {
        let span = offset + start..offset + start + field.len();
        start += field.len() + 1;
        span
    })
}

/// One file of a cache being written: a record copied from the old cache, or a file just
/// read.
pub(super) enum Record<'a> {
    Copied(&'a str),
    Read(&'a str, Fingerprint, &'a Script),
}

/// Writes the cache atomically (a temporary file renamed over the old one). Failure is
/// not an error: the next run just reads the files again.
pub(super) fn save(path: &Path, records: &[Record]) {
    let _ = try_save(path, records);
}

fn try_save(path: &Path, records: &[Record]) -> std::io::Result<()> {
    let mut out = String::with_capacity(records.len() * 330);
    let now = ns_since_epoch(SystemTime::now());
    out.push_str(&format!(
        "{MAGIC}\t{}\t{now}\n",
        crate::history::TOOL_VERSION
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
            "F\t{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}\n",
            escape(name),
            fp.len,
            fp.mtime_ns,
            fp.ctime_ns,
            fp.ino,
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
