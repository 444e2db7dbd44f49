//! needs-list: the command line, turned once into validated requests and run.

mod change;
mod list;
mod review;
mod suggest;

use chrono::NaiveDate;
use clap::{Parser, Subcommand};
use closer_cli::couple::{self, CoupleArgs};
use closer_cli::output::Format;
use closer_cli::{AFTER_HELP, Context, Extra, Globals};
use closer_core::Result;
use closer_core::dates::date_arg;
use closer_core::needs::{Importance, Status};

/// What each partner needs because of a condition (or of caring), what the couple agreed, who
/// helps, and when to look again. With no command, lists the needs still being worked on.
#[derive(Parser, Debug)]
#[command(name = "needs-list", version, after_help = AFTER_HELP)]
pub struct Cli {
    #[command(flatten)]
    globals: Globals,
    #[command(flatten)]
    list: ListArgs,
    #[command(subcommand)]
    cmd: Option<Cmd>,
}

#[derive(clap::Args, Debug, Clone, Default)]
pub(crate) struct ListArgs {
    /// Include needs that are met or retired
    #[arg(long)]
    all: bool,
    /// Only this partner's needs
    #[arg(long, value_name = "NAME")]
    by: Option<String>,
    /// Only needs with this status
    #[arg(long, value_parser = closer_cli::word_parser::<Status>())]
    status: Option<Status>,
    /// Only needs in this category
    #[arg(long, value_name = "CATEGORY")]
    category: Option<String>,
    /// Only needs whose review date has come
    #[arg(long)]
    due: bool,
    #[command(flatten)]
    format: Format,
}

#[derive(clap::Args, Debug, Clone, Default)]
pub(crate) struct Fields {
    /// practical, body-comfort, emotional, communication, intimacy, rest-energy, care-admin,
    /// money-work or other
    #[arg(long, value_name = "CATEGORY")]
    category: Option<String>,
    /// The condition this need comes with (`couple conditions` lists them)
    #[arg(long, value_name = "TAG")]
    condition: Option<String>,
    /// How much it matters
    #[arg(long, value_parser = closer_cli::word_parser::<Importance>())]
    importance: Option<Importance>,
}

#[derive(clap::Args, Debug, Clone)]
struct PlanFlags {
    /// The accommodation you propose
    #[arg(long)]
    plan: String,
    /// Who helps: a partner's name, `both`, or anyone outside the couple ("my sister")
    #[arg(long, value_name = "NAME")]
    helper: Option<String>,
    /// When to look at it again
    #[arg(long, value_parser = date_arg, value_name = "YYYY-MM-DD", conflicts_with = "review_in")]
    review: Option<NaiveDate>,
    /// Look again after this long: 30d, 6w, 3m, 1y, or 30 days, 6 weeks, 3 months
    #[arg(long, value_name = "SPAN")]
    review_in: Option<String>,
}

#[derive(Subcommand, Debug)]
enum Cmd {
    /// Name a need of yours (--as); prints its ID
    Add {
        /// The need, in your own words
        text: String,
        #[command(flatten)]
        fields: Fields,
        /// Only you see it until you `share` it
        #[arg(long)]
        private: bool,
    },
    /// Show one need with its history
    Show {
        /// The need's ID (or any unique start of it)
        id: String,
        /// Print JSON: the need with its whole history
        #[arg(long)]
        json: bool,
    },
    /// Change a need (flags, or $EDITOR on a terminal when none is given)
    Edit {
        /// The need's ID (or any unique start of it)
        id: String,
        /// New text
        #[arg(long)]
        text: Option<String>,
        #[command(flatten)]
        fields: Fields,
    },
    /// You have talked it over
    Talked {
        /// The need's ID (or any unique start of it)
        id: String,
    },
    /// Add a comment to a need's history (either of you)
    Comment {
        /// The need's ID (or any unique start of it)
        id: String,
        /// What you want to add, in a few words
        text: String,
    },
    /// Propose a plan: the accommodation, who helps, when to look again. It is agreed once your
    /// partner accepts it; proposing the very plan your partner proposed accepts it.
    #[command(alias = "agree")]
    Propose {
        /// The need's ID (or any unique start of it)
        id: String,
        #[command(flatten)]
        plan: PlanFlags,
    },
    /// Accept the plan your partner proposed: once both of you have, the need is agreed
    Accept {
        /// The need's ID (or any unique start of it)
        id: String,
    },
    /// Your need is being met (only the partner whose need it is)
    Met {
        /// The need's ID (or any unique start of it)
        id: String,
    },
    /// Open a met or retired need of yours again
    Reopen {
        /// The need's ID (or any unique start of it)
        id: String,
    },
    /// Your need is no longer needed
    Retire {
        /// The need's ID (or any unique start of it)
        id: String,
    },
    /// Make a private need of yours visible to your partner
    Share {
        /// The need's ID (or any unique start of it)
        id: String,
    },
    /// Delete a need of yours and its history
    Rm {
        /// The need's ID (or any unique start of it)
        id: String,
        /// Do it without asking
        #[arg(long)]
        yes: bool,
    },
    /// Go through needs due for review and open needs (on a terminal); otherwise print what is due
    Review,
    /// Ideas for needs, for your conditions or your partner's
    Suggest {
        /// Ideas for this condition [default: the couple's conditions]
        #[arg(long, value_name = "TAG")]
        condition: Option<String>,
        /// Add suggestion number N (as listed) as your need
        #[arg(long, value_name = "N")]
        add: Option<usize>,
        #[command(flatten)]
        format: Format,
    },
    /// Who the partners are, their conditions and opt-ins
    Couple(CoupleArgs),
    #[command(flatten)]
    Extra(Extra),
}

/// Runs the command line of the binary called `tool`.
pub fn run(cli: Cli, tool: &'static str) -> Result<()> {
    let ctx = Context::new(tool, &cli.globals)?;
    match cli.cmd {
        None => list::list(&ctx, &cli.list),
        Some(Cmd::Add {
            text,
            fields,
            private,
        }) => change::add(&ctx, &text, &fields, private),
        Some(Cmd::Show { id, json }) => list::show(&ctx, &id, json),
        Some(Cmd::Edit { id, text, fields }) => change::edit(&ctx, &id, text, &fields),
        Some(Cmd::Talked { id }) => change::status(&ctx, &id, Status::Talked),
        Some(Cmd::Comment { id, text }) => change::comment(&ctx, &id, &text),
        Some(Cmd::Propose { id, plan: p }) => change::propose(
            &ctx,
            &id,
            change::PlanArgs {
                plan: p.plan,
                helper: p.helper,
                review: p.review,
                review_in: p.review_in,
            },
        ),
        Some(Cmd::Accept { id }) => change::accept(&ctx, &id),
        Some(Cmd::Met { id }) => change::status(&ctx, &id, Status::Met),
        Some(Cmd::Reopen { id }) => change::status(&ctx, &id, Status::Open),
        Some(Cmd::Retire { id }) => change::status(&ctx, &id, Status::Retired),
        Some(Cmd::Share { id }) => change::share(&ctx, &id),
        Some(Cmd::Rm { id, yes }) => change::rm(&ctx, &id, yes),
        Some(Cmd::Review) => review::run(&ctx),
        Some(Cmd::Suggest {
            condition,
            add,
            format,
        }) => suggest::run(&ctx, condition, add, format),
        Some(Cmd::Couple(args)) => couple::run(&ctx, &args),
        Some(Cmd::Extra(e)) => e.run::<Cli>(tool),
    }
}
