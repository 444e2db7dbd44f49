//! An encrypted data folder: the keys this device holds, every partner's public keys, and how a
//! record is sealed when written and opened and checked when read, following the one rule in
//! [`crate::access`]. The folder says whether it is encrypted in `folder.json`, a plain file that
//! holds nothing personal.

use crate::access::{self, Readers, Writer};
use crate::crypto::opened::{self, Outcome};
use crate::crypto::seal::Opened;
use crate::crypto::{CryptoError, Keys, PublicKeys, seal};
use crate::error::{Error, Fault, Next, Result};
use crate::memory::{Judged, Memory};
use crate::need_claims;
use crate::removals;
use crate::store::{FORMAT_VERSION, Store, Versioned};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::collections::BTreeMap;
use std::path::Path;
use std::sync::{Arc, Mutex};

/// The file in the data folder's root that says whether its records are encrypted.
pub const MODE_FILE: &str = "folder.json";

/// Why a record signed with keys its writer published, and this device has not accepted, is
/// not read (see [`Sealing::signed_with_unaccepted`]).
pub const UNACCEPTED: &str = "it is signed with the new keys its writer published, which this device has not accepted yet (see the warning about their keys); it is read once you accept them";

/// The extension of a sealed record (a standard age file).
pub const SEALED_EXT: &str = "age";

/// What this device can do with an encrypted folder.
#[derive(Default, Clone)]
pub struct Sealing {
    /// The partners whose keys this device holds, unlocked.
    held: BTreeMap<String, Arc<Keys>>,
    /// Every partner's public keys, checked (published, signed, pinned).
    known: BTreeMap<String, PublicKeys>,
    /// The partner at the keyboard, who signs the shared records written.
    acting: Option<String>,
    /// The signatures inside each version of a need opened, by place, kept for when it is
    /// written again: two versions when `couple doctor` merges them, each with its own lines.
    seen: Arc<Mutex<BTreeMap<String, Vec<Value>>>>,
    /// Whether what a need from an older closer says, unsigned, in the name of a partner whose
    /// key is held here is taken on (once, on the device's first run: see [`need_claims`]).
    adopt_old: bool,
    /// The needs from an older closer taken on in this run, by place.
    adopted: Arc<Mutex<std::collections::BTreeSet<String>>>,
    /// What this device trusted of each record ([`crate::memory`]), when it remembers.
    memory: Option<Arc<Memory>>,
    /// The lowest version counter a record written now carries: the time, in seconds, so that
    /// a version written later is newer even on a device that never saw the one before.
    clock: u64,
    /// The previous keys of partners whose key was replaced ([`crate::rekey`]), and the digests
    /// of the sealed files this device believes were signed with them.
    previous: BTreeMap<String, PublicKeys>,
    vouched: Arc<std::collections::BTreeSet<String>>,
    /// Where this device memoizes the answer files it opened, and the time now
    /// ([`crate::answers_memo`]).
    answers_memo: Option<(std::path::PathBuf, std::time::SystemTime)>,
    /// The places whose records were plain when this device first saw the folder encrypted:
    /// those the move to encryption is for.
    from_before: Arc<FromBefore>,
}

/// The places plain before the folder was encrypted: given, or read from the device's list (one
/// place a line) the first time a plain record is found, which most runs never do.
#[derive(Default)]
struct FromBefore {
    file: Option<std::path::PathBuf>,
    places: std::sync::OnceLock<std::collections::BTreeSet<String>>,
}

impl FromBefore {
    /// The places; a list that cannot be read holds none, so that no plain record is taken for
    /// one the move to encryption is for.
    fn places(&self) -> &std::collections::BTreeSet<String> {
        self.places.get_or_init(|| {
            let text = self
                .file
                .as_ref()
                .and_then(|f| std::fs::read_to_string(f).ok());
            text.map(|t| t.lines().map(str::to_owned).collect())
                .unwrap_or_default()
        })
    }
}

impl std::fmt::Debug for Sealing {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Sealing")
            .field("held", &self.held.keys().collect::<Vec<_>>())
            .field("known", &self.known.keys().collect::<Vec<_>>())
            .field("acting", &self.acting)
            .finish()
    }
}

impl Sealing {
    pub fn new() -> Sealing {
        Sealing::default()
    }

    /// This device holds `partner`'s keys (unlocked): it reads what is sealed to them and signs
    /// as them.
    pub fn hold(&mut self, partner: &str, keys: Arc<Keys>) {
        self.known.insert(partner.to_owned(), keys.public());
        self.held.insert(partner.to_owned(), keys);
    }

    /// `partner`'s public keys, checked by the caller (published, signed, pinned).
    pub fn know(&mut self, partner: &str, keys: PublicKeys) {
        self.known.insert(partner.to_owned(), keys);
    }

    /// The partner at the keyboard signs the shared records this process writes.
    pub fn act_as(&mut self, partner: &str) {
        self.acting = Some(partner.to_owned());
    }

    /// This device remembers the last version of each record it trusted in `memory`, and signs
    /// what it writes with version counters of at least `clock` (the time, in seconds).
    pub fn remember_in(&mut self, memory: Arc<Memory>, clock: u64) {
        self.memory = Some(memory);
        self.clock = clock;
    }

    /// This device memoizes in `dir` the answer files it opened ([`crate::answers_memo`]), `now`
    /// saying which file times have settled. The memo is used only while every key held here
    /// remembers what it opens (keys without a passphrase).
    pub fn memo_answers_in(&mut self, dir: std::path::PathBuf, now: std::time::SystemTime) {
        self.answers_memo = Some((dir, now));
    }

    /// The answers memo's folder and the time now, while it may be used.
    pub(crate) fn answers_memo(&self) -> Option<(&Path, std::time::SystemTime)> {
        let (dir, now) = self.answers_memo.as_ref()?;
        (!self.held.is_empty() && self.held.values().all(|k| k.memory().is_some()))
            .then_some((dir.as_path(), *now))
    }

