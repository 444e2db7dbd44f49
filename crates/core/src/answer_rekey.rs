//! A partner's answers after their key was lost and replaced ([`crate::rekey`]). Each answer the
//! other partner's device had been shown (its copy for both, signed with the lost key) is handed
//! over by that device when it accepts the new key: encrypted again to both, exactly as it was
//! signed, and vouched for by the signature inside, as re-keying vouches for the other records. The new
//! key's device checks each against the previous key and seals it again as its partner's own,
//! shared with both as before; the other device reads the copies it vouched for, still in the
//! folder, against the previous key until then. An answer sealed to the lost key alone (one the
//! other partner had not been shown, and every earlier version) stays in the file as it was,
//! unreadable to the new key; if the lost key turns up again, [`bring_back`] opens it and seals
//! it again with the new key. The found key is used for that alone: it is not kept, and signs
//! nothing.

use crate::answer_book::{Again, update_in, years};
use crate::answer_seal::{self, SealedAnswer};
use crate::crypto::{CryptoError, Keys, PublicKeys, hex, seal};
use crate::error::{Error, Result};
use crate::ids::Id;
use crate::prompts::{Answer, AnswerFile, answer_path};
use crate::sealing::Sealing;
use crate::store::Store;
use chrono::{Datelike, NaiveDate};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet};

/// One answer the other partner's device had been shown, handed over to the author's new key:
/// its copy for both, signed with the lost key, encrypted again to both (hex of an age file).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct HandedAnswer {
    pub date: NaiveDate,
    pub copy: String,
}

/// What the device of `me` hands over of `partner`'s answers when it accepts their `new` keys in
/// place of the ones `sealing` trusts now: every copy for both it opens and checks, encrypted
/// again to `me` and `new`, and what to vouch for (the signatures inside them: the copies in the
/// folder, which this device goes on reading, and the ones handed over carry the same).
/// Answers taken back are not handed over.
pub fn hand_over(
    store: &Store,
    sealing: &Sealing,
    (me, keys): (&str, &Keys),
    partner: &Id,
    new: &PublicKeys,
) -> Result<(BTreeSet<String>, Vec<HandedAnswer>)> {
    let mut vouched = BTreeSet::new();
    let mut handed = Vec::new();
    let mine = keys.public();
    let keys_of = |p: &str| sealing.public(p);
    for year in years(store, partner)? {
        let Some(f) = store.read::<AnswerFile>(&answer_path(partner, year))? else {
            continue;
        };
        for s in &f.sealed {
            let Some(both) = &s.both else { continue };
            match answer_seal::open_answer(keys, me, partner.as_str(), s, keys_of) {
                Ok(a) if !answer_seal::is_taken_back(&a) => {}
                _ => continue,
            }
            let bytes = answer_seal::unhex_all(both).map_err(broken)?;
            let again = seal::reencrypt(keys, &bytes, &[&mine, new]).map_err(broken)?;
            vouched.extend(crate::rekey::token(keys, &bytes));
            handed.push(HandedAnswer {
                date: s.date,
                copy: hex(&again),
            });
        }
    }
    Ok((vouched, handed))
}

fn broken(e: CryptoError) -> Error {
    Error::invalid(format!("an answer could not be handed over: {e}"))
}

/// What the new key's device did with a hand-over's answers.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Taken {
    /// Answers shown to both before, sealed again with the new key.
    pub back: usize,
    /// Answers (and passes) locked to the lost key alone, kept in the files as they were.
    pub kept: usize,
}

