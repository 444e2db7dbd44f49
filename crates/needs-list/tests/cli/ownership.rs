//! Who may do what to a need: only its owner changes or closes it; either partner comments; a
//! plan is agreed only when both partners accepted the same one.

use super::*;

fn history(s: &Sandbox, id: &str, who: &str) -> Vec<(String, String)> {
    s.show_json(id, who)["history"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            (
                c["by"].as_str().unwrap().to_owned(),
                c["change"].as_str().unwrap().to_owned(),
            )
        })
        .collect()
}

#[test]
fn only_the_owner_edits_closes_or_deletes_a_need() {
    let s = Sandbox::new();
    s.couple_in(&s.data());
    let id = s.add_in(&s.data(), "alex", "help with buttons", &[]);
    let before = support::tree(&s.data());
    for args in [
        vec!["edit", &id, "--text", "nothing", "--as", "sam"],
        vec!["edit", &id, "--importance", "low", "--as", "sam"],
        vec!["met", &id, "--as", "sam"],
        vec!["retire", &id, "--as", "sam"],
        vec!["rm", &id, "--yes", "--as", "sam"],
    ] {
        let r = s.run(&args);
        assert_eq!(r.code, 1, "{args:?}: {r:?}");
        assert_eq!(
            r.error_line("needs-list"),
            "needs-list: this is alex's need; you can comment or propose a plan",
            "{args:?}"
        );
    }
    assert_eq!(support::tree(&s.data()), before, "nothing changed");
    // The owner can.
    s.ok(&["edit", &id, "--importance", "high", "--as", "alex"]);
    s.ok(&["met", &id, "--as", "alex"]);
    s.ok(&["rm", &id, "--yes", "--as", "alex"]);
}

#[test]
fn either_partner_comments_and_the_comments_stay_in_the_history() {
    let s = Sandbox::new();
    s.couple_in(&s.data());
    let id = s.add_in(&s.data(), "alex", "help with buttons", &[]);
    s.ok(&["comment", &id, "I can do mornings", "--as", "sam"]);
    s.ok(&["comment", &id, "thank you", "--as", "alex"]);
    let h = history(&s, &id, "sam");
    assert_eq!(
        h[1..],
        [
            ("sam".to_owned(), "comment: I can do mornings".to_owned()),
            ("alex".to_owned(), "comment: thank you".to_owned()),
        ]
    );
}

#[test]
fn one_partner_alone_cannot_make_a_need_agreed() {
    let s = Sandbox::new();
    s.couple_in(&s.data());
    let id = s.add_in(&s.data(), "alex", "help with buttons", &[]);
    s.ok(&[
        "agree",
        &id,
        "--plan",
        "sam does buttons",
        "--helper",
        "sam",
        "--as",
        "alex",
    ]);
    let n = s.show_json(&id, "sam");
    assert_eq!(n["status"], "open", "{n}");
    assert_eq!(n["plan"], Value::Null);
    assert_eq!(n["proposal"]["plan"], "sam does buttons");
    assert_eq!(n["proposal"]["by"], "alex");
    assert_eq!(n["proposal"]["helper"], "sam");
    // Alex accepting again changes nothing.
    assert_eq!(s.run(&["accept", &id, "--as", "alex"]).code, 1);
    assert_eq!(s.show_json(&id, "sam")["status"], "open");
}

#[test]
fn a_plan_is_proposed_answered_with_another_and_accepted_with_who_did_what() {
    let s = Sandbox::new();
    s.couple_in(&s.data());
    let id = s.add_in(&s.data(), "alex", "help with buttons", &[]);
    s.ok(&["propose", &id, "--plan", "sam does buttons", "--as", "alex"]);
    s.ok(&[
        "propose",
        &id,
        "--plan",
        "my sister does buttons on tuesdays",
        "--helper",
        "my sister",
        "--review-in",
        "30d",
        "--as",
        "sam",
    ]);
    assert_eq!(s.show_json(&id, "alex")["status"], "open");
    s.ok(&["accept", &id, "--as", "alex"]);
    let n = s.show_json(&id, "alex");
    assert_eq!(n["status"], "agreed");
    assert_eq!(n["plan"], "my sister does buttons on tuesdays");
    assert_eq!(n["helper"], "my sister");
    assert_eq!(n["review"], "2026-03-31");
    assert_eq!(n["proposal"], Value::Null);
    assert_eq!(
        history(&s, &id, "sam")[1..],
        [
            ("alex".to_owned(), "proposed: sam does buttons".to_owned()),
            (
                "sam".to_owned(),
                "proposed: my sister does buttons on tuesdays; my sister helps; review 2026-03-31"
                    .to_owned()
            ),
            (
                "alex".to_owned(),
                "accepted sam's plan: my sister does buttons on tuesdays (agreed)".to_owned()
            ),
        ]
    );
    // The review comes round as before.
    let due = s.ok_on("2026-03-31", &["--due", "--plain", "--as", "alex"]);
    assert!(due.contains("help with buttons"), "{due}");
    assert_eq!(
        s.ok_on("2026-03-30", &["--due", "--plain", "--as", "alex"]),
        ""
    );
}

#[test]
fn both_of_you_can_help() {
    let s = Sandbox::new();
    s.couple_in(&s.data());
    let id = s.add_in(&s.data(), "sam", "a quiet hour after work", &[]);
    s.ok(&[
        "propose",
        &id,
        "--plan",
        "phones away at six",
        "--helper",
        "both",
        "--as",
        "alex",
    ]);
    s.ok(&["accept", &id, "--as", "sam"]);
    let n = s.show_json(&id, "sam");
    assert_eq!(n["status"], "agreed");
    assert_eq!(n["helper"], "both of you");
}
