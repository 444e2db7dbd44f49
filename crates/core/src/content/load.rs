//! Loading a couple's own content files: the shared data folder's (a bad one left out and
//! named) and this device's (a bad one is an error), on top of the built-in library.

use super::{Library, schema};
use crate::error::Error;
use std::collections::HashSet;
use std::path::{Path, PathBuf};

/// A library and the shared content files left out of it, each an [`Error::ContentLeftOut`].
#[derive(Debug)]
pub struct Loaded {
    pub library: Library,
    pub left_out: Vec<Error>,
    /// The shared files in use with no second version from syncing beside them, as (name inside
    /// the content folder, text): what [`crate::content_seen::observe`] notes.
    pub settled: Vec<(String, String)>,
}

/// The couple's shared content files as read from the data folder's content folder `dir`.
pub struct Shared<'a> {
    pub dir: &'a Path,
    /// Each file: parsed (named by its path), or the mistake that keeps it out.
    pub files: Vec<Result<schema::Parsed, schema::Mistake>>,
    /// The names inside `dir` of files that a sync tool left a second version of.
    pub conflicted: HashSet<String>,
}

impl Shared<'_> {
    /// The plain `*.toml` files below `dir`.
    pub fn plain(dir: &Path) -> Shared<'_> {
        let found = below(dir);
        Shared {
            dir,
            files: found.files.iter().map(|p| read(p)).collect(),
            conflicted: found.conflicted,
        }
    }

    /// The name inside the content folder of the file at `path` (`ours/walks.toml`), for a
    /// sealed file without its `.age`.
    pub fn name_of(&self, path: &str) -> String {
        let rel = Path::new(path)
            .strip_prefix(self.dir)
            .unwrap_or(Path::new(path));
        let rel = rel.to_string_lossy();
        rel.strip_suffix(".age").unwrap_or(&rel).to_owned()
    }
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
        Library::load_with(shared.map(Shared::plain), own)
    }

    /// [`Library::load_shared`] with the shared files already read (or opened, in an encrypted
    /// folder).
    pub fn load_with(shared: Option<Shared>, own: &Path) -> Result<Loaded, Error> {
        let mut lib = Library::builtin();
        let mut left_out = Vec::new();
        // What the built-in library declares, worked out only when there is a file to check.
        let mut known = None;
        let mut taken = HashSet::new();
        let mut files = Vec::new();
        let mut settled = Vec::new();
        if let Some(mut shared) = shared {
            let mut parsed = Vec::new();
            for file in std::mem::take(&mut shared.files) {
                match file {
                    Ok(p) => parsed.push(p),
                    Err(m) => left_out.push(m),
                }
            }
            // Leaving a file out can break one that refers to it: check again until none breaks.
            loop {
                let mut k = lib.known();
                let mistakes = schema::check(&parsed, &mut k);
                if mistakes.is_empty() {
                    known = Some(k);
                    break;
                }
                let mut bad = std::collections::BTreeMap::new();
                for m in mistakes {
                    bad.entry(m.file.clone()).or_insert(m);
                }
                parsed.retain(|p| !bad.contains_key(&p.name));
                left_out.extend(bad.into_values());
            }
            for p in &parsed {
                let name = shared.name_of(&p.name);
                if !shared.conflicted.contains(&name) {
                    settled.push((name.clone(), p.source.clone()));
                }
                taken.insert(PathBuf::from(name));
            }
            files = parsed;
        }
        let mut mistakes = Vec::new();
        let mut mine = Vec::new();
        for path in below(own).files {
            if taken.contains(path.strip_prefix(own).unwrap_or(&path)) {
                continue;
            }
            match read(&path) {
                Ok(p) => mine.push(p),
                Err(m) => mistakes.push(m),
            }
        }
        if !mine.is_empty() {
            let mut known = known.unwrap_or_else(|| lib.known());
            mistakes.extend(schema::check(&mine, &mut known));
        }
        if !mistakes.is_empty() {
            return Err(Error::Content(
                mistakes.iter().map(ToString::to_string).collect(),
            ));
        }
        // The built-in steps and stages are in order already (a test checks it).
        let added = !files.is_empty() || !mine.is_empty();
        for p in files.into_iter().chain(mine) {
            lib.add(p.file);
        }
        if added {
            lib.steps.sort_by_key(|s| s.stage);
            lib.stages.sort_by_key(|s| s.number);
        }
        Ok(Loaded {
            library: lib,
            settled,
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

/// The files found below a content folder.
#[derive(Debug, Default)]
pub(crate) struct Found {
    /// `*.toml` files (or, when looking for sealed ones, `*.toml.age`), sorted.
    pub files: Vec<PathBuf>,
    /// The names inside the folder of files with a conflict copy beside them.
    pub conflicted: HashSet<String>,
}

/// The content files below `dir`.
fn below(dir: &Path) -> Found {
    below_ending(dir, ".toml")
}

/// The files below `dir` whose names end in `ending` (`.toml`, `.toml.age`).
pub(crate) fn below_ending(dir: &Path, ending: &str) -> Found {
    let mut out = Found::default();
    collect(dir, dir, ending, &mut out);
    out.files.sort();
    out
}

/// Reads and parses one content file; a file that is not UTF-8 text, or cannot be read, is a
/// mistake at the place it breaks. A byte-order mark is allowed.
fn read(path: &Path) -> Result<schema::Parsed, schema::Mistake> {
    let bytes = std::fs::read(path).map_err(|e| schema::Mistake {
        file: path.display().to_string(),
        line: 1,
        column: 1,
        message: format!("cannot be read: {e}"),
    })?;
    parse_bytes(path, bytes)
}

/// Parses the bytes of the content file at `path` (named by it in mistakes).
pub(crate) fn parse_bytes(path: &Path, bytes: Vec<u8>) -> Result<schema::Parsed, schema::Mistake> {
    let name = path.display().to_string();
    let at = |line, column, message: String| schema::Mistake {
        file: name.clone(),
        line,
        column,
        message,
    };
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

fn collect(top: &Path, dir: &Path, ending: &str, out: &mut Found) {
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
        let name = entry.file_name().to_string_lossy().into_owned();
        if crate::files::is_leftover_name(&name) {
            if let Some(of) = crate::files::conflict_original(&name) {
                let of = dir.join(of);
                let of = of.strip_prefix(top).unwrap_or(&of).to_string_lossy();
                out.conflicted
                    .insert(of.strip_suffix(".age").unwrap_or(&of).to_owned());
            }
            continue;
        }
        let path = entry.path();
        if kind.is_dir() {
            collect(top, &path, ending, out);
        } else if kind.is_file() && name.len() > ending.len() && name.ends_with(ending) {
            out.files.push(path);
        }
    }
}
