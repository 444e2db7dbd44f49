//! Each partner's private say: boundaries, body map, readiness, stepping back, pausing; and the
//! couple's medical-clearance holds. Messages never tell one partner what the other said, and
//! every change of the joint result an action makes is recorded for both to see.

use crate::plan::load;
use chrono::NaiveDate;
use closer_cli::output::Out;
use closer_cli::{Context, ask};
use closer_core::content::{Library, Step};
use closer_core::dates::date_arg;
use closer_core::holds::{self, NewHold};
use closer_core::needs::check_text;
use closer_core::practice;
use closer_core::profile::Couple;
use closer_core::touch::{self, Answer, BodyMark, Event, EventKind, Mark};
use closer_core::{Error, Result, word};

/// Runs one of the partner's own actions, recording any change of the joint result it made so
/// that both partners see it afterwards (never who made it).
fn recorded<T>(ctx: &Context, action: impl FnOnce() -> Result<T>) -> Result<T> {
    ctx.recorded(action)
}

/// `boundary`: the command line, next to what it does.
#[derive(clap::Args, Debug)]
pub(crate) struct BoundaryArgs {
    /// The step ID (or a unique start of it)
    step: Option<String>,
    /// Whether it is for you [leave out on a terminal to be asked]
    #[arg(value_parser = closer_cli::word_parser::<Answer>())]
    answer: Option<Answer>,
}

/// What `boundary` does, checked: one answer for a step the couple can see, or (on a terminal)
/// every step in turn.
#[derive(Debug)]
enum BoundaryRequest<'a> {
    One { step: &'a Step, answer: Answer },
    EachStep,
}

impl BoundaryArgs {
    fn validate<'a>(
        self,
        lib: &'a Library,
        couple: &Couple,
        interactive: bool,
    ) -> Result<BoundaryRequest<'a>> {
        match (self.step, self.answer) {
            (Some(step), Some(answer)) => Ok(BoundaryRequest::One {
                step: touch::find_step(lib, couple, &step)?,
                answer,
            }),
            (Some(_), None) => Err(Error::usage("say yes, maybe or no after the step")),
            (None, _) if interactive => Ok(BoundaryRequest::EachStep),
            (None, _) => Err(Error::usage(
                "give a step and your answer: `touch-plan boundary STEP yes|maybe|no --as NAME`",
            )),
        }
    }
}

pub(crate) fn boundary(ctx: &Context, args: BoundaryArgs) -> Result<()> {
    let lib = ctx.library()?;
    let couple = ctx.require_couple()?;
    match args.validate(lib, &couple, ctx.interactive)? {
        BoundaryRequest::One { step: s, answer } => {
            let me = ctx.me(&couple)?;
            recorded(ctx, || {
                touch::update_state(&ctx.store, &me.id, |st| {
                    st.boundaries.insert(s.id.to_owned(), answer);
                    Ok(())
                })
            })?;
            closer_cli::say!(
                "Noted, privately: {} for {} ({}). Your partner sees only what you both agreed.",
                word(&answer),
                s.title,
                s.id
            );
            Ok(())
        }
        BoundaryRequest::EachStep => {
            let me = ctx.me(&couple)?;
            let mine = touch::load_state(&ctx.store, &me.id)?;
            closer_cli::say!(
                "For each step: yes, maybe (talk first) or no. Only the joint result is ever shown to your partner."
            );
            let choices = ["yes", "maybe", "no", "skip for now", "stop here"];
            let mut stopped = false;
            for s in touch::visible_steps(lib, &couple) {
                let current = mine.boundaries.get(s.id).copied();
                let now = current
                    .map(|a| format!(" (now: {})", word(&a)))
                    .unwrap_or_default();
                closer_cli::say!("\nStage {} · {}{now}\n{}", s.stage, s.title, s.how);
                // Starts on the current answer, or on "skip for now": Enter changes nothing.
                let start = match current {
                    Some(Answer::Yes) => 0,
                    Some(Answer::Maybe) => 1,
                    Some(Answer::No) => 2,
                    None => 3,
                };
                let answer = match ask::select_from("Is this for you?", &choices, start)? {
                    0 => Answer::Yes,
                    1 => Answer::Maybe,
                    2 => Answer::No,
                    3 => continue,
                    _ => {
                        stopped = true;
                        break;
                    }
                };
                if current == Some(answer) {
                    continue;
                }
                recorded(ctx, || {
                    touch::update_state(&ctx.store, &me.id, |st| {
                        st.boundaries.insert(s.id.to_owned(), answer);
                        Ok(())
                    })
                })?;
            }
            // Stopping, or a "no" to everything, is when a word on finding help matters.
            let mine = touch::load_state(&ctx.store, &me.id)?;
            if practice::help_after_walk(stopped, &mine.boundaries) {
                closer_cli::say!("\n{}", lib.safety);
            }
            Ok(())
        }
    }
}

