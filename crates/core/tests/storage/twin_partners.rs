//! A partner set up on both devices before their first sync: `doctor` keeps the one the device
//! running it is used by, moves every record of the other (its own opt-in and private debriefs
//! too), takes away its published keys and leaves a forwarding record for the device that used
//! it.

use super::*;
use closer_core::store::Store;
use closer_core::{doctor, moved, own_facts, profile};
use std::time::SystemTime;

fn partner_file(store: &Store, id: &str, name: &str) {
    let p = serde_json::json!({"version": 1, "id": id, "name": name, "conditions": [],
        "sexual": false, "added": "2026-03-02"});
    store.ensure_dir("partners").unwrap();
    fs::write(
        store.path(&format!("partners/{id}.json")),
        serde_json::to_vec(&p).unwrap(),
    )
    .unwrap();
}

#[test]
fn the_twin_this_device_uses_stays_and_the_other_leaves_a_forwarding_record() {
    let t = tempfile::tempdir().unwrap();
    let store = Store::new(t.path());
    let (first, second) = (id("sama00000001"), id("samb00000002"));
    partner_file(&store, first.as_str(), "Sam");
    partner_file(&store, second.as_str(), "Sam");
    for dir in ["keys", "optin"] {
        store.ensure_dir(dir).unwrap();
    }
    fs::write(store.path(&format!("keys/{first}.json")), b"{}").unwrap();
    let optin = |who: &closer_core::ids::Id, sexual: bool| serde_json::json!({"version": 1, "partner": who, "sexual": sexual});
    fs::write(
        store.path(&own_facts::optin_path(&first)),
        serde_json::to_vec(&optin(&first, true)).unwrap(),
    )
    .unwrap();

    // Without a device to keep, the smaller ID would stay; this device uses the other one.
    let device = doctor::ThisDevice {
        partner: Some(&second),
        keys: &[],
        removed_here: None,
    };
    let r = doctor::run_remembering(&store, SystemTime::now(), None, device).unwrap();
    assert_eq!(
        r.partners,
        [("Sam".to_owned(), first.to_string(), second.to_string())]
    );
    let couple = profile::Couple::load(&store).unwrap();
    let ids: Vec<&str> = couple.partners.iter().map(|p| p.id.as_str()).collect();
    assert_eq!(ids, [second.as_str()]);
    assert_eq!(moved::follow(&store, &first).unwrap(), Some(second.clone()));
    assert!(!store.path(&format!("keys/{first}.json")).exists());
    assert!(!store.path(&own_facts::optin_path(&first)).exists());
    let kept: serde_json::Value =
        serde_json::from_slice(&fs::read(store.path(&own_facts::optin_path(&second))).unwrap())
            .unwrap();
    assert_eq!(kept["partner"], second.as_str());
    assert_eq!(kept["sexual"], true, "the moved opt-in is kept as it was");
}

#[test]
fn a_twin_whose_key_this_device_holds_for_someone_else_goes_and_the_other_stays() {
    let t = tempfile::tempdir().unwrap();
    let store = Store::new(t.path());
    let (alex, first, second) = (id("alex00000001"), id("sama00000001"), id("samb00000002"));
    partner_file(&store, alex.as_str(), "Alex");
    partner_file(&store, first.as_str(), "Sam");
    partner_file(&store, second.as_str(), "Sam");
    // Alex's device holds the key `couple add Sam` made for the first Sam: Sam's own device
    // holds the second one's, so the second stays whichever device runs doctor.
    let device = doctor::ThisDevice {
        partner: Some(&alex),
        keys: &[alex.clone(), first.clone()],
        removed_here: None,
    };
    let r = doctor::run_remembering(&store, SystemTime::now(), None, device).unwrap();
    assert_eq!(
        r.partners,
        [("Sam".to_owned(), first.to_string(), second.to_string())]
    );
}
