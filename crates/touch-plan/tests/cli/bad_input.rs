//! Bad input is refused in one line and changes nothing; anything wrong on the command line,
//! found by clap or later, exits 2.

use super::*;

#[test]
fn mistakes_are_one_line_and_change_nothing() {
    let sb = started();
    tp(&sb, &["log", "--minutes", "10", "--as", "Sam"]);
    let before = tree(&sb.data());
    let mut lines = Vec::new();
    for args in [
        &["boundary", "s0-no-such-step", "yes", "--as", "Sam"][..],
        &["log", "--step", "hug-everything", "--as", "Sam"],
        &[
            "hold",
            "--from-stage",
            "9",
            "--until",
            "2026-04-01",
            "--reason",
            "scan",
        ],
        &["log", "--minutes", "-5", "--as", "Sam"],
        &[
            "hold",
            "--from-stage",
            "1",
            "--until",
            "2026-03-01",
            "--reason",
            "past",
        ],
        &["body", "elbows", "off-limits", "--as", "Sam"],
        &["ready", "--as", "Nobody"],
        &["debrief", "zzzzzzzz", "--noticed", "warmth", "--as", "Sam"],
        &["debrief", "", "--noticed", "warmth", "--as", "Sam"],
    ] {
        let r = run(&sb, args);
        lines.push(format!(
            "{} -> [{}] {}",
            args.join(" "),
            r.code,
            r.error_line("touch-plan")
        ));
        assert_eq!(
            tree(&sb.data()),
            before,
            "`{}` changed the data",
            args.join(" ")
        );
    }
    insta::assert_snapshot!("errors", lines.join("\n"));
}
