//! A need's removal, for its owner's other devices. In an encrypted folder `needs-list rm` leaves
//! `removed/ID` beside the need it deletes: a pointer record holding two random IDs (the need's
//! and its owner's), the day, and the version counter of the need's last version the removing
//! device trusted with a digest of each line of its history (no text), sealed like every record,
//! signed by the need's owner over this very place and encrypted to them alone. To the other
//! partner it says no more than the need's file going does.
//!
//! A device of the owner that misses the need ([`crate::memory`]: its own partner's need, gone
//! from the folder) takes the removal in place of "deleted from the folder" when it opens and
//! checks out, names the owner the device trusted the need from, and covers the version the
//! device trusted (its counter is not below that version's, and every line of that version's
//! history is one the removed version had): then it forgets the need, as the device that removed
//! it did. A version changed on another device that had not seen the last one (a lower counter, a
//! line of its own) is not covered: it is the need, changed, and stays. A need
//! deleted by hand, or whose removal is forged (signed by anyone else, or moved from another
//! need's name), is reported as before.
//!
//! Kept [`KEPT_DAYS`] days: the owner's next removal deletes their older ones, so the folder
//! holds at most a year of them. A device of the owner that comes back after longer says the need
//! was deleted, as a device did before removals were kept.

use crate::error::{Error, Fault, Result};
use crate::ids::Id;
use crate::memory::Memory;
use crate::needs::{self, Need};
use crate::store::{Extra, FORMAT_VERSION, Store, Versioned};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

pub const DIR: &str = "removed";

/// How many days a removal stays in the folder.
pub const KEPT_DAYS: i64 = 365;

/// Need `id`, owned by `owner`, was removed by them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Removal {
    pub version: u32,
    pub id: Id,
    pub owner: Id,
    /// The day it was removed, on the device that removed it.
    pub date: NaiveDate,
    /// The version counter of the need's last version that device trusted: a version written
    /// after it (restored from an export, say) is not proven removed by this record.
    pub rev: u64,
    /// A digest of each line of that version's history ([`crate::memory::need_lines`]): a
    /// version with a line not among them was changed where the removal was not seen, and is not
    /// proven removed by this record either. Empty in removals left before it was kept.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub lines: Vec<String>,
    /// Fields a newer closer wrote at this format version, kept as they are.
    #[serde(flatten, default, skip_serializing_if = "Extra::is_empty")]
    pub extra: Extra,
}

impl Versioned for Removal {
    fn version(&self) -> u32 {
        self.version
    }
    fn file_id(&self) -> Option<&str> {
        Some(&self.id)
    }
}

pub fn path(id: &Id) -> String {
    format!("{DIR}/{id}.json")
}

/// Removes `need` from the folder, as its owner does, on `today`. In an encrypted folder its
/// removal is left first (a removal left where a forged or damaged file stands is not: that file
/// is reported, and the owner's other devices say the need was deleted), and afterwards the
/// owner's removals older than [`KEPT_DAYS`] are deleted.
pub fn remove(store: &Store, need: &Need, today: NaiveDate) -> Result<()> {
    let left = leave(store, need, today)?;
    if let Err(e) = store.remove(&needs::path(&need.id)) {
        if left {
            let _ = std::fs::remove_file(store.path(&path(&need.id)));
        }
        return Err(e);
    }
    if left {
        tidy(store, &need.owner, today)?;
    }
    Ok(())
}

/// Leaves `need`'s removal, in an encrypted folder: whether it was left.
fn leave(store: &Store, need: &Need, today: NaiveDate) -> Result<bool> {
    let Some(s) = store.sealing().filter(|_| store.is_sealed()) else {
        return Ok(false);
    };
    let place = format!("{}/{}", needs::DIR, need.id);
    let rev = s.memory().and_then(|m| m.trusted_rev(&place)).unwrap_or(0);
    let lines = s
        .memory()
        .and_then(|m| m.trusted_lines(&place))
        .unwrap_or_else(|| need.line_digests());
    store.ensure_dir(DIR)?;
    let _lock = store.lock(DIR)?;
    let removal = Removal {
        version: FORMAT_VERSION,
        id: need.id.clone(),
        owner: need.owner.clone(),
        date: today,
        rev,
        lines,
        extra: Extra::new(),
    };
    match store.write(&path(&need.id), &removal) {
        Ok(()) => Ok(true),
        Err(e @ (Error::BadRecord { .. } | Error::NotYours { .. })) => {
            store.leave_out(e);
            Ok(false)
        }
        Err(e) => Err(e),
    }
}

