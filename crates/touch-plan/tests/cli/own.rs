//! Sessions follow the plan; each partner sees their own facts (`mine`) and can take back their
//! readiness (`unready`), no reason asked.

use super::*;

#[test]
fn log_refuses_a_step_outside_the_plan_under_a_hold_or_while_paused() {
    let sb = started();
    tp(&sb, &["boundary", HANDS, "yes", "--as", "Alex"]);
    let before = tree(&sb.data());
    let refused = |args: &[&str], why: &str| {
        let r = run(&sb, args);
        assert_eq!(r.code, 1, "{args:?}: {r:?}");
        let line = r.error_line("touch-plan");
        assert!(line.contains(why), "{args:?}: {line}");
    };
    refused(
        &["log", "--step", HANDS, "--as", "Alex"],
        "is not in your joint plan",
    );
    tp(
        &sb,
        &[
            "hold",
            "--from-stage",
            "1",
            "--until",
            "2026-04-01",
            "--reason",
            "scan",
            "--as",
            "Sam",
        ],
    );
    refused(
        &["log", "--step", HUG, "--as", "Sam"],
        "on hold: nothing from stage 1 until 2026-04-01 (scan)",
    );
    let logged = |t: std::collections::BTreeMap<String, Vec<u8>>| {
        t.keys().any(|k| k.ends_with("sessions.json"))
    };
    assert!(
        !logged(before) && !logged(tree(&sb.data())),
        "nothing was logged"
    );
    tp(&sb, &["pause", "--as", "Sam"]);
    let paused = tree(&sb.data());
    refused(&["log", "--as", "Alex"], "the plan is paused");
    refused(
        &["log", "--step", BREATHE, "--as", "Alex"],
        "the plan is paused",
    );
    assert_eq!(tree(&sb.data()), paused, "nothing was logged");
    tp(&sb, &["resume", "--as", "Sam"]);
    tp(&sb, &["log", "--step", SIT, "--as", "Alex"]);
}

#[test]
fn readiness_under_a_hold_is_kept_and_the_partner_is_told_so() {
    let sb = started();
    ready(&sb, "Alex");
    ready(&sb, "Sam");
    tp(
        &sb,
        &[
            "hold",
            "--from-stage",
            "1",
            "--until",
            "2026-03-09",
            "--reason",
            "scan",
            "--as",
            "Sam",
        ],
    );
    let said = ready(&sb, "Alex");
    assert!(
        said.contains("kept") && said.contains("2026-03-09"),
        "{said}"
    );
    // Said the same way whether or not Sam is ready: nothing about Sam in it.
    let said_sam = ready(&sb, "Sam");
    assert_eq!(said_sam, said);
    sb.set_today("2026-03-09");
    assert_eq!(current(&sb).as_deref(), Some(HUG));
}

#[test]
fn mine_shows_my_own_facts_and_nothing_of_my_partners() {
    let sb = started();
    tp(&sb, &["boundary", HANDS, "no", "--as", "Alex"]);
    tp(&sb, &["boundary", HANDS, "maybe", "--as", "Sam"]);
    tp(
        &sb,
        &[
            "body",
            "shoulders",
            "off-limits",
            "--note",
            "left: surgery",
            "--as",
            "Alex",
        ],
    );
    tp(&sb, &["body", "hands", "ask-first", "--as", "Sam"]);
    tp(
        &sb,
        &[
            "hold",
            "--from-stage",
            "2",
            "--until",
            "2026-04-01",
            "--reason",
            "surgeon",
            "--as",
            "Alex",
        ],
    );
    tp(
        &sb,
        &[
            "hold",
            "--from-stage",
            "1",
            "--until",
            "2026-05-01",
            "--reason",
            "sams scan",
            "--as",
            "Sam",
        ],
    );
    ready(&sb, "Alex");
    let mine = tp(&sb, &["mine", "--as", "Alex"]);
    for want in [
        HANDS,
        "no",
        "shoulders",
        "off-limits",
        "left: surgery",
        "surgeon",
        "ready",
    ] {
        assert!(mine.contains(want), "{want} missing:\n{mine}");
    }
    for never in ["maybe", "hands\t", "ask-first", "sams scan"] {
        assert!(!mine.contains(never), "{never} shown:\n{mine}");
    }
    let json: Value = serde_json::from_str(&tp(&sb, &["mine", "--json", "--as", "Alex"])).unwrap();
    assert_eq!(json["boundaries"][HANDS], "no");
    assert_eq!(json["body"]["shoulders"]["mark"], "off-limits");
    assert_eq!(json["ready"]["step"], BREATHE);
    assert_eq!(json["holds"].as_array().unwrap().len(), 1);
    assert_eq!(json["holds"][0]["reason"], "surgeon");
    // Sam's own view is Sam's.
    let sams: Value = serde_json::from_str(&tp(&sb, &["mine", "--json", "--as", "Sam"])).unwrap();
    assert_eq!(sams["boundaries"][HANDS], "maybe");
    assert_eq!(sams["ready"], Value::Null);
}

#[test]
fn readiness_can_be_withdrawn_without_a_reason() {
    let sb = started();
    ready(&sb, "Alex");
    let r = run(&sb, &["unready", "--as", "Alex"]);
    r.ok();
    assert!(!r.stderr.contains('?'), "no question asked: {}", r.stderr);
    let json: Value = serde_json::from_str(&tp(&sb, &["mine", "--json", "--as", "Alex"])).unwrap();
    assert_eq!(json["ready"], Value::Null);
    ready(&sb, "Sam");
    assert_eq!(current(&sb).as_deref(), Some(BREATHE), "alex took it back");
    ready(&sb, "Alex");
    assert_eq!(current(&sb).as_deref(), Some(SIT));
}

#[test]
fn resuming_without_a_pause_of_your_own_lifts_nothing_and_writes_nothing() {
    let sb = started();
    let before = tree(&sb.data());
    let said = run(&sb, &["resume", "--as", "Alex"]);
    said.ok();
    assert!(said.stderr.contains("not paused"), "{}", said.stderr);
    assert_eq!(tree(&sb.data()), before, "nothing was written");

    tp(&sb, &["pause", "--as", "Sam"]);
    let paused = tree(&sb.data());
    let said = run(&sb, &["resume", "--as", "Alex"]);
    said.ok();
    let line = said.stderr.trim();
    assert!(line.contains("no pause of yours to lift"), "{line}");
    assert!(line.contains("your partner's"), "{line}");
    assert!(!line.contains("lifted;"), "{line}");
    assert_eq!(tree(&sb.data()), paused, "nothing was written");
    assert_eq!(show_json(&sb, "Alex")["paused"], true);

    let said = run(&sb, &["resume", "--as", "Sam"]);
    said.ok();
    assert!(said.stderr.contains("The plan goes on"), "{}", said.stderr);
    assert_eq!(show_json(&sb, "Alex")["paused"], false);
}
