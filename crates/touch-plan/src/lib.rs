//! touch-plan: the command line, turned once into validated requests and run.

mod consent;
mod mine;
mod plan;
mod sessions;
mod step;

use chrono::NaiveDate;
use clap::{Parser, Subcommand};
use closer_cli::couple::{self, CoupleArgs};
use closer_cli::{AFTER_HELP, Context, Energy, Extra, Globals};
use closer_core::Result;
use closer_core::dates::date_arg;
use closer_core::touch::{Answer, Mark};

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
enum Cmd {
    /// The plan: every step with its joint state, where you are, holds and pauses
    Show {
        /// Print JSON (the scripting interface)
        #[arg(long)]
        json: bool,
    },
    /// Today's step, with adaptations for both of you and your body maps
    Today {
        /// `low`: the short variant, for a flare or low-energy day; `normal`: the whole step
        /// [default: low when either of you said so with `couple energy low`]
        #[arg(long, value_enum, value_name = "LEVEL")]
        energy: Option<Energy>,
        /// Print JSON (the scripting interface)
        #[arg(long)]
        json: bool,
    },
    /// A step's whole text: how to do it, what to notice, the short version for a low-energy
    /// day, and the adaptations for the conditions you live with
    Step {
        /// The step ID (or a unique start of it); `touch-plan show` lists them
        step: String,
        /// Print JSON: the step, its stage and the adaptations for you
        #[arg(long)]
        json: bool,
    },
    /// Say, privately, whether a step is for you: yes, maybe or no (no arguments on a terminal:
    /// go through the steps one by one). Your partner never sees your answer.
    Boundary {
        /// The step ID (or a unique start of it)
        step: Option<String>,
        /// Whether it is for you [leave out on a terminal to be asked]
        #[arg(value_parser = closer_cli::word_parser::<Answer>())]
        answer: Option<Answer>,
    },
    /// Your body map: mark a region welcome, ask-first or off-limits, with an optional note.
    /// Every step shown to your partner respects it. No arguments: show your map.
    Body {
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
    },
    /// Say, privately, that you are ready to move on from the current step
    Ready,
    /// Take back your readiness, privately. No reason needed.
    Unready,
    /// What you said: your boundaries, body map, readiness and the holds you set (only yours)
    Mine {
        /// Print JSON (the scripting interface)
        #[arg(long)]
        json: bool,
    },
    /// Go back one step, for both of you. No reason needed.
    Back,
    /// Pause the plan, for both of you, until you resume it
    Pause,
    /// Resume the plan after your pause
    Resume,
    /// A medical-clearance hold: nothing from a stage on until a date. Either of you sets one;
    /// only the partner who set it lifts it early (--release)
    Hold {
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
    },
    /// Record a practice session
    Log(sessions::LogArgs),
    /// Your debrief of a session: what you noticed, what was too much
    Debrief(sessions::DebriefArgs),
    /// Sessions and the debriefs you may see
    History {
        /// Print JSON (the scripting interface)
        #[arg(long)]
        json: bool,
    },
    /// The ground rules
    Rules,
    /// Who the partners are, their conditions and opt-ins
    Couple(CoupleArgs),
    #[command(flatten)]
    Extra(Extra),
}

/// Runs the command line of the binary called `tool`.
pub fn run(cli: Cli, tool: &'static str) -> Result<()> {
    let ctx = Context::new(tool, &cli.globals)?;
    match cli.cmd {
        None => plan::show(&ctx, false),
        Some(Cmd::Show { json }) => plan::show(&ctx, json),
        Some(Cmd::Today { energy, json }) => plan::today(&ctx, energy, json),
        Some(Cmd::Step { step: id, json }) => step::run(&ctx, &id, json),
        Some(Cmd::Rules) => plan::rules(&ctx),
        Some(Cmd::Boundary { step, answer }) => consent::boundary(&ctx, step, answer),
        Some(Cmd::Body {
            region,
            mark,
            note,
            clear,
            regions,
        }) => consent::body(&ctx, region, mark, note, clear, regions),
        Some(Cmd::Ready) => consent::ready(&ctx),
        Some(Cmd::Unready) => consent::unready(&ctx),
        Some(Cmd::Mine { json }) => mine::run(&ctx, json),
        Some(Cmd::Back) => consent::event(&ctx, consent::Move::Back),
        Some(Cmd::Pause) => consent::event(&ctx, consent::Move::Pause),
        Some(Cmd::Resume) => consent::event(&ctx, consent::Move::Resume),
        Some(Cmd::Hold {
            from_stage,
            until,
            reason,
            release,
        }) => consent::hold(&ctx, from_stage, until, reason, release),
        Some(Cmd::Log(args)) => sessions::log(&ctx, args),
        Some(Cmd::Debrief(args)) => sessions::debrief(&ctx, args),
        Some(Cmd::History { json }) => sessions::history(&ctx, json),
        Some(Cmd::Couple(args)) => couple::run(&ctx, &args),
        Some(Cmd::Extra(e)) => e.run::<Cli>(tool),
    }
}
