//! The plain-text journal format that `jrnl --import` reads: one entry per need, per hold, per
//! session and per day of answers. Escaped so that no text becomes a new entry or a star.
//!
//! jrnl keeps an imported entry it already holds, so importing the same export twice adds
//! nothing; an entry that changed since is imported beside the old one. To refresh a journal,
//! import into an empty one.

use crate::gather::Data;
use crate::touch_facts;
use chrono::NaiveDate;
use closer_cli::output::{Out, clean};
use closer_core::Result;
use std::fmt::Write;

/// Text of one or more lines inside an entry.
fn text(s: &str) -> String {
    clean(s, true).trim_end().to_owned()
}

/// One line of text inside an entry (a name, a category): no line break.
fn line(s: &str) -> String {
    clean(s, false).trim().to_owned()
}

fn private(yes: bool) -> &'static str {
    if yes { " (private)" } else { "" }
}

fn entry(out: &mut Out, date: NaiveDate, time: &str, title: &str, body: &str) -> Result<()> {
    let mut title = line(title);
    // jrnl reads a title that starts or ends with `*` as a star and drops the `*`; a zero-width
    // space keeps it text.
    if title.ends_with('*') {
        title.push('\u{200b}');
    }
    let mut s = format!("[{date} {time}] {title}\n");
    for l in body.trim_end().lines() {
        // No line of the body may start like a new entry (`[date] `).
        if l.starts_with('[') {
            s.push(' ');
        }
        s.push_str(l);
        s.push('\n');
    }
    s.push('\n');
    out.raw(&s)
}

pub(crate) fn write(d: &Data, out: &mut Out) -> Result<()> {
    for n in &d.needs {
        let mut body = format!(
            "{}'s need{} · {} · {}",
            line(d.name(&n.owner)),
            private(n.private),
            n.status.label(),
            line(&n.category)
        );
        if let Some(c) = &n.condition {
            let _ = write!(body, " · {}", line(c));
        }
        if let Some(p) = &n.plan {
            let _ = write!(body, "\nAgreed: {}", text(p));
        }
        if let Some(h) = &n.helper {
            let _ = write!(
                body,
                "\nWho helps: {}",
                line(&h.describe(|id| d.name(id).to_owned()))
            );
        }
        if let Some(r) = n.review {
            let _ = write!(body, "\nReview: {r}");
        }
        for c in &n.history {
            let _ = write!(
                body,
                "\n{} {}: {}",
                c.date,
                line(d.name(&c.by)),
                text(&c.what)
            );
        }
        entry(out, n.created, "08:00", &format!("Need: {}", n.text), &body)?;
    }
    for (h, state) in touch_facts::holds(d) {
        let body = format!(
            "Reason: {}\nThis hold is {}.",
            text(&h.reason),
            state.label()
        );
        let title = format!(
            "Hold: nothing from stage {} until {}.",
            h.from_stage, h.until
        );
        entry(out, h.created, "08:00", &title, &body)?;
    }
    for t in &d.traces {
        entry(
            out,
            t.until,
            "08:00",
            "On for a while, then off again.",
            &text(&t.text),
        )?;
    }
    for (who, s) in &d.sessions {
        let mut body = format!("Logged by {}", line(d.name(who)));
        if let Some(g) = &s.giver {
            let _ = write!(body, " · {} gave first", line(d.name(g)));
        }
        if let Some(m) = s.minutes {
            let _ = write!(body, " · {m} minutes");
        }
        if let Some(n) = &s.note {
            let _ = write!(body, "\nNote: {}", text(n));
        }
        for (by, x) in d.debriefs_of(&s.id) {
            let by = format!("{}{}", line(d.name(by)), private(x.private));
            if let Some(n) = &x.noticed {
                let _ = write!(body, "\n{by} noticed: {}", text(n));
            }
            if let Some(t) = &x.too_much {
                let what = if t.is_empty() {
                    String::new()
                } else {
                    format!(": {}", text(t))
                };
                let _ = write!(body, "\n{by}: too much{what}");
            }
        }
        entry(
            out,
            s.date,
            "20:00",
            &format!("Touch: {}", d.step_title(&s.step)),
            &body,
        )?;
    }
    for day in d.answers.chunk_by(crate::gather::same_prompt) {
        let a0 = &day[0].1;
        let body: Vec<String> = day
            .iter()
            .map(|(who, a)| format!("{}: {}", line(d.name(who)), text(&a.text)))
            .collect();
        entry(
            out,
            a0.date,
            "09:00",
            &format!("Prompt: {}", a0.prompt_text),
            &body.join("\n"),
        )?;
    }
    Ok(())
}
