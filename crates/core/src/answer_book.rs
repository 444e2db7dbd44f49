//! A partner's answer files as this device may read and change them. In a plain folder the
//! answers are kept as they are. In an encrypted folder each answer (or pass) is sealed to its
//! author alone until the other partner has taken their turn on its day, and then also to both
//! ([`crate::answer_seal`]): the file itself, sealed to both, shows the other partner only the
//! days a turn was taken.

use crate::answer_rules::SEALED;
use crate::answer_seal::{self, SealedAnswer};
use crate::crypto::{CryptoError, PublicKeys};
use crate::error::{Error, Result};
use crate::ids::Id;
use crate::prompts::{Answer, AnswerFile, answer_path};
use crate::sealing::Sealing;
use crate::store::Store;
use chrono::{Datelike, NaiveDate};
use std::collections::BTreeSet;

fn broken(e: CryptoError) -> Error {
    Error::invalid(format!("an answer could not be sealed or opened: {e}"))
}

fn keys_of(sealing: &Sealing) -> impl Fn(&str) -> Option<PublicKeys> + Copy + '_ {
    move |p| sealing.public(p)
}

/// What stands in for an answer this device may not open yet: that a turn was taken that day.
fn unopened(date: NaiveDate) -> Answer {
    let mut a = Answer::new(
        date,
        "",
        "",
        SEALED.to_owned(),
        date.and_time(chrono::NaiveTime::MIN).and_utc(),
    );
    a.sealed = true;
    a
}

/// Opens one sealed answer of `author` with a key this device holds: the author's own whole
/// answer, or the copy sealed to both.
fn open_one(sealing: &Sealing, author: &str, s: &SealedAnswer) -> Result<Answer, CryptoError> {
    if let Some(keys) = sealing.keys(author) {
        return answer_seal::open_answer(&keys, author, author, s, keys_of(sealing));
    }
    let mut last = CryptoError::NotForYou;
    for reader in sealing.held() {
        let Some(keys) = sealing.keys(reader) else {
            continue;
        };
        match answer_seal::open_answer(&keys, reader, author, s, keys_of(sealing)) {
            Ok(a) => return Ok(a),
            Err(e) => last = e,
        }
    }
    Err(last)
}

/// The answers in `author`'s file `f` as this device may read them; one it may not open yet
/// stands as sealed ([`Answer::sealed`]), one that fails its check is reported and left out.
pub fn opened(store: &Store, author: &str, f: AnswerFile) -> Vec<Answer> {
    opened_checked(store, author, f).0
}

/// [`opened`], and whether every sealed answer in the file checked out (nothing left out).
pub(crate) fn opened_checked(store: &Store, author: &str, f: AnswerFile) -> (Vec<Answer>, bool) {
    let Some(sealing) = store.sealing() else {
        return (f.answers, true);
    };
    let mut clean = true;
    let mut out: Vec<Answer> = f
        .answers
        .into_iter()
        .filter(|a| !f.sealed.iter().any(|s| s.date == a.date))
        .collect();
    for s in &f.sealed {
        match open_one(&sealing, author, s) {
            Ok(a) if answer_seal::is_taken_back(&a) => {}
            Ok(a) => out.push(a),
            Err(CryptoError::NotForYou) => out.push(unopened(s.date)),
            Err(e) => {
                clean = false;
                store.note_left_out(
                    &store.path(&format!("answers/{author}/{}.json", s.date.year())),
                    &format!("the answer of {}: {e}", s.date),
                )
            }
        }
    }
    out.sort_by_key(|a| a.date);
    (out, clean)
}

/// The days on which a partner other than `author` took their turn, in `year`, by partner.
fn their_days(
    store: &Store,
    sealing: &Sealing,
    author: &str,
    year: i32,
) -> Result<Vec<(PublicKeys, BTreeSet<NaiveDate>)>> {
    let mut out = Vec::new();
    for other in sealing.known().filter(|p| *p != author) {
        let (Ok(id), Some(public)) = (Id::parse(other), sealing.public(other)) else {
            continue;
        };
        let days = store
            .read::<AnswerFile>(&answer_path(&id, year))?
            .map(|f| {
                f.answers
                    .iter()
                    .map(|a| a.date)
                    .chain(f.sealed.iter().map(|s| s.date))
                    .collect()
            })
            .unwrap_or_default();
        out.push((public, days));
    }
    Ok(out)
}

