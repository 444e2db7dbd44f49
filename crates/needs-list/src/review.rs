//! `review`: on a terminal, one need at a time (reviews due first, then open needs) with what the
//! couple decides; elsewhere, the list of what is due.

use chrono::NaiveDate;
use closer_cli::{Context, ask};
use closer_core::Result;
use closer_core::dates::{SPAN_FORMS, parse_offset};
use closer_core::need_rules;
use closer_core::needs::{self, Need, Status};

#[derive(Clone, Copy)]
enum Decision {
    Accept,
    Talked,
    Propose,
    Met,
    Retire,
    Skip,
    Stop,
}

impl Decision {
    fn label(self) -> &'static str {
        match self {
            Decision::Accept => "accept the proposed plan",
            Decision::Talked => "talked it over",
            Decision::Propose => "propose a plan",
            Decision::Met => "it is being met",
            Decision::Retire => "retire it",
            Decision::Skip => "skip for now",
            Decision::Stop => "stop here",
        }
    }
}

pub(crate) fn run(ctx: &Context) -> Result<()> {
    if !ctx.interactive {
        return crate::list::due(ctx);
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
    let mut reviewed_unmet = Vec::new();
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
        let waiting = n
            .proposal
            .as_ref()
            .filter(|p| !p.accepted.iter().any(|a| me == *a));
        if let Some(p) = &n.proposal {
            closer_cli::say!("  proposed by {}: {}", couple.name_of(&p.by), p.plan);
        }
        // Only the partner whose need it is closes it; either of you talks, proposes, accepts.
        let mut choices = vec![Decision::Talked, Decision::Propose];
        if waiting.is_some() {
            choices.insert(0, Decision::Accept);
        }
        if n.owner == me {
            choices.extend([Decision::Met, Decision::Retire]);
        }
        choices.extend([Decision::Skip, Decision::Stop]);
        let labels: Vec<&str> = choices.iter().map(|d| d.label()).collect();
        let pick = choices[ask::select_from("What do you decide?", &labels, labels.len() - 2)?];
        match pick {
            Decision::Stop => break,
            Decision::Met | Decision::Retire => {}
            _ => reviewed_unmet.push(n.id.clone()),
        }
        if matches!(pick, Decision::Skip) {
            continue;
        }
        // What a proposal needs is asked before anything changes: a typo asks again and keeps
        // the plan already typed.
        let proposal = match pick {
            Decision::Propose => Some(ask_proposal(ctx)?),
            _ => None,
        };
        let result = needs::change(&ctx.store, &n.id, &me, ctx.today, ctx.now, |x| match pick {
            Decision::Talked => need_rules::set_status(x, &me, Status::Talked, &couple),
            Decision::Accept => need_rules::accept(x, &me, &couple),
            Decision::Propose => {
                let (plan, review) = proposal.clone().expect("asked above");
                need_rules::propose(x, &me, &plan, None, review, &couple, ctx.today)
                    .map(|(_, note)| note)
            }
            Decision::Met => need_rules::set_status(x, &me, Status::Met, &couple),
            Decision::Retire => need_rules::set_status(x, &me, Status::Retired, &couple),
            Decision::Skip | Decision::Stop => unreachable!("handled above"),
        });
        if let Err(e) = result {
            closer_cli::say!("{e}");
        }
    }
    // The word on counseling, once a cycle of reviews, when a need reviewed is still unmet;
    // when it was last said is this device's own memory, in its cache folder.
    let unmet = !reviewed_unmet.is_empty();
    let memo = ctx.cache_dir.as_ref().map(|d| d.join("counselor-shown"));
    let last = memo
        .as_ref()
        .and_then(|m| std::fs::read_to_string(m).ok())
        .and_then(|s| closer_core::dates::parse_date(s.trim()).ok());
    if need_rules::counselor_due(last, ctx.today, unmet) {
        closer_cli::say!("\n{}", ctx.library()?.counselor);
        if let Some(m) = memo {
            let _ = closer_core::store::Store::new(m.parent().unwrap_or(&m)).ensure_dir("");
            let _ = closer_core::store::write_atomic(&m, ctx.today.to_string().as_bytes());
        }
    }
    Ok(())
}

/// Asks for a plan and when to look again; a span that cannot be read is asked again with the
/// forms it may take, and Enter on a blank answer means no date.
fn ask_proposal(ctx: &Context) -> Result<(String, Option<NaiveDate>)> {
    let plan = ask::input("What do you propose?")?;
    loop {
        let span =
            ask::input_or_blank(&format!("Look again in ({SPAN_FORMS}; Enter for no date)"))?;
        if span.trim().is_empty() {
            return Ok((plan, None));
        }
        match parse_offset(&span, ctx.today) {
            Ok(d) => return Ok((plan, Some(d))),
            Err(e) => closer_cli::say!("{e}"),
        }
    }
}
