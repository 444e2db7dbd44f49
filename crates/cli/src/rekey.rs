//! A partner's new key, after their key was lost with every copy (see
//! [`closer_core::rekey`]): the other device, on `couple keys accept`, encrypts what the couple
//! shares to it again and hands over what it vouches for; the new key's device takes that once,
//! signs again what is its own, and says once what stayed locked to the lost key.

use crate::Context;
use closer_core::crypto::{Keys, PublicKeys};
use closer_core::error::{Error, Result};
use closer_core::profile::{Couple, Partner};
use closer_core::rekey::{self, Handover};
use closer_core::sealing::Sealing;
use closer_core::store::FORMAT_VERSION;

impl Context {
    /// The previous keys this device knows, and what it vouches was signed with them.
    pub(crate) fn vouch_replaced(&self, s: &mut Sealing) -> Result<()> {
        for (id, r) in rekey::load(&self.config_dir)?.partners {
            s.vouch(&id, r.previous, &r.vouched);
        }
        Ok(())
    }

    /// On accepting `p`'s new keys `new` in place of `old` in an encrypted folder: encrypts what
    /// the couple shares to them again (as it was signed), vouches for what `old` signed, pins
    /// `new`, and writes the hand-over for `p`'s new device. Without a key of the other partner
    /// here, it only pins.
    pub(crate) fn accept_new_key(
        &self,
        couple: &Couple,
        p: &Partner,
        old: &PublicKeys,
        new: &PublicKeys,
    ) -> Result<()> {
        let id = p.id.as_str();
        let me = couple
            .partners
            .iter()
            .find(|q| q.id != p.id && self.holds_key(q));
        let (Some(me), Some(_)) = (me, self.store.sealing()) else {
            return closer_core::crypto::pins::accept_pin(&self.config_dir, id, new);
        };
        let keys = self.unlock(me)?;
        let Some(before) = self.store.sealing() else {
            return Ok(());
        };
        // Another device of `me` that accepted the same key already says, in its hand-over
        // (signed with `me`'s key), what it vouched for and sealed to the new key: believed here
        // too, and not encrypted again, nor its answers handed over again.
        let place = rekey::handover_place(me.id.as_str());
        let earlier = self
            .store
            .read::<Handover>(&format!("{place}.json"))
            .ok()
            .flatten()
            .filter(|h| h.partner == id && h.previous == *old && h.new == *new);
        let done = earlier
            .as_ref()
            .map(|h| h.vouched.clone())
            .unwrap_or_default();
        let mut vouched = rekey::reencrypt_shared(
            &self.store,
            &before,
            (me.id.as_str(), &keys),
            id,
            new,
            &done,
        )?;
        let answers = match &earlier {
            Some(h) => h.answers.clone(),
            None => {
                let (answers_vouched, answers) = closer_core::answer_rekey::hand_over(
                    &self.store,
                    &before,
                    (me.id.as_str(), &keys),
                    &p.id,
                    new,
                )?;
                vouched.extend(answers_vouched);
                answers
            }
        };
        if earlier.is_some() {
            // What the lost key signed since the other device accepted is not vouched for: it
            // may be whoever found the lost key writing in the partner's name.
            vouched.retain(|t| done.contains(t));
        }
        vouched.extend(done);
        // What was vouched for is kept before the pin moves: a run cut short here is run again.
        let mut r = rekey::load(&self.config_dir)?;
        let entry = r
            .partners
            .entry(id.to_owned())
            .or_insert_with(|| rekey::Replaced {
                previous: old.clone(),
                vouched: Default::default(),
                taken: true,
                known: rekey::Known::Own,
            });
        entry.previous = old.clone();
        entry.known = rekey::Known::Own;
        entry.vouched.extend(vouched.iter().cloned());
        rekey::save(&self.config_dir, &mut r)?;
        closer_core::crypto::pins::accept_pin(&self.config_dir, id, new)?;
        // From now on: the new keys to seal to, and the previous ones for what was vouched.
        let mut s = self.device_sealing()?;
        s.hold(&me.id, keys);
        s.act_as(&me.id);
        self.store.set_sealing(Some(s));
        if earlier.is_none() {
            self.store.ensure_dir(rekey::FOLDER)?;
            let _lock = self.store.lock(rekey::FOLDER)?;
            self.store.write(
                &format!("{place}.json"),
                &Handover {
                    version: FORMAT_VERSION,
                    partner: id.to_owned(),
                    previous: old.clone(),
                    new: new.clone(),
                    vouched,
                    answers,
                },
            )?;
        }
        closer_core::answer_book::reveal_again(&self.store, &me.id)?;
        let places = closer_core::joint::round::Places {
            data: self.store.root(),
            config: &self.config_dir,
        };
        match earlier {
            // The other device started the rounds over, and published again since.
            Some(_) => closer_core::joint::round::forget_here(places, me.id.as_str()),
            None => closer_core::joint::round::start_over(places, me.id.as_str()),
        }
    }

