//! The couple's records on disk: one JSON file per mutable record or per partner, written
//! atomically under a lock, private to the user, and never rewritten when it is from a newer
//! version or does not parse.

use crate::error::{Error, Result};
use serde::{Serialize, de::DeserializeOwned};
use std::fs::{self, File, OpenOptions};
use std::io::Write;
use std::os::unix::fs::{DirBuilderExt, OpenOptionsExt, PermissionsExt};
use std::path::{Component, Path, PathBuf};
use std::sync::{Arc, Mutex};

/// The record format this version reads and writes.
pub const FORMAT_VERSION: u32 = 1;

/// A record file carries its format version.
pub trait Versioned: Serialize {
    fn version(&self) -> u32;

    /// The ID a record's file must be named after (`ID.json`), for records kept one per file.
    fn file_id(&self) -> Option<&str> {
        None
    }

    /// The bytes on disk: pretty JSON (records with long lists use [`json_lines`]).
    fn encode(&self) -> serde_json::Result<Vec<u8>> {
        let mut b = serde_json::to_vec_pretty(self)?;
        b.push(b'\n');
        Ok(b)
    }
}

/// A partner's file with long lists: its version and partner, then `lists`, each list item on a
/// line of its own: compact to read back, and each change a one-line diff for a couple who sync
/// the folder with git.
pub fn json_lines(
    version: u32,
    partner: &str,
    lists: &[(&str, Vec<Vec<u8>>)],
) -> serde_json::Result<Vec<u8>> {
    #[derive(Serialize)]
    struct Head<'a> {
        version: u32,
        partner: &'a str,
    }
    let mut out = serde_json::to_vec(&Head { version, partner })?;
    out.pop(); // the closing brace
    for (key, items) in lists {
        out.extend_from_slice(format!(",\n{}: [", serde_json::to_string(key)?).as_bytes());
        for (i, item) in items.iter().enumerate() {
            out.extend_from_slice(if i == 0 { b"\n" } else { b",\n" });
            out.extend_from_slice(item);
        }
        out.extend_from_slice(b"\n]");
    }
    out.extend_from_slice(b"\n}\n");
    Ok(out)
}

#[derive(serde::Deserialize)]
struct VersionOnly {
    version: u32,
}

/// The data directory.
#[derive(Debug, Clone)]
pub struct Store {
    root: PathBuf,
    /// Records left out because their ID or name cannot be used, one message each.
    left_out: Arc<Mutex<Vec<String>>>,
}

