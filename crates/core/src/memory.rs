//! What this device trusted: for each signed record of an encrypted folder whose going back would
//! matter (partner files, medical holds, needs, each partner's own facts and answers, the
//! couple's settings and the changes of their joint result), the last version it trusted, so that
//! one put back to an earlier signed version, with lines of its history dropped or reordered,
//! replaced by a hold in another partner's name, deleted behind its owner's back, or forged, is
//! reported and the version trusted used instead; `couple doctor` puts that version back.
//!
//! Kept in the device's config folder (`memory/FOLDER/`, folders 0700, files 0600; the needs in
//! `needs.json`, read only by a run that reads a need, every other record in `index.json`): per
//! place, the version counter signed with the record ([`crate::crypto::seal`]), its signer, a
//! digest of each line of a need's history, a hold's last day and whether it was lifted, and the
//! sealed file itself, still encrypted and signed (`kept/DIGEST.age`), never any text in the
//! clear. A device with no memory of a place trusts what it first sees there, silently, and
//! remembers it from then on. A need it saw go as its owner's removal is remembered a year by
//! its ID, the counter trusted and a digest of each line of its history
//! ([`Memory::gone_covers`]), so an earlier copy put back is not taken for one seen for the first
//! time, nor a version changed since for an earlier copy.

use crate::crypto::opened::FileDigest;
use crate::crypto::seal::Opened;
use crate::error::{Error, Result};
use crate::store::Store;
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use sha2::{Digest, Sha256};
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::PathBuf;
use std::sync::Mutex;

mod missing;
mod names;
pub use missing::{DELETED, Removed, remembers};
use missing::{Kind, kind};

/// What is said, after why, about a record that went back.
pub const KEEPS: &str = "this device keeps using the version it trusted";

/// The last version of a record this device trusted.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
struct Trusted {
    rev: u64,
    signer: String,
    /// SHA-256 of the sealed file, hex: the name of the kept copy.
    file: String,
    /// A need's history, a digest per line.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    lines: Vec<String>,
    /// A hold's last day, while it was not lifted.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    holds_until: Option<NaiveDate>,
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    lifted: bool,
    /// Whose record it is, for a need or a partner's own record: only their device misses it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    owner: Option<String>,
}

#[derive(Default, Serialize, Deserialize)]
struct Index {
    version: u32,
    places: BTreeMap<String, Trusted>,
    /// Needs this device trusted and saw go as their owner's removal: see [`Memory::gone_covers`].
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    gone: BTreeMap<String, Gone>,
}

/// A need this device trusted and saw removed: the counter it trusted, the day it went and a
/// digest of each line of its history.
#[derive(Debug, Clone, Serialize, Deserialize)]
struct Gone {
    rev: u64,
    date: Option<NaiveDate>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    lines: Vec<String>,
}

/// The files the memory is kept in: the needs, many and read only by the tools that read needs,
/// apart from every other record (`prompt-of-the-day` reads no need).
const SHARDS: [&str; 2] = ["index.json", "needs.json"];

/// The shard a place is kept in.
fn shard(place: &str) -> usize {
    usize::from(place.starts_with("needs/"))
}

#[derive(Default)]
struct State {
    /// Each shard's places, once read.
    shards: [Option<Index>; 2],
    changed: [bool; 2],
    /// Places read back to the version trusted in this run: what `couple doctor` puts back.
    back: BTreeSet<String>,
    /// The highest version counter seen in this run per place, in versions not trusted (the
    /// two versions `couple doctor` merges): what is written there next goes above them.
    seen_revs: BTreeMap<String, u64>,
    /// The names file of the needs is missing or out of date: written at save.
    names_due: bool,
}

/// One device's memory of one data folder.
pub struct Memory {
    dir: PathBuf,
    /// Today, on this device: a hold past its last day may be deleted unremarked.
    today: Option<NaiveDate>,
    state: Mutex<State>,
}

impl std::fmt::Debug for Memory {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Memory").field("dir", &self.dir).finish()
    }
}

/// What a record read now is, against what was trusted.
#[derive(Debug, PartialEq, Eq)]
pub enum Judged {
    /// The version trusted, a newer one, or one seen for the first time.
    Trusted,
    /// It went back: why.
    Back(String),
}

fn digest(bytes: &[u8]) -> String {
    crate::crypto::hex(&Sha256::digest(bytes))
}

