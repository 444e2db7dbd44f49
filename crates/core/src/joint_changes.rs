//! Changes of what the couple shares (sexual content on or off, a step's joint state, where the
//! plan is), kept so that no change of the joint result is ever invisible to either partner: a
//! partner cannot turn something on and off again to test the other's private answer without
//! both of them seeing afterwards that it was on for a while. A change never says who made it.
//!
//! On disk: `changes/ID.json`, one file per change, written once and never rewritten, by the
//! device that saw the joint result change (from the joint result before and after its own
//! partner's action, never from the other's answers). Nothing in it names a partner.

use crate::content::Library;
use crate::error::Result;
use crate::ids::{Id, new_id};
use crate::profile::Couple;
use crate::store::{Extra, FORMAT_VERSION, Store, Versioned};
use crate::touch::{self, Joint};
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

pub const DIR: &str = "changes";

/// What changed.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub enum What {
    /// Sexual content, shown when both opted in: `on` or `off`.
    Sexual,
    /// A step's joint state: `in-plan`, `talk-first` or `not-in-plan`.
    Step(String),
    /// Where the plan is: the current step's ID, or `finished`.
    Plan,
}

/// One change of the joint result, with the state before and after. Names nobody.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Change {
    pub version: u32,
    pub id: Id,
    pub date: NaiveDate,
    pub at: DateTime<Utc>,
    /// `sexual`, `step` or `plan`.
    pub what: String,
    /// The step, for a step's joint state.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub step: Option<String>,
    pub from: String,
    pub to: String,
    /// The exchange round the joint result was `from` in, when known: two devices that both
    /// saw one change record it with the same round, and it is told once.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub round: Option<String>,
    /// Fields a newer closer wrote at this format version, kept as they are.
    #[serde(flatten, default, skip_serializing_if = "Extra::is_empty")]
    pub extra: Extra,
}

impl Versioned for Change {
    fn version(&self) -> u32 {
        self.version
    }
    fn file_id(&self) -> Option<&str> {
        Some(&self.id)
    }
}

impl Change {
    /// What changed; `None` for a kind this closer does not know.
    pub fn subject(&self) -> Option<What> {
        match (self.what.as_str(), &self.step) {
            ("sexual", None) => Some(What::Sexual),
            ("step", Some(s)) => Some(What::Step(s.clone())),
            ("plan", None) => Some(What::Plan),
            _ => None,
        }
    }
}

impl What {
    fn parts(&self) -> (&'static str, Option<String>) {
        match self {
            What::Sexual => ("sexual", None),
            What::Step(s) => ("step", Some(s.clone())),
            What::Plan => ("plan", None),
        }
    }
}

pub fn path(id: &Id) -> String {
    format!("{DIR}/{id}.json")
}

/// The joint result at one moment: all that both partners may see of their consent.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Snapshot {
    map: BTreeMap<What, String>,
    /// The rounds of the plan and of the opt-in the snapshot comes from, when it comes from the
    /// exchanges of two devices.
    plan: Option<String>,
    optin: Option<String>,
}

const FINISHED: &str = "finished";

fn joint_word(j: Joint) -> &'static str {
    match j {
        Joint::InPlan => "in-plan",
        Joint::TalkFirst => "talk-first",
        Joint::NotInPlan => "not-in-plan",
    }
}

impl Snapshot {
    /// The joint result derived from the couple's facts in `store` on `today`.
    pub fn of(store: &Store, lib: &Library, today: NaiveDate) -> Result<Snapshot> {
        let couple = Couple::load(store)?;
        let (states, holds) = touch::load_facts(store, &couple)?;
        let plan = touch::derive(lib, &couple, &states, &holds, today);
        Ok(Snapshot::from_joint(&plan, couple.sexual_ok()))
    }

    /// The snapshot of a joint result however it was reached (derived here, or from the
    /// exchanges of the two devices): the plan and whether both opted in.
    pub fn from_joint(plan: &touch::Plan, sexual_ok: bool) -> Snapshot {
        let mut m = BTreeMap::new();
        let on = if sexual_ok { "on" } else { "off" };
        m.insert(What::Sexual, on.to_owned());
        for (s, j) in &plan.steps {
            m.insert(What::Step(s.id.to_owned()), joint_word(*j).to_owned());
        }
        if let Some(s) = plan.current {
            let at = if plan.finished { FINISHED } else { s.id };
            m.insert(What::Plan, at.to_owned());
        }
        Snapshot {
            map: m,
            plan: None,
            optin: None,
        }
    }

