//! `show`, `today` and `rules`: the joint plan as both partners may see it. Nothing here reveals
//! one partner's answers or readiness to the other.

use closer_cli::output::Out;
use closer_cli::{Context, Energy};
use closer_core::Result;
use closer_core::content::{Library, Step};
use closer_core::profile::Couple;
use closer_core::touch::{self, Joint, Mark, Plan, State};
use serde_json::{Value, json};

/// Everything `show` and `today` need, read once: no session logs.
pub(crate) struct Loaded {
    pub couple: Couple,
    pub states: Vec<State>,
    pub holds: Vec<touch::Hold>,
}

pub(crate) fn load(ctx: &Context) -> Result<Loaded> {
    let couple = ctx.require_couple()?;
    let (states, holds) = touch::load_facts(&ctx.store, &couple)?;
    Ok(Loaded {
        couple,
        states,
        holds,
    })
}

impl Loaded {
    pub fn plan<'a>(&self, lib: &'a Library, ctx: &Context) -> Plan<'a> {
        touch::derive(lib, &self.couple, &self.states, &self.holds, ctx.today)
    }
}

fn stage_name(lib: &Library, n: u8) -> &str {
    lib.stage(n).map_or("", |s| s.name)
}

/// The lines about pauses, holds and where the couple is, shared by `show` and `today`.
fn status_lines(lib: &Library, plan: &Plan) -> Vec<String> {
    let mut v = Vec::new();
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

pub(crate) fn show(ctx: &Context, json: bool) -> Result<()> {
    let lib = ctx.library()?;
    let data = load(ctx)?;
    let plan = data.plan(lib, ctx);
    let me = ctx.viewer(&data.couple)?.map(|p| p.id.clone());
    let mine = me
        .as_ref()
        .and_then(|id| data.states.iter().find(|s| &s.partner == id));
    let mut out = Out::default();
    if json {
        return out.json(&json!({
            "current": plan.current.map(|s| json!({"id": s.id, "stage": s.stage, "title": s.title})),
            "paused": plan.paused,
            "finished": plan.finished,
            "holds": plan.holds.iter().map(|h| json!({"from_stage": h.from_stage, "until": h.until, "reason": h.reason})).collect::<Vec<_>>(),
            "steps": plan.steps.iter().map(|(s, j)| json!({
                "id": s.id, "stage": s.stage, "title": s.title, "joint": j,
                "you": mine.and_then(|m| m.boundaries.get(s.id)),
            })).collect::<Vec<_>>(),
        }));
    }
    for l in status_lines(lib, &plan) {
        out.line(&l)?;
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
            None if mine.is_some() => "  (you have not answered)".into(),
            None => String::new(),
        };
        let mark = match j {
            Joint::InPlan => "in the plan",
            Joint::TalkFirst => "talk first ",
            Joint::NotInPlan => "—          ",
        };
        out.line(&format!("{here} {mark}  {:<28} {}{you}", s.id, s.title))?;
    }
    Ok(())
}

/// The adaptations that fit the couple's conditions, as (condition name, partner names, text).
fn adaptations(lib: &Library, couple: &Couple, step: &Step) -> Vec<(String, String, &'static str)> {
    step.adapt
        .iter()
        .filter_map(|(cond, text)| {
            let who: Vec<&str> = couple
                .partners
                .iter()
                .filter(|p| p.conditions.iter().any(|c| c == cond))
                .map(|p| p.name.as_str())
                .collect();
            (!who.is_empty()).then(|| {
                (
                    lib.condition(cond)
                        .map_or(cond.to_string(), |c| c.name.to_owned()),
                    who.join(" and "),
                    *text,
                )
            })
        })
        .collect()
}

/// What each partner's body map says about the regions a step touches.
fn body_notes(
    lib: &Library,
    data: &Loaded,
    step: &Step,
) -> Vec<(String, String, Mark, Option<String>)> {
    let mut v = Vec::new();
    for (p, s) in data.couple.partners.iter().zip(&data.states) {
        for r in step.regions {
            if let Some(m) = s.body.get(*r).filter(|m| m.mark != Mark::Welcome) {
                v.push((
                    p.name.clone(),
                    lib.region_name(r).to_owned(),
                    m.mark,
                    m.note.clone(),
                ));
            }
        }
    }
    v
}

fn body_sentence(name: &str, region: &str, mark: Mark, note: &Option<String>) -> String {
    let what = match mark {
        Mark::OffLimits => format!("avoid the {region}"),
        _ => format!("ask before touching the {region}"),
    };
    match note {
        Some(n) => format!("{name}: {what} ({n})."),
        None => format!("{name}: {what}."),
    }
}

pub(crate) fn today(ctx: &Context, energy: Option<Energy>, json: bool) -> Result<()> {
    let lib = ctx.library()?;
    let data = load(ctx)?;
    let low = ctx.low_energy(&data.couple, ctx.today, energy)?;
    let plan = data.plan(lib, ctx);
    let mut out = Out::default();
    let Some(step) = plan.current.filter(|_| !plan.paused) else {
        let lines = status_lines(lib, &plan);
        if json {
            return out.json(&json!({"date": ctx.today, "step": Value::Null, "paused": plan.paused, "message": lines.join(" ")}));
        }
        for l in lines {
            out.line(&l)?;
        }
        return Ok(());
    };
    let adapt = adaptations(lib, &data.couple, step);
    let body = body_notes(lib, &data, step);
    let easier = plan
        .in_plan
        .iter()
        .position(|s| s.id == step.id)
        .and_then(|i| i.checked_sub(1))
        .map(|i| plan.in_plan[i]);
    if json {
        return out.json(&json!({
            "date": ctx.today,
            "energy": if low { "low" } else { "normal" },
            "step": step,
            "stage_name": stage_name(lib, step.stage),
            "minutes": if low { step.short_minutes } else { step.minutes },
            "easier_step": if low { easier.map(|s| s.id) } else { None },
            "adaptations": adapt.iter().map(|(c, who, t)| json!({"condition": c, "for": who, "text": t})).collect::<Vec<_>>(),
            "body": body.iter().map(|(who, r, m, n)| json!({"partner": who, "region": r, "mark": m, "note": n})).collect::<Vec<_>>(),
            "holds": plan.holds.iter().map(|h| json!({"from_stage": h.from_stage, "until": h.until, "reason": h.reason})).collect::<Vec<_>>(),
        }));
    }
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
        for (c, who, t) in &adapt {
            out.line(&format!("- {c} ({who}): {t}"))?;
        }
    }
    if !body.is_empty() {
        out.line("\nBody maps:")?;
        for (who, r, m, n) in &body {
            out.line(&format!("- {}", body_sentence(who, r, *m, n)))?;
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
    out.line("\nStop or step back at any time. When you have both practised this enough, each of you says so privately with `touch-plan ready`.")
}

pub(crate) fn rules(ctx: &Context) -> Result<()> {
    let lib = ctx.library()?;
    let mut out = Out::default();
    for r in &lib.rules {
        out.line(&format!("- {r}"))?;
    }
    Ok(())
}
