//! The needs index in an encrypted folder: a private need kept in full (an `O` row) only while
//! its owner's key here has no passphrase, shown only to them, and never trusted over its file.

use super::*;
use crate::crypto::Keys;
use crate::needs;
use crate::needs::{Importance, Status};
use crate::open_cache::OpenCache;
use crate::test_devices::{A, B, Devices, devices};
use chrono::NaiveDate;
use std::sync::Arc;
use std::time::Duration;

fn day() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 4, 1).unwrap()
}

/// Listing as if the files had been written a while ago, so that they are not "racy".
fn later() -> SystemTime {
    SystemTime::now() + Duration::from_secs(10)
}

/// A device on `d`'s folder acting as `acting`, holding the keys of the partners in `open` as
/// a key without a passphrase is held (remembering what it opens in `cache`), and those in
/// `locked` as keys unlocked by their passphrase.
fn device(d: &Devices, cache: &Path, acting: &str, open: &[&str], locked: &[&str]) -> Store {
    let store = Store::new(d.alex.root());
    let mut s = crate::sealing::Sealing::new();
    let keys_of = |p: &str| {
        let k = if p == A { &d.ka } else { &d.kb };
        Keys::from_text(age::secrecy::ExposeSecret::expose_secret(&k.to_text())).unwrap()
    };
    for p in [A, B] {
        let k = if open.contains(&p) {
            let c = OpenCache::new(cache.join("opened").join(p), &keys_of(p).public().age);
            keys_of(p).remembering(Arc::new(c))
        } else if locked.contains(&p) {
            keys_of(p)
        } else {
            s.know(p, keys_of(p).public());
            continue;
        };
        s.hold(p, Arc::new(k));
    }
    s.act_as(acting);
    store.set_sealing(Some(s));
    store
}

/// A need of `owner`'s named `id`, due for review on [`day`] when `due`.
fn write(store: &Store, id: &str, owner: &str, text: &str, private: bool, due: bool) -> Need {
    let mut n = Need::open(
        &owner.parse().unwrap(),
        text.into(),
        "other".into(),
        None,
        Importance::Low,
        private,
        day(),
    );
    n.id = id.parse().unwrap();
    n.version = crate::store::FORMAT_VERSION;
    if due {
        n.status = Status::Talked;
        n.review = Some(day());
    }
    store.ensure_dir(needs::DIR).unwrap();
    store.write(&needs::path(&n.id), &n).unwrap();
    n
}

/// What `viewer` is listed, each need's shortest prefix and text, in ID order.
fn shown(store: &Store, idx: &Path, viewer: &str, check: Check) -> Vec<(String, String)> {
    listed_at(store, Some(idx), Some(viewer), check, later(), |all| {
        let mut v: Vec<(String, String)> = all
            .iter()
            .map(|l| (l.short().to_owned(), l.text().into_owned()))
            .collect();
        v.sort();
        v
    })
    .unwrap()
}

fn due_texts(store: &Store, idx: &Path, viewer: &str) -> Vec<(String, String)> {
    let mut v: Vec<(String, String)> = due_at(store, Some(idx), Some(viewer), day(), later())
        .unwrap()
        .into_iter()
        .map(|(short, n)| (short, n.text))
        .collect();
    v.sort();
    v
}

fn index_text(idx: &Path) -> String {
    std::fs::read_to_string(idx).unwrap()
}

/// The kind of the row naming need `id` ("S", "P", "O" or "R").
fn row_kind(idx: &Path, id: &str) -> String {
    let text = index_text(idx);
    let row = text
        .lines()
        .find(|l| l.starts_with(&format!("{id}.")))
        .unwrap_or_else(|| panic!("no row for {id}: {text}"));
    row.split('\t').nth(2).unwrap().to_owned()
}

/// Sets the needs folder's modification time an hour back.
fn settle_folder(store: &Store) {
    let past = SystemTime::now() - Duration::from_secs(3600);
    std::fs::File::open(store.path(needs::DIR))
        .unwrap()
        .set_modified(past)
        .unwrap();
}

fn overwrite_in_place(file: &Path, bytes: &[u8]) {
    let mut f = std::fs::OpenOptions::new()
        .write(true)
        .truncate(true)
        .open(file)
        .unwrap();
    std::io::Write::write_all(&mut f, bytes).unwrap();
}

