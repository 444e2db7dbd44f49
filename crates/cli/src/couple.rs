//! The `couple` subcommand every tool carries: who the partners are, their conditions, their
//! opt-ins, and which partner uses this device.

use super::output::{Format, Out, Style, View, table};
use super::partners::{self, AddArgs, MeArgs, RemoveArgs, RenameArgs, SetArgs};
use super::{Context, Energy};
use chrono::NaiveDate;
use closer_core::content::Condition;
use closer_core::dates::date_arg;
use closer_core::error::{Error, Result};
use closer_core::ids::Id;
use closer_core::profile::{self, Couple};
use closer_core::{energy, joint_changes};
use serde::Serialize;

#[derive(clap::Args, Debug, Clone)]
pub struct CoupleArgs {
    #[command(subcommand)]
    pub cmd: Option<CoupleCmd>,
    #[command(flatten)]
    pub format: Format,
}

#[derive(clap::Subcommand, Debug, Clone)]
#[command(defer = true)]
pub enum CoupleCmd {
    /// Add a partner (their key is made on the device they use, when they first use it)
    Add(AddArgs),
    /// Change a partner's conditions: --condition replaces the whole list, --remove-condition
    /// takes one away (when someone heals), --clear removes them all
    Set(SetArgs),
    /// Rename a partner (their records follow)
    Rename(RenameArgs),
    /// Remove a partner from the profile (their records stay on disk); a partner who has a key,
    /// only on a device that holds it
    Remove(RemoveArgs),
    /// Opt in, for yourself (--as), to content that needs both partners' consent
    OptIn {
        /// What you opt in to
        #[arg(value_enum)]
        what: OptIn,
    },
    /// Opt out, for yourself (--as); it takes effect at once for both of you
    OptOut {
        /// What you opt out of
        #[arg(value_enum)]
        what: OptIn,
    },
    /// Leave out (off) or bring back (on) prompts that look years ahead, for a couple for whom
    /// the far future is hard to think about; no argument: show the setting
    FuturePrompts(FuturePromptsArgs),
    /// List the condition tags partners can carry
    Conditions {
        #[command(flatten)]
        format: Format,
    },
    /// Say once that today (or every day until --until) is a low-energy day: on both devices
    /// the prompt and the touch step are gentler until it ends. No level: show today.
    Energy(EnergyArgs),
    /// Today at a glance: the prompt, who has answered it (not what), the touch step, holds
    /// that lift soon and needs due for review. Plain text, also from cron.
    Today {
        #[command(flatten)]
        format: Format,
    },
    /// Merge what syncing two devices left behind (second versions of records, a couple set up
    /// on both devices) with nothing lost, and make the data folder private
    Doctor,
    #[command(flatten)]
    Keys(KeysCommand),
    /// Encrypt the data folder: every record becomes an age file only you two can open, each
    /// with your own key (new couples start encrypted). Safe to run again after an interruption;
    /// each of you runs it on your own device for your own records
    Encrypt,
    /// Store the records as plain files again (anyone who gets the folder can read them); each
    /// of you runs it on your own device for your own records
    Decrypt {
        /// Do it without asking
        #[arg(long)]
        yes: bool,
    },
    /// Say which partner uses this device (kept in this device's settings, not synced); makes
    /// that partner's key here if they have none yet
    Me(MeArgs),
}

/// `couple` itself, which every tool carries. Its arguments are built with the tool's (not when
/// it runs, as the tool's other commands are): clap's `help` command lists the commands of a
/// command built late without their own commands.
#[derive(clap::Subcommand, Debug, Clone)]
pub enum CoupleCommand {
    /// Who the partners are, their conditions and opt-ins
    Couple(CoupleArgs),
}

impl CoupleCommand {
    pub fn run(&self, ctx: &Context) -> Result<()> {
        let CoupleCommand::Couple(args) = self;
        run(ctx, args)
    }
}

