//! What this device has seen of each partner's published keys: pinned the first time, so that a
//! key that changes later is noticed and reported instead of trusted, until the partners compare
//! fingerprints and accept it. The pins live in the device's config folder (`pins.json`), never
//! in the synced data folder.
//!
//! [`trusted`] is the one answer to "which keys are this partner's": the pinned ones, never a
//! published file that changed or vanished since. [`watch`] is cheap enough for every run: it
//! reads `pins.json` and lists the published keys' folder; a published file is read again only
//! when its size, inode or change time moved.

use super::keyring::{
    DeviceKeys, PUBLISHED, Statement, StoredKey, check_partner, published, published_stating,
};
use super::keys::PublicKeys;
use crate::error::{Error, Fault, Result};
use crate::ids::Id;
use crate::store::{FORMAT_VERSION, Store, Versioned, read_file, write_atomic};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};

/// What this device knew of a partner's public keys.
#[derive(Debug, PartialEq, Eq)]
pub enum Pin {
    /// First sight: now pinned.
    New,
    /// The keys this device pinned.
    Same,
    /// Different keys from the ones pinned: not to be trusted until the partners compare
    /// fingerprints and this device is told to accept them.
    Changed { pinned: PublicKeys },
}

/// A published file as last seen matching its pin: size, inode and change time.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
struct Stamp {
    len: u64,
    ino: u64,
    ctime_ns: i64,
}

impl Stamp {
    fn of(meta: &std::fs::Metadata) -> Stamp {
        Stamp {
            len: meta.len(),
            ino: meta.ino(),
            ctime_ns: meta.ctime().saturating_mul(1_000_000_000) + meta.ctime_nsec(),
        }
    }
}

#[derive(Debug, Default, Clone, Serialize, Deserialize)]
struct Pins {
    version: u32,
    #[serde(default)]
    partners: BTreeMap<String, PublicKeys>,
    /// The published files last seen matching their pins, so a run reads them only if they moved.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    seen: BTreeMap<String, Stamp>,
    /// For each partner whose key this device holds, the statement of the other partners' keys
    /// last published (or found published) in their name, so a run signs one only when a pin
    /// changed or their published file moved.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    stated: BTreeMap<String, Statement>,
}

impl Versioned for Pins {
    fn version(&self) -> u32 {
        self.version
    }
}

fn pins_path(config_dir: &Path) -> PathBuf {
    config_dir.join("pins.json")
}

/// The pins, read once a run while `pins.json` is unchanged (see [`crate::run_memo`]).
fn load(config_dir: &Path) -> Result<Pins> {
    let path = pins_path(config_dir);
    Ok(crate::run_memo::read(&path, || read_file::<Pins>(&path))?.unwrap_or_default())
}

fn save(config_dir: &Path, pins: &mut Pins) -> Result<()> {
    pins.version = FORMAT_VERSION;
    Store::new(config_dir).ensure_dir("")?;
    let bytes = pins
        .encode()
        .map_err(|e| Error::invalid(format!("pins: {e}")))?;
    write_atomic(&pins_path(config_dir), &bytes)
}

/// Checks `seen` against the keys this device pinned for `partner`, pinning them on first sight.
pub fn check_pin(config_dir: &Path, partner: &str, seen: &PublicKeys) -> Result<Pin> {
    check_partner(partner)?;
    let mut pins = load(config_dir)?;
    match pins.partners.get(partner) {
        Some(p) if p == seen => Ok(Pin::Same),
        Some(p) => Ok(Pin::Changed { pinned: p.clone() }),
        None => {
            pins.partners.insert(partner.into(), seen.clone());
            save(config_dir, &mut pins)?;
            Ok(Pin::New)
        }
    }
}

/// Replaces the pin for `partner` with `accepted`, once the partners compared fingerprints (or
/// this device made or received that partner's key itself).
pub fn accept_pin(config_dir: &Path, partner: &str, accepted: &PublicKeys) -> Result<()> {
    check_partner(partner)?;
    let mut pins = load(config_dir)?;
    pins.partners.insert(partner.into(), accepted.clone());
    pins.seen.remove(partner);
    save(config_dir, &mut pins)
}

