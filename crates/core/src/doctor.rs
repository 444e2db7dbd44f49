//! `couple doctor`: what syncing two devices left in the data folder, found and put right with
//! nothing lost. Conflict copies and records with git conflict markers are merged into their
//! record (see [`crate::merge`]) and the copy removed; a couple set up on both devices before
//! their first sync (the same names with different partner IDs) becomes one couple again, every
//! record re-pointed; folders and files are made private and dead temp files removed.

use crate::body_map;
use crate::energy;
use crate::error::{Error, Fault, Result};
use crate::files::{self, FileKind};
use crate::ids::Id;
use crate::merge;
use crate::need_rules::Helper;
use crate::needs::{self, Need};
use crate::own_facts;
use crate::profile::{self, Partner};
use crate::prompts::AnswerFile;
use crate::store::{self, Store, Versioned};
use crate::touch::{self, Hold, Sessions, State};
use serde::de::DeserializeOwned;
use std::fs;
use std::path::{Path, PathBuf};
use std::time::SystemTime;

/// What `doctor` did, and what it had to leave.
#[derive(Debug, Default)]
pub struct Report {
    /// Records that had two versions and now have one, by path in the data folder.
    pub merged: Vec<String>,
    /// Content files merged keeping items only one version held, which the other version may
    /// have deleted (see [`crate::merge_content::Merged::unsure`]): (file, items).
    pub unsure: Vec<(String, Vec<String>)>,
    /// Files left as they were, with why.
    pub left: Vec<(String, String)>,
    /// Conflict copies removed without being merged, with why: an earlier version of a need its
    /// owner removed, where nothing stands in its place; and such a version in its own place.
    pub dropped: Vec<(String, String)>,
    /// Needs this device removed from a plain folder, back in their own place as they were then
    /// (see [`crate::removed_here`]), with the day: said, and left, since restoring an export
    /// puts a need back in just that way.
    pub back_here: Vec<(Id, chrono::NaiveDate)>,
    /// Partners set up twice, merged: (name, the ID that went, the ID that stays).
    pub partners: Vec<(String, String, String)>,
    /// Files and folders made private, and dead temp files removed.
    pub tidied: usize,
    /// Partner files of an encrypted folder that this device cannot open: partners set up on
    /// another device before the first sync, encrypted to that device's own keys.
    pub elsewhere: usize,
}

/// The folders records live in, relative to the root: the root itself and up to two levels
/// below it, leaving out folders of other tools (`.git`, `.stversions`).
fn record_dirs(store: &Store) -> Vec<String> {
    let mut out = vec![String::new()];
    let mut i = 0;
    while i < out.len() {
        let rel = out[i].clone();
        i += 1;
        if rel.matches('/').count() >= 1 && !rel.is_empty() {
            continue;
        }
        let Ok(entries) = fs::read_dir(store.path(&rel)) else {
            continue;
        };
        let mut subs: Vec<String> = entries
            .flatten()
            .filter(|e| e.file_type().is_ok_and(|t| t.is_dir()))
            .filter_map(|e| e.file_name().to_str().map(str::to_owned))
            .filter(|n| files::is_plain_name(n))
            .map(|n| {
                if rel.is_empty() {
                    n
                } else {
                    format!("{rel}/{n}")
                }
            })
            .collect();
        subs.sort();
        out.extend(subs);
    }
    out
}

/// Every sync conflict copy in the data folder as (copy, the record it belongs to), by path in
/// the data folder. Names only: cheap enough for every command to look.
pub fn conflict_copies(store: &Store) -> Vec<(String, String)> {
    let mut out = Vec::new();
    for rel in record_dirs(store) {
        let Ok(entries) = fs::read_dir(store.path(&rel)) else {
            continue;
        };
        for e in entries.flatten() {
            let Some(name) = e.file_name().to_str().map(str::to_owned) else {
                continue;
            };
            if let FileKind::ConflictCopy { of } = files::classify(&name) {
                let join = |n: &str| {
                    if rel.is_empty() {
                        n.to_owned()
                    } else {
                        format!("{rel}/{n}")
                    }
                };
                out.push((join(&name), join(&of)));
            }
        }
    }
    out.sort();
    out
}

