//! A day's due reviews from the index: only the due needs are given and read in full, each with
//! its prefix among all the needs the viewer sees.

use super::tests::rewrite_in_place;
use super::*;
use crate::needs;
use crate::needs::{Importance, Status};
use chrono::NaiveDate;
use std::time::Duration;

fn need(owner: &str, text: &str, day: NaiveDate) -> Need {
    Need::open(
        &owner.parse().unwrap(),
        text.into(),
        "other".into(),
        None,
        Importance::Low,
        false,
        day,
    )
}

/// The ID and prefix of each need a day's due listing gives.
fn due_ids(store: &Store, idx: &Path, day: NaiveDate, now: SystemTime) -> Vec<(String, String)> {
    listed_at(
        store,
        Some(idx),
        Some("ppp2"),
        Check::DueOn(day),
        now,
        |all| {
            all.iter()
                .map(|l| (l.id.to_owned(), l.short().to_owned()))
                .collect()
        },
    )
    .unwrap()
}

#[test]
fn a_days_due_reviews_are_only_the_due_needs_and_no_other_line_is_read_in_full() {
    let data = tempfile::tempdir().unwrap();
    let cache = tempfile::tempdir().unwrap();
    let store = Store::new(data.path());
    let idx = path(cache.path(), &store);
    let day = NaiveDate::from_ymd_opt(2026, 4, 1).unwrap();
    let at = chrono::Utc::now();
    let first = needs::add(&store, need("ppp2", "due today", day), at).unwrap();
    let due = needs::change(&store, &first.id, &first.owner, day, at, |n| {
        n.status = Status::Agreed;
        n.review = Some(day);
        Ok(String::new())
    })
    .unwrap();
    let mut later_ones = Vec::new();
    for i in 0..40 {
        let n = needs::add(&store, need("ppp2", &format!("later {i}"), day), at).unwrap();
        later_ones.push(n.id.to_string());
    }
    // Two needs not due whose IDs start as the due one's: its prefix is longer for them.
    let due_id = due.id.to_string();
    for tail in ["zz", "zy"] {
        let mut n = first.clone();
        n.id = format!("{}{tail}", &due_id[..8]).parse().unwrap();
        let file = data.path().join(needs::path(&n.id));
        std::fs::write(file, serde_json::to_vec(&n).unwrap()).unwrap();
    }
    // The folder as if nothing had been added, removed or replaced there for a while.
    std::fs::File::open(store.path(needs::DIR))
        .unwrap()
        .set_modified(SystemTime::now() - Duration::from_secs(3600))
        .unwrap();
    let later = SystemTime::now() + Duration::from_secs(10);
    let full = list_at(&store, Some(&idx), Some("ppp2"), Check::EveryFile, later).unwrap();
    let expected: Vec<(String, String)> = needs::visible(full, Some("ppp2"))
        .into_iter()
        .filter(|(_, n)| n.due(day))
        .map(|(short, n)| (n.id.to_string(), short))
        .collect();
    assert_eq!(expected.len(), 1);
    assert!(expected[0].1.len() > 8, "{expected:?}");
    assert_eq!(due_ids(&store, &idx, day, later), expected);

    // A not-due need's line damaged past its head (in the index only): the day's listing does
    // not read it, nor its file; the next full listing reads the file and mends the line.
    let text = std::fs::read_to_string(&idx).unwrap();
    let damaged = &later_ones[7];
    let broken: String = text
        .lines()
        .map(|l| match l.starts_with(&format!("{damaged}.")) {
            true => format!("{l}\tone field too many\n"),
            false => format!("{l}\n"),
        })
        .collect();
    assert_ne!(broken, text);
    std::fs::write(&idx, &broken).unwrap();
    store.take_records_read();
    assert_eq!(due_ids(&store, &idx, day, later), expected);
    assert_eq!(
        store.take_records_read(),
        0,
        "only the due need's file is looked at"
    );
    assert_eq!(std::fs::read_to_string(&idx).unwrap(), broken);
    list_at(&store, Some(&idx), Some("ppp2"), Check::EveryFile, later).unwrap();
    assert_eq!(store.take_records_read(), 1);
    assert_eq!(std::fs::read_to_string(&idx).unwrap(), text);
}

/// `couple today`'s sentences name the first due needs and count the rest: only the files of
/// those named are looked at, in order, until enough are found unchanged.
#[test]
fn the_first_due_needs_are_looked_at_in_order_and_the_rest_counted_from_the_index() {
    let data = tempfile::tempdir().unwrap();
    let cache = tempfile::tempdir().unwrap();
    let store = Store::new(data.path());
    let idx = path(cache.path(), &store);
    let day = NaiveDate::from_ymd_opt(2026, 4, 10).unwrap();
    let at = chrono::Utc::now();
    let mut files = Vec::new();
    for (text, review) in [("first", 1), ("second", 2), ("third", 3), ("later", 20)] {
        let n = needs::add(&store, need("ppp2", text, day), at).unwrap();
        let review = NaiveDate::from_ymd_opt(2026, 4, review).unwrap();
        needs::change(&store, &n.id, &n.owner, day, at, |n| {
            n.status = Status::Agreed;
            n.review = Some(review);
            Ok(String::new())
        })
        .unwrap();
        files.push(data.path().join(needs::path(&n.id)));
    }
    std::fs::File::open(store.path(needs::DIR))
        .unwrap()
        .set_modified(SystemTime::now() - Duration::from_secs(3600))
        .unwrap();
    let later = SystemTime::now() + Duration::from_secs(10);
    let due = |check: Check| -> Vec<String> {
        let mut v: Vec<(Option<NaiveDate>, String)> =
            listed_at(&store, Some(&idx), Some("ppp2"), check, later, |all| {
                all.iter()
                    .map(|l| (l.review, l.text().into_owned()))
                    .collect()
            })
            .unwrap();
        v.sort();
        v.into_iter().map(|(_, t)| t).collect()
    };
    assert_eq!(due(Check::EveryFile).len(), 4);
    assert_eq!(due(Check::DueFirst(day, 1)), ["first", "second", "third"]);

    // The first closed and the second changed, in place: the second takes the first's place,
    // read from its file.
    rewrite_in_place(&files[0], |v| v["status"] = "met".into());
    rewrite_in_place(&files[1], |v| v["text"] = "second, changed".into());
    store.take_records_read();
    assert_eq!(due(Check::DueFirst(day, 1)), ["second, changed", "third"]);
    assert_eq!(store.take_records_read(), 2);
    // Past the first, a change in place waits for the next full look, as for needs not due...
    rewrite_in_place(&files[2], |v| v["text"] = "third, changed".into());
    assert_eq!(due(Check::DueFirst(day, 1)), ["second, changed", "third"]);
    assert_eq!(store.take_records_read(), 0);
    // ...which every due need gets when all are asked for.
    assert_eq!(
        due(Check::DueOn(day)),
        ["second, changed", "third, changed"]
    );
    assert_eq!(
        due(Check::DueFirst(day, 2)),
        ["second, changed", "third, changed"]
    );
}
