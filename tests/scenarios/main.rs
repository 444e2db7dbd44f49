//! Cross-tool scenarios: a new couple's first two weeks with every tool, ending in an export that
//! holds all of it and nothing it must not; and the prompt of the day from cron.
//!
//! Every run is sealed: a temp HOME and data folder, no inherited environment, a pinned date,
//! no colour and a fixed width.

#[path = "../support/mod.rs"]
mod support;

use serde_json::Value;
use support::Sandbox;

mod cron;
mod first_weeks;
mod gentle_day;
mod output_errors;
mod today;

fn json(s: &str) -> Value {
    serde_json::from_str(s).unwrap_or_else(|e| panic!("not JSON ({e}): {s}"))
}
