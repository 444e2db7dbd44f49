//! The touch plan through the joint rounds: on a device that holds its own partner's key but not
//! the other partner's, the other partner's touch facts and opt-in are never read; what the two
//! devices computed together stands in for them (see `closer_core::joint`).

use crate::Context;
use chrono::NaiveDate;
use closer_core::content::Library;
use closer_core::crypto::PublicKeys;
use closer_core::joint::memo::Memo;
use closer_core::joint::round::{self, Party, Places};
use closer_core::joint::touch::{Closing, JointOptIn, Unfinished, opt_in, view};
use closer_core::joint_changes::{self, Snapshot, What};
use closer_core::open_cache;
use closer_core::profile::{Couple, Partner};
use closer_core::store::{Store, write_atomic};
use closer_core::touch::{self, Hold, State};
use closer_core::{Result, body_map};
use std::collections::BTreeMap;

/// What the joint rounds said on this run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Rounds {
    /// This device reads both partners' facts (a plain folder on one device, a shared device with
    /// both keys, or a couple of one): no rounds.
    NotUsed,
    /// The latest rounds are finished on this device.
    Settled,
    /// A round is under way: the plan moves once the other device has taken its turn.
    Waiting,
}

/// The opt-in exchange a run took its turn of: the partner it was for, their own opt-in then, and
/// what it said.
pub(crate) type OptInFound = (String, bool, JointOptIn);

/// Said under the plan while a round is under way; the same whatever either of you chose.
pub const WAITING: &str =
    "Waiting for the other device: your plan moves once it has taken its turn with closer.";

impl Context {
    /// Every partner's touch facts as this device may know them, and the holds. On a device that
    /// holds the viewing partner's key but not the other partner's (and both have published
    /// keys), this device takes its turn of the joint rounds, and what is joint stands in for
    /// the other partner's answers, readiness and opt-in (in `couple`), and their body map, which
    /// the tools show to both, comes from its published copy (see [`body_map::load`]), never
    /// from their state file's answers. A state of a partner whose key this device holds that an earlier
    /// closer sealed to both is sealed to its owner alone first. Files that fail a check are
    /// reported once, like any record.
    pub fn touch_facts(&self, couple: &mut Couple) -> Result<(Vec<State>, Vec<Hold>, Rounds)> {
        let Some((me, other, theirs)) = self.joint_partners(couple)? else {
            self.settle_touch_states(couple)?;
            let (states, holds) = touch::load_facts(&self.store, couple)?;
            return Ok((states, holds, Rounds::NotUsed));
        };
        let keys = self.unlock(&me)?;
        let mut memo = self.joint_memo(&me.id, &keys.public().age);
        match &mut memo {
            Some(m) => m.settle(&self.store, &me.id)?,
            None => body_map::settle(&self.store, &me.id)?,
        }
        let holds = self.store.read_all::<Hold>(touch::HOLDS)?;
        let mine = touch::load_state(&self.store, &me.id)?;
        let body_only = State {
            body: body_map::load(&self.store, &other.id).unwrap_or_else(|e| {
                self.store
                    .note_left_out(&self.store.path(&body_map::path(&other.id)), &e.to_string());
                Default::default()
            }),
            ..State::new(&other.id)
        };
        let mut states: Vec<State> = couple
            .partners
            .iter()
            .map(|p| {
                if p.id == me.id {
                    mine.clone()
                } else {
                    body_only.clone()
                }
            })
            .collect();
        if self.accepted_elsewhere(&me.id, &other.id, &theirs) {
            return Ok((states, holds, Rounds::Waiting));
        }
        let party = Party {
            me: &me.id,
            keys: &keys,
            other: &other.id,
            theirs: &theirs,
        };
        let places = Places {
            data: self.store.root(),
            config: &self.config_dir,
        };
        // The opt-in exchange already run for this partner, with the opt-in they have now.
        let found = self.opt_in_found.borrow().clone();
        let optin = found
            .filter(|(who, opted, _)| *who == me.id.as_str() && *opted == me.sexual)
            .map(|(_, _, o)| o);
        let (lib, optin) = (self.library()?, optin.as_ref());
        let v = match &mut memo {
            Some(m) => {
                let mine_from = m.own_state(&self.store, &me.id);
                let v = m.view(
                    places,
                    &party,
                    lib,
                    couple,
                    &mine,
                    mine_from.as_deref(),
                    &holds,
                    self.today,
                    self.now,
                    optin,
                )?;
                m.save();
                v
            }
            None => view(
                places, &party, lib, couple, &mine, &holds, self.today, self.now, optin,
            )?,
        };
        self.keep_joint_memo(memo);
        self.round_problems(&v.problems);
        self.closed(&v.closings, &v.unfinished, &me.id, &other.id)?;
        *self.joint_rounds.borrow_mut() = v.rounds.clone();
        v.apply(couple, &mut states);
        let rounds = if v.waiting {
            Rounds::Waiting
        } else {
            Rounds::Settled
        };
        Ok((states, holds, rounds))
    }

