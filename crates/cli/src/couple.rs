//! The `couple` subcommand every tool carries: who the partners are, their conditions, their
//! opt-ins, and which partner uses this device.

use super::output::{Format, Out, Style, View, table};
use super::{Context, Energy};
use chrono::NaiveDate;
use closer_core::authority::Act;
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
pub enum CoupleCmd {
    /// Add a partner (their key is made on the device they use, when they first use it)
    Add {
        /// The partner's name, as you call each other
        name: String,
        /// A condition this partner lives with (repeatable; `couple conditions` lists them)
        #[arg(long = "condition", value_name = "TAG")]
        conditions: Vec<String>,
    },
    /// Change a partner's conditions: --condition replaces the whole list, --remove-condition
    /// takes one away (when someone heals), --clear removes them all
    Set {
        /// The partner whose conditions change
        name: String,
        /// A condition this partner lives with (repeatable); replaces the list
        #[arg(
            long = "condition",
            value_name = "TAG",
            required_unless_present_any = ["clear", "remove"]
        )]
        conditions: Vec<String>,
        /// A condition this partner no longer lives with (repeatable); the others stay
        #[arg(long = "remove-condition", value_name = "TAG", conflicts_with_all = ["conditions", "clear"])]
        remove: Vec<String>,
        /// Remove all of this partner's conditions
        #[arg(long, conflicts_with = "conditions")]
        clear: bool,
    },
    /// Rename a partner (their records follow)
    Rename {
        /// The name the partner has now
        old: String,
        /// The new name
        new: String,
    },
    /// Remove a partner from the profile (their records stay on disk); a partner who has a key,
    /// only on a device that holds it
    Remove {
        /// The partner to remove
        name: String,
        /// Do it without asking
        #[arg(long)]
        yes: bool,
    },
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
    FuturePrompts {
        /// `off` leaves them out, `on` brings them back
        #[arg(value_parser = ["on", "off"])]
        setting: Option<String>,
    },
    /// List the condition tags partners can carry
    Conditions {
        #[command(flatten)]
        format: Format,
    },
    /// Say once that today (or every day until --until) is a low-energy day: on both devices
    /// the prompt and the touch step are gentler until it ends. No level: show today.
    Energy {
        /// `low` for a low-energy or flare day; `normal` ends your low-energy days from today
        #[arg(value_enum, value_name = "LEVEL")]
        level: Option<Energy>,
        /// The last low-energy day (included) [default: today]
        #[arg(long, value_parser = date_arg, value_name = "YYYY-MM-DD", requires = "level")]
        until: Option<NaiveDate>,
    },
    /// Today at a glance: the prompt, who has answered it (not what), the touch step, holds
    /// that lift soon and needs due for review. Plain text, also from cron.
    Today {
        #[command(flatten)]
        format: Format,
    },
    /// Merge what syncing two devices left behind (second versions of records, a couple set up
    /// on both devices) with nothing lost, and make the data folder private
    Doctor,
    /// Your keys: fingerprints, a copy for your second device, the recovery key, a passphrase
    Keys {
        #[command(subcommand)]
        cmd: crate::keys_cmd::KeysCmd,
    },
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
        None => show(ctx, args.format),
        Some(CoupleCmd::Add { name, conditions }) => {
            let tags = profile::check_conditions(ctx.library()?, conditions)?;
            let p = crate::sealed::add_partner(ctx, name, tags)?;
            if ctx.store.is_sealed() {
                crate::say!(
                    "Added {n}. {n}'s key is on this device, as this folder is encrypted: to use {n}'s own device, `{t} couple keys export FILE --as {n}` here and `{t} couple keys import FILE` there. If a key and every copy of it are lost, what only that partner could read is gone for good.",
                    n = p.name,
                    t = ctx.tool
                );
            } else {
                crate::say!(
                    "Added {n}. {n}'s key is made on the device {n} uses, the first time {n} uses closer there; then `{t} couple keys recovery --as {n}` prints a recovery key to write down. If a key and every copy of it are lost, what only that partner could read is gone for good.",
                    n = p.name,
                    t = ctx.tool
                );
            }
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
            remove,
            clear: _,
        }) => {
            let tags = profile::check_conditions(ctx.library()?, conditions)?;
            let couple = ctx.couple()?;
            ctx.speaks_for(&couple, couple.find(name)?, Act::ChangeProfile)?;
            let p = profile::update(store, name, |p| {
                p.conditions = if remove.is_empty() {
                    tags
                } else {
                    profile::without_conditions(p, remove)?
                };
                Ok(())
            })?;
            crate::say!("{}'s conditions: {}", p.name, list_or_none(&p.conditions));
            Ok(())
        }
        Some(CoupleCmd::Rename { old, new }) => {
            let couple = ctx.couple()?;
            ctx.speaks_for(&couple, couple.find(old)?, Act::ChangeProfile)?;
            let p = profile::rename(store, old, new)?;
            crate::say!("Renamed to {}.", p.name);
            Ok(())
        }
        Some(CoupleCmd::Remove { name, yes }) => {
            let couple = ctx.couple()?;
            let p = couple.find(name)?;
            // Only where their key is: otherwise removing a partner and adding a new one of
            // the same name would be a way to act, and consent, as them.
            ctx.speaks_for(&couple, p, Act::Remove)?;
            let q = format!(
                "Remove {} from the couple? Their records stay in the data folder.",
                p.name
            );
            if !ctx.confirm(&q, *yes, &format!("{} couple remove {}", ctx.tool, p.name))? {
                return Err(Error::Declined { done: "removed" });
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
            // Any change of the joint result is recorded for both to see; what is said here
            // reads the same whatever the other partner chose.
            joint_changes::around(store, ctx.library()?, ctx.today, ctx.now, || {
                profile::update(store, &me, |p| {
                    p.sexual = on;
                    Ok(())
                })
            })?;
            // On a device that knows the other's opt-in only through the exchange, the joint
            // result before and after is the exchange's.
            let mut after = Couple::load(store)?;
            if ctx.joint_opt_in(&mut after)? && couple.sexual_ok() != after.sexual_ok() {
                let word = |on: bool| if on { "on" } else { "off" }.to_owned();
                joint_changes::record(
                    store,
                    &[(
                        joint_changes::What::Sexual,
                        word(couple.sexual_ok()),
                        word(after.sexual_ok()),
                    )],
                    ctx.today,
                    ctx.now,
                )?;
            }
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
        Some(CoupleCmd::FuturePrompts { setting }) => {
            ctx.require_couple()?;
            if let Some(s) = setting {
                profile::set_no_future_prompts(store, s == "off")?;
            }
            let left_out = ctx.couple()?.no_future_prompts;
            crate::say!(
                "Prompts that look years ahead are {}.",
                if left_out { "left out" } else { "included" }
            );
            Ok(())
        }
        Some(CoupleCmd::Conditions { format }) => conditions(ctx, *format),
        Some(CoupleCmd::Today { format }) => crate::glance::run(ctx, *format),
        Some(CoupleCmd::Energy { level, until }) => energy_day(ctx, *level, *until, &mut out),
        Some(CoupleCmd::Doctor) => crate::doctor::run(ctx),
        Some(CoupleCmd::Keys { cmd }) => crate::keys_cmd::run(ctx, cmd),
        Some(CoupleCmd::Encrypt) => crate::sealed::encrypt(ctx),
        Some(CoupleCmd::Decrypt { yes }) => crate::sealed::decrypt(ctx, *yes),
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
                    if !ctx.holds_key(p) && ctx.make_key(p)? {
                        ctx.say_key_made(p);
                        ctx.offer_passphrases(&couple)?;
                    }
                    ctx.unlock(p)?;
                    ctx.set_device(Some(&p.id))?;
                    closer_core::libraries::publish(
                        &ctx.store,
                        &p.id,
                        &ctx.library()?.fingerprint(),
                    )?;
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

/// `couple energy`: says or ends a low-energy span for the partner at the keyboard, or shows
/// today. The other partner learns only that today is a gentle day.
fn energy_day(
    ctx: &Context,
    level: Option<Energy>,
    until: Option<NaiveDate>,
    out: &mut Out,
) -> Result<()> {
    let couple = ctx.require_couple()?;
    match level {
        Some(Energy::Low) => {
            let me = ctx.me(&couple)?;
            let span = energy::check_until(ctx.today, until)?;
            let span = energy::say_low(&ctx.store, &me.id, span)?;
            let when = if span.until == ctx.today {
                "Today is a low-energy day".to_owned()
            } else {
                format!("Every day through {} is a low-energy day", span.until)
            };
            crate::say!(
                "{when} for you. On both devices the prompt and the touch step are gentler until then; your partner sees only that it is a gentle day. `{} couple energy normal` ends it.",
                ctx.tool
            );
            Ok(())
        }
        Some(Energy::Normal) => {
            if until.is_some() {
                return Err(Error::usage(
                    "--until goes with `low`: `couple energy low --until YYYY-MM-DD`",
                ));
            }
            let me = ctx.me(&couple)?;
            if energy::say_normal(&ctx.store, &me.id, ctx.today)? {
                crate::say!("Your low-energy days end today.");
            } else {
                crate::say!("You had not said today was a low-energy day; nothing changed.");
            }
            Ok(())
        }
        None => {
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
            out.line(&line)
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
                    list_or_none(p.conditions),
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
