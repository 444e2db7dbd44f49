//! A device trusts the keys it pinned, not whatever the folder publishes now: a partner's
//! published keys replaced by someone who can write into the folder let them sign nothing the
//! device accepts and read nothing it writes afterwards; deleted ones are said on every run and
//! the pinned keys stay in use.

use super::*;
use closer_core::crypto::keyring;
use closer_core::crypto::{CryptoError, Keys, PublicKeys, seal};
use closer_core::store::Store;
use std::path::Path;
use support::NEEDS;

/// The key a device holds for partner `id`.
fn held(d: &Device, id: &str) -> Keys {
    let text = std::fs::read_to_string(d.config.join(format!("closer/keys/{id}.key"))).unwrap();
    Keys::from_text(&text).unwrap()
}

/// Every sealed need in the folder.
fn sealed_needs(data: &Path) -> Vec<(String, Vec<u8>)> {
    std::fs::read_dir(data.join("needs"))
        .unwrap()
        .flatten()
        .filter(|e| e.path().extension().is_some_and(|x| x == "age"))
        .map(|e| {
            let name = e.file_name().into_string().unwrap();
            let place = format!("needs/{}", name.trim_end_matches(".age"));
            (place, std::fs::read(e.path()).unwrap())
        })
        .collect()
}

#[test]
fn a_replaced_published_key_signs_nothing_a_device_accepts_and_is_never_encrypted_to() {
    let sb = Sandbox::new();
    let (alex, sam) = two_devices(&sb);
    sam.ok(NEEDS, &["couple", "today"]);
    alex.ok(NEEDS, &["couple", "today"]); // both devices pinned both keys
    let (a, s) = (alex.id_of("Alex"), alex.id_of("Sam"));
    let store = Store::new(sb.data());
    let alex_public: PublicKeys = keyring::published(&store, &a).unwrap().unwrap();

    // Sam writes a need, sealed to both of them.
    sam.ok(NEEDS, &["add", "A walk after dinner"]);
    let real_sam = held(&sam, &s);
    let [(place, bytes)] = &sealed_needs(&sb.data())[..] else {
        panic!("one need")
    };
    let sam_public = real_sam.public();
    let opened = seal::open(&real_sam, bytes, place, |_| Some(sam_public.clone())).unwrap();
    let body = String::from_utf8(opened.body)
        .unwrap()
        .replace("A walk after dinner", "Sam agrees to everything");

    // Someone who can write into the folder publishes their own key under Sam's ID (signed by
    // itself, as a real new key would be), then rewrites Sam's need with it.
    let mallory = Keys::generate();
    keyring::publish(&store, &s, &mallory).unwrap();
    let forged = seal::seal(
        &mallory,
        &s,
        place,
        body.as_bytes(),
        &[&alex_public, &mallory.public()],
    )
    .unwrap();
    let file = sb.data().join(format!("{place}.age"));
    std::fs::write(&file, &forged).unwrap();

    let run = alex.run(NEEDS, &["--all", "--json"]);
    assert!(
        !run.ok().contains("agrees to everything"),
        "a forged record was trusted"
    );
    assert!(
        run.stderr.contains(&format!("{place}.age")),
        "not reported: {}",
        run.stderr
    );
    assert!(
        run.stderr.contains("WARNING: Sam's published keys changed"),
        "{}",
        run.stderr
    );
    assert_eq!(std::fs::read(&file).unwrap(), forged, "never overwritten");
    std::fs::remove_file(&file).unwrap();

    // What Alex's device writes for both is sealed to the key it pinned for Sam, never to the
    // one published now.
    alex.ok(NEEDS, &["add", "Help with buttons on stiff mornings"]);
    let needs = sealed_needs(&sb.data());
    assert_eq!(needs.len(), 1);
    let keys_of = |id: &str| (id == a).then(|| alex_public.clone());
    for (place, bytes) in &needs {
        assert!(
            matches!(
                seal::open(&mallory, bytes, place, keys_of),
                Err(CryptoError::NotForYou)
            ),
            "{place} was encrypted to the replaced key"
        );
        let opened = seal::open(&real_sam, bytes, place, keys_of).unwrap();
        assert!(String::from_utf8_lossy(&opened.body).contains("buttons"));
    }

    // Sam's own device holds Sam's key: it says so, and accepting puts Sam's keys back.
    let on_sam = sam.run(NEEDS, &["--all"]);
    assert!(
        on_sam
            .stderr
            .contains("WARNING: Sam's published keys changed"),
        "{}",
        on_sam.stderr
    );
    sam.ok(NEEDS, &["couple", "keys", "accept", "Sam"]);
    assert_eq!(
        keyring::published(&store, &s).unwrap(),
        Some(real_sam.public())
    );
    assert!(!alex.run(NEEDS, &["--all"]).stderr.contains("WARNING"));
}

