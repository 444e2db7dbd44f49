//! The touch plan: each partner's private facts (boundaries, body map, readiness, sessions,
//! debriefs) and the joint plan derived from them.
//!
//! On disk: `touch/PARTNER/state.json` and `touch/PARTNER/sessions.json`, each written only by
//! that partner (the state read only by them; their body map is published for both in
//! `touch/PARTNER/body.json`, see [`crate::body_map`]), and one file per medical-clearance hold
//! in `touch/holds/`. Nothing joint is
//! stored: where the couple is in the plan is replayed from both partners' readiness marks.

use crate::content::{Library, Step};
use crate::error::{Error, Result};
use crate::ids::Id;
use crate::profile::Couple;
use crate::store::{Extra, FORMAT_VERSION, Store, Versioned};
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet};

/// A partner's private answer about a step.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Answer {
    Yes,
    Maybe,
    No,
}

/// How a partner marks a body region.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Mark {
    Welcome,
    AskFirst,
    OffLimits,
}

crate::words!(Answer { Yes = "yes", Maybe = "maybe", No = "no" });
crate::words!(Mark { Welcome = "welcome", AskFirst = "ask-first", OffLimits = "off-limits" });

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BodyMark {
    pub mark: Mark,
    pub note: Option<String>,
    /// Fields a newer closer wrote at this format version, kept as they are.
    #[serde(flatten, default, skip_serializing_if = "Extra::is_empty")]
    pub extra: Extra,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "lowercase")]
pub enum EventKind {
    /// Ready to move on from this step.
    Ready {
        step: String,
    },
    /// No longer ready to move on (no reason asked).
    Unready,
    /// Go back one step (no reason asked).
    Back,
    Pause,
    Resume,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Event {
    pub date: NaiveDate,
    pub at: DateTime<Utc>,
    #[serde(flatten)]
    pub kind: EventKind,
    /// Fields a newer closer wrote at this format version, kept as they are.
    #[serde(
        flatten,
        default,
        skip_serializing_if = "Extra::is_empty",
        serialize_with = "event_extra::serialize",
        deserialize_with = "event_extra::deserialize"
    )]
    pub extra: Extra,
}

/// An event's unknown fields, without the fields of its flattened kind (which serde also hands
/// to the map for kinds without fields).
mod event_extra {
    use super::Extra;
    use serde::{Deserialize, Deserializer, Serializer};

    fn known(k: &str) -> bool {
        matches!(k, "kind" | "step")
    }

    pub fn serialize<S: Serializer>(extra: &Extra, s: S) -> Result<S::Ok, S::Error> {
        s.collect_map(extra.iter().filter(|(k, _)| !known(k)))
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Extra, D::Error> {
        let mut extra = Extra::deserialize(d)?;
        extra.retain(|k, _| !known(k));
        Ok(extra)
    }
}

/// One partner's own touch facts; that partner is its only writer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct State {
    pub version: u32,
    pub partner: Id,
    #[serde(default)]
    pub boundaries: BTreeMap<String, Answer>,
    #[serde(default)]
    pub body: BTreeMap<String, BodyMark>,
    #[serde(default)]
    pub events: Vec<Event>,
    /// Steps for which this partner has been told where to find help.
    #[serde(default)]
    pub help_shown: BTreeSet<String>,
    /// Fields a newer closer wrote at this format version, kept as they are.
    #[serde(flatten, default, skip_serializing_if = "Extra::is_empty")]
    pub extra: Extra,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Session {
    pub id: Id,
    pub date: NaiveDate,
    pub at: DateTime<Utc>,
    pub step: String,
    /// Partner ID of who gave touch first, if said.
    pub giver: Option<Id>,
    pub minutes: Option<u16>,
    pub note: Option<String>,
    /// Fields a newer closer wrote at this format version, kept as they are.
    #[serde(flatten, default, skip_serializing_if = "Extra::is_empty")]
    pub extra: Extra,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Debrief {
    pub session: Id,
    pub step: String,
    pub date: NaiveDate,
    pub at: DateTime<Utc>,
    pub noticed: Option<String>,
    /// Set when this partner found the step too much, with what (may be empty).
    pub too_much: Option<String>,
    /// Only its author sees it.
    pub private: bool,
    /// Fields a newer closer wrote at this format version, kept as they are.
    #[serde(flatten, default, skip_serializing_if = "Extra::is_empty")]
    pub extra: Extra,
}

/// The sessions a partner logged and the debriefs they wrote; that partner is its only writer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(from = "lenient::RawSessions")]
pub struct Sessions {
    pub version: u32,
    pub partner: Id,
    #[serde(default)]
    pub sessions: Vec<Session>,
    #[serde(default)]
    pub debriefs: Vec<Debrief>,
    /// Fields a newer closer wrote at this format version, kept as they are.
    #[serde(flatten, default, skip_serializing_if = "Extra::is_empty")]
    pub extra: Extra,
    /// Sessions and debriefs in the file that cannot be used: left out of everything, and
    /// written back unchanged.
    #[serde(skip)]
    pub unusable: Unusable,
}

/// A medical-clearance hold: nothing from `from_stage` on until `until`, or until released.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Hold {
    pub version: u32,
    pub id: Id,
    pub from_stage: u8,
    pub until: NaiveDate,
    pub reason: String,
    pub created: NaiveDate,
    /// When it was set, so that readiness marked earlier that same day is not held back by it.
    #[serde(default)]
    pub at: Option<DateTime<Utc>>,
    pub released: Option<NaiveDate>,
    /// The partner ID of who set it; holds from before closer recorded it have none.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub by: Option<String>,
    /// The partner ID of who released it early, and when.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub released_by: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub released_at: Option<DateTime<Utc>>,
    /// Fields a newer closer wrote at this format version, kept as they are.
    #[serde(flatten, default, skip_serializing_if = "Extra::is_empty")]
    pub extra: Extra,
}

impl Hold {
    pub fn active_on(&self, day: NaiveDate) -> bool {
        self.created <= day && day < self.until && self.released.is_none_or(|r| day < r)
    }

