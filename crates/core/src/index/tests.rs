//! The needs index's tests: honest about every file, and private needs kept out.

use super::line::{self, Listed, date, split_at, split_once};
use super::look::TWO_THREADS_FROM;
use super::stamp::Stamp;
use super::*;
use crate::needs;
use crate::needs::{Importance, Status};
use chrono::NaiveDate;
use std::time::Duration;

/// The key names the real folder, however it is reached; one asked for before the folder
/// exists is worked out again once it does, not kept from before.
#[test]
fn the_folder_key_names_the_real_folder_once_it_exists() {
    let tmp = tempfile::tempdir().unwrap();
    let real = tmp.path().join("real");
    let link = tmp.path().join("link");
    let early = Store::new(&link);
    let before = folder_key(&early);
    std::fs::create_dir(&real).unwrap();
    std::os::unix::fs::symlink(&real, &link).unwrap();
    let direct = folder_key(&Store::new(&real));
    assert_eq!(folder_key(&Store::new(&link)), direct);
    assert_eq!(folder_key(&early), direct);
    assert_ne!(before, direct);
    assert_eq!(folder_key(&early.clone()), direct);
}

#[test]
fn a_line_round_trips_whatever_the_text() {
    let d = NaiveDate::from_ymd_opt(2026, 3, 1).unwrap();
    let n = Need {
        extra: Default::default(),
        version: 1,
        id: "abcd12345678".parse().unwrap(),
        owner: "ppp1".parse().unwrap(),
        text: "tab\there\nnew line \\ back".into(),
        category: "practical".into(),
        condition: Some("arthritis".into()),
        importance: Importance::High,
        status: Status::Agreed,
        plan: Some(String::new()),
        helper: None,
        review: Some(d),
        private: false,
        created: d,
        history: Vec::new(),
        proposal: None,
    };
    let l = line::line(&n);
    assert!(!l.contains('\n'), "{l}");
    let listed = line::parse(&l).unwrap();
    assert_eq!(listed.text(), n.text);
    assert_eq!(listed.need().into_owned(), n);
    assert_eq!(Listed::of(&n).need().into_owned(), n);
    // A field short, or one too many, and the line is not read.
    let (head, _) = l.rsplit_once('\t').unwrap();
    assert!(line::parse(head).is_none());
    assert!(line::parse(&format!("{l}\tx")).is_none());
}

fn shared_and_private(store: &Store) -> (Need, Need) {
    let d = NaiveDate::from_ymd_opt(2026, 3, 1).unwrap();
    let at = chrono::DateTime::parse_from_rfc3339("2026-03-01T12:00:00Z")
        .unwrap()
        .with_timezone(&chrono::Utc);
    let mk = |owner: &str, text: &str, private| {
        Need::open(
            &owner.parse().unwrap(),
            text.into(),
            "other".into(),
            None,
            Importance::Low,
            private,
            d,
        )
    };
    let shared = needs::add(store, mk("ppp2", "a shared need", false), at).unwrap();
    let private = needs::add(store, mk("ppp1", "p1's own secret", true), at).unwrap();
    (shared, private)
}

/// Listing as if the files had been written a while ago, so that they are not "racy".
fn list(store: &Store, idx: &Path, viewer: &str) -> Result<Vec<String>> {
    let later = SystemTime::now() + Duration::from_secs(10);
    let mut texts: Vec<String> = list_at(store, Some(idx), Some(viewer), Check::EveryFile, later)?
        .into_iter()
        .map(|n| n.text)
        .collect();
    texts.sort();
    Ok(texts)
}

pub(super) fn rewrite_in_place(path: &Path, f: impl FnOnce(&mut serde_json::Value)) {
    let mut v: serde_json::Value = serde_json::from_slice(&std::fs::read(path).unwrap()).unwrap();
    f(&mut v);
    let mut file = std::fs::OpenOptions::new()
        .write(true)
        .truncate(true)
        .open(path)
        .unwrap();
    std::io::Write::write_all(&mut file, &serde_json::to_vec(&v).unwrap()).unwrap();
}