/// A need's history lines, each as a digest with its time.
fn history(body: &[u8]) -> Vec<(String, Value)> {
    let Ok(need) = serde_json::from_slice::<Value>(crate::store::without_bom(body)) else {
        return Vec::new();
    };
    need.get("history")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .map(|l| {
            let d = digest(&serde_json::to_vec(l).unwrap_or_default());
            (
                d[..16].to_owned(),
                l.get("at").cloned().unwrap_or(Value::Null),
            )
        })
        .collect()
}

/// A digest of each line of the history of the need `body` (its bytes), as this device keeps it.
pub(crate) fn need_lines(body: &[u8]) -> Vec<String> {
    history(body).into_iter().map(|(d, _)| d).collect()
}

/// Whether a version of a need whose history's lines are `lines` (digests, [`need_lines`]) is the
/// version whose lines are `removed`, or an earlier one: every line of it is one of those. A
/// version changed since, even on top of an earlier one, has a line of its own. `removed` empty
/// (kept before lines were) says nothing against it.
pub(crate) fn lines_within(lines: &[String], removed: &[String]) -> bool {
    if removed.is_empty() {
        return true;
    }
    // A set, so a history of many lines (the other partner signs what they like) costs time
    // that grows with its length, not its square.
    let removed: BTreeSet<&str> = removed.iter().map(String::as_str).collect();
    lines.iter().all(|l| removed.contains(l.as_str()))
}

/// Whether every line in `before` is still in `now`, in the same order; or, for a history merged
/// from two devices (in time order), at least all there.
fn keeps_lines(before: &[String], now: &[(String, Value)]) -> bool {
    let mut it = now.iter();
    if before.iter().all(|b| it.any(|(d, _)| d == b)) {
        return true;
    }
    let times: Vec<&str> = now
        .iter()
        .map(|(_, at)| at.as_str().unwrap_or(""))
        .collect();
    if !times.windows(2).all(|w| w[0] <= w[1]) {
        return false;
    }
    // Counted rather than searched, so a history of many lines (the other partner signs what
    // they like) costs time that grows with its length, not its square.
    let mut left: HashMap<&str, usize> = HashMap::new();
    for (d, _) in now {
        *left.entry(d.as_str()).or_default() += 1;
    }
    before.iter().all(|b| match left.get_mut(b.as_str()) {
        Some(n) if *n > 0 => {
            *n -= 1;
            true
        }
        _ => false,
    })
}

/// Whose need it is.
fn need_owner(body: &[u8]) -> Option<String> {
    #[derive(Deserialize)]
    struct Owner {
        owner: String,
    }
    serde_json::from_slice::<Owner>(crate::store::without_bom(body))
        .ok()
        .map(|o| o.owner)
}

/// A hold's last day and whether it was lifted.
fn hold(body: &[u8]) -> (Option<NaiveDate>, bool) {
    let v: Value = serde_json::from_slice(crate::store::without_bom(body)).unwrap_or_default();
    let until = v
        .get("until")
        .and_then(|u| serde_json::from_value(u.clone()).ok());
    (until, v.get("released").is_some_and(|r| !r.is_null()))
}

impl Memory {
    /// The memory kept in `dir`; nothing is read until a record is. `today` is this device's date.
    pub fn new(dir: PathBuf, today: Option<NaiveDate>) -> Memory {
        Memory {
            dir,
            today,
            state: Mutex::default(),
        }
    }

    /// The folder a device keeps its memory of the data folder `store` in, in its config folder.
    pub fn dir(config_dir: &std::path::Path, store: &Store) -> PathBuf {
        config_dir
            .join("memory")
            .join(crate::index::folder_key(store))
    }

    fn read_shard(&self, i: usize) -> Index {
        std::fs::read(self.dir.join(SHARDS[i]))
            .ok()
            .and_then(|b| serde_json::from_slice(&b).ok())
            .unwrap_or_default()
    }

    /// Reads the shard `i` once. The first one is always read first: one written before the
    /// needs had their own file holds them too, and they move to theirs.
    fn load(&self, s: &mut State, i: usize) {
        if s.shards[0].is_none() {
            let mut first = self.read_shard(0);
            let needs = first.places.split_off("needs/");
            let (needs, rest): (BTreeMap<_, _>, BTreeMap<_, _>) =
                needs.into_iter().partition(|(p, _)| shard(p) == 1);
            first.places.extend(rest);
            if !needs.is_empty() {
                let mut theirs = self.read_shard(1);
                for (p, t) in needs {
                    theirs.places.entry(p).or_insert(t);
                }
                s.shards[1] = Some(theirs);
                s.changed = [true; 2];
            }
            s.shards[0] = Some(first);
        }
        if s.shards[i].is_none() {
            s.shards[i] = Some(self.read_shard(i));
        }
    }