/// Record files that hold git conflict markers, by path in the data folder. Reads every record.
pub fn marked_records(store: &Store) -> Result<Vec<String>> {
    let mut out = Vec::new();
    for rel in record_dirs(store) {
        for path in store.list(&rel)? {
            // A link is never followed: every command already names it as left out.
            let bytes = match store::read_unfollowed(&path) {
                Ok(b) => b,
                Err(e) if e.raw_os_error() == Some(libc::ELOOP) => continue,
                Err(e) => return Err(Error::io(&path, e)),
            };
            if files::has_conflict_markers(&bytes) {
                let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("");
                out.push(if rel.is_empty() {
                    name.to_owned()
                } else {
                    format!("{rel}/{name}")
                });
            }
        }
    }
    Ok(out)
}

/// The device running `doctor`: which partner uses it, whose keys it holds, and where it
/// remembers the needs it removed from a plain folder (see [`crate::removed_here`]).
#[derive(Debug, Default, Clone, Copy)]
pub struct ThisDevice<'a> {
    pub partner: Option<&'a Id>,
    pub keys: &'a [Id],
    pub removed_here: Option<&'a Path>,
}

impl ThisDevice<'_> {
    /// Which of a partner's twins stays: first this device's own partner, then one whose key
    /// is not here (a key this device holds for someone else is the one `couple add` made
    /// here, and their own device holds the other).
    fn rank(&self, id: &Id) -> u8 {
        if self.partner == Some(id) {
            0
        } else if !self.keys.contains(id) {
            1
        } else {
            2
        }
    }
}

/// Finds and puts right everything syncing left: see the module's description.
pub fn run(store: &Store, now: SystemTime) -> Result<Report> {
    run_remembering(store, now, None, ThisDevice::default())
}

/// [`run`] on this device: with what it remembers of the shared content files (`content_seen`,
/// see [`crate::content_seen`]), so that an item deleted in one version does not come back, and
/// who uses it (see [`ThisDevice`]).
pub fn run_remembering(
    store: &Store,
    now: SystemTime,
    content_seen: Option<&Path>,
    device: ThisDevice,
) -> Result<Report> {
    let mut report = Report {
        tidied: store.tidy_all(now)?,
        ..Report::default()
    };
    for (copy, of) in conflict_copies(store) {
        // A copy that adds nothing to the record in place: removed, and nothing written.
        match drop_same(store, &copy, &of) {
            Ok(None) => {}
            Ok(Some(why)) => {
                report.dropped.push((copy, why.to_owned()));
                continue;
            }
            Err(e) => {
                report.left.push((copy, e.to_string()));
                continue;
            }
        }
        match merge_copy(store, &copy, &of, content_seen, device.removed_here) {
            Ok(Outcome::Merged(unsure)) => {
                if !unsure.is_empty() {
                    report.unsure.push((of.clone(), unsure));
                }
                report.merged.push(of);
            }
            Ok(Outcome::Dropped(why)) => report.dropped.push((copy, why)),
            Err(e) => report.left.push((copy, e.to_string())),
        }
    }
    for rel in marked_records(store)? {
        match merge_markers(store, &rel) {
            Ok(()) => report.merged.push(rel),
            Err(e) => report.left.push((rel, e.to_string())),
        }
    }
    // An answer file merged from two versions keeps one answer a day, sealed again as its
    // author's (see [`merge::one_answer_a_day`]).
    for rel in report.merged.clone() {
        if let Some((author, year)) = answer_file(&rel)
            && let Err(e) = crate::answer_book::update(store, &author, year, |_| Ok(()))
        {
            report.left.push((rel, e.to_string()));
        }
    }
    drop_earlier_needs(store, &mut report, device.removed_here)?;
    merge_twin_partners(store, &mut report, device)?;
    report.elsewhere = unopened_partners(store)?;
    Ok(report)
}