/// `couple keys`, built with `couple`'s other commands for the same reason as [`CoupleCommand`].
#[derive(clap::Subcommand, Debug, Clone)]
pub enum KeysCommand {
    /// Your keys: fingerprints, a copy for your second device, the recovery key, a passphrase
    Keys {
        #[command(subcommand)]
        cmd: crate::keys_cmd::KeysCmd,
    },
}

#[derive(clap::ValueEnum, Debug, Clone, Copy)]
pub enum OptIn {
    /// Sexual prompts, steps and suggestions: shown only when every partner has opted in
    Sexual,
}

pub fn run(ctx: &Context, args: &CoupleArgs) -> Result<()> {
    let store = &ctx.store;
    match &args.cmd {
        None => show(ctx, args.format),
        Some(CoupleCmd::Add(a)) => partners::add(ctx, a),
        Some(CoupleCmd::Set(a)) => partners::set(ctx, a),
        Some(CoupleCmd::Rename(a)) => partners::rename(ctx, a),
        Some(CoupleCmd::Remove(a)) => partners::remove(ctx, a),
        Some(CoupleCmd::OptIn {
            what: OptIn::Sexual,
        })
        | Some(CoupleCmd::OptOut {
            what: OptIn::Sexual,
        }) => {
            let on = matches!(args.cmd, Some(CoupleCmd::OptIn { .. }));
            let couple = ctx.require_couple()?;
            let me = ctx.me(&couple)?.name.clone();
            // Any change of the joint result is recorded for both to see, from the joint result
            // as this device may know it; what is said here reads the same whatever the other
            // partner chose.
            ctx.recorded(|| {
                profile::update(store, &me, |p| {
                    p.sexual = on;
                    Ok(())
                })
            })?;
            if on {
                crate::say!(
                    "{me}: your yes is saved. Sexual content is on only when you both say yes; neither of you sees the other's answer."
                );
            } else {
                crate::say!(
                    "{me}: your no is saved. Sexual content is off for both of you from now on; neither of you sees the other's answer."
                );
            }
            Ok(())
        }
        Some(CoupleCmd::FuturePrompts(a)) => future_prompts(ctx, a),
        Some(CoupleCmd::Conditions { format }) => conditions(ctx, *format),
        Some(CoupleCmd::Today { format }) => crate::glance::run(ctx, *format),
        Some(CoupleCmd::Energy(a)) => energy_day(ctx, a),
        Some(CoupleCmd::Doctor) => crate::doctor::run(ctx),
        Some(CoupleCmd::Keys(KeysCommand::Keys { cmd })) => crate::keys_cmd::run(ctx, cmd),
        Some(CoupleCmd::Encrypt) => crate::sealed::encrypt(ctx),
        Some(CoupleCmd::Decrypt { yes }) => crate::sealed::decrypt(ctx, *yes),
        Some(CoupleCmd::Me(a)) => partners::me(ctx, a),
    }
}

// `couple future-prompts`: the command line, next to what it does.
#[derive(clap::Args, Debug, Clone)]
pub struct FuturePromptsArgs {
    /// `off` leaves them out, `on` brings them back
    #[arg(value_parser = ["on", "off"])]
    setting: Option<String>,
}

fn future_prompts(ctx: &Context, args: &FuturePromptsArgs) -> Result<()> {
    ctx.require_couple()?;
    if let Some(s) = &args.setting {
        profile::set_no_future_prompts(&ctx.store, s == "off")?;
    }
    let left_out = ctx.couple()?.no_future_prompts;
    crate::say!(
        "Prompts that look years ahead are {}.",
        if left_out { "left out" } else { "included" }
    );
    Ok(())
}

// `couple energy`: the command line, next to what it does.
#[derive(clap::Args, Debug, Clone)]
pub struct EnergyArgs {
    /// `low` for a low-energy or flare day; `normal` ends your low-energy days from today
    #[arg(value_enum, value_name = "LEVEL")]
    level: Option<Energy>,
    /// The last low-energy day (included) [default: today]
    #[arg(long, value_parser = date_arg, value_name = "YYYY-MM-DD", requires = "level")]
    until: Option<NaiveDate>,
}

