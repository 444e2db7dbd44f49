//! The privacy matrix: everything Alex can run, in every output mode, exports included, prints
//! byte for byte the same whether Sam said no, is not ready, has not opted in, passed on today's
//! prompt, keeps a private need and a private debrief, or has said nothing at all; before Alex
//! does anything, and after each of Alex's own actions (opt in, a boundary yes, ready, unready,
//! opt out). What Alex's own actions print is the same even where Sam said yes.
//!
//! One thing is different by design and left out here: once Sam has *answered* the day's prompt,
//! every command says that Sam has answered (never what, until Alex answers too). Whether a
//! partner has answered is shared; what they wrote is not (see `today.rs` and the answers tests).
//! A pass looks exactly like no answer until Alex takes their own turn; from then on Alex reads
//! Sam's answer or that Sam passed, as they would read an answer, so Alex has not answered here.
//!
//! Times of day are the one thing two runs cannot share (each run reads the clock), so they are
//! blanked before comparing.

use super::*;
use support::{EXPORT, NEEDS, PROMPT, TOUCH, copy_dir};

type Tool = (&'static str, &'static str);

/// Every command Alex can run that shows something: (tool, arguments), `--as Alex` added.
const VIEWS: &[(Tool, &[&str])] = &[
    (TOUCH, &[]),
    (TOUCH, &["show", "--json"]),
    (TOUCH, &["today"]),
    (TOUCH, &["today", "--json"]),
    (TOUCH, &["today", "--energy", "low"]),
    (TOUCH, &["mine"]),
    (TOUCH, &["mine", "--json"]),
    (TOUCH, &["history"]),
    (TOUCH, &["history", "--json"]),
    (TOUCH, &["body"]),
    (TOUCH, &["hold"]),
    (TOUCH, &["couple"]),
    (TOUCH, &["couple", "--json"]),
    (TOUCH, &["couple", "--plain"]),
    (TOUCH, &["couple", "today"]),
    (TOUCH, &["couple", "today", "--json"]),
    (TOUCH, &["couple", "today", "--plain"]),
    (TOUCH, &["couple", "energy"]),
    (NEEDS, &[]),
    (NEEDS, &["--json"]),
    (NEEDS, &["--plain"]),
    (NEEDS, &["--due"]),
    (PROMPT, &[]),
    (PROMPT, &["history"]),
    (PROMPT, &["history", "--json"]),
    (PROMPT, &["history", "--plain"]),
    (PROMPT, &["list", "--plain"]),
    (PROMPT, &["categories", "--plain"]),
    (EXPORT, &["--format", "markdown"]),
    (EXPORT, &["--format", "json"]),
    (EXPORT, &["--format", "org"]),
    (EXPORT, &["--format", "jrnl"]),
    (EXPORT, &["--format", "ics"]),
    (EXPORT, &["--format", "csv", "--only", "touch"]),
    (EXPORT, &["--format", "csv", "--only", "needs"]),
    (EXPORT, &["--format", "csv", "--only", "prompts"]),
    (EXPORT, &["--for-clinician"]),
];

/// Alex's own actions, in order.
const ACTIONS: &[(Tool, &[&str])] = &[
    (TOUCH, &["couple", "opt-in", "sexual"]),
    (TOUCH, &["boundary", "s0-hold-hands", "yes"]),
    (TOUCH, &["boundary", "s1-long-hug", "yes"]),
    (TOUCH, &["ready"]),
    (TOUCH, &["unready"]),
    (TOUCH, &["ready"]),
    (TOUCH, &["couple", "opt-out", "sexual"]),
];

/// Sam declines everything there is to decline, in private.
const SAM_DECLINES: &[(Tool, &[&str])] = &[
    (TOUCH, &["boundary", "s0-hold-hands", "no"]),
    (TOUCH, &["boundary", "s1-long-hug", "no"]),
    (TOUCH, &["ready"]),
    (TOUCH, &["unready"]),
    (TOUCH, &["couple", "opt-in", "sexual"]),
    (TOUCH, &["couple", "opt-out", "sexual"]),
    (PROMPT, &["answer", "--pass"]),
    (NEEDS, &["add", "Time alone after treatment", "--private"]),
    (
        TOUCH,
        &["debrief", "--noticed", "tense shoulders", "--private"],
    ),
];

/// Sam says yes where Sam declined above: the control, which must show.
const SAM_AGREES: &[(Tool, &[&str])] = &[
    (TOUCH, &["boundary", "s0-hold-hands", "yes"]),
    (TOUCH, &["couple", "opt-in", "sexual"]),
];

fn run_as(sb: &Sandbox, data: &Path, who: &str, (tool, args): (Tool, &[&str])) -> Run {
    let mut a = args.to_vec();
    a.extend(["--as", who]);
    let mut r = sb.run_in(data, tool, &a);
    r.stdout = timeless(&r.stdout);
    r.stderr = timeless(&r.stderr);
    r
}

