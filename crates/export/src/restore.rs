//! `restore FILE`: reads a JSON export (format 1 or 2) and adds every record it holds that the
//! data folder does not have yet (in a partner's name, only the restoring partner's own), then
//! says what it did and what it left out.

use chrono::NaiveDate;
use closer_cli::Context;
use closer_cli::output::Out;
use closer_core::ids::Id;
use closer_core::joint_changes::Change;
use closer_core::needs::Need;
use closer_core::prompts::Answer;
use closer_core::restore::{Backup, LeftOut, PartnerRecord, restore};
use closer_core::touch::{Debrief, Hold, Session, State};
use closer_core::{Error, Result};
use serde::Deserialize;
use std::collections::BTreeMap;
use std::path::PathBuf;

// `restore`: the command line, next to what it does.
#[derive(clap::Args, Debug)]
pub(crate) struct RestoreArgs {
    /// The file written by `--format json` (`-` for standard input)
    #[arg(value_name = "FILE")]
    file: PathBuf,
    /// Record the boundaries, readiness, body map and opt-in the export holds in your name
    /// without asking (they are listed first); only yours are ever restored
    #[arg(long)]
    yes: bool,
}

#[derive(Deserialize)]
struct Doc {
    schema: String,
    #[serde(default)]
    seed: Option<u64>,
    #[serde(default)]
    redacted: bool,
    #[serde(default)]
    no_future_prompts: bool,
    partners: Vec<PartnerIn>,
    needs: Vec<Need>,
    answers: Vec<Owned<Answer>>,
    /// Not in exports from before passes were kept.
    #[serde(default)]
    passes: Vec<Owned<Answer>>,
    touch: Option<TouchIn>,
}

#[derive(Deserialize)]
struct PartnerIn {
    id: Id,
    name: String,
    conditions: Vec<String>,
    added: NaiveDate,
    #[serde(default)]
    sexual: Option<bool>,
}

#[derive(Deserialize)]
struct Owned<T> {
    partner: Id,
    #[serde(flatten)]
    record: T,
}

#[derive(Deserialize)]
struct TouchIn {
    holds: Vec<Hold>,
    /// Exports made before closer kept changes of the joint result have none.
    #[serde(default)]
    changes: Vec<Change>,
    sessions: Vec<Owned<Session>>,
    debriefs: Vec<Owned<Debrief>>,
    mine: Option<State>,
}

fn owned<T>(v: Vec<Owned<T>>) -> Vec<(Id, T)> {
    v.into_iter().map(|o| (o.partner, o.record)).collect()
}

/// Reads and checks an export.
fn read(args: &RestoreArgs) -> Result<Backup> {
    let name = args.file.display();
    let text = if args.file.as_os_str() == "-" {
        std::io::read_to_string(std::io::stdin()).map_err(Error::Output)?
    } else {
        std::fs::read_to_string(&args.file).map_err(|e| Error::io(&args.file, e))?
    };
    let doc: Doc = serde_json::from_str(text.trim_start_matches('\u{feff}')).map_err(|e| {
        Error::invalid(format!(
            "{name} is not a closer JSON export (line {}, column {}: {e}); \
             make one with `closer-export --format json`",
            e.line(),
            e.column()
        ))
    })?;
    if !["closer-export/1", "closer-export/2"].contains(&doc.schema.as_str()) {
        return Err(Error::invalid(format!(
            "{name} is a {:?} export, which this closer cannot read; update closer",
            doc.schema
        )));
    }
    if doc.redacted {
        return Err(Error::invalid(format!(
            "{name} was made with --redact-names and holds no names or private records; \
             restore from an export made without it"
        )));
    }
    let created = doc.partners.iter().map(|p| p.added).min();
    let touch = doc.touch.unwrap_or(TouchIn {
        holds: Vec::new(),
        changes: Vec::new(),
        sessions: Vec::new(),
        debriefs: Vec::new(),
        mine: None,
    });
    Ok(Backup {
        couple: doc.seed.zip(created),
        no_future_prompts: doc.no_future_prompts,
        partners: doc
            .partners
            .into_iter()
            .map(|p| PartnerRecord {
                id: p.id,
                name: p.name,
                conditions: p.conditions,
                added: p.added,
                sexual: p.sexual,
            })
            .collect(),
        needs: doc.needs,
        // A sealed answer is only a placeholder for the other partner's: theirs restores it.
        answers: owned(doc.answers)
            .into_iter()
            .filter(|(_, a)| !a.sealed)
            .chain(owned(doc.passes).into_iter().filter(|(_, a)| a.passed))
            .collect(),
        holds: touch.holds,
        changes: touch.changes,
        sessions: owned(touch.sessions),
        debriefs: owned(touch.debriefs),
        mine: touch.mine,
    })
}

/// The partner restoring, among the export's partners: the one `--as` (or `CLOSER_AS`) names,
/// else this device's partner. Nothing is read or written in the folder to find out.
fn restorer(ctx: &Context, backup: &Backup) -> Result<Option<Id>> {
    let found = match &ctx.as_name {
        Some(n) => backup.partners.iter().find(|p| p.name == *n),
        None => match ctx.device()?.partner {
            Some(id) => backup.partners.iter().find(|p| p.id.as_str() == id),
            None => None,
        },
    };
    let Some(found) = found else {
        return Ok(None);
    };
    // In a folder that has the couple, `--as` is no way in: only with their key on this device.
    if let Some(p) =
        closer_core::profile::Couple::load_without_opt_ins(&ctx.store)?.by_id(&found.id)
    {
        ctx.gate(p)?;
    }
    Ok(Some(found.id.clone()))
}

