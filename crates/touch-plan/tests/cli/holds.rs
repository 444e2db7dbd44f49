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
            "--as",
            "Sam",
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

    // On its day the hold lifts, and the readiness both gave while it held counts.
    sb.set_today("2026-03-10");
    assert_eq!(show_json(&sb, "Sam")["holds"], serde_json::json!([]));
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
            "--as",
            "Alex",
        ],
    );
    assert_eq!(current(&sb).as_deref(), Some(SIT));
    assert_eq!(tp(&sb, &["hold"]), "1\t2026-04-01\tnew scan\tAlex\n");

    sb.set_today("2026-03-05");
    tp(&sb, &["hold", "--release", "--as", "Alex"]);
    assert_eq!(current(&sb).as_deref(), Some(HUG));
    assert_eq!(tp(&sb, &["hold"]), "");
    let again = run(&sb, &["hold", "--release", "--as", "Alex"]);
    assert!(again.error_line("touch-plan").contains("no hold"));
}

fn hold_files(sb: &Sandbox) -> Vec<Value> {
    tree(&sb.data())
        .into_iter()
        .filter(|(k, _)| k.starts_with("touch/holds/") && k.ends_with(".json"))
        .map(|(_, v)| serde_json::from_slice(&v).unwrap())
        .collect()
}

#[test]
fn only_the_partner_who_set_a_hold_lifts_it_early_and_the_release_is_recorded() {
    let sb = started();
    // Plain files, read and written here by hand.
    tp(&sb, &["couple", "decrypt", "--yes", "--as", "Alex"]);
    let set = [
        "hold",
        "--from-stage",
        "1",
        "--until",
        "2026-04-01",
        "--reason",
        "surgeon",
        "--as",
        "Sam",
    ];
    tp(&sb, &set);
    let before = tree(&sb.data());
    let r = run(&sb, &["hold", "--release", "--as", "Alex"]);
    assert_eq!(r.code, 1, "{r:?}");
    assert_eq!(
        r.error_line("touch-plan"),
        "touch-plan: the hold on stage 1 was set by Sam; only they can lift it early. It lifts by itself on 2026-04-01"
    );
    assert_eq!(tree(&sb.data()), before, "nothing changed");
    assert_eq!(show_json(&sb, "Alex")["holds"].as_array().unwrap().len(), 1);

    sb.set_today("2026-03-05");
    tp(&sb, &["hold", "--release", "--as", "Sam"]);
    assert_eq!(show_json(&sb, "Alex")["holds"], serde_json::json!([]));
    let files = hold_files(&sb);
    assert_eq!(files.len(), 1);
    assert_eq!(files[0]["released"], "2026-03-05");
    assert_eq!(files[0]["released_by"], files[0]["by"]);
    assert!(files[0]["released_at"].is_string(), "{}", files[0]);
}

#[test]
fn a_hold_from_before_holds_had_an_owner_may_be_lifted_by_either_and_it_is_recorded() {
    let sb = started();
    // Plain files, read and written here by hand.
    tp(&sb, &["couple", "decrypt", "--yes", "--as", "Alex"]);
    tp(
        &sb,
        &[
            "hold",
            "--from-stage",
            "1",
            "--until",
            "2026-04-01",
            "--reason",
            "old",
            "--as",
            "Sam",
        ],
    );
    // The same hold as an older closer wrote it: no owner.
    let (name, _) = tree(&sb.data())
        .into_iter()
        .find(|(k, _)| k.starts_with("touch/holds/") && k.ends_with(".json"))
        .unwrap();
    let path = sb.data().join(&name);
    let mut v: Value = serde_json::from_slice(&std::fs::read(&path).unwrap()).unwrap();
    v.as_object_mut().unwrap().remove("by");
    std::fs::write(&path, serde_json::to_vec(&v).unwrap()).unwrap();
    tp(&sb, &["hold", "--release", "--as", "Alex"]);
    let files = hold_files(&sb);
    assert_eq!(files[0]["released"], support::START);
    assert!(files[0]["released_by"].is_string(), "{}", files[0]);
}