/// Changes `author`'s answers of `year` with `change`, sealing each changed one to its author
/// and revealing to both those whose day the other partner has taken their turn on. `change`
/// sees no answer taken back; a day whose answer it takes out keeps a sealed copy saying so, of
/// the same size ([`answer_seal::taken_back`]), so that the file does not tell.
pub fn update(
    store: &Store,
    author: &Id,
    year: i32,
    change: impl FnOnce(&mut Vec<Answer>) -> Result<()>,
) -> Result<()> {
    update_in(store, author, year, false, change)
}

/// [`update`]; with `share_again`, every day already shared is sealed to both again, to the other
/// partner's keys as this device trusts them now.
fn update_in(
    store: &Store,
    author: &Id,
    year: i32,
    share_again: bool,
    change: impl FnOnce(&mut Vec<Answer>) -> Result<()>,
) -> Result<()> {
    let sealing = store.sealing();
    let others = match &sealing {
        Some(s) => their_days(store, s, author, year)?,
        None => Vec::new(),
    };
    store.update::<AnswerFile, _>(&answer_path(author, year), |old| {
        let mut file = old.unwrap_or_else(|| AnswerFile::new(author));
        let Some(sealing) = &sealing else {
            change(&mut file.answers)?;
            return Ok(file);
        };
        let keys = sealing.keys(author).ok_or_else(|| {
            Error::not_yours(format!(
                "these answers are partner {author}'s own, and this device does not hold their key; they change them on their own device"
            ))
        })?;
        let mut answers = std::mem::take(&mut file.answers);
        answers.retain(|a| !file.sealed.iter().any(|s| s.date == a.date));
        let mut kept = Vec::new();
        for s in file.sealed.drain(..) {
            let own = match answer_seal::open_own(&keys, author, &s, keys_of(sealing)) {
                // Locked to the author's previous key alone: lost with it.
                Err(CryptoError::NotForYou) if sealing.replaced(author.as_str()) => continue,
                r => r.map_err(broken)?,
            };
            if !answer_seal::is_taken_back(&own.answer) {
                answers.push(own.answer.clone());
            }
            // A day shared by an earlier version, or to be shared again, is sealed anew.
            let keep = own.current && !(share_again && s.both.is_some());
            kept.push((own.answer, keep.then_some(s), own.floor));
        }
        answers.sort_by_key(|a| a.date);
        change(&mut answers)?;
        for (a, _, _) in &kept {
            if !answers.iter().any(|n| n.date == a.date) {
                answers.push(match answer_seal::is_taken_back(a) {
                    true => a.clone(),
                    false => answer_seal::taken_back(a.date),
                });
            }
        }
        answers.sort_by_key(|a| a.date);
        for a in &answers {
            file.sealed.push(match kept.iter().find(|(k, _, _)| k == a) {
                Some((_, Some(s), _)) => s.clone(),
                _ => {
                    let floor = kept
                        .iter()
                        .find(|(k, _, _)| k.date == a.date)
                        .map_or(0, |(_, _, size)| *size);
                    answer_seal::seal_answer(&keys, author, a, floor).map_err(broken)?
                }
            });
        }
        for (public, days) in &others {
            answer_seal::reveal_due(
                &keys,
                author,
                public,
                &mut file.sealed,
                days,
                keys_of(sealing),
            )
            .map_err(broken)?;
        }
        Ok(file)
    })?;
    Ok(())
}