/// `body`: the command line, next to what it does.
#[derive(clap::Args, Debug)]
pub(crate) struct BodyArgs {
    /// The region (`touch-plan body --regions` lists them)
    region: Option<String>,
    /// How the region may be touched
    #[arg(value_parser = closer_cli::word_parser::<Mark>())]
    mark: Option<Mark>,
    /// A few words, such as "left side: surgery scar"; goes with a region and its mark
    #[arg(long, requires = "mark")]
    note: Option<String>,
    /// Remove your mark from this region
    #[arg(long, conflicts_with = "mark", requires = "region")]
    clear: bool,
    /// List the regions
    #[arg(long, conflicts_with_all = ["region", "mark", "clear"])]
    regions: bool,
}

/// What `body` does, checked: a region the library names, a note that may be stored.
#[derive(Debug, PartialEq)]
enum BodyRequest<'a> {
    Regions,
    ShowMap,
    Mark {
        region: &'a str,
        mark: Mark,
        note: Option<String>,
    },
    Clear {
        region: &'a str,
    },
}

impl BodyArgs {
    fn validate(self, lib: &Library) -> Result<BodyRequest<'_>> {
        if self.regions {
            return Ok(BodyRequest::Regions);
        }
        let note = self.note.map(|n| check_text("note", &n)).transpose()?;
        let region = self
            .region
            .map(|r| {
                let r = r.trim().to_ascii_lowercase();
                lib.regions
                    .iter()
                    .find(|x| x.id == r)
                    .map(|x| x.id)
                    .ok_or_else(|| {
                        Error::usage(format!(
                            "there is no region {r:?}; `touch-plan body --regions` lists them"
                        ))
                    })
            })
            .transpose()?;
        match (region, self.mark, self.clear) {
            (None, None, false) => Ok(BodyRequest::ShowMap),
            (Some(region), Some(mark), false) => Ok(BodyRequest::Mark { region, mark, note }),
            (Some(region), None, true) => Ok(BodyRequest::Clear { region }),
            _ => Err(Error::usage(
                "give a region and welcome, ask-first or off-limits (or --clear)",
            )),
        }
    }
}

pub(crate) fn body(ctx: &Context, args: BodyArgs) -> Result<()> {
    let lib = ctx.library()?;
    let mut out = Out::default();
    let req = args.validate(lib)?;
    if req == BodyRequest::Regions {
        for r in &lib.regions {
            out.record(&[r.id, r.name])?;
        }
        return Ok(());
    }
    let couple = ctx.require_couple()?;
    let me = ctx.me(&couple)?;
    match req {
        BodyRequest::Regions => unreachable!("the regions are listed above"),
        BodyRequest::ShowMap => {
            let st = touch::load_state(&ctx.store, &me.id)?;
            if st.body.is_empty() {
                return out.line("Your body map is empty: everything is as any step says. Mark a region with `touch-plan body REGION off-limits|ask-first|welcome`.");
            }
            for (r, m) in &st.body {
                out.record(&[r.as_str(), word(&m.mark), m.note.as_deref().unwrap_or("")])?;
            }
            Ok(())
        }
        BodyRequest::Mark {
            region: r,
            mark: m,
            note,
        } => {
            touch::update_state(&ctx.store, &me.id, |st| {
                st.body.insert(
                    r.to_owned(),
                    BodyMark {
                        mark: m,
                        note,
                        extra: Default::default(),
                    },
                );
                Ok(())
            })?;
            closer_cli::say!(
                "Your body map now says {}: {}. Every step shown to either of you respects it.",
                lib.region_name(r),
                word(&m)
            );
            Ok(())
        }
        BodyRequest::Clear { region: r } => {
            touch::update_state(&ctx.store, &me.id, |st| {
                st.body.remove(r);
                Ok(())
            })?;
            closer_cli::say!("Removed your mark on the {}.", lib.region_name(r));
            Ok(())
        }
    }
}

