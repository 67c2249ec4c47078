//! Reading every migration of a folder: the start-up cost of every command. Files are
//! read with as few system calls as possible, for large folders on all cores at once, and
//! with the start-up cache (`cache.rs`) an unchanged file is not read at all.

use std::fs;
use std::io::Read;
use std::path::Path;

use super::cache::{self, Fingerprint, Record};
use super::set::Source;
use super::{parse, Script, ScriptError, Scripts};
use crate::cores::Cores;

/// Below this many files, threads cost more than they save.
const PARALLEL_THRESHOLD: usize = 256;

/// Files handed to a thread at a time when they are read or fingerprinted in parallel
/// (here, and by `cache::fingerprint_all`).
pub(super) const PARALLEL_CHUNK: usize = 128;

/// Every `*.sql` file directly inside `dir`, parsed, in file-name order (the graph breaks
/// ties between unrelated revisions by this order, so it must not depend on the file system).
pub fn read_dir(dir: &Path) -> Result<Vec<Script>, ScriptError> {
    read_listed(dir, dir, &Cores::of_machine())
}

/// [`read_dir`], each script's path being `shown` joined with its file name.
fn read_listed(dir: &Path, shown: &Path, cores: &Cores) -> Result<Vec<Script>, ScriptError> {
    let files = list(dir)?;
    let names: Vec<&str> = files.iter().map(|(n, _)| n.as_str()).collect();
    in_parallel(&names, cores, |chunk| read_all(dir, shown, chunk))
}

/// As [`read_dir`], with the start-up cache at `cache_path` (see
/// [`cache::location`]): unchanged files come from it without their SQL text
/// ([`Script::complete`] reads it when needed), and the cache is rewritten when anything
/// changed.
/// Each script's `path` is `shown` joined with its file name (the folder as messages
/// should name it, e.g. relative to the project).
pub fn read_dir_cached(
    dir: &Path,
    shown: &Path,
    cache_path: Option<&Path>,
) -> Result<Scripts, ScriptError> {
    read_dir_cached_then(dir, shown, cache_path, &Cores::of_machine(), |_| ())
        .map(|(scripts, ())| scripts)
}

