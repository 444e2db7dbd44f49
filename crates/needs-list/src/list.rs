//! Listing and showing needs: a table per partner on a terminal, tab-separated lines or JSON.

use crate::ListArgs;
use closer_cli::Context;
use closer_cli::output::{Mode, Out, table};
use closer_core::Result;
use closer_core::index;
use closer_core::needs::{self, Need};
use closer_core::profile::Couple;
use serde_json::{Value, json};

/// A need as the JSON interface shows it (documented in the README).
pub(crate) fn to_json(short: &str, n: &Need, couple: &Couple, with_history: bool) -> Value {
    let mut v = json!({
        "id": n.id,
        "short_id": short,
        "owner": couple.name_of(&n.owner),
        "text": n.text,
        "category": n.category,
        "condition": n.condition,
        "importance": n.importance,
        "status": n.status,
        "plan": n.plan,
        "helper": n.helper.as_ref().map(|h| h.describe(|id| couple.name_of(id).to_owned())),
        "review": n.review,
        "private": n.private,
        "created": n.created,
        "proposal": n.proposal.as_ref().map(|p| json!({
            "plan": p.plan,
            "helper": p.helper.as_ref().map(|h| h.describe(|id| couple.name_of(id).to_owned())),
            "review": p.review,
            "by": couple.name_of(&p.by),
            "date": p.date,
            "accepted_by": p.accepted.iter().map(|a| couple.name_of(a)).collect::<Vec<_>>(),
        })),
    });
    if with_history {
        v["history"] = n
            .history
            .iter()
            .map(|c| json!({"date": c.date, "at": c.at, "by": couple.name_of(&c.by), "change": c.what}))
            .collect();
    }
    v
}

pub(crate) fn list(ctx: &Context, args: &ListArgs) -> Result<()> {
    let category = args
        .category
        .as_deref()
        .map(crate::change::check_category)
        .transpose()?;
    let couple = ctx.couple()?;
    let viewer = ctx.viewer(&couple)?.map(|p| p.id.clone());
    let by = args
        .by
        .as_deref()
        .map(|n| couple.find(n).map(|p| p.id.clone()))
        .transpose()?;
    let mode = args.format.mode(ctx.stdout_terminal);
    let all = if mode == Mode::Json {
        needs::load_all(&ctx.store)?
    } else {
        // Lists without history come from the device-local index where the files are unchanged.
        let idx = ctx.cache_dir.as_ref().map(|c| index::path(c, &ctx.store));
        index::needs_without_history(&ctx.store, idx.as_deref(), viewer.as_deref())?
    };
    let shown: Vec<(String, Need)> = needs::visible(all, viewer.as_deref())
        .into_iter()
        .filter(|(_, n)| args.all || args.status.is_some() || args.due || n.status.is_open())
        .filter(|(_, n)| by.as_ref().is_none_or(|b| &n.owner == b))
        .filter(|(_, n)| args.status.is_none_or(|s| n.status == s))
        .filter(|(_, n)| category.as_ref().is_none_or(|c| &n.category == c))
        .filter(|(_, n)| !args.due || n.due(ctx.today))
        .collect();
    let mut out = Out::default();
    match mode {
        Mode::Json => out.json(
            &shown
                .iter()
                .map(|(s, n)| to_json(s, n, &couple, true))
                .collect::<Vec<_>>(),
        ),
        Mode::Plain => {
            for (s, n) in &shown {
                let review = n.review.map(|d| d.to_string()).unwrap_or_default();
                out.record(&[
                    s,
                    couple.name_of(&n.owner),
                    n.status.label(),
                    &n.category,
                    &review,
                    &n.text,
                ])?;
            }
            Ok(())
        }
        Mode::Table => {
            if shown.is_empty() {
                return out.line("No needs to show. Name one with `needs-list add TEXT --as NAME`, or see ideas with `needs-list suggest`.");
            }
            let mut owners: Vec<&str> = shown.iter().map(|(_, n)| n.owner.as_str()).collect();
            owners.dedup();
            owners.sort_unstable();
            owners.dedup();
            for owner in owners {
                out.line(&format!("{}'s needs", couple.name_of(owner)))?;
                let rows: Vec<Vec<String>> = shown
                    .iter()
                    .filter(|(_, n)| n.owner == owner)
                    .map(|(s, n)| {
                        let mut plan = n.plan.clone().unwrap_or_default();
                        if let Some(h) = &n.helper {
                            plan = format!(
                                "{plan} ({} helps)",
                                h.describe(|id| couple.name_of(id).to_owned())
                            );
                        }
                        let lock = if n.private { " (private)" } else { "" };
                        let review = n.review.map(|d| d.to_string()).unwrap_or_default();
                        vec![
                            s.clone(),
                            format!("{}{lock}", n.text),
                            n.status.label().into(),
                            plan,
                            review,
                        ]
                    })
                    .collect();
                out.line(&table(
                    &["id", "need", "status", "agreed", "review"],
                    &rows,
                    ctx.width,
                    ctx.color,
                ))?;
            }
            Ok(())
        }
    }
}

pub(crate) fn show(ctx: &Context, prefix: &str, json: bool) -> Result<()> {
    let couple = ctx.couple()?;
    let viewer = ctx.viewer(&couple)?.map(|p| p.id.clone());
    let (short, n) = needs::find_shown(&ctx.store, prefix, viewer.as_deref())?;
    let mut out = Out::default();
    if json {
        return out.json(&to_json(&short, &n, &couple, true));
    }
    out.line(&format!("{short}  {}", n.text))?;
    out.line(&format!(
        "  whose:      {}{}",
        couple.name_of(&n.owner),
        if n.private { " (private)" } else { "" }
    ))?;
    out.line(&format!(
        "  status:     {} · {} importance · {}",
        n.status.label(),
        closer_core::word(&n.importance),
        n.category
    ))?;
    if let Some(c) = &n.condition {
        out.line(&format!("  condition:  {c}"))?;
    }
    if let Some(p) = &n.plan {
        out.line(&format!("  agreed:     {p}"))?;
    }
    if let Some(h) = &n.helper {
        out.line(&format!(
            "  who helps:  {}",
            h.describe(|id| couple.name_of(id).to_owned())
        ))?;
    }
    if let Some(p) = &n.proposal {
        let mut line = format!("  proposed:   {} (by {}", p.plan, couple.name_of(&p.by));
        if let Some(h) = &p.helper {
            line += &format!("; {} helps", h.describe(|id| couple.name_of(id).to_owned()));
        }
        if let Some(r) = p.review {
            line += &format!("; review {r}");
        }
        out.line(&format!(
            "{line}); agreed once both of you accept it: `needs-list accept {short}`"
        ))?;
    }
    if let Some(r) = n.review {
        out.line(&format!(
            "  review:     {r}{}",
            if n.due(ctx.today) { " (due)" } else { "" }
        ))?;
    }
    out.line("  history:")?;
    for c in &n.history {
        out.line(&format!(
            "    {}  {}: {}",
            c.date,
            couple.name_of(&c.by),
            c.what
        ))?;
    }
    Ok(())
}
