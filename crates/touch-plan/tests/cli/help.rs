//! Where to find help, said once after three "too much" debriefs; and the help text.

use super::*;

fn debrief_too_much(sb: &Sandbox, who: &str) -> String {
    let r = run(sb, &["debrief", "--too-much", "--as", who]);
    r.ok();
    r.stderr
}

#[test]
fn where_to_find_help_is_said_once_after_three_too_much() {
    let sb = started();
    let help = Library::builtin().help;
    assert!(help.contains("sex therapist") && help.contains("couples counsel"));
    tp(&sb, &["log", "--minutes", "5", "--as", "Alex"]);

    // Sam's and Alex's calls are counted apart.
    assert!(!debrief_too_much(&sb, "Alex").contains(help));
    for i in 1..=2 {
        let e = debrief_too_much(&sb, "Sam");
        assert!(!e.contains(help), "help after {i}");
    }
    let third = debrief_too_much(&sb, "Sam");
    assert_eq!(third.matches(help).count(), 1, "{third}");
    let fourth = debrief_too_much(&sb, "Sam");
    assert!(!fourth.contains(help), "help again on the fourth");
    assert!(fourth.contains("Debrief saved"), "{fourth}");
    // It is said on stderr only: the history shows what happened, not advice.
    assert!(!tp(&sb, &["history", "--as", "Sam"]).contains(help));
}

#[test]
fn help_text() {
    let sb = Sandbox::new();
    let help = sb.help(TOUCH).ok().to_owned();
    assert!(help.contains("Exit status:"), "{help}");
    insta::assert_snapshot!("help", help);
}
