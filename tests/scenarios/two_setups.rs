//! Two devices that each set up the couple before their first sync, then synced: `couple doctor`
//! makes them one couple again with every record of all four partner records.

use super::*;
use support::{NEEDS, PROMPT, TOUCH};

#[test]
fn two_set_ups_before_the_first_sync_become_one_couple_with_every_record() {
    let sb = Sandbox::new();
    let (a, b) = (sb.data(), sb.path("b"));
    for (dir, dev) in [(&a, "a"), (&b, "b")] {
        for name in ["Alex", "Sam"] {
            sb.run_in(dir, NEEDS, &["couple", "add", name]).ok();
            if name == "Alex" {
                // Plain files: what syncing leaves of encrypted ones is not merged yet.
                sb.run_in(dir, NEEDS, &["couple", "decrypt", "--yes", "--as", name])
                    .ok();
            }
            let text = format!("{name}'s need on {dev}");
            sb.run_in(dir, NEEDS, &["add", &text, "--as", name]).ok();
            let said = format!("{name} answered on {dev}");
            sb.run_in(dir, PROMPT, &["answer", &said, "--as", name])
                .ok();
            sb.run_in(
                dir,
                TOUCH,
                &["boundary", "s0-sit-close", "yes", "--as", name],
            )
            .ok();
        }
    }
    sync(&b, &a);
    let warned = sb.run(NEEDS, &["couple", "--json"]);
    assert!(
        warned.stderr.contains("needs-list couple doctor"),
        "a conflict copy is reported: {}",
        warned.stderr
    );
    let before = json(warned.ok());
    assert_eq!(before["partners"].as_array().unwrap().len(), 4);
    let again = sb.run(NEEDS, &["--all", "--plain"]);
    assert_eq!(again.stderr, "", "reported once, not on every run");

    sb.ok(NEEDS, &["couple", "doctor"]);
    let names = crate::partner_names(&sb.ok(NEEDS, &["couple", "--json"]));
    assert_eq!(names, ["Alex", "Sam"]);
    for name in ["Alex", "Sam"] {
        let needs = json(sb.ok(NEEDS, &["--all", "--json", "--as", name]).as_str());
        let mut mine: Vec<&str> = needs
            .as_array()
            .unwrap()
            .iter()
            .filter(|n| n["owner"] == name)
            .map(|n| n["text"].as_str().unwrap())
            .collect();
        mine.sort_unstable();
        assert_eq!(
            mine,
            [format!("{name}'s need on a"), format!("{name}'s need on b")],
            "{needs:#}"
        );
    }
    let history = sb.ok(PROMPT, &["history", "--plain", "--as", "Alex"]);
    for said in [
        "Alex answered on a",
        "Alex answered on b",
        "Sam answered on a",
        "Sam answered on b",
    ] {
        assert!(history.contains(said), "{said} missing from {history}");
    }
    // Each partner's own touch plan answers are still theirs: the plan did not vanish.
    for name in ["Alex", "Sam"] {
        let mine = sb.ok(TOUCH, &["mine", "--as", name]);
        assert!(
            mine.lines()
                .any(|l| l.contains("s0-sit-close") && l.contains("yes")),
            "{name}: {mine}"
        );
    }
    let doctor_again = sb.ok(NEEDS, &["couple", "doctor"]);
    assert_eq!(doctor_again, "");
    let leftovers: Vec<String> = support::tree(&a)
        .into_keys()
        .filter(|k| k.contains("sync-conflict"))
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");
}
