//! Without a terminal, as a script or cron runs it: nothing prompts or hangs, and a missing
//! set-up or confirmation is one line that says what to type.

use super::*;
use std::fs;
use support::bin;

/// Runs needs-list as a script or cron would: no terminal, stdin /dev/null, only HOME and PATH.
/// A run that takes longer than the timeout is killed and fails the test.
fn run_without_terminal(home: &Path, args: &[&str]) -> Run {
    let env = [("HOME", home.as_os_str()), ("PATH", PATH.as_ref())];
    support::run_without_terminal(&bin(NEEDS), &env, args)
}

#[test]
fn without_a_terminal_nothing_prompts_or_hangs() {
    let s = Sandbox::new();
    let home = s.home();

    let r = run_without_terminal(&home, &["add", "x"]);
    assert_eq!(r.code, 1, "{}", r.stderr);
    let line = r.error_line("needs-list").to_owned();
    assert!(line.contains("`needs-list couple add NAME"), "{line}");
    insta::assert_snapshot!("error_no_couple", line);
    assert_eq!(
        fs::read_dir(&home).unwrap().count(),
        0,
        "a failed add wrote to HOME"
    );
    let r = run_without_terminal(&home, &[]);
    assert_eq!((r.code, r.stdout.as_str()), (0, ""), "{}", r.stderr);

    // The same couple through the default data folder under HOME.
    let data = home.join(".local/share/closer");
    s.couple_in(&data);
    let id = s.add_in(&data, "alex", "help with buttons", &[]);

    let r = run_without_terminal(&home, &["rm", &id, "--as", "alex"]);
    assert_eq!(r.code, 2, "{}", r.stderr);
    let line = r.error_line("needs-list");
    assert!(
        line.contains(&format!("needs-list rm {id} --yes")),
        "{line}"
    );
    let r = run_without_terminal(&home, &["rm", &id]);
    assert!(
        r.error_line("needs-list").contains("--as NAME"),
        "{}",
        r.stderr
    );
    let r = run_without_terminal(&home, &["edit", &id, "--as", "alex"]);
    assert!(
        r.error_line("needs-list").contains("--text"),
        "{}",
        r.stderr
    );
    let r = run_without_terminal(&home, &["add", "y"]);
    assert!(
        r.error_line("needs-list").contains("--as NAME"),
        "{}",
        r.stderr
    );
    // Nothing was removed or added.
    let r = run_without_terminal(&home, &["--all", "--plain", "--as", "sam"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(r.stdout.lines().count(), 1, "{}", r.stdout);
    assert!(r.stdout.contains("help with buttons"));
    // `review` without a terminal prints what is due instead of asking.
    let r = run_without_terminal(&home, &["review", "--as", "alex"]);
    assert_eq!((r.code, r.stderr.as_str()), (0, ""));

    let r = run_without_terminal(&home, &["rm", &id, "--yes", "--as", "alex"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(!data.join("needs").join(format!("{id}.json")).exists());
}
