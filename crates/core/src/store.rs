//! The couple's records on disk: one JSON file per mutable record or per partner, written
//! atomically under a lock, private to the user, and never rewritten when it is from a newer
//! version or does not parse. In an encrypted folder ([`Store::set_sealing`]) each record is a
//! sealed age file beside where its JSON file would be (`X.age` for `X.json`).

use crate::error::{Error, Fault, Result};
use crate::files::{self, FileKind};
use crate::sealing::{self, Sealing};
use serde::{Serialize, de::DeserializeOwned};
use std::fs::{self, File, OpenOptions};
use std::io::Write;
use std::os::unix::fs::{DirBuilderExt, OpenOptionsExt, PermissionsExt};
use std::path::{Component, Path, PathBuf};
use std::sync::{Arc, Mutex, RwLock};
use std::time::{Duration, SystemTime};

/// The record format this version reads and writes.
pub const FORMAT_VERSION: u32 = 1;

/// The fields of a record this closer does not know (a newer closer wrote them at the same
/// format version): read into every record and written back unchanged.
pub type Extra = std::collections::BTreeMap<String, serde_json::Value>;

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

/// A partner's file with long lists: its version, partner and unknown fields, then `lists`, each
/// list item on a line of its own: compact to read back, and each change a one-line diff for a
/// couple who sync the folder with git.
pub fn json_lines(
    version: u32,
    partner: &str,
    extra: &Extra,
    lists: &[(&str, Vec<Vec<u8>>)],
) -> serde_json::Result<Vec<u8>> {
    #[derive(Serialize)]
    struct Head<'a> {
        version: u32,
        partner: &'a str,
        #[serde(flatten)]
        extra: &'a Extra,
    }
    let mut out = serde_json::to_vec(&Head {
        version,
        partner,
        extra,
    })?;
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

/// A temp file this old was left by a write that was killed: no write takes this long.
const STALE_TEMP: Duration = Duration::from_secs(10 * 60);

/// From this many files on, reading is spread over the processor's cores.
const PARALLEL_FROM: usize = 64;

/// What the data folder's `.stignore` and `.gitignore` carry, so that neither Syncthing nor git
/// ever carries a lock or a half-written temp file to the other device.
const IGNORED: [&str; 2] = [files::LOCK_NAME, ".tmp-*"];

/// Record files with git conflict markers met while reading, skipped and left for `couple
/// doctor`; the command-line edge reports them.
static SKIPPED: Mutex<Vec<PathBuf>> = Mutex::new(Vec::new());

/// The files with two versions in them (git conflict markers) that reads in this process skipped.
pub fn skipped_conflicts() -> Vec<PathBuf> {
    SKIPPED.lock().map(|v| v.clone()).unwrap_or_default()
}

/// The data directory.
#[derive(Debug, Clone)]
pub struct Store {
    root: PathBuf,
    /// Records left out because their ID or name cannot be used: the file and one message each.
    left_out: Arc<Mutex<Vec<LeftOut>>>,
    /// Set when the folder's records are encrypted: the keys to open and seal them.
    sealing: Arc<RwLock<Option<Arc<Sealing>>>>,
    /// How many record files were read, for tests that a command reads only what it needs.
    records_read: Arc<std::sync::atomic::AtomicUsize>,
    /// Whether a record was written or removed through this store (or a clone of it).
    wrote: Arc<std::sync::atomic::AtomicBool>,
    /// The folder's full path with every link resolved, once it has been worked out.
    real_root: Arc<std::sync::OnceLock<PathBuf>>,
}