/// An exclusive lock on a directory's sidecar lock file, released when dropped.
#[derive(Debug)]
pub struct Lock(#[allow(dead_code)] File);

impl Store {
    pub fn new(root: impl Into<PathBuf>) -> Store {
        Store {
            root: root.into(),
            left_out: Arc::default(),
        }
    }

    /// The records left out since the last call, each named with what is wrong; say them once.
    pub fn take_left_out(&self) -> Vec<String> {
        let mut v = std::mem::take(&mut *self.left_out.lock().unwrap_or_else(|e| e.into_inner()));
        v.dedup();
        v
    }

    /// Notes a record, or a folder of them, left out because it cannot be used.
    pub fn note_left_out(&self, path: &Path, message: &str) {
        self.leave_out(Error::BadRecord {
            path: path.to_owned(),
            message: message.to_owned(),
        });
    }

    fn leave_out(&self, e: Error) {
        let mut v = self.left_out.lock().unwrap_or_else(|e| e.into_inner());
        let msg = e.to_string();
        if !v.contains(&msg) {
            v.push(msg);
        }
    }

    /// `rel` below the root, refused when it could lead anywhere else (`..`, an absolute path).
    fn inside(&self, rel: &str) -> Result<PathBuf> {
        if Path::new(rel)
            .components()
            .all(|c| matches!(c, Component::Normal(_)))
        {
            Ok(self.root.join(rel))
        } else {
            Err(Error::invalid(format!(
                "{rel:?} is not a path inside the data folder; nothing was written"
            )))
        }
    }

    pub fn root(&self) -> &Path {
        &self.root
    }

    pub fn path(&self, rel: &str) -> PathBuf {
        self.root.join(rel)
    }

    /// Creates `rel` (a directory below the root) and the root, each 0700. Missing parents of the
    /// root (a fresh `~/.local/share`) are created 0700 too, as XDG asks.
    pub fn ensure_dir(&self, rel: &str) -> Result<PathBuf> {
        let mut dir = self.root.clone();
        if let Some(parent) = dir.parent().filter(|p| !p.as_os_str().is_empty()) {
            fs::DirBuilder::new()
                .recursive(true)
                .mode(0o700)
                .create(parent)
                .map_err(|e| Error::io(parent, e))?;
        }
        make_private_dir(&dir, true)?;
        self.inside(rel)?;
        for part in Path::new(rel).components() {
            dir.push(part);
            make_private_dir(&dir, false)?;
        }
        Ok(dir)
    }

    /// Takes the exclusive lock of directory `rel`, creating it if needed. Hold it across a
    /// read-modify-write so that two processes never interleave. A lock file that is a link is
    /// never followed.
    pub fn lock(&self, rel: &str) -> Result<Lock> {
        let dir = self.ensure_dir(rel)?;
        let path = dir.join(".lock");
        let file = OpenOptions::new()
            .create(true)
            .truncate(false)
            .write(true)
            .mode(0o600)
            .custom_flags(libc::O_NOFOLLOW)
            .open(&path)
            .map_err(|e| match e.raw_os_error() {
                Some(libc::ELOOP) => Error::invalid(format!(
                    "{} is a link; closer never follows links in the data folder: remove it and try again",
                    path.display()
                )),
                _ => Error::io(&path, e),
            })?;
        file.lock().map_err(|e| Error::io(&path, e))?;
        Ok(Lock(file))
    }

    /// Reads a record, or `None` when the file does not exist. A file from a newer version is
    /// returned if it still parses; [`Store::write`] will refuse to replace it.
    pub fn read<T: DeserializeOwned + Versioned>(&self, rel: &str) -> Result<Option<T>> {
        read_file(&self.inside(rel)?)
    }

    /// Writes a record atomically: a temp file in the same directory, fsync, rename, fsync of the
    /// directory. Refuses to replace a file that is from a newer version or does not parse.
    /// Call it while holding the directory's [`Lock`].
    pub fn write<T: Versioned>(&self, rel: &str, value: &T) -> Result<()> {
        let path = self.inside(rel)?;
        if path.exists() {
            // Parse-check the old file: a newer or broken file must never be overwritten.
            check_replaceable(&path)?;
        }
        put(&path, value)
    }

    /// Locks the record's directory, reads the record, lets `f` change it and writes it back.
    pub fn update<T, F>(&self, rel: &str, f: F) -> Result<T>
    where
        T: Serialize + DeserializeOwned + Versioned,
        F: FnOnce(Option<T>) -> Result<T>,
    {
        let dir = Path::new(rel).parent().and_then(Path::to_str).unwrap_or("");
        let _lock = self.lock(dir)?;
        let path = self.inside(rel)?;
        let old = read_file::<T>(&path)?;
        if let Some(o) = &old {
            refuse_newer(&path, o.version())?;
        }
        let new = f(old)?;
        // The old file was just read and checked under this lock.
        put(&path, &new)?;
        Ok(new)
    }

    /// Deletes a record under its directory's lock.
    pub fn remove(&self, rel: &str) -> Result<()> {
        let dir = Path::new(rel).parent().and_then(Path::to_str).unwrap_or("");
        let _lock = self.lock(dir)?;
        let path = self.inside(rel)?;
        check_replaceable(&path)?;
        fs::remove_file(&path).map_err(|e| Error::io(&path, e))?;
        sync_dir(path.parent().unwrap_or(Path::new(".")))
    }

    /// The record files (`*.json`) directly in directory `rel`, sorted; empty if it is missing.
    pub fn list(&self, rel: &str) -> Result<Vec<PathBuf>> {
        let dir = self.path(rel);
        let entries = match fs::read_dir(&dir) {
            Ok(e) => e,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
            Err(e) => return Err(Error::io(&dir, e)),
        };
        let mut out: Vec<PathBuf> = entries
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.extension().is_some_and(|x| x == "json"))
            .collect();
        out.sort();
        Ok(out)
    }

    /// Reads every record in directory `rel`, leaving out (and noting) those that cannot be used.
    pub fn read_all<T: DeserializeOwned + Versioned + Send>(&self, rel: &str) -> Result<Vec<T>> {
        Ok(self
            .read_files(&self.list(rel)?)?
            .into_iter()
            .flatten()
            .collect())
    }

    /// Reads and parses many record files, in order, spreading the work over the processor's
    /// cores when there are enough files for that to pay; `None` for a file that has gone, and for
    /// a record whose ID or name cannot be used or that is not named after its ID (it is noted,
    /// see [`Store::take_left_out`]).
    pub fn read_files<T: DeserializeOwned + Versioned + Send>(
        &self,
        paths: &[PathBuf],
    ) -> Result<Vec<Option<T>>> {
        let one = |p: &PathBuf| match read_record::<T>(p) {
            Err(e @ Error::BadRecord { .. }) => {
                self.leave_out(e);
                Ok(None)
            }
            r => r,
        };
        let threads = std::thread::available_parallelism()
            .map_or(1, |n| n.get())
            .min(4);
        if threads < 2 || paths.len() < 16 {
            return paths.iter().map(one).collect();
        }
        let chunk = paths.len().div_ceil(threads);
        std::thread::scope(|s| {
            let parts: Vec<_> = paths
                .chunks(chunk)
                .map(|c| s.spawn(move || c.iter().map(one).collect::<Result<Vec<_>>>()))
                .collect();
            let mut out = Vec::with_capacity(paths.len());
            for part in parts {
                out.extend(part.join().expect("a reading thread panicked")?);
            }
            Ok(out)
        })
    }
}

