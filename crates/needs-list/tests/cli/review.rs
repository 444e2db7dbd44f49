//! Review dates: a need is due on its review date, not the day before, and not once it is met.

use super::*;

#[test]
fn a_review_is_due_on_its_date_not_the_day_before() {
    let s = Sandbox::new();
    s.couple_in(&s.data());
    let id = s.add_in(&s.data(), "alex", "help with buttons", &[]);
    s.ok(&[
        "agree",
        &id,
        "--plan",
        "sam helps",
        "--review-in",
        "9d",
        "--as",
        "alex",
    ]);
    s.ok(&["accept", &id, "--as", "sam"]);
    let due = |today: &str| s.ok_on(today, &["--due", "--plain", "--as", "sam"]);
    assert_eq!(due("2026-03-09"), "");
    for today in ["2026-03-10", "2026-03-11", "2027-01-01"] {
        let out = due(today);
        assert_eq!(out.lines().count(), 1, "{today}: {out}");
        assert!(
            out.contains("help with buttons") && out.contains("2026-03-10"),
            "{today}: {out}"
        );
    }
    let json = |today: &str| -> Value {
        serde_json::from_str(&s.ok_on(today, &["--due", "--json", "--as", "sam"])).unwrap()
    };
    assert_eq!(json("2026-03-09"), Value::Array(Vec::new()));
    assert_eq!(json("2026-03-10")[0]["id"], id.as_str());
    let show = |today: &str| s.ok_on(today, &["show", &id, "--as", "alex"]);
    assert!(show("2026-03-09").contains("review:     2026-03-10\n"));
    assert!(show("2026-03-10").contains("review:     2026-03-10 (due)\n"));
    // Once it is met, nothing is due.
    s.ok_on("2026-03-10", &["met", &id, "--as", "alex"]);
    assert_eq!(due("2026-03-11"), "");
}
