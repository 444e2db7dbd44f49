//! `boundary` on a real terminal (a pseudo-terminal from python3's pty module): each question
//! starts on the partner's current answer, or on "skip for now", so Enter changes nothing.

use super::*;

/// Runs `touch-plan boundary --as Sam` on a pseudo-terminal, playing `steps`.
fn boundary_on_a_terminal(sb: &Sandbox, steps: &[(&str, &str)]) -> String {
    sb.on_terminal(TOUCH, &["boundary", "--as", "Sam"], steps)
}

#[test]
fn enter_at_every_boundary_question_changes_nothing() {
    let sb = Sandbox::new();
    couple(&sb);
    tp(&sb, &["boundary", SIT, "no", "--as", "Sam"]);
    tp(&sb, &["boundary", HANDS, "maybe", "--as", "Sam"]);
    let before = tree(&sb.data());
    // Breathe (no answer yet), sit close (no), hold hands (maybe), then stop.
    let seen = boundary_on_a_terminal(
        &sb,
        &[
            ("Is this for you?", "\r"),
            ("(now: no)", ""),
            ("Is this for you?", "\r"),
            ("(now: maybe)", ""),
            ("Is this for you?", "\r"),
            ("Is this for you?", "\x1b[B\r"),
        ],
    );
    assert!(seen.contains("> skip for now"), "{seen}");
    // Stopping part-way brings the word on where to find help.
    assert!(seen.contains("If you ever feel unsafe"), "{seen}");
    assert_eq!(tree(&sb.data()), before, "{seen}");
    let mine: Value = serde_json::from_str(&tp(&sb, &["mine", "--json", "--as", "Sam"])).unwrap();
    assert_eq!(mine["boundaries"][SIT], "no", "{mine}");
    assert_eq!(mine["boundaries"][HANDS], "maybe", "{mine}");
    assert_eq!(mine["boundaries"][BREATHE], Value::Null, "{mine}");
}
