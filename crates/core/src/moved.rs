//! Where a partner set up twice went. When `couple doctor` merges a partner who was set up on
//! both devices before their first sync, it leaves `moved/OLD.json` naming the partner ID the
//! merged one became, so that the device whose partner was the one merged away finds its
//! partner again. The record holds two random IDs and nothing else, and is only a pointer: the
//! device says where its partner went, and follows only when the person at it says who they
//! are with `couple me NAME`. In an encrypted folder the record is sealed and signed by the
//! partner it forwards to; a plain one there, or one signed by anyone else, is reported and
//! never followed (anyone who can write into the folder could have put it there).

use crate::error::Result;
use crate::ids::Id;
use crate::store::{Extra, FORMAT_VERSION, Store, Versioned};
use serde::{Deserialize, Serialize};

pub const MOVED: &str = "moved";

/// Partner `from` was merged into partner `to`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Moved {
    pub version: u32,
    pub from: Id,
    pub to: Id,
    /// Fields a newer closer wrote at this format version, kept as they are.
    #[serde(flatten, default, skip_serializing_if = "Extra::is_empty")]
    pub extra: Extra,
}

impl Versioned for Moved {
    fn version(&self) -> u32 {
        self.version
    }
    fn file_id(&self) -> Option<&str> {
        Some(&self.from)
    }
}

pub fn path(from: &Id) -> String {
    format!("{MOVED}/{from}.json")
}

/// Says that partner `from` is now partner `to`. In an encrypted folder only a device holding
/// `to`'s key can sign it; elsewhere nothing is left (that device then says its partner is gone).
pub fn leave(store: &Store, from: &Id, to: &Id) -> Result<()> {
    if store.sealing().is_some_and(|s| !s.holds(to)) {
        return Ok(());
    }
    store.ensure_dir(MOVED)?;
    let _lock = store.lock(MOVED)?;
    store.write(
        &path(from),
        &Moved {
            version: FORMAT_VERSION,
            from: from.clone(),
            to: to.clone(),
            extra: Extra::new(),
        },
    )
}

/// The partner `from` became, following a partner merged more than once, as far as the
/// records go (at most a few steps, never round in a circle); `None` when `from` did not move.
pub fn follow(store: &Store, from: &Id) -> Result<Option<Id>> {
    let mut seen = vec![from.clone()];
    while seen.len() <= 4 {
        let last = seen.last().unwrap_or(from);
        match store.read::<Moved>(&path(last))? {
            Some(m) if m.from == *last && !seen.contains(&m.to) => seen.push(m.to),
            _ => break,
        }
    }
    Ok(seen.pop().filter(|to| to != from))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_partner_merged_twice_is_followed_to_the_last_and_a_circle_ends() {
        let t = tempfile::tempdir().unwrap();
        let store = Store::new(t.path());
        let [a, b, c]: [Id; 3] =
            ["aaaa00000001", "bbbb00000002", "cccc00000003"].map(|s| s.parse().unwrap());
        assert_eq!(follow(&store, &a).unwrap(), None);
        leave(&store, &a, &b).unwrap();
        assert_eq!(follow(&store, &a).unwrap(), Some(b.clone()));
        leave(&store, &b, &c).unwrap();
        assert_eq!(follow(&store, &a).unwrap(), Some(c.clone()));
        leave(&store, &c, &a).unwrap();
        assert_eq!(follow(&store, &a).unwrap(), Some(c));
    }
}
