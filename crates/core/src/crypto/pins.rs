//! What this device has seen of each partner's published keys: pinned the first time, so that a
//! key that changes later is noticed and reported instead of trusted, until the partners compare
//! fingerprints and accept it. The pins live in the device's config folder (`pins.json`), never
//! in the synced data folder.
//!
//! [`watch`] is cheap enough for every run: it reads `pins.json` and lists the published keys'
//! folder; a published file is read again only when its size, inode or change time moved.

use super::keyring::{PUBLISHED, check_partner, published};
use super::keys::PublicKeys;
use crate::error::{Error, Result};
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

#[derive(Debug, Default, Serialize, Deserialize)]
struct Pins {
    version: u32,
    #[serde(default)]
    partners: BTreeMap<String, PublicKeys>,
    /// The published files last seen matching their pins, so a run reads them only if they moved.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    seen: BTreeMap<String, Stamp>,
}

impl Versioned for Pins {
    fn version(&self) -> u32 {
        self.version
    }
}

fn pins_path(config_dir: &Path) -> PathBuf {
    config_dir.join("pins.json")
}

fn load(config_dir: &Path) -> Result<Pins> {
    Ok(read_file(&pins_path(config_dir))?.unwrap_or_default())
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
    Unreadable { partner: String, why: String },
}

/// Every published key in the data folder checked against this device's pins: first sights are
/// pinned silently; changed or untrustworthy keys come back as alarms. Reads `pins.json`, lists
/// the published folder, and reads a published file only when it moved since it last matched.
pub fn watch(config_dir: &Path, store: &Store) -> Result<Vec<Alarm>> {
    let dir = store.path(PUBLISHED);
    let entries = match std::fs::read_dir(&dir) {
        Ok(e) => e,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(e) => return Err(Error::io(&dir, e)),
    };
    let mut pins = load(config_dir)?;
    let (mut alarms, mut dirty) = (Vec::new(), false);
    for entry in entries.flatten() {
        let name = entry.file_name();
        let Some(partner) = name.to_str().and_then(|n| n.strip_suffix(".json")) else {
            continue;
        };
        if check_partner(partner).is_err() {
            continue;
        }
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
                    why: e.to_string(),
                });
                continue;
            }
        };
        match pins.partners.get(partner) {
            Some(p) if *p != keys => alarms.push(Alarm::Changed {
                partner: partner.to_owned(),
                pinned: p.clone(),
                published: keys,
            }),
            _ => {
                pins.partners.insert(partner.to_owned(), keys);
                pins.seen.insert(partner.to_owned(), stamp);
                dirty = true;
            }
        }
    }
    if dirty {
        save(config_dir, &mut pins)?;
    }
    Ok(alarms)
}

#[cfg(test)]
mod tests {
    use super::super::keyring::publish;
    use super::super::keys::Keys;
    use super::*;

    const SAM: &str = "sam000000002";

    #[test]
    fn the_other_partners_keys_are_pinned_on_first_sight_and_a_change_is_noticed() {
        let t = tempfile::tempdir().unwrap();
        let config = t.path().join("config");
        let (first, other) = (Keys::generate().public(), Keys::generate().public());
        assert_eq!(check_pin(&config, SAM, &first).unwrap(), Pin::New);
        assert_eq!(check_pin(&config, SAM, &first).unwrap(), Pin::Same);
        assert_eq!(
            check_pin(&config, SAM, &other).unwrap(),
            Pin::Changed {
                pinned: first.clone()
            }
        );
        // Still changed until accepted: a second look does not quietly pin the new keys.
        assert!(matches!(
            check_pin(&config, SAM, &other).unwrap(),
            Pin::Changed { .. }
        ));
        accept_pin(&config, SAM, &other).unwrap();
        assert_eq!(check_pin(&config, SAM, &other).unwrap(), Pin::Same);
    }

    #[test]
    fn the_watch_pins_first_sights_and_raises_a_change_on_every_look_until_accepted() {
        let t = tempfile::tempdir().unwrap();
        let (store, config) = (Store::new(t.path().join("data")), t.path().join("config"));
        assert_eq!(watch(&config, &store).unwrap(), []);
        let (first, second) = (Keys::generate(), Keys::generate());
        publish(&store, SAM, &first).unwrap();
        assert_eq!(watch(&config, &store).unwrap(), []);
        assert_eq!(pinned(&config, SAM).unwrap(), Some(first.public()));
        assert_eq!(watch(&config, &store).unwrap(), [], "nothing new");
        publish(&store, SAM, &second).unwrap();
        let changed = Alarm::Changed {
            partner: SAM.into(),
            pinned: first.public(),
            published: second.public(),
        };
        assert_eq!(watch(&config, &store).unwrap(), [changed]);
        assert_eq!(watch(&config, &store).unwrap().len(), 1, "said again");
        accept_pin(&config, SAM, &second.public()).unwrap();
        assert_eq!(watch(&config, &store).unwrap(), []);
        // A forged file (not signed by the key it carries) is an alarm, not a pin.
        let rel = format!("{PUBLISHED}/{SAM}.json");
        let text = std::fs::read_to_string(store.path(&rel)).unwrap();
        let forged = text.replace(&second.public().age, &first.public().age);
        std::fs::write(store.path(&rel), forged).unwrap();
        assert!(matches!(
            watch(&config, &store).unwrap()[..],
            [Alarm::Unreadable { .. }]
        ));
        assert_eq!(pinned(&config, SAM).unwrap(), Some(second.public()));
    }

    #[test]
    fn an_unchanged_published_file_is_not_read_again() {
        let t = tempfile::tempdir().unwrap();
        let (store, config) = (Store::new(t.path().join("data")), t.path().join("config"));
        publish(&store, SAM, &Keys::generate()).unwrap();
        watch(&config, &store).unwrap();
        // Damage the file, then tell the pins it was last seen as it is now: a watch that read
        // it would raise an alarm; one that trusts the stamp does not open it.
        let path = store.path(&format!("{PUBLISHED}/{SAM}.json"));
        std::fs::write(&path, b"damaged").unwrap();
        assert_eq!(watch(&config, &store).unwrap().len(), 1);
        let mut pins = load(&config).unwrap();
        let stamp = Stamp::of(&std::fs::metadata(&path).unwrap());
        pins.seen.insert(SAM.into(), stamp);
        save(&config, &mut pins).unwrap();
        assert_eq!(watch(&config, &store).unwrap(), []);
    }
}
