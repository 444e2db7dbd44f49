//! Turning a plain data folder into an encrypted one (`couple encrypt`) and back (`couple
//! decrypt`), one record at a time. Each record is written in its new form, read back and
//! compared, and only then is the old form removed: a run killed at any moment leaves every record
//! in at least one verified form, and the next run finishes the work. Where both forms are found,
//! the one that checks out and matches is kept.

use crate::access::{self, Writer};
use crate::crypto::CryptoError;
use crate::error::{Error, Fault, Result};
use crate::files::{self, FileKind};
use crate::sealing::{SEALED_EXT, Sealing};
use crate::store::{Store, write_atomic};
use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::path::{Path, PathBuf};

/// What a run did and what it had to leave.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Report {
    /// Records turned into their new form in this run.
    pub done: usize,
    /// Records already in their new form.
    pub already: usize,
    /// Records only another partner's device can turn (their own, or sealed to them alone), by
    /// that partner's ID ("" when the file does not say whose it is).
    pub left: BTreeMap<String, usize>,
    /// Shared records this device signed its part of, that wait for the other partner's device
    /// to sign theirs before they are encrypted.
    pub awaiting: usize,
    /// Files left as they were, with why.
    pub refused: Vec<(PathBuf, Fault)>,
    /// Needs' removal records left encrypted by [`decrypt`].
    pub removals_kept: usize,
}

/// Every place in the folder that holds a record, plain or sealed, sorted.
pub(crate) fn places(store: &Store) -> Result<Vec<String>> {
    let mut out = BTreeSet::new();
    let mut todo = vec![store.root().to_owned()];
    while let Some(dir) = todo.pop() {
        let entries = match fs::read_dir(&dir) {
            Ok(e) => e,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => continue,
            Err(e) => return Err(Error::io(&dir, e)),
        };
        for e in entries.flatten() {
            let name = e.file_name();
            let Some(name) = name.to_str() else { continue };
            let Ok(kind) = e.file_type() else { continue };
            if kind.is_dir() && !name.starts_with('.') {
                todo.push(e.path());
            } else if kind.is_file()
                && files::classify(name) == FileKind::Record
                && let Some(place) = store.place_of(&e.path())
                && access::is_sealed_place(&place)
            {
                out.insert(place);
            }
        }
    }
    Ok(out.into_iter().collect())
}

fn files_of(store: &Store, place: &str) -> (PathBuf, PathBuf) {
    (
        store.plain_path(&format!("{place}.json")),
        store.plain_path(&format!("{place}.{SEALED_EXT}")),
    )
}

fn read(path: &Path) -> Result<Vec<u8>> {
    crate::store::read_unfollowed(path).map_err(|e| crate::store::read_error(path, e))
}

fn remove(path: &Path) -> Result<()> {
    match fs::remove_file(path) {
        Ok(()) => {}
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
        Err(e) => return Err(Error::io(path, e)),
    }
    fs::File::open(path.parent().unwrap_or(Path::new(".")))
        .and_then(|d| d.sync_all())
        .map_err(|e| Error::io(path, e))
}

/// Whose device can seal or open the record at `place` holding `body`.
fn owner(place: &str, body: &[u8]) -> String {
    match access::rule(place, body).map(|a| a.writer) {
        Some(Writer::Owner(p)) => p,
        _ => String::new(),
    }
}

/// The folder a record's place is in (its lock's folder).
fn folder_of(place: &str) -> &str {
    Path::new(place)
        .parent()
        .and_then(Path::to_str)
        .unwrap_or("")
}

/// The places whose plain file is in the folder now: what a device that first sees the folder
/// encrypted remembers as the records the move to encryption is for (see [`encrypt`]).
pub fn plain_places(store: &Store) -> Result<Vec<String>> {
    let mut all: Vec<String> = places(store)?
        .into_iter()
        .filter(|p| files_of(store, p).0.exists())
        .collect();
    all.extend(crate::shared_content::plain_places(store));
    Ok(all)
}

/// What is said of a plain record that was not in the folder when this device first saw it
/// encrypted: anyone who can write into the folder could have put it there.
pub const NOT_FROM_BEFORE: &str = "it was not in the folder when this device first saw it encrypted, so it is not encrypted in your name (anyone who can write into the folder could have put it there); it stays plain and left out. Read it: if it is a change you made on a device that had not been updated yet, make that change again here, then remove the file";