/// What `couple energy` does, checked: low days from today to a last day not too far away,
/// their end, or (no level) what today is.
#[derive(Debug, PartialEq)]
enum EnergyRequest {
    Low(energy::Span),
    Normal,
    Show,
}

impl EnergyArgs {
    fn validate(&self, today: NaiveDate) -> Result<EnergyRequest> {
        match self.level {
            Some(Energy::Low) => Ok(EnergyRequest::Low(energy::check_until(today, self.until)?)),
            Some(Energy::Normal) if self.until.is_some() => Err(Error::usage(
                "--until goes with `low`: `couple energy low --until YYYY-MM-DD`",
            )),
            Some(Energy::Normal) => Ok(EnergyRequest::Normal),
            None => Ok(EnergyRequest::Show),
        }
    }
}

/// `couple energy`: says or ends a low-energy span for the partner at the keyboard, or shows
/// today. The tools show the other partner only that today is a gentle day (the days are in the
/// partner's own file, sealed to both: not a secret from the other partner's device).
fn energy_day(ctx: &Context, args: &EnergyArgs) -> Result<()> {
    let req = args.validate(ctx.today)?;
    let couple = ctx.require_couple()?;
    match req {
        EnergyRequest::Low(span) => {
            let me = ctx.me(&couple)?;
            let span = energy::say_low(&ctx.store, &me.id, span)?;
            let when = if span.until == ctx.today {
                "Today is a low-energy day".to_owned()
            } else {
                format!("Every day through {} is a low-energy day", span.until)
            };
            crate::say!(
                "{when} for you. On both devices the prompt and the touch step are gentler until then; the tools show your partner only that it is a gentle day. `{} couple energy normal` ends it.",
                ctx.tool
            );
            Ok(())
        }
        EnergyRequest::Normal => {
            let me = ctx.me(&couple)?;
            if energy::say_normal(&ctx.store, &me.id, ctx.today)? {
                crate::say!("Your low-energy days end today.");
            } else {
                crate::say!("You had not said today was a low-energy day; nothing changed.");
            }
            Ok(())
        }
        EnergyRequest::Show => {
            let mine = match ctx.viewer(&couple)? {
                Some(p) => energy::load(&ctx.store, &p.id)?.on(ctx.today),
                None => None,
            };
            let line = match mine {
                Some(s) if s.until == ctx.today => "You said today is a low-energy day.".to_owned(),
                Some(s) => format!(
                    "You said every day through {} is a low-energy day.",
                    s.until
                ),
                None if energy::gentle_on(&ctx.store, &couple, ctx.today)? => {
                    "Today is a gentle day.".to_owned()
                }
                None => "Today is an ordinary day.".to_owned(),
            };
            Out::default().line(&line)
        }
    }
}

/// `couple`: the profile. Each partner's opt-in is private: only the joint result is shown, plus
/// your own choice when you say who you are.
#[derive(Serialize)]
struct Profile<'a> {
    partners: Vec<PartnerView<'a>>,
    sexual_content: bool,
    /// The times sexual content was on for both and then off again.
    sexual_content_changes: Vec<joint_changes::Trace>,
    future_prompts: bool,
    you: Option<You<'a>>,
    #[serde(skip)]
    tool: &'a str,
}

#[derive(Serialize)]
struct PartnerView<'a> {
    id: &'a Id,
    name: &'a str,
    conditions: &'a [String],
    added: NaiveDate,
}

#[derive(Serialize)]
struct You<'a> {
    name: &'a str,
    sexual_opt_in: bool,
}

