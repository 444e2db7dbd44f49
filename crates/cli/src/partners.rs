//! `couple add`, `set`, `rename`, `remove` and `me`: who the partners are, their conditions, and
//! which of them uses this device. Each command's arguments are checked once into a request.

use super::Context;
use super::output::Out;
use closer_core::authority::Act;
use closer_core::content::Library;
use closer_core::error::{Error, Result};
use closer_core::profile;

// `couple add`: the command line, next to what it does.
#[derive(clap::Args, Debug, Clone)]
pub struct AddArgs {
    /// The partner's name, as you call each other
    name: String,
    /// A condition this partner lives with (repeatable; `couple conditions` lists them)
    #[arg(long = "condition", value_name = "TAG")]
    conditions: Vec<String>,
}

/// A partner to add, checked: conditions the library describes, a name that may be stored.
#[derive(Debug, PartialEq)]
struct AddRequest {
    name: String,
    conditions: Vec<String>,
}

impl AddArgs {
    fn validate(&self, lib: &Library) -> Result<AddRequest> {
        Ok(AddRequest {
            conditions: profile::check_conditions(lib, &self.conditions)?,
            name: profile::check_name(&self.name)?.to_owned(),
        })
    }
}

pub(crate) fn add(ctx: &Context, args: &AddArgs) -> Result<()> {
    let req = args.validate(ctx.library()?)?;
    let p = crate::sealed::add_partner(ctx, &req.name, req.conditions)?;
    if ctx.store.is_sealed() {
        crate::say!(
            "Added {n}. As this folder is encrypted, {n}'s key was made on this device, so this device can read and act as {n} until the key leaves it. If {n} uses another device, hand the key over: `{t} couple keys export FILE --as {n}` here, `{t} couple keys import FILE` on {n}'s device, then `{t} couple keys remove {n}` here. If a key and every copy of it are lost, what only that partner could read is gone for good.",
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

// `couple set`: the command line, next to what it does.
#[derive(clap::Args, Debug, Clone)]
pub struct SetArgs {
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
}

/// How a partner's conditions change, checked: a new list the library describes (empty to
/// clear them), or tags to take away (each one the partner must carry, checked with them).
#[derive(Debug, PartialEq)]
enum NewConditions {
    Replace(Vec<String>),
    Remove(Vec<String>),
}

impl SetArgs {
    fn validate(&self, lib: &Library) -> Result<NewConditions> {
        if self.remove.is_empty() {
            Ok(NewConditions::Replace(profile::check_conditions(
                lib,
                &self.conditions,
            )?))
        } else {
            Ok(NewConditions::Remove(self.remove.clone()))
        }
    }
}

pub(crate) fn set(ctx: &Context, args: &SetArgs) -> Result<()> {
    let change = args.validate(ctx.library()?)?;
    let couple = ctx.couple()?;
    ctx.speaks_for(&couple, couple.find(&args.name)?, Act::ChangeProfile)?;
    let p = profile::update(&ctx.store, &args.name, |p| {
        let tags = match &change {
            NewConditions::Replace(tags) => tags.clone(),
            NewConditions::Remove(tags) => profile::without_conditions(p, tags)?,
        };
        profile::set_conditions(p, tags);
        Ok(())
    })?;
    crate::say!("{}'s conditions: {}", p.name, list_or_none(&p.conditions));
    Ok(())
}

pub(crate) fn list_or_none(v: &[String]) -> String {
    if v.is_empty() {
        "none".into()
    } else {
        v.join(", ")
    }
}

// `couple rename`: the command line, next to what it does.
#[derive(clap::Args, Debug, Clone)]
pub struct RenameArgs {
    /// The name the partner has now
    old: String,
    /// The new name
    new: String,
}

pub(crate) fn rename(ctx: &Context, args: &RenameArgs) -> Result<()> {
    let couple = ctx.couple()?;
    ctx.speaks_for(&couple, couple.find(&args.old)?, Act::ChangeProfile)?;
    let p = profile::rename(&ctx.store, &args.old, &args.new)?;
    crate::say!("Renamed to {}.", p.name);
    Ok(())
}

// `couple remove`: the command line, next to what it does.
#[derive(clap::Args, Debug, Clone)]
pub struct RemoveArgs {
    /// The partner to remove
    name: String,
    /// Do it without asking
    #[arg(long)]
    yes: bool,
}

pub(crate) fn remove(ctx: &Context, args: &RemoveArgs) -> Result<()> {
    let couple = ctx.couple()?;
    let p = couple.find(&args.name)?;
    // Only where their key is: otherwise removing a partner and adding a new one of the same
    // name would be a way to act, and consent, as them.
    ctx.speaks_for(&couple, p, Act::Remove)?;
    let q = format!(
        "Remove {} from the couple? Their records stay in the data folder.",
        p.name
    );
    if !ctx.confirm(
        &q,
        args.yes,
        &format!("{} couple remove {}", ctx.tool, p.name),
    )? {
        return Err(Error::Declined { done: "removed" });
    }
    let p = profile::remove(&ctx.store, &args.name)?;
    crate::say!("Removed {}.", p.name);
    Ok(())
}

// `couple me`: the command line, next to what it does.
#[derive(clap::Args, Debug, Clone)]
pub struct MeArgs {
    /// The partner's name; leave out to show the current setting
    name: Option<String>,
    /// Forget this device's setting
    #[arg(long, conflicts_with = "name")]
    forget: bool,
}

pub(crate) fn me(ctx: &Context, args: &MeArgs) -> Result<()> {
    if args.forget {
        ctx.set_device(None)?;
        crate::say!("This device no longer says which partner uses it.");
        return Ok(());
    }
    let couple = ctx.couple()?;
    match &args.name {
        Some(n) => {
            let p = couple.find(n)?;
            if !ctx.holds_key(p) && !ctx.take_over(p)? && ctx.make_key(p)? {
                ctx.say_key_made(p);
                ctx.offer_passphrases(&couple)?;
            }
            ctx.unlock(p)?;
            ctx.set_device(Some(&p.id))?;
            closer_core::libraries::publish(&ctx.store, &p.id, &ctx.library()?.fingerprint())?;
            crate::say!("This device is {}'s.", p.name);
        }
        None => match ctx
            .device()?
            .partner
            .and_then(|id| couple.by_id(&id).map(|p| p.name.clone()))
        {
            Some(n) => Out::default().line(&n)?,
            None => crate::say!(
                "This device does not say whose it is; set it with `{} couple me NAME`.",
                ctx.tool
            ),
        },
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_new_partner_has_a_name_and_conditions_the_library_describes() {
        let lib = Library::builtin();
        let add = |name: &str, conditions: &[&str]| {
            AddArgs {
                name: name.into(),
                conditions: conditions.iter().map(|c| c.to_string()).collect(),
            }
            .validate(&lib)
        };
        assert_eq!(
            add(" Alex ", &["Arthritis", "arthritis"]).unwrap(),
            AddRequest {
                name: "Alex".into(),
                conditions: vec!["arthritis".into()]
            }
        );
        let blank = add(" ", &[]).unwrap_err();
        assert_eq!(blank.exit_code(), 2);
        assert!(blank.to_string().contains("cannot be empty"), "{blank}");
        let unknown = add("Alex", &["flu"]).unwrap_err();
        assert_eq!(unknown.exit_code(), 2);
        assert!(
            crate::hint(&unknown, "needs-list")
                .contains("`needs-list couple conditions` lists them")
        );
    }

    #[test]
    fn conditions_are_replaced_by_known_ones_cleared_or_taken_away_one_by_one() {
        let lib = Library::builtin();
        let set = |conditions: &[&str], remove: &[&str], clear| {
            SetArgs {
                name: "Alex".into(),
                conditions: conditions.iter().map(|c| c.to_string()).collect(),
                remove: remove.iter().map(|c| c.to_string()).collect(),
                clear,
            }
            .validate(&lib)
        };
        assert_eq!(
            set(&["arthritis"], &[], false).unwrap(),
            NewConditions::Replace(vec!["arthritis".into()])
        );
        assert_eq!(set(&[], &[], true).unwrap(), NewConditions::Replace(vec![]));
        assert_eq!(
            set(&[], &["arthritis"], false).unwrap(),
            NewConditions::Remove(vec!["arthritis".into()])
        );
        assert_eq!(set(&["flu"], &[], false).unwrap_err().exit_code(), 2);
    }
}
