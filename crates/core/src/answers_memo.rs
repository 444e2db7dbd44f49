//! A device-local memo of each year's answer file as this device opened it in an encrypted
//! folder, so that reading years of answers (an export, the history) does not parse megabytes
//! of sealed answers and open thousands of them again on every run.
//!
//! It lives in the device's cache folder, never in the data folder, one file per answer file,
//! 0600. The files are always trusted over the memo: an entry is used only while its answer file
//! has the very size, modification and change times and inode it had when it was opened, and a
//! file changed within the last two seconds is never memoized (its times may not move again
//! within the same clock tick), so a file rewritten in place, replaced or synced in is opened and
//! checked again at once. An entry holds what this device's keys opened of that file and nothing
//! more, is used only with the same keys held and the same public keys trusted for every
//! partner, and is kept only while every key held here needs no passphrase. A file with anything
//! left out (a seal that failed its check) is never memoized: it is opened, and reported, on
//! every run. An entry not written for [`crate::open_cache::KEPT_FOR`] is removed when another
//! is written, as the open cache's are. Delete the memo at any time; nothing is lost.

use crate::error::Result;
use crate::prompts::{Answer, AnswerFile};
use crate::sealing::Sealing;
use crate::store::Store;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

const MAGIC: &str = "closer-answers-opened 1";

/// What this device opened of one answer file.
#[derive(Serialize, Deserialize)]
struct Entry {
    magic: String,
    /// The answer file's place in the data folder.
    file: String,
    /// Its size, times and inode when it was opened.
    state: String,
    /// The keys held (partner, age recipient) and trusted (partner, signing key) when it was.
    held: BTreeMap<String, String>,
    known: BTreeMap<String, String>,
    answers: Vec<Answer>,
}

fn keys_now(sealing: &Sealing) -> (BTreeMap<String, String>, BTreeMap<String, String>) {
    let held = sealing
        .held()
        .filter_map(|p| Some((p.to_owned(), sealing.public(p)?.age)))
        .collect();
    let known = sealing
        .known()
        .filter_map(|p| Some((p.to_owned(), sealing.public(p)?.ed25519)))
        .collect();
    (held, known)
}

fn memo_file(dir: &Path, file: &str) -> PathBuf {
    let d = Sha256::digest(file.as_bytes());
    dir.join(
        d[..16]
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect::<String>(),
    )
}