    /// The same snapshot, noting the rounds of the plan and of the opt-in it comes from.
    pub fn in_rounds(self, plan: Option<String>, optin: Option<String>) -> Snapshot {
        Snapshot {
            plan,
            optin,
            ..self
        }
    }

    /// The round `what` was at in this snapshot, when known.
    fn round_of(&self, what: &What) -> Option<String> {
        match what {
            What::Sexual => self.optin.clone(),
            What::Step(_) => self.plan.clone(),
            What::Plan => None,
        }
    }

    /// What changed from `self` to `after`; only what both snapshots hold.
    pub fn changes(&self, after: &Snapshot) -> Vec<(What, String, String)> {
        self.map
            .iter()
            .filter_map(|(w, from)| {
                let to = after.map.get(w)?;
                (to != from).then(|| (w.clone(), from.clone(), to.clone()))
            })
            .collect()
    }
}

/// Runs `action` and records every change of the joint result it made. The record is written
/// from the joint result alone, and names nobody.
pub fn around<T>(
    store: &Store,
    lib: &Library,
    today: NaiveDate,
    now: DateTime<Utc>,
    action: impl FnOnce() -> Result<T>,
) -> Result<T> {
    around_with(
        store,
        || Snapshot::of(store, lib, today),
        today,
        now,
        action,
    )
}

/// [`around`] with the joint result taken by `snapshot` (on a device that knows the other
/// partner's facts only through the joint rounds, from those).
pub fn around_with<T>(
    store: &Store,
    snapshot: impl Fn() -> Result<Snapshot>,
    today: NaiveDate,
    now: DateTime<Utc>,
    action: impl FnOnce() -> Result<T>,
) -> Result<T> {
    let before = snapshot()?;
    let out = action()?;
    let after = snapshot()?;
    let changes: Vec<Keyed> = before
        .changes(&after)
        .into_iter()
        .map(|(what, from, to)| {
            let round = before.round_of(&what);
            (what, from, to, round)
        })
        .collect();
    record_keyed(store, &changes, today, now)?;
    Ok(out)
}

/// A change with the round the joint result was `from` in, when known.
pub type Keyed = (What, String, String, Option<String>);

/// Writes one file per change.
pub fn record(
    store: &Store,
    changes: &[(What, String, String)],
    date: NaiveDate,
    at: DateTime<Utc>,
) -> Result<()> {
    let keyed: Vec<Keyed> = changes
        .iter()
        .map(|(w, f, t)| (w.clone(), f.clone(), t.clone(), None))
        .collect();
    record_keyed(store, &keyed, date, at)
}

/// Writes one file per change, but none for a change with a round that is already recorded
/// (the same joint result, from the same round): the other device saw it first.
pub fn record_keyed(
    store: &Store,
    changes: &[Keyed],
    date: NaiveDate,
    at: DateTime<Utc>,
) -> Result<()> {
    if changes.is_empty() {
        return Ok(());
    }
    store.ensure_dir(DIR)?;
    let _lock = store.lock(DIR)?;
    let known = if changes.iter().any(|c| c.3.is_some()) {
        load(store)?
    } else {
        Vec::new()
    };
    for (what, from, to, round) in changes {
        if round.is_some() && known.iter().any(|k| same_closing(k, what, from, round)) {
            continue;
        }
        let (kind, step) = what.parts();
        let c = Change {
            version: FORMAT_VERSION,
            id: new_id(),
            date,
            at,
            what: kind.to_owned(),
            step,
            from: from.clone(),
            to: to.clone(),
            round: round.clone(),
            extra: Extra::new(),
        };
        store.write(&path(&c.id), &c)?;
    }
    Ok(())
}

/// Whether `c` is the change of `what` from `from` in `round`.
fn same_closing(c: &Change, what: &What, from: &str, round: &Option<String>) -> bool {
    round.is_some() && c.round == *round && c.from == from && c.subject().as_ref() == Some(what)
}

/// Every recorded change, oldest first.
pub fn load(store: &Store) -> Result<Vec<Change>> {
    let mut v: Vec<Change> = store.read_all(DIR)?;
    v.sort_by(|a, b| (a.at, &a.id).cmp(&(b.at, &b.id)));
    Ok(v)
}