#[test]
fn the_index_holds_no_other_partners_private_text_and_is_used_while_files_are_unchanged() {
    let data = tempfile::tempdir().unwrap();
    let cache = tempfile::tempdir().unwrap();
    let store = Store::new(data.path());
    let idx = path(cache.path(), &store);
    let (shared, _) = shared_and_private(&store);
    assert_eq!(list(&store, &idx, "ppp2").unwrap(), ["a shared need"]);
    let text = std::fs::read_to_string(&idx).unwrap();
    assert!(!text.contains("secret"), "{text}");
    assert_eq!(
        list(&store, &idx, "ppp1").unwrap(),
        ["a shared need", "p1's own secret"]
    );
    assert!(!std::fs::read_to_string(&idx).unwrap().contains("secret"));

    // While the file is unchanged, the index is what is read.
    let planted = text.replace("a shared need", "from the index");
    std::fs::write(&idx, planted).unwrap();
    assert_eq!(list(&store, &idx, "ppp2").unwrap(), ["from the index"]);
    let _ = shared;
}

#[test]
fn a_file_rewritten_in_place_damaged_or_made_private_is_seen_at_once() {
    let data = tempfile::tempdir().unwrap();
    let cache = tempfile::tempdir().unwrap();
    let store = Store::new(data.path());
    let idx = path(cache.path(), &store);
    let (shared, _) = shared_and_private(&store);
    let file = data.path().join(needs::path(&shared.id));
    assert_eq!(list(&store, &idx, "ppp1").unwrap().len(), 2);

    rewrite_in_place(&file, |v| v["text"] = "a shared neeD".into());
    assert_eq!(list(&store, &idx, "ppp1").unwrap()[0], "a shared neeD");

    rewrite_in_place(&file, |v| v["private"] = true.into());
    assert_eq!(list(&store, &idx, "ppp1").unwrap(), ["p1's own secret"]);
    assert_eq!(list(&store, &idx, "ppp2").unwrap(), ["a shared neeD"]);

    // Damaged: left out and named, the other need still listed.
    std::fs::write(&file, b"{\"version\": 1, \"id\": ").unwrap();
    assert_eq!(list(&store, &idx, "ppp1").unwrap(), ["p1's own secret"]);
    let noted = store.take_left_out();
    assert!(
        noted
            .iter()
            .any(|m| m.contains(&format!("{}.json", shared.id))),
        "{noted:?}"
    );
}

/// Sets the needs folder's modification time an hour back, as if nothing had been added,
/// removed or replaced there for a while.
fn settle_folder(store: &Store) {
    let past = SystemTime::now() - Duration::from_secs(3600);
    std::fs::File::open(store.path(needs::DIR))
        .unwrap()
        .set_modified(past)
        .unwrap();
}

