//! The notes folder's manifest, `.closer-notes.json`: whose folder it is, and for each note closer
//! wrote, where it is and a hash of what closer wrote. With it a re-export updates only notes
//! the user has not changed, finds a renamed note by its `closer_id`, and removes the notes of
//! records that are gone or no longer visible; an edited note is left alone and reported.

use closer_core::store::write_atomic;
use closer_core::{Error, Result};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};

pub(crate) const FILE: &str = ".closer-notes.json";

#[derive(Debug, Default, Serialize, Deserialize)]
pub(crate) struct Manifest {
    pub version: u32,
    /// The partner ID whose exports this folder holds ("" for shared records only).
    pub partner: String,
    /// By `closer_id`.
    pub notes: BTreeMap<String, Entry>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct Entry {
    /// Relative to the folder, with `/`.
    pub path: String,
    pub sha256: String,
}

pub(crate) fn hash(bytes: &[u8]) -> String {
    Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

impl Manifest {
    pub(crate) fn load(dir: &Path) -> Result<Option<Manifest>> {
        let path = dir.join(FILE);
        match std::fs::read(&path) {
            Ok(bytes) => serde_json::from_slice(&bytes).map(Some).map_err(|e| {
                Error::invalid(format!(
                    "{} does not parse ({e}); closer keeps track of its notes there: \
                     restore it, or export into a new folder",
                    path.display()
                ))
            }),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
            Err(e) => Err(Error::io(&path, e)),
        }
    }

    pub(crate) fn save(&self, dir: &Path) -> Result<()> {
        let bytes = serde_json::to_vec_pretty(self).map_err(|e| Error::Output(e.into()))?;
        write_atomic(&dir.join(FILE), &bytes)
    }
}

/// Where note `rel` (from the manifest, or closer's own default) is inside `dir`: only a
/// relative path of plain names ending in `.md`, none of whose parts is a link, so that nothing
/// outside the notes folder, and nothing but a note, is ever written or removed. `None` for
/// anything else.
pub(crate) fn inside(dir: &Path, rel: &str) -> Option<PathBuf> {
    use std::path::Component;
    let rel = Path::new(rel);
    let plain = rel.components().all(|c| matches!(c, Component::Normal(_)));
    if !plain || rel.extension().is_none_or(|x| x != "md") {
        return None;
    }
    let mut at = dir.to_path_buf();
    for part in rel.components() {
        at.push(part);
        match std::fs::symlink_metadata(&at) {
            Ok(m) if m.file_type().is_symlink() => return None,
            _ => {}
        }
    }
    Some(at)
}

/// What a note's front matter says its `closer_id` is.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum NoteId {
    Id(String),
    /// A `closer_id` line whose value cannot be read.
    Unreadable,
    None,
}

/// Reads the `closer_id` of a note: a quoted (JSON/YAML double-quoted) or plain value.
pub(crate) fn note_id(text: &str) -> NoteId {
    let Some(rest) = text.strip_prefix("---\n").or(text.strip_prefix("---\r\n")) else {
        return NoteId::None;
    };
    for line in rest.lines().take_while(|l| l.trim_end() != "---") {
        let Some(v) = line.strip_prefix("closer_id:") else {
            continue;
        };
        let v = v.trim();
        if v.starts_with('"') {
            return serde_json::from_str::<String>(v).map_or(NoteId::Unreadable, NoteId::Id);
        }
        let v = v.trim_matches('\'');
        let plain = !v.is_empty()
            && v.bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
        return if plain {
            NoteId::Id(v.to_owned())
        } else {
            NoteId::Unreadable
        };
    }
    NoteId::None
}

/// Every Markdown note under `dir` (hidden folders skipped) with the `closer_id` it carries.
pub(crate) fn scan(dir: &Path) -> Result<(HashMap<String, PathBuf>, Vec<PathBuf>)> {
    let (mut found, mut unreadable) = (HashMap::new(), Vec::new());
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        let entries = std::fs::read_dir(&d).map_err(|e| Error::io(&d, e))?;
        for e in entries.flatten() {
            let name = e.file_name();
            if name.to_string_lossy().starts_with('.') {
                continue;
            }
            let Ok(kind) = e.file_type() else { continue };
            let path = e.path();
            if kind.is_dir() {
                stack.push(path);
            } else if kind.is_file() && path.extension().is_some_and(|x| x == "md") {
                let Ok(text) = std::fs::read_to_string(&path) else {
                    continue;
                };
                match note_id(&text) {
                    NoteId::Id(id) => {
                        found.insert(id, path);
                    }
                    NoteId::Unreadable => unreadable.push(path),
                    NoteId::None => {}
                }
            }
        }
    }
    Ok((found, unreadable))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn closer_ids_are_read_quoted_or_plain_and_anything_else_is_unreadable() {
        let note = |v: &str| format!("---\ntitle: x\ncloser_id: {v}\n---\nbody");
        assert_eq!(
            note_id(&note("\"need-ab12\"")),
            NoteId::Id("need-ab12".into())
        );
        assert_eq!(note_id(&note("need-ab12")), NoteId::Id("need-ab12".into()));
        assert_eq!(
            note_id(&note("'day-2026-03-02'")),
            NoteId::Id("day-2026-03-02".into())
        );
        assert_eq!(note_id(&note("\"need-ab12")), NoteId::Unreadable);
        assert_eq!(note_id(&note("need ab12 [x]")), NoteId::Unreadable);
        assert_eq!(note_id("no front matter"), NoteId::None);
    }
}
