//! `review` on a real terminal (a pseudo-terminal from python3's pty module): a typo in the
//! span of time asks again with the forms it may take and keeps the plan already typed, and
//! Enter on a blank date leaves the plan without one.

use super::*;

const UP: &str = "\x1b[A";

/// Runs `needs-list review --as alex` on a pseudo-terminal, playing `steps`.
fn review(sb: &Sandbox, steps: &[(&str, &str)]) -> String {
    sb.on_terminal(NEEDS, &["review", "--as", "alex"], steps)
}

#[test]
fn a_typo_in_the_review_span_asks_again_and_keeps_the_plan() {
    let sb = Sandbox::new();
    sb.couple_in(&sb.data());
    let id = sb.add_in(&sb.data(), "alex", "Help with buttons", &[]);
    // Alex's own open need: talked, propose, met, retire, skip (where it starts), stop.
    let up3 = UP.repeat(3);
    let seen = review(
        &sb,
        &[
            ("What do you decide?", &up3),
            ("> propose a plan", "\r"),
            ("What do you propose?", "Sam does buttons before work\r"),
            ("Enter for no date", "6 wekes\r"),
            ("30 days, 6 weeks", ""),
            ("Enter for no date", "6 weeks\r"),
        ],
    );
    assert!(seen.contains("\"6 wekes\" is not a span of time"), "{seen}");
    // The need is still unmet: the word on counseling, once.
    assert!(seen.contains("a couples counselor can help"), "{seen}");
    let need = sb.show_json(&id, "alex");
    let proposal = &need["proposal"];
    assert_eq!(proposal["plan"], "Sam does buttons before work", "{need}");
    assert_eq!(proposal["review"], "2026-04-12", "{need}");

    // Proposed again with Enter on the blank date: no date; the counseling line is not said
    // again in the same cycle.
    let again = review(
        &sb,
        &[
            ("What do you decide?", &up3),
            ("> propose a plan", "\r"),
            ("What do you propose?", "Sam does buttons on bad days\r"),
            ("Enter for no date", "\r"),
        ],
    );
    let need = sb.show_json(&id, "alex");
    assert_eq!(
        need["proposal"]["plan"], "Sam does buttons on bad days",
        "{need}"
    );
    assert_eq!(need["proposal"]["review"], Value::Null, "{need}");
    assert!(!again.contains("couples counselor"), "{again}");
}
