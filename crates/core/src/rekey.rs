//! A partner's key replaced after it was lost with every copy. The other partner's device, once
//! it accepts the new key, encrypts what the couple shares to it again, exactly as it was signed,
//! and vouches (by their digests) for the files signed with the previous key that it checked
//! before the change; it tells the new key which in a hand-over, sealed to both and signed by
//! itself. The new key's device takes the hand-over once, signs again with the new key what it
//! may, and says once what was locked to the previous key alone. Each device keeps this in its
//! config folder (`rekey.json`), never in the synced folder.

use crate::access::{self, Readers, Writer};
use crate::crypto::{Keys, PublicKeys, seal};
use crate::error::{Error, Result};
use crate::removals;
use crate::sealing::{SEALED_EXT, Sealing};
use crate::store::{FORMAT_VERSION, Store, Versioned, read_file, write_atomic};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// The folder of hand-overs in the data folder: `rekey/WRITER.age`.
pub const FOLDER: &str = "rekey";

/// What one device keeps of the partners whose key was replaced.
#[derive(Debug, Default, Clone, Serialize, Deserialize)]
pub struct Rekeys {
    version: u32,
    #[serde(default)]
    pub partners: BTreeMap<String, Replaced>,
}

impl Versioned for Rekeys {
    fn version(&self) -> u32 {
        self.version
    }
}

/// A partner's previous key, as one device keeps it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Replaced {
    /// The key they had before.
    pub previous: PublicKeys,
    /// The digests of the sealed files signed with it that this device believes.
    #[serde(default)]
    pub vouched: BTreeSet<String>,
    /// On the device that made the new key: whether the other device's hand-over was taken.
    #[serde(default)]
    pub taken: bool,
    /// How this device knows `previous`.
    #[serde(default)]
    pub known: Known,
}

/// How a device knows which key a partner's new one replaced.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Known {
    /// From the other partner's hand-over alone: their word, never vouched with nor passed on.
    /// (Also what a device kept before this was recorded says.)
    #[default]
    Told,
    /// Its own: it made the new key, or accepted it in place of the key it had pinned.
    Own,
    /// From the partner's own copy of their new key (`couple keys export` on a device that
    /// knew), until this device has read the other partner's hand-over for what it vouches for;
    /// [`Known::Own`] after.
    Copied,
}

/// What the other partner's device tells the new key, sealed to both and signed by it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Handover {
    pub version: u32,
    /// Whose key was replaced.
    pub partner: String,
    pub previous: PublicKeys,
    pub new: PublicKeys,
    /// The digests of the files signed with the previous key that the writer checked.
    pub vouched: BTreeSet<String>,
    /// The partner's answers the writer had been shown, for the new key (see
    /// [`crate::answer_rekey`]).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub answers: Vec<crate::answer_rekey::HandedAnswer>,
}

impl Versioned for Handover {
    fn version(&self) -> u32 {
        self.version
    }
}

fn path(config_dir: &Path) -> PathBuf {
    config_dir.join("rekey.json")
}

pub fn load(config_dir: &Path) -> Result<Rekeys> {
    Ok(read_file(&path(config_dir))?.unwrap_or_default())
}

pub fn save(config_dir: &Path, r: &mut Rekeys) -> Result<()> {
    r.version = FORMAT_VERSION;
    Store::new(config_dir).ensure_dir("")?;
    let bytes = r
        .encode()
        .map_err(|e| Error::invalid(format!("rekey: {e}")))?;
    write_atomic(&path(config_dir), &bytes)
}

/// Remembers that `partner`'s key `previous` was replaced by a new key made on this device.
pub fn replaced(config_dir: &Path, partner: &str, previous: &PublicKeys) -> Result<()> {
    let mut r = load(config_dir)?;
    r.partners.insert(
        partner.to_owned(),
        Replaced {
            previous: previous.clone(),
            vouched: BTreeSet::new(),
            taken: false,
            known: Known::Own,
        },
    );
    save(config_dir, &mut r)
}

/// The lost key `partner`'s key replaced, as this device knows it itself, once it has taken the
/// other partner's hand-over: to name it in a copy of the key for another device of theirs.
pub fn own_previous(config_dir: &Path, partner: &str) -> Result<Option<PublicKeys>> {
    Ok(load(config_dir)?
        .partners
        .remove(partner)
        .filter(|r| r.known != Known::Told && r.taken)
        .map(|r| r.previous))
}

