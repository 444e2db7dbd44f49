//! CSV (RFC 4180, one kind of record per run), jrnl's import format and org: each escaped so
//! that what a partner typed stays text.

use crate::gather::{Data, Kind};
use chrono::NaiveDate;
use closer_cli::output::{Out, clean};
use closer_core::Result;
use std::fmt::Write;

/// One CSV cell: a cell that a spreadsheet would run as a formula gets a leading `'`; quoted when
/// it holds a comma, quote or line break.
fn cell(s: &str) -> String {
    let s = clean(s, true);
    let s = if s.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{s}")
    } else {
        s.into_owned()
    };
    if s.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s
    }
}

fn row(out: &mut Out, cells: &[&str]) -> Result<()> {
    let line: Vec<String> = cells.iter().map(|c| cell(c)).collect();
    out.raw(&line.join(","))?;
    out.raw("\r\n")
}

fn opt<T: ToString>(v: &Option<T>) -> String {
    v.as_ref().map(ToString::to_string).unwrap_or_default()
}

pub(crate) fn csv(d: &Data, kind: Kind, out: &mut Out) -> Result<()> {
    match kind {
        Kind::Needs => {
            row(
                out,
                &[
                    "id",
                    "owner",
                    "text",
                    "category",
                    "condition",
                    "importance",
                    "status",
                    "plan",
                    "helper",
                    "review",
                    "private",
                    "created",
                ],
            )?;
            for n in &d.needs {
                let importance = closer_core::word(&n.importance);
                let helper = n
                    .helper
                    .as_ref()
                    .map(|h| h.describe(|id| d.name(id).to_owned()))
                    .unwrap_or_default();
                row(
                    out,
                    &[
                        &n.id,
                        d.name(&n.owner),
                        &n.text,
                        &n.category,
                        &opt(&n.condition),
                        importance,
                        n.status.label(),
                        &opt(&n.plan),
                        &helper,
                        &opt(&n.review),
                        &n.private.to_string(),
                        &n.created.to_string(),
                    ],
                )?;
            }
        }
        Kind::Prompts => {
            row(out, &["date", "partner", "prompt", "prompt_text", "answer"])?;
            for (who, a) in &d.answers {
                row(
                    out,
                    &[
                        &a.date.to_string(),
                        d.name(who),
                        &a.prompt,
                        &a.prompt_text,
                        &a.text,
                    ],
                )?;
            }
        }
        Kind::Touch => {
            row(
                out,
                &[
                    "date",
                    "session",
                    "step",
                    "title",
                    "logged_by",
                    "giver",
                    "minutes",
                    "note",
                    "debriefs",
                ],
            )?;
            for (who, s) in &d.sessions {
                let mut deb = String::new();
                for (by, x) in d.debriefs_of(&s.id) {
                    let too = x
                        .too_much
                        .as_ref()
                        .map(|t| {
                            if t.is_empty() {
                                " (too much)".to_owned()
                            } else {
                                format!(" (too much: {t})")
                            }
                        })
                        .unwrap_or_default();
                    let _ = write!(
                        deb,
                        "{}{}: {}{too}; ",
                        if deb.is_empty() { "" } else { " " },
                        d.name(by),
                        opt(&x.noticed)
                    );
                }
                let giver = s.giver.as_deref().map(|g| d.name(g)).unwrap_or_default();
                let title = d.step_title(&s.step);
                row(
                    out,
                    &[
                        &s.date.to_string(),
                        &s.id,
                        &s.step,
                        &title,
                        d.name(who),
                        giver,
                        &opt(&s.minutes),
                        &opt(&s.note),
                        deb.trim_end_matches("; "),
                    ],
                )?;
            }
        }
    }
    Ok(())
}

/// Text for a jrnl entry body: no line may start like a new entry (`[date] `).
fn jrnl_text(s: &str) -> String {
    clean(s, true)
        .lines()
        .map(|l| {
            if l.starts_with('[') {
                format!(" {l}")
            } else {
                l.to_owned()
            }
        })
        .collect::<Vec<_>>()
        .join("\n")
}

fn jrnl_entry(out: &mut Out, date: NaiveDate, time: &str, title: &str, body: &str) -> Result<()> {
    let title = clean(title, false);
    out.raw(&format!(
        "[{date} {time}] {}\n{}\n\n",
        title.trim(),
        body.trim_end()
    ))
}