/// The answers of `author`'s answer file at `path` as this device may read them (see
/// [`crate::answer_book::opened`]): from the memo when the file is as it was when it was last
/// opened here, else read and opened, and memoized when it may be. `None`: no usable file.
pub(crate) fn answers_of(store: &Store, author: &str, path: &Path) -> Result<Option<Vec<Answer>>> {
    let read = || -> Result<Option<(Vec<Answer>, bool)>> {
        let f = store
            .read_files::<AnswerFile>(std::slice::from_ref(&path.to_path_buf()))?
            .pop()
            .flatten();
        Ok(f.map(|f| crate::answer_book::opened_checked(store, author, f)))
    };
    let Some(sealing) = store.sealing() else {
        return Ok(read()?.map(|(a, _)| a));
    };
    let (Some((dir, now)), Some(file)) = (sealing.answers_memo(), store.place_of(path)) else {
        return Ok(read()?.map(|(a, _)| a));
    };
    let state = std::fs::symlink_metadata(path)
        .ok()
        .filter(|m| m.is_file())
        .and_then(|m| crate::index::file_state(&m, now));
    let Some(state) = state else {
        return Ok(read()?.map(|(a, _)| a));
    };
    let (held, known) = keys_now(&sealing);
    let at = memo_file(dir, &file);
    let remembered = std::fs::read(&at)
        .ok()
        .and_then(|b| serde_json::from_slice::<Entry>(&b).ok())
        .filter(|e| {
            e.magic == MAGIC
                && e.file == file
                && e.state == state
                && e.held == held
                && e.known == known
        });
    if let Some(e) = remembered {
        return Ok(Some(e.answers));
    }
    let Some((answers, clean)) = read()? else {
        return Ok(None);
    };
    if clean {
        let e = Entry {
            magic: MAGIC.to_owned(),
            file,
            state,
            held,
            known,
            answers,
        };
        // Only a memo: when it cannot be written the file is simply opened again next time.
        if let Ok(bytes) = serde_json::to_vec(&e)
            && Store::new(dir).ensure_dir("").is_ok()
            && crate::open_cache::write_private(&at, &bytes).is_ok()
        {
            // What an answer file deleted on the other device held goes too, as in the open
            // cache.
            let name = at.file_name().map(std::ffi::OsStr::to_owned);
            crate::open_cache::remove_old(dir, now, name.as_slice());
        }
        return Ok(Some(e.answers));
    }
    Ok(Some(answers))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::crypto::{ExposeSecret, Keys};
    use crate::ids::Id;
    use crate::open_cache::OpenCache;
    use crate::prompts::{all_answers, save_answer};
    use crate::test_devices::{A, B};
    use chrono::{DateTime, NaiveDate};
    use std::os::unix::fs::PermissionsExt;
    use std::sync::Arc;
    use std::time::{Duration, SystemTime};

    fn answer(d: u32, text: &str) -> Answer {
        Answer::new(
            NaiveDate::from_ymd_opt(2026, 3, d).unwrap(),
            "p1",
            "What?",
            text.into(),
            DateTime::from_timestamp(1_772_409_600, 0).unwrap(),
        )
    }

    /// Alex's device in a new run, its key remembering, memoizing answer files as of `now`.
    fn alex(root: &Path, ka: &Keys, kb: &Keys, now: SystemTime) -> Store {
        let store = Store::new(root.join("data"));
        let k = Keys::from_text(ka.to_text().expose_secret()).unwrap();
        let cache = Arc::new(OpenCache::new(root.join("cache/alex"), &ka.public().age));
        let mut s = Sealing::new();
        s.hold(A, Arc::new(k.remembering(cache)));
        s.know(B, kb.public());
        s.act_as(A);
        s.memo_answers_in(root.join("cache/answers"), now);
        store.set_sealing(Some(s));
        store
    }

    fn texts(store: &Store) -> Vec<String> {
        all_answers(store, None, None)
            .unwrap()
            .into_iter()
            .map(|(_, a)| a.text)
            .collect()
    }

    #[test]
    fn an_unchanged_answer_file_is_not_opened_again_and_a_changed_one_is_at_once() {
        let t = tempfile::tempdir().unwrap();
        let (ka, kb) = (Keys::generate(), Keys::generate());
        let later = SystemTime::now() + Duration::from_secs(60);
        let a: Id = A.parse().unwrap();
        let first = alex(t.path(), &ka, &kb, later);
        save_answer(&first, &a, answer(1, "the garden")).unwrap();
        let file = t.path().join("data/answers").join(A).join("2026.age");
        let one = std::fs::read(&file).unwrap();
        save_answer(&first, &a, answer(2, "the sea")).unwrap();

        let run = alex(t.path(), &ka, &kb, later);
        assert_eq!(texts(&run), ["the garden", "the sea"]);
        assert_eq!(run.take_records_read(), 1, "the first look opens the file");
        for f in std::fs::read_dir(t.path().join("cache/answers")).unwrap() {
            let mode = f.unwrap().metadata().unwrap().permissions().mode();
            assert_eq!(mode & 0o777, 0o600);
        }
        let run = alex(t.path(), &ka, &kb, later);
        assert_eq!(texts(&run), ["the garden", "the sea"]);
        assert_eq!(run.take_records_read(), 0, "an unchanged file is not read");

        // Replaced by an earlier copy (a new file, as a sync tool writes it): read at once.
        let copy = t.path().join("copy");
        std::fs::write(&copy, &one).unwrap();
        std::fs::rename(&copy, &file).unwrap();
        let run = alex(t.path(), &ka, &kb, later);
        assert_eq!(texts(&run), ["the garden"]);
        assert_eq!(run.take_records_read(), 1);

        // Rewritten in place just now: its times may not have moved within the clock tick, so
        // it is read, and not memoized, until they have settled.
        let two = {
            save_answer(&first, &a, answer(2, "the sea")).unwrap();
            std::fs::read(&file).unwrap()
        };
        std::fs::write(&file, &one).unwrap();
        let now = SystemTime::now();
        for _ in 0..2 {
            let run = alex(t.path(), &ka, &kb, now);
            assert_eq!(texts(&run), ["the garden"]);
            assert_eq!(run.take_records_read(), 1);
        }
        std::fs::write(&file, &two).unwrap();
        let run = alex(t.path(), &ka, &kb, now);
        assert_eq!(texts(&run), ["the garden", "the sea"]);

        // Another key trusted for the other partner: not used.
        let run = alex(t.path(), &ka, &Keys::generate(), later);
        texts(&run);
        assert_eq!(run.take_records_read(), 1);
    }

    #[test]
    fn an_entry_not_written_for_thirty_days_goes_when_another_is_written() {
        let t = tempfile::tempdir().unwrap();
        let (ka, kb) = (Keys::generate(), Keys::generate());
        let later = SystemTime::now() + Duration::from_secs(60);
        let a: Id = A.parse().unwrap();
        let first = alex(t.path(), &ka, &kb, later);
        save_answer(&first, &a, answer(1, "the garden")).unwrap();
        texts(&alex(t.path(), &ka, &kb, later));
        let memo = t.path().join("cache/answers");
        let entries = || {
            let mut names: Vec<String> = std::fs::read_dir(&memo)
                .unwrap()
                .map(|e| e.unwrap().file_name().into_string().unwrap())
                .collect();
            names.sort();
            names
        };
        let kept = entries();
        assert_eq!(kept.len(), 1);
        // What a year's answer file deleted on the other device held, memoized long ago.
        let gone = memo.join("00000000000000000000000000000000");
        std::fs::copy(memo.join(&kept[0]), &gone).unwrap();
        let long_ago = later - crate::open_cache::KEPT_FOR - Duration::from_secs(24 * 3600);
        std::fs::File::options()
            .write(true)
            .open(&gone)
            .unwrap()
            .set_modified(long_ago)
            .unwrap();
        texts(&alex(t.path(), &ka, &kb, later));
        assert!(gone.exists(), "removed only when an entry is written");

        let last_year = Answer::new(
            NaiveDate::from_ymd_opt(2025, 3, 1).unwrap(),
            "p1",
            "What?",
            "the hills".into(),
            DateTime::from_timestamp(1_740_787_200, 0).unwrap(),
        );
        save_answer(&first, &a, last_year).unwrap();
        let run = alex(t.path(), &ka, &kb, later);
        assert_eq!(texts(&run), ["the hills", "the garden"]);
        assert!(
            !gone.exists(),
            "an entry not written for 30 days is removed"
        );
        let now = entries();
        assert_eq!(now.len(), 2, "{now:?}");
        assert!(now.contains(&kept[0]), "a recent entry stays");
    }

    #[test]
    fn an_answer_that_fails_its_check_is_reported_on_every_run() {
        let t = tempfile::tempdir().unwrap();
        let (ka, kb) = (Keys::generate(), Keys::generate());
        let later = SystemTime::now() + Duration::from_secs(60);
        let a: Id = A.parse().unwrap();
        let first = alex(t.path(), &ka, &kb, later);
        save_answer(&first, &a, answer(1, "the garden")).unwrap();
        save_answer(&first, &a, answer(2, "the sea")).unwrap();
        // A seal of day 2 forged with Sam's key, in Alex's file.
        let at = crate::prompts::answer_path(&a, 2026);
        let mut f: AnswerFile = first.read(&at).unwrap().unwrap();
        let body = serde_json::to_vec(&answer(2, "forged")).unwrap();
        let place = format!("answers/{A}/2026-03-02");
        let forged = crate::crypto::seal::seal(&kb, A, &place, &body, &[&ka.public()]).unwrap();
        f.sealed[1].own = crate::crypto::hex(&forged);
        first.write(&at, &f).unwrap();
        for _ in 0..2 {
            let run = alex(t.path(), &ka, &kb, later);
            assert_eq!(texts(&run), ["the garden"]);
            let out = run.take_left_out_files();
            assert_eq!(out.len(), 1, "{out:?}");
        }
    }
}