/// `author`'s answer file `body` (at `place`) as it is kept in a plain folder, for `couple
/// decrypt`: every sealed answer opened with the author's key and kept plain, with its earlier
/// versions; answers taken back left out. A plain folder reads no sealed answer, so one that
/// cannot be opened stops the file from being decrypted.
pub fn unsealed(sealing: &Sealing, author: &str, place: &str, body: &[u8]) -> Result<Vec<u8>> {
    let path = std::path::Path::new(place);
    let mut f: AnswerFile = crate::store::parse(path, body)?;
    if f.sealed.is_empty() {
        return Ok(body.to_vec());
    }
    let keys = sealing.keys(author).ok_or_else(|| {
        Error::not_yours(format!(
            "{place}: these answers are partner {author}'s own; they decrypt them on their device"
        ))
    })?;
    f.answers
        .retain(|a| !f.sealed.iter().any(|s| s.date == a.date));
    for s in std::mem::take(&mut f.sealed) {
        let a = answer_seal::open_own(&keys, author, &s, keys_of(sealing))
            .map_err(|e| {
                Error::invalid(format!(
                    "{place}: the answer of {} could not be opened ({e}); it stays encrypted",
                    s.date
                ))
            })?
            .answer;
        if !answer_seal::is_taken_back(&a) {
            f.answers.push(a);
        }
    }
    f.answers.sort_by_key(|a| a.date);
    use crate::store::Versioned;
    f.encode()
        .map_err(|e| Error::invalid(format!("{place}: {e}")))
}

/// [`tend`], skipped while no answer folder has changed since it last ran on this device: the
/// work opens every answer file, and what it acts on only changes when a file in `answers/` is
/// added or replaced (by closer, or by a sync tool, both of which rename into place), which moves
/// that folder's time. `memo` is a device cache file; `now` says which times have settled.
pub fn tend_when_changed(
    store: &Store,
    memo: Option<&std::path::Path>,
    now: std::time::SystemTime,
) -> Result<usize> {
    if store.sealing().is_none() {
        return Ok(0);
    }
    let state = || -> Option<String> {
        let mut key = String::new();
        let top = store.path("answers");
        let mut dirs = vec![top.clone()];
        for e in std::fs::read_dir(&top).ok()? {
            dirs.push(e.ok()?.path());
        }
        dirs.sort();
        for d in dirs {
            let part = crate::scan::state_key(&std::fs::symlink_metadata(&d).ok()?, now);
            if part.is_empty() {
                return None; // still settling: look again next time
            }
            key.push_str(&part);
            key.push('\n');
        }
        Some(key)
    };
    let seen = memo.and_then(|m| std::fs::read_to_string(m).ok());
    if let (Some(before), Some(seen)) = (state(), &seen)
        && &before == seen
    {
        return Ok(0);
    }
    let changed = tend(store)?;
    if let (Some(m), Some(after)) = (memo, state()) {
        // Only a cache: when it cannot be written the work is simply done again next time.
        if let Some(dir) = m.parent() {
            let _ = Store::new(dir).ensure_dir("");
        }
        let _ = crate::store::write_atomic(m, after.as_bytes());
    }
    Ok(changed)
}

/// On this device, for every partner whose key it holds: seals answers still kept plain in an
/// encrypted folder (from before it was encrypted), and reveals to both every answer whose day
/// the other partner has now taken their turn on. Returns how many files changed.
pub fn tend(store: &Store) -> Result<usize> {
    let Some(sealing) = store.sealing() else {
        return Ok(0);
    };
    let mut changed = 0;
    for author in sealing.held() {
        let Ok(id) = Id::parse(author) else { continue };
        for year in years(store, &id)? {
            let Some(f) = store.read::<AnswerFile>(&answer_path(&id, year))? else {
                continue;
            };
            let waiting: Vec<NaiveDate> = f
                .sealed
                .iter()
                .filter(|s| s.both.is_none())
                .map(|s| s.date)
                .collect();
            let due = !f.answers.is_empty()
                || (!waiting.is_empty()
                    && their_days(store, &sealing, author, year)?
                        .iter()
                        .any(|(_, days)| waiting.iter().any(|d| days.contains(d))));
            if due {
                update(store, &id, year, |_| Ok(()))?;
                changed += 1;
            }
        }
    }
    Ok(changed)
}

/// The years `author` has an answer file for.
fn years(store: &Store, author: &Id) -> Result<Vec<i32>> {
    Ok(store
        .list(&format!("answers/{author}"))?
        .iter()
        .filter_map(|p| p.file_stem()?.to_str()?.parse().ok())
        .collect())
}

