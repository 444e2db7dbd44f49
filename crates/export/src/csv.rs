//! CSV (RFC 4180, one kind of record per run), escaped so that no cell a partner typed runs in a
//! spreadsheet.

use crate::gather::{Data, Kind};
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

pub(crate) fn write(d: &Data, kind: Kind, out: &mut Out) -> Result<()> {
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