    /// On the device that made a partner's new key: takes the other device's hand-over once it
    /// is here (checked: signed by the other partner, for this very key, in place of the key
    /// this device replaced), signs again what is its partner's own, and says once what stayed
    /// locked to the lost key.
    pub(crate) fn take_handover(&self) -> Result<()> {
        let Some(sealing) = self.store.sealing() else {
            return Ok(());
        };
        let mut r = rekey::load(&self.config_dir)?;
        self.learn_replaced(&sealing, &mut r)?;
        let due: Vec<String> = r
            .partners
            .iter()
            .filter(|(id, e)| !e.taken && sealing.holds(id))
            .map(|(id, _)| id.clone())
            .collect();
        for id in due {
            let Some(mine) = sealing.keys(&id).map(|k| k.public()) else {
                continue;
            };
            let writers = crate::sealed::ids_in(self.store.path(rekey::FOLDER), ".age");
            let Some(h) = writers.iter().filter(|w| **w != id).find_map(|w| {
                let rel = format!("{}.json", rekey::handover_place(w));
                self.store.read::<Handover>(&rel).ok().flatten()
            }) else {
                continue;
            };
            let Some(entry) = r.partners.get_mut(&id) else {
                continue;
            };
            if h.partner != id || h.new != mine || h.previous != entry.previous {
                continue;
            }
            entry.vouched.extend(h.vouched.iter().cloned());
            let previous = entry.previous.clone();
            self.store
                .change_sealing(|s| s.vouch(&id, previous, &h.vouched));
            let Some(s) = self.store.sealing() else {
                continue;
            };
            rekey::sign_again(&self.store, &s, &id)?;
            let lost = rekey::lost(&self.store, &s, &id)?;
            let answers = match closer_core::ids::Id::parse(&id) {
                Ok(me) => closer_core::answer_rekey::take(&self.store, &me, &h.answers)?,
                Err(_) => Default::default(),
            };
            if let Some(entry) = r.partners.get_mut(&id) {
                entry.taken = true;
            }
            rekey::save(&self.config_dir, &mut r)?;
            if self.device()?.partner.is_none()
                && let Ok(me) = closer_core::ids::Id::parse(&id)
            {
                self.set_device(Some(&me))?;
            }
            let back = match answers.back {
                0 => String::new(),
                1 => " One answer your partner had been shown is yours again.".to_owned(),
                n => format!(" {n} answers your partner had been shown are yours again."),
            };
            let gone = match lost {
                0 => String::new(),
                n => format!(
                    " {n} of your own records were locked to your lost key alone and are gone for good: your boundaries, readiness and opt-in, private needs and debriefs. Nobody can read them now; set again what you want to."
                ),
            };
            let t = self.tool;
            let kept = match answers.kept {
                0 => String::new(),
                n => format!(
                    " {} your partner had not been shown {} in your answer files, sealed to your lost key, with the earlier versions of your answers. If that key turns up again (a copy of it, or its recovery key), `{t} couple keys import FILE` or `{t} couple keys recover` on a device holding your new key brings {} back; it is not kept, and can never sign anything again.",
                    if n == 1 {
                        "One answer".to_owned()
                    } else {
                        format!("{n} answers")
                    },
                    if n == 1 { "stays" } else { "stay" },
                    if n == 1 { "it" } else { "them" },
                ),
            };
            crate::say!(
                "Your partner's device accepted your new key: what you share opens here again.{back}{gone}{kept}"
            );
        }
        Ok(())
    }

