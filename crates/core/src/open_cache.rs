//! The device-local cache of what one partner's key opened and checked in an encrypted folder,
//! kept between runs in the device's cache folder (never in the data folder), so that a record
//! unchanged since it was last read is not decrypted and its signature checked again.
//!
//! What it promises (SECURITY.md): it holds only what that partner's key opens anyway, in files
//! only this user can read; an entry is found by a digest of the place and every byte of the
//! sealed file, so a file changed, replaced or forged is opened and checked again; the signer's
//! key must still be the one it was checked against; and the rules of who may write where are
//! applied to every record read from it as to one just opened. The caller keeps one only for a
//! key that is not passphrase-protected, and removes it when a passphrase is set.
//!
//! One cache file for each year's answer file (with the answers sealed inside it), one for the
//! needs and one for every other record, read only when one of its records is, and written when
//! something new was opened. Delete it at any time.

use crate::crypto::opened::{Memory, Outcome, Seen};
use crate::error::Result;
use crate::store::Store;
use sha2::{Digest, Sha256};
use std::collections::HashMap;
use std::io::Write;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::time::{Duration, SystemTime};

const MAGIC: &[u8] = b"closer-opened 5\n";

/// A cache file not written for this long is removed when the cache is next written: what a
/// record deleted on the other device held does not stay on this one for long.
pub const KEPT_FOR: Duration = Duration::from_secs(30 * 24 * 3600);

/// How many record files' entries are kept loaded, unchanged, before they are let go.
const LOADED: usize = 8;

/// What one partner's key opened, by record file.
pub struct OpenCache {
    dir: PathBuf,
    /// The key's age recipient: a cache file written for another key is not used.
    reader: String,
    files: Mutex<HashMap<String, Entries>>,
}

#[derive(Default)]
struct Entries {
    by_seen: HashMap<Seen, Entry>,
    changed: bool,
}

/// What one sealed file opened to, and when a run last used it.
struct Entry {
    place: String,
    outcome: Outcome,
    /// Its [`check`], as written: tested when the entry is used, so that a run that uses a few
    /// entries of a large file does not hash every one.
    sum: [u8; 32],
    /// When the cache file was written by a run that used this entry (seconds since 1970).
    used_at: u64,
    /// This run recalled or remembered it.
    used: bool,
}

/// The folder of the cache of partner `partner`'s key for the data folder `store`, in the
/// device's cache folder `cache_dir`.
pub fn dir(cache_dir: &Path, store: &Store, partner: &str) -> PathBuf {
    folder_dir(cache_dir, store).join(partner)
}

/// The folder of every partner's cache for the data folder `store`.
pub fn folder_dir(cache_dir: &Path, store: &Store) -> PathBuf {
    cache_dir
        .join("opened")
        .join(crate::index::folder_key(store))
}

/// The cache file a place is kept in. An answer sealed inside a year's answer file
/// (`answers/P/2026-03-01`) belongs with that file (`answers/P/2026`): a run reads one year or
/// several, each as a whole. So does each partner's long list of sessions, read by few commands.
/// The needs share one file, and every other record (the couple, partners, holds, touch states)
/// another: a run reads many of them, each of those files with one open and one read, not one
/// for every record.
fn file_of(place: &str) -> &str {
    match place.rsplit_once('/') {
        Some((dir, day))
            if place.starts_with("answers/")
                && day.len() == 10
                && day.as_bytes()[4] == b'-'
                && day[..4].bytes().all(|b| b.is_ascii_digit()) =>
        {
            &place[..dir.len() + 5]
        }
        _ if place.starts_with("answers/") || place.ends_with("/sessions") => place,
        _ if place.starts_with("needs/") => "needs",
        _ => "records",
    }
}

fn file_name(file: &str) -> String {
    let d = Sha256::digest(file.as_bytes());
    d[..16].iter().map(|b| format!("{b:02x}")).collect()
}

/// The checksum an entry is stored with, checked when it is used: a cache file cut short or
/// damaged never gives a wrong record.
fn check(seen: &Seen, place: &str, o: &Outcome) -> [u8; 32] {
    let mut h = Sha256::new();
    h.update(seen);
    h.update(place.as_bytes());
    h.update([0, tag(o)]);
    if let Outcome::Opened {
        signer,
        signer_key,
        body,
        rev,
    } = o
    {
        for part in [signer.as_bytes(), signer_key.as_bytes(), body] {
            h.update((part.len() as u64).to_le_bytes());
            h.update(part);
        }
        h.update(rev.to_le_bytes());
    }
    h.finalize().into()
}

