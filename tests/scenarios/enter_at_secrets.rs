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

#[test]
fn enter_at_a_passphrase_or_recovery_key_question_ends_it_and_changes_nothing() {
    let sb = Sandbox::new();
    sb.ok(NEEDS, &["couple", "add", "Alex"]);
    sb.ok(NEEDS, &["couple", "add", "Sam"]);
    sb.ok(NEEDS, &["couple", "me", "Sam"]);
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
