//! A new couple's first two weeks with every tool, ending in an export that holds all of it and
//! nothing it must not.

use super::*;
use closer_core::content::Library;
use std::collections::BTreeSet;
use support::{EXPORT, NEEDS, PROMPT, TOUCH};

const ALEX_PRIVATE_NEED: &str = "Time to grieve the hobbies I had to give up";
const SAM_PRIVATE_DEBRIEF: &str = "I was thinking about work the whole time";
const ALEX_BODY_NOTE: &str = "stiff knuckles in the morning";

fn day(n: u32) -> String {
    format!("2026-03-{:02}", n + 1)
}

fn current_step(sb: &Sandbox) -> String {
    json(&sb.ok(TOUCH, &["show", "--json", "--as", "Alex"]))["current"]["id"]
        .as_str()
        .unwrap_or("none")
        .to_owned()
}

fn both_ready(sb: &Sandbox) {
    sb.ok(TOUCH, &["ready", "--as", "Alex"]);
    sb.ok(TOUCH, &["ready", "--as", "Sam"]);
}

#[test]
fn the_first_two_weeks() {
    let sb = Sandbox::new();
    let lib = Library::builtin();

    // Day 1: set-up with two different tools, a condition each, and the first needs.
    sb.set_today(&day(1));
    sb.ok(
        NEEDS,
        &["couple", "add", "Alex", "--condition", "arthritis"],
    );
    sb.ok(
        TOUCH,
        &["couple", "add", "Sam", "--condition", "depression"],
    );
    let buttons = sb
        .ok(
            NEEDS,
            &[
                "add",
                "Help with buttons on stiff mornings",
                "--category",
                "practical",
                "--condition",
                "arthritis",
                "--as",
                "Alex",
            ],
        )
        .trim()
        .to_owned();
    let evenings = sb
        .ok(
            NEEDS,
            &[
                "add",
                "Evenings when I don't have to explain a low day",
                "--category",
                "emotional",
                "--condition",
                "depression",
                "--as",
                "Sam",
            ],
        )
        .trim()
        .to_owned();
    sb.ok(
        NEEDS,
        &["add", ALEX_PRIVATE_NEED, "--private", "--as", "Alex"],
    );
    for s in [
        "s0-breathe-together",
        "s0-sit-close",
        "s0-hold-hands",
        "s1-short-hug",
    ] {
        sb.ok(TOUCH, &["boundary", s, "yes", "--as", "Alex"]);
        sb.ok(TOUCH, &["boundary", s, "yes", "--as", "Sam"]);
    }
    // Answers only their author ever sees.
    sb.ok(TOUCH, &["boundary", "s1-spooning", "no", "--as", "Alex"]);
    sb.ok(
        TOUCH,
        &["boundary", "s2-hand-massage", "maybe", "--as", "Sam"],
    );
    assert_eq!(current_step(&sb), "s0-breathe-together");

    let mut prompts_seen = BTreeSet::new();
    let mut sessions = 0;
    for d in 1..=14 {
        sb.set_today(&day(d));
        let prompt = json(&sb.ok(PROMPT, &["--json", "--as", "Alex"]));
        prompts_seen.insert(prompt["id"].as_str().unwrap().to_owned());
        assert_eq!(prompt["date"], day(d));
        sb.ok(
            PROMPT,
            &["answer", &format!("Alex on day {d}"), "--as", "Alex"],
        );
        if d % 2 == 0 {
            sb.ok_stdin(
                PROMPT,
                &["answer", "-", "--as", "Sam"],
                &format!("Sam on day {d}\n"),
            );
        }
        match d {
            2 => {
                sb.ok(
                    NEEDS,
                    &[
                        "agree",
                        &buttons,
                        "--plan",
                        "Sam does the buttons before work",
                        "--helper",
                        "Sam",
                        "--review-in",
                        "14d",
                        "--as",
                        "Alex",
                    ],
                );
                sb.ok(NEEDS, &["accept", &buttons, "--as", "Sam"]);
                sb.ok(TOUCH, &["log", "--minutes", "10", "--as", "Alex"]);
                sb.ok(
                    TOUCH,
                    &[
                        "debrief",
                        "--noticed",
                        "our breathing fell into step",
                        "--as",
                        "Sam",
                    ],
                );
                both_ready(&sb);
            }
            3 => {
                sb.ok(NEEDS, &["talked", &evenings, "--as", "Sam"]);
                sb.ok(
                    TOUCH,
                    &[
                        "body",
                        "hands",
                        "ask-first",
                        "--note",
                        ALEX_BODY_NOTE,
                        "--as",
                        "Alex",
                    ],
                );
            }
            4 => {
                sb.ok(
                    TOUCH,
                    &[
                        "log",
                        "--minutes",
                        "15",
                        "--note",
                        "film on, shoulders touching",
                        "--as",
                        "Sam",
                    ],
                );
                sb.ok(
                    TOUCH,
                    &[
                        "debrief",
                        "--noticed",
                        SAM_PRIVATE_DEBRIEF,
                        "--private",
                        "--as",
                        "Sam",
                    ],
                );
                both_ready(&sb);
            }
            5 => {
                sb.ok(
                    NEEDS,
                    &[
                        "agree",
                        &evenings,
                        "--plan",
                        "Alex asks once, then lets it be",
                        "--as",
                        "Sam",
                    ],
                );
                sb.ok(NEEDS, &["accept", &evenings, "--as", "Alex"]);
            }
            6 => {
                sb.ok(TOUCH, &["log", "--minutes", "5", "--as", "Alex"]);
                sb.ok(
                    TOUCH,
                    &[
                        "debrief",
                        "--too-much",
                        "too soon after a bad night",
                        "--as",
                        "Sam",
                    ],
                );
            }
            7 => {
                sb.ok(TOUCH, &["back", "--as", "Sam"]);
                assert_eq!(current_step(&sb), "s0-sit-close");
            }
            9 => {
                sb.ok(TOUCH, &["couple", "opt-in", "sexual", "--as", "Alex"]);
                sb.ok(
                    TOUCH,
                    &[
                        "log",
                        "--minutes",
                        "20",
                        "--note",
                        "slower this time",
                        "--as",
                        "Sam",
                    ],
                );
                sb.ok(
                    TOUCH,
                    &[
                        "debrief",
                        "--noticed",
                        "warm hands, cold feet",
                        "--as",
                        "Alex",
                    ],
                );
            }
            11 => both_ready(&sb),
            12 => {
                sb.ok(
                    TOUCH,
                    &["log", "--minutes", "10", "--giver", "Sam", "--as", "Alex"],
                );
                both_ready(&sb);
            }
            14 => {
                sb.ok(
                    TOUCH,
                    &[
                        "log",
                        "--minutes",
                        "3",
                        "--note",
                        "a long hello at the door",
                        "--as",
                        "Alex",
                    ],
                );
                sb.ok(
                    TOUCH,
                    &[
                        "debrief",
                        "--noticed",
                        "the hug lasted longer than we planned",
                        "--as",
                        "Alex",
                    ],
                );
            }
            _ => {}
        }
        if [2, 4, 6, 9, 12, 14].contains(&d) {
            sessions += 1;
        }
    }
    assert_eq!(current_step(&sb), "s1-short-hug");
    assert_eq!(
        prompts_seen.len(),
        14,
        "a prompt came back within two weeks"
    );
    assert!(
        prompts_seen
            .iter()
            .all(|id| { lib.prompts.iter().any(|p| p.id == id && !p.sexual) })
    );

    // The export on the last day.
    let sexual_steps: Vec<&str> = lib
        .steps
        .iter()
        .filter(|s| lib.step_is_sexual(s))
        .map(|s| s.id)
        .collect();
    let forbidden_for_all: Vec<&str> = sexual_steps
        .iter()
        .copied()
        .chain(["Sensual touch", "Exploring together"])
        .collect();
    for (who, other) in [("Alex", "Sam"), ("Sam", "Alex")] {
        let md = sb.ok(EXPORT, &["--as", who]);
        let doc = json(&sb.ok(EXPORT, &["--format", "json", "--as", who]));
        let both = format!("{md}\n{doc}");

        for text in [
            "Help with buttons on stiff mornings",
            "Sam does the buttons before work",
            "Evenings when I don't have to explain a low day",
            "Alex asks once, then lets it be",
            "our breathing fell into step",
            "film on, shoulders touching",
            "too soon after a bad night",
            "warm hands, cold feet",
            "a long hello at the door",
            "the hug lasted longer than we planned",
            "Hold hands",
            "A short hug",
        ] {
            assert!(md.contains(text), "{who}'s Markdown lacks {text:?}");
        }
        // Nobody goes first: Sam reads Alex's answer only on the days Sam answered too.
        let line_ends = |text: String| md.lines().any(|l| l.ends_with(&text));
        for d in 1..=14 {
            assert_eq!(
                line_ends(format!("Alex on day {d}")),
                who == "Alex" || d % 2 == 0,
                "{who}: Alex's answer on day {d}"
            );
            assert_eq!(
                line_ends(format!("Sam on day {d}")),
                d % 2 == 0,
                "{who}: Sam's answer on day {d}"
            );
        }
        assert_eq!(doc["answers"].as_array().unwrap().len(), 14 + 7);
        assert_eq!(
            doc["needs"].as_array().unwrap().len(),
            if who == "Alex" { 3 } else { 2 }
        );
        assert_eq!(doc["touch"]["sessions"].as_array().unwrap().len(), sessions);
        assert_eq!(doc["touch"]["current"], "s1-short-hug");
        assert_eq!(doc["sexual_content"], false);
        let mine = &doc["touch"]["mine"];
        assert_eq!(
            mine["partner"],
            doc["partners"]
                .as_array()
                .unwrap()
                .iter()
                .find(|p| p["name"] == who)
                .unwrap()["id"]
        );

        // Nothing sexual, for either of them: only Alex opted in.
        for f in &forbidden_for_all {
            assert!(!both.contains(f), "{who}'s export shows {f}");
        }
        for a in doc["answers"].as_array().unwrap() {
            let id = a["prompt"].as_str().unwrap();
            assert!(lib.prompts.iter().any(|p| p.id == id && !p.sexual), "{id}");
        }
        // Each one's own private things are theirs; the other's never show.
        let (own, others): (Vec<&str>, Vec<&str>) = if who == "Alex" {
            (
                vec![ALEX_PRIVATE_NEED, ALEX_BODY_NOTE, "s1-spooning"],
                vec![SAM_PRIVATE_DEBRIEF, "s2-hand-massage"],
            )
        } else {
            (
                vec![SAM_PRIVATE_DEBRIEF, "s2-hand-massage"],
                vec![ALEX_PRIVATE_NEED, ALEX_BODY_NOTE, "s1-spooning"],
            )
        };
        for s in own {
            assert!(both.contains(s), "{who}'s export lacks their own {s:?}");
        }
        for s in others {
            assert!(!both.contains(s), "{who}'s export shows {other}'s {s:?}");
        }
        // Sam's step back is in Sam's own marks only.
        let kinds: Vec<&str> = mine["events"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["kind"].as_str().unwrap())
            .collect();
        assert_eq!(kinds.contains(&"back"), who == "Sam", "{who}: {kinds:?}");
    }
}