/// The kind of an outcome, as written.
fn tag(o: &Outcome) -> u8 {
    match o {
        Outcome::NotForYou => 0,
        Outcome::Opened { .. } => 1,
        Outcome::Believed => 2,
    }
}

fn put(out: &mut Vec<u8>, part: &[u8]) {
    out.extend_from_slice(&(part.len() as u32).to_le_bytes());
    out.extend_from_slice(part);
}

fn encode(reader: &str, e: &Entries) -> Vec<u8> {
    let mut out = MAGIC.to_vec();
    put(&mut out, reader.as_bytes());
    for (seen, entry) in &e.by_seen {
        let (place, o) = (&entry.place, &entry.outcome);
        out.extend_from_slice(seen);
        out.extend_from_slice(&entry.sum);
        out.extend_from_slice(&entry.used_at.to_le_bytes());
        put(&mut out, place.as_bytes());
        out.push(tag(o));
        match o {
            Outcome::NotForYou | Outcome::Believed => {}
            Outcome::Opened {
                signer,
                signer_key,
                body,
                rev,
            } => {
                put(&mut out, signer.as_bytes());
                put(&mut out, signer_key.as_bytes());
                put(&mut out, body);
                out.extend_from_slice(&rev.to_le_bytes());
            }
        }
    }
    out
}

struct Reader<'a>(&'a [u8]);

impl<'a> Reader<'a> {
    fn take(&mut self, n: usize) -> Option<&'a [u8]> {
        if self.0.len() < n {
            return None;
        }
        let (a, b) = self.0.split_at(n);
        self.0 = b;
        Some(a)
    }
    fn part(&mut self) -> Option<&'a [u8]> {
        let n = u32::from_le_bytes(self.take(4)?.try_into().ok()?) as usize;
        self.take(n)
    }
    fn text(&mut self) -> Option<String> {
        String::from_utf8(self.part()?.to_vec()).ok()
    }
}

/// The entries of a cache file written for `reader`; `None` when it is not one, or is cut short.
fn decode(reader: &str, bytes: &[u8]) -> Option<HashMap<Seen, Entry>> {
    let mut r = Reader(bytes.strip_prefix(MAGIC)?);
    if r.part()? != reader.as_bytes() {
        return None;
    }
    let mut out = HashMap::new();
    while !r.0.is_empty() {
        let seen: Seen = r.take(32)?.try_into().ok()?;
        let sum: [u8; 32] = r.take(32)?.try_into().ok()?;
        let used_at = u64::from_le_bytes(r.take(8)?.try_into().ok()?);
        let place = r.text()?;
        let o = match r.take(1)? {
            [0] => Outcome::NotForYou,
            [2] => Outcome::Believed,
            [1] => Outcome::Opened {
                signer: r.text()?,
                signer_key: r.text()?,
                body: r.part()?.to_vec(),
                rev: u64::from_le_bytes(r.take(8)?.try_into().ok()?),
            },
            _ => return None,
        };
        out.insert(
            seen,
            Entry {
                place,
                outcome: o,
                sum,
                used_at,
                used: false,
            },
        );
    }
    Some(out)
}

impl OpenCache {
    /// The cache in `dir` of the key whose age recipient is `reader`; nothing is read until a
    /// record is.
    pub fn new(dir: PathBuf, reader: &str) -> OpenCache {
        OpenCache {
            dir,
            reader: reader.to_owned(),
            files: Mutex::default(),
        }
    }

