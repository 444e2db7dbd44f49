//! The set-up wizard on a real terminal (a pseudo-terminal from python3's pty module) is all or
//! nothing: stopped at any question, it leaves no couple behind, not even half of one.

use super::*;
use support::{TOUCH, tree};

/// The wizard's questions, in order, each answered as a person would.
const QUESTIONS: [(&str, &str); 4] = [
    ("What is your name?", "Alex\r"),
    ("Anything Alex lives with?", "\r"),
    ("What is your partner's name?", "Sam\r"),
    ("Anything Sam lives with?", "\r"),
];

/// Runs the wizard (through `touch-plan`, which needs a couple), answering the questions before
/// `stop_at`, then pressing `key` there.
fn stopped_at(stop_at: usize, key: &str) -> (Sandbox, String) {
    let sb = Sandbox::new();
    let mut steps: Vec<(&str, &str)> = QUESTIONS[..stop_at].to_vec();
    steps.push((QUESTIONS[stop_at].0, key));
    let (seen, ok) = sb.on_terminal_ending(TOUCH, &[], &steps);
    assert!(!ok, "the wizard went on after {key:?}: {seen}");
    (sb, seen)
}

/// Which records exist in a data folder, leaving out folders and lock files.
fn records(sb: &Sandbox) -> Vec<String> {
    tree(&sb.data())
        .into_keys()
        .filter(|p| !p.ends_with('/') && !p.ends_with(".lock"))
        .collect()
}

#[test]
fn a_set_up_stopped_at_any_question_leaves_no_couple() {
    // Ctrl-C at each question, and the terminal closed (a window shut, a connection lost).
    for (i, key) in [
        (0, "\x03"),
        (1, "\x03"),
        (2, "\x03"),
        (3, "\x03"),
        (2, "<hang up>"),
    ] {
        let (sb, seen) = stopped_at(i, key);
        let left = records(&sb);
        assert!(
            left.iter()
                .all(|p| !p.starts_with("partners/") && p != "couple.json"),
            "stopped at {:?} with {key:?}, the folder holds {left:?}\n{seen}",
            QUESTIONS[i].0
        );
        let r = sb.run(TOUCH, &["couple", "--json"]);
        assert_eq!(json(r.ok())["partners"], serde_json::json!([]), "{seen}");
    }
}

#[test]
fn a_whole_set_up_makes_the_couple() {
    let sb = Sandbox::new();
    // Both keys are on this one device: a passphrase is offered for each; Enter says no.
    let mut steps = QUESTIONS.to_vec();
    steps.extend([
        ("Alex's key is on this device with another partner's", "\r"),
        ("Sam's key is on this device with another partner's", "y"),
        ("A passphrase for Sam's key", "night owl\r"),
        ("same again", "night owl\r"),
    ]);
    let seen = sb.on_terminal(TOUCH, &[], &steps);
    assert!(seen.contains("Done."), "{seen}");
    assert!(
        seen.contains("is gone for good"),
        "what is lost is said: {seen}"
    );
    let keys: Vec<Vec<u8>> = std::fs::read_dir(sb.home().join(".config/closer/keys"))
        .unwrap()
        .map(|e| std::fs::read(e.unwrap().path()).unwrap())
        .collect();
    let locked = |k: &Vec<u8>| k.starts_with(b"age-encryption.org/v1\n");
    assert_eq!(keys.len(), 2, "a key for each of them");
    assert_eq!(
        keys.iter().filter(|k| locked(k)).count(),
        1,
        "Sam's is locked"
    );
    let names = crate::partner_names(&sb.ok(TOUCH, &["couple", "--json"]));
    assert_eq!(names, ["Alex", "Sam"], "{seen}");
}