/// Earlier versions of needs their owner removed, back in their own place (from a sync tool's
/// history or a backup) in an encrypted folder, where this device trusts no version: every read
/// leaves such a file out and says that doctor removes it ([`crate::removals::earlier_copy`]);
/// here it is removed, as a conflict copy of one is, only where the owner's removal covers it
/// (it checks out on the owner's devices alone). The other partner's device, which cannot open
/// the removal, keeps leaving the file out and removes nothing: whoever writes into the folder
/// could have put a removal there. A later version is not such a copy. In a plain folder, which
/// cannot tell such a version from a need restored from an export, the device that removed it
/// says so ([`Report::back_here`]).
fn drop_earlier_needs(
    store: &Store,
    report: &mut Report,
    removed_here: Option<&Path>,
) -> Result<()> {
    let Some(s) = store.sealing() else {
        if let Some(file) = removed_here {
            note_needs_back_here(store, report, file);
        }
        return Ok(());
    };
    let Some(memory) = s.memory() else {
        return Ok(());
    };
    // Held throughout, so that a version written meanwhile is not the one removed.
    let _lock = store.lock(needs::DIR)?;
    for path in store.list(needs::DIR)? {
        let Some(place) = store.sealed_place(&path) else {
            continue;
        };
        let rel = format!("{place}.{}", crate::sealing::SEALED_EXT);
        let bytes = match read_file(&path) {
            Ok(Some(b)) => b,
            Ok(None) => continue,
            Err(e) => {
                report.left.push((rel, e.to_string()));
                continue;
            }
        };
        let Ok(o) = s.open_record(&place, &bytes) else {
            continue;
        };
        if memory.trusted_rev(&place).is_some() {
            continue;
        }
        let Some(r) = crate::removals::covering(store, &place, &o.body, o.rev) else {
            continue;
        };
        // A sync tool takes no lock: what it put there since is not the version checked.
        if read_file(&path).ok().flatten().as_ref() != Some(&bytes) {
            continue;
        }
        fs::remove_file(&path).map_err(|e| Error::io(&path, e))?;
        report.dropped.push((rel, crate::removals::said(&r)));
    }
    Ok(())
}

fn note_needs_back_here(store: &Store, report: &mut Report, file: &Path) {
    let removed = crate::removed_here::Removed::load(file);
    for id in removed.ids() {
        let path = store.path(&needs::path(&id));
        let Ok(Some(bytes)) = read_file(&path) else {
            continue;
        };
        if let Ok(need) = store::parse_checked::<Need>(&path, &bytes)
            && need.id == id
            && let Some(date) = removed.removed(&need)
        {
            report.back_here.push((id, date));
        }
    }
}

/// The author and year of the answer file at `rel` (`answers/ID/YEAR.json` or `.age`).
fn answer_file(rel: &str) -> Option<(Id, i32)> {
    let ["answers", id, name] = rel.split('/').collect::<Vec<_>>()[..] else {
        return None;
    };
    let year = name.split_once('.')?.0.parse().ok()?;
    Some((Id::parse(id).ok()?, year))
}

/// How many partner files of an encrypted folder are sealed to keys this device does not hold.
/// Every partner file of one couple is sealed to both partners, so these come from a set-up on
/// another device.
fn unopened_partners(store: &Store) -> Result<usize> {
    let Some(s) = store.sealing() else {
        return Ok(0);
    };
    let mut n = 0;
    for path in store.list(profile::PARTNERS)? {
        let (Some(place), Some(bytes)) = (store.sealed_place(&path), read_file(&path)?) else {
            continue;
        };
        if matches!(
            s.open(&place, &bytes),
            Err(crate::crypto::CryptoError::NotForYou)
        ) {
            n += 1;
        }
    }
    Ok(n)
}

fn parent(rel: &str) -> &str {
    rel.rsplit_once('/').map_or("", |(d, _)| d)
}

