//! Adding and changing needs: each change is checked first and recorded in the need's history.

use crate::Fields;
use chrono::NaiveDate;
use closer_cli::output::Out;
use closer_cli::{Context, ask};
use closer_core::content::schema::NEED_CATEGORIES;
use closer_core::dates::parse_offset;
use closer_core::needs::{self, Importance, Need, Status, check_text};
use closer_core::profile::check_conditions;
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

/// Finds a need the partner at the keyboard may see and changes it, recording `f`'s note.
fn change(
    ctx: &Context,
    prefix: &str,
    f: impl FnOnce(&mut Need) -> Result<String>,
) -> Result<Need> {
    let couple = ctx.require_couple()?;
    let me = ctx.me(&couple)?;
    let n = needs::find(&ctx.store, prefix, Some(&me.id))?;
    needs::change(&ctx.store, &n.id, &me.id, ctx.today, ctx.now, f)
}

pub(crate) fn status(ctx: &Context, prefix: &str, to: Status) -> Result<()> {
    let n = change(ctx, prefix, |n| {
        let from = n.status;
        let ok = match to {
            Status::Talked => from == Status::Open,
            Status::Met => from != Status::Retired,
            Status::Open => matches!(from, Status::Met | Status::Retired),
            Status::Retired => from != Status::Retired,
            Status::Agreed => true,
        };
        if !ok {
            let hint = match to {
                Status::Open => "only a met or retired need can be reopened",
                Status::Met => "reopen it first",
                _ => "nothing to change",
            };
            return Err(Error::invalid(format!(
                "this need is {}; {hint}",
                from.label()
            )));
        }
        n.status = to;
        Ok(format!("{} → {}", from.label(), to.label()))
    })?;
    closer_cli::say!("{}: {}", n.text, n.status.label());
    Ok(())
}

pub(crate) fn agree(
    ctx: &Context,
    prefix: &str,
    plan: &str,
    helper: Option<String>,
    review: Option<NaiveDate>,
    review_in: Option<String>,
) -> Result<()> {
    let plan = check_text("plan", plan)?;
    let review = match (review, review_in) {
        (Some(d), _) => Some(d),
        (None, Some(span)) => Some(parse_offset(&span, ctx.today)?),
        (None, None) => None,
    };
    let couple = ctx.require_couple()?;
    let helper = helper
        .map(|h| couple.find(&h).map(|p| (p.id.clone(), p.name.clone())))
        .transpose()?;
    let n = change(ctx, prefix, |n| {
        if n.status == Status::Retired {
            return Err(Error::invalid("this need is retired; reopen it first"));
        }
        n.status = Status::Agreed;
        n.plan = Some(plan.clone());
        n.helper = helper.as_ref().map(|h| h.0.clone());
        n.review = review;
        let mut what = format!("agreed: {plan}");
        if let Some((_, name)) = &helper {
            what += &format!("; {name} helps");
        }
        if let Some(r) = review {
            what += &format!("; review {r}");
        }
        Ok(what)
    })?;
    closer_cli::say!("Agreed: {}", n.plan.unwrap_or_default());
    Ok(())
}

pub(crate) fn share(ctx: &Context, prefix: &str) -> Result<()> {
    let couple = ctx.require_couple()?;
    let me = ctx.me(&couple)?.id.clone();
    change(ctx, prefix, |n| {
        if n.owner != me {
            return Err(Error::invalid(
                "only the partner whose need it is can share it",
            ));
        }
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
            match ask::editor(&n.text)? {
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
    change(ctx, prefix, |n| {
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
    let q = format!("Delete the need {:?} and its history?", n.text);
    if !ctx.confirm(&q, yes, &format!("needs-list rm {prefix}"))? {
        return Err(Error::invalid("nothing was deleted"));
    }
    needs::remove(&ctx.store, &n.id)?;
    closer_cli::say!("Deleted.");
    Ok(())
}
