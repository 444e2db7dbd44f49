//! `doctor` in an encrypted folder: conflict copies of sealed records merged on a device that
//! can open them and may write them; the rest left for the other partner's device.

use super::*;
use crate::sealing::tests::{A, B, devices};
use crate::touch::{Event, EventKind};
use chrono::{NaiveDate, TimeZone, Utc};

const COPY: &str = ".sync-conflict-20260302-101500-BBBBBBB";

fn day(d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 3, d).unwrap()
}

fn ready(step: &str) -> Event {
    Event {
        date: day(2),
        at: Utc.with_ymd_and_hms(2026, 3, 2, 12, 0, 0).unwrap(),
        kind: EventKind::Ready { step: step.into() },
        extra: Default::default(),
    }
}

/// Beside the sealed record `rel` as it is now, a conflict copy holding what it was before.
fn copy_aside(store: &Store, rel: &str, before: &[u8]) {
    let path = store.path(rel);
    let name = path.file_stem().unwrap().to_str().unwrap().to_owned();
    fs::write(path.with_file_name(format!("{name}{COPY}.age")), before).unwrap();
}

#[test]
fn sealed_conflict_copies_are_merged_where_they_can_be_opened_and_signed() {
    let (_t, alex, sam, _, _) = devices();
    let (a, b): (Id, Id) = (A.parse().unwrap(), B.parse().unwrap());
    let at = Utc.with_ymd_and_hms(2026, 3, 1, 12, 0, 0).unwrap();

    // A shared record: the copy holds the release, the file does not.
    let mut hold = crate::holds::new(&a, 2, day(30), "surgery", &[1, 2, 3], day(1), at).unwrap();
    crate::holds::add(&alex, &hold).unwrap();
    let hold_rel = format!("{}/{}.json", touch::HOLDS, hold.id);
    let unreleased = fs::read(alex.path(&hold_rel)).unwrap();
    crate::holds::release(&mut hold, A, day(3), at);
    alex.update::<Hold, _>(&hold_rel, |_| Ok(hold.clone()))
        .unwrap();
    let released = fs::read(alex.path(&hold_rel)).unwrap();
    fs::write(alex.path(&hold_rel), &unreleased).unwrap();
    copy_aside(&alex, &hold_rel, &released);

    // Sam's own state, changed on two of Sam's devices.
    touch::update_state(&sam, &b, |st| {
        st.events.push(ready("step-one"));
        Ok(())
    })
    .unwrap();
    let state_rel = touch::state_path(&b);
    let first = fs::read(sam.path(&state_rel)).unwrap();
    touch::update_state(&sam, &b, |st| {
        st.events = vec![ready("step-two")];
        Ok(())
    })
    .unwrap();
    copy_aside(&sam, &state_rel, &first);

    // Alex's device: the hold is merged; Sam's state is left, said why.
    let r = run(&alex, SystemTime::now()).unwrap();
    assert_eq!(
        r.merged,
        [hold_rel.replace(".json", ".age")],
        "{:?}",
        r.left
    );
    assert!(
        alex.read::<Hold>(&hold_rel)
            .unwrap()
            .unwrap()
            .released
            .is_some()
    );
    assert_eq!(r.left.len(), 1, "{:?}", r.left);
    assert!(
        r.left[0].0.starts_with(&format!("touch/{B}/state")),
        "{:?}",
        r.left
    );
    assert!(r.left[0].1.contains("their device"), "{:?}", r.left);

    // Sam's device merges it, signed by Sam: nothing lost, and Alex's device reads it.
    let r = run(&sam, SystemTime::now()).unwrap();
    assert!(r.left.is_empty(), "{:?}", r.left);
    assert_eq!(r.merged.len(), 1, "{:?}", r.merged);
    let st = touch::load_state(&sam, &b).unwrap();
    assert_eq!(st.events.len(), 2, "{:?}", st.events);
    assert!(sam.take_left_out().is_empty());
    assert!(conflict_copies(&sam).is_empty());
}