    /// The folder this cache is kept in.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    fn with<R>(&self, place: &str, f: impl FnOnce(&mut Entries) -> R) -> R {
        let file = file_of(place);
        let mut files = self.files.lock().unwrap_or_else(|e| e.into_inner());
        if files.len() >= LOADED && !files.contains_key(file) {
            // What was loaded and not changed is read again from its file when needed: a run
            // that reads years of answers does not hold them all at once.
            files.retain(|_, e| e.changed);
        }
        let e = files.entry(file.to_owned()).or_insert_with(|| Entries {
            by_seen: read_whole(&self.dir.join(file_name(file)))
                .ok()
                .and_then(|b| decode(&self.reader, &b))
                .unwrap_or_default(),
            changed: false,
        });
        f(e)
    }

    /// Writes what changed. A cache file not written for [`KEPT_FOR`] before `now` is removed,
    /// and so is an entry no run has used for that long (a record deleted from the folder, or
    /// an older version of one): a file shared by many records is written often, and must not
    /// keep what one of them held for ever. A file whose entries this run used is written again
    /// when it was last written half that time ago, so what is in use stays.
    pub fn save(&self, now: SystemTime) -> Result<()> {
        let secs = now
            .duration_since(SystemTime::UNIX_EPOCH)
            .map_or(0, |d| d.as_secs());
        let kept = KEPT_FOR.as_secs();
        let mut files = self.files.lock().unwrap_or_else(|e| e.into_inner());
        for e in files.values_mut() {
            e.changed |= e
                .by_seen
                .values()
                .any(|x| x.used && secs.saturating_sub(x.used_at) > kept / 2);
        }
        if !files.values().any(|e| e.changed) {
            return Ok(());
        }
        Store::new(&self.dir).ensure_dir("")?;
        let mut written = Vec::new();
        for (file, e) in files.iter_mut().filter(|(_, e)| e.changed) {
            e.by_seen
                .retain(|_, x| x.used || secs.saturating_sub(x.used_at) <= kept);
            for x in e.by_seen.values_mut().filter(|x| x.used) {
                x.used_at = secs;
            }
            let name = file_name(file);
            let path = self.dir.join(&name);
            write_private(&path, &encode(&self.reader, e))
                .map_err(|err| crate::Error::io(&path, err))?;
            e.changed = false;
            written.push(std::ffi::OsString::from(name));
        }
        remove_old(&self.dir, now, &written);
        Ok(())
    }
}