/// Merges the versions of record `rel`, each read from the file it names, by the record's kind,
/// and writes it.
fn merge_versions(store: &Store, rel: &str, versions: &[(PathBuf, Vec<u8>)]) -> Result<()> {
    let parts: Vec<&str> = rel.split('/').collect();
    match parts[..] {
        ["couple.json"] => put(store, rel, combine(versions, merge::couple)?),
        ["partners", _] => put(store, rel, combine(versions, merge::partner)?),
        ["needs", _] => put(store, rel, combine(versions, merge::need)?),
        ["touch", "holds", _] => put(store, rel, combine(versions, merge::hold)?),
        ["touch", _, "state.json"] => {
            let state = combine(versions, merge::state)?;
            put(store, rel, state.clone())?;
            republish_body(store, &state)
        }
        // The body map as published follows its owner's state: written again from it.
        ["touch", _, "body.json"] => {
            let partner = combine(versions, |a: body_map::Shared, _| a)?.partner;
            republish_body(store, &touch::load_state(store, &partner)?)
        }
        ["touch", _, "sessions.json" | "private-debriefs.json"] => {
            put(store, rel, combine(versions, merge::sessions)?)
        }
        [own_facts::OPTIN, _] => put(store, rel, combine(versions, merge::opt_ins)?),
        ["answers", _, _] => put(store, rel, combine(versions, merge::answers)?),
        ["energy", _] => put(store, rel, combine(versions, merge::low_days)?),
        [crate::removals::DIR, _] => put(store, rel, combine(versions, merge::removal)?),
        // A fingerprint each device publishes again when its library changes: the one in
        // place stays (or the copy's, when there is none).
        [crate::rekey::FOLDER, _] => put(store, rel, combine(versions, crate::rekey::merge)?),
        ["libraries", _] => put(
            store,
            rel,
            combine::<crate::libraries::LibraryFile>(versions, |a, _| a)?,
        ),
        _ => Err(Error::invalid(
            "closer cannot merge this kind of file; compare it with the original, keep what you need and remove it",
        )),
    }
}

/// Each version parsed, a mistake named with the file it came from, then merged into one.
fn combine<T: DeserializeOwned + Versioned>(
    versions: &[(PathBuf, Vec<u8>)],
    f: fn(T, T) -> T,
) -> Result<T> {
    let mut all = versions
        .iter()
        .map(|(path, b)| store::parse_checked::<T>(path, b))
        .collect::<Result<Vec<T>>>()?
        .into_iter();
    let first = all
        .next()
        .ok_or_else(|| Error::invalid("nothing to merge"))?;
    Ok(all.fold(first, f))
}

/// Writes the merged record; in an encrypted folder sealed as its path's rule says and signed by
/// the partner who may write it, which needs their key on this device.
fn put<T: Versioned>(store: &Store, rel: &str, value: T) -> Result<()> {
    let path = store.path(rel);
    let bytes = value.encode().map_err(|e| Error::io(&path, e.into()))?;
    let bytes = match (store.sealing(), store.sealed_place(&path)) {
        (Some(s), Some(place)) => s.seal(&place, &bytes, None).map_err(|e| match e {
            Error::NotYours { .. } => Error::not_yours(format!(
                "only the partner it belongs to may sign it, and this device does not hold their key; {THEIR_DEVICE}"
            )),
            e => e,
        })?,
        _ => bytes,
    };
    store::write_atomic(&path, &bytes)
}

const THEIR_DEVICE: &str = "the same doctor on their device merges it";

/// A version's record bytes: in an encrypted folder, opened with this device's keys and checked
/// as a record of `place` (where the original lives), its version counter noted.
fn opened(store: &Store, place: Option<&str>, path: &Path, bytes: Vec<u8>) -> Result<Vec<u8>> {
    let (Some(s), Some(place)) = (store.sealing(), place) else {
        return Ok(bytes);
    };
    let o = s.open_record(place, &bytes).map_err(|e| match e {
        crate::crypto::CryptoError::NotForYou => Error::not_yours(format!(
            "it is sealed to a partner whose key this device does not hold; {THEIR_DEVICE}"
        )),
        e => Error::BadRecord {
            path: path.to_owned(),
            fault: Fault::Said(e.to_string()),
        },
    })?;
    // The merge is written above both versions' counters, or the device that wrote the later
    // one would take it for an old copy put back.
    if let Some(m) = s.memory() {
        m.saw_rev(place, o.rev);
    }
    Ok(o.body)
}

