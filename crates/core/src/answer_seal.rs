//! Answers sealed until both answered: what a partner wrote (or that they passed) travels sealed
//! to its author alone until the other partner has taken their turn on the same day, answered or
//! passed; then the author's device adds a copy sealed to both (without earlier versions), and
//! the author's own copy keeps only the earlier versions, which stay the author's. That a partner
//! took their turn on a day shows to the other; whether they answered or passed, when, and what
//! they wrote, do not.
//!
//! Each sealed copy is signed by its author over its place (`answers/AUTHOR/DATE`), so it cannot
//! be moved to another day or partner.
//!
//! Sizes tell nothing of a day's turn up to a point, while it is not shared: each copy is padded
//! to [`FIRST_SIZE`] bytes, or to the next of four times as much (16 KiB, 64 KiB, …) when the
//! whole answer with its earlier versions does not fit; a day's copy never gets smaller than the
//! day's copy before (a correction, a pass after all, or taking the answer back keep its size).
//! An answer taken back leaves a sealed copy that says so ([`taken_back`]), the size of the one
//! it replaces, so the day's line in the file stays as it was; each line is evened out with
//! spaces for the random length of age's headers. So the other partner, and anyone holding the
//! folder, sees that a turn was taken on a day, and whether the answer, with its earlier
//! versions, is longer than about 4 KiB, never whether it was an answer, a pass, corrected or
//! taken back. Once shared, the other partner reads the answer itself: both copies are then
//! padded only to the folder's usual 1 KiB steps, so a shared day takes about what it did before
//! answers were padded, and the own copy's size tells only whether the earlier versions are
//! longer than about 900 bytes.

use crate::crypto::{CryptoError, Keys, PublicKeys, hex, seal, unhex};
use crate::prompts::Answer;
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use std::collections::BTreeSet;

/// The size every day's sealed copy is padded to, when the answer fits.
pub const FIRST_SIZE: usize = 4096;
/// The longest an age header of a sealed answer can be: the version line, two X25519 stanzas
/// of 98 bytes, age's random "grease" stanza (at most 190 bytes) and the MAC line, rounded up.
const MAX_AGE_HEADER: usize = 512;
/// The mark, in an answer's fields, of an answer its author took back.
const TAKEN_BACK: &str = "taken_back";
/// The mark, in an answer's fields, of an author's own copy that keeps only the earlier versions
/// of an answer shared with both.
const EARLIER_ONLY: &str = "earlier_only";

/// One day's turn of one partner, as it sits in their answer file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SealedAnswer {
    /// The day whose prompt this is the turn for: visible to both.
    pub date: NaiveDate,
    /// The whole answer, earlier versions included, sealed to its author (hex of an age file).
    pub own: String,
    /// The answer as the other partner may read it, sealed to both, once they took their turn.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub both: Option<String>,
    /// Spaces that make up for the random length of the copies' age headers, so that the line
    /// is as long for every day whose copies have the same sizes.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub pad: String,
    /// The day's own copies sealed to a key of its author's that was lost and replaced, kept as
    /// they were, replaced here by a later turn on the day: they open again only with that key
    /// ([`crate::answer_rekey::bring_back`]).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub retired: Vec<String>,
}

pub(crate) fn place(author: &str, date: NaiveDate) -> String {
    format!("answers/{author}/{date}")
}

/// The padded size of a copy whose plaintext is `n` bytes, and never less than `floor`.
fn size(n: usize, floor: usize) -> usize {
    let mut size = FIRST_SIZE;
    while size < n.max(floor) {
        size *= 4;
    }
    size
}

fn seal_to(
    keys: &Keys,
    author: &str,
    answer: &Answer,
    readers: &[&PublicKeys],
    size: impl Fn(usize) -> usize,
) -> Result<String, CryptoError> {
    let body = serde_json::to_vec(answer).map_err(|e| CryptoError::Malformed(e.to_string()))?;
    Ok(hex(&seal::seal_sized(
        keys,
        author,
        &place(author, answer.date),
        &body,
        readers,
        size,
    )?))
}

/// What the author's own copy keeps of `answer` once it is shared: its earlier versions alone,
/// marked so, for the copy sealed to both holds the rest.
fn earlier_only(answer: &Answer) -> Answer {
    let mut a = Answer::new(answer.date, "", "", String::new(), answer.at);
    a.earlier = answer.earlier.clone();
    a.extra.insert(EARLIER_ONLY.into(), true.into());
    a
}

