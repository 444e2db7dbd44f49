//! Which records a device remembers, and what each one going missing means: on which devices a
//! record deleted from the folder is missed, and when one is forgotten.

use super::Memory;

/// Whether a record at `place` is remembered: partner files, holds and needs, each partner's
/// own boundaries and readiness (`touch/ID/state`), body map, opt-in, answers, sessions and
/// debriefs (private ones too) and low-energy days, the couple's settings (`couple`) and the
/// changes of their joint result.
pub fn remembers(place: &str) -> bool {
    kind(place).is_some()
}

/// What a remembered record is, for what its going missing means.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Kind {
    /// A medical hold: missing while it still holds and was not lifted.
    Hold,
    /// A need, removed only by its owner.
    Need,
    /// A partner's own record, never deleted through the tools: their touch state, opt-in,
    /// answers, sessions and debriefs, private debriefs, low-energy days.
    Own,
    /// A record the tools never delete, read by both: the couple's settings, a change of the
    /// joint result (written once, kept for good), a partner's body map.
    Kept,
    /// Partner files: one missing is said elsewhere (`couple remove` deletes them).
    Other,
}

pub(super) fn kind(place: &str) -> Option<Kind> {
    let under = |d: &str| place.starts_with(d);
    Some(if under("touch/holds/") {
        Kind::Hold
    } else if under("needs/") {
        Kind::Need
    } else if under("optin/")
        || under("answers/")
        || under("energy/")
        || (under("touch/")
            && ["/state", "/sessions", "/private-debriefs"]
                .iter()
                .any(|end| place.ends_with(end)))
    {
        Kind::Own
    } else if under("changes/")
        || place == "couple"
        || (under("touch/") && place.ends_with("/body"))
    {
        Kind::Kept
    } else if under("partners/") {
        Kind::Other
    } else {
        return None;
    })
}

/// Whether the need at a place (`needs/ID`) was removed by its owner, as the owner's other
/// devices can check ([`crate::removals`]): given the place, the owner this device trusted it
/// from, the version counter it trusted and a digest of each line of that version's history.
pub type Removed<'a> = &'a dyn Fn(&str, &str, u64, &[String]) -> bool;

/// Why a record went missing, said of one that is not a hold.
pub const DELETED: &str = "it was deleted from the folder, and not by closer on this device";

impl Memory {
    /// Why the record at `place` may not be missing, on a device that holds the keys of the
    /// partners `held` says: a hold this device trusted, not lifted and not past its last day,
    /// gone without its owner's signed release; the couple's settings, a change of their joint
    /// result or a body map, which the tools never delete; a partner's own record (a need they
    /// own, their touch state, opt-in or answers) on their own device, which did not remove it,
    /// unless `removed` says its owner removed it (a need, on another of their devices).
    pub fn missed(
        &self,
        place: &str,
        held: &dyn Fn(&str) -> bool,
        removed: Removed,
    ) -> Option<String> {
        let t = self.get(place)?;
        match kind(place)? {
            Kind::Hold => {
                let until = t.holds_until?;
                if self.today.is_some_and(|d| until < d) {
                    return None;
                }
                Some(format!(
                    "this hold, set by {}, was deleted from the folder without being lifted",
                    t.signer
                ))
            }
            Kind::Kept => Some(DELETED.to_owned()),
            Kind::Own => t
                .owner
                .as_deref()
                .is_some_and(held)
                .then(|| DELETED.to_owned()),
            Kind::Need => t
                .owner
                .as_deref()
                .filter(|o| held(o) && !removed(place, o, t.rev, &t.lines))
                .map(|_| DELETED.to_owned()),
            Kind::Other => None,
        }
    }

    /// The places directly under the folder `dir` (`touch/holds`, `needs`, `answers/ID`) that
    /// this device remembers, that `present` says are not in the folder and that may not be
    /// missing (see [`Memory::missed`]). Those that may be missing (removed by the partner whose
    /// they were) are forgotten.
    pub fn missing(
        &self,
        dir: &str,
        present: &dyn Fn(&str) -> bool,
        held: &dyn Fn(&str) -> bool,
        removed: Removed,
    ) -> Vec<String> {
        if dir == "needs" && self.every_need_present(present) {
            return Vec::new();
        }
        let under = format!("{dir}/");
        let gone: Vec<String> = self.with(&under, |i, _| {
            i.places
                .range(under.clone()..)
                .map(|(p, _)| p)
                .take_while(|p| p.starts_with(&under))
                .filter(|p| {
                    let name = &p[under.len()..];
                    !name.contains('/') && !present(name)
                })
                .cloned()
                .collect()
        });
        let mut out = Vec::new();
        for place in gone {
            if self.missed(&place, held, removed).is_some() {
                out.push(place);
            } else if matches!(kind(&place), Some(Kind::Need)) {
                self.forget_gone(&place);
            } else if !matches!(kind(&place), Some(Kind::Hold)) {
                self.forget(&place);
            }
        }
        out
    }

    /// Forgets the need at `place`, removed by its owner, remembering the counter it trusted, the
    /// lines of its history and the day (see [`Memory::gone_covers`]); those gone longer than a
    /// year are forgotten too.
    fn forget_gone(&self, place: &str) {
        if let Some(t) = self.get(place) {
            let today = self.today;
            self.with(place, |i, changed| {
                if let Some(today) = today {
                    i.gone.retain(|_, g| {
                        g.date.is_none_or(|d| {
                            today.signed_duration_since(d).num_days() <= crate::removals::KEPT_DAYS
                        })
                    });
                }
                i.gone.insert(
                    place.to_owned(),
                    super::Gone {
                        rev: t.rev,
                        date: today,
                        lines: t.lines.clone(),
                    },
                );
                *changed = true;
            });
        }
        self.forget(place);
    }

    /// Forgets `place`: this device removed it, or its partner did. Whether it was remembered.
    pub fn forget(&self, place: &str) -> bool {
        let was = self.with(place, |i, changed| {
            let was = i.places.remove(place).is_some();
            *changed |= was;
            was
        });
        self.went_back_at_not(place);
        was
    }
}
