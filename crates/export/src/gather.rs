//! Collects what the partner at the keyboard may see, filtered as asked: private records only
//! for their author, sexual content only for a couple who both opted in, the other partner's
//! boundaries and readiness never (the plan comes from the joint rounds on a device holding only
//! its own partner's key).

use crate::redact::{self, Redactor};
use chrono::NaiveDate;
use closer_cli::Context;
use closer_core::Result;
use closer_core::answer_rules;
use closer_core::content::Library;
use closer_core::joint_changes::{self, Change, Trace};
use closer_core::needs::{self, Need};
use closer_core::profile::{Couple, Partner};
use closer_core::prompts::{Answer, all_answers};
use closer_core::touch::{self, Debrief, Hold, Plan, Session, State};
use std::collections::{HashMap, HashSet};

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Kind {
    Needs,
    Touch,
    Prompts,
}

/// The validated filters.
#[derive(Debug, Clone)]
pub struct Filters {
    pub only: Vec<Kind>,
    pub since: Option<NaiveDate>,
    pub until: Option<NaiveDate>,
    pub by: Option<String>,
    pub redact: bool,
    /// Nothing private (implied by `redact`).
    pub shared_only: bool,
}

impl Filters {
    pub fn wants(&self, k: Kind) -> bool {
        self.only.is_empty() || self.only.contains(&k)
    }
    fn in_range(&self, d: NaiveDate) -> bool {
        self.since.is_none_or(|s| d >= s) && self.until.is_none_or(|u| d <= u)
    }
    fn by_ok(&self, partner: &str) -> bool {
        self.by.as_deref().is_none_or(|b| b == partner)
    }
}

pub struct Data<'a> {
    pub lib: &'a Library,
    pub today: NaiveDate,
    pub couple: Couple,
    pub viewer: Option<Partner>,
    names: HashMap<String, String>,
    pub needs: Vec<Need>,
    pub answers: Vec<(String, Answer)>,
    /// The viewer's own passes (not in `redacted` exports): only the lossless JSON holds them,
    /// so that a restore lets the viewer read the other's answer of those days again.
    pub passes: Vec<(String, Answer)>,
    pub sessions: Vec<(String, Session)>,
    pub debriefs: Vec<(String, Debrief)>,
    /// Positions in `debriefs` by session ID.
    by_session: HashMap<String, Vec<usize>>,
    pub holds: Vec<Hold>,
    /// Changes of the joint result, as recorded (naming nobody), and the times something was on
    /// for both and then off again, as both partners read them.
    pub changes: Vec<Change>,
    pub traces: Vec<Trace>,
    pub own_state: Option<State>,
    pub plan: Option<Plan<'a>>,
    /// Names replaced and private records left out (`--redact-names`).
    pub redacted: bool,
}

impl Data<'_> {
    /// A partner's name as the export shows it (or "Partner A" with --redact-names).
    pub fn name(&self, id: &str) -> &str {
        self.names
            .get(id)
            .map_or(closer_core::profile::REMOVED_PARTNER, String::as_str)
    }

    /// The debriefs on one session, with the partner who wrote each.
    pub fn debriefs_of(&self, session: &str) -> impl Iterator<Item = &(String, Debrief)> {
        self.by_session
            .get(session)
            .into_iter()
            .flatten()
            .map(|&i| &self.debriefs[i])
    }

    fn index_debriefs(&mut self) {
        self.by_session.clear();
        for (i, (_, d)) in self.debriefs.iter().enumerate() {
            self.by_session
                .entry(d.session.to_string())
                .or_default()
                .push(i);
        }
    }

    /// Leaves out everything private: private needs and debriefs, and the exporter's own
    /// boundaries and body map.
    pub fn drop_private(&mut self) {
        self.needs.retain(|n| !n.private);
        self.debriefs.retain(|(_, d)| !d.private);
        self.index_debriefs();
        self.own_state = None;
    }

    pub fn step_title(&self, id: &str) -> String {
        self.lib
            .step(id)
            .map_or_else(|| id.to_owned(), |s| s.title.to_owned())
    }
}

pub fn gather<'a>(ctx: &'a Context, f: &Filters) -> Result<Data<'a>> {
    let lib = ctx.library()?;
    let store = &ctx.store;
    let couple = ctx.couple()?;
    let viewer = ctx.viewer(&couple)?.cloned();
    let me = viewer.as_ref().map(|p| p.id.clone());
    let names = couple
        .partners
        .iter()
        .enumerate()
        .map(|(i, p)| {
            let shown = if f.redact {
                format!("Partner {}", (b'A' + (i % 26) as u8) as char)
            } else {
                p.name.clone()
            };
            (p.id.to_string(), shown)
        })
        .collect();
    let sexual_ok = couple.sexual_ok();
    let step_ok = |id: &str| sexual_ok || lib.step(id).is_none_or(|s| !lib.step_is_sexual(s));
    let sexual_prompts: HashSet<&str> = lib
        .prompts
        .iter()
        .filter(|p| p.sexual)
        .map(|p| p.id)
        .collect();
    let prompt_ok = |id: &str| sexual_ok || !sexual_prompts.contains(id);

    let mut data = Data {
        lib,
        today: ctx.today,
        viewer,
        names,
        needs: Vec::new(),
        answers: Vec::new(),
        passes: Vec::new(),
        sessions: Vec::new(),
        debriefs: Vec::new(),
        by_session: HashMap::new(),
        holds: Vec::new(),
        changes: Vec::new(),
        traces: Vec::new(),
        own_state: None,
        plan: None,
        redacted: f.redact,
        couple: Couple::default(),
    };
    // The answers are the largest read: they load on another thread while this one reads the rest.
    let answers = std::thread::scope(|scope| {
        let answers = f
            .wants(Kind::Prompts)
            .then(|| scope.spawn(|| all_answers(store, f.since, f.until)));
        read_needs_and_touch(ctx, f, &couple, me.as_deref(), &step_ok, &mut data)?;
        answers
            .map(|h| h.join().expect("the reading thread panicked"))
            .transpose()
    })?;
    if let Some(a) = answers {
        // Nobody goes first: another partner's answer reads only once the viewer took their turn.
        let (passes, answers) = answer_rules::for_viewer(a, me.as_deref())
            .into_iter()
            .filter(|(who, a)| f.by_ok(who) && prompt_ok(&a.prompt))
            .partition(|(_, a)| a.passed);
        data.answers = answers;
        data.passes = passes
            .into_iter()
            .filter(|(who, _)| !f.redact && me.as_deref() == Some(who.as_str()))
            .collect();
    }
    if f.redact {
        let mut names: Vec<(String, String)> = couple
            .partners
            .iter()
            .map(|p| (p.name.clone(), data.name(&p.id).to_owned()))
            .collect();
        names.extend(
            Redactor::helpers(&data)
                .into_iter()
                .map(|h| (h, redact::HELPER.to_owned())),
        );
        Redactor::new(names).apply(&mut data);
    } else if f.shared_only {
        data.drop_private();
    }
    data.couple = couple;
    Ok(data)
}

