//! `--for-clinician`: one Markdown page a couple can hand to a doctor, nurse or sex therapist,
//! shaped by what they ask: conditions, needs and what was agreed, holds and the clearance
//! questions behind them, how far the touch plan has come (stages only, never anyone's own
//! answer), what has repeatedly been too much, and the questions the couple wrote down.
//! Nothing private is on it, and names are redacted unless asked for.

use crate::gather::Data;
use crate::touch_facts;
use closer_cli::output::{Out, markdown as md};
use closer_core::Result;
use std::collections::BTreeMap;
use std::fmt::Write;

/// Sentences that ask something: they end with a question mark.
fn questions(text: &str) -> impl Iterator<Item = &str> {
    text.split_inclusive(['?', '.', '!', '\n'])
        .map(str::trim)
        .filter(|s| s.ends_with('?') && s.chars().count() > 3)
}

pub(crate) fn write(d: &Data, out: &mut Out) -> Result<()> {
    let mut s = format!(
        "# For our clinician\n\nPrepared on {} with closer.\n",
        d.today
    );

    s.push_str("\n## Conditions\n\n");
    for p in &d.couple.partners {
        let conditions = if p.conditions.is_empty() {
            "none recorded".to_owned()
        } else {
            p.conditions.join(", ")
        };
        let _ = writeln!(s, "- {}: {}", md(d.name(&p.id), ""), md(&conditions, ""));
    }

    s.push_str("\n## Needs and what we agreed\n\n");
    if d.needs.is_empty() {
        s.push_str("Nothing recorded.\n");
    }
    for n in &d.needs {
        let _ = write!(
            s,
            "- {} ({}'s need, {})",
            md(&n.text, "  "),
            md(d.name(&n.owner), ""),
            n.status.label()
        );
        if let Some(p) = &n.plan {
            let _ = write!(s, "\\\n  Agreed: {}", md(p, "  "));
        }
        if let Some(h) = &n.helper {
            let who = h.describe(|id| d.name(id).to_owned());
            let _ = write!(s, "\\\n  Who helps: {}", md(&who, "  "));
        }
        if let Some(r) = n.review {
            let _ = write!(s, "\\\n  We look at it again on {r}.");
        }
        s.push('\n');
    }

    s.push_str("\n## Medical holds\n\n");
    let holds = touch_facts::holds(d);
    if holds.is_empty() {
        s.push_str("None.\n");
    }
    for (h, state) in &holds {
        let _ = writeln!(
            s,
            "- No touch from stage {} until {} ({}): {}",
            h.from_stage,
            h.until,
            state.label(),
            md(&h.reason, "  ")
        );
    }

    s.push_str("\n## The touch plan\n\n");
    match &d.plan {
        Some(plan) => {
            let top = plan.steps.iter().map(|(st, _)| st.stage).max().unwrap_or(0);
            match plan.current {
                Some(c) => {
                    let _ = writeln!(
                        s,
                        "We are at stage {} of {top}: {}.",
                        c.stage,
                        md(c.title, "")
                    );
                }
                None => s.push_str("No step is current.\n"),
            }
            let _ = writeln!(
                s,
                "{} steps are in our plan so far.{}",
                plan.in_plan.len(),
                if plan.paused {
                    " The plan is paused."
                } else {
                    ""
                }
            );
        }
        None => s.push_str("Not started.\n"),
    }

    // What was too much, by step, with how often.
    let mut too_much: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for (_, x) in &d.debriefs {
        if x.too_much.is_some() {
            too_much
                .entry(d.step_title(&x.step))
                .or_default()
                .push(x.date.to_string());
        }
    }
    s.push_str("\n## What has been too much\n\n");
    if too_much.is_empty() {
        s.push_str("Nothing so far.\n");
    }
    for (step, days) in &too_much {
        let _ = writeln!(
            s,
            "- {}: {} time{} ({})",
            md(step, "  "),
            days.len(),
            if days.len() == 1 { "" } else { "s" },
            days.join(", ")
        );
    }

    // Questions the couple wrote down anywhere.
    let mut asked: Vec<String> = Vec::new();
    let mut add = |t: &str| {
        for q in questions(t) {
            if !asked.iter().any(|a| a == q) {
                asked.push(q.to_owned());
            }
        }
    };
    for (h, _) in &holds {
        add(&h.reason);
    }
    for n in &d.needs {
        for c in &n.history {
            add(&c.what);
        }
    }
    for (_, x) in &d.sessions {
        if let Some(t) = &x.note {
            add(t);
        }
    }
    for (_, x) in &d.debriefs {
        for t in [&x.noticed, &x.too_much].into_iter().flatten() {
            add(t);
        }
    }
    s.push_str("\n## Questions for our next appointment\n\n");
    if asked.is_empty() {
        s.push_str("None written down yet.\n");
    }
    for q in &asked {
        let _ = writeln!(s, "- {}", md(q, "  "));
    }
    out.raw(&s)
}
