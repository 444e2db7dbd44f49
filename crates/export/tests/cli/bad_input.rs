//! Bad input is refused in one line and writes nothing; and the help text.

use super::*;
use support::{CLOSER_EXPORT, tree_but_cache};

#[test]
fn mistakes_are_one_line_and_write_nothing() {
    let sb = couple_with_history();
    std::fs::write(sb.path("file.txt"), "a file, not a folder\n").unwrap();
    let before = tree_but_cache(sb.tmp.path());
    let mut lines = Vec::new();
    for args in [
        &["--format", "docx", "--as", "Sam"][..],
        &["--since", "2026-03-05", "--until", "2026-03-01"],
        &["--to-dir", "file.txt/notes", "--as", "Sam"],
        &["--to-dir", "notes", "--format", "json"],
        &["--format", "csv", "--as", "Sam"],
        &["--by", "Robin"],
        &["--since", "2026-02-30"],
    ] {
        let r = sb.run(EXPORT, args);
        lines.push(format!("{} -> {}", args.join(" "), r.error_line("export")));
        assert_eq!(
            tree_but_cache(sb.tmp.path()),
            before,
            "`{}` wrote something",
            args.join(" ")
        );
    }
    insta::assert_snapshot!("errors", sb.redact(&lines.join("\n")));
}

#[test]
fn help_text() {
    let sb = Sandbox::new();
    let help = sb.help(EXPORT).ok().to_owned();
    assert!(help.contains("closer-export"), "{help}");
    insta::assert_snapshot!("help", help);
}

#[test]
fn closer_export_help_text() {
    let sb = Sandbox::new();
    let help = sb.help(CLOSER_EXPORT).ok().to_owned();
    assert!(help.contains("Usage: closer-export"), "{help}");
    insta::assert_snapshot!("closer_export_help", help);
}
