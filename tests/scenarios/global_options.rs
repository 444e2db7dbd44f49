//! Options every tool takes (`--dir`, `--as`) work before a command as well as after it, in every
//! tool; a tool's own top-level options still cannot be mixed with a command.

use super::*;
use support::{CLOSER_EXPORT, EXPORT, NEEDS, PROMPT, TOUCH};

#[test]
fn dir_and_as_work_before_a_command_in_every_tool() {
    let sb = Sandbox::new();
    let elsewhere = sb.path("elsewhere");
    let dir = elsewhere.to_str().unwrap();
    sb.ok(NEEDS, &["--dir", dir, "couple", "add", "Alex"]);
    sb.ok(NEEDS, &["couple", "add", "Sam", "--dir", dir]);
    assert!(elsewhere.join("couple.age").exists());
    for tool in [NEEDS, TOUCH, PROMPT, EXPORT, CLOSER_EXPORT] {
        let before = sb.run(tool, &["--dir", dir, "--as", "Sam", "couple", "today"]);
        assert_eq!((before.code, before.stderr.as_str()), (0, ""), "{}", tool.1);
        let after = sb.ok(tool, &["couple", "today", "--dir", dir, "--as", "Sam"]);
        assert_eq!(before.stdout, after, "{}", tool.1);
        assert!(after.contains("Prompt: "), "{after}");
    }
}

#[test]
fn a_tools_own_options_still_do_not_mix_with_a_command() {
    let sb = Sandbox::new();
    for (tool, flag) in [
        (NEEDS, "--all"),
        (PROMPT, "--json"),
        (EXPORT, "--redact-names"),
    ] {
        let r = sb.run(tool, &[flag, "couple", "today"]);
        assert_eq!(r.code, 2, "{} {flag}: {r:?}", tool.1);
        let line = r.error_line(tool.1);
        assert!(line.contains(flag) && line.contains("couple"), "{line}");
    }
}
