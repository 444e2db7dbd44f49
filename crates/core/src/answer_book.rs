//! A partner's answer files as this device may read and change them. In a plain folder the
//! answers are kept as they are. In an encrypted folder each answer (or pass) is sealed to its
//! author alone until the other partner has taken their turn on its day, and then also to both
//! ([`crate::answer_seal`]): the file itself, sealed to both, shows the other partner only the
//! days a turn was taken.

use crate::answer_rules::SEALED;
use crate::answer_seal::{self, SealedAnswer};
use crate::crypto::{CryptoError, Keys, PublicKeys};
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
    // A copy for both that this device checked with the author's previous key before it
    // accepted their new one is checked against that key (see [`crate::answer_rekey`]).
    let vouched = s.both.as_deref().map(answer_seal::unhex_all);
    let keys_for = match &vouched {
        Some(Ok(bytes)) => sealing.signing_keys_for(bytes),
        _ => sealing.signing_keys_for(&[]),
    };
    let mut last = CryptoError::NotForYou;
    for reader in sealing.held() {
        let Some(keys) = sealing.keys(reader) else {
            continue;
        };
        match answer_seal::open_answer(&keys, reader, author, s, keys_for) {
            Ok(a) => return Ok(a),
            // Encrypted again by another device than the one whose digests this device keeps:
            // vouched for by the signature inside.
            Err(CryptoError::BadSignature(_))
                if sealing.replaced(author)
                    && matches!(&vouched, Some(Ok(b)) if sealing.vouches(b)) =>
            {
                return answer_seal::open_answer(&keys, reader, author, s, sealing.previous_keys());
            }
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
            // The author's own, locked to their lost key alone: gone, not waiting to open.
            Err(CryptoError::NotForYou) if sealing.holds(author) && sealing.replaced(author) => {}
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
    update_in(store, author, year, &Again::default(), change).map(|_| ())
}

/// What [`update_in`] does again with the days already in the file.
#[derive(Default)]
pub(crate) struct Again<'a> {
    /// Every day already shared is sealed to both again, to the other partner's keys as this
    /// device trusts them now.
    pub share_again: bool,
    /// Days shared with both whether or not the other partner's turn on them is in the folder
    /// (they were shared before).
    pub shared: BTreeSet<NaiveDate>,
    /// The author's previous key, found again after it was replaced: what only it opens is
    /// opened and sealed again with the author's key held here.
    pub previous: Option<&'a Keys>,
}

/// One day of the author's file as their device opened it.
struct Day {
    answer: Answer,
    /// The day's line as it is, when it need not be sealed again.
    keep: Option<SealedAnswer>,
    /// The least size its next copy may have (see [`answer_seal::open_own`]).
    floor: usize,
    /// Copies sealed to a replaced key of the author's, kept as they were.
    retired: Vec<String>,
}

/// The earlier versions `old` (a copy sealed to a replaced key) holds of a day's answer: its own
/// earlier versions, and its text unless it was a pass or taken back.
fn earlier_of(old: Answer) -> Vec<crate::prompts::Earlier> {
    let shown = !old.passed && !old.text.is_empty() && !answer_seal::is_taken_back(&old);
    let mut earlier = old.earlier;
    if shown {
        earlier.push(crate::prompts::Earlier {
            prompt: old.prompt,
            text: old.text,
            at: old.at,
        });
    }
    earlier
}

