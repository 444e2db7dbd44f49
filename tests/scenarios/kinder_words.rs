//! Words that can weigh on someone: unanswered days and steps make one line, not one per row, and
//! a removed partner's records say so without assuming why.

use super::*;
use support::{NEEDS, PROMPT, TOUCH};

fn couple(sb: &Sandbox) {
    sb.ok(NEEDS, &["couple", "add", "Alex"]);
    sb.ok(NEEDS, &["couple", "add", "Sam"]);
}

#[test]
fn days_your_partner_answered_first_make_one_line() {
    let sb = Sandbox::new();
    couple(&sb);
    for day in ["2026-03-02", "2026-03-03", "2026-03-04"] {
        sb.set_today(day);
        sb.ok(PROMPT, &["answer", "the garden", "--as", "Sam"]);
    }
    sb.ok(PROMPT, &["answer", "the sea", "--as", "Alex"]);
    let shown = sb.on_terminal(PROMPT, &["history", "--as", "Alex"], &[]);
    assert!(
        shown.contains("Sam answered on 2 days you have not answered yet"),
        "{shown}"
    );
    assert!(!shown.contains("has answered"), "{shown}");
    assert!(
        shown.contains("the sea") && shown.contains("the garden"),
        "{shown}"
    );
}

#[test]
fn steps_you_have_not_answered_make_one_line() {
    let sb = Sandbox::new();
    couple(&sb);
    sb.ok(TOUCH, &["boundary", "s0-sit-close", "yes", "--as", "Alex"]);
    let plan = sb.ok(TOUCH, &["show", "--as", "Alex"]);
    assert!(!plan.contains("not answered"), "{plan}");
    let line = plan
        .lines()
        .find(|l| l.starts_with("You have not said yet whether "))
        .unwrap_or_else(|| panic!("{plan}"));
    assert!(
        line.contains(" steps are for you") && line.contains("touch-plan boundary"),
        "{line}"
    );
    assert_eq!(plan.matches("You have not said").count(), 1);
}

#[test]
fn a_removed_partners_records_say_so_kindly() {
    let sb = Sandbox::new();
    couple(&sb);
    sb.ok(PROMPT, &["answer", "the garden", "--as", "Sam"]);
    sb.ok(PROMPT, &["answer", "the sea", "--as", "Alex"]);
    sb.ok(NEEDS, &["couple", "remove", "Sam", "--yes"]);
    let history = sb.ok(PROMPT, &["history", "--plain", "--as", "Alex"]);
    assert!(
        history.contains("\ta partner no longer in the profile\t"),
        "{history}"
    );
    assert!(!history.contains("former"), "{history}");
}
