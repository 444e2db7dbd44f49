//! `--redact-names`: no partner's or helper's name in any format, free text included, and
//! nothing private.

use super::*;

#[test]
fn redacted_exports_hold_no_name_and_nothing_private() {
    let sb = couple_with_history();
    sb.set_today("2026-03-05");
    let walk = sb.ok(
        NEEDS,
        &[
            "add",
            "Someone with me on the walk to the clinic",
            "--as",
            "Sam",
        ],
    );
    sb.ok(
        NEEDS,
        &[
            "agree",
            walk.trim(),
            "--plan",
            "Robin walks with Sam on Tuesdays; alex drives back",
            "--helper",
            "Robin",
            "--as",
            "Sam",
        ],
    );
    sb.ok(NEEDS, &["accept", walk.trim(), "--as", "Alex"]);
    sb.ok(
        PROMPT,
        &["answer", "Sam made tea and Alex read aloud", "--as", "Alex"],
    );

    let names = ["alex", "sam", "robin"];
    let mut seen = 0;
    for args in [
        &["--format", "markdown"][..],
        &["--format", "json"],
        &["--format", "csv", "--only", "needs"],
        &["--format", "csv", "--only", "touch"],
        &["--format", "csv", "--only", "prompts"],
        &["--format", "jrnl"],
        &["--format", "org"],
    ] {
        let mut a = args.to_vec();
        a.extend(["--redact-names", "--as", "Alex"]);
        let text = export(&sb, &a).to_lowercase();
        let words: Vec<&str> = text
            .split(|c: char| !c.is_alphanumeric())
            .filter(|w| !w.is_empty())
            .collect();
        for name in names {
            assert!(!words.contains(&name), "{args:?} names {name}:\n{text}");
        }
        for private in [PRIVATE_NEED, PRIVATE_DEBRIEF, "left shoulder"] {
            assert!(
                !text.contains(&private.to_lowercase()),
                "{args:?} holds a private record: {private}\n{text}"
            );
        }
        seen += usize::from(text.contains("partner b"));
    }
    assert_eq!(
        seen, 7,
        "every format names the partners as Partner A and B"
    );
    let md = export(&sb, &["--redact-names", "--as", "Alex"]);
    assert!(
        md.contains("Partner B made tea and Partner A read aloud"),
        "{md}"
    );
    assert!(md.contains("a helper walks with Partner B"), "{md}");
}