/// [`read_dir_cached`], and `then` of the scripts. When the folder is unchanged since the
/// cache was written, `then` runs on the cache's scripts while the files are fingerprinted
/// (at 10,000 files, building the revision graph then overlaps those checks instead of
/// following them); its result is kept if every file is as the cache has it, and
/// otherwise computed again on the scripts as read. Threads are started only on `cores`
/// that are free.
pub(crate) fn read_dir_cached_then<T>(
    dir: &Path,
    shown: &Path,
    cache_path: Option<&Path>,
    cores: &Cores,
    then: impl Fn(&Scripts) -> T,
) -> Result<(Scripts, T), ScriptError> {
    let read = |names: &[&str]| in_parallel(names, cores, |chunk| read_all(dir, shown, chunk));
    let Some(cache_path) = cache_path else {
        let scripts = Scripts::from_vec(read_listed(dir, shown, cores)?);
        let value = then(&scripts);
        return Ok((scripts, value));
    };
    // The folder's fingerprint comes before its listing, so an entry added while it is
    // listed makes the next run list it again.
    let folder = fs::metadata(dir)
        .map(|m| Fingerprint::of(&m))
        .map_err(|e| io_err(dir, e))?;
    // An unchanged folder holds the cache's files: each is fingerprinted by name (all
    // cores) instead of listing the folder, the slowest step at 10,000 files. Anything
    // unexpected (a file gone since) and it is listed after all.
    let (cache, known) = match cache::load(cache_path) {
        Some(cache) if cache.trusts_folder(&folder) => {
            let all = (0..cache.len()).map(Source::Cached).collect();
            let scripts = Scripts::assemble(Some(cache), shown.to_path_buf(), all, false);
            let stat = stat_by_name(dir);
            let alongside = || then(&scripts);
            let (fingerprints, value) = match scripts.cache() {
                Some(cache) => cache::fingerprint_all(cache, &stat, cores, alongside),
                None => (None, alongside()),
            };
            let cache = scripts.cache();
            let unchanged = cache.zip(fingerprints.as_ref()).is_some_and(|(c, fps)| {
                fps.iter()
                    .enumerate()
                    .all(|(k, fp)| c.trusts(&c.fingerprint(k), fp))
            });
            if unchanged {
                return Ok((scripts, value));
            }
            (scripts.into_cache(), fingerprints)
        }
        cache => (cache, None),
    };
    let known = cache.as_ref().zip(known).map(|(cache, fps)| {
        let names: Vec<&str> = (0..cache.len()).map(|k| cache.name(k)).collect();
        (names, fps)
    });
    let files: Vec<(String, fs::DirEntry)>;
    let listed = known.is_none();
    let (names, fingerprints) = match known {
        Some(known) => known,
        None => {
            files = list(dir)?;
            let fps = fingerprints(&files, cores)?;
            (files.iter().map(|(n, _)| n.as_str()).collect(), fps)
        }
    };
    // Both lists are in name order: walk them side by side, noting for each file its
    // trusted cache entry, or that it must be read. When the names are the cache's own
    // (its folder unchanged), entry `k` is file `k`.
    let mut trusted: Vec<Option<usize>> = Vec::with_capacity(names.len());
    match &cache {
        Some(cache) if !listed => trusted.extend(
            fingerprints
                .iter()
                .enumerate()
                .map(|(k, fp)| cache.trusts(&cache.fingerprint(k), fp).then_some(k)),
        ),
        Some(cache) => {
            let mut entries = (0..cache.len()).peekable();
            for (name, fp) in names.iter().zip(&fingerprints) {
                while entries.next_if(|&k| cache.name(k) < *name).is_some() {}
                let found = entries.next_if(|&k| cache.name(k) == *name);
                trusted.push(found.filter(|&k| cache.trusts(&cache.fingerprint(k), fp)));
            }
        }
        None => trusted.resize(names.len(), None),
    }
    let unread: Vec<&str> = names
        .iter()
        .zip(&trusted)
        .filter(|(_, source)| source.is_none())
        .map(|(name, _)| *name)
        .collect();
    let mut fresh = read(&unread)?.into_iter();
    let same_files = cache.as_ref().is_some_and(|c| c.len() == names.len());
    let changed = !unread.is_empty() || !same_files;
    // A folder listed (changed, or too recently to be trusted) is recorded once it has
    // settled, so that the next run need not list it.
    let refresh = listed && cache::settled(&folder);
    let mut sources: Vec<Source> = Vec::with_capacity(names.len());
    for source in trusted {
        sources.push(
            match (source, source.map_or_else(|| fresh.next(), |_| None)) {
                (Some(k), _) => Source::Cached(k),
                (None, Some(script)) => Source::Read(Box::new(script)),
                // `read` returns one script per name it was given.
                (None, None) => unreachable!("fewer scripts read than files to read"),
            },
        );
    }
    if changed || refresh {
        // Trusted records are copied as they are; only files just read are written anew.
        let records: Vec<Record> = names
            .iter()
            .zip(&fingerprints)
            .zip(&sources)
            .map(|((name, fp), source)| match source {
                Source::Cached(k) => Record::Copied(*k),
                Source::Read(script) => Record::Read(name, *fp, script),
            })
            .collect();
        cache::save(cache_path, folder, &records, cache.as_ref());
    }
    let scripts = Scripts::assemble(cache, shown.to_path_buf(), sources, listed);
    let value = then(&scripts);
    Ok((scripts, value))
}

/// Fingerprints a file of `dir` by name: one `statx` relative to the open folder (no walk
/// of the whole path), following symbolic links as [`fingerprints`] does.
#[cfg(target_os = "linux")]
fn stat_by_name(dir: &Path) -> impl Fn(&str) -> Option<Fingerprint> + Sync {
    use rustix::fs::{AtFlags, Mode, OFlags, StatxFlags};
    let flags = OFlags::RDONLY | OFlags::DIRECTORY | OFlags::CLOEXEC;
    let folder = rustix::fs::open(dir, flags, Mode::empty()).ok();
    let mask = StatxFlags::SIZE | StatxFlags::MTIME | StatxFlags::CTIME | StatxFlags::INO;
    move |name| {
        let st = rustix::fs::statx(folder.as_ref()?, name, AtFlags::empty(), mask).ok()?;
        Some(Fingerprint::of_statx(&st))
    }
}

#[cfg(not(target_os = "linux"))]
fn stat_by_name(dir: &Path) -> impl Fn(&str) -> Option<Fingerprint> + Sync + '_ {
    move |name| {
        fs::metadata(dir.join(name))
            .ok()
            .map(|m| Fingerprint::of(&m))
    }
}