/// The bytes of a record file, never through a link; `None` when there is none.
fn read_file(path: &Path) -> Result<Option<Vec<u8>>> {
    match store::read_unfollowed(path) {
        Ok(b) => Ok(Some(b)),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(store::read_error(path, e)),
    }
}

/// The versions in `bytes` read from `path`: the two git left between conflict markers, or
/// the bytes as they are.
fn versions_in(path: &Path, bytes: Vec<u8>) -> Vec<(PathBuf, Vec<u8>)> {
    match files::split_conflict_markers(&bytes).filter(|_| files::has_conflict_markers(&bytes)) {
        Some((ours, theirs)) => vec![(path.to_owned(), ours), (path.to_owned(), theirs)],
        None => vec![(path.to_owned(), bytes)],
    }
}

/// Writes the body map published for both from its owner's `state` (a plain folder; the
/// caller holds the lock of the partner's touch folder).
fn republish_body(store: &Store, state: &State) -> Result<()> {
    put(
        store,
        &body_map::path(&state.partner),
        body_map::Shared::of(state),
    )
}

/// What became of a conflict copy.
enum Outcome {
    /// Merged into its record: the items of a content file kept although one version may have
    /// deleted them.
    Merged(Vec<String>),
    /// Removed unmerged: why.
    Dropped(String),
}

/// Merges a conflict copy into its record under the folder's lock, then removes the copy. An
/// earlier version of a need its owner removed, with nothing in its place, is removed unmerged:
/// the need stays removed (see [`crate::removals::covering`], and in a plain folder
/// [`crate::removed_here`] with the file `removed_here`).
fn merge_copy(
    store: &Store,
    copy: &str,
    of: &str,
    content_seen: Option<&Path>,
    removed_here: Option<&Path>,
) -> Result<Outcome> {
    let _lock = store.lock(parent(of))?;
    // A partner's publication in the joint rounds, written by two of their devices before they
    // synced: each device publishes it again from what it holds, and the rounds check what they
    // read, so the one in place stays and the copy goes.
    if of.starts_with("psi/") {
        let copy_path = store.path(copy);
        fs::remove_file(&copy_path).map_err(|e| Error::io(&copy_path, e))?;
        return Ok(Outcome::Merged(Vec::new()));
    }
    // A sealed record `X.age` is the record `X.json` of a plain folder.
    let rel = match of.strip_suffix(&format!(".{}", crate::sealing::SEALED_EXT)) {
        Some(stem) => format!("{stem}.json"),
        None => of.to_owned(),
    };
    let (copy_path, path) = (store.path(copy), store.path(&rel));
    let copy_bytes =
        read_file(&copy_path)?.ok_or_else(|| Error::NotFound(format!("{copy} went missing")))?;
    let content = of.strip_suffix(".age").unwrap_or(of);
    if content.starts_with("content/") && content.ends_with(".toml") {
        // In an encrypted folder, a content file is sealed to both: opened here, merged, and
        // sealed again (signed by the partner at the keyboard).
        let sealed = content != of;
        let open = |b: Vec<u8>, p: &Path| match (sealed, store.sealing()) {
            (false, _) => Ok(b),
            (true, Some(_)) => opened(store, Some(content), p, b),
            (true, None) => Err(Error::invalid(
                "an encrypted content file in a plain folder; remove the copy, or encrypt the folder first",
            )),
        };
        let path = store.plain_path(of);
        let copy_bytes = open(copy_bytes, &copy_path)?;
        let text = |b: Vec<u8>, p: &Path| {
            String::from_utf8(b).map_err(|_| {
                Error::invalid(format!(
                    "{} is not UTF-8 text; fix or remove it",
                    p.display()
                ))
            })
        };
        let theirs = text(copy_bytes, &copy_path)?;
        let (merged, unsure) = match read_file(&path)? {
            Some(b) => {
                let b = open(b, &path)?;
                let name = content.strip_prefix("content/").unwrap_or(content);
                let seen = content_seen
                    .map(|m| crate::content_seen::seen(m, name))
                    .unwrap_or_default();
                let m = crate::merge_content::merge(&text(b, &path)?, &theirs, (of, copy), &seen)?;
                (m.text, m.unsure)
            }
            None => (theirs, Vec::new()),
        };
        let bytes = match (sealed, store.sealing()) {
            (true, Some(s)) => s.seal(content, merged.as_bytes(), None)?,
            _ => merged.into_bytes(),
        };
        store::write_atomic(&path, &bytes)?;
        fs::remove_file(&copy_path).map_err(|e| Error::io(&copy_path, e))?;
        return Ok(Outcome::Merged(unsure));
    }
    let place = store.sealed_place(&path);
    let record = read_file(&path)?;
    if record.is_none()
        && let (Some(s), Some(place)) = (store.sealing(), place.as_deref())
        && place.starts_with("needs/")
        && let Ok(o) = s.open_record(place, &copy_bytes)
        && let Some(r) = crate::removals::covering(store, place, &o.body, o.rev)
    {
        fs::remove_file(&copy_path).map_err(|e| Error::io(&copy_path, e))?;
        return Ok(Outcome::Dropped(crate::removals::said(&r)));
    }
    if record.is_none()
        && place.is_none()
        && let (Some(file), Some(id)) = (removed_here, rel.strip_prefix("needs/"))
        && let Ok(need) = store::parse_checked::<Need>(&copy_path, &copy_bytes)
        && Some(need.id.as_str()) == id.strip_suffix(".json")
        && let Some(date) = crate::removed_here::Removed::load(file).removed(&need)
    {
        fs::remove_file(&copy_path).map_err(|e| Error::io(&copy_path, e))?;
        return Ok(Outcome::Dropped(format!(
            "an earlier version of a need removed on this device on {date}; the need stays removed"
        )));
    }
    let mut versions = Vec::new();
    if let Some(b) = record {
        versions.extend(versions_in(
            &path,
            opened(store, place.as_deref(), &path, b)?,
        ));
    }
    let copy_bytes = opened(store, place.as_deref(), &copy_path, copy_bytes)?;
    versions.extend(versions_in(&copy_path, copy_bytes));
    merge_versions(store, &rel, &versions)?;
    fs::remove_file(&copy_path).map_err(|e| Error::io(&copy_path, e))?;
    Ok(Outcome::Merged(Vec::new()))
}

