//! `--for-clinician`: one page for a doctor, nurse or therapist, with nothing private and no
//! names unless asked, no partner's own answers, and the couple's questions gathered.

use super::*;

#[test]
fn the_clinician_page_holds_what_clinicians_ask_and_nothing_private() {
    let sb = couple_with_history();
    sb.ok(
        TOUCH,
        &[
            "log",
            "--note",
            "Sam felt dizzy. Is that normal after surgery?",
            "--as",
            "Sam",
        ],
    );
    let page = export(&sb, &["--for-clinician", "--as", "Alex"]);
    for heading in [
        "## Conditions",
        "## Needs and what we agreed",
        "## Medical holds",
        "## The touch plan",
        "## What has been too much",
        "## Questions for our next appointment",
    ] {
        assert!(page.contains(heading), "{heading} is missing:\n{page}");
    }
    for words in [
        "arthritis",
        "surgery",
        "surgeon's clearance",
        "Is that normal after surgery?",
    ] {
        assert!(page.contains(words), "{words:?} is missing:\n{page}");
    }
    assert!(
        page.contains("1 time"),
        "what was too much, counted:\n{page}"
    );
    let words: Vec<String> = page
        .split(|c: char| !c.is_alphanumeric())
        .map(str::to_lowercase)
        .collect();
    for name in ["alex", "sam"] {
        assert!(!words.iter().any(|w| w == name), "{name} is named:\n{page}");
    }
    for private in [PRIVATE_NEED, PRIVATE_DEBRIEF, "left shoulder", "maybe"] {
        assert!(!page.contains(private), "{private} is on the page:\n{page}");
    }
    let named = export(&sb, &["--for-clinician", "--show-names", "--as", "Alex"]);
    assert!(
        named.contains("Alex") && !named.contains(PRIVATE_NEED),
        "{named}"
    );
    let r = sb.run(EXPORT, &["--for-clinician", "--format", "json"]);
    assert_eq!(r.code, 2, "{}", r.stderr);
}