/// Every record file under `root` with its bytes (lock files left out).
fn files_in(root: &Path) -> std::collections::BTreeMap<PathBuf, Vec<u8>> {
    let mut out = std::collections::BTreeMap::new();
    let mut dirs = vec![root.to_owned()];
    while let Some(dir) = dirs.pop() {
        for e in fs::read_dir(&dir).unwrap().flatten() {
            if e.file_type().unwrap().is_dir() {
                dirs.push(e.path());
            } else if !e.file_name().to_string_lossy().ends_with("lock") {
                out.insert(e.path(), fs::read(e.path()).unwrap());
            }
        }
    }
    out
}

fn mark(m: touch::Mark) -> touch::BodyMark {
    touch::BodyMark {
        mark: m,
        note: None,
        extra: Default::default(),
    }
}

fn debrief(d: u32, noticed: &str) -> touch::Debrief {
    touch::Debrief {
        session: "sess00000001".parse().unwrap(),
        step: "s0-sit-close".into(),
        date: day(d),
        at: Utc.with_ymd_and_hms(2026, 3, d, 20, 0, 0).unwrap(),
        noticed: Some(noticed.into()),
        too_much: None,
        private: true,
        extra: Default::default(),
    }
}

/// Sam's own records, each changed twice with a conflict copy holding the first version: the
/// body map, the opt-in and the private debriefs.
fn sams_own_copies(sam: &Store, b: &Id) -> [String; 3] {
    let body_rel = body_map::path(b);
    touch::update_state(sam, b, |st| {
        st.body
            .insert("shoulders".into(), mark(touch::Mark::OffLimits));
        Ok(())
    })
    .unwrap();
    body_map::publish(sam, &touch::load_state(sam, b).unwrap()).unwrap();
    let first = fs::read(sam.path(&body_rel)).unwrap();
    touch::update_state(sam, b, |st| {
        st.body.insert("knees".into(), mark(touch::Mark::AskFirst));
        Ok(())
    })
    .unwrap();
    body_map::publish(sam, &touch::load_state(sam, b).unwrap()).unwrap();
    copy_aside(sam, &body_rel, &first);

    let optin_rel = crate::own_facts::optin_path(b);
    sam.ensure_dir(crate::own_facts::OPTIN).unwrap();
    let optin = |sexual| crate::own_facts::OptIns {
        version: 1,
        partner: b.clone(),
        sexual,
        extra: Default::default(),
    };
    sam.write(&optin_rel, &optin(true)).unwrap();
    let first = fs::read(sam.path(&optin_rel)).unwrap();
    sam.write(&optin_rel, &optin(false)).unwrap();
    copy_aside(sam, &optin_rel, &first);

    let debriefs_rel = crate::own_facts::private_debriefs_path(b);
    let sessions = |d: Vec<touch::Debrief>| Sessions {
        version: 1,
        partner: b.clone(),
        sessions: vec![],
        debriefs: d,
        extra: Default::default(),
        unusable: Default::default(),
    };
    crate::own_facts::write_sessions(sam, &sessions(vec![debrief(3, "warm hands")])).unwrap();
    let first = fs::read(sam.path(&debriefs_rel)).unwrap();
    crate::own_facts::write_sessions(sam, &sessions(vec![debrief(4, "slow breaths")])).unwrap();
    copy_aside(sam, &debriefs_rel, &first);
    [body_rel, optin_rel, debriefs_rel].map(|r| r.replace(".json", ""))
}