    /// Whether the hold was already set, and still in force, at `at` on `day`.
    fn in_force(&self, day: NaiveDate, at: DateTime<Utc>) -> bool {
        self.active_on(day)
            && self.at.is_none_or(|t| t <= at)
            && self.released_at.is_none_or(|r| at < r)
    }
}

macro_rules! versioned {
    ($($t:ty),*) => {$(impl Versioned for $t { fn version(&self) -> u32 { self.version } })*};
}
versioned!(State);

impl Versioned for Hold {
    fn version(&self) -> u32 {
        self.version
    }
    fn file_id(&self) -> Option<&str> {
        Some(&self.id)
    }
}

impl State {
    /// A partner's state before they have said anything.
    pub fn new(partner: &Id) -> State {
        State {
            extra: Default::default(),
            version: FORMAT_VERSION,
            partner: partner.clone(),
            boundaries: BTreeMap::new(),
            body: BTreeMap::new(),
            events: Vec::new(),
            help_shown: BTreeSet::new(),
        }
    }
}

impl Sessions {
    /// A partner's log before their first session.
    pub fn new(partner: &Id) -> Sessions {
        Sessions {
            extra: Default::default(),
            version: FORMAT_VERSION,
            partner: partner.clone(),
            sessions: Vec::new(),
            debriefs: Vec::new(),
            unusable: Default::default(),
        }
    }
}

impl Versioned for Sessions {
    fn version(&self) -> u32 {
        self.version
    }

    fn encode(&self) -> serde_json::Result<Vec<u8>> {
        // What could not be used goes back as it was, after the rest.
        let sessions = (self.sessions.iter().map(serde_json::to_vec))
            .chain(self.unusable.sessions.iter().map(serde_json::to_vec))
            .collect::<serde_json::Result<_>>()?;
        let debriefs = (self.debriefs.iter().map(serde_json::to_vec))
            .chain(self.unusable.debriefs.iter().map(serde_json::to_vec))
            .collect::<serde_json::Result<_>>()?;
        crate::store::json_lines(
            self.version,
            &self.partner,
            &self.extra,
            &[("sessions", sessions), ("debriefs", debriefs)],
        )
    }
}

pub fn state_path(partner: &Id) -> String {
    format!("touch/{partner}/state.json")
}
pub fn sessions_path(partner: &Id) -> String {
    format!("touch/{partner}/sessions.json")
}
pub const HOLDS: &str = "touch/holds";

/// The partner IDs with a folder in `touch/`, removed partners included: their sessions and
/// debriefs stay part of the couple's story. A partner's files deleted behind their back count
/// on their own device, which keeps what it trusted (see [`crate::memory`]).
pub fn partners_with_sessions(store: &Store) -> Result<Vec<Id>> {
    let sealing = store.sealing();
    let there = |rel: String| {
        store.path(&rel).exists()
            || sealing
                .as_ref()
                .is_some_and(|s| s.missed(store, rel.trim_end_matches(".json")).is_some())
    };
    let dir = store.path("touch");
    let entries = match std::fs::read_dir(&dir) {
        Ok(e) => e,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(e) => return Err(Error::io(&dir, e)),
    };
    let mut out: Vec<Id> = entries
        .flatten()
        .filter(|e| e.file_type().is_ok_and(|t| t.is_dir()))
        .filter_map(|e| e.file_name().to_str().and_then(|n| Id::parse(n).ok()))
        .filter(|id| there(sessions_path(id)) || there(crate::own_facts::private_debriefs_path(id)))
        .collect();
    out.sort();
    Ok(out)
}

/// Reads a partner's state (empty when they have none yet).
pub fn load_state(store: &Store, partner: &Id) -> Result<State> {
    Ok(store
        .read(&state_path(partner))?
        .unwrap_or_else(|| State::new(partner)))
}

/// A partner's sessions and debriefs; those that cannot be used are left out and noted (see
/// [`Store::take_left_out`]).
pub fn load_sessions(store: &Store, partner: &Id) -> Result<Sessions> {
    let rel = sessions_path(partner);
    let s =
        crate::own_facts::load_sessions(store, partner)?.unwrap_or_else(|| Sessions::new(partner));
    if !s.unusable.is_empty() {
        store.note_left_out(&store.path(&rel), &s.unusable.message());
    }
    Ok(s)
}

/// Changes a partner's own state under its lock, then publishes its body map for both (see
/// [`crate::body_map`]).
pub fn update_state(
    store: &Store,
    partner: &Id,
    f: impl FnOnce(&mut State) -> Result<()>,
) -> Result<State> {
    let s = store.update::<State, _>(&state_path(partner), |old| {
        let mut s = old.unwrap_or_else(|| State::new(partner));
        f(&mut s)?;
        Ok(s)
    })?;
    crate::body_map::publish(store, &s)?;
    Ok(s)
}

pub fn update_sessions(
    store: &Store,
    partner: &Id,
    f: impl FnOnce(&mut Sessions) -> Result<()>,
) -> Result<Sessions> {
    crate::own_facts::update_sessions(store, partner, f)
}

/// What the couple sees of a step: never one partner's answer, only the joint result.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Joint {
    /// Both said yes.
    InPlan,
    /// Both answered, nobody said no, and someone said maybe.
    TalkFirst,
    /// Anything else: someone said no, or not everyone has answered, or there is only one
    /// partner. They all look the same.
    NotInPlan,
}