/// The fingerprint of every file, on all cores.
fn fingerprints(
    files: &[(String, fs::DirEntry)],
    cores: &Cores,
) -> Result<Vec<Fingerprint>, ScriptError> {
    in_parallel(files, cores, |chunk| {
        chunk
            .iter()
            .map(|(_, entry)| {
                // A symbolic link's own metadata says nothing about its target's content.
                let meta = match entry.file_type() {
                    Ok(t) if t.is_symlink() => fs::metadata(entry.path()),
                    _ => entry.metadata(),
                };
                meta.map(|m| Fingerprint::of(&m))
                    .map_err(|e| io_err(&entry.path(), e))
            })
            .collect()
    })
}

/// The migration files in `dir` (name and directory entry), sorted by name.
fn list(dir: &Path) -> Result<Vec<(String, fs::DirEntry)>, ScriptError> {
    let entries = fs::read_dir(dir).map_err(|e| io_err(dir, e))?;
    let mut files = Vec::new();
    for entry in entries {
        let entry = entry.map_err(|e| io_err(dir, e))?;
        let Ok(name) = entry.file_name().into_string() else {
            return Err(ScriptError {
                path: entry.path(),
                line: None,
                message: "file name is not valid UTF-8".into(),
            });
        };
        let is_sql = Path::new(&name)
            .extension()
            .is_some_and(|ext| ext.eq_ignore_ascii_case("sql"));
        if is_sql && !name.starts_with('.') {
            files.push((name, entry));
        }
    }
    files.sort_unstable_by(|a, b| a.0.cmp(&b.0));
    Ok(files)
}

/// Maps `f` over chunks of `items` on all cores (for large folders) and joins the results
/// in order.
fn in_parallel<I: Sync, T: Send>(
    items: &[I],
    cores: &Cores,
    f: impl Fn(&[I]) -> Result<Vec<T>, ScriptError> + Sync,
) -> Result<Vec<T>, ScriptError> {
    if cores.total() < 2 || items.len() < PARALLEL_THRESHOLD {
        return f(items);
    }
    let chunks: Vec<&[I]> = items.chunks(PARALLEL_CHUNK).collect();
    let (parts, ()) = cores.run(chunks.len(), |k| f(chunks[k]), || ());
    let mut out = Vec::with_capacity(items.len());
    for part in parts {
        out.extend(part?);
    }
    Ok(out)
}

fn read_all(dir: &Path, shown: &Path, names: &[&str]) -> Result<Vec<Script>, ScriptError> {
    // Zeroed once and reused: a migration file almost always fits.
    let mut buf = vec![0u8; 64 * 1024];
    let mut large = Vec::new();
    names
        .iter()
        .map(|name| {
            let path = shown.join(name);
            let bytes =
                read_file(&dir.join(name), &mut buf, &mut large).map_err(|e| io_err(&path, e))?;
            let text = std::str::from_utf8(bytes).map_err(|e| ScriptError {
                path: path.clone(),
                line: Some(
                    bytes[..e.valid_up_to()]
                        .iter()
                        .filter(|&&b| b == b'\n')
                        .count()
                        + 1,
                ),
                message: "not valid UTF-8".into(),
            })?;
            parse(&path, text)
        })
        .collect()
}

/// Reads a whole file with one `read` when it fits in `buf`: a short read from a regular
/// file means its end was reached, so there is no size query and no extra read to see
/// end-of-file (open, read, close: at 10,000 files these system calls are most of a
/// command's start-up). Larger files go to `large`.
fn read_file<'b>(
    path: &Path,
    buf: &'b mut [u8],
    large: &'b mut Vec<u8>,
) -> std::io::Result<&'b [u8]> {
    let mut file = fs::File::open(path)?;
    let mut filled = 0;
    loop {
        match file.read(&mut buf[filled..]) {
            Ok(0) => return Ok(&buf[..filled]),
            Ok(n) => {
                filled += n;
                if filled < buf.len() {
                    return Ok(&buf[..filled]);
                }
                large.clear();
                large.extend_from_slice(buf);
                file.read_to_end(large)?;
                return Ok(large);
            }
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
}

fn io_err(path: &Path, e: std::io::Error) -> ScriptError {
    ScriptError {
        path: path.to_path_buf(),
        line: None,
        message: format!("cannot read: {e}"),
    }
}
