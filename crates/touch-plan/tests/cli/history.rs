//! `touch-plan history` lists sessions by their date, whichever device logged them first.

use super::*;

#[test]
fn sessions_are_listed_by_their_date_even_when_logged_in_another_order() {
    let sb = started();
    // Sam's device runs a week ahead of Alex's: Sam's session, dated the 10th, is logged before
    // Alex's, dated the 3rd.
    sb.set_today("2026-03-10");
    tp(&sb, &["log", "--minutes", "10", "--as", "Sam"]);
    sb.set_today("2026-03-03");
    tp(&sb, &["log", "--minutes", "20", "--as", "Alex"]);
    let h: Value = serde_json::from_str(&tp(&sb, &["history", "--json", "--as", "Sam"])).unwrap();
    let dates: Vec<&str> = h
        .as_array()
        .expect("history --json is a list")
        .iter()
        .map(|s| s["date"].as_str().unwrap())
        .collect();
    assert_eq!(dates, ["2026-03-03", "2026-03-10"]);
    let text = tp(&sb, &["history", "--as", "Sam"]);
    let first = text.find("2026-03-03").expect("Alex's session is listed");
    let second = text.find("2026-03-10").expect("Sam's session is listed");
    assert!(first < second, "listed out of date order:\n{text}");
}