#[test]
fn own_private_needs_are_kept_in_full_only_while_their_key_here_is_open() {
    let d = devices();
    let cache = tempfile::tempdir().unwrap();
    let store = device(&d, cache.path(), A, &[A], &[]);
    let due_one = write(&store, "mine00000001", A, "mine, due", true, true);
    write(&store, "mine00000002", A, "mine, later", true, false);
    let idx = path(cache.path(), &store);
    list_at(&store, Some(&idx), Some(A), Check::EveryFile, later()).unwrap();
    assert!(index_text(&idx).contains("mine, due"));
    settle_folder(&store);
    list_at(&store, Some(&idx), Some(A), Check::EveryFile, later()).unwrap();

    // While the folder and the due file are unchanged, no need file is opened.
    store.take_records_read();
    let due = due_at(&store, Some(&idx), Some(A), day(), later()).unwrap();
    assert_eq!(due.len(), 1);
    assert_eq!(due[0].1.id, due_one.id);
    assert!(due[0].1.private);
    assert_eq!(store.take_records_read(), 0);
    // Never shown to anyone else.
    assert!(
        due_at(&store, Some(&idx), Some(B), day(), later())
            .unwrap()
            .is_empty()
    );

    // Once the key needs a passphrase: the index goes, and is written again without them.
    forget_private(&idx, "someone000001").unwrap();
    assert!(idx.exists(), "only for the partner named");
    forget_private(&idx, A).unwrap();
    assert!(!idx.exists());
    let locked = device(&d, cache.path(), A, &[], &[A]);
    list_at(&locked, Some(&idx), Some(A), Check::EveryFile, later()).unwrap();
    let text = index_text(&idx);
    assert!(!text.contains("mine, due"), "{text}");
    let due = due_at(&locked, Some(&idx), Some(A), day(), later()).unwrap();
    assert_eq!(due.len(), 1);
    assert!(locked.take_records_read() > 0);
}

/// Alex's key open here, Sam's held under a passphrase: Alex's private need is kept in full
/// and counts in Alex's prefixes only; Sam's is kept as "private, Sam's".
#[test]
fn a_kept_need_is_shown_only_to_its_owner_and_counts_only_in_their_prefixes() {
    let d = devices();
    let cache = tempfile::tempdir().unwrap();
    let store = device(&d, cache.path(), A, &[A], &[B]);
    let sams = device(&d, cache.path(), B, &[A], &[B]);
    write(&store, "abcdef000001", A, "alex's secret", true, true);
    write(&store, "abcdef000002", A, "a shared need", false, true);
    write(&store, "abcdef000005", A, "alex's later", true, false);
    write(&sams, "zzzz00000003", B, "sam's secret", true, true);
    write(&sams, "zzzz00000004", B, "sam's later", true, false);
    let idx = path(cache.path(), &store);
    let pairs = |v: &[(&str, &str)]| -> Vec<(String, String)> {
        v.iter()
            .map(|(a, b)| ((*a).to_owned(), (*b).to_owned()))
            .collect()
    };
    let alex_due = pairs(&[
        ("abcdef000001", "alex's secret"),
        ("abcdef000002", "a shared need"),
    ]);
    let mut alex_sees = alex_due.clone();
    alex_sees.extend(pairs(&[("abcdef000005", "alex's later")]));
    let sam_due = pairs(&[("abcd", "a shared need"), ("zzzz00000003", "sam's secret")]);
    let mut sam_sees = sam_due.clone();
    sam_sees.extend(pairs(&[("zzzz00000004", "sam's later")]));
    for _ in 0..2 {
        assert_eq!(shown(&store, &idx, A, Check::EveryFile), alex_sees);
        assert_eq!(shown(&store, &idx, B, Check::EveryFile), sam_sees);
    }
    assert_eq!(row_kind(&idx, "abcdef000001"), "O");
    assert_eq!(row_kind(&idx, "zzzz00000003"), "P");
    assert!(!index_text(&idx).contains("sam's"));
    settle_folder(&store);
    assert_eq!(shown(&store, &idx, A, Check::EveryFile), alex_sees);
    // As couple today lists them, from the index as it is.
    store.take_records_read();
    assert_eq!(due_texts(&store, &idx, A), alex_due);
    assert_eq!(store.take_records_read(), 0, "Alex's own from the index");
    assert_eq!(due_texts(&store, &idx, B), sam_due);
    // A day's listing gives only the due ones, with their prefixes among all.
    assert_eq!(shown(&store, &idx, B, Check::DueOn(day())), sam_due);
    assert_eq!(shown(&store, &idx, A, Check::DueOn(day())), alex_due);

    // Both keys open here: each partner's own kept in full, neither shown to the other.
    let both = device(&d, cache.path(), A, &[A, B], &[]);
    assert_eq!(shown(&both, &idx, B, Check::EveryFile), sam_sees);
    assert_eq!(row_kind(&idx, "zzzz00000004"), "O");
    assert_eq!(shown(&both, &idx, A, Check::EveryFile), alex_sees);
    assert_eq!(shown(&both, &idx, B, Check::EveryFile), sam_sees);
    assert_eq!(shown(&both, &idx, A, Check::DueOn(day())), alex_due);
    assert_eq!(shown(&both, &idx, B, Check::DueOn(day())), sam_due);
    assert_eq!(due_texts(&both, &idx, A), alex_due);
    assert_eq!(due_texts(&both, &idx, B), sam_due);
}

