//! No silent probing: what a partner's own action prints never depends on the other's private
//! answer, and a joint result that turned on and off again leaves a trace both partners see,
//! without saying who.

use super::*;
use support::copy_dir;

/// Two twins of `sb`'s folder: in the first Sam did `sams`, in the second Sam did nothing.
/// Returns Alex's `action` as run in each.
fn alex_in_both(sb: &Sandbox, sams: &[&[&str]], action: &[&str]) -> (Run, Run) {
    let said = sb.path("said");
    let silent = sb.path("silent");
    copy_dir(&sb.data(), &said);
    copy_dir(&sb.data(), &silent);
    for a in sams {
        let mut args = a.to_vec();
        args.extend(["--as", "Sam"]);
        sb.run_in(&said, TOUCH, &args).ok();
    }
    let mut args = action.to_vec();
    args.extend(["--as", "Alex"]);
    (
        sb.run_in(&said, TOUCH, &args),
        sb.run_in(&silent, TOUCH, &args),
    )
}

#[test]
fn opting_in_reads_the_same_whatever_the_other_said() {
    let sb = started();
    let (said, silent) = alex_in_both(
        &sb,
        &[&["couple", "opt-in", "sexual"]],
        &["couple", "opt-in", "sexual"],
    );
    said.ok();
    assert_eq!(said, silent, "Alex's opt-in tells whether Sam opted in");
    assert!(
        said.stderr.contains("only when you both say yes"),
        "{}",
        said.stderr
    );
}

#[test]
fn opting_out_reads_the_same_whatever_the_other_said() {
    let sb = started();
    tp(&sb, &["couple", "opt-in", "sexual", "--as", "Alex"]);
    let (said, silent) = alex_in_both(
        &sb,
        &[&["couple", "opt-in", "sexual"]],
        &["couple", "opt-out", "sexual"],
    );
    said.ok();
    assert_eq!(
        said, silent,
        "Alex's opt-out tells whether Sam had opted in"
    );
}

#[test]
fn being_ready_reads_the_same_whatever_the_other_said() {
    let sb = started();
    let (said, silent) = alex_in_both(&sb, &[&["ready"]], &["ready"]);
    said.ok();
    assert_eq!(said, silent, "Alex's ready tells whether Sam was ready");
    // It counted all the same: the plan moved on in the first folder only.
    let cur = |d: &str| {
        let r = sb.run_in(&sb.path(d), TOUCH, &["show", "--json", "--as", "Alex"]);
        serde_json::from_str::<Value>(r.ok()).unwrap()["current"]["id"].clone()
    };
    assert_eq!(cur("said"), SIT);
    assert_eq!(cur("silent"), BREATHE);
}

#[test]
fn taking_readiness_back_reads_the_same_whatever_the_other_said() {
    let sb = started();
    tp(&sb, &["ready", "--as", "Alex"]);
    let (said, silent) = alex_in_both(&sb, &[&["ready"]], &["unready"]);
    said.ok();
    assert_eq!(said, silent, "Alex's unready tells whether Sam was ready");
}

/// Every view of both partners, as one text, to look for a trace in.
fn every_view(sb: &Sandbox, who: &str) -> String {
    let mut all = String::new();
    for args in [
        &["show"][..],
        &["show", "--json"],
        &["today"],
        &["today", "--json"],
        &["couple"],
        &["couple", "--json"],
        &["couple", "today"],
        &["couple", "today", "--json"],
    ] {
        let mut a = args.to_vec();
        a.extend(["--as", who]);
        all.push_str(&tp(sb, &a));
    }
    all
}

/// A trace says what was on and when, never who turned it off.
#[track_caller]
fn assert_trace(sb: &Sandbox, needle: &str) {
    for who in ["Sam", "Alex"] {
        let views = every_view(sb, who);
        for (what, args) in [
            ("show", &["show", "--as", who][..]),
            ("show --json", &["show", "--json", "--as", who]),
            ("couple today", &["couple", "today", "--as", who]),
            (
                "couple today --json",
                &["couple", "today", "--json", "--as", who],
            ),
        ] {
            let out = tp(sb, args);
            assert!(
                out.contains(needle),
                "{who}'s `{what}` has no trace of {needle:?}:\n{out}"
            );
        }
        assert!(
            !views.contains("Alex turned") && !views.contains("by Alex"),
            "{views}"
        );
    }
    for format in ["markdown", "org", "jrnl"] {
        let out = sb.ok(support::EXPORT, &["--format", format, "--as", "Sam"]);
        assert!(
            out.contains(needle),
            "the {format} export has no trace of {needle:?}:\n{out}"
        );
    }
    // The JSON export keeps the changes as they are recorded, naming nobody.
    let j: Value = serde_json::from_str(&sb.ok(support::EXPORT, &["--format", "json"])).unwrap();
    let changes = &j["touch"]["changes"];
    assert!(changes.as_array().is_some_and(|c| !c.is_empty()), "{j}");
    for p in j["partners"].as_array().unwrap() {
        for field in ["id", "name"] {
            let who = p[field].as_str().unwrap();
            assert!(!changes.to_string().contains(who), "{changes}");
        }
    }
}

#[test]
fn sexual_content_on_and_off_again_leaves_a_trace() {
    let sb = started();
    tp(&sb, &["couple", "opt-in", "sexual", "--as", "Sam"]);
    tp(&sb, &["couple", "opt-in", "sexual", "--as", "Alex"]);
    tp(&sb, &["couple", "opt-out", "sexual", "--as", "Alex"]);
    assert_trace(&sb, "sexual content was on for both of you");
    let couple: Value =
        serde_json::from_str(&tp(&sb, &["couple", "--json", "--as", "Sam"])).unwrap();
    assert_eq!(
        couple["sexual_content_changes"][0]["text"],
        "For a while on 2026-03-02, sexual content was on for both of you; then it was off again.",
        "{couple}"
    );
}

#[test]
fn a_step_in_the_plan_and_out_again_leaves_a_trace() {
    let sb = started();
    tp(&sb, &["boundary", HANDS, "yes", "--as", "Sam"]);
    tp(&sb, &["boundary", HANDS, "yes", "--as", "Alex"]);
    tp(&sb, &["boundary", HANDS, "no", "--as", "Alex"]);
    assert_trace(
        &sb,
        "Hold hands (s0-hold-hands) was in your plan; then it was not",
    );
}

#[test]
fn a_plan_moved_on_and_back_again_leaves_a_trace() {
    let sb = started();
    ready(&sb, "Sam");
    ready(&sb, "Alex");
    tp(&sb, &["back", "--as", "Alex"]);
    assert_eq!(current(&sb).as_deref(), Some(BREATHE));
    assert_trace(&sb, "the plan had moved on to Sit close");
}
