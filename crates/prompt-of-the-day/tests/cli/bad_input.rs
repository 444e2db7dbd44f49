//! Bad input is refused in one line that says what to do, and writes nothing.

use super::*;
use support::tree;

#[test]
fn bad_input_is_refused_with_one_line_and_nothing_is_written() {
    let s = Sandbox::new();
    s.couple_in(&s.data());
    s.ok(&["answer", "the garden", "--as", "alex"]);
    let note = s.tmp.path().join("note.md");
    let cases: Vec<(Vec<&str>, i32, &str)> = vec![
        (vec!["--date", "2026-02-30"], 2, "check the day and month"),
        (vec!["--date", "1 March"], 2, "YYYY-MM-DD"),
        (vec!["--category", "nope"], 2, "the categories are: "),
        (vec!["--energy", "none"], 2, "low"),
        (
            vec![
                "--append-to",
                note.to_str().unwrap(),
                "--date",
                "2026-02-30",
            ],
            2,
            "check the day and month",
        ),
        (vec!["answer", "", "--as", "alex"], 2, "the answer is empty"),
        (
            vec!["answer", " \n ", "--as", "sam"],
            2,
            "the answer is empty",
        ),
        (
            vec!["answer", "x", "--date", "2026-02-30", "--as", "alex"],
            2,
            "check the day",
        ),
        (
            vec!["answer", "x", "--category", "nope", "--as", "alex"],
            2,
            "the categories are: ",
        ),
        (
            vec!["answer", "x", "--as", "bob"],
            2,
            "the partners are: alex, sam",
        ),
        (vec!["answer", "x"], 2, "--as NAME"),
        (
            vec!["answer", "--as", "alex"],
            2,
            "`-` to read it from standard input",
        ),
        (
            vec!["history", "--since", "2026-03-02", "--until", "2026-03-01"],
            2,
            "swap them",
        ),
    ];
    let before = tree(s.tmp.path());
    let mut lines = Vec::new();
    for (args, code, hint) in cases {
        let r = s.run(&args);
        assert_eq!(r.code, code, "{args:?}: {}", r.stderr);
        let line = r.error_line("prompt-of-the-day");
        assert!(line.contains(hint), "{args:?}: {line:?} lacks {hint:?}");
        assert!(tree(s.tmp.path()) == before, "{args:?} wrote something");
        let shown = args.join(" ").replace('\n', "\\n");
        lines.push(format!("[{}] {shown} -> {line}", r.code));
    }
    insta::assert_snapshot!("usage_errors", s.redact(&lines.join("\n")));
}
