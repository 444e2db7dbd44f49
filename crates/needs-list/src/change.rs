//! Adding needs and changing their status and plans: each command's arguments, checked once into a request; each change
//! checked by core's rules and recorded in the need's history.

use chrono::NaiveDate;
use closer_cli::Context;
use closer_cli::output::Out;
use closer_core::content::Library;
use closer_core::dates::{date_arg, parse_offset};
use closer_core::need_rules::{self, Action, Helper, Proposed};
use closer_core::needs::{self, Importance, Need, Status, check_category, check_text};
use closer_core::profile::{Couple, check_conditions};
use closer_core::{Error, Result};

// A need, by its ID: what `talked`, `accept`, `met`, `reopen`, `retire` and `share` take.
#[derive(clap::Args, Debug)]
pub(crate) struct NeedArg {
    /// The need's ID (or any unique start of it)
    id: String,
}

// What a need is about, as `add` and `edit` take it.
#[derive(clap::Args, Debug, Clone, Default)]
pub(crate) struct Fields {
    /// practical, body-comfort, emotional, communication, intimacy, rest-energy, care-admin,
    /// money-work or other
    #[arg(long, value_name = "CATEGORY")]
    pub(crate) category: Option<String>,
    /// The condition this need comes with (`couple conditions` lists them)
    #[arg(long, value_name = "TAG")]
    pub(crate) condition: Option<String>,
    /// How much it matters
    #[arg(long, value_parser = closer_cli::word_parser::<Importance>())]
    pub(crate) importance: Option<Importance>,
}

/// The fields, checked: a category every library shares, a condition this library describes.
#[derive(Debug, Default, PartialEq)]
pub(crate) struct CheckedFields {
    pub(crate) category: Option<String>,
    pub(crate) condition: Option<String>,
    pub(crate) importance: Option<Importance>,
}

impl Fields {
    pub(crate) fn is_empty(&self) -> bool {
        self.category.is_none() && self.condition.is_none() && self.importance.is_none()
    }

    pub(crate) fn validate(self, lib: &Library) -> Result<CheckedFields> {
        Ok(CheckedFields {
            category: self.category.as_deref().map(check_category).transpose()?,
            condition: self
                .condition
                .map(|c| check_conditions(lib, &[c]).map(|mut v| v.remove(0)))
                .transpose()?,
            importance: self.importance,
        })
    }
}

// `add`: the command line, next to what it does.
#[derive(clap::Args, Debug)]
pub(crate) struct AddArgs {
    /// The need, in your own words
    text: String,
    #[command(flatten)]
    fields: Fields,
    /// Only you see it until you `share` it
    #[arg(long)]
    private: bool,
}

/// A need to add, its text and fields checked.
#[derive(Debug)]
struct AddRequest {
    text: String,
    fields: CheckedFields,
    private: bool,
}

impl AddArgs {
    fn validate(self, lib: &Library) -> Result<AddRequest> {
        Ok(AddRequest {
            text: check_text("need", &self.text)?,
            fields: self.fields.validate(lib)?,
            private: self.private,
        })
    }
}

pub(crate) fn add(ctx: &Context, args: AddArgs) -> Result<()> {
    let req = args.validate(ctx.library()?)?;
    let couple = ctx.require_couple()?;
    let me = ctx.me(&couple)?;
    let need = Need::open(
        &me.id,
        req.text,
        req.fields.category.unwrap_or_else(|| "other".into()),
        req.fields.condition,
        req.fields.importance.unwrap_or(Importance::Medium),
        req.private,
        ctx.today,
    );
    let n = needs::add(&ctx.store, need, ctx.now)?;
    Out::default().line(&n.id)
}