/// What stands for `date`'s answer once its author took it back: a pass marked as taken back,
/// which closer leaves out wherever answers are read.
pub fn taken_back(date: NaiveDate) -> Answer {
    let mut a = Answer::new(
        date,
        "",
        "",
        String::new(),
        date.and_time(chrono::NaiveTime::MIN).and_utc(),
    );
    a.passed = true;
    a.extra.insert(TAKEN_BACK.into(), true.into());
    a
}

/// Whether `answer` stands for one its author took back.
pub fn is_taken_back(answer: &Answer) -> bool {
    answer.extra.get(TAKEN_BACK) == Some(&serde_json::Value::Bool(true))
}

/// Seals `answer` (or a pass) by `author` to its author alone, padded to at least `floor`
/// bytes (the size of the day's copy before, from [`open_own`]; 0 for a new day).
pub fn seal_answer(
    keys: &Keys,
    author: &str,
    answer: &Answer,
    floor: usize,
) -> Result<SealedAnswer, CryptoError> {
    let mut s = SealedAnswer {
        date: answer.date,
        own: seal_to(keys, author, answer, &[&keys.public()], |n| size(n, floor))?,
        both: None,
        pad: String::new(),
        retired: Vec::new(),
    };
    even_out(&mut s)?;
    Ok(s)
}

/// Sets the line's spaces: for each copy, twice (hex) what its age header is shorter than the
/// longest one can be.
pub(crate) fn even_out(s: &mut SealedAnswer) -> Result<(), CryptoError> {
    let mut n = 0;
    for copy in std::iter::once(&s.own).chain(&s.both).chain(&s.retired) {
        let bytes = unhex_all(copy)?;
        let header = seal::header_len(&bytes).unwrap_or(MAX_AGE_HEADER);
        n += 2 * MAX_AGE_HEADER.saturating_sub(header);
    }
    s.pad = " ".repeat(n);
    Ok(())
}

pub(crate) fn unhex_all(text: &str) -> Result<Vec<u8>, CryptoError> {
    if !text.len().is_multiple_of(2) || !text.is_ascii() {
        return Err(CryptoError::Malformed("not hex".into()));
    }
    (0..text.len() / 2)
        .map(|i| unhex::<1>(&text[2 * i..2 * i + 2]).map(|b| b[0]))
        .collect::<Option<Vec<u8>>>()
        .ok_or_else(|| CryptoError::Malformed("not hex".into()))
}

pub(crate) fn open_hex(
    reader: &Keys,
    text: &str,
    author: &str,
    date: NaiveDate,
    keys_of: impl Fn(&str) -> Option<PublicKeys>,
) -> Result<Answer, CryptoError> {
    let bytes = unhex_all(text)?;
    let opened = seal::open(reader, &bytes, &place(author, date), keys_of)?;
    if opened.signer != author {
        return Err(CryptoError::BadSignature(author.to_owned()));
    }
    let answer: Answer =
        serde_json::from_slice(&opened.body).map_err(|e| CryptoError::Malformed(e.to_string()))?;
    if answer.date != date {
        return Err(CryptoError::Malformed(
            "an answer filed under another day".into(),
        ));
    }
    Ok(answer)
}

/// The answer as `reader` may read it: the author gets their own whole answer; the other partner
/// gets the copy sealed to both, or [`CryptoError::NotForYou`] while there is none.
pub fn open_answer(
    reader: &Keys,
    reader_id: &str,
    author: &str,
    sealed: &SealedAnswer,
    keys_of: impl Fn(&str) -> Option<PublicKeys> + Copy,
) -> Result<Answer, CryptoError> {
    if reader_id == author {
        return open_own(reader, author, sealed, keys_of).map(|own| own.answer);
    }
    match &sealed.both {
        Some(both) => open_hex(reader, both, author, sealed.date, keys_of),
        None => Err(CryptoError::NotForYou),
    }
}

