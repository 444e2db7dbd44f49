//! A partner's own facts kept apart from what both partners read, in an encrypted folder: their
//! opt-in (`optin/PARTNER`) beside their partner file, and their private debriefs
//! (`touch/PARTNER/private-debriefs`) beside their sessions. Both are sealed to that partner
//! alone; the partner file and the sessions, sealed to both, no longer carry them.
//!
//! The tools see one partner and one sessions file as before: what this device can open is put
//! back together when read, and split again when written. A plain folder keeps everything in the
//! partner file and the sessions file, as it always did; the split files a `couple decrypt` left
//! are read, and folded back in on the next write. A folder encrypted before the split is split on
//! the owner's device ([`tend`]), and `couple encrypt` splits a plain folder before sealing it
//! ([`split_plain`]).

use crate::error::{Error, Result};
use crate::ids::Id;
use crate::profile::{self, Partner};
use crate::store::{Extra, FORMAT_VERSION, Store, Versioned, write_atomic};
use crate::touch::{self, Sessions};
use serde::{Deserialize, Serialize};
use std::path::Path;

pub const OPTIN: &str = "optin";

pub fn optin_path(id: &str) -> String {
    format!("{OPTIN}/{id}.json")
}

pub fn private_debriefs_path(id: &str) -> String {
    format!("touch/{id}/private-debriefs.json")
}

/// A partner's own opt-ins: theirs alone to read and write.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OptIns {
    pub version: u32,
    pub partner: Id,
    /// This partner has chosen to see sexual content.
    #[serde(default)]
    pub sexual: bool,
    /// Fields a newer closer wrote at this format version, kept as they are.
    #[serde(flatten, default, skip_serializing_if = "Extra::is_empty")]
    pub extra: Extra,
}

impl Versioned for OptIns {
    fn version(&self) -> u32 {
        self.version
    }
    fn file_id(&self) -> Option<&str> {
        Some(&self.partner)
    }
}

/// A partner file as an encrypted folder keeps it: what both may read, without the opt-in.
struct SharedPartner<'a>(&'a Partner);

impl Serialize for SharedPartner<'_> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        let mut v = serde_json::to_value(self.0).map_err(serde::ser::Error::custom)?;
        if let Some(m) = v.as_object_mut() {
            m.remove("sexual");
        }
        v.serialize(s)
    }
}

impl Versioned for SharedPartner<'_> {
    fn version(&self) -> u32 {
        self.0.version
    }
    fn file_id(&self) -> Option<&str> {
        Some(&self.0.id)
    }
}

fn holds(store: &Store, id: &str) -> bool {
    store.sealing().is_some_and(|s| s.holds(id))
}

/// A partner's own opt-in record, when this device can open it.
fn opt_ins(store: &Store, id: &str) -> Result<Option<OptIns>> {
    store.read::<OptIns>(&optin_path(id))
}

/// Puts each partner's own opt-in in place, as far as this device may know it. In an encrypted
/// folder: from their opt-in record for partners whose key this device holds, and "not opted in"
/// for the others, whatever an older partner file says (what both opted in to comes from the
/// joint rounds, never from the other partner's answer). In a plain folder: a split record, if
/// `couple decrypt` left one, over the partner file.
pub fn fill_opt_ins(store: &Store, partners: &mut [Partner]) -> Result<()> {
    let sealed = store.is_sealed();
    for p in partners {
        if sealed && !holds(store, &p.id) {
            p.sexual = false;
            continue;
        }
        if (sealed || store.path(&optin_path(&p.id)).exists())
            && let Some(o) = opt_ins(store, &p.id)?
        {
            p.sexual = o.sexual;
        }
    }
    Ok(())
}

/// Writes a partner's file under the lock of `partners/`: in an encrypted folder the opt-in goes
/// to their own record (first, so that a write cut short leaves it in at least one place), and
/// the partner file without it; in a plain folder, the partner file with it, as always.
pub fn write_partner(store: &Store, p: &Partner) -> Result<()> {
    let path = profile::partner_path(&p.id);
    store.ensure_dir(profile::PARTNERS)?;
    if !store.is_sealed() {
        store.write(&path, p)?;
        return remove_plain(store, &optin_path(&p.id));
    }
    {
        let _lock = store.lock(OPTIN)?;
        let old = opt_ins(store, &p.id)?;
        let o = OptIns {
            sexual: p.sexual,
            ..old.unwrap_or_else(|| OptIns {
                version: FORMAT_VERSION,
                partner: p.id.clone(),
                sexual: false,
                extra: Extra::new(),
            })
        };
        store.write(&optin_path(&p.id), &o)?;
    }
    store.write(&path, &SharedPartner(p))
}

