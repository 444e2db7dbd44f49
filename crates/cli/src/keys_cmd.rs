//! `couple keys`: fingerprints to compare on two devices, a passphrase-protected copy of your key
//! for a second device, the recovery key, a passphrase on this device, and accepting a partner's
//! new keys once you compared fingerprints.

use super::Context;
use super::keys::{protect, work_factor};
use super::output::{Format, Out, Style, View, table};
use super::sealed::ids_in;
use closer_core::authority::Act;
use closer_core::crypto::keyring::{self, StoredKey};
use closer_core::crypto::pins;
use closer_core::crypto::{ExposeSecret, Keys, PublicKeys, SecretString};
use closer_core::error::{Error, Result};
use closer_core::profile::{Couple, PARTNERS, Partner};
use serde::Serialize;
use std::io::Write;
use std::os::unix::fs::OpenOptionsExt;
use std::path::{Path, PathBuf};

#[derive(clap::Subcommand, Debug, Clone)]
#[command(defer = true)]
pub enum KeysCmd {
    /// Both partners' key fingerprints, to compare on your two devices (no secret is shown)
    Show {
        #[command(flatten)]
        format: Format,
    },
    /// Save a passphrase-protected copy of your key (--as) in FILE: for your second device, or
    /// as a backup. The passphrase is asked on a terminal.
    Export {
        /// Where to save the copy
        file: PathBuf,
    },
    /// Bring your key to this device from a copy made with `couple keys export`
    Import {
        /// The copy made with `couple keys export`
        file: PathBuf,
    },
    /// Print your recovery key (--as) to write down and keep somewhere safe
    Recovery,
    /// Restore your key on this device from its recovery key, typed on a terminal
    Recover,
    /// Protect your key (--as) on this device with a passphrase, change it, or take it off
    Passphrase {
        /// Take the passphrase off (anyone at this device can then act as you)
        #[arg(long)]
        remove: bool,
    },
    /// Trust NAME's new published keys, once you compared fingerprints on both devices
    Accept {
        /// The partner whose new keys you trust
        name: String,
    },
    /// Take NAME's key off this device only (after handing it to their own device): this
    /// device can then no longer read or act as NAME
    Remove {
        /// The partner whose key leaves this device
        name: String,
        /// Do it without asking
        #[arg(long)]
        yes: bool,
    },
    /// Make NAME a new key, only when their key and every copy of it are lost: what was locked
    /// to the old key stays locked for good
    New {
        /// The partner who lost their key; on a device holding no key, the fingerprint of the
        /// lost key, as `couple keys show` shows it
        name: String,
        /// Do it without asking
        #[arg(long)]
        yes: bool,
    },
}

