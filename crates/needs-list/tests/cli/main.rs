//! needs-list from the outside: the life of a need, privacy between partners, review dates, bad
//! input, running without a terminal, and what users see in help and errors.
//!
//! Every run is sealed (see `support`): a temp HOME and data folder, no inherited environment but
//! a minimal PATH, a pinned date, no colour and a fixed width.

#[path = "../../../../tests/support/mod.rs"]
mod support;

use assert_cmd::Command;
use serde_json::Value;
use std::collections::BTreeSet;
use std::path::Path;
use support::{NEEDS, Run};

mod bad_input;
mod help;
mod life;
mod no_terminal;
mod order;
mod ownership;
mod privacy;
mod review;
mod review_pty;
mod table;

const TODAY: &str = "2026-03-01";
const ID_CHARS: &str = "0123456789abcdefghjkmnpqrstvwxyz";
/// The PATH every run gets.
const PATH: &str = "/usr/bin:/bin";

/// The shared sandbox, running needs-list on `TODAY` or on a day given per run.
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

    /// A sealed command on data folder `data`, on day `today`.
    fn cmd_in(&self, data: &Path, today: &str, args: &[&str]) -> Command {
        let mut c = self.command_in(data, NEEDS);
        c.env("PATH", PATH).env("CLOSER_TODAY", today).args(args);
        c
    }

    fn run_in(&self, data: &Path, today: &str, args: &[&str]) -> Run {
        Run::from(self.cmd_in(data, today, args).output().unwrap())
    }

    fn run_on(&self, today: &str, args: &[&str]) -> Run {
        self.run_in(&self.data(), today, args)
    }

    fn run(&self, args: &[&str]) -> Run {
        self.run_on(TODAY, args)
    }

    /// Runs a command that must succeed; its stdout.
    fn ok_in(&self, data: &Path, today: &str, args: &[&str]) -> String {
        let r = self.run_in(data, today, args);
        assert_eq!(r.code, 0, "{args:?} failed: {}", r.stderr);
        r.stdout
    }

    fn ok_on(&self, today: &str, args: &[&str]) -> String {
        self.ok_in(&self.data(), today, args)
    }

    fn ok(&self, args: &[&str]) -> String {
        self.ok_on(TODAY, args)
    }

    /// alex (arthritis) and sam.
    fn couple_in(&self, data: &Path) {
        self.ok_in(
            data,
            TODAY,
            &["couple", "add", "alex", "--condition", "arthritis"],
        );
        self.ok_in(data, TODAY, &["couple", "add", "sam"]);
        // Both use this one device: each one's key is made here the first time they use it.
        for who in ["alex", "sam"] {
            self.ok_in(data, TODAY, &["couple", "--as", who]);
        }
    }

    /// Adds a need in `data` and returns its ID.
    fn add_in(&self, data: &Path, who: &str, text: &str, extra: &[&str]) -> String {
        let mut args = vec!["add", text, "--as", who];
        args.extend_from_slice(extra);
        let out = self.ok_in(data, TODAY, &args);
        out.trim_end().to_owned()
    }

    fn show_json(&self, id: &str, who: &str) -> Value {
        serde_json::from_str(&self.ok(&["show", id, "--json", "--as", who])).unwrap()
    }
}

fn keys(v: &Value) -> BTreeSet<&str> {
    v.as_object()
        .expect("a JSON object")
        .keys()
        .map(String::as_str)
        .collect()
}

const NEED_KEYS: &[&str] = &[
    "category",
    "condition",
    "created",
    "helper",
    "history",
    "id",
    "importance",
    "owner",
    "plan",
    "private",
    "proposal",
    "review",
    "short_id",
    "status",
    "text",
];