/// Changes a partner's own file: read with their own opt-in put back, changed by `f`, written
/// split again.
pub fn update_partner(
    store: &Store,
    id: &Id,
    name: &str,
    f: impl FnOnce(&mut Partner) -> Result<()>,
) -> Result<Partner> {
    let _lock = store.lock(profile::PARTNERS)?;
    let mut p = store
        .read::<Partner>(&profile::partner_path(id))?
        .ok_or_else(|| Error::invalid(format!("partner {name:?} was removed meanwhile")))?;
    fill_opt_ins(store, std::slice::from_mut(&mut p))?;
    f(&mut p)?;
    write_partner(store, &p)?;
    Ok(p)
}

/// Sorts debriefs by time, each once (a split cut short can leave one in both files).
fn tidy(s: &mut Sessions) {
    let mut seen = Vec::with_capacity(s.debriefs.len());
    for d in std::mem::take(&mut s.debriefs) {
        if !seen.contains(&d) {
            seen.push(d);
        }
    }
    seen.sort_by_key(|d| d.at);
    s.debriefs = seen;
}

/// A partner's sessions and debriefs as this device may see them: the sessions file, and their
/// private debriefs when this device can open them.
pub fn load_sessions(store: &Store, partner: &Id) -> Result<Option<Sessions>> {
    let shared = store.read::<Sessions>(&touch::sessions_path(partner))?;
    let private_path = private_debriefs_path(partner);
    let private =
        if (store.is_sealed() && holds(store, partner)) || store.path(&private_path).exists() {
            store.read::<Sessions>(&private_path)?
        } else {
            None
        };
    Ok(match (shared, private) {
        (None, None) => None,
        (Some(s), None) => Some(s),
        (None, Some(p)) => Some(Sessions {
            unusable: Default::default(),
            ..p
        }),
        (Some(mut s), Some(p)) => {
            s.debriefs.extend(p.debriefs);
            s.unusable.debriefs.extend(p.unusable.debriefs);
            tidy(&mut s);
            Some(s)
        }
    })
}

/// Writes a partner's sessions and debriefs (their own, every one of them) under the lock of
/// their folder: in an encrypted folder the private debriefs to their own record (first), the
/// rest to the sessions file; in a plain folder all of it to the sessions file, as always.
pub fn write_sessions(store: &Store, all: &Sessions) -> Result<()> {
    let partner = &all.partner;
    let private_path = private_debriefs_path(partner);
    if !store.is_sealed() {
        store.write(&touch::sessions_path(partner), all)?;
        return remove_plain(store, &private_path);
    }
    let (private, shared): (Vec<_>, Vec<_>) = all.debriefs.iter().cloned().partition(|d| d.private);
    let own = Sessions {
        debriefs: private,
        ..Sessions::new(partner)
    };
    store.write(&private_path, &own)?;
    let rest = Sessions {
        debriefs: shared,
        ..all.clone()
    };
    store.write(&touch::sessions_path(partner), &rest)
}

/// Changes a partner's own sessions and debriefs under the lock of their folder.
pub fn update_sessions(
    store: &Store,
    partner: &Id,
    f: impl FnOnce(&mut Sessions) -> Result<()>,
) -> Result<Sessions> {
    let _lock = store.lock(&format!("touch/{partner}"))?;
    let mut s = load_sessions(store, partner)?.unwrap_or_else(|| Sessions::new(partner));
    f(&mut s)?;
    write_sessions(store, &s)?;
    Ok(s)
}

