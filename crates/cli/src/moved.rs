//! A device whose partner was merged away by `couple doctor` (the couple was set up on both
//! devices before their first sync): it finds the partner it became through the forwarding
//! record the doctor left, and goes on with the key it holds once the person at it says who
//! they are (`couple me NAME`). The forwarding record is never followed on its own: anyone who
//! can write into the folder could have written it.

use crate::Context;
use closer_core::crypto::keyring;
use closer_core::crypto::pins;
use closer_core::error::{Error, Result};
use closer_core::ids::Id;
use closer_core::moved;
use closer_core::profile::{Couple, Partner};

impl Context {
    /// The partner this device's partner `id`, no longer in the couple, was merged into.
    fn merged_into<'a>(&self, couple: &'a Couple, id: &str) -> Option<&'a Partner> {
        let old: Id = id.parse().ok()?;
        let to = moved::follow(&self.store, &old).ok()??;
        couple.by_id(&to)
    }

    /// What to say when this device's partner `id` was merged into another partner; `None` when
    /// it was not.
    pub(crate) fn moved_message(&self, couple: &Couple, id: &str) -> Option<String> {
        let p = self.merged_into(couple, id)?;
        Some(format!(
            "{n} was set up on both devices before your first sync, and `{t} couple doctor` made the two one; this device still holds the key made for {n} here. If you are {n}, run `{t} couple me {n}` to go on with it",
            n = p.name,
            t = self.tool
        ))
    }

    /// `couple me NAME` on a device whose partner was merged into NAME: the key this device
    /// holds becomes NAME's, published as theirs. Returns whether it did.
    pub(crate) fn take_over(&self, p: &Partner) -> Result<bool> {
        let Some(old) = self.device()?.partner else {
            return Ok(false);
        };
        let Ok(old) = old.parse::<Id>() else {
            return Ok(false);
        };
        let from = self.keys_dir().join(format!("{old}.key"));
        if old == p.id
            || !from.is_file()
            || moved::follow(&self.store, &old)?.as_ref() != Some(&p.id)
        {
            return Ok(false);
        }
        let keys = self.unlock_id(old.as_str(), &p.name)?;
        let to = self.keys_dir().join(format!("{}.key", p.id));
        std::fs::rename(&from, &to).map_err(|e| Error::io(&from, e))?;
        keyring::publish(&self.store, p.id.as_str(), &keys)?;
        pins::accept_pin(&self.config_dir, p.id.as_str(), &keys.public())?;
        self.remember(p.id.as_str(), keys);
        crate::say!(
            "This device goes on as {n}, with the key it holds, now published as {n}'s. On the other device, compare fingerprints with `{t} couple keys show` (run it here too), then run `{t} couple keys accept {n}` there.",
            n = p.name,
            t = self.tool
        );
        Ok(true)
    }
}
