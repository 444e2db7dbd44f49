//! An option that only means something with another says so (exit 2) instead of being ignored.

use super::*;
use support::{EXPORT, PROMPT, TOUCH};

#[test]
fn an_option_that_needs_another_says_so() {
    let sb = Sandbox::new();
    sb.ok(TOUCH, &["couple", "add", "Alex"]);
    sb.ok(TOUCH, &["couple", "add", "Sam"]);
    let before = support::tree(&sb.data());
    for (tool, args, needs) in [
        (
            TOUCH,
            &["hold", "--until", "2026-04-01", "--as", "Alex"][..],
            "--from-stage",
        ),
        (
            TOUCH,
            &["hold", "--reason", "surgeon", "--as", "Alex"][..],
            "--from-stage",
        ),
        (
            TOUCH,
            &["body", "--note", "scar", "--as", "Alex"][..],
            "MARK",
        ),
        (TOUCH, &["body", "--clear", "--as", "Alex"][..], "REGION"),
        (
            PROMPT,
            &["--json", "--append-to", "note.md"][..],
            "--append-to",
        ),
        (EXPORT, &["--no-bom"][..], "--format csv"),
        (EXPORT, &["--quiet"][..], "--to-dir"),
    ] {
        let r = sb.run(tool, args);
        assert_eq!(r.code, 2, "{} {args:?}: {r:?}", tool.1);
        let line = r.error_line(tool.1);
        assert!(line.contains(needs), "{args:?}: {line}");
    }
    assert_eq!(support::tree(&sb.data()), before, "a refused command wrote");
    assert!(!sb.path("note.md").exists());
}
