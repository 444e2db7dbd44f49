//! A partner's keys: one age X25519 identity, from which the Ed25519 signing key is derived
//! (HKDF-SHA256), so that one secret, written down once, restores both.
//!
//! The key file is a standard age identity file (`rage -d -i KEYFILE record.age` opens a record
//! without closer); with a passphrase it is that file encrypted with age's scrypt recipient, the
//! format of `age -p`. The recovery key is the identity's own `AGE-SECRET-KEY-1…` line.

use super::{CryptoError, Result, hex, unhex};
use age::secrecy::{ExposeSecret, SecretString};
use ed25519_dalek::{Signature, Signer, SigningKey, VerifyingKey};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::io::{Read, Write};
use std::str::FromStr;

/// What the signing key is derived with; changing it changes every partner's signing key.
const SIGNING_INFO: &[u8] = b"closer ed25519 signing key v1";

/// The key file's comment lines stating the public keys, and the check that lets a run take
/// them as stated (see [`Keys::to_text`]).
const PUBLIC_LINE: &str = "# public key: ";
const SIGNING_LINE: &str = "# signing key: ";
const CHECK_LINE: &str = "# check of the public keys: ";
/// A copy's comment line naming the lost key these keys replaced (see [`Keys::to_protected`]).
const REPLACES_LINE: &str = "# replaces the lost key: ";

/// What the secrets a partner's device derives for its own use (the rounds of the private set
/// intersection) are derived with.
const DERIVED_INFO: &[u8] = b"closer derived secret v1\0";

/// One partner's secret keys.
#[derive(Clone)]
pub struct Keys {
    identity: age::x25519::Identity,
    /// Made from the identity when first used (a scalar multiplication): most runs only open.
    signing: std::sync::OnceLock<SigningKey>,
    /// The HKDF key everything else is derived from (the identity's secret bytes).
    derive: hkdf::Hkdf<Sha256>,
    /// What these keys opened before, when the device keeps that (see [`Keys::remembering`]).
    memory: Option<std::sync::Arc<dyn super::opened::Memory>>,
    /// The public keys, worked out once (each is a scalar multiplication), or read from the key
    /// file where it states them with a check only this secret gives.
    public: PublicKeys,
}

impl std::fmt::Debug for Keys {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Keys")
            .field("public", &self.public())
            .finish_non_exhaustive()
    }
}

/// One partner's public keys, as published in the data folder and pinned by the other device.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PublicKeys {
    /// The age recipient, `age1…`.
    pub age: String,
    /// The Ed25519 verifying key, 64 hex digits.
    pub ed25519: String,
}

impl Keys {
    /// New keys from the operating system's randomness.
    pub fn generate() -> Keys {
        Keys::from_identity(age::x25519::Identity::generate())
            .expect("a fresh age identity always encodes and decodes")
    }

    fn from_identity(identity: age::x25519::Identity) -> Result<Keys> {
        Keys::from_identity_stating(identity, None)
    }

    /// Keys from `identity`; their public keys are taken from `stated` when its check is the one
    /// this identity gives, worked out otherwise.
    fn from_identity_stating(
        identity: age::x25519::Identity,
        stated: Option<(PublicKeys, &str)>,
    ) -> Result<Keys> {
        let text = identity.to_string();
        let (_, secret) =
            bech32::decode(text.expose_secret()).map_err(|e| CryptoError::BadKey(e.to_string()))?;
        let hk = hkdf::Hkdf::<Sha256>::new(None, &secret);
        let mut keys = Keys {
            identity,
            signing: std::sync::OnceLock::new(),
            derive: hk,
            memory: None,
            public: PublicKeys {
                age: String::new(),
                ed25519: String::new(),
            },
        };
        match stated {
            Some((public, check)) if keys.public_check(&public) == check => keys.public = public,
            _ => {
                keys.public = PublicKeys {
                    age: keys.identity.to_public().to_string(),
                    ed25519: hex(keys.signing().verifying_key().as_bytes()),
                }
            }
        }
        Ok(keys)
    }

