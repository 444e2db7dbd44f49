//! Restore: rebuilds a data folder from what a JSON export holds. Into an empty folder it
//! recreates every record, with its ID, history and dates; into a folder that already has
//! records it adds only what is missing and never changes a record that is there. An export is
//! a file anyone could have written and carries no signature, so a record in a partner's name
//! (a need they own, their answers, sessions, debriefs and holds) is added only when that
//! partner restores it; the others are left out and named. Two partners' exports, each restored
//! by its partner, make the whole couple again.

use crate::error::{Error, Next, Result};
use crate::ids::Id;
use crate::joint_changes::{self, Change};
use crate::needs::{self, Need};
use crate::profile::{self, CoupleFile, Partner};
use crate::prompts::{Answer, AnswerFile, answer_path};
use crate::store::{FORMAT_VERSION, Store};
use crate::touch::{self, Debrief, Hold, Session, State};
use chrono::{Datelike, NaiveDate};
use std::collections::BTreeMap;

/// One partner as an export names them; `sexual` only for the partner who exported.
#[derive(Debug, Clone)]
pub struct PartnerRecord {
    pub id: Id,
    pub name: String,
    pub conditions: Vec<String>,
    pub added: NaiveDate,
    pub sexual: Option<bool>,
}

/// Everything an export holds that is a record, as plain values.
#[derive(Debug, Clone, Default)]
pub struct Backup {
    /// The prompt rotation seed and the day the couple was set up (exports before version 2
    /// have neither).
    pub couple: Option<(u64, NaiveDate)>,
    /// The couple left out prompts that look years ahead.
    pub no_future_prompts: bool,
    pub partners: Vec<PartnerRecord>,
    pub needs: Vec<Need>,
    pub answers: Vec<(Id, Answer)>,
    pub holds: Vec<Hold>,
    /// Changes of the joint result (naming nobody).
    pub changes: Vec<Change>,
    pub sessions: Vec<(Id, Session)>,
    pub debriefs: Vec<(Id, Debrief)>,
    /// The exporting partner's own touch facts.
    pub mine: Option<State>,
}

/// A partner's consent facts in an export (their boundaries, readiness and body map, and an
/// opt-in) are restored only for the partner at the keyboard, once they have seen them and
/// said yes: an export is a file anyone could have written, and "here is our backup" must not
/// put a "yes" in someone's name.
impl Backup {
    /// The partners whose own consent facts this export carries.
    pub fn own_facts_of(&self) -> Vec<Id> {
        let mut who: Vec<Id> = (self.mine.iter().map(|m| m.partner.clone()))
            .chain(
                (self.partners.iter())
                    .filter(|p| p.sexual == Some(true))
                    .map(|p| p.id.clone()),
            )
            .collect();
        who.sort();
        who.dedup();
        who
    }

    /// Keeps the own consent facts of `who` only (nobody's with `None`): the others are left
    /// out, a partner added by the restore reading as not opted in.
    pub fn keep_own_facts_of(&mut self, who: Option<&Id>) {
        if self.mine.as_ref().is_some_and(|m| Some(&m.partner) != who) {
            self.mine = None;
        }
        for p in self.partners.iter_mut().filter(|p| Some(&p.id) != who) {
            p.sexual = None;
        }
    }

    /// What the own consent facts of `who` say, a line each, to be shown before they are
    /// recorded in their name; `title` names a step.
    pub fn own_facts_said(&self, who: &Id, title: impl Fn(&str) -> Option<String>) -> Vec<String> {
        let mut lines = Vec::new();
        if let Some(m) = self.mine.as_ref().filter(|m| &m.partner == who) {
            for answer in [touch::Answer::Yes, touch::Answer::Maybe, touch::Answer::No] {
                let steps: Vec<String> = (m.boundaries.iter())
                    .filter(|(_, a)| **a == answer)
                    .map(|(id, _)| title(id).map_or(id.clone(), |t| format!("{t} ({id})")))
                    .collect();
                if !steps.is_empty() {
                    lines.push(format!("{}: {}", crate::word(&answer), steps.join(", ")));
                }
            }
            if !m.body.is_empty() {
                lines.push(format!("body map: {} places marked", m.body.len()));
            }
            if !m.events.is_empty() {
                lines.push(format!(
                    "{} marks of readiness, stepping back or pausing",
                    m.events.len()
                ));
            }
        }
        if self
            .partners
            .iter()
            .any(|p| &p.id == who && p.sexual == Some(true))
        {
            lines.push("opted in to sexual content".to_owned());
        }
        lines
    }
}

