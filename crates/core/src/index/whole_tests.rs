//! The listing of an unchanged folder from both halves of its index: every file still looked
//! at, and an index that cannot stand for the folder never trusted.

use super::tests::rewrite_in_place;
use super::whole::{SECOND_THREAD_FROM, cut};
use super::*;
use crate::needs;
use crate::needs::Importance;
use chrono::NaiveDate;
use std::time::Duration;

/// A folder of `n` shared needs of `ppp2`'s ("need 0", "need 1", ...), each file's path.
fn many(store: &Store, n: usize) -> Vec<PathBuf> {
    let d = NaiveDate::from_ymd_opt(2026, 3, 1).unwrap();
    let need = Need::open(
        &"ppp2".parse().unwrap(),
        String::new(),
        "other".into(),
        None,
        Importance::Low,
        false,
        d,
    );
    store.ensure_dir(needs::DIR).unwrap();
    (0..n)
        .map(|i| {
            let mut need = need.clone();
            need.id = format!("many{i:08}").parse().unwrap();
            need.text = format!("need {i}");
            let file = store.root().join(needs::path(&need.id));
            std::fs::write(&file, serde_json::to_vec(&need).unwrap()).unwrap();
            file
        })
        .collect()
}

/// Listing as if the files had been written a while ago, so that they are not "racy".
fn list(store: &Store, idx: &Path, viewer: &str) -> Vec<String> {
    let later = SystemTime::now() + Duration::from_secs(10);
    let mut texts: Vec<String> = list_at(store, Some(idx), Some(viewer), Check::EveryFile, later)
        .unwrap()
        .into_iter()
        .map(|n| n.text)
        .collect();
    texts.sort();
    texts
}

const N: usize = 1500;

#[test]
fn both_halves_of_the_index_are_used_and_every_file_still_looked_at() {
    let data = tempfile::tempdir().unwrap();
    let cache = tempfile::tempdir().unwrap();
    let store = Store::new(data.path());
    let idx = path(cache.path(), &store);
    let files = many(&store, N);
    let all = list(&store, &idx, "ppp2");
    assert_eq!(all.len(), N);
    let text = std::fs::read_to_string(&idx).unwrap();
    assert!(text.len() > SECOND_THREAD_FROM, "{}", text.len());
    // Taken from the index, on both sides of the cut.
    let (early, late) = (10, N - 10);
    let planted = text
        .replace(
            &format!("\tneed {early}\n"),
            &format!("\tplanted {early}\n"),
        )
        .replace(&format!("\tneed {late}\n"), &format!("\tplanted {late}\n"));
    std::fs::write(&idx, planted).unwrap();
    let shown = list(&store, &idx, "ppp2");
    for i in [early, late] {
        assert!(shown.contains(&format!("planted {i}")), "{i}");
    }
    // A file rewritten in place on either side is read again at once.
    for i in [early, late] {
        rewrite_in_place(&files[i], |v| v["text"] = format!("changed {i}").into());
    }
    let shown = list(&store, &idx, "ppp2");
    assert_eq!(shown.len(), N);
    for i in [early, late] {
        assert!(shown.contains(&format!("changed {i}")), "{i}");
        assert!(!shown.contains(&format!("planted {i}")), "{i}");
    }
    // Made private: gone from the other partner's list at once, on either side.
    for i in [early, late] {
        rewrite_in_place(&files[i], |v| v["private"] = true.into());
    }
    assert_eq!(list(&store, &idx, "ppp1").len(), N - 2);
    assert_eq!(list(&store, &idx, "ppp1").len(), N - 2);
    assert_eq!(list(&store, &idx, "ppp2").len(), N);
    // Damaged: left out and named, on every listing.
    std::fs::write(&files[late + 1], b"{\"version\": 1, ").unwrap();
    for _ in 0..2 {
        assert_eq!(list(&store, &idx, "ppp2").len(), N - 1);
        let noted = store.take_left_out().join("\n");
        assert!(
            noted.contains(&format!("many{:08}.json", late + 1)),
            "{noted}"
        );
    }
}

/// The index's rows after its two header lines, and the line breaks that end each row.
fn rows_of(text: &str) -> (usize, Vec<usize>) {
    let start = text.match_indices('\n').nth(1).unwrap().0 + 1;
    let ends = text[start..].match_indices('\n').map(|(i, _)| i).collect();
    (start, ends)
}