/// An `O` row left in the index (not removed when the key got its passphrase) is not trusted:
/// the need is read from its file and kept as "private, whose" from then on.
#[test]
fn a_kept_need_whose_owners_key_got_a_passphrase_is_read_again_and_kept_as_private() {
    for check in [Check::EveryFile, Check::DueOn(day())] {
        let d = devices();
        let cache = tempfile::tempdir().unwrap();
        let open = device(&d, cache.path(), A, &[A], &[]);
        write(&open, "mine00000001", A, "mine, due", true, true);
        write(&open, "mine00000002", A, "mine, later", true, false);
        let idx = path(cache.path(), &open);
        shown(&open, &idx, A, Check::EveryFile);
        settle_folder(&open);
        shown(&open, &idx, A, Check::EveryFile);
        assert_eq!(row_kind(&idx, "mine00000002"), "O");

        let locked = device(&d, cache.path(), A, &[], &[A]);
        locked.take_records_read();
        let got: Vec<String> = shown(&locked, &idx, A, check)
            .into_iter()
            .map(|(_, t)| t)
            .collect();
        let expected: &[&str] = match check {
            Check::EveryFile => &["mine, due", "mine, later"],
            _ => &["mine, due"],
        };
        assert_eq!(got, expected, "{check:?}");
        assert_eq!(locked.take_records_read(), 2, "{check:?}");
        let text = index_text(&idx);
        assert!(!text.contains("mine, "), "{check:?}: {text}");
        assert_eq!(row_kind(&idx, "mine00000001"), "P");
        assert_eq!(row_kind(&idx, "mine00000002"), "P");
        // And nothing is shown to Sam, on a device with no key of Alex's open.
        assert!(shown(&locked, &idx, B, check).is_empty());
    }
}

#[test]
fn a_private_need_of_the_viewers_is_kept_in_full_once_their_key_here_is_open() {
    let d = devices();
    let cache = tempfile::tempdir().unwrap();
    let locked = device(&d, cache.path(), A, &[], &[A]);
    write(&locked, "mine00000001", A, "mine, due", true, true);
    let idx = path(cache.path(), &locked);
    shown(&locked, &idx, A, Check::EveryFile);
    assert_eq!(row_kind(&idx, "mine00000001"), "P");
    assert!(!index_text(&idx).contains("mine, due"));
    // Sam listing on a device where Alex's key is open keeps it as it is.
    let open = device(&d, cache.path(), A, &[A], &[]);
    assert!(shown(&open, &idx, B, Check::EveryFile).is_empty());
    assert_eq!(row_kind(&idx, "mine00000001"), "P");

    shown(&open, &idx, A, Check::EveryFile);
    assert_eq!(row_kind(&idx, "mine00000001"), "O");
    assert!(index_text(&idx).contains("mine, due"));
    open.take_records_read();
    let got = shown(&open, &idx, A, Check::EveryFile);
    assert_eq!(got, [("mine".to_owned(), "mine, due".to_owned())]);
    assert_eq!(open.take_records_read(), 0);
}

