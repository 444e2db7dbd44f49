//! The rotation: no prompt repeats within a year, every partner and every copy of the data
//! folder sees the same prompt, and skipping changes today but not tomorrow.

use super::*;
use support::copy_dir;

#[test]
fn a_year_of_consecutive_days_never_repeats_a_prompt() {
    let s = Sandbox::new();
    s.couple_in(&s.data());
    // Across a year end and a leap day.
    let start = day("2027-12-01");
    let expected = ids_in_process(&s.data(), start, 366);
    let distinct: BTreeSet<&str> = expected.iter().map(|(id, _)| *id).collect();
    assert_eq!(distinct.len(), 366, "a prompt repeats within 366 days");
    // The tool agrees, day by day.
    for (i, (id, _)) in expected.iter().enumerate() {
        let v = s.prompt_json(&s.data(), start + Days::new(i as u64), &[]);
        assert_eq!(v["id"], *id, "day {i}");
    }
}

#[test]
fn both_partners_and_both_copies_of_the_folder_see_the_same_prompt() {
    let s = Sandbox::new();
    s.couple_in(&s.data());
    let copy = s.tmp.path().join("synced-copy");
    copy_dir(&s.data(), &copy);
    let mut seen = BTreeSet::new();
    for d in ["2026-03-01", "2026-07-19", "2027-02-28"] {
        let date = day(d);
        let base = s.prompt_json(&s.data(), date, &[]);
        for (data, extra) in [
            (s.data(), vec!["--as", "alex"]),
            (s.data(), vec!["--as", "sam"]),
            (copy.clone(), vec!["--as", "sam"]),
            (copy.clone(), vec![]),
        ] {
            assert_eq!(s.prompt_json(&data, date, &extra), base, "{d} {extra:?}");
        }
        let text = s.ok_in(&copy, &["--date", d, "--as", "alex"]);
        assert_eq!(text, format!("{}\n", base["text"].as_str().unwrap()));
        seen.insert(base["id"].as_str().unwrap().to_owned());
    }
    assert_eq!(seen.len(), 3, "three days, three prompts");
}

#[test]
fn skipping_changes_today_and_leaves_tomorrow_alone() {
    let s = Sandbox::new();
    s.couple_in(&s.data());
    for d in ["2026-03-01", "2026-12-31", "2028-02-28"] {
        let today = day(d);
        let tomorrow = today.succ_opt().unwrap();
        let tomorrow_before = s.prompt_json(&s.data(), tomorrow, &[]);
        let shown = s.prompt_json(&s.data(), today, &[]);
        let skipped = s.prompt_json(&s.data(), today, &["--skip"]);
        assert_ne!(
            skipped["id"], shown["id"],
            "{d}: --skip kept today's prompt"
        );
        assert_ne!(
            skipped["id"], tomorrow_before["id"],
            "{d}: --skip showed tomorrow's"
        );
        assert_eq!(
            s.prompt_json(&s.data(), tomorrow, &[]),
            tomorrow_before,
            "{d}"
        );
        assert_eq!(s.prompt_json(&s.data(), today, &["--skip"]), skipped, "{d}");
    }
}