    /// The places whose records were plain when this device first saw the folder encrypted.
    pub fn plain_before(&mut self, places: std::collections::BTreeSet<String>) {
        self.from_before = Arc::new(FromBefore {
            file: None,
            places: places.into(),
        });
    }

    /// [`Sealing::plain_before`] from the list in `file` (one place a line), read only when a
    /// plain record is found in the encrypted folder.
    pub fn plain_before_in(&mut self, file: std::path::PathBuf) {
        self.from_before = Arc::new(FromBefore {
            file: Some(file),
            places: Default::default(),
        });
    }

    /// Whether the plain record `body` at `place` is one the move to encryption is for that
    /// only the other partner's device can encrypt: their own, or a need that says something
    /// in their name they have not signed yet.
    pub(crate) fn waits_for_other(&self, place: &str, body: &[u8]) -> bool {
        if !self.from_before.places().contains(place) {
            return false;
        }
        let Some(rule) = access::rule(place, body) else {
            return false;
        };
        match &rule.writer {
            Writer::Owner(p) => !self.held.contains_key(p.as_str()),
            Writer::AnyPartner => {
                let signer = (self.acting.as_deref())
                    .or_else(|| self.held.keys().next().map(String::as_str));
                match (self.signed_need(place, body), signer) {
                    (Some((signed, body)), Some(signer)) => {
                        self.doubt(place, &signed, &body, signer).is_some()
                    }
                    _ => false,
                }
            }
            Writer::Nobody(_) => false,
        }
    }

    /// Remembers `sealed`, just written at `place` by this device, as the version it trusts.
    pub(crate) fn trust_written(&self, place: &str, sealed: &[u8]) {
        if let Some(m) = self
            .memory
            .as_ref()
            .filter(|_| crate::memory::remembers(place))
        {
            let file = opened::file_digest(sealed);
            if let Ok(o) = self.open_record_digested(place, sealed, &file) {
                m.trust_written(place, &o, sealed, &file);
            }
        }
    }

    /// What this device trusted, when it remembers.
    pub fn memory(&self) -> Option<&Arc<Memory>> {
        self.memory.as_ref()
    }

    /// `partner`'s key replaced `previous`: the sealed files whose digests are in `vouched` are
    /// checked against `previous` (see [`crate::rekey`]).
    pub fn vouch(
        &mut self,
        partner: &str,
        previous: PublicKeys,
        vouched: &std::collections::BTreeSet<String>,
    ) {
        self.previous.insert(partner.to_owned(), previous);
        Arc::make_mut(&mut self.vouched).extend(vouched.iter().cloned());
    }

    /// Whether the sealed file `bytes` is one signed with a previous key that this device
    /// believes: vouched for by its digest, or by the signature inside (so that the same record
    /// encrypted again by another device of the partner who vouched is believed too).
    pub fn vouches(&self, bytes: &[u8]) -> bool {
        !self.previous.is_empty()
            && (self.vouches_digested(&opened::file_digest(bytes)) || self.vouches_inside(bytes))
    }

    /// Whether the signature inside the sealed file `bytes` (opened with a key held here) is one
    /// this device vouches for ([`crate::rekey::token`]).
    fn vouches_inside(&self, bytes: &[u8]) -> bool {
        !self.previous.is_empty() && self.token(bytes).is_some_and(|t| self.vouched.contains(&t))
    }

    /// What this device vouches for of the sealed file `bytes` ([`crate::rekey::token`]), opened
    /// with a key held here: the signature inside, the same whichever device encrypted it.
    pub fn token(&self, bytes: &[u8]) -> Option<String> {
        self.held
            .values()
            .find_map(|k| crate::rekey::token(k, bytes))
    }