#[test]
fn a_deleted_published_key_is_said_once_a_run_and_the_pinned_key_stays_in_use() {
    let sb = Sandbox::new();
    let (alex, sam) = two_devices(&sb);
    sam.ok(NEEDS, &["add", "A walk after dinner"]);
    alex.ok(NEEDS, &["couple", "today"]);
    sam.ok(NEEDS, &["couple", "today"]);
    let s = alex.id_of("Sam");
    std::fs::remove_file(sb.data().join(format!("keys/{s}.json"))).unwrap();

    // Alex's device says it, once a run, and what to do; Sam's records still check out.
    for _ in 0..2 {
        let run = alex.run(NEEDS, &["--all"]);
        assert!(run.ok().contains("A walk after dinner"), "{}", run.stderr);
        assert_eq!(
            run.stderr.matches("WARNING").count(),
            1,
            "once a run: {}",
            run.stderr
        );
        assert!(
            run.stderr.contains("Sam's published keys are gone")
                && run.stderr.contains("couple keys accept Sam"),
            "{}",
            run.stderr
        );
    }
    // What Alex writes for both still reaches Sam.
    alex.ok(NEEDS, &["add", "Tea in bed on Sundays"]);
    let on_sam = sam.run(NEEDS, &["--all"]);
    assert!(on_sam.ok().contains("Tea in bed"), "{}", on_sam.stderr);
    // Sam's device holds Sam's key: it says so, and accepting publishes it again.
    assert!(
        on_sam.stderr.contains("Sam's published keys are gone"),
        "{}",
        on_sam.stderr
    );
    sam.ok(NEEDS, &["couple", "keys", "accept", "Sam"]);
    assert!(sb.data().join(format!("keys/{s}.json")).exists());
    assert_eq!(alex.run(NEEDS, &["--all"]).stderr, "");
}

#[test]
fn keys_published_for_a_third_partner_are_never_encrypted_to() {
    let sb = Sandbox::new();
    let (alex, _sam) = two_devices(&sb);
    alex.ok(NEEDS, &["couple", "today"]);
    // Someone who can write into the folder adds a "partner" with keys of their own.
    let (evil, id) = (Keys::generate(), "evxx00000009");
    keyring::publish(&Store::new(sb.data()), id, &evil).unwrap();
    std::fs::write(sb.data().join(format!("partners/{id}.age")), b"x").unwrap();
    let first = alex.run(NEEDS, &["add", "Tea in bed on Sundays"]);
    first.ok();
    for (place, bytes) in sealed_needs(&sb.data()) {
        assert!(
            matches!(
                seal::open(&evil, &bytes, &place, |_| None),
                Err(CryptoError::NotForYou)
            ),
            "{place} was encrypted to a third partner's key"
        );
    }
    // Said on every run.
    for run in [first, alex.run(NEEDS, &["--all"])] {
        assert!(
            run.stderr.contains("WARNING") && run.stderr.contains("third partner"),
            "{}",
            run.stderr
        );
    }
}
