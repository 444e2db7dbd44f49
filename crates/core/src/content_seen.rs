//! What a device has seen of the couple's shared content files, kept in its cache folder: the
//! items (prompts, needs, steps, …, by ID) each file has held in every version seen, and those
//! seen removed. When syncing leaves two versions of a file, an item in only one of them that
//! this device saw removed stays out. Any other item one version lacks is kept: the first
//! version a device sees may already hold what was added after the two versions parted, so an
//! item it has seen in every version may be one the other version deleted or one this version
//! added, and it cannot tell which. `couple doctor` keeps those and names them.

use crate::error::{Error, Result};
use crate::merge_content;
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

const VERSION: u32 = 1;

#[derive(Debug, Default, Serialize, Deserialize)]
struct Memory {
    version: u32,
    files: BTreeMap<String, File>,
}

#[derive(Debug, Default, Clone, PartialEq, Serialize, Deserialize)]
struct File {
    /// A digest of the text last seen, so that an unchanged file costs nothing.
    digest: String,
    /// The items of the version last seen.
    last: BTreeSet<String>,
    /// The items every version seen held.
    always: BTreeSet<String>,
    /// The items seen removed (and not seen again since).
    removed: BTreeSet<String>,
}

fn load(memory: &Path) -> Memory {
    std::fs::read(memory)
        .ok()
        .and_then(|b| serde_json::from_slice::<Memory>(&b).ok())
        .filter(|m| m.version == VERSION)
        .unwrap_or_default()
}

fn digest(text: &str) -> String {
    use sha2::Digest;
    let d = sha2::Sha256::digest(text.as_bytes());
    d.iter().take(16).map(|b| format!("{b:02x}")).collect()
}

/// Notes the content files as they are now (`name` inside the content folder, text). A file that
/// does not parse is not noted. Written only when something changed.
pub fn observe<'a>(
    memory: &Path,
    files: impl IntoIterator<Item = (&'a str, &'a str)>,
) -> Result<()> {
    let mut m = load(memory);
    let mut changed = false;
    for (name, text) in files {
        let d = digest(text);
        if m.files.get(name).is_some_and(|f| f.digest == d) {
            continue;
        }
        let Some(items) = merge_content::items(text) else {
            continue;
        };
        let f = m.files.entry(name.to_owned()).or_insert_with(|| File {
            always: items.clone(),
            ..File::default()
        });
        f.removed.extend(f.last.difference(&items).cloned());
        f.removed.retain(|i| !items.contains(i));
        f.always.retain(|i| items.contains(i));
        f.last = items;
        f.digest = d;
        changed = true;
    }
    if !changed {
        return Ok(());
    }
    m.version = VERSION;
    let bytes = serde_json::to_vec(&m).map_err(|e| Error::invalid(e.to_string()))?;
    if let Some(dir) = memory.parent() {
        crate::store::Store::new(dir).ensure_dir("")?;
    }
    crate::store::write_atomic(memory, &bytes)
}

/// What this device saw of content file `name` (nothing when it knows nothing of the file: then
/// a merge keeps every item of both versions and names none).
pub fn seen(memory: &Path, name: &str) -> merge_content::Seen {
    load(memory)
        .files
        .remove(name)
        .map(|f| merge_content::Seen {
            removed: f.removed,
            always: f.always,
        })
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn file(ids: &[&str]) -> String {
        let mut t = "version = 1\n".to_owned();
        for id in ids {
            t.push_str(&format!("\n[[prompt]]\nid = \"{id}\"\n"));
        }
        t
    }

    #[test]
    fn items_seen_in_every_version_and_items_seen_removed_are_told_apart() {
        let t = tempfile::tempdir().unwrap();
        let m = t.path().join("cache/content-seen.json");
        let keys = |s: &BTreeSet<String>| s.iter().cloned().collect::<Vec<_>>();
        let s = seen(&m, "walks.toml");
        assert!(s.removed.is_empty() && s.always.is_empty());
        observe(&m, [("walks.toml", &*file(&["a", "b", "c"]))]).unwrap();
        observe(&m, [("walks.toml", &*file(&["a", "c", "d"]))]).unwrap();
        let s = seen(&m, "walks.toml");
        assert_eq!(keys(&s.removed), ["prompt:\"b\""], "b removed");
        assert_eq!(
            keys(&s.always),
            ["prompt:\"a\"", "prompt:\"c\""],
            "d was added"
        );
        // Seen again: no longer removed, and not there in every version.
        observe(&m, [("walks.toml", &*file(&["a", "b", "c", "d"]))]).unwrap();
        let s = seen(&m, "walks.toml");
        assert!(s.removed.is_empty());
        assert_eq!(s.always.len(), 2);
        // A file that does not parse changes nothing.
        observe(&m, [("walks.toml", "version = ")]).unwrap();
        assert_eq!(seen(&m, "walks.toml").always.len(), 2);
    }
}
