//! Stable random record IDs, shown as the shortest unique prefix and found by any unique prefix.
//!
//! An [`Id`] is checked wherever it comes from (a file, an argument, a folder name), so that a
//! path built from one always stays inside the folder it was built for.

use crate::error::{Error, IdKind, Result};
use serde::{Deserialize, Serialize};
use std::fmt;

/// Crockford's base-32 alphabet in lower case: no i, l, o or u to misread.
const ALPHABET: &[u8; 32] = b"0123456789abcdefghjkmnpqrstvwxyz";
/// Characters in a new ID (60 random bits).
pub const ID_LEN: usize = 12;
/// The shortest prefix ever shown.
pub const MIN_PREFIX: usize = 4;

/// The longest ID accepted from a file.
pub const MAX_ID: usize = 32;

/// A record's or a partner's ID: 4 to 32 lower-case ASCII letters and digits. Nothing else gets
/// into a path: no separator, no dot, nothing absolute.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "String")]
pub struct Id(String);

impl Id {
    /// Checks an ID read from a file, a folder name or an argument.
    pub fn parse(s: &str) -> Result<Id, BadId> {
        // The usual case, in one look at each byte: every byte a letter or digit, so as many
        // characters as bytes.
        if valid(s) {
            return Ok(Id(s.to_owned()));
        }
        let n = s.chars().count();
        if !(MIN_PREFIX..=MAX_ID).contains(&n) {
            return Err(BadId(format!(
                "the ID {s:?} has {n} characters, not {MIN_PREFIX} to {MAX_ID}"
            )));
        }
        if let Some(c) = s
            .chars()
            .find(|c| !c.is_ascii_lowercase() && !c.is_ascii_digit())
        {
            return Err(BadId(format!(
                "the ID {s:?} holds {c:?}; an ID is lower-case letters and digits only"
            )));
        }
        Ok(Id(s.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Its first `n` characters (all of it when shorter).
    pub fn prefix(&self, n: usize) -> &str {
        &self.0[..n.min(self.0.len())]
    }
}

/// Whether `s` is a valid [`Id`], in one look at each byte.
pub fn valid(s: &str) -> bool {
    (MIN_PREFIX..=MAX_ID).contains(&s.len())
        && s.bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
}

/// Why a string is not an [`Id`]. Its text starts with [`BAD_ID`], which marks a record as
/// invalid rather than broken.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BadId(String);

/// Starts every [`BadId`] message.
pub const BAD_ID: &str = "invalid ID: ";

impl fmt::Display for BadId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{BAD_ID}{}", self.0)
    }
}

impl std::error::Error for BadId {}

impl From<BadId> for Error {
    fn from(e: BadId) -> Error {
        Error::invalid(e.0)
    }
}

impl TryFrom<String> for Id {
    type Error = BadId;
    fn try_from(s: String) -> Result<Id, BadId> {
        Id::parse(&s)
    }
}

impl std::str::FromStr for Id {
    type Err = BadId;
    fn from_str(s: &str) -> Result<Id, BadId> {
        Id::parse(s)
    }
}

impl std::ops::Deref for Id {
    type Target = str;
    fn deref(&self) -> &str {
        &self.0
    }
}

impl AsRef<str> for Id {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

impl std::borrow::Borrow<str> for Id {
    fn borrow(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Id {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl PartialEq<str> for Id {
    fn eq(&self, other: &str) -> bool {
        self.0 == other
    }
}

impl PartialEq<&str> for Id {
    fn eq(&self, other: &&str) -> bool {
        self.0 == *other
    }
}

impl PartialEq<String> for Id {
    fn eq(&self, other: &String) -> bool {
        self.0 == *other
    }
}

impl From<Id> for String {
    fn from(id: Id) -> String {
        id.0
    }
}

/// A new random ID.
pub fn new_id() -> Id {
    let mut bytes = [0u8; ID_LEN];
    getrandom::fill(&mut bytes).expect("the operating system's random number generator failed");
    Id(bytes
        .iter()
        .map(|b| ALPHABET[(b & 31) as usize] as char)
        .collect())
}

/// The first `n` bytes of `s`, cut back to a character boundary.
pub fn head(s: &str, n: usize) -> &str {
    let mut n = n.min(s.len());
    while !s.is_char_boundary(n) {
        n -= 1;
    }
    &s[..n]
}

/// For each ID in `ids`, the length of its shortest unique prefix (at least [`MIN_PREFIX`]).
pub fn prefix_lengths(ids: &[&str]) -> Vec<usize> {
    let mut order: Vec<usize> = (0..ids.len()).collect();
    // Listings come in the order of their IDs, mostly: no need to sort them again.
    if !ids.is_sorted() {
        order.sort_unstable_by_key(|&i| ids[i]);
    }
    let common = |a: &str, b: &str| a.bytes().zip(b.bytes()).take_while(|(x, y)| x == y).count();
    let mut out: Vec<usize> = ids.iter().map(|i| MIN_PREFIX.min(i.len())).collect();
    for w in order.windows(2) {
        let (a, b) = (w[0], w[1]);
        let c = common(ids[a], ids[b]) + 1;
        out[a] = out[a].max(c).min(ids[a].len());
        out[b] = out[b].max(c).min(ids[b].len());
    }
    out
}

/// The shortest unique prefix of `id` among `ids`.
pub fn short<'a>(id: &'a str, ids: &[&str]) -> &'a str {
    let all: Vec<&str> = ids
        .iter()
        .copied()
        .filter(|i| *i != id)
        .chain([id])
        .collect();
    let n = *prefix_lengths(&all).last().unwrap_or(&MIN_PREFIX);
    head(id, n)
}

/// Finds the one ID in `ids` that starts with `prefix` (case-insensitive), the user's way of
/// naming a record of `kind` on the command line.
pub fn resolve<'a>(prefix: &str, ids: &[&'a str], kind: IdKind) -> Result<&'a str> {
    let p = prefix.trim().to_ascii_lowercase();
    let hits: Vec<&str> = if p.is_empty() {
        Vec::new()
    } else {
        ids.iter().copied().filter(|i| i.starts_with(&p)).collect()
    };
    match hits.as_slice() {
        [one] => Ok(one),
        [] => Err(Error::UnknownId { kind, given: p }),
        many => {
            let lens = prefix_lengths(many);
            let matches = many
                .iter()
                .zip(lens)
                .map(|(i, n)| head(i, n).to_owned())
                .collect();
            Err(Error::AmbiguousId {
                kind,
                given: p,
                matches,
            })
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn new_ids_use_the_alphabet_and_differ() {
        let a = new_id();
        assert_eq!(a.len(), ID_LEN);
        assert!(a.bytes().all(|b| ALPHABET.contains(&b)));
        assert_ne!(a, new_id());
        assert_eq!(Id::parse(&a).unwrap(), a);
    }

    #[test]
    fn ids_that_could_leave_a_folder_or_break_slicing_are_refused() {
        for bad in [
            "../../x",
            "../touch/abcd/state",
            "/etc/passwd",
            "abc",
            "",
            "äbcdefgh",
            "ab.cd",
            "ABCD1234",
            "abcd 123",
            "abcd\\1234",
            "abcd\n1234",
            "0123456789012345678901234567890123",
        ] {
            let e = Id::parse(bad).unwrap_err();
            assert!(e.to_string().starts_with(BAD_ID), "{e}");
            assert!(serde_json::from_str::<Id>(&serde_json::to_string(bad).unwrap()).is_err());
        }
        assert!(Id::parse("alex").is_ok() && Id::parse("0123456789ab").is_ok());
    }

    #[test]
    fn short_or_multibyte_ids_never_break_a_prefix() {
        let ids = ["ab", "äbc", "x", "äbcdefg", "abcdefgh"];
        let lens = prefix_lengths(&ids);
        for (id, n) in ids.iter().zip(lens) {
            assert!(head(id, n).len() <= id.len());
        }
        assert_eq!(head("äb", 1), "");
        assert_eq!(short("x", &ids), "x");
    }

    #[test]
    fn every_shown_prefix_is_unique_and_at_least_four() {
        let ids: Vec<String> = (0..2000)
            .map(|_| new_id().to_string())
            .chain(["abcdef000000".into(), "abcdef000001".into()])
            .collect();
        let refs: Vec<&str> = ids.iter().map(String::as_str).collect();
        let lens = prefix_lengths(&refs);
        for (i, id) in refs.iter().enumerate() {
            assert!(lens[i] >= MIN_PREFIX);
            let p = &id[..lens[i]];
            assert_eq!(resolve(p, &refs, IdKind::Need).unwrap(), *id);
        }
        assert_eq!(lens[2000], 12);
    }

    #[test]
    fn an_ambiguous_or_unknown_prefix_is_refused_with_a_typed_error() {
        let ids = ["abcd1111", "abcd2222", "zzzz0000"];
        let err = resolve("abcd", &ids, IdKind::Need).unwrap_err();
        assert!(
            matches!(&err, Error::AmbiguousId { matches, .. } if matches == &["abcd1", "abcd2"]),
            "{err:?}"
        );
        assert_eq!(err.exit_code(), 2);
        assert_eq!(resolve("ABCD2", &ids, IdKind::Need).unwrap(), "abcd2222");
        for p in ["q", "", "  "] {
            let err = resolve(p, &ids, IdKind::Need).unwrap_err();
            assert!(matches!(err, Error::UnknownId { .. }), "{p:?}: {err:?}");
            assert_eq!(err.exit_code(), 2);
        }
    }

    #[test]
    fn messages_about_ids_name_no_command() {
        let ids = ["abcd1111", "abcd2222"];
        for p in ["abcd", "q", ""] {
            let msg = resolve(p, &ids, IdKind::Session).unwrap_err().to_string();
            assert!(!msg.contains('`'), "{msg}");
        }
    }
}
