//! The `couple` subcommand every tool carries: who the partners are, their conditions, their
//! opt-ins, and which partner uses this device.

use super::Context;
use super::output::{Format, Mode, Out, table};
use closer_core::error::{Error, Result};
use closer_core::profile::{self, Couple};
use serde_json::json;

#[derive(clap::Args, Debug, Clone)]
pub struct CoupleArgs {
    #[command(subcommand)]
    pub cmd: Option<CoupleCmd>,
    #[command(flatten)]
    pub format: Format,
}

#[derive(clap::Subcommand, Debug, Clone)]
pub enum CoupleCmd {
    /// Add a partner
    Add {
        name: String,
        /// A condition this partner lives with (repeatable; `couple conditions` lists them)
        #[arg(long = "condition", value_name = "TAG")]
        conditions: Vec<String>,
    },
    /// Replace a partner's conditions
    Set {
        name: String,
        /// A condition this partner lives with (repeatable)
        #[arg(
            long = "condition",
            value_name = "TAG",
            required_unless_present = "clear"
        )]
        conditions: Vec<String>,
        /// Remove all of this partner's conditions
        #[arg(long, conflicts_with = "conditions")]
        clear: bool,
    },
    /// Rename a partner (their records follow)
    Rename { old: String, new: String },
    /// Remove a partner from the profile (their records stay on disk)
    Remove {
        name: String,
        /// Do it without asking
        #[arg(long)]
        yes: bool,
    },
    /// Opt in, for yourself (--as), to content that needs both partners' consent
    OptIn {
        #[arg(value_enum)]
        what: OptIn,
    },
    /// Opt out, for yourself (--as); it takes effect at once for both of you
    OptOut {
        #[arg(value_enum)]
        what: OptIn,
    },
    /// List the condition tags partners can carry
    Conditions {
        #[command(flatten)]
        format: Format,
    },
    /// Say which partner uses this device (kept in this device's settings, not synced)
    Me {
        /// The partner's name; leave out to show the current setting
        name: Option<String>,
        /// Forget this device's setting
        #[arg(long, conflicts_with = "name")]
        forget: bool,
    },
}

#[derive(clap::ValueEnum, Debug, Clone, Copy)]
pub enum OptIn {
    /// Sexual prompts, steps and suggestions: shown only when every partner has opted in
    Sexual,
}

pub fn run(ctx: &Context, args: &CoupleArgs) -> Result<()> {
    let mut out = Out::default();
    let store = &ctx.store;
    match &args.cmd {
        None => show(ctx, args.format, &mut out),
        Some(CoupleCmd::Add { name, conditions }) => {
            let tags = profile::check_conditions(ctx.library()?, conditions)?;
            let p = profile::add(store, name, tags, ctx.today)?;
            crate::say!("Added {}.", p.name);
            if ctx.device()?.partner.is_none() && ctx.couple()?.partners.len() == 1 {
                crate::say!(
                    "Tell closer which of you uses this device with `{} couple me NAME`.",
                    ctx.tool
                );
            }
            Ok(())
        }
        Some(CoupleCmd::Set {
            name,
            conditions,
            clear: _,
        }) => {
            let tags = profile::check_conditions(ctx.library()?, conditions)?;
            let p = profile::update(store, name, |p| {
                p.conditions = tags;
                Ok(())
            })?;
            crate::say!("{}'s conditions: {}", p.name, list_or_none(&p.conditions));
            Ok(())
        }
        Some(CoupleCmd::Rename { old, new }) => {
            let p = profile::rename(store, old, new)?;
            crate::say!("Renamed to {}.", p.name);
            Ok(())
        }
        Some(CoupleCmd::Remove { name, yes }) => {
            let couple = ctx.couple()?;
            let p = couple.find(name)?;
            let q = format!(
                "Remove {} from the couple? Their records stay in the data folder.",
                p.name
            );
            if !ctx.confirm(&q, *yes, &format!("{} couple remove {}", ctx.tool, p.name))? {
                return Err(Error::invalid("nothing was removed"));
            }
            let p = profile::remove(store, name)?;
            crate::say!("Removed {}.", p.name);
            Ok(())
        }
        Some(CoupleCmd::OptIn {
            what: OptIn::Sexual,
        })
        | Some(CoupleCmd::OptOut {
            what: OptIn::Sexual,
        }) => {
            let on = matches!(args.cmd, Some(CoupleCmd::OptIn { .. }));
            let couple = ctx.require_couple()?;
            let me = ctx.me(&couple)?.name.clone();
            profile::update(store, &me, |p| {
                p.sexual = on;
                Ok(())
            })?;
            let couple = ctx.couple()?;
            if on {
                crate::say!(
                    "{me}: you have opted in. Sexual content is shown only when every partner has; your choice is not shown to anyone."
                );
            } else {
                crate::say!(
                    "{me}: you have opted out. Sexual content is off for both of you from now on."
                );
            }
            crate::say!(
                "Sexual content is now {}.",
                if couple.sexual_ok() { "on" } else { "off" }
            );
            Ok(())
        }
        Some(CoupleCmd::Conditions { format }) => conditions(ctx, *format, &mut out),
        Some(CoupleCmd::Me { name, forget }) => {
            if *forget {
                ctx.set_device(None)?;
                crate::say!("This device no longer says which partner uses it.");
                return Ok(());
            }
            let couple = ctx.couple()?;
            match name {
                Some(n) => {
                    let p = couple.find(n)?;
                    ctx.set_device(Some(p.id.clone()))?;
                    crate::say!("This device is {}'s.", p.name);
                }
                None => match ctx
                    .device()?
                    .partner
                    .and_then(|id| couple.by_id(&id).map(|p| p.name.clone()))
                {
                    Some(n) => out.line(&n)?,
                    None => crate::say!(
                        "This device does not say whose it is; set it with `{} couple me NAME`.",
                        ctx.tool
                    ),
                },
            }
            Ok(())
        }
    }
}

