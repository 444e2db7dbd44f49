//! `couple today`: the day at a glance, the same in every tool, and quiet from cron.

use super::*;
use support::{EXPORT, NEEDS, PROMPT, TOUCH, run_without_terminal};

const ALEX_ANSWER: &str = "the walk by the river";

#[test]
fn today_at_a_glance_shows_who_answered_but_never_what() {
    let sb = Sandbox::new();
    sb.ok(NEEDS, &["couple", "add", "Alex"]);
    sb.ok(NEEDS, &["couple", "add", "Sam"]);
    for who in ["Alex", "Sam"] {
        sb.ok(TOUCH, &["boundary", "s0-sit-close", "yes", "--as", who]);
    }
    let shared = sb
        .ok(NEEDS, &["add", "Help with buttons", "--as", "Alex"])
        .trim()
        .to_owned();
    sb.ok(
        NEEDS,
        &[
            "propose",
            &shared,
            "--plan",
            "Sam does buttons",
            "--review",
            "2026-03-02",
            "--as",
            "Alex",
        ],
    );
    sb.ok(NEEDS, &["accept", &shared, "--as", "Sam"]);
    sb.ok(PROMPT, &["answer", ALEX_ANSWER, "--as", "Alex"]);
    let prompt = sb.ok(PROMPT, &[]);

    let glance = sb.ok(NEEDS, &["couple", "today", "--as", "Sam"]);
    for tool in [TOUCH, PROMPT, EXPORT] {
        assert_eq!(sb.ok(tool, &["couple", "today", "--as", "Sam"]), glance);
    }
    assert!(
        glance.contains(&format!("Prompt: {}", prompt.trim())),
        "{glance}"
    );
    assert!(glance.contains("Answered: Alex. Not yet: Sam."), "{glance}");
    assert!(!glance.contains(ALEX_ANSWER), "{glance}");
    assert!(glance.contains("Touch: Sit close"), "{glance}");
    assert!(glance.contains("Review due: Help with buttons"), "{glance}");

    let j = json(&sb.ok(TOUCH, &["couple", "today", "--json", "--as", "Sam"]));
    assert_eq!(j["prompt"]["text"], prompt.trim());
    assert_eq!(
        j["answered"][0],
        serde_json::json!({"partner": "Alex", "answered": true})
    );
    assert_eq!(j["answered"][1]["answered"], false);
    assert_eq!(j["touch"]["state"], "step");
    assert_eq!(j["touch"]["step"]["id"], "s0-sit-close");
    assert_eq!(j["due"].as_array().unwrap().len(), 1);
    assert!(!j.to_string().contains(ALEX_ANSWER));

    // A pause and a hold that lifts soon.
    sb.ok(TOUCH, &["pause", "--as", "Sam"]);
    sb.ok(
        TOUCH,
        &[
            "hold",
            "--from-stage",
            "2",
            "--until",
            "2026-03-09",
            "--reason",
            "clearance",
            "--as",
            "Sam",
        ],
    );
    let glance = sb.ok(PROMPT, &["couple", "today"]);
    assert!(glance.contains("Touch: the plan is paused"), "{glance}");
    assert!(
        glance.contains("Hold lifts on 2026-03-09: stage 2 and up (clearance)"),
        "{glance}"
    );
    // A gentle day is named, nothing more.
    sb.ok(PROMPT, &["couple", "energy", "low", "--as", "Alex"]);
    let glance = sb.ok(PROMPT, &["couple", "today", "--as", "Sam"]);
    assert!(
        glance.starts_with("Today, 2026-03-02: a gentle day\n"),
        "{glance}"
    );
}

#[test]
fn your_own_pass_is_shown_as_a_pass_and_never_as_not_yet() {
    let sb = Sandbox::new();
    sb.ok(NEEDS, &["couple", "add", "Alex"]);
    sb.ok(NEEDS, &["couple", "add", "Sam"]);
    sb.ok(PROMPT, &["answer", "--pass", "--as", "Sam"]);
    let sams = sb.ok(NEEDS, &["couple", "today", "--as", "Sam"]);
    assert!(
        sams.contains("You passed today. Not yet: Alex.\n"),
        "{sams}"
    );
    assert!(!sams.contains("Sam.") && !sams.contains("Nobody"), "{sams}");
    // To Alex, a pass is no answer, as before.
    let alexs = sb.ok(NEEDS, &["couple", "today", "--as", "Alex"]);
    assert!(alexs.contains("Nobody has answered yet."), "{alexs}");
    assert!(!alexs.contains("passed"), "{alexs}");

    sb.ok(PROMPT, &["answer", ALEX_ANSWER, "--as", "Alex"]);
    let sams = sb.ok(TOUCH, &["couple", "today", "--as", "Sam"]);
    assert!(
        sams.contains("Answered: Alex. You passed today.\n"),
        "{sams}"
    );
    let alexs = sb.ok(TOUCH, &["couple", "today", "--as", "Alex"]);
    assert!(alexs.contains("Answered: Alex. Not yet: Sam.\n"), "{alexs}");

    let j = json(&sb.ok(PROMPT, &["couple", "today", "--json", "--as", "Sam"]));
    assert_eq!(
        j["answered"][1],
        serde_json::json!({"partner": "Sam", "answered": false, "passed": true})
    );
    let j = json(&sb.ok(PROMPT, &["couple", "today", "--json", "--as", "Alex"]));
    assert_eq!(
        j["answered"][1],
        serde_json::json!({"partner": "Sam", "answered": false})
    );
    let plain = sb.ok(EXPORT, &["couple", "today", "--plain", "--as", "Sam"]);
    assert!(plain.contains("answered\tSam\tpassed\n"), "{plain}");
}

