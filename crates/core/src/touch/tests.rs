//! The joint plan, derived from both partners' private facts: a step joins it only when both said
//! yes, it moves at the pace of the slower partner, either can step back or pause, holds keep
//! stages closed, and one partner's answer never shows.

use super::*;
use crate::profile::Partner;

fn day(d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 3, d).unwrap()
}

/// Noon on `day(d)`, plus `minute` minutes.
fn at(d: u32, minute: i64) -> DateTime<Utc> {
    day(d).and_hms_opt(12, 0, 0).unwrap().and_utc() + chrono::Duration::minutes(minute)
}

fn couple(sexual: bool) -> Couple {
    let p = |n: &str| Partner {
        extra: Default::default(),
        version: 1,
        id: format!("id{n}").parse().unwrap(),
        name: n.into(),
        conditions: vec![],
        removed_conditions: vec![],
        sexual,
        added: day(1),
    };
    Couple {
        seed: 1,
        partners: vec![p("alex"), p("sam")],
        ..Default::default()
    }
}

/// The first step of each of the first four stages: the ladder these tests climb.
fn ladder(lib: &Library) -> [&'static str; 4] {
    let first = |stage: u8| lib.steps.iter().find(|s| s.stage == stage).unwrap().id;
    [first(0), first(1), first(2), first(3)]
}

struct Couple2 {
    lib: Library,
    couple: Couple,
    states: Vec<State>,
    holds: Vec<Hold>,
}

impl Couple2 {
    fn new() -> Couple2 {
        let couple = couple(false);
        let states = couple.partners.iter().map(|p| State::new(&p.id)).collect();
        Couple2 {
            lib: Library::builtin(),
            couple,
            states,
            holds: Vec::new(),
        }
    }

    fn answer(&mut self, who: usize, step: &str, a: Answer) {
        self.states[who].boundaries.insert(step.to_owned(), a);
    }

    fn both(&mut self, steps: &[&str]) {
        for s in steps {
            self.answer(0, s, Answer::Yes);
            self.answer(1, s, Answer::Yes);
        }
    }

    fn event(&mut self, who: usize, d: u32, minute: i64, kind: EventKind) {
        self.states[who].events.push(Event {
            extra: Default::default(),
            date: day(d),
            at: at(d, minute),
            kind,
        });
    }

    fn ready(&mut self, who: usize, d: u32, minute: i64, step: &str) {
        let step = step.to_owned();
        self.event(who, d, minute, EventKind::Ready { step });
    }

    fn hold(&mut self, from_stage: u8, set: u32, until: u32) {
        self.holds.push(Hold {
            extra: Default::default(),
            version: 1,
            id: format!("hold{}", self.holds.len()).parse().unwrap(),
            from_stage,
            until: day(until),
            reason: "clearance".into(),
            created: day(set),
            at: Some(at(set, 0)),
            released: None,
            by: Some("idalex".into()),
            released_by: None,
            released_at: None,
        });
    }

    fn plan(&self, today: u32) -> Plan<'_> {
        derive(
            &self.lib,
            &self.couple,
            &self.states,
            &self.holds,
            day(today),
        )
    }

    fn current(&self, today: u32) -> Option<&'static str> {
        self.plan(today).current.map(|s| s.id)
    }

    fn joint(&self, step: &str) -> Joint {
        let plan = self.plan(1);
        plan.steps.iter().find(|(s, _)| s.id == step).unwrap().1
    }
}

#[test]
fn a_step_is_in_the_plan_only_when_both_said_yes_and_a_no_looks_like_silence() {
    let mut c = Couple2::new();
    let [a, ..] = ladder(&c.lib);
    assert_eq!(c.joint(a), Joint::NotInPlan, "nobody answered");
    c.answer(0, a, Answer::Yes);
    assert_eq!(c.joint(a), Joint::NotInPlan, "one yes and one silence");
    c.answer(1, a, Answer::Maybe);
    assert_eq!(c.joint(a), Joint::TalkFirst);
    c.answer(1, a, Answer::Yes);
    assert_eq!(c.joint(a), Joint::InPlan);
    assert_eq!(c.current(1), Some(a));
    // A "no" and an unanswered step give the same joint result and the same plan.
    let shown = |c: &Couple2| -> Vec<(&'static str, Joint)> {
        let plan = c.plan(1);
        assert!(plan.current.is_none());
        plan.steps.iter().map(|(s, j)| (s.id, *j)).collect()
    };
    c.answer(1, a, Answer::No);
    let with_no = shown(&c);
    c.states[1].boundaries.remove(a);
    assert_eq!(with_no, shown(&c));
    assert_eq!(c.joint(a), Joint::NotInPlan);
}

