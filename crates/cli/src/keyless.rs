//! `couple keys` on a device that holds no key of an encrypted folder: it cannot read the
//! partners' names (they are sealed), so it shows the published keys by fingerprint, and starts
//! over with a new key for the partner whose fingerprint the other partner's device shows.

use super::Context;
use super::output::Format;
use super::sealed::ids_in;
use closer_core::crypto::keyring;
use closer_core::crypto::{Keys, PublicKeys, pins};
use closer_core::error::{Error, Result};
use closer_core::profile::PARTNERS;

/// The partners of this folder (a `partners/ID.*` file) and their published keys, checked; a
/// partner whose published keys do not check out is left out.
fn published_here(ctx: &Context) -> Vec<(String, PublicKeys)> {
    let mut ids = ids_in(ctx.store.path(PARTNERS), ".age");
    ids.extend(ids_in(ctx.store.path(PARTNERS), ".json"));
    ids.sort();
    ids.dedup();
    ids.into_iter()
        .filter_map(|id| {
            let keys = keyring::published(&ctx.store, &id).ok()??;
            Some((id, keys))
        })
        .collect()
}

/// Whether this device holds no key of a partner of this folder and cannot read the couple.
pub(crate) fn keyless(ctx: &Context) -> bool {
    let mut ids = ids_in(ctx.store.path(PARTNERS), ".age");
    ids.extend(ids_in(ctx.store.path(PARTNERS), ".json"));
    !ids.is_empty()
        && !ids
            .iter()
            .any(|id| ctx.keys_dir().join(format!("{id}.key")).is_file())
        && ctx.couple().map_or(true, |c| c.is_empty())
}

/// The published keys whose fingerprint `typed` is (spaces and case as you like; the first
/// eight digits or more, if they are unique).
fn by_fingerprint(ctx: &Context, typed: &str) -> Result<(String, PublicKeys)> {
    let t = ctx.tool;
    let want: String = typed
        .chars()
        .filter(|c| !c.is_whitespace())
        .collect::<String>()
        .to_ascii_lowercase();
    let how = format!(
        "this device holds no key of this folder, so it cannot read your names. Give the fingerprint instead: `{t} couple keys show` on your partner's device shows yours, and `{t} couple keys show` here lists the keys of this folder"
    );
    if want.len() < 8 || !want.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Err(Error::invalid(how));
    }
    let found: Vec<_> = published_here(ctx)
        .into_iter()
        .filter(|(_, k)| k.fingerprint().replace(' ', "").starts_with(&want))
        .collect();
    match &found[..] {
        [one] => Ok(one.clone()),
        [] => Err(Error::invalid(format!(
            "no key of this folder has the fingerprint {typed}; {how}"
        ))),
        _ => Err(Error::invalid(format!(
            "more than one key starts with {typed}; type more of the fingerprint"
        ))),
    }
}

/// `couple keys show` on a device that holds no key: the published keys by fingerprint.
pub(crate) fn show(ctx: &Context, format: Format) -> Result<()> {
    crate::say!(
        "This device holds no key of this folder, so it cannot read your names. These are the keys published here; compare them with `{} couple keys show` on your partner's device.",
        ctx.tool
    );
    let rows = published_here(ctx)
        .into_iter()
        .map(|(_, k)| (String::new(), k.fingerprint(), "no", "ok".to_owned()))
        .collect();
    ctx.show(format, &super::keys_cmd::KeyList(rows))
}

/// `couple keys new FINGERPRINT` on a device that holds no key: a new key for the partner whose
/// published keys have that fingerprint, once it is clear what is lost.
pub(crate) fn start_over(ctx: &Context, typed: &str, yes: bool) -> Result<()> {
    let t = ctx.tool;
    let (id, old) = by_fingerprint(ctx, typed)?;
    let fp = old.fingerprint();
    let q = format!(
        "Make a new key in place of the one with fingerprint {fp}? Only do this if that key is yours and it and every copy of it are lost: what was locked to it cannot be read again, and your partner must accept the new key."
    );
    if !ctx.confirm(&q, yes, &format!("{t} couple keys new \"{fp}\""))? {
        return Err(Error::invalid("no key was made"));
    }
    let keys = Keys::generate();
    closer_core::rekey::replaced(&ctx.config_dir, &id, &old)?;
    ctx.device_keys().save(&id, &keys, None)?;
    pins::accept_pin(&ctx.config_dir, &id, &keys.public())?;
    ctx.publish_keys(&id, &keys)?;
    crate::say!(
        "Made a new key on this device in place of {fp}: its fingerprint is {}. On your partner's device, compare fingerprints in person with `{t} couple keys show`, then run `{t} couple keys accept NAME` there, with your name. Once this device can read your names again, keep a copy of the key: `{t} couple keys recovery` prints a recovery key to write down.",
        keys.public().fingerprint()
    );
    Ok(())
}
