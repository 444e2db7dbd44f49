//! The body map as both partners see it. A partner's body map lives in their own touch state,
//! with their boundaries and readiness, which only they may read; every step shown to either of
//! them respects it, so their device also publishes it alone in `touch/PARTNER/body.json`,
//! written only by them and readable by both. The other partner's device reads the body map from
//! there and never opens the state.

use crate::error::Result;
use crate::ids::Id;
use crate::store::{Extra, FORMAT_VERSION, Store, Versioned};
use crate::touch::{self, BodyMark, State};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// A partner's body map as published for both; that partner is its only writer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Shared {
    pub version: u32,
    pub partner: Id,
    #[serde(default)]
    pub body: BTreeMap<String, BodyMark>,
    /// Fields a newer closer wrote at this format version, kept as they are.
    #[serde(flatten, default, skip_serializing_if = "Extra::is_empty")]
    pub extra: Extra,
}

impl Shared {
    /// The body map in its owner's `state`, as published.
    pub fn of(state: &State) -> Shared {
        Shared {
            version: FORMAT_VERSION,
            partner: state.partner.clone(),
            body: state.body.clone(),
            extra: Extra::new(),
        }
    }
}

impl Versioned for Shared {
    fn version(&self) -> u32 {
        self.version
    }
}

pub fn path(partner: &Id) -> String {
    format!("touch/{partner}/body.json")
}

/// `partner`'s body map as any device of the couple may read it: the published one, or, in a
/// folder from before it was published, the one in their state when this device can open it
/// (a plain folder, or a state an earlier closer sealed to both). Empty when there is none.
pub fn load(store: &Store, partner: &Id) -> Result<BTreeMap<String, BodyMark>> {
    if let Some(s) = store.read::<Shared>(&path(partner))? {
        return Ok(s.body);
    }
    Ok(touch::load_state(store, partner)?.body)
}

/// Publishes the body map in `state` (the owner's own, even an empty one) when what is
/// published differs or nothing is.
pub fn publish(store: &Store, state: &State) -> Result<()> {
    let rel = path(&state.partner);
    if store
        .read::<Shared>(&rel)?
        .is_some_and(|p| p.body == state.body)
    {
        return Ok(());
    }
    store.ensure_dir(&format!("touch/{}", state.partner))?;
    store.update::<Shared, _>(&rel, |old| {
        Ok(match old {
            Some(mut s) => {
                s.body = state.body.clone();
                s
            }
            None => Shared::of(state),
        })
    })?;
    Ok(())
}

/// On a device holding `partner`'s key: their body map is published for both if it is not yet
/// (a folder from before, encrypted or not), and a touch state that an earlier closer sealed to
/// both partners is sealed to its owner alone once it is. Costs a look at one file's header and
/// whether another exists when there is nothing to do. A state that does not open or check out
/// is left as it is (reading it reports it).
pub fn settle(store: &Store, partner: &Id) -> Result<()> {
    let rel = touch::state_path(partner);
    let wide = store.sealed_beyond_owner(&rel)?;
    if !wide && store.path(&path(partner)).exists() {
        return Ok(());
    }
    let Some(state) = store.read::<State>(&rel)? else {
        return Ok(());
    };
    publish(store, &state)?;
    if wide {
        store.reseal(&rel)?;
    }
    Ok(())
}

