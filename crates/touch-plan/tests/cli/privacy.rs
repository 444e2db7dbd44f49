//! What one partner can never learn about the other: a "no" looks like no answer yet, and a
//! "ready" shows only once both are ready.

use super::*;
use support::copy_dir;

/// Sam sees exactly the same whether Alex said no to a step or has not answered it.
#[test]
fn a_no_looks_exactly_like_no_answer_yet() {
    let sb = started();
    tp(&sb, &["boundary", HANDS, "yes", "--as", "Sam"]);
    tp(
        &sb,
        &[
            "log",
            "--minutes",
            "10",
            "--note",
            "slow start",
            "--as",
            "Alex",
        ],
    );
    tp(&sb, &["debrief", "--noticed", "warm hands", "--as", "Sam"]);
    let unanswered = sb.data();
    let said_no = sb.path("twin");
    copy_dir(&unanswered, &said_no);
    sb.run_in(&said_no, TOUCH, &["boundary", HANDS, "no", "--as", "Alex"])
        .ok();

    // The two folders really differ, and Alex can see their own answer.
    assert_ne!(tree(&unanswered), tree(&said_no));
    let alex = |d: &Path| sb.run_in(d, TOUCH, &["show", "--as", "Alex"]).stdout;
    assert_ne!(alex(&unanswered), alex(&said_no));
    assert!(alex(&said_no).contains("(you said no)"));

    let a = sams_view(&sb, &unanswered);
    let b = sams_view(&sb, &said_no);
    for ((what, x), (_, y)) in a.iter().zip(&b) {
        assert_eq!(x, y, "Sam's `{what}` tells Alex's no from no answer");
    }
    // Without anyone named, the shared view is the same too.
    let shared = |d: &Path| sb.run_in(d, TOUCH, &["show", "--json"]);
    assert_eq!(shared(&unanswered), shared(&said_no));
}

/// Alex marking ready changes nothing Sam can see, until Sam is ready too.
#[test]
fn readiness_stays_private_until_both_are_ready() {
    let sb = started();
    tp(&sb, &["log", "--minutes", "10", "--as", "Sam"]);
    let before = sams_view(&sb, &sb.data());
    let files_before = tree(&sb.data());
    let said = ready(&sb, "Alex");
    assert!(said.contains("privately"), "{said}");
    assert_ne!(
        files_before,
        tree(&sb.data()),
        "the readiness was not stored"
    );
    let after = sams_view(&sb, &sb.data());
    for ((what, x), (_, y)) in before.iter().zip(&after) {
        assert_eq!(x, y, "Sam's `{what}` shows that Alex is ready");
    }
    // And it did count: Sam's ready now moves the plan.
    ready(&sb, "Sam");
    assert_eq!(current(&sb).as_deref(), Some(SIT));
}