pub fn run(ctx: &Context, cmd: &KeysCmd) -> Result<()> {
    // A new device of an encrypted folder opens nothing yet: bringing a key here needs only the
    // published keys to find whose it is.
    match cmd {
        KeysCmd::Import { file } => {
            let bytes = std::fs::read(file).map_err(|e| Error::io(file, e))?;
            let text = if Keys::is_protected(&bytes) {
                ctx.open_protected_text("this copy", &bytes)?
            } else {
                SecretString::from(String::from_utf8_lossy(&bytes).into_owned())
            };
            let keys = Keys::from_text(text.expose_secret())
                .map_err(|e| Error::invalid(format!("{}: {e}", file.display())))?;
            return install(ctx, keys, Keys::replaced_in(text.expose_secret()));
        }
        KeysCmd::Recover => {
            ctx.need_terminal("")?;
            let typed = crate::ask::password("Your recovery key (AGE-SECRET-KEY-…)")?
                .ok_or_else(|| Error::invalid("no recovery key was typed; nothing changed"))?;
            let keys = Keys::from_text(typed.expose_secret()).map_err(|e| {
                Error::invalid(format!(
                    "that recovery key does not check out ({e}); look for a typo and try again"
                ))
            })?;
            return install(ctx, keys, None);
        }
        _ => {}
    }
    // A device holding no key cannot read your names: keys by fingerprint instead.
    if crate::keyless::keyless(ctx) {
        match cmd {
            KeysCmd::Show { format } => return crate::keyless::show(ctx, *format),
            KeysCmd::New { name, yes } => return crate::keyless::start_over(ctx, name, *yes),
            _ => {}
        }
    }
    let couple = ctx.require_couple()?;
    let t = ctx.tool;
    match cmd {
        KeysCmd::Import { .. } | KeysCmd::Recover => unreachable!("handled above"),
        KeysCmd::Show { format } => show(ctx, &couple, *format),
        KeysCmd::Export { file } => {
            let me = ctx.me(&couple)?;
            let keys = ctx.unlock(me)?;
            if file.exists() {
                return Err(Error::invalid(format!(
                    "{} exists already; choose another file name",
                    file.display()
                )));
            }
            let what = format!("A passphrase for the copy of {}'s key", me.name);
            // A new key made or copied here names the lost key it replaced, in this partner's
            // own word, for the device it goes to.
            let replaces = closer_core::rekey::own_previous(&ctx.config_dir, me.id.as_str())?;
            let bytes = protect(ctx, &keys, &what, replaces.as_ref())?;
            write_new(file, &bytes)?;
            crate::say!(
                "Saved a copy of {n}'s key in {}, under that passphrase. On {n}'s other device: `{t} couple keys import FILE`. Anyone with this file and the passphrase can read and act as {n}.",
                file.display(),
                n = me.name
            );
            Ok(())
        }
        KeysCmd::Recovery => {
            let me = ctx.me(&couple)?;
            let keys = ctx.unlock(me)?;
            crate::say!(
                "This is {n}'s recovery key. Write it on paper and keep it somewhere safe, not in the synced folder: anyone who has it can read and act as {n}. Without it, or another copy of the key, a lost key cannot be restored.",
                n = me.name
            );
            Out::default().line(keys.recovery_key().expose_secret())
        }
        KeysCmd::Passphrase { remove } => {
            let me = ctx.me(&couple)?;
            let keys = ctx.unlock(me)?;
            let n = &me.name;
            if *remove {
                ctx.device_keys().save(me.id.as_str(), &keys, None)?;
                crate::say!(
                    "{n}'s key on this device no longer needs a passphrase: anyone at this device can read and act as {n}."
                );
                return Ok(());
            }
            ctx.need_terminal("")?;
            let pass = crate::ask::new_password(&format!("A new passphrase for {n}'s key"))?
                .ok_or_else(|| {
                    Error::invalid(format!(
                        "no passphrase was typed; {n}'s key on this device stays as it was"
                    ))
                })?;
            ctx.device_keys()
                .save(me.id.as_str(), &keys, Some((pass, work_factor())))?;
            ctx.forget_opened(me.id.as_str())?;
            crate::say!(
                "{n}'s key on this device now needs its passphrase, asked on a terminal; in cron, commands that need it stop and say why. Forgetting it is like losing the key: keep the recovery key too."
            );
            Ok(())
        }
        KeysCmd::Accept { name } => accept(ctx, &couple, couple.find(name)?),
        KeysCmd::Remove { name, yes } => remove(ctx, couple.find(name)?, *yes),
        KeysCmd::New { name, yes } => {
            let p = couple.find(name)?;
            // Only on a device of theirs: one that holds their key, or nobody's.
            ctx.speaks_for(&couple, p, Act::NewKey)?;
            let n = &p.name;
            let q = format!(
                "Make {n} a new key? Only do this if {n}'s key and every copy of it are lost: what was locked to the old key cannot be read again, and {n}'s partner must accept the new key."
            );
            if !ctx.confirm(&q, *yes, &format!("{t} couple keys new {n}"))? {
                return Err(Error::invalid("no key was made"));
            }
            let keys = Keys::generate();
            let old = match pins::pinned(&ctx.config_dir, p.id.as_str())? {
                Some(k) => Some(k),
                None => keyring::published(&ctx.store, p.id.as_str()).ok().flatten(),
            };
            if let Some(old) = old.filter(|k| *k != keys.public()) {
                closer_core::rekey::replaced(&ctx.config_dir, p.id.as_str(), &old)?;
            }
            ctx.device_keys().save(p.id.as_str(), &keys, None)?;
            pins::accept_pin(&ctx.config_dir, p.id.as_str(), &keys.public())?;
            ctx.publish_keys(p.id.as_str(), &keys)?;
            ctx.say_key_made(p);
            crate::say!(
                "On {n}'s partner's device, compare fingerprints with `{t} couple keys show`, then run `{t} couple keys accept {n}` there."
            );
            Ok(())
        }
    }
}

/// Creates `file` (0600) with `bytes`; never replaces a file.
fn write_new(file: &Path, bytes: &[u8]) -> Result<()> {
    std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(file)
        .and_then(|mut f| f.write_all(bytes).and_then(|()| f.sync_all()))
        .map_err(|e| Error::io(file, e))
}