    /// On another device holding a partner's new key (given it with `couple keys import`, it
    /// replaced no key itself): the other partner's hand-over, read only when signed with their
    /// key as pinned here and only for the very key held here, names the key it replaced.
    ///
    /// Where the copy of the key named that very key too (`couple keys export` on a device that
    /// knew it: the partner's own word), this device believes what the hand-over vouches for, as
    /// the device that made the key does, so that what was signed with the lost key reads here
    /// before that device's records signed again arrive (or if they never do). Otherwise the
    /// previous key is the other partner's word alone: this device vouches for nothing with it
    /// (the device that made the new key signed again what was vouched for), and keeps its name
    /// so that what stays locked to it is kept here as there, and that key, found again, brings
    /// answers back here too: it opens only what stands in the answer files this device trusts,
    /// and signs nothing.
    fn learn_replaced(&self, sealing: &Sealing, r: &mut rekey::Rekeys) -> Result<()> {
        let to_learn: Vec<String> = sealing
            .held()
            .filter(|id| {
                r.partners
                    .get(*id)
                    .is_none_or(|e| e.known == rekey::Known::Copied)
            })
            .map(str::to_owned)
            .collect();
        if to_learn.is_empty() {
            return Ok(());
        }
        let writers = crate::sealed::ids_in(self.store.path(rekey::FOLDER), ".age");
        let mut learned = false;
        for id in to_learn {
            let Some(mine) = sealing.keys(&id).map(|k| k.public()) else {
                continue;
            };
            let copied = r.partners.get(&id).map(|e| e.previous.clone());
            let found = writers.iter().filter(|w| **w != id).find_map(|w| {
                let rel = format!("{}.json", rekey::handover_place(w));
                self.store
                    .read::<Handover>(&rel)
                    .ok()
                    .flatten()
                    .filter(|h| h.partner == id && h.new == mine && h.previous != mine)
                    .filter(|h| copied.as_ref().is_none_or(|p| h.previous == *p))
            });
            let Some(h) = found else {
                continue;
            };
            let (vouched, known) = match copied {
                Some(_) => (h.vouched, rekey::Known::Own),
                None => (Default::default(), rekey::Known::Told),
            };
            let previous = h.previous.clone();
            self.store
                .change_sealing(|s| s.vouch(&id, previous, &vouched));
            r.partners.insert(
                id,
                rekey::Replaced {
                    previous: h.previous,
                    vouched,
                    taken: true,
                    known,
                },
            );
            learned = true;
        }
        if learned {
            rekey::save(&self.config_dir, r)?;
        }
        Ok(())
    }

    /// `couple keys import` or `recover` with `keys`, when they are a partner's previous keys,
    /// replaced here after they were lost: on a device holding that partner's key now, what
    /// stayed sealed to the old key alone in their answer files is opened and sealed again with
    /// it. The old key is used for that alone and not kept: it reads and signs nothing after.
    /// `false` when `keys` replaced no key on this device.
    pub(crate) fn bring_back(&self, keys: &Keys) -> Result<bool> {
        let public = keys.public();
        let Some(id) = rekey::load(&self.config_dir)?
            .partners
            .into_iter()
            .find(|(_, e)| e.previous == public)
            .map(|(id, _)| id)
        else {
            return Ok(false);
        };
        let couple = self.require_couple()?;
        let p = couple.by_id(&id).ok_or_else(|| {
            Error::invalid(
                "this key was replaced, and its partner is not in this data folder's couple",
            )
        })?;
        let (t, n) = (self.tool, &p.name);
        if !self.holds_key(p) {
            return Err(Error::invalid(format!(
                "this is {n}'s key from before their new one. Only a device that holds {n}'s new key can use it, to bring back {n}'s answers sealed to it: run `{t} couple keys import FILE` on {n}'s own device. Nothing was kept here."
            )));
        }
        self.unlock(p)?;
        let back = closer_core::answer_rekey::bring_back(&self.store, &p.id, keys)?;
        crate::say!(
            "This is {n}'s key from before their new one. {} The old key is not kept on this device: it reads and signs nothing from now on.",
            match back {
                0 => "Nothing in the answer files was waiting for it.".to_owned(),
                1 => "One answer sealed to it is yours again, sealed with your new key.".to_owned(),
                k => format!("{k} answers sealed to it are yours again, sealed with your new key."),
            }
        );
        Ok(true)
    }