/// Like [`read_file`], and a record kept one per file must be named after its own ID.
fn read_record<T: DeserializeOwned + Versioned>(path: &Path) -> Result<Option<T>> {
    let Some(v) = read_file::<T>(path)? else {
        return Ok(None);
    };
    match v.file_id() {
        Some(id) if path.file_stem().and_then(|s| s.to_str()) != Some(id) => {
            Err(Error::BadRecord {
                path: path.to_owned(),
                message: format!("its ID {id:?} is not its file name"),
            })
        }
        _ => Ok(Some(v)),
    }
}

fn put<T: Versioned>(path: &Path, value: &T) -> Result<()> {
    let bytes = value.encode().map_err(|e| Error::io(path, e.into()))?;
    write_atomic(path, &bytes)
}

/// Reads and parses one record file; `None` when it does not exist.
pub fn read_file<T: DeserializeOwned + Versioned>(path: &Path) -> Result<Option<T>> {
    let bytes = match fs::read(path) {
        Ok(b) => b,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(Error::io(path, e)),
    };
    parse(path, &bytes).map(Some)
}

fn parse<T: DeserializeOwned + Versioned>(path: &Path, bytes: &[u8]) -> Result<T> {
    match serde_json::from_slice::<T>(bytes) {
        Ok(v) => Ok(v),
        Err(e) => {
            // A newer format may have changed shape: say so rather than "corrupt".
            if let Ok(v) = serde_json::from_slice::<VersionOnly>(bytes) {
                refuse_newer(path, v.version)?;
            }
            let message = e.to_string();
            if e.classify() == serde_json::error::Category::Data
                && INVALID.iter().any(|m| message.contains(m))
            {
                // serde_json ends its message with where it was: say that first, like `Corrupt`.
                let what = message
                    .rsplit_once(" at line ")
                    .map_or(&*message, |(m, _)| m);
                return Err(Error::BadRecord {
                    path: path.to_owned(),
                    message: format!("line {}, column {}: {what}", e.line(), e.column()),
                });
            }
            Err(Error::Corrupt {
                path: path.to_owned(),
                line: e.line(),
                column: e.column(),
                message: e.to_string(),
            })
        }
    }
}

/// How a value that parses but cannot be used (an ID, a name) starts its message.
const INVALID: [&str; 2] = [crate::ids::BAD_ID, crate::profile::BAD_NAME];

fn refuse_newer(path: &Path, found: u32) -> Result<()> {
    if found > FORMAT_VERSION {
        return Err(Error::Newer {
            path: path.to_owned(),
            found,
            known: FORMAT_VERSION,
        });
    }
    Ok(())
}

fn check_replaceable(path: &Path) -> Result<()> {
    let bytes = fs::read(path).map_err(|e| Error::io(path, e))?;
    match serde_json::from_slice::<VersionOnly>(&bytes) {
        Ok(v) => refuse_newer(path, v.version),
        Err(e) => Err(Error::Corrupt {
            path: path.to_owned(),
            line: e.line(),
            column: e.column(),
            message: e.to_string(),
        }),
    }
}

/// Creates one directory with mode 0700 (whatever the umask); an existing one is left alone.
/// Only the data folder itself may be a link to a folder: one inside it is never followed.
fn make_private_dir(dir: &Path, may_be_link: bool) -> Result<()> {
    match fs::DirBuilder::new().mode(0o700).create(dir) {
        Ok(()) => fs::set_permissions(dir, fs::Permissions::from_mode(0o700))
            .map_err(|e| Error::io(dir, e)),
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {
            let real_dir = fs::symlink_metadata(dir).is_ok_and(|m| m.is_dir());
            if real_dir || (may_be_link && dir.is_dir()) {
                Ok(())
            } else if dir.is_symlink() {
                Err(Error::invalid(format!(
                    "{} is a link; closer never follows links in the data folder: replace it with a folder",
                    dir.display()
                )))
            } else {
                Err(Error::io(dir, e))
            }
        }
        Err(e) => Err(Error::io(dir, e)),
    }
}

/// Replaces `path` with `bytes` so that a crash at any moment leaves the old or the new file.
/// The file is 0600 whatever the umask.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> Result<()> {
    let dir = path.parent().unwrap_or(Path::new("."));
    let mut tmp = tempfile::Builder::new()
        .prefix(".tmp-")
        .permissions(fs::Permissions::from_mode(0o600))
        .tempfile_in(dir)
        .map_err(|e| Error::io(dir, e))?;
    let f = tmp.as_file_mut();
    f.set_permissions(fs::Permissions::from_mode(0o600))
        .map_err(|e| Error::io(path, e))?;
    f.write_all(bytes).map_err(|e| Error::io(path, e))?;
    f.sync_all().map_err(|e| Error::io(path, e))?;
    tmp.persist(path).map_err(|e| Error::io(path, e.error))?;
    sync_dir(dir)
}

fn sync_dir(dir: &Path) -> Result<()> {
    File::open(dir)
        .and_then(|d| d.sync_all())
        .map_err(|e| Error::io(dir, e))
}
