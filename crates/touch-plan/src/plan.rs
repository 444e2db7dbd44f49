//! `show`, `today` and `rules`: the joint plan as both partners may see it, with what was on for
//! both and is off again. Nothing here reveals one partner's answers or readiness to the other.

use chrono::Days;
use chrono::NaiveDate;
use closer_cli::glance::HoldView;
use closer_cli::joint::{Rounds, WAITING};
use closer_cli::output::{Format, Out, Said, Text};
use closer_cli::{Context, Energy};
use closer_core::Result;
use closer_core::content::{Library, Step};
use closer_core::glance::SOON_DAYS;
use closer_core::joint_changes::{self, Trace};
use closer_core::profile::Couple;
use closer_core::step_today::{self, Adaptation, BodyNote};
use closer_core::touch::{self, Answer, Joint, Mark, Plan, State};
use serde::Serialize;

/// Everything `show` and `today` need, read once: no session logs.
pub(crate) struct Loaded {
    pub couple: Couple,
    pub states: Vec<State>,
    pub holds: Vec<touch::Hold>,
    /// Whether the other partner's facts came from the joint rounds, and whether one is under way.
    pub rounds: Rounds,
}

/// The couple, every partner's touch facts as this device may know them, and the holds. On a
/// device with only its own partner's key, the other partner's facts are what the joint rounds
/// say, never their state file.
pub(crate) fn load(ctx: &Context) -> Result<Loaded> {
    let mut couple = ctx.require_couple()?;
    let (states, holds, rounds) = ctx.touch_facts(&mut couple)?;
    Ok(Loaded {
        couple,
        states,
        holds,
        rounds,
    })
}

impl Loaded {
    pub fn plan<'a>(&self, lib: &'a Library, ctx: &Context) -> Plan<'a> {
        touch::derive(lib, &self.couple, &self.states, &self.holds, ctx.today)
    }
}

/// What was on for both and is off again: every time for `show`, the last two weeks for
/// `today`. Never who turned it off.
fn traces(ctx: &Context, couple: &Couple, recent: bool) -> Result<Vec<Trace>> {
    let lib = ctx.library()?;
    let all = joint_changes::traces(lib, couple, &joint_changes::load(&ctx.store)?);
    Ok(if recent {
        joint_changes::since(all, ctx.today - Days::new(SOON_DAYS))
    } else {
        all
    })
}

fn stage_name(lib: &Library, n: u8) -> &str {
    lib.stage(n).map_or("", |s| s.name)
}

/// The lines about pauses, holds and where the couple is, shared by `show` and `today`.
fn status_lines(lib: &Library, plan: &Plan, rounds: Rounds) -> Vec<String> {
    let mut v = Vec::new();
    if rounds == Rounds::Waiting {
        v.push(WAITING.to_owned());
    }
    for h in &plan.holds {
        v.push(format!(
            "On hold: nothing from stage {} until {} ({}).",
            h.from_stage, h.until, h.reason
        ));
    }
    if plan.paused {
        v.push("The plan is paused. It goes on when it is resumed (`touch-plan resume`).".into());
    }
    if plan.in_plan.is_empty() {
        v.push("Nothing is in your plan yet. Each of you says privately which steps are for you: `touch-plan boundary STEP yes|maybe|no` (or `touch-plan boundary` on a terminal).".into());
    } else if plan.current.is_none() {
        v.push(
            "Every step in your plan is on hold for now. Closeness without touch counts too."
                .into(),
        );
    } else if plan.finished {
        v.push("You have gone through every step in your plan. Stay with any you like, or add steps with `touch-plan boundary`.".into());
    }
    if let Some(s) = plan.current {
        v.insert(
            0,
            format!(
                "Now: {} ({}) · stage {}, {}",
                s.title,
                s.id,
                s.stage,
                stage_name(lib, s.stage)
            ),
        );
    }
    v
}

