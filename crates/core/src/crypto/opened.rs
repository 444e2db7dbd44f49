//! What a partner's key has already opened and checked, so that the very same sealed bytes are
//! not decrypted and their signature checked again on every run: a memory attached to one
//! partner's keys ([`super::Keys::remembering`]), asked by [`super::seal::open`] before it
//! decrypts. Entries are found by a SHA-256 digest of the place and of the SHA-256 of every byte
//! of the sealed file ([`file_digest`], computed once per read and shared with the device memory),
//! so a file changed, replaced or forged in any byte is opened and checked again; the
//! signer's public key is kept with each entry and must still be the one known for the signer.
//! Keeping entries between runs (in the device's cache folder) is the owner's business.

use sha2::{Digest, Sha256};

/// The digest a sealed file is remembered by: its place and all its bytes.
pub type Seen = [u8; 32];

/// What opening a sealed file with this key gave.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// Opened, signed by `signer` whose Ed25519 key (hex) was `signer_key`.
    Opened {
        signer: String,
        signer_key: String,
        body: Vec<u8>,
        /// The version counter signed with it.
        rev: u64,
    },
    /// Sealed to other partners only.
    NotForYou,
    /// What the record says in each partner's name inside it checked out with every partner's
    /// keys as they were then (see [`claims_seen`]): the signatures inside a need.
    Believed,
}

/// The digest under which a need's inside signatures are remembered as checked: its place, the
/// partner who sealed it, every byte of what the seal opened to, and every partner with the
/// public keys trusted for them now. Any change to one of them is a different digest.
pub fn claims_seen<'a>(
    place: &str,
    signer: &str,
    opened: &[u8],
    partners: impl IntoIterator<Item = (&'a str, &'a str)>,
) -> Seen {
    let mut h = Sha256::new()
        .chain_update(b"closer believed v1\0")
        .chain_update(place.as_bytes())
        .chain_update([0])
        .chain_update(signer.as_bytes())
        .chain_update([0]);
    for (p, k) in partners {
        h.update(p.as_bytes());
        h.update([0]);
        h.update(k.as_bytes());
        h.update([0]);
    }
    h.chain_update((opened.len() as u64).to_le_bytes())
        .chain_update(opened)
        .finalize()
        .into()
}

/// A memory of what one partner's key opened. Only outcomes that depend on nothing but the
/// bytes, the place and the key are kept: a file that failed its check is never remembered.
pub trait Memory: Send + Sync {
    /// The outcome remembered for `seen`, a sealed file at `place`.
    fn recall(&self, place: &str, seen: &Seen) -> Option<Outcome>;
    /// Remembers what opening the sealed file `seen` at `place` gave.
    fn remember(&self, place: &str, seen: Seen, outcome: Outcome);
}

/// The SHA-256 of every byte of a sealed file: worked out once per read, it finds the file in the
/// open cache ([`seen_of`]) and in the device memory alike.
pub type FileDigest = [u8; 32];

/// The [`FileDigest`] of the sealed file `bytes`.
pub fn file_digest(bytes: &[u8]) -> FileDigest {
    Sha256::digest(bytes).into()
}

/// The digest of a sealed file at `place`.
pub fn seen(place: &str, bytes: &[u8]) -> Seen {
    seen_of(place, &file_digest(bytes))
}

/// The digest of a sealed file at `place` whose [`FileDigest`] is `file`.
pub fn seen_of(place: &str, file: &FileDigest) -> Seen {
    Sha256::new()
        .chain_update(b"closer opened v2\0")
        .chain_update(place.as_bytes())
        .chain_update([0])
        .chain_update(file)
        .finalize()
        .into()
}
