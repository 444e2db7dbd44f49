//! prompt-of-the-day from the outside: cron, the rotation, consent for sexual prompts, skipping,
//! daily notes, bad input, answers and history, and the help text.
//!
//! Every run is sealed (see `support`): a temp HOME and data folder, no inherited environment but
//! a minimal PATH, a pinned date, no colour and a fixed width.

#[path = "../../../../tests/support/mod.rs"]
mod support;

use assert_cmd::Command;
use chrono::{Days, NaiveDate};
use closer_core::content::Library;
use closer_core::profile::Couple;
use closer_core::prompts::{Filter, pick, rotation};
use closer_core::store::Store;
use serde_json::Value;
use std::collections::BTreeSet;
use std::path::Path;
use support::{PROMPT, Run};

mod answers;
mod bad_input;
mod consent;
mod cron;
mod first;
mod help;
mod notes;
mod rotation;

const TODAY: &str = "2026-03-01";
/// The PATH every run gets.
const PATH: &str = "/usr/bin:/bin";

/// The shared sandbox, running prompt-of-the-day on `TODAY`.
struct Sandbox(support::Sandbox);

impl std::ops::Deref for Sandbox {
    type Target = support::Sandbox;

    fn deref(&self) -> &support::Sandbox {
        &self.0
    }
}

impl Sandbox {
    fn new() -> Sandbox {
        let sb = support::Sandbox::new();
        sb.set_today(TODAY);
        Sandbox(sb)
    }

    fn cmd_in(&self, data: &Path, args: &[&str]) -> Command {
        let mut c = self.command_in(data, PROMPT);
        c.env("PATH", PATH).args(args);
        c
    }

    fn run_in(&self, data: &Path, args: &[&str]) -> Run {
        Run::from(self.cmd_in(data, args).output().unwrap())
    }

    fn run(&self, args: &[&str]) -> Run {
        self.run_in(&self.data(), args)
    }

    fn ok_in(&self, data: &Path, args: &[&str]) -> String {
        let r = self.run_in(data, args);
        assert_eq!(r.code, 0, "{args:?} failed: {}", r.stderr);
        r.stdout
    }

    fn ok(&self, args: &[&str]) -> String {
        self.ok_in(&self.data(), args)
    }

    /// alex and sam in data folder `data`, as plain files: the rotation is worked out here
    /// from the same folder.
    fn couple_in(&self, data: &Path) {
        self.ok_in(data, &["couple", "add", "alex"]);
        self.ok_in(data, &["couple", "add", "sam"]);
        // Both use this one device: each one's key is made here the first time they use it.
        for who in ["alex", "sam"] {
            self.ok_in(data, &["couple", "--as", who]);
        }
        self.ok_in(data, &["couple", "decrypt", "--yes", "--as", "alex"]);
    }

    /// The prompt of `date` as JSON, with `extra` arguments.
    fn prompt_json(&self, data: &Path, date: NaiveDate, extra: &[&str]) -> Value {
        let d = date.to_string();
        let mut args = vec!["--json", "--date", &d];
        args.extend_from_slice(extra);
        let v: Value = serde_json::from_str(&self.ok_in(data, &args)).unwrap();
        assert_eq!(v["date"], d.as_str());
        v
    }
}

fn day(s: &str) -> NaiveDate {
    closer_core::dates::parse_date(s).unwrap()
}

/// The couple's rotation as the tool works it out, computed here from the same data folder.
fn ids_in_process(data: &Path, start: NaiveDate, days: u64) -> Vec<(&'static str, bool)> {
    let lib = Library::builtin();
    let couple = Couple::load(&Store::new(data)).unwrap();
    let order = rotation(&lib, &couple, &Filter::default());
    (0..days)
        .map(|i| {
            let p = pick(&order, start + Days::new(i), false).unwrap();
            (p.id, p.sexual)
        })
        .collect()
}
