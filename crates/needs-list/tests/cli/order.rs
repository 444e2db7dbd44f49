//! Lists sort by what matters (status, importance, review date) and show importance; on a narrow
//! terminal the table wraps between words and keeps dates whole.

use super::*;
use support::Sandbox;

#[test]
fn lists_sort_by_status_importance_and_date_and_show_importance() {
    let sb = Sandbox::new();
    sb.ok(NEEDS, &["couple", "add", "Alex"]);
    sb.ok(NEEDS, &["couple", "add", "Sam"]);
    let add = |text: &str, importance: &str| {
        sb.ok(
            NEEDS,
            &["add", text, "--importance", importance, "--as", "Alex"],
        )
        .trim()
        .to_owned()
    };
    let low = add("A quiet hour after appointments", "low");
    let high = add("Help getting dressed on bad-hand mornings", "high");
    let agreed = add("Ask before you help me", "medium");
    sb.ok(
        NEEDS,
        &[
            "propose",
            &agreed,
            "--plan",
            "Sam asks first",
            "--review",
            "2026-04-13",
            "--as",
            "Alex",
        ],
    );
    sb.ok(NEEDS, &["accept", &agreed, "--as", "Sam"]);
    let medium = add("Someone to sit with me at scans", "medium");

    let plain = sb.ok(NEEDS, &["--plain", "--as", "Alex"]);
    let order: Vec<&str> = plain
        .lines()
        .map(|l| l.split('\t').next().unwrap())
        .collect();
    let expected = [&high, &medium, &low, &agreed];
    for (shown, id) in order.iter().zip(expected) {
        assert!(id.starts_with(shown), "{plain}");
    }
    let ids: Vec<String> = json(&sb.ok(NEEDS, &["--json", "--as", "Alex"]))
        .as_array()
        .unwrap()
        .iter()
        .map(|n| n["id"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(ids, expected.map(String::from));

    let shown = sb.on_terminal_at(60, NEEDS, &["--as", "Alex"]);
    assert!(
        shown.contains("open, high") && shown.contains("importance"),
        "{shown}"
    );
    assert!(shown.contains("2026-04-13"), "a date was split:\n{shown}");
    for line in shown.lines().filter(|l| l.contains('│')) {
        assert!(line.trim_end().chars().count() <= 60, "{line}");
        assert!(
            !line.contains("bad-h ") && !line.contains("morn "),
            "{line}"
        );
    }
}

fn json(s: &str) -> Value {
    serde_json::from_str(s).unwrap_or_else(|e| panic!("not JSON ({e}): {s}"))
}