    /// Runs `f` with the shard of `place` read.
    fn with<R>(&self, place: &str, f: impl FnOnce(&mut Index, &mut bool) -> R) -> R {
        let mut s = self.state.lock().unwrap_or_else(|e| e.into_inner());
        let i = shard(place);
        self.load(&mut s, i);
        let State {
            shards, changed, ..
        } = &mut *s;
        f(
            shards[i].get_or_insert_with(Index::default),
            &mut changed[i],
        )
    }

    /// Whether every need this device remembers is one `present` (given a need's ID) says is in
    /// the folder, told by the names of the needs kept beside their memory ([`names`]) without
    /// reading it; `false` when it cannot tell that way.
    fn every_need_present(&self, present: &dyn Fn(&str) -> bool) -> bool {
        let mut s = self.state.lock().unwrap_or_else(|e| e.into_inner());
        // A memory kept in one file (older closer) moves its needs to their own on this read.
        self.load(&mut s, 0);
        if s.shards[1].is_some() {
            return false;
        }
        match names::read(&self.dir) {
            Some(names) => names.iter().all(|n| n.contains('/') || present(n)),
            None => {
                s.names_due = true;
                false
            }
        }
    }

    /// Runs `f` with every shard read.
    fn with_all<R>(&self, f: impl FnOnce(&mut State) -> R) -> R {
        let mut s = self.state.lock().unwrap_or_else(|e| e.into_inner());
        for i in 0..SHARDS.len() {
            self.load(&mut s, i);
        }
        f(&mut s)
    }

    fn get(&self, place: &str) -> Option<Trusted> {
        self.with(place, |i, _| i.places.get(place).cloned())
    }

    /// The digest of the sealed file trusted at `place` (hex), if any: which version a read of
    /// it gave, the file's or the one kept in place of a version that went back.
    pub fn trusted_file(&self, place: &str) -> Option<String> {
        self.with(place, |i, _| i.places.get(place).map(|t| t.file.clone()))
    }

    /// The version counter of the version of `place` this device trusts.
    pub fn trusted_rev(&self, place: &str) -> Option<u64> {
        self.with(place, |i, _| i.places.get(place).map(|t| t.rev))
    }

    /// The counter of the last version of the need at `place` this device trusted before it saw
    /// the need removed by its owner, if it did within [`crate::removals::KEPT_DAYS`] days.
    #[cfg(test)]
    pub(crate) fn gone_rev(&self, place: &str) -> Option<u64> {
        self.gone(place).map(|g| g.rev)
    }

    fn gone(&self, place: &str) -> Option<Gone> {
        self.with(place, |i, _| i.gone.get(place).cloned())
            .filter(|g| match (self.today, g.date) {
                (Some(today), Some(date)) => {
                    today.signed_duration_since(date).num_days() <= crate::removals::KEPT_DAYS
                }
                _ => true,
            })
    }

    /// Whether `body`, a version at counter `rev` of the need at `place` that this device saw
    /// removed by its owner (within [`crate::removals::KEPT_DAYS`] days), is the version it last
    /// trusted or an earlier one: an earlier copy put back (a backup, a sync tool's history), not
    /// a need seen for the first time nor one changed since ([`lines_within`]).
    pub fn gone_covers(&self, place: &str, body: &[u8], rev: u64) -> bool {
        self.gone(place)
            .is_some_and(|g| rev <= g.rev && lines_within(&need_lines(body), &g.lines))
    }

    /// A digest of each line of the history of the version of the need at `place` this device
    /// trusts ([`need_lines`]).
    pub fn trusted_lines(&self, place: &str) -> Option<Vec<String>> {
        self.get(place).map(|t| t.lines)
    }

    /// The version counter a new version of `place` is signed with: above the one trusted and
    /// any [`Memory::saw_rev`] noted.
    pub fn next_rev(&self, place: &str) -> u64 {
        let seen = {
            let s = self.state.lock().unwrap_or_else(|e| e.into_inner());
            s.seen_revs.get(place).copied().unwrap_or(0)
        };
        self.get(place)
            .map_or(0, |t| t.rev)
            .max(seen)
            .saturating_add(1)
    }

