//! The needs this device removed from a plain folder, which keeps no removal records (see
//! [`crate::removals`] for an encrypted one): kept in the device's config folder
//! (`memory/FOLDER/removed-here.json`, 0600), each need by its ID with the day it was removed and
//! a digest of each line of its history then, no text. `couple doctor`
//! on this device so removes, unmerged, a conflict copy of such a need found with nothing in its
//! place when the copy is that version or an earlier one: a copy from a backup or a sync tool's
//! history does not bring the need back. Such a version back in the need's own place is named,
//! not removed: restoring an export puts a need back just so. A version changed on another
//! device (after the removal, or on top of an earlier version that device still had, whatever
//! its clock said) has a line of its own, and is merged as any copy is: nothing is lost.
//! Kept [`crate::removals::KEPT_DAYS`] days.

use crate::error::Result;
use crate::ids::Id;
use crate::needs::Need;
use crate::store::{FORMAT_VERSION, Store, Versioned};
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::path::Path;

/// The file's name, in the device's memory folder of the data folder.
pub const FILE: &str = "removed-here.json";

#[derive(Debug, Default, Serialize, Deserialize)]
struct Here {
    version: u32,
    #[serde(default)]
    needs: BTreeMap<String, Gone>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
struct Gone {
    date: NaiveDate,
    /// A digest of each line of the need's history when it was removed
    /// ([`crate::memory::need_lines`]): a version with a line not among them was changed
    /// elsewhere, whatever its clock said.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    seen: Vec<String>,
    /// In files written before the digests were kept: the time of the need's last change...
    #[serde(default, skip_serializing_if = "Option::is_none")]
    last: Option<DateTime<Utc>>,
    /// ...and, in some, how many lines its history had.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    lines: Option<usize>,
}

impl Versioned for Here {
    fn version(&self) -> u32 {
        self.version
    }
}

fn last_change(n: &Need) -> Option<DateTime<Utc>> {
    n.history.iter().map(|c| c.at).max()
}

/// Remembers in `file` that this device removed `need` on `today`, and forgets what it removed
/// longer ago than [`crate::removals::KEPT_DAYS`].
pub fn remember(file: &Path, need: &Need, today: NaiveDate) -> Result<()> {
    let mut here: Here = crate::store::read_file(file)?.unwrap_or_default();
    here.version = FORMAT_VERSION;
    here.needs.retain(|_, g| {
        today.signed_duration_since(g.date).num_days() <= crate::removals::KEPT_DAYS
    });
    here.needs.insert(
        need.id.to_string(),
        Gone {
            date: today,
            seen: need.line_digests(),
            last: None,
            lines: None,
        },
    );
    save(file, &here)
}

fn save(file: &Path, here: &Here) -> Result<()> {
    let dir = file.parent().unwrap_or(Path::new("."));
    Store::new(dir).ensure_dir("")?;
    let bytes =
        serde_json::to_vec_pretty(here).map_err(|e| crate::error::Error::invalid(e.to_string()))?;
    crate::store::write_atomic(file, &bytes)
}

/// Forgets in `file` that this device removed the needs `ids` (restored on purpose), if it
/// remembers any of them.
pub fn forget<'a>(file: &Path, ids: impl IntoIterator<Item = &'a Id>) -> Result<()> {
    let Some(mut here) = crate::store::read_file::<Here>(file)? else {
        return Ok(());
    };
    let before = here.needs.len();
    for id in ids {
        here.needs.remove(id.as_str());
    }
    if here.needs.len() == before {
        return Ok(());
    }
    save(file, &here)
}

/// What this device remembers it removed from a plain folder, read once.
#[derive(Debug)]
pub struct Removed(Here);

impl Removed {
    /// What `file` remembers (nothing when it cannot be read).
    pub fn load(file: &Path) -> Removed {
        Removed(
            crate::store::read_file(file)
                .ok()
                .flatten()
                .unwrap_or_default(),
        )
    }