/// The keys this device pinned for `partner`, if any.
pub fn pinned(config_dir: &Path, partner: &str) -> Result<Option<PublicKeys>> {
    check_partner(partner)?;
    Ok(load(config_dir)?.partners.remove(partner))
}

/// Whether `partner` is a partner of the couple in this data folder: their partner file is
/// there, plain or sealed (looked at by name only).
fn of_this_folder(store: &Store, partner: &str) -> bool {
    let Ok(id) = Id::parse(partner) else {
        return false;
    };
    let plain = store.plain_path(&crate::profile::partner_path(&id));
    plain.exists() || plain.with_extension(crate::sealing::SEALED_EXT).exists()
}

/// How many partners of this folder this device pinned. A couple is two: once two are pinned,
/// keys published for anyone else are not taken on first sight (someone who can write into the
/// folder would otherwise add a "partner" that every shared record is then encrypted to).
fn members(pins: &Pins, store: &Store) -> usize {
    pins.partners
        .keys()
        .filter(|p| of_this_folder(store, p))
        .count()
}

/// The public keys this device trusts for `partner`: the ones it pinned, whatever the data folder
/// publishes now (a changed, forged or deleted published file changes nothing here until `couple
/// keys accept`); the published ones, checked, only on first sight, when they are pinned. `None`
/// when nothing is pinned or published; an error when nothing is pinned and the published file
/// cannot be trusted.
pub fn trusted(config_dir: &Path, store: &Store, partner: &str) -> Result<Option<PublicKeys>> {
    if let Some(p) = pinned(config_dir, partner)? {
        return Ok(Some(p));
    }
    let Some(seen) = published(store, partner)? else {
        return Ok(None);
    };
    // Nothing pinned: this is the first sight. A device holding no key of this folder reads
    // and signs nothing, so it pins nothing: what it would pin could not be checked, and the
    // key it may receive later checks it then.
    if !holds_a_key(config_dir, store) {
        return Ok(Some(seen));
    }
    let mut pins = load(config_dir)?;
    let pin = first_sight(config_dir, store, &pins, partner, seen)?;
    pins.partners.insert(partner.into(), pin.clone());
    save(config_dir, &mut pins)?;
    Ok(Some(pin))
}

/// The partners whose key this device holds (`keys/ID.key` in the config folder, looked at by
/// name only).
fn held_here(config_dir: &Path) -> Vec<String> {
    let Ok(entries) = std::fs::read_dir(config_dir.join("keys")) else {
        return Vec::new();
    };
    entries
        .flatten()
        .filter_map(|e| {
            let name = e.file_name().into_string().ok()?;
            let id = name.strip_suffix(".key")?;
            check_partner(id).ok().map(|()| id.to_owned())
        })
        .collect()
}

/// Whether this device holds the key of a partner of this folder.
fn holds_a_key(config_dir: &Path, store: &Store) -> bool {
    held_here(config_dir)
        .iter()
        .any(|h| of_this_folder(store, h))
}

/// The keys of `holder`, a partner whose key this device holds: as pinned (this device made or
/// received the key), else from the key itself when it has no passphrase.
fn own_keys(config_dir: &Path, pins: &Pins, holder: &str) -> Option<PublicKeys> {
    if let Some(k) = pins.partners.get(holder) {
        return Some(k.clone());
    }
    match DeviceKeys::new(config_dir).load(holder) {
        Ok(Some(StoredKey::Open(k))) => Some(k.public()),
        _ => None,
    }
}

/// The keys to pin for `partner` on first sight, `seen` published. On a device holding the
/// other partner's key, their devices' signed statement decides: a partner's keys are the ones
/// the other partner pinned, whatever the folder publishes now (someone who can write into the
/// folder may have replaced them; [`watch`] then raises the change). Without a statement (no
/// key held here, or one stating nothing about `partner`), the keys seen. An error when the
/// statement of a partner whose key is held here does not check out.
fn first_sight(
    config_dir: &Path,
    store: &Store,
    pins: &Pins,
    partner: &str,
    seen: PublicKeys,
) -> Result<PublicKeys> {
    for holder in held_here(config_dir) {
        if holder == partner || !of_this_folder(store, &holder) {
            continue;
        }
        let Some(own) = own_keys(config_dir, pins, &holder) else {
            continue;
        };
        let stated = match published_stating(store, &holder) {
            Ok(Some((keys, stated))) if keys == own => stated,
            // Not this partner's keys (or none): the alarms about their own file say so.
            Ok(_) => continue,
            Err(e) => {
                return Err(Error::invalid(format!(
                    "they cannot be checked against what the device holding the other partner's key pinned: {e}"
                )));
            }
        };
        if let Some(k) = stated.and_then(|mut s| s.remove(partner)) {
            return Ok(k);
        }
    }
    Ok(seen)
}

