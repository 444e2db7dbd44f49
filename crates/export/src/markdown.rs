//! The default export: one Markdown document of everything the partner at the keyboard may see.

use crate::gather::Data;
use crate::touch_facts;
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
                "Now: {} ({}), stage {}.\n",
                md(s.title, ""),
                code(s.id),
                s.stage
            ))?,
            None => out.raw("No current step.\n")?,
        }
        if plan.paused {
            out.raw("The plan is paused.\n")?;
        }
        let holds = touch_facts::holds(d);
        if !holds.is_empty() {
            out.raw("\nHolds:\n\n")?;
            for (h, state) in holds {
                out.raw(&format!(
                    "- Nothing from stage {} until {} ({}, set {}): {}\n",
                    h.from_stage,
                    h.until,
                    state.label(),
                    h.created,
                    md(&h.reason, "  ")
                ))?;
            }
        }
        if !d.traces.is_empty() {
            out.raw("\nOn for a while, then off again:\n\n")?;
            for t in &d.traces {
                out.raw(&format!("- {}\n", md(&t.text, "  ")))?;
            }
        }
        if !plan.in_plan.is_empty() {
            out.raw("\nSteps in the plan:\n\n")?;
            for s in &plan.in_plan {
                out.raw(&format!(
                    "- {} ({}, stage {})\n",
                    md(s.title, "  "),
                    code(s.id),
                    s.stage
                ))?;
            }
        }
        out.raw(&own_touch_facts(d))?;
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

/// An ID as a code span; one that could end the span (as a hand-edited file could hold) is
/// written as escaped text instead.
fn code(id: &str) -> String {
    if id.is_empty() || id.contains(['`', '\n', '\r']) || id != closer_cli::output::clean(id, false)
    {
        md(id, "").into_owned()
    } else {
        format!("`{id}`")
    }
}

/// The exporting partner's own boundaries and body map, which only they see.
fn own_touch_facts(d: &Data) -> String {
    let mut s = String::new();
    let boundaries = touch_facts::my_boundaries(d);
    if !boundaries.is_empty() {
        s.push_str("\nMy boundaries (private):\n\n");
        for (step, answer) in boundaries {
            let _ = writeln!(s, "- {}: {answer}", md(&step, "  "));
        }
    }
    let body = touch_facts::my_body_map(d);
    if !body.is_empty() {
        s.push_str("\nMy body map (private):\n\n");
        for (region, mark, note) in body {
            let note = note
                .map(|n| format!(" ({})", md(n, "  ")))
                .unwrap_or_default();
            let _ = writeln!(s, "- {}: {mark}{note}", md(region, "  "));
        }
    }
    s
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
        md(&n.category, "  ")
    );
    if let Some(c) = &n.condition {
        let _ = writeln!(s, "- Condition: {}", md(c, "  "));
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
    let _ = writeln!(s, "- ID: {}\n- History:", code(&n.id));
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