impl View for Profile<'_> {
    fn plain(&self, out: &mut Out) -> Result<()> {
        for p in &self.partners {
            out.record(&[p.name, &p.conditions.join(","), &p.added.to_string()])?;
        }
        Ok(())
    }

    fn table(&self, out: &mut Out, style: Style) -> Result<()> {
        if self.partners.is_empty() {
            return out.line(&format!(
                "No couple is set up yet. Add each partner with `{} couple add NAME`.",
                self.tool
            ));
        }
        let rows: Vec<Vec<String>> = self
            .partners
            .iter()
            .map(|p| {
                vec![
                    p.name.to_owned(),
                    partners::list_or_none(p.conditions),
                    p.added.to_string(),
                ]
            })
            .collect();
        out.line(&table(
            &["partner", "conditions", "added"],
            &rows,
            style.width,
            style.color,
        ))?;
        let joint = if self.sexual_content {
            "on (every partner opted in)"
        } else {
            "off"
        };
        out.line(&format!("Sexual content: {joint}"))?;
        for t in &self.sexual_content_changes {
            out.line(&t.text)?;
        }
        if let Some(p) = &self.you {
            let mine = if p.sexual_opt_in {
                "opted in"
            } else {
                "not opted in"
            };
            out.line(&format!("You ({}): {mine}", p.name))?;
        }
        Ok(())
    }
}

fn show(ctx: &Context, format: Format) -> Result<()> {
    let couple: Couple = ctx.couple()?;
    let me = ctx.viewer(&couple)?;
    let view = Profile {
        partners: couple
            .partners
            .iter()
            .map(|p| PartnerView {
                id: &p.id,
                name: &p.name,
                conditions: &p.conditions,
                added: p.added,
            })
            .collect(),
        sexual_content: couple.sexual_ok(),
        sexual_content_changes: sexual_traces(ctx, &couple)?,
        future_prompts: !couple.no_future_prompts,
        you: me.map(|p| You {
            name: &p.name,
            sexual_opt_in: p.sexual,
        }),
        tool: ctx.tool,
    };
    ctx.show(format, &view)
}

/// The times sexual content was on for both and then off again, said to both partners.
fn sexual_traces(ctx: &Context, couple: &Couple) -> Result<Vec<joint_changes::Trace>> {
    let all = joint_changes::load(&ctx.store)?;
    Ok(joint_changes::traces(ctx.library()?, couple, &all)
        .into_iter()
        .filter(|t| t.what == "sexual")
        .collect())
}

/// `couple conditions`: the condition tags of the library.
#[derive(Serialize)]
#[serde(transparent)]
struct Conditions<'a>(&'a [Condition]);

impl View for Conditions<'_> {
    fn plain(&self, out: &mut Out) -> Result<()> {
        for c in self.0 {
            out.record(&[c.id, c.name, c.description])?;
        }
        Ok(())
    }

    fn table(&self, out: &mut Out, style: Style) -> Result<()> {
        let rows: Vec<Vec<&str>> = self
            .0
            .iter()
            .map(|c| vec![c.id, c.name, c.description])
            .collect();
        out.line(&table(
            &["tag", "name", "what it covers"],
            &rows,
            style.width,
            style.color,
        ))
    }
}

fn conditions(ctx: &Context, format: Format) -> Result<()> {
    ctx.show(format, &Conditions(&ctx.library()?.conditions))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn low_energy_days_end_on_a_day_not_before_today_and_only_low_ones_take_one() {
        let day = |d| NaiveDate::from_ymd_opt(2026, 3, d).unwrap();
        let energy = |level, until| EnergyArgs { level, until }.validate(day(2));
        assert_eq!(
            energy(Some(Energy::Low), Some(day(4))).unwrap(),
            EnergyRequest::Low(energy::Span {
                from: day(2),
                until: day(4)
            })
        );
        assert_eq!(energy(None, None).unwrap(), EnergyRequest::Show);
        assert_eq!(
            energy(Some(Energy::Normal), None).unwrap(),
            EnergyRequest::Normal
        );
        for wrong in [
            energy(Some(Energy::Low), Some(day(1))),
            energy(Some(Energy::Normal), Some(day(4))),
        ] {
            let e = wrong.unwrap_err();
            assert_eq!(e.exit_code(), 2, "{e}");
        }
        let normal = energy(Some(Energy::Normal), Some(day(4))).unwrap_err();
        assert!(normal.to_string().contains("goes with `low`"), "{normal}");
    }
}
