//! Stable random record IDs, shown as the shortest unique prefix and found by any unique prefix.

use crate::error::{Error, Result};

/// Crockford's base-32 alphabet in lower case: no i, l, o or u to misread.
const ALPHABET: &[u8; 32] = b"0123456789abcdefghjkmnpqrstvwxyz";
/// Characters in a new ID (60 random bits).
pub const ID_LEN: usize = 12;
/// The shortest prefix ever shown.
pub const MIN_PREFIX: usize = 4;

/// A new random ID.
pub fn new_id() -> String {
    let mut bytes = [0u8; ID_LEN];
    getrandom::fill(&mut bytes).expect("the operating system's random number generator failed");
    bytes
        .iter()
        .map(|b| ALPHABET[(b & 31) as usize] as char)
        .collect()
}

/// For each ID in `ids`, the length of its shortest unique prefix (at least [`MIN_PREFIX`]).
pub fn prefix_lengths(ids: &[&str]) -> Vec<usize> {
    let mut order: Vec<usize> = (0..ids.len()).collect();
    order.sort_by_key(|&i| ids[i]);
    let common = |a: &str, b: &str| a.bytes().zip(b.bytes()).take_while(|(x, y)| x == y).count();
    let mut out = vec![MIN_PREFIX; ids.len()];
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
    &id[..n.min(id.len())]
}

/// Finds the one ID in `ids` that starts with `prefix` (case-insensitive). `what` names the kind
/// of record in messages ("need", "session").
pub fn resolve<'a>(prefix: &str, ids: &[&'a str], what: &str, list_cmd: &str) -> Result<&'a str> {
    let p = prefix.trim().to_ascii_lowercase();
    if p.is_empty() {
        return Err(Error::usage(format!(
            "give a {what} ID; `{list_cmd}` lists them"
        )));
    }
    let hits: Vec<&str> = ids.iter().copied().filter(|i| i.starts_with(&p)).collect();
    match hits.as_slice() {
        [one] => Ok(one),
        [] => Err(Error::NotFound(format!(
            "no {what} has an ID starting with {p:?}; `{list_cmd}` lists them"
        ))),
        many => {
            let lens = prefix_lengths(many);
            let shown: Vec<&str> = many.iter().zip(lens).map(|(i, n)| &i[..n]).collect();
            Err(Error::invalid(format!(
                "{p:?} matches {} {what}s: {}; type more of the ID",
                many.len(),
                shown.join(", ")
            )))
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
    }

    #[test]
    fn every_shown_prefix_is_unique_and_at_least_four() {
        let ids: Vec<String> = (0..2000)
            .map(|_| new_id())
            .chain(["abcdef000000".into(), "abcdef000001".into()])
            .collect();
        let refs: Vec<&str> = ids.iter().map(String::as_str).collect();
        let lens = prefix_lengths(&refs);
        for (i, id) in refs.iter().enumerate() {
            assert!(lens[i] >= MIN_PREFIX);
            let p = &id[..lens[i]];
            assert_eq!(resolve(p, &refs, "need", "needs-list").unwrap(), *id);
        }
        assert_eq!(lens[2000], 12);
    }

    #[test]
    fn an_ambiguous_prefix_is_refused_with_the_candidates() {
        let ids = ["abcd1111", "abcd2222", "zzzz0000"];
        let err = resolve("abcd", &ids, "need", "needs-list")
            .unwrap_err()
            .to_string();
        assert!(err.contains("abcd1") && err.contains("abcd2"), "{err}");
        assert_eq!(
            resolve("ABCD2", &ids, "need", "needs-list").unwrap(),
            "abcd2222"
        );
        assert!(matches!(
            resolve("q", &ids, "need", "needs-list"),
            Err(Error::NotFound(_))
        ));
    }
}
