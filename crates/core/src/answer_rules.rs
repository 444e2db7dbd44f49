//! Nobody goes first: a partner reads the other's answer to a day's prompt only once they have
//! answered it or passed on it themselves; until then they learn only that the other answered.
//! An answer is its author's: only they correct it (earlier versions are kept, for them alone),
//! pass, or delete it.

use crate::error::{Error, Result};
use crate::ids::Id;
use crate::prompts::Answer;
use crate::store::Store;
use chrono::{DateTime, Datelike, NaiveDate, Utc};
use std::collections::BTreeSet;

/// What a sealed answer says instead of its text.
pub const SEALED: &str = "(answered; you will read it once you have answered or passed)";

/// What an answer says that is still sealed to its author alone on a day the viewer took their
/// turn: only the author's device shares it.
pub const NOT_SHARED_YET: &str =
    "(answered; it opens for you once their device next runs the prompt of the day)";

/// Records that `partner` passes on the prompt of `date` (`prompt`), so they may read the other
/// answers of that day. An answer already given stays as it is.
pub fn pass(
    store: &Store,
    partner: &Id,
    date: NaiveDate,
    prompt: &str,
    prompt_text: &str,
    at: DateTime<Utc>,
) -> Result<()> {
    crate::answer_book::update(store, partner, date.year(), |answers| {
        if let Some(a) = answers.iter().find(|a| a.date == date) {
            return Err(Error::invalid(if a.passed {
                format!("you have already passed on the prompt of {date}")
            } else {
                format!(
                    "you have already answered the prompt of {date}; delete your answer first if you would rather pass"
                )
            }));
        }
        let mut a = Answer::new(date, prompt, prompt_text, String::new(), at);
        a.passed = true;
        answers.push(a);
        answers.sort_by_key(|a| a.date);
        Ok(())
    })?;
    Ok(())
}

/// Deletes `partner`'s own answer (or pass) for `date`, with its earlier versions.
pub fn delete(store: &Store, partner: &Id, date: NaiveDate) -> Result<()> {
    crate::answer_book::update(store, partner, date.year(), |answers| {
        if !answers.iter().any(|a| a.date == date) {
            return Err(Error::NotFound(format!(
                "you have no answer for {date}; nothing was deleted"
            )));
        }
        answers.retain(|a| a.date != date);
        Ok(())
    })?;
    Ok(())
}