/// A kept need's file rewritten in place (an older copy put back), made shared and private
/// again in place, or damaged: each seen at the next listing.
#[test]
fn a_kept_need_rewritten_in_place_damaged_or_with_its_privacy_changed_is_seen_at_once() {
    let d = devices();
    let cache = tempfile::tempdir().unwrap();
    let store = device(&d, cache.path(), A, &[A], &[]);
    let idx = path(cache.path(), &store);
    let file = |id: &str| store.root().join(format!("needs/{id}.age"));
    let texts = |viewer: &str| -> Vec<String> {
        shown(&store, &idx, viewer, Check::EveryFile)
            .into_iter()
            .map(|(_, t)| t)
            .collect()
    };
    let mine = write(&store, "mine00000001", A, "first words", true, false);
    let first = std::fs::read(file("mine00000001")).unwrap();
    let mut shared = mine.clone();
    shared.private = false;
    shared.text = "said to both".into();
    store.write(&needs::path(&mine.id), &shared).unwrap();
    let said = std::fs::read(file("mine00000001")).unwrap();
    write(&store, "mine00000001", A, "second words", true, false);
    let kept = std::fs::read(file("mine00000001")).unwrap();
    write(&store, "both00000002", A, "a shared need", false, false);
    assert_eq!(texts(A), ["a shared need", "second words"]);
    assert_eq!(texts(A), ["a shared need", "second words"]);
    assert_eq!(row_kind(&idx, "mine00000001"), "O");

    overwrite_in_place(&file("mine00000001"), &first);
    assert_eq!(texts(A), ["a shared need", "first words"]);
    assert_eq!(row_kind(&idx, "mine00000001"), "O");

    // Made shared: shown to Sam too.
    overwrite_in_place(&file("mine00000001"), &said);
    assert_eq!(texts(B), ["a shared need", "said to both"]);
    assert_eq!(row_kind(&idx, "mine00000001"), "S");

    // Made private again in place: gone from Sam's list at once.
    overwrite_in_place(&file("mine00000001"), &kept);
    assert_eq!(texts(B), ["a shared need"]);
    assert_eq!(texts(A), ["a shared need", "second words"]);
    assert_eq!(row_kind(&idx, "mine00000001"), "O");

    // Damaged: left out and named, nothing of it kept.
    overwrite_in_place(
        &file("mine00000001"),
        b"age-encryption.org/v1\n-> X25519 broken",
    );
    store.take_left_out();
    assert_eq!(texts(A), ["a shared need"]);
    let noted = store.take_left_out();
    assert!(
        noted.iter().any(|m| m.contains("mine00000001")),
        "{noted:?}"
    );
    assert_eq!(row_kind(&idx, "mine00000001"), "R");
    assert!(!index_text(&idx).contains("second words"));
}

/// Lists once, so that the index is written, then again once the folder has settled: the
/// index as a device has it after a while.
fn indexed(store: &Store, idx: &Path) {
    list_at(store, Some(idx), Some(A), Check::EveryFile, later()).unwrap();
    settle_folder(store);
    list_at(store, Some(idx), Some(A), Check::EveryFile, later()).unwrap();
}

/// The first `n` needs due for `viewer`, as `couple today` takes them (through the memo while
/// it holds): each text and whether it is private, and how many are due.
fn due_first(store: &Store, idx: &Path, viewer: &str, n: usize) -> (Vec<(String, bool)>, usize) {
    let (first, count) =
        super::due_memo::due_first_at(store, Some(idx), Some(viewer), day(), n, later()).unwrap();
    let first = first
        .into_iter()
        .map(|(_, n)| (n.text, n.private))
        .collect();
    (first, count)
}

