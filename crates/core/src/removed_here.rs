//! The needs this device removed from a plain folder, which keeps no removal records (see
//! [`crate::removals`] for an encrypted one): kept in the device's config folder
//! (`memory/FOLDER/removed-here.json`, 0600), each need by its ID with the day it was removed,
//! the time of its last change then and how many lines its history had, no text. `couple doctor`
//! on this device so removes, unmerged, a conflict copy of such a need found with nothing in its
//! place when the copy is that version or an earlier one: a copy from a backup or a sync tool's
//! history does not bring the need back. Such a version back in the need's own place is named,
//! not removed: restoring an export puts a need back just so. A later version (changed on
//! another device after: a line more, or a later one) is merged as any copy is: nothing is lost.
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
    /// The time of the need's last change, when it was removed.
    last: Option<DateTime<Utc>>,
    /// How many lines its history had then (absent in files written before it was kept): a
    /// version with more was changed since, whatever its clock said.
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
            last: last_change(need),
            lines: Some(need.history.len()),
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
    /// back in its place), when that version is no later than the one removed: its history has
    /// no more lines, and none of them is later.
    pub fn removed(&self, need: &Need) -> Option<NaiveDate> {
        let g = self.0.needs.get(need.id.as_str())?;
        let more_lines = g.lines.is_some_and(|n| need.history.len() > n);
        (!more_lines && last_change(need) <= g.last).then_some(g.date)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::needs::Importance;

    #[test]
    fn a_version_with_more_history_is_later_whatever_its_clock_says() {
        let t = tempfile::tempdir().unwrap();
        let file = t.path().join(FILE);
        let day = NaiveDate::from_ymd_opt(2026, 3, 2).unwrap();
        let owner: Id = "abcd12345678".parse().unwrap();
        let mut need = Need::open(
            &owner,
            "A walk after dinner".into(),
            "comfort".into(),
            None,
            Importance::Medium,
            false,
            day,
        );
        need.history.push(crate::needs::Change {
            date: day,
            at: "2026-03-02T10:00:00Z".parse().unwrap(),
            by: owner,
            what: "named".into(),
            extra: Default::default(),
        });
        remember(&file, &need, day).unwrap();
        let removed = Removed::load(&file);
        assert_eq!(removed.ids().collect::<Vec<_>>(), [need.id.clone()]);
        assert_eq!(removed.removed(&need), Some(day));
        // Changed since on a device whose clock is behind: one line more, stamped earlier.
        let mut later = need.clone();
        let mut line = later.history[0].clone();
        line.at -= chrono::Duration::days(30);
        later.history.push(line);
        assert_eq!(removed.removed(&later), None);
        // A file written before the count was kept judges by time alone.
        let old = std::fs::read_to_string(&file).unwrap();
        assert!(old.contains("\"lines\": 1"), "{old}");
        std::fs::write(&file, old.replace(",\n      \"lines\": 1", "")).unwrap();
        assert!(!std::fs::read_to_string(&file).unwrap().contains("lines"));
        assert_eq!(Removed::load(&file).removed(&later), Some(day));
    }
}