/// Before a plain folder is encrypted (`couple encrypt`): the body map of each partner in
/// `held` is published from their plain state where it is not yet, so that it is sealed for
/// both with the rest. A state that does not parse is left to the encryption to report.
pub fn publish_plain(store: &Store, held: &[&str]) -> Result<()> {
    for id in held {
        let Ok(id) = Id::parse(id) else { continue };
        let state = store.plain_path(&touch::state_path(&id));
        let body = store.plain_path(&path(&id));
        let sealed = body.with_extension(crate::sealing::SEALED_EXT);
        if !state.exists() || body.exists() || sealed.exists() {
            continue;
        }
        let _lock = store.lock(&format!("touch/{id}"))?;
        let Ok(Some(s)) = crate::store::read_file::<State>(&state) else {
            continue;
        };
        let bytes = Shared::of(&s)
            .encode()
            .map_err(|e| crate::error::Error::io(&body, e.into()))?;
        crate::store::write_atomic(&body, &bytes)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::crypto::seal;
    use crate::sealing::tests::{A, B, devices};
    use crate::touch::{Answer, Mark};

    fn id(s: &str) -> Id {
        Id::parse(s).unwrap()
    }

    fn alexs_state() -> State {
        let mut s = State::new(&id(A));
        s.boundaries.insert("s1-short-hug".into(), Answer::No);
        s.body.insert(
            "shoulders".into(),
            BodyMark {
                mark: Mark::OffLimits,
                note: Some("left shoulder: surgery".into()),
                extra: Extra::new(),
            },
        );
        s
    }

    #[test]
    fn writing_the_state_publishes_the_body_map_and_keeps_the_rest_to_its_owner() {
        let (_t, alex, sam, _, _) = devices();
        let mine = alexs_state();
        touch::update_state(&alex, &id(A), |s| {
            *s = mine.clone();
            Ok(())
        })
        .unwrap();
        assert_eq!(touch::load_state(&alex, &id(A)).unwrap(), mine);
        assert_eq!(touch::load_state(&sam, &id(A)).unwrap(), State::new(&id(A)));
        assert_eq!(load(&sam, &id(A)).unwrap(), mine.body);
        // Cleared, it is cleared for both.
        touch::update_state(&alex, &id(A), |s| {
            s.body.clear();
            Ok(())
        })
        .unwrap();
        assert!(load(&sam, &id(A)).unwrap().is_empty());
        // Only its owner writes it.
        let forged = Shared {
            version: FORMAT_VERSION,
            partner: id(A),
            body: mine.body.clone(),
            extra: Extra::new(),
        };
        assert!(sam.write(&path(&id(A)), &forged).is_err());
        assert!(sam.read::<Shared>(&path(&id(B))).unwrap().is_none());
    }

    #[test]
    fn a_body_map_from_before_it_was_published_is_published_on_its_owners_device() {
        let (_t, alex, sam, _, _) = devices();
        // As `couple encrypt` leaves a plain folder from before: the state sealed to its owner,
        // nothing published.
        alex.ensure_dir(&format!("touch/{A}")).unwrap();
        alex.write(&touch::state_path(&id(A)), &alexs_state())
            .unwrap();
        assert!(load(&sam, &id(A)).unwrap().is_empty());
        settle(&alex, &id(A)).unwrap();
        assert_eq!(load(&sam, &id(A)).unwrap(), alexs_state().body);
        assert_eq!(touch::load_state(&alex, &id(A)).unwrap(), alexs_state());
    }

    #[test]
    fn a_restored_body_map_is_published_for_both() {
        let (_t, alex, sam, _, _) = devices();
        alex.ensure_dir(&format!("touch/{A}")).unwrap();
        let backup = crate::restore::Backup {
            mine: Some(alexs_state()),
            ..Default::default()
        };
        crate::restore::restore(&alex, &backup, Some(&id(A)), || 1).unwrap();
        assert_eq!(load(&sam, &id(A)).unwrap(), alexs_state().body);
    }

    #[test]
    fn a_state_sealed_to_both_is_sealed_to_its_owner_on_their_device_with_nothing_lost() {
        let (_t, alex, sam, ka, kb) = devices();
        let mine = alexs_state();
        // As an earlier closer left it: sealed to both, no published body map.
        alex.ensure_dir(&format!("touch/{A}")).unwrap();
        let bytes = mine.encode().unwrap();
        let file = alex.path(&touch::state_path(&id(A)));
        let both = seal::seal(
            &ka,
            A,
            &format!("touch/{A}/state"),
            &bytes,
            &[&ka.public(), &kb.public()],
        )
        .unwrap();
        std::fs::write(&file, &both).unwrap();
        assert_eq!(load(&sam, &id(A)).unwrap(), mine.body, "read as before");

        // Sam's device cannot do it, and changes nothing.
        settle(&sam, &id(A)).unwrap_err();
        assert_eq!(std::fs::read(&file).unwrap(), both);

        settle(&alex, &id(A)).unwrap();
        let now = std::fs::read(&file).unwrap();
        assert!(
            !alex
                .sealed_beyond_owner(&touch::state_path(&id(A)))
                .unwrap()
        );
        assert_eq!(
            seal::recipients(&now),
            seal::READERS,
            "as many as one for both"
        );
        assert_eq!(touch::load_state(&alex, &id(A)).unwrap(), mine);
        assert_eq!(
            alex.read_bytes(&touch::state_path(&id(A))).unwrap(),
            Some(bytes),
            "byte for byte"
        );
        assert_eq!(touch::load_state(&sam, &id(A)).unwrap(), State::new(&id(A)));
        assert_eq!(load(&sam, &id(A)).unwrap(), mine.body);
        // Once done, a look at the header is all.
        settle(&alex, &id(A)).unwrap();
        assert_eq!(std::fs::read(&file).unwrap(), now);
        assert!(alex.take_left_out().is_empty() && sam.take_left_out().is_empty());
    }
}