    /// The keys a signature is checked against in a sealed copy this device vouches for by the
    /// signature inside it ([`Sealing::vouches`]): each replaced partner's previous ones.
    pub fn previous_keys(&self) -> impl Fn(&str) -> Option<PublicKeys> + Copy + '_ {
        move |p| self.signing_keys(p, true)
    }

    /// [`Sealing::vouches`], for a sealed file whose digest is `file`.
    fn vouches_digested(&self, file: &opened::FileDigest) -> bool {
        !self.previous.is_empty() && self.vouched.contains(&crate::crypto::hex(file))
    }

    /// The keys each partner's signature on the sealed copy `bytes` is checked against: their
    /// previous ones for a copy this device vouches for (see [`Sealing::vouches`]), their keys
    /// as trusted now otherwise. For sealed copies kept inside a record (an answer's).
    pub fn signing_keys_for(
        &self,
        bytes: &[u8],
    ) -> impl Fn(&str) -> Option<PublicKeys> + Copy + '_ {
        let old = self.vouches(bytes);
        move |p| self.signing_keys(p, old)
    }

    /// Whether the sealed file `bytes` at `place`, which fails its check here, is signed by
    /// `signer` with `published`, keys they published that this device has not accepted (it
    /// keeps using the ones it pinned): written by their new key's device, or by another device
    /// of this partner that accepted it. Such a record is still not believed, and nothing is
    /// put back over it: the device says once a run that the keys changed and how to accept.
    pub fn signed_with_unaccepted(
        &self,
        place: &str,
        bytes: &[u8],
        signer: &str,
        published: &PublicKeys,
    ) -> bool {
        self.known.get(signer).is_some_and(|k| k != published)
            && self.held.values().any(|k| {
                seal::open(k, bytes, place, |p| {
                    (p == signer).then(|| published.clone())
                })
                .is_ok_and(|o| o.signer == signer)
            })
    }

    /// Whether `partner`'s key was replaced, as this device knows.
    pub fn replaced(&self, partner: &str) -> bool {
        self.previous.contains_key(partner)
    }

    /// The keys a signature by `partner` is checked against in a file read with `old` (one
    /// vouched for): their previous ones, if replaced.
    fn signing_keys(&self, partner: &str, old: bool) -> Option<PublicKeys> {
        old.then(|| self.previous.get(partner))
            .flatten()
            .or_else(|| self.known.get(partner))
            .cloned()
    }

    /// Whether a file at `place` that this device cannot open is one locked to a previous key
    /// alone: the place is the own record of a partner whose key was replaced and is held here,
    /// so it is theirs to write again.
    fn lost_here(&self, place: &str) -> bool {
        matches!(
            access::rule(place, b"{}").map(|r| r.writer),
            Some(Writer::Owner(p)) if self.replaced(&p) && self.holds(&p)
        )
    }

    /// Why the record at `place`, which is not in the folder `store`, may not be missing on this
    /// device (see [`Memory::missed`]): a need its owner removed, as its removal record in the
    /// folder shows, may ([`crate::removals`]).
    pub fn missed(&self, store: &Store, place: &str) -> Option<String> {
        let removed = |place: &str, owner: &str, rev, lines: &[String]| {
            removals::proven(store, place, owner, rev, lines)
        };
        self.memory
            .as_ref()?
            .missed(place, &|p| self.holds(p), &removed)
    }

    /// The places directly under `dir` in the folder `store` this device remembers that
    /// `present` (given a file's name without extension) says are gone, and that may not be (see
    /// [`Sealing::missed`]).
    pub fn missing(&self, store: &Store, dir: &str, present: &dyn Fn(&str) -> bool) -> Vec<String> {
        let removed = |place: &str, owner: &str, rev, lines: &[String]| {
            removals::proven(store, place, owner, rev, lines)
        };
        match &self.memory {
            Some(m) => m.missing(dir, present, &|p| self.holds(p), &removed),
            None => Vec::new(),
        }
    }

    pub fn holds(&self, partner: &str) -> bool {
        self.held.contains_key(partner)
    }

    /// The partners whose keys this device holds.
    pub fn held(&self) -> impl Iterator<Item = &str> {
        self.held.keys().map(String::as_str)
    }

    /// Whether `partner`'s public keys are known.
    pub fn knows(&self, partner: &str) -> bool {
        self.known.contains_key(partner)
    }

    /// Opens a sealed file read from `place` with any key this device holds and checks it:
    /// signed by a known partner over this place and these bytes, by a partner who may write
    /// here. `Err(NotForYou)` when it is sealed to nobody this device holds.
    pub fn open(&self, place: &str, bytes: &[u8]) -> Result<Vec<u8>, CryptoError> {
        self.open_record(place, bytes).map(|o| o.body)
    }

    /// [`Sealing::open`], with who signed it and its version counter.
    pub fn open_record(&self, place: &str, bytes: &[u8]) -> Result<Opened, CryptoError> {
        self.open_record_digested(place, bytes, &opened::file_digest(bytes))
    }

    /// [`Sealing::open_record`], for a sealed file whose digest `file` the caller has already
    /// worked out (see [`opened::FileDigest`]).
    pub fn open_record_digested(
        &self,
        place: &str,
        bytes: &[u8],
        file: &opened::FileDigest,
    ) -> Result<Opened, CryptoError> {
        let old = self.vouches_digested(file);
        match self.open_record_with(place, bytes, file, old) {
            // Signed with a replaced key, and encrypted again by another device than the one
            // whose digests this device vouches for: believed when the signature inside is one
            // this device vouches for, and checked against that previous key.
            Err(CryptoError::BadSignature(signer))
                if !old && self.replaced(&signer) && self.vouches_inside(bytes) =>
            {
                self.open_record_with(place, bytes, file, true)
            }
            r => r,
        }
    }

    /// [`Sealing::open_record_digested`], each signature checked against the previous keys of
    /// replaced partners when `old`.
    fn open_record_with(
        &self,
        place: &str,
        bytes: &[u8],
        file: &opened::FileDigest,
        old: bool,
    ) -> Result<Opened, CryptoError> {
        let keys_of = |p: &str| self.signing_keys(p, old);
        let mut last = CryptoError::NotForYou;
        for keys in self.held.values() {
            match seal::open_digested(keys, bytes, file, place, keys_of) {
                Ok(o) => {
                    let Some(rule) = access::rule(place, &o.body) else {
                        return Err(CryptoError::Malformed(
                            "closer keeps no sealed record here".into(),
                        ));
                    };
                    if let Writer::Nobody(why) = rule.writer {
                        return Err(CryptoError::NotBelieved {
                            signer: o.signer,
                            why: why.into(),
                        });
                    }
                    if !rule.may_write(&o.signer) {
                        return Err(CryptoError::BadSignature(format!(
                            "a partner who may write here (it is signed by {}, whose record this is not)",
                            o.signer
                        )));
                    }
                    if !is_need(place) {
                        return Ok(o);
                    }
                    let (signed, body) = need_claims::split(&o.body);
                    // Checked once for these very bytes and signing keys, then remembered
                    // as checked.
                    let memo = keys.memory().map(|m| {
                        let used: Vec<(&str, String)> = self
                            .known
                            .keys()
                            .map(|p| {
                                let k = self.signing_keys(p, old).map(|k| k.ed25519);
                                (p.as_str(), k.unwrap_or_default())
                            })
                            .collect();
                        let partners = used.iter().map(|(p, k)| (*p, k.as_str()));
                        (m, opened::claims_seen(place, &o.signer, &o.body, partners))
                    });
                    let believed = memo
                        .as_ref()
                        .is_some_and(|(m, seen)| m.recall(place, seen) == Some(Outcome::Believed));
                    let doubt = match believed {
                        true => None,
                        false => need_claims::doubt(
                            &signed,
                            place,
                            &body,
                            &o.signer,
                            &self.partners(),
                            |p| self.signing_keys(p, old),
                        ),
                    };
                    let signed = match doubt {
                        None => {
                            if let (false, Some((m, seen))) = (believed, memo) {
                                m.remember(place, seen, Outcome::Believed);
                            }
                            signed
                        }
                        Some(why) => match self.adopt(place, &signed, &o, keys, bytes) {
                            Some(legacy) => legacy,
                            None => {
                                return Err(CryptoError::NotBelieved {
                                    signer: o.signer,
                                    why,
                                });
                            }
                        },
                    };
                    let mut seen = self.seen.lock().unwrap_or_else(|e| e.into_inner());
                    let versions = seen.entry(place.to_owned()).or_default();
                    if !versions.contains(&signed) {
                        versions.push(signed);
                    }
                    return Ok(Opened { body, ..o });
                }
                Err(CryptoError::NotForYou) => {}
                Err(e) => last = e,
            }
            if !matches!(last, CryptoError::NotForYou) {
                break;
            }
        }
        Err(last)
    }

    /// A need from an older closer (no signatures inside, `signed`) whose unsigned parts are all
    /// in the name of partners whose keys this device holds, taken on while [`Sealing::adopt_old`]
    /// is on: the signatures it will carry when written again (the old seal, which vouches for
    /// what its signer said). `None`: not taken on.
    fn adopt(
        &self,
        place: &str,
        signed: &Value,
        o: &seal::Opened,
        keys: &Keys,
        bytes: &[u8],
    ) -> Option<Value> {
        if !self.adopt_old || !signed.is_null() {
            return None;
        }
        let who =
            need_claims::unsigned_by(signed, place, &o.body, &o.signer, &self.partners(), |p| {
                self.public(p)
            });
        if who.is_empty() || !who.iter().all(|p| self.held.contains_key(p)) {
            return None;
        }
        let sig = seal::signature_of(keys, bytes)?;
        self.adopted
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .insert(place.to_owned());
        Some(need_claims::legacy(&o.signer, &sig, &o.body))
    }

    /// Takes on (or not) what needs from an older closer say, unsigned, in the name of the
    /// partners whose keys this device holds: on only for a device's first run with this closer.
    pub fn adopt_old(&mut self, on: bool) {
        self.adopt_old = on;
    }

    /// Whether the need at `place` was taken on from an older closer since this was last asked.
    pub(crate) fn take_adopted(&self, place: &str) -> bool {
        self.adopted
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .remove(place)
    }

    /// Seals `body` for `place`: signed by the partner who may write it (the owner for a
    /// partner's own record; the partner at the keyboard, or else any partner this device holds,
    /// for a shared one), encrypted to the readers the rule names, or to `readers` when given.
    pub(crate) fn seal(
        &self,
        place: &str,
        body: &[u8],
        readers: Option<&[&str]>,
    ) -> Result<Vec<u8>> {
        let rule = access::rule(place, body)
            .ok_or_else(|| Error::invalid(format!("closer keeps no sealed record at {place}")))?;
        let signer = match &rule.writer {
            Writer::Nobody(why) => {
                return Err(Error::invalid(format!(
                    "{place}: closer does not write {why}"
                )));
            }
            Writer::Owner(p) => self.held.get_key_value(p.as_str()),
            Writer::AnyPartner => self
                .acting
                .as_deref()
                .and_then(|a| self.held.get_key_value(a))
                .or_else(|| self.held.iter().next()),
        };
        let Some((signer, keys)) = signer else {
            return Err(match &rule.writer {
                Writer::Owner(p) => Error::not_yours(format!(
                    "{place} is a record of partner {p}'s own, and this device does not hold their key; they change it on their own device"
                )),
                Writer::AnyPartner | Writer::Nobody(_) => Error::NotYours {
                    message: "this device holds no partner's key, so it cannot write to the encrypted folder".into(),
                    next: Some(Next::Keys),
                },
            });
        };
        let joined;
        let body = match self.signed_need(place, body) {
            Some((signed, body)) => {
                if let Some(why) = self.doubt(place, &signed, &body, signer) {
                    let unsigned = need_claims::unsigned_by(
                        &signed,
                        place,
                        &body,
                        signer,
                        &self.partners(),
                        |p| self.public(p),
                    );
                    if unsigned.iter().any(|p| self.replaced(p) && !self.holds(p)) {
                        return Err(Error::not_yours(
                            "this need still carries what your partner said with the key they lost; it can be changed once their new device has signed it again with their new key, which it does on its first run after the folder has synced there",
                        ));
                    }
                    return Err(Error::not_yours(format!(
                        "{place} holds {why} yet; it can be changed once their device has signed it (any change they make to it there does)"
                    )));
                }
                joined = need_claims::join(&signed, &body);
                &joined[..]
            }
            None => body,
        };
        let names: Vec<&str> = match (readers, &rule.readers) {
            (Some(r), _) => r.to_vec(),
            (None, Readers::Owner(p)) => vec![p.as_str()],
            (None, Readers::Both | Readers::BothForNow(_)) => {
                self.known.keys().map(String::as_str).collect()
            }
        };
        let mut public = Vec::with_capacity(names.len());
        for n in &names {
            public.push(self.known.get(*n).ok_or_else(|| {
                Error::invalid(format!(
                    "partner {n} has published no keys yet, so nothing can be encrypted to them; their device publishes them when they set up"
                ))
            })?);
        }
        let rev = match &self.memory {
            Some(m) if crate::memory::remembers(place) => m.next_rev(place).max(self.clock),
            _ => 0,
        };
        seal::seal_version(keys, signer, place, rev, body, &public)
            .map_err(|e| Error::invalid(format!("{place}: {e}")))
    }

    /// A need's signatures ([`need_claims`]) as [`Sealing::seal`] puts them in front of `body`:
    /// those of the versions opened (or already in front of `body`) that still hold, and
    /// this device's partners' own; and `body` without them. `None` for any other record.
    fn signed_need(&self, place: &str, body: &[u8]) -> Option<(Value, Vec<u8>)> {
        if !is_need(place) {
            return None;
        }
        let (before, body) = need_claims::split(body);
        let before = match before.is_null() {
            true => {
                let seen = self.seen.lock().unwrap_or_else(|e| e.into_inner());
                seen.get(place).cloned().unwrap_or_default()
            }
            false => vec![before],
        };
        let held: Vec<(&str, &Keys)> = self.held.iter().map(|(p, k)| (p.as_str(), &**k)).collect();
        let signed = need_claims::sign(&before, place, &body, &held, &self.partners(), |p| {
            self.public(p)
        });
        Some((signed, body))
    }

    /// `body` for `place` with every signature this device can give put in front (a need's:
    /// [`need_claims`]): what a plain need waiting for the other partner's signatures keeps.
    pub(crate) fn prepare(&self, place: &str, body: &[u8]) -> Vec<u8> {
        match self.signed_need(place, body) {
            Some((signed, body)) => need_claims::join(&signed, &body),
            None => body.to_vec(),
        }
    }

    /// `body` for `place` as [`Sealing::open`] gives it back: a need without its signatures.
    pub(crate) fn unsigned(&self, place: &str, body: &[u8]) -> Vec<u8> {
        match is_need(place) {
            true => need_claims::split(body).1,
            false => body.to_vec(),
        }
    }

    /// The partners whose public keys are known: the couple.
    fn partners(&self) -> Vec<&str> {
        self.known.keys().map(String::as_str).collect()
    }

    /// Why a need signed by `signer` is not believed: see [`need_claims`].
    fn doubt(&self, place: &str, signed: &Value, body: &[u8], signer: &str) -> Option<String> {
        need_claims::doubt(signed, place, body, signer, &self.partners(), |p| {
            self.public(p)
        })
    }

    /// `partner`'s keys, when this device holds them unlocked.
    pub fn keys(&self, partner: &str) -> Option<Arc<Keys>> {
        self.held.get(partner).cloned()
    }

    /// `partner`'s public keys, when known.
    pub fn public(&self, partner: &str) -> Option<PublicKeys> {
        self.known.get(partner).cloned()
    }

    /// The partners whose public keys are known.
    pub fn known(&self) -> impl Iterator<Item = &str> {
        self.known.keys().map(String::as_str)
    }
}

