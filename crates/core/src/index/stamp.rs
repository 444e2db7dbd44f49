//! What a file looks like without reading it: size, modification and change times, inode. The
//! change time moves on every write, rename and change of mode, and no one but the kernel sets
//! it, so a file put back with its old modification time still looks changed.

use std::fs::File;
use std::os::unix::fs::MetadataExt;
use std::path::Path;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// A file changed this recently may change again within the same clock tick without its times
/// moving; it is not trusted to a cache (the way git treats "racy" files).
pub(crate) const SETTLE: Duration = Duration::from_secs(2);

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Stamp {
    size: u64,
    mtime: i64,
    mtime_ns: i64,
    ctime: i64,
    ctime_ns: i64,
    ino: u64,
}

impl Stamp {
    pub(crate) fn of(m: &std::fs::Metadata) -> Stamp {
        Stamp {
            size: m.len(),
            mtime: m.mtime(),
            mtime_ns: m.mtime_nsec(),
            ctime: m.ctime(),
            ctime_ns: m.ctime_nsec(),
            ino: m.ino(),
        }
    }

    /// The stamp of `name` in the open folder `dir` (at `path`), its link itself if it is one:
    /// one system call, the name looked up in that folder only; through the full path where
    /// the kernel has no `statx`.
    pub(crate) fn at(dir: &File, path: &Path, name: &str) -> std::io::Result<Stamp> {
        use rustix::fs::{AtFlags, StatxFlags};
        let wanted = StatxFlags::SIZE | StatxFlags::MTIME | StatxFlags::CTIME | StatxFlags::INO;
        match rustix::fs::statx(dir, name, AtFlags::SYMLINK_NOFOLLOW, wanted) {
            Ok(s) => Ok(Stamp {
                size: s.stx_size,
                mtime: s.stx_mtime.tv_sec,
                mtime_ns: i64::from(s.stx_mtime.tv_nsec),
                ctime: s.stx_ctime.tv_sec,
                ctime_ns: i64::from(s.stx_ctime.tv_nsec),
                ino: s.stx_ino,
            }),
            Err(e) if e == rustix::io::Errno::NOENT => Err(e.into()),
            Err(_) => std::fs::symlink_metadata(path.join(name)).map(|m| Stamp::of(&m)),
        }
    }

    /// Written out: size, modification and change times (seconds, nanoseconds), inode.
    pub(crate) fn key(&self) -> String {
        format!(
            "{}.{}.{}.{}.{}.{}",
            self.size, self.mtime, self.mtime_ns, self.ctime, self.ctime_ns, self.ino
        )
    }

    /// Whether `key` ([`Stamp::key`]) is this stamp, read without writing this one out.
    pub(crate) fn is(&self, key: &str) -> bool {
        let now = [
            i64::try_from(self.size).ok(),
            Some(self.mtime),
            Some(self.mtime_ns),
            Some(self.ctime),
            Some(self.ctime_ns),
            i64::try_from(self.ino).ok(),
        ];
        let mut f = super::line::split_at(key, b'.');
        now.iter()
            .all(|n| n.is_some() && f.next().and_then(|s| s.parse().ok()) == *n)
            && f.next().is_none()
    }

    /// Changed within [`SETTLE`] of `now`.
    pub(crate) fn racy(&self, now: SystemTime) -> bool {
        let now = now.duration_since(UNIX_EPOCH).unwrap_or_default().as_secs() as i64;
        self.mtime.max(self.ctime) + SETTLE.as_secs() as i64 >= now
    }

    /// Its key, or nothing when it changed too recently to be trusted to a cache.
    pub(crate) fn settled_key(&self, now: SystemTime) -> Option<String> {
        (!self.racy(now)).then(|| self.key())
    }
}