/// `text` with every time of day (`2026-03-02T10:11:12.123Z`, `20260302T101112Z`, with or without
/// fractions and offsets) replaced by `<time>`.
fn timeless(text: &str) -> String {
    let b = text.as_bytes();
    let digits = |from: usize, n: usize| {
        b.get(from..from + n)
            .is_some_and(|s| s.iter().all(u8::is_ascii_digit))
    };
    let (mut out, mut i) = (Vec::with_capacity(b.len()), 0);
    while i < b.len() {
        // 2026-03-02T10:11:12 or 20260302T101112
        let long = digits(i, 4)
            && b.get(i + 4) == Some(&b'-')
            && b.get(i + 10) == Some(&b'T')
            && digits(i + 11, 2)
            && b.get(i + 13) == Some(&b':');
        let short = digits(i, 8) && b.get(i + 8) == Some(&b'T') && digits(i + 9, 6);
        if !(long || short) {
            out.push(b[i]);
            i += 1;
            continue;
        }
        i += if long { 19 } else { 15 };
        while i < b.len() && (b[i].is_ascii_digit() || b"+-:.Z".contains(&b[i])) {
            i += 1;
        }
        out.extend_from_slice(b"<time>");
    }
    String::from_utf8(out).unwrap()
}

/// Everything Alex sees in `data`.
fn alex_sees(sb: &Sandbox, data: &Path) -> Vec<Run> {
    VIEWS.iter().map(|v| run_as(sb, data, "Alex", *v)).collect()
}

#[track_caller]
fn assert_same(when: &str, a: &[Run], b: &[Run]) {
    for ((v, x), y) in VIEWS.iter().zip(a).zip(b) {
        assert_eq!(
            x.code,
            0,
            "`{} {}` failed {when}: {}",
            v.0.1,
            v.1.join(" "),
            x.stderr
        );
        assert_eq!(
            x,
            y,
            "Alex's `{} {}` {when} tells Sam's private answers from none",
            v.0.1,
            v.1.join(" ")
        );
    }
}

/// A couple two weeks in: a plan of three steps, needs, and a session with a shared debrief.
fn base(sb: &Sandbox) {
    let d = sb.data();
    sb.ok(
        TOUCH,
        &["couple", "add", "Alex", "--condition", "arthritis"],
    );
    sb.ok(
        TOUCH,
        &["couple", "add", "Sam", "--condition", "post-surgery"],
    );
    for who in ["Alex", "Sam"] {
        for step in ["s0-breathe-together", "s0-sit-close", "s1-short-hug"] {
            run_as(sb, &d, who, (TOUCH, &["boundary", step, "yes"])).ok();
        }
    }
    run_as(sb, &d, "Alex", (NEEDS, &["add", "Help with buttons"])).ok();
    run_as(sb, &d, "Sam", (NEEDS, &["add", "Quiet mornings"])).ok();
    run_as(
        sb,
        &d,
        "Alex",
        (TOUCH, &["log", "--minutes", "10", "--note", "a slow start"]),
    )
    .ok();
    run_as(
        sb,
        &d,
        "Sam",
        (TOUCH, &["debrief", "--noticed", "warm hands"]),
    )
    .ok();
}

/// A copy of a data folder, as private as closer keeps the original.
fn private_copy(from: &Path, to: &Path) {
    use std::os::unix::fs::PermissionsExt;
    copy_dir(from, to);
    for p in support::tree(to).keys() {
        let mode = if p.ends_with('/') { 0o700 } else { 0o600 };
        std::fs::set_permissions(to.join(p), std::fs::Permissions::from_mode(mode)).unwrap();
    }
    std::fs::set_permissions(to, std::fs::Permissions::from_mode(0o700)).unwrap();
}

#[test]
fn alex_sees_nothing_of_what_sam_keeps_private() {
    let sb = Sandbox::new();
    base(&sb);
    let silent = sb.path("silent");
    let declined = sb.path("declined");
    let agreed = sb.path("agreed");
    for d in [&silent, &declined, &agreed] {
        private_copy(&sb.data(), d);
    }
    for a in SAM_DECLINES {
        run_as(&sb, &declined, "Sam", *a).ok();
    }
    for a in SAM_AGREES {
        run_as(&sb, &agreed, "Sam", *a).ok();
    }
    assert_ne!(support::tree(&silent), support::tree(&declined));

    assert_same(
        "before Alex does anything",
        &alex_sees(&sb, &silent),
        &alex_sees(&sb, &declined),
    );
    let mut control = Vec::new();
    for action in ACTIONS {
        let when = format!("after `{}`", action.1.join(" "));
        let (x, y) = (
            run_as(&sb, &silent, "Alex", *action),
            run_as(&sb, &declined, "Alex", *action),
        );
        x.ok();
        assert_eq!(
            x,
            y,
            "Alex's own `{}` tells Sam's answers from none",
            action.1.join(" ")
        );
        assert_same(&when, &alex_sees(&sb, &silent), &alex_sees(&sb, &declined));
        // What Alex's own action says never depends on Sam, even where Sam said yes.
        let z = run_as(&sb, &agreed, "Alex", *action);
        assert_eq!(
            z,
            x,
            "Alex's own `{}` reads differently when Sam said yes",
            action.1.join(" ")
        );
        control.push(alex_sees(&sb, &agreed) != alex_sees(&sb, &silent));
    }
    // The control: where Sam said yes, Alex's views do change (the joint result is shared), so
    // this matrix would see a difference if there were one.
    assert!(control.iter().any(|c| *c), "{control:?}");
}