    /// The signing key, made on first use.
    fn signing(&self) -> &SigningKey {
        self.signing.get_or_init(|| {
            let mut seed = [0u8; 32];
            self.derive
                .expand(SIGNING_INFO, &mut seed)
                .expect("32 bytes is a valid HKDF-SHA256 output length");
            SigningKey::from_bytes(&seed)
        })
    }

    /// What the key file writes beside its public keys so that reading them back needs no
    /// scalar multiplication: a value only this secret gives for exactly these public keys.
    fn public_check(&self, public: &PublicKeys) -> String {
        let label = format!("key file public keys\0{}\0{}", public.age, public.ed25519);
        hex(&self.derive(label.as_bytes())[..16])
    }

    /// Keys from a recovery key or an age identity file (comments and blank lines are skipped).
    pub fn from_text(text: &str) -> Result<Keys> {
        let stated = |name: &str| {
            text.lines()
                .find_map(|l| l.strip_prefix(name))
                .map(str::trim)
        };
        let stated = match (
            stated(PUBLIC_LINE),
            stated(SIGNING_LINE),
            stated(CHECK_LINE),
        ) {
            (Some(age), Some(ed25519), Some(check)) => Some((
                PublicKeys {
                    age: age.to_owned(),
                    ed25519: ed25519.to_owned(),
                },
                check,
            )),
            _ => None,
        };
        let line = text
            .lines()
            .map(|l| l.trim().replace([' ', '-'], "").to_ascii_uppercase())
            .find(|l| l.starts_with("AGESECRETKEY1"))
            .ok_or_else(|| CryptoError::BadKey("no AGE-SECRET-KEY-1… line".into()))?;
        // The recovery key may be written in groups; put the prefix's hyphens back.
        let line = format!("AGE-SECRET-KEY-{}", &line["AGESECRETKEY".len()..]);
        let identity = age::x25519::Identity::from_str(&line)
            .map_err(|e| CryptoError::BadKey(e.to_string()))?;
        Keys::from_identity_stating(identity, stated)
    }

    /// The key file: a standard age identity file.
    pub fn to_text(&self) -> SecretString {
        let public = self.public();
        SecretString::from(format!(
            "# closer key: keep it secret, and keep a copy (the recovery key on paper, or a passphrase-protected copy)\n\
             {PUBLIC_LINE}{}\n\
             {SIGNING_LINE}{}\n\
             {CHECK_LINE}{}\n\
             {}\n",
            public.age,
            public.ed25519,
            self.public_check(&public),
            self.identity.to_string().expose_secret()
        ))
    }

    /// The key file, encrypted under a passphrase (age's scrypt recipient, as `age -p` does).
    /// `work_factor` is scrypt's log2(N); `None` lets age choose (about a second). A copy made
    /// for another device names, in `replaces`, the lost key these keys replaced, if any (a
    /// comment line, which age and rage skip): see [`Keys::replaced_in`].
    pub fn to_protected(
        &self,
        passphrase: SecretString,
        work_factor: Option<u8>,
        replaces: Option<&PublicKeys>,
    ) -> Vec<u8> {
        let mut recipient = age::scrypt::Recipient::new(passphrase);
        if let Some(n) = work_factor {
            recipient.set_work_factor(n);
        }
        let encryptor = age::Encryptor::with_recipients(std::iter::once(&recipient as _))
            .expect("one scrypt recipient is always a valid set");
        let mut out = Vec::new();
        let mut w = encryptor
            .wrap_output(&mut out)
            .expect("writing to memory cannot fail");
        let replaces = replaces
            .map(|k| format!("{REPLACES_LINE}{} {}\n", k.age, k.ed25519))
            .unwrap_or_default();
        w.write_all(replaces.as_bytes())
            .and_then(|()| w.write_all(self.to_text().expose_secret().as_bytes()))
            .and_then(|()| w.finish().map(|_| ()))
            .expect("writing to memory cannot fail");
        out
    }

    /// Keys from a passphrase-protected key file.
    pub fn from_protected(bytes: &[u8], passphrase: SecretString) -> Result<Keys> {
        Keys::from_text(Keys::open_protected(bytes, passphrase)?.expose_secret())
    }

