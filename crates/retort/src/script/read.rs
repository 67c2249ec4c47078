//! Reading a file that must be a regular one: migration files and the start-up cache
//! alike, neither of which may hang a command.

use std::fs;
use std::io::Read;
use std::path::Path;

/// A regular file's bytes. Anything else at `path` (a FIFO, a device, a folder) is an
/// error rather than a read that may never end: the file is opened without blocking and
/// checked before it is read.
pub(super) fn read_regular(path: &Path) -> std::io::Result<Vec<u8>> {
    let mut options = fs::OpenOptions::new();
    options.read(true);
    #[cfg(target_os = "linux")]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.custom_flags(rustix::fs::OFlags::NONBLOCK.bits() as i32);
    }
    let mut file = options.open(path)?;
    let meta = file.metadata()?;
    if !meta.is_file() {
        return Err(std::io::Error::other("not a regular file"));
    }
    let mut bytes = Vec::with_capacity(usize::try_from(meta.len()).unwrap_or(0).min(1 << 26));
    file.read_to_end(&mut bytes)?;
    Ok(bytes)
}
