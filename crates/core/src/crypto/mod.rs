//! The cryptography behind closer's privacy promises (SECURITY.md): each partner's keys, records
//! sealed (signed, then encrypted with age) to the partners who may read them, and a private set
//! intersection that tells a couple what they both chose without showing either one's answers.
//!
//! Everything here is built from well-kept crates and standard formats (age, Ed25519,
//! ristretto255); nothing here reads files, the clock or the environment. Randomness comes from
//! the operating system.

pub mod keyring;
pub mod keys;
pub mod opened;
pub mod pins;
pub mod psi;
pub mod seal;

pub use age::secrecy::{ExposeSecret, SecretString};
pub use keys::{Keys, PublicKeys};

/// What can go wrong with keys, sealed records and intersections.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum CryptoError {
    #[error("this is not a closer key: {0}")]
    BadKey(String),
    #[error("the passphrase is wrong, or this is not a passphrase-protected key")]
    BadPassphrase,
    #[error("this record cannot be opened with your key (it was not written for you)")]
    NotForYou,
    #[error("this record is damaged or not a closer record: {0}")]
    Malformed(String),
    #[error("this record's signature does not check out: it was not written by {0}")]
    BadSignature(String),
    #[error("this record is signed by {signer}, but it says what they may not say: {why}")]
    NotBelieved { signer: String, why: String },
    #[error("this record belongs at {expected}, but says it belongs at {found}")]
    WrongPlace { expected: String, found: String },
    #[error("the operating system gave no random numbers: {0}")]
    NoRandomness(String),
}

pub type Result<T> = std::result::Result<T, CryptoError>;

/// `N` random bytes from the operating system.
pub(crate) fn random<const N: usize>() -> Result<[u8; N]> {
    let mut b = [0u8; N];
    getrandom::fill(&mut b).map_err(|e| CryptoError::NoRandomness(e.to_string()))?;
    Ok(b)
}

/// Bytes as lower-case hex digits.
pub(crate) fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// Exactly `N` bytes from `2 * N` hex digits.
pub(crate) fn unhex<const N: usize>(s: &str) -> Option<[u8; N]> {
    if s.len() != 2 * N || !s.is_ascii() {
        return None;
    }
    let mut out = [0u8; N];
    for (i, o) in out.iter_mut().enumerate() {
        *o = u8::from_str_radix(&s[2 * i..2 * i + 2], 16).ok()?;
    }
    Some(out)
}