/// Marks the current step ready for the partner at the keyboard. What it says reads the same
/// whether or not the other partner is ready: whether the plan moved on is the joint result, for
/// both to see in the plan, never in this reply.
pub(crate) fn ready(ctx: &Context) -> Result<()> {
    let lib = ctx.library()?;
    let data = load(ctx)?;
    let me = ctx.me(&data.couple)?.id.clone();
    let plan = data.plan(lib, ctx);
    let Some(step) = plan.current else {
        return Err(Error::invalid(
            "there is no current step to be ready for; `touch-plan` shows why",
        ));
    };
    if plan.paused {
        return Err(Error::invalid("the plan is paused; resume it first"));
    }
    let event = Event {
        extra: Default::default(),
        date: ctx.today,
        at: ctx.now,
        kind: EventKind::Ready {
            step: step.id.to_owned(),
        },
    };
    // From the plan before, and the holds: nothing of the other partner's readiness.
    let held = practice::held_next(&plan, &data.holds, ctx.today);
    recorded(ctx, || {
        touch::update_state(&ctx.store, &me, |st| {
            st.events.push(event);
            Ok(())
        })
    })?;
    match held {
        Some(h) => closer_cli::say!(
            "Noted, privately. The next step is on hold until {} ({}); your readiness is kept and counts when the hold lifts.",
            h.until,
            h.reason
        ),
        None => closer_cli::say!(
            "Noted, privately: you are ready to move on from {} ({}). The plan moves on once you are both ready; `touch-plan` shows where you are.",
            step.title,
            step.id
        ),
    }
    Ok(())
}

/// Takes back the partner's readiness for the current step. No reason asked.
pub(crate) fn unready(ctx: &Context) -> Result<()> {
    let couple = ctx.require_couple()?;
    let me = ctx.me(&couple)?;
    // From this partner's own marks only: whether the plan has moved on meanwhile (which
    // depends on the other partner) changes nothing in what is said here.
    let mine = touch::load_state(&ctx.store, &me.id)?;
    if !practice::said_ready(&mine) {
        closer_cli::say!("You have not said you are ready; nothing to take back.");
        return Ok(());
    }
    recorded(ctx, || {
        touch::update_state(&ctx.store, &me.id, |st| {
            st.events.push(Event {
                extra: Default::default(),
                date: ctx.today,
                at: ctx.now,
                kind: EventKind::Unready,
            });
            Ok(())
        })
    })?;
    closer_cli::say!(
        "Taken back, privately: you are not marked ready any more. Say so again with `touch-plan ready` whenever you are."
    );
    Ok(())
}

pub(crate) enum Move {
    Back,
    Pause,
    Resume,
}

pub(crate) fn event(ctx: &Context, m: Move) -> Result<()> {
    let lib = ctx.library()?;
    let data = load(ctx)?;
    let me = ctx.me(&data.couple)?.id.clone();
    let kind = match m {
        Move::Back => EventKind::Back,
        Move::Pause => EventKind::Pause,
        Move::Resume => EventKind::Resume,
    };
    recorded(ctx, || {
        touch::update_state(&ctx.store, &me, |st| {
            st.events.push(Event {
                extra: Default::default(),
                date: ctx.today,
                at: ctx.now,
                kind,
            });
            Ok(())
        })
    })?;
    let plan = load(ctx)?.plan(lib, ctx);
    match m {
        Move::Back => match plan.current {
            Some(s) => closer_cli::say!(
                "Stepped back. You are both on {} ({}) now. No reason needed.",
                s.title,
                s.id
            ),
            None => closer_cli::say!("Stepped back."),
        },
        Move::Pause => closer_cli::say!(
            "The plan is paused for both of you. Resume it with `touch-plan resume` whenever you like."
        ),
        Move::Resume if plan.paused => {
            closer_cli::say!(
                "Your pause is lifted; the plan stays paused until every pause is lifted."
            )
        }
        Move::Resume => closer_cli::say!("The plan goes on."),
    }
    Ok(())
}

