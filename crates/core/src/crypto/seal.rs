//! Sealed records: signed by their writer over their place in the data folder and their bytes,
//! padded to a fixed step, then encrypted with age to the partners who may read them.
//!
//! A sealed file is a standard age file. Its plaintext is one header line of JSON
//! (`{"closer":"sealed/1","place":…,"signer":…,"len":…,"sig":…}`), the record's bytes, then
//! newlines up to the next multiple of [`PAD`] bytes (or a larger size the caller picks,
//! [`seal_sized`]), so that a file's size says little about what it holds. The signature covers
//! the place, so a record cannot be moved to another partner's folder or another record's name
//! and still check out.
//!
//! Every sealed file has at least [`READERS`] recipients in its age header: a record sealed to
//! one partner alone also names a stand-in reader derived from its writer's key
//! ([`Keys::no_reader`]) that nobody else holds, so the header does not tell a private record
//! from a shared one; only the writer's keys can tell ([`sealed_alone`]).
//!
//! A record may carry a version counter (`"rev"`, in the header and under the signature), which
//! every new version raises: a device that remembers the counter it trusted for a place can tell
//! an earlier signed version put back from a newer one ([`crate::memory`]). Records from before
//! the counter read as version 0.

use super::keys::{Keys, PublicKeys};
use super::opened::{self, Outcome};
use super::{CryptoError, Result, hex, unhex};
use serde::{Deserialize, Serialize};
use std::io::{Read, Write};

const MAGIC: &str = "sealed/1";
/// What a signature over a record with a version counter starts with.
const MAGIC_REV: &str = "sealed/1+rev";
/// Plaintexts are padded to a multiple of this many bytes.
pub const PAD: usize = 1024;
/// How many recipients every sealed file names, whoever may read it: a couple.
pub const READERS: usize = 2;

#[derive(Serialize, Deserialize)]
struct Header {
    closer: String,
    place: String,
    signer: String,
    len: usize,
    sig: String,
    #[serde(default, skip_serializing_if = "is_zero")]
    rev: u64,
}

fn is_zero(n: &u64) -> bool {
    *n == 0
}

/// A record opened and checked.
#[derive(Debug, PartialEq, Eq)]
pub struct Opened {
    /// The partner (ID) whose signature it carries.
    pub signer: String,
    pub body: Vec<u8>,
    /// Its version counter, signed with it (0: a record from before the counter).
    pub rev: u64,
}

/// What a seal's signature covers: the format, the place, the signer, the version counter (when
/// there is one) and the record's bytes.
pub(crate) fn signed_message(place: &str, signer: &str, rev: u64, body: &[u8]) -> Vec<u8> {
    let rev = rev.to_string();
    let mut m = Vec::with_capacity(MAGIC_REV.len() + place.len() + signer.len() + body.len() + 24);
    let parts = match rev.as_str() {
        "0" => [MAGIC, place, signer, ""],
        rev => [MAGIC_REV, place, signer, rev],
    };
    for part in parts.iter().filter(|p| !p.is_empty()) {
        m.extend_from_slice(part.as_bytes());
        m.push(0);
    }
    m.extend_from_slice(body);
    m
}

/// Seals `body`, written by `writer` (whose partner ID is `signer`), for the file at `place`
/// (its path inside the data folder), readable by `readers`, with no version counter.
pub fn seal(
    writer: &Keys,
    signer: &str,
    place: &str,
    body: &[u8],
    readers: &[&PublicKeys],
) -> Result<Vec<u8>> {
    seal_version(writer, signer, place, 0, body, readers)
}

/// [`seal`], signed with the version counter `rev`.
pub fn seal_version(
    writer: &Keys,
    signer: &str,
    place: &str,
    rev: u64,
    body: &[u8],
    readers: &[&PublicKeys],
) -> Result<Vec<u8>> {
    seal_in(writer, signer, place, rev, body, readers, |n| n)
}

/// [`seal`], its plaintext padded to `size(n)` bytes, where `n` is its length unpadded (never
/// to less than the next multiple of [`PAD`]): for records whose size must not tell more than
/// the caller's steps do. [`sealed_len`] reads the padded length back from the file's size.
pub fn seal_sized(
    writer: &Keys,
    signer: &str,
    place: &str,
    body: &[u8],
    readers: &[&PublicKeys],
    size: impl Fn(usize) -> usize,
) -> Result<Vec<u8>> {
    seal_in(writer, signer, place, 0, body, readers, size)
}