/// Deletes `owner`'s removals older than [`KEPT_DAYS`] on `today`: how many.
fn tidy(store: &Store, owner: &Id, today: NaiveDate) -> Result<usize> {
    let old: Vec<Removal> = store
        .read_all::<Removal>(DIR)?
        .into_iter()
        .filter(|r| r.owner == *owner && today.signed_duration_since(r.date).num_days() > KEPT_DAYS)
        .collect();
    for r in &old {
        store.remove(&path(&r.id))?;
    }
    Ok(old.len())
}

/// Whether the need at `place` (`needs/ID`), trusted from `owner` at version counter `rev` with
/// `lines` in its history ([`crate::memory::need_lines`]), was removed by `owner`: its removal
/// opens and checks out on this device (sealed at its own place, signed by the partner it names
/// as owner, who may alone write it), names `owner`, and covers that version: its counter is
/// `rev` or later, and it had every one of those lines. One that fails its check is reported.
pub(crate) fn proven(store: &Store, place: &str, owner: &str, rev: u64, lines: &[String]) -> bool {
    removal_of(store, place, owner, rev)
        .is_some_and(|r| crate::memory::lines_within(lines, &r.lines))
}

/// The removal of the need at `place` by `owner`, left at version counter `rev` or later, that
/// checks out on this device.
fn removal_of(store: &Store, place: &str, owner: &str, rev: u64) -> Option<Removal> {
    let id = place
        .strip_prefix(needs::DIR)
        .and_then(|p| p.strip_prefix('/'))
        .and_then(|i| Id::parse(i).ok())?;
    match store.read::<Removal>(&path(&id)) {
        Ok(Some(r)) if r.id == id && r.owner.as_str() == owner && r.rev >= rev => Some(r),
        Ok(_) => None,
        Err(e) => {
            store.leave_out(e);
            None
        }
    }
}

/// The removal that covers `need` (the bytes of a version of the need at `place`, `needs/ID`,
/// at version counter `rev`): its owner's removal of that need, left at that version or a later
/// one of the same history, that checks out on this device ([`proven`]). An earlier version of a
/// removed need, met where nothing stands in its place (a conflict copy, a copy put back by
/// hand), is this one.
pub(crate) fn covering(store: &Store, place: &str, need: &[u8], rev: u64) -> Option<Removal> {
    #[derive(Deserialize)]
    struct Owner {
        owner: String,
    }
    let owner = serde_json::from_slice::<Owner>(crate::store::without_bom(need))
        .ok()?
        .owner;
    removal_of(store, place, &owner, rev)
        .filter(|r| crate::memory::lines_within(&crate::memory::need_lines(need), &r.lines))
}

/// Whether a removal of the need at `place` (`needs/ID`) is in the folder, whether or not this
/// device can open it (the other partner's cannot): with none, a need that went and came back
/// was lost and restored (a folder emptied by mistake and put back), not removed.
pub(crate) fn left(store: &Store, place: &str) -> bool {
    place
        .strip_prefix(needs::DIR)
        .and_then(|p| p.strip_prefix('/'))
        .and_then(|i| Id::parse(i).ok())
        .is_some_and(|id| store.path(&path(&id)).is_file())
}

/// What this device says of the version at counter `rev` of the need at `place` (`needs/ID`,
/// `body` its bytes), where it trusts no version, if that is an earlier copy of a need its owner
/// removed: one the owner's removal covers, on the owner's devices ([`covering`]), or one this
/// device trusted and saw removed ([`Memory::gone_covers`]) while a removal of it is in the folder,
/// on the other partner's. Such a copy is never trusted, nor sealed to anyone's new key.
pub(crate) fn earlier_copy(
    store: &Store,
    memory: &Memory,
    place: &str,
    body: &[u8],
    rev: u64,
) -> Option<Fault> {
    if !place.starts_with("needs/") || memory.trusted_rev(place).is_some() {
        return None;
    }
    if let Some(r) = covering(store, place, body, rev) {
        return Some(Fault::EarlierCopy {
            said: said(&r),
            owners: true,
        });
    }
    (memory.gone_covers(place, body, rev) && left(store, place)).then(|| Fault::EarlierCopy {
        said: SAID_GONE.to_owned(),
        owners: false,
    })
}

/// What the other partner's device says of an earlier version of a need it saw removed by its
/// owner, back in its place ([`Memory::gone_covers`]).
pub const SAID_GONE: &str =
    "an earlier version of a need removed by its owner; the need stays removed";