fn list_or_none(v: &[String]) -> String {
    if v.is_empty() {
        "none".into()
    } else {
        v.join(", ")
    }
}

/// The profile. Each partner's opt-in is private: only the joint result is shown, plus your own
/// choice when you say who you are.
fn show(ctx: &Context, format: Format, out: &mut Out) -> Result<()> {
    let couple: Couple = ctx.couple()?;
    let me = ctx.viewer(&couple)?;
    match format.mode(ctx.stdout_terminal) {
        Mode::Json => out.json(&json!({
            "partners": couple.partners.iter().map(|p| json!({
                "id": p.id, "name": p.name, "conditions": p.conditions, "added": p.added,
            })).collect::<Vec<_>>(),
            "sexual_content": couple.sexual_ok(),
            "you": me.map(|p| json!({"name": p.name, "sexual_opt_in": p.sexual})),
        })),
        Mode::Plain => {
            for p in &couple.partners {
                out.record(&[
                    p.name.as_str(),
                    &p.conditions.join(","),
                    &p.added.to_string(),
                ])?;
            }
            Ok(())
        }
        Mode::Table => {
            if couple.is_empty() {
                out.line(&format!(
                    "No couple is set up yet. Add each partner with `{} couple add NAME`.",
                    ctx.tool
                ))?;
                return Ok(());
            }
            let rows: Vec<Vec<String>> = couple
                .partners
                .iter()
                .map(|p| {
                    vec![
                        p.name.clone(),
                        list_or_none(&p.conditions),
                        p.added.to_string(),
                    ]
                })
                .collect();
            out.line(&table(
                &["partner", "conditions", "added"],
                &rows,
                ctx.width,
                ctx.color,
            ))?;
            let joint = if couple.sexual_ok() {
                "on (every partner opted in)"
            } else {
                "off"
            };
            out.line(&format!("Sexual content: {joint}"))?;
            if let Some(p) = me {
                let mine = if p.sexual { "opted in" } else { "not opted in" };
                out.line(&format!("You ({}): {mine}", p.name))?;
            }
            Ok(())
        }
    }
}

fn conditions(ctx: &Context, format: Format, out: &mut Out) -> Result<()> {
    let lib = ctx.library()?;
    match format.mode(ctx.stdout_terminal) {
        Mode::Json => out.json(&lib.conditions),
        Mode::Plain => {
            for c in &lib.conditions {
                out.record(&[c.id, c.name, c.description])?;
            }
            Ok(())
        }
        Mode::Table => {
            let rows: Vec<Vec<&str>> = lib
                .conditions
                .iter()
                .map(|c| vec![c.id, c.name, c.description])
                .collect();
            out.line(&table(
                &["tag", "name", "what it covers"],
                &rows,
                ctx.width,
                ctx.color,
            ))
        }
    }
}
