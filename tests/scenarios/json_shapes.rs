//! The JSON every `--json` command prints is the scripting interface: its shape (every key and
//! the kind of every value) is pinned here, and the keys README documents are checked against it.

use super::*;
use std::collections::BTreeSet;
use std::fmt::Write;
use support::{NEEDS, PROMPT, TOUCH};

/// The shape of a JSON value: objects by key (sorted), arrays by the shapes of their items.
fn shape(v: &Value) -> String {
    match v {
        Value::Null => "null".into(),
        Value::Bool(_) => "bool".into(),
        Value::Number(_) => "number".into(),
        Value::String(_) => "string".into(),
        Value::Array(items) => {
            let kinds: BTreeSet<String> = items.iter().map(shape).collect();
            format!("[{}]", kinds.into_iter().collect::<Vec<_>>().join(" | "))
        }
        Value::Object(m) => {
            let fields: Vec<String> = m
                .iter()
                .map(|(k, v)| format!("{k}: {}", shape(v)))
                .collect();
            format!("{{{}}}", fields.join(", "))
        }
    }
}

fn keys(v: &Value) -> BTreeSet<String> {
    v.as_object()
        .unwrap_or_else(|| panic!("not an object: {v}"))
        .keys()
        .cloned()
        .collect()
}

/// A couple a few days in: needs in every state, a plan under way with a session, a debrief and
/// a hold, a body map, and a prompt both have answered.
fn a_few_days_in() -> (Sandbox, String) {
    let sb = Sandbox::new();
    sb.ok(
        NEEDS,
        &["couple", "add", "Alex", "--condition", "arthritis"],
    );
    sb.ok(NEEDS, &["couple", "add", "Sam"]);
    let need = sb
        .ok(
            NEEDS,
            &[
                "add",
                "Help with buttons",
                "--condition",
                "arthritis",
                "--as",
                "Alex",
            ],
        )
        .trim()
        .to_owned();
    sb.ok(NEEDS, &["add", "Quiet evenings", "--as", "Sam"]);
    sb.ok(
        NEEDS,
        &[
            "propose",
            &need,
            "--plan",
            "Sam does buttons",
            "--helper",
            "Sam",
            "--review-in",
            "14d",
            "--as",
            "Sam",
        ],
    );
    for s in ["s0-breathe-together", "s0-sit-close"] {
        sb.ok(TOUCH, &["boundary", s, "yes", "--as", "Alex"]);
        sb.ok(TOUCH, &["boundary", s, "yes", "--as", "Sam"]);
    }
    sb.ok(
        TOUCH,
        &[
            "body",
            "hands",
            "ask-first",
            "--note",
            "stiff",
            "--as",
            "Alex",
        ],
    );
    sb.ok(TOUCH, &["ready", "--as", "Alex"]);
    sb.ok(
        TOUCH,
        &["log", "--minutes", "10", "--note", "calm", "--as", "Alex"],
    );
    sb.ok(
        TOUCH,
        &["debrief", "--noticed", "warm hands", "--as", "Sam"],
    );
    sb.ok(
        TOUCH,
        &[
            "hold",
            "--from-stage",
            "3",
            "--until",
            "2026-04-01",
            "--reason",
            "scan",
            "--as",
            "Alex",
        ],
    );
    sb.ok(PROMPT, &["answer", "A first answer", "--as", "Alex"]);
    sb.ok(PROMPT, &["answer", "A second answer", "--as", "Sam"]);
    sb.ok(PROMPT, &["answer", "A better answer", "--as", "Alex"]);
    (sb, need)
}

