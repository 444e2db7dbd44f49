//! Where keys live: a partner's secret key in this device's config folder (never in the synced
//! data folder), their public keys published, self-signed, in the data folder, and the other
//! partner's public keys pinned on this device the first time it sees them, so that a changed
//! key is noticed instead of trusted.

use super::keys::{Keys, PublicKeys};
pub use super::pins::{Pin, accept_pin, check_pin};
use super::{CryptoError, Result as CryptoResult, hex, unhex};
use crate::error::{Error, Result};
use crate::store::{FORMAT_VERSION, Store, Versioned, write_atomic};
use age::secrecy::{ExposeSecret, SecretString};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// The folder of published public keys in the data folder, one file per partner.
pub const PUBLISHED: &str = "keys";

/// A partner ID is safe in a file name: lower-case letters and digits, 4 to 32 of them.
pub(crate) fn check_partner(partner: &str) -> Result<()> {
    let ok = (4..=32).contains(&partner.len())
        && partner
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit());
    if ok {
        Ok(())
    } else {
        Err(Error::invalid(format!("{partner:?} is not a partner ID")))
    }
}

fn crypto(path: &Path, e: CryptoError) -> Error {
    Error::invalid(format!("{}: {e}", path.display()))
}

/// What a partner states about the other partners' keys: each one's public keys as the devices
/// holding this partner's key pinned them, by partner ID.
pub type Statement = BTreeMap<String, PublicKeys>;

/// A partner's public keys as published in the data folder, signed with their own signing key
/// over the partner ID they belong to and, when there is one, their statement of the other
/// partner's keys: a new device of theirs checks the other partner's keys against it before
/// trusting them.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Published {
    pub version: u32,
    pub partner: String,
    #[serde(flatten)]
    pub keys: PublicKeys,
    /// The other partners' keys as this partner's devices pinned them; signed with the rest, so
    /// it cannot be changed or taken out without the signature failing.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pinned: Option<Statement>,
    /// Ed25519 over the partner ID, both keys and the statement, 128 hex digits.
    pub sig: String,
}

impl Versioned for Published {
    fn version(&self) -> u32 {
        self.version
    }
}

/// What a published file's signature covers. Files from before statements (no `pinned`) sign
/// the first form; a file with a statement signs the second, so taking the statement out breaks
/// the signature.
fn published_message(partner: &str, keys: &PublicKeys, pinned: Option<&Statement>) -> Vec<u8> {
    let Some(pinned) = pinned else {
        return format!(
            "closer public keys/1\0{partner}\0{}\0{}",
            keys.age, keys.ed25519
        )
        .into_bytes();
    };
    let mut m = format!(
        "closer public keys/2\0{partner}\0{}\0{}",
        keys.age, keys.ed25519
    );
    for (other, k) in pinned {
        m.push_str(&format!("\0{other}\0{}\0{}", k.age, k.ed25519));
    }
    m.into_bytes()
}

/// Publishes `keys`' public half for `partner` in the data folder, stating no other partner's
/// keys (see [`publish_stating`]).
pub fn publish(store: &Store, partner: &str, keys: &Keys) -> Result<()> {
    publish_stating(store, partner, keys, &Statement::new())
}

/// Publishes `keys`' public half for `partner`, with their signed statement of the other
/// partners' keys as this device pinned them.
pub fn publish_stating(
    store: &Store,
    partner: &str,
    keys: &Keys,
    pinned: &Statement,
) -> Result<()> {
    check_partner(partner)?;
    for other in pinned.keys() {
        check_partner(other)?;
    }
    let public = keys.public();
    let record = Published {
        version: FORMAT_VERSION,
        partner: partner.into(),
        sig: hex(&keys.sign(&published_message(partner, &public, Some(pinned)))),
        keys: public,
        pinned: Some(pinned.clone()),
    };
    store.ensure_dir(PUBLISHED)?;
    store.write(&format!("{PUBLISHED}/{partner}.json"), &record)
}