/// On the device holding `author`'s new key: seals again as `author`'s own, shared with both,
/// every handed-over answer that checks out against their previous key and is vouched for (the
/// hand-over's digests, see [`Sealing::vouch`]); what only the lost key opens stays as it was.
pub fn take(store: &Store, author: &Id, handed: &[HandedAnswer]) -> Result<Taken> {
    let Some(sealing) = store.sealing() else {
        return Ok(Taken::default());
    };
    let Some(keys) = sealing.keys(author.as_str()) else {
        return Ok(Taken::default());
    };
    let mut back: BTreeMap<i32, Vec<Answer>> = BTreeMap::new();
    for h in handed {
        let Ok(bytes) = answer_seal::unhex_all(&h.copy) else {
            continue;
        };
        if !sealing.vouches(&bytes) {
            continue;
        }
        let checked = answer_seal::open_hex(
            &keys,
            &h.copy,
            author.as_str(),
            h.date,
            sealing.signing_keys_for(&bytes),
        );
        if let Ok(a) = checked
            && !answer_seal::is_taken_back(&a)
        {
            back.entry(h.date.year()).or_default().push(a);
        }
    }
    let mut taken = Taken::default();
    let mut all: BTreeSet<i32> = years(store, author)?.into_iter().collect();
    all.extend(back.keys());
    for year in all {
        let answers = back.remove(&year).unwrap_or_default();
        let locked = locked_days(store, &sealing, &keys, author, year)?;
        let days: BTreeSet<NaiveDate> = answers
            .iter()
            .map(|a| a.date)
            .filter(|d| locked.contains(d))
            .collect();
        taken.kept += locked.difference(&days).count();
        if locked.is_empty() {
            continue;
        }
        let again = Again {
            shared: days.clone(),
            ..Again::default()
        };
        update_in(store, author, year, &again, |have| {
            for a in answers {
                if days.contains(&a.date) && !have.iter().any(|h| h.date == a.date) {
                    have.push(a);
                    taken.back += 1;
                }
            }
            have.sort_by_key(|a| a.date);
            Ok(())
        })?;
    }
    Ok(taken)
}

/// On the device holding `author`'s key: their previous key `previous`, found again after it
/// was replaced, opens what was sealed to it alone in their answer files (answers the other
/// partner had not been shown, and earlier versions), and each is sealed again with the key held
/// here, as if it had been written with it; shared again at once where the other partner has
/// taken their turn on its day. Only what stands in `author`'s answer files, which this device
/// trusts as theirs, is opened, and what `previous` signed is believed only there: the found
/// key cannot add an answer. Returns how many days came back.
pub fn bring_back(store: &Store, author: &Id, previous: &Keys) -> Result<usize> {
    let mut n = 0;
    let again = Again {
        previous: Some(previous),
        ..Again::default()
    };
    let Some(sealing) = store.sealing() else {
        return Ok(0);
    };
    let Some(keys) = sealing.keys(author.as_str()) else {
        return Ok(0);
    };
    for year in years(store, author)? {
        let retired = store
            .read::<AnswerFile>(&answer_path(author, year))?
            .is_some_and(|f| f.sealed.iter().any(|a| !a.retired.is_empty()));
        if retired || !locked_days(store, &sealing, &keys, author, year)?.is_empty() {
            n += update_in(store, author, year, &again, |_| Ok(()))?;
        }
    }
    Ok(n)
}

