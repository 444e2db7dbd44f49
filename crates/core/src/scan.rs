//! The look every command takes, at its end, for what syncing left in the data folder, made
//! cheap: the device cache remembers each record folder's modification time with the conflict
//! copies and subfolders it held, and a folder is listed again only when its time has moved.
//! Adding, removing or renaming a file changes its folder's time, and every sync tool makes a
//! conflict copy that way, so a command with nothing new looks at a dozen folder times and no
//! folder listing. A folder changed in the last two seconds is not remembered (its time may not
//! move again within the same clock tick) and is listed on every look until it settles.

use crate::files::{self, FileKind};
use crate::store::{Store, write_atomic};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::fs;
use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// A folder changed this recently is listed again on the next look.
const SETTLE: Duration = Duration::from_secs(2);

/// What the device remembers between commands about one data folder: the folders it looked at,
/// and what it last said, so that each thing is said once.
#[derive(Debug, Default, Clone, PartialEq, Serialize, Deserialize)]
pub struct Memo {
    /// The conflict copies last reported, by path in the data folder.
    #[serde(default)]
    pub reported: Vec<String>,
    /// Records left out that were reported: message, and the file's path and state when it was
    /// said. Said again once the file changes.
    #[serde(default)]
    pub left_out: BTreeMap<String, (PathBuf, String)>,
    #[serde(default)]
    folders: BTreeMap<String, Folder>,
}

/// One record folder as it was last listed.
#[derive(Debug, Default, Clone, PartialEq, Serialize, Deserialize)]
struct Folder {
    /// Its modification time and inode; empty when it had changed too recently to trust.
    key: String,
    /// Its subfolders that may hold records (names).
    subdirs: Vec<String>,
    /// Its conflict copies: (copy, the record it belongs to), by name.
    copies: Vec<(String, String)>,
}

impl Memo {
    /// The memo kept at `path`; an empty one when there is none or it cannot be read (it is only
    /// a cache: the next look lists every folder).
    pub fn load(path: &Path) -> Memo {
        fs::read(path)
            .ok()
            .and_then(|b| serde_json::from_slice(&b).ok())
            .unwrap_or_default()
    }

    /// Writes the memo to `path`, creating its folder privately.
    pub fn save(&self, path: &Path) -> crate::Result<()> {
        if let Some(p) = path.parent() {
            Store::new(p).ensure_dir("")?;
        }
        let bytes = serde_json::to_vec(self).map_err(|e| crate::Error::io(path, e.into()))?;
        write_atomic(path, &bytes)
    }
}

/// What identifies a file's or folder's state without reading it: size, modification time and
/// inode. Empty when it changed within [`SETTLE`] of `now`.
pub fn state_key(m: &fs::Metadata, now: SystemTime) -> String {
    let now = now.duration_since(UNIX_EPOCH).unwrap_or_default().as_secs() as i64;
    if m.mtime().max(m.ctime()) + SETTLE.as_secs() as i64 >= now {
        return String::new();
    }
    file_key(m)
}

/// Size, modification time and inode, however recent: good enough to say something again when a
/// file changes, not to trust a cache with.
pub fn file_key(m: &fs::Metadata) -> String {
    format!("{}.{}.{}.{}", m.len(), m.mtime(), m.mtime_nsec(), m.ino())
}

fn join(rel: &str, name: &str) -> String {
    if rel.is_empty() {
        name.to_owned()
    } else {
        format!("{rel}/{name}")
    }
}

/// Lists folder `rel`: its conflict copies, and its subfolders when it is the root or one level
/// below it (records live no deeper than two levels down).
fn list(store: &Store, rel: &str, key: String) -> Folder {
    let mut f = Folder {
        key,
        ..Folder::default()
    };
    let Ok(entries) = fs::read_dir(store.path(rel)) else {
        return f;
    };
    let deep_enough = rel.contains('/');
    for e in entries.flatten() {
        let Some(name) = e.file_name().to_str().map(str::to_owned) else {
            continue;
        };
        if let FileKind::ConflictCopy { of } = files::classify(&name) {
            f.copies.push((name, of));
        } else if !deep_enough
            && files::is_plain_name(&name)
            && e.file_type().is_ok_and(|t| t.is_dir())
        {
            f.subdirs.push(name);
        }
    }
    f.subdirs.sort();
    f.copies.sort();
    f
}