/// The public keys `partner` published, checked: the file names the same partner, both keys
/// parse, and the signature is made by the key it publishes. `None` when nothing is published.
pub fn published(store: &Store, partner: &str) -> Result<Option<PublicKeys>> {
    Ok(published_stating(store, partner)?.map(|(keys, _)| keys))
}

/// [`published`], with the partner's signed statement of the other partners' keys (`None` in a
/// file from before statements). Every key and ID in the statement is checked too.
pub fn published_stating(
    store: &Store,
    partner: &str,
) -> Result<Option<(PublicKeys, Option<Statement>)>> {
    check_partner(partner)?;
    let rel = format!("{PUBLISHED}/{partner}.json");
    let path = store.path(&rel);
    let Some(p) = store.read::<Published>(&rel)? else {
        return Ok(None);
    };
    let bad = |why: &str| Error::invalid(format!("{}: {why}; it is ignored", path.display()));
    if p.partner != partner {
        return Err(bad("these keys say they belong to another partner"));
    }
    p.keys.check().map_err(|e| crypto(&path, e))?;
    for (other, k) in p.pinned.iter().flatten() {
        check_partner(other)?;
        k.check().map_err(|e| crypto(&path, e))?;
    }
    let sig = unhex::<64>(&p.sig).ok_or_else(|| bad("the signature is not 128 hex digits"))?;
    if !p.keys.verifies(
        &published_message(partner, &p.keys, p.pinned.as_ref()),
        &sig,
    ) {
        return Err(bad("the signature does not check out"));
    }
    Ok(Some((p.keys, p.pinned)))
}

/// A secret key as stored on this device.
#[derive(Clone)]
pub enum StoredKey {
    Open(Box<Keys>),
    /// Passphrase-protected: [`StoredKey::unlock`] it.
    Locked(Vec<u8>),
}

impl std::fmt::Debug for StoredKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            StoredKey::Open(_) => "StoredKey::Open(…)",
            StoredKey::Locked(_) => "StoredKey::Locked(…)",
        })
    }
}

impl StoredKey {
    pub fn unlock(self, passphrase: SecretString) -> CryptoResult<Keys> {
        match self {
            StoredKey::Open(k) => Ok(*k),
            StoredKey::Locked(bytes) => Keys::from_protected(&bytes, passphrase),
        }
    }
}

/// The bytes of a key file, read once a run while it is unchanged (see [`crate::run_memo`]).
pub fn read_key_file(path: &Path) -> std::io::Result<Vec<u8>> {
    crate::run_memo::read(path, || std::fs::read(path))
}

/// This device's secret keys: `keys/PARTNER.key` in the config folder, 0600.
#[derive(Debug, Clone)]
pub struct DeviceKeys {
    dir: PathBuf,
}

impl DeviceKeys {
    pub fn new(config_dir: &Path) -> DeviceKeys {
        DeviceKeys {
            dir: config_dir.join("keys"),
        }
    }

    fn path(&self, partner: &str) -> Result<PathBuf> {
        check_partner(partner)?;
        Ok(self.dir.join(format!("{partner}.key")))
    }

    /// Stores `keys` for `partner`, under a passphrase when one is given (with scrypt's work
    /// factor, log2 N; `None` lets age choose).
    pub fn save(
        &self,
        partner: &str,
        keys: &Keys,
        passphrase: Option<(SecretString, Option<u8>)>,
    ) -> Result<()> {
        let path = self.path(partner)?;
        Store::new(&self.dir).ensure_dir("")?;
        let bytes = match passphrase {
            Some((p, work)) => keys.to_protected(p, work, None),
            None => keys.to_text().expose_secret().as_bytes().to_vec(),
        };
        write_atomic(&path, &bytes)
    }

    /// The key stored for `partner`, if this device has one: read and parsed once a run while
    /// its file is unchanged (see [`crate::run_memo`]).
    pub fn load(&self, partner: &str) -> Result<Option<StoredKey>> {
        let path = self.path(partner)?;
        crate::run_memo::read(&path, || Self::read(&path))
    }