/// The bytes of the cache file at `path`, read with one open and, for a file of up to 64 KiB,
/// one read: a file read short is at its end (a cache file is only ever replaced whole, and one
/// cut short is not believed).
fn read_whole(path: &Path) -> std::io::Result<Vec<u8>> {
    let mut f = std::fs::File::open(path)?;
    let mut buf = vec![0; 64 * 1024];
    let mut n = 0;
    loop {
        match std::io::Read::read(&mut f, &mut buf[n..]) {
            Ok(got) => {
                n += got;
                if got == 0 || n < buf.len() {
                    break;
                }
                // A larger file: room for all of it (and a byte more) at once.
                let len = f.metadata().map_or(0, |m| m.len() as usize);
                buf.resize((len + 1).max(2 * buf.len()), 0);
            }
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    buf.truncate(n);
    Ok(buf)
}

/// Removes the files in `dir`, other than those just `written`, not written for [`KEPT_FOR`]
/// before `now`.
pub(crate) fn remove_old(dir: &Path, now: SystemTime, written: &[std::ffi::OsString]) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for f in entries.flatten() {
        let old = f.metadata().and_then(|m| m.modified()).is_ok_and(|t| {
            now.duration_since(t)
                .is_ok_and(|age: Duration| age > KEPT_FOR)
        });
        if old && !written.contains(&f.file_name()) {
            let _ = std::fs::remove_file(f.path());
        }
    }
}

/// Replaces `path` with `bytes`, 0600, through a temp file in the same folder: never half a
/// file (a cache needs no fsync; a file lost in a crash is opened again).
pub(crate) fn write_private(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let dir = path.parent().unwrap_or(Path::new("."));
    let mut tmp = tempfile::Builder::new()
        .prefix(".tmp-")
        .permissions(std::fs::Permissions::from_mode(0o600))
        .tempfile_in(dir)?;
    tmp.as_file_mut()
        .set_permissions(std::fs::Permissions::from_mode(0o600))?;
    tmp.write_all(bytes)?;
    tmp.persist(path).map_err(|e| e.error)?;
    Ok(())
}

impl Memory for OpenCache {
    fn recall(&self, place: &str, seen: &Seen) -> Option<Outcome> {
        self.with(place, |e| {
            let x = e
                .by_seen
                .get_mut(seen)
                .filter(|x| x.place == place && check(seen, place, &x.outcome) == x.sum)?;
            x.used = true;
            Some(x.outcome.clone())
        })
    }

    fn remember(&self, place: &str, seen: Seen, outcome: Outcome) {
        self.with(place, |e| {
            // One entry of each kind a place: what an older version of a record held goes
            // with it.
            let believed = matches!(outcome, Outcome::Believed);
            e.by_seen.retain(|_, x| {
                x.place != place || matches!(x.outcome, Outcome::Believed) != believed
            });
            e.by_seen.insert(
                seen,
                Entry {
                    place: place.to_owned(),
                    sum: check(&seen, place, &outcome),
                    outcome,
                    used_at: 0,
                    used: true,
                },
            );
            e.changed = true;
        });
    }
}

/// Removes every cache of the data folder's records kept for partner `partner` (a passphrase
/// was set on their key, or the folder was decrypted).
pub fn forget(dir: &Path) -> Result<()> {
    match std::fs::remove_dir_all(dir) {
        Err(e) if e.kind() != std::io::ErrorKind::NotFound => Err(crate::Error::io(dir, e)),
        _ => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::crypto::{Keys, seal};
    use crate::sealing::Sealing;
    use crate::store::Versioned;
    use std::fs;
    use std::sync::Arc;

    const A: &str = "alex00000001";
    const B: &str = "sam000000002";
    const NEED: &str = "needs/abcd12345678.json";

    #[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
    struct Raw(serde_json::Value);
    impl Versioned for Raw {
        fn version(&self) -> u32 {
            1
        }
    }

    fn need(private: bool, text: &str) -> Raw {
        Raw(
            serde_json::json!({"version": 1, "id": "abcd12345678", "owner": A,
            "text": text, "private": private}),
        )
    }

    fn copy(k: &Keys) -> Keys {
        Keys::from_text(age::secrecy::ExposeSecret::expose_secret(&k.to_text())).unwrap()
    }

    /// One partner's device in a new run: its keys remembering in `cache` (a fresh cache object,
    /// as a new process makes), the other partner's public keys known.
    struct Device {
        store: Store,
        cache: Arc<OpenCache>,
    }

    fn device(root: &Path, cache: &Path, mine: (&str, &Keys), other: (&str, &Keys)) -> Device {
        let store = Store::new(root);
        let c = Arc::new(OpenCache::new(cache.to_owned(), &mine.1.public().age));
        let mut s = Sealing::new();
        s.hold(mine.0, Arc::new(copy(mine.1).remembering(c.clone())));
        s.know(other.0, other.1.public());
        s.act_as(mine.0);
        store.set_sealing(Some(s));
        Device { store, cache: c }
    }

    struct World {
        t: tempfile::TempDir,
        ka: Keys,
        kb: Keys,
    }

    impl World {
        fn new() -> World {
            World {
                t: tempfile::tempdir().unwrap(),
                ka: Keys::generate(),
                kb: Keys::generate(),
            }
        }
        fn alex(&self) -> Device {
            device(
                &self.t.path().join("data"),
                &self.t.path().join("alex-cache"),
                (A, &self.ka),
                (B, &self.kb),
            )
        }
        fn sam(&self) -> Device {
            device(
                &self.t.path().join("data"),
                &self.t.path().join("sam-cache"),
                (B, &self.kb),
                (A, &self.ka),
            )
        }
        fn file(&self) -> PathBuf {
            self.t.path().join("data/needs/abcd12345678.age")
        }
    }

    fn read(d: &Device) -> Option<Raw> {
        let r = d.store.read::<Raw>(NEED).unwrap();
        d.cache.save(SystemTime::now()).unwrap();
        r
    }

    fn cached_files(dir: &Path) -> Vec<Vec<u8>> {
        fs::read_dir(dir)
            .map(|e| e.flatten().map(|f| fs::read(f.path()).unwrap()).collect())
            .unwrap_or_default()
    }

    fn contains(bytes: &[u8], text: &str) -> bool {
        bytes.windows(text.len()).any(|w| w == text.as_bytes())
    }

    #[test]
    fn a_record_opened_once_is_read_from_the_cache_in_the_next_run() {
        let w = World::new();
        let alex = w.alex();
        alex.store.ensure_dir("needs").unwrap();
        alex.store.write(NEED, &need(false, "buttons")).unwrap();
        assert_eq!(read(&w.alex()), Some(need(false, "buttons")));
        // The next run finds it remembered: its digest is in the cache, with the same record.
        let next = w.alex();
        let bytes = fs::read(w.file()).unwrap();
        let seen = crate::crypto::opened::seen("needs/abcd12345678", &bytes);
        assert!(matches!(
            next.cache.recall("needs/abcd12345678", &seen),
            Some(Outcome::Opened { ref signer, .. }) if signer == A
        ));
        assert_eq!(read(&next), Some(need(false, "buttons")));
        let dir = w.t.path().join("alex-cache");
        let mode = fs::metadata(&dir).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o700);
        for f in fs::read_dir(&dir).unwrap().flatten() {
            assert_eq!(f.metadata().unwrap().permissions().mode() & 0o777, 0o600);
        }
    }

    #[test]
    fn a_changed_or_forged_file_is_opened_and_checked_again() {
        let w = World::new();
        let alex = w.alex();
        alex.store.ensure_dir("needs").unwrap();
        alex.store.write(NEED, &need(false, "buttons")).unwrap();
        let sam = w.sam();
        assert_eq!(read(&sam), Some(need(false, "buttons")));
        // Rewritten by its owner: the new version, not the remembered one.
        w.alex().store.write(NEED, &need(false, "zips")).unwrap();
        assert_eq!(read(&w.sam()), Some(need(false, "zips")));
        // Forged: Sam's key claiming to be Alex, at the same place, the same size.
        let place = "needs/abcd12345678";
        let body = need(false, "hooks").encode().unwrap();
        let forged = seal::seal(&w.kb, A, place, &body, &[&w.ka.public(), &w.kb.public()]);
        fs::write(w.file(), forged.unwrap()).unwrap();
        let sam = w.sam();
        assert_eq!(read(&sam), None);
        assert!(!sam.store.take_left_out().is_empty(), "reported");
        // And again in the run after: a file that failed its check is never remembered.
        let sam = w.sam();
        assert_eq!(read(&sam), None);
        assert!(!sam.store.take_left_out().is_empty(), "reported again");
    }

    fn believed(dir: &Path, reader: &Keys) -> usize {
        cached_files(dir)
            .iter()
            .filter_map(|b| decode(&reader.public().age, b))
            .flat_map(|e| e.into_values())
            .filter(|x| x.outcome == Outcome::Believed)
            .count()
    }

    #[test]
    fn the_signatures_inside_a_need_are_checked_once_and_a_forged_one_on_every_run() {
        let w = World::new();
        let alex = w.alex();
        alex.store.ensure_dir("needs").unwrap();
        alex.store.write(NEED, &need(false, "buttons")).unwrap();
        assert_eq!(read(&w.sam()), Some(need(false, "buttons")));
        let dir = w.t.path().join("sam-cache");
        assert_eq!(believed(&dir, &w.kb), 1, "remembered as checked");
        assert_eq!(read(&w.sam()), Some(need(false, "buttons")));
        // Sam rewrites Alex's own words and seals it as Sam: Alex's signature inside no longer
        // holds. Reported on every run, never remembered as checked.
        let place = "needs/abcd12345678";
        let keys_of = |p: &str| match p {
            A => Some(w.ka.public()),
            _ => Some(w.kb.public()),
        };
        let opened = seal::open(&w.ka, &fs::read(w.file()).unwrap(), place, keys_of).unwrap();
        let text = String::from_utf8(opened.body).unwrap();
        assert!(text.contains("\"signed\""), "{text}");
        let forged = text.replace("buttons", "hooks!!");
        let both = [&w.ka.public(), &w.kb.public()];
        let sealed = seal::seal(&w.kb, B, place, forged.as_bytes(), &both).unwrap();
        fs::write(w.file(), sealed).unwrap();
        for _ in 0..2 {
            let sam = w.sam();
            assert_eq!(read(&sam), None);
            assert!(!sam.store.take_left_out().is_empty(), "reported");
        }
        assert_eq!(believed(&dir, &w.kb), 1, "only the genuine version");
    }

    #[test]
    fn what_the_key_cannot_open_is_never_in_its_cache() {
        let w = World::new();
        let alex = w.alex();
        alex.store.ensure_dir("needs").unwrap();
        alex.store
            .write(NEED, &need(true, "my own buttons"))
            .unwrap();
        assert_eq!(read(&w.alex()), Some(need(true, "my own buttons")));
        assert_eq!(read(&w.sam()), None);
        assert_eq!(read(&w.sam()), None, "remembered as not for Sam");
        for f in cached_files(&w.t.path().join("sam-cache")) {
            assert!(!contains(&f, "my own buttons"));
        }
        assert!(
            cached_files(&w.t.path().join("alex-cache"))
                .iter()
                .any(|f| contains(f, "my own buttons"))
        );
        // Alex's cache, put where Sam's device keeps its own, is not used for Sam's key.
        let (a, s) = (w.t.path().join("alex-cache"), w.t.path().join("sam-cache"));
        fs::remove_dir_all(&s).unwrap();
        fs::create_dir(&s).unwrap();
        for f in fs::read_dir(&a).unwrap().flatten() {
            fs::copy(f.path(), s.join(f.file_name())).unwrap();
        }
        assert_eq!(read(&w.sam()), None);
    }

    #[test]
    fn a_damaged_cache_file_is_never_believed() {
        let w = World::new();
        let alex = w.alex();
        alex.store.ensure_dir("needs").unwrap();
        alex.store.write(NEED, &need(false, "buttons")).unwrap();
        read(&w.alex());
        let dir = w.t.path().join("alex-cache");
        let file = fs::read_dir(&dir).unwrap().next().unwrap().unwrap().path();
        let good = fs::read(&file).unwrap();
        let at = good.windows(7).position(|x| x == b"buttons").unwrap();
        let mut bad = good.clone();
        bad[at] = b'm'; // "muttons": the checksum no longer matches
        for damaged in [bad, good[..good.len() - 3].to_vec()] {
            fs::write(&file, &damaged).unwrap();
            assert_eq!(read(&w.alex()), Some(need(false, "buttons")));
        }
    }

    #[test]
    fn the_rules_and_the_signers_key_apply_to_what_is_remembered() {
        let w = World::new();
        let alex = w.alex();
        alex.store.ensure_dir("needs").unwrap();
        alex.store.write(NEED, &need(false, "buttons")).unwrap();
        let bytes = fs::read(w.file()).unwrap();
        let place = "needs/abcd12345678";
        let seen = crate::crypto::opened::seen(place, &bytes);
        let s = alex.store.sealing().unwrap();
        // A remembered entry whose signer may not write here (Sam, on Alex's own record) is
        // refused by the rule, as a record just opened would be.
        let own = format!("touch/{A}/state");
        let own_seen = crate::crypto::opened::seen(&own, &bytes);
        alex.cache.remember(
            &own,
            own_seen,
            Outcome::Opened {
                signer: B.into(),
                signer_key: w.kb.public().ed25519,
                body: b"{\"version\":1}".to_vec(),
                rev: 0,
            },
        );
        assert!(s.open(&own, &bytes).is_err());
        // A remembered entry checked against a key the signer no longer has is opened afresh.
        alex.cache.remember(
            place,
            seen,
            Outcome::Opened {
                signer: A.into(),
                signer_key: Keys::generate().public().ed25519,
                body: b"{\"text\":\"not what the file says\"}".to_vec(),
                rev: 0,
            },
        );
        let body = s.open(place, &bytes).unwrap();
        assert!(contains(&body, "buttons"));
    }

    #[test]
    fn old_cache_files_go_and_a_forgotten_cache_is_gone() {
        let w = World::new();
        let alex = w.alex();
        alex.store.ensure_dir("needs").unwrap();
        alex.store.write(NEED, &need(false, "buttons")).unwrap();
        read(&w.alex());
        let dir = w.t.path().join("alex-cache");
        assert_eq!(cached_files(&dir).len(), 1);
        // A run long after reads another record: the old file goes, the one it wrote stays.
        let later = w.alex();
        let other = format!("touch/{A}/state.json");
        let n = Raw(serde_json::json!({"version": 1, "text": "zips"}));
        later.store.ensure_dir(&format!("touch/{A}")).unwrap();
        later.store.write(&other, &n).unwrap();
        assert_eq!(later.store.read::<Raw>(&other).unwrap(), Some(n));
        later
            .cache
            .save(SystemTime::now() + KEPT_FOR + Duration::from_secs(60))
            .unwrap();
        let left = cached_files(&dir);
        assert_eq!(left.len(), 1);
        assert!(contains(&left[0], "zips"));
        forget(&dir).unwrap();
        assert!(!dir.exists());
    }

    /// A need with text `text` at place `needs/{id}.json`.
    fn need_at(id: &str, text: &str) -> (String, Raw) {
        let mut n = need(false, text);
        n.0["id"] = id.into();
        (format!("needs/{id}.json"), n)
    }

    #[test]
    fn a_deleted_record_leaves_a_shared_cache_file_and_one_in_use_stays() {
        let w = World::new();
        let alex = w.alex();
        alex.store.ensure_dir("needs").unwrap();
        let (gone, buttons) = need_at("abcd12345678", "buttons");
        let (kept, zips) = need_at("efgh12345678", "zips");
        let (new, hooks) = need_at("ijkl12345678", "hooks");
        alex.store.write(&gone, &buttons).unwrap();
        alex.store.write(&kept, &zips).unwrap();
        let day = |n: u64| SystemTime::now() + Duration::from_secs(n * 24 * 3600);
        let run = |at: SystemTime, places: &[&str]| {
            let d = w.alex();
            for p in places {
                assert!(d.store.read::<Raw>(p).unwrap().is_some());
            }
            d.cache.save(at).unwrap();
        };
        run(day(0), &[&gone, &kept]);
        // The first need is deleted from the folder; the second is read on and off.
        fs::remove_file(w.t.path().join("data/needs/abcd12345678.age")).unwrap();
        run(day(20), &[&kept]);
        // Long after, a new need is opened and the shared file written again.
        alex.store.write(&new, &hooks).unwrap();
        run(day(40), &[&kept, &new]);
        let files = cached_files(&w.t.path().join("alex-cache"));
        assert!(
            files.iter().all(|f| !contains(f, "buttons")),
            "what a deleted need held goes"
        );
        assert!(
            files
                .iter()
                .any(|f| contains(f, "zips") && contains(f, "hooks"))
        );
    }

    #[test]
    fn the_needs_share_one_cache_file_and_other_records_another() {
        let w = World::new();
        let alex = w.alex();
        alex.store.ensure_dir("needs").unwrap();
        alex.store.ensure_dir(&format!("touch/{A}")).unwrap();
        let other = "needs/efgh12345678.json";
        let mut zips = need(false, "zips");
        zips.0["id"] = "efgh12345678".into();
        let state = format!("touch/{A}/state.json");
        let mine = Raw(serde_json::json!({"version": 1, "text": "hooks"}));
        alex.store.write(NEED, &need(false, "buttons")).unwrap();
        alex.store.write(other, &zips).unwrap();
        alex.store.write(&state, &mine).unwrap();
        let run = w.alex();
        for (place, want) in [
            (NEED, need(false, "buttons")),
            (other, zips.clone()),
            (state.as_str(), mine),
        ] {
            assert_eq!(run.store.read::<Raw>(place).unwrap(), Some(want));
        }
        run.cache.save(SystemTime::now()).unwrap();
        let files = cached_files(&w.t.path().join("alex-cache"));
        assert_eq!(files.len(), 2);
        let needs = files.iter().find(|f| contains(f, "buttons")).unwrap();
        assert!(contains(needs, "zips") && !contains(needs, "hooks"));
        // One need rewritten: it is opened again, the other comes from the same file unchanged.
        w.alex().store.write(NEED, &need(false, "snaps")).unwrap();
        let next = w.alex();
        assert_eq!(read(&next), Some(need(false, "snaps")));
        let zips_bytes = fs::read(w.t.path().join("data/needs/efgh12345678.age")).unwrap();
        let seen = crate::crypto::opened::seen("needs/efgh12345678", &zips_bytes);
        assert!(next.cache.recall("needs/efgh12345678", &seen).is_some());
        let files = cached_files(&w.t.path().join("alex-cache"));
        assert_eq!(files.len(), 2);
        assert!(
            files
                .iter()
                .any(|f| contains(f, "snaps") && contains(f, "zips"))
        );
        assert!(
            !files.iter().any(|f| contains(f, "buttons")),
            "the old version goes"
        );
    }

    #[test]
    fn a_shared_cache_file_damaged_anywhere_gives_no_wrong_record() {
        let w = World::new();
        let alex = w.alex();
        alex.store.ensure_dir("needs").unwrap();
        let other = "needs/efgh12345678.json";
        let mut zips = need(false, "zips");
        zips.0["id"] = "efgh12345678".into();
        alex.store.write(NEED, &need(false, "buttons")).unwrap();
        alex.store.write(other, &zips).unwrap();
        let run = w.alex();
        run.store.read::<Raw>(NEED).unwrap();
        run.store.read::<Raw>(other).unwrap();
        run.cache.save(SystemTime::now()).unwrap();
        let dir = w.t.path().join("alex-cache");
        let mut files = fs::read_dir(&dir).unwrap().flatten().map(|f| f.path());
        let file = files.next().unwrap();
        assert!(files.next().is_none(), "both needs in one file");
        let good = fs::read(&file).unwrap();
        let seen_of = |id: &str| {
            let place = format!("needs/{id}");
            let sealed = fs::read(w.t.path().join(format!("data/{place}.age"))).unwrap();
            let seen = crate::crypto::opened::seen(&place, &sealed);
            (place, seen)
        };
        for (text, id, other_id) in [
            ("buttons", "abcd12345678", "efgh12345678"),
            ("zips", "efgh12345678", "abcd12345678"),
        ] {
            let at = good.windows(text.len()).position(|x| x == text.as_bytes());
            let mut bad = good.clone();
            bad[at.unwrap()] = b'X';
            // One entry damaged: it is not believed, and the other is still used.
            fs::write(&file, &bad).unwrap();
            let run = w.alex();
            let ((place, seen), (other_place, other_seen)) = (seen_of(id), seen_of(other_id));
            assert!(run.cache.recall(&place, &seen).is_none(), "{text}");
            assert!(
                run.cache.recall(&other_place, &other_seen).is_some(),
                "{text}"
            );
            for damaged in [bad, good[..good.len() - 3].to_vec()] {
                fs::write(&file, &damaged).unwrap();
                let run = w.alex();
                assert_eq!(
                    run.store.read::<Raw>(NEED).unwrap(),
                    Some(need(false, "buttons"))
                );
                assert_eq!(run.store.read::<Raw>(other).unwrap(), Some(zips.clone()));
            }
        }
    }

    #[test]
    fn answers_are_kept_with_their_years_file() {
        assert_eq!(
            file_of("answers/alex00000001/2026-03-01"),
            "answers/alex00000001/2026"
        );
        assert_eq!(
            file_of("answers/alex00000001/2026"),
            "answers/alex00000001/2026"
        );
        assert_eq!(file_of("needs/abcd12345678"), "needs");
        assert_eq!(file_of("touch/alex00000001/state"), "records");
        assert_eq!(file_of("couple"), "records");
        assert_eq!(
            file_of("touch/alex00000001/sessions"),
            "touch/alex00000001/sessions"
        );
    }

    #[test]
    fn only_a_few_unchanged_files_stay_loaded_and_what_was_let_go_is_found_again() {
        let t = tempfile::tempdir().unwrap();
        let outcome = |n: usize| Outcome::Opened {
            signer: A.into(),
            signer_key: "k".into(),
            body: format!("record {n}").into_bytes(),
            rev: 0,
        };
        let place = |n: usize| format!("answers/{A}/{}-01-01", 2000 + n);
        let seen = |n: usize| crate::crypto::opened::seen(&place(n), &[n as u8]);
        let first = OpenCache::new(t.path().to_owned(), "age1reader");
        for n in 0..3 * LOADED {
            first.remember(&place(n), seen(n), outcome(n));
        }
        first.save(SystemTime::now()).unwrap();
        let next = OpenCache::new(t.path().to_owned(), "age1reader");
        for round in 0..2 {
            for n in 0..3 * LOADED {
                assert_eq!(
                    next.recall(&place(n), &seen(n)),
                    Some(outcome(n)),
                    "{round}"
                );
                assert!(next.files.lock().unwrap().len() <= LOADED);
            }
        }
    }
}