/// What is said of a plain removal record: closer leaves them only in an encrypted folder, and
/// one sealed in its owner's name would let whoever deletes that need's file hide it for good.
pub const PLAIN_REMOVAL: &str = "a need's removal is only ever written encrypted, so a plain one is not closer's and is not encrypted in anyone's name (anyone who can write into the folder could have put it there); it stays plain and left out: remove the file";

/// The places `from_before` holds, and those that [`encrypt`] splits off or publishes from them.
fn with_derived(from_before: &BTreeSet<String>) -> BTreeSet<String> {
    let mut all = from_before.clone();
    for place in from_before {
        let parts: Vec<&str> = place.split('/').collect();
        match parts[..] {
            ["partners", id] => {
                all.insert(format!("{}/{id}", crate::own_facts::OPTIN));
            }
            ["touch", id, "sessions"] => {
                all.insert(format!("touch/{id}/private-debriefs"));
            }
            ["touch", id, "state"] => {
                all.insert(format!("touch/{id}/body"));
            }
            _ => {}
        }
    }
    all
}

/// Encrypts every plain record this device may sign (its partners' own records, and shared
/// ones) that is one the move to encryption is for: those whose place is in `from_before` (plain
/// in the folder when this device first saw it encrypted) and what is split off or published
/// from them. Any other plain record is left as it is, with why. Each record is verified by
/// opening it again before its plain file is removed.
pub fn encrypt(store: &Store, sealing: &Sealing, from_before: &BTreeSet<String>) -> Result<Report> {
    let mut r = Report::default();
    let allowed = with_derived(from_before);
    // A partner's opt-in and private debriefs go to records of their own before anything is
    // sealed, so that none is sealed to both.
    let held: Vec<&str> = sealing.held().collect();
    crate::own_facts::split_plain(store, &held)?;
    // Their body maps, shown to both, are published beside their touch state, sealed to them.
    crate::body_map::publish_plain(store, &held)?;
    for place in places(store)? {
        let (plain, sealed) = files_of(store, &place);
        let _lock = store.lock(folder_of(&place))?;
        if !plain.exists() {
            r.already += 1;
            continue;
        }
        if !allowed.contains(&place) {
            r.refused.push((plain, NOT_FROM_BEFORE.into()));
            continue;
        }
        if folder_of(&place) == crate::removals::DIR {
            r.refused.push((plain, PLAIN_REMOVAL.into()));
            continue;
        }
        let body = read(&plain)?;
        if files::has_conflict_markers(&body)
            || serde_json::from_slice::<serde_json::Value>(crate::store::without_bom(&body))
                .is_err()
        {
            r.refused.push((plain, Fault::Unparsed));
            continue;
        }
        if sealed.exists() {
            // A run killed after writing the sealed file: keep it if it checks out and matches.
            match sealing.open(&place, &read(&sealed)?) {
                Ok(b) if b == sealing.unsigned(&place, &body) => {
                    remove(&plain)?;
                    r.done += 1;
                }
                Ok(_) => r.refused.push((
                    plain,
                    "an encrypted version that differs is already there; the plain one is left for you to compare".into(),
                )),
                Err(CryptoError::NotForYou) => *r.left.entry(owner(&place, &body)).or_default() += 1,
                Err(e) => r.refused.push((sealed, format!("{e}; both files are left as they are").into())),
            }
            continue;
        }
        let bytes = match sealing.seal(&place, &body, None) {
            Ok(b) => b,
            Err(Error::NotYours { .. }) => {
                // A need with parts in the other partner's name: signed here what this device
                // may sign, sealed by their device once it has signed theirs.
                let signed = sealing.prepare(&place, &body);
                if signed != body {
                    write_atomic(&plain, &signed)?;
                }
                match owner(&place, &body) {
                    whose if whose.is_empty() || sealing.holds(&whose) => r.awaiting += 1,
                    whose => *r.left.entry(whose).or_default() += 1,
                }
                continue;
            }
            Err(e) => return Err(e),
        };
        write_atomic(&sealed, &bytes)?;
        match sealing.open(&place, &read(&sealed)?) {
            Ok(b) if b == sealing.unsigned(&place, &body) => remove(&plain)?,
            _ => {
                remove(&sealed)?;
                return Err(Error::invalid(format!(
                    "{}: the encrypted copy did not read back the same; the plain file is kept",
                    plain.display()
                )));
            }
        }
        r.done += 1;
    }
    crate::shared_content::encrypt(store, sealing, from_before, &mut r)?;
    Ok(r)
}