/// In an encrypted folder the day's first due reviews are kept beside the index as in a plain
/// one (they hold nothing the index does not): a run while nothing changed takes them from the
/// memo and opens no need file; a need changed in place is read again at once; the memo goes
/// with the index once no key here is open.
#[test]
fn in_an_encrypted_folder_the_due_memo_is_used_and_goes_with_the_index() {
    let d = devices();
    let cache = tempfile::tempdir().unwrap();
    let store = device(&d, cache.path(), A, &[A], &[]);
    write(&store, "shared000001", A, "a shared need", false, true);
    write(&store, "shared000002", A, "another one", false, true);
    let idx = path(cache.path(), &store);
    indexed(&store, &idx);
    let due = |store: &Store| -> (Vec<String>, usize) {
        let (first, count) = due_first(store, &idx, A, 1);
        (first.into_iter().map(|(text, _)| text).collect(), count)
    };
    assert_eq!(due(&store), (vec!["a shared need".to_owned()], 2));
    let memo = super::due_memo::path(&idx);
    let text = std::fs::read_to_string(&memo).expect("the memo is written");
    // What a second run shows is the memo's: its count, as it was made to say here.
    std::fs::write(&memo, text.replacen("\n2\n", "\n3\n", 1)).unwrap();
    store.take_records_read();
    assert_eq!(due(&store), (vec!["a shared need".to_owned()], 3));
    assert_eq!(store.take_records_read(), 0);
    // The need named rewritten in place: read again at once.
    let file = store.path("needs/shared000001.age");
    let before = std::fs::read(&file).unwrap();
    let mut n: Need = store
        .read(&needs::path(&"shared000001".parse().unwrap()))
        .unwrap()
        .unwrap();
    n.text = "changed words".into();
    store.write(&needs::path(&n.id), &n).unwrap();
    let changed = std::fs::read(&file).unwrap();
    overwrite_in_place(&file, &before);
    settle_folder(&store);
    list_at(&store, Some(&idx), Some(A), Check::EveryFile, later()).unwrap();
    assert_eq!(due(&store), (vec!["a shared need".to_owned()], 2));
    assert!(memo.exists());
    overwrite_in_place(&file, &changed);
    assert_eq!(due(&store), (vec!["changed words".to_owned()], 2));
    // No open key here any more: the index goes, and the memo with it.
    forget_private(&idx, A).unwrap();
    super::remove(&idx);
    assert!(!memo.exists());
}

/// A private need of the viewer's, kept in full in the index while their key here is open, is
/// kept in the memo too, for them alone: once their key has a passphrase the memo goes, and a
/// memo naming it is never used for anyone else or once the key is no longer open here.
#[test]
fn the_due_memo_keeps_the_viewers_own_private_need_only_while_their_key_is_open() {
    let d = devices();
    let cache = tempfile::tempdir().unwrap();
    let store = device(&d, cache.path(), A, &[A], &[]);
    write(&store, "mine00000001", A, "mine, due", true, true);
    write(&store, "shared000002", A, "a shared need", false, true);
    let idx = path(cache.path(), &store);
    indexed(&store, &idx);
    let due = |store: &Store, viewer: &str| due_first(store, &idx, viewer, 5);
    let alex_sees = (
        vec![
            ("mine, due".to_owned(), true),
            ("a shared need".to_owned(), false),
        ],
        2,
    );
    assert_eq!(due(&store, A), alex_sees);
    let memo = super::due_memo::path(&idx);
    let text = std::fs::read_to_string(&memo).expect("the memo is written");
    assert!(text.contains("mine, due"), "{text}");
    store.take_records_read();
    assert_eq!(due(&store, A), alex_sees, "taken from the memo");
    assert_eq!(store.take_records_read(), 0);

    // Another viewer is never given it, even from a memo made to name them.
    let for_sam = text.replacen(&format!("\n{A}\n"), &format!("\n{B}\n"), 1);
    assert_ne!(for_sam, text);
    std::fs::write(&memo, &for_sam).unwrap();
    let sams = device(&d, cache.path(), B, &[A], &[B]);
    assert_eq!(
        due(&sams, B),
        (vec![("a shared need".to_owned(), false)], 1)
    );

    // Alex's key here under a passphrase: the memo is not used, and goes with the private rows.
    std::fs::write(&memo, &text).unwrap();
    let locked = device(&d, cache.path(), A, &[], &[A]);
    assert_eq!(due(&locked, A), alex_sees);
    assert!(
        locked.take_records_read() > 0,
        "read from its file, not the memo"
    );
    std::fs::write(&memo, &text).unwrap();
    forget_private(&idx, A).unwrap();
    assert!(!memo.exists());
}
