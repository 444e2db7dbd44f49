//! Each partner's private say: boundaries, readiness, stepping back, pausing. Messages never
//! tell one partner what the other said, and every change of the joint result an action makes
//! is recorded for both to see.

use crate::plan::load;
use closer_cli::{Context, ask};
use closer_core::content::{Library, Step};
use closer_core::practice;
use closer_core::profile::Couple;
use closer_core::touch::{self, Answer, Event, EventKind};
use closer_core::{Error, Result, word};

/// Runs one of the partner's own actions, recording any change of the joint result it made so
/// that both partners see it afterwards (never who made it).
pub(crate) fn recorded<T>(ctx: &Context, action: impl FnOnce() -> Result<T>) -> Result<T> {
    ctx.recorded(action)
}

// `boundary`: the command line, next to what it does.
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
    // Only a partner's own pause is theirs to lift: with none, nothing is written.
    if matches!(m, Move::Resume) && !practice::own_pause(&touch::load_state(&ctx.store, &me)?) {
        if data.plan(lib, ctx).paused {
            closer_cli::say!(
                "You have not paused the plan, so there is no pause of yours to lift; nothing was changed. The pause is your partner's, and theirs to lift whenever they are ready."
            );
        } else {
            closer_cli::say!("The plan is not paused; nothing was changed.");
        }
        return Ok(());
    }
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tests::{couple, usage_message};

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
}
