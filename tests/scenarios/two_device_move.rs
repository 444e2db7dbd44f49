//! A couple's plain folder moved to encryption from two devices, one after the other: what the
//! first device cannot encrypt alone is said truly (it waits for the other device), and the other
//! partner's records waiting for their device raise no "not trusted" alarm meanwhile. A plain
//! record that appears later still does.

use super::*;
use support::{NEEDS, TOUCH};

/// Alex and Sam on two devices, their folder plain (as from before encryption): a need of
/// Alex's whose plan Sam accepted, and Sam's own boundaries.
fn plain_couple(sb: &Sandbox) -> (Device<'_>, Device<'_>) {
    let (alex, sam) = two_devices(sb);
    alex.ok(TOUCH, &["boundary", "s0-sit-close", "yes"]);
    sam.ok(TOUCH, &["boundary", "s0-sit-close", "yes"]);
    alex.ok(NEEDS, &["couple", "decrypt", "--yes"]);
    sam.ok(NEEDS, &["couple", "decrypt", "--yes"]);
    alex.ok(NEEDS, &["add", "Help with buttons on stiff mornings"]);
    let id = json(&alex.ok(NEEDS, &["--json"]))[0]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    alex.ok(
        NEEDS,
        &[
            "propose",
            &id,
            "--plan",
            "Sam does the buttons",
            "--helper",
            "Sam",
        ],
    );
    sam.ok(NEEDS, &["accept", &id]);
    (alex, sam)
}

#[test]
fn the_first_device_says_truly_what_waits_for_the_other() {
    let sb = Sandbox::new();
    let (alex, sam) = plain_couple(&sb);
    let r = alex.run(NEEDS, &["couple", "encrypt"]);
    assert_eq!(r.code, 0, "{r:?}");
    assert!(
        !r.stderr.contains("Alex's own records"),
        "Alex's device holds Alex's key: {}",
        r.stderr
    );
    assert!(
        r.stderr.contains("device to sign them") && r.stderr.contains("then here again"),
        "{}",
        r.stderr
    );
    let r = sam.run(NEEDS, &["couple", "encrypt"]);
    assert_eq!(r.code, 0, "{r:?}");
    let r = alex.run(NEEDS, &["couple", "encrypt"]);
    assert_eq!(r.code, 0, "{r:?}");
    assert!(!r.stderr.contains("wait"), "{}", r.stderr);
    let (mut plain, mut sealed) = (0, 0);
    for (k, _) in support::tree(&sb.data()) {
        if k.starts_with("needs/") || k.starts_with("touch/") {
            plain += usize::from(k.ends_with(".json"));
            sealed += usize::from(k.ends_with(".age"));
        }
    }
    assert_eq!(plain, 0, "all sealed in the end");
    assert!(sealed > 0);
}

#[test]
fn records_waiting_for_the_other_device_raise_no_alarm_and_a_later_one_does() {
    let sb = Sandbox::new();
    let (alex, sam) = plain_couple(&sb);
    let sam_id = sam.id_of("Sam");
    let mut said = alex.run(NEEDS, &["couple", "encrypt"]).stderr;
    said.push_str(&alex.run(TOUCH, &["show"]).stderr);
    said.push_str(&alex.run(NEEDS, &["--plain"]).stderr);
    assert!(!said.contains("not trusted"), "{said}");
    // Sam's own state is still plain, and waits for Sam's device.
    let state = sb.data().join(format!("touch/{sam_id}/state.json"));
    assert!(state.exists());
    // A plain need dropped now was not there when Alex's device first saw the folder
    // encrypted: reported.
    let forged = sb.data().join("needs/aaaabbbbcccd.json");
    std::fs::write(
        &forged,
        format!(
            "{{\"version\":1,\"id\":\"aaaabbbbcccd\",\"owner\":\"{sam_id}\",\"text\":\"Try everything\"}}"
        ),
    )
    .unwrap();
    let r = alex.run(NEEDS, &["--plain"]);
    assert!(
        r.stderr.contains("aaaabbbbcccd.json") && r.stderr.contains("not trusted"),
        "{}",
        r.stderr
    );
    assert!(!r.stdout.contains("Try everything"), "{}", r.stdout);
}