fn seal_in(
    writer: &Keys,
    signer: &str,
    place: &str,
    rev: u64,
    body: &[u8],
    readers: &[&PublicKeys],
    size: impl Fn(usize) -> usize,
) -> Result<Vec<u8>> {
    let sig = writer.sign(&signed_message(place, signer, rev, body));
    let header = Header {
        closer: MAGIC.into(),
        place: place.into(),
        signer: signer.into(),
        len: body.len(),
        sig: hex(&sig),
        rev,
    };
    let mut plain =
        serde_json::to_vec(&header).map_err(|e| CryptoError::Malformed(e.to_string()))?;
    plain.push(b'\n');
    plain.extend_from_slice(body);
    let padded = size(plain.len()).max(plain.len()).div_ceil(PAD) * PAD;
    plain.resize(padded, b'\n');

    encrypt(&plain, readers, writer)
}

/// Opens the sealed file read from `place` with `reader`'s key, and checks its signature
/// against the public keys `keys_of` gives for the partner it names (`None`: an unknown
/// partner, which fails the check).
///
/// Keys that remember ([`Keys::remembering`]) give what they opened before for the very same
/// bytes at the same place, when the signer's key is still the one they were checked against.
pub fn open(
    reader: &Keys,
    bytes: &[u8],
    place: &str,
    keys_of: impl Fn(&str) -> Option<PublicKeys>,
) -> Result<Opened> {
    match reader.memory() {
        Some(_) => open_digested(reader, bytes, &opened::file_digest(bytes), place, keys_of),
        None => open_afresh(reader, bytes, place, keys_of),
    }
}

/// [`open`], for a sealed file whose [`opened::FileDigest`] the caller has already worked out.
pub fn open_digested(
    reader: &Keys,
    bytes: &[u8],
    file: &opened::FileDigest,
    place: &str,
    keys_of: impl Fn(&str) -> Option<PublicKeys>,
) -> Result<Opened> {
    let Some(memory) = reader.memory() else {
        return open_afresh(reader, bytes, place, keys_of);
    };
    let seen = opened::seen_of(place, file);
    match memory.recall(place, &seen) {
        Some(Outcome::NotForYou) => return Err(CryptoError::NotForYou),
        Some(Outcome::Opened {
            signer,
            signer_key,
            body,
            rev,
        }) if keys_of(&signer).is_some_and(|k| k.ed25519 == signer_key) => {
            return Ok(Opened { signer, body, rev });
        }
        _ => {}
    }
    let mut signer_key = None;
    let r = open_afresh(reader, bytes, place, |p| {
        let k = keys_of(p);
        signer_key = k.as_ref().map(|k| k.ed25519.clone());
        k
    });
    match (&r, signer_key) {
        (Ok(o), Some(signer_key)) => memory.remember(
            place,
            seen,
            Outcome::Opened {
                signer: o.signer.clone(),
                signer_key,
                body: o.body.clone(),
                rev: o.rev,
            },
        ),
        (Err(CryptoError::NotForYou), _) => memory.remember(place, seen, Outcome::NotForYou),
        _ => {}
    }
    r
}

fn open_afresh(
    reader: &Keys,
    bytes: &[u8],
    place: &str,
    mut keys_of: impl FnMut(&str) -> Option<PublicKeys>,
) -> Result<Opened> {
    let plain = decrypt(reader, bytes)?;

    let end = plain
        .iter()
        .position(|b| *b == b'\n')
        .ok_or_else(|| CryptoError::Malformed("no header".into()))?;
    let header: Header = serde_json::from_slice(&plain[..end])
        .map_err(|e| CryptoError::Malformed(format!("header: {e}")))?;
    if header.closer != MAGIC {
        return Err(CryptoError::Malformed(format!(
            "format {:?}, expected {MAGIC:?}",
            header.closer
        )));
    }
    if header.place != place {
        return Err(CryptoError::WrongPlace {
            expected: place.into(),
            found: header.place,
        });
    }
    let body = plain
        .get(end + 1..end + 1 + header.len)
        .ok_or_else(|| CryptoError::Malformed("shorter than it says".into()))?;
    let sig =
        unhex::<64>(&header.sig).ok_or_else(|| CryptoError::BadSignature(header.signer.clone()))?;
    let good = keys_of(&header.signer).is_some_and(|k| {
        k.verifies(
            &signed_message(place, &header.signer, header.rev, body),
            &sig,
        )
    });
    if !good {
        return Err(CryptoError::BadSignature(header.signer));
    }
    Ok(Opened {
        signer: header.signer,
        body: body.to_vec(),
        rev: header.rev,
    })
}