#[test]
fn due_reviews_look_only_at_due_files_while_the_folder_is_unchanged() {
    let data = tempfile::tempdir().unwrap();
    let cache = tempfile::tempdir().unwrap();
    let store = Store::new(data.path());
    let idx = path(cache.path(), &store);
    let (shared, private) = shared_and_private(&store);
    let day = NaiveDate::from_ymd_opt(2026, 4, 1).unwrap();
    let due_one = needs::change(
        &store,
        &shared.id,
        &shared.owner,
        day,
        chrono::Utc::now(),
        |n| {
            n.status = Status::Agreed;
            n.review = Some(day);
            Ok(String::new())
        },
    )
    .unwrap();
    let third = Need::open(
        &"ppp2".parse().unwrap(),
        "not due yet".into(),
        "other".into(),
        None,
        Importance::Low,
        false,
        day,
    );
    let third = needs::add(&store, third, chrono::Utc::now()).unwrap();
    settle_folder(&store);
    let later = SystemTime::now() + Duration::from_secs(10);
    let due = |viewer: &str| -> Vec<String> {
        let mut v: Vec<String> =
            list_at(&store, Some(&idx), Some(viewer), Check::DueOn(day), later)
                .unwrap()
                .into_iter()
                .filter(|n| n.due(day))
                .map(|n| n.text)
                .collect();
        v.sort();
        v
    };
    assert_eq!(
        list(&store, &idx, "ppp2").unwrap(),
        ["a shared need", "not due yet"]
    );
    assert_eq!(due("ppp2"), ["a shared need"]);
    // `couple today`'s list: the due needs only, with their prefixes among all the needs
    // the viewer sees, as the full listing gives them.
    for viewer in ["ppp1", "ppp2"] {
        let full = list_at(&store, Some(&idx), Some(viewer), Check::EveryFile, later).unwrap();
        let expected: Vec<(String, Need)> = needs::visible(full, Some(viewer))
            .into_iter()
            .filter(|(_, n)| n.due(day))
            .collect();
        let got = due_at(&store, Some(&idx), Some(viewer), day, later).unwrap();
        assert_eq!(got, expected);
        assert_eq!(got.len(), 1);
    }
    assert!(!line::parse(&line::line(&third)).unwrap().due(day));
    assert!(line::parse(&line::line(&due_one)).unwrap().due(day));

    // A due need rewritten in place is seen at once.
    let file = data.path().join(needs::path(&due_one.id));
    rewrite_in_place(&file, |v| v["text"] = "a shared neeD".into());
    assert_eq!(due("ppp2"), ["a shared neeD"]);

    // The viewer's own private need is read from its file: made due in place, it is due.
    let mine = data.path().join(needs::path(&private.id));
    rewrite_in_place(&mine, |v| {
        v["status"] = "agreed".into();
        v["review"] = "2026-03-15".into();
    });
    assert_eq!(due("ppp1"), ["a shared neeD", "p1's own secret"]);
    assert_eq!(
        due("ppp2"),
        ["a shared neeD"],
        "never another's private need"
    );

    // The trade-off: while the folder is unchanged, a need the index says is not due is not
    // looked at, so one made due by rewriting its file in place waits for the next full
    // listing...
    let later_one = data.path().join(needs::path(&third.id));
    rewrite_in_place(&later_one, |v| {
        v["status"] = "agreed".into();
        v["review"] = "2026-03-20".into();
    });
    assert_eq!(due("ppp2"), ["a shared neeD"]);
    assert_eq!(list(&store, &idx, "ppp2").unwrap().len(), 2);
    assert_eq!(due("ppp2"), ["a shared neeD", "not due yet"]);

    // ...or for the folder to change: then every file is looked at again.
    rewrite_in_place(&later_one, |v| v["text"] = "not due yeT".into());
    let fourth = Need::open(
        &"ppp2".parse().unwrap(),
        "a fourth need".into(),
        "other".into(),
        None,
        Importance::Low,
        false,
        day,
    );
    needs::add(&store, fourth, chrono::Utc::now()).unwrap();
    assert_eq!(due("ppp2"), ["a shared neeD", "not due yeT"]);
}

#[test]
fn a_file_is_unchanged_only_while_every_part_of_its_state_is() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("x.json");
    std::fs::write(&file, b"{}").unwrap();
    let m = Stamp::of(&std::fs::symlink_metadata(&file).unwrap());
    let k = m.key();
    assert!(m.is(&k), "{k}");
    let open = std::fs::File::open(dir.path()).unwrap();
    assert_eq!(Stamp::at(&open, dir.path(), "x.json").unwrap(), m);
    // Each of size, modification and change times (seconds and nanoseconds) and inode.
    for i in 0..6 {
        let mut parts: Vec<String> = k.split('.').map(str::to_owned).collect();
        parts[i] = format!("{}1", parts[i]);
        assert!(!m.is(&parts.join(".")), "part {i}");
    }
    for bad in [
        "",
        "1.2.3",
        &format!("{k}.0"),
        &format!("{k}x"),
        &k.replace('.', ","),
    ] {
        assert!(!m.is(bad), "{bad:?}");
    }
}

#[test]
fn fields_and_dates_read_as_the_general_parsers_read_them() {
    for s in [
        "",
        "a",
        "a\tb",
        "\t",
        "a\t\tb\t",
        "ä\tö\t€",
        "no tab at all",
    ] {
        let ours: Vec<&str> = split_at(s, b'\t').collect();
        assert_eq!(ours, s.split('\t').collect::<Vec<_>>(), "{s:?}");
        assert_eq!(split_once(s, b'\t'), s.split_once('\t'), "{s:?}");
    }
    for s in [
        "2026-03-01",
        "2024-02-29",
        "2026-02-29",
        "2026-13-01",
        "0001-01-01",
        "9999-12-31",
        "+10000-01-30",
        "2026-3-01",
        "2026-03-0a",
        "-",
        "",
    ] {
        assert_eq!(date(s), s.parse().ok(), "{s:?}");
    }
}

