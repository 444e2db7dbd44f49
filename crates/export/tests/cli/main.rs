//! export from the outside, on a couple built with the other tools: the JSON is lossless and
//! matches its schema, notes folders carry valid front matter and are safe to re-run, jrnl
//! imports it, whatever a partner typed stays inert in every format, nothing private or sexual
//! leaks, bad input changes nothing, and `closer-export` is the same program.
//!
//! Every run is sealed: a temp HOME and data folder, no inherited environment, a pinned date,
//! no colour and a fixed width.

#[path = "../../../../tests/support/mod.rs"]
mod support;

use closer_core::profile::Couple;
use closer_core::store::Store;
use serde_json::Value;
use support::{EXPORT, NEEDS, PROMPT, Sandbox, TOUCH, tree};

mod bad_input;
mod calendar;
mod clinician;
mod commonmark;
mod faithful;
mod first;
mod inert;
mod jrnl;
mod json_export;
mod notes;
mod org;
mod privacy;
mod redacted;
mod restore;
mod same_program;

const PRIVATE_NEED: &str = "A quiet hour alone after each treatment";
const PRIVATE_DEBRIEF: &str = "I held my breath the whole time";
const SEXUAL_ANSWER: &str = "Slow mornings, before the day gets in the way";
const SEXUAL_NOTE: &str = "candles and no hurry";
const SEXUAL_DEBRIEF: &str = "felt wanted again";
/// What a partner might type, or a synced file might carry, that a notes app, a spreadsheet or a
/// terminal would otherwise run.
const HOSTILE: &str = concat!(
    "=HYPERLINK(\"x\")\n",
    "---\n",
    "[[x]] <script>alert(1)</script> \u{1b}[31mred\u{1b}[0m\n",
    "* fake heading\n",
    "# fake title\n",
    "[2026-01-01 10:00] not an entry",
);

fn export(sb: &Sandbox, args: &[&str]) -> String {
    sb.ok(EXPORT, args)
}

fn json(sb: &Sandbox, args: &[&str]) -> Value {
    let mut a = vec!["--format", "json"];
    a.extend(args);
    serde_json::from_str(&export(sb, &a)).expect("export --format json prints JSON")
}

fn id_of(sb: &Sandbox, name: &str) -> closer_core::ids::Id {
    let couple = Couple::load(&Store::new(sb.data())).unwrap();
    couple.find(name).unwrap().id.clone()
}