/// What the partner `holder` states about the other partners of this folder: their keys as this
/// device pinned them.
pub fn statement(config_dir: &Path, store: &Store, holder: &str) -> Result<Statement> {
    check_partner(holder)?;
    Ok(statement_in(&load(config_dir)?, store, holder))
}

fn statement_in(pins: &Pins, store: &Store, holder: &str) -> Statement {
    pins.partners
        .iter()
        .filter(|(p, _)| *p != holder && of_this_folder(store, p))
        .map(|(p, k)| (p.clone(), k.clone()))
        .collect()
}

/// The partners of this folder whose key this device holds and whose statement may be out of
/// date (a pin changed, or their published file moved), each with the statement due.
pub fn unstated(config_dir: &Path, store: &Store) -> Result<Vec<(String, Statement)>> {
    let pins = load(config_dir)?;
    Ok(held_here(config_dir)
        .into_iter()
        .filter(|h| of_this_folder(store, h))
        .filter_map(|h| {
            let due = statement_in(&pins, store, &h);
            (pins.stated.get(&h) != Some(&due)).then_some((h, due))
        })
        .collect())
}

/// Notes that `holder`'s published file, as it is on disk now (their own keys, as pinned),
/// states `statement`, so the next run neither reads it again nor signs it again.
pub fn mark_stated(
    config_dir: &Path,
    store: &Store,
    holder: &str,
    statement: &Statement,
) -> Result<()> {
    check_partner(holder)?;
    let mut pins = load(config_dir)?;
    pins.stated.insert(holder.into(), statement.clone());
    let path = store.path(&format!("{PUBLISHED}/{holder}.json"));
    if let Ok(meta) = std::fs::metadata(&path) {
        pins.seen.insert(holder.into(), Stamp::of(&meta));
    }
    save(config_dir, &mut pins)
}

/// What this device trusts of every partner's keys in this data folder (see [`trusted`]).
#[derive(Debug, Default)]
pub struct Trusted {
    /// Each partner's trusted public keys.
    pub keys: BTreeMap<String, PublicKeys>,
    /// Published files that cannot be trusted, of partners nothing is pinned for: each with why.
    pub unreadable: Vec<(PathBuf, Fault)>,
}

/// [`trusted`] for every partner who published keys in this folder, and every partner of this
/// folder whose keys this device pinned (their published file may have been deleted).
pub fn trusted_all(config_dir: &Path, store: &Store) -> Result<Trusted> {
    let dir = store.plain_path(PUBLISHED);
    let mut partners: Vec<String> = match std::fs::read_dir(&dir) {
        Ok(entries) => entries
            .flatten()
            .filter_map(|e| {
                let name = e.file_name().into_string().ok()?;
                let id = name.strip_suffix(".json")?;
                check_partner(id).ok().map(|()| id.to_owned())
            })
            .collect(),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Vec::new(),
        Err(e) => return Err(Error::io(&dir, e)),
    };
    let pins = load(config_dir)?;
    let mut members = members(&pins, store);
    for p in pins.partners.keys() {
        if !partners.contains(p) && of_this_folder(store, p) {
            partners.push(p.clone());
        }
    }
    let mut out = Trusted::default();
    for p in partners {
        let first_sight = !pins.partners.contains_key(&p);
        if first_sight && members >= 2 {
            out.unreadable.push((
                store.plain_path(&format!("{PUBLISHED}/{p}.json")),
                Fault::ThirdPartner,
            ));
            continue;
        }
        match trusted(config_dir, store, &p) {
            Ok(Some(k)) if first_sight => {
                members += usize::from(of_this_folder(store, &p));
                out.keys.insert(p, k);
            }
            Ok(Some(k)) => {
                out.keys.insert(p, k);
            }
            Ok(None) => {}
            Err(e) => out
                .unreadable
                .push((dir.clone(), Fault::Said(e.to_string()))),
        }
    }
    Ok(out)
}

