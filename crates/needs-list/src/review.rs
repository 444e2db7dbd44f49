//! `review`: on a terminal, one need at a time (reviews due first, then open needs) with what the
//! couple decides; elsewhere, the list of what is due.

use crate::ListArgs;
use closer_cli::output::Format;
use closer_cli::{Context, ask};
use closer_core::Result;
use closer_core::dates::parse_offset;
use closer_core::needs::{self, Need, Status};

pub(crate) fn run(ctx: &Context) -> Result<()> {
    if !ctx.interactive {
        let due = ListArgs {
            due: true,
            format: Format {
                json: false,
                plain: true,
            },
            ..ListArgs::default()
        };
        return crate::list::list(ctx, &due);
    }
    let couple = ctx.require_couple()?;
    let me = ctx.me(&couple)?.id.clone();
    let mut todo: Vec<Need> = needs::visible(needs::load_all(&ctx.store)?, Some(&me))
        .into_iter()
        .map(|(_, n)| n)
        .filter(|n| n.due(ctx.today) || n.status == Status::Open || n.status == Status::Talked)
        .collect();
    todo.sort_by_key(|n| !n.due(ctx.today));
    if todo.is_empty() {
        closer_cli::say!("Nothing is due for review and no need is waiting to be talked over.");
        return Ok(());
    }
    let choices = [
        "talked it over",
        "agree a plan",
        "it is being met",
        "retire it",
        "skip for now",
        "stop here",
    ];
    for n in todo {
        closer_cli::say!(
            "\n{} ({}'s, {})",
            n.text,
            couple.name_of(&n.owner),
            n.status.label()
        );
        if let Some(p) = &n.plan {
            closer_cli::say!("  agreed: {p}");
        }
        let (what, status) = match ask::select("What do you decide?", &choices)? {
            0 => ("talked it over".to_owned(), Status::Talked),
            1 => {
                let plan = needs::check_text("plan", &ask::input("What do you agree?")?)?;
                let span = ask::input("Look again in (e.g. 30d, 6w; blank for no date)")?;
                let review = if span.trim().is_empty() {
                    None
                } else {
                    Some(parse_offset(&span, ctx.today)?)
                };
                needs::change(&ctx.store, &n.id, &me, ctx.today, ctx.now, |x| {
                    x.status = Status::Agreed;
                    x.plan = Some(plan.clone());
                    x.review = review;
                    Ok(format!("agreed in review: {plan}"))
                })?;
                continue;
            }
            2 => ("met".to_owned(), Status::Met),
            3 => ("retired".to_owned(), Status::Retired),
            4 => continue,
            _ => break,
        };
        needs::change(&ctx.store, &n.id, &me, ctx.today, ctx.now, |x| {
            x.status = status;
            Ok(format!("review: {what}"))
        })?;
    }
    closer_cli::say!(
        "If some needs keep going unmet, a couples counsellor can help you find a way through together."
    );
    Ok(())
}
