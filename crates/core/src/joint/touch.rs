//! The touch plan as one device computes it from its own partner's facts and the joint results
//! of three exchanges, never from the other partner's touch state:
//! - `optin`: whether both opted in to sexual content (one item);
//! - `plan`: which steps both said yes to, and which both said yes or maybe to (two items a
//!   step); with it each partner shows their step-backs and pauses, whose effect both see anyway;
//! - `ready`: whether both are ready to move on from the step they are on (one item a step, at
//!   most one chosen); each device notes in its open part the rounds in which both were.
//!
//! From these the device builds the other partner's state as far as it is joint (a yes where both
//! said yes, a maybe where both said yes or maybe, a readiness where both were ready, their
//! step-backs and pauses) and derives the plan exactly as [`crate::touch::derive`] does.

use super::round::{self, Exchange, Finished, Party, Places, Topic};
use crate::content::Library;
use crate::error::{Error, Result};
use crate::joint_changes::What;
use crate::profile::Couple;
use crate::touch::{Answer, Event, EventKind, Hold, Plan, State, derive};
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use std::collections::BTreeSet;
use std::path::PathBuf;

/// A round of `ready` in which both partners were ready to move on from `step`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
struct Mark {
    step: String,
    date: NaiveDate,
    at: DateTime<Utc>,
    pair: String,
}

#[derive(Debug, Default, Serialize, Deserialize)]
struct ReadyPublic {
    #[serde(default)]
    marks: Vec<Mark>,
}

#[derive(Debug, Default, Serialize, Deserialize)]
struct PlanPublic {
    #[serde(default)]
    moves: Vec<Event>,
}

/// Something joint in a finished round that is no longer: a change both partners are told of
/// (see [`crate::joint_changes`]), made from the joint results alone. `round` is the round it
/// was joint in, the same on both devices, so that two records of one change read as one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Closing {
    pub what: What,
    pub from: String,
    pub to: String,
    pub round: String,
}

/// A round this device gave its turn in that the other device has moved on from without
/// publishing its own turn of it: the other device may have learnt which of `items` (what this
/// device's partner chose in it: steps, or `sexual`) it chose too. Said to this partner only.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Unfinished {
    /// `plan`, `ready` or `optin`.
    pub topic: &'static str,
    /// The round, the same on both devices (see [`Closing::round`]).
    pub round: String,
    pub items: Vec<String>,
    /// No longer kept open by this device (past [`round::MOST_OPEN`]): said once, on the run that
    /// let it go; what was joint in it will not be seen.
    pub forgotten: bool,
}

/// The rounds a view's joint results come from: the plan's and the opt-in's, as keys of the
/// changes recorded around this partner's own actions.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Rounds {
    pub plan: Option<String>,
    pub optin: Option<String>,
}

fn pair(last: &Option<Finished>) -> Option<String> {
    last.as_ref().map(|f| f.pair.clone())
}

fn unfinished(
    topic: &'static str,
    ex: &Exchange,
    item: impl Fn(&str) -> Option<String>,
) -> Vec<Unfinished> {
    let open = ex.open.iter().map(|r| (r, false));
    open.chain(ex.forgotten.iter().map(|r| (r, true)))
        .map(|((round, then), forgotten)| {
            let mut items: Vec<String> = then.iter().filter_map(|i| item(i)).collect();
            items.dedup();
            Unfinished {
                topic,
                round: round.clone(),
                items,
                forgotten,
            }
        })
        .collect()
}

/// A step's joint word in a set of joint items.
fn step_word(both: &BTreeSet<String>, step: &str) -> &'static str {
    if both.contains(&format!("yes:{step}")) {
        "in-plan"
    } else if both.contains(&format!("ok:{step}")) {
        "talk-first"
    } else {
        "not-in-plan"
    }
}

fn step_rank(word: &str) -> u8 {
    match word {
        "in-plan" => 2,
        "talk-first" => 1,
        _ => 0,
    }
}