/// The author's own whole answer of a day, as their device opens it.
#[derive(Debug)]
pub struct Own {
    pub answer: Answer,
    /// The size its copy was padded to while it is not shared (the least the day's next copy
    /// may be); 0 once it is.
    pub floor: usize,
    /// Whether the day's copies are as this version seals them (not those of an earlier
    /// version, whose shared day kept a padded whole copy beside the one for both).
    pub current: bool,
}

/// On the author's device: the author's own whole answer of `sealed`. Once shared, it is the
/// copy sealed to both with the earlier versions the author's own copy keeps.
pub fn open_own(
    keys: &Keys,
    author: &str,
    sealed: &SealedAnswer,
    keys_of: impl Fn(&str) -> Option<PublicKeys> + Copy,
) -> Result<Own, CryptoError> {
    let own = open_hex(keys, &sealed.own, author, sealed.date, keys_of)?;
    if own.extra.get(EARLIER_ONLY) != Some(&serde_json::Value::Bool(true)) {
        let floor = seal::sealed_len(&unhex_all(&sealed.own)?).unwrap_or(0);
        return Ok(Own {
            answer: own,
            floor,
            current: sealed.both.is_none(),
        });
    }
    let both = sealed.both.as_ref().ok_or_else(|| {
        CryptoError::Malformed("a shared answer without its copy for both".into())
    })?;
    let mut answer = open_hex(keys, both, author, sealed.date, keys_of)?;
    answer.earlier = own.earlier;
    Ok(Own {
        answer,
        floor: 0,
        current: true,
    })
}