/// Whether `place` holds a need.
fn is_need(place: &str) -> bool {
    place.starts_with("needs/")
}

/// Whether the data folder says its records are encrypted.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Mode {
    pub version: u32,
    pub sealed: bool,
}

impl Versioned for Mode {
    fn version(&self) -> u32 {
        self.version
    }
}

/// What the folder says: `Some(true)` encrypted, `Some(false)` plain, `None` not said (a folder
/// from before encryption, or a new one).
pub fn folder_mode(store: &Store) -> Result<Option<bool>> {
    Ok(store.read::<Mode>(MODE_FILE)?.map(|m| m.sealed))
}

/// Whether the folder's own records show it encrypted (its couple file is sealed), for when
/// `folder.json` cannot be read.
pub fn looks_sealed(store: &Store) -> bool {
    let stem = crate::profile::COUPLE.trim_end_matches(".json");
    std::fs::symlink_metadata(store.root().join(format!("{stem}.{SEALED_EXT}")))
        .is_ok_and(|m| m.is_file())
}

/// Records whether the folder's records are encrypted.
pub fn set_folder_mode(store: &Store, sealed: bool) -> Result<()> {
    store.ensure_dir("")?;
    let _lock = store.lock("")?;
    store.write(
        MODE_FILE,
        &Mode {
            version: FORMAT_VERSION,
            sealed,
        },
    )
}

