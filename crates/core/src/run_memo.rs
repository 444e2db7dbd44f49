//! What one run has already read and parsed of this device's own small files (its keys, its
//! pins, its settings), so that a run that asks for one several times reads and parses it once.
//!
//! The file is always trusted over the memo: each use costs one `stat`, and the file is read
//! again as soon as its size, inode, or modification or change time moved. A file changed in the
//! last two seconds is never kept (it may change again within the same clock tick without its
//! times moving), and every atomic write through closer forgets what was kept of that file.
//! Nothing is kept between runs.

use std::any::{Any, TypeId};
use std::collections::HashMap;
use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// A file changed this recently is read again on every use.
const SETTLE: Duration = Duration::from_secs(2);

/// A file as it was when it was read: size, inode, modification and change times (ns).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Stamp {
    len: u64,
    ino: u64,
    mtime_ns: i128,
    ctime_ns: i128,
}

impl Stamp {
    /// The file's stamp now, or `None` when it cannot be looked at or changed too recently.
    fn of(path: &Path, now: SystemTime) -> Option<Stamp> {
        let m = std::fs::symlink_metadata(path).ok()?;
        let ns = |s: i64, n: i64| i128::from(s) * 1_000_000_000 + i128::from(n);
        let stamp = Stamp {
            len: m.len(),
            ino: m.ino(),
            mtime_ns: ns(m.mtime(), m.mtime_nsec()),
            ctime_ns: ns(m.ctime(), m.ctime_nsec()),
        };
        let now = now
            .duration_since(UNIX_EPOCH)
            .unwrap_or_default()
            .as_nanos() as i128;
        let settled = stamp.mtime_ns.max(stamp.ctime_ns) + SETTLE.as_nanos() as i128 <= now;
        settled.then_some(stamp)
    }
}

type Kept = (Stamp, Arc<dyn Any + Send + Sync>);

static KEPT: Mutex<Option<HashMap<(PathBuf, TypeId), Kept>>> = Mutex::new(None);

/// What `read` gives for the file at `path`, as read earlier in this run while the file is
/// unchanged since; otherwise `read` runs (and its answer is kept when the file has settled).
/// `read` must depend on nothing but the file's bytes.
pub fn read<T, E>(path: &Path, read: impl FnOnce() -> Result<T, E>) -> Result<T, E>
where
    T: Clone + Send + Sync + 'static,
{
    read_at(path, SystemTime::now(), read)
}

fn read_at<T, E>(path: &Path, now: SystemTime, read: impl FnOnce() -> Result<T, E>) -> Result<T, E>
where
    T: Clone + Send + Sync + 'static,
{
    let key = (path.to_owned(), TypeId::of::<T>());
    let stamp = Stamp::of(path, now);
    if let Some(stamp) = stamp {
        let kept = KEPT.lock().unwrap_or_else(|e| e.into_inner());
        if let Some((s, v)) = kept.as_ref().and_then(|k| k.get(&key))
            && *s == stamp
            && let Some(v) = v.downcast_ref::<T>()
        {
            return Ok(v.clone());
        }
    }
    let value = read()?;
    let mut kept = KEPT.lock().unwrap_or_else(|e| e.into_inner());
    let kept = kept.get_or_insert_with(HashMap::new);
    match stamp {
        // Kept only if the file did not move while it was read.
        Some(s) if Stamp::of(path, now) == Some(s) => {
            kept.insert(key, (s, Arc::new(value.clone())));
        }
        _ => {
            kept.retain(|(p, _), _| p != path);
        }
    }
    Ok(value)
}

/// Forgets what was kept of the file at `path` (it is being written).
pub fn forget(path: &Path) {
    let mut kept = KEPT.lock().unwrap_or_else(|e| e.into_inner());
    if let Some(k) = kept.as_mut() {
        k.retain(|(p, _), _| p != path);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::cell::Cell;

    #[test]
    fn a_settled_file_is_read_once_and_again_as_soon_as_it_moves() {
        let t = tempfile::tempdir().unwrap();
        let path = t.path().join("pins.json");
        std::fs::write(&path, "one").unwrap();
        let reads = Cell::new(0);
        let get = |now: SystemTime| {
            read_at(&path, now, || {
                reads.set(reads.get() + 1);
                std::fs::read_to_string(&path)
            })
            .unwrap()
        };
        let now = SystemTime::now();
        let later = now + Duration::from_secs(60);
        // Changed just now: read on every use.
        assert_eq!(
            (get(now), get(now), reads.get()),
            ("one".into(), "one".into(), 2)
        );
        // Settled: read once more, then kept.
        assert_eq!(
            (get(later), get(later), reads.get()),
            ("one".into(), "one".into(), 3)
        );

        // Rewritten in place, the same size: its times moved, so it is read again.
        std::thread::sleep(Duration::from_millis(20));
        std::fs::write(&path, "two").unwrap();
        assert_eq!((get(later), reads.get()), ("two".into(), 4));
        assert_eq!((get(later), reads.get()), ("two".into(), 4));
        // Forgotten (written through closer): read again.
        forget(&path);
        assert_eq!((get(later), reads.get()), ("two".into(), 5));
        // Gone: read again, and what it says now is what counts.
        std::fs::remove_file(&path).unwrap();
        let gone = read_at(&path, later, || std::fs::read_to_string(&path));
        assert!(gone.is_err());
    }
}