/// Removes the conflict copy `copy` of `of`, under its folder's lock, when it adds nothing to
/// the record in place (see [`adds_nothing`]). Returns why it did.
fn drop_same(store: &Store, copy: &str, of: &str) -> Result<Option<&'static str>> {
    let _lock = store.lock(parent(of))?;
    let Some(why) = adds_nothing(store, copy, of) else {
        return Ok(None);
    };
    let copy_path = store.path(copy);
    fs::remove_file(&copy_path).map_err(|e| Error::io(&copy_path, e))?;
    Ok(Some(why))
}

/// Why the conflict copy `copy` of the sealed file `of` adds nothing to the record in place,
/// both checking out here: it holds the same record (encrypted again by another device: two
/// devices of one partner each accepting the other partner's new key before they synced), or
/// one signed with a partner's replaced key where the one in place is signed by the same partner
/// with the key accepted since (their new key's device signed again what was vouched for):
/// never the other way round.
fn adds_nothing(store: &Store, copy: &str, of: &str) -> Option<&'static str> {
    let (s, place) = (store.sealing()?, of.strip_suffix(".age")?);
    let here = store::read_unfollowed(&store.plain_path(of)).ok()?;
    let there = store::read_unfollowed(&store.path(copy)).ok()?;
    let (mine, theirs) = (
        s.open_record(place, &here).ok()?,
        s.open_record(place, &there).ok()?,
    );
    if mine.signer != theirs.signer {
        return None;
    }
    if mine.body == theirs.body || s.token(&here) == s.token(&there) {
        return Some("it holds the very record in place");
    }
    (s.vouches(&there) && !s.vouches(&here))
        .then_some("it holds an earlier version signed with a key that was replaced since")
}