    /// Notes that a version of `place` signed with counter `rev` exists, trusted or not (one of
    /// two versions being merged): a merge written after it must not look older than either
    /// version on the device that wrote the other.
    pub fn saw_rev(&self, place: &str, rev: u64) {
        let mut s = self.state.lock().unwrap_or_else(|e| e.into_inner());
        let r = s.seen_revs.entry(place.to_owned()).or_insert(0);
        *r = (*r).max(rev);
    }

    /// Judges `opened`, read from the sealed file `sealed` at `place`, against what was trusted
    /// there, and trusts it from now on when it does not go back. `file` is the digest of
    /// `sealed` ([`crate::crypto::opened::file_digest`]), worked out once by the caller.
    pub fn judge(&self, place: &str, opened: &Opened, sealed: &[u8], file: &FileDigest) -> Judged {
        if !remembers(place) {
            return Judged::Trusted;
        }
        let file = crate::crypto::hex(file);
        let before = self.get(place);
        if let Some(b) = &before {
            // Remembered before owners were: learnt once, from the version trusted.
            let owned = matches!(kind(place), Some(Kind::Need | Kind::Own));
            if b.file == file && (b.owner.is_some() || !owned) {
                return Judged::Trusted;
            }
            if let Some(why) = self.went_back(place, b, opened) {
                return Judged::Back(why);
            }
        }
        self.trust(place, opened, sealed, file);
        Judged::Trusted
    }

    /// Trusts `opened`, the sealed file `sealed` this device just wrote at `place`.
    /// `file` is the digest of `sealed`.
    pub fn trust_written(&self, place: &str, opened: &Opened, sealed: &[u8], file: &FileDigest) {
        if remembers(place) {
            self.trust(place, opened, sealed, crate::crypto::hex(file));
        }
    }

    fn went_back(&self, place: &str, b: &Trusted, o: &Opened) -> Option<String> {
        if o.rev < b.rev {
            return Some("it is an earlier version than one this device already trusted (someone put an old copy back)".into());
        }
        if place.starts_with("touch/holds/") {
            if o.signer != b.signer {
                return Some(format!(
                    "this hold was set by {}, and it was replaced by one signed by {}",
                    b.signer, o.signer
                ));
            }
            if b.lifted && !hold(&o.body).1 {
                return Some(
                    "this hold was lifted, and an earlier version of it, not lifted, was put back"
                        .into(),
                );
            }
        }
        if place.starts_with("needs/") && !keeps_lines(&b.lines, &history(&o.body)) {
            return Some(
                "lines of its history that this device saw are gone or out of order".into(),
            );
        }
        None
    }

    /// Whether `file`, read at `place` and going back from the version trusted there, is one
    /// side of a sync conflict rather than an old copy put back: `copy`, a conflict copy beside
    /// it, holds the version trusted or a later one, so `couple doctor` merges the two with
    /// nothing lost. Syncing never changes who signed a hold: one signed by someone else is not.
    pub fn conflict_explains(&self, place: &str, file: &Opened, copy: &Opened) -> bool {
        let Some(b) = self.get(place) else {
            return false;
        };
        self.went_back(place, &b, copy).is_none()
            && !(place.starts_with("touch/holds/") && file.signer != b.signer)
    }

    fn trust(&self, place: &str, o: &Opened, sealed: &[u8], file: String) {
        let k = kind(place);
        let (until, lifted) = match k {
            Some(Kind::Hold) => hold(&o.body),
            _ => (None, false),
        };
        let (lines, owner) = match k {
            Some(Kind::Need) => (
                history(&o.body).into_iter().map(|(d, _)| d).collect(),
                need_owner(&o.body),
            ),
            Some(Kind::Own) => (Vec::new(), Some(o.signer.clone())),
            _ => (Vec::new(), None),
        };
        let t = Trusted {
            rev: o.rev,
            signer: o.signer.clone(),
            lines,
            holds_until: until.filter(|_| !lifted),
            lifted,
            owner,
            file: file.clone(),
        };
        // Without its kept copy a version could not be used again: then it is not remembered.
        let kept = self.dir.join("kept");
        let path = kept.join(format!("{file}.age"));
        let ok = path.exists()
            || (Store::new(&self.dir).ensure_dir("kept").is_ok()
                && crate::open_cache::write_private(&path, sealed).is_ok());
        if ok {
            self.with(place, |i, changed| {
                i.places.insert(place.to_owned(), t);
                i.gone.remove(place);
                *changed = true;
            });
        }
    }