/// On the author's device: shares every answer of the author's whose day the other partner has
/// taken their turn on (`their_days`). The copy sealed to both holds the answer without its
/// earlier versions, padded only to the folder's usual steps (the other partner reads it now);
/// the author's own copy keeps only the earlier versions, to those steps too. Returns how many
/// it revealed.
pub fn reveal_due(
    keys: &Keys,
    author: &str,
    other: &PublicKeys,
    own: &mut [SealedAnswer],
    their_days: &BTreeSet<NaiveDate>,
    keys_of: impl Fn(&str) -> Option<PublicKeys> + Copy,
) -> Result<usize, CryptoError> {
    let mut n = 0;
    for s in own
        .iter_mut()
        .filter(|s| s.both.is_none() && their_days.contains(&s.date))
    {
        let whole = open_own(keys, author, s, keys_of)?.answer;
        let mut shown = whole.clone();
        shown.earlier.clear();
        s.both = Some(seal_to(
            keys,
            author,
            &shown,
            &[&keys.public(), other],
            |n| n,
        )?);
        s.own = seal_to(
            keys,
            author,
            &earlier_only(&whole),
            &[&keys.public()],
            |n| n,
        )?;
        // Nothing left to even out: the other partner reads the day's answer now.
        s.pad.clear();
        n += 1;
    }
    Ok(n)
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::DateTime;

    const ALEX: &str = "a1ex0001";
    const SAM: &str = "5amm0002";

    fn day() -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 3, 2).unwrap()
    }

    struct Two {
        alex: Keys,
        sam: Keys,
    }

    impl Two {
        fn keys_of(&self) -> impl Fn(&str) -> Option<PublicKeys> + Copy + '_ {
            move |id| match id {
                ALEX => Some(self.alex.public()),
                SAM => Some(self.sam.public()),
                _ => None,
            }
        }
    }

    fn answer(text: &str, passed: bool) -> Answer {
        let at = DateTime::from_timestamp(1_772_445_600, 0).unwrap();
        let mut a = Answer::new(day(), "p1", "What are you hoping for?", text.into(), at);
        a.passed = passed;
        a
    }

    /// The size of what age encrypted, without its header (whose "grease" stanza varies).
    fn payload_size(hex_text: &str) -> usize {
        let sealed: Vec<u8> = (0..hex_text.len() / 2)
            .map(|i| u8::from_str_radix(&hex_text[2 * i..2 * i + 2], 16).unwrap())
            .collect();
        let mac = sealed.windows(5).position(|w| w == b"\n--- ").unwrap();
        sealed.len() - (mac + 1 + sealed[mac + 1..].iter().position(|b| *b == b'\n').unwrap())
    }

    #[test]
    fn an_answer_is_sealed_to_its_author_until_the_other_took_their_turn_then_to_both() {
        let t = Two {
            alex: Keys::generate(),
            sam: Keys::generate(),
        };
        let mut a = answer("the sea, next spring", false);
        a.earlier.push(crate::prompts::Earlier {
            prompt: "p1".into(),
            text: "first thoughts".into(),
            at: a.at,
        });
        let mut own = vec![seal_answer(&t.alex, ALEX, &a, 0).unwrap()];
        // Sam, with every file and their own key, cannot read it.
        assert_eq!(
            open_answer(&t.sam, SAM, ALEX, &own[0], t.keys_of()).unwrap_err(),
            CryptoError::NotForYou
        );
        let text = &own[0].own;
        let bytes: Vec<u8> = (0..text.len() / 2)
            .map(|i| u8::from_str_radix(&text[2 * i..2 * i + 2], 16).unwrap())
            .collect();
        assert!(!bytes.windows(7).any(|w| w == b"the sea"));
        assert_eq!(
            open_answer(&t.alex, ALEX, ALEX, &own[0], t.keys_of()).unwrap(),
            a
        );
        // Sam has not taken a turn that day: nothing is revealed.
        let other_day: BTreeSet<_> = [day().succ_opt().unwrap()].into();
        assert_eq!(
            reveal_due(
                &t.alex,
                ALEX,
                &t.sam.public(),
                &mut own,
                &other_day,
                t.keys_of()
            )
            .unwrap(),
            0
        );
        assert!(own[0].both.is_none());
        // Sam answered (or passed) that day: Alex's device reveals it on its next run.
        let sams_days: BTreeSet<_> = [day()].into();
        assert_eq!(
            reveal_due(
                &t.alex,
                ALEX,
                &t.sam.public(),
                &mut own,
                &sams_days,
                t.keys_of()
            )
            .unwrap(),
            1
        );
        let read = open_answer(&t.sam, SAM, ALEX, &own[0], t.keys_of()).unwrap();
        assert_eq!(read.text, "the sea, next spring");
        assert!(
            read.earlier.is_empty(),
            "earlier versions stay the author's"
        );
        // Once is enough.
        assert_eq!(
            reveal_due(
                &t.alex,
                ALEX,
                &t.sam.public(),
                &mut own,
                &sams_days,
                t.keys_of()
            )
            .unwrap(),
            0
        );
    }

    #[test]
    fn the_other_partner_cannot_tell_an_answer_from_a_pass_before_their_turn() {
        let t = Two {
            alex: Keys::generate(),
            sam: Keys::generate(),
        };
        let answered =
            seal_answer(&t.alex, ALEX, &answer("the sea, next spring", false), 0).unwrap();
        let passed = seal_answer(&t.alex, ALEX, &answer("", true), 0).unwrap();
        // What Sam sees of each: the day, a sealed copy of the same size, and nothing to open.
        assert_eq!(answered.date, passed.date);
        assert_eq!(answered.both, passed.both);
        assert_eq!(payload_size(&answered.own), payload_size(&passed.own));
        for s in [&answered, &passed] {
            assert_eq!(
                open_answer(&t.sam, SAM, ALEX, s, t.keys_of()).unwrap_err(),
                CryptoError::NotForYou
            );
        }
    }

    #[test]
    fn a_forged_or_moved_answer_is_refused() {
        let t = Two {
            alex: Keys::generate(),
            sam: Keys::generate(),
        };
        // Sam writes an "answer" into Alex's file, sealed to both, claiming to be Alex.
        let forged = SealedAnswer {
            date: day(),
            own: String::new(),
            both: Some(
                seal_to(
                    &t.sam,
                    ALEX,
                    &answer("yes to everything", false),
                    &[&t.alex.public(), &t.sam.public()],
                    |n| n,
                )
                .unwrap(),
            ),
            pad: String::new(),
            retired: Vec::new(),
        };
        assert!(matches!(
            open_answer(&t.sam, SAM, ALEX, &forged, t.keys_of()),
            Err(CryptoError::BadSignature(_))
        ));
        // Alex's real answer filed under another day.
        let mut moved = seal_answer(&t.alex, ALEX, &answer("x", false), 0).unwrap();
        moved.date = day().succ_opt().unwrap();
        assert!(matches!(
            open_answer(&t.alex, ALEX, ALEX, &moved, t.keys_of()),
            Err(CryptoError::WrongPlace { .. })
        ));
    }
}
