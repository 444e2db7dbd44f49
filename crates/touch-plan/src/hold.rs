//! `hold`: the couple's medical-clearance holds. Either partner sets one; only the partner who
//! set it lifts it early, and the change is recorded for both to see.

use crate::consent::recorded;
use chrono::NaiveDate;
use closer_cli::Context;
use closer_cli::output::Out;
use closer_core::content::Library;
use closer_core::dates::date_arg;
use closer_core::holds::{self, NewHold};
use closer_core::profile::Couple;
use closer_core::{Error, Result};

// `hold`: the command line, next to what it does.
#[derive(clap::Args, Debug)]
pub(crate) struct HoldArgs {
    /// Keep the plan below this stage
    #[arg(long, value_name = "N", requires_all = ["until", "reason"])]
    from_stage: Option<u8>,
    /// Until this day (the hold lifts on it); goes with --from-stage
    #[arg(long, value_parser = date_arg, value_name = "YYYY-MM-DD", requires = "from_stage")]
    until: Option<NaiveDate>,
    /// Why, in a few words ("surgeon's clearance"); goes with --from-stage
    #[arg(long, requires = "from_stage")]
    reason: Option<String>,
    /// Lift the holds you set, from today
    #[arg(long, conflicts_with_all = ["from_stage", "until", "reason"])]
    release: bool,
}

/// What `hold` does, checked: list the holds, lift your own, or set one from a stage the
/// couple can see until a day after today, for a reason that may be stored.
#[derive(Debug, PartialEq)]
enum HoldRequest {
    List,
    Release,
    Set(NewHold),
}

impl HoldArgs {
    fn validate(self, lib: &Library, couple: &Couple, today: NaiveDate) -> Result<HoldRequest> {
        if self.release {
            return Ok(HoldRequest::Release);
        }
        let Some(stage) = self.from_stage else {
            return Ok(HoldRequest::List);
        };
        let stages: Vec<u8> = lib
            .stages
            .iter()
            .filter(|s| couple.sexual_ok() || !s.sexual)
            .map(|s| s.number)
            .collect();
        let until = self
            .until
            .ok_or_else(|| Error::usage("give --until with --from-stage"))?;
        let reason = self.reason.unwrap_or_default();
        Ok(HoldRequest::Set(NewHold::check(
            stage, until, &reason, &stages, today,
        )?))
    }
}

pub(crate) fn run(ctx: &Context, args: HoldArgs) -> Result<()> {
    let lib = ctx.library()?;
    let couple = ctx.require_couple()?;
    let req = args.validate(lib, &couple, ctx.today)?;
    if req == HoldRequest::Release {
        let me = ctx.me(&couple)?.id.clone();
        let lifted = recorded(ctx, || {
            holds::release_mine(&ctx.store, &me, &couple, ctx.today, ctx.now)
        })?;
        let stages: Vec<String> = lifted.iter().map(|h| h.from_stage.to_string()).collect();
        closer_cli::say!(
            "Lifted from today: your hold on stage {}. Your partner sees that it was lifted.",
            stages.join(", ")
        );
        let left = holds::load(&ctx.store)?
            .into_iter()
            .filter(|h| h.active_on(ctx.today))
            .count();
        if left > 0 {
            closer_cli::say!(
                "A hold your partner set stays until its date; only they can lift it early."
            );
        }
        return Ok(());
    }
    let HoldRequest::Set(new) = req else {
        let mut out = Out::default();
        for h in holds::load(&ctx.store)?
            .iter()
            .filter(|h| h.active_on(ctx.today))
        {
            let by = h.by.as_deref().map_or("", |b| couple.name_of(b));
            out.record(&[
                &h.from_stage.to_string(),
                &h.until.to_string(),
                &h.reason,
                by,
            ])?;
        }
        return Ok(());
    };
    let me = ctx.me(&couple)?.id.clone();
    let hold = new.set_by(&me, ctx.today, ctx.now);
    recorded(ctx, || holds::add(&ctx.store, &hold))?;
    closer_cli::say!(
        "On hold: nothing from stage {} until {}. It lifts by itself on that day; only you can lift it earlier, with `touch-plan hold --release`.",
        hold.from_stage,
        hold.until
    );
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tests::{couple, day, usage_message};

    #[test]
    fn a_hold_is_from_a_stage_the_couple_can_see_until_a_day_after_today() {
        let lib = Library::builtin();
        let hold = |c: &Couple, stage: u8, until: NaiveDate| {
            HoldArgs {
                from_stage: Some(stage),
                until: Some(until),
                reason: Some(" surgeon's clearance ".into()),
                release: false,
            }
            .validate(&lib, c, day(2))
        };
        let plain = couple(false);
        assert_eq!(
            hold(&plain, 2, day(20)).unwrap(),
            HoldRequest::Set(NewHold {
                from_stage: 2,
                until: day(20),
                reason: "surgeon's clearance".into()
            })
        );
        assert!(usage_message(hold(&plain, 2, day(2))).contains("a hold needs a future date"));
        let sexual = lib.stages.iter().find(|s| s.sexual).unwrap().number;
        assert!(usage_message(hold(&plain, sexual, day(20))).contains("there is no stage"));
        assert!(hold(&couple(true), sexual, day(20)).is_ok());
        let none = HoldArgs {
            from_stage: None,
            until: None,
            reason: None,
            release: false,
        };
        assert_eq!(
            none.validate(&lib, &plain, day(2)).unwrap(),
            HoldRequest::List
        );
    }
}
