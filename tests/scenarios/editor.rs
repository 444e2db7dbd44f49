//! Writing in an editor: with no `$EDITOR` (or one that is not installed) the tools say so and how
//! to set one, instead of a message about "the terminal".

use super::*;
use support::{NEEDS, PROMPT};

#[test]
fn a_missing_editor_says_how_to_set_one() {
    let sb = Sandbox::new();
    sb.ok(NEEDS, &["couple", "add", "Alex"]);
    sb.ok(NEEDS, &["couple", "add", "Sam"]);
    let id = sb.ok(NEEDS, &["add", "Help with buttons", "--as", "Alex"]);
    let before = support::tree(&sb.data());

    let (shown, ok) = sb.on_terminal_with(&[], PROMPT, &["answer", "--as", "Alex"], &[]);
    assert!(!ok, "{shown}");
    assert!(shown.contains("no text editor is set"), "{shown}");
    assert!(shown.contains("export EDITOR=nano"), "{shown}");
    assert!(
        shown.contains("prompt-of-the-day answer \"TEXT\""),
        "{shown}"
    );
    assert!(!shown.contains("the terminal"), "{shown}");

    let env = [("EDITOR", "no-such-editor")];
    let (shown, ok) = sb.on_terminal_with(&env, NEEDS, &["edit", id.trim(), "--as", "Alex"], &[]);
    assert!(!ok, "{shown}");
    assert!(
        shown.contains("\"no-such-editor\" (from $EDITOR) cannot be started"),
        "{shown}"
    );
    assert!(shown.contains("--text TEXT"), "{shown}");
    assert!(!shown.contains("the terminal"), "{shown}");
    assert_eq!(support::tree(&sb.data()), before);
}
