//! Changes of the joint result: recorded from the joint result alone, naming nobody, and told
//! to both partners when something that was on is off again.

use super::*;
use crate::profile;
use crate::touch::{Answer, update_state};

fn day(d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 3, d).unwrap()
}

fn at(d: u32, minute: i64) -> DateTime<Utc> {
    day(d).and_hms_opt(12, 0, 0).unwrap().and_utc() + chrono::Duration::minutes(minute)
}

struct Two {
    _tmp: tempfile::TempDir,
    store: Store,
    lib: Library,
    ids: [Id; 2],
}

fn two() -> Two {
    let tmp = tempfile::tempdir().unwrap();
    let store = Store::new(tmp.path());
    let a = profile::add(&store, "Alex", Vec::new(), day(1)).unwrap().id;
    let b = profile::add(&store, "Sam", Vec::new(), day(1)).unwrap().id;
    Two {
        _tmp: tmp,
        store,
        lib: Library::builtin(),
        ids: [a, b],
    }
}

impl Two {
    /// Runs `f` as a command would: the joint result before and after, any change recorded.
    fn act(&self, d: u32, minute: i64, f: impl FnOnce(&Store, &[Id; 2])) {
        around(&self.store, &self.lib, day(d), at(d, minute), || {
            f(&self.store, &self.ids);
            Ok(())
        })
        .unwrap();
    }

    fn opt(&self, d: u32, minute: i64, who: usize, on: bool) {
        let name = ["Alex", "Sam"][who];
        self.act(d, minute, |s, _| {
            profile::update(s, name, |p| {
                p.sexual = on;
                Ok(())
            })
            .unwrap();
        });
    }

    fn say(&self, d: u32, minute: i64, who: usize, step: &str, a: Answer) {
        self.act(d, minute, |s, ids| {
            update_state(s, &ids[who], |st| {
                st.boundaries.insert(step.to_owned(), a);
                Ok(())
            })
            .unwrap();
        });
    }

    fn traces(&self) -> Vec<Trace> {
        let couple = Couple::load(&self.store).unwrap();
        traces(&self.lib, &couple, &load(&self.store).unwrap())
    }
}

#[test]
fn on_and_off_again_is_told_and_names_nobody() {
    let t = two();
    t.opt(2, 0, 1, true);
    assert!(
        load(&t.store).unwrap().is_empty(),
        "one opt-in changes no joint result"
    );
    t.opt(3, 0, 0, true);
    t.opt(3, 5, 0, false);
    let changes = load(&t.store).unwrap();
    assert_eq!(changes.len(), 2, "{changes:?}");
    for c in &changes {
        let text = serde_json::to_string(c).unwrap();
        for who in ["Alex", "Sam", t.ids[0].as_str(), t.ids[1].as_str()] {
            assert!(!text.contains(who), "{text}");
        }
    }
    let tr = t.traces();
    assert_eq!(tr.len(), 1, "{tr:?}");
    assert_eq!(
        tr[0].text,
        "For a while on 2026-03-03, sexual content was on for both of you; then it was off again."
    );
    assert_eq!((tr[0].from, tr[0].until), (Some(day(3)), day(3)));
}

#[test]
fn only_what_closed_again_is_a_trace() {
    let t = two();
    let step = "s0-hold-hands";
    t.say(2, 0, 0, step, Answer::Yes);
    t.say(2, 1, 1, step, Answer::Maybe);
    t.say(3, 0, 1, step, Answer::Yes);
    assert!(
        t.traces().is_empty(),
        "opening up is seen in the plan itself"
    );
    t.say(9, 0, 0, step, Answer::Maybe);
    let tr = t.traces();
    assert_eq!(tr.len(), 1, "{tr:?}");
    assert_eq!(
        tr[0].text,
        "From 2026-03-03 to 2026-03-09, Hold hands (s0-hold-hands) was in your plan; then it was to talk over first."
    );
}

#[test]
fn steps_the_couple_cannot_see_are_never_named() {
    let t = two();
    t.opt(2, 0, 0, true);
    t.opt(2, 1, 1, true);
    let sexual = t
        .lib
        .steps
        .iter()
        .find(|s| t.lib.step_is_sexual(s))
        .unwrap()
        .id;
    t.say(2, 2, 0, sexual, Answer::Yes);
    t.say(2, 3, 1, sexual, Answer::Yes);
    t.say(2, 4, 1, sexual, Answer::No);
    assert_eq!(t.traces().len(), 1);
    t.opt(2, 5, 1, false);
    let tr = t.traces();
    assert_eq!(tr.len(), 1, "{tr:?}");
    assert_eq!(tr[0].what, "sexual");
    assert!(!tr[0].text.contains(sexual));
}

#[test]
fn changes_that_make_no_sense_are_left_out() {
    let t = two();
    let c = |what: &str, step: Option<&str>, from: &str, to: &str| Change {
        version: FORMAT_VERSION,
        id: new_id(),
        date: day(2),
        at: at(2, 0),
        what: what.into(),
        step: step.map(Into::into),
        from: from.into(),
        to: to.into(),
        round: None,
        extra: Extra::new(),
    };
    let couple = Couple::load(&t.store).unwrap();
    let odd = [
        c("sexual", None, "on", "sideways"),
        c("step", None, "in-plan", "not-in-plan"),
        c("step", Some("s9-nothing"), "in-plan", "not-in-plan"),
        c("plan", None, "s0-sit-close", "\u{1b}[31m"),
        c("mood", None, "on", "off"),
    ];
    assert!(traces(&t.lib, &couple, &odd).is_empty());
}

#[test]
fn one_closing_recorded_by_both_devices_is_told_once_and_two_closings_twice() {
    let t = two();
    let step = || What::Step("s0-hold-hands".into());
    let closing = |round: &str| {
        (
            step(),
            "in-plan".into(),
            "not-in-plan".into(),
            Some(round.into()),
        )
    };
    // Each device records the closing it saw before the other's record reached it.
    record_keyed(&t.store, &[closing("r1")], day(2), at(2, 0)).unwrap();
    let other = t.store.path(DIR).with_file_name("other");
    let o = Store::new(&other);
    record_keyed(&o, &[closing("r1")], day(3), at(3, 0)).unwrap();
    for e in std::fs::read_dir(other.join(DIR)).unwrap().flatten() {
        std::fs::copy(e.path(), t.store.path(DIR).join(e.file_name())).unwrap();
    }
    assert_eq!(load(&t.store).unwrap().len(), 2);
    assert_eq!(t.traces().len(), 1, "{:?}", t.traces());
    // A device that sees the record already there writes none.
    record_keyed(&t.store, &[closing("r1")], day(4), at(4, 0)).unwrap();
    assert_eq!(load(&t.store).unwrap().len(), 2);
    // Another round's closing is another change.
    record_keyed(&t.store, &[closing("r2")], day(5), at(5, 0)).unwrap();
    assert_eq!(t.traces().len(), 2, "{:?}", t.traces());
}
