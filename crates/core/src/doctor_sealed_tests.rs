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
