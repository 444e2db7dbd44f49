//! First sight of a partner's keys on a new device of the other partner: checked against what
//! that partner's own devices pinned and signed, so a key replaced in the folder is not trusted
//! just because the device is new.

use super::*;
use closer_core::crypto::keyring;
use closer_core::crypto::{CryptoError, Keys, PublicKeys, seal};
use closer_core::store::Store;
use support::NEEDS;

/// Alex and Sam on their two devices, each having pinned the other's keys, with a need of Sam's
/// shared to both; and Alex's recovery key.
fn settled(sb: &Sandbox) -> (Device<'_>, Device<'_>, String) {
    let (alex, sam) = two_devices(sb);
    sam.ok(NEEDS, &["couple", "today"]);
    alex.ok(NEEDS, &["couple", "today"]);
    sam.ok(NEEDS, &["add", "A walk after dinner"]);
    alex.ok(NEEDS, &["--all"]);
    let recovery = alex.ok(NEEDS, &["couple", "keys", "recovery"]);
    (alex, sam, recovery)
}

/// Alex's new device: a copy of the folder, and Alex's key from the recovery key.
fn alex_recovers(sb: &Sandbox, recovery: &str) -> Sandbox {
    let new = Sandbox::new();
    support::copy_dir(&sb.data(), &new.data());
    let typed = format!("{}\r", recovery.trim());
    let said = new.on_terminal(
        NEEDS,
        &["couple", "keys", "recover"],
        &[("recovery key", &typed)],
    );
    assert!(said.contains("Alex's key is on this device now"), "{said}");
    new
}

/// What `new` pinned for partner `id`.
fn pinned(new: &Sandbox, id: &str) -> Option<PublicKeys> {
    let text = std::fs::read_to_string(new.home().join(".config/closer/pins.json")).ok()?;
    serde_json::from_value(json(&text)["partners"][id].clone()).ok()
}

#[test]
fn a_new_device_does_not_trust_keys_put_in_the_folder_by_someone_without_a_key() {
    let sb = Sandbox::new();
    let (_alex, sam, recovery) = settled(&sb);
    let s = sam.id_of("Sam");
    let store = Store::new(sb.data());
    let real_sam = keyring::published(&store, &s).unwrap().unwrap();

    // Someone who can write into the folder, and holds no key, publishes their own key as Sam's.
    let mallory = Keys::generate();
    keyring::publish(&store, &s, &mallory).unwrap();

    let new = alex_recovers(&sb, &recovery);
    let run = new.run(NEEDS, &["--all"]);
    // The new device takes Sam's keys from what Alex's device pinned and signed: Sam's real
    // records are believed, and the replacement is said loudly, with what to do.
    assert!(run.ok().contains("A walk after dinner"), "{}", run.stderr);
    assert!(
        run.stderr.contains("WARNING: Sam's published keys")
            && run.stderr.contains("in person")
            && run.stderr.contains("couple keys accept Sam"),
        "{}",
        run.stderr
    );
    assert_eq!(pinned(&new, &s), Some(real_sam.clone()));

    // Nothing the new device writes for both is encrypted to the replacement.
    new.ok(NEEDS, &["add", "Help with buttons on stiff mornings"]);
    let dir = new.data().join("needs");
    let mut sealed = 0;
    for e in std::fs::read_dir(&dir).unwrap().flatten() {
        if e.path().extension().is_none_or(|x| x != "age") {
            continue;
        }
        let bytes = std::fs::read(e.path()).unwrap();
        let name = e.file_name().into_string().unwrap();
        let place = format!("needs/{}", name.trim_end_matches(".age"));
        assert!(
            matches!(
                seal::open(&mallory, &bytes, &place, |_| None),
                Err(CryptoError::NotForYou)
            ),
            "{place} was encrypted to the replaced key"
        );
        sealed += 1;
    }
    assert_eq!(sealed, 2);
}

#[test]
fn a_statement_changed_or_taken_out_of_the_folder_is_not_believed() {
    let sb = Sandbox::new();
    let (alex, sam, recovery) = settled(&sb);
    let (a, s) = (alex.id_of("Alex"), sam.id_of("Sam"));
    let store = Store::new(sb.data());
    let mallory = Keys::generate();
    let alex_file = sb.data().join(format!("keys/{a}.json"));
    let text = std::fs::read_to_string(&alex_file).unwrap();
    let sam_age = keyring::published(&store, &s).unwrap().unwrap().age;
    assert!(text.contains(&sam_age), "Alex's device states Sam's keys");
    keyring::publish(&store, &s, &mallory).unwrap();

    // The writer puts the replacement into Alex's statement, or takes Sam out of it.
    let mut v = json(&text);
    let changed = text.replace(&sam_age, &mallory.public().age);
    v.as_object_mut().unwrap().remove("pinned");
    let removed = serde_json::to_string(&v).unwrap();
    for forged in [changed, removed] {
        std::fs::write(&alex_file, &forged).unwrap();
        let new = Sandbox::new();
        support::copy_dir(&sb.data(), &new.data());
        let typed = format!("{}\r", recovery.trim());
        // Alex's published keys no longer check out: the recovery key is refused, and says why.
        let (said, ok) = new.on_terminal_ending(
            NEEDS,
            &["couple", "keys", "recover"],
            &[("recovery key", &typed)],
        );
        assert!(!ok && said.contains("cannot be checked"), "{said}");
        new.run(NEEDS, &["--all"]);
        assert_eq!(pinned(&new, &s), None, "{forged}");
    }
}

#[test]
fn a_partners_real_new_key_waits_on_a_new_device_until_accepted() {
    let sb = Sandbox::new();
    let (_alex, sam, recovery) = settled(&sb);
    let s = sam.id_of("Sam");
    // Sam really lost their key and made a new one.
    sam.ok(NEEDS, &["couple", "keys", "new", "Sam", "--yes"]);
    let store = Store::new(sb.data());
    let new_sam = keyring::published(&store, &s).unwrap().unwrap();

    let new = alex_recovers(&sb, &recovery);
    let run = new.run(NEEDS, &["--all"]);
    assert!(
        run.stderr.contains("WARNING: Sam's published keys"),
        "{}",
        run.stderr
    );
    assert_ne!(pinned(&new, &s), Some(new_sam.clone()));
    // Once they compared fingerprints in person, Alex accepts it.
    new.ok(NEEDS, &["couple", "keys", "accept", "Sam"]);
    assert_eq!(pinned(&new, &s), Some(new_sam));
    assert!(!new.run(NEEDS, &["--all"]).stderr.contains("WARNING"));
}
