//! Adding and changing needs: each change is checked first and recorded in the need's history.

use crate::Fields;
use chrono::NaiveDate;
use closer_cli::output::Out;
use closer_cli::{Context, ask};
use closer_core::content::schema::NEED_CATEGORIES;
use closer_core::dates::parse_offset;
use closer_core::need_rules::{self, Action, Helper, Proposed};
use closer_core::needs::{self, Importance, Need, Status, check_text};
use closer_core::profile::{Couple, check_conditions};
use closer_core::{Error, Result};

pub(crate) fn check_category(c: &str) -> Result<String> {
    let c = c.trim().to_ascii_lowercase();
    if NEED_CATEGORIES.contains(&c.as_str()) {
        Ok(c)
    } else {
        Err(Error::usage(format!(
            "unknown category {c:?}; use one of: {}",
            NEED_CATEGORIES.join(", ")
        )))
    }
}

fn check_condition(ctx: &Context, c: &str) -> Result<String> {
    Ok(check_conditions(ctx.library()?, &[c.to_owned()])?.remove(0))
}

pub(crate) fn add(ctx: &Context, text: &str, f: &Fields, private: bool) -> Result<()> {
    let text = check_text("need", text)?;
    let category = f
        .category
        .as_deref()
        .map(check_category)
        .transpose()?
        .unwrap_or_else(|| "other".into());
    let condition = f
        .condition
        .as_deref()
        .map(|c| check_condition(ctx, c))
        .transpose()?;
    let couple = ctx.require_couple()?;
    let me = ctx.me(&couple)?;
    let importance = f.importance.unwrap_or(Importance::Medium);
    let need = Need::open(
        &me.id, text, category, condition, importance, private, ctx.today,
    );
    let n = needs::add(&ctx.store, need, ctx.now)?;
    Out::default().line(&n.id)
}

/// Finds a need the partner at the keyboard may see and changes it under its lock, with `f`
/// (given the partner's ID and the couple) returning the note for its history.
fn change(
    ctx: &Context,
    prefix: &str,
    f: impl FnOnce(&mut Need, &str, &Couple) -> Result<String>,
) -> Result<Need> {
    let couple = ctx.require_couple()?;
    let me = ctx.me(&couple)?.id.clone();
    let n = needs::find(&ctx.store, prefix, Some(&me))?;
    needs::change(&ctx.store, &n.id, &me, ctx.today, ctx.now, |n| {
        f(n, &me, &couple)
    })
}

pub(crate) fn status(ctx: &Context, prefix: &str, to: Status) -> Result<()> {
    let n = change(ctx, prefix, |n, me, couple| {
        need_rules::set_status(n, me, to, couple)
    })?;
    closer_cli::say!("{}: {}", n.text, n.status.label());
    Ok(())
}

pub(crate) fn comment(ctx: &Context, prefix: &str, text: &str) -> Result<()> {
    let note = need_rules::comment(text)?;
    change(ctx, prefix, |n, me, couple| {
        need_rules::may(n, me, Action::Comment, couple)?;
        Ok(note)
    })?;
    closer_cli::say!("Comment added to the need's history.");
    Ok(())
}

/// A proposed plan, checked: what `propose` (and `agree --plan`) record.
pub(crate) struct PlanArgs {
    pub plan: String,
    pub helper: Option<String>,
    pub review: Option<NaiveDate>,
    pub review_in: Option<String>,
}

pub(crate) fn propose(ctx: &Context, prefix: &str, args: PlanArgs) -> Result<()> {
    let plan = check_text("plan", &args.plan)?;
    let review = match (args.review, args.review_in) {
        (Some(d), _) => Some(d),
        (None, Some(span)) => Some(parse_offset(&span, ctx.today)?),
        (None, None) => None,
    };
    let couple = ctx.require_couple()?;
    let helper = args
        .helper
        .map(|h| Helper::from_name(&couple, &h))
        .transpose()?;
    let mut outcome = Proposed::Waiting;
    let n = change(ctx, prefix, |n, me, couple| {
        let (o, note) = need_rules::propose(n, me, &plan, helper, review, couple, ctx.today)?;
        outcome = o;
        Ok(note)
    })?;
    match outcome {
        Proposed::Agreed => {
            closer_cli::say!("Agreed, by both of you: {}", n.plan.unwrap_or_default())
        }
        Proposed::Waiting => closer_cli::say!(
            "Proposed: {plan}. It is agreed once your partner accepts it (`needs-list accept {prefix}`) or proposes another."
        ),
    }
    Ok(())
}