/// Every sync conflict copy in the data folder as (copy, the record it belongs to), by path in
/// the data folder, listing only the folders that changed since `memo` saw them; `memo` is
/// brought up to date. Returns whether the memo changed.
pub fn conflict_copies(
    store: &Store,
    memo: &mut Memo,
    now: SystemTime,
) -> (Vec<(String, String)>, bool) {
    let mut out = Vec::new();
    let mut seen = BTreeMap::new();
    let mut todo = vec![String::new()];
    while let Some(rel) = todo.pop() {
        let path = store.path(&rel);
        // The root may be a link to the real folder; the folders inside it never are.
        let meta = if rel.is_empty() {
            fs::metadata(&path)
        } else {
            fs::symlink_metadata(&path)
        };
        let Some(meta) = meta.ok().filter(|m| m.is_dir()) else {
            continue;
        };
        let key = state_key(&meta, now);
        let folder = match memo.folders.get(&rel) {
            Some(f) if !key.is_empty() && f.key == key => f.clone(),
            _ => list(store, &rel, key),
        };
        todo.extend(folder.subdirs.iter().map(|s| join(&rel, s)));
        out.extend(
            folder
                .copies
                .iter()
                .map(|(c, of)| (join(&rel, c), join(&rel, of))),
        );
        seen.insert(rel, folder);
    }
    let changed = seen != memo.folders;
    memo.folders = seen;
    out.sort();
    (out, changed)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Sets the modification time of every folder below `root` (and its own) an hour back, as
    /// if nothing had changed there for a while.
    fn settle(root: &Path) {
        let past = SystemTime::now() - Duration::from_secs(3600);
        let mut todo = vec![root.to_owned()];
        while let Some(d) = todo.pop() {
            for e in fs::read_dir(&d).unwrap().flatten() {
                if e.file_type().unwrap().is_dir() {
                    todo.push(e.path());
                }
            }
            fs::File::open(&d).unwrap().set_modified(past).unwrap();
        }
    }

    /// A moment after the files were made, as if they had not changed for a while: the
    /// folders' change times cannot be set back like their modification times.
    fn later() -> SystemTime {
        SystemTime::now() + Duration::from_secs(10)
    }

    #[test]
    fn a_settled_folder_is_not_listed_again_and_a_new_copy_is_found() {
        let t = tempfile::tempdir().unwrap();
        let store = Store::new(t.path());
        fs::create_dir_all(t.path().join("answers/ppp1")).unwrap();
        fs::create_dir_all(t.path().join("needs")).unwrap();
        fs::write(t.path().join("needs/abcd.json"), "{}").unwrap();
        settle(t.path());
        let mut memo = Memo::default();
        let (found, changed) = conflict_copies(&store, &mut memo, later());
        assert!(found.is_empty());
        assert!(changed);
        assert_eq!(memo.folders.len(), 4, "{memo:?}");
        assert!(memo.folders.values().all(|f| !f.key.is_empty()));

        // Remembered: a settled folder is not listed again, so a copy planted in the memo is
        // what it reports.
        let mut planted = memo.clone();
        let needs = planted.folders.get_mut("needs").unwrap();
        needs.copies.push(("x".into(), "y".into()));
        let (found, changed) = conflict_copies(&store, &mut planted, later());
        assert_eq!(found, [("needs/x".to_owned(), "needs/y".to_owned())]);
        assert!(!changed);

        // A conflict copy arriving changes its folder's time: that folder is listed again, and
        // while its time is that recent, on every look.
        let copy = "abcd.sync-conflict-20260301-101010-ABCDEFG.json";
        fs::write(t.path().join("answers/ppp1").join(copy), "{}").unwrap();
        let want = [(
            format!("answers/ppp1/{copy}"),
            "answers/ppp1/abcd.json".into(),
        )];
        let (found, _) = conflict_copies(&store, &mut memo, SystemTime::now());
        assert_eq!(found, want);
        assert!(
            memo.folders["answers/ppp1"].key.is_empty(),
            "too recent to trust"
        );
        let (found, _) = conflict_copies(&store, &mut memo, later());
        assert_eq!(found, want);
        assert!(!memo.folders["answers/ppp1"].key.is_empty());

        // A new folder is found through its parent's changed time.
        fs::create_dir_all(t.path().join("touch/holds")).unwrap();
        let (_, changed) = conflict_copies(&store, &mut memo, later());
        assert!(changed);
        assert!(memo.folders.contains_key("touch/holds"), "{memo:?}");
    }
}
