//! Privacy between partners: a private need is invisible to the partner, in every view, until
//! its owner shares it.

use super::*;
use support::copy_dir;

/// What sam can run to look at needs.
fn views(private_id: &str, shared_id: &str) -> Vec<Vec<String>> {
    let v: Vec<Vec<&str>> = vec![
        vec![],
        vec!["--all"],
        vec!["--plain"],
        vec!["--json"],
        vec!["--all", "--json"],
        vec!["--all", "--plain"],
        vec!["--status", "open"],
        vec!["--status", "talked"],
        vec!["--status", "agreed", "--json"],
        vec!["--due"],
        vec!["--due", "--json"],
        vec!["--by", "alex", "--all"],
        vec!["--category", "emotional"],
        vec!["show", private_id],
        vec!["show", &private_id[..4]],
        vec!["show", private_id, "--json"],
        vec!["show", &shared_id[..6], "--json"],
        vec!["review"],
        vec!["suggest"],
        vec!["suggest", "--json"],
        vec!["couple", "--json"],
    ];
    v.into_iter()
        .map(|a| a.into_iter().map(str::to_owned).collect())
        .collect()
}

fn look(s: &Sandbox, data: &Path, args: &[String], who: Option<&str>) -> Run {
    let mut a: Vec<&str> = args.iter().map(String::as_str).collect();
    if let Some(w) = who {
        a.extend(["--as", w]);
    }
    s.run_in(data, TODAY, &a)
}

#[test]
fn a_private_need_is_invisible_to_the_partner_until_shared() {
    let s = Sandbox::new();
    let without = s.tmp.path().join("without");
    let with = s.tmp.path().join("with");
    s.couple_in(&without);
    let shared = s.add_in(
        &without,
        "alex",
        "help with buttons",
        &["--category", "practical"],
    );
    s.ok_in(
        &without,
        TODAY,
        &[
            "agree",
            &shared,
            "--plan",
            "sam helps",
            "--review",
            TODAY,
            "--as",
            "alex",
        ],
    );
    s.ok_in(&without, TODAY, &["accept", &shared, "--as", "sam"]);
    s.add_in(
        &without,
        "sam",
        "an evening off each week",
        &["--category", "rest-energy"],
    );
    let done = s.add_in(&without, "alex", "a chair in the shower", &[]);
    s.ok_in(&without, TODAY, &["met", &done, "--as", "alex"]);

    copy_dir(&without, &with);
    let secret = "I am scared of how my body looks now";
    let private = s.add_in(
        &with,
        "alex",
        secret,
        &["--category", "emotional", "--private"],
    );
    s.ok_in(
        &with,
        TODAY,
        &["comment", &private, "talk first", "--as", "alex"],
    );
    let talked = s.add_in(&with, "alex", "a quiet hour alone", &["--private"]);
    s.ok_in(&with, TODAY, &["talked", &talked, "--as", "alex"]);

    for args in views(&private, &shared) {
        for who in [Some("sam"), None] {
            let a = look(&s, &without, &args, who);
            let b = look(&s, &with, &args, who);
            assert_eq!(
                a, b,
                "{args:?} as {who:?} differs with alex's private needs"
            );
            assert!(!b.stdout.contains(secret) && !b.stderr.contains(secret));
        }
    }
    // The private need is there for alex, in the very same views.
    let mine = look(&s, &with, &["--json".to_owned()], Some("alex"));
    assert!(mine.stdout.contains(secret), "{}", mine.stdout);
    let mine = look(&s, &with, &["--plain".to_owned()], Some("alex"));
    assert!(mine.stdout.contains(secret), "{}", mine.stdout);

    // Only alex can share it; then sam sees it.
    let r = s.run_in(&with, TODAY, &["share", &private, "--as", "sam"]);
    assert!(
        r.error_line("needs-list")
            .contains("no need has an ID starting with"),
        "{}",
        r.stderr
    );
    s.ok_in(&with, TODAY, &["share", &private, "--as", "alex"]);
    let seen = s.ok_in(&with, TODAY, &["--json", "--as", "sam"]);
    assert!(seen.contains(secret), "{seen}");
    let n: Value =
        serde_json::from_str(&s.ok_in(&with, TODAY, &["show", &private, "--json", "--as", "sam"]))
            .unwrap();
    assert_eq!(n["private"], false);
    assert_eq!(n["text"], secret);
    // The other private need is still hidden.
    assert!(!seen.contains("a quiet hour alone"));
}