/// Remembers that `partner`'s key, given to this device by a copy, replaced `previous`, as the
/// copy says: what the other partner's hand-over vouches for, for that very key, is believed here
/// once it is read. Nothing changes where this device knows it already.
pub fn copied(config_dir: &Path, partner: &str, previous: &PublicKeys) -> Result<()> {
    let mut r = load(config_dir)?;
    if r.partners
        .get(partner)
        .is_some_and(|e| e.known != Known::Told)
    {
        return Ok(());
    }
    r.partners.insert(
        partner.to_owned(),
        Replaced {
            previous: previous.clone(),
            vouched: BTreeSet::new(),
            // The device it came from took the hand-over (its copy is made once it has) and
            // signed again what it vouched for: that is not done twice.
            taken: true,
            known: Known::Copied,
        },
    );
    save(config_dir, &mut r)
}

/// A sealed file's digest, as vouched for.
pub fn digest(bytes: &[u8]) -> String {
    crate::crypto::hex(&Sha256::digest(bytes))
}

/// What a device vouches for, for a record signed with a previous key: the signature inside the
/// sealed file (`sig`, hex), the same whichever device encrypted the record again. The signature
/// covers the record's place, writer, version and bytes, so it vouches for that record alone.
pub fn token_of(sig: &str) -> String {
    format!("signed:{sig}")
}

/// [`token_of`] the sealed file `bytes`, opened with `keys`.
pub fn token(keys: &Keys, bytes: &[u8]) -> Option<String> {
    seal::signature_of(keys, bytes).map(|s| token_of(&s))
}

/// Two versions of one hand-over, written by two devices of its writer that each accepted the
/// new key before they synced: what either vouched for and handed over, when both are for the
/// same new key in place of the same previous one; otherwise the first (the one in place).
pub fn merge(mut a: Handover, b: Handover) -> Handover {
    if (&a.partner, &a.previous, &a.new) != (&b.partner, &b.previous, &b.new) {
        return a;
    }
    a.vouched.extend(b.vouched);
    for h in b.answers {
        if !a.answers.iter().any(|x| x.date == h.date) {
            a.answers.push(h);
        }
    }
    a
}

/// The place of a hand-over written by partner `writer`.
pub fn handover_place(writer: &str) -> String {
    format!("{FOLDER}/{writer}")
}

/// Every sealed file of the folder, records and the couple's own content files, with its place.
fn sealed_files(store: &Store) -> Result<Vec<(String, PathBuf)>> {
    Ok(crate::migrate::places(store)?
        .into_iter()
        .map(|p| {
            let path = store.plain_path(&format!("{p}.{SEALED_EXT}"));
            (p, path)
        })
        .filter(|(_, path)| path.is_file())
        .chain(crate::shared_content::sealed_files(store))
        .collect())
}

/// On the device of `me`, which trusted `partner`'s previous keys until now (`sealing`, holding
/// `me`'s keys): encrypts every shared record it opens and checks to `me` and `new`, signed as
/// it was, and returns what it vouches for ([`token`]) of those that were signed with `partner`'s
/// previous key (or carry what they said, inside a need). A record of `me`'s alone stays as it
/// is, and so does one whose signature is in `done` (encrypted to `new` by another device of
/// `me`, whose hand-over says so). An earlier copy of a removed need that this device leaves out
/// ([`removals::earlier_copy`]) is neither vouched for nor encrypted again.
pub fn reencrypt_shared(
    store: &Store,
    sealing: &Sealing,
    (me, keys): (&str, &Keys),
    partner: &str,
    new: &PublicKeys,
    done: &BTreeSet<String>,
) -> Result<BTreeSet<String>> {
    let mut vouched = BTreeSet::new();
    let mine = keys.public();
    for (place, path) in sealed_files(store)? {
        let folder = Path::new(&place)
            .parent()
            .and_then(Path::to_str)
            .unwrap_or("");
        let _lock = store.lock(folder)?;
        let Ok(bytes) = crate::store::read_unfollowed(&path) else {
            continue;
        };
        let Ok(o) = sealing.open_record(&place, &bytes) else {
            continue;
        };
        // An earlier copy of a need its owner removed, which this device leaves out: the new
        // key's device, which cannot tell, is not given it.
        if sealing
            .memory()
            .is_some_and(|m| removals::earlier_copy(store, m, &place, &o.body, o.rev).is_some())
        {
            continue;
        }
        let Some(rule) = access::rule(&place, &o.body) else {
            continue;
        };
        if matches!(rule.readers, Readers::Owner(_)) {
            continue;
        }
        let signed = token(keys, &bytes);
        let theirs = o.signer == partner || place.starts_with("needs/");
        if theirs && !matches!(rule.writer, Writer::Owner(ref p) if p == me) {
            vouched.extend(signed.clone());
        }
        // Encrypted to the new key already, by another device of `me` that accepted it.
        if signed.is_some_and(|t| done.contains(&t)) {
            continue;
        }
        let again = seal::reencrypt(keys, &bytes, &[&mine, new])
            .map_err(|e| Error::invalid(format!("{place}: {e}")))?;
        write_atomic(&path, &again)?;
    }
    Ok(vouched)
}

