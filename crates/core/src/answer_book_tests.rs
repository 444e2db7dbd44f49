//! Tests of the answer book: what each device may read of the other's answers, when they are
//! shared, and what the padding costs once a day is shared.

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
                let Some(raw) = unhexed(word) else { continue };
                if let Some(inner) = open(&raw) {
                    out.extend_from_slice(&inner);
                }
            }
        }
    }
    out
}

/// The bytes of a hex string, if it is one.
fn unhexed(word: &str) -> Option<Vec<u8>> {
    (0..word.len() / 2)
        .map(|i| u8::from_str_radix(word.get(2 * i..2 * i + 2)?, 16).ok())
        .collect()
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

/// Writes `author`'s file of `year` with `answers` shared as earlier versions sealed them, and
/// returns its size: each day a copy of the whole answer sealed to its author and one without
/// the earlier versions sealed to both, each padded to at least `pad_to` bytes (0: to the next
/// KiB, as before answers were padded; 4 KiB: as the first padded version did).
fn shared_before(
    store: &Store,
    (author, other): (&Keys, &Keys),
    id: &Id,
    year: i32,
    answers: &[Answer],
    pad_to: usize,
) -> u64 {
    let mut f = AnswerFile::new(id);
    for a in answers {
        let seal = |a: &Answer, readers: &[&PublicKeys]| {
            let body = serde_json::to_vec(a).unwrap();
            let place = format!("answers/{id}/{}", a.date);
            let sealed = crate::crypto::seal::seal_sized(author, id, &place, &body, readers, |n| {
                n.max(pad_to)
            });
            crate::crypto::hex(&sealed.unwrap())
        };
        let mut shown = a.clone();
        shown.earlier.clear();
        f.sealed.push(SealedAnswer {
            date: a.date,
            own: seal(a, &[&author.public()]),
            both: Some(seal(&shown, &[&author.public(), &other.public()])),
            pad: " ".repeat(pad_to.min(64)),
            retired: Vec::new(),
        });
    }
    store.write(&answer_path(id, year), &f).unwrap();
    std::fs::metadata(store.path(&answer_path(id, year)).with_extension("age"))
        .unwrap()
        .len()
}

#[test]
fn shared_days_take_about_what_they_took_before_answers_were_padded() {
    // The month of the corrected day below: every shared day is sealed alike, so a whole year
    // would change the ratio by nothing but time (a year measured 1.11x).
    const DAYS: u64 = 31;
    let (t, alex, sam, ka, kb) = devices();
    let (a, b) = (Id::parse(A).unwrap(), Id::parse(B).unwrap());
    alex.ensure_dir(&format!("answers/{A}")).unwrap();
    sam.ensure_dir(&format!("answers/{B}")).unwrap();
    let days: Vec<Answer> = (0..DAYS)
        .map(|i| {
            let date = day(1) + chrono::Days::new(i);
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
    let reference = shared_before(&sam, (&kb, &ka), &b, 2025, &sams, 0);
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

#[test]
fn days_shared_in_the_first_padded_form_are_sealed_compactly_when_their_year_changes() {
    let (t, alex, sam, ka, kb) = devices();
    let (a, b) = (Id::parse(A).unwrap(), Id::parse(B).unwrap());
    alex.ensure_dir(&format!("answers/{A}")).unwrap();
    sam.ensure_dir(&format!("answers/{B}")).unwrap();
    let days: Vec<Answer> = (1..=5).map(|d| answer(d, "A slow morning.")).collect();
    update(&alex, &a, 2026, |v| {
        v.extend(days.iter().cloned());
        Ok(())
    })
    .unwrap();
    // Sam's five days, one of them corrected, shared by the first padded version: both copies
    // of every day padded to 4 KiB.
    let mut sams = days.clone();
    let at = sams[1].at;
    sams[1].earlier.push(crate::prompts::Earlier {
        prompt: "p1".into(),
        text: "The sea, next spring.".into(),
        at,
    });
    sams[1].text = "The sea, in May.".into();
    let before = shared_before(&sam, (&kb, &ka), &b, 2026, &sams, answer_seal::FIRST_SIZE);
    let padded = |s: &SealedAnswer| {
        [Some(&s.own), s.both.as_ref()].map(|c| {
            let raw = unhexed(c.unwrap()).unwrap();
            crate::crypto::seal::sealed_len(&raw).unwrap()
        })
    };
    let sams_days = || -> Vec<SealedAnswer> {
        let f: AnswerFile = sam.read(&answer_path(&b, 2026)).unwrap().unwrap();
        f.sealed.into_iter().filter(|s| s.date <= day(5)).collect()
    };
    assert!(sams_days().iter().all(|s| padded(s) == [4096, 4096]));
    // Sam answers another day: the year's file changes, and the five shared days are sealed
    // again as this version shares a day, each copy to the usual 1 KiB step.
    save_answer(&sam, &b, answer(20, "The hills.")).unwrap();
    let now = sams_days();
    assert_eq!(now.len(), 5);
    for s in &now {
        assert_eq!(padded(s), [1024, 1024], "{}", s.date);
        assert!(s.pad.is_empty());
        let own = answer_seal::open_own(&kb, B, s, |p| sam.sealing().unwrap().public(p)).unwrap();
        assert!(own.current && own.floor == 0, "{}", s.date);
    }
    let file = t.path().join(format!("data/answers/{B}/2026.age"));
    let after = std::fs::metadata(&file).unwrap().len();
    assert!(after * 2 < before, "{after} bytes after, {before} before");
    // Nothing lost: Sam reads the correction with its earlier version; Alex reads the answers,
    // never the earlier version, and not the new day before their turn.
    let sams_of = |all: Vec<(String, Answer)>| -> Vec<Answer> {
        all.into_iter()
            .filter(|(w, _)| w == B)
            .map(|(_, x)| x)
            .collect()
    };
    let mine = sams_of(all_answers(&sam, None, None).unwrap());
    assert_eq!(mine.len(), 6);
    assert_eq!(mine[1].text, "The sea, in May.");
    assert_eq!(mine[1].earlier[0].text, "The sea, next spring.");
    let theirs = sams_of(all_answers(&alex, None, None).unwrap());
    assert_eq!(
        theirs.iter().map(|x| x.text.as_str()).collect::<Vec<_>>()[..5],
        [
            "A slow morning.",
            "The sea, in May.",
            "A slow morning.",
            "A slow morning.",
            "A slow morning."
        ]
    );
    assert!(
        theirs[..5]
            .iter()
            .all(|x| x.earlier.is_empty() && !x.sealed)
    );
    assert!(theirs[5].sealed);
    assert!(!has(
        &everything_opened(t.path().join("data").as_path(), &ka),
        "next spring"
    ));
}