    /// Whether `path`, a joint round publication that failed its check here, is from before a
    /// partner's new key: the other partner's, signed with the key this device accepted a new
    /// one in place of (until their new device has run, their publications in the folder are
    /// still those: nothing in them is believed, the plan waits for that device and says so);
    /// or, on the device that made the new key, this partner's own that does not check out with
    /// it, which it writes again on this run. Neither is said as a forgery.
    pub(crate) fn written_before_new_key(&self, path: &std::path::Path) -> bool {
        // Round publications are signed for their file's place, `psi/TOPIC/PARTNER.age`.
        let place = path
            .strip_prefix(self.store.root())
            .ok()
            .and_then(|p| p.to_str());
        let (Some(sealing), Some(place)) = (self.store.sealing(), place) else {
            return false;
        };
        let Some(author) = place
            .strip_prefix("psi/")
            .and_then(|p| p.rsplit('/').next())
            .and_then(|f| f.strip_suffix(".age"))
        else {
            return false;
        };
        let Some(previous) = rekey::load(&self.config_dir)
            .ok()
            .and_then(|mut r| r.partners.remove(author))
            .map(|r| r.previous)
        else {
            return false;
        };
        if sealing.holds(author) {
            // This partner's own from before the key this device made for them (it does not
            // check out with the new key): this run writes it again.
            return true;
        }
        let meta = std::fs::symlink_metadata(path);
        let small = meta.is_ok_and(|m| m.is_file() && m.len() < 1 << 20);
        let Some(bytes) = small.then(|| std::fs::read(path).ok()).flatten() else {
            return false;
        };
        let keys_then = |p: &str| match p == author {
            true => Some(previous.clone()),
            false => sealing.public(p),
        };
        sealing.held().any(|me| {
            sealing.keys(me).is_some_and(|k| {
                closer_core::crypto::seal::open(&k, &bytes, place, keys_then)
                    .is_ok_and(|o| o.signer == author)
            })
        })
    }

    /// Whether another device of `me` accepted a new key of `other`'s in place of `theirs`, the
    /// keys this device still trusts (its hand-over, signed with `me`'s key, says so): until
    /// this device accepts it too, the joint rounds wait, rather than publish to the replaced key.
    pub(crate) fn accepted_elsewhere(&self, me: &str, other: &str, theirs: &PublicKeys) -> bool {
        let rel = format!("{}.json", rekey::handover_place(me));
        self.store.path(&rel).exists()
            && self
                .store
                .read::<Handover>(&rel)
                .ok()
                .flatten()
                .is_some_and(|h| h.partner == other && h.previous == *theirs && h.new != *theirs)
    }

    /// When this device holds a partner's new key that the other device has not accepted yet
    /// (or whose acceptance has not synced here): what waits for what.
    pub(crate) fn waiting_for_acceptance(&self) -> Option<String> {
        let r = rekey::load(&self.config_dir).ok()?;
        let held = self.held_keys();
        r.partners
            .iter()
            .find(|(id, e)| !e.taken && held.iter().any(|h| h.as_str() == *id))
            .map(|_| {
                let t = self.tool;
                format!(
                    "this device holds your new key, and nothing in this data folder is encrypted to it yet: your partner's device must accept it first. On your partner's device, compare fingerprints with `{t} couple keys show`, then run `{t} couple keys accept NAME` there, with your name; once that device has run and the folder has synced here, what you share opens on this device. Until then it can read nothing of yours or theirs"
                )
            })
    }
}