#[test]
fn every_json_output_keeps_its_shape() {
    let (sb, need) = a_few_days_in();
    let commands: Vec<((&str, &str), Vec<&str>)> = vec![
        (NEEDS, vec!["--json", "--as", "Alex"]),
        (NEEDS, vec!["show", &need, "--json", "--as", "Alex"]),
        (NEEDS, vec!["suggest", "--json", "--as", "Alex"]),
        (NEEDS, vec!["couple", "--json", "--as", "Alex"]),
        (NEEDS, vec!["couple", "conditions", "--json"]),
        (NEEDS, vec!["couple", "today", "--json", "--as", "Alex"]),
        (PROMPT, vec!["--json", "--as", "Alex"]),
        (PROMPT, vec!["history", "--json", "--as", "Alex"]),
        (PROMPT, vec!["list", "--json"]),
        (PROMPT, vec!["categories", "--json"]),
        (TOUCH, vec!["show", "--json", "--as", "Alex"]),
        (TOUCH, vec!["today", "--json", "--as", "Alex"]),
        (TOUCH, vec!["mine", "--json", "--as", "Alex"]),
        (TOUCH, vec!["history", "--json", "--as", "Alex"]),
        (TOUCH, vec!["step", "s0-hold-hands", "--json"]),
    ];
    let mut all = String::new();
    for (tool, args) in &commands {
        let v = json(&sb.ok(*tool, args));
        let shown: Vec<&str> = args
            .iter()
            .map(|a| if *a == need { "ID" } else { a })
            .collect();
        writeln!(all, "{} {}\n  {}", tool.1, shown.join(" "), shape(&v)).unwrap();
    }
    // A day with nothing to practise has its own shape.
    sb.ok(TOUCH, &["pause", "--as", "Alex"]);
    let v = json(&sb.ok(TOUCH, &["today", "--json", "--as", "Alex"]));
    writeln!(all, "touch-plan today --json (paused)\n  {}", shape(&v)).unwrap();
    insta::assert_snapshot!("json_shapes", all);
}

/// What README's "JSON for scripts" documents, key for key.
#[test]
fn the_documented_keys_are_the_keys_printed() {
    let readme =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/README.md")).unwrap();
    let section = &readme[readme.find("## JSON for scripts").expect("the section")..];
    let block = &section[section.find("```json").unwrap() + 7..];
    let example = json(&block[..block.find("```").unwrap()]);
    let (sb, need) = a_few_days_in();

    let needs = json(&sb.ok(NEEDS, &["--json", "--all", "--as", "Alex"]));
    let shown = json(&sb.ok(NEEDS, &["show", &need, "--json", "--as", "Alex"]));
    assert_eq!(keys(&shown), keys(&example), "needs-list show --json");
    let mut listed = keys(&example);
    listed.remove("history");
    for n in needs.as_array().unwrap() {
        assert!(keys(n).is_subset(&keys(&example)), "needs-list --json: {n}");
        assert!(listed.is_subset(&keys(n)), "needs-list --json: {n}");
    }
    for (i, c) in shown["history"].as_array().unwrap().iter().enumerate() {
        assert_eq!(keys(c), keys(&example["history"][0]), "history {i}");
    }
    let documented = |words: &[&str]| -> BTreeSet<String> {
        for w in words {
            assert!(
                section.contains(&format!("`{w}`")),
                "README does not name `{w}`"
            );
        }
        words.iter().map(|w| w.to_string()).collect()
    };
    assert_eq!(
        keys(&shown["proposal"]),
        documented(&["plan", "helper", "review", "by", "date", "accepted_by"])
    );
    let today = json(&sb.ok(PROMPT, &["--json", "--as", "Alex"]));
    assert_eq!(
        keys(&today),
        documented(&[
            "id",
            "date",
            "text",
            "category",
            "depth",
            "low_energy",
            "sexual",
            "tags"
        ])
    );
    let history = json(&sb.ok(PROMPT, &["history", "--json", "--as", "Alex"]));
    let answers = history.as_array().unwrap();
    assert!(answers.len() >= 2, "{history}");
    for a in answers {
        assert_eq!(
            keys(a),
            documented(&[
                "date",
                "partner",
                "prompt",
                "prompt_text",
                "answer",
                "passed",
                "sealed",
                "earlier"
            ])
        );
    }
}
