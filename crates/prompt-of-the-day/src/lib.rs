//! prompt-of-the-day: the command line, turned once into validated requests and run.

mod answer;
mod browse;
mod today;

use chrono::NaiveDate;
use clap::{Parser, Subcommand};
use closer_cli::couple::CoupleCommand;
use closer_cli::output::Format;
use closer_cli::{AFTER_HELP, Context, Energy, Extra, Globals};
use closer_core::Result;
use closer_core::dates::date_arg;
use closer_core::profile::Couple;
use closer_core::prompts::{Filter, check_categories};
use std::path::PathBuf;

/// One conversation prompt a day, the same for both partners, never repeating until the
/// library is used up. With no arguments and no set-up it prints today's prompt: built for cron.
#[derive(Parser, Debug)]
#[command(name = "prompt-of-the-day", version, after_help = AFTER_HELP)]
pub struct Cli {
    #[command(flatten)]
    globals: Globals,
    #[command(flatten)]
    show: ShowArgs,
    #[command(subcommand)]
    cmd: Option<Cmd>,
}

#[derive(clap::Args, Debug, Clone)]
struct Choice {
    /// The day [default: today]
    #[arg(long, value_parser = date_arg, value_name = "YYYY-MM-DD")]
    date: Option<NaiveDate>,
    /// `low`: only prompts that suit a low-energy or flare day; `normal`: any prompt
    /// [default: low when either of you said so with `couple energy low`]
    #[arg(long, value_enum, value_name = "LEVEL")]
    energy: Option<Energy>,
    /// Only prompts from this category (repeatable; `categories` lists them)
    #[arg(long = "category", value_name = "NAME")]
    categories: Vec<String>,
    /// Not today: another prompt for this day, leaving tomorrow's unchanged
    #[arg(long)]
    skip: bool,
}

#[derive(clap::Args, Debug, Clone)]
struct ShowArgs {
    #[command(flatten)]
    choice: Choice,
    /// Print JSON: id, date, text, category, depth, low_energy, sexual, tags
    #[arg(long, conflicts_with = "markdown")]
    json: bool,
    /// Print a Markdown block for a daily note
    #[arg(long)]
    markdown: bool,
    /// Append the Markdown block to this note (created if needed); running it twice appends once
    #[arg(long, value_name = "FILE", conflicts_with = "json")]
    append_to: Option<PathBuf>,
}

#[derive(Subcommand, Debug)]
#[command(defer = true)]
enum Cmd {
    /// Store your answer to the day's prompt (`-` reads standard input; on a terminal with no
    /// text, opens $EDITOR). Answering again corrects it. You read your partner's answer once you
    /// have answered or passed
    Answer(answer::AnswerArgs),
    /// Past prompts with both partners' answers
    History(browse::HistoryArgs),
    /// Browse the prompts your couple can get
    List(browse::ListArgs),
    /// The categories, with how many prompts each holds for your couple
    Categories {
        #[command(flatten)]
        format: Format,
    },
    #[command(flatten)]
    Couple(CoupleCommand),
    #[command(flatten)]
    Extra(Extra),
}

/// A validated choice of prompt, for the couple in the data folder (possibly none set up yet).
struct Request {
    couple: Couple,
    date: NaiveDate,
    filter: Filter,
    skip: bool,
}

impl Choice {
    fn validate(&self, ctx: &Context) -> Result<Request> {
        let categories = check_categories(ctx.library()?, &self.categories)?;
        let couple = ctx.couple()?;
        let date = ctx.day(self.date);
        Ok(Request {
            filter: Filter {
                low_energy: ctx.low_energy(&couple, date, self.energy)?,
                categories,
            },
            couple,
            date,
            skip: self.skip,
        })
    }
}

/// Runs the command line of the binary called `tool`.
pub fn run(cli: Cli, tool: &'static str) -> Result<()> {
    let ctx = Context::new(tool, &cli.globals)?;
    // Answers the other partner may now read are sealed to them too; a failure here leaves
    // them as they were and does not stop the command.
    let memo = ctx.cache_dir.as_ref().map(|c| {
        c.join(format!(
            "answers-{}.tended",
            closer_core::index::folder_key(&ctx.store)
        ))
    });
    let now = std::time::SystemTime::now();
    if let Err(e) = closer_core::answer_book::tend_when_changed(&ctx.store, memo.as_deref(), now) {
        closer_cli::output::say(&format!("Your answers could not be shared yet: {e}"));
    }
    match cli.cmd {
        None => today::run(&ctx, &cli.show),
        Some(Cmd::Answer(args)) => answer::run(&ctx, args),
        Some(Cmd::History(args)) => browse::history(&ctx, args),
        Some(Cmd::List(args)) => browse::list(&ctx, args),
        Some(Cmd::Categories { format }) => browse::categories(&ctx, format),
        Some(Cmd::Couple(c)) => c.run(&ctx),
        Some(Cmd::Extra(e)) => e.run::<Cli>(tool),
    }
}
