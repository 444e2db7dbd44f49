//! export: the command line, turned once into a validated request and run.

mod clinician;
mod csv;
mod gather;
mod ics;
mod jrnl;
mod json;
mod manifest;
mod markdown;
mod notes;
mod org;
mod redact;
mod restore;
mod touch_facts;

use chrono::NaiveDate;
use clap::{Parser, Subcommand, ValueEnum};
use closer_cli::couple::{self, CoupleArgs};
use closer_cli::output::Out;
use closer_cli::{AFTER_HELP, Context, Extra, Globals};
use closer_core::dates::date_arg;
use closer_core::{Error, Result};
use gather::{Filters, Kind};
use std::path::PathBuf;

/// Everything the partner at the keyboard may see, out as Markdown (the default), JSON, CSV,
/// jrnl or org on standard output, or as a folder of notes for Obsidian or Joplin. `--format ics`
/// is a calendar of review dates and hold end dates, for any calendar program. Private records
/// appear only for their author; sexual content only if you both opted in.
///
/// `export` is also a shell builtin; in scripts and cron use the same program as `closer-export`.
#[derive(Parser, Debug)]
#[command(name = "export", version, after_help = AFTER_HELP)]
pub struct Cli {
    #[command(flatten)]
    globals: Globals,
    #[command(flatten)]
    args: ExportArgs,
    #[command(subcommand)]
    cmd: Option<Cmd>,
}

#[derive(clap::Args, Debug)]
struct ExportArgs {
    /// The output format
    #[arg(long, value_enum, default_value = "markdown")]
    format: Format,
    /// Only these kinds of record (comma-separated)
    #[arg(long, value_enum, value_delimiter = ',', value_name = "KINDS")]
    only: Vec<Kind>,
    /// Only records from this day on
    #[arg(long, value_parser = date_arg, value_name = "YYYY-MM-DD")]
    since: Option<NaiveDate>,
    /// Only records up to and including this day
    #[arg(long, value_parser = date_arg, value_name = "YYYY-MM-DD")]
    until: Option<NaiveDate>,
    /// Only this partner's records
    #[arg(long, value_name = "NAME")]
    by: Option<String>,
    /// Write "Partner A", "Partner B" instead of names, in free text too, and "a helper" for
    /// anyone outside the couple; leave out everything private (for sharing with a therapist)
    #[arg(long)]
    redact_names: bool,
    /// CSV only: leave out the byte order mark. It is there by default so that spreadsheet
    /// programs show names like "Zoë" as they are
    #[arg(long)]
    no_bom: bool,
    /// One Markdown page to hand to a doctor, nurse or therapist: conditions, needs and what you
    /// agreed, holds, how far the touch plan has come, what was too much, and the questions you
    /// wrote down. Nothing private; names redacted unless --show-names
    #[arg(long, conflicts_with_all = ["format", "to_dir", "only"])]
    for_clinician: bool,
    /// With --for-clinician: keep your names on the page
    #[arg(long, requires = "for_clinician")]
    show_names: bool,
    /// Write one note per day and one per need into this folder, instead of standard output
    #[arg(long, value_name = "DIR", conflicts_with = "format")]
    to_dir: Option<PathBuf>,
    /// The notes app the folder is for
    #[arg(long, value_enum, default_value = "obsidian", requires = "to_dir")]
    layout: Layout,
    /// With --to-dir: print nothing when all went well (for cron, which mails any output)
    #[arg(long, short, requires = "to_dir")]
    quiet: bool,
}

#[derive(ValueEnum, Debug, Clone, Copy, PartialEq, Eq)]
enum Format {
    Markdown,
    Json,
    Csv,
    Jrnl,
    Org,
    Ics,
}

#[derive(ValueEnum, Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Layout {
    Obsidian,
    Joplin,
}

#[derive(Subcommand, Debug)]
enum Cmd {
    /// Who the partners are, their conditions and opt-ins
    Couple(CoupleArgs),
    Restore(restore::RestoreArgs),
    #[command(flatten)]
    Extra(Extra),
}

/// Runs the command line of the binary called `tool`.
pub fn run(cli: Cli, tool: &'static str) -> Result<()> {
    let ctx = Context::new(tool, &cli.globals)?;
    match cli.cmd {
        Some(Cmd::Couple(args)) => return couple::run(&ctx, &args),
        Some(Cmd::Restore(args)) => return restore::run(&ctx, &args),
        Some(Cmd::Extra(e)) => return e.run::<Cli>(tool),
        None => {}
    }
    let a = cli.args;
    closer_core::dates::check_range(a.since, a.until)?;
    let couple = ctx.couple()?;
    let by =
        a.by.as_deref()
            .map(|n| couple.find(n).map(|p| p.id.clone()))
            .transpose()?;
    if a.no_bom && a.format != Format::Csv {
        return Err(Error::usage("--no-bom goes with --format csv"));
    }
    if a.format == Format::Csv && a.only.len() != 1 {
        return Err(Error::usage(
            "CSV holds one kind of record per run: add --only needs, --only touch or --only prompts",
        ));
    }
    let filters = Filters {
        only: a.only,
        since: a.since,
        until: a.until,
        by: by.map(String::from),
        redact: a.redact_names || (a.for_clinician && !a.show_names),
        shared_only: a.for_clinician,
    };
    if let Some(dir) = &a.to_dir {
        notes::prepare(dir)?;
        let data = gather::gather(&ctx, &filters)?;
        return notes::write(dir, a.layout, &data, a.quiet);
    }
    let data = gather::gather(&ctx, &filters)?;
    let mut out = Out::default();
    if a.for_clinician {
        clinician::write(&data, &mut out)?;
        return out.flush();
    }
    match a.format {
        Format::Markdown => markdown::write(&data, &mut out),
        Format::Json => json::write(&data, &mut out),
        Format::Csv => csv::write(&data, filters.only[0], !a.no_bom, &mut out),
        Format::Jrnl => jrnl::write(&data, &mut out),
        Format::Org => org::write(&data, &mut out),
        Format::Ics => ics::write(&data, &mut out),
    }?;
    out.flush()
}
