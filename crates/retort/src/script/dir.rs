//! Reading every migration of a folder: the start-up cost of every command. Large folders
//! are read on all cores, and with the start-up cache (`cache.rs`) an unchanged file is
//! not read at all.

use std::fs;
use std::path::Path;

use super::cache;
use super::error::ScriptError;
use super::fingerprint::Fingerprint;
use super::header::ScriptHeader;
use super::parallel;
use super::parse::parse;
use super::read::read_regular;
use super::text::Script;

/// What reading a folder found: every file's header, in file-name order, and how much of
/// it the start-up cache knew.
pub(super) struct Listing {
    pub(super) headers: Vec<ScriptHeader>,
    /// Which headers came from the start-up cache rather than their file.
    pub(super) cached: Vec<bool>,
    /// Whether the folder was listed (rather than, unchanged, known from the cache).
    pub(super) listed: bool,
}

/// The headers of every migration in `dir`, as [`read_dir`] would parse them, taking
/// unchanged files from the start-up cache at `cache_path` (see [`cache::location`]) and
/// rewriting the cache when anything changed. Each header's `path` is `shown` joined with
/// its file name (the folder as messages should name it, e.g. relative to the project).
pub(super) fn read_cached(
    dir: &Path,
    shown: &Path,
    cache_path: Option<&Path>,
) -> Result<Listing, ScriptError> {
    let Some(cache_path) = cache_path else {
        let headers = read_headers(dir, shown, &list(dir)?)?;
        let cached = vec![false; headers.len()];
        return Ok(Listing {
            headers,
            cached,
            listed: true,
        });
    };
    // The folder's fingerprint comes before its listing, so an entry added while it is
    // listed makes the next run list it again.
    let folder = fs::metadata(dir)
        .map(|m| Fingerprint::of(&m))
        .map_err(|e| io_err(dir, e))?;
    let cache = cache::load(cache_path, shown);
    // An unchanged folder holds the cache's files: each is fingerprinted by name instead
    // of listing the folder (at 10,000 files the slowest step). Should one be gone after
    // all, the folder is listed.
    let known = cache
        .as_ref()
        .filter(|c| c.trusts_folder(&folder))
        .and_then(|c| {
            let stat = stat_in(dir);
            let stats = parallel::map(&c.entries, |e| stat(&e.name).ok());
            stats.into_iter().collect::<Option<Vec<Fingerprint>>>()
        });
    let listed = known.is_none();
    let (names, fingerprints) = match (&cache, known) {
        (Some(c), Some(fps)) => (c.entries.iter().map(|e| e.name.clone()).collect(), fps),
        _ => {
            let names = list(dir)?;
            let stat = stat_in(dir);
            let fps = parallel::map(&names, |name| {
                stat(name).map_err(|e| io_err(&shown.join(name), e))
            });
            let fps = fps.into_iter().collect::<Result<Vec<_>, _>>()?;
            (names, fps)
        }
    };
    // Both lists are in name order: walk them side by side, taking for each file its
    // trusted cache entry, or noting that it must be read.
    let mut entries = cache
        .as_ref()
        .map(|c| c.entries.iter().enumerate().peekable());
    let mut taken: Vec<Option<usize>> = Vec::with_capacity(names.len());
    for (name, fp) in names.iter().zip(&fingerprints) {
        let found = entries.as_mut().and_then(|entries| {
            while entries.next_if(|(_, e)| e.name < *name).is_some() {}
            entries.next_if(|(_, e)| e.name == *name)
        });
        let trusted =
            found.filter(|(_, e)| cache.as_ref().is_some_and(|c| c.trusts(&e.fingerprint, fp)));
        taken.push(trusted.map(|(k, _)| k));
    }
    let unread: Vec<&String> = names
        .iter()
        .zip(&taken)
        .filter(|(_, k)| k.is_none())
        .map(|(name, _)| name)
        .collect();
    let mut fresh = read_headers(dir, shown, &unread)?.into_iter();
    let same_files = cache
        .as_ref()
        .is_some_and(|c| c.entries.len() == names.len());
    let changed = !unread.is_empty() || !same_files;
    // A folder listed (changed, or too recently to be trusted) is recorded once it has
    // settled, so that the next run need not list it.
    let refresh = listed && cache::settled(&folder);
    let mut from_cache: Vec<Option<ScriptHeader>> = match cache {
        Some(c) => c.entries.into_iter().map(|e| Some(e.header)).collect(),
        None => Vec::new(),
    };
    let mut headers = Vec::with_capacity(names.len());
    for k in &taken {
        let header = match k {
            Some(k) => from_cache.get_mut(*k).and_then(Option::take),
            None => Some(fresh.next().unwrap_or_else(|| {
                unreachable!("one script is read for every file not in the cache")
            })),
        };
        headers.push(header.unwrap_or_else(|| unreachable!("a cache entry taken twice")));
    }
    if changed || refresh {
        let entries: Vec<(&str, Fingerprint, &ScriptHeader)> = names
            .iter()
            .zip(&fingerprints)
            .zip(&headers)
            .map(|((name, fp), header)| (name.as_str(), *fp, header))
            .collect();
        cache::save(cache_path, folder, &entries);
    }
    let cached = taken.iter().map(Option::is_some).collect();
    Ok(Listing {
        headers,
        cached,
        listed,
    })
}