/// A record in a partner's name, missing from the folder, that a restore by someone else left
/// out: nothing in an export proves who wrote it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LeftOut {
    /// The partner it names.
    pub partner: Id,
    /// "need", "answer", "session", "debrief" or "hold".
    pub kind: &'static str,
    /// Which one: the ID of a need, session or hold, the day of an answer or debrief.
    pub which: String,
}

/// What a restore did: per kind of record, how many were added and how many were there already;
/// and what it left out.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Report {
    pub counts: BTreeMap<&'static str, (usize, usize)>,
    pub left_out: Vec<LeftOut>,
}

impl Report {
    fn count(&mut self, kind: &'static str, added: bool) {
        let c = self.counts.entry(kind).or_default();
        if added {
            c.0 += 1;
        } else {
            c.1 += 1;
        }
    }

    pub fn added(&self) -> usize {
        self.counts.values().map(|c| c.0).sum()
    }

    /// Counts a record in `partner`'s name that only they may restore: there already, or left
    /// out.
    fn theirs(&mut self, kind: &'static str, there: bool, partner: &Id, which: String) {
        if there {
            self.count(kind, false);
        } else {
            self.left_out.push(LeftOut {
                partner: partner.clone(),
                kind: kind.trim_end_matches('s'),
                which,
            });
        }
    }
}

/// Writes `value` at `rel` unless a file is there already (which is left as it is); says
/// whether it wrote.
fn add_new<T>(store: &Store, rel: &str, value: T) -> Result<bool>
where
    T: serde::Serialize + serde::de::DeserializeOwned + crate::store::Versioned,
{
    if store.path(rel).exists() {
        return Ok(false);
    }
    let mut added = false;
    store.update::<T, _>(rel, |old| {
        Ok(old.unwrap_or_else(|| {
            added = true;
            value
        }))
    })?;
    Ok(added)
}

impl Backup {
    /// Every ID that reaches a path is an [`Id`], checked when the export was read; names are
    /// checked before anything is written.
    fn check(&self) -> Result<()> {
        for p in &self.partners {
            if p.name.trim().is_empty() {
                return Err(Error::refused(
                    format!("partner {} in the export has no name", p.id),
                    Next::NamedExport,
                ));
            }
        }
        Ok(())
    }
}

