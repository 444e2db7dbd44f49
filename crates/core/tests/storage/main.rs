//! The storage promises, tested from outside: concurrent writers lose nothing, a writer killed at
//! any moment leaves whole files, newer and broken files are never rewritten, everything is
//! private whatever the umask, and ID prefixes are unique or refused.
//!
//! Tests that need other processes re-run this test binary: `children::child_writer` does the
//! child's part when `STORAGE_TEST_CHILD` says what to do, and returns at once otherwise.

use chrono::{DateTime, Days, NaiveDate, Utc};
use closer_core::needs::{Importance, Need, Status};
use closer_core::prompts::Answer;
use std::fs;
use std::path::{Path, PathBuf};

mod children;
mod concurrent_writers;
mod fuzz;
mod killed_writer;
mod leftovers;
mod newer_and_corrupt;
mod permissions;
mod prefixes;
mod sync_conflicts;
mod twin_partners;
mod unknown_fields;
mod untrusted_paths;

/// Records each concurrent writer adds.
const PER_WRITER: usize = 500;
/// Writes the killed writer must have reported done, over all its lives.
const KILL_TARGET: usize = 200;
/// The one partner whose answer files the writers share.
const PARTNER: &str = "p0shared0000";

fn day(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap()
}

/// A partner or record ID the test names.
fn id(s: &str) -> closer_core::ids::Id {
    s.parse().unwrap()
}

fn at() -> DateTime<Utc> {
    DateTime::parse_from_rfc3339("2026-03-01T12:00:00Z")
        .unwrap()
        .with_timezone(&Utc)
}

fn need(owner: &str, text: &str) -> Need {
    Need {
        extra: Default::default(),
        version: 0,
        id: closer_core::ids::new_id(),
        owner: id(owner),
        text: text.into(),
        category: "other".into(),
        condition: None,
        importance: Importance::Medium,
        status: Status::Open,
        plan: None,
        helper: None,
        review: None,
        private: false,
        created: day(2026, 3, 1),
        history: Vec::new(),
        proposal: None,
    }
}

fn answer(date: NaiveDate, text: String) -> Answer {
    Answer::new(
        date,
        "gratitude-001",
        "What made you smile today?",
        text,
        at(),
    )
}

/// The date concurrent writer `k` (0 or 1) uses for its `i`-th answer: both writers go round the
/// same three year files, on different days.
fn concurrent_date(k: usize, i: usize) -> NaiveDate {
    let year = 2026 + (i % 3) as i32;
    let ordinal = 1 + 2 * (i / 3) + k;
    NaiveDate::from_yo_opt(year, ordinal as u32).unwrap()
}

fn concurrent_text(k: usize, i: usize) -> String {
    format!("writer {k} answer {i}")
}

/// The date and text of the killed writer's `i`-th answer, all in one year file.
fn killed_date(i: usize) -> NaiveDate {
    day(2026, 1, 1) + Days::new(i as u64)
}

fn killed_text(i: usize) -> String {
    // Long enough that a write takes a while and a kill can land inside it.
    format!("answer {i}:{}", " so much to say".repeat(20))
}

/// Every file and folder below `dir`, sorted.
fn walk(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut todo = vec![dir.to_path_buf()];
    while let Some(d) = todo.pop() {
        for e in fs::read_dir(&d).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                todo.push(p.clone());
            }
            out.push(p);
        }
    }
    out.sort();
    out
}

fn name_of(p: &Path) -> &str {
    p.file_name().unwrap().to_str().unwrap()
}

/// Every record file below `dir` parses as JSON; returns how many there are.
fn assert_records_parse(dir: &Path) -> usize {
    let mut n = 0;
    for p in walk(dir).iter().filter(|p| p.is_file()) {
        if name_of(p).ends_with(".json") {
            let bytes = fs::read(p).unwrap();
            if let Err(e) = serde_json::from_slice::<serde_json::Value>(&bytes) {
                panic!("{} does not parse: {e}", p.display());
            }
            n += 1;
        }
    }
    n
}

/// Leftover temp files (a writer was killed) and lock files are all that may sit beside records.
fn assert_only_records_and_locks(dir: &Path, temp_allowed: bool) {
    for p in walk(dir).iter().filter(|p| p.is_file()) {
        let name = name_of(p);
        let ok = name.ends_with(".json")
            || name == ".lock"
            || name == ".stignore"
            || name == ".gitignore"
            || (temp_allowed && name.starts_with(".tmp-"));
        assert!(ok, "unexpected file {}", p.display());
    }
}
