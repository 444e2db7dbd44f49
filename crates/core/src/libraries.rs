//! Whether both partners' devices use the same prompt library. Each partner's device publishes
//! the fingerprint of its library in that partner's own file, `libraries/PARTNER.json`, when
//! the partner writes something with the prompt tool; a device whose library differs from the
//! other partner's can then say so.

use crate::error::Result;
use crate::ids::Id;
use crate::profile::Couple;
use crate::store::{FORMAT_VERSION, Store, Versioned};
use serde::{Deserialize, Serialize};

/// The fingerprint of the library a partner's device uses; that partner is its only writer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LibraryFile {
    pub version: u32,
    pub partner: Id,
    pub fingerprint: String,
}

impl Versioned for LibraryFile {
    fn version(&self) -> u32 {
        self.version
    }
}

fn path(partner: &Id) -> String {
    format!("libraries/{partner}.json")
}

/// Records the fingerprint of `partner`'s device library, unless it is already recorded.
pub fn publish(store: &Store, partner: &Id, fingerprint: &str) -> Result<()> {
    let current: Option<LibraryFile> = store.read(&path(partner))?;
    if current.is_some_and(|f| f.fingerprint == fingerprint) {
        return Ok(());
    }
    store.update::<LibraryFile, _>(&path(partner), |_| {
        Ok(LibraryFile {
            version: FORMAT_VERSION,
            partner: partner.clone(),
            fingerprint: fingerprint.into(),
        })
    })?;
    Ok(())
}

/// The other partners whose devices published a library different from `fingerprint`, as
/// (name, their fingerprint).
pub fn differing(
    store: &Store,
    couple: &Couple,
    me: &str,
    fingerprint: &str,
) -> Result<Vec<(String, String)>> {
    let mut out = Vec::new();
    for p in couple.partners.iter().filter(|p| p.id != me) {
        if let Some(f) = store.read::<LibraryFile>(&path(&p.id))?
            && f.fingerprint != fingerprint
        {
            out.push((p.name.clone(), f.fingerprint));
        }
    }
    Ok(out)
}
