//! `couple today`: the day at a glance in one look, the same in every tool: the prompt, who has
//! answered it (never what), the touch step, holds that lift soon, needs due for review, and
//! what was on for both of you and is off again (never who turned it off).
//! Built for cron as much as for a terminal: plain text unless `--json` or `--plain`.

use super::Context;
use super::output::{Format, Out};
use closer_core::Result;
use closer_core::glance::{Glance, Touch, glance};
use closer_core::needs::{self, Need};
use closer_core::{Word, index};
use serde_json::{Value, json};

/// How many due needs are named before "and N more".
const DUE_SHOWN: usize = 5;

pub fn run(ctx: &Context, format: Format) -> Result<()> {
    let lib = ctx.library()?;
    let couple = ctx.couple()?;
    let viewer = ctx.viewer(&couple)?.map(|p| p.id.clone());
    let gentle = ctx.low_energy(&couple, ctx.today, None)?;
    let shown: Vec<(String, Need)> = if couple.is_empty() {
        Vec::new()
    } else {
        let idx = ctx.cache_dir.as_ref().map(|c| index::path(c, &ctx.store));
        let all = index::needs_without_history(&ctx.store, idx.as_deref(), viewer.as_deref())?;
        needs::visible(all, viewer.as_deref())
    };
    let g = glance(&ctx.store, lib, &couple, gentle, shown, ctx.today)?;
    let mut out = Out::default();
    if format.json {
        return out.json(&to_json(&g, |id| couple.name_of(id).to_owned()));
    }
    if format.plain {
        return plain(&g, &mut out, |id| couple.name_of(id).to_owned());
    }
    let day = if g.gentle {
        format!("{}: a gentle day", g.date)
    } else {
        g.date.to_string()
    };
    out.line(&format!("Today, {day}"))?;
    out.line(&format!("Prompt: {}", g.prompt.text))?;
    if !g.answered.is_empty() {
        let names = |done: bool| -> Vec<&str> {
            g.answered
                .iter()
                .filter(|(_, a)| *a == done)
                .map(|(n, _)| n.as_str())
                .collect()
        };
        let (yes, not_yet) = (names(true), names(false));
        let line = match (yes.is_empty(), not_yet.is_empty()) {
            (true, _) => "Nobody has answered yet.".to_owned(),
            (false, true) => format!("Answered: {}.", yes.join(", ")),
            (false, false) => format!(
                "Answered: {}. Not yet: {}.",
                yes.join(", "),
                not_yet.join(", ")
            ),
        };
        out.line(&line)?;
        let touch = match &g.touch {
            Touch::NotStarted => "nothing in your plan yet".to_owned(),
            Touch::Paused => "the plan is paused".to_owned(),
            Touch::Held => "on hold for now".to_owned(),
            Touch::Step { step, minutes } => {
                format!("{} ({}), about {minutes} minutes", step.title, step.id)
            }
        };
        out.line(&format!("Touch: {touch}"))?;
    }
    for h in &g.holds_lifting {
        out.line(&format!(
            "Hold lifts on {}: stage {} and up ({})",
            h.until, h.from_stage, h.reason
        ))?;
    }
    for (short, n) in g.due.iter().take(DUE_SHOWN) {
        out.line(&format!(
            "Review due: {} ({short}, {}'s)",
            n.text,
            couple.name_of(&n.owner)
        ))?;
    }
    if g.due.len() > DUE_SHOWN {
        out.line(&format!(
            "And {} more reviews due: `needs-list --due`.",
            g.due.len() - DUE_SHOWN
        ))?;
    }
    for t in &g.changes {
        out.line(&t.text)?;
    }
    Ok(())
}

fn touch_json(t: &Touch) -> Value {
    match t {
        Touch::NotStarted => json!({"state": "not-started", "step": null}),
        Touch::Paused => json!({"state": "paused", "step": null}),
        Touch::Held => json!({"state": "held", "step": null}),
        Touch::Step { step, minutes } => json!({
            "state": "step",
            "step": {"id": step.id, "title": step.title, "stage": step.stage, "minutes": minutes},
        }),
    }
}

fn to_json(g: &Glance, name: impl Fn(&str) -> String) -> Value {
    json!({
        "date": g.date,
        "gentle": g.gentle,
        "prompt": {"id": g.prompt.id, "text": g.prompt.text, "category": g.prompt.category, "low_energy": g.prompt.low_energy},
        "answered": g.answered.iter().map(|(n, a)| json!({"partner": n, "answered": a})).collect::<Vec<_>>(),
        "touch": touch_json(&g.touch),
        "holds_lifting": g.holds_lifting.iter().map(|h| json!({"from_stage": h.from_stage, "until": h.until, "reason": h.reason})).collect::<Vec<_>>(),
        "due": g.due.iter().map(|(s, n)| json!({
            "id": n.id, "short_id": s, "text": n.text, "owner": name(&n.owner),
            "importance": n.importance.word(), "review": n.review,
        })).collect::<Vec<_>>(),
        "changes": g.changes,
    })
}

/// One tab-separated record per line, each starting with what it is.
fn plain(g: &Glance, out: &mut Out, name: impl Fn(&str) -> String) -> Result<()> {
    let date = g.date.to_string();
    out.record(&["date", &date, if g.gentle { "gentle" } else { "ordinary" }])?;
    out.record(&["prompt", g.prompt.id, g.prompt.text])?;
    for (n, a) in &g.answered {
        out.record(&["answered", n, if *a { "yes" } else { "not-yet" }])?;
    }
    let t = touch_json(&g.touch);
    out.record(&[
        "touch",
        t["state"].as_str().unwrap_or(""),
        t["step"]["id"].as_str().unwrap_or(""),
    ])?;
    for h in &g.holds_lifting {
        out.record(&[
            "hold",
            &h.until.to_string(),
            &h.from_stage.to_string(),
            &h.reason,
        ])?;
    }
    for (s, n) in &g.due {
        let review = n.review.map(|d| d.to_string()).unwrap_or_default();
        out.record(&["due", s, &name(&n.owner), &review, &n.text])?;
    }
    for t in &g.changes {
        out.record(&["changed", &t.until.to_string(), t.what, &t.text])?;
    }
    Ok(())
}