/// [`update`], doing `again` with the days already in the file. A day sealed to a replaced key
/// of the author's alone is kept as it was, the same line (a later turn on that day keeps its
/// copy beside the new one); with [`Again::previous`] it is opened and sealed again with the key
/// held here. Returns how many days the previous key opened.
pub(crate) fn update_in(
    store: &Store,
    author: &Id,
    year: i32,
    again: &Again,
    change: impl FnOnce(&mut Vec<Answer>) -> Result<()>,
) -> Result<usize> {
    let sealing = store.sealing();
    let others = match &sealing {
        Some(s) => their_days(store, s, author, year)?,
        None => Vec::new(),
    };
    let mut reopened = 0;
    store.update::<AnswerFile, _>(&answer_path(author, year), |old| {
        let mut file = old.unwrap_or_else(|| AnswerFile::new(author));
        let Some(sealing) = &sealing else {
            crate::merge::one_answer_a_day(&mut file.answers, &BTreeSet::new());
            change(&mut file.answers)?;
            return Ok(file);
        };
        let keys = sealing.keys(author).ok_or_else(|| {
            Error::not_yours(format!(
                "these answers are partner {author}'s own, and this device does not hold their key; they change them on their own device"
            ))
        })?;
        let previous = again.previous.map(|k| k.public());
        let keys_then = |p: &str| match &previous {
            Some(k) if p == author.as_str() => Some(k.clone()),
            _ => sealing.public(p),
        };
        let mut answers = std::mem::take(&mut file.answers);
        answers.retain(|a| !file.sealed.iter().any(|s| s.date == a.date));
        let mut days = Vec::new();
        let mut locked = Vec::new();
        for mut s in file.sealed.drain(..) {
            let (own, by_previous) = match answer_seal::open_own(&keys, author, &s, keys_of(sealing))
            {
                // Sealed to the author's previous key alone: kept as it was, unless that key
                // is here again.
                Err(CryptoError::NotForYou) if sealing.replaced(author.as_str()) => {
                    match again
                        .previous
                        .map(|old| answer_seal::open_own(old, author, &s, keys_then))
                    {
                        Some(Ok(own)) => (own, true),
                        _ => {
                            locked.push(s);
                            continue;
                        }
                    }
                }
                r => (r.map_err(broken)?, false),
            };
            reopened += usize::from(by_previous);
            // A day shared by an earlier version, or to be shared again, is sealed anew.
            let keep = !by_previous && own.current && !(again.share_again && s.both.is_some());
            let mut day = Day {
                answer: own.answer,
                floor: own.floor,
                retired: std::mem::take(&mut s.retired),
                keep: None,
            };
            let mut earlier = Vec::new();
            let before = day.retired.len();
            if let Some(old) = again.previous {
                day.retired.retain(|r| {
                    match answer_seal::open_hex(old, r, author, day.answer.date, keys_then) {
                        Ok(a) => {
                            earlier.extend(earlier_of(a));
                            false
                        }
                        Err(_) => true,
                    }
                });
            }
            if day.retired.len() == before {
                s.retired = day.retired.clone();
                day.keep = keep.then_some(s);
            } else {
                // Earlier versions the previous key kept come back before the later ones.
                reopened += usize::from(!by_previous && !earlier.is_empty());
                earlier.append(&mut day.answer.earlier);
                day.answer.earlier = earlier;
            }
            if !answer_seal::is_taken_back(&day.answer) {
                answers.push(day.answer.clone());
            }
            days.push(day);
        }
        // Two versions of a day, merged from two devices: one answer a day again.
        let taken_back = days
            .iter()
            .filter(|d| answer_seal::is_taken_back(&d.answer))
            .map(|d| d.answer.date)
            .collect();
        crate::merge::one_answer_a_day(&mut answers, &taken_back);
        answers.sort_by_key(|a| a.date);
        change(&mut answers)?;
        for d in &days {
            if !answers.iter().any(|n| n.date == d.answer.date) {
                answers.push(match answer_seal::is_taken_back(&d.answer) {
                    true => d.answer.clone(),
                    false => answer_seal::taken_back(d.answer.date),
                });
            }
        }
        answers.sort_by_key(|a| a.date);
        for a in &answers {
            if let Some(Day { keep: Some(s), .. }) = days.iter().find(|d| d.answer == *a) {
                file.sealed.push(s.clone());
                continue;
            }
            let day = days.iter().find(|d| d.answer.date == a.date);
            let mut floor = day.map_or(0, |d| d.floor);
            let mut retired = day.map(|d| d.retired.clone()).unwrap_or_default();
            // A new turn on a day locked to a replaced key keeps the locked copy beside it.
            if let Some(at) = locked.iter().position(|l| l.date == a.date) {
                let l = locked.remove(at);
                floor = answer_seal::unhex_all(&l.own)
                    .ok()
                    .and_then(|b| crate::crypto::seal::sealed_len(&b))
                    .map_or(floor, |n| n.max(floor));
                retired.extend(l.retired);
                retired.push(l.own);
            }
            let mut s = answer_seal::seal_answer(&keys, author, a, floor).map_err(broken)?;
            if !retired.is_empty() {
                s.retired = retired;
                answer_seal::even_out(&mut s).map_err(broken)?;
            }
            file.sealed.push(s);
        }
        for (public, days) in &others {
            let days: BTreeSet<NaiveDate> = days.union(&again.shared).copied().collect();
            answer_seal::reveal_due(
                &keys,
                author,
                public,
                &mut file.sealed,
                &days,
                keys_of(sealing),
            )
            .map_err(broken)?;
        }
        file.sealed.append(&mut locked);
        file.sealed.sort_by_key(|s| s.date);
        Ok(file)
    })?;
    Ok(reopened)
}

/// `author`'s answer file `body` (at `place`) as it is kept in a plain folder, for `couple
/// decrypt`: every sealed answer opened with the author's key and kept plain, with its earlier
/// versions; answers taken back left out. A plain folder reads no sealed answer, so one that
/// cannot be opened stops the file from being decrypted, unless it is locked to a replaced key
/// of the author's: that one stays as it is, unread, to be opened if that key is found again.
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
        let a = match answer_seal::open_own(&keys, author, &s, keys_of(sealing)) {
            // Locked to a replaced key: kept as it is, which a plain folder does not read.
            Err(CryptoError::NotForYou) if sealing.replaced(author) => {
                f.sealed.push(s);
                continue;
            }
            r => r,
        };
        let a = a
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
            // A day locked to a replaced key of the author's is kept as it is: not waiting.
            let locked = |s: &SealedAnswer| {
                sealing.replaced(author)
                    && sealing.keys(author).is_some_and(|k| {
                        matches!(
                            answer_seal::open_own(&k, author, s, keys_of(&sealing)),
                            Err(CryptoError::NotForYou)
                        )
                    })
            };
            let waiting: Vec<NaiveDate> = f
                .sealed
                .iter()
                .filter(|s| s.both.is_none() && !locked(s))
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
pub(crate) fn years(store: &Store, author: &Id) -> Result<Vec<i32>> {
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
        let again = Again {
            share_again: true,
            ..Again::default()
        };
        update_in(store, author, year, &again, |_| Ok(()))?;
    }
    Ok(())
}

#[cfg(test)]
#[path = "answer_book_tests.rs"]
mod tests;