/// Something that was on for a while and then was not: a change both partners are told of.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Trace {
    /// `sexual`, `step` or `plan`.
    pub what: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub step: Option<String>,
    /// The state that ended, and the one that followed.
    pub was: String,
    pub then: String,
    /// When it began, if that was recorded, and when it ended.
    pub from: Option<NaiveDate>,
    pub until: NaiveDate,
    /// The sentence both partners read.
    pub text: String,
}

/// How open a state is: a change to a lower rank closes something.
fn rank(lib: &Library, what: &What, value: &str) -> Option<usize> {
    match what {
        What::Sexual => ["off", "on"].iter().position(|v| *v == value),
        What::Step(_) => ["not-in-plan", "talk-first", "in-plan"]
            .iter()
            .position(|v| *v == value),
        What::Plan if value == FINISHED => Some(usize::MAX),
        What::Plan => lib.steps.iter().position(|s| s.id == value),
    }
}

/// The traces to tell the couple of: each time something both had opened (sexual content on, a
/// step in the plan or to talk over, the plan moved on) closed again, whoever closed it. Only
/// steps the couple may see now are named; changes from a synced file that make no sense are
/// left out.
pub fn traces(lib: &Library, couple: &Couple, changes: &[Change]) -> Vec<Trace> {
    let visible: Vec<&str> = touch::visible_steps(lib, couple)
        .iter()
        .map(|s| s.id)
        .collect();
    let step_ok = |id: &str| id == FINISHED || visible.contains(&id);
    let mut out = Vec::new();
    for (i, c) in changes.iter().enumerate() {
        let Some(what) = c.subject() else { continue };
        let (Some(from), Some(to)) = (rank(lib, &what, &c.from), rank(lib, &what, &c.to)) else {
            continue;
        };
        let shown = match &what {
            What::Sexual => true,
            What::Step(id) => visible.contains(&id.as_str()),
            What::Plan => step_ok(&c.from) && step_ok(&c.to),
        };
        // Both devices may have recorded one change before either saw the other's record.
        let again = changes[..i]
            .iter()
            .any(|p| same_closing(p, &what, &c.from, &c.round));
        if to >= from || !shown || again {
            continue;
        }
        let began = changes[..i]
            .iter()
            .rev()
            .find(|p| p.subject().as_ref() == Some(&what) && p.to == c.from)
            .map(|p| p.date);
        let text = sentence(lib, &what, c, began);
        let (kind, step) = what.parts();
        out.push(Trace {
            what: kind,
            step,
            was: c.from.clone(),
            then: c.to.clone(),
            from: began,
            until: c.date,
            text,
        });
    }
    out
}

/// The traces that ended on or after `since`.
pub fn since(traces: Vec<Trace>, since: NaiveDate) -> Vec<Trace> {
    traces.into_iter().filter(|t| t.until >= since).collect()
}

fn step_name(lib: &Library, id: &str) -> String {
    match lib.step(id) {
        Some(s) => format!("{} ({})", s.title, s.id),
        None => id.to_owned(),
    }
}

fn sentence(lib: &Library, what: &What, c: &Change, began: Option<NaiveDate>) -> String {
    let when = match began {
        Some(b) if b == c.date => format!("For a while on {b}"),
        Some(b) => format!("From {b} to {}", c.date),
        None => format!("For a while until {}", c.date),
    };
    let state = |v: &str| match v {
        "in-plan" => "in your plan",
        "talk-first" => "to talk over first",
        _ => "not in your plan",
    };
    match what {
        What::Sexual => {
            format!("{when}, sexual content was on for both of you; then it was off again.")
        }
        What::Step(id) if c.to == "not-in-plan" => format!(
            "{when}, {} was {}; then it was not.",
            step_name(lib, id),
            state(&c.from)
        ),
        What::Step(id) => format!(
            "{when}, {} was {}; then it was {}.",
            step_name(lib, id),
            state(&c.from),
            state(&c.to)
        ),
        What::Plan if c.from == FINISHED => format!(
            "{when}, you had gone through every step in your plan; then the plan went back to {}.",
            step_name(lib, &c.to)
        ),
        What::Plan => format!(
            "{when}, the plan had moved on to {}; then it went back to {}.",
            step_name(lib, &c.from),
            step_name(lib, &c.to)
        ),
    }
}

#[cfg(test)]
mod tests;