#[test]
fn the_plan_moves_on_only_when_both_are_ready_and_skips_steps_not_in_it() {
    let mut c = Couple2::new();
    let [a, b, s2, s3] = ladder(&c.lib);
    c.both(&[a, s2, s3]);
    c.answer(0, b, Answer::Yes); // not in the plan: Sam did not answer
    assert_eq!(c.current(2), Some(a));
    c.ready(0, 2, 0, a);
    assert_eq!(c.current(2), Some(a), "one partner ready is not enough");
    let plan = c.plan(2);
    assert!(plan.is_ready(0) && !plan.is_ready(1));
    c.ready(1, 2, 5, a);
    assert_eq!(
        c.current(2),
        Some(s2),
        "both ready: on to the next step in the plan"
    );
    let plan = c.plan(2);
    assert!(
        !plan.is_ready(0) && !plan.is_ready(1),
        "readiness starts again"
    );
    // Readiness for a step that is not the current one counts for nothing.
    c.ready(0, 3, 0, a);
    c.ready(1, 3, 1, a);
    assert_eq!(c.current(3), Some(s2));
    // Unready takes it back before the other partner is ready.
    c.ready(0, 3, 2, s2);
    c.event(0, 3, 3, EventKind::Unready);
    c.ready(1, 3, 4, s2);
    assert_eq!(c.current(3), Some(s2));
}

#[test]
fn either_partner_steps_back_or_pauses_for_both() {
    let mut c = Couple2::new();
    let [a, _, s2, _] = ladder(&c.lib);
    c.both(&[a, s2]);
    c.ready(0, 2, 0, a);
    c.ready(1, 2, 1, a);
    assert_eq!(c.current(2), Some(s2));
    c.ready(0, 2, 2, s2);
    c.ready(1, 2, 3, s2);
    assert!(c.plan(2).finished, "past the last step in the plan");
    c.event(1, 3, 0, EventKind::Back);
    let plan = c.plan(3);
    assert!(!plan.finished);
    assert_eq!(plan.current.map(|s| s.id), Some(s2));
    c.event(1, 3, 1, EventKind::Back);
    assert_eq!(c.current(3), Some(a));
    c.event(0, 3, 2, EventKind::Back);
    assert_eq!(c.current(3), Some(a), "never below the first step");

    assert!(!c.plan(3).paused);
    c.event(1, 3, 3, EventKind::Pause);
    assert!(c.plan(3).paused);
    c.event(0, 3, 4, EventKind::Resume);
    assert!(
        c.plan(3).paused,
        "only the partner who paused resumes their pause"
    );
    c.event(1, 3, 5, EventKind::Resume);
    assert!(!c.plan(3).paused);
}

#[test]
fn a_hold_keeps_its_stages_closed_and_readiness_waits_for_it() {
    let mut c = Couple2::new();
    let [a, b, s2, _] = ladder(&c.lib);
    c.both(&[a, b, s2]);
    c.hold(1, 1, 10);
    c.ready(0, 2, 0, a);
    c.ready(1, 2, 1, a);
    let plan = c.plan(2);
    assert_eq!(plan.current.map(|s| s.id), Some(a), "stage 1 is held");
    assert!(plan.waiting_for_hold);
    assert_eq!(plan.holds.len(), 1);
    // The day the hold lifts, the readiness given while it held counts.
    let plan = c.plan(10);
    assert_eq!(plan.current.map(|s| s.id), Some(b));
    assert!(plan.holds.is_empty());
}

#[test]
fn a_hold_set_after_the_couple_moved_on_takes_them_back_below_it() {
    let mut c = Couple2::new();
    let [a, b, s2, _] = ladder(&c.lib);
    c.both(&[a, b, s2]);
    for (i, step) in [a, b].into_iter().enumerate() {
        c.ready(0, 2, 2 * i as i64, step);
        c.ready(1, 2, 2 * i as i64 + 1, step);
    }
    assert_eq!(c.current(2), Some(s2));
    c.hold(2, 3, 20);
    assert_eq!(c.current(3), Some(b));
    c.hold(0, 4, 20);
    assert_eq!(c.current(4), None, "everything is held");
    assert_eq!(c.current(20), Some(s2), "both holds lifted");
}

#[test]
fn sexual_steps_are_seen_only_when_both_opted_in() {
    let lib = Library::builtin();
    let sexual = |c: &Couple| {
        visible_steps(&lib, c)
            .iter()
            .filter(|s| lib.step_is_sexual(s))
            .count()
    };
    assert!(lib.steps.iter().any(|s| lib.step_is_sexual(s)));
    assert_eq!(sexual(&couple(false)), 0);
    let mut one = couple(true);
    one.partners[1].sexual = false;
    assert_eq!(sexual(&one), 0);
    assert!(sexual(&couple(true)) > 0);
}

/// A couple of one (a set-up cut short, a partner removed) is never joint consent: one partner's
/// yes, ready or opt-in counts for nothing until there are two of them.
#[test]
fn a_couple_of_one_is_never_joint_consent() {
    let mut c = Couple2::new();
    let [a, b, ..] = ladder(&c.lib);
    c.both(&[a, b]);
    c.couple.partners.truncate(1);
    c.couple.partners[0].sexual = true;
    c.states.truncate(1);
    assert!(!c.couple.sexual_ok(), "one opt-in is not both");
    assert_eq!(c.joint(a), Joint::NotInPlan, "one yes is not both");
    let plan = c.plan(1);
    assert!(plan.in_plan.is_empty(), "{:?}", plan.in_plan);
    assert!(plan.current.is_none());
    // Even with the plan forced open, one partner's ready does not move it.
    c.ready(0, 2, 0, a);
    assert!(c.plan(2).current.is_none_or(|s| s.id != b));
    assert!(!c.plan(2).finished);
}
