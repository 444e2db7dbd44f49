//! Medical-clearance holds: either partner sets one; only the partner who set it lifts it early
//! (its date lifts it for both), and a release records who and when. In an encrypted folder only
//! the setter signs a hold file ([`crate::access`]), so a hold set or lifted in someone else's
//! name is reported and ignored.
//!
//! Holds written before closer recorded who set them have no owner: either partner may release
//! those early, and the release is recorded all the same.

use crate::error::{Error, Result};
use crate::ids::new_id;
use crate::needs::check_text;
use crate::profile::Couple;
use crate::store::{FORMAT_VERSION, Store};
use crate::touch::{HOLDS, Hold};
use chrono::{DateTime, NaiveDate, Utc};

fn path(id: &str) -> String {
    format!("{HOLDS}/{id}.json")
}

/// Every hold on disk, oldest first.
pub fn load(store: &Store) -> Result<Vec<Hold>> {
    let mut v: Vec<Hold> = store.read_all(HOLDS)?;
    v.sort_by(|a, b| (a.created, a.at, &a.id).cmp(&(b.created, b.at, &b.id)));
    Ok(v)
}

/// A hold asked for and checked, before it is known who sets it: a stage the couple can see
/// (`stages`), a date after today, a reason that may be stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewHold {
    pub from_stage: u8,
    pub until: NaiveDate,
    pub reason: String,
}

impl NewHold {
    pub fn check(
        from_stage: u8,
        until: NaiveDate,
        reason: &str,
        stages: &[u8],
        today: NaiveDate,
    ) -> Result<NewHold> {
        if !stages.contains(&from_stage) {
            return Err(Error::usage(format!(
                "there is no stage {from_stage}; the stages are {} to {}",
                stages.first().unwrap_or(&0),
                stages.last().unwrap_or(&0)
            )));
        }
        if until <= today {
            return Err(Error::usage(format!(
                "{until} is not after today ({today}); a hold needs a future date to lift on"
            )));
        }
        Ok(NewHold {
            from_stage,
            until,
            reason: check_text("reason", reason)?,
        })
    }

    /// The hold, set by `by` on `today`.
    pub fn set_by(self, by: &str, today: NaiveDate, now: DateTime<Utc>) -> Hold {
        Hold {
            extra: Default::default(),
            version: FORMAT_VERSION,
            id: new_id(),
            from_stage: self.from_stage,
            until: self.until,
            reason: self.reason,
            created: today,
            at: Some(now),
            released: None,
            by: Some(by.to_owned()),
            released_by: None,
            released_at: None,
        }
    }
}

/// A new hold set by `by`, checked as [`NewHold::check`] does.
pub fn new(
    by: &str,
    from_stage: u8,
    until: NaiveDate,
    reason: &str,
    stages: &[u8],
    today: NaiveDate,
    now: DateTime<Utc>,
) -> Result<Hold> {
    Ok(NewHold::check(from_stage, until, reason, stages, today)?.set_by(by, today, now))
}

/// Stores a new hold.
pub fn add(store: &Store, hold: &Hold) -> Result<()> {
    store.update::<Hold, _>(&path(&hold.id), |old| match old {
        None => Ok(hold.clone()),
        Some(_) => Err(Error::invalid(
            "an ID clash happened; run the command again",
        )),
    })?;
    Ok(())
}

/// Whether `by` may lift `hold` early: the partner who set it, or anyone for a hold from before
/// holds had an owner.
pub fn may_release(hold: &Hold, by: &str, couple: &Couple) -> Result<()> {
    match &hold.by {
        Some(owner) if owner != by => Err(Error::not_yours(format!(
            "the hold on stage {} was set by {}; only they can lift it early. It lifts by itself on {}",
            hold.from_stage,
            couple.name_of(owner),
            hold.until
        ))),
        _ => Ok(()),
    }
}

/// Lifts a hold from today, recording who and when.
pub fn release(hold: &mut Hold, by: &str, today: NaiveDate, now: DateTime<Utc>) {
    hold.released = Some(today);
    hold.released_by = Some(by.to_owned());
    hold.released_at = Some(now);
}

