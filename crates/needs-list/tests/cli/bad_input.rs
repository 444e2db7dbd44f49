//! Bad input is refused in one line that says what to do, and changes nothing.

use super::*;
use std::fs;
use support::tree;

#[test]
fn bad_input_is_refused_with_one_line_and_nothing_changes() {
    let s = Sandbox::new();
    s.couple_in(&s.data());
    // Plain files, to make a need by hand.
    s.ok(&["couple", "decrypt", "--yes", "--as", "alex"]);
    let id = s.add_in(&s.data(), "alex", "help with buttons", &[]);
    // A second need whose ID shares the first six characters, made by hand.
    let twin: String = id[..6]
        .chars()
        .chain(id[6..].chars().map(|c| if c == 'z' { 'y' } else { 'z' }))
        .collect();
    let path = s.data().join("needs").join(format!("{id}.json"));
    let mut v: Value = serde_json::from_slice(&fs::read(&path).unwrap()).unwrap();
    v["id"] = twin.as_str().into();
    fs::write(
        s.data().join("needs").join(format!("{twin}.json")),
        serde_json::to_vec_pretty(&v).unwrap(),
    )
    .unwrap();
    let unknown = ["0000000000", "zzzzzzzzzz", "qqqqqqqqqq"]
        .into_iter()
        .find(|p| !id.starts_with(p) && !twin.starts_with(p))
        .unwrap();
    let long = "a".repeat(100_000);

    let cases: Vec<(Vec<&str>, i32, Vec<&str>)> = vec![
        (
            vec!["add", "", "--as", "alex"],
            2,
            vec!["empty", "write a few words"],
        ),
        (
            vec!["add", "  \n ", "--as", "alex"],
            2,
            vec!["write a few words"],
        ),
        (
            vec!["add", "x", "--as", "bob"],
            2,
            vec!["\"bob\"", "the partners are: alex, sam"],
        ),
        (
            vec![
                "propose", &id, "--plan", "p", "--helper", "bo\u{7}b", "--as", "alex",
            ],
            2,
            vec!["control characters"],
        ),
        (
            vec!["add", "x", "--category", "nope", "--as", "alex"],
            2,
            vec!["\"nope\"", "use one of: practical"],
        ),
        (
            vec!["add", "x", "--condition", "nope", "--as", "alex"],
            2,
            vec!["`needs-list couple conditions` lists them"],
        ),
        (
            vec![
                "agree",
                &id,
                "--plan",
                "p",
                "--review",
                "2026-02-30",
                "--as",
                "alex",
            ],
            2,
            vec!["2026-02-30", "check the day and month"],
        ),
        (
            vec![
                "agree", &id, "--plan", "p", "--review", "1/3/2026", "--as", "alex",
            ],
            2,
            vec!["YYYY-MM-DD"],
        ),
        (
            vec!["add", &long, "--as", "alex"],
            2,
            vec!["100000 characters", "keep it under 2000"],
        ),
        (
            vec!["talked", unknown, "--as", "alex"],
            2,
            vec!["`needs-list --all` lists them"],
        ),
        (
            vec!["show", unknown, "--as", "alex"],
            2,
            vec!["`needs-list --all` lists them"],
        ),
        (
            vec!["talked", &id[..6], "--as", "alex"],
            2,
            vec![
                "matches 2 needs",
                &id[..7],
                &twin[..7],
                "type more of the ID",
            ],
        ),
        (
            vec!["rm", &id[..5], "--yes", "--as", "alex"],
            2,
            vec!["type more of the ID"],
        ),
    ];
    let before = tree(&s.data());
    for (args, code, hints) in cases {
        let r = s.run(&args);
        let what = &args[..args.len().min(4)];
        assert_eq!(r.code, code, "{what:?}: {}", r.stderr);
        let line = r.error_line("needs-list");
        for h in hints {
            assert!(line.contains(h), "{what:?}: {line:?} lacks {h:?}");
        }
        assert!(
            line.len() < 400,
            "{what:?}: the message is too long to read"
        );
        assert!(
            tree(&s.data()) == before,
            "{what:?} changed the data folder"
        );
    }
}

#[test]
fn unknown_category_message() {
    let s = Sandbox::new();
    let r = s.run(&["add", "x", "--category", "feelings", "--as", "alex"]);
    assert_eq!(r.code, 2);
    insta::assert_snapshot!("error_unknown_category", r.error_line("needs-list"));
    assert!(!s.data().exists(), "a refused add created the data folder");
}

/// Anything wrong on the command line exits 2, whether clap or the tool found it; a partner name
/// that is not one of the couple's is such a mistake.
#[test]
fn every_wrong_value_on_the_command_line_exits_2() {
    let s = Sandbox::new();
    s.couple_in(&s.data());
    for args in [
        &["--by", "Robin"][..],
        &["--category", "feelings"],
        &["--status", "done"],
        &["add", "a walk", "--as", "Robin"],
    ] {
        let r = s.run(args);
        let line = r.error_line("needs-list");
        assert_eq!(r.code, 2, "{args:?}: {line}");
    }
    // Without a couple, the message says how to set one up.
    let empty = Sandbox::new();
    let r = empty.run(&["--by", "Robin"]);
    assert_eq!(r.code, 2);
    assert!(
        r.error_line("needs-list")
            .contains("`needs-list couple add NAME"),
        "{}",
        r.stderr
    );
}

/// What a person reads after a mistake on the command line, and the exit code, pinned.
#[test]
fn usage_error_lines() {
    let s = Sandbox::new();
    s.couple_in(&s.data());
    let mut lines = Vec::new();
    for args in [
        &["add", "x", "--category", "nope", "--as", "alex"][..],
        &["add", "", "--as", "alex"],
        &["add", "x", "--condition", "nope", "--as", "alex"],
        &["--by", "Robin"],
        &["--status", "done"],
        &["--sort", "date"],
        &["add", "x"],
        // No ID holds an "i": never a match, whatever IDs the run made.
        &["talked", "iiii", "--as", "alex"],
        &["propose", "iiii", "--as", "alex"],
        &["rm", "iiii", "--as", "alex"],
    ] {
        let r = s.run(args);
        lines.push(format!(
            "[{}] {} -> {}",
            r.code,
            args.join(" "),
            r.error_line("needs-list")
        ));
    }
    insta::assert_snapshot!("usage_errors", s.redact(&lines.join("\n")));
}