    fn read(path: &Path) -> Result<Option<StoredKey>> {
        let bytes = match read_key_file(path) {
            Ok(b) => b,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
            Err(e) => return Err(Error::io(path, e)),
        };
        if Keys::is_protected(&bytes) {
            return Ok(Some(StoredKey::Locked(bytes)));
        }
        let text = String::from_utf8(bytes)
            .map_err(|_| crypto(path, CryptoError::BadKey("not text".into())))?;
        Keys::from_text(&text)
            .map(|k| Some(StoredKey::Open(Box::new(k))))
            .map_err(|e| crypto(path, e))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::os::unix::fs::PermissionsExt;

    const ALEX: &str = "alex00000001";
    const SAM: &str = "sam000000002";

    fn dirs() -> (tempfile::TempDir, Store, PathBuf) {
        let t = tempfile::tempdir().unwrap();
        let store = Store::new(t.path().join("data"));
        let config = t.path().join("config");
        (t, store, config)
    }

    #[test]
    fn published_keys_read_back_checked() {
        let (_t, store, _) = dirs();
        let k = Keys::generate();
        assert!(published(&store, ALEX).unwrap().is_none());
        publish(&store, ALEX, &k).unwrap();
        assert_eq!(published(&store, ALEX).unwrap(), Some(k.public()));
    }

    #[test]
    fn keys_published_under_another_partner_or_by_another_key_are_refused() {
        let (_t, store, _) = dirs();
        let (alex, sam) = (Keys::generate(), Keys::generate());
        publish(&store, SAM, &sam).unwrap();
        // Someone copies Sam's published file over Alex's name.
        std::fs::copy(
            store.path(&format!("keys/{SAM}.json")),
            store.path(&format!("keys/{ALEX}.json")),
        )
        .unwrap();
        assert!(published(&store, ALEX).is_err());
        // Someone swaps in their own age key but keeps Alex's signature.
        publish(&store, ALEX, &alex).unwrap();
        let rel = format!("keys/{ALEX}.json");
        let mut p: Published = store.read(&rel).unwrap().unwrap();
        p.keys.age = sam.public().age;
        store.write(&rel, &p).unwrap();
        assert!(published(&store, ALEX).is_err());
    }

    #[test]
    fn a_partner_id_that_is_not_an_id_never_reaches_a_path() {
        let (_t, store, config) = dirs();
        let k = Keys::generate();
        for bad in ["../../etc", "ALEX0001", "a/b/c/d", "", "x"] {
            assert!(publish(&store, bad, &k).is_err(), "{bad}");
            assert!(
                DeviceKeys::new(&config).save(bad, &k, None).is_err(),
                "{bad}"
            );
            assert!(check_pin(&config, bad, &k.public()).is_err(), "{bad}");
        }
    }

    #[test]
    fn a_device_key_is_private_and_loads_back_with_or_without_a_passphrase() {
        let (_t, _, config) = dirs();
        let dk = DeviceKeys::new(&config);
        let k = Keys::generate();
        assert!(dk.load(ALEX).unwrap().is_none());
        dk.save(ALEX, &k, None).unwrap();
        let path = config.join("keys").join(format!("{ALEX}.key"));
        assert_eq!(
            std::fs::metadata(&path).unwrap().permissions().mode() & 0o777,
            0o600
        );
        let pass = || SecretString::from("our quiet place".to_owned());
        match dk.load(ALEX).unwrap().unwrap() {
            StoredKey::Open(l) => assert_eq!(l.public(), k.public()),
            StoredKey::Locked(_) => panic!("saved without a passphrase"),
        }
        dk.save(ALEX, &k, Some((pass(), Some(2)))).unwrap();
        let stored = dk.load(ALEX).unwrap().unwrap();
        assert!(matches!(stored, StoredKey::Locked(_)));
        assert_eq!(stored.unlock(pass()).unwrap().public(), k.public());
    }
}