    /// The key file inside a passphrase-protected one.
    pub fn open_protected(bytes: &[u8], passphrase: SecretString) -> Result<SecretString> {
        let identity = age::scrypt::Identity::new(passphrase);
        let decryptor = age::Decryptor::new(bytes)
            .map_err(|e| CryptoError::BadKey(format!("not an age file: {e}")))?;
        if !decryptor.is_scrypt() {
            return Err(CryptoError::BadPassphrase);
        }
        let mut text = String::new();
        decryptor
            .decrypt(std::iter::once(&identity as &dyn age::Identity))
            .map_err(|_| CryptoError::BadPassphrase)?
            .read_to_string(&mut text)
            .map_err(|_| CryptoError::BadPassphrase)?;
        Ok(SecretString::from(text))
    }

    /// The lost key that a copy of a key file says its keys replaced (the partner's own word,
    /// written by their device that knew it), if it says so.
    pub fn replaced_in(text: &str) -> Option<PublicKeys> {
        let line = text.lines().find_map(|l| l.strip_prefix(REPLACES_LINE))?;
        let (age, ed25519) = line.trim().split_once(' ')?;
        let keys = PublicKeys {
            age: age.to_owned(),
            ed25519: ed25519.to_owned(),
        };
        keys.check().is_ok().then_some(keys)
    }

    /// Whether a key file is passphrase-protected (an age file) rather than plain text.
    pub fn is_protected(bytes: &[u8]) -> bool {
        bytes.starts_with(b"age-encryption.org/v1\n")
    }

    /// The recovery key to write down: the age identity in groups of five characters.
    pub fn recovery_key(&self) -> SecretString {
        let text = self.identity.to_string();
        let body = &text.expose_secret()["AGE-SECRET-KEY-".len()..];
        let groups: Vec<&str> = body
            .as_bytes()
            .chunks(5)
            .map(|c| std::str::from_utf8(c).unwrap_or_default())
            .collect();
        SecretString::from(format!("AGE-SECRET-KEY-{}", groups.join(" ")))
    }

    pub fn public(&self) -> PublicKeys {
        self.public.clone()
    }

    pub(crate) fn identity(&self) -> &age::x25519::Identity {
        &self.identity
    }

    /// Whether these are the very same keys as `other` (cheaply: both public keys are derived
    /// from the identity, or checked against it when read).
    pub fn same_as(&self, other: &Keys) -> bool {
        self.public == other.public
    }

    /// These keys, remembering in `memory` what they open and check (see [`super::opened`]).
    pub fn remembering(mut self, memory: std::sync::Arc<dyn super::opened::Memory>) -> Keys {
        self.memory = Some(memory);
        self
    }

    pub(crate) fn memory(&self) -> Option<&dyn super::opened::Memory> {
        self.memory.as_deref()
    }

    /// A secret only this partner's keys give, for `label` (always the same for the same label,
    /// different for every other label and every other partner).
    pub fn derive(&self, label: &[u8]) -> [u8; 64] {
        let mut out = [0u8; 64];
        let info = [DERIVED_INFO, label].concat();
        self.derive
            .expand(&info, &mut out)
            .expect("64 bytes is a valid HKDF-SHA256 output length");
        out
    }

    /// An age identity that stands in for a second reader on a record sealed to this partner
    /// alone, so that its header has as many recipients as one sealed to both: derived from
    /// this partner's secret, so only their keys can tell it is there, and nobody else holds it.
    pub fn no_reader(&self) -> age::x25519::Identity {
        let secret = &self.derive(b"no second reader")[..32];
        let hrp = bech32::Hrp::parse("age-secret-key-").expect("a valid prefix");
        let text = bech32::encode::<bech32::Bech32>(hrp, secret)
            .expect("32 bytes always encode")
            .to_ascii_uppercase();
        age::x25519::Identity::from_str(&text).expect("an age secret key from 32 bytes")
    }

    /// An Ed25519 signature over `message`.
    pub fn sign(&self, message: &[u8]) -> [u8; 64] {
        self.signing().sign(message).to_bytes()
    }
}