/// Merges the two versions git left inside record `rel`.
fn merge_markers(store: &Store, rel: &str) -> Result<()> {
    let _lock = store.lock(parent(rel))?;
    let path = store.path(rel);
    let bytes = read_file(&path)?.ok_or_else(|| Error::NotFound(format!("{rel} went missing")))?;
    let (ours, theirs) = files::split_conflict_markers(&bytes).ok_or_else(|| {
        Error::invalid("its conflict markers are not complete; put it right by hand")
    })?;
    merge_versions(store, rel, &[(path.clone(), ours), (path, theirs)])
}

/// Two couple set-ups made before the first sync: partners with the same name and different
/// IDs. The one this device is used by stays, else one whose key is not held here for someone
/// else (see [`ThisDevice::rank`]), else the one added first (then the smaller ID);
/// every record of the other is re-pointed, its published keys removed, and a forwarding record
/// left for the device that used it (see [`crate::moved`]).
fn merge_twin_partners(store: &Store, report: &mut Report, device: ThisDevice) -> Result<()> {
    let mut all: Vec<Partner> = store.read_all("partners")?;
    all.sort_by(|a, b| {
        (device.rank(&a.id), a.added, &a.id).cmp(&(device.rank(&b.id), b.added, &b.id))
    });
    let mut kept: Vec<Partner> = Vec::new();
    for p in all {
        let key = p.name.trim().to_lowercase();
        let Some(k) = kept.iter().find(|k| k.name.trim().to_lowercase() == key) else {
            kept.push(p);
            continue;
        };
        let (old, new) = (p.id.clone(), k.id.clone());
        repoint(store, &old, &new)?;
        let rel = profile::partner_path(&new);
        let _lock = store.lock("partners")?;
        let mine: Partner = store
            .read(&rel)?
            .ok_or_else(|| Error::NotFound(format!("{rel} went missing")))?;
        put(store, &rel, merge::twin_partner(mine, p.clone()))?;
        let gone = store.path(&profile::partner_path(&old));
        fs::remove_file(&gone).map_err(|e| Error::io(&gone, e))?;
        crate::moved::leave(store, &old, &new)?;
        let keys = store.path(&format!("{}/{old}.json", crate::crypto::keyring::PUBLISHED));
        if keys.exists() {
            fs::remove_file(&keys).map_err(|e| Error::io(&keys, e))?;
        }
        report
            .partners
            .push((p.name, old.to_string(), new.to_string()));
    }
    Ok(())
}

/// Moves one partner's own file at `from` into `to` (merged with what is there), under the lock.
fn move_merged<T: DeserializeOwned + Versioned>(
    store: &Store,
    from: &str,
    to: &str,
    fix: impl Fn(&mut T),
    f: fn(T, T) -> T,
) -> Result<()> {
    let Some(mut old) = store.read::<T>(from)? else {
        return Ok(());
    };
    fix(&mut old);
    let _lock = store.lock(parent(to))?;
    let value = match store.read::<T>(to)? {
        Some(cur) => f(cur, old),
        None => old,
    };
    put(store, to, value)?;
    let path = store.path(from);
    fs::remove_file(&path).map_err(|e| Error::io(&path, e))
}