/// The answers (as (partner ID, answer)) as `viewer` may see them. Their own, whole, with earlier
/// versions. Another partner's, on a day the viewer answered or passed: as given, without earlier
/// versions (one this device cannot open yet says so, [`NOT_SHARED_YET`]). On any other day: an
/// answer is sealed (its text replaced by [`SEALED`]), and a pass is left out, so that it looks
/// the same as no answer. With no viewer, everything is sealed.
pub fn for_viewer(all: Vec<(String, Answer)>, viewer: Option<&str>) -> Vec<(String, Answer)> {
    let took_turn: BTreeSet<NaiveDate> = all
        .iter()
        .filter(|(who, _)| Some(who.as_str()) == viewer)
        .map(|(_, a)| a.date)
        .collect();
    all.into_iter()
        .filter_map(|(who, mut a)| {
            if Some(who.as_str()) == viewer {
                return Some((who, a));
            }
            a.earlier.clear();
            if took_turn.contains(&a.date) {
                if a.sealed {
                    a.text = NOT_SHARED_YET.to_owned();
                }
                return Some((who, a));
            }
            if a.passed {
                return None;
            }
            a.text = SEALED.to_owned();
            a.sealed = true;
            // Not even when it was written: the start of its day stands in.
            a.at = a.date.and_time(chrono::NaiveTime::MIN).and_utc();
            Some((who, a))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::prompts::{all_answers, save_answer};

    fn day(d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 3, d).unwrap()
    }

    fn at(h: i64) -> DateTime<Utc> {
        DateTime::from_timestamp(1_772_409_600 + h * 3600, 0).unwrap()
    }

    fn id(s: &str) -> Id {
        s.parse().unwrap()
    }

    fn store() -> (tempfile::TempDir, Store) {
        let t = tempfile::tempdir().unwrap();
        let s = Store::new(t.path().join("data"));
        (t, s)
    }

    #[test]
    fn nobody_reads_the_other_answer_before_taking_their_turn() {
        let (_t, s) = store();
        save_answer(
            &s,
            &id("5amm"),
            Answer::new(day(2), "p1", "What?", "the sea".into(), at(1)),
        )
        .unwrap();
        let seen = for_viewer(all_answers(&s, None, None).unwrap(), Some("a1ex"));
        assert_eq!(seen.len(), 1);
        assert!(seen[0].1.sealed);
        assert_eq!(seen[0].1.text, SEALED);
        assert_eq!(seen[0].1.prompt, "p1", "filed under its prompt");
        // Nobody at the keyboard: sealed too.
        assert!(
            for_viewer(all_answers(&s, None, None).unwrap(), None)[0]
                .1
                .sealed
        );
        // Alex answers (another prompt, after --skip): now Sam's answer reads as given.
        save_answer(
            &s,
            &id("a1ex"),
            Answer::new(day(2), "p9", "Other?", "the hills".into(), at(2)),
        )
        .unwrap();
        let seen = for_viewer(all_answers(&s, None, None).unwrap(), Some("a1ex"));
        let sams = seen.iter().find(|(w, _)| w == "5amm").unwrap();
        assert_eq!(sams.1.text, "the sea");
        assert!(!sams.1.sealed);
        let alexs = seen.iter().find(|(w, _)| w == "a1ex").unwrap();
        assert_eq!(alexs.1.prompt, "p9");
    }

    #[test]
    fn a_pass_opens_the_day_and_looks_like_no_answer_to_the_other() {
        let (_t, s) = store();
        pass(&s, &id("5amm"), day(2), "p1", "What?", at(1)).unwrap();
        assert!(for_viewer(all_answers(&s, None, None).unwrap(), Some("a1ex")).is_empty());
        save_answer(
            &s,
            &id("a1ex"),
            Answer::new(day(2), "p1", "What?", "x".into(), at(2)),
        )
        .unwrap();
        let seen = for_viewer(all_answers(&s, None, None).unwrap(), Some("5amm"));
        assert_eq!(seen.iter().filter(|(_, a)| a.text == "x").count(), 1);
        assert!(pass(&s, &id("a1ex"), day(2), "p1", "What?", at(3)).is_err());
        assert!(!crate::prompts::answered_on(&s, &id("5amm"), day(2)).unwrap());
    }

    #[test]
    fn a_correction_keeps_the_earlier_text_for_its_author_alone_and_the_author_deletes() {
        let (_t, s) = store();
        save_answer(
            &s,
            &id("a1ex"),
            Answer::new(day(2), "p1", "What?", "first".into(), at(1)),
        )
        .unwrap();
        assert!(
            save_answer(
                &s,
                &id("a1ex"),
                Answer::new(day(2), "p1", "What?", "second".into(), at(2))
            )
            .unwrap()
        );
        save_answer(
            &s,
            &id("5amm"),
            Answer::new(day(2), "p1", "What?", "sams".into(), at(3)),
        )
        .unwrap();
        let mine = for_viewer(all_answers(&s, None, None).unwrap(), Some("a1ex"));
        let a = &mine.iter().find(|(w, _)| w == "a1ex").unwrap().1;
        assert_eq!(a.text, "second");
        assert_eq!(a.earlier.len(), 1);
        assert_eq!(a.earlier[0].text, "first");
        let theirs = for_viewer(all_answers(&s, None, None).unwrap(), Some("5amm"));
        let a = &theirs.iter().find(|(w, _)| w == "a1ex").unwrap().1;
        assert_eq!(a.text, "second");
        assert!(a.earlier.is_empty());
        delete(&s, &id("a1ex"), day(2)).unwrap();
        assert!(delete(&s, &id("a1ex"), day(2)).is_err());
        let left = all_answers(&s, None, None).unwrap();
        assert_eq!(left.len(), 1);
        assert_eq!(left[0].0, "5amm");
    }

    #[test]
    fn an_answer_not_shared_yet_on_a_day_the_viewer_took_their_turn_does_not_ask_for_it() {
        // On a device holding only its own key, the other's answer of a day the viewer passed on
        // may still be sealed to its author alone: it cannot be read yet, and asking the viewer
        // to answer or pass (again) would be wrong in every export.
        let mut sealed = Answer::new(day(2), "", "", SEALED.into(), at(1));
        sealed.sealed = true;
        let mut passed = Answer::new(day(2), "p1", "What?", String::new(), at(2));
        passed.passed = true;
        let seen = for_viewer(
            vec![("5amm".into(), sealed), ("a1ex".into(), passed)],
            Some("a1ex"),
        );
        let theirs = &seen.iter().find(|(w, _)| w == "5amm").unwrap().1;
        assert!(theirs.sealed);
        assert_eq!(theirs.text, NOT_SHARED_YET);
    }

    #[test]
    fn an_old_answer_without_a_prompt_id_still_reads() {
        let a: Answer =
            serde_json::from_str(r#"{"date":"2026-03-02","text":"x","at":"2026-03-02T08:00:00Z"}"#)
                .unwrap();
        assert_eq!(a.prompt, "");
        assert!(!a.passed && a.earlier.is_empty());
    }
}