/// Adds to the folder every record of `b` that is not there yet; of those in a partner's name,
/// only `by`'s (the partner restoring, once the caller has made sure it is them). A seed is only
/// needed when the folder has no couple yet and the export carries none.
pub fn restore(
    store: &Store,
    b: &Backup,
    by: Option<&Id>,
    new_seed: impl FnOnce() -> u64,
) -> Result<Report> {
    b.check()?;
    let mut r = Report::default();
    let created = b
        .couple
        .map(|c| c.1)
        .or_else(|| b.partners.iter().map(|p| p.added).min());
    if let Some(created) = created {
        let seed = b.couple.map_or_else(new_seed, |c| c.0);
        let file = CoupleFile {
            extra: Default::default(),
            version: FORMAT_VERSION,
            seed,
            created,
            no_future_prompts: b.no_future_prompts,
        };
        let added = add_new(store, profile::COUPLE, file)?;
        r.count("couple", added);
    }
    for p in &b.partners {
        let partner = Partner {
            extra: Default::default(),
            version: FORMAT_VERSION,
            id: p.id.clone(),
            name: p.name.clone(),
            conditions: p.conditions.clone(),
            removed_conditions: Vec::new(),
            sexual: p.sexual.unwrap_or(false),
            added: p.added,
        };
        // Written as the folder keeps partners: in an encrypted one, the opt-in apart.
        let rel = profile::partner_path(&p.id);
        let added = !store.path(&rel).exists() && {
            let _lock = store.lock(profile::PARTNERS)?;
            let absent = !store.path(&rel).exists();
            if absent {
                crate::own_facts::write_partner(store, &partner)?;
            }
            absent
        };
        r.count("partners", added);
    }
    let (mine, theirs): (Vec<&Need>, Vec<&Need>) =
        b.needs.iter().partition(|n| Some(&n.owner) == by);
    for n in theirs {
        let there = store.path(&needs::path(&n.id)).exists();
        r.theirs("needs", there, &n.owner, n.id.to_string());
    }
    // One file per need, each written and synced on its own: several at a time, so that the
    // disk's waits overlap.
    let threads = std::thread::available_parallelism().map_or(4, |n| n.get().clamp(4, 16));
    let chunk = mine.len().div_ceil(threads).max(1);
    let results: Vec<Result<Vec<bool>>> = std::thread::scope(|scope| {
        let handles: Vec<_> = mine
            .chunks(chunk)
            .map(|part| {
                scope.spawn(move || {
                    part.iter()
                        .map(|n| add_new(store, &needs::path(&n.id), (*n).clone()))
                        .collect::<Result<Vec<bool>>>()
                })
            })
            .collect();
        handles
            .into_iter()
            .map(|h| h.join().expect("a restoring thread panicked"))
            .collect()
    });
    for added in results {
        for a in added? {
            r.count("needs", a);
        }
    }
    // Answers: one file per partner and year; an answer is there when its day is.
    let mut years: BTreeMap<(&Id, i32), Vec<&Answer>> = BTreeMap::new();
    for (who, a) in &b.answers {
        years.entry((who, a.date.year())).or_default().push(a);
    }
    for ((who, year), answers) in years {
        if Some(who) != by {
            let f = store.read::<AnswerFile>(&answer_path(who, year));
            let days: Vec<NaiveDate> = f.ok().flatten().map_or_else(Vec::new, |f| {
                (f.answers.iter().map(|a| a.date))
                    .chain(f.sealed.iter().map(|s| s.date))
                    .collect()
            });
            for a in answers {
                r.theirs("answers", days.contains(&a.date), who, a.date.to_string());
            }
            continue;
        }
        crate::answer_book::update(store, who, year, |have| {
            for a in answers {
                let added = !have.iter().any(|x| x.date == a.date);
                if added {
                    have.push(a.clone());
                }
                r.count("answers", added);
            }
            have.sort_by_key(|a| a.date);
            Ok(())
        })?;
    }
    for h in &b.holds {
        let rel = format!("{}/{}.json", touch::HOLDS, h.id);
        match h.by.as_deref().map(Id::parse) {
            Some(Ok(setter)) if Some(&setter) != by => {
                r.theirs(
                    "holds",
                    store.path(&rel).exists(),
                    &setter,
                    h.id.to_string(),
                );
            }
            _ => {
                let added = add_new(store, &rel, h.clone())?;
                r.count("holds", added);
            }
        }
    }
    for c in &b.changes {
        let added = add_new(store, &joint_changes::path(&c.id), c.clone())?;
        r.count("changes", added);
    }
    restore_sessions(store, b, by, &mut r)?;
    if let Some(mine) = &b.mine {
        restore_state(store, mine, &mut r)?;
    }
    Ok(r)
}

/// Sessions and debriefs: one file per partner; a session is there when its ID is, a debrief
/// when one on the same session written at the same moment is. Only `by`'s are added.
fn restore_sessions(store: &Store, b: &Backup, by: Option<&Id>, r: &mut Report) -> Result<()> {
    let mut by_partner: BTreeMap<&Id, (Vec<&Session>, Vec<&Debrief>)> = BTreeMap::new();
    for (who, s) in &b.sessions {
        by_partner.entry(who).or_default().0.push(s);
    }
    for (who, d) in &b.debriefs {
        by_partner.entry(who).or_default().1.push(d);
    }
    for (who, (sessions, debriefs)) in by_partner {
        if Some(who) != by {
            let have = crate::own_facts::load_sessions(store, who).ok().flatten();
            let have = have.unwrap_or_else(|| touch::Sessions::new(who));
            for s in sessions {
                let there = have.sessions.iter().any(|x| x.id == s.id);
                r.theirs("sessions", there, who, s.id.to_string());
            }
            for d in debriefs {
                let there = (have.debriefs.iter()).any(|x| x.session == d.session && x.at == d.at);
                r.theirs("debriefs", there, who, d.date.to_string());
            }
            continue;
        }
        touch::update_sessions(store, who, |f| {
            for s in sessions {
                let added = !f.sessions.iter().any(|x| x.id == s.id);
                if added {
                    f.sessions.push(s.clone());
                }
                r.count("sessions", added);
            }
            for d in debriefs {
                let added = !f
                    .debriefs
                    .iter()
                    .any(|x| x.session == d.session && x.at == d.at);
                if added {
                    f.debriefs.push(d.clone());
                }
                r.count("debriefs", added);
            }
            f.sessions.sort_by_key(|s| s.at);
            f.debriefs.sort_by_key(|d| d.at);
            Ok(())
        })?;
    }
    Ok(())
}

