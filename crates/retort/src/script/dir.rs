//! Reading every migration of a folder. This is the start-up cost of every command, so
//! files are read with as few system calls as possible (open, size, one read, close) and,
//! for large folders, on all cores at once.

use std::fs;
use std::io::Read;
use std::path::{Path, PathBuf};

use super::{parse, Script, ScriptError};

/// Below this many files, threads cost more than they save.
const PARALLEL_THRESHOLD: usize = 256;

/// Every `*.sql` file directly inside `dir`, parsed, in file-name order (the graph breaks
/// ties between unrelated revisions by this order, so it must not depend on the file system).
pub fn read_dir(dir: &Path) -> Result<Vec<Script>, ScriptError> {
    let entries = fs::read_dir(dir).map_err(|e| io_err(dir, e))?;
    let mut paths = Vec::new();
    for entry in entries {
        let entry = entry.map_err(|e| io_err(dir, e))?;
        let name = entry.file_name();
        let is_sql = Path::new(&name)
            .extension()
            .is_some_and(|ext| ext.eq_ignore_ascii_case("sql"));
        let hidden = name.to_string_lossy().starts_with('.');
        if is_sql && !hidden {
            paths.push((name, entry.path()));
        }
    }
    // All in one folder: comparing the names is enough, and far cheaper than Path's
    // component-wise ordering at 10,000 files.
    paths.sort_unstable_by(|a, b| a.0.cmp(&b.0));
    let paths: Vec<PathBuf> = paths.into_iter().map(|(_, p)| p).collect();
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get().min(8));
    if threads < 2 || paths.len() < PARALLEL_THRESHOLD {
        return read_all(&paths);
    }
    let chunk = paths.len().div_ceil(threads);
    std::thread::scope(|scope| {
        let workers: Vec<_> = paths
            .chunks(chunk)
            .map(|part| scope.spawn(move || read_all(part)))
            .collect();
        let mut scripts = Vec::with_capacity(paths.len());
        for worker in workers {
            let part = worker.join().map_err(|_| ScriptError {
                path: dir.to_path_buf(),
                line: None,
                message: "a reader thread panicked".into(),
            })??;
            scripts.extend(part);
        }
        Ok(scripts)
    })
}

fn read_all(paths: &[PathBuf]) -> Result<Vec<Script>, ScriptError> {
    let mut scripts = Vec::with_capacity(paths.len());
    // Zeroed once and reused: a migration file almost always fits.
    let mut buf = vec![0u8; 64 * 1024];
    let mut large = Vec::new();
    for path in paths {
        let bytes = read_file(path, &mut buf, &mut large).map_err(|e| io_err(path, e))?;
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
        scripts.push(parse(path, text)?);
    }
    Ok(scripts)
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
