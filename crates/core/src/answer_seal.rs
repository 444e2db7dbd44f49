//! Answers sealed until both answered: what a partner wrote (or that they passed) travels sealed
//! to its author alone until the other partner has taken their turn on the same day, answered or
//! passed; then the author's device adds a copy sealed to both (without earlier versions, which
//! stay the author's). That a partner took their turn on a day shows to the other; whether they
//! answered or passed, when, and what they wrote, do not.
//!
//! Each sealed copy is signed by its author over its place (`answers/AUTHOR/DATE`), so it cannot
//! be moved to another day or partner, and is padded like every sealed record: an answer and a
//! pass, a short answer and an empty one, seal to the same size.

use crate::crypto::{CryptoError, Keys, PublicKeys, hex, seal, unhex};
use crate::prompts::Answer;
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use std::collections::BTreeSet;

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
}

fn place(author: &str, date: NaiveDate) -> String {
    format!("answers/{author}/{date}")
}

fn seal_to(
    keys: &Keys,
    author: &str,
    answer: &Answer,
    readers: &[&PublicKeys],
) -> Result<String, CryptoError> {
    let body = serde_json::to_vec(answer).map_err(|e| CryptoError::Malformed(e.to_string()))?;
    Ok(hex(&seal::seal(
        keys,
        author,
        &place(author, answer.date),
        &body,
        readers,
    )?))
}

/// Seals `answer` (or a pass) by `author` to its author alone.
pub fn seal_answer(
    keys: &Keys,
    author: &str,
    answer: &Answer,
) -> Result<SealedAnswer, CryptoError> {
    Ok(SealedAnswer {
        date: answer.date,
        own: seal_to(keys, author, answer, &[&keys.public()])?,
        both: None,
    })
}

fn open_hex(
    reader: &Keys,
    text: &str,
    author: &str,
    date: NaiveDate,
    keys_of: impl Fn(&str) -> Option<PublicKeys>,
) -> Result<Answer, CryptoError> {
    if !text.len().is_multiple_of(2) || !text.is_ascii() {
        return Err(CryptoError::Malformed("not hex".into()));
    }
    let bytes = (0..text.len() / 2)
        .map(|i| unhex::<1>(&text[2 * i..2 * i + 2]).map(|b| b[0]))
        .collect::<Option<Vec<u8>>>()
        .ok_or_else(|| CryptoError::Malformed("not hex".into()))?;
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
    keys_of: impl Fn(&str) -> Option<PublicKeys>,
) -> Result<Answer, CryptoError> {
    if reader_id == author {
        return open_hex(reader, &sealed.own, author, sealed.date, keys_of);
    }
    match &sealed.both {
        Some(both) => open_hex(reader, both, author, sealed.date, keys_of),
        None => Err(CryptoError::NotForYou),
    }
}

/// On the author's device: adds the copy sealed to both to every answer of the author's whose
/// day the other partner has taken their turn on (`their_days`), without its earlier versions.
/// Returns how many it revealed.
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
        let mut answer = open_hex(keys, &s.own, author, s.date, keys_of)?;
        answer.earlier.clear();
        s.both = Some(seal_to(keys, author, &answer, &[&keys.public(), other])?);
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
        let mut own = vec![seal_answer(&t.alex, ALEX, &a).unwrap()];
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
        let answered = seal_answer(&t.alex, ALEX, &answer("the sea, next spring", false)).unwrap();
        let passed = seal_answer(&t.alex, ALEX, &answer("", true)).unwrap();
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
                )
                .unwrap(),
            ),
        };
        assert!(matches!(
            open_answer(&t.sam, SAM, ALEX, &forged, t.keys_of()),
            Err(CryptoError::BadSignature(_))
        ));
        // Alex's real answer filed under another day.
        let mut moved = seal_answer(&t.alex, ALEX, &answer("x", false)).unwrap();
        moved.date = day().succ_opt().unwrap();
        assert!(matches!(
            open_answer(&t.alex, ALEX, ALEX, &moved, t.keys_of()),
            Err(CryptoError::WrongPlace { .. })
        ));
    }
}