/// The signature of the seal on `bytes` (hex), opened with `reader`'s key; `None` when it cannot
/// be opened there or has no header.
pub fn signature_of(reader: &Keys, bytes: &[u8]) -> Option<String> {
    let plain = decrypt(reader, bytes).ok()?;
    let end = plain.iter().position(|b| *b == b'\n')?;
    serde_json::from_slice::<Header>(&plain[..end])
        .ok()
        .map(|h| h.sig)
}

/// The sealed file `bytes`, opened with `reader`'s key, encrypted again to `readers` exactly as
/// it was signed: the same header, signature, version counter and padding, so whoever checks it
/// checks the same signature. `Err(NotForYou)` when `reader` cannot open it.
pub fn reencrypt(reader: &Keys, bytes: &[u8], readers: &[&PublicKeys]) -> Result<Vec<u8>> {
    encrypt(&decrypt(reader, bytes)?, readers, reader)
}

/// `plain` encrypted with age to `readers`, and to the stand-in second reader of `writer`
/// ([`Keys::no_reader`]) when there are fewer than [`READERS`].
fn encrypt(plain: &[u8], readers: &[&PublicKeys], writer: &Keys) -> Result<Vec<u8>> {
    let recipients = readers
        .iter()
        .map(|r| r.recipient())
        .collect::<Result<Vec<_>>>()?;
    let stand_in = (recipients.len() < READERS).then(|| writer.no_reader().to_public());
    let encryptor = age::Encryptor::with_recipients(
        recipients
            .iter()
            .map(|r| r as &dyn age::Recipient)
            .chain(stand_in.iter().map(|r| r as &dyn age::Recipient)),
    )
    .map_err(|e| CryptoError::BadKey(e.to_string()))?;
    let mut out = Vec::with_capacity(plain.len() + 256 * readers.len());
    let mut w = encryptor
        .wrap_output(&mut out)
        .map_err(|e| CryptoError::Malformed(e.to_string()))?;
    w.write_all(plain)
        .and_then(|()| w.finish().map(|_| ()))
        .map_err(|e| CryptoError::Malformed(e.to_string()))?;
    Ok(out)
}

/// The age file `bytes` opened with `reader`'s key.
fn decrypt(reader: &Keys, bytes: &[u8]) -> Result<Vec<u8>> {
    let decryptor =
        age::Decryptor::new(bytes).map_err(|e| CryptoError::Malformed(e.to_string()))?;
    let mut plain = Vec::new();
    decryptor
        .decrypt(std::iter::once(reader.identity() as &dyn age::Identity))
        .map_err(|e| match e {
            age::DecryptError::NoMatchingKeys => CryptoError::NotForYou,
            e => CryptoError::Malformed(e.to_string()),
        })?
        .read_to_end(&mut plain)
        .map_err(|e| CryptoError::Malformed(e.to_string()))?;
    Ok(plain)
}

/// How many recipients a sealed file names: the X25519 stanzas in its age header, read without
/// opening it (0 for anything that is not an age file). [`READERS`] for every file this version
/// seals; an earlier closer sealed a record to its owner alone with one.
pub fn recipients(bytes: &[u8]) -> usize {
    let mut lines = bytes.split(|b| *b == b'\n');
    if lines.next() != Some(b"age-encryption.org/v1") {
        return 0;
    }
    lines
        .take_while(|l| !l.starts_with(b"---"))
        .filter(|l| l.starts_with(b"-> X25519 "))
        .count()
}

/// Whether `writer` sealed `bytes` to no partner but themselves, with the stand-in second
/// reader only their keys derive ([`Keys::no_reader`]). Costs one key exchange, no decryption.
pub fn sealed_alone(writer: &Keys, bytes: &[u8]) -> bool {
    let stand_in = writer.no_reader();
    age::Decryptor::new(bytes)
        .and_then(|d| d.decrypt(std::iter::once(&stand_in as &dyn age::Identity)))
        .is_ok()
}

/// The length of the age header of `bytes`, up to and with the newline of its MAC line (its
/// length varies with age's random "grease" stanza). `None` for anything that is not an age file.
pub fn header_len(bytes: &[u8]) -> Option<usize> {
    let mac = bytes.windows(5).position(|w| w == b"\n--- ")?;
    Some(mac + 2 + bytes[mac + 1..].iter().position(|b| *b == b'\n')?)
}