/// The plain-text journal format that `jrnl --import` reads: one entry per need, per session
/// and per day of answers.
pub(crate) fn jrnl(d: &Data, out: &mut Out) -> Result<()> {
    for n in &d.needs {
        let mut body = format!("{}'s need · {}", d.name(&n.owner), n.status.label());
        if let Some(p) = &n.plan {
            let _ = write!(body, "\nAgreed: {}", jrnl_text(p));
        }
        for c in &n.history {
            let _ = write!(
                body,
                "\n{} {}: {}",
                c.date,
                d.name(&c.by),
                jrnl_text(&c.what)
            );
        }
        jrnl_entry(out, n.created, "08:00", &format!("Need: {}", n.text), &body)?;
    }
    for (who, s) in &d.sessions {
        let mut body = format!("Logged by {}", d.name(who));
        if let Some(m) = s.minutes {
            let _ = write!(body, " · {m} minutes");
        }
        if let Some(n) = &s.note {
            let _ = write!(body, "\nNote: {}", jrnl_text(n));
        }
        for (by, x) in d.debriefs_of(&s.id) {
            if let Some(n) = &x.noticed {
                let _ = write!(body, "\n{} noticed: {}", d.name(by), jrnl_text(n));
            }
            if let Some(t) = &x.too_much {
                let what = if t.is_empty() {
                    String::new()
                } else {
                    format!(": {}", jrnl_text(t))
                };
                let _ = write!(body, "\n{}: too much{what}", d.name(by));
            }
        }
        jrnl_entry(
            out,
            s.date,
            "20:00",
            &format!("Touch: {}", d.step_title(&s.step)),
            &body,
        )?;
    }
    for day in d.answers.chunk_by(|a, b| a.1.date == b.1.date) {
        let a0 = &day[0].1;
        let body: Vec<String> = day
            .iter()
            .map(|(who, a)| format!("{}: {}", d.name(who), jrnl_text(&a.text)))
            .collect();
        jrnl_entry(
            out,
            a0.date,
            "09:00",
            &format!("Prompt: {}", a0.prompt_text),
            &body.join("\n"),
        )?;
    }
    Ok(())
}

fn org_date(d: NaiveDate) -> String {
    format!("[{}]", d.format("%Y-%m-%d %a"))
}

/// Org's own escape: a zero-width space between the brackets keeps `[[...]]` from being a link
/// (which could run code when followed).
fn org_inert(s: &str) -> String {
    clean(s, true)
        .replace("[[", "[\u{200b}[")
        .replace("]]", "]\u{200b}]")
}

/// Body text for org: indented, so nothing a partner typed can start a headline, keyword or drawer.
fn org_text(s: &str, indent: &str) -> String {
    org_inert(s)
        .lines()
        .map(|l| {
            if l.trim_start().starts_with(['#', ':', '*']) {
                format!("{indent}\\{}", l.trim_start())
            } else {
                format!("{indent}{l}")
            }
        })
        .collect::<Vec<_>>()
        .join("\n")
}

fn org_line(s: &str) -> String {
    org_inert(s).replace(['\n', '\t'], " ").trim().to_owned()
}

pub(crate) fn org(d: &Data, out: &mut Out) -> Result<()> {
    out.raw(&format!(
        "#+TITLE: closer export\n#+DATE: {}\n",
        org_date(d.today)
    ))?;
    if !d.needs.is_empty() {
        out.raw("\n* Needs\n")?;
        for n in &d.needs {
            let mut s = format!(
                "** {}\n:PROPERTIES:\n:ID: {}\n:OWNER: {}\n:STATUS: {}\n:CATEGORY: {}\n",
                org_line(&n.text),
                n.id,
                org_line(d.name(&n.owner)),
                n.status.label(),
                n.category
            );
            if let Some(r) = n.review {
                let _ = writeln!(s, ":REVIEW: {}", org_date(r));
            }
            let _ = writeln!(s, ":END:\n{} named", org_date(n.created));
            if let Some(p) = &n.plan {
                let _ = writeln!(s, "- Agreed:\n{}", org_text(p, "  "));
            }
            for c in &n.history {
                let _ = writeln!(
                    s,
                    "- {} {}:\n{}",
                    org_date(c.date),
                    org_line(d.name(&c.by)),
                    org_text(&c.what, "  ")
                );
            }
            out.raw(&s)?;
        }
    }
    if !d.sessions.is_empty() {
        out.raw("\n* Touch sessions\n")?;
        for (who, x) in &d.sessions {
            let mut s = format!(
                "** {} {}\n:PROPERTIES:\n:ID: {}\n:STEP: {}\n:LOGGED_BY: {}\n",
                org_date(x.date),
                org_line(&d.step_title(&x.step)),
                x.id,
                x.step,
                org_line(d.name(who))
            );
            if let Some(m) = x.minutes {
                let _ = writeln!(s, ":MINUTES: {m}");
            }
            s.push_str(":END:\n");
            if let Some(n) = &x.note {
                let _ = writeln!(s, "{}", org_text(n, ""));
            }
            for (by, b) in d.debriefs_of(&x.id) {
                if let Some(n) = &b.noticed {
                    let _ = writeln!(
                        s,
                        "- {} noticed:\n{}",
                        org_line(d.name(by)),
                        org_text(n, "  ")
                    );
                }
                if let Some(t) = &b.too_much {
                    let _ = writeln!(
                        s,
                        "- {}: too much\n{}",
                        org_line(d.name(by)),
                        org_text(t, "  ")
                    );
                }
            }
            out.raw(&s)?;
        }
    }
    if !d.answers.is_empty() {
        out.raw("\n* Prompts\n")?;
        for day in d.answers.chunk_by(|a, b| a.1.date == b.1.date) {
            let a0 = &day[0].1;
            let mut s = format!(
                "** {} {}\n:PROPERTIES:\n:PROMPT: {}\n:END:\n",
                org_date(a0.date),
                org_line(&a0.prompt_text),
                a0.prompt
            );
            for (who, a) in day {
                let _ = writeln!(
                    s,
                    "- {}:\n{}",
                    org_line(d.name(who)),
                    org_text(&a.text, "  ")
                );
            }
            out.raw(&s)?;
        }
    }
    Ok(())
}