/// Puts `keys` on this device for the partner of this folder whose keys they are: the ones this
/// device pinned for them, or (a new device, or a new key of theirs) the ones published now. Needs
/// no key here before: the profile is read once the key is held. `replaces`: the lost key a copy
/// says they replaced (see [`closer_core::rekey::copied`]).
fn install(ctx: &Context, keys: Keys, replaces: Option<PublicKeys>) -> Result<()> {
    let public = keys.public();
    let mut ids = ids_in(ctx.store.path(PARTNERS), ".age");
    ids.extend(ids_in(ctx.store.path(PARTNERS), ".json"));
    let theirs = |id: &&String| {
        pins::pinned(&ctx.config_dir, id).is_ok_and(|k| k.as_ref() == Some(&public))
            || keyring::published(&ctx.store, id).is_ok_and(|k| k.as_ref() == Some(&public))
    };
    let Some(id) = ids.iter().find(theirs).cloned() else {
        // A key this device saw replaced after it was lost, found again.
        if ctx.bring_back(&keys)? {
            return Ok(());
        }
        // A published file that does not check out may be this key's, changed by someone.
        if let Some(e) = ids
            .iter()
            .find_map(|id| keyring::published(&ctx.store, id).err())
        {
            return Err(Error::invalid(format!(
                "this key cannot be checked: {e}. Someone may have changed it. On a device that already holds your key, `{} couple keys accept NAME` publishes your keys again; then try again here",
                ctx.tool
            )));
        }
        return Err(Error::invalid(
            "this key is not the published key of either partner of this data folder; if the data folder has not finished syncing, wait for it and try again",
        ));
    };
    let held = ctx.keys_dir().join(format!("{id}.key")).is_file();
    if !held {
        if let Some(previous) = replaces.filter(|k| *k != public) {
            closer_core::rekey::copied(&ctx.config_dir, &id, &previous)?;
        }
        ctx.device_keys().save(&id, &keys, None)?;
        pins::accept_pin(&ctx.config_dir, &id, &public)?;
        // Held now, open: the profile opens with it.
        ctx.unlock_id(&id, "")?;
    }
    let couple = ctx.couple()?;
    let p = couple.by_id(&id).ok_or_else(|| {
        Error::invalid("this key's partner is not in the profile yet; if the data folder has not finished syncing, wait for it and run this again")
    })?;
    let n = &p.name;
    if held {
        crate::say!("This device already holds {n}'s key; nothing changed.");
        return Ok(());
    }
    crate::say!(
        "{n}'s key is on this device now (fingerprint {}).",
        public.fingerprint()
    );
    if ctx.device()?.partner.is_none() {
        ctx.set_device(Some(&p.id))?;
        crate::say!("This device is {n}'s.");
    }
    ctx.offer_passphrases(&couple)
}

/// `couple keys accept NAME`: trust NAME's published keys from now on. On a device that holds
/// NAME's key, the published keys are put back to the one it holds instead (published again when
/// they were deleted).
fn accept(ctx: &Context, couple: &Couple, p: &Partner) -> Result<()> {
    let (t, n, id) = (ctx.tool, &p.name, p.id.as_str());
    if ctx.holds_key(p) {
        let keys = ctx.unlock(p)?;
        let published = keyring::published(&ctx.store, id).ok().flatten();
        if published.is_none() {
            ctx.publish_keys(id, &keys)?;
            crate::say!("{n}'s keys are published again, from the key this device holds.");
        } else if published != Some(keys.public()) {
            ctx.publish_keys(id, &keys)?;
            crate::say!(
                "This device holds {n}'s key, and the published keys were not its: they are {n}'s again. If {n} meant to make a new key on another device, bring it here with `{t} couple keys import FILE`."
            );
        }
        pins::accept_pin(&ctx.config_dir, id, &keys.public())?;
        return Ok(());
    }
    let pinned = pins::pinned(&ctx.config_dir, id)?;
    let published = keyring::published(&ctx.store, id)?.ok_or_else(|| {
        Error::invalid(match &pinned {
            Some(k) => format!(
                "{n}'s published keys are gone from the data folder, so there is nothing new to accept; this device keeps using the ones it pinned (fingerprint {}). On {n}'s own device, `{t} couple keys accept {n}` publishes them again.",
                k.fingerprint()
            ),
            None => format!("{n} has published no keys yet"),
        })
    })?;
    if pinned == Some(published.clone()) {
        crate::say!("This device already trusts {n}'s keys; nothing changed.");
        return Ok(());
    }
    match &pinned {
        Some(old) => ctx.accept_new_key(couple, p, old, &published)?,
        None => pins::accept_pin(&ctx.config_dir, id, &published)?,
    }
    ctx.state_pins()?;
    crate::say!(
        "This device now trusts {n}'s keys with fingerprint {}.",
        published.fingerprint()
    );
    Ok(())
}

