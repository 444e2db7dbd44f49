//! The memo of a day's first due reviews: used while nothing it stands for changed, and never
//! once anything did.

use super::due_memo::{due_first_at, path as memo_path};
use super::tests::rewrite_in_place;
use super::*;
use crate::needs;
use crate::needs::{Importance, Status};
use chrono::NaiveDate;
use std::os::unix::fs::PermissionsExt;
use std::time::Duration;

/// A folder of needs owned by `ppp2`, each agreed with the review date given (day of April
/// 2026), listed once so that its index is written, and settled.
struct Folder {
    _data: tempfile::TempDir,
    _cache: tempfile::TempDir,
    store: Store,
    idx: PathBuf,
    files: Vec<PathBuf>,
}

const DAY: u32 = 10;

fn day(d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 4, d).unwrap()
}

fn later() -> SystemTime {
    SystemTime::now() + Duration::from_secs(10)
}

fn folder(reviews: &[(&str, u32)]) -> Folder {
    let data = tempfile::tempdir().unwrap();
    let cache = tempfile::tempdir().unwrap();
    let store = Store::new(data.path());
    let idx = path(cache.path(), &store);
    let files = reviews.iter().map(|(t, r)| add(&store, t, *r)).collect();
    settle(&store);
    list_at(&store, Some(&idx), None, Check::EveryFile, later()).unwrap();
    Folder {
        _data: data,
        _cache: cache,
        store,
        idx,
        files,
    }
}

fn add(store: &Store, text: &str, review: u32) -> PathBuf {
    let owner = "ppp2".parse().unwrap();
    let n = Need::open(
        &owner,
        text.into(),
        "other".into(),
        None,
        Importance::Low,
        false,
        day(1),
    );
    let n = needs::add(store, n, chrono::Utc::now()).unwrap();
    needs::change(store, &n.id, &n.owner, day(1), chrono::Utc::now(), |n| {
        n.status = Status::Agreed;
        n.review = Some(day(review));
        Ok(String::new())
    })
    .unwrap();
    store.path(&needs::path(&n.id))
}

/// The needs folder as if nothing had been added, removed or replaced there for a while.
fn settle(store: &Store) {
    std::fs::File::open(store.path(needs::DIR))
        .unwrap()
        .set_modified(SystemTime::now() - Duration::from_secs(3600))
        .unwrap();
}

impl Folder {
    /// The texts of the first two due needs on `d`, as `ppp3` sees them, and how many are due.
    fn due(&self, d: u32) -> (Vec<String>, usize) {
        let (first, count) = due_first_at(
            &self.store,
            Some(&self.idx),
            Some("ppp3"),
            day(d),
            2,
            later(),
        )
        .unwrap();
        (first.into_iter().map(|(_, n)| n.text).collect(), count)
    }

    /// What the index itself gives, without the memo.
    fn index_says(&self, d: u32) -> (Vec<String>, usize) {
        let check = Check::DueFirst(day(d), 2);
        listed_at(
            &self.store,
            Some(&self.idx),
            Some("ppp3"),
            check,
            later(),
            |all| {
                let mut due: Vec<_> = all.iter().filter(|l| l.due(day(d))).collect();
                due.sort_by_key(|l| (l.review, l.id));
                let first = due.iter().take(2).map(|l| l.text().into_owned()).collect();
                (first, due.len())
            },
        )
        .unwrap()
    }

    fn memo(&self) -> String {
        std::fs::read_to_string(memo_path(&self.idx)).unwrap()
    }
}

fn texts(t: &[&str], count: usize) -> (Vec<String>, usize) {
    (t.iter().map(|s| s.to_string()).collect(), count)
}

#[test]
fn the_memo_is_what_a_second_run_reads_and_it_is_for_this_device_alone() {
    let f = folder(&[("a", 1), ("b", 2), ("c", 3), ("later", 20)]);
    assert_eq!(f.due(DAY), texts(&["a", "b"], 3));
    let memo = memo_path(&f.idx);
    let mode = std::fs::metadata(&memo).unwrap().permissions().mode();
    assert_eq!(mode & 0o777, 0o600);
    // What the second run shows is the memo's: its count, as it was made to say here.
    let text = f.memo();
    let changed = text.replacen("\n3\n", "\n4\n", 1);
    assert_ne!(changed, text);
    std::fs::write(&memo, changed).unwrap();
    f.store.take_records_read();
    assert_eq!(f.due(DAY), texts(&["a", "b"], 4));
    assert_eq!(f.store.take_records_read(), 0);
    // A memo damaged in any way is not used: the index is read again.
    for broken in [&text[..text.len() / 2], "", "closer-needs-due 1\n"] {
        std::fs::write(&memo, broken).unwrap();
        assert_eq!(f.due(DAY), texts(&["a", "b"], 3));
        assert_eq!(f.memo(), text, "written again");
    }
}

#[test]
fn a_need_rewritten_in_place_damaged_or_made_private_is_seen_at_once() {
    let f = folder(&[("a", 1), ("b", 2), ("c", 3), ("later", 20)]);
    assert_eq!(f.due(DAY), texts(&["a", "b"], 3));
    rewrite_in_place(&f.files[1], |v| v["text"] = "b, changed".into());
    assert_eq!(f.due(DAY), texts(&["a", "b, changed"], 3));
    assert_eq!(f.due(DAY), f.index_says(DAY));
    rewrite_in_place(&f.files[0], |v| v["private"] = true.into());
    assert_eq!(f.due(DAY), texts(&["b, changed", "c"], 2));
    assert_eq!(f.due(DAY), f.index_says(DAY));
    std::fs::write(&f.files[2], b"{ damaged").unwrap();
    f.store.take_left_out();
    assert_eq!(f.due(DAY), texts(&["b, changed"], 1));
    assert_eq!(f.store.take_left_out().len(), 1, "the damaged file is said");
}

#[test]
fn another_day_a_need_added_or_the_index_written_again_is_not_taken_from_the_memo() {
    let f = folder(&[("a", 1), ("b", 2), ("c", 3), ("on the 11th", 11)]);
    assert_eq!(f.due(DAY), texts(&["a", "b"], 3));
    assert_eq!(f.due(DAY + 1), texts(&["a", "b"], 4));
    assert_eq!(f.due(DAY), texts(&["a", "b"], 3));
    // A need added: the folder changed.
    add(&f.store, "new", 1);
    settle(&f.store);
    let (first, count) = f.due(DAY);
    assert_eq!(count, 4);
    assert!(first.contains(&"new".to_owned()), "{first:?}");
    assert_eq!(f.due(DAY), (first, count));
    // A need past the first two closed in place, then read by a full listing: the index is
    // written again, and counts one fewer.
    rewrite_in_place(&f.files[2], |v| v["status"] = "met".into());
    list_at(&f.store, Some(&f.idx), None, Check::EveryFile, later()).unwrap();
    assert_eq!(f.due(DAY).1, 3);
    assert_eq!(f.due(DAY), f.index_says(DAY));
}

#[test]
fn the_memo_goes_with_the_index() {
    let f = folder(&[("buttons", 1), ("zips", 2)]);
    f.due(DAY);
    let memo = memo_path(&f.idx);
    assert!(f.memo().contains("buttons"));
    remove(&f.idx);
    assert!(!memo.exists());
}