#[test]
fn thousands_of_files_are_looked_at_on_two_threads_and_a_rewrite_is_seen_at_once() {
    let data = tempfile::tempdir().unwrap();
    let cache = tempfile::tempdir().unwrap();
    let store = Store::new(data.path());
    let idx = path(cache.path(), &store);
    let (shared, _) = shared_and_private(&store);
    let n = TWO_THREADS_FROM + 10;
    let mut last = None;
    for i in 0..n {
        let mut need = shared.clone();
        need.id = format!("many{i:08}").parse().unwrap();
        need.text = format!("need {i}");
        let file = data.path().join(needs::path(&need.id));
        std::fs::write(&file, serde_json::to_vec(&need).unwrap()).unwrap();
        last = Some(file);
    }
    let listed = list(&store, &idx, "ppp2").unwrap();
    assert_eq!(listed.len(), n + 1);
    // Listed again from the index, then one file far down the folder rewritten in place.
    assert_eq!(list(&store, &idx, "ppp2").unwrap(), listed);
    let last = last.unwrap();
    rewrite_in_place(&last, |v| v["text"] = "changed in place".into());
    let again = list(&store, &idx, "ppp2").unwrap();
    assert_eq!(again.len(), n + 1);
    assert!(again.iter().any(|t| t == "changed in place"), "{again:?}");
    // Made private by its owner, ppp2: gone from ppp1's list at once.
    assert_eq!(list(&store, &idx, "ppp1").unwrap().len(), n + 2);
    rewrite_in_place(&last, |v| v["private"] = true.into());
    assert_eq!(list(&store, &idx, "ppp1").unwrap().len(), n + 1);
    assert_eq!(list(&store, &idx, "ppp2").unwrap().len(), n + 1);
}

#[test]
fn a_need_added_with_the_folder_time_put_back_is_seen_at_once() {
    let data = tempfile::tempdir().unwrap();
    let cache = tempfile::tempdir().unwrap();
    let store = Store::new(data.path());
    let idx = path(cache.path(), &store);
    let (shared, _) = shared_and_private(&store);
    let folder = store.path(needs::DIR);
    let before = std::fs::metadata(&folder).unwrap().modified().unwrap();
    assert_eq!(list(&store, &idx, "ppp2").unwrap(), ["a shared need"]);
    assert_eq!(list(&store, &idx, "ppp2").unwrap(), ["a shared need"]);
    // A file slipped in, and the folder's modification time set back as it was: its change
    // time still moved.
    let mut added = shared.clone();
    added.id = "slipped00000".parse().unwrap();
    added.text = "slipped in".into();
    std::fs::write(
        data.path().join(needs::path(&added.id)),
        serde_json::to_vec(&added).unwrap(),
    )
    .unwrap();
    std::fs::File::open(&folder)
        .unwrap()
        .set_modified(before)
        .unwrap();
    assert_eq!(
        std::fs::metadata(&folder).unwrap().modified().unwrap(),
        before
    );
    assert_eq!(
        list(&store, &idx, "ppp2").unwrap(),
        ["a shared need", "slipped in"]
    );
}

#[test]
fn a_damaged_file_and_a_misnamed_one_are_named_on_every_listing() {
    let data = tempfile::tempdir().unwrap();
    let cache = tempfile::tempdir().unwrap();
    let store = Store::new(data.path());
    let idx = path(cache.path(), &store);
    shared_and_private(&store);
    let folder = store.path(needs::DIR);
    std::fs::write(folder.join("damaged00000.json"), b"{\"version\": 1, ").unwrap();
    std::fs::write(folder.join("My Need.json"), b"{}").unwrap();
    for round in 0..3 {
        assert_eq!(list(&store, &idx, "ppp2").unwrap(), ["a shared need"]);
        let noted = store.take_left_out().join("\n");
        for name in ["damaged00000.json", "My Need.json"] {
            assert!(noted.contains(name), "round {round}: {noted}");
        }
    }
    // The index names both, so that an unchanged folder need not be listed again.
    let text = std::fs::read_to_string(&idx).unwrap();
    assert!(text.contains("damaged00000.json\t\tR\n"), "{text}");
    assert!(text.contains("My Need.json\t\tN\n"), "{text}");
}