    /// Puts what both opted in to in place of the other partner's own opt-in, which this device
    /// cannot read, on a device that holds one partner's key, unlocked, and not the other's (a
    /// plain folder, a device with both keys or a couple of one reads every opt-in as it is):
    /// this device takes its turn of the opt-in exchange. Returns whether it did.
    pub fn joint_opt_in(&self, couple: &mut Couple) -> Result<bool> {
        let Some(sealing) = self.store.sealing() else {
            return Ok(false);
        };
        if couple.partners.len() != 2 {
            return Ok(false);
        }
        let held: Vec<usize> = (0..2)
            .filter(|&i| sealing.holds(&couple.partners[i].id))
            .collect();
        let [me_at] = held[..] else {
            return Ok(false);
        };
        let (me, other) = (&couple.partners[me_at], &couple.partners[1 - me_at]);
        let (Some(keys), Some(theirs)) = (sealing.keys(&me.id), self.public_keys(other)?) else {
            return Ok(false);
        };
        if self.accepted_elsewhere(&me.id, &other.id, &theirs) {
            return Ok(false);
        }
        let party = Party {
            me: &me.id,
            keys: &keys,
            other: &other.id,
            theirs: &theirs,
        };
        let places = Places {
            data: self.store.root(),
            config: &self.config_dir,
        };
        let mut memo = self.joint_memo(&me.id, &keys.public().age);
        let joint = match &mut memo {
            Some(m) => {
                let joint = m.opt_in(places, &party, me.sexual)?;
                m.save();
                joint
            }
            None => opt_in(places, &party, me.sexual)?,
        };
        self.keep_joint_memo(memo);
        self.round_problems(&joint.problems);
        self.closed(&joint.closings, &joint.unfinished, &me.id, &other.id)?;
        self.note_opt_in_opened(&me.id, joint.both)?;
        let found = (me.id.to_string(), me.sexual);
        couple.partners[1 - me_at].sexual = joint.both;
        *self.opt_in_found.borrow_mut() = Some((found.0, found.1, joint));
        Ok(true)
    }

    /// Seals each touch state an earlier closer sealed to both partners to its owner alone, for
    /// every partner whose key this device holds (see [`body_map::settle`]).
    fn settle_touch_states(&self, couple: &Couple) -> Result<()> {
        let Some(sealing) = self.store.sealing() else {
            return Ok(());
        };
        for p in couple.partners.iter().filter(|p| sealing.holds(&p.id)) {
            body_map::settle(&self.store, &p.id)?;
        }
        Ok(())
    }

    /// Reports the round files that failed a check (left out), and this device's own
    /// publication deleted from the folder (written again, not left out).
    fn round_problems(&self, problems: &[(std::path::PathBuf, String)]) {
        for (path, why) in problems {
            if self.written_before_new_key(path) {
                continue;
            }
            if why == round::WRITTEN_AGAIN {
                self.store.note(path, format!("{}: {why}", path.display()));
            } else {
                self.store.note_left_out(path, why);
            }
        }
    }

