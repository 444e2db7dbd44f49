//! The default export: one Markdown document of everything the partner at the keyboard may see.

use crate::gather::Data;
use closer_cli::output::{Out, markdown as md};
use closer_core::Result;
use closer_core::needs::Need;
use closer_core::prompts::Answer;
use closer_core::touch::Session;
use std::fmt::Write;

pub(crate) fn write(d: &Data, out: &mut Out) -> Result<()> {
    let who = d.viewer.as_ref().map_or_else(
        || "shared records".to_owned(),
        |p| format!("what {} may see", d.name(&p.id)),
    );
    out.raw(&format!(
        "# closer: {}\n\nExported on {}.\n",
        md(&who, ""),
        d.today
    ))?;
    if !d.needs.is_empty() {
        out.raw("\n## Needs\n")?;
        for n in &d.needs {
            out.raw(&need(d, n, 3))?;
        }
    }
    if let Some(plan) = &d.plan {
        out.raw("\n## Touch plan\n\n")?;
        match plan.current {
            Some(s) => out.raw(&format!(
                "Now: {} (`{}`), stage {}.\n",
                md(s.title, ""),
                s.id,
                s.stage
            ))?,
            None => out.raw("No current step.\n")?,
        }
        if plan.paused {
            out.raw("The plan is paused.\n")?;
        }
        for h in &plan.holds {
            out.raw(&format!(
                "On hold: nothing from stage {} until {} ({}).\n",
                h.from_stage,
                h.until,
                md(&h.reason, "")
            ))?;
        }
        if !plan.in_plan.is_empty() {
            out.raw("\nSteps in the plan:\n\n")?;
            for s in &plan.in_plan {
                out.raw(&format!(
                    "- {} (`{}`, stage {})\n",
                    md(s.title, "  "),
                    s.id,
                    s.stage
                ))?;
            }
        }
        if !d.sessions.is_empty() {
            out.raw("\n### Sessions\n\n")?;
            for (who, s) in &d.sessions {
                out.raw(&session(d, who, s))?;
            }
        }
    }
    if !d.answers.is_empty() {
        out.raw("\n## Prompts and answers\n")?;
        for day in d.answers.chunk_by(|a, b| a.1.date == b.1.date) {
            out.raw(&answers(d, day, 3))?;
        }
    }
    Ok(())
}

/// One need, with a heading of `level`.
pub(crate) fn need(d: &Data, n: &Need, level: usize) -> String {
    let mut s = format!("\n{} {}\n\n", "#".repeat(level), md(&n.text, ""));
    let private = if n.private { " (private)" } else { "" };
    let _ = writeln!(s, "- Whose: {}{private}", md(d.name(&n.owner), ""));
    let _ = writeln!(
        s,
        "- Status: {} · importance {} · {}",
        n.status.label(),
        closer_core::word(&n.importance),
        n.category
    );
    if let Some(c) = &n.condition {
        let _ = writeln!(s, "- Condition: {c}");
    }
    if let Some(p) = &n.plan {
        let _ = writeln!(s, "- Agreed: {}", md(p, "  "));
    }
    if let Some(h) = &n.helper {
        let who = h.describe(|id| d.name(id).to_owned());
        let _ = writeln!(s, "- Who helps: {}", md(&who, ""));
    }
    if let Some(r) = n.review {
        let _ = writeln!(s, "- Review: {r}");
    }
    let _ = writeln!(s, "- ID: `{}`\n- History:", n.id);
    for c in &n.history {
        let _ = writeln!(
            s,
            "  - {} {}: {}",
            c.date,
            md(d.name(&c.by), ""),
            md(&c.what, "    ")
        );
    }
    s
}

/// One session line with the debriefs on it that may be seen.
pub(crate) fn session(d: &Data, who: &str, s: &Session) -> String {
    let mut line = format!("- {} · {}", s.date, md(&d.step_title(&s.step), "  "));
    if let Some(g) = &s.giver {
        let _ = write!(line, " · {} gave first", md(d.name(g), ""));
    }
    if let Some(m) = s.minutes {
        let _ = write!(line, " · {m} min");
    }
    let _ = writeln!(line, " · logged by {}", md(d.name(who), ""));
    if let Some(n) = &s.note {
        let _ = writeln!(line, "  - Note: {}", md(n, "    "));
    }
    for (by, x) in d.debriefs_of(&s.id) {
        let private = if x.private { " (private)" } else { "" };
        if let Some(n) = &x.noticed {
            let _ = writeln!(
                line,
                "  - {}{private} noticed: {}",
                md(d.name(by), ""),
                md(n, "    ")
            );
        }
        if let Some(t) = &x.too_much {
            let what = if t.is_empty() {
                String::new()
            } else {
                format!(": {}", md(t, "    "))
            };
            let _ = writeln!(line, "  - {}{private}: too much{what}", md(d.name(by), ""));
        }
    }
    line
}

/// One day's prompt with every answer given to it.
pub(crate) fn answers(d: &Data, day: &[(String, Answer)], level: usize) -> String {
    let first = &day[0].1;
    let mut s = String::with_capacity(256 * day.len());
    let _ = write!(s, "\n{} {}\n\n", "#".repeat(level), first.date);
    let mut last_prompt = "";
    for (who, a) in day {
        if a.prompt != last_prompt {
            s.push_str("> ");
            s.push_str(&md(&a.prompt_text, "> "));
            s.push_str("\n\n");
            last_prompt = &a.prompt;
        }
        s.push_str("- **");
        s.push_str(&md(d.name(who), ""));
        s.push_str(":** ");
        s.push_str(&md(&a.text, "  "));
        s.push('\n');
    }
    s
}