#[test]
fn an_index_that_cannot_stand_for_the_folder_is_not_trusted_on_either_side_of_the_cut() {
    let data = tempfile::tempdir().unwrap();
    let cache = tempfile::tempdir().unwrap();
    let store = Store::new(data.path());
    let idx = path(cache.path(), &store);
    many(&store, N);
    let all = list(&store, &idx, "ppp2");
    let clean = std::fs::read_to_string(&idx).unwrap();
    assert_eq!(list(&store, &idx, "ppp2"), all);
    let (start, ends) = rows_of(&clean);
    let body = &clean[start..];
    let row = |k: usize| {
        let from = if k == 0 { 0 } else { ends[k - 1] + 1 };
        &body[from..=ends[k]]
    };
    let with_row = |k: usize, new: &str| {
        let from = if k == 0 { 0 } else { ends[k - 1] + 1 };
        format!(
            "{}{}{new}{}",
            &clean[..start],
            &body[..from],
            &body[ends[k] + 1..]
        )
    };
    // A row repeated just after the cut, so that each half alone is in order; found where the
    // cut of the damaged index falls between the two copies.
    let twice = (ends.len() / 2 - 20..ends.len() / 2 + 20)
        .map(|k| with_row(k + 1, row(k)))
        .find(|t| {
            let c = cut(t.as_bytes());
            let before = &t[t[..c - 1].rfind('\n').unwrap() + 1..c];
            t[c..].starts_with(before)
        })
        .expect("a cut between two copies");
    let damaged = [
        ("a row twice across the cut", twice),
        (
            "a line that is not a row",
            with_row(ends.len() - 5, "many\tgarbage\n"),
        ),
        ("rows out of order", with_row(ends.len() - 5, row(3))),
        ("a row twice in the first half", with_row(5, row(4))),
    ];
    for (what, text) in damaged {
        std::fs::write(&idx, &text).unwrap();
        assert_eq!(list(&store, &idx, "ppp2"), all, "{what}");
        assert_eq!(
            std::fs::read_to_string(&idx).unwrap(),
            clean,
            "{what}: written whole again"
        );
    }
}

/// Each need's prefix and ID, in the order the listing gives them, or in list order.
fn shorts(store: &Store, idx: Option<&Path>, sort: bool) -> Vec<(String, String)> {
    let later = SystemTime::now() + Duration::from_secs(10);
    listed_at(
        store,
        idx,
        Some("ppp2"),
        Check::EveryFile,
        later,
        |mut all| {
            if sort {
                all.sort_unstable_by(needs::listed_order);
            }
            all.iter()
                .map(|l| (l.short().to_owned(), l.id.to_owned()))
                .collect()
        },
    )
    .unwrap()
}

#[test]
fn the_halves_come_together_in_list_order_with_the_prefixes_of_the_whole_list() {
    let data = tempfile::tempdir().unwrap();
    let cache = tempfile::tempdir().unwrap();
    let store = Store::new(data.path());
    let idx = path(cache.path(), &store);
    for (i, file) in many(&store, N).iter().enumerate() {
        // IDs in no order of their numbers, sharing prefixes of every length; importance,
        // status and review dates of every kind.
        let h = (i as u64).wrapping_mul(0x9e37_79b9_7f4a_7c15) >> 20;
        let id = format!("n{:011x}", h & 0xfff_ffff_ffff);
        rewrite_in_place(file, |v| {
            v["id"] = id.clone().into();
            v["importance"] = ["low", "medium", "high"][i % 3].into();
            v["status"] = ["open", "talked", "agreed"][i / 3 % 3].into();
            v["review"] = (i % 5 == 0)
                .then(|| format!("2026-0{}-1{}", 1 + i % 9, i % 7))
                .into();
        });
        std::fs::rename(file, file.with_file_name(format!("{id}.json"))).unwrap();
    }
    let expected = shorts(&store, None, true);
    assert_eq!(expected.len(), N);
    assert_eq!(shorts(&store, Some(&idx), true), expected);
    assert!(std::fs::read_to_string(&idx).unwrap().len() > SECOND_THREAD_FROM);
    // From both halves of the index, in list order already.
    assert_eq!(shorts(&store, Some(&idx), false), expected);
}

#[test]
fn prefixes_of_two_halves_made_good_across_the_cut_are_those_of_the_whole() {
    let d = NaiveDate::from_ymd_opt(2026, 3, 1).unwrap();
    let ids = [
        "aaaa", "aaab1", "aab0", "abc12", "abc123", "abc1234", "abd0", "b000", "bbbbbbbb",
        "bbbbbbbc", "c001", "c0012", "zz00",
    ];
    let lines: Vec<String> = ids
        .iter()
        .map(|id| {
            let mut n = Need::open(
                &"ppp2".parse().unwrap(),
                "t".into(),
                "other".into(),
                None,
                Importance::Low,
                false,
                d,
            );
            n.id = id.parse().unwrap();
            line::line(&n)
        })
        .collect();
    let all: Vec<Listed> = lines.iter().map(|l| line::parse(l).unwrap()).collect();
    let mut whole = all.clone();
    line::shorten(&mut whole);
    let shorts = |l: &[Listed]| l.iter().map(|l| l.short().to_owned()).collect::<Vec<_>>();
    for k in 0..=all.len() {
        let (mut a, mut b) = (all[..k].to_vec(), all[k..].to_vec());
        line::shorten(&mut a);
        line::shorten(&mut b);
        // Each half in another order: the neighbours are found by their IDs.
        a.reverse();
        assert!(line::neighbours(&mut a, &mut b), "{k}");
        a.reverse();
        a.extend(b);
        assert_eq!(shorts(&a), shorts(&whole), "cut at {k}");
    }
    // IDs that do not follow each other across the cut: only a shortening of both will do.
    let (mut a, mut b) = (all[3..].to_vec(), all[..5].to_vec());
    assert!(!line::neighbours(&mut a, &mut b));
}
