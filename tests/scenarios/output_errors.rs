//! Output that cannot be written is an error (exit 1, with a message), in every tool; a reader
//! that went away (`| head`) is not: the tool stops quietly with success.

use super::*;
use std::fs::File;
use support::{CLOSER_EXPORT, EXPORT, NEEDS, PROMPT, Run, TOUCH};

/// A couple with one need, and a session, so that every tool has something to print.
fn couple() -> Sandbox {
    let sb = Sandbox::new();
    sb.ok(NEEDS, &["couple", "add", "Alex"]);
    sb.ok(NEEDS, &["couple", "add", "Sam"]);
    sb.ok(NEEDS, &["add", "Help with buttons", "--as", "Alex"]);
    sb
}

fn to_full_disk(sb: &Sandbox, tool: (&str, &str), args: &[&str]) -> Run {
    let full = File::options()
        .write(true)
        .open("/dev/full")
        .expect("/dev/full");
    sb.run_to(tool, args, full)
}

fn to_closed_pipe(sb: &Sandbox, tool: (&str, &str), args: &[&str]) -> Run {
    let (reader, writer) = std::io::pipe().expect("a pipe");
    drop(reader);
    sb.run_to(tool, args, writer)
}

#[track_caller]
fn fails_with_a_message(r: &Run, tool: &str) {
    assert_eq!(r.code, 1, "{}", r.stderr);
    let line = r.stderr.trim_end();
    assert!(
        line.starts_with(&format!("{tool}: cannot write the output")) && !line.contains('\n'),
        "{:?}",
        r.stderr
    );
}

#[test]
fn needs_list_add_to_a_full_disk_fails() {
    let sb = couple();
    let r = to_full_disk(&sb, NEEDS, &["add", "A nap after lunch", "--as", "Sam"]);
    fails_with_a_message(&r, "needs-list");
    fails_with_a_message(&to_full_disk(&sb, NEEDS, &["--json"]), "needs-list");
    let r = to_closed_pipe(&sb, NEEDS, &["add", "A walk", "--as", "Sam"]);
    assert_eq!((r.code, r.stderr.as_str()), (0, ""));
}

#[test]
fn touch_plan_to_a_full_disk_fails() {
    let sb = couple();
    fails_with_a_message(&to_full_disk(&sb, TOUCH, &["--as", "Alex"]), "touch-plan");
    let r = to_closed_pipe(&sb, TOUCH, &["--as", "Alex"]);
    assert_eq!((r.code, r.stderr.as_str()), (0, ""));
}

#[test]
fn prompt_of_the_day_to_a_full_disk_fails() {
    let sb = couple();
    let r = to_full_disk(&sb, PROMPT, &[]);
    fails_with_a_message(&r, "prompt-of-the-day");
    let r = to_closed_pipe(&sb, PROMPT, &[]);
    assert_eq!((r.code, r.stderr.as_str()), (0, ""));
}

#[test]
fn export_to_a_full_disk_fails() {
    let sb = couple();
    fails_with_a_message(&to_full_disk(&sb, EXPORT, &["--as", "Alex"]), "export");
    let r = to_full_disk(&sb, CLOSER_EXPORT, &["--format", "json"]);
    fails_with_a_message(&r, "closer-export");
    let r = to_closed_pipe(&sb, EXPORT, &["--as", "Alex"]);
    assert_eq!((r.code, r.stderr.as_str()), (0, ""));
}