/// The length of the padded plaintext inside the age file `bytes`, worked out from its size:
/// after the header, a 16-byte nonce, then chunks of up to 64 KiB, each with a 16-byte tag.
/// `None` for anything that is not an age file.
pub fn sealed_len(bytes: &[u8]) -> Option<usize> {
    const CHUNK: usize = 64 * 1024;
    const TAG: usize = 16;
    let rest = bytes.len().checked_sub(header_len(bytes)? + 16)?;
    let chunks = rest.div_ceil(CHUNK + TAG).max(1);
    rest.checked_sub(chunks * TAG)
}

#[cfg(test)]
mod tests {
    use super::*;
    use age::secrecy::ExposeSecret;

    struct Couple {
        a: Keys,
        b: Keys,
    }

    impl Couple {
        fn new() -> Couple {
            Couple {
                a: Keys::generate(),
                b: Keys::generate(),
            }
        }
        fn keys_of(&self) -> impl Fn(&str) -> Option<PublicKeys> + '_ {
            |id| match id {
                "aaaa" => Some(self.a.public()),
                "bbbb" => Some(self.b.public()),
                _ => None,
            }
        }
    }

    const PLACE: &str = "touch/aaaa/state";

    #[test]
    fn both_readers_open_what_was_sealed_for_both() {
        let c = Couple::new();
        let sealed = seal(
            &c.a,
            "aaaa",
            "needs/x1y2",
            b"{\"text\":\"buttons\"}",
            &[&c.a.public(), &c.b.public()],
        )
        .unwrap();
        for reader in [&c.a, &c.b] {
            let o = open(reader, &sealed, "needs/x1y2", c.keys_of()).unwrap();
            assert_eq!(o.body, b"{\"text\":\"buttons\"}");
            assert_eq!(o.signer, "aaaa");
        }
    }

    #[test]
    fn the_header_does_not_tell_a_record_for_its_owner_alone_from_one_for_both() {
        let c = Couple::new();
        let to = |readers: &[&PublicKeys]| seal(&c.a, "aaaa", PLACE, b"{}", readers).unwrap();
        let (alone, both) = (to(&[&c.a.public()]), to(&[&c.a.public(), &c.b.public()]));
        assert_eq!(recipients(&alone), READERS);
        assert_eq!(recipients(&both), READERS);
        assert_eq!(recipients(b"{\"version\":1}"), 0);
        // Only the writer's keys tell them apart; the other partner's cannot.
        assert!(sealed_alone(&c.a, &alone));
        assert!(!sealed_alone(&c.a, &both));
        assert!(!sealed_alone(&c.b, &alone));
        assert_eq!(
            open(&c.b, &alone, PLACE, c.keys_of()).unwrap_err(),
            CryptoError::NotForYou
        );
        // A record an earlier closer sealed to its owner with one recipient still opens.
        let header = Header {
            closer: MAGIC.into(),
            place: PLACE.into(),
            signer: "aaaa".into(),
            len: 2,
            sig: hex(&c.a.sign(&signed_message(PLACE, "aaaa", 0, b"{}"))),
            rev: 0,
        };
        let mut plain = serde_json::to_vec(&header).unwrap();
        plain.extend_from_slice(b"\n{}");
        plain.resize(PAD, b'\n');
        let recipient = c.a.public().recipient().unwrap();
        let mut earlier = Vec::new();
        let mut w = age::Encryptor::with_recipients(std::iter::once(&recipient as _))
            .unwrap()
            .wrap_output(&mut earlier)
            .unwrap();
        w.write_all(&plain).unwrap();
        w.finish().unwrap();
        assert_eq!(recipients(&earlier), 1);
        assert!(!sealed_alone(&c.a, &earlier));
        assert_eq!(
            open(&c.a, &earlier, PLACE, c.keys_of()).unwrap().body,
            b"{}".to_vec()
        );
    }

    #[test]
    fn the_padded_length_reads_back_from_the_size_and_never_shrinks_below_pad() {
        let c = Couple::new();
        for (body, size) in [(0, 4096), (3000, 4096), (5000, 16384), (70_000, 262_144)] {
            let sealed = seal_sized(
                &c.a,
                "aaaa",
                PLACE,
                &vec![b'x'; body],
                &[&c.a.public()],
                |n| {
                    let mut b = 4096;
                    while b < n {
                        b *= 4;
                    }
                    b
                },
            )
            .unwrap();
            assert_eq!(sealed_len(&sealed), Some(size), "{body}");
            assert_eq!(
                open(&c.a, &sealed, PLACE, c.keys_of()).unwrap().body.len(),
                body
            );
        }
        let small = seal(&c.a, "aaaa", PLACE, b"{}", &[&c.a.public()]).unwrap();
        assert_eq!(sealed_len(&small), Some(PAD));
        assert_eq!(sealed_len(b"{}"), None);
    }

    #[test]
    fn a_private_record_cannot_be_opened_by_the_other_partner() {
        let c = Couple::new();
        let body = b"{\"s1-hold-hands\":\"no\"}";
        let sealed = seal(&c.a, "aaaa", PLACE, body, &[&c.a.public()]).unwrap();
        assert_eq!(
            open(&c.b, &sealed, PLACE, c.keys_of()).unwrap_err(),
            CryptoError::NotForYou
        );
        // Nothing of the record, its place or its signer is in the file as plain text (strings
        // long enough that random bytes never spell them).
        for plain in [&b"s1-hold-hands"[..], b"touch/aaaa/state", b"sealed/1"] {
            assert!(!sealed.windows(plain.len()).any(|w| w == plain));
        }
    }

    #[test]
    fn a_sealed_record_is_a_standard_age_file_the_owner_opens_without_closer() {
        let c = Couple::new();
        let sealed = seal(&c.a, "aaaa", PLACE, b"{}", &[&c.a.public()]).unwrap();
        // As `rage -d -i KEYFILE` would: the key file is an ordinary age identity file.
        let text = c.a.to_text();
        let ids = age::IdentityFile::from_buffer(text.expose_secret().as_bytes())
            .unwrap()
            .into_identities()
            .unwrap();
        let d = age::Decryptor::new(&sealed[..]).unwrap();
        let mut plain = Vec::new();
        d.decrypt(ids.iter().map(|i| i.as_ref() as &dyn age::Identity))
            .unwrap()
            .read_to_end(&mut plain)
            .unwrap();
        assert!(plain.starts_with(b"{\"closer\":\"sealed/1\""));
    }

    #[test]
    fn a_record_forged_with_the_other_partners_key_is_rejected() {
        let c = Couple::new();
        // B writes a "yes" into A's folder and claims A signed it.
        let forged = seal(&c.b, "aaaa", PLACE, b"{\"s5\":\"yes\"}", &[&c.a.public()]).unwrap();
        assert_eq!(
            open(&c.a, &forged, PLACE, c.keys_of()).unwrap_err(),
            CryptoError::BadSignature("aaaa".into())
        );
        // An unknown signer fails the same way.
        let stranger = seal(&c.b, "zzzz", PLACE, b"{}", &[&c.a.public()]).unwrap();
        assert!(matches!(
            open(&c.a, &stranger, PLACE, c.keys_of()),
            Err(CryptoError::BadSignature(_))
        ));
    }

    #[test]
    fn a_record_moved_to_another_place_is_rejected() {
        let c = Couple::new();
        let sealed = seal(&c.a, "aaaa", "touch/aaaa/state", b"{}", &[&c.a.public()]).unwrap();
        assert!(matches!(
            open(&c.a, &sealed, "touch/bbbb/state", c.keys_of()),
            Err(CryptoError::WrongPlace { .. })
        ));
    }

    #[test]
    fn a_damaged_file_is_reported_not_trusted() {
        let c = Couple::new();
        let mut sealed = seal(&c.a, "aaaa", PLACE, b"{}", &[&c.a.public()]).unwrap();
        let n = sealed.len();
        sealed[n - 5] ^= 1;
        assert!(matches!(
            open(&c.a, &sealed, PLACE, c.keys_of()),
            Err(CryptoError::Malformed(_))
        ));
        assert!(matches!(
            open(&c.a, b"{\"plain\": true}", PLACE, c.keys_of()),
            Err(CryptoError::Malformed(_))
        ));
    }

    #[test]
    fn sizes_do_not_tell_yes_from_no() {
        let c = Couple::new();
        // age adds a header stanza of random length ("grease") to every file; what could carry
        // meaning is the encrypted payload after the header, and that has a fixed size.
        let payload = |body: &[u8]| {
            let sealed = seal(&c.a, "aaaa", PLACE, body, &[&c.a.public()]).unwrap();
            let mac = sealed.windows(5).position(|w| w == b"\n--- ").unwrap();
            let end = mac + 1 + sealed[mac + 1..].iter().position(|b| *b == b'\n').unwrap();
            sealed.len() - end
        };
        assert_eq!(payload(b"{\"s1\":\"yes\"}"), payload(b"{\"s1\":\"no\"}"));
        assert_eq!(payload(b"{\"s1\":\"maybe\"}"), payload(b"{}"));
        assert!(payload(&[b' '; PAD]) > payload(b"{}"));
    }
}
