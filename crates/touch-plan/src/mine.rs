//! `mine`: the partner at the keyboard's own touch facts (boundaries, body map, readiness and
//! the holds they set), and nothing of the other partner's.

use crate::plan::load;
use chrono::NaiveDate;
use closer_cli::Context;
use closer_cli::output::{Format, Said, Text};
use closer_core::touch::{self, EventKind, Mark};
use closer_core::{Result, holds, word};
use serde::Serialize;
use std::collections::BTreeMap;

pub(crate) fn run(ctx: &Context, format: Format) -> Result<()> {
    let lib = ctx.library()?;
    let data = load(ctx)?;
    let me = ctx.me(&data.couple)?;
    let who = data
        .couple
        .partners
        .iter()
        .position(|p| p.id == me.id)
        .expect("a partner of the couple");
    let state = &data.states[who];
    let plan = data.plan(lib, ctx);
    let visible = touch::visible_steps(lib, &data.couple);
    let boundaries: Vec<(&str, &str, &str)> = visible
        .iter()
        .filter_map(|s| state.boundaries.get(s.id).map(|a| (s.id, s.title, word(a))))
        .collect();
    let ready = plan.current.filter(|_| plan.is_ready(who)).filter(|s| {
        // Only readiness this partner gave themselves, never inferred from the other's.
        state
            .events
            .iter()
            .any(|e| matches!(&e.kind, EventKind::Ready { step } if step == s.id))
    });
    let set: Vec<touch::Hold> = holds::load(&ctx.store)?
        .into_iter()
        .filter(|h| h.by.as_deref() == Some(me.id.as_str()))
        .collect();
    let view = Mine {
        name: &me.name,
        boundaries: boundaries.iter().map(|(id, _, a)| (*id, *a)).collect(),
        body: state
            .body
            .iter()
            .map(|(r, m)| {
                let note = m.note.as_deref();
                (r.as_str(), BodyView { mark: m.mark, note })
            })
            .collect(),
        ready: ready.map(|s| Ready {
            step: s.id,
            title: s.title,
        }),
        holds: set
            .iter()
            .map(|h| HoldView {
                from_stage: h.from_stage,
                until: h.until,
                reason: &h.reason,
                in_force: h.active_on(ctx.today),
                released: h.released,
            })
            .collect(),
    };
    let mut out = Text::default();
    out.line(&format!(
        "{}, this is what you said (only you see it):",
        me.name
    ))?;
    out.line("\nYour boundaries:")?;
    if boundaries.is_empty() {
        out.line("  none yet; `touch-plan boundary` goes through the steps")?;
    }
    for (id, title, a) in &boundaries {
        out.line(&format!("  {a:<5}  {id:<28} {title}"))?;
    }
    out.line("\nYour body map:")?;
    if state.body.is_empty() {
        out.line("  empty: everything is as each step says")?;
    }
    for (r, m) in &state.body {
        let note = m
            .note
            .as_deref()
            .map(|n| format!("  ({n})"))
            .unwrap_or_default();
        out.line(&format!(
            "  {:<10} {}{note}",
            lib.region_name(r),
            word(&m.mark)
        ))?;
    }
    out.line("\nYour readiness:")?;
    match ready {
        Some(s) => out.line(&format!(
            "  you said you are ready to move on from {} ({}); take it back with `touch-plan unready`",
            s.title, s.id
        ))?,
        None => out.line("  not marked ready")?,
    }
    out.line("\nHolds you set:")?;
    if set.is_empty() {
        out.line("  none")?;
    }
    for h in &set {
        let state = match (h.active_on(ctx.today), h.released) {
            (true, _) => "in force".to_owned(),
            (false, Some(r)) => format!("lifted by you on {r}"),
            (false, None) => "lifted on its date".to_owned(),
        };
        out.line(&format!(
            "  nothing from stage {} until {} ({}): {state}",
            h.from_stage, h.until, h.reason
        ))?;
    }
    ctx.show(
        format,
        &Said {
            json: view,
            text: out,
        },
    )
}

/// `mine --json`: the partner's own touch facts.
#[derive(Serialize)]
struct Mine<'a> {
    name: &'a str,
    /// Step ID to yes, maybe or no.
    boundaries: BTreeMap<&'a str, &'a str>,
    /// Region to mark and note.
    body: BTreeMap<&'a str, BodyView<'a>>,
    ready: Option<Ready<'a>>,
    holds: Vec<HoldView<'a>>,
}

#[derive(Serialize)]
struct BodyView<'a> {
    mark: Mark,
    note: Option<&'a str>,
}

#[derive(Serialize)]
struct Ready<'a> {
    step: &'a str,
    title: &'a str,
}

#[derive(Serialize)]
struct HoldView<'a> {
    from_stage: u8,
    until: NaiveDate,
    reason: &'a str,
    in_force: bool,
    released: Option<NaiveDate>,
}
