//! Each partner's private say: boundaries, body map, readiness, stepping back, pausing; and the
//! couple's medical-clearance holds. Messages never tell one partner what the other said, and
//! every change of the joint result an action makes is recorded for both to see.

use crate::plan::load;
use chrono::NaiveDate;
use closer_cli::output::Out;
use closer_cli::{Context, ask};
use closer_core::needs::check_text;
use closer_core::touch::{self, Answer, BodyMark, Event, EventKind, Mark};
use closer_core::{Error, Result, word};
use closer_core::{holds, joint_changes};

/// Runs one of the partner's own actions, recording any change of the joint result it made so
/// that both partners see it afterwards (never who made it).
fn recorded<T>(ctx: &Context, action: impl FnOnce() -> Result<T>) -> Result<T> {
    joint_changes::around(&ctx.store, ctx.library()?, ctx.today, ctx.now, action)
}

pub(crate) fn boundary(ctx: &Context, step: Option<String>, answer: Option<Answer>) -> Result<()> {
    let lib = ctx.library()?;
    let couple = ctx.require_couple()?;
    match (step, answer) {
        (Some(step), Some(answer)) => {
            let s = touch::find_step(lib, &couple, &step)?;
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
        (Some(_), None) => Err(Error::usage("say yes, maybe or no after the step")),
        (None, _) if ctx.interactive => {
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
            let all_no =
                !mine.boundaries.is_empty() && mine.boundaries.values().all(|a| *a == Answer::No);
            if stopped || all_no {
                closer_cli::say!("\n{}", lib.safety);
            }
            Ok(())
        }
        (None, _) => Err(Error::usage(
            "give a step and your answer: `touch-plan boundary STEP yes|maybe|no --as NAME`",
        )),
    }
}

pub(crate) fn body(
    ctx: &Context,
    region: Option<String>,
    mark: Option<Mark>,
    note: Option<String>,
    clear: bool,
    regions: bool,
) -> Result<()> {
    let lib = ctx.library()?;
    let mut out = Out::default();
    if regions {
        for r in &lib.regions {
            out.record(&[r.id, r.name])?;
        }
        return Ok(());
    }
    let note = note.map(|n| check_text("note", &n)).transpose()?;
    let region = region
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
    let couple = ctx.require_couple()?;
    let me = ctx.me(&couple)?;
    match (region, mark, clear) {
        (None, None, false) => {
            let st = touch::load_state(&ctx.store, &me.id)?;
            if st.body.is_empty() {
                return out.line("Your body map is empty: everything is as any step says. Mark a region with `touch-plan body REGION off-limits|ask-first|welcome`.");
            }
            for (r, m) in &st.body {
                out.record(&[r.as_str(), word(&m.mark), m.note.as_deref().unwrap_or("")])?;
            }
            Ok(())
        }
        (Some(r), Some(m), false) => {
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
        (Some(r), None, true) => {
            touch::update_state(&ctx.store, &me.id, |st| {
                st.body.remove(r);
                Ok(())
            })?;
            closer_cli::say!("Removed your mark on the {}.", lib.region_name(r));
            Ok(())
        }
        _ => Err(Error::usage(
            "give a region and welcome, ask-first or off-limits (or --clear)",
        )),
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
    let held = held_next(&plan, &data.holds, ctx.today);
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

/// The hold that keeps the step after the current one closed today, if one does.
fn held_next<'h>(
    plan: &touch::Plan,
    holds: &'h [touch::Hold],
    today: NaiveDate,
) -> Option<&'h touch::Hold> {
    let cur = plan.current?;
    let i = plan.in_plan.iter().position(|s| s.id == cur.id)?;
    let next = plan.in_plan.get(i + 1)?;
    holds
        .iter()
        .filter(|h| h.active_on(today) && next.stage >= h.from_stage)
        .max_by_key(|h| h.until)
}

/// Takes back the partner's readiness for the current step. No reason asked.
pub(crate) fn unready(ctx: &Context) -> Result<()> {
    let couple = ctx.require_couple()?;
    let me = ctx.me(&couple)?;
    // From this partner's own marks only: whether the plan has moved on meanwhile (which
    // depends on the other partner) changes nothing in what is said here.
    let mine = touch::load_state(&ctx.store, &me.id)?;
    let said_ready = mine
        .events
        .iter()
        .rev()
        .find(|e| matches!(e.kind, EventKind::Ready { .. } | EventKind::Unready))
        .is_some_and(|e| matches!(e.kind, EventKind::Ready { .. }));
    if !said_ready {
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

pub(crate) fn hold(
    ctx: &Context,
    from: Option<u8>,
    until: Option<NaiveDate>,
    reason: Option<String>,
    release: bool,
) -> Result<()> {
    let lib = ctx.library()?;
    let couple = ctx.require_couple()?;
    if release {
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
    let Some(stage) = from else {
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
    let stages: Vec<u8> = lib
        .stages
        .iter()
        .filter(|s| couple.sexual_ok() || !s.sexual)
        .map(|s| s.number)
        .collect();
    let until = until.expect("clap requires --until with --from-stage");
    let reason = reason.unwrap_or_default();
    // Checked before asking who is at the keyboard, so that a mistake is reported first.
    holds::new("", stage, until, &reason, &stages, ctx.today, ctx.now)?;
    let me = ctx.me(&couple)?.id.clone();
    let hold = holds::new(&me, stage, until, &reason, &stages, ctx.today, ctx.now)?;
    recorded(ctx, || holds::add(&ctx.store, &hold))?;
    closer_cli::say!(
        "On hold: nothing from stage {stage} until {until}. It lifts by itself on that day; only you can lift it earlier, with `touch-plan hold --release`."
    );
    Ok(())
}
