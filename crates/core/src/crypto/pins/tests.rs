//! The pins: first sight, changes, deletions, and the keys trusted through all of them.

use super::super::keyring::{Published, publish};
use super::super::keys::Keys;
use super::*;

const SAM: &str = "sam000000002";

#[test]
fn the_other_partners_keys_are_pinned_on_first_sight_and_a_change_is_noticed() {
    let t = tempfile::tempdir().unwrap();
    let config = t.path().join("config");
    let (first, other) = (Keys::generate().public(), Keys::generate().public());
    assert_eq!(check_pin(&config, SAM, &first).unwrap(), Pin::New);
    assert_eq!(check_pin(&config, SAM, &first).unwrap(), Pin::Same);
    assert_eq!(
        check_pin(&config, SAM, &other).unwrap(),
        Pin::Changed {
            pinned: first.clone()
        }
    );
    // Still changed until accepted: a second look does not quietly pin the new keys.
    assert!(matches!(
        check_pin(&config, SAM, &other).unwrap(),
        Pin::Changed { .. }
    ));
    accept_pin(&config, SAM, &other).unwrap();
    assert_eq!(check_pin(&config, SAM, &other).unwrap(), Pin::Same);
}

#[test]
fn the_watch_pins_first_sights_and_raises_a_change_on_every_look_until_accepted() {
    let t = tempfile::tempdir().unwrap();
    let (store, config) = (Store::new(t.path().join("data")), t.path().join("config"));
    assert_eq!(watch(&config, &store).unwrap(), []);
    let (first, second) = (Keys::generate(), Keys::generate());
    publish(&store, SAM, &first).unwrap();
    assert_eq!(watch(&config, &store).unwrap(), []);
    assert_eq!(pinned(&config, SAM).unwrap(), Some(first.public()));
    assert_eq!(watch(&config, &store).unwrap(), [], "nothing new");
    publish(&store, SAM, &second).unwrap();
    let changed = Alarm::Changed {
        partner: SAM.into(),
        pinned: first.public(),
        published: second.public(),
    };
    assert_eq!(watch(&config, &store).unwrap(), [changed]);
    assert_eq!(watch(&config, &store).unwrap().len(), 1, "said again");
    accept_pin(&config, SAM, &second.public()).unwrap();
    assert_eq!(watch(&config, &store).unwrap(), []);
    // A forged file (not signed by the key it carries) is an alarm, not a pin.
    let rel = format!("{PUBLISHED}/{SAM}.json");
    let text = std::fs::read_to_string(store.path(&rel)).unwrap();
    let forged = text.replace(&second.public().age, &first.public().age);
    std::fs::write(store.path(&rel), forged).unwrap();
    assert!(matches!(
        watch(&config, &store).unwrap()[..],
        [Alarm::Unreadable { .. }]
    ));
    assert_eq!(pinned(&config, SAM).unwrap(), Some(second.public()));
}

#[test]
fn an_unchanged_published_file_is_not_read_again() {
    let t = tempfile::tempdir().unwrap();
    let (store, config) = (Store::new(t.path().join("data")), t.path().join("config"));
    publish(&store, SAM, &Keys::generate()).unwrap();
    watch(&config, &store).unwrap();
    // Damage the file, then tell the pins it was last seen as it is now: a watch that read
    // it would raise an alarm; one that trusts the stamp does not open it.
    let path = store.path(&format!("{PUBLISHED}/{SAM}.json"));
    std::fs::write(&path, b"damaged").unwrap();
    assert_eq!(watch(&config, &store).unwrap().len(), 1);
    let mut pins = load(&config).unwrap();
    let stamp = Stamp::of(&std::fs::metadata(&path).unwrap());
    pins.seen.insert(SAM.into(), stamp);
    save(&config, &mut pins).unwrap();
    assert_eq!(watch(&config, &store).unwrap(), []);
}

/// A partner file for `partner` in `store`, as `couple add` leaves it (sealed or not, only its
/// name matters here).
fn member(store: &Store, partner: &str) {
    store.ensure_dir("partners").unwrap();
    std::fs::write(store.plain_path(&format!("partners/{partner}.age")), b"x").unwrap();
}

#[test]
fn the_pinned_keys_stay_trusted_when_the_published_ones_are_replaced_forged_or_deleted() {
    let t = tempfile::tempdir().unwrap();
    let (store, config) = (Store::new(t.path().join("data")), t.path().join("config"));
    assert_eq!(trusted(&config, &store, SAM).unwrap(), None);
    let (real, other) = (Keys::generate(), Keys::generate());
    publish(&store, SAM, &real).unwrap();
    // First sight: the published keys, pinned.
    assert_eq!(trusted(&config, &store, SAM).unwrap(), Some(real.public()));
    assert_eq!(pinned(&config, SAM).unwrap(), Some(real.public()));
    // Replaced by someone who can write into the folder: the pinned keys, still.
    publish(&store, SAM, &other).unwrap();
    assert_eq!(trusted(&config, &store, SAM).unwrap(), Some(real.public()));
    let rel = format!("{PUBLISHED}/{SAM}.json");
    std::fs::write(store.path(&rel), b"{ damaged").unwrap();
    assert_eq!(trusted(&config, &store, SAM).unwrap(), Some(real.public()));
    std::fs::remove_file(store.path(&rel)).unwrap();
    assert_eq!(trusted(&config, &store, SAM).unwrap(), Some(real.public()));
    // Until the partners compared fingerprints and this device accepted the new ones.
    publish(&store, SAM, &other).unwrap();
    accept_pin(&config, SAM, &other.public()).unwrap();
    assert_eq!(trusted(&config, &store, SAM).unwrap(), Some(other.public()));
}