/// Finds a need the partner at the keyboard may see and changes it under its lock, with `f`
/// (given the partner's ID and the couple) returning the note for its history.
pub(crate) fn change(
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

pub(crate) fn status(ctx: &Context, need: NeedArg, to: Status) -> Result<()> {
    let n = change(ctx, &need.id, |n, me, couple| {
        need_rules::set_status(n, me, to, couple)
    })?;
    closer_cli::say!("{}: {}", n.text, n.status.label());
    Ok(())
}

// `comment`: the command line, next to what it does.
#[derive(clap::Args, Debug)]
pub(crate) struct CommentArgs {
    /// The need's ID (or any unique start of it)
    id: String,
    /// What you want to add, in a few words
    text: String,
}

pub(crate) fn comment(ctx: &Context, args: CommentArgs) -> Result<()> {
    let note = need_rules::comment(&args.text)?;
    change(ctx, &args.id, |n, me, couple| {
        need_rules::may(n, me, Action::Comment, couple)?;
        Ok(note)
    })?;
    closer_cli::say!("Comment added to the need's history.");
    Ok(())
}

// `propose` (and its old name `agree`): the command line, next to what it does.
#[derive(clap::Args, Debug)]
pub(crate) struct ProposeArgs {
    /// The need's ID (or any unique start of it)
    id: String,
    /// The accommodation you propose
    #[arg(long)]
    plan: String,
    /// Who helps: a partner's name, `both`, or anyone outside the couple ("my sister")
    #[arg(long, value_name = "NAME")]
    helper: Option<String>,
    /// When to look at it again
    #[arg(long, value_parser = date_arg, value_name = "YYYY-MM-DD", conflicts_with = "review_in")]
    review: Option<NaiveDate>,
    /// Look again after this long: 30d, 6w, 3m, 1y, or 30 days, 6 weeks, 3 months
    #[arg(long, value_name = "SPAN")]
    review_in: Option<String>,
}

/// A plan to propose, checked: its text, who helps (a partner, both, or someone else), and
/// the day to look again.
#[derive(Debug)]
struct ProposeRequest {
    id: String,
    plan: String,
    helper: Option<Helper>,
    review: Option<NaiveDate>,
}

impl ProposeArgs {
    fn validate(self, couple: &Couple, today: NaiveDate) -> Result<ProposeRequest> {
        let plan = check_text("plan", &self.plan)?;
        let review = match (self.review, self.review_in) {
            (Some(d), _) => Some(d),
            (None, Some(span)) => Some(parse_offset(&span, today)?),
            (None, None) => None,
        };
        Ok(ProposeRequest {
            id: self.id,
            plan,
            helper: self
                .helper
                .map(|h| Helper::from_name(couple, &h))
                .transpose()?,
            review,
        })
    }
}

pub(crate) fn propose(ctx: &Context, args: ProposeArgs) -> Result<()> {
    let req = args.validate(&ctx.couple()?, ctx.today)?;
    let mut outcome = Proposed::Waiting;
    let n = change(ctx, &req.id, |n, me, couple| {
        let (o, note) =
            need_rules::propose(n, me, &req.plan, req.helper, req.review, couple, ctx.today)?;
        outcome = o;
        Ok(note)
    })?;
    match outcome {
        Proposed::Agreed => {
            closer_cli::say!("Agreed, by both of you: {}", n.plan.unwrap_or_default())
        }
        Proposed::Waiting => closer_cli::say!(
            "Proposed: {}. It is agreed once your partner accepts it (`needs-list accept {}`) or proposes another.",
            req.plan,
            req.id
        ),
    }
    Ok(())
}

pub(crate) fn accept(ctx: &Context, need: NeedArg) -> Result<()> {
    let n = change(ctx, &need.id, need_rules::accept)?;
    if n.status == Status::Agreed && n.proposal.is_none() {
        closer_cli::say!("Agreed, by both of you: {}", n.plan.unwrap_or_default());
    } else {
        closer_cli::say!("Accepted. It is agreed once every partner has accepted it.");
    }
    Ok(())
}

pub(crate) fn share(ctx: &Context, need: NeedArg) -> Result<()> {
    change(ctx, &need.id, |n, me, couple| {
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

// `rm`: the command line, next to what it does.
#[derive(clap::Args, Debug)]
pub(crate) struct RmArgs {
    /// The need's ID (or any unique start of it)
    id: String,
    /// Do it without asking
    #[arg(long)]
    yes: bool,
}

pub(crate) fn rm(ctx: &Context, args: RmArgs) -> Result<()> {
    let couple = ctx.require_couple()?;
    let me = ctx.me(&couple)?;
    let n = needs::find(&ctx.store, &args.id, Some(&me.id))?;
    need_rules::may(&n, &me.id, Action::Delete, &couple)?;
    let q = format!("Delete the need {:?} and its history?", n.text);
    if !ctx.confirm(&q, args.yes, &format!("needs-list rm {}", args.id))? {
        return Err(Error::Declined { done: "deleted" });
    }
    needs::remove(&ctx.store, &n, ctx.today)?;
    if !ctx.store.is_sealed() {
        closer_core::removed_here::remember(&ctx.removed_here(), &n, ctx.today)?;
    }
    closer_cli::say!("Deleted.");
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tests::{couple, fields, usage_message};

    #[test]
    fn a_new_need_has_words_a_known_category_and_a_known_condition() {
        let lib = Library::builtin();
        let add = |text: &str, f: Fields| {
            AddArgs {
                text: text.into(),
                fields: f,
                private: false,
            }
            .validate(&lib)
        };
        let ok = add(
            " help dressing ",
            fields(Some("Practical"), Some("arthritis")),
        )
        .unwrap();
        assert_eq!(ok.text, "help dressing");
        assert_eq!(ok.fields.category.as_deref(), Some("practical"));
        assert_eq!(ok.fields.condition.as_deref(), Some("arthritis"));
        assert!(usage_message(add("  ", Fields::default())).contains("write a few words"));
        assert!(usage_message(add("x", fields(Some("feelings"), None))).contains("use one of"));
        let e = add("x", fields(None, Some("flu"))).unwrap_err();
        assert_eq!(e.exit_code(), 2);
        assert!(closer_cli::hint(&e, "needs-list").contains("couple conditions"));
    }

    #[test]
    fn a_proposal_names_a_helper_and_a_day_to_look_again() {
        let c = couple();
        let today = NaiveDate::from_ymd_opt(2026, 3, 2).unwrap();
        let propose = |plan: &str, helper: Option<&str>, review_in: Option<&str>| {
            ProposeArgs {
                id: "ab".into(),
                plan: plan.into(),
                helper: helper.map(Into::into),
                review: None,
                review_in: review_in.map(Into::into),
            }
            .validate(&c, today)
        };
        let ok = propose(" I lay the clothes out ", Some("sam"), Some("2w")).unwrap();
        assert_eq!(ok.plan, "I lay the clothes out");
        assert_eq!(ok.helper, Some(Helper::Partner("idsam".into())));
        assert_eq!(ok.review, NaiveDate::from_ymd_opt(2026, 3, 16));
        let both = propose("x", Some("Both"), None).unwrap();
        assert_eq!(both.helper, Some(Helper::Both));
        assert_eq!(
            propose("x", Some("my sister"), None).unwrap().helper,
            Some(Helper::Outside("my sister".into()))
        );
        assert!(usage_message(propose("x", None, Some("soon"))).contains("write it like 30d"));
        assert!(usage_message(propose("", None, None)).contains("the plan is empty"));
    }
}