/// Seals again to both, to the other partner's keys as this device trusts them now, every
/// answer of `author` that was shown to both: after the other partner's new key is accepted.
pub fn reveal_again(store: &Store, author: &Id) -> Result<()> {
    for year in years(store, author)? {
        update_in(store, author, year, true, |_| Ok(()))?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::answer_rules::{for_viewer, pass};
    use crate::crypto::{ExposeSecret, Keys};
    use crate::prompts::{all_answers, save_answer};
    use chrono::DateTime;

    use crate::test_devices::{A, B};

    fn day(d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 3, d).unwrap()
    }

    fn answer(d: u32, text: &str) -> Answer {
        Answer::new(
            day(d),
            "p1",
            "What?",
            text.into(),
            DateTime::from_timestamp(1_772_409_600, 0).unwrap(),
        )
    }

    /// Two devices on one folder, each holding only its own partner's key.
    fn devices() -> (tempfile::TempDir, Store, Store, Keys, Keys) {
        let d = crate::test_devices::devices();
        (d._dir, d.alex, d.sam, d.ka, d.kb)
    }

    /// Everything `keys` opens under `answers/`: every file, and every sealed copy inside, as a
    /// curious partner would with `rage -d -i KEY`.
    fn everything_opened(root: &std::path::Path, keys: &Keys) -> Vec<u8> {
        let ids = age::IdentityFile::from_buffer(keys.to_text().expose_secret().as_bytes())
            .unwrap()
            .into_identities()
            .unwrap();
        let open = |sealed: &[u8]| -> Option<Vec<u8>> {
            let d = age::Decryptor::new(sealed).ok()?;
            let mut r = d
                .decrypt(ids.iter().map(|i| i.as_ref() as &dyn age::Identity))
                .ok()?;
            let mut plain = Vec::new();
            std::io::Read::read_to_end(&mut r, &mut plain).ok()?;
            Some(plain)
        };
        let mut out = Vec::new();
        let mut dirs = vec![root.join("answers")];
        while let Some(dir) = dirs.pop() {
            for e in std::fs::read_dir(&dir).into_iter().flatten().flatten() {
                if e.file_type().unwrap().is_dir() {
                    dirs.push(e.path());
                    continue;
                }
                let bytes = std::fs::read(e.path()).unwrap();
                out.extend_from_slice(&bytes);
                let Some(plain) = open(&bytes) else { continue };
                out.extend_from_slice(&plain);
                // Each hex string inside that is itself sealed.
                let text = String::from_utf8_lossy(&plain).into_owned();
                for word in text.split('"').filter(|w| w.len() > 64) {
                    let Some(raw) = (0..word.len() / 2)
                        .map(|i| u8::from_str_radix(&word[2 * i..2 * i + 2], 16).ok())
                        .collect::<Option<Vec<u8>>>()
                    else {
                        continue;
                    };
                    if let Some(inner) = open(&raw) {
                        out.extend_from_slice(&inner);
                    }
                }
            }
        }
        out
    }

    fn has(hay: &[u8], needle: &str) -> bool {
        hay.windows(needle.len()).any(|w| w == needle.as_bytes())
    }

    #[test]
    fn an_answer_is_unreadable_to_the_other_partner_until_they_took_their_turn() {
        let (t, alex, sam, ka, _) = devices();
        let data = t.path().join("data");
        let (a, b) = (Id::parse(A).unwrap(), Id::parse(B).unwrap());
        alex.ensure_dir(&format!("answers/{A}")).unwrap();
        sam.ensure_dir(&format!("answers/{B}")).unwrap();
        save_answer(&sam, &b, answer(2, "the sea, next spring")).unwrap();
        save_answer(&sam, &b, answer(3, "a slow morning")).unwrap();
        // Alex, with every file and Alex's own key, reads nothing of what Sam wrote...
        assert!(!has(&everything_opened(&data, &ka), "the sea"));
        // ...but sees that Sam took a turn on those days.
        let seen = for_viewer(all_answers(&alex, None, None).unwrap(), Some(A));
        assert_eq!(
            seen.iter()
                .map(|(w, a)| (w.as_str(), a.date))
                .collect::<Vec<_>>(),
            [(B, day(2)), (B, day(3))]
        );
        assert!(seen.iter().all(|(_, a)| a.sealed && a.text == SEALED));
        // Sam reads their own answers back, whole.
        let own = all_answers(&sam, None, None).unwrap();
        assert_eq!(own[0].1.text, "the sea, next spring");
        assert_eq!(own[1].1.text, "a slow morning");
        // Alex answers the 2nd and passes on the 3rd; nothing of Sam's is readable yet, since
        // only Sam's device can reveal it.
        save_answer(&alex, &a, answer(2, "the hills")).unwrap();
        pass(&alex, &a, day(3), "p1", "What?", DateTime::default()).unwrap();
        assert!(!has(&everything_opened(&data, &ka), "the sea"));
        // Sam's device runs once: both of Sam's answers are now sealed to both too.
        assert_eq!(tend(&sam).unwrap(), 1);
        assert_eq!(tend(&sam).unwrap(), 0, "once is enough");
        let seen = for_viewer(all_answers(&alex, None, None).unwrap(), Some(A));
        let sams: Vec<&str> = seen
            .iter()
            .filter(|(w, _)| w == B)
            .map(|(_, a)| a.text.as_str())
            .collect();
        assert_eq!(sams, ["the sea, next spring", "a slow morning"]);
        // Alex's device runs: Alex's answer and pass are revealed to Sam.
        tend(&alex).unwrap();
        let seen = for_viewer(all_answers(&sam, None, None).unwrap(), Some(B));
        let alexs: Vec<(&str, bool)> = seen
            .iter()
            .filter(|(w, _)| w == A)
            .map(|(_, a)| (a.text.as_str(), a.passed))
            .collect();
        assert_eq!(alexs, [("the hills", false), ("", true)]);
        // A correction by Sam after the reveal is revealed at once, without its earlier version.
        save_answer(&sam, &b, answer(2, "the sea, in May")).unwrap();
        let opened = everything_opened(&data, &ka);
        assert!(has(&opened, "the sea, in May"));
        assert!(!has(&opened, "next spring"), "earlier versions stay Sam's");
        // Sam deletes an answer: gone for both.
        crate::answer_rules::delete(&sam, &b, day(3)).unwrap();
        assert_eq!(
            all_answers(&alex, None, None)
                .unwrap()
                .iter()
                .filter(|(w, _)| w == B)
                .count(),
            1
        );
        assert!(alex.take_left_out().is_empty());
        assert!(sam.take_left_out().is_empty());
    }

    #[test]
    fn the_remembered_look_skips_nothing_that_became_due() {
        let (t, alex, sam, ka, _) = devices();
        let data = t.path().join("data");
        let memo = t.path().join("cache/answers.tended");
        // Times count as settled from a minute on, as they will be on a later run.
        let later = std::time::SystemTime::now() + std::time::Duration::from_secs(60);
        let (a, b) = (Id::parse(A).unwrap(), Id::parse(B).unwrap());
        alex.ensure_dir(&format!("answers/{A}")).unwrap();
        sam.ensure_dir(&format!("answers/{B}")).unwrap();
        save_answer(&sam, &b, answer(2, "the sea, next spring")).unwrap();
        assert_eq!(tend_when_changed(&sam, Some(&memo), later).unwrap(), 0);
        assert!(memo.exists(), "a settled look is remembered");
        // Alex answers the same day: only Alex's folder moved, and Sam's device must see it.
        save_answer(&alex, &a, answer(2, "the hills")).unwrap();
        assert_eq!(tend_when_changed(&sam, Some(&memo), later).unwrap(), 1);
        assert!(has(&everything_opened(&data, &ka), "the sea"));
        assert_eq!(tend_when_changed(&sam, Some(&memo), later).unwrap(), 0);
    }

    /// The size, sealed, of `author`'s file of `answers` as the same shared answers took before
    /// they were padded: each day a copy sealed to its author and one to both, each to the
    /// next KiB.
    fn unpadded(store: &Store, author: &Keys, other: &Keys, id: &Id, answers: &[Answer]) -> u64 {
        let mut f = AnswerFile::new(id);
        for a in answers {
            let seal = |a: &Answer, readers: &[&PublicKeys]| {
                let body = serde_json::to_vec(a).unwrap();
                let place = format!("answers/{id}/{}", a.date);
                let sealed =
                    crate::crypto::seal::seal_sized(author, id, &place, &body, readers, |n| n);
                crate::crypto::hex(&sealed.unwrap())
            };
            let mut shown = a.clone();
            shown.earlier.clear();
            f.sealed.push(SealedAnswer {
                date: a.date,
                own: seal(a, &[&author.public()]),
                both: Some(seal(&shown, &[&author.public(), &other.public()])),
                pad: String::new(),
            });
        }
        store.write(&answer_path(id, 2025), &f).unwrap();
        std::fs::metadata(store.path(&answer_path(id, 2025)).with_extension("age"))
            .unwrap()
            .len()
    }

    #[test]
    fn shared_days_take_about_what_they_took_before_answers_were_padded() {
        // January to March (the corrected day below is in March): every shared day is sealed
        // alike, so a whole year would change the ratio by nothing but time.
        const DAYS: u64 = 90;
        let (t, alex, sam, ka, kb) = devices();
        let (a, b) = (Id::parse(A).unwrap(), Id::parse(B).unwrap());
        alex.ensure_dir(&format!("answers/{A}")).unwrap();
        sam.ensure_dir(&format!("answers/{B}")).unwrap();
        let days: Vec<Answer> = (0..DAYS)
            .map(|i| {
                let date = NaiveDate::from_ymd_opt(2026, 1, 1).unwrap() + chrono::Days::new(i);
                let mut a = answer(1, "A slow morning, tea in bed, and your hand on my back.");
                a.date = date;
                a
            })
            .collect();
        for (store, id) in [(&sam, &b), (&alex, &a)] {
            update(store, id, 2026, |v| {
                v.extend(days.iter().cloned());
                Ok(())
            })
            .unwrap();
        }
        // One of Sam's days corrected before Alex's turn: the earlier text stays Sam's.
        save_answer(&sam, &b, answer(2, "The sea, in May.")).unwrap();
        tend(&sam).unwrap();
        let alexs_view = all_answers(&alex, None, None).unwrap();
        assert!(
            alexs_view.iter().all(|(_, x)| !x.sealed),
            "every day shared"
        );
        let file = t.path().join(format!("data/answers/{B}/2026.age"));
        let size = std::fs::metadata(&file).unwrap().len();
        // Nothing lost: Sam reads every answer and the earlier text; Alex reads the answers only.
        let own = all_answers(&sam, None, None).unwrap();
        let sams: Vec<Answer> = own
            .iter()
            .filter(|(w, _)| w == B)
            .map(|(_, x)| x.clone())
            .collect();
        let reference = unpadded(&sam, &kb, &ka, &b, &sams);
        assert!(
            size * 10 <= reference * 13,
            "{DAYS} days shared: {size} bytes, {reference} before the padding"
        );
        assert_eq!(
            own.iter().filter(|(w, _)| w as &str == B).count() as u64,
            DAYS
        );
        let sams_day = |all: &[(String, Answer)]| {
            all.iter()
                .find(|(w, x)| w == B && x.date == day(2))
                .unwrap()
                .1
                .clone()
        };
        let mine = sams_day(&own);
        assert_eq!(mine.text, "The sea, in May.");
        assert_eq!(mine.earlier.len(), 1);
        let theirs = sams_day(&alexs_view);
        assert_eq!(theirs.text, "The sea, in May.");
        assert!(theirs.earlier.is_empty());
    }

    #[test]
    fn answers_from_before_encryption_are_sealed_on_their_authors_next_run() {
        let (t, alex, sam, ka, _) = devices();
        let data = t.path().join("data");
        let b = Id::parse(B).unwrap();
        // A plain folder with Sam's answer, then encrypted as a whole file (sealed to both).
        let plain = Store::new(&data);
        plain.ensure_dir(&format!("answers/{B}")).unwrap();
        save_answer(&plain, &b, answer(2, "the sea, next spring")).unwrap();
        let f: AnswerFile = plain.read(&answer_path(&b, 2026)).unwrap().unwrap();
        std::fs::remove_file(plain.path(&answer_path(&b, 2026))).unwrap();
        sam.write(&answer_path(&b, 2026), &f).unwrap();
        assert!(has(&everything_opened(&data, &ka), "the sea"));
        assert_eq!(tend(&sam).unwrap(), 1);
        assert!(!has(&everything_opened(&data, &ka), "the sea"));
        assert_eq!(
            all_answers(&sam, None, None).unwrap()[0].1.text,
            "the sea, next spring"
        );
        assert!(all_answers(&alex, None, None).unwrap()[0].1.sealed);
    }
}
