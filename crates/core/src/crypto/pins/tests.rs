//! The pins: first sight, changes, deletions, and the keys trusted through all of them.

use super::super::keyring::{DeviceKeys, Published, publish, publish_stating};
use super::super::keys::Keys;
use super::*;

const SAM: &str = "sam000000002";
const ME: &str = "me0000000007";

/// This device holds the key of a partner of the folder (`ME`, who published nothing): a device
/// with no key of the folder pins nothing.
fn holding(store: &Store, config: &Path) -> Keys {
    let k = Keys::generate();
    DeviceKeys::new(config).save(ME, &k, None).unwrap();
    member(store, ME);
    k
}

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
    holding(&store, &config);
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
    holding(&store, &config);
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
    holding(&store, &config);
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
    holding(&store, &config);
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
    holding(&store, &config);
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
    holding(&store, &config);
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

/// Alex's new device (Alex's key held and pinned, nothing else) on a folder where Alex's other
/// device stated Sam's keys, and Sam's published keys were replaced.
fn alex_new_device() -> (tempfile::TempDir, Store, PathBuf, Keys, Keys, Keys) {
    const ALEX: &str = "alex00000001";
    let t = tempfile::tempdir().unwrap();
    let (store, config) = (Store::new(t.path().join("data")), t.path().join("config"));
    let (alex, sam, other) = (Keys::generate(), Keys::generate(), Keys::generate());
    member(&store, ALEX);
    member(&store, SAM);
    let stated: Statement = [(SAM.to_owned(), sam.public())].into();
    publish_stating(&store, ALEX, &alex, &stated).unwrap();
    publish(&store, SAM, &other).unwrap();
    DeviceKeys::new(&config).save(ALEX, &alex, None).unwrap();
    accept_pin(&config, ALEX, &alex.public()).unwrap();
    (t, store, config, alex, sam, other)
}

#[test]
fn on_first_sight_a_device_holding_a_partners_key_takes_the_other_from_their_statement() {
    let (_t, store, config, _, sam, other) = alex_new_device();
    // What Alex's other device pinned for Sam, not what the folder publishes now.
    assert_eq!(trusted(&config, &store, SAM).unwrap(), Some(sam.public()));
    assert_eq!(pinned(&config, SAM).unwrap(), Some(sam.public()));
    // And the change is said, as for any key replaced after it was pinned.
    let changed = Alarm::Changed {
        partner: SAM.into(),
        pinned: sam.public(),
        published: other.public(),
    };
    assert_eq!(watch(&config, &store).unwrap(), [changed]);
}

#[test]
fn the_watch_also_takes_the_statement_on_first_sight() {
    let (_t, store, config, _, sam, other) = alex_new_device();
    assert!(matches!(&watch(&config, &store).unwrap()[..],
        [Alarm::Changed { pinned, published, .. }] if *pinned == sam.public() && *published == other.public()));
    assert_eq!(pinned(&config, SAM).unwrap(), Some(sam.public()));
}

#[test]
fn a_statement_changed_or_taken_out_breaks_the_signature_and_nothing_is_pinned() {
    const ALEX: &str = "alex00000001";
    let (_t, store, config, _, sam, other) = alex_new_device();
    let rel = format!("{PUBLISHED}/{ALEX}.json");
    let real: Published = store.read(&rel).unwrap().unwrap();
    let mut changed = real.clone();
    changed.pinned = Some([(SAM.to_owned(), other.public())].into());
    let mut removed = real.clone();
    removed.pinned = None;
    for forged in [changed, removed] {
        store.write(&rel, &forged).unwrap();
        assert!(trusted(&config, &store, SAM).is_err());
        assert_eq!(pinned(&config, SAM).unwrap(), None);
    }
    store.write(&rel, &real).unwrap();
    assert_eq!(trusted(&config, &store, SAM).unwrap(), Some(sam.public()));
}

#[test]
fn a_device_holding_no_key_of_the_folder_pins_nothing() {
    let t = tempfile::tempdir().unwrap();
    let (store, config) = (Store::new(t.path().join("data")), t.path().join("config"));
    let sam = Keys::generate();
    publish(&store, SAM, &sam).unwrap();
    member(&store, SAM);
    assert_eq!(trusted(&config, &store, SAM).unwrap(), Some(sam.public()));
    assert_eq!(watch(&config, &store).unwrap(), []);
    assert_eq!(pinned(&config, SAM).unwrap(), None);
}

#[test]
fn the_statement_due_names_the_other_partners_of_this_folder_as_pinned() {
    let (_t, store, config, _, sam, _) = alex_new_device();
    const ALEX: &str = "alex00000001";
    // Nothing pinned for Sam yet: nothing to state, which the published statement does not match.
    let due = unstated(&config, &store).unwrap();
    assert_eq!(due, [(ALEX.to_owned(), Statement::new())]);
    trusted(&config, &store, SAM).unwrap();
    let due: Statement = [(SAM.to_owned(), sam.public())].into();
    assert_eq!(statement(&config, &store, ALEX).unwrap(), due);
    assert_eq!(
        unstated(&config, &store).unwrap(),
        [(ALEX.to_owned(), due.clone())]
    );
    mark_stated(&config, &store, ALEX, &due).unwrap();
    assert_eq!(unstated(&config, &store).unwrap(), []);
}