/// Alex (arthritis) and Sam (recovering from surgery), three days in: needs, one private;
/// answers; boundaries, a body map, a hold, readiness, a step back, a pause; sessions and
/// debriefs, one private, one too much.
fn couple_with_history() -> Sandbox {
    let sb = Sandbox::new();
    sb.ok(
        NEEDS,
        &["couple", "add", "Alex", "--condition", "arthritis"],
    );
    sb.ok(
        NEEDS,
        &["couple", "add", "Sam", "--condition", "post-surgery"],
    );
    // Plain files, which these tests read and edit by hand; `encrypted.rs` exports an
    // encrypted folder.
    sb.ok(NEEDS, &["couple", "decrypt", "--yes", "--as", "Alex"]);
    let buttons = sb.ok(
        NEEDS,
        &[
            "add",
            "Help with buttons on stiff mornings",
            "--as",
            "Alex",
            "--category",
            "practical",
            "--condition",
            "arthritis",
            "--importance",
            "high",
        ],
    );
    sb.ok(
        NEEDS,
        &[
            "agree",
            buttons.trim(),
            "--plan",
            "Sam does buttons before work",
            "--helper",
            "Sam",
            "--review-in",
            "30d",
            "--as",
            "Alex",
        ],
    );
    sb.ok(NEEDS, &["accept", buttons.trim(), "--as", "Sam"]);
    sb.ok(NEEDS, &["add", PRIVATE_NEED, "--private", "--as", "Alex"]);
    sb.ok(PROMPT, &["answer", "the walk by the river", "--as", "Alex"]);
    sb.ok(PROMPT, &["answer", "being read to", "--as", "Sam"]);

    for s in ["s0-breathe-together", "s0-sit-close", "s1-short-hug"] {
        sb.ok(TOUCH, &["boundary", s, "yes", "--as", "Alex"]);
        sb.ok(TOUCH, &["boundary", s, "yes", "--as", "Sam"]);
    }
    sb.ok(TOUCH, &["boundary", "s1-spooning", "no", "--as", "Alex"]);
    sb.ok(
        TOUCH,
        &["boundary", "s0-hold-hands", "maybe", "--as", "Sam"],
    );
    sb.ok(
        TOUCH,
        &[
            "body",
            "shoulders",
            "off-limits",
            "--note",
            "left shoulder: surgery",
            "--as",
            "Alex",
        ],
    );
    sb.ok(TOUCH, &["body", "hands", "welcome", "--as", "Sam"]);
    sb.ok(
        TOUCH,
        &[
            "hold",
            "--from-stage",
            "2",
            "--until",
            "2026-05-01",
            "--reason",
            "surgeon's clearance",
            "--as",
            "Alex",
        ],
    );
    let first = sb.ok(
        TOUCH,
        &["log", "--minutes", "10", "--giver", "Sam", "--as", "Alex"],
    );
    sb.ok(
        TOUCH,
        &["debrief", "--noticed", "warm hands", "--as", "Sam"],
    );
    sb.ok(
        TOUCH,
        &[
            "debrief",
            "--noticed",
            PRIVATE_DEBRIEF,
            "--private",
            "--as",
            "Alex",
        ],
    );
    sb.ok(TOUCH, &["ready", "--as", "Alex"]);
    sb.ok(TOUCH, &["ready", "--as", "Sam"]);

    sb.set_today("2026-03-03");
    let ask = sb.ok(
        NEEDS,
        &[
            "add",
            "Ask before you help me",
            "--category",
            "communication",
            "--as",
            "Sam",
        ],
    );
    sb.ok(NEEDS, &["talked", ask.trim(), "--as", "Sam"]);
    sb.ok_stdin(
        PROMPT,
        &["answer", "-", "--as", "Sam"],
        "tea in bed\nand the radio on\n",
    );
    sb.ok(TOUCH, &["log", "--note", "shorter today", "--as", "Sam"]);
    sb.ok(TOUCH, &["debrief", "--too-much", "my back", "--as", "Sam"]);
    sb.ok(TOUCH, &["back", "--as", "Sam"]);
    sb.ok(TOUCH, &["pause", "--as", "Alex"]);
    sb.ok(TOUCH, &["resume", "--as", "Alex"]);
    sb.ok(
        TOUCH,
        &[
            "debrief",
            first.trim(),
            "--noticed",
            "it was easier than I feared",
            "--as",
            "Alex",
        ],
    );

    sb.set_today("2026-03-04");
    sb.ok(
        PROMPT,
        &[
            "answer",
            "the first holiday\n[2026-01-01 10:00] not an entry",
            "--as",
            "Alex",
        ],
    );
    sb
}

/// Every stdout format and both notes layouts, as (what, text) pairs.
fn every_format(sb: &Sandbox, who: Option<&str>) -> Vec<(String, String)> {
    let as_args: Vec<&str> = who.map_or(vec![], |w| vec!["--as", w]);
    let mut out = Vec::new();
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
        a.extend(&as_args);
        out.push((args.join(" "), export(sb, &a)));
    }
    for layout in ["obsidian", "joplin"] {
        let dir = sb.path(&format!("notes-{}-{layout}", who.unwrap_or("nobody")));
        let _ = std::fs::remove_dir_all(&dir);
        let mut a = vec!["--to-dir", dir.to_str().unwrap(), "--layout", layout];
        a.extend(&as_args);
        export(sb, &a);
        for (path, bytes) in tree(&dir) {
            if !path.ends_with('/') && !path.starts_with('.') {
                out.push((
                    format!("{layout} {path}"),
                    String::from_utf8(bytes).unwrap(),
                ));
            }
        }
    }
    out
}