/// Every record of partner `old` becomes partner `new`'s.
fn repoint(store: &Store, old: &Id, new: &Id) -> Result<()> {
    let swap = |id: &mut Id| {
        if id == old {
            *id = new.clone();
        }
    };
    // Helpers and proposals keep partner IDs as plain strings.
    let swap_str = |id: &mut String| {
        if id == old.as_str() {
            *id = new.to_string();
        }
    };
    for path in store.list(&format!("answers/{old}"))? {
        let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("");
        move_merged::<AnswerFile>(
            store,
            &format!("answers/{old}/{name}"),
            &format!("answers/{new}/{name}"),
            |f| f.partner = new.clone(),
            merge::answers,
        )?;
    }
    move_merged::<State>(
        store,
        &touch::state_path(old),
        &touch::state_path(new),
        |s| s.partner = new.clone(),
        merge::state,
    )?;
    if let Some(state) = store.read::<State>(&touch::state_path(new))? {
        let _lock = store.lock(&format!("touch/{new}"))?;
        republish_body(store, &state)?;
        let gone = store.path(&body_map::path(old));
        if gone.exists() {
            fs::remove_file(&gone).map_err(|e| Error::io(&gone, e))?;
        }
    }
    move_merged::<Sessions>(
        store,
        &touch::sessions_path(old),
        &touch::sessions_path(new),
        |s| s.partner = new.clone(),
        merge::sessions,
    )?;
    move_merged::<energy::LowDays>(
        store,
        &energy::path(old),
        &energy::path(new),
        |s| s.partner = new.clone(),
        merge::low_days,
    )?;
    move_merged::<own_facts::OptIns>(
        store,
        &own_facts::optin_path(old),
        &own_facts::optin_path(new),
        |o| o.partner = new.clone(),
        merge::opt_ins,
    )?;
    move_merged::<Sessions>(
        store,
        &own_facts::private_debriefs_path(old),
        &own_facts::private_debriefs_path(new),
        |s| s.partner = new.clone(),
        merge::sessions,
    )?;
    for dir in [format!("answers/{old}"), format!("touch/{old}")] {
        let _ = fs::remove_file(store.path(&format!("{dir}/{}", files::LOCK_NAME)));
        let _ = fs::remove_dir(store.path(&dir));
    }
    // Who gave touch first in every session.
    for p in touch::partners_with_sessions(store)? {
        if store
            .read::<Sessions>(&touch::sessions_path(&p))?
            .is_some_and(|s| s.sessions.iter().any(|x| x.giver.as_ref() == Some(old)))
        {
            touch::update_sessions(store, &p, |s| {
                s.sessions
                    .iter_mut()
                    .filter_map(|x| x.giver.as_mut())
                    .for_each(swap);
                Ok(())
            })?;
        }
    }
    // Needs: owner, helper, proposals and history.
    let helps = |h: &Option<Helper>| matches!(h, Some(Helper::Partner(x)) if x == old.as_str());
    let mentions = |n: &Need| {
        &n.owner == old
            || helps(&n.helper)
            || n.history.iter().any(|c| &c.by == old)
            || n.proposal.as_ref().is_some_and(|p| {
                p.by == old.as_str()
                    || helps(&p.helper)
                    || p.accepted.iter().any(|a| a == old.as_str())
            })
    };
    for n in needs::load_all(store)?.into_iter().filter(mentions) {
        store.update::<Need, _>(&needs::path(&n.id), |cur| {
            let mut n = cur.ok_or_else(|| Error::NotFound("a need went missing".into()))?;
            swap(&mut n.owner);
            if let Some(Helper::Partner(h)) = &mut n.helper {
                swap_str(h);
            }
            n.history.iter_mut().for_each(|c| swap(&mut c.by));
            if let Some(p) = &mut n.proposal {
                swap_str(&mut p.by);
                if let Some(Helper::Partner(h)) = &mut p.helper {
                    swap_str(h);
                }
                p.accepted.iter_mut().for_each(swap_str);
                p.accepted.dedup();
            }
            Ok(n)
        })?;
    }
    // Holds: who set and who released them.
    for h in store.read_all::<Hold>(touch::HOLDS)? {
        let by_old = |x: &Option<String>| x.as_deref() == Some(old.as_str());
        if by_old(&h.by) || by_old(&h.released_by) {
            store.update::<Hold, _>(&format!("{}/{}.json", touch::HOLDS, h.id), |cur| {
                let mut h = cur.ok_or_else(|| Error::NotFound("a hold went missing".into()))?;
                h.by.iter_mut().for_each(swap_str);
                h.released_by.iter_mut().for_each(swap_str);
                Ok(h)
            })?;
        }
    }
    Ok(())
}

#[cfg(test)]
#[path = "doctor_sealed_tests.rs"]
mod sealed_tests;