    /// The sealed file of the version trusted at `place`, when it is kept.
    pub fn kept(&self, place: &str) -> Option<Vec<u8>> {
        let t = self.get(place)?;
        let bytes = std::fs::read(self.dir.join("kept").join(format!("{}.age", t.file))).ok()?;
        (digest(&bytes) == t.file).then_some(bytes)
    }

    /// Notes that `place` was read back to the version trusted in this run.
    pub fn went_back_at(&self, place: &str) {
        let mut s = self.state.lock().unwrap_or_else(|e| e.into_inner());
        s.back.insert(place.to_owned());
    }

    /// Takes back [`Memory::went_back_at`]: nothing is put back at `place`.
    pub(crate) fn went_back_at_not(&self, place: &str) {
        let mut s = self.state.lock().unwrap_or_else(|e| e.into_inner());
        s.back.remove(place);
    }

    /// Forgets everything: the folder is plain on this device now (`couple decrypt`).
    pub fn clear(&self) {
        self.with_all(|s| {
            s.shards = Default::default();
            s.back.clear();
            s.changed = [true; 2];
        });
    }

    /// Every place this device remembers.
    pub fn places(&self) -> Vec<String> {
        self.with_all(|s| {
            s.shards
                .iter()
                .flatten()
                .flat_map(|i| i.places.keys().cloned())
                .collect()
        })
    }

    /// Puts back, at every place read back in this run, the version trusted, as it was signed:
    /// the places put back.
    pub fn put_back(&self, store: &Store) -> Result<Vec<String>> {
        let back: Vec<String> = {
            let mut s = self.state.lock().unwrap_or_else(|e| e.into_inner());
            std::mem::take(&mut s.back).into_iter().collect()
        };
        let mut done = Vec::new();
        for place in back {
            let Some(bytes) = self.kept(&place) else {
                continue;
            };
            let dir = std::path::Path::new(&place)
                .parent()
                .and_then(|d| d.to_str())
                .unwrap_or("");
            let path = store.path(&format!("{place}.json"));
            // A folder in its place is not written over: reading it said to move it out first.
            if std::fs::symlink_metadata(&path).is_ok_and(|m| m.is_dir()) {
                continue;
            }
            store.ensure_dir(dir)?;
            let _lock = store.lock(dir)?;
            crate::store::write_atomic(&path, &bytes)?;
            done.push(place);
        }
        Ok(done)
    }

    /// Writes what changed, and removes kept copies no place refers to any more.
    pub fn save(&self) -> Result<()> {
        let mut s = self.state.lock().unwrap_or_else(|e| e.into_inner());
        if !s.changed.contains(&true) {
            if std::mem::take(&mut s.names_due)
                && let Some(needs) = &s.shards[1]
            {
                names::write(&self.dir, needs.places.keys());
            }
            return Ok(());
        }
        // Every shard, for the kept copies any of them refers to.
        for i in 0..SHARDS.len() {
            self.load(&mut s, i);
        }
        Store::new(&self.dir).ensure_dir("")?;
        let mut used = BTreeSet::new();
        let State {
            shards,
            changed,
            names_due,
            ..
        } = &mut *s;
        for (i, index) in shards.iter_mut().enumerate() {
            let index = index.get_or_insert_with(Index::default);
            used.extend(index.places.values().map(|t| format!("{}.age", t.file)));
            if !changed[i] {
                continue;
            }
            index.version = 1;
            let bytes = serde_json::to_vec(index).map_err(|e| Error::invalid(e.to_string()))?;
            let path = self.dir.join(SHARDS[i]);
            if i == 1 {
                names::remove(&self.dir).map_err(|e| Error::io(&self.dir.join(names::FILE), e))?;
            }
            crate::open_cache::write_private(&path, &bytes).map_err(|e| Error::io(&path, e))?;
            if i == 1 {
                names::write(&self.dir, index.places.keys());
                *names_due = false;
            }
            changed[i] = false;
        }
        if std::mem::take(names_due)
            && let Some(needs) = &shards[1]
        {
            names::write(&self.dir, needs.places.keys());
        }
        if let Ok(entries) = std::fs::read_dir(self.dir.join("kept")) {
            for e in entries.flatten() {
                if !used.contains(&*e.file_name().to_string_lossy()) {
                    let _ = std::fs::remove_file(e.path());
                }
            }
        }
        Ok(())
    }
}

#[cfg(test)]
#[path = "memory_tests.rs"]
mod tests;

#[cfg(test)]
#[path = "memory_conflict_tests.rs"]
mod conflict_tests;