/// In an encrypted folder, splits the own facts of every partner whose key this device holds and
/// who has no opt-in record yet (a folder encrypted before they were kept apart): their opt-in
/// out of their partner file, their private debriefs out of their sessions. Returns how many
/// partners it split.
pub fn tend(store: &Store) -> Result<usize> {
    let Some(sealing) = store.sealing() else {
        return Ok(0);
    };
    let mut n = 0;
    for id in sealing.held() {
        let Ok(id) = Id::parse(id) else { continue };
        // An opt-in record this device trusted and misses was deleted, not never split: it is
        // read as trusted, never taken again from the partner file.
        if store.path(&optin_path(&id)).exists()
            || !store.path(&profile::partner_path(&id)).exists()
            || sealing.missed(store, &format!("{OPTIN}/{id}")).is_some()
        {
            continue;
        }
        let _lock = store.lock(profile::PARTNERS)?;
        // Read as it is: the opt-in an older partner file holds is this partner's own.
        let Some(p) = store.read::<Partner>(&profile::partner_path(&id))? else {
            continue;
        };
        update_sessions(store, &id, |_| Ok(()))?;
        write_partner(store, &p)?;
        n += 1;
    }
    Ok(n)
}

/// Before `couple encrypt` seals a plain folder: splits the own facts of the partners `held`
/// (whose keys this device holds) in their plain files, so that none is sealed to both. Each
/// split file is written before the fact leaves the shared one; a run cut short is done again
/// by the next.
pub fn split_plain(store: &Store, held: &[&str]) -> Result<()> {
    for id in held {
        let Ok(id) = Id::parse(id) else { continue };
        let partner = store.plain_path(&profile::partner_path(&id));
        let lock = partner
            .exists()
            .then(|| store.lock(profile::PARTNERS))
            .transpose()?;
        if let Some(mut v) = plain_json(&partner)?
            && let Some(m) = v.as_object_mut()
            && let Some(sexual) = m.remove("sexual")
        {
            let o = OptIns {
                version: FORMAT_VERSION,
                partner: id.clone(),
                sexual: sexual.as_bool().unwrap_or(false),
                extra: Extra::new(),
            };
            store.ensure_dir(OPTIN)?;
            write_plain(store, &optin_path(&id), &o)?;
            write_atomic(&partner, &pretty(&v)?)?;
        }
        drop(lock);
        let sessions = store.plain_path(&touch::sessions_path(&id));
        if plain_json(&sessions)?.is_none() {
            continue;
        }
        let _lock = store.lock(&format!("touch/{id}"))?;
        let Some(mut all) = crate::store::read_file::<Sessions>(&sessions)? else {
            continue;
        };
        if !all.debriefs.iter().any(|d| d.private) {
            continue;
        }
        let private_path = store.plain_path(&private_debriefs_path(&id));
        if let Some(old) = crate::store::read_file::<Sessions>(&private_path)? {
            all.debriefs.extend(old.debriefs);
            tidy(&mut all);
        }
        let (private, shared): (Vec<_>, Vec<_>) =
            all.debriefs.iter().cloned().partition(|d| d.private);
        let own = Sessions {
            debriefs: private,
            ..Sessions::new(&id)
        };
        write_plain(store, &private_debriefs_path(&id), &own)?;
        let rest = Sessions {
            debriefs: shared,
            ..all
        };
        write_plain(store, &touch::sessions_path(&id), &rest)?;
    }
    Ok(())
}

fn plain_json(path: &Path) -> Result<Option<serde_json::Value>> {
    match std::fs::read(path) {
        Ok(b) => Ok(serde_json::from_slice(crate::store::without_bom(&b)).ok()),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(Error::io(path, e)),
    }
}

fn pretty(v: &serde_json::Value) -> Result<Vec<u8>> {
    let mut b = serde_json::to_vec_pretty(v).map_err(|e| Error::invalid(e.to_string()))?;
    b.push(b'\n');
    Ok(b)
}

fn write_plain<T: Versioned>(store: &Store, rel: &str, v: &T) -> Result<()> {
    let bytes = v.encode().map_err(|e| Error::invalid(e.to_string()))?;
    write_atomic(&store.plain_path(rel), &bytes)
}

/// Removes a split file a plain folder no longer needs (its fact is back in the shared file).
fn remove_plain(store: &Store, rel: &str) -> Result<()> {
    let path = store.path(rel);
    match std::fs::remove_file(&path) {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
        Err(e) => Err(Error::io(&path, e)),
    }
}

#[cfg(test)]
mod tests;