pub(crate) fn show(ctx: &Context, format: Format) -> Result<()> {
    let lib = ctx.library()?;
    let data = load(ctx)?;
    let plan = data.plan(lib, ctx);
    let me = ctx.viewer(&data.couple)?.map(|p| p.id.clone());
    let mine = me
        .as_ref()
        .and_then(|id| data.states.iter().find(|s| &s.partner == id));
    let changes = traces(ctx, &data.couple, false)?;
    let view = PlanView {
        current: plan.current.map(|s| StepBrief {
            id: s.id,
            stage: s.stage,
            title: s.title,
        }),
        changes: &changes,
        paused: plan.paused,
        finished: plan.finished,
        holds: plan.holds.iter().map(HoldView::from).collect(),
        steps: plan
            .steps
            .iter()
            .map(|(s, j)| StepRow {
                id: s.id,
                stage: s.stage,
                title: s.title,
                joint: *j,
                you: mine.and_then(|m| m.boundaries.get(s.id)),
            })
            .collect(),
    };
    let mut out = Text::default();
    for l in status_lines(lib, &plan, data.rounds) {
        out.line(&l)?;
    }
    for t in &changes {
        out.line(&t.text)?;
    }
    let mut stage = None;
    for (s, j) in &plan.steps {
        if stage != Some(s.stage) {
            stage = Some(s.stage);
            out.line(&format!(
                "\nStage {} · {}",
                s.stage,
                stage_name(lib, s.stage)
            ))?;
        }
        let here = if plan.current.is_some_and(|c| c.id == s.id) {
            "→"
        } else {
            " "
        };
        let you = match mine.and_then(|m| m.boundaries.get(s.id)) {
            Some(a) => format!("  (you said {})", closer_core::word(a)),
            None => String::new(),
        };
        let mark = match j {
            Joint::InPlan => "in the plan",
            Joint::TalkFirst => "talk first ",
            Joint::NotInPlan => "—          ",
        };
        out.line(&format!("{here} {mark}  {:<28} {}{you}", s.id, s.title))?;
    }
    // The steps you have not answered make one line, not a mark on each.
    if let Some(m) = mine {
        let open = plan
            .steps
            .iter()
            .filter(|(s, _)| !m.boundaries.contains_key(s.id))
            .count();
        if open > 0 {
            let steps = if open == 1 {
                "one step is".to_owned()
            } else {
                format!("{open} steps are")
            };
            out.line(&format!(
                "\nYou have not said yet whether {steps} for you; `{} boundary` goes through them one by one, whenever you like.",
                ctx.tool
            ))?;
        }
    }
    ctx.show(
        format,
        &Said {
            json: view,
            text: out,
        },
    )
}

/// `show --json`: the joint plan, and only the joint result of each step.
#[derive(Serialize)]
struct PlanView<'a> {
    current: Option<StepBrief<'a>>,
    changes: &'a [Trace],
    paused: bool,
    finished: bool,
    holds: Vec<HoldView<'a>>,
    steps: Vec<StepRow<'a>>,
}

#[derive(Serialize)]
struct StepBrief<'a> {
    id: &'a str,
    stage: u8,
    title: &'a str,
}

#[derive(Serialize)]
struct StepRow<'a> {
    id: &'a str,
    stage: u8,
    title: &'a str,
    joint: Joint,
    /// Your own answer, when you said who you are.
    you: Option<&'a Answer>,
}

fn body_sentence(b: &BodyNote) -> String {
    let what = match b.mark {
        Mark::OffLimits => format!("avoid the {}", b.region),
        _ => format!("ask before touching the {}", b.region),
    };
    match &b.note {
        Some(n) => format!("{}: {what} ({n}).", b.partner),
        None => format!("{}: {what}.", b.partner),
    }
}

// `today`: the command line, next to what it does.
#[derive(clap::Args, Debug)]
pub(crate) struct TodayArgs {
    /// `low`: the short variant, for a flare or low-energy day; `normal`: the whole step
    /// [default: low when either of you said so with `couple energy low`]
    #[arg(long, value_enum, value_name = "LEVEL")]
    energy: Option<Energy>,
    /// Print JSON (the scripting interface)
    #[arg(long)]
    json: bool,
}