/// The steps joint in a round this run replaced or finished late that are less joint in `now`.
fn step_closings(lib: &Library, ex: &Exchange, now: &BTreeSet<String>) -> Vec<Closing> {
    let mut out = Vec::new();
    for old in ex.replaced.iter().chain(&ex.late) {
        for step in lib.steps.iter().map(|s| s.id) {
            let (was, is) = (step_word(&old.both, step), step_word(now, step));
            if step_rank(is) < step_rank(was) {
                out.push(Closing {
                    what: What::Step(step.to_owned()),
                    from: was.to_owned(),
                    to: is.to_owned(),
                    round: old.pair.clone(),
                });
            }
        }
    }
    out
}

/// What this device knows of the other partner's touch facts: only what is joint.
#[derive(Debug, Clone)]
pub struct JointView {
    /// The other partner's state as far as it is joint: a yes where both said yes, a maybe where
    /// both said yes or maybe (and one said maybe), their step-backs and pauses, and a readiness
    /// where both were ready. [`crate::touch::derive`] over it and this partner's own state gives
    /// the plan.
    pub other: State,
    /// Both partners opted in to sexual content.
    pub sexual_ok: bool,
    /// A round is under way: the plan moves once the other device has taken its turn.
    pub waiting: bool,
    /// Files that failed a check (file, why): reported, never trusted.
    pub problems: Vec<(PathBuf, String)>,
    /// Joint results that closed, seen on this run (see [`Closing`]).
    pub closings: Vec<Closing>,
    /// Rounds the other device moved on from without its turn (see [`Unfinished`]).
    pub unfinished: Vec<Unfinished>,
    /// The rounds the joint results come from.
    pub rounds: Rounds,
}

impl JointView {
    /// Puts the joint view in place of the other partner's facts: their answers and readiness
    /// in `states` (one per partner of `couple`, in order) and their opt-in in `couple`. Their
    /// body map, which the tools show to both, stays as it was read.
    pub fn apply(&self, couple: &mut Couple, states: &mut [State]) {
        for (p, s) in couple.partners.iter_mut().zip(states.iter_mut()) {
            if p.id == self.other.partner {
                p.sexual = self.sexual_ok;
                let body = std::mem::take(&mut s.body);
                *s = self.other.clone();
                s.body = body;
            }
        }
    }
}

/// The plan as this device knows it.
#[derive(Debug)]
pub struct JointPlan<'l> {
    pub plan: Plan<'l>,
    /// Both partners opted in to sexual content.
    pub sexual_ok: bool,
    /// A round is under way: the plan moves once the other device has taken its turn.
    pub waiting: bool,
    /// Files that failed a check (file, why): reported, never trusted.
    pub problems: Vec<(PathBuf, String)>,
    /// Joint results that closed, seen on this run (see [`Closing`]).
    pub closings: Vec<Closing>,
    /// Rounds the other device moved on from without its turn (see [`Unfinished`]).
    pub unfinished: Vec<Unfinished>,
}

/// Runs this device's turn of the three exchanges and derives the plan from `mine` and the joint
/// view (see [`view`]).
#[allow(clippy::too_many_arguments)]
pub fn plan<'l>(
    places: Places,
    party: &Party,
    lib: &'l Library,
    couple: &Couple,
    mine: &State,
    holds: &[Hold],
    today: NaiveDate,
    now: DateTime<Utc>,
) -> Result<JointPlan<'l>> {
    let v = view(places, party, lib, couple, mine, holds, today, now, None)?;
    let mut couple = couple.clone();
    let mut states = vec![mine.clone(); couple.partners.len()];
    for (p, s) in couple.partners.iter().zip(states.iter_mut()) {
        if p.id != party.me {
            *s = State::new(&p.id);
        }
    }
    v.apply(&mut couple, &mut states);
    Ok(JointPlan {
        plan: derive(lib, &couple, &states, holds, today),
        sexual_ok: v.sexual_ok,
        waiting: v.waiting,
        problems: v.problems,
        closings: v.closings,
        unfinished: v.unfinished,
    })
}

