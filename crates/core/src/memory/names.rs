//! The names of the needs a device remembers, beside the memory of the needs (`needs.names`
//! next to `needs.json`): a listing whose need files are all still there learns it from this
//! short file, without reading what is remembered of each need. It names the state (size, times,
//! inode) `needs.json` had when it was written and is used only while that file is exactly so;
//! it goes before `needs.json` is written again, so a run stopped in between leaves none. IDs
//! only, never any text.

use std::path::Path;

const MAGIC: &str = "closer-memory-needs 1";

/// The file beside the memory of the needs in `dir`.
pub(super) const FILE: &str = "needs.names";

/// The state of the memory of the needs in `dir` now, however recently it changed.
fn state(dir: &Path) -> Option<String> {
    std::fs::symlink_metadata(dir.join(super::SHARDS[1]))
        .ok()
        .filter(std::fs::Metadata::is_file)
        .map(|m| crate::index::file_key(&m))
}

/// The names (IDs) of the needs remembered in `dir`, when the names file there was written with
/// the memory of the needs as it is now.
pub(super) fn read(dir: &Path) -> Option<Vec<String>> {
    let text = std::fs::read_to_string(dir.join(FILE)).ok()?;
    let mut lines = text.lines();
    if lines.next() != Some(MAGIC) || lines.next()? != state(dir)? {
        return None;
    }
    Some(lines.map(str::to_owned).collect())
}

/// Removes the names file in `dir`: before the memory of the needs is written again.
pub(super) fn remove(dir: &Path) -> std::io::Result<()> {
    match std::fs::remove_file(dir.join(FILE)) {
        Err(e) if e.kind() != std::io::ErrorKind::NotFound => Err(e),
        _ => Ok(()),
    }
}

/// Writes the names file in `dir` for the needs at `places` (every place under `needs/`), as the
/// memory of the needs there is now. Only a shortcut: when it cannot be written, the memory of
/// the needs is read instead.
pub(super) fn write<'a>(dir: &Path, places: impl Iterator<Item = &'a String>) {
    let Some(state) = state(dir) else {
        return;
    };
    let mut text = format!("{MAGIC}\n{state}\n");
    for p in places {
        if p.contains('\n') {
            return;
        }
        text.push_str(p.strip_prefix("needs/").unwrap_or(p));
        text.push('\n');
    }
    let _ = crate::open_cache::write_private(&dir.join(FILE), text.as_bytes());
}