/// Keeps, of the consent facts the export holds in a partner's name, only the restoring
/// partner's own, once listed and confirmed (on a terminal, or `--yes`); says what happened to
/// every other.
fn own_facts(
    ctx: &Context,
    args: &RestoreArgs,
    me: Option<&Id>,
    backup: &mut Backup,
) -> Result<()> {
    let owners = backup.own_facts_of();
    if owners.is_empty() {
        backup.keep_own_facts_of(None);
        return Ok(());
    }
    let name_of = |id: &Id| {
        (backup.partners.iter().find(|p| &p.id == id))
            .map_or_else(|| id.to_string(), |p| p.name.clone())
    };
    let file = args.file.display();
    let mut kept = None;
    for who in &owners {
        let name = name_of(who);
        if me != Some(who) {
            closer_cli::say!(
                "export: this export holds boundaries, readiness or an opt-in in {name}'s name; they were not restored. Only {name} restores their own, on their own device: `closer-export restore {file} --as {name}`."
            );
            continue;
        }
        let lib = ctx.library()?;
        let lines = backup.own_facts_said(who, |id| lib.step(id).map(|s| s.title.to_string()));
        closer_cli::say!("export: this export holds these as yours, {name}:");
        for l in &lines {
            closer_cli::say!("  {l}");
        }
        let yes = args.yes
            || (ctx.interactive
                && closer_cli::ask::confirm(
                    "Are these what you said yourself? Only then are they recorded as yours",
                )?);
        if yes {
            kept = Some(who.clone());
        } else {
            closer_cli::say!(
                "export: they were not recorded. If they are yours, run `closer-export restore {file}` again on a terminal, or with --yes."
            );
        }
    }
    backup.keep_own_facts_of(kept.as_ref());
    Ok(())
}

/// Names, a line per partner and kind, the records in a partner's name that were left out.
fn say_left_out(args: &RestoreArgs, backup: &Backup, left: &[LeftOut]) {
    const SHOWN: usize = 5;
    let file = args.file.display();
    let mut groups: BTreeMap<(&Id, &str), Vec<&str>> = BTreeMap::new();
    for l in left {
        groups
            .entry((&l.partner, l.kind))
            .or_default()
            .push(&l.which);
    }
    for ((who, kind), which) in groups {
        let name = (backup.partners.iter().find(|p| &p.id == who))
            .map_or_else(|| format!("partner {who}"), |p| p.name.clone());
        let (n, s) = (which.len(), if which.len() == 1 { "" } else { "s" });
        let mut named = which[..n.min(SHOWN)].join(", ");
        if n > SHOWN {
            named.push_str(&format!(" and {} more", n - SHOWN));
        }
        closer_cli::say!(
            "export: {file}: {n} {kind}{s} in {name}'s name not restored ({named}): an export carries no signature, so nothing shows {name} wrote them. {name} restores their own: `closer-export restore {file} --as {name}`."
        );
    }
}

pub(crate) fn run(ctx: &Context, args: &RestoreArgs) -> Result<()> {
    let mut backup = read(args)?;
    let me = restorer(ctx, &backup)?;
    own_facts(ctx, args, me.as_ref(), &mut backup)?;
    // Nothing there yet: a new couple's folder, which is encrypted.
    let new_folder = closer_core::sealing::folder_mode(&ctx.store)?.is_none()
        && !ctx.store.plain_path(closer_core::profile::COUPLE).exists();
    // Needs removed on this device from a plain folder and restored now are wanted back: its
    // doctor no longer names them as earlier versions put back.
    let absent: Vec<&closer_core::ids::Id> = match ctx.store.is_sealed() {
        true => Vec::new(),
        false => (backup.needs.iter())
            .filter(|n| !ctx.store.path(&closer_core::needs::path(&n.id)).exists())
            .map(|n| &n.id)
            .collect(),
    };
    let report = restore(&ctx.store, &backup, me.as_ref(), new_seed)?;
    let restored: Vec<_> = absent
        .into_iter()
        .filter(|id| ctx.store.path(&closer_core::needs::path(id)).exists())
        .collect();
    // Only a note for this device's doctor: the restore stands whatever becomes of it.
    if !restored.is_empty()
        && let Err(e) = closer_core::removed_here::forget(&ctx.removed_here(), restored)
    {
        closer_cli::say!(
            "export: this device could not note that the restored needs are wanted back ({e}); its `closer-export couple doctor` may name them as earlier versions put back"
        );
    }
    say_left_out(args, &backup, &report.left_out);
    let mut out = Out::default();
    for (kind, (added, there)) in &report.counts {
        out.line(&format!("{kind}: {added} added, {there} already there"))?;
    }
    closer_cli::say!(
        "export: restored {} records into {}; nothing that was there was changed",
        report.added(),
        ctx.store.root().display()
    );
    out.flush()?;
    if new_folder && let Err(e) = closer_cli::sealed::encrypt(ctx) {
        closer_cli::say!(
            "export: the restored records are plain files, which anyone who gets the folder can read; they could not be encrypted yet: {e}"
        );
        closer_cli::say!(
            "export: to encrypt them, run `closer-export couple encrypt --as NAME` on each of your devices, then once more on the first (each device makes its partner's key and seals what is theirs)."
        );
    }
    Ok(())
}

/// A fresh rotation seed, for exports made before they carried one.
fn new_seed() -> u64 {
    let mut seed = [0u8; 8];
    getrandom::fill(&mut seed).expect("the operating system's random number generator failed");
    u64::from_le_bytes(seed)
}