impl PublicKeys {
    pub(crate) fn recipient(&self) -> Result<age::x25519::Recipient> {
        age::x25519::Recipient::from_str(&self.age)
            .map_err(|e| CryptoError::BadKey(format!("age recipient: {e}")))
    }

    fn verifying(&self) -> Result<VerifyingKey> {
        let bytes = unhex::<32>(&self.ed25519)
            .ok_or_else(|| CryptoError::BadKey("signing key: not 64 hex digits".into()))?;
        VerifyingKey::from_bytes(&bytes).map_err(|e| CryptoError::BadKey(e.to_string()))
    }

    /// Both keys parse.
    pub fn check(&self) -> Result<()> {
        self.recipient()?;
        self.verifying()?;
        Ok(())
    }

    /// Whether `signature` is this partner's over `message` (strict Ed25519 verification).
    pub fn verifies(&self, message: &[u8], signature: &[u8; 64]) -> bool {
        self.verifying().is_ok_and(|k| {
            k.verify_strict(message, &Signature::from_bytes(signature))
                .is_ok()
        })
    }

    /// A short fingerprint both partners can read aloud to compare devices: 8 groups of 4 hex.
    pub fn fingerprint(&self) -> String {
        let digest = Sha256::new()
            .chain_update(self.age.as_bytes())
            .chain_update([0])
            .chain_update(self.ed25519.as_bytes())
            .finalize();
        hex(&digest[..16])
            .as_bytes()
            .chunks(4)
            .map(|c| std::str::from_utf8(c).unwrap_or_default())
            .collect::<Vec<_>>()
            .join(" ")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_key_file_round_trips_and_derives_the_same_signing_key() {
        let k = Keys::generate();
        let again = Keys::from_text(k.to_text().expose_secret()).unwrap();
        assert_eq!(k.public(), again.public());
        assert!(k.public().check().is_ok());
        // Two fresh keys differ in both halves.
        let other = Keys::generate().public();
        assert_ne!(k.public().age, other.age);
        assert_ne!(k.public().ed25519, other.ed25519);
        // The file says how to keep it, without naming a command of any one tool.
        let text = k.to_text();
        let comment = text.expose_secret().lines().next().unwrap();
        assert!(comment.starts_with("# closer key:"), "{comment}");
        assert!(!comment.contains('`'), "{comment}");
    }

    #[test]
    fn a_key_file_states_its_public_keys_and_only_checked_ones_are_taken() {
        let k = Keys::generate();
        let text = k.to_text().expose_secret().to_owned();
        // Read back as stated: no scalar multiplication, the signing key not made until used.
        let again = Keys::from_text(&text).unwrap();
        assert_eq!(again.public(), k.public());
        assert!(again.signing.get().is_none());
        assert_eq!(again.sign(b"m"), k.sign(b"m"));
        assert!(again.same_as(&k));
        // Stated keys edited, or another key's stated lines with their own check: worked out
        // from the secret instead.
        let other = Keys::generate();
        let other_text = other.to_text().expose_secret().to_owned();
        let edited = text.replace(&k.public().age, &other.public().age);
        let edited_both = edited.replace(&k.public().ed25519, &other.public().ed25519);
        let secret_line = |t: &str| t.lines().last().unwrap().to_owned();
        let transplanted = other_text.replace(&secret_line(&other_text), &secret_line(&text));
        for t in [edited, edited_both, transplanted] {
            let read = Keys::from_text(&t).unwrap();
            assert_eq!(read.public(), k.public(), "{t}");
            assert!(read.signing.get().is_some());
        }
    }

    #[test]
    fn the_recovery_key_restores_both_keys_even_typed_in_lower_case_with_spaces() {
        let k = Keys::generate();
        let written = k.recovery_key().expose_secret().to_ascii_lowercase();
        assert!(written.contains(' '));
        let restored = Keys::from_text(&written).unwrap();
        assert_eq!(k.public(), restored.public());
        // One wrong character is caught by the checksum, never turned into another key.
        let mut typo = k.recovery_key().expose_secret().to_owned();
        let last = typo.pop().unwrap();
        typo.push(if last == 'Q' { 'P' } else { 'Q' });
        assert!(matches!(
            Keys::from_text(&typo),
            Err(CryptoError::BadKey(_))
        ));
    }

    #[test]
    fn a_protected_key_needs_its_passphrase() {
        let k = Keys::generate();
        let pass = || SecretString::from("correct horse".to_owned());
        let sealed = k.to_protected(pass(), Some(2), None);
        assert!(Keys::is_protected(&sealed));
        assert!(!Keys::is_protected(k.to_text().expose_secret().as_bytes()));
        // The secret is nowhere in the protected file.
        let secret = k.to_text();
        let line = secret.expose_secret().lines().last().unwrap();
        assert!(!String::from_utf8_lossy(&sealed).contains(line));
        assert_eq!(
            Keys::from_protected(&sealed, pass()).unwrap().public(),
            k.public()
        );
        assert_eq!(
            Keys::from_protected(&sealed, SecretString::from("wrong".to_owned())).unwrap_err(),
            CryptoError::BadPassphrase
        );
    }

    #[test]
    fn a_copy_names_the_lost_key_it_replaced_and_is_still_an_age_identity_file() {
        let (k, lost) = (Keys::generate(), Keys::generate().public());
        let pass = || SecretString::from("correct horse".to_owned());
        let copy = k.to_protected(pass(), Some(2), Some(&lost));
        let text = Keys::open_protected(&copy, pass()).unwrap();
        assert_eq!(Keys::replaced_in(text.expose_secret()), Some(lost.clone()));
        assert_eq!(
            Keys::from_text(text.expose_secret()).unwrap().public(),
            k.public()
        );
        let ids = age::IdentityFile::from_buffer(text.expose_secret().as_bytes()).unwrap();
        assert_eq!(ids.into_identities().unwrap().len(), 1);
        // A copy that names none, and a line that is not a key, name nothing.
        let plain = Keys::open_protected(&k.to_protected(pass(), Some(2), None), pass()).unwrap();
        assert_eq!(Keys::replaced_in(plain.expose_secret()), None);
        let bad = format!("{REPLACES_LINE}age1x ../../etc\n");
        assert_eq!(Keys::replaced_in(&bad), None);
        let not_a_recipient = format!("{REPLACES_LINE}age1{} {}\n", "q".repeat(58), lost.ed25519);
        assert_eq!(Keys::replaced_in(&not_a_recipient), None);
    }

    #[test]
    fn signatures_verify_only_for_their_key_and_message() {
        let k = Keys::generate();
        let sig = k.sign(b"yes to s1-hold-hands");
        assert!(k.public().verifies(b"yes to s1-hold-hands", &sig));
        assert!(!k.public().verifies(b"yes to s5-no-goal", &sig));
        assert!(
            !Keys::generate()
                .public()
                .verifies(b"yes to s1-hold-hands", &sig)
        );
    }

    #[test]
    fn public_keys_that_do_not_parse_are_refused() {
        let mut p = Keys::generate().public();
        p.ed25519.replace_range(0..2, "zz");
        assert!(p.check().is_err());
        let mut p = Keys::generate().public();
        p.age.push('x');
        assert!(p.check().is_err());
    }

    #[test]
    fn derived_secrets_are_stable_per_label_and_differ_between_labels_and_partners() {
        let k = Keys::generate();
        let again = Keys::from_text(k.to_text().expose_secret()).unwrap();
        assert_eq!(k.derive(b"round 1"), again.derive(b"round 1"));
        assert_ne!(k.derive(b"round 1"), k.derive(b"round 2"));
        assert_ne!(k.derive(b"round 1"), Keys::generate().derive(b"round 1"));
        // Not the signing seed: a signature key never doubles as a blinding secret.
        assert_ne!(k.derive(b"")[..32], k.signing().to_bytes());
    }

    #[test]
    fn fingerprints_are_short_and_differ() {
        let a = Keys::generate().public();
        assert_eq!(a.fingerprint().len(), 8 * 4 + 7);
        assert_ne!(a.fingerprint(), Keys::generate().public().fingerprint());
    }
}
