//! What identifies one version of a file without reading it: what the start-up cache
//! keeps of each file, and what the folder reader compares it with.

use std::fs;
use std::time::{SystemTime, UNIX_EPOCH};

/// What identifies one version of a file without reading it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct Fingerprint {
    pub(super) len: u64,
    pub(super) mtime_ns: i64,
    pub(super) ctime_ns: i64,
    pub(super) ino: u64,
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

    /// The same fingerprint as [`Fingerprint::of`], from a `statx` of the file.
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
pub(super) fn ns_since_epoch(t: SystemTime) -> i64 {
    let ns = |d: std::time::Duration| i64::try_from(d.as_nanos()).unwrap_or(i64::MAX);
    match t.duration_since(UNIX_EPOCH) {
        Ok(d) => ns(d),
        Err(e) => -ns(e.duration()),
    }
}