pub(crate) fn accept(ctx: &Context, prefix: &str) -> Result<()> {
    let n = change(ctx, prefix, need_rules::accept)?;
    if n.status == Status::Agreed && n.proposal.is_none() {
        closer_cli::say!("Agreed, by both of you: {}", n.plan.unwrap_or_default());
    } else {
        closer_cli::say!("Accepted. It is agreed once every partner has accepted it.");
    }
    Ok(())
}

pub(crate) fn share(ctx: &Context, prefix: &str) -> Result<()> {
    change(ctx, prefix, |n, me, couple| {
        need_rules::may(n, me, Action::Share, couple)?;
        if !n.private {
            return Err(Error::invalid("this need is already shared"));
        }
        n.private = false;
        Ok("shared".into())
    })?;
    closer_cli::say!("Shared: your partner can see it now.");
    Ok(())
}

pub(crate) fn edit(ctx: &Context, prefix: &str, text: Option<String>, f: &Fields) -> Result<()> {
    let nothing =
        text.is_none() && f.category.is_none() && f.condition.is_none() && f.importance.is_none();
    let text = match text {
        Some(t) => Some(check_text("need", &t)?),
        None if nothing && ctx.interactive => {
            let couple = ctx.require_couple()?;
            let me = ctx.me(&couple)?;
            let n = needs::find(&ctx.store, prefix, Some(&me.id))?;
            need_rules::may(&n, &me.id, Action::Edit, &couple)?;
            match ask::editor(
                &n.text,
                &format!("give the new text with `needs-list edit {prefix} --text TEXT`"),
            )? {
                Some(t) if t.trim() != n.text => Some(check_text("need", &t)?),
                _ => return Err(Error::invalid("nothing changed")),
            }
        }
        None if nothing => {
            return Err(Error::usage(
                "say what to change: --text, --category, --condition or --importance",
            ));
        }
        None => None,
    };
    let category = f.category.as_deref().map(check_category).transpose()?;
    let condition = f
        .condition
        .as_deref()
        .map(|c| check_condition(ctx, c))
        .transpose()?;
    let importance = f.importance;
    change(ctx, prefix, |n, me, couple| {
        need_rules::may(n, me, Action::Edit, couple)?;
        let mut what = Vec::new();
        if let Some(t) = text {
            what.push(format!("text was: {}", n.text));
            n.text = t;
        }
        if let Some(c) = category {
            what.push(format!("category {} → {c}", n.category));
            n.category = c;
        }
        if let Some(c) = condition {
            what.push(format!("condition → {c}"));
            n.condition = Some(c);
        }
        if let Some(i) = importance {
            what.push(format!("importance → {}", closer_core::word(&i)));
            n.importance = i;
        }
        Ok(format!("edited: {}", what.join("; ")))
    })?;
    closer_cli::say!("Changed.");
    Ok(())
}

pub(crate) fn rm(ctx: &Context, prefix: &str, yes: bool) -> Result<()> {
    let couple = ctx.require_couple()?;
    let me = ctx.me(&couple)?;
    let n = needs::find(&ctx.store, prefix, Some(&me.id))?;
    need_rules::may(&n, &me.id, Action::Delete, &couple)?;
    let q = format!("Delete the need {:?} and its history?", n.text);
    if !ctx.confirm(&q, yes, &format!("needs-list rm {prefix}"))? {
        return Err(Error::Declined { done: "deleted" });
    }
    needs::remove(&ctx.store, &n.id)?;
    closer_cli::say!("Deleted.");
    Ok(())
}