fn read_needs_and_touch(
    ctx: &Context,
    f: &Filters,
    couple: &Couple,
    me: Option<&str>,
    step_ok: &dyn Fn(&str) -> bool,
    data: &mut Data,
) -> Result<()> {
    let store = &ctx.store;
    if f.wants(Kind::Needs) {
        data.needs = needs::load_all(store)?
            .into_iter()
            .filter(|n| n.visible_to(me) && f.by_ok(&n.owner))
            .filter(|n| n.history.iter().any(|c| f.in_range(c.date)) || f.in_range(n.created))
            .collect();
    }
    if f.wants(Kind::Touch) && !couple.is_empty() {
        // The plan as this device may know it: on a device holding only its own partner's key,
        // from the joint rounds, never from the other partner's state.
        let mut joint = couple.clone();
        let (states, holds, _) = ctx.touch_facts(&mut joint)?;
        let (mut sessions, mut debriefs) = (Vec::new(), Vec::new());
        // Removed partners' sessions and debriefs too: removing a partner never hides them.
        for id in touch::partners_with_sessions(store)? {
            let s = touch::load_sessions(store, &id)?;
            sessions.extend(
                s.sessions
                    .into_iter()
                    .filter(|x| step_ok(&x.step))
                    .map(|x| (id.to_string(), x)),
            );
            debriefs.extend(
                s.debriefs
                    .into_iter()
                    .filter(|d| (!d.private || me == Some(id.as_str())) && step_ok(&d.step))
                    .map(|d| (id.to_string(), d)),
            );
        }
        // A session and the debriefs on it stay together: the session is kept when it or any
        // debrief on it is asked for, and then with every debrief on it.
        let asked = |who: &str, day: NaiveDate| f.in_range(day) && f.by_ok(who);
        let debriefed: HashSet<&str> = debriefs
            .iter()
            .filter(|(by, d)| asked(by, d.date))
            .map(|(_, d)| d.session.as_str())
            .collect();
        let kept: HashSet<closer_core::ids::Id> = sessions
            .iter()
            .filter(|(who, x)| asked(who, x.date) || debriefed.contains(x.id.as_str()))
            .map(|(_, x)| x.id.clone())
            .collect();
        drop(debriefed);
        let all: HashSet<&str> = sessions.iter().map(|(_, x)| x.id.as_str()).collect();
        debriefs.retain(|(by, d)| {
            kept.contains(&d.session) || (!all.contains(d.session.as_str()) && asked(by, d.date))
        });
        sessions.retain(|(_, x)| kept.contains(&x.id));
        data.sessions = sessions;
        data.debriefs = debriefs;
        data.sessions
            .sort_by(|a, b| (a.1.at, &a.0).cmp(&(b.1.at, &b.0)));
        data.debriefs
            .sort_by(|a, b| (a.1.at, &a.0).cmp(&(b.1.at, &b.0)));
        data.index_debriefs();
        data.own_state = me
            .and_then(|m| states.iter().find(|s| s.partner == m))
            .cloned()
            .map(|mut s| {
                s.boundaries.retain(|k, _| step_ok(k));
                s.events.retain(
                    |e| !matches!(&e.kind, touch::EventKind::Ready { step } if !step_ok(step)),
                );
                s.help_shown.retain(|k| step_ok(k));
                s
            });
        data.plan = Some(touch::derive(data.lib, &joint, &states, &holds, data.today));
        data.holds = holds;
        let mut changes = joint_changes::load(store)?;
        changes.retain(|c| {
            c.step.as_deref().is_none_or(step_ok)
                && (c.what != "plan"
                    || [&c.from, &c.to]
                        .iter()
                        .all(|v| *v == "finished" || step_ok(v)))
        });
        data.traces = joint_changes::traces(data.lib, couple, &changes);
        data.changes = changes;
    }
    Ok(())
}

/// Answers filed together: the same day and the same prompt (after `--skip`, `--energy low` or
/// `--prompt` the two partners may have answered different prompts).
pub fn same_prompt(a: &(String, Answer), b: &(String, Answer)) -> bool {
    a.1.date == b.1.date && a.1.prompt == b.1.prompt
}