/// Lifts, early, every hold in force today that `by` may lift. Holds only the other partner may
/// lift are refused with a message saying whose they are. Returns the holds lifted.
pub fn release_mine(
    store: &Store,
    by: &str,
    couple: &Couple,
    today: NaiveDate,
    now: DateTime<Utc>,
) -> Result<Vec<Hold>> {
    let active: Vec<Hold> = load(store)?
        .into_iter()
        .filter(|h| h.active_on(today))
        .collect();
    if active.is_empty() {
        return Err(Error::invalid("there is no hold in force"));
    }
    let (mine, theirs): (Vec<Hold>, Vec<Hold>) = active
        .into_iter()
        .partition(|h| may_release(h, by, couple).is_ok());
    if mine.is_empty() {
        return Err(may_release(&theirs[0], by, couple).expect_err("partitioned"));
    }
    let mut lifted = Vec::new();
    for h in mine {
        lifted.push(store.update::<Hold, _>(&path(&h.id), |old| {
            let mut h =
                old.ok_or_else(|| Error::NotFound("that hold was removed meanwhile".into()))?;
            may_release(&h, by, couple)?;
            release(&mut h, by, today, now);
            Ok(h)
        })?);
    }
    Ok(lifted)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::profile::Partner;

    fn day(d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 3, d).unwrap()
    }

    fn couple() -> Couple {
        let p = |n: &str| Partner {
            extra: Default::default(),
            version: 1,
            id: format!("id{n}").parse().unwrap(),
            name: n.into(),
            conditions: vec![],
            removed_conditions: Vec::new(),
            sexual: false,
            added: day(1),
        };
        Couple {
            seed: 1,
            partners: vec![p("alex"), p("sam")],
            ..Default::default()
        }
    }

    fn now() -> DateTime<Utc> {
        DateTime::from_timestamp(1_772_409_600, 0).unwrap()
    }

    #[test]
    fn only_the_setter_lifts_a_hold_early_and_the_release_says_who_and_when() {
        let c = couple();
        let mut h = new("idsam", 2, day(20), "surgeon", &[0, 1, 2, 3], day(2), now()).unwrap();
        let e = may_release(&h, "idalex", &c).unwrap_err();
        assert_eq!(
            e.to_string(),
            "the hold on stage 2 was set by sam; only they can lift it early. It lifts by itself on 2026-03-20"
        );
        assert_eq!(e.exit_code(), 1);
        may_release(&h, "idsam", &c).unwrap();
        release(&mut h, "idsam", day(5), now());
        assert!(!h.active_on(day(5)));
        assert_eq!(h.released_by.as_deref(), Some("idsam"));
        assert_eq!(h.released_at, Some(now()));
    }

    #[test]
    fn a_hold_from_before_owners_may_be_lifted_by_either() {
        let mut h = new("x", 1, day(20), "scan", &[0, 1], day(2), now()).unwrap();
        h.by = None;
        may_release(&h, "idalex", &couple()).unwrap();
        may_release(&h, "idsam", &couple()).unwrap();
        let old: Hold = serde_json::from_str(
            r#"{"version":1,"id":"abcd","from_stage":1,"until":"2026-04-01","reason":"r","created":"2026-03-01","released":null}"#,
        )
        .unwrap();
        assert_eq!(old.by, None);
    }

    #[test]
    fn a_hold_needs_a_known_stage_and_a_future_date() {
        assert!(new("a", 9, day(20), "r", &[0, 1], day(2), now()).is_err());
        let past = new("a", 1, day(2), "r", &[0, 1], day(2), now()).unwrap_err();
        assert_eq!(past.exit_code(), 2);
        assert!(
            !past.to_string().contains("--"),
            "core names no option: {past}"
        );
        assert!(new("a", 1, day(3), " ", &[0, 1], day(2), now()).is_err());
    }
}

/// A partner who writes into the folder, with their own key, against a hold the other set.
#[cfg(test)]
mod forged {
    use super::*;
    use crate::store::Versioned;
    use crate::test_devices::{A, B, Devices, devices};

