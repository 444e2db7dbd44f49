//! `--to-dir`: a folder of notes for Obsidian or Joplin, one per day and one per need, each with
//! YAML front matter. Re-runnable: it rewrites only the notes it wrote itself (recognised by their
//! `closer_id`), never deletes anything, and leaves every other file alone.

use crate::Layout;
use crate::gather::Data;
use crate::markdown;
use chrono::{DateTime, NaiveDate, SecondsFormat, Utc};
use closer_cli::output::clean;
use closer_core::store::write_atomic;
use closer_core::{Error, Result};
use std::collections::BTreeMap;
use std::path::Path;

/// Checks, before anything is gathered or written, that the folder exists or can be made and
/// takes files.
pub(crate) fn prepare(dir: &Path) -> Result<()> {
    let fail = |e: std::io::Error| {
        Error::invalid(format!(
            "cannot write notes into {}: {e}; choose a folder you can write to",
            dir.display()
        ))
    };
    std::fs::create_dir_all(dir).map_err(fail)?;
    tempfile::tempfile_in(dir).map_err(fail)?;
    Ok(())
}

/// A YAML scalar: JSON strings are valid YAML and escape everything that needs it.
fn yaml(s: &str) -> String {
    serde_json::to_string(s).unwrap_or_default()
}

/// When a note's records were first and last written (None: nothing recorded a time).
type Times = Option<(DateTime<Utc>, DateTime<Utc>)>;

/// Widens `times` to take in `at`.
fn widen(times: &mut Times, at: DateTime<Utc>) {
    *times = Some(times.map_or((at, at), |(a, b)| (a.min(at), b.max(at))));
}

fn front_matter(
    layout: Layout,
    id: &str,
    title: &str,
    date: NaiveDate,
    times: Times,
    tags: &[&str],
) -> String {
    // A title is one line of plain text: no escape sequences for whatever shows it later.
    let title = &clean(title, false);
    let mut s = format!("---\ntitle: {}\n", yaml(title));
    match layout {
        Layout::Obsidian => s += &format!("date: {date}\naliases:\n  - {}\n", yaml(title)),
        Layout::Joplin => {
            // Joplin shows these in local time: the real moments the records were written, or
            // noon UTC, which is the same calendar day nearly everywhere.
            let noon = date.and_hms_opt(12, 0, 0).unwrap_or_default().and_utc();
            let (created, updated) = times.unwrap_or((noon, noon));
            let fmt = |t: DateTime<Utc>| t.to_rfc3339_opts(SecondsFormat::Millis, true);
            s += &format!("created: {}\nupdated: {}\n", fmt(created), fmt(updated));
        }
    }
    s += "tags:\n";
    for t in tags {
        s += &format!("  - {}\n", yaml(t));
    }
    s + &format!("closer_id: {}\n---\n", yaml(id))
}

/// Whether a note's front matter carries the `closer_id` that closer gives it.
fn written_by_closer(old: &str, id: &str) -> bool {
    let want = format!("closer_id: {}", yaml(id));
    old.strip_prefix("---\n")
        .is_some_and(|rest| rest.lines().take_while(|l| *l != "---").any(|l| l == want))
}

/// Writes `text` to `path` unless a file there was not written by closer; returns whether the
/// note is now up to date.
fn put(path: &Path, id: &str, text: &str) -> Result<bool> {
    match std::fs::read(path) {
        Ok(old) if old == text.as_bytes() => return Ok(true),
        Ok(old) if !written_by_closer(&String::from_utf8_lossy(&old), id) => {
            closer_cli::say!(
                "export: left {} alone: closer did not write it",
                path.display()
            );
            return Ok(false);
        }
        Ok(_) => {}
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
        Err(e) => return Err(Error::io(path, e)),
    }
    write_atomic(path, text.as_bytes())?;
    Ok(true)
}

pub(crate) fn write(dir: &Path, layout: Layout, d: &Data, quiet: bool) -> Result<()> {
    let (days_dir, needs_dir) = (dir.join("days"), dir.join("needs"));
    for sub in [&days_dir, &needs_dir] {
        std::fs::create_dir_all(sub).map_err(|e| Error::io(sub, e))?;
    }
    let mut written = 0usize;
    for n in &d.needs {
        let id = format!("need-{}", n.id);
        let mut tags = vec!["closer", "closer/need"];
        let status = format!("closer/{}", n.status.label().replace(' ', "-"));
        tags.push(&status);
        let body = markdown::need(d, n, 1);
        let mut times = None;
        for c in &n.history {
            widen(&mut times, c.at);
        }
        let text = front_matter(layout, &id, &n.text, n.created, times, &tags) + &body;
        written += usize::from(put(&needs_dir.join(format!("{}.md", n.id)), &id, &text)?);
    }
    // One note per day: that day's prompt and answers, then that day's sessions.
    let mut days: BTreeMap<NaiveDate, (String, Times)> = BTreeMap::new();
    for day in d.answers.chunk_by(|a, b| a.1.date == b.1.date) {
        let (text, times) = days.entry(day[0].1.date).or_default();
        for (_, a) in day {
            widen(times, a.at);
        }
        text.push_str(&markdown::answers(d, day, 2).replacen(
            &format!("## {}", day[0].1.date),
            "## Prompt of the day",
            1,
        ));
    }
    for (who, s) in &d.sessions {
        let (text, times) = days.entry(s.date).or_default();
        widen(times, s.at);
        for (_, x) in d.debriefs_of(&s.id) {
            widen(times, x.at);
        }
        if !text.contains("## Touch") {
            text.push_str("\n## Touch\n\n");
        }
        text.push_str(&markdown::session(d, who, s));
    }
    for (date, (body, times)) in &days {
        let id = format!("day-{date}");
        let text = front_matter(
            layout,
            &id,
            &date.to_string(),
            *date,
            *times,
            &["closer", "closer/day"],
        ) + &format!("\n# {date}\n")
            + body;
        written += usize::from(put(&days_dir.join(format!("{date}.md")), &id, &text)?);
    }
    if !quiet {
        closer_cli::say!("export: {written} notes up to date in {}", dir.display());
    }
    Ok(())
}
