//! Practice sessions follow the joint plan: a session is logged only for a step both partners
//! said yes to, that no hold covers, while the plan is not paused. Also when to point a partner
//! to help, and which debriefs a partner may see.

use crate::content::{Library, Step};
use crate::error::{Error, Next, Result};
use crate::touch::{Answer, Debrief, EventKind, Hold, Plan, State};
use chrono::NaiveDate;
use std::collections::{BTreeMap, BTreeSet};

/// How many times one partner may call the same step too much before the tool mentions, once,
/// where to find help.
pub const TOO_MUCH_BEFORE_HELP: usize = 3;

/// Why a session on `step` cannot be logged today, if it cannot.
pub fn may_log(plan: &Plan, step: &Step) -> Result<()> {
    if plan.paused {
        return Err(Error::refused(
            "the plan is paused, so no session is logged",
            Next::Resume,
        ));
    }
    if !plan.in_plan.iter().any(|s| s.id == step.id) {
        return Err(Error::refused(
            format!(
                "{} ({}) is not in your joint plan: a step joins it only when both of you said yes",
                step.title, step.id
            ),
            Next::ShowPlan,
        ));
    }
    if let Some(h) = plan
        .holds
        .iter()
        .filter(|h| step.stage >= h.from_stage)
        .max_by_key(|h| h.until)
    {
        return Err(Error::invalid(format!(
            "{} ({}) is on hold: nothing from stage {} until {} ({}). Log a step below stage {}, or wait for the hold to lift",
            step.title, step.id, h.from_stage, h.until, h.reason, h.from_stage
        )));
    }
    Ok(())
}

/// Whether a partner who has just written `debriefs` should be told, once, where to find help
/// with `step`: after [`TOO_MUCH_BEFORE_HELP`] debriefs calling it too much.
pub fn help_due(debriefs: &[Debrief], step: &str) -> bool {
    debriefs
        .iter()
        .filter(|d| d.step == step && d.too_much.is_some())
        .count()
        >= TOO_MUCH_BEFORE_HELP
}

/// Whether to tell a partner now where to find help with `step`: help is due ([`help_due`])
/// and they were not told for that step before (`shown`, kept in their own touch facts).
pub fn help_now(debriefs: &[Debrief], step: &str, shown: &BTreeSet<String>) -> bool {
    help_due(debriefs, step) && !shown.contains(step)
}

/// Whether going through the steps one by one ends with where to find help: when the partner
/// stopped part-way, or said no to every step they answered.
pub fn help_after_walk(stopped: bool, boundaries: &BTreeMap<String, Answer>) -> bool {
    stopped || (!boundaries.is_empty() && boundaries.values().all(|a| *a == Answer::No))
}

/// Whether a partner's last word on readiness, in their own facts, was that they are ready.
/// Read from their facts alone: whether the plan moved on (which depends on the other partner)
/// plays no part.
pub fn said_ready(mine: &State) -> bool {
    mine.events
        .iter()
        .rev()
        .find(|e| matches!(e.kind, EventKind::Ready { .. } | EventKind::Unready))
        .is_some_and(|e| matches!(e.kind, EventKind::Ready { .. }))
}

/// Whether the partner has a pause of their own in place: their last pause is not followed by
/// their own resume. Only a partner's own pause is theirs to lift; the other's stays the other's.
pub fn own_pause(mine: &State) -> bool {
    mine.events
        .iter()
        .rev()
        .find(|e| matches!(e.kind, EventKind::Pause | EventKind::Resume))
        .is_some_and(|e| matches!(e.kind, EventKind::Pause))
}

/// The hold that keeps the step after the current one closed on `today`, if one does (the one
/// that lifts last). Known from the plan and the holds alone, nothing of anyone's readiness.
pub fn held_next<'h>(plan: &Plan, holds: &'h [Hold], today: NaiveDate) -> Option<&'h Hold> {
    let cur = plan.current?;
    let i = plan.in_plan.iter().position(|s| s.id == cur.id)?;
    let next = plan.in_plan.get(i + 1)?;
    holds
        .iter()
        .filter(|h| h.active_on(today) && next.stage >= h.from_stage)
        .max_by_key(|h| h.until)
}

/// Whether `viewer` may see a debrief written by `author`: shared ones, and private ones of their own.
pub fn debrief_visible(d: &Debrief, author: &str, viewer: Option<&str>) -> bool {
    !d.private || viewer == Some(author)
}

