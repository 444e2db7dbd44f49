//! `mine`: the partner at the keyboard's own touch facts (boundaries, body map, readiness and
//! the holds they set), and nothing of the other partner's.

use crate::plan::load;
use closer_cli::Context;
use closer_cli::output::Out;
use closer_core::touch::{self, EventKind};
use closer_core::{Result, holds, word};
use serde_json::{Map, json};

pub(crate) fn run(ctx: &Context, json: bool) -> Result<()> {
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
    let mut out = Out::default();
    if json {
        let body: Map<String, serde_json::Value> = state
            .body
            .iter()
            .map(|(r, m)| (r.clone(), json!({"mark": m.mark, "note": m.note})))
            .collect();
        return out.json(&json!({
            "name": me.name,
            "boundaries": boundaries.iter().map(|(id, _, a)| (id.to_string(), json!(a))).collect::<Map<_, _>>(),
            "body": body,
            "ready": ready.map(|s| json!({"step": s.id, "title": s.title})),
            "holds": set.iter().map(|h| json!({
                "from_stage": h.from_stage, "until": h.until, "reason": h.reason,
                "in_force": h.active_on(ctx.today), "released": h.released,
            })).collect::<Vec<_>>(),
        }));
    }
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
    Ok(())
}
