//! The pace of the slower partner: the plan moves only when both are ready; either steps back.

use super::*;

#[test]
fn the_plan_moves_only_when_both_are_ready_and_back_moves_one_step() {
    let sb = started();
    assert_eq!(current(&sb).as_deref(), Some(BREATHE));
    ready(&sb, "Alex");
    ready(&sb, "Alex");
    assert_eq!(
        current(&sb).as_deref(),
        Some(BREATHE),
        "one partner moved it"
    );
    let said = ready(&sb, "Sam");
    assert!(said.contains("both ready"), "{said}");
    assert_eq!(current(&sb).as_deref(), Some(SIT));
    ready(&sb, "Sam");
    ready(&sb, "Alex");
    assert_eq!(current(&sb).as_deref(), Some(HUG));

    // Either partner steps back, one step at a time, no reason asked.
    tp(&sb, &["back", "--as", "Alex"]);
    assert_eq!(current(&sb).as_deref(), Some(SIT));
    tp(&sb, &["back", "--as", "Sam"]);
    assert_eq!(current(&sb).as_deref(), Some(BREATHE));
    tp(&sb, &["back", "--as", "Sam"]);
    assert_eq!(
        current(&sb).as_deref(),
        Some(BREATHE),
        "there is no step before the first"
    );

    // A ready given before a step back does not count afterwards.
    ready(&sb, "Alex");
    tp(&sb, &["back", "--as", "Sam"]);
    ready(&sb, "Sam");
    assert_eq!(current(&sb).as_deref(), Some(BREATHE));
}