#[test]
fn every_partner_of_the_folder_is_trusted_by_pin_and_a_pin_of_another_folder_is_not_used() {
    let t = tempfile::tempdir().unwrap();
    let (store, config) = (Store::new(t.path().join("data")), t.path().join("config"));
    const ALEX: &str = "alex00000001";
    const ELSEWHERE: &str = "kim000000003";
    let (alex, sam, kim) = (Keys::generate(), Keys::generate(), Keys::generate());
    publish(&store, ALEX, &alex).unwrap();
    publish(&store, SAM, &sam).unwrap();
    member(&store, ALEX);
    member(&store, SAM);
    // Pinned from another data folder this device also uses.
    accept_pin(&config, ELSEWHERE, &kim.public()).unwrap();
    let all = trusted_all(&config, &store).unwrap();
    assert_eq!(all.keys.keys().collect::<Vec<_>>(), [ALEX, SAM]);
    // Sam's published file deleted and Alex's replaced: the pins are used for both.
    std::fs::remove_file(store.path(&format!("{PUBLISHED}/{SAM}.json"))).unwrap();
    publish(&store, ALEX, &kim).unwrap();
    let all = trusted_all(&config, &store).unwrap();
    assert_eq!(all.keys.get(SAM), Some(&sam.public()));
    assert_eq!(all.keys.get(ALEX), Some(&alex.public()));
    assert!(!all.keys.contains_key(ELSEWHERE));
    // Forged keys of a partner nothing is pinned for are said, not trusted.
    let rel = format!("{PUBLISHED}/{ELSEWHERE}.json");
    publish(&store, ELSEWHERE, &kim).unwrap();
    let mut forged: Published = store.read(&rel).unwrap().unwrap();
    forged.keys.age = sam.public().age;
    store.write(&rel, &forged).unwrap();
    let t2 = tempfile::tempdir().unwrap();
    let all = trusted_all(t2.path(), &store).unwrap();
    assert!(!all.keys.contains_key(ELSEWHERE));
    assert_eq!(all.unreadable.len(), 1);
}

#[test]
fn a_deleted_published_key_of_a_partner_of_this_folder_is_an_alarm_on_every_look() {
    let t = tempfile::tempdir().unwrap();
    let (store, config) = (Store::new(t.path().join("data")), t.path().join("config"));
    let sam = Keys::generate();
    publish(&store, SAM, &sam).unwrap();
    member(&store, SAM);
    // A pin of another folder's partner is no alarm here.
    accept_pin(&config, "kim000000003", &Keys::generate().public()).unwrap();
    assert_eq!(watch(&config, &store).unwrap(), []);
    let missing = Alarm::Missing {
        partner: SAM.into(),
        pinned: sam.public(),
    };
    std::fs::remove_file(store.path(&format!("{PUBLISHED}/{SAM}.json"))).unwrap();
    assert_eq!(watch(&config, &store).unwrap(), [missing]);
    // The whole folder of published keys gone: said again.
    std::fs::remove_dir(store.path(PUBLISHED)).unwrap();
    assert_eq!(watch(&config, &store).unwrap().len(), 1);
    assert_eq!(pinned(&config, SAM).unwrap(), Some(sam.public()));
    publish(&store, SAM, &sam).unwrap();
    assert_eq!(watch(&config, &store).unwrap(), []);
}

#[test]
fn keys_published_for_a_third_partner_are_not_taken_once_two_are_pinned() {
    let t = tempfile::tempdir().unwrap();
    let (store, config) = (Store::new(t.path().join("data")), t.path().join("config"));
    const ALEX: &str = "alex00000001";
    const EVIL: &str = "evil00000009";
    for (p, k) in [(ALEX, Keys::generate()), (SAM, Keys::generate())] {
        publish(&store, p, &k).unwrap();
        member(&store, p);
    }
    assert_eq!(trusted_all(&config, &store).unwrap().keys.len(), 2);
    // Someone who can write into the folder adds a "partner" with keys of their own.
    publish(&store, EVIL, &Keys::generate()).unwrap();
    member(&store, EVIL);
    let all = trusted_all(&config, &store).unwrap();
    assert_eq!(all.keys.keys().collect::<Vec<_>>(), [ALEX, SAM]);
    assert_eq!(all.unreadable.len(), 1);
    assert_eq!(pinned(&config, EVIL).unwrap(), None);
    // Nor by the watch of every run, which says so instead.
    assert!(matches!(
        &watch(&config, &store).unwrap()[..],
        [Alarm::Unreadable { partner, .. }] if partner == EVIL
    ));
    assert_eq!(pinned(&config, EVIL).unwrap(), None);
    assert!(
        !trusted_all(&config, &store)
            .unwrap()
            .keys
            .contains_key(EVIL)
    );
    // A partner who left (their partner file gone) makes room for a new one.
    std::fs::remove_file(store.plain_path(&format!("partners/{SAM}.age"))).unwrap();
    assert!(
        trusted_all(&config, &store)
            .unwrap()
            .keys
            .contains_key(EVIL)
    );
}