/// Whether a session or debrief on step `id` may be shown: the steps the couple may see, and
/// steps no longer in the library (a couple's own content that was removed).
pub fn step_shown(lib: &Library, visible: &[&str], id: &str) -> bool {
    lib.step(id).is_none() || visible.contains(&id)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::profile::{Couple, Partner};
    use crate::touch::{Event, derive};
    use chrono::{DateTime, Utc};

    const STEPS: [&str; 3] = ["s0-breathe-together", "s0-sit-close", "s1-short-hug"];

    fn day(d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 3, d).unwrap()
    }

    fn at(d: u32, h: i64) -> DateTime<Utc> {
        day(d).and_hms_opt(0, 0, 0).unwrap().and_utc() + chrono::Duration::hours(h)
    }

    fn couple() -> Couple {
        let p = |n: &str| Partner {
            extra: Default::default(),
            version: 1,
            id: format!("id{n}").parse().unwrap(),
            name: n.into(),
            conditions: vec![],
            removed_conditions: Vec::new(),
            sexual: false,
            added: day(1),
        };
        Couple {
            seed: 1,
            partners: vec![p("alex"), p("sam")],
            ..Default::default()
        }
    }

    fn states() -> Vec<State> {
        ["alex", "sam"]
            .iter()
            .map(|p| State {
                boundaries: STEPS.iter().map(|s| (s.to_string(), Answer::Yes)).collect(),
                ..State::new(&format!("id{p}").parse().unwrap())
            })
            .collect()
    }

    fn ev(st: &mut State, d: u32, h: i64, kind: EventKind) {
        st.events.push(Event {
            extra: Default::default(),
            date: day(d),
            at: at(d, h),
            kind,
        });
    }

    fn ready(step: &str) -> EventKind {
        EventKind::Ready { step: step.into() }
    }

    fn hold(from: u8, until: u32) -> Hold {
        let mut h = crate::holds::new(
            "sam",
            from,
            day(until),
            "surgeon",
            &[0, 1, 2],
            day(1),
            at(1, 1),
        )
        .unwrap();
        h.at = Some(at(1, 1));
        h
    }

    #[test]
    fn a_session_is_logged_only_in_the_plan_outside_holds_and_pauses() {
        let lib = Library::builtin();
        let c = couple();
        let mut s = states();
        s[1].boundaries.insert("s0-hold-hands".into(), Answer::No);
        let plan = derive(&lib, &c, &s, &[], day(2));
        may_log(&plan, lib.step(STEPS[0]).unwrap()).unwrap();
        let e = may_log(&plan, lib.step("s0-hold-hands").unwrap()).unwrap_err();
        assert!(e.to_string().contains("not in your joint plan"), "{e}");
        assert_eq!(e.exit_code(), 1);

        let plan = derive(&lib, &c, &s, &[hold(1, 20)], day(2));
        let e = may_log(&plan, lib.step(STEPS[2]).unwrap()).unwrap_err();
        assert!(e.to_string().contains("until 2026-03-20 (surgeon)"), "{e}");
        may_log(&plan, lib.step(STEPS[1]).unwrap()).unwrap();

        ev(&mut s[0], 2, 1, EventKind::Pause);
        let plan = derive(&lib, &c, &s, &[], day(2));
        assert!(may_log(&plan, lib.step(STEPS[0]).unwrap()).is_err());
    }

    #[test]
    fn readiness_given_under_a_hold_counts_when_it_lifts() {
        let lib = Library::builtin();
        let c = couple();
        let mut s = states();
        for st in &mut s {
            ev(st, 2, 2, ready(STEPS[0]));
            ev(st, 3, 2, ready(STEPS[1]));
        }
        let holds = [hold(1, 10)];
        let plan = derive(&lib, &c, &s, &holds, day(5));
        assert_eq!(plan.current.unwrap().id, STEPS[1]);
        assert!(plan.waiting_for_hold);
        // On the hold's day, the plan moves on by itself.
        let plan = derive(&lib, &c, &s, &holds, day(10));
        assert_eq!(plan.current.unwrap().id, STEPS[2]);
        assert!(!plan.waiting_for_hold);
        // Released early by its setter: it moves on from then.
        let mut h = holds[0].clone();
        crate::holds::release(&mut h, "sam", day(6), at(6, 3));
        let plan = derive(&lib, &c, &s, &[h], day(6));
        assert_eq!(plan.current.unwrap().id, STEPS[2]);
    }

    #[test]
    fn readiness_can_be_withdrawn_and_is_read_only_for_oneself() {
        let lib = Library::builtin();
        let c = couple();
        let mut s = states();
        ev(&mut s[0], 2, 1, ready(STEPS[0]));
        let plan = derive(&lib, &c, &s, &[], day(2));
        assert!(plan.is_ready(0) && !plan.is_ready(1));
        ev(&mut s[0], 2, 2, EventKind::Unready);
        ev(&mut s[1], 2, 3, ready(STEPS[0]));
        let plan = derive(&lib, &c, &s, &[], day(2));
        assert_eq!(plan.current.unwrap().id, STEPS[0], "alex took it back");
        assert!(!plan.is_ready(0) && plan.is_ready(1));
    }

    #[test]
    fn help_is_due_after_three_too_much_on_one_step() {
        let d = |step: &str, too: bool| Debrief {
            extra: Default::default(),
            session: "xxxx".parse().unwrap(),
            step: step.into(),
            date: day(2),
            at: at(2, 1),
            noticed: None,
            too_much: too.then(String::new),
            private: false,
        };
        let mut v = vec![d("a", true), d("a", true), d("b", true), d("a", false)];
        assert!(!help_due(&v, "a"));
        v.push(d("a", true));
        assert!(help_due(&v, "a"));
        assert!(debrief_visible(&v[0], "x", None));
        let mut p = d("a", false);
        p.private = true;
        assert!(!debrief_visible(&p, "alex", Some("sam")));
        assert!(debrief_visible(&p, "alex", Some("alex")));
    }

    #[test]
    fn help_is_offered_once_per_step() {
        let d = |step: &str| Debrief {
            extra: Default::default(),
            session: "xxxx".parse().unwrap(),
            step: step.into(),
            date: day(2),
            at: at(2, 1),
            noticed: None,
            too_much: Some(String::new()),
            private: false,
        };
        let v = vec![d("a"), d("a"), d("a"), d("b")];
        let mut shown = BTreeSet::new();
        assert!(!help_now(&v, "b", &shown));
        assert!(help_now(&v, "a", &shown));
        shown.insert("a".to_owned());
        assert!(!help_now(&v, "a", &shown), "said once for a step");
    }

    #[test]
    fn going_through_the_steps_ends_with_help_after_stopping_or_a_no_to_everything() {
        let answers = |v: &[Answer]| -> BTreeMap<String, Answer> {
            v.iter()
                .enumerate()
                .map(|(i, a)| (format!("s{i}"), *a))
                .collect()
        };
        assert!(help_after_walk(true, &answers(&[Answer::Yes])));
        assert!(help_after_walk(false, &answers(&[Answer::No, Answer::No])));
        assert!(!help_after_walk(
            false,
            &answers(&[Answer::No, Answer::Maybe])
        ));
        assert!(!help_after_walk(false, &answers(&[])), "nothing said yet");
    }

    #[test]
    fn a_partner_said_ready_when_their_last_word_on_it_was_ready() {
        let mut st = State::new(&"idalex".parse().unwrap());
        assert!(!said_ready(&st));
        ev(&mut st, 2, 1, ready(STEPS[0]));
        ev(&mut st, 2, 2, EventKind::Pause);
        assert!(said_ready(&st), "a pause is not a word on readiness");
        ev(&mut st, 2, 3, EventKind::Unready);
        assert!(!said_ready(&st));
    }

    #[test]
    fn a_partner_has_a_pause_of_their_own_until_they_resume_it() {
        let mut st = State::new(&"idalex".parse().unwrap());
        assert!(!own_pause(&st));
        ev(&mut st, 2, 1, EventKind::Resume);
        assert!(
            !own_pause(&st),
            "a resume with no pause before it lifts nothing"
        );
        ev(&mut st, 2, 2, EventKind::Pause);
        ev(&mut st, 2, 3, ready(STEPS[0]));
        assert!(own_pause(&st), "readiness is not a word on pausing");
        ev(&mut st, 2, 4, EventKind::Resume);
        assert!(!own_pause(&st));
    }

    #[test]
    fn the_next_step_is_held_when_a_hold_covers_its_stage() {
        let lib = Library::builtin();
        let c = couple();
        let mut s = states();
        let holds = [hold(1, 20)];
        // On the first step: the next (stage 0) is not held.
        let plan = derive(&lib, &c, &s, &holds, day(2));
        assert_eq!(plan.current.unwrap().id, STEPS[0]);
        assert!(held_next(&plan, &holds, day(2)).is_none());
        // On the last stage-0 step: the next is on stage 1, which the hold covers until its day.
        for st in &mut s {
            ev(st, 2, 2, ready(STEPS[0]));
        }
        let plan = derive(&lib, &c, &s, &holds, day(3));
        assert_eq!(plan.current.unwrap().id, STEPS[1]);
        assert_eq!(held_next(&plan, &holds, day(3)).unwrap().until, day(20));
        assert!(
            held_next(&plan, &holds, day(20)).is_none(),
            "lifted on its day"
        );
    }
}