fn items(prefix: &str, lib: &Library) -> Vec<String> {
    lib.steps
        .iter()
        .map(|s| format!("{prefix}:{}", s.id))
        .collect()
}

fn json<T: Serialize>(v: &T) -> Result<serde_json::Value> {
    serde_json::to_value(v).map_err(|e| Error::invalid(e.to_string()))
}

/// The other partner's open part, or the default when it does not read (it is reported).
fn public_of<T: Default + for<'de> Deserialize<'de>>(
    ex: &Exchange,
    problems: &mut Vec<(PathBuf, String)>,
    path: PathBuf,
) -> T {
    match ex.their_public.clone().map(serde_json::from_value::<T>) {
        Some(Ok(v)) => v,
        Some(Err(e)) => {
            problems.push((path, format!("its open part does not read: {e}")));
            T::default()
        }
        None => T::default(),
    }
}

/// A round in which both were ready, as the other partner's readiness at that moment.
fn as_ready(m: &Mark) -> Event {
    Event {
        date: m.date,
        at: m.at,
        kind: EventKind::Ready {
            step: m.step.clone(),
        },
        extra: Default::default(),
    }
}

fn both(last: &Option<Finished>) -> BTreeSet<String> {
    last.as_ref().map(|f| f.both.clone()).unwrap_or_default()
}

/// What the exchange of opt-ins said on this run.
#[derive(Debug, Clone)]
pub struct JointOptIn {
    /// Both partners opted in to sexual content.
    pub both: bool,
    /// A round is under way.
    pub waiting: bool,
    /// Files that failed a check (file, why): reported, never trusted.
    pub problems: Vec<(PathBuf, String)>,
    /// Both opted in, in a round this run replaced or finished late, and no longer.
    pub closings: Vec<Closing>,
    /// Rounds the other device moved on from without its turn (see [`Unfinished`]).
    pub unfinished: Vec<Unfinished>,
    /// The round the result comes from.
    pub round: Option<String>,
}

/// Runs this device's turn of the opt-in exchange for the partner `party.me`, who opted in to
/// sexual content when `opted`, and says whether both did. The other partner's own opt-in is
/// never read.
pub fn opt_in(places: Places, party: &Party, opted: bool) -> Result<JointOptIn> {
    let chosen: BTreeSet<String> = opted.then(|| "sexual".to_owned()).into_iter().collect();
    let ex = round::exchange(
        places,
        party,
        &Topic {
            name: "optin",
            universe: &["sexual"],
            chosen: &chosen,
            public: serde_json::Value::Null,
        },
    )?;
    // A partner who opts out is out at once on their own device, whatever the last round
    // said, and on the other device as soon as their new round reaches it: when the last round
    // said both, a change of their choices can only be an opt-out. An opt-in waits for the
    // round to finish.
    let on = opted && both(&ex.last).contains("sexual") && !ex.they_changed;
    let closings = ex
        .replaced
        .iter()
        .chain(&ex.late)
        .filter(|old| !on && old.both.contains("sexual"))
        .map(|old| Closing {
            what: What::Sexual,
            from: "on".into(),
            to: "off".into(),
            round: old.pair.clone(),
        })
        .collect();
    Ok(JointOptIn {
        both: on,
        waiting: ex.waiting,
        closings,
        unfinished: unfinished("optin", &ex, |i| Some(i.to_owned())),
        round: pair(&ex.last),
        problems: ex.problems,
    })
}