/// An exclusive lock on a directory's sidecar lock file, released when dropped.
#[derive(Debug)]
pub struct Lock(#[allow(dead_code)] File);

impl Store {
    pub fn new(root: impl Into<PathBuf>) -> Store {
        Store {
            root: root.into(),
            left_out: Arc::default(),
            sealing: Arc::default(),
            records_read: Arc::default(),
            wrote: Arc::default(),
            real_root: Arc::default(),
        }
    }

    /// Whether this run wrote or removed a record through this store: a command that only reads
    /// writes nothing into the folder.
    pub fn wrote(&self) -> bool {
        self.wrote.load(std::sync::atomic::Ordering::Relaxed)
    }

    /// How many record files this store (and its clones) read since this was last asked.
    pub fn take_records_read(&self) -> usize {
        self.records_read
            .swap(0, std::sync::atomic::Ordering::Relaxed)
    }

    pub(crate) fn count_record_read(&self) {
        self.records_read
            .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    }

    /// Turns encrypted records on (`Some`) or off for this store and every clone of it.
    pub fn set_sealing(&self, sealing: Option<Sealing>) {
        *self.sealing.write().unwrap_or_else(|e| e.into_inner()) = sealing.map(Arc::new);
    }

    /// The keys of an encrypted folder; `None` for a plain one.
    pub fn sealing(&self) -> Option<Arc<Sealing>> {
        self.sealing
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
    }

    pub fn is_sealed(&self) -> bool {
        self.sealing().is_some()
    }

    /// Changes the keys of an encrypted folder (a key unlocked later, the partner at the
    /// keyboard); nothing on a plain one.
    pub fn change_sealing(&self, f: impl FnOnce(&mut Sealing)) {
        let mut guard = self.sealing.write().unwrap_or_else(|e| e.into_inner());
        if let Some(s) = guard.as_mut() {
            f(Arc::make_mut(s));
        }
    }

    /// Where the record `rel` (named `X.json`, as in a plain folder) lives on disk: `X.age` in an
    /// encrypted folder, for every record that is sealed there.
    fn disk(&self, rel: &str) -> PathBuf {
        match rel.strip_suffix(".json") {
            Some(stem) if self.is_sealed() && crate::access::is_sealed_place(stem) => {
                self.root.join(format!("{stem}.{}", sealing::SEALED_EXT))
            }
            _ => self.root.join(rel),
        }
    }

    /// The place a file below the root is signed for: its path in the folder without extension.
    pub fn place_of(&self, path: &Path) -> Option<String> {
        let rel = path.strip_prefix(&self.root).ok()?.to_str()?;
        let stem = rel
            .strip_suffix(".json")
            .or_else(|| rel.strip_suffix(&format!(".{}", sealing::SEALED_EXT)))?;
        Some(stem.to_owned())
    }

    /// The records left out since the last call, each named with what is wrong; say them once.
    pub fn take_left_out(&self) -> Vec<String> {
        self.take_left_out_files()
            .into_iter()
            .map(|l| l.message)
            .collect()
    }

    /// Like [`Store::take_left_out`], each message with the file it is about and its fault.
    pub fn take_left_out_files(&self) -> Vec<LeftOut> {
        std::mem::take(&mut *self.left_out.lock().unwrap_or_else(|e| e.into_inner()))
    }

    /// Keeps, of the records left out so far, only those `keep` says are still to be said.
    pub fn retain_left_out(&self, keep: impl FnMut(&LeftOut) -> bool) {
        (self.left_out.lock().unwrap_or_else(|e| e.into_inner())).retain(keep);
    }

    /// Notes a record, or a folder of them, left out because it cannot be used.
    pub fn note_left_out(&self, path: &Path, message: &str) {
        self.leave_out(Error::bad_record(path, message));
    }

    /// Notes something left out because it cannot be used, said as `e` says it.
    pub fn leave_out(&self, e: Error) {
        let (path, fault) = match &e {
            Error::BadRecord { path, fault } => (path.clone(), Some(fault.clone())),
            Error::Corrupt { path, .. } | Error::ContentLeftOut { path, .. } => {
                (path.clone(), None)
            }
            _ => (PathBuf::new(), None),
        };
        self.noted(&path, e.to_string(), fault);
    }

    /// Says that the plain record at `path` in an encrypted folder is not trusted, unless it is
    /// one the move to encryption is for that only the other partner's device can encrypt: that
    /// one waits for their device without a word (and is not used meanwhile either).
    pub(crate) fn leave_out_plain(&self, path: &Path) {
        let waits = read_unfollowed(path).is_ok_and(|b| self.waits_for_other_device(path, &b));
        if !waits {
            self.leave_out(Error::bad_record(path, Fault::PlainInSealed));
        }
    }

    /// Whether the plain record `bytes` at `path` is one the move to encryption is for that
    /// only the other partner's device can encrypt (see [`Sealing::waits_for_other`]).
    pub(crate) fn waits_for_other_device(&self, path: &Path, bytes: &[u8]) -> bool {
        self.sealing().is_some_and(|s| {
            (self.place_of(path)).is_some_and(|place| s.waits_for_other(&place, without_bom(bytes)))
        })
    }

    /// Notes something the couple should know about `path`, said as `message` says it (once,
    /// again when `path` changes).
    pub fn note(&self, path: &Path, message: String) {
        self.noted(path, message, None);
    }

    /// Notes something about `path`, said as `message` says it, that `fault` may be put right.
    pub fn note_fault(&self, path: &Path, message: String, fault: Fault) {
        self.noted(path, message, Some(fault));
    }

    fn noted(&self, path: &Path, message: String, fault: Option<Fault>) {
        let mut v = self.left_out.lock().unwrap_or_else(|e| e.into_inner());
        if !v.iter().any(|l| l.message == message) {
            v.push(LeftOut {
                path: path.to_owned(),
                message,
                fault,
            });
        }
    }

    /// `rel` below the root, refused when it could lead anywhere else (`..`, an absolute path).
    fn inside(&self, rel: &str) -> Result<PathBuf> {
        if Path::new(rel)
            .components()
            .all(|c| matches!(c, Component::Normal(_)))
        {
            Ok(self.disk(rel))
        } else {
            Err(Error::invalid(format!(
                "{rel:?} is not a path inside the data folder; nothing was written"
            )))
        }
    }

    pub fn root(&self) -> &Path {
        &self.root
    }

    /// The folder's full path with every link resolved, or the path as given while the folder
    /// does not exist. Worked out once per store: the folder does not move while a command runs.
    pub fn real_root(&self) -> PathBuf {
        if let Some(real) = self.real_root.get() {
            return real.clone();
        }
        match fs::canonicalize(&self.root) {
            Ok(real) => self.real_root.get_or_init(|| real).clone(),
            Err(_) => self.root.clone(),
        }
    }

    /// The file or folder `rel` on disk; a record `X.json` is `X.age` in an encrypted folder.
    pub fn path(&self, rel: &str) -> PathBuf {
        self.disk(rel)
    }

    /// The plain file `rel`, whatever the folder's mode (for encrypting and decrypting it).
    pub fn plain_path(&self, rel: &str) -> PathBuf {
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
    /// never followed. Under the lock, the folder is tidied: files that arrived readable by others
    /// are made private and temp files left by killed writes are removed.
    pub fn lock(&self, rel: &str) -> Result<Lock> {
        self.lock_and_tidy(rel, SystemTime::now())
            .map(|(lock, _)| lock)
    }

    fn lock_and_tidy(&self, rel: &str, now: SystemTime) -> Result<(Lock, usize)> {
        let dir = self.ensure_dir(rel)?;
        self.ensure_ignore_files()?;
        let path = dir.join(".lock");
        let file = OpenOptions::new()
            .create(true)
            .truncate(false)
            .write(true)
            .mode(0o600)
            // Never waits on a named pipe: opening one to write waits for a reader.
            .custom_flags(libc::O_NOFOLLOW | libc::O_NONBLOCK)
            .open(&path)
            .map_err(|e| match e.raw_os_error() {
                Some(libc::ELOOP) => Error::invalid(format!(
                    "{} is a link; closer never follows links in the data folder: remove it and try again",
                    path.display()
                )),
                Some(libc::ENXIO) => not_a_lock(&path),
                _ => Error::io(&path, e),
            })?;
        if !file.metadata().map_err(|e| Error::io(&path, e))?.is_file() {
            return Err(not_a_lock(&path));
        }
        file.lock().map_err(|e| Error::io(&path, e))?;
        let mut changed = tidy(&dir, now)?;
        if !rel.is_empty() {
            // The ignore files are written in the root without its lock; a writer killed there
            // left its temp file in the root. Only dead ones are removed, so no lock is needed.
            changed += tidy(&self.root, now)?;
        }
        Ok((Lock(file), changed))
    }

    /// Whether the data folder can be read or entered by other users of this computer.
    pub fn exposed(&self) -> bool {
        fs::metadata(&self.root).is_ok_and(|m| m.permissions().mode() & 0o077 != 0)
    }

    /// Makes sure the root's `.stignore` and `.gitignore` name closer's lock and temp files,
    /// adding the missing lines to files the couple already has.
    fn ensure_ignore_files(&self) -> Result<()> {
        for name in [".stignore", ".gitignore"] {
            let path = self.root.join(name);
            // Never followed: a link here (made on another device) could lead to any file of
            // this one, whose text would then be copied into the synced folder. A link is
            // replaced by a file of our own.
            let old = match read_unfollowed(&path) {
                Ok(b) => String::from_utf8_lossy(&b).into_owned(),
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => String::new(),
                Err(e) if e.raw_os_error() == Some(libc::ELOOP) => String::new(),
                Err(e) => return Err(Error::io(&path, e)),
            };
            let missing: Vec<&str> = IGNORED
                .iter()
                .copied()
                .filter(|want| !old.lines().any(|l| l.trim() == *want))
                .collect();
            if missing.is_empty() {
                continue;
            }
            let mut text = old;
            if !text.is_empty() && !text.ends_with('\n') {
                text.push('\n');
            }
            if text.is_empty() {
                text.push_str("# closer's lock and temp files stay on this device\n");
            }
            for m in missing {
                text.push_str(m);
                text.push('\n');
            }
            write_atomic(&path, text.as_bytes())?;
        }
        Ok(())
    }

    /// Tightens every folder and file below the root that other users could read, and removes
    /// stale temp files, each folder under its lock. Folders whose names start with a dot (`.git`,
    /// `.stversions`) belong to other tools and are left alone. Returns how many it changed.
    pub fn tidy_all(&self, now: SystemTime) -> Result<usize> {
        if !self.root.is_dir() {
            return Ok(0);
        }
        let mut n = usize::from(tighten(&self.root, true)?);
        let mut todo = vec![String::new()];
        while let Some(rel) = todo.pop() {
            let (_lock, changed) = self.lock_and_tidy(&rel, now)?;
            n += changed;
            let dir = self.path(&rel);
            for e in fs::read_dir(&dir)
                .map_err(|e| Error::io(&dir, e))?
                .flatten()
            {
                let name = e.file_name();
                let Some(name) = name.to_str().filter(|n| !n.starts_with('.')) else {
                    continue;
                };
                if e.file_type().is_ok_and(|t| t.is_dir()) {
                    todo.push(if rel.is_empty() {
                        name.to_owned()
                    } else {
                        format!("{rel}/{name}")
                    });
                }
            }
        }
        Ok(n)
    }

    /// Reads a record, or `None` when the file does not exist. A file from a newer version is
    /// returned if it still parses; [`Store::write`] will refuse to replace it. In an encrypted
    /// folder a record that fails its check (signature, place, format), or a plain record where a
    /// sealed one belongs, is noted (see [`Store::take_left_out`]) and read as missing; a record
    /// sealed to the other partner alone is missing too.
    pub fn read<T: DeserializeOwned + Versioned>(&self, rel: &str) -> Result<Option<T>> {
        let path = self.inside(rel)?;
        if !self.is_sealed() {
            return read_file(&path);
        }
        match self.record_bytes(&path, false) {
            Ok(Some(bytes)) => parse(&path, &bytes).map(Some),
            Ok(None) => Ok(None),
            Err(e @ Error::BadRecord { .. }) => {
                self.leave_out(e);
                Ok(None)
            }
            Err(e) => Err(e),
        }
    }

    /// Writes a record atomically: a temp file in the same directory, fsync, rename, fsync of the
    /// directory. Refuses to replace a file that is from a newer version, does not parse or fails
    /// its check. Call it while holding the directory's [`Lock`].
    pub fn write<T: Versioned>(&self, rel: &str, value: &T) -> Result<()> {
        self.write_for(rel, value, None)
    }

    /// [`Store::write`], sealed to `readers` (partner IDs) rather than to those the path's rule
    /// names, in an encrypted folder.
    pub fn write_for<T: Versioned>(
        &self,
        rel: &str,
        value: &T,
        readers: Option<&[&str]>,
    ) -> Result<()> {
        let path = self.inside(rel)?;
        self.check_replaceable(&path)?;
        self.put(&path, value, readers)
    }

    /// Locks the record's directory, reads the record, lets `f` change it and writes it back.
    pub fn update<T, F>(&self, rel: &str, f: F) -> Result<T>
    where
        T: Serialize + DeserializeOwned + Versioned,
        F: FnOnce(Option<T>) -> Result<T>,
    {
        self.update_for(rel, None, f)
    }

    /// [`Store::update`], sealed to `readers` (partner IDs) rather than to those the path's rule
    /// names, in an encrypted folder.
    pub fn update_for<T, F>(&self, rel: &str, readers: Option<&[&str]>, f: F) -> Result<T>
    where
        T: Serialize + DeserializeOwned + Versioned,
        F: FnOnce(Option<T>) -> Result<T>,
    {
        let dir = Path::new(rel).parent().and_then(Path::to_str).unwrap_or("");
        let _lock = self.lock(dir)?;
        let path = self.inside(rel)?;
        let old = match self.record_bytes(&path, true)? {
            Some(bytes) => Some(parse::<T>(&path, &bytes)?),
            None => None,
        };
        if let Some(o) = &old {
            refuse_newer(&path, o.version())?;
        }
        let new = f(old)?;
        // The old file was just read and checked under this lock.
        self.put(&path, &new, readers)?;
        Ok(new)
    }

    /// Deletes a record under its directory's lock.
    pub fn remove(&self, rel: &str) -> Result<()> {
        let dir = Path::new(rel).parent().and_then(Path::to_str).unwrap_or("");
        let _lock = self.lock(dir)?;
        let path = self.inside(rel)?;
        // What this device removes, it no longer misses.
        let forget = || {
            let place = self.sealed_place(&path)?;
            Some(self.sealing()?.memory()?.forget(&place))
        };
        if !path.exists() {
            // Already gone, and kept here only as this device trusted it: removing it is
            // forgetting it.
            if forget() == Some(true) {
                return Ok(());
            }
            return Err(Error::io(&path, std::io::ErrorKind::NotFound.into()));
        }
        self.check_replaceable(&path)?;
        fs::remove_file(&path).map_err(|e| Error::io(&path, e))?;
        forget();
        self.wrote.store(true, std::sync::atomic::Ordering::Relaxed);
        sync_dir(path.parent().unwrap_or(Path::new(".")))
    }

    /// Refuses to replace a file that is from a newer version, does not parse or (encrypted)
    /// fails its check or is not this device's to open.
    fn check_replaceable(&self, path: &Path) -> Result<()> {
        match self.record_bytes(path, true)? {
            Some(bytes) => check_replaceable(path, &bytes),
            None => Ok(()),
        }
    }

    fn put<T: Versioned>(&self, path: &Path, value: &T, readers: Option<&[&str]>) -> Result<()> {
        let bytes = value.encode().map_err(|e| Error::io(path, e.into()))?;
        self.wrote.store(true, std::sync::atomic::Ordering::Relaxed);
        match (self.sealing(), self.sealed_place(path)) {
            (Some(s), Some(place)) => {
                let sealed = s.seal(&place, &bytes, readers)?;
                write_atomic(path, &sealed)?;
                s.trust_written(&place, &sealed);
                Ok(())
            }
            _ => write_atomic(path, &bytes),
        }
    }

    /// The record files directly in directory `rel` (see [`files::classify`]), sorted; empty if
    /// it is missing.
    pub fn list(&self, rel: &str) -> Result<Vec<PathBuf>> {
        let dir = self.path(rel);
        let entries = match fs::read_dir(&dir) {
            Ok(e) => e,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
            Err(e) => return Err(Error::io(&dir, e)),
        };
        let mut out = Vec::new();
        for e in entries.flatten() {
            let name = e.file_name();
            let name = name.to_string_lossy();
            match files::classify(&name) {
                FileKind::Record if self.plain_in_sealed(&e.path()) => {
                    self.leave_out_plain(&e.path())
                }
                FileKind::Record => out.push(e.path()),
                // Someone's JSON file under a name no record has: say so rather than hide it.
                FileKind::Other if files::looks_like_a_record(&name) => {
                    self.note_left_out(&e.path(), files::NOT_A_RECORD_NAME)
                }
                _ => {}
            }
        }
        // A record this device trusted that may not be gone (a hold not lifted, a change of the
        // joint result, this device's partner's own record): read as it was.
        if let Some(s) = self.sealing().filter(|s| s.memory().is_some()) {
            let present: std::collections::HashSet<&str> = out
                .iter()
                .filter_map(|p| p.file_stem().and_then(|s| s.to_str()))
                .collect();
            let gone = s.missing(self, rel, &|name| present.contains(name));
            out.extend(gone.iter().map(|place| self.path(&format!("{place}.json"))));
        }
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
        self.read_many(paths, false)
    }

    /// Like [`Store::read_files`], and a file that does not parse is noted and left out too
    /// rather than stopping the command: for records where one damaged file must not hide all
    /// the others (needs). Never for facts that hold something back (holds, boundaries).
    pub fn read_files_past_damage<T: DeserializeOwned + Versioned + Send>(
        &self,
        paths: &[PathBuf],
    ) -> Result<Vec<Option<T>>> {
        self.read_many(paths, true)
    }

    fn read_many<T: DeserializeOwned + Versioned + Send>(
        &self,
        paths: &[PathBuf],
        past_damage: bool,
    ) -> Result<Vec<Option<T>>> {
        let one = |p: &PathBuf| match self.read_record::<T>(p) {
            Err(e @ Error::BadRecord { .. }) => {
                self.leave_out(e);
                Ok(None)
            }
            Err(e @ Error::Corrupt { .. }) if past_damage => {
                self.leave_out(e);
                Ok(None)
            }
            Err(Error::Conflict { path }) => {
                if let Ok(mut v) = SKIPPED.lock() {
                    v.push(path);
                }
                Ok(None)
            }
            r => r,
        };
        // Asking how many cores there are reads several files of its own: only worth it when
        // there are many files to read.
        if paths.len() < PARALLEL_FROM {
            return paths.iter().map(one).collect();
        }
        let threads = std::thread::available_parallelism()
            .map_or(1, |n| n.get())
            .min(4);
        if threads < 2 {
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

impl Store {
    /// Like [`Store::read`] on a file found by listing, and a record kept one per file must be
    /// named after its own ID.
    fn read_record<T: DeserializeOwned + Versioned>(&self, path: &Path) -> Result<Option<T>> {
        let Some(bytes) = self.record_bytes(path, false)? else {
            return Ok(None);
        };
        let v: T = parse(path, &bytes)?;
        match v.file_id() {
            Some(id) if path.file_stem().and_then(|s| s.to_str()) != Some(id) => {
                Err(Error::BadRecord {
                    path: path.to_owned(),
                    fault: Fault::Said(format!("its ID {id:?} is not its file name")),
                })
            }
            _ => Ok(Some(v)),
        }
    }
}

/// Reads and parses one record file; `None` when it does not exist.
pub fn read_file<T: DeserializeOwned + Versioned>(path: &Path) -> Result<Option<T>> {
    let bytes = match read_unfollowed(path) {
        Ok(b) => b,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(read_error(path, e)),
    };
    parse(path, &bytes).map(Some)
}

/// The error for a lock file that is not a plain file (a named pipe, a device).
fn not_a_lock(path: &Path) -> Error {
    Error::invalid(format!(
        "{} is not a plain file, so closer cannot use it as its lock: remove it and try again",
        path.display()
    ))
}

/// A record file's bytes. A record file that is a link is never followed (it could lead anywhere,
/// and another device made it), and one that is not a plain file (a named pipe, a device) is
/// never read: opening a pipe to read it waits for a writer that never comes. See [`read_error`].
pub(crate) fn read_unfollowed(path: &Path) -> std::io::Result<Vec<u8>> {
    let mut f = OpenOptions::new()
        .read(true)
        .custom_flags(libc::O_NOFOLLOW | libc::O_NONBLOCK)
        .open(path)?;
    let meta = f.metadata()?;
    let kind = meta.file_type();
    if kind.is_dir() {
        return Err(std::io::Error::from_raw_os_error(libc::EISDIR));
    }
    if !kind.is_file() {
        return Err(std::io::Error::other(NotAFile));
    }
    // Checked before reading and while reading (the file may grow meanwhile).
    if meta.len() > MAX_RECORD_BYTES {
        return Err(std::io::Error::other(TooLarge));
    }
    // Room for the whole file and one byte more, so that it is read in one go.
    let mut b = Vec::with_capacity(meta.len() as usize + 1);
    std::io::Read::read_to_end(
        &mut std::io::Read::take(&mut f, MAX_RECORD_BYTES + 1),
        &mut b,
    )?;
    if b.len() as u64 > MAX_RECORD_BYTES {
        return Err(std::io::Error::other(TooLarge));
    }
    Ok(b)
}

/// The most bytes closer reads of any one record file, plain or sealed. A record is a few
/// kilobytes; a year of long answers with all their corrections stays far below this. A bigger
/// file is left out unread, so that a huge file put in the synced folder cannot fill memory.
pub const MAX_RECORD_BYTES: u64 = 16 << 20;

/// What [`read_unfollowed`] says of a file bigger than [`MAX_RECORD_BYTES`].
#[derive(Debug, thiserror::Error)]
#[error("{TOO_LARGE}")]
struct TooLarge;

/// What [`read_unfollowed`] says of a file that is not a plain file.
#[derive(Debug, thiserror::Error)]
#[error("{NOT_A_FILE}")]
struct NotAFile;

/// Something a command met that the couple should know: a record left out, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LeftOut {
    pub path: PathBuf,
    /// What is said, naming the file.
    pub message: String,
    /// Why, when the record cannot be used: the edge adds the command that puts it right.
    pub fault: Option<Fault>,
}

/// The error for a record file that could not be read: a link is a record that cannot be used.
pub(crate) fn read_error(path: &Path, e: std::io::Error) -> Error {
    if e.raw_os_error() == Some(libc::ELOOP) {
        return Error::BadRecord {
            path: path.to_owned(),
            fault: Fault::Said(LINKED.to_owned()),
        };
    }
    if e.raw_os_error() == Some(libc::EISDIR) {
        return Error::BadRecord {
            path: path.to_owned(),
            fault: Fault::Said(FOLDER.to_owned()),
        };
    }
    if e.get_ref().is_some_and(|inner| inner.is::<TooLarge>()) {
        return Error::BadRecord {
            path: path.to_owned(),
            fault: Fault::Said(TOO_LARGE.to_owned()),
        };
    }
    if e.get_ref().is_some_and(|inner| inner.is::<NotAFile>()) {
        return Error::BadRecord {
            path: path.to_owned(),
            fault: Fault::Said(NOT_A_FILE.to_owned()),
        };
    }
    Error::io(path, e)
}

/// A record's bytes without the UTF-8 byte order mark some editors put first.
pub fn without_bom(bytes: &[u8]) -> &[u8] {
    bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes)
}

pub(crate) fn parse<T: DeserializeOwned + Versioned>(path: &Path, bytes: &[u8]) -> Result<T> {
    let bytes = without_bom(bytes);
    match serde_json::from_slice::<T>(bytes) {
        Ok(v) => Ok(v),
        Err(_) if files::has_conflict_markers(bytes) => Err(Error::Conflict {
            path: path.to_owned(),
        }),
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
                    fault: Fault::Said(format!("line {}, column {}: {what}", e.line(), e.column())),
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

/// What is said about a folder that has a record file's name.
pub const FOLDER: &str = "it is a folder, not a record file: move it out of the data folder";
/// What is said about a record file that is a symbolic link.
pub const NOT_A_FILE: &str =
    "it is not a plain file (a named pipe or a device): remove it from the data folder";
pub const TOO_LARGE: &str = "it is too large to be a record (more than 16 MiB), so it is left out unread: move it out of the data folder";
pub const LINKED: &str = "it is a link, and closer never follows links in the data folder: put the file itself there, or remove the link";

/// How a value that parses but cannot be used (an ID, a name) starts its message.
const INVALID: [&str; 2] = [crate::ids::BAD_ID, crate::profile::BAD_NAME];

/// Parses one version of a record for a merge: a newer version or one that does not parse is
/// refused.
pub(crate) fn parse_checked<T: DeserializeOwned + Versioned>(
    path: &Path,
    bytes: &[u8],
) -> Result<T> {
    let v: T = parse(path, bytes)?;
    refuse_newer(path, v.version())?;
    Ok(v)
}

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

fn check_replaceable(path: &Path, bytes: &[u8]) -> Result<()> {
    let bytes = without_bom(bytes);
    match serde_json::from_slice::<VersionOnly>(bytes) {
        Ok(v) => refuse_newer(path, v.version),
        Err(_) if files::has_conflict_markers(bytes) => Err(Error::Conflict {
            path: path.to_owned(),
        }),
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
            if real_dir {
                tighten(dir, true).map(|_| ())
            } else if may_be_link && dir.is_dir() {
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

/// Takes group and other permissions off a folder (0700) or file (0600) that has them; symbolic
/// links are left alone. Returns whether it changed anything.
fn tighten(path: &Path, is_dir: bool) -> Result<bool> {
    let Ok(meta) = fs::symlink_metadata(path) else {
        return Ok(false);
    };
    let mode = meta.permissions().mode();
    if meta.file_type().is_symlink() || mode & 0o077 == 0 {
        return Ok(false);
    }
    let want = if is_dir { 0o700 } else { 0o600 };
    fs::set_permissions(path, fs::Permissions::from_mode(want)).map_err(|e| Error::io(path, e))?;
    Ok(true)
}

/// In one folder, whose lock is held: makes files and folders that others could read private and
/// removes closer's temp files that are old enough, or whose writer is gone, to be dead. Returns
/// how many it changed.
fn tidy(dir: &Path, now: SystemTime) -> Result<usize> {
    let entries = match fs::read_dir(dir) {
        Ok(e) => e,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(0),
        Err(e) => return Err(Error::io(dir, e)),
    };
    let mut n = 0;
    for e in entries.flatten() {
        let Ok(kind) = e.file_type() else { continue };
        let path = e.path();
        let is_temp = e
            .file_name()
            .to_str()
            .is_some_and(|name| files::classify(name) == FileKind::Temp);
        if kind.is_file() && is_temp && temp_is_dead(&path, now) {
            match fs::remove_file(&path) {
                Ok(()) => n += 1,
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
                Err(e) => return Err(Error::io(&path, e)),
            }
        } else if kind.is_file() || kind.is_dir() {
            n += usize::from(tighten(&path, kind.is_dir())?);
        }
    }
    Ok(n)
}

/// A temp file `.tmp-PID-…` is dead when it is older than any write takes, or when the process
/// that made it is gone (where `/proc` says so).
fn temp_is_dead(path: &Path, now: SystemTime) -> bool {
    let old = fs::symlink_metadata(path)
        .and_then(|m| m.modified())
        .is_ok_and(|t| now.duration_since(t).is_ok_and(|age| age > STALE_TEMP));
    let pid: Option<u32> = path
        .file_name()
        .and_then(|n| n.to_str())
        .and_then(|n| n.strip_prefix(files::TEMP_PREFIX))
        .and_then(|rest| rest.split('-').next())
        .and_then(|p| p.parse().ok());
    let gone = pid.is_some_and(|pid| {
        pid != std::process::id()
            && Path::new("/proc/self").exists()
            && !Path::new(&format!("/proc/{pid}")).exists()
    });
    old || gone
}

/// Replaces `path` with `bytes` so that a crash at any moment leaves the old or the new file.
/// The file is 0600 whatever the umask.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> Result<()> {
    crate::run_memo::forget(path);
    let dir = path.parent().unwrap_or(Path::new("."));
    let mut tmp = tempfile::Builder::new()
        .prefix(&format!("{}{}-", files::TEMP_PREFIX, std::process::id()))
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