pub(crate) fn today(ctx: &Context, args: TodayArgs) -> Result<()> {
    let lib = ctx.library()?;
    let data = load(ctx)?;
    let low = ctx.low_energy(&data.couple, ctx.today, args.energy)?;
    let json = args.json;
    let plan = data.plan(lib, ctx);
    let changes = traces(ctx, &data.couple, true)?;
    let mut out = Text::default();
    let Some(step) = plan.current.filter(|_| !plan.paused) else {
        let lines = status_lines(lib, &plan, data.rounds);
        for l in lines.iter().chain(changes.iter().map(|t| &t.text)) {
            out.line(l)?;
        }
        let view = NoStepToday {
            date: ctx.today,
            step: None,
            paused: plan.paused,
            message: lines.join(" "),
            changes: &changes,
        };
        return ctx.show(
            Format::json_only(json),
            &Said {
                json: view,
                text: out,
            },
        );
    };
    let adapt = step_today::adaptations(lib, &data.couple, step);
    let body = step_today::body_notes(lib, &data.couple, &data.states, step);
    let easier = step_today::easier_step(&plan, step);
    let minutes = if low {
        step.short_minutes
    } else {
        step.minutes
    };
    out.line(&format!(
        "{} ({}) · stage {}, {} · about {minutes} minutes",
        step.title,
        step.id,
        step.stage,
        stage_name(lib, step.stage)
    ))?;
    if low {
        out.line(&format!(
            "\nA gentle day. A shorter version for today: {}",
            step.short
        ))?;
        if let Some(e) = easier {
            out.line(&format!(
                "Or go back to an easier step from your plan: {} ({}).",
                e.title, e.id
            ))?;
        }
    } else {
        out.line(&format!(
            "\n{}\n\nGiving: {}\nReceiving: {}\nNotice: {}",
            step.how, step.giver, step.receiver, step.notice
        ))?;
    }
    if !adapt.is_empty() {
        out.line("\nAdaptations for you:")?;
        for a in &adapt {
            out.line(&format!("- {} ({}): {}", a.condition, a.who, a.text))?;
        }
    }
    if !body.is_empty() {
        out.line("\nBody maps:")?;
        for b in &body {
            out.line(&format!("- {}", body_sentence(b)))?;
        }
    }
    out.line("\nAfterwards, talk it over:")?;
    for q in step.debrief {
        out.line(&format!("- {q}"))?;
    }
    for h in &plan.holds {
        out.line(&format!(
            "\nOn hold: nothing from stage {} until {} ({}).",
            h.from_stage, h.until, h.reason
        ))?;
    }
    if data.rounds == Rounds::Waiting {
        out.line(&format!("\n{WAITING}"))?;
    }
    for t in &changes {
        out.line(&format!("\n{}", t.text))?;
    }
    out.line("\nStop or step back at any time. When you have both practised this enough, each of you says so privately with `touch-plan ready`.")?;
    let view = StepToday {
        date: ctx.today,
        energy: if low { "low" } else { "normal" },
        step,
        stage_name: stage_name(lib, step.stage),
        minutes,
        easier_step: if low { easier.map(|s| s.id) } else { None },
        adaptations: &adapt,
        body: &body,
        holds: plan.holds.iter().map(HoldView::from).collect(),
        changes: &changes,
    };
    ctx.show(
        Format::json_only(json),
        &Said {
            json: view,
            text: out,
        },
    )
}

/// `today --json` on a day with nothing to practise: why, in `message`.
#[derive(Serialize)]
struct NoStepToday<'a> {
    date: NaiveDate,
    /// Always `null`: no step today.
    step: Option<&'a Step>,
    paused: bool,
    message: String,
    changes: &'a [Trace],
}

/// `today --json`: today's step, adapted to the couple and the day.
#[derive(Serialize)]
struct StepToday<'a> {
    date: NaiveDate,
    /// `low` or `normal`.
    energy: &'static str,
    step: &'a Step,
    stage_name: &'a str,
    minutes: u16,
    /// On a low-energy day, an easier step from the plan.
    easier_step: Option<&'a str>,
    adaptations: &'a [Adaptation],
    body: &'a [BodyNote],
    holds: Vec<HoldView<'a>>,
    changes: &'a [Trace],
}

pub(crate) fn rules(ctx: &Context) -> Result<()> {
    let lib = ctx.library()?;
    let mut out = Out::default();
    for r in &lib.rules {
        out.line(&format!("- {r}"))?;
    }
    Ok(())
}
