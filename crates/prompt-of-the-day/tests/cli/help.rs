//! The help text, as users see it.

use super::*;

#[test]
fn help_text() {
    let s = Sandbox::new();
    let r = s.help(PROMPT);
    assert_eq!((r.code, r.stderr.as_str()), (0, ""));
    insta::assert_snapshot!("help", r.stdout);
}