/// `couple keys remove NAME`: NAME's key leaves this device, once it is clear what is lost if it
/// was the only copy.
fn remove(ctx: &Context, p: &Partner, yes: bool) -> Result<()> {
    let (t, n, id) = (ctx.tool, &p.name, p.id.as_str());
    if !ctx.holds_key(p) {
        return Err(Error::invalid(format!(
            "This device does not hold {n}'s key; there is nothing to remove."
        )));
    }
    let q = format!(
        "Remove {n}'s key from this device? This device can then no longer read or act as {n}. If it is the only copy (no other device of {n}'s holds it, and there is no exported copy or written-down recovery key), what only {n} could read is gone for good. Check first that `{t} couple keys show` on {n}'s own device says the key is there."
    );
    if !ctx.confirm(&q, yes, &format!("{t} couple keys remove {n}"))? {
        return Err(Error::Declined { done: "removed" });
    }
    ctx.forget_opened(id)?;
    let path = ctx.keys_dir().join(format!("{id}.key"));
    std::fs::remove_file(&path).map_err(|e| Error::io(&path, e))?;
    if ctx.device()?.partner.as_deref() == Some(id) {
        ctx.set_device(None)?;
        crate::say!(
            "This device no longer says it is {n}'s; `{t} couple me NAME` sets whose it is."
        );
    }
    crate::say!("{n}'s key is no longer on this device.");
    Ok(())
}

/// Each partner's fingerprint, whether this device holds the key, and whether the published
/// keys are the ones this device pinned.
fn show(ctx: &Context, couple: &Couple, format: Format) -> Result<()> {
    let mut rows = Vec::new();
    for p in &couple.partners {
        let id = p.id.as_str();
        let held = match ctx.device_keys().load(id)? {
            None => "no",
            Some(StoredKey::Open(_)) => "yes",
            Some(StoredKey::Locked(_)) => "yes, with a passphrase",
        };
        let (fingerprint, status) = match keyring::published(&ctx.store, id) {
            Err(_) => (String::new(), "untrusted".to_owned()),
            Ok(None) => match pins::pinned(&ctx.config_dir, id)? {
                Some(pin) => (pin.fingerprint(), "missing".to_owned()),
                None => (String::new(), "none".to_owned()),
            },
            Ok(Some(k)) => {
                let status = match pins::pinned(&ctx.config_dir, id)? {
                    Some(pin) if pin != k => format!("changed (was {})", pin.fingerprint()),
                    _ => "ok".to_owned(),
                };
                (k.fingerprint(), status)
            }
        };
        rows.push((p.name.clone(), fingerprint, held, status));
    }
    ctx.show(format, &KeyList(rows))
}

/// `couple keys --json`: each partner's published key as this device sees it.
pub(crate) struct KeyList(pub(crate) Vec<(String, String, &'static str, String)>);

#[derive(Serialize)]
struct KeyView<'a> {
    name: &'a str,
    fingerprint: &'a str,
    on_this_device: bool,
    passphrase: bool,
    /// `ok`, `changed`, `missing` (deleted from the folder; the pinned keys are shown), `none`
    /// or `untrusted`.
    status: &'a str,
}

impl Serialize for KeyList {
    fn serialize<S: serde::Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        s.collect_seq(self.0.iter().map(|(name, fp, held, status)| KeyView {
            name,
            fingerprint: fp,
            on_this_device: *held != "no",
            passphrase: held.ends_with("passphrase"),
            status: status.split(' ').next().unwrap_or_default(),
        }))
    }
}

impl View for KeyList {
    fn plain(&self, out: &mut Out) -> Result<()> {
        for (name, fp, held, status) in &self.0 {
            out.record(&[name.as_str(), fp.as_str(), held, status.as_str()])?;
        }
        Ok(())
    }

    fn table(&self, out: &mut Out, style: Style) -> Result<()> {
        let cells: Vec<Vec<&str>> = self
            .0
            .iter()
            .map(|(n, f, h, s)| vec![n.as_str(), f.as_str(), *h, s.as_str()])
            .collect();
        out.line(&table(
            &[
                "partner",
                "fingerprint",
                "key on this device",
                "published keys",
            ],
            &cells,
            style.width,
            style.color,
        ))?;
        out.line("Compare the fingerprints with the ones on your partner's device: they must be the same.")
    }
}