#[test]
fn copies_of_a_partners_body_map_opt_in_and_private_debriefs_wait_for_their_device() {
    let (_t, alex, sam, _, _) = devices();
    let b: Id = B.parse().unwrap();
    let mut places = sams_own_copies(&sam, &b);
    places.sort();
    let before = files_in(alex.root());

    // Alex's device may open the body map but not sign it, and opens neither of the others:
    // each is left as it is, named, for Sam's device.
    let r = run(&alex, SystemTime::now()).unwrap();
    assert!(r.merged.is_empty(), "{:?}", r.merged);
    let mut left: Vec<&str> = r.left.iter().map(|(f, _)| f.as_str()).collect();
    left.sort_unstable();
    for (f, place) in left.iter().zip(&places) {
        assert!(f.starts_with(&format!("{place}{COPY}")), "{f} for {place}");
    }
    assert_eq!(left.len(), 3, "{:?}", r.left);
    for (f, why) in &r.left {
        assert!(why.contains("their device"), "{f}: {why}");
    }
    assert_eq!(files_in(alex.root()), before, "nothing touched");

    // Sam's device merges all three: nothing of either version is lost.
    let r = run(&sam, SystemTime::now()).unwrap();
    assert!(r.left.is_empty(), "{:?}", r.left);
    assert_eq!(r.merged.len(), 3, "{:?}", r.merged);
    assert!(conflict_copies(&sam).is_empty());
    let body = body_map::load(&alex, &b).unwrap();
    assert_eq!(
        body.keys().collect::<Vec<_>>(),
        ["knees", "shoulders"],
        "{body:?}"
    );
    let optin: crate::own_facts::OptIns = sam
        .read(&crate::own_facts::optin_path(&b))
        .unwrap()
        .unwrap();
    assert!(!optin.sexual, "where the two differ, not opted in");
    let noticed: Vec<String> = crate::own_facts::load_sessions(&sam, &b)
        .unwrap()
        .unwrap()
        .debriefs
        .into_iter()
        .filter_map(|d| d.noticed)
        .collect();
    assert_eq!(noticed, ["warm hands", "slow breaths"]);
    assert!(sam.take_left_out().is_empty());
    assert!(alex.take_left_out().is_empty());
}

#[test]
fn a_body_map_the_other_partner_wrote_is_reported_and_ignored_even_as_a_conflict_copy() {
    let (_t, alex, sam, ka, kb) = devices();
    let b: Id = B.parse().unwrap();
    touch::update_state(&sam, &b, |st| {
        st.body
            .insert("shoulders".into(), mark(touch::Mark::OffLimits));
        Ok(())
    })
    .unwrap();
    body_map::publish(&sam, &touch::load_state(&sam, &b).unwrap()).unwrap();
    let rel = body_map::path(&b);
    let file = sam.path(&rel);
    let real = fs::read(&file).unwrap();
    // Alex's device cannot write it, so it is forged by hand with Alex's key: shoulders welcome.
    let mut lie = body_map::Shared::of(&touch::load_state(&sam, &b).unwrap());
    lie.body
        .insert("shoulders".into(), mark(touch::Mark::Welcome));
    let body = lie.encode().unwrap();
    let readers = [&ka.public(), &kb.public()];
    let place = format!("touch/{B}/body");
    for forged in [
        crate::crypto::seal::seal(&ka, A, &place, &body, &readers).unwrap(),
        crate::crypto::seal::seal(&ka, B, &place, &body, &readers).unwrap(),
    ] {
        fs::write(&file, &forged).unwrap();
        for device in [&alex, &sam] {
            let shown = body_map::load(device, &b).unwrap();
            assert_ne!(
                shown.get("shoulders").map(|m| m.mark),
                Some(touch::Mark::Welcome),
                "the forged body map is never shown"
            );
            let said = device.take_left_out();
            assert!(said.iter().any(|m| m.contains("body.age")), "{said:?}");
        }
        // As a conflict copy beside the real one: left and named, the real one unchanged.
        fs::write(&file, &real).unwrap();
        copy_aside(&sam, &rel, &forged);
        for device in [&sam, &alex] {
            let r = run(device, SystemTime::now()).unwrap();
            assert!(r.merged.is_empty(), "{:?}", r.merged);
            assert_eq!(r.left.len(), 1, "{:?}", r.left);
            assert!(r.left[0].0.contains(COPY), "{:?}", r.left);
        }
        assert_eq!(fs::read(&file).unwrap(), real);
        assert_eq!(
            body_map::load(&alex, &b).unwrap()["shoulders"].mark,
            touch::Mark::OffLimits
        );
        for (copy, _) in conflict_copies(&sam) {
            fs::remove_file(sam.path(&copy)).unwrap();
        }
    }
}

