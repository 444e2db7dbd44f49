//! Enter on an empty line at a passphrase or recovery key question ends the question, as Enter
//! does at every other one: nothing changes, and the command says so, rather than asking again
//! for as long as someone keeps pressing Enter.

use super::*;
use support::{NEEDS, TOUCH, tree};

/// Runs `args` on a terminal, pressing Enter at each of `questions`, and checks that it ended
/// by itself (exit 1), saying `said`.
#[track_caller]
fn enter_ends(sb: &Sandbox, tool: (&str, &str), args: &[&str], questions: &[&str], said: &str) {
    let steps: Vec<(&str, &str)> = questions.iter().map(|q| (*q, "\r")).collect();
    let (seen, ok) = sb.on_terminal_ending(tool, args, &steps);
    assert!(!ok, "{args:?} went on: {seen}");
    assert!(
        !seen.contains("still waiting for input") && seen.contains(said),
        "{args:?} did not end with {said:?}: {seen}"
    );
}

/// A couple of Alex and Sam, on Sam's device (which holds Sam's key).
fn sams_device() -> Sandbox {
    let sb = Sandbox::new();
    sb.ok(NEEDS, &["couple", "add", "Alex"]);
    sb.ok(NEEDS, &["couple", "add", "Sam"]);
    sb.ok(NEEDS, &["couple", "me", "Sam"]);
    sb
}

#[test]
fn enter_at_a_passphrase_or_recovery_key_question_ends_it_and_changes_nothing() {
    let sb = sams_device();
    let keys = || tree(&sb.home().join(".config/closer/keys"));
    let before = keys();

    enter_ends(
        &sb,
        NEEDS,
        &["couple", "keys", "passphrase", "--as", "Sam"],
        &["new passphrase"],
        "no passphrase was typed",
    );
    enter_ends(
        &sb,
        NEEDS,
        &["couple", "keys", "recover"],
        &["recovery key"],
        "no recovery key was typed",
    );
    let copy = sb.path("sam.key");
    let file = copy.to_str().unwrap();
    enter_ends(
        &sb,
        NEEDS,
        &["couple", "keys", "export", file, "--as", "Sam"],
        &["passphrase for the copy"],
        "no passphrase was typed",
    );
    assert!(!copy.exists(), "no copy without a passphrase");
    assert_eq!(keys(), before, "the keys are as they were");

    // A key under a passphrase: Enter at its question leaves it locked, and shows nothing.
    sb.on_terminal(
        NEEDS,
        &["couple", "keys", "passphrase", "--as", "Sam"],
        &[
            ("new passphrase", "tea first\r"),
            ("same again", "tea first\r"),
        ],
    );
    enter_ends(
        &sb,
        TOUCH,
        &["mine", "--as", "Sam"],
        &["Passphrase for Sam's key"],
        "stays locked",
    );
}

/// Enter at the question before a key is taken off the device, a new key is made, or the folder
/// is decrypted: nothing changes, and each ends as every other declined question does, with exit
/// 1 and a line saying what was not done (README, "Exit codes": 0 is a command that did what it
/// was asked), so that a script going on with `&&` after it does not take it as done.
#[test]
fn enter_at_the_question_before_a_key_or_the_folder_changes_ends_it_the_same_way() {
    let sb = sams_device();
    let keys = || tree(&sb.home().join(".config/closer/keys"));
    let before = keys();
    for (args, question, said) in [
        (
            &["couple", "keys", "remove", "Alex"][..],
            "Remove Alex's key",
            "nothing was removed",
        ),
        (
            &["couple", "keys", "new", "Alex"],
            "Make Alex a new key",
            "no key was made",
        ),
        (&["couple", "decrypt"], "plain files", "nothing was changed"),
    ] {
        enter_ends(&sb, NEEDS, args, &[question], said);
    }
    assert_eq!(keys(), before, "the keys are as they were");
    assert!(sb.ok(NEEDS, &["couple", "keys", "show"]).contains("Alex"));
}