/// Decrypts every sealed record this device can open and may sign, each written plain and read
/// back before its sealed file is removed. Another partner's own records stay sealed and signed
/// (even those sealed to both) for their device to decrypt. Needs' removal records stay as they
/// are, sealed and signed by their owner: they hold no text (two random IDs, a day, a counter
/// and a digest of each line of the need's history), a plain folder does not read them, and once
/// the folder is encrypted again they keep an earlier copy of a removed need out on its owner's
/// other devices as before, which a plain one could not do ([`PLAIN_REMOVAL`]).
pub fn decrypt(store: &Store, sealing: &Sealing) -> Result<Report> {
    let mut r = Report::default();
    for place in places(store)? {
        let (plain, sealed) = files_of(store, &place);
        if folder_of(&place) == crate::removals::DIR {
            r.removals_kept += usize::from(sealed.exists());
            continue;
        }
        let _lock = store.lock(folder_of(&place))?;
        if !sealed.exists() {
            r.already += 1;
            continue;
        }
        let body = match sealing.open(&place, &read(&sealed)?) {
            Ok(b) => b,
            Err(CryptoError::NotForYou) => {
                *r.left.entry(owner(&place, b"{}")).or_default() += 1;
                continue;
            }
            Err(e) => {
                r.refused
                    .push((sealed, format!("{e}; it is left as it is").into()));
                continue;
            }
        };
        // The other partner's own record (their shared need, their partner file): theirs to
        // turn plain, on their device; written here it would lose their signature.
        let whose = owner(&place, &body);
        if !whose.is_empty() && !sealing.holds(&whose) {
            *r.left.entry(whose).or_default() += 1;
            continue;
        }
        // Answers are sealed one by one inside their file too, which a plain folder does not
        // read: opened here, or the file stays as it is.
        let body = match place.starts_with("answers/") {
            true => match crate::answer_book::unsealed(sealing, &whose, &place, &body) {
                Ok(b) => b,
                Err(e) => {
                    r.refused.push((sealed, e.to_string().into()));
                    continue;
                }
            },
            false => body,
        };
        if plain.exists() {
            // A run killed after writing the plain file: it must be the same record.
            if read(&plain)? == body {
                remove(&sealed)?;
                r.done += 1;
            } else {
                r.refused.push((
                    plain,
                    "a plain version that differs is already there; both are left for you to compare".into(),
                ));
            }
            continue;
        }
        write_atomic(&plain, &body)?;
        if read(&plain)? != body {
            return Err(Error::invalid(format!(
                "{}: the plain copy did not read back the same; the encrypted file is kept",
                sealed.display()
            )));
        }
        remove(&sealed)?;
        r.done += 1;
    }
    crate::shared_content::decrypt(store, sealing, &mut r)?;
    Ok(r)
}

