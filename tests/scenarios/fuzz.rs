//! The binaries under a property test: a couple's folder with one record file changed in any way,
//! and any text or date typed as an argument. Every run ends in a documented exit code (0, 1 or
//! 2) within the sandbox's time limit, never in a panic, and says on stderr what it left out.

use super::*;
use proptest::prelude::*;
use proptest::test_runner::{Config, TestRunner};
use std::path::Path;
use std::sync::OnceLock;
use support::{CLOSER_EXPORT, NEEDS, PROMPT, TOUCH};

/// The data folder of a couple with a record of every kind, made once through the tools.
fn template() -> &'static Path {
    static T: OnceLock<tempfile::TempDir> = OnceLock::new();
    T.get_or_init(|| {
        let sb = Sandbox::new();
        sb.ok(
            NEEDS,
            &["couple", "add", "Alex", "--condition", "arthritis"],
        );
        sb.ok(NEEDS, &["couple", "add", "Sam"]);
        // Plain files, changed here by hand (and read in other sandboxes, without these keys).
        sb.ok(NEEDS, &["couple", "decrypt", "--yes", "--as", "Alex"]);
        sb.ok(NEEDS, &["add", "help with buttons", "--as", "Alex"]);
        sb.ok(
            NEEDS,
            &["add", "quiet mornings", "--private", "--as", "Sam"],
        );
        sb.ok(PROMPT, &["answer", "a warm evening", "--as", "Alex"]);
        sb.ok(PROMPT, &["answer", "--pass", "--as", "Sam"]);
        let step = closer_core::content::Library::builtin().steps[0].id;
        for who in ["Alex", "Sam"] {
            sb.ok(TOUCH, &["boundary", step, "yes", "--as", who]);
        }
        sb.ok(TOUCH, &["log", "--minutes", "10", "--as", "Alex"]);
        sb.ok(
            TOUCH,
            &["debrief", "--noticed", "warm hands", "--as", "Alex"],
        );
        let hold = ["hold", "--from-stage", "2", "--until", "2026-04-01"];
        sb.ok(
            TOUCH,
            &[&hold[..], &["--reason", "surgeon", "--as", "Alex"]].concat(),
        );
        sb.ok(PROMPT, &["couple", "energy", "low", "--as", "Sam"]);
        let keep = tempfile::tempdir().unwrap();
        support::copy_dir(&sb.data(), keep.path());
        keep
    })
    .path()
}

fn record_files(root: &Path) -> Vec<String> {
    let mut out = Vec::new();
    let mut todo = vec![root.to_owned()];
    while let Some(d) = todo.pop() {
        for e in std::fs::read_dir(&d).unwrap().flatten() {
            let p = e.path();
            if p.is_dir() {
                todo.push(p);
            } else if p.extension().is_some_and(|x| x == "json") {
                out.push(p.strip_prefix(root).unwrap().to_string_lossy().into_owned());
            }
        }
    }
    out.sort();
    out
}

/// Every command a couple runs day to day, reading and writing.
const COMMANDS: &[&[&str]] = &[
    &["--plain", "--all", "--as", "Alex"],
    &["--json", "--as", "Sam"],
    &["review", "--as", "Alex"],
];
const TOUCH_COMMANDS: &[&[&str]] = &[
    &["today", "--as", "Alex"],
    &["history", "--as", "Sam"],
    &["plan"],
];
const PROMPT_COMMANDS: &[&[&str]] = &[
    &["--as", "Sam"],
    &["history", "--as", "Alex"],
    &["couple", "today"],
    &["couple", "doctor"],
];

#[track_caller]
fn documented(r: &Run, what: &str) {
    assert!(
        matches!(r.code, 0..=2) && !r.stderr.contains("panicked"),
        "{what}: exit {}: {}",
        r.code,
        r.stderr
    );
}

#[test]
fn the_tools_survive_any_change_to_one_record_file() {
    let t = template();
    let files = record_files(t);
    assert!(files.len() >= 9, "{files:?}");
    let change = prop_oneof![
        (0..1000usize).prop_map(|p| (p, None)),
        (0..1000usize, "\\PC{0,12}|[\"{}\\[\\],:0-9a-z.-]{1,6}").prop_map(|(p, s)| (p, Some(s))),
    ];
    let mut runner = TestRunner::new(Config {
        cases: 24,
        failure_persistence: None,
        ..Config::default()
    });
    runner
        .run(&(0..files.len(), change), |(i, (at, insert))| {
            let sb = Sandbox::new();
            support::copy_dir(t, &sb.data());
            let path = sb.data().join(&files[i]);
            let mut bytes = std::fs::read(&path).unwrap();
            let at = bytes.len() * at / 1000;
            match insert {
                None => bytes.truncate(at),
                Some(s) => {
                    bytes.splice(at..at, s.bytes());
                }
            }
            std::fs::write(&path, bytes).unwrap();
            let what = format!("{} changed", files[i]);
            for args in COMMANDS {
                documented(&sb.run(NEEDS, args), &what);
            }
            for args in TOUCH_COMMANDS {
                documented(&sb.run(TOUCH, args), &what);
            }
            for args in PROMPT_COMMANDS {
                documented(&sb.run(PROMPT, args), &what);
            }
            documented(&sb.run(CLOSER_EXPORT, &["--as", "Alex"]), &what);
            Ok(())
        })
        .unwrap();
}

#[test]
fn any_text_or_date_argument_ends_in_a_documented_exit() {
    let t = template();
    let mut runner = TestRunner::new(Config {
        cases: 24,
        failure_persistence: None,
        ..Config::default()
    });
    let text = "\\PC{0,40}|-?[0-9]{1,6}(-[0-9]{1,3}){0,2}|[0-9]{1,4}[dwmyä]?";
    runner
        .run(&(text, text), |(a, b)| {
            let sb = Sandbox::new();
            support::copy_dir(t, &sb.data());
            let runs = [
                sb.run(NEEDS, &["add", &a, "--as", "Alex"]),
                sb.run(NEEDS, &["--plain", "--as", &a]),
                sb.run(NEEDS, &["couple", "add", &a]),
                sb.run(PROMPT, &["--date", &a]),
                sb.run(PROMPT, &["answer", &b, "--date", &a, "--as", "Sam"]),
                sb.run(
                    TOUCH,
                    &[
                        "hold",
                        "--from-stage",
                        "2",
                        "--until",
                        &a,
                        "--reason",
                        &b,
                        "--as",
                        "Alex",
                    ],
                ),
                sb.run(
                    PROMPT,
                    &["couple", "energy", "low", "--until", &a, "--as", "Alex"],
                ),
                sb.run(CLOSER_EXPORT, &["--as", "Alex", "--since", &a]),
            ];
            for r in &runs {
                documented(r, &format!("{a:?} {b:?}"));
            }
            // A need that was accepted is listed.
            if runs[0].code == 0 {
                let listed = sb.ok(NEEDS, &["--json", "--as", "Alex"]);
                prop_assert!(
                    json(&listed)
                        .as_array()
                        .unwrap()
                        .iter()
                        .any(|n| n["text"] == a.trim()),
                    "{a:?} was accepted and is not listed: {listed}"
                );
            }
            Ok(())
        })
        .unwrap();
}
