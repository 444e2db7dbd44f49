//! Two data folders kept in step as Syncthing keeps them, for scenarios of a partner with two
//! devices.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use support::tree;

use super::support;

/// Two folders kept in step as Syncthing does: against what both held after the last sync, a
/// file changed on one side only is copied to the other; one changed on both keeps the newer in
/// place on both and the other as a conflict copy beside it on both.
pub struct Mirror {
    a: PathBuf,
    b: PathBuf,
    base: BTreeMap<String, Vec<u8>>,
}

impl Mirror {
    pub fn new(a: PathBuf, b: PathBuf) -> Mirror {
        support::copy_dir(&a, &b);
        private(&b);
        let base = files(&a);
        Mirror { a, b, base }
    }

    pub fn sync(&mut self) {
        let (ta, tb) = (files(&self.a), files(&self.b));
        let mut all: Vec<&String> = ta.keys().chain(tb.keys()).chain(self.base.keys()).collect();
        all.sort();
        all.dedup();
        let put = |root: &Path, f: &str, bytes: &[u8]| {
            let p = root.join(f);
            std::fs::create_dir_all(p.parent().unwrap()).unwrap();
            std::fs::write(p, bytes).unwrap();
            private(root);
        };
        let rm = |root: &Path, f: &str| {
            let _ = std::fs::remove_file(root.join(f));
        };
        for f in all {
            let (x, y, was) = (ta.get(f), tb.get(f), self.base.get(f));
            match (x, y) {
                _ if x == y => {}
                _ if x == was => match y {
                    Some(y) => put(&self.a, f, y),
                    None => rm(&self.a, f),
                },
                _ if y == was => match x {
                    Some(x) => put(&self.b, f, x),
                    None => rm(&self.b, f),
                },
                (Some(keep), None) | (None, Some(keep)) => {
                    put(&self.a, f, keep);
                    put(&self.b, f, keep);
                }
                (Some(x), Some(y)) => {
                    // The later writer (the second folder here) wins; the other is the copy.
                    let (stem, ext) = f.rsplit_once('.').unwrap_or((f, ""));
                    let copy = format!("{stem}.sync-conflict-20260302-101500-AAAAAAA.{ext}");
                    for root in [&self.a, &self.b] {
                        put(root, f, y);
                        put(root, &copy, x);
                    }
                }
                (None, None) => {}
            }
        }
        self.base = files(&self.a);
    }
}

/// Makes `dir` and everything in it private to its owner, as closer keeps a data folder.
fn private(dir: &Path) {
    use std::os::unix::fs::PermissionsExt;
    let mode = if dir.is_dir() { 0o700 } else { 0o600 };
    std::fs::set_permissions(dir, std::fs::Permissions::from_mode(mode)).unwrap();
    if dir.is_dir() {
        for e in std::fs::read_dir(dir).unwrap().flatten() {
            private(&e.path());
        }
    }
}

/// The files of a data folder a sync tool copies (no folders, no locks or temporary files).
fn files(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    tree(dir)
        .into_iter()
        .filter(|(f, _)| {
            let name = f.rsplit('/').next().unwrap_or(f);
            !f.ends_with('/') && !name.starts_with('.')
        })
        .collect()
}

pub fn conflict_copies(dir: &Path) -> Vec<String> {
    files(dir)
        .into_keys()
        .filter(|f| f.contains(".sync-conflict-"))
        .collect()
}