/// An answer corrected, and one taken back, before the other partner answered, with an earlier
/// version of the answer file beside it as a conflict copy (two devices of one partner, or an old
/// copy put back there): after doctor, one answer a day, and the other partner is never shown
/// what was corrected or taken back once they answer.
#[test]
fn an_answer_corrected_or_taken_back_is_not_revealed_again_by_a_merge() {
    use crate::prompts::{Answer, all_answers, answer_path, save_answer};
    let (_t, alex, sam, _, _) = devices();
    let (a, b): (Id, Id) = (A.parse().unwrap(), B.parse().unwrap());
    let answer = |d: u32, text: &str, hour: u32| {
        let at = Utc.with_ymd_and_hms(2026, 3, d, hour, 0, 0).unwrap();
        Answer::new(day(d), "p1", "What?", text.into(), at)
    };
    alex.ensure_dir(&format!("answers/{A}")).unwrap();
    sam.ensure_dir(&format!("answers/{B}")).unwrap();
    save_answer(&sam, &b, answer(2, "words I regret", 9)).unwrap();
    save_answer(&sam, &b, answer(3, "words I take back", 9)).unwrap();
    let rel = answer_path(&b, 2026);
    let before = fs::read(sam.path(&rel)).unwrap();
    save_answer(&sam, &b, answer(2, "better words", 10)).unwrap();
    crate::answer_rules::delete(&sam, &b, day(3)).unwrap();
    copy_aside(&sam, &rel, &before);

    let r = run(&sam, SystemTime::now()).unwrap();
    assert_eq!(r.merged.len(), 1, "{:?}", r.left);
    let own: Vec<Answer> = all_answers(&sam, None, None)
        .unwrap()
        .into_iter()
        .filter(|(w, _)| w == B)
        .map(|(_, x)| x)
        .collect();
    assert_eq!(own.len(), 1, "one answer a day: {own:?}");
    assert_eq!(own[0].text, "better words");
    assert!(
        own[0].earlier.iter().any(|e| e.text == "words I regret"),
        "the earlier text stays, for its author: {:?}",
        own[0].earlier
    );

    // Alex answers both days; Sam's device shares what is due.
    save_answer(&alex, &a, answer(2, "the hills", 11)).unwrap();
    save_answer(&alex, &a, answer(3, "the sea", 11)).unwrap();
    crate::answer_book::tend(&sam).unwrap();
    let shown: Vec<String> =
        crate::answer_rules::for_viewer(all_answers(&alex, None, None).unwrap(), Some(A))
            .into_iter()
            .filter(|(w, _)| w == B)
            .map(|(_, x)| x.text)
            .collect();
    assert_eq!(shown, ["better words"]);
}

/// A partner's round publication written by two of their devices before they synced: doctor
/// keeps the one in place and removes the copy, instead of asking someone to compare two sealed
/// files by hand.
#[test]
fn a_conflict_copy_of_a_round_publication_is_removed_and_the_one_in_place_kept() {
    let (_t, alex, _, _, _) = devices();
    alex.ensure_dir("psi/plan").unwrap();
    let file = alex.root().join(format!("psi/plan/{B}.age"));
    let copy = alex.root().join(format!("psi/plan/{B}{COPY}.age"));
    fs::write(&file, b"the publication in place").unwrap();
    fs::write(&copy, b"the other device's publication").unwrap();
    let r = run(&alex, SystemTime::now()).unwrap();
    assert!(r.left.is_empty(), "{:?}", r.left);
    assert_eq!(r.merged, [format!("psi/plan/{B}.age")]);
    assert!(!copy.exists());
    assert_eq!(fs::read(&file).unwrap(), b"the publication in place");
}