    fn day(d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 3, d).unwrap()
    }

    fn now() -> DateTime<Utc> {
        DateTime::from_timestamp(1_772_409_600, 0).unwrap()
    }

    /// Sam sets a hold on Sam's device; both devices read it.
    fn sams_hold(d: &Devices) -> Hold {
        let h = new(
            B,
            2,
            day(30),
            "surgeon's clearance",
            &[0, 1, 2],
            day(2),
            now(),
        )
        .unwrap();
        d.sam.ensure_dir(HOLDS).unwrap();
        add(&d.sam, &h).unwrap();
        assert_eq!(load(&d.alex).unwrap(), vec![h.clone()]);
        h
    }

    fn place(h: &Hold) -> String {
        format!("{HOLDS}/{}", h.id)
    }

    /// What Sam's device reads now, and what it reported.
    fn on_sams_device(d: &Devices) -> (Vec<Hold>, Vec<String>) {
        (load(&d.sam).unwrap(), d.sam.take_left_out())
    }

    #[test]
    fn a_release_signed_by_the_other_partner_in_the_setters_name_is_reported_not_believed() {
        let d = devices();
        let mut h = sams_hold(&d);
        release(&mut h, B, day(5), now());
        d.forge(&d.ka, A, &place(&h), &h.encode().unwrap());
        let (holds, said) = on_sams_device(&d);
        assert!(
            holds.iter().all(|h| h.released_by.is_none()),
            "never shown as lifted by Sam: {holds:?}"
        );
        assert!(
            said.iter().any(|m| m.contains(&format!("{}.age", h.id))),
            "{said:?}"
        );
        // Nor may it be lifted in the other partner's own name.
        let mut h = sams_hold(&d);
        release(&mut h, A, day(5), now());
        d.forge(&d.ka, A, &place(&h), &h.encode().unwrap());
        let (holds, said) = on_sams_device(&d);
        assert!(holds.iter().all(|h| h.released.is_none()), "{holds:?}");
        assert!(!said.is_empty());
    }

    #[test]
    fn a_hold_in_one_partners_name_signed_by_the_other_is_reported() {
        let d = devices();
        let h = new(B, 2, day(30), "scan", &[0, 1, 2], day(2), now()).unwrap();
        d.forge(&d.ka, A, &place(&h), &h.encode().unwrap());
        let (holds, said) = on_sams_device(&d);
        assert_eq!(holds, vec![]);
        assert_eq!(said.len(), 1, "{said:?}");
        // A release in the setter's name, signed by the setter, but naming the other as who
        // released it, is refused too: only the setter lifts a hold early.
        let mut h = sams_hold(&d);
        release(&mut h, A, day(5), now());
        d.forge(&d.kb, B, &place(&h), &h.encode().unwrap());
        assert!(load(&d.alex).unwrap().iter().all(|h| h.released.is_none()));
        assert!(!d.alex.take_left_out().is_empty());
    }

    #[test]
    fn the_setter_sets_and_lifts_their_own_hold_and_the_other_device_believes_it() {
        let d = devices();
        let h = sams_hold(&d);
        let lifted = release_mine(&d.sam, B, &Couple::default(), day(5), now()).unwrap();
        assert_eq!(lifted.len(), 1);
        let seen = load(&d.alex).unwrap();
        assert_eq!(seen[0].id, h.id);
        assert_eq!(seen[0].released_by.as_deref(), Some(B));
        assert!(d.alex.take_left_out().is_empty());
        // A hold from before holds had an owner: whoever lifts it signs the release.
        let mut old = new(A, 1, day(30), "old", &[0, 1, 2], day(2), now()).unwrap();
        old.by = None;
        release(&mut old, A, day(6), now());
        d.forge(&d.ka, A, &place(&old), &old.encode().unwrap());
        assert_eq!(load(&d.sam).unwrap().len(), 2);
        assert!(d.sam.take_left_out().is_empty());
        release(&mut old, B, day(6), now());
        d.forge(&d.ka, A, &place(&old), &old.encode().unwrap());
        assert_eq!(load(&d.sam).unwrap().len(), 1);
        assert_eq!(d.sam.take_left_out().len(), 1);
    }
}