/// Fingerprints files of `dir` by name, following symbolic links (a link's own metadata
/// says nothing about its target's content). On Linux relative to the open folder: at
/// 10,000 files, walking the whole path again for each was a tenth of start-up.
#[cfg(target_os = "linux")]
fn stat_in(dir: &Path) -> impl Fn(&str) -> std::io::Result<Fingerprint> + Sync + '_ {
    use rustix::fs::{AtFlags, Mode, OFlags, StatxFlags};
    let flags = OFlags::RDONLY | OFlags::DIRECTORY | OFlags::CLOEXEC;
    let folder = rustix::fs::open(dir, flags, Mode::empty());
    let mask = StatxFlags::SIZE | StatxFlags::MTIME | StatxFlags::CTIME | StatxFlags::INO;
    move |name| match &folder {
        Ok(folder) => rustix::fs::statx(folder, name, AtFlags::empty(), mask)
            .map(|st| Fingerprint::of_statx(&st))
            .map_err(std::io::Error::from),
        Err(_) => fs::metadata(dir.join(name)).map(|m| Fingerprint::of(&m)),
    }
}

#[cfg(not(target_os = "linux"))]
fn stat_in(dir: &Path) -> impl Fn(&str) -> std::io::Result<Fingerprint> + Sync + '_ {
    move |name| fs::metadata(dir.join(name)).map(|m| Fingerprint::of(&m))
}

/// The migration files in `dir`, sorted by name.
fn list(dir: &Path) -> Result<Vec<String>, ScriptError> {
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
            files.push(name);
        }
    }
    files.sort_unstable();
    Ok(files)
}

/// The headers of the files `names` of `dir`, read and parsed on every core, in order.
fn read_headers(
    dir: &Path,
    shown: &Path,
    names: &[impl AsRef<str> + Sync],
) -> Result<Vec<ScriptHeader>, ScriptError> {
    parallel::map(names, |name| {
        read_script(dir, shown, name.as_ref()).map(Script::into_header)
    })
    .into_iter()
    .collect()
}

/// Reads and parses `dir/name`; its path in messages and in the script is `shown/name`.
pub(super) fn read_script(dir: &Path, shown: &Path, name: &str) -> Result<Script, ScriptError> {
    let path = shown.join(name);
    let bytes = read_regular(&dir.join(name)).map_err(|e| io_err(&path, e))?;
    let text = std::str::from_utf8(&bytes).map_err(|e| ScriptError {
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
}

fn io_err(path: &Path, e: std::io::Error) -> ScriptError {
    ScriptError {
        path: path.to_path_buf(),
        line: None,
        message: format!("cannot read: {e}"),
    }
}
