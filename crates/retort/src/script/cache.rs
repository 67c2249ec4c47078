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

/// A loaded cache: entries in file-name order, and when the cache was written.
pub(super) struct Cache {
    written_ns: i128,
    pub(super) entries: Vec<(String, Fingerprint, Script)>,
}

impl Cache {
    /// Whether a cached entry still describes the file now fingerprinted `now`.
    pub(super) fn trusts(&self, cached: &Fingerprint, now: &Fingerprint) -> bool {
        cached == now && now.mtime_ns < self.written_ns - RACY_NS
    }
}

/// Reads the cache; `None` when there is none or it cannot be trusted to be well-formed.
pub(super) fn load(path: &Path, dir: &Path) -> Option<Cache> {
    let text = fs::read_to_string(path).ok()?;
    let mut lines = text.split('\n');
    let mut head = lines.next()?.split('\t');
    if head.next()? != MAGIC || head.next()? != crate::history::TOOL_VERSION {
        return None;
    }
    let written_ns: i128 = head.next()?.parse().ok()?;
    let mut entries = Vec::new();
    let mut current: Option<(String, Fingerprint, Script)> = None;
    for line in lines {
        let mut f = line.split('\t');
        match f.next()? {
            "F" => {
                if let Some(entry) = current.take() {
                    entries.push(entry);
                }
                let name = unescape(f.next()?);
                let fp = Fingerprint {
                    len: f.next()?.parse().ok()?,
                    mtime_ns: f.next()?.parse().ok()?,
                    ctime_ns: f.next()?.parse().ok()?,
                    ino: f.next()?.parse().ok()?,
                };
                let script = Script {
                    path: dir.join(&name),
                    revision: unescape(f.next()?),
                    revises: list(f.next()?),
                    depends_on: list(f.next()?),
                    branch_labels: list(f.next()?),
                    created: Some(unescape(f.next()?)).filter(|c| !c.is_empty()),
                    transaction: f.next()? == "1",
                    message: unescape(f.next()?),
                    sections: Vec::new(),
                    key_lines: Vec::new(),
                    has_bodies: false,
                };
                current = Some((name, fp, script));
            }
            "S" => {
                let (_, _, script) = current.as_mut()?;
                script.sections.push(Section {
                    direction: match f.next()? {
                        "up" => Direction::Up,
                        "down" => Direction::Down,
                        _ => return None,
                    },
                    dialect: match f.next()? {
                        "-" => None,
                        name => Some(Dialect::from_name(name)?),
                    },
                    first_line: f.next()?.parse().ok()?,
                    sum: f.next()?.to_string(),
                    body: String::new(),
                });
            }
            "" => {}
            _ => return None,
        }
    }
    if let Some(entry) = current.take() {
        entries.push(entry);
    }
    // Entries are written in name order; if they were not, the merge in dir.rs would just
    // find fewer of them and read those files again.
    Some(Cache {
        written_ns,
        entries,
    })
}

/// Writes the cache atomically (a temporary file renamed over the old one). Failure is
/// not an error: the next run just reads the files again.
pub(super) fn save(path: &Path, items: &[(&str, Fingerprint, &Script)]) {
    let _ = try_save(path, items);
}

fn try_save(path: &Path, items: &[(&str, Fingerprint, &Script)]) -> std::io::Result<()> {
    let mut out = String::with_capacity(items.len() * 200);
    let now = ns_since_epoch(SystemTime::now());
    out.push_str(&format!(
        "{MAGIC}\t{}\t{now}\n",
        crate::history::TOOL_VERSION
    ));
    for (name, fp, s) in items {
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

fn list(field: &str) -> Vec<String> {
    let text = unescape(field);
    if text.is_empty() {
        Vec::new()
    } else {
        text.split(',').map(str::to_string).collect()
    }
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