/// Seals again, to every partner the rule names, each sealed record this device can open and
/// may sign that is shared with both partners: after a partner's keys appear, what was sealed
/// before they had keys becomes readable to them. Returns how many it sealed again.
pub fn reseal(store: &Store, sealing: &Sealing) -> Result<usize> {
    let mut n = 0;
    for place in places(store)? {
        let (_, sealed) = files_of(store, &place);
        if !sealed.exists() {
            continue;
        }
        let _lock = store.lock(folder_of(&place))?;
        let Ok(body) = sealing.open(&place, &read(&sealed)?) else {
            continue;
        };
        let shared = access::rule(&place, &body)
            .is_some_and(|a| !matches!(a.readers, access::Readers::Owner(_)));
        if !shared {
            continue;
        }
        let bytes = match sealing.seal(&place, &body, None) {
            Ok(b) => b,
            Err(Error::NotYours { .. }) => continue,
            Err(e) => return Err(e),
        };
        write_atomic(&sealed, &bytes)?;
        n += 1;
    }
    Ok(n)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::crypto::Keys;
    use std::sync::Arc;

    const A: &str = "alex00000001";
    const B: &str = "sam000000002";

    fn folder() -> (tempfile::TempDir, Store) {
        let t = tempfile::tempdir().unwrap();
        let store = Store::new(t.path().join("data"));
        let files = [
            (
                "couple.json",
                "{\"version\":1,\"seed\":7,\"created\":\"2026-01-01\"}\n".to_owned(),
            ),
            (
                "needs/abcd12345678.json",
                format!(
                    "{{\"version\":1,\"owner\":\"{A}\",\"text\":\"buttons\",\"private\":false}}\n"
                ),
            ),
            (
                "needs/efgh12345678.json",
                format!(
                    "{{\"version\":1,\"owner\":\"{B}\",\"text\":\"quiet\",\"private\":true}}\n"
                ),
            ),
            (
                &*format!("touch/{A}/state.json"),
                "{\"version\":1,\"boundaries\":{\"s1\":\"no\"}}\n".into(),
            ),
            (
                &*format!("touch/{B}/state.json"),
                "{\"version\":1,\"boundaries\":{\"s1\":\"yes\"}}\n".into(),
            ),
        ]
        .map(|(p, b)| (p.to_owned(), b));
        for (rel, body) in files {
            let path = store.plain_path(&rel);
            fs::create_dir_all(path.parent().unwrap()).unwrap();
            fs::write(path, body).unwrap();
        }
        fs::write(store.plain_path("notes.txt"), "ours").unwrap();
        (t, store)
    }

    fn sealing(hold: &[(&str, &Arc<Keys>)], know: &[(&str, &Arc<Keys>)]) -> Sealing {
        let mut s = Sealing::new();
        for (p, k) in know {
            s.know(p, k.public());
        }
        for (p, k) in hold {
            s.hold(p, Arc::clone(k));
        }
        s
    }

    fn snapshot(store: &Store) -> BTreeMap<String, Vec<u8>> {
        places(store)
            .unwrap()
            .into_iter()
            .map(|p| {
                let (plain, _) = files_of(store, &p);
                (p, fs::read(plain).unwrap_or_default())
            })
            .collect()
    }

    #[test]
    fn each_device_encrypts_what_it_may_sign_and_decrypting_gives_back_the_same_bytes() {
        let (_t, store) = folder();
        let from: BTreeSet<String> = plain_places(&store).unwrap().into_iter().collect();
        let before = snapshot(&store);
        let (ka, kb) = (Arc::new(Keys::generate()), Arc::new(Keys::generate()));
        let alex = sealing(&[(A, &ka)], &[(B, &kb)]);
        let r = encrypt(&store, &alex, &from).unwrap();
        // Sam's own state and Sam's private need wait for Sam's device.
        assert_eq!(r.done, 3);
        assert_eq!(r.left, BTreeMap::from([(B.to_owned(), 2)]));
        assert!(r.refused.is_empty());
        let sam = sealing(&[(B, &kb)], &[(A, &ka)]);
        let r = encrypt(&store, &sam, &from).unwrap();
        assert_eq!((r.done, r.already), (2, 3));
        // Nothing plain is left but what is not a record.
        let mut plain = Vec::new();
        for place in places(&store).unwrap() {
            let (p, s) = files_of(&store, &place);
            assert!(!p.exists() && s.exists(), "{place}");
            plain.push(place);
        }
        assert_eq!(plain.len(), 5);
        assert!(store.plain_path("notes.txt").exists());
        // Again: nothing to do.
        assert_eq!(encrypt(&store, &sam, &from).unwrap().done, 0);
        // Back to plain, each device what it can open, byte for byte.
        let r = decrypt(&store, &alex).unwrap();
        assert_eq!(r.done, 3);
        assert_eq!(
            r.left.values().sum::<usize>(),
            2,
            "Sam's touch state and private need are Sam's alone"
        );
        decrypt(&store, &sam).unwrap();
        assert_eq!(snapshot(&store), before);
    }

    #[test]
    fn a_need_both_partners_wrote_in_is_encrypted_once_both_devices_signed_their_parts() {
        let (_t, store) = folder();
        let from: BTreeSet<String> = plain_places(&store).unwrap().into_iter().collect();
        let body = format!(
            "{{\"version\":1,\"id\":\"abcd12345678\",\"owner\":\"{A}\",\"text\":\"buttons\",\"private\":false,\"status\":\"agreed\",\"plan\":\"Sam asks first\",\"history\":[{{\"date\":\"2026-01-02\",\"at\":\"2026-01-02T10:00:00Z\",\"by\":\"{B}\",\"what\":\"comment: yes\"}}]}}\n"
        );
        fs::write(store.plain_path("needs/abcd12345678.json"), &body).unwrap();
        let before = snapshot(&store);
        let (ka, kb) = (Arc::new(Keys::generate()), Arc::new(Keys::generate()));
        let alex = sealing(&[(A, &ka)], &[(B, &kb)]);
        let sam = sealing(&[(B, &kb)], &[(A, &ka)]);
        let (plain, sealed) = files_of(&store, "needs/abcd12345678");
        encrypt(&store, &alex, &from).unwrap();
        assert!(
            plain.exists() && !sealed.exists(),
            "it waits for Sam's part"
        );
        let r = encrypt(&store, &sam, &from).unwrap();
        assert!(r.refused.is_empty(), "{:?}", r.refused);
        assert!(!plain.exists() && sealed.exists());
        for device in [&alex, &sam] {
            let opened = device.open("needs/abcd12345678", &fs::read(&sealed).unwrap());
            assert_eq!(opened.unwrap(), body.as_bytes());
        }
        decrypt(&store, &alex).unwrap();
        decrypt(&store, &sam).unwrap();
        assert_eq!(snapshot(&store), before);
    }

    #[test]
    fn a_run_killed_between_writing_and_removing_is_finished_by_the_next() {
        let (_t, store) = folder();
        let from: BTreeSet<String> = plain_places(&store).unwrap().into_iter().collect();
        let before = snapshot(&store);
        let (ka, kb) = (Arc::new(Keys::generate()), Arc::new(Keys::generate()));
        let both = sealing(&[(A, &ka), (B, &kb)], &[]);
        // As if killed after the sealed file was written: both forms of one record.
        let place = format!("touch/{A}/state");
        let (plain, sealed) = files_of(&store, &place);
        write_atomic(
            &sealed,
            &both.seal(&place, &read(&plain).unwrap(), None).unwrap(),
        )
        .unwrap();
        // And a sealed file that does not check out beside another plain record is left alone.
        let (plain_b, sealed_b) = files_of(&store, &format!("touch/{B}/state"));
        fs::write(&sealed_b, b"age-encryption.org/v1\nbroken").unwrap();
        let r = encrypt(&store, &both, &from).unwrap();
        assert_eq!(r.done, 4);
        assert_eq!(r.refused.len(), 1, "{r:?}");
        assert!(!plain.exists() && plain_b.exists());
        fs::remove_file(&sealed_b).unwrap();
        assert_eq!(encrypt(&store, &both, &from).unwrap().done, 1);
        decrypt(&store, &both).unwrap();
        assert_eq!(snapshot(&store), before);
    }

    #[test]
    fn a_plain_record_that_was_not_there_before_is_never_encrypted_in_anyones_name() {
        let (_t, store) = folder();
        let from: BTreeSet<String> = plain_places(&store).unwrap().into_iter().collect();
        let (ka, kb) = (Arc::new(Keys::generate()), Arc::new(Keys::generate()));
        let sam = sealing(&[(B, &kb)], &[(A, &ka)]);
        // Dropped by someone else after this device saw the folder encrypted, in Sam's name.
        let forged = store.plain_path("needs/zzzz12345678.json");
        fs::write(
            &forged,
            format!(
                "{{\"version\":1,\"owner\":\"{B}\",\"text\":\"everything\",\"private\":false}}\n"
            ),
        )
        .unwrap();
        let r = encrypt(&store, &sam, &from).unwrap();
        assert_eq!(
            r.refused,
            vec![(forged.clone(), Fault::Said(NOT_FROM_BEFORE.to_owned()))]
        );
        assert!(forged.exists());
        assert!(!files_of(&store, "needs/zzzz12345678").1.exists());
        // What was there before is encrypted as ever.
        assert_eq!(r.done, 3);
    }

    #[test]
    fn a_plain_removal_record_is_never_sealed_even_from_before() {
        // Closer leaves removals only in an encrypted folder: one in a plain folder was put
        // there by someone else, and sealed in Sam's name it would hide Sam's need for good.
        let (_t, store) = folder();
        let planted = store.plain_path("removed/efgh12345678.json");
        fs::create_dir_all(planted.parent().unwrap()).unwrap();
        fs::write(
            &planted,
            format!(
                "{{\"version\":1,\"id\":\"efgh12345678\",\"owner\":\"{B}\",\"date\":\"9999-01-01\",\"rev\":99999999999}}\n"
            ),
        )
        .unwrap();
        let from: BTreeSet<String> = plain_places(&store).unwrap().into_iter().collect();
        let (ka, kb) = (Arc::new(Keys::generate()), Arc::new(Keys::generate()));
        let sam = sealing(&[(B, &kb)], &[(A, &ka)]);
        let r = encrypt(&store, &sam, &from).unwrap();
        assert!(!files_of(&store, "removed/efgh12345678").1.exists());
        assert!(
            r.refused.iter().any(|(p, _)| *p == planted),
            "{:?}",
            r.refused
        );
        assert!(files_of(&store, "needs/efgh12345678").1.exists());
    }

    #[test]
    fn a_content_file_that_came_later_is_sealed_only_once_confirmed_and_shown_first() {
        let (_t, store) = folder();
        let content = store.plain_path("content");
        fs::create_dir_all(&content).unwrap();
        let old = content.join("ours.toml");
        let file = "version = 1\n[category]\nid = \"our-x\"\nname = \"Ours\"\nabout = \"A.\"\n\n[[prompt]]\nid = \"our-x-1\"\ntext = \"Hi\\u001b[2J there\"\ndepth = \"light\"\nlow_energy = false\n";
        fs::write(&old, file).unwrap();
        let mut from: BTreeSet<String> = plain_places(&store).unwrap().into_iter().collect();
        assert!(from.contains("content/ours.toml"));
        let new = content.join("later.toml");
        fs::write(&new, file.replace("our-x", "our-y")).unwrap();
        let (ka, kb) = (Arc::new(Keys::generate()), Arc::new(Keys::generate()));
        let sam = sealing(&[(B, &kb)], &[(A, &ka)]);
        let shown = crate::shared_content::unconfirmed(&store, &from);
        assert_eq!(shown.len(), 1);
        assert_eq!(shown[0].path, new);
        assert_eq!(
            shown[0].items,
            vec!["category: Ours", "prompt: Hi?[2J there"]
        );
        let r = encrypt(&store, &sam, &from).unwrap();
        assert_eq!(r.refused, vec![(new.clone(), Fault::PlainContent)]);
        assert!(new.exists() && !content.join("later.toml.age").exists());
        assert!(!old.exists() && content.join("ours.toml.age").exists());
        // Confirmed at the keyboard: sealed.
        from.insert(shown[0].place.clone());
        let r = encrypt(&store, &sam, &from).unwrap();
        assert!(r.refused.is_empty(), "{:?}", r.refused);
        assert!(!new.exists() && content.join("later.toml.age").exists());
    }

    #[test]
    fn decrypting_on_one_device_leaves_the_other_partners_own_records_sealed_and_signed() {
        let (_t, store) = folder();
        // Sam's partner file: read by both, written by Sam alone.
        let theirs = store.plain_path(&format!("partners/{B}.json"));
        fs::create_dir_all(theirs.parent().unwrap()).unwrap();
        fs::write(
            &theirs,
            format!("{{\"version\":1,\"id\":\"{B}\",\"name\":\"Sam\",\"conditions\":[],\"added\":\"2026-01-01\"}}\n"),
        )
        .unwrap();
        let from: BTreeSet<String> = plain_places(&store).unwrap().into_iter().collect();
        let (ka, kb) = (Arc::new(Keys::generate()), Arc::new(Keys::generate()));
        let alex = sealing(&[(A, &ka)], &[(B, &kb)]);
        let sam = sealing(&[(B, &kb)], &[(A, &ka)]);
        encrypt(&store, &alex, &from).unwrap();
        encrypt(&store, &sam, &from).unwrap();
        let (plain, sealed) = files_of(&store, &format!("partners/{B}"));
        let signed = fs::read(&sealed).unwrap();
        // Alex can open Sam's partner file, but it is Sam's to turn plain.
        let r = decrypt(&store, &alex).unwrap();
        assert!(
            !plain.exists(),
            "Sam's own record was written plain by Alex's device"
        );
        assert_eq!(fs::read(&sealed).unwrap(), signed);
        // Sam's partner file and touch state, and the private need only Sam can open.
        assert_eq!(r.left.values().sum::<usize>(), 3, "{r:?}");
        assert_eq!(r.left.get(B), Some(&2), "{r:?}");
        let r = decrypt(&store, &sam).unwrap();
        assert_eq!(r.done, 3);
        assert!(plain.exists() && !sealed.exists());
    }
}