/// `hold`: the command line, next to what it does.
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

pub(crate) fn hold(ctx: &Context, args: HoldArgs) -> Result<()> {
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
    use closer_core::profile::Partner;

    fn couple(sexual: bool) -> Couple {
        let p = |n: &str| Partner {
            extra: Default::default(),
            version: 1,
            id: format!("id{n}").parse().unwrap(),
            name: n.into(),
            conditions: vec![],
            sexual,
            added: day(1),
        };
        Couple {
            seed: 1,
            partners: vec![p("alex"), p("sam")],
            ..Default::default()
        }
    }

    fn day(d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 3, d).unwrap()
    }

    fn usage_message<T: std::fmt::Debug>(r: Result<T>) -> String {
        let e = r.expect_err("a mistake on the command line");
        assert_eq!(e.exit_code(), 2, "{e}");
        format!("{e}{}", closer_cli::hint(&e, "touch-plan"))
    }

    #[test]
    fn a_boundary_is_an_answer_for_a_step_or_on_a_terminal_each_step() {
        let lib = Library::builtin();
        let c = couple(false);
        let first = lib.steps[0].id;
        let boundary = |step: Option<&str>, answer: Option<Answer>, interactive| {
            BoundaryArgs {
                step: step.map(Into::into),
                answer,
            }
            .validate(&lib, &c, interactive)
        };
        match boundary(Some(first), Some(Answer::Maybe), false).unwrap() {
            BoundaryRequest::One { step, answer } => {
                assert_eq!((step.id, answer), (first, Answer::Maybe));
            }
            other => panic!("{other:?}"),
        }
        assert!(matches!(
            boundary(None, None, true).unwrap(),
            BoundaryRequest::EachStep
        ));
        assert!(usage_message(boundary(Some(first), None, true)).contains("say yes, maybe or no"));
        assert!(usage_message(boundary(None, None, false)).contains("give a step and your answer"));
        let unknown = usage_message(boundary(Some("hug-all"), Some(Answer::Yes), false));
        assert!(
            unknown.contains("`touch-plan show` lists the steps"),
            "{unknown}"
        );
    }

    #[test]
    fn a_body_mark_is_for_a_region_the_library_names_with_a_note_that_may_be_stored() {
        let lib = Library::builtin();
        let region = lib.regions[0].id;
        let body = |region: Option<&str>, mark: Option<Mark>, note: Option<&str>, clear| {
            BodyArgs {
                region: region.map(Into::into),
                mark,
                note: note.map(Into::into),
                clear,
                regions: false,
            }
            .validate(&lib)
        };
        assert_eq!(body(None, None, None, false).unwrap(), BodyRequest::ShowMap);
        let upper = region.to_ascii_uppercase();
        assert_eq!(
            body(Some(&upper), Some(Mark::OffLimits), Some(" scar "), false).unwrap(),
            BodyRequest::Mark {
                region,
                mark: Mark::OffLimits,
                note: Some("scar".into())
            }
        );
        assert_eq!(
            body(Some(region), None, None, true).unwrap(),
            BodyRequest::Clear { region }
        );
        assert!(
            usage_message(body(Some("elbows"), Some(Mark::Welcome), None, false))
                .contains("`touch-plan body --regions` lists them")
        );
        assert!(
            usage_message(body(Some(region), None, None, false))
                .contains("welcome, ask-first or off-limits")
        );
        assert!(
            usage_message(body(Some(region), Some(Mark::Welcome), Some(" "), false))
                .contains("write a few words")
        );
    }

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
