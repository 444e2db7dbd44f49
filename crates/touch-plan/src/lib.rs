//! touch-plan: the command line, turned once into validated requests and run.

mod body;
mod consent;
mod hold;
mod mine;
mod plan;
mod sessions;
mod step;

use clap::{Parser, Subcommand};
use closer_cli::couple::CoupleCommand;
use closer_cli::output::{Format, JsonOnly};
use closer_cli::{AFTER_HELP, Context, Extra, Globals};
use closer_core::Result;

/// A graduated, consent-first plan of touch (sensate focus), at the pace of the slower partner.
/// A step joins the plan only when both of you said yes in private; the plan moves on only when
/// both of you are ready; either of you can step back or pause at any time, no reason asked.
/// With no command, shows the plan.
#[derive(Parser, Debug)]
#[command(name = "touch-plan", version, after_help = after_help())]
pub struct Cli {
    #[command(flatten)]
    globals: Globals,
    #[command(subcommand)]
    cmd: Option<Cmd>,
}

/// The end of `--help`: where to find help if you feel unsafe or pressured, then what every
/// tool says.
fn after_help() -> String {
    let safety = closer_core::content::builtin::SAFETY.get();
    format!("If you feel unsafe:\n  {safety}\n\n{AFTER_HELP}")
}

#[derive(Subcommand, Debug)]
#[command(defer = true)]
enum Cmd {
    /// The plan: every step with its joint state, where you are, holds and pauses
    Show(JsonOnly),
    /// Today's step, with adaptations for both of you and your body maps
    Today(plan::TodayArgs),
    /// A step's whole text: how to do it, what to notice, the short version for a low-energy
    /// day, and the adaptations for the conditions you live with
    Step(step::StepArgs),
    /// Say, privately, whether a step is for you: yes, maybe or no (no arguments on a terminal:
    /// go through the steps one by one). Your partner never sees your answer.
    Boundary(consent::BoundaryArgs),
    /// Your body map: mark a region welcome, ask-first or off-limits, with an optional note.
    /// Every step shown to your partner respects it. No arguments: show your map.
    Body(body::BodyArgs),
    /// Say, privately, that you are ready to move on from the current step
    Ready,
    /// Take back your readiness, privately. No reason needed.
    Unready,
    /// What you said: your boundaries, body map, readiness and the holds you set (only yours)
    Mine(JsonOnly),
    /// Go back one step, for both of you. No reason needed.
    Back,
    /// Pause the plan, for both of you, until you resume it
    Pause,
    /// Resume the plan after your pause
    Resume,
    /// A medical-clearance hold: nothing from a stage on until a date. Either of you sets one;
    /// only the partner who set it lifts it early (--release)
    Hold(hold::HoldArgs),
    /// Record a practice session
    Log(sessions::LogArgs),
    /// Your debrief of a session: what you noticed, what was too much
    Debrief(sessions::DebriefArgs),
    /// Sessions and the debriefs you may see
    History(JsonOnly),
    /// The ground rules
    Rules,
    #[command(flatten)]
    Couple(CoupleCommand),
    #[command(flatten)]
    Extra(Extra),
}

/// Runs the command line of the binary called `tool`.
pub fn run(cli: Cli, tool: &'static str) -> Result<()> {
    let ctx = Context::new(tool, &cli.globals)?;
    match cli.cmd {
        None => plan::show(&ctx, Format::default()),
        Some(Cmd::Show(a)) => plan::show(&ctx, a.format()),
        Some(Cmd::Today(args)) => plan::today(&ctx, args),
        Some(Cmd::Step(args)) => step::run(&ctx, args),
        Some(Cmd::Rules) => plan::rules(&ctx),
        Some(Cmd::Boundary(args)) => consent::boundary(&ctx, args),
        Some(Cmd::Body(args)) => body::run(&ctx, args),
        Some(Cmd::Ready) => consent::ready(&ctx),
        Some(Cmd::Unready) => consent::unready(&ctx),
        Some(Cmd::Mine(a)) => mine::run(&ctx, a.format()),
        Some(Cmd::Back) => consent::event(&ctx, consent::Move::Back),
        Some(Cmd::Pause) => consent::event(&ctx, consent::Move::Pause),
        Some(Cmd::Resume) => consent::event(&ctx, consent::Move::Resume),
        Some(Cmd::Hold(args)) => hold::run(&ctx, args),
        Some(Cmd::Log(args)) => sessions::log(&ctx, args),
        Some(Cmd::Debrief(args)) => sessions::debrief(&ctx, args),
        Some(Cmd::History(a)) => sessions::history(&ctx, a.format()),
        Some(Cmd::Couple(c)) => c.run(&ctx),
        Some(Cmd::Extra(e)) => e.run::<Cli>(tool),
    }
}

#[cfg(test)]
mod tests {
    use chrono::NaiveDate;
    use closer_core::Result;
    use closer_core::profile::{Couple, Partner};

    /// Alex and Sam (IDs `idalex` and `idsam`), both opted in to sexual content or neither.
    pub(crate) fn couple(sexual: bool) -> Couple {
        let p = |n: &str| Partner {
            extra: Default::default(),
            version: 1,
            id: format!("id{n}").parse().unwrap(),
            name: n.into(),
            conditions: vec![],
            removed_conditions: vec![],
            sexual,
            added: day(1),
        };
        Couple {
            seed: 1,
            partners: vec![p("alex"), p("sam")],
            ..Default::default()
        }
    }

    pub(crate) fn day(d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 3, d).unwrap()
    }

    /// The message of a mistake on the command line (exit 2) with its hint, which must say
    /// what to do.
    pub(crate) fn usage_message<T: std::fmt::Debug>(r: Result<T>) -> String {
        let e = r.expect_err("a mistake on the command line");
        assert_eq!(e.exit_code(), 2, "{e}");
        format!("{e}{}", closer_cli::hint(&e, "touch-plan"))
    }
}