impl Joint {
    pub fn label(self) -> &'static str {
        match self {
            Joint::InPlan => "in the plan",
            Joint::TalkFirst => "talk first",
            Joint::NotInPlan => "not in the plan",
        }
    }
}

fn joint(step: &str, states: &[State]) -> Joint {
    let answers: Vec<Option<Answer>> = states
        .iter()
        .map(|s| s.boundaries.get(step).copied())
        .collect();
    // One partner's yes is never joint: a couple of one has no plan.
    if states.len() < 2
        || answers
            .iter()
            .any(|a| a.is_none() || *a == Some(Answer::No))
    {
        Joint::NotInPlan
    } else if answers.iter().all(|a| *a == Some(Answer::Yes)) {
        Joint::InPlan
    } else {
        Joint::TalkFirst
    }
}

/// The joint plan on a day.
#[derive(Debug, Clone)]
pub struct Plan<'a> {
    /// Every step the couple may see (sexual stages only when both opted in), with its joint state.
    pub steps: Vec<(&'a Step, Joint)>,
    /// The step the couple is working on, if any step is in the plan and not held.
    pub current: Option<&'a Step>,
    /// The steps in the plan, in ladder order.
    pub in_plan: Vec<&'a Step>,
    /// Either partner has paused the plan.
    pub paused: bool,
    /// The couple has moved past the last step in their plan.
    pub finished: bool,
    /// Holds in force today.
    pub holds: Vec<Hold>,
    /// Which partners (by position in the couple) have said they are ready to move on from the
    /// current step and are still waiting. Private: only ever read for the partner at the keyboard,
    /// through [`Plan::is_ready`].
    ready: Vec<bool>,
    /// Both were ready to move on while the next step was held: it opens when the hold lifts.
    pub waiting_for_hold: bool,
}

impl Plan<'_> {
    /// Whether partner number `who` (their position in the couple) has said they are ready to
    /// move on from the current step. Only for showing a partner their own readiness.
    pub fn is_ready(&self, who: usize) -> bool {
        self.ready.get(who).copied().unwrap_or(false)
    }
}

/// The steps a couple may see at all.
pub fn visible_steps<'a>(lib: &'a Library, couple: &Couple) -> Vec<&'a Step> {
    let sexual_ok = couple.sexual_ok();
    lib.steps
        .iter()
        .filter(|s| sexual_ok || !lib.step_is_sexual(s))
        .collect()
}