    /// Records the joint results this run saw close (once, whichever device saw them first)
    /// and tells this device's partner of each round the other device moved on from without
    /// its turn: shortly at first, and from [`HELD_BACK_AFTER_DAYS`] days after this device
    /// first saw it so, with what they chose in it (never what the other chose).
    fn closed(
        &self,
        closings: &[Closing],
        unfinished: &[Unfinished],
        me: &str,
        other: &str,
    ) -> Result<()> {
        let keyed: Vec<joint_changes::Keyed> = closings
            .iter()
            .map(|c| {
                (
                    c.what.clone(),
                    c.from.clone(),
                    c.to.clone(),
                    Some(c.round.clone()),
                )
            })
            .collect();
        joint_changes::record_keyed(&self.store, &keyed, self.today, self.now)?;
        if unfinished.is_empty() {
            return Ok(());
        }
        let lib = self.library()?;
        let seen = self.open_rounds_seen(me, unfinished)?;
        for (u, since) in unfinished.iter().zip(seen) {
            let path = self.store.root().join(round::place(u.topic, other));
            let days = (self.today - since).num_days();
            self.store.note(&path, unfinished_note(lib, u, days));
            if u.forgotten {
                self.keep_let_go(me, u.topic, &u.round)?;
            }
        }
        Ok(())
    }

    /// The day this device first saw each round of `unfinished` left open by the other device,
    /// kept in its config folder (`joint/ME/open-since.json`: rounds and days only). A round
    /// still open is kept however long; one no longer open is forgotten 90 days after it was
    /// first seen.
    fn open_rounds_seen(&self, me: &str, unfinished: &[Unfinished]) -> Result<Vec<NaiveDate>> {
        let path = self
            .config_dir
            .join("joint")
            .join(me)
            .join("open-since.json");
        let mut since: BTreeMap<String, NaiveDate> = std::fs::read(&path)
            .ok()
            .and_then(|b| serde_json::from_slice(&b).ok())
            .unwrap_or_default();
        let before = since.clone();
        let today = self.today;
        let keys: Vec<String> = unfinished
            .iter()
            .map(|u| format!("{}:{}", u.topic, u.round))
            .collect();
        since.retain(|k, d| keys.contains(k) || (today - *d).num_days() <= 90);
        // A first sight dated after today (a clock that was ahead, a look ahead with --date)
        // counts from today, or the note would stay quiet until that day.
        let days = keys
            .into_iter()
            .map(|k| {
                let d = since.entry(k).or_insert(today);
                *d = (*d).min(today);
                *d
            })
            .collect();
        if since != before {
            if let Some(dir) = path.parent() {
                Store::new(dir).ensure_dir("")?;
            }
            let bytes = serde_json::to_vec(&since)
                .map_err(|e| closer_core::Error::invalid(e.to_string()))?;
            write_atomic(&path, &bytes)?;
        }
        Ok(days)
    }

    /// Runs one of the partner's own actions, recording any change of the joint result it made
    /// so that both partners see it afterwards (never who made it): the joint result before and
    /// after as this device may know it (see [`Context::touch_facts`]).
    pub fn recorded<T>(&self, action: impl FnOnce() -> Result<T>) -> Result<T> {
        let lib = self.library()?;
        let snapshot =
            || -> Result<Snapshot> {
                let mut couple = self.couple()?;
                let (states, holds, _) = self.touch_facts(&mut couple)?;
                let plan = touch::derive(lib, &couple, &states, &holds, self.today);
                let rounds = self.joint_rounds.borrow().clone();
                Ok(Snapshot::from_joint(&plan, couple.sexual_ok())
                    .in_rounds(rounds.plan, rounds.optin))
            };
        joint_changes::around_with(&self.store, snapshot, self.today, self.now, action)
    }

    /// Records, once, that sexual content turned on for both: the device that first sees the
    /// exchange say so (unless the other device already recorded it), so that when it turns off
    /// again both are told from when it was on. Turning off is recorded by the device of the
    /// partner who opted out. This device remembers whether it last saw it on.
    fn note_opt_in_opened(&self, me: &str, on: bool) -> Result<()> {
        let seen = self.config_dir.join("joint").join(me).join("optin-on");
        if on == seen.exists() {
            return Ok(());
        }
        if !on {
            return std::fs::remove_file(&seen).map_err(|e| closer_core::Error::io(&seen, e));
        }
        let latest = joint_changes::load(&self.store)?
            .into_iter()
            .rev()
            .find(|c| c.subject() == Some(What::Sexual));
        if latest.is_none_or(|c| c.to != "on") {
            let change = (What::Sexual, "off".to_owned(), "on".to_owned());
            joint_changes::record(&self.store, &[change], self.today, self.now)?;
        }
        if let Some(dir) = seen.parent() {
            Store::new(dir).ensure_dir("")?;
        }
        write_atomic(&seen, b"")
    }

