//! The needs this device removed from a plain folder, which keeps no removal records (see
//! [`crate::removals`] for an encrypted one): kept in the device's config folder
//! (`memory/FOLDER/removed-here.json`, 0600), each need by its ID with the day it was removed and
//! the time of its last change then, no text. `couple doctor` on this device so removes, unmerged,
//! a conflict copy of such a need found with nothing in its place when the copy is that version
//! or an earlier one, and such a version put back in the need's own place: a copy from a backup
//! or a sync tool's history does not bring the need back.
//! A later version (changed on another device after) is merged as any copy is: nothing is lost.
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
        },
    );
    let dir = file.parent().unwrap_or(Path::new("."));
    Store::new(dir).ensure_dir("")?;
    let bytes = serde_json::to_vec_pretty(&here)
        .map_err(|e| crate::error::Error::invalid(e.to_string()))?;
    crate::store::write_atomic(file, &bytes)
}

/// The day this device removed `need` (a version of it found with nothing in its place), as
/// `file` remembers, when that version is no later than the one removed.
pub fn removed(file: &Path, need: &Need) -> Option<NaiveDate> {
    let here: Here = crate::store::read_file(file).ok()??;
    let g = here.needs.get(need.id.as_str())?;
    (last_change(need) <= g.last).then_some(g.date)
}

/// The needs `file` remembers this device removed (none when it cannot be read).
pub fn ids(file: &Path) -> Vec<Id> {
    let here: Option<Here> = crate::store::read_file(file).ok().flatten();
    here.into_iter()
        .flat_map(|h| h.needs.into_keys())
        .filter_map(|id| Id::parse(&id).ok())
        .collect()
}
