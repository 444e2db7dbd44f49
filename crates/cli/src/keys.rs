//! This device's keys at the edge: unlocking a partner's key (the gate every command that reads
//! or acts as a partner goes through), making a partner's key at set-up, and saying loudly, on
//! every run, when a partner's published keys changed.

use crate::{Context, ask};
use closer_core::authority::{self, Act, KeyStanding, Proof};
use closer_core::crypto::keyring::{self, DeviceKeys, StoredKey};
use closer_core::crypto::pins::{self, Alarm};
use closer_core::crypto::{CryptoError, ExposeSecret, Keys, PublicKeys, SecretString};
use closer_core::error::{Error, Fault, Result};
use closer_core::profile::{Couple, PARTNERS, Partner};
use std::path::PathBuf;
use std::sync::Arc;

/// How many times a wrong passphrase may be typed before the command gives up.
const TRIES: usize = 3;

/// scrypt's work factor for passphrase-protected keys: age's own choice (about a second here).
/// Debug builds (the test suite) may lower it with `CLOSER_TEST_SCRYPT_LOG_N`; release builds
/// never read that variable.
pub(crate) fn work_factor() -> Option<u8> {
    if cfg!(debug_assertions) {
        std::env::var("CLOSER_TEST_SCRYPT_LOG_N")
            .ok()
            .and_then(|v| v.parse().ok())
    } else {
        None
    }
}

impl Context {
    pub(crate) fn device_keys(&self) -> DeviceKeys {
        DeviceKeys::new(&self.config_dir)
    }

    /// The folder of this device's secret keys.
    pub(crate) fn keys_dir(&self) -> PathBuf {
        self.config_dir.join("keys")
    }

    /// Whether this device holds `partner`'s key, locked or not (looks at the folder only).
    pub fn holds_key(&self, partner: &Partner) -> bool {
        self.keys_dir()
            .join(format!("{}.key", partner.id))
            .is_file()
    }

    /// This device's keys for `partner`, unlocked: the identity that decrypts and signs as them.
    /// A passphrase-protected key is asked for on a terminal (once a run) and refused without
    /// one; a device that does not hold the key gets "This device does not hold NAME's key".
    pub fn unlock(&self, partner: &Partner) -> Result<Arc<Keys>> {
        self.unlock_id(partner.id.as_str(), &partner.name)
    }

    pub(crate) fn unlock_id(&self, id: &str, name: &str) -> Result<Arc<Keys>> {
        if let Some(k) = self.unlocked.borrow().get(id) {
            return Ok(Arc::clone(k));
        }
        let keys = match self.device_keys().load(id)? {
            None => return Err(self.not_held(id, name)),
            // The very keys the encrypted folder's store already holds (from the same file),
            // with what they opened before.
            Some(StoredKey::Open(k))
                if let Some(held) = self
                    .store
                    .sealing()
                    .and_then(|s| s.keys(id))
                    .filter(|h| h.same_as(&k)) =>
            {
                held
            }
            Some(StoredKey::Open(k)) => Arc::new(self.remembering(id, *k)),
            Some(StoredKey::Locked(bytes)) => Arc::new(self.ask_to_unlock(name, &bytes)?),
        };
        Ok(self.remember(id, keys))
    }

    /// The partners whose keys this device holds (looks at the folder only).
    pub(crate) fn held_keys(&self) -> Vec<closer_core::ids::Id> {
        let Ok(entries) = std::fs::read_dir(self.keys_dir()) else {
            return Vec::new();
        };
        entries
            .flatten()
            .filter_map(|e| e.file_name().to_str()?.strip_suffix(".key")?.parse().ok())
            .collect()
    }

    /// Keeps keys unlocked for the rest of the run, and gives them to an encrypted folder's
    /// store, which opens and signs records with them.
    pub(crate) fn remember(&self, id: &str, keys: Arc<Keys>) -> Arc<Keys> {
        self.unlocked
            .borrow_mut()
            .insert(id.to_owned(), Arc::clone(&keys));
        // An encrypted folder's records open and are signed with it from now on.
        self.store.change_sealing(|s| s.hold(id, Arc::clone(&keys)));
        keys
    }