/// What is said of an earlier version of a need its owner removed (see [`covering`]).
pub fn said(r: &Removal) -> String {
    format!(
        "an earlier version of a need removed by its owner on {}; the need stays removed",
        r.date
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::needs::Importance;
    use crate::test_devices::{A, B, Devices, devices};
    use std::sync::Arc;

    fn day(d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 3, d).unwrap()
    }

    /// Both devices remembering; Sam names a private need and Sam's device reads it.
    fn sams_need() -> (Devices, tempfile::TempDir, Need, String, u64) {
        sams_need_shared(false)
    }

    fn sams_need_shared(shared: bool) -> (Devices, tempfile::TempDir, Need, String, u64) {
        let d = devices();
        let dir = tempfile::tempdir().unwrap();
        for (store, name) in [(&d.alex, "alex"), (&d.sam, "sam")] {
            let m = Arc::new(Memory::new(dir.path().join(name), Some(day(2))));
            store.change_sealing(|s| s.remember_in(m, 0));
        }
        let n = Need::open(
            &B.parse().unwrap(),
            "A walk after dinner".into(),
            "comfort".into(),
            None,
            Importance::Medium,
            !shared,
            day(1),
        );
        d.sam.ensure_dir(needs::DIR).unwrap();
        let n = needs::add(&d.sam, n, chrono::DateTime::UNIX_EPOCH).unwrap();
        assert_eq!(needs::load_all(&d.sam).unwrap().len(), 1);
        let place = format!("needs/{}", n.id);
        let rev = d
            .sam
            .sealing()
            .unwrap()
            .memory()
            .unwrap()
            .trusted_rev(&place);
        (d, dir, n, place, rev.unwrap())
    }

    #[test]
    fn the_owners_removal_proves_the_versions_it_saw_and_no_later_one() {
        let (d, _m, n, place, rev) = sams_need();
        remove(&d.sam, &n, day(3)).unwrap();
        assert!(!d.sam.path(&needs::path(&n.id)).exists());
        assert!(proven(&d.sam, &place, B, rev, &[]));
        assert!(!proven(&d.sam, &place, B, rev + 1, &[]), "a later version");
        assert!(!proven(&d.sam, &place, A, rev, &[]), "another owner");
        // Sealed to Sam alone: Alex's device cannot open it.
        assert!(!proven(&d.alex, &place, B, rev, &[]));
        assert_eq!(d.sam.take_left_out(), Vec::<String>::new());
    }

    #[test]
    fn a_removal_signed_by_the_other_partner_proves_nothing_and_is_reported() {
        let (d, _m, n, place, rev) = sams_need();
        let rel = format!("{DIR}/{}", n.id);
        let removal = |owner: &str| {
            serde_json::json!({"version": 1, "id": n.id, "owner": owner, "date": "2026-03-03",
                "rev": rev + 1000})
            .to_string()
        };
        // In Sam's name, signed by Alex.
        d.forge(&d.ka, A, &rel, removal(B).as_bytes());
        std::fs::remove_file(d.sam.path(&needs::path(&n.id))).unwrap();
        assert!(!proven(&d.sam, &place, B, rev, &[]));
        let said = d.sam.take_left_out();
        assert!(said.iter().any(|m| m.contains(&rel)), "{said:?}");
        // In Alex's own name: it opens, and names someone else than the need's owner.
        d.forge(&d.ka, A, &rel, removal(A).as_bytes());
        assert!(!proven(&d.sam, &place, B, rev, &[]));
        // Either way Sam's device says the need was deleted and keeps it.
        let seen = needs::load_all(&d.sam).unwrap();
        assert_eq!(seen.len(), 1);
        let said = d.sam.take_left_out();
        assert!(
            said.iter().any(|m| m.contains(crate::memory::DELETED)),
            "{said:?}"
        );
    }

    #[test]
    fn the_partners_device_leaves_out_an_earlier_copy_of_a_need_it_saw_removed() {
        let (d, _m, n, place, rev) = sams_need_shared(true);
        assert_eq!(needs::load_all(&d.alex).unwrap().len(), 1);
        let file = d.sam.path(&needs::path(&n.id));
        let earlier = std::fs::read(&file).unwrap();
        remove(&d.sam, &n, day(3)).unwrap();
        // Alex's device sees it go, as its owner's to remove, and says nothing.
        assert!(needs::load_all(&d.alex).unwrap().is_empty());
        assert_eq!(d.alex.take_left_out(), Vec::<String>::new());
        let sealing = d.alex.sealing().unwrap();
        let memory = sealing.memory().unwrap();
        assert_eq!(memory.gone_rev(&place), Some(rev));
        assert_eq!(memory.trusted_rev(&place), None);
        // The earlier copy put back is left out, with a line, and not trusted.
        std::fs::write(&file, &earlier).unwrap();
        assert!(needs::load_all(&d.alex).unwrap().is_empty());
        let said = d.alex.take_left_out();
        assert!(said.iter().any(|m| m.contains(SAID_GONE)), "{said:?}");
        assert_eq!(memory.trusted_rev(&place), None);
        // With no removal in the folder it was lost and restored, not removed: listed again.
        std::fs::remove_file(d.sam.path(&path(&n.id))).unwrap();
        assert_eq!(needs::load_all(&d.alex).unwrap().len(), 1);
        assert_eq!(memory.gone_rev(&place), None);
    }

    /// Sam's laptop, which had not yet seen the phone's last change, changes the need after the
    /// phone removed it: a counter below the version removed, and a line of its own. That change
    /// is not an earlier copy, on any device.
    #[test]
    fn a_change_made_on_an_earlier_version_is_not_covered_by_the_removal() {
        let (d, _m, n, place, rev) = sams_need_shared(true);
        let sam: Id = B.parse().unwrap();
        let at = |s: &str| s.parse::<chrono::DateTime<chrono::Utc>>().unwrap();
        let phone = |what: &str| {
            needs::change(
                &d.sam,
                &n.id,
                &sam,
                day(2),
                at("2026-03-02T10:00:00Z"),
                |_| Ok(what.to_owned()),
            )
            .unwrap()
        };
        phone("commented: on the phone");
        let removed = phone("commented: once more");
        assert_eq!(needs::load_all(&d.alex).unwrap().len(), 1);
        remove(&d.sam, &removed, day(3)).unwrap();
        assert!(needs::load_all(&d.alex).unwrap().is_empty());
        assert!(needs::load_all(&d.sam).unwrap().is_empty());

        // The laptop's change, on the version before the phone's two, with its clock behind.
        let mut branch = n.clone();
        branch.history.push(needs::Change {
            date: day(1),
            at: at("2026-03-01T09:00:00Z"),
            by: sam.clone(),
            what: "commented: on the laptop".into(),
            extra: Default::default(),
        });
        let body = serde_json::to_vec(&branch).unwrap();
        d.forge_version(&d.kb, B, &place, &body, rev + 1);
        assert!(covering(&d.sam, &place, &body, rev + 1).is_none());
        for (who, store) in [("Sam", &d.sam), ("Alex", &d.alex)] {
            let seen = needs::load_all(store).unwrap();
            assert_eq!(seen, [branch.clone()], "{who}: {:?}", store.take_left_out());
        }
        // Deleted by hand, it is missed: the removal was not of this version.
        std::fs::remove_file(d.sam.path(&needs::path(&n.id))).unwrap();
        assert_eq!(needs::load_all(&d.sam).unwrap(), [branch.clone()]);
        let said = d.sam.take_left_out();
        assert!(
            said.iter().any(|m| m.contains(crate::memory::DELETED)),
            "{said:?}"
        );
        // The version removed, and the first one, are still covered.
        let removed_body = serde_json::to_vec(&removed).unwrap();
        assert!(covering(&d.sam, &place, &removed_body, rev + 2).is_some());
        let first = serde_json::to_vec(&n).unwrap();
        assert!(covering(&d.sam, &place, &first, rev).is_some());
    }

    #[test]
    fn two_removals_of_one_need_from_two_devices_are_merged_by_doctor() {
        let (d, _m, n, place, rev) = sams_need();
        remove(&d.sam, &n, day(3)).unwrap();
        let file = d.sam.path(&path(&n.id));
        let first = std::fs::read(&file).unwrap();
        // Sam's other device removed it too, after a later version of it.
        let left = d.sam.read::<Removal>(&path(&n.id)).unwrap().unwrap();
        let later = Removal {
            rev: rev + 5,
            date: day(4),
            ..left
        };
        d.sam.write(&path(&n.id), &later).unwrap();
        let copy = format!("{}.sync-conflict-20260302-101500-BBBBBBB.age", n.id);
        std::fs::write(file.with_file_name(&copy), first).unwrap();

        let r = crate::doctor::run(&d.sam, std::time::SystemTime::now()).unwrap();
        assert!(r.left.is_empty(), "{:?}", r.left);
        assert!(!file.with_file_name(&copy).exists());
        assert_eq!(d.sam.read::<Removal>(&path(&n.id)).unwrap(), Some(later));
        assert!(proven(&d.sam, &place, B, rev + 5, &[]));
        assert_eq!(d.sam.take_left_out(), Vec::<String>::new());
    }
}