impl Store {
    /// The place a sealed file at `path` is signed for, when it is a sealed file where closer
    /// keeps sealed records.
    pub(crate) fn sealed_place(&self, path: &Path) -> Option<String> {
        if path.extension()? != SEALED_EXT {
            return None;
        }
        self.place_of(path).filter(|p| access::is_sealed_place(p))
    }

    /// Whether `path` is a plain record where an encrypted folder keeps sealed ones.
    pub(crate) fn plain_in_sealed(&self, path: &Path) -> bool {
        self.is_sealed()
            && path.extension().is_some_and(|e| e == "json")
            && self
                .place_of(path)
                .is_some_and(|p| access::is_sealed_place(&p))
    }

    /// The bytes of the record file at `path`: as they are in a plain file, opened and checked
    /// when sealed. `None` when it does not exist or (unless `strict`) is sealed to nobody this
    /// device holds. A file that fails its check is an [`Error::BadRecord`]; with `strict` (before
    /// replacing it) so is a plain record standing where a sealed one belongs, and a record
    /// sealed to someone else is refused.
    pub(crate) fn record_bytes(&self, path: &Path, strict: bool) -> Result<Option<Vec<u8>>> {
        let sealing = self.sealing();
        let bytes = match crate::store::read_unfollowed(path) {
            Ok(b) => b,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                let (Some(s), Some(place)) = (&sealing, self.sealed_place(path)) else {
                    return Ok(None);
                };
                let plain = self.plain_path(&format!("{place}.json"));
                if plain.exists() {
                    // Turned into a plain file (`couple decrypt` on the other device), or put
                    // there by anyone who can write into the folder: said as such, not as
                    // deleted. It hides nothing: a record this device may not miss is read as
                    // it trusted it.
                    if strict {
                        return Err(Error::bad_record(&plain, Fault::PlainInSealed));
                    }
                    self.leave_out_plain(&plain);
                    if s.missed(self, &place).is_some() {
                        return Ok(s
                            .memory()
                            .and_then(|m| m.kept(&place))
                            .and_then(|kept| s.open_record(&place, &kept).ok().map(|o| o.body)));
                    }
                } else if let Some(why) = s.missed(self, &place) {
                    // Nothing in the folder to overwrite: a change is made to what was trusted.
                    return self.trusted_instead(s, path, &place, &why, false);
                }
                return Ok(None);
            }
            Err(e) => {
                let err = crate::store::read_error(path, e);
                // A folder, a link, a pipe or an oversized file in a record's place hides
                // nothing either: read as this device trusted it, as a damaged record is.
                if let (
                    Error::BadRecord {
                        fault: Fault::Said(why),
                        ..
                    },
                    Some(s),
                    Some(place),
                ) = (&err, &sealing, self.sealed_place(path))
                    && crate::memory::remembers(&place)
                    && s.memory().is_some_and(|m| m.kept(&place).is_some())
                {
                    return self.trusted_instead(s, path, &place, why, strict);
                }
                return Err(err);
            }
        };
        self.count_record_read();
        if self.plain_in_sealed(path) {
            // One the move to encryption is for, waiting for the other partner's device: read
            // as not there yet, without a word.
            if !strict && self.waits_for_other_device(path, &bytes) {
                return Ok(None);
            }
            return Err(Error::bad_record(path, Fault::PlainInSealed));
        }
        let Some(place) = self.sealed_place(path) else {
            return Ok(Some(bytes));
        };
        let Some(s) = sealing else {
            return Err(Error::bad_record(path, Fault::SealedInPlain));
        };
        let memory = s.memory().filter(|_| crate::memory::remembers(&place));
        // One digest of the sealed bytes finds them in the open cache and the device memory.
        let file = opened::file_digest(&bytes);
        let opened = s.open_record_digested(&place, &bytes, &file);
        // An earlier version of a need its owner removed, back in its place: never trusted as a
        // new one, by the owner's devices nor by the other partner's that saw it removed.
        if let (Ok(o), Some(m)) = (&opened, memory)
            && let Some(fault) = removals::earlier_copy(self, m, &place, &o.body, o.rev)
        {
            if strict {
                return Err(Error::bad_record(path, fault));
            }
            let line = format!("{}: {fault}", path.display());
            self.note_fault(path, line, fault);
            return Ok(None);
        }
        match opened {
            Ok(o) => match memory.map(|m| m.judge(&place, &o, &bytes, &file)) {
                Some(Judged::Back(why)) => match self.conflict_beside(&s, path, &place, &o) {
                    false => self.trusted_instead(&s, path, &place, &why, strict),
                    // Written over, it would lose what only it holds: merged first.
                    true if strict => Err(Error::Conflict {
                        path: path.to_owned(),
                    }),
                    true => Ok(s
                        .memory()
                        .and_then(|m| m.kept(&place))
                        .and_then(|kept| s.open_record(&place, &kept).ok())
                        .map(|o| o.body)),
                },
                _ => Ok(Some(o.body)),
            },
            Err(CryptoError::BadSignature(signer))
                if crate::crypto::keyring::published(self, &signer)
                    .ok()
                    .flatten()
                    .is_some_and(|k| s.signed_with_unaccepted(&place, &bytes, &signer, &k)) =>
            {
                // Signed with keys its writer published that this device has not accepted: what
                // it trusted is used until then, and nothing is marked to be put back.
                let kept = memory
                    .and_then(|m| m.kept(&place))
                    .and_then(|kept| s.open_record(&place, &kept).ok());
                match kept {
                    Some(o) if !strict => Ok(Some(o.body)),
                    _ => Err(Error::bad_record(path, Fault::Said(UNACCEPTED.to_owned()))),
                }
            }
            Err(e)
                if !matches!(e, CryptoError::NotForYou)
                    && memory.is_some_and(|m| m.kept(&place).is_some()) =>
            {
                self.trusted_instead(&s, path, &place, &e.to_string(), strict)
            }
            Err(CryptoError::NotForYou) if !strict || s.lost_here(&place) => Ok(None),
            Err(CryptoError::NotForYou) => Err(Error::not_yours(format!(
                "{} is sealed to another partner alone; this device cannot change it",
                path.display()
            ))),
            Err(e) => Err(Error::BadRecord {
                path: path.to_owned(),
                fault: Fault::Said(e.to_string()),
            }),
        }
    }

    /// Whether the record `o`, read from `path` at `place` and going back from the version this
    /// device trusted, is one side of a sync conflict (see [`Memory::conflict_explains`]): a
    /// conflict copy beside it holds that version or a later one. Then the version trusted is
    /// used, unremarked (every command names the conflict), and nothing is put back or written
    /// over the file: it may alone hold the other device's change, which `couple doctor` merges
    /// with the copy.
    fn conflict_beside(&self, s: &Sealing, path: &Path, place: &str, o: &Opened) -> bool {
        let (Some(m), Some(dir), Some(name)) = (
            s.memory(),
            path.parent(),
            path.file_name().and_then(|n| n.to_str()),
        ) else {
            return false;
        };
        let Ok(entries) = std::fs::read_dir(dir) else {
            return false;
        };
        let explained = entries.flatten().any(|e| {
            matches!(
                crate::files::classify(&e.file_name().to_string_lossy()),
                crate::files::FileKind::ConflictCopy { of } if of == name
            ) && crate::store::read_unfollowed(&e.path())
                .ok()
                .and_then(|b| s.open_record(place, &b).ok())
                .is_some_and(|copy| m.conflict_explains(place, o, &copy))
        });
        if explained {
            m.went_back_at_not(place);
        }
        explained
    }

    /// The version of the record at `place` this device trusted, where the file at `path` went
    /// back (`why`): said, and noted for `couple doctor` to put back. Before replacing the
    /// record (`strict`), the command stops instead.
    fn trusted_instead(
        &self,
        s: &Sealing,
        path: &Path,
        place: &str,
        why: &str,
        strict: bool,
    ) -> Result<Option<Vec<u8>>> {
        let Some(memory) = s.memory() else {
            return Ok(None);
        };
        memory.went_back_at(place);
        if strict {
            return Err(Error::bad_record(path, Fault::WentBack(why.to_owned())));
        }
        self.note_fault(
            path,
            format!("{}: {why}; {}", path.display(), crate::memory::KEEPS),
            Fault::WentBack(why.to_owned()),
        );
        Ok(memory
            .kept(place)
            .and_then(|kept| s.open_record(place, &kept).ok())
            .map(|o| o.body))
    }

    /// Whether the sealed record `rel`, which its path's rule gives to its owner alone, is
    /// encrypted to more partners (sealed to both by an earlier closer). Read from the file's
    /// age header without opening it: every sealed file names two recipients, and on a device
    /// holding the owner's key, one the owner sealed to themselves alone names their stand-in
    /// second reader ([`seal::sealed_alone`]). Elsewhere any second recipient counts.
    pub fn sealed_beyond_owner(&self, rel: &str) -> Result<bool> {
        let path = self.path(rel);
        let Some(place) = self.sealed_place(&path) else {
            return Ok(false);
        };
        let Some(Readers::Owner(owner)) = access::rule(&place, b"{}").map(|a| a.readers) else {
            return Ok(false);
        };
        let owners = self.sealing().and_then(|s| s.keys(&owner));
        match crate::store::read_unfollowed(&path) {
            Ok(bytes) => Ok(seal::recipients(&bytes) > 1
                && !owners.is_some_and(|k| seal::sealed_alone(&k, &bytes))),
            // Not there, or not a file it can read (reading it reports that): nothing to do.
            Err(_) => Ok(false),
        }
    }

    /// Seals the record `rel` again as its path's rule says now, under its folder's lock: the
    /// same bytes, signed by whoever may write it and encrypted to its readers. Nothing in the
    /// record changes, so one from a newer closer is resealed as it is. Needs the key of the
    /// partner who may write it.
    pub fn reseal(&self, rel: &str) -> Result<()> {
        let dir = Path::new(rel).parent().and_then(Path::to_str).unwrap_or("");
        let _lock = self.lock(dir)?;
        let path = self.path(rel);
        let (Some(s), Some(place)) = (self.sealing(), self.sealed_place(&path)) else {
            return Ok(());
        };
        let Some(body) = self.record_bytes(&path, true)? else {
            return Ok(());
        };
        crate::store::write_atomic(&path, &s.seal(&place, &body, None)?)
    }

    /// The record `rel`'s bytes, opened and checked in an encrypted folder; `None` when it does
    /// not exist, cannot be opened here or fails its check (noted, as [`Store::read`] does).
    pub fn read_bytes(&self, rel: &str) -> Result<Option<Vec<u8>>> {
        match self.record_bytes(&self.path(rel), false) {
            Err(e @ Error::BadRecord { .. }) if self.is_sealed() => {
                self.leave_out(e);
                Ok(None)
            }
            r => r,
        }
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::touch::{self, Answer, State};
    use std::fs;

    pub(crate) const A: &str = "alex00000001";
    pub(crate) const B: &str = "sam000000002";

    /// Two devices on one folder: Alex's (holding Alex's key) and Sam's.
    pub(crate) fn devices() -> (tempfile::TempDir, Store, Store, Keys, Keys) {
        let t = tempfile::tempdir().unwrap();
        let (ka, kb) = (Keys::generate(), Keys::generate());
        let device = |mine: &str, k: &Keys, other: &str, o: &Keys| {
            let store = Store::new(t.path().join("data"));
            let mut s = Sealing::new();
            s.hold(
                mine,
                Arc::new(
                    Keys::from_text(age::secrecy::ExposeSecret::expose_secret(&k.to_text()))
                        .unwrap(),
                ),
            );
            s.know(other, o.public());
            s.act_as(mine);
            store.set_sealing(Some(s));
            store
        };
        let alex = device(A, &ka, B, &kb);
        let sam = device(B, &kb, A, &ka);
        (t, alex, sam, ka, kb)
    }

    fn need(private: bool) -> serde_json::Value {
        serde_json::json!({"version": 1, "id": "abcd12345678", "owner": A,
            "text": "help with buttons on bad-hand mornings", "private": private})
    }

    #[derive(Debug, PartialEq, Serialize, Deserialize)]
    struct Raw(serde_json::Value);
    impl Versioned for Raw {
        fn version(&self) -> u32 {
            1
        }
    }

    fn contains(bytes: &[u8], text: &str) -> bool {
        bytes.windows(text.len()).any(|w| w == text.as_bytes())
    }

    #[test]
    fn the_list_of_records_plain_before_is_read_only_once_a_plain_record_is_found() {
        let (t, alex, _, _, _) = devices();
        let list = t.path().join("plain-before");
        let mut s = (*alex.sealing().unwrap()).clone();
        s.plain_before_in(list.clone());
        // Written after it was named: read when first needed, not when named.
        let sams = format!("touch/{B}/state");
        fs::write(&list, format!("partners/{A}\n{sams}\n")).unwrap();
        assert!(s.waits_for_other(&sams, b"{}"));
        assert!(!s.waits_for_other(&format!("touch/{A}/state"), b"{}"));
        // Read once a run: what the list says later counts from the next run.
        fs::write(&list, "").unwrap();
        assert!(s.waits_for_other(&sams, b"{}"));
        // A list that cannot be read holds nothing, and no plain record waits.
        let mut s = (*alex.sealing().unwrap()).clone();
        s.plain_before_in(t.path().join("no-such-list"));
        assert!(!s.waits_for_other(&sams, b"{}"));
    }

    #[test]
    fn a_shared_record_is_sealed_for_both_and_a_private_one_for_its_owner() {
        let (_t, alex, sam, _, _) = devices();
        alex.ensure_dir("needs").unwrap();
        alex.write("needs/abcd12345678.json", &Raw(need(false)))
            .unwrap();
        let file = alex.root().join("needs/abcd12345678.age");
        let bytes = fs::read(&file).unwrap();
        assert!(bytes.starts_with(b"age-encryption.org/v1\n"));
        assert!(!contains(&bytes, "buttons"));
        assert!(!alex.root().join("needs/abcd12345678.json").exists());
        for device in [&alex, &sam] {
            let r: Raw = device.read("needs/abcd12345678.json").unwrap().unwrap();
            assert_eq!(r.0, need(false));
        }
        alex.write("needs/abcd12345678.json", &Raw(need(true)))
            .unwrap();
        assert!(
            alex.read::<Raw>("needs/abcd12345678.json")
                .unwrap()
                .is_some()
        );
        assert!(
            sam.read::<Raw>("needs/abcd12345678.json")
                .unwrap()
                .is_none()
        );
        assert_eq!(sam.read_all::<Raw>("needs").unwrap(), vec![]);
        assert!(sam.take_left_out().is_empty(), "not for you is not a fault");
        // Sam cannot replace what Sam cannot open.
        assert!(matches!(
            sam.write("needs/abcd12345678.json", &Raw(need(false))),
            Err(Error::NotYours { .. })
        ));
    }

    #[test]
    fn a_record_forged_into_a_partners_own_path_is_reported_ignored_and_never_overwritten() {
        let (_t, alex, sam, ka, kb) = devices();
        let rel = touch::state_path(&crate::ids::Id::parse(A).unwrap());
        // Sam's device cannot sign Alex's own record...
        let mut yes = State::new(&crate::ids::Id::parse(A).unwrap());
        yes.boundaries.insert("s1-hold-hands".into(), Answer::Yes);
        sam.ensure_dir(&format!("touch/{A}")).unwrap();
        assert!(matches!(sam.write(&rel, &yes), Err(Error::NotYours { .. })));
        // ...so it is forged by hand: signed by Sam's key, once claiming Alex, once as Sam.
        let place = format!("touch/{A}/state");
        let body = yes.encode().unwrap();
        let readers = [&ka.public(), &kb.public()];
        for forged in [
            seal::seal(&kb, A, &place, &body, &readers).unwrap(),
            seal::seal(&kb, B, &place, &body, &readers).unwrap(),
        ] {
            let file = alex.path(&rel);
            fs::write(&file, &forged).unwrap();
            assert_eq!(alex.read::<State>(&rel).unwrap(), None);
            let said = alex.take_left_out();
            assert!(said.iter().any(|m| m.contains("state.age")), "{said:?}");
            assert!(
                touch::load_state(&alex, &crate::ids::Id::parse(A).unwrap())
                    .unwrap()
                    .boundaries
                    .is_empty()
            );
            assert!(
                alex.update::<State, _>(&rel, |o| Ok(o.unwrap_or(yes.clone())))
                    .is_err()
            );
            assert_eq!(fs::read(&file).unwrap(), forged, "never overwritten");
        }
    }

    #[test]
    fn a_record_moved_to_another_place_is_refused() {
        let (_t, alex, sam, _, _) = devices();
        alex.ensure_dir("needs").unwrap();
        alex.write("needs/abcd12345678.json", &Raw(need(false)))
            .unwrap();
        fs::copy(
            alex.root().join("needs/abcd12345678.age"),
            alex.root().join("needs/zzzz12345678.age"),
        )
        .unwrap();
        assert_eq!(sam.read_all::<Raw>("needs").unwrap().len(), 1);
        assert!(
            sam.take_left_out()
                .iter()
                .any(|m| m.contains("zzzz12345678"))
        );
    }

    #[test]
    fn a_plain_record_in_an_encrypted_folder_is_not_trusted() {
        let (_t, alex, _, _, _) = devices();
        alex.ensure_dir("needs").unwrap();
        let plain = alex.plain_path("needs/abcd12345678.json");
        fs::write(&plain, serde_json::to_vec(&need(false)).unwrap()).unwrap();
        assert_eq!(alex.read_all::<Raw>("needs").unwrap(), vec![]);
        assert_eq!(alex.read::<Raw>("needs/abcd12345678.json").unwrap(), None);
        let said = alex.take_left_out();
        assert!(said.iter().any(|m| m.contains("not trusted")), "{said:?}");
        // Not overwritten: writing over it is refused until it is encrypted or removed.
        assert!(
            alex.update::<Raw, _>("needs/abcd12345678.json", |_| Ok(Raw(need(true))))
                .is_err()
        );
        assert!(plain.exists());
        // Plain places stay plain: published keys.
        assert_eq!(alex.path("keys/x.json"), alex.root().join("keys/x.json"));
    }

    #[test]
    fn a_caller_can_seal_to_chosen_readers() {
        let (_t, alex, sam, _, _) = devices();
        let rel = format!("answers/{A}/2026.json");
        alex.ensure_dir(&format!("answers/{A}")).unwrap();
        let v = Raw(serde_json::json!({"version": 1, "answers": ["our first flat"]}));
        alex.write_for(&rel, &v, Some(&[A])).unwrap();
        assert!(sam.read::<Raw>(&rel).unwrap().is_none());
        alex.update_for::<Raw, _>(&rel, Some(&[A, B]), |o| Ok(o.unwrap()))
            .unwrap();
        assert_eq!(sam.read::<Raw>(&rel).unwrap(), Some(v));
    }
}
