//! What a device has seen of the couple's shared content files, kept in its cache folder: the
//! items (prompts, needs, steps, …, by ID) each file has held in every version seen, and those
//! seen removed. When syncing leaves two versions of a file, an item in only one of them that
//! was there before is one the other version deleted; an item never seen before is one that
//! version added. `couple doctor` merges by that, so that nothing added is lost and nothing
//! deleted comes back.

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

/// The items content file `name` held before two versions of it parted, as far as this device
/// knows: every item each version it saw held, and every item it saw removed. Empty when it
/// knows nothing of the file (then a merge keeps every item of both versions).
pub fn before(memory: &Path, name: &str) -> BTreeSet<String> {
    load(memory)
        .files
        .remove(name)
        .map(|f| f.always.union(&f.removed).cloned().collect())
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
    fn items_seen_in_every_version_and_items_seen_removed_count_as_there_before() {
        let t = tempfile::tempdir().unwrap();
        let m = t.path().join("cache/content-seen.json");
        assert!(before(&m, "walks.toml").is_empty());
        observe(&m, [("walks.toml", &*file(&["a", "b", "c"]))]).unwrap();
        observe(&m, [("walks.toml", &*file(&["a", "c", "d"]))]).unwrap();
        let b = before(&m, "walks.toml");
        let keys: Vec<&str> = b.iter().map(String::as_str).collect();
        assert_eq!(
            keys,
            ["prompt:\"a\"", "prompt:\"b\"", "prompt:\"c\""],
            "d was added, b removed"
        );
        // Seen again: no longer removed, and not there in every version.
        observe(&m, [("walks.toml", &*file(&["a", "b", "c", "d"]))]).unwrap();
        assert_eq!(before(&m, "walks.toml").len(), 2);
        // A file that does not parse changes nothing.
        observe(&m, [("walks.toml", "version = ")]).unwrap();
        assert_eq!(before(&m, "walks.toml").len(), 2);
    }
}
