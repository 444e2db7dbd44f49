//! Handing a partner's key over: `couple add` in an encrypted folder says how, and `couple keys
//! remove NAME` takes a key off this device only, after saying what is lost.

use super::*;
use support::NEEDS;

#[test]
fn adding_a_partner_in_an_encrypted_folder_says_how_to_hand_their_key_over() {
    let sb = Sandbox::new();
    sb.ok(NEEDS, &["couple", "add", "Alex"]);
    let run = sb.run(NEEDS, &["couple", "add", "Sam"]);
    run.ok();
    assert!(
        run.stderr.contains("couple keys export FILE --as Sam")
            && run.stderr.contains("couple keys import FILE")
            && run.stderr.contains("couple keys remove Sam"),
        "{}",
        run.stderr
    );
}

#[test]
fn a_key_is_removed_from_this_device_only_after_saying_what_is_lost() {
    let sb = Sandbox::new();
    let alex = device(&sb, "alex");
    let sam = device(&sb, "sam");
    alex.ok(NEEDS, &["couple", "add", "Alex"]);
    alex.ok(NEEDS, &["couple", "add", "Sam"]);
    alex.ok(NEEDS, &["couple", "me", "Alex"]);
    share_keys(&alex, &sam);
    sam.ok(NEEDS, &["couple", "me", "Sam"]);
    sam.ok(NEEDS, &["add", "Slow evenings, just for me", "--private"]);
    let s = alex.id_of("Sam");
    let key = alex.config.join(format!("closer/keys/{s}.key"));

    // Off a terminal, nothing is removed without --yes, and it says what would be lost.
    let run = alex.run(NEEDS, &["couple", "keys", "remove", "Sam"]);
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(
        run.stderr.contains("only copy") && run.stderr.contains("--yes"),
        "{}",
        run.stderr
    );
    assert!(key.is_file());

    let run = alex.run(NEEDS, &["couple", "keys", "remove", "Sam", "--yes"]);
    run.ok();
    assert!(!key.exists());
    // This device can no longer act as Sam; Sam's own device still can, and Alex is untouched.
    let as_sam = alex.run(NEEDS, &["--all", "--as", "Sam"]);
    assert_eq!(as_sam.code, 1);
    assert!(
        as_sam.stderr.contains("does not hold Sam's key"),
        "{}",
        as_sam.stderr
    );
    assert!(sam.ok(NEEDS, &["--all"]).contains("Slow evenings"));
    alex.ok(NEEDS, &["--all"]);
    // Nothing left to remove.
    let again = alex.run(NEEDS, &["couple", "keys", "remove", "Sam", "--yes"]);
    assert_eq!(again.code, 1, "{}", again.stderr);
}

#[test]
fn removing_a_key_on_a_terminal_asks_and_enter_keeps_it() {
    let sb = Sandbox::new();
    sb.ok(NEEDS, &["couple", "add", "Alex"]);
    sb.ok(NEEDS, &["couple", "add", "Sam"]);
    sb.ok(NEEDS, &["couple", "me", "Alex"]);
    let keys = sb.home().join(".config/closer/keys");
    let count = || std::fs::read_dir(&keys).unwrap().count();
    assert_eq!(count(), 2);
    let (said, ok) = sb.on_terminal_ending(
        NEEDS,
        &["couple", "keys", "remove", "Sam"],
        &[("Remove Sam's key", "\r")],
    );
    assert!(said.contains("only copy"), "{said}");
    assert!(!ok, "declined, so not done: exit 1");
    assert!(said.contains("nothing was removed"), "{said}");
    assert_eq!(count(), 2, "Enter keeps it");
    sb.on_terminal(
        NEEDS,
        &["couple", "keys", "remove", "Sam"],
        &[("Remove Sam's key", "y")],
    );
    assert_eq!(count(), 1);
}