/// The exporter's own boundaries, body map and marks: what is missing is added, nothing there
/// is changed. The body map is published again for both.
fn restore_state(store: &Store, mine: &State, r: &mut Report) -> Result<()> {
    let s = store.update::<State, _>(&touch::state_path(&mine.partner), |old| {
        let Some(mut s) = old else {
            r.count("touch facts", true);
            return Ok(mine.clone());
        };
        let before = s.clone();
        for (k, v) in &mine.boundaries {
            s.boundaries.entry(k.clone()).or_insert(*v);
        }
        for (k, v) in &mine.body {
            s.body.entry(k.clone()).or_insert_with(|| v.clone());
        }
        for e in &mine.events {
            if !s.events.contains(e) {
                s.events.push(e.clone());
            }
        }
        s.events.sort_by_key(|e| e.at);
        s.help_shown.extend(mine.help_shown.iter().cloned());
        r.count("touch facts", s != before);
        Ok(s)
    })?;
    crate::body_map::publish(store, &s)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_export_without_names_is_refused_with_what_to_restore_instead() {
        let b = Backup {
            partners: vec![PartnerRecord {
                id: "abcd".parse().unwrap(),
                name: " ".into(),
                conditions: vec![],
                added: NaiveDate::from_ymd_opt(2026, 3, 1).unwrap(),
                sexual: None,
            }],
            ..Backup::default()
        };
        let e = b.check().unwrap_err();
        assert!(
            matches!(
                e,
                Error::Refused {
                    next: Next::NamedExport,
                    ..
                }
            ),
            "{e:?}"
        );
        assert!(!e.to_string().contains("--"), "{e}");
    }

    #[test]
    fn only_the_kept_partners_consent_facts_stay_and_what_they_say_is_listed() {
        let (a, b): (Id, Id) = (
            "alex00000001".parse().unwrap(),
            "sam000000002".parse().unwrap(),
        );
        let partner = |id: &Id, sexual| PartnerRecord {
            id: id.clone(),
            name: id.to_string(),
            conditions: vec![],
            added: NaiveDate::from_ymd_opt(2026, 3, 1).unwrap(),
            sexual,
        };
        let mut mine = State::new(&b);
        mine.boundaries
            .insert("s0-hold-hands".into(), touch::Answer::Yes);
        mine.boundaries
            .insert("s1-massage".into(), touch::Answer::No);
        let backup = Backup {
            partners: vec![partner(&a, Some(false)), partner(&b, Some(true))],
            mine: Some(mine),
            ..Backup::default()
        };
        assert_eq!(backup.own_facts_of(), std::slice::from_ref(&b));
        let said = backup.own_facts_said(&b, |id| {
            (id == "s0-hold-hands").then(|| "Hold hands".into())
        });
        assert_eq!(
            said,
            [
                "yes: Hold hands (s0-hold-hands)",
                "no: s1-massage",
                "opted in to sexual content"
            ]
        );
        for who in [None, Some(&a)] {
            let mut kept = backup.clone();
            kept.keep_own_facts_of(who);
            assert!(
                kept.mine.is_none() && kept.own_facts_of().is_empty(),
                "{who:?}"
            );
        }
        let mut kept = backup.clone();
        kept.keep_own_facts_of(Some(&b));
        assert_eq!(kept.own_facts_of(), [b]);
        assert!(kept.mine.is_some());
    }
}