    /// The memo of the joint rounds of partner `me` (see [`closer_core::joint::memo`]): kept in
    /// the cache folder of their key, only while it has no passphrase (it goes when one is set).
    /// Read once a run: the opt-in exchange and the view use the same.
    fn joint_memo(&self, me: &str, reader: &str) -> Option<Memo> {
        let dir = open_cache::dir(self.cache_dir.as_ref()?, &self.store, me);
        if !self.opened.borrow().iter().any(|c| c.dir() == dir) {
            return None;
        }
        let path = dir.join("joint-view");
        let kept = self.joint_memo.borrow_mut().take();
        kept.filter(|m| m.is_at(&path, reader))
            .or_else(|| Some(Memo::load(path, reader, std::time::SystemTime::now())))
    }

    /// Keeps `memo`, saved, for the next use in this run.
    fn keep_joint_memo(&self, memo: Option<Memo>) {
        if memo.is_some() {
            *self.joint_memo.borrow_mut() = memo;
        }
    }

    /// The viewing partner, the other partner and their public keys, when the touch plan goes
    /// through the joint rounds on this device.
    fn joint_partners(&self, couple: &Couple) -> Result<Option<(Partner, Partner, PublicKeys)>> {
        if couple.partners.len() != 2 {
            return Ok(None);
        }
        let Some(me) = self.viewer(couple)?.cloned() else {
            return Ok(None);
        };
        let Some(other) = couple.partners.iter().find(|p| p.id != me.id).cloned() else {
            return Ok(None);
        };
        if self.holds_key(&other) {
            return Ok(None);
        }
        Ok(self.public_keys(&other)?.map(|theirs| (me, other, theirs)))
    }
}

/// How many days after this device first saw a round left open by the other device the note
/// names what that device may have learnt. Sync tools bring a file over in minutes or hours, and
/// a device that moved on has run closer; its next run after syncing takes its turn of the
/// round. So for the first days the note only says that a round is still open; from then on
/// ordinary lag is unlikely.
pub const HELD_BACK_AFTER_DAYS: i64 = 3;

/// What this partner is told of a round the other device moved on from without its turn,
/// `days` after this device first saw it so: at first that it is still open and closes by
/// itself; from [`HELD_BACK_AFTER_DAYS`] on, what the other device may have learnt (the steps,
/// the readiness, the opt-in this partner chose then) and this one has not. A round no longer
/// kept open (past [`round::MOST_OPEN`]) is said so at once, with the same.
fn unfinished_note(lib: &Library, u: &Unfinished, days: i64) -> String {
    if !u.forgotten && days < HELD_BACK_AFTER_DAYS {
        return "The other device changed something before your device's last turn reached it, \
                so one round is still open. It closes by itself once that device has synced \
                and run closer again."
            .to_owned();
    }
    let what = match u.topic {
        "optin" | "ready" => crate::rounds_let_go::what(u.topic).to_owned(),
        _ if u.items.is_empty() => {
            "that none of the steps it said yes or maybe to then had your yes or maybe".to_owned()
        }
        _ => {
            let steps: Vec<String> = u
                .items
                .iter()
                .map(|id| match lib.step(id) {
                    Some(s) => format!("{} ({})", s.title, s.id),
                    None => id.clone(),
                })
                .collect();
            format!(
                "{}: {}",
                crate::rounds_let_go::what(u.topic),
                steps.join(", ")
            )
        }
    };
    if u.forgotten {
        return crate::rounds_let_go::note(&what);
    }
    format!(
        "A round your device took its turn in has been left open by the other device for {days} \
         days. That device may have learnt {what}; this one has not seen what was joint then. \
         If it has synced and run closer in that time, it is holding the round back."
    )
}
