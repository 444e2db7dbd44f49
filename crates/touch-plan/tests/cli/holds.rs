//! Medical-clearance holds: the plan stays below the held stage until the day or the release.

use super::*;

#[test]
fn a_hold_keeps_the_plan_below_its_stage_until_its_day() {
    let sb = started();
    tp(
        &sb,
        &[
            "hold",
            "--from-stage",
            "1",
            "--until",
            "2026-03-10",
            "--reason",
            "surgeon's clearance",
        ],
    );
    ready(&sb, "Alex");
    ready(&sb, "Sam");
    assert_eq!(current(&sb).as_deref(), Some(SIT));

    for day in ["2026-03-03", "2026-03-09"] {
        sb.set_today(day);
        ready(&sb, "Alex");
        ready(&sb, "Sam");
        assert_eq!(current(&sb).as_deref(), Some(SIT), "moved on {day}");
        assert_eq!(current_stage(&sb), 0);
        let today = tp(&sb, &["today", "--as", "Sam"]);
        assert!(
            today.contains("On hold: nothing from stage 1 until 2026-03-10 (surgeon's clearance)."),
            "{today}"
        );
    }

    // On its day the hold lifts; readiness given while it held does not carry over.
    sb.set_today("2026-03-10");
    assert_eq!(current(&sb).as_deref(), Some(SIT));
    assert_eq!(show_json(&sb, "Sam")["holds"], serde_json::json!([]));
    ready(&sb, "Sam");
    ready(&sb, "Alex");
    assert_eq!(current(&sb).as_deref(), Some(HUG));
    assert_eq!(current_stage(&sb), 1);
}

#[test]
fn a_new_hold_applies_at_once_and_release_lifts_it_at_once() {
    let sb = started();
    for _ in 0..2 {
        ready(&sb, "Alex");
        ready(&sb, "Sam");
    }
    assert_eq!(current(&sb).as_deref(), Some(HUG));
    tp(
        &sb,
        &[
            "hold",
            "--from-stage",
            "1",
            "--until",
            "2026-04-01",
            "--reason",
            "new scan",
        ],
    );
    assert_eq!(current(&sb).as_deref(), Some(SIT));
    assert_eq!(tp(&sb, &["hold"]), "1\t2026-04-01\tnew scan\n");

    sb.set_today("2026-03-05");
    tp(&sb, &["hold", "--release"]);
    assert_eq!(current(&sb).as_deref(), Some(HUG));
    assert_eq!(tp(&sb, &["hold"]), "");
    let again = run(&sb, &["hold", "--release"]);
    assert!(again.error_line("touch-plan").contains("no hold"));
}
