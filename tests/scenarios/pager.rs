//! Long output goes through `$PAGER` on a terminal only: never into a pipe, a file or cron, and
//! never for what fits on the screen.

use super::*;
use std::os::unix::fs::PermissionsExt;
use support::{PROMPT, run_without_terminal};

/// A pager that notes each time it runs (in `pager.log` beside it) and shows what it gets.
fn pager(sb: &Sandbox) -> (String, std::path::PathBuf) {
    let script = sb.path("pager.sh");
    std::fs::write(&script, "#!/bin/sh\necho paged >> \"$0.log\"\ncat\n").unwrap();
    std::fs::set_permissions(&script, std::fs::Permissions::from_mode(0o755)).unwrap();
    let log = sb.path("pager.sh.log");
    (script.display().to_string(), log)
}

#[test]
fn long_output_pages_on_a_terminal_only() {
    let sb = Sandbox::new();
    sb.ok(PROMPT, &["couple", "add", "Alex"]);
    let (script, log) = pager(&sb);

    let piped = sb
        .command_in(&sb.data(), PROMPT)
        .env("PAGER", &script)
        .args(["list", "--plain"])
        .output()
        .unwrap();
    assert!(piped.status.success());
    assert!(String::from_utf8_lossy(&piped.stdout).lines().count() > 100);
    let cron = run_without_terminal(
        &support::bin(PROMPT),
        &[
            ("HOME", sb.home().as_os_str()),
            ("CLOSER_DIR", sb.data().as_os_str()),
            ("PAGER", std::ffi::OsStr::new(&script)),
        ],
        &["list"],
    );
    assert_eq!((cron.code, cron.stderr.as_str()), (0, ""));
    assert!(!log.exists(), "a pipe or cron went through the pager");

    let (short, ok) = sb.on_terminal_with(&[("PAGER", &script)], PROMPT, &[], &[]);
    assert!(ok, "{short}");
    assert!(!log.exists(), "one line went through the pager:\n{short}");

    let (long, ok) = sb.on_terminal_with(&[("PAGER", &script)], PROMPT, &["list"], &[]);
    assert!(ok, "{long}");
    assert_eq!(std::fs::read_to_string(&log).unwrap(), "paged\n");
    assert!(long.lines().count() > 100, "{long}");
}
