//! Loading a couple's own content files: the shared data folder's (a bad one left out and
//! named) and this device's (a bad one is an error), on top of the built-in library.

use super::{Library, schema};
use crate::error::Error;
use std::path::{Path, PathBuf};

/// A library and the shared content files left out of it, each an [`Error::ContentLeftOut`].
#[derive(Debug)]
pub struct Loaded {
    pub library: Library,
    pub left_out: Vec<Error>,
}

impl Library {
    /// The built-in library merged with every `*.toml` below `dir` (if it exists). Any mistake in
    /// those files is an error naming the file, line and column.
    pub fn load(dir: &Path) -> Result<Library, Error> {
        Ok(Library::load_shared(None, dir)?.library)
    }

    /// The built-in library merged with the content files of the shared data folder (`shared`,
    /// first, so that both devices use the same library) and of this device (`own`).
    ///
    /// A shared file that cannot be used (not text, does not parse, breaks a rule) is left out
    /// and returned as an [`Error::ContentLeftOut`] naming file, line and column: another device
    /// may have written it, and one bad file must not stop every command on both devices. A
    /// mistake in this device's own files is an error. An own file at the same place inside its
    /// folder as a shared file in use is left out, so a file moved to the data folder and still
    /// in the config folder counts once.
    pub fn load_shared(shared: Option<&Path>, own: &Path) -> Result<Loaded, Error> {
        let mut lib = Library::builtin();
        let mut left_out = Vec::new();
        let mut known = lib.known();
        let mut taken = std::collections::HashSet::new();
        let mut files = Vec::new();
        if let Some(dir) = shared {
            let mut parsed = Vec::new();
            for path in below(dir) {
                match read(&path) {
                    Ok(p) => parsed.push(p),
                    Err(m) => left_out.push(m),
                }
            }
            // Leaving a file out can break one that refers to it: check again until none breaks.
            loop {
                let mut k = lib.known();
                let mistakes = schema::check(&parsed, &mut k);
                if mistakes.is_empty() {
                    known = k;
                    break;
                }
                let mut bad = std::collections::BTreeMap::new();
                for m in mistakes {
                    bad.entry(m.file.clone()).or_insert(m);
                }
                parsed.retain(|p| !bad.contains_key(&p.name));
                left_out.extend(bad.into_values());
            }
            taken.extend(
                parsed
                    .iter()
                    .filter_map(|p| Path::new(&p.name).strip_prefix(dir).ok())
                    .map(Path::to_path_buf),
            );
            files = parsed;
        }
        let mut mistakes = Vec::new();
        let mut mine = Vec::new();
        for path in below(own) {
            if taken.contains(path.strip_prefix(own).unwrap_or(&path)) {
                continue;
            }
            match read(&path) {
                Ok(p) => mine.push(p),
                Err(m) => mistakes.push(m),
            }
        }
        mistakes.extend(schema::check(&mine, &mut known));
        if !mistakes.is_empty() {
            return Err(Error::Content(
                mistakes.iter().map(ToString::to_string).collect(),
            ));
        }
        for p in files.into_iter().chain(mine) {
            lib.add(p.file);
        }
        lib.steps.sort_by_key(|s| s.stage);
        lib.stages.sort_by_key(|s| s.number);
        Ok(Loaded {
            library: lib,
            left_out: left_out
                .into_iter()
                .map(|m| Error::ContentLeftOut {
                    path: m.file.into(),
                    line: m.line,
                    column: m.column,
                    message: m.message,
                })
                .collect(),
        })
    }
}

/// The content files below `dir`, sorted.
fn below(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    collect(dir, &mut out);
    out.sort();
    out
}

/// Reads and parses one content file; a file that is not UTF-8 text, or cannot be read, is a
/// mistake at the place it breaks. A byte-order mark is allowed.
fn read(path: &Path) -> Result<schema::Parsed, schema::Mistake> {
    let name = path.display().to_string();
    let at = |line, column, message: String| schema::Mistake {
        file: name.clone(),
        line,
        column,
        message,
    };
    let bytes = std::fs::read(path).map_err(|e| at(1, 1, format!("cannot be read: {e}")))?;
    let source = String::from_utf8(bytes).map_err(|e| {
        let good = &e.as_bytes()[..e.utf8_error().valid_up_to()];
        let (line, column) =
            schema::locate(std::str::from_utf8(good).unwrap_or_default(), good.len());
        at(line, column, "this is not UTF-8 text".into())
    })?;
    let source = match source.strip_prefix('\u{feff}') {
        Some(rest) => rest.to_owned(),
        None => source,
    };
    schema::parse(&name, source)
}

pub(super) fn collect(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        // Links are never followed: a synced folder may hold links back to itself (an endless
        // walk) or to files outside it.
        let Ok(kind) = entry.file_type() else {
            continue;
        };
        // A sync tool's second copy of a content file (or an editor's) would count every ID in
        // it twice, and stop every command on both devices.
        if crate::files::is_leftover_name(&entry.file_name().to_string_lossy()) {
            continue;
        }
        let path = entry.path();
        if kind.is_dir() {
            collect(&path, out);
        } else if kind.is_file() && path.extension().is_some_and(|e| e == "toml") {
            out.push(path);
        }
    }
}