/// Runs this device's turn of the three exchanges for the partner `party.me` and says what is
/// joint. `mine` is that partner's own state; `couple` the profile (the other partner's opt-in in
/// it is not used); `today` and `now` stamp a readiness round that completes. `optin` is the
/// opt-in exchange this run already took its turn of for `party.me` ([`opt_in`], with that
/// partner's opt-in as in `couple`, its problems already reported): it is not run again.
#[allow(clippy::too_many_arguments)]
pub fn view(
    places: Places,
    party: &Party,
    lib: &Library,
    couple: &Couple,
    mine: &State,
    holds: &[Hold],
    today: NaiveDate,
    now: DateTime<Utc>,
    optin: Option<&JointOptIn>,
) -> Result<JointView> {
    let me_at = couple
        .partners
        .iter()
        .position(|p| p.id == party.me)
        .ok_or_else(|| Error::invalid(format!("{} is not a partner of this couple", party.me)))?;
    let other_at = couple
        .partners
        .iter()
        .position(|p| p.id == party.other)
        .ok_or_else(|| {
            Error::invalid(format!("{} is not a partner of this couple", party.other))
        })?;
    let mut problems = Vec::new();
    let mut waiting = false;

    // Both opted in?
    let optin = match optin {
        // Its problems, closings and unfinished rounds were reported where it ran.
        Some(found) => JointOptIn {
            problems: Vec::new(),
            closings: Vec::new(),
            unfinished: Vec::new(),
            ..found.clone()
        },
        None => opt_in(places, party, couple.partners[me_at].sexual)?,
    };
    waiting |= optin.waiting;
    problems.extend(optin.problems);
    let mut closings = optin.closings;
    let mut unfinished_rounds = optin.unfinished;
    let mut rounds = Rounds {
        optin: optin.round,
        ..Rounds::default()
    };
    let sexual_ok = optin.both;

    // Both said yes, both said yes or maybe.
    let universe: Vec<String> = items("yes", lib)
        .into_iter()
        .chain(items("ok", lib))
        .collect();
    let universe: Vec<&str> = universe.iter().map(String::as_str).collect();
    let chosen: BTreeSet<String> = mine
        .boundaries
        .iter()
        .flat_map(|(step, a)| match a {
            Answer::Yes => vec![format!("yes:{step}"), format!("ok:{step}")],
            Answer::Maybe => vec![format!("ok:{step}")],
            Answer::No => vec![],
        })
        .collect();
    let moves: Vec<Event> = mine
        .events
        .iter()
        .filter(|e| {
            matches!(
                e.kind,
                EventKind::Back | EventKind::Pause | EventKind::Resume
            )
        })
        .cloned()
        .collect();
    let ex = round::exchange(
        places,
        party,
        &Topic {
            name: "plan",
            universe: &universe,
            chosen: &chosen,
            public: json(&PlanPublic { moves })?,
        },
    )?;
    waiting |= ex.waiting;
    problems.extend(ex.problems.iter().cloned());
    let theirs_path = places.data.join(round::place("plan", party.other));
    let their_moves: Vec<Event> = public_of::<PlanPublic>(&ex, &mut problems, theirs_path)
        .moves
        .into_iter()
        .filter(|e| {
            matches!(
                e.kind,
                EventKind::Back | EventKind::Pause | EventKind::Resume
            )
        })
        .collect();
    let joint = both(&ex.last);
    let mut other = State::new(&couple.partners[other_at].id);
    for step in lib.steps.iter().map(|s| s.id) {
        // Only what this partner chooses now can be joint: a change of mind counts at once here.
        let yes = joint.contains(&format!("yes:{step}")) && chosen.contains(&format!("yes:{step}"));
        let ok = joint.contains(&format!("ok:{step}")) && chosen.contains(&format!("ok:{step}"));
        if yes {
            other.boundaries.insert(step.to_owned(), Answer::Yes);
        } else if ok {
            other.boundaries.insert(step.to_owned(), Answer::Maybe);
        }
    }
    other.events = their_moves;
    let joint_now: BTreeSet<String> = other
        .boundaries
        .iter()
        .flat_map(|(step, a)| match a {
            Answer::Yes => vec![format!("yes:{step}"), format!("ok:{step}")],
            _ => vec![format!("ok:{step}")],
        })
        .collect();
    closings.extend(step_closings(lib, &ex, &joint_now));
    unfinished_rounds.extend(unfinished("plan", &ex, |i| {
        i.split_once(':').map(|(_, step)| step.to_owned())
    }));
    rounds.plan = pair(&ex.last);

    // Ready to move on, both?
    let steps: Vec<&str> = lib.steps.iter().map(|s| s.id).collect();
    let ready_topic = |chosen: &BTreeSet<String>, marks: &[Mark]| -> Result<Exchange> {
        round::exchange(
            places,
            party,
            &Topic {
                name: "ready",
                universe: &steps,
                chosen,
                public: json(&ReadyPublic {
                    marks: marks.to_vec(),
                })?,
            },
        )
    };
    let empty = BTreeSet::new();
    let mut marks: Vec<Mark> = round::published_public(
        places,
        party,
        &Topic {
            name: "ready",
            universe: &steps,
            chosen: &empty,
            public: serde_json::Value::Null,
        },
    )?
    .and_then(|v| serde_json::from_value::<ReadyPublic>(v).ok())
    .unwrap_or_default()
    .marks;

    let mut profile = couple.clone();
    profile.partners[other_at].sexual = sexual_ok;
    let derive_with = |marks: &[Mark], other: &State| -> Plan<'_> {
        let mut other = other.clone();
        other.events.extend(marks.iter().map(as_ready));
        let mut states = vec![State::new(&couple.partners[0].id); couple.partners.len()];
        states[me_at] = mine.clone();
        states[other_at] = other;
        derive(lib, &profile, &states, holds, today)
    };
    let ready_now = |plan: &Plan| -> BTreeSet<String> {
        match plan.current {
            Some(s) if plan.is_ready(me_at) && !plan.paused => [s.id.to_owned()].into(),
            _ => BTreeSet::new(),
        }
    };
    let mut plan = derive_with(&marks, &other);
    let ex = ready_topic(&ready_now(&plan), &marks)?;
    problems.extend(ex.problems.iter().cloned());
    unfinished_rounds.extend(unfinished("ready", &ex, |i| Some(i.to_owned())));
    let mut ready_waiting = ex.waiting;
    let new_mark = ex
        .last
        .as_ref()
        .filter(|f| !marks.iter().any(|m| m.pair == f.pair))
        .and_then(|f| Some((f.both.iter().next()?.clone(), f.pair.clone())));
    // A round both were ready in that this device finished only late (the other device moved
    // on before its turn): the plan would have moved on then, so both are told it did for a
    // while, as when a step-back follows.
    for f in ex
        .late
        .iter()
        .filter(|f| !marks.iter().any(|m| m.pair == f.pair))
    {
        let Some(step) = f.both.iter().next() else {
            continue;
        };
        let mut then = marks.clone();
        then.push(Mark {
            step: step.clone(),
            date: today,
            at: now,
            pair: f.pair.clone(),
        });
        let (moved, now_at) = (derive_with(&then, &other), &plan);
        let at = |p: &Plan| {
            p.current
                .map(|s| if p.finished { "finished" } else { s.id })
        };
        if let (Some(from), Some(to)) = (at(&moved), at(now_at))
            && from != to
        {
            closings.push(Closing {
                what: What::Plan,
                from: from.to_owned(),
                to: to.to_owned(),
                round: f.pair.clone(),
            });
        }
    }
    if let Some((step, pair)) = new_mark {
        marks.push(Mark {
            step,
            date: today,
            at: now,
            pair,
        });
        plan = derive_with(&marks, &other);
        ready_waiting = ready_topic(&ready_now(&plan), &marks)?.waiting;
    }
    waiting |= ready_waiting;
    other.events.extend(marks.iter().map(as_ready));
    Ok(JointView {
        other,
        sexual_ok,
        waiting,
        problems,
        closings,
        unfinished: unfinished_rounds,
        rounds,
    })
}
