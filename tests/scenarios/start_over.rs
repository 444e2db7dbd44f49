//! Starting over on a new device when a key and every copy of it are lost: the device holds no
//! key, so it cannot read the partners' names; it names the key to replace by the fingerprint
//! the other partner's device shows, and no name is written in plain text to do it.

use super::*;
use closer_core::crypto::keyring;
use closer_core::store::Store;
use support::NEEDS;

#[test]
fn a_device_with_no_key_starts_over_by_the_fingerprint_the_other_device_shows() {
    let sb = Sandbox::new();
    let (alex, sam) = two_devices(&sb);
    sam.ok(NEEDS, &["couple", "today"]);
    alex.ok(NEEDS, &["couple", "today"]);
    let s = alex.id_of("Sam");
    let store = Store::new(sb.data());
    let old = keyring::published(&store, &s).unwrap().unwrap();

    // Sam's device, key and every copy are lost. Sam's new device holds no key.
    let new = device(&sb, "sam-new");
    let shown = new.run(NEEDS, &["couple", "keys", "show", "--plain"]);
    let listed = shown.ok();
    assert!(listed.contains(&old.fingerprint()), "{listed}");
    assert!(
        !listed.contains("Sam") && !listed.contains("Alex"),
        "{listed}"
    );
    // The name cannot be read here: said plainly, with the way that works.
    let by_name = new.run(NEEDS, &["couple", "keys", "new", "Sam", "--yes"]);
    assert_eq!(by_name.code, 1, "{}", by_name.stderr);
    assert!(by_name.stderr.contains("fingerprint"), "{}", by_name.stderr);

    // Alex reads Sam's fingerprint off Alex's device; Sam types it here.
    let fp = alex.fingerprint_of("Sam");
    assert_eq!(fp, old.fingerprint());
    let before: Vec<_> = support::tree(&sb.data()).into_keys().collect();
    let run = new.run(NEEDS, &["couple", "keys", "new", &fp, "--yes"]);
    run.ok();
    assert!(run.stderr.contains("couple keys accept"), "{}", run.stderr);
    let made = keyring::published(&store, &s).unwrap().unwrap();
    assert_ne!(made, old);
    assert!(new.config.join(format!("closer/keys/{s}.key")).is_file());
    // Nothing new in the folder but Sam's published keys; no name in plain text anywhere.
    let after = support::tree(&sb.data());
    for (path, bytes) in &after {
        if !before.contains(path) {
            panic!("new file {path}");
        }
        // As a record would hold them (a JSON or TOML string): three bytes alone turn up in
        // ciphertext now and then.
        let text = String::from_utf8_lossy(bytes);
        assert!(
            !text.contains("\"Sam\"") && !text.contains("\"Alex\""),
            "{path}"
        );
    }

    // Alex's device warns until Alex accepts, once they compared fingerprints.
    assert!(
        alex.run(NEEDS, &["--all"])
            .stderr
            .contains("WARNING: Sam's published keys changed")
    );
    alex.ok(NEEDS, &["couple", "keys", "accept", "Sam"]);
    assert!(!alex.run(NEEDS, &["--all"]).stderr.contains("WARNING"));
}

#[test]
fn a_device_holding_a_key_cannot_start_over_for_the_other_by_fingerprint() {
    let sb = Sandbox::new();
    let (alex, _sam) = two_devices(&sb);
    let store = Store::new(sb.data());
    let s = alex.id_of("Sam");
    let fp = keyring::published(&store, &s)
        .unwrap()
        .unwrap()
        .fingerprint();
    let run = alex.run(NEEDS, &["couple", "keys", "new", &fp, "--yes"]);
    assert_ne!(run.code, 0, "{}", run.stderr);
    assert_eq!(
        keyring::published(&store, &s)
            .unwrap()
            .unwrap()
            .fingerprint(),
        fp
    );
}
