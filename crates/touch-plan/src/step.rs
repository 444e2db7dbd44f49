//! `step ID`: one step's whole text, with the adaptations for the conditions the couple lives
//! with, to read before trying it (or to decide whether it is for you).

use closer_cli::Context;
use closer_cli::output::Out;
use closer_core::Result;
use closer_core::step_today;
use closer_core::touch;
use serde_json::json;

pub(crate) fn run(ctx: &Context, prefix: &str, json: bool) -> Result<()> {
    let lib = ctx.library()?;
    let couple = ctx.couple()?;
    let step = touch::find_step(lib, &couple, prefix)?;
    let adapt = step_today::adaptations(lib, &couple, step);
    let stage = lib.stage(step.stage).map_or("", |s| s.name);
    let mut out = Out::default();
    if json {
        return out.json(&json!({
            "step": step,
            "stage_name": stage,
            "adaptations": adapt,
        }));
    }
    out.line(&format!(
        "{} ({}) · stage {}, {stage} · about {} minutes",
        step.title, step.id, step.stage, step.minutes
    ))?;
    out.line(&format!(
        "\n{}\n\nGiving: {}\nReceiving: {}\nNotice: {}",
        step.how, step.giver, step.receiver, step.notice
    ))?;
    out.line(&format!(
        "\nOn a low-energy day (about {} minutes): {}",
        step.short_minutes, step.short
    ))?;
    if !adapt.is_empty() {
        out.line("\nAdaptations for you:")?;
        for a in &adapt {
            out.line(&format!("- {} ({}): {}", a.condition, a.who, a.text))?;
        }
    }
    out.line("\nAfterwards, talk it over:")?;
    for q in step.debrief {
        out.line(&format!("- {q}"))?;
    }
    Ok(())
}