    /// The needs removed here.
    pub fn ids(&self) -> impl Iterator<Item = Id> + '_ {
        self.0.needs.keys().filter_map(|id| Id::parse(id).ok())
    }

    /// The day this device removed `need` (a version of it found with nothing in its place, or
    /// back in its place), when that version is the one removed or an earlier one: every line of
    /// its history was in the one removed (in a file written before those were kept, its history
    /// has no more lines, and none of them is later).
    pub fn removed(&self, need: &Need) -> Option<NaiveDate> {
        let g = self.0.needs.get(need.id.as_str())?;
        let earlier = if g.seen.is_empty() {
            g.lines.is_none_or(|n| need.history.len() <= n) && last_change(need) <= g.last
        } else {
            crate::memory::lines_within(&need.line_digests(), &g.seen)
        };
        earlier.then_some(g.date)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::needs::Importance;

    fn day() -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 3, 2).unwrap()
    }

    /// A line of a need's history, made at `at`.
    fn line(at: &str, what: &str) -> crate::needs::Change {
        crate::needs::Change {
            date: day(),
            at: at.parse().unwrap(),
            by: "abcd12345678".parse().unwrap(),
            what: what.into(),
            extra: Default::default(),
        }
    }

    /// A need named at 10:00 on [`day`].
    fn a_need() -> Need {
        let mut need = Need::open(
            &"abcd12345678".parse().unwrap(),
            "A walk after dinner".into(),
            "comfort".into(),
            None,
            Importance::Medium,
            false,
            day(),
        );
        need.history.push(line("2026-03-02T10:00:00Z", "named"));
        need
    }

    #[test]
    fn a_version_with_more_history_is_later_whatever_its_clock_says() {
        let t = tempfile::tempdir().unwrap();
        let file = t.path().join(FILE);
        let need = a_need();
        remember(&file, &need, day()).unwrap();
        let removed = Removed::load(&file);
        assert_eq!(
            removed.ids().collect::<Vec<_>>(),
            std::slice::from_ref(&need.id)
        );
        assert_eq!(removed.removed(&need), Some(day()));
        // Changed since on a device whose clock is behind: one line more, stamped earlier.
        let mut later = need.clone();
        later.history.push(line("2026-01-31T10:00:00Z", "named"));
        assert_eq!(removed.removed(&later), None);
        // Files written before the digests were kept judge by the count of lines, then by time.
        let old = |count: &str| {
            let gone =
                format!(r#"{{"date": "2026-03-02", "last": "2026-03-02T10:00:00Z"{count}}}"#);
            format!(r#"{{"version": 1, "needs": {{"{}": {gone}}}}}"#, need.id)
        };
        std::fs::write(&file, old(r#", "lines": 1"#)).unwrap();
        assert_eq!(Removed::load(&file).removed(&need), Some(day()));
        assert_eq!(Removed::load(&file).removed(&later), None);
        std::fs::write(&file, old("")).unwrap();
        assert_eq!(Removed::load(&file).removed(&later), Some(day()));
    }

    #[test]
    fn a_version_changed_on_top_of_an_earlier_one_is_not_the_one_removed() {
        let t = tempfile::tempdir().unwrap();
        let file = t.path().join(FILE);
        let first = a_need();
        let mut removed = first.clone();
        removed
            .history
            .push(line("2026-03-02T12:00:00Z", "commented on the phone"));
        remember(&file, &removed, day()).unwrap();
        let here = Removed::load(&file);
        assert_eq!(here.removed(&removed), Some(day()));
        assert_eq!(here.removed(&first), Some(day()));
        // Changed on the laptop, which had only the first version, with its clock behind: as
        // many lines as the version removed, none later, and one of them never removed.
        let mut branch = first.clone();
        branch
            .history
            .push(line("2026-03-02T11:00:00Z", "commented on the laptop"));
        assert_eq!(here.removed(&branch), None);
    }
}