/// Derives the plan from every partner's facts. `states` holds one entry per partner in
/// `couple`, in the same order.
pub fn derive<'a>(
    lib: &'a Library,
    couple: &Couple,
    states: &[State],
    holds: &[Hold],
    today: NaiveDate,
) -> Plan<'a> {
    let steps: Vec<(&Step, Joint)> = visible_steps(lib, couple)
        .into_iter()
        .map(|s| (s, joint(s.id, states)))
        .collect();
    let in_plan: Vec<&Step> = steps
        .iter()
        .filter(|(_, j)| *j == Joint::InPlan)
        .map(|(s, _)| *s)
        .collect();
    let held = |stage: u8, day: NaiveDate| {
        holds
            .iter()
            .any(|h| h.active_on(day) && stage >= h.from_stage)
    };
    let held_at = |stage: u8, day: NaiveDate, at: DateTime<Utc>| {
        holds
            .iter()
            .any(|h| h.in_force(day, at) && stage >= h.from_stage)
    };

    // Replay everyone's readiness in time order. The plan moves on only when every partner has
    // marked the current step ready, and only into a stage no hold keeps closed; readiness given
    // while the next stage is held is kept, and counts once the hold lifts.
    let mut events: Vec<(&Event, usize)> = states
        .iter()
        .enumerate()
        .flat_map(|(i, s)| s.events.iter().map(move |e| (e, i)))
        .collect();
    events.sort_by_key(|a| (a.0.at, a.1));
    let (mut cur, mut finished) = (0usize, false);
    let mut ready = vec![false; states.len()];
    let mut paused = vec![false; states.len()];
    // Moves on when everyone is ready and the next step is open at that moment.
    let advance = |cur: &mut usize, finished: &mut bool, ready: &mut Vec<bool>, day, at| {
        if ready.len() < 2 || !ready.iter().all(|r| *r) || *finished {
            return;
        }
        match in_plan.get(*cur + 1) {
            Some(next) if held_at(next.stage, day, at) => {}
            Some(_) => {
                *cur += 1;
                ready.iter_mut().for_each(|r| *r = false);
            }
            None => {
                *finished = true;
                ready.iter_mut().for_each(|r| *r = false);
            }
        }
    };
    for (e, who) in events {
        advance(&mut cur, &mut finished, &mut ready, e.date, e.at);
        match &e.kind {
            EventKind::Ready { step }
                if !in_plan.is_empty() && in_plan[cur].id == step && !finished =>
            {
                ready[who] = true;
                advance(&mut cur, &mut finished, &mut ready, e.date, e.at);
            }
            EventKind::Ready { .. } => {}
            EventKind::Unready => ready[who] = false,
            EventKind::Back => {
                ready.iter_mut().for_each(|r| *r = false);
                if finished {
                    finished = false;
                } else {
                    cur = cur.saturating_sub(1);
                }
            }
            EventKind::Pause => paused[who] = true,
            EventKind::Resume => paused[who] = false,
        }
    }
    // A hold that lifted since the last event lets waiting readiness count today.
    let now = DateTime::<Utc>::MAX_UTC;
    advance(&mut cur, &mut finished, &mut ready, today, now);
    // A hold set after the couple moved on still applies today.
    while cur > 0 && held(in_plan[cur].stage, today) {
        cur -= 1;
        finished = false;
        ready.iter_mut().for_each(|r| *r = false);
    }
    let current = in_plan.get(cur).copied().filter(|s| !held(s.stage, today));
    let waiting_for_hold = current.is_some()
        && ready.len() >= 2
        && ready.iter().all(|r| *r)
        && in_plan.get(cur + 1).is_some_and(|n| held(n.stage, today));
    Plan {
        current,
        finished: finished && current.is_some(),
        paused: paused.iter().any(|p| *p),
        in_plan,
        steps,
        holds: holds
            .iter()
            .filter(|h| h.active_on(today))
            .cloned()
            .collect(),
        ready,
        waiting_for_hold,
    }
}

/// Loads everything the plan needs: every partner's state and the holds. Session logs are not read.
pub fn load_facts(store: &Store, couple: &Couple) -> Result<(Vec<State>, Vec<Hold>)> {
    let states = couple
        .partners
        .iter()
        .map(|p| load_state(store, &p.id))
        .collect::<Result<Vec<_>>>()?;
    let holds = store.read_all::<Hold>(HOLDS)?;
    Ok((states, holds))
}

/// Finds a step the couple may see by ID or unique prefix.
pub fn find_step<'a>(lib: &'a Library, couple: &Couple, prefix: &str) -> Result<&'a Step> {
    let steps = visible_steps(lib, couple);
    let ids: Vec<&str> = steps.iter().map(|s| s.id).collect();
    if let Some(s) = steps.iter().find(|s| s.id == prefix.trim()) {
        return Ok(s);
    }
    let id =
        crate::ids::resolve(prefix, &ids, crate::error::IdKind::Step).map_err(|e| match e {
            Error::UnknownId { .. } => Error::UnknownStep {
                given: prefix.trim().to_owned(),
            },
            e => e,
        })?;
    steps
        .into_iter()
        .find(|s| s.id == id)
        .ok_or_else(|| Error::UnknownStep {
            given: id.to_owned(),
        })
}

mod lenient;
pub use lenient::Unusable;

#[cfg(test)]
mod tests;
