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
use closer_cli::couple::CoupleCommand;
use closer_cli::output::Out;
use closer_cli::{AFTER_HELP, Context, Extra, Globals};
use closer_core::dates::date_arg;
use closer_core::export_place::check_notes_folder;
use closer_core::profile::Couple;
use closer_core::{Error, Result};
use gather::{Filters, Kind};
use std::path::{Path, PathBuf};

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
#[command(defer = true)]
enum Cmd {
    #[command(flatten)]
    Couple(CoupleCommand),
    /// Rebuild a data folder from a JSON export: adds every record the folder does not have yet,
    /// never changes one it has. Records in a partner's name are added only when that partner
    /// restores (`--as NAME`): each partner restores their own export to get the whole couple back.
    Restore(restore::RestoreArgs),
    #[command(flatten)]
    Extra(Extra),
}

/// Where the export goes, checked: the clinician's page, a folder of notes, or a format on
/// standard output.
#[derive(Debug, PartialEq)]
enum Target {
    Clinician,
    Notes {
        dir: PathBuf,
        layout: Layout,
        quiet: bool,
    },
    Stdout {
        format: Format,
        /// CSV only: start with a byte order mark.
        bom: bool,
    },
}

/// An export, checked: a span whose first day is not after its last, a partner of the couple,
/// CSV of one kind of record, a notes folder outside the data and config folders.
#[derive(Debug)]
struct ExportRequest {
    filters: Filters,
    target: Target,
}

impl ExportArgs {
    fn validate(self, couple: &Couple, data: &Path, config: &Path) -> Result<ExportRequest> {
        closer_core::dates::check_range(self.since, self.until)?;
        let by = self
            .by
            .as_deref()
            .map(|n| couple.find(n).map(|p| p.id.to_string()))
            .transpose()?;
        if self.no_bom && self.format != Format::Csv {
            return Err(Error::usage("--no-bom goes with --format csv"));
        }
        if self.format == Format::Csv && self.only.len() != 1 {
            return Err(Error::usage(
                "CSV holds one kind of record per run: add --only needs, --only touch or --only prompts",
            ));
        }
        let target = match self.to_dir {
            _ if self.for_clinician => Target::Clinician,
            Some(dir) => {
                check_notes_folder(&dir, data, config)?;
                Target::Notes {
                    dir,
                    layout: self.layout,
                    quiet: self.quiet,
                }
            }
            None => Target::Stdout {
                format: self.format,
                bom: !self.no_bom,
            },
        };
        Ok(ExportRequest {
            filters: Filters {
                only: self.only,
                since: self.since,
                until: self.until,
                by,
                redact: self.redact_names || (self.for_clinician && !self.show_names),
                shared_only: self.for_clinician,
            },
            target,
        })
    }
}

/// Runs the command line of the binary called `tool`.
pub fn run(cli: Cli, tool: &'static str) -> Result<()> {
    let ctx = Context::new(tool, &cli.globals)?;
    match cli.cmd {
        Some(Cmd::Couple(c)) => c.run(&ctx),
        Some(Cmd::Restore(args)) => restore::run(&ctx, &args),
        Some(Cmd::Extra(e)) => e.run::<Cli>(tool),
        None => export(&ctx, cli.args),
    }
}

fn export(ctx: &Context, args: ExportArgs) -> Result<()> {
    let ExportRequest { filters, target } =
        args.validate(&ctx.couple()?, ctx.store.root(), &ctx.config_dir)?;
    if let Target::Notes { dir, layout, quiet } = &target {
        notes::prepare(dir)?;
        let data = gather::gather(ctx, &filters)?;
        return notes::write(dir, *layout, &data, *quiet);
    }
    let data = gather::gather(ctx, &filters)?;
    let mut out = Out::default();
    match target {
        Target::Clinician => clinician::write(&data, &mut out),
        Target::Notes { .. } => unreachable!("written above"),
        Target::Stdout { format, bom } => match format {
            Format::Markdown => markdown::write(&data, &mut out),
            Format::Json => json::write(&data, &mut out),
            Format::Csv => csv::write(&data, filters.only[0], bom, &mut out),
            Format::Jrnl => jrnl::write(&data, &mut out),
            Format::Org => org::write(&data, &mut out),
            Format::Ics => ics::write(&data, &mut out),
        },
    }?;
    out.flush()
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::Parser;
    use closer_core::profile::Partner;

    fn couple() -> Couple {
        let p = |n: &str| Partner {
            extra: Default::default(),
            version: 1,
            id: format!("id{n}").parse().unwrap(),
            name: n.into(),
            conditions: vec![],
            removed_conditions: vec![],
            sexual: false,
            added: NaiveDate::from_ymd_opt(2026, 3, 1).unwrap(),
        };
        Couple {
            seed: 1,
            partners: vec![p("alex"), p("sam")],
            ..Default::default()
        }
    }

    fn request(args: &[&str]) -> Result<ExportRequest> {
        let cli = Cli::try_parse_from(std::iter::once("export").chain(args.iter().copied()))
            .expect("clap accepts it");
        cli.args
            .validate(&couple(), Path::new("/no/data"), Path::new("/no/config"))
    }

    fn usage_message(args: &[&str]) -> String {
        let e = request(args).expect_err("a mistake on the command line");
        assert_eq!(e.exit_code(), 2, "{e}");
        e.to_string()
    }

    #[test]
    fn an_export_is_checked_once_span_partner_and_csv_included() {
        let r = request(&[
            "--since",
            "2026-03-01",
            "--until",
            "2026-03-05",
            "--by",
            "Sam",
        ])
        .unwrap();
        assert_eq!(r.filters.by.as_deref(), Some("idsam"));
        assert_eq!(
            r.target,
            Target::Stdout {
                format: Format::Markdown,
                bom: true
            }
        );
        assert!(
            usage_message(&["--since", "2026-03-05", "--until", "2026-03-01"])
                .contains("swap them")
        );
        assert!(usage_message(&["--by", "Robin"]).contains("the partners are: alex, sam"));
        assert!(usage_message(&["--no-bom"]).contains("goes with --format csv"));
        assert!(usage_message(&["--format", "csv"]).contains("add --only needs"));
        let csv = request(&["--format", "csv", "--only", "needs", "--no-bom"]).unwrap();
        assert_eq!(
            csv.target,
            Target::Stdout {
                format: Format::Csv,
                bom: false
            }
        );
    }

    #[test]
    fn the_clinicians_page_is_shared_records_only_with_names_left_out_unless_asked() {
        let page = request(&["--for-clinician"]).unwrap();
        assert_eq!(page.target, Target::Clinician);
        assert!(page.filters.redact && page.filters.shared_only);
        let named = request(&["--for-clinician", "--show-names"]).unwrap();
        assert!(!named.filters.redact && named.filters.shared_only);
        let notes = request(&["--to-dir", "n", "--layout", "joplin", "-q"]).unwrap();
        assert_eq!(
            notes.target,
            Target::Notes {
                dir: "n".into(),
                layout: Layout::Joplin,
                quiet: true
            }
        );
    }
}