/// On the device holding `partner`'s new key: signs again with it every record the hand-over
/// vouched for that this device may write (their own shared records, and needs), so that the
/// other device checks them with the new key from now on. Returns how many.
pub fn sign_again(store: &Store, sealing: &Sealing, partner: &str) -> Result<usize> {
    let mut n = 0;
    for (place, path) in sealed_files(store)? {
        let Ok(bytes) = crate::store::read_unfollowed(&path) else {
            continue;
        };
        if !sealing.vouches(&bytes) {
            continue;
        }
        let Ok(o) = sealing.open_record(&place, &bytes) else {
            continue;
        };
        let mine = match access::rule(&place, &o.body).map(|r| r.writer) {
            Some(Writer::Owner(p)) => p == partner,
            Some(Writer::AnyPartner) => true,
            _ => false,
        };
        if mine && place.starts_with("content/") {
            let _lock = store.lock("content")?;
            write_atomic(&path, &sealing.seal(&place, &o.body, None)?)?;
            n += 1;
        } else if mine {
            match store.reseal(&format!("{place}.json")) {
                Ok(()) => n += 1,
                Err(Error::NotYours { .. }) => {}
                Err(e) => return Err(e),
            }
        }
    }
    Ok(n)
}

/// The records in `partner`'s own places that this device (holding their new key) cannot open:
/// what was locked to the previous key alone.
pub fn lost(store: &Store, sealing: &Sealing, partner: &str) -> Result<usize> {
    let mut n = 0;
    for (place, path) in sealed_files(store)? {
        let own = matches!(access::rule(&place, b"{}").map(|r| r.writer), Some(Writer::Owner(p)) if p == partner);
        if !own {
            continue;
        }
        let Ok(bytes) = crate::store::read_unfollowed(&path) else {
            continue;
        };
        if sealing.open_record(&place, &bytes).is_err() {
            n += 1;
        }
    }
    Ok(n)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sealing::tests::{A, B, devices};
    use std::sync::Arc;

    #[derive(Debug, PartialEq, Serialize, Deserialize)]
    struct Raw(serde_json::Value);
    impl Versioned for Raw {
        fn version(&self) -> u32 {
            1
        }
    }

    #[test]
    fn a_copy_names_only_a_lost_key_its_device_knows_itself_and_never_overrides_one() {
        let dir = tempfile::tempdir().unwrap();
        let (lost, other) = (Keys::generate().public(), Keys::generate().public());
        // Learnt from the other partner's hand-over alone: never named in a copy.
        let mut r = Rekeys::default();
        r.partners.insert(
            A.to_owned(),
            Replaced {
                previous: other.clone(),
                vouched: BTreeSet::new(),
                taken: true,
                known: Known::Told,
            },
        );
        save(dir.path(), &mut r).unwrap();
        assert_eq!(own_previous(dir.path(), A).unwrap(), None);
        // A copy naming the lost key is the partner's own word: it replaces what was told, and is
        // passed on in a copy made here.
        copied(dir.path(), A, &lost).unwrap();
        assert_eq!(own_previous(dir.path(), A).unwrap(), Some(lost.clone()));
        // Made here: named once the hand-over is taken, and no copy changes it.
        replaced(dir.path(), B, &lost).unwrap();
        assert_eq!(own_previous(dir.path(), B).unwrap(), None);
        copied(dir.path(), B, &other).unwrap();
        let mut r = load(dir.path()).unwrap();
        assert_eq!(r.partners[B].previous, lost);
        r.partners.get_mut(B).unwrap().taken = true;
        save(dir.path(), &mut r).unwrap();
        assert_eq!(own_previous(dir.path(), B).unwrap(), Some(lost));
    }

    fn need(id: &str, text: &str) -> Raw {
        Raw(
            serde_json::json!({"version": 1, "id": id, "owner": A, "text": text,
            "private": false}),
        )
    }

    #[test]
    fn what_the_previous_key_signed_is_believed_only_where_vouched_and_reaches_the_new_key() {
        let (_t, alex, sam, ka, kb) = devices();
        alex.ensure_dir("needs").unwrap();
        alex.write("needs/abcd12345678.json", &need("abcd12345678", "buttons"))
            .unwrap();
        // Alex's key is lost; Sam's device, still trusting it, encrypts what they share to the
        // new key, as it was signed.
        let new = Keys::generate();
        let before = sam.sealing().unwrap();
        let vouched =
            reencrypt_shared(&sam, &before, (B, &kb), A, &new.public(), &BTreeSet::new()).unwrap();
        assert_eq!(vouched.len(), 1);
        // The lost key, found by someone else, signs a need of its own afterwards.
        let forged = seal::seal(
            &ka,
            A,
            "needs/efgh12345678",
            &need("efgh12345678", "a forged need")
                .0
                .to_string()
                .into_bytes(),
            &[&kb.public(), &new.public()],
        )
        .unwrap();
        std::fs::write(alex.root().join("needs/efgh12345678.age"), forged).unwrap();
        for (device, keys, other) in [(&sam, &kb, B), (&alex, &new, A)] {
            let mut s = Sealing::new();
            s.hold(
                other,
                Arc::new(
                    Keys::from_text(crate::crypto::ExposeSecret::expose_secret(&keys.to_text()))
                        .unwrap(),
                ),
            );
            s.know(A, new.public());
            s.know(B, kb.public());
            let store = Store::new(device.root());
            store.set_sealing(Some(s.clone()));
            // Without vouching, what the previous key signed is not believed...
            assert!(store.read_all::<Raw>("needs").unwrap().is_empty());
            // ...with it, only the very files vouched for are.
            s.vouch(A, ka.public(), &vouched);
            store.set_sealing(Some(s));
            let read: Vec<Raw> = store.read_all("needs").unwrap();
            assert_eq!(read, vec![need("abcd12345678", "buttons")], "{other}");
        }
    }
    #[test]
    fn the_couples_own_content_reaches_the_new_key_and_is_signed_again_with_it() {
        let (_t, alex, sam, ka, kb) = devices();
        let place = "content/ours/walks.toml";
        let body = b"[[prompt]]\nid = \"our-walks-1\"\ntext = \"Where shall we walk?\"\n";
        let sealed = seal::seal(&ka, A, place, body, &[&ka.public(), &kb.public()]).unwrap();
        std::fs::create_dir_all(alex.root().join("content/ours")).unwrap();
        let file = alex.root().join("content/ours/walks.toml.age");
        std::fs::write(&file, sealed).unwrap();
        // Alex's key is lost; Sam's device accepts the new one.
        let new = Keys::generate();
        let vouched = reencrypt_shared(
            &sam,
            &sam.sealing().unwrap(),
            (B, &kb),
            A,
            &new.public(),
            &BTreeSet::new(),
        )
        .unwrap();
        assert_eq!(
            vouched.len(),
            1,
            "the content file Alex signed is vouched for"
        );
        // The new key's device opens it and signs it again with the new key.
        let mut n = Sealing::new();
        n.hold(
            A,
            Arc::new(
                Keys::from_text(crate::crypto::ExposeSecret::expose_secret(&new.to_text()))
                    .unwrap(),
            ),
        );
        n.know(B, kb.public());
        n.act_as(A);
        let bytes = std::fs::read(&file).unwrap();
        assert_eq!(
            n.open(place, &bytes).ok(),
            None,
            "not believed before the hand-over"
        );
        n.vouch(A, ka.public(), &vouched);
        assert_eq!(n.open(place, &bytes).unwrap(), body);
        let store = Store::new(alex.root());
        store.set_sealing(Some(n.clone()));
        assert_eq!(sign_again(&store, &n, A).unwrap(), 1);
        // Sam's device, knowing only the new key, believes it without any vouching.
        let mut s = Sealing::new();
        s.hold(
            B,
            Arc::new(
                Keys::from_text(crate::crypto::ExposeSecret::expose_secret(&kb.to_text())).unwrap(),
            ),
        );
        s.know(A, new.public());
        assert_eq!(s.open(place, &std::fs::read(&file).unwrap()).unwrap(), body);
    }
    #[test]
    fn a_content_folder_that_is_a_link_is_refused_and_nothing_outside_is_written() {
        let (t, alex, sam, ka, kb) = devices();
        let outside = t.path().join("outside");
        std::fs::create_dir_all(&outside).unwrap();
        let place = "content/walks.toml";
        let sealed = seal::seal(&ka, A, place, b"x", &[&ka.public(), &kb.public()]).unwrap();
        std::fs::write(outside.join("walks.toml.age"), &sealed).unwrap();
        std::fs::create_dir_all(alex.root()).unwrap();
        std::os::unix::fs::symlink(&outside, alex.root().join("content")).unwrap();
        let new = Keys::generate();
        let refused = reencrypt_shared(
            &sam,
            &sam.sealing().unwrap(),
            (B, &kb),
            A,
            &new.public(),
            &BTreeSet::new(),
        )
        .unwrap_err()
        .to_string();
        assert!(refused.contains("is a link"), "{refused}");
        assert_eq!(
            std::fs::read(outside.join("walks.toml.age")).unwrap(),
            sealed
        );
    }
}

#[cfg(test)]
#[path = "rekey_tests.rs"]
mod two_devices_tests;
