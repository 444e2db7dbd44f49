//! Nothing leaks: a partner's private records stay theirs, and sexual content shows only while
//! both partners have opted in.

use super::*;

fn assert_absent(all: &[(String, String)], secrets: &[&str], whose: &str) {
    for (what, text) in all {
        for s in secrets {
            assert!(!text.contains(s), "{whose} export `{what}` shows {s:?}");
        }
    }
}

fn assert_present(all: &[(String, String)], s: &str, whose: &str) {
    assert!(
        all.iter().any(|(_, t)| t.contains(s)),
        "{whose} export never shows {s:?}"
    );
}

#[test]
fn a_partners_private_need_and_debrief_stay_theirs() {
    let sb = couple_with_history();
    let sams = every_format(&sb, Some("Sam"));
    assert_absent(&sams, &[PRIVATE_NEED, PRIVATE_DEBRIEF], "Sam's");
    assert_absent(
        &every_format(&sb, None),
        &[PRIVATE_NEED, PRIVATE_DEBRIEF],
        "The shared",
    );
    // Alex's own boundaries stay Alex's too: Sam never answered about spooning.
    assert_absent(
        &sams,
        &["s1-spooning", "Spoon, clothed", "left shoulder: surgery"],
        "Sam's",
    );
    let alexs = every_format(&sb, Some("Alex"));
    assert_present(&alexs, PRIVATE_NEED, "Alex's");
    assert_present(&alexs, PRIVATE_DEBRIEF, "Alex's");
    assert_present(&alexs, "s1-spooning", "Alex's");
    // Sam's own: the "maybe" is in Sam's JSON, nowhere in Alex's.
    let sam_json: Value = serde_json::from_str(&sams[1].1).unwrap();
    assert_eq!(
        sam_json["touch"]["mine"]["boundaries"]["s0-hold-hands"],
        "maybe"
    );
    assert_eq!(
        sam_json["touch"]["mine"]["partner"],
        id_of(&sb, "Sam").as_str()
    );
    assert_absent(&alexs, &["s0-hold-hands"], "Alex's");
}

#[test]
fn sexual_answers_and_sessions_only_when_both_opted_in() {
    let sb = couple_with_history();
    for who in ["Alex", "Sam"] {
        sb.ok(PROMPT, &["couple", "opt-in", "sexual", "--as", who]);
    }
    sb.set_today("2026-03-05");
    let desire = sb.ok(PROMPT, &["--category", "desire", "--json"]);
    let prompt: Value = serde_json::from_str(&desire).unwrap();
    assert_eq!(prompt["sexual"], true);
    let prompt_text = prompt["text"].as_str().unwrap().to_owned();
    sb.ok(
        PROMPT,
        &[
            "answer",
            SEXUAL_ANSWER,
            "--category",
            "desire",
            "--as",
            "Alex",
        ],
    );
    // Sam passes on the day, and so reads Alex's answer.
    sb.ok(PROMPT, &["answer", "--pass", "--as", "Sam"]);
    for who in ["Alex", "Sam"] {
        sb.ok(TOUCH, &["boundary", "s5-no-goal", "yes", "--as", who]);
    }
    // A session is logged only outside holds.
    sb.ok(TOUCH, &["hold", "--release", "--as", "Alex"]);
    sb.ok(
        TOUCH,
        &[
            "log",
            "--step",
            "s5-no-goal",
            "--note",
            SEXUAL_NOTE,
            "--as",
            "Sam",
        ],
    );
    sb.ok(
        TOUCH,
        &["debrief", "--noticed", SEXUAL_DEBRIEF, "--as", "Alex"],
    );
    let secrets = [
        SEXUAL_ANSWER,
        SEXUAL_NOTE,
        SEXUAL_DEBRIEF,
        "s5-no-goal",
        prompt_text.as_str(),
    ];

    for who in ["Alex", "Sam"] {
        let all = every_format(&sb, Some(who));
        for s in &secrets {
            assert_present(&all, s, who);
        }
    }
    // Either partner opting out takes it all out of every export at once.
    sb.ok(TOUCH, &["couple", "opt-out", "sexual", "--as", "Sam"]);
    for who in [Some("Alex"), Some("Sam"), None] {
        let all = every_format(&sb, who);
        assert_absent(&all, &secrets, who.unwrap_or("The shared"));
        assert_absent(&all, &["Sensual touch"], who.unwrap_or("The shared"));
    }
}
