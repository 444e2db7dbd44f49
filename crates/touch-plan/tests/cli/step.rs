//! `touch-plan step ID`: a step's whole text with the adaptations for the couple's conditions,
//! and nothing of a step the couple has not opted in to.

use super::*;

#[test]
fn a_step_reads_whole_with_adaptations_for_your_conditions() {
    let sb = Sandbox::new();
    couple(&sb);
    let lib = Library::builtin();
    let step = lib.step(HANDS).unwrap();
    let shown = tp(&sb, &["step", "s0-hold-h"]);
    assert!(
        shown.starts_with("Hold hands (s0-hold-hands) · stage 0"),
        "{shown}"
    );
    for part in [step.how, step.giver, step.receiver, step.notice, step.short] {
        assert!(shown.contains(part), "{part:?} missing:\n{shown}");
    }
    let arthritis = step.adaptation("arthritis").unwrap();
    assert!(shown.contains(&format!("(Alex): {arthritis}")), "{shown}");
    for (condition, text) in step.adapt {
        if !["arthritis", "post-surgery"].contains(condition) {
            assert!(!shown.contains(*text), "{condition} is nobody's:\n{shown}");
        }
    }

    let j: Value = serde_json::from_str(&tp(&sb, &["step", HANDS, "--json"])).unwrap();
    assert_eq!(j["step"]["id"], HANDS);
    let adapted: Vec<&str> = j["adaptations"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["for"].as_str().unwrap())
        .collect();
    assert!(adapted.contains(&"Alex"), "{j}");
}

#[test]
fn a_sexual_step_stays_hidden_until_both_opt_in() {
    let sb = Sandbox::new();
    couple(&sb);
    let r = run(&sb, &["step", "s6-intercourse-if-wanted"]);
    assert_ne!(r.code, 0, "{r:?}");
    assert_eq!(r.stdout, "");
}
