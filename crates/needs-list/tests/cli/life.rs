//! The life of a need: named, talked over, agreed and met, with its history, in every view.

use super::*;

#[test]
fn add_prints_only_the_id() {
    let s = Sandbox::new();
    s.couple_in(&s.data());
    let r = s.run(&["add", "ask before you help me", "--as", "alex"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(r.stderr, "");
    let id = r.stdout.strip_suffix('\n').expect("one line");
    assert_eq!(id.len(), closer_core::ids::ID_LEN, "{id:?}");
    assert!(id.chars().all(|c| ID_CHARS.contains(c)), "{id:?}");
    // The printed ID is the need's ID.
    let n = s.show_json(id, "alex");
    assert_eq!(n["id"], id);
    assert_eq!(n["text"], "ask before you help me");
}

#[test]
fn a_need_is_named_talked_over_agreed_and_met_with_its_history() {
    let s = Sandbox::new();
    s.couple_in(&s.data());
    let text = "help getting dressed on bad-hand mornings";
    let id = s.add_in(
        &s.data(),
        "alex",
        text,
        &[
            "--category",
            "practical",
            "--condition",
            "arthritis",
            "--importance",
            "high",
        ],
    );
    let n = s.show_json(&id, "alex");
    assert_eq!(keys(&n), NEED_KEYS.iter().copied().collect());
    let short = n["short_id"].as_str().unwrap().to_owned();
    assert!(id.starts_with(&short) && short.len() >= 4, "{short}");
    assert_eq!(n["status"], "open");
    assert_eq!(n["owner"], "alex");
    assert_eq!(n["category"], "practical");
    assert_eq!(n["condition"], "arthritis");
    assert_eq!(n["importance"], "high");
    assert_eq!(n["private"], false);
    assert_eq!(n["created"], TODAY);
    assert_eq!(n["plan"], Value::Null);

    s.ok_on("2026-03-02", &["talked", &short, "--as", "sam"]);
    assert_eq!(s.show_json(&id, "sam")["status"], "talked");
    let plan = "sam does the buttons, alex does the rest";
    s.ok_on(
        "2026-03-03",
        &[
            "agree",
            &short,
            "--plan",
            plan,
            "--helper",
            "sam",
            "--review",
            "2026-04-01",
            "--as",
            "alex",
        ],
    );
    assert_eq!(s.show_json(&id, "alex")["status"], "talked");
    s.ok_on("2026-03-04", &["accept", &short, "--as", "sam"]);
    let n = s.show_json(&id, "alex");
    assert_eq!(n["status"], "agreed");
    assert_eq!(n["plan"], plan);
    assert_eq!(n["helper"], "sam");
    assert_eq!(n["review"], "2026-04-01");
    s.ok_on("2026-04-01", &["met", &id, "--as", "alex"]);

    let n = s.show_json(&id, "sam");
    assert_eq!(n["status"], "met");
    let history: Vec<(String, String, String)> = n["history"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            assert_eq!(keys(c), BTreeSet::from(["at", "by", "change", "date"]));
            let s = |k: &str| c[k].as_str().unwrap().to_owned();
            (s("date"), s("by"), s("change"))
        })
        .collect();
    let own = |d: &str, b: &str, c: &str| (d.to_owned(), b.to_owned(), c.to_owned());
    assert_eq!(
        history,
        vec![
            own(TODAY, "alex", "named the need"),
            own("2026-03-02", "sam", "open → talked about"),
            own(
                "2026-03-03",
                "alex",
                &format!("proposed: {plan}; sam helps; review 2026-04-01")
            ),
            own(
                "2026-03-04",
                "sam",
                &format!("accepted alex's plan: {plan} (agreed)")
            ),
            own("2026-04-01", "alex", "agreed → met"),
        ]
    );

    // A met need leaves the default list and stays in --all, in the same JSON shape.
    let open: Value = serde_json::from_str(&s.ok(&["--json", "--as", "alex"])).unwrap();
    assert_eq!(open, Value::Array(Vec::new()));
    let all: Value = serde_json::from_str(&s.ok(&["--all", "--json", "--as", "alex"])).unwrap();
    let all = all.as_array().unwrap();
    assert_eq!(all.len(), 1);
    assert_eq!(keys(&all[0]), NEED_KEYS.iter().copied().collect());
    assert_eq!(all[0], n);
    // Plain: one tab-separated line per need.
    let plain = s.ok(&["--all", "--plain", "--as", "alex"]);
    assert_eq!(
        plain,
        format!("{short}\talex\tmet\tpractical\t2026-04-01\t{text}\n")
    );
}
