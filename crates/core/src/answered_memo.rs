//! Whether each partner answered a day's prompt, looked up by the answer files' metadata before
//! any is read: a device-local memo (in the cache folder, never in the data folder) keeps, for
//! one day, each partner's year file as it was (size, modification and change times, inode) and
//! what [`crate::prompts::said_on`] said of it. A year of sealed answers is megabytes; a file
//! unchanged since it was last looked at is not read again.
//!
//! The files are always trusted over the memo: a file changed in any way (rewritten, replaced,
//! synced in, its times moved) is read again, and so is one changed within the last two seconds
//! (its times may not move again within the same clock tick). What the memo says was worked out
//! with the keys this device held then; with other keys it is not used. It holds no text: only
//! the day and, per partner, answered, passed or neither, as this device reads it anyway. Delete it at any
//! time; nothing is lost.

use crate::error::Result;
use crate::ids::Id;
use crate::prompts::{Said, answer_path, said_on};
use crate::store::{Store, write_atomic};
use chrono::{Datelike, NaiveDate};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::path::Path;
use std::time::SystemTime;

const MAGIC: &str = "closer-answered 2";

#[derive(Debug, Default, PartialEq, Serialize, Deserialize)]
struct Memo {
    magic: String,
    /// The partners whose keys this device held when it was worked out.
    held: Vec<String>,
    date: Option<NaiveDate>,
    /// By partner: their year file's metadata, and what they did on `date`.
    partners: BTreeMap<String, (String, Said)>,
}

fn held(store: &Store) -> Vec<String> {
    store
        .sealing()
        .map(|s| s.held().map(str::to_owned).collect())
        .unwrap_or_default()
}

/// What each of `partners` did with the prompt of `date` (an answer this device cannot open yet
/// is an answer), as [`said_on`] says, using and keeping the memo at `memo` when given. `now`
/// says which file times have settled.
pub fn answered(
    store: &Store,
    partners: &[&Id],
    date: NaiveDate,
    memo: Option<&Path>,
    now: SystemTime,
) -> Result<Vec<Said>> {
    let Some(memo_path) = memo else {
        return partners.iter().map(|p| said_on(store, p, date)).collect();
    };
    let held = held(store);
    let old: Memo = std::fs::read(memo_path)
        .ok()
        .and_then(|b| serde_json::from_slice(&b).ok())
        .filter(|m: &Memo| m.magic == MAGIC && m.held == held && m.date == Some(date))
        .unwrap_or_default();
    let mut new = Memo {
        magic: MAGIC.to_owned(),
        held,
        date: Some(date),
        partners: BTreeMap::new(),
    };
    let mut out = Vec::with_capacity(partners.len());
    for p in partners {
        let path = store.path(&answer_path(p, date.year()));
        let m = match std::fs::symlink_metadata(&path) {
            Ok(m) => m,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                // No file, no answer (a plain record left in an encrypted folder is reported
                // by the full read).
                out.push(said_on(store, p, date)?);
                continue;
            }
            Err(e) => return Err(crate::Error::io(&path, e)),
        };
        let key = crate::index::file_state(&m, now);
        let yes = match (old.partners.get(p.as_str()), &key) {
            (Some((k, yes)), Some(key)) if k == key => *yes,
            _ => said_on(store, p, date)?,
        };
        if let Some(key) = key {
            new.partners.insert(p.to_string(), (key, yes));
        }
        out.push(yes);
    }
    if new != old {
        // Only a memo: when it cannot be written the files are simply read again next time.
        if let Some(dir) = memo_path.parent() {
            let _ = Store::new(dir).ensure_dir("");
        }
        if let Ok(bytes) = serde_json::to_vec(&new) {
            let _ = write_atomic(memo_path, &bytes);
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::prompts::{Answer, save_answer};
    use chrono::DateTime;
    use std::time::Duration;

    fn day(s: &str) -> NaiveDate {
        crate::dates::parse_date(s).unwrap()
    }

    fn answer(d: &str, text: &str) -> Answer {
        Answer::new(day(d), "p", "?", text.into(), DateTime::default())
    }

    #[test]
    fn an_unchanged_file_is_not_read_again_and_a_changed_one_is() {
        let t = tempfile::tempdir().unwrap();
        let store = Store::new(t.path().join("data"));
        let memo = t.path().join("cache/answered");
        let (a, b): (Id, Id) = ("aaaa".parse().unwrap(), "bbbb".parse().unwrap());
        save_answer(&store, &a, answer("2026-03-01", "yesterday")).unwrap();
        save_answer(&store, &a, answer("2026-03-02", "today")).unwrap();
        save_answer(&store, &b, answer("2026-03-01", "yesterday")).unwrap();
        let later = SystemTime::now() + Duration::from_secs(60);
        let d = day("2026-03-02");
        let yes = |said: Vec<Said>| -> Vec<bool> {
            said.into_iter().map(|s| s == Said::Answered).collect()
        };
        let look = || yes(answered(&store, &[&a, &b], d, Some(&memo), later).unwrap());
        store.take_records_read();
        assert_eq!(look(), [true, false]);
        assert_eq!(
            store.take_records_read(),
            2,
            "the first look reads both files"
        );
        assert_eq!(look(), [true, false]);
        assert_eq!(
            store.take_records_read(),
            0,
            "nothing changed: no file is read"
        );
        // Sam answers: only Sam's file is read again.
        save_answer(&store, &b, answer("2026-03-02", "today too")).unwrap();
        store.take_records_read();
        assert_eq!(look(), [true, true]);
        assert_eq!(store.take_records_read(), 1);
        // Another day, or a file whose times have not settled: read again.
        assert_eq!(
            yes(answered(&store, &[&a, &b], day("2026-03-03"), Some(&memo), later).unwrap()),
            [false, false]
        );
        assert_eq!(store.take_records_read(), 2);
        let now = SystemTime::now();
        answered(&store, &[&a, &b], d, Some(&memo), now).unwrap();
        answered(&store, &[&a, &b], d, Some(&memo), now).unwrap();
        assert_eq!(
            store.take_records_read(),
            4,
            "fresh files are read every time"
        );
        // A damaged memo is only a memo.
        std::fs::write(&memo, b"{not json").unwrap();
        assert_eq!(look(), [true, true]);
    }
}