/// Something wrong with a partner's published keys, to be said loudly on every run until it is
/// put right.
#[derive(Debug, PartialEq, Eq)]
pub enum Alarm {
    /// The published keys differ from the pinned ones.
    Changed {
        partner: String,
        pinned: PublicKeys,
        published: PublicKeys,
    },
    /// The published file cannot be trusted at all (forged, damaged, another partner's).
    Unreadable { partner: String, why: Fault },
    /// The published file of a partner of this folder, whose keys this device pinned, is gone.
    Missing { partner: String, pinned: PublicKeys },
}

/// Every published key in the data folder checked against this device's pins: first sights are
/// pinned silently; changed, untrustworthy or deleted keys come back as alarms. Reads
/// `pins.json`, lists the published folder, and reads a published file only when it moved since
/// it last matched.
pub fn watch(config_dir: &Path, store: &Store) -> Result<Vec<Alarm>> {
    let dir = store.path(PUBLISHED);
    let entries = match std::fs::read_dir(&dir) {
        Ok(e) => Some(e),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => None,
        Err(e) => return Err(Error::io(&dir, e)),
    };
    let mut pins = load(config_dir)?;
    let (mut alarms, mut dirty) = (Vec::new(), false);
    let mut listed = Vec::new();
    for entry in entries.into_iter().flatten().flatten() {
        let name = entry.file_name();
        let Some(partner) = name.to_str().and_then(|n| n.strip_suffix(".json")) else {
            continue;
        };
        if check_partner(partner).is_err() {
            continue;
        }
        listed.push(partner.to_owned());
        let Ok(meta) = entry.metadata() else {
            continue;
        };
        let stamp = Stamp::of(&meta);
        if pins.seen.get(partner) == Some(&stamp) && pins.partners.contains_key(partner) {
            continue;
        }
        let keys = match published(store, partner) {
            Ok(Some(k)) => k,
            Ok(None) => continue,
            Err(e) => {
                alarms.push(Alarm::Unreadable {
                    partner: partner.to_owned(),
                    why: Fault::Said(e.to_string()),
                });
                continue;
            }
        };
        // A moved file may no longer state what this device last signed in its name.
        dirty |= pins.stated.remove(partner).is_some();
        let pin = match pins.partners.get(partner) {
            Some(p) => p.clone(),
            None if members(&pins, store) >= 2 => {
                alarms.push(Alarm::Unreadable {
                    partner: partner.to_owned(),
                    why: Fault::ThirdPartner,
                });
                continue;
            }
            // Pinned only once this device holds a key to check them with (see `trusted`).
            None if !holds_a_key(config_dir, store) => continue,
            None => match first_sight(config_dir, store, &pins, partner, keys.clone()) {
                Ok(pin) => {
                    pins.partners.insert(partner.to_owned(), pin.clone());
                    dirty = true;
                    pin
                }
                Err(e) => {
                    alarms.push(Alarm::Unreadable {
                        partner: partner.to_owned(),
                        why: Fault::Said(e.to_string()),
                    });
                    continue;
                }
            },
        };
        if pin == keys {
            pins.seen.insert(partner.to_owned(), stamp);
            dirty = true;
        } else {
            alarms.push(Alarm::Changed {
                partner: partner.to_owned(),
                pinned: pin,
                published: keys,
            });
        }
    }
    // A pinned partner of this folder whose published file is gone: their partner's devices
    // could no longer check their records or encrypt to them.
    for (partner, pinned) in &pins.partners {
        if !listed.contains(partner) && of_this_folder(store, partner) {
            alarms.push(Alarm::Missing {
                partner: partner.clone(),
                pinned: pinned.clone(),
            });
        }
    }
    if dirty {
        save(config_dir, &mut pins)?;
    }
    Ok(alarms)
}

#[cfg(test)]
mod tests;