    /// The gate every command that reads or acts as `partner` goes through: this device must
    /// hold their key, and a passphrase-protected one is unlocked here ([`Context::unlock`]). An
    /// open key is only looked at (its first bytes), not decoded, so that commands that need no
    /// decryption pay nothing for it. A partner who has no key anywhere yet (first use, or a
    /// couple set up before closer had keys) gets one made here, the first time they are used on
    /// a device (`couple me` says so and offers a passphrase); once they have one, only a
    /// device that holds it gets in.
    pub fn gate(&self, partner: &Partner) -> Result<()> {
        let id = partner.id.as_str();
        if self.unlocked.borrow().contains_key(id) {
            return Ok(());
        }
        let path = self.keys_dir().join(format!("{id}.key"));
        let head = match keyring::read_key_file(&path) {
            Ok(bytes) => bytes,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                if self.has_key_elsewhere(id)? {
                    return Err(self.not_held(id, &partner.name));
                }
                // Quietly: `couple add` said what a key is for and what is lost without a copy.
                self.make_key(partner)?;
                return Ok(());
            }
            Err(e) => return Err(Error::io(&path, e)),
        };
        if Keys::is_protected(&head) {
            self.unlock(partner)?;
        }
        Ok(())
    }

    /// Whether `--as` (or `CLOSER_AS`) names a partner whose key this device does not hold while
    /// they have one elsewhere: the command is refused at [`Context::gate`], so nothing may be
    /// done on the way there (no turn of a joint exchange taken).
    pub(crate) fn as_refused_here(&self, couple: &Couple) -> Result<bool> {
        let Some(p) = (self.as_name.as_deref()).and_then(|n| couple.find(n).ok()) else {
            return Ok(false);
        };
        if self.keys_dir().join(format!("{}.key", p.id)).exists() {
            return Ok(false);
        }
        self.has_key_elsewhere(&p.id)
    }

    /// The partners of this folder (a `partners/ID.*` file) whose key this device holds under
    /// a passphrase, not unlocked yet in this run.
    fn locked_here(&self) -> Result<Vec<String>> {
        let mut of_folder = crate::sealed::ids_in(self.store.path(PARTNERS), ".age");
        of_folder.extend(crate::sealed::ids_in(self.store.path(PARTNERS), ".json"));
        let mut locked = Vec::new();
        for id in crate::sealed::ids_in(self.keys_dir(), ".key") {
            if !of_folder.contains(&id) || self.unlocked.borrow().contains_key(&id) {
                continue;
            }
            let path = self.keys_dir().join(format!("{id}.key"));
            let bytes = keyring::read_key_file(&path).map_err(|e| Error::io(&path, e))?;
            if Keys::is_protected(&bytes) {
                locked.push(id);
            }
        }
        Ok(locked)
    }

    /// When nothing in an encrypted folder opens with this device's open keys: unlocks the
    /// partners' keys it holds under a passphrase (asked on a terminal; without one, says that
    /// the key is protected and how to run). Tried once a run. Whether any key was unlocked.
    pub(crate) fn unlock_held(&self) -> Result<bool> {
        if self.held_tried.replace(true) {
            return Ok(false);
        }
        let locked = self.locked_here()?;
        if locked.is_empty() {
            return Ok(false);
        }
        self.need_terminal(
            "this data folder is encrypted, and the key that opens it on this device is protected by a passphrase;",
        )?;
        for id in locked {
            let Some(StoredKey::Locked(bytes)) = self.device_keys().load(&id)? else {
                continue;
            };
            let keys = self.open_protected("the key on this device", &bytes)?;
            self.remember(&id, Arc::new(keys));
        }
        Ok(true)
    }

    /// For what only a partner may do for themselves (change their profile, leave the couple,
    /// replace their key): the rule in `closer_core::authority`, from what this device holds; a
    /// key it holds is unlocked first. None is ever made here for them.
    pub fn speaks_for(&self, couple: &Couple, partner: &Partner, act: Act) -> Result<()> {
        let id = partner.id.as_str();
        let standing = KeyStanding {
            held: self.holds_key(partner),
            exists: self.has_key_elsewhere(id)?,
            others_held: couple
                .partners
                .iter()
                .any(|p| p.id != partner.id && self.holds_key(p)),
        };
        match authority::may(act, &partner.name, standing)? {
            Proof::Nothing => Ok(()),
            Proof::Unlock => self.unlock(partner).map(drop),
        }
    }

    /// Whether `partner`'s key here is passphrase-protected and not unlocked in this run.
    pub(crate) fn key_locked(&self, partner: &Partner) -> Result<bool> {
        if self.unlocked.borrow().contains_key(partner.id.as_str()) {
            return Ok(false);
        }
        let path = self.keys_dir().join(format!("{}.key", partner.id));
        match keyring::read_key_file(&path) {
            Ok(bytes) => Ok(Keys::is_protected(&bytes)),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(false),
            Err(e) => Err(Error::io(&path, e)),
        }
    }

    fn ask_to_unlock(&self, name: &str, bytes: &[u8]) -> Result<Keys> {
        self.open_protected(&format!("{name}'s key"), bytes)
    }

    /// Opens a passphrase-protected key (`what`: "Alex's key", "this copy"), asking the
    /// passphrase on a terminal, up to three times; refused without a terminal.
    pub(crate) fn open_protected(&self, what: &str, bytes: &[u8]) -> Result<Keys> {
        let text = self.open_protected_text(what, bytes)?;
        Keys::from_text(text.expose_secret()).map_err(|e| Error::invalid(format!("{what}: {e}")))
    }

    /// The key file inside a passphrase-protected one, as [`Context::open_protected`] opens it.
    pub(crate) fn open_protected_text(&self, what: &str, bytes: &[u8]) -> Result<SecretString> {
        self.need_terminal(&format!("{what} is protected by a passphrase, and"))?;
        for _ in 0..TRIES {
            let pass = ask::password(&format!("Passphrase for {what}"))?.ok_or_else(|| {
                Error::invalid(format!("{what} stays locked: no passphrase was typed"))
            })?;
            match Keys::open_protected(bytes, pass) {
                Ok(text) => return Ok(text),
                Err(CryptoError::BadPassphrase) => {
                    crate::say!("That passphrase does not open {what}.");
                }
                Err(e) => return Err(Error::invalid(format!("{what}: {e}"))),
            }
        }
        Err(Error::invalid(format!(
            "{what} stays locked: the passphrase was wrong {TRIES} times"
        )))
    }

    /// Refuses, saying why, when there is no terminal to ask a passphrase or recovery key on.
    pub(crate) fn need_terminal(&self, why: &str) -> Result<()> {
        if self.interactive {
            return Ok(());
        }
        let why = why.trim();
        let lead = if why.is_empty() {
            String::new()
        } else {
            format!("{why} ")
        };
        Err(Error::invalid(format!(
            "{lead}a passphrase or recovery key is only asked on a terminal, never in cron or a script; run this from a terminal"
        )))
    }

    /// Whether partner `id` has a key somewhere: published in the data folder, or pinned here.
    fn has_key_elsewhere(&self, id: &str) -> Result<bool> {
        Ok(
            keyring::published(&self.store, id).map_or(true, |p| p.is_some())
                || pins::pinned(&self.config_dir, id)?.is_some(),
        )
    }

    fn not_held(&self, id: &str, n: &str) -> Error {
        let t = self.tool;
        let how = if self.has_key_elsewhere(id).unwrap_or(true) {
            format!(
                "to use this device as {n}, run `{t} couple keys export FILE --as {n}` on a device that has the key, then `{t} couple keys import FILE` here, or `{t} couple keys recover` with {n}'s recovery key"
            )
        } else {
            format!("{n} has no key yet: `{t} couple me {n}` on {n}'s own device makes one")
        };
        Error::invalid(format!(
            "This device does not hold {n}'s key, so it cannot read or act as {n}; {how}"
        ))
    }

    /// Makes `partner`'s keys on this device and publishes their public half, unless this
    /// device holds them already. Refused when `partner` has keys elsewhere: those are brought
    /// here with `couple keys import` or `recover`, never silently replaced by new ones.
    /// Returns whether keys were made.
    pub fn make_key(&self, partner: &Partner) -> Result<bool> {
        self.make_key_for(partner.id.as_str(), &partner.name)
    }

    /// [`Context::make_key`] for a partner not written yet (in an encrypted folder, `couple add`
    /// signs the new partner's own file with their new key).
    pub fn make_key_for(&self, id: &str, name: &str) -> Result<bool> {
        if self.keys_dir().join(format!("{id}.key")).is_file() {
            if keyring::published(&self.store, id)?.is_none() {
                let keys = self.unlock_id(id, name)?;
                self.publish_keys(id, &keys)?;
            }
            return Ok(false);
        }
        if self.has_key_elsewhere(id)? {
            return Err(self.not_held(id, name));
        }
        let keys = Keys::generate();
        self.device_keys().save(id, &keys, None)?;
        pins::accept_pin(&self.config_dir, id, &keys.public())?;
        self.publish_keys(id, &keys)?;
        self.remember(id, Arc::new(self.remembering(id, keys)));
        Ok(true)
    }

    /// Where a new key is, how to keep a copy, and what is lost without one, in plain words.
    pub(crate) fn say_key_made(&self, partner: &Partner) {
        let (t, n) = (self.tool, &partner.name);
        crate::say!(
            "Made {n}'s key on this device (in {}). It locks what only {n} may read. Keep a copy: write down the recovery key (`{t} couple keys recovery --as {n}`) or save a passphrase-protected copy (`{t} couple keys export FILE --as {n}`). If this key and every copy of it are lost, what only {n} could read ({n}'s private needs, boundaries, readiness and answers not yet shared) is gone for good: nobody can recover it.",
            self.keys_dir().display()
        );
    }

    /// On a terminal, when this device holds more than one partner's key, offers to protect
    /// each unprotected one with a passphrase (Enter: no).
    pub(crate) fn offer_passphrases(&self, couple: &Couple) -> Result<()> {
        let held: Vec<&Partner> = couple
            .partners
            .iter()
            .filter(|p| self.holds_key(p))
            .collect();
        if !self.interactive || held.len() < 2 {
            return Ok(());
        }
        for p in held {
            if self.key_locked(p)? {
                continue;
            }
            let n = &p.name;
            let q = format!(
                "{n}'s key is on this device with another partner's. Protect it with a passphrase, so that nobody at this device can read or act as {n} without it?"
            );
            if ask::confirm(&q)? {
                let keys = self.unlock(p)?;
                let Some(pass) = ask::new_password(&format!("A passphrase for {n}'s key"))? else {
                    crate::say!(
                        "No passphrase was typed: {n}'s key stays without one; `{} couple keys passphrase --as {n}` sets one later.",
                        self.tool
                    );
                    continue;
                };
                self.device_keys()
                    .save(p.id.as_str(), &keys, Some((pass, work_factor())))?;
                self.forget_opened(p.id.as_str())?;
                crate::say!(
                    "{n}'s key now needs its passphrase. Forgetting it is like losing the key: keep the recovery key too."
                );
            }
        }
        Ok(())
    }

    /// The public keys this device trusts for a partner: the ones it pinned; the published
    /// ones, checked, only on first sight (then pinned). Keys published later, or deleted, change
    /// nothing here (every run says so, see [`Context::report_pins`]) until `couple keys accept
    /// NAME`. `None` when the partner has no keys pinned or published.
    pub fn public_keys(&self, partner: &Partner) -> Result<Option<PublicKeys>> {
        pins::trusted(&self.config_dir, &self.store, partner.id.as_str())
    }

    /// Publishes partner `id`'s public keys, with their signed statement of the other partner's
    /// keys as this device pinned them.
    pub(crate) fn publish_keys(&self, id: &str, keys: &Keys) -> Result<()> {
        let stated = pins::statement(&self.config_dir, &self.store, id)?;
        keyring::publish_stating(&self.store, id, keys, &stated)?;
        pins::mark_stated(&self.config_dir, &self.store, id, &stated)
    }

    /// For each partner whose key this device holds: when this device pinned the other partner's
    /// keys since (or their published file moved), signs the statement of what it pinned into
    /// their published keys, so that a new device of theirs checks the other partner's keys
    /// against it. Only with a key open or already unlocked in this run: never asks.
    pub(crate) fn state_pins(&self) -> Result<()> {
        for (holder, due) in pins::unstated(&self.config_dir, &self.store)? {
            let Ok(Some((keys, stated))) = keyring::published_stating(&self.store, &holder) else {
                continue;
            };
            if stated.as_ref() == Some(&due) {
                pins::mark_stated(&self.config_dir, &self.store, &holder, &due)?;
                continue;
            }
            // Only over this partner's own published keys; a changed file has its own alarm.
            if pins::pinned(&self.config_dir, &holder)? != Some(keys) {
                continue;
            }
            let unlocked = self.unlocked.borrow().get(&holder).cloned();
            let keys = match unlocked {
                Some(k) => k,
                None => match self.device_keys().load(&holder)? {
                    Some(StoredKey::Open(k)) => Arc::new(*k),
                    _ => continue,
                },
            };
            keyring::publish_stating(&self.store, &holder, &keys, &due)?;
            pins::mark_stated(&self.config_dir, &self.store, &holder, &due)?;
        }
        Ok(())
    }

    /// Says loudly, on every run until it is put right, that a partner's published keys changed
    /// or cannot be trusted, and signs what this device pinned (see [`Context::state_pins`]).
    /// Costs a read of `pins.json` and a listing of the keys folders.
    pub(crate) fn report_pins(&self) {
        let Ok(alarms) = pins::watch(&self.config_dir, &self.store) else {
            return;
        };
        // Only in a run that wrote into the folder anyway: a command that only reads writes
        // nothing there. Best effort: a statement not written now is written on a later run.
        if self.store.wrote() {
            let _ = self.state_pins();
        }
        if alarms.is_empty() {
            return;
        }
        let couple = self.couple().unwrap_or_default();
        let t = self.tool;
        for alarm in alarms {
            match alarm {
                Alarm::Changed {
                    partner,
                    pinned,
                    published,
                } => {
                    let n = couple.name_of(&partner);
                    crate::say!(
                        "{t}: WARNING: {n}'s published keys changed since this device first saw them (fingerprint {} is now {}); this device keeps using the old ones. If {n} made a new key, compare fingerprints in person (`{t} couple keys show` on both devices), and only if they match run `{t} couple keys accept {n}`. If not, someone changed {}.",
                        pinned.fingerprint(),
                        published.fingerprint(),
                        self.store
                            .path(&format!("{}/{partner}.json", keyring::PUBLISHED))
                            .display()
                    );
                }
                Alarm::Missing { partner, pinned } => {
                    let n = couple.name_of(&partner);
                    let path = self
                        .store
                        .path(&format!("{}/{partner}.json", keyring::PUBLISHED));
                    let fix = if couple.by_id(&partner).is_some_and(|p| self.holds_key(p)) {
                        format!(
                            "This device holds {n}'s key: `{t} couple keys accept {n}` publishes it again."
                        )
                    } else {
                        format!(
                            "This device keeps using the keys it pinned (fingerprint {}). If {n} did not remove them, someone did: on {n}'s own device, `{t} couple keys accept {n}` publishes them again.",
                            pinned.fingerprint()
                        )
                    };
                    crate::say!(
                        "{t}: WARNING: {n}'s published keys are gone from the data folder ({}), so a new device could not check {n}'s records or encrypt to {n}. {fix}",
                        path.display()
                    );
                }
                Alarm::Unreadable {
                    partner,
                    why: Fault::ThirdPartner,
                } if self.set_up_elsewhere(&partner) => {}
                Alarm::Unreadable { partner, why } => {
                    let n = couple.name_of(&partner);
                    let hint = crate::fault_hint(&why, t);
                    crate::say!(
                        "{t}: WARNING: {n}'s published keys cannot be trusted: {why}{hint}. Compare fingerprints with `{t} couple keys show` on both devices."
                    );
                }
            }
        }
    }
}

/// A new passphrase for `keys`, asked on a terminal, and the key file under it (naming the lost
/// key they replaced, for a copy: see [`Keys::to_protected`]).
pub(crate) fn protect(
    ctx: &Context,
    keys: &Keys,
    what: &str,
    replaces: Option<&PublicKeys>,
) -> Result<Vec<u8>> {
    ctx.need_terminal("")?;
    let pass: SecretString = ask::new_password(what)?
        .ok_or_else(|| Error::invalid("no passphrase was typed; no copy was written"))?;
    Ok(keys.to_protected(pass, work_factor(), replaces))
}