#[test]
fn today_at_a_glance_from_cron_prints_the_prompt_and_nothing_on_stderr() {
    let sb = Sandbox::new();
    let home = sb.home();
    let cron = |tool| {
        run_without_terminal(
            &support::bin(tool),
            &[
                ("HOME", home.as_os_str()),
                ("PATH", "/usr/bin:/bin".as_ref()),
                ("SHELL", "/bin/sh".as_ref()),
                // The one seal: the day, so that the test cannot straddle midnight.
                ("CLOSER_TODAY", support::START.as_ref()),
            ],
            &["couple", "today"],
        )
    };
    let prompt = |r: &support::Run| {
        r.ok()
            .lines()
            .find_map(|l| l.strip_prefix("Prompt: "))
            .map(str::to_owned)
            .unwrap_or_else(|| panic!("no prompt in {:?}", r.stdout))
    };
    // Nothing set up at all: the prompt, nothing else to say.
    let first = cron(PROMPT);
    assert_eq!(first.stderr, "", "cron would mail this");
    prompt(&first);
    // A couple in the default data folder: their own prompt.
    let data = home.join(".local/share/closer");
    sb.run_in(&data, NEEDS, &["couple", "add", "Alex"]).ok();
    sb.run_in(&data, NEEDS, &["couple", "add", "Sam"]).ok();
    for tool in [NEEDS, TOUCH, PROMPT, EXPORT] {
        let r = cron(tool);
        assert_eq!(r.stderr, "", "cron would mail this");
        let own = sb.run_in(&data, PROMPT, &[]);
        assert_eq!(prompt(&r), own.ok().trim());
        assert!(
            r.stdout.contains("Nobody has answered yet."),
            "{}",
            r.stdout
        );
    }
}

#[test]
fn today_at_a_glance_names_the_first_due_reviews_and_counts_the_rest() {
    let sb = Sandbox::new();
    sb.ok(NEEDS, &["couple", "add", "Alex"]);
    sb.ok(NEEDS, &["couple", "add", "Sam"]);
    let agreed = |text: &str, review: &str| {
        let id = sb
            .ok(NEEDS, &["add", text, "--as", "Alex"])
            .trim()
            .to_owned();
        sb.ok(
            NEEDS,
            &[
                "propose", &id, "--plan", "a plan", "--review", review, "--as", "Alex",
            ],
        );
        sb.ok(NEEDS, &["accept", &id, "--as", "Sam"]);
    };
    for i in 1..=7 {
        agreed(&format!("Due need {i}"), support::START);
    }
    agreed("Not due yet", "2026-04-01");

    let j = json(&sb.ok(PROMPT, &["couple", "today", "--json", "--as", "Sam"]));
    let due = j["due"].as_array().unwrap();
    assert_eq!(due.len(), 7, "{j}");
    let ids: Vec<&str> = due.iter().map(|d| d["id"].as_str().unwrap()).collect();
    let mut sorted = ids.clone();
    sorted.sort_unstable();
    assert_eq!(ids, sorted, "same review day: by ID");
    let plain = sb.ok(PROMPT, &["couple", "today", "--plain", "--as", "Sam"]);
    assert_eq!(plain.lines().filter(|l| l.starts_with("due\t")).count(), 7);

    let glance = sb.ok(PROMPT, &["couple", "today", "--as", "Sam"]);
    let named: Vec<String> = glance
        .lines()
        .filter_map(|l| l.strip_prefix("Review due: "))
        .map(str::to_owned)
        .collect();
    let first: Vec<String> = due[..5]
        .iter()
        .map(|d| {
            format!(
                "{} ({}, Alex's)",
                d["text"].as_str().unwrap(),
                d["short_id"].as_str().unwrap()
            )
        })
        .collect();
    assert_eq!(named, first, "{glance}");
    assert!(
        glance.contains("\nAnd 2 more reviews due: `needs-list --due`.\n"),
        "{glance}"
    );
    assert!(!glance.contains("Not due yet"), "{glance}");
}