/// The days of `author`'s answers of `year` that their key here cannot open: sealed to a lost
/// key alone.
fn locked_days(
    store: &Store,
    sealing: &Sealing,
    keys: &Keys,
    author: &Id,
    year: i32,
) -> Result<BTreeSet<NaiveDate>> {
    let Some(f) = store.read::<AnswerFile>(&answer_path(author, year))? else {
        return Ok(BTreeSet::new());
    };
    let keys_of = |p: &str| sealing.public(p);
    Ok(f.sealed
        .iter()
        .filter(|s: &&SealedAnswer| {
            matches!(
                answer_seal::open_own(keys, author.as_str(), s, keys_of),
                Err(CryptoError::NotForYou)
            )
        })
        .map(|s| s.date)
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::answer_rules::SEALED;
    use crate::crypto::ExposeSecret;
    use crate::prompts::save_answer;
    use crate::test_devices::{A, B, devices};
    use chrono::DateTime;
    use std::sync::Arc;

    fn day(d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 3, d).unwrap()
    }

    fn answer(d: u32, text: &str) -> Answer {
        let at = DateTime::from_timestamp(1_772_409_600, 0).unwrap();
        Answer::new(day(d), "p1", "What?", text.into(), at)
    }

    fn copy(k: &Keys) -> Arc<Keys> {
        Arc::new(Keys::from_text(k.to_text().expose_secret()).unwrap())
    }

    /// A device on `root` holding `mine`'s `keys`, trusting `other`'s, vouching for `vouched`
    /// as signed with Alex's previous key `old`.
    fn device(
        root: &std::path::Path,
        (mine, keys): (&str, &Keys),
        (other, theirs): (&str, PublicKeys),
        old: &PublicKeys,
        vouched: &BTreeSet<String>,
    ) -> Store {
        let mut s = Sealing::new();
        s.hold(mine, copy(keys));
        s.know(other, theirs);
        s.act_as(mine);
        s.vouch(A, old.clone(), vouched);
        let store = Store::new(root);
        store.set_sealing(Some(s));
        store
    }

    fn texts(store: &Store, author: &str) -> Vec<(NaiveDate, String)> {
        let id = Id::parse(author).unwrap();
        let f = store.read::<AnswerFile>(&answer_path(&id, 2026)).unwrap();
        crate::answer_book::opened(store, author, f.unwrap())
            .into_iter()
            .map(|a| (a.date, a.text))
            .collect()
    }

    #[test]
    fn answers_shown_before_a_new_key_come_back_on_both_devices_and_nothing_forged_does() {
        let d = devices();
        let (a, b) = (Id::parse(A).unwrap(), Id::parse(B).unwrap());
        d.alex.ensure_dir(&format!("answers/{A}")).unwrap();
        d.sam.ensure_dir(&format!("answers/{B}")).unwrap();
        save_answer(&d.sam, &b, answer(2, "the sea")).unwrap();
        save_answer(&d.alex, &a, answer(2, "the hills")).unwrap();
        save_answer(&d.alex, &a, answer(3, "only mine")).unwrap();
        crate::answer_book::tend(&d.sam).unwrap();
        assert_eq!(texts(&d.sam, A)[0], (day(2), "the hills".to_owned()));
        // Alex's key is lost; Sam's device accepts Alex's new one, still trusting the lost one.
        let new = Keys::generate();
        let before = d.sam.sealing().unwrap();
        let outer = crate::rekey::reencrypt_shared(
            &d.sam,
            &before,
            (B, &d.kb),
            A,
            &new.public(),
            &BTreeSet::new(),
        )
        .unwrap();
        let mut vouched = outer.clone();
        let (answers_vouched, mut handed) =
            hand_over(&d.sam, &before, (B, &d.kb), &a, &new.public()).unwrap();
        vouched.extend(answers_vouched);
        assert_eq!(handed.len(), 1, "only the answer Sam was shown");
        // Forged ones ride along: an answer Sam signs in Alex's name (and vouches for), and one
        // signed with the lost key by whoever found it.
        let forge = |keys: &Keys, d: u32, text: &str| {
            let body = serde_json::to_vec(&answer(d, text)).unwrap();
            let place = answer_seal::place(A, day(d));
            seal::seal(keys, A, &place, &body, &[&new.public(), &keys.public()]).unwrap()
        };
        // Both for the day only the lost key opens, which would otherwise be taken back.
        let by_sam = forge(&d.kb, 3, "yes to everything");
        vouched.insert(crate::rekey::digest(&by_sam));
        for (n, bytes) in [(3, by_sam), (3, forge(&d.ka, 3, "found the old key"))] {
            handed.push(HandedAnswer {
                date: day(n),
                copy: hex(&bytes),
            });
        }
        let root = d.alex.root().to_path_buf();
        let old = d.ka.public();
        // Sam's device reads Alex's shared answer against the lost key, where it vouched.
        let sam = device(&root, (B, &d.kb), (A, new.public()), &old, &vouched);
        let seen = texts(&sam, A);
        assert_eq!(seen[0], (day(2), "the hills".to_owned()));
        assert_eq!(
            seen.len(),
            2,
            "the answer Sam was not shown still waits: {seen:?}"
        );
        // The answer file alone vouched for, not the copy inside: it does not check out.
        let unvouched = device(&root, (B, &d.kb), (A, new.public()), &old, &outer);
        assert_eq!(texts(&unvouched, A), [(day(3), SEALED.to_owned())]);
        // Alex's new device takes the hand-over: the shown answer is Alex's again, the other is
        // gone, nothing forged is taken.
        let alex = device(&root, (A, &new), (B, d.kb.public()), &old, &vouched);
        let line = |store: &Store, d: u32| {
            let f = store.read::<AnswerFile>(&answer_path(&a, 2026)).unwrap();
            f.unwrap().sealed.into_iter().find(|s| s.date == day(d))
        };
        let locked = line(&sam, 3).unwrap();
        crate::rekey::sign_again(&alex, &alex.sealing().unwrap(), A).unwrap();
        assert_eq!(
            take(&alex, &a, &handed).unwrap(),
            Taken { back: 1, kept: 1 }
        );
        assert_eq!(texts(&alex, A), [(day(2), "the hills".to_owned())]);
        assert_eq!(
            take(&alex, &a, &handed).unwrap(),
            Taken { back: 0, kept: 1 },
            "taken once; the locked one is still kept"
        );
        // The day only the lost key opens is kept, the very same line.
        assert_eq!(line(&alex, 3), Some(locked.clone()));
        // The lost key turns up: on Alex's device it opens what stayed sealed to it.
        let stranger = Keys::generate();
        assert_eq!(bring_back(&alex, &a, &stranger).unwrap(), 0);
        assert_eq!(line(&alex, 3), Some(locked));
        assert_eq!(bring_back(&alex, &a, &d.ka).unwrap(), 1);
        assert_eq!(
            texts(&alex, A),
            [
                (day(2), "the hills".to_owned()),
                (day(3), "only mine".to_owned())
            ]
        );
        assert_eq!(bring_back(&alex, &a, &d.ka).unwrap(), 0, "once");
        // Sam's device reads it with the new key alone now, and still sees only that Alex took
        // a turn on the day Sam has not answered.
        let sam = device(&root, (B, &d.kb), (A, new.public()), &old, &BTreeSet::new());
        assert_eq!(
            texts(&sam, A),
            [
                (day(2), "the hills".to_owned()),
                (day(3), SEALED.to_owned())
            ]
        );
        assert_eq!(texts(&sam, B)[0], (day(2), "the sea".to_owned()));
    }

    #[test]
    fn a_new_turn_on_a_day_locked_to_the_lost_key_keeps_it_as_an_earlier_version() {
        let d = devices();
        let a = Id::parse(A).unwrap();
        d.alex.ensure_dir(&format!("answers/{A}")).unwrap();
        save_answer(&d.alex, &a, answer(3, "only mine")).unwrap();
        let new = Keys::generate();
        let before = d.sam.sealing().unwrap();
        let vouched = crate::rekey::reencrypt_shared(
            &d.sam,
            &before,
            (B, &d.kb),
            A,
            &new.public(),
            &BTreeSet::new(),
        )
        .unwrap();
        let root = d.alex.root().to_path_buf();
        let old = d.ka.public();
        let alex = device(&root, (A, &new), (B, d.kb.public()), &old, &vouched);
        crate::rekey::sign_again(&alex, &alex.sealing().unwrap(), A).unwrap();
        assert_eq!(take(&alex, &a, &[]).unwrap(), Taken { back: 0, kept: 1 });
        // Alex answers that day again with the new key: the locked copy stays beside it.
        save_answer(&alex, &a, answer(3, "a second try")).unwrap();
        assert_eq!(texts(&alex, A), [(day(3), "a second try".to_owned())]);
        let f = alex
            .read::<AnswerFile>(&answer_path(&a, 2026))
            .unwrap()
            .unwrap();
        assert_eq!(f.sealed.len(), 1, "one line for the day");
        assert_eq!(f.sealed[0].retired.len(), 1);
        // The lost key found again: the first answer comes back as the earlier version.
        assert_eq!(bring_back(&alex, &a, &d.ka).unwrap(), 1);
        let f = alex
            .read::<AnswerFile>(&answer_path(&a, 2026))
            .unwrap()
            .unwrap();
        assert!(f.sealed[0].retired.is_empty());
        let all = crate::answer_book::opened(&alex, A, f);
        assert_eq!(all.len(), 1);
        assert_eq!(all[0].text, "a second try");
        let earlier: Vec<&str> = all[0].earlier.iter().map(|e| e.text.as_str()).collect();
        assert_eq!(earlier, ["only mine"]);
    }
}
