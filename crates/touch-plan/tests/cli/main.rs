//! touch-plan from the outside: what one partner can never learn about the other (a "no", a
//! "ready"), the pace of the slower partner, medical-clearance holds, consent for sexual steps,
//! body maps, low-energy days, where to find help, bad input and the help text.
//!
//! Every run is sealed: a temp HOME and data folder, no inherited environment, a pinned date,
//! no colour and a fixed width.

#[path = "../../../../tests/support/mod.rs"]
mod support;

use closer_core::content::Library;
use serde_json::Value;
use std::path::Path;
use support::{Run, Sandbox, TOUCH, tree};

mod bad_input;
mod boundary_pty;
mod consent;
mod help;
mod history;
mod holds;
mod own;
mod pace;
mod privacy;
mod probing;
mod step;
mod today;

/// The first steps of the ladder, all in stage 0 but the last.
const BREATHE: &str = "s0-breathe-together";
const SIT: &str = "s0-sit-close";
const HANDS: &str = "s0-hold-hands";
const HUG: &str = "s1-short-hug";

fn tp(sb: &Sandbox, args: &[&str]) -> String {
    sb.ok(TOUCH, args)
}

fn run(sb: &Sandbox, args: &[&str]) -> Run {
    sb.run(TOUCH, args)
}

/// Alex (arthritis) and Sam (recovering from surgery), neither opted in to sexual content.
fn couple(sb: &Sandbox) {
    tp(sb, &["couple", "add", "Alex", "--condition", "arthritis"]);
    tp(sb, &["couple", "add", "Sam", "--condition", "post-surgery"]);
}

fn both_say(sb: &Sandbox, answer: &str, steps: &[&str]) {
    for s in steps {
        for who in ["Alex", "Sam"] {
            tp(sb, &["boundary", s, answer, "--as", who]);
        }
    }
}

/// A couple with breathe, sit-close and a short hug in their plan.
fn started() -> Sandbox {
    let sb = Sandbox::new();
    couple(&sb);
    both_say(&sb, "yes", &[BREATHE, SIT, HUG]);
    sb
}

fn show_json(sb: &Sandbox, who: &str) -> Value {
    serde_json::from_str(&tp(sb, &["show", "--json", "--as", who])).unwrap()
}

/// The current step's ID, as `show --json` says.
fn current(sb: &Sandbox) -> Option<String> {
    show_json(sb, "Sam")["current"]["id"]
        .as_str()
        .map(str::to_owned)
}

fn current_stage(sb: &Sandbox) -> u64 {
    show_json(sb, "Sam")["current"]["stage"].as_u64().unwrap()
}

fn ready(sb: &Sandbox, who: &str) -> String {
    let r = run(sb, &["ready", "--as", who]);
    r.ok();
    r.stderr
}

/// Everything Sam can look at, in `data`.
fn sams_view(sb: &Sandbox, data: &Path) -> Vec<(String, Run)> {
    let views: [&[&str]; 8] = [
        &[],
        &["show"],
        &["show", "--json"],
        &["today"],
        &["today", "--json"],
        &["today", "--energy", "low"],
        &["history"],
        &["history", "--json"],
    ];
    views
        .iter()
        .map(|v| {
            let mut args = v.to_vec();
            args.extend(["--as", "Sam"]);
            let r = sb.run_in(data, TOUCH, &args);
            r.ok();
            (v.join(" "), r)
        })
        .collect()
}

fn sexual_steps(lib: &Library) -> Vec<&'static str> {
    lib.steps
        .iter()
        .filter(|s| lib.step_is_sexual(s))
        .map(|s| s.id)
        .collect()
}
