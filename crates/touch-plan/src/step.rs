//! `step ID`: one step's whole text, with the adaptations for the conditions the couple lives
//! with, to read before trying it (or to decide whether it is for you).

use closer_cli::Context;
use closer_cli::output::{Format, Said, Text};
use closer_core::Result;
use closer_core::content::Step;
use closer_core::step_today::{self, Adaptation};
use closer_core::touch;
use serde::Serialize;

/// `step ID --json`: the step as the library holds it, its stage's name, and the adaptations for
/// the conditions someone in the couple lives with.
#[derive(Serialize)]
struct StepView<'a> {
    step: &'a Step,
    stage_name: &'a str,
    adaptations: Vec<Adaptation>,
}

// `step`: the command line, next to what it does.
#[derive(clap::Args, Debug)]
pub(crate) struct StepArgs {
    /// The step ID (or a unique start of it); `touch-plan show` lists them
    step: String,
    /// Print JSON: the step, its stage and the adaptations for you
    #[arg(long)]
    json: bool,
}

pub(crate) fn run(ctx: &Context, args: StepArgs) -> Result<()> {
    let lib = ctx.library()?;
    let couple = ctx.couple()?;
    let step = touch::find_step(lib, &couple, &args.step)?;
    let json = args.json;
    let view = StepView {
        step,
        stage_name: lib.stage(step.stage).map_or("", |s| s.name),
        adaptations: step_today::adaptations(lib, &couple, step),
    };
    let mut out = Text::default();
    out.line(&format!(
        "{} ({}) · stage {}, {} · about {} minutes",
        step.title, step.id, step.stage, view.stage_name, step.minutes
    ))?;
    out.line(&format!(
        "\n{}\n\nGiving: {}\nReceiving: {}\nNotice: {}",
        step.how, step.giver, step.receiver, step.notice
    ))?;
    out.line(&format!(
        "\nOn a low-energy day (about {} minutes): {}",
        step.short_minutes, step.short
    ))?;
    if !view.adaptations.is_empty() {
        out.line("\nAdaptations for you:")?;
        for a in &view.adaptations {
            out.line(&format!("- {} ({}): {}", a.condition, a.who, a.text))?;
        }
    }
    out.line("\nAfterwards, talk it over:")?;
    for q in step.debrief {
        out.line(&format!("- {q}"))?;
    }
    ctx.show(
        Format::json_only(json),
        &Said {
            json: view,
            text: out,
        },
    )
}
