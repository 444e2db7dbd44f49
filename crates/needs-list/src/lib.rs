//! needs-list: the command line, turned once into validated requests and run.

mod change;
mod edit;
mod list;
mod review;
mod suggest;

use change::NeedArg;
use clap::{Parser, Subcommand};
use closer_cli::couple::CoupleCommand;
use closer_cli::{AFTER_HELP, Context, Extra, Globals};
use closer_core::Result;
use closer_core::needs::Status;

/// What each partner needs because of a condition (or of caring), what the couple agreed, who
/// helps, and when to look again. With no command, lists the needs still being worked on.
#[derive(Parser, Debug)]
#[command(name = "needs-list", version, after_help = AFTER_HELP)]
pub struct Cli {
    #[command(flatten)]
    globals: Globals,
    #[command(flatten)]
    list: list::ListArgs,
    #[command(subcommand)]
    cmd: Option<Cmd>,
}

#[derive(Subcommand, Debug)]
#[command(defer = true)]
enum Cmd {
    /// Name a need of yours (--as); prints its ID
    Add(change::AddArgs),
    /// Show one need with its history
    Show(list::ShowArgs),
    /// Change a need (flags, or $EDITOR on a terminal when none is given)
    Edit(edit::EditArgs),
    /// You have talked it over
    Talked(NeedArg),
    /// Add a comment to a need's history (either of you)
    Comment(change::CommentArgs),
    /// Propose a plan: the accommodation, who helps, when to look again. It is agreed once your
    /// partner accepts it; proposing the very plan your partner proposed accepts it.
    #[command(alias = "agree")]
    Propose(change::ProposeArgs),
    /// Accept the plan your partner proposed: once both of you have, the need is agreed
    Accept(NeedArg),
    /// Your need is being met (only the partner whose need it is)
    Met(NeedArg),
    /// Open a met or retired need of yours again
    Reopen(NeedArg),
    /// Your need is no longer needed
    Retire(NeedArg),
    /// Make a private need of yours visible to your partner
    Share(NeedArg),
    /// Delete a need of yours and its history
    Rm(change::RmArgs),
    /// Go through needs due for review and open needs (on a terminal); otherwise print what is due
    Review,
    /// Ideas for needs, for your conditions or your partner's
    Suggest(suggest::SuggestArgs),
    #[command(flatten)]
    Couple(CoupleCommand),
    #[command(flatten)]
    Extra(Extra),
}

/// Runs the command line of the binary called `tool`.
pub fn run(cli: Cli, tool: &'static str) -> Result<()> {
    let ctx = Context::new(tool, &cli.globals)?;
    // Needs depend on nobody's opt-in: only `couple` reads them.
    if !matches!(cli.cmd, Some(Cmd::Couple(_) | Cmd::Extra(_))) {
        ctx.without_opt_ins();
    }
    match cli.cmd {
        None => list::list(&ctx, cli.list),
        Some(Cmd::Add(args)) => change::add(&ctx, args),
        Some(Cmd::Show(args)) => list::show(&ctx, args),
        Some(Cmd::Edit(args)) => edit::run(&ctx, args),
        Some(Cmd::Talked(need)) => change::status(&ctx, need, Status::Talked),
        Some(Cmd::Comment(args)) => change::comment(&ctx, args),
        Some(Cmd::Propose(args)) => change::propose(&ctx, args),
        Some(Cmd::Accept(need)) => change::accept(&ctx, need),
        Some(Cmd::Met(need)) => change::status(&ctx, need, Status::Met),
        Some(Cmd::Reopen(need)) => change::status(&ctx, need, Status::Open),
        Some(Cmd::Retire(need)) => change::status(&ctx, need, Status::Retired),
        Some(Cmd::Share(need)) => change::share(&ctx, need),
        Some(Cmd::Rm(args)) => change::rm(&ctx, args),
        Some(Cmd::Review) => review::run(&ctx),
        Some(Cmd::Suggest(args)) => suggest::run(&ctx, args),
        Some(Cmd::Couple(c)) => c.run(&ctx),
        Some(Cmd::Extra(e)) => e.run::<Cli>(tool),
    }
}

#[cfg(test)]
mod tests {
    use chrono::NaiveDate;
    use closer_core::Result;
    use closer_core::profile::{Couple, Partner};

    /// Alex and Sam, with IDs `idalex` and `idsam`.
    pub(crate) fn couple() -> Couple {
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

    /// A need's fields, the category and condition as typed.
    pub(crate) fn fields(category: Option<&str>, condition: Option<&str>) -> crate::change::Fields {
        crate::change::Fields {
            category: category.map(Into::into),
            condition: condition.map(Into::into),
            importance: None,
        }
    }

    /// The message of a mistake on the command line (exit 2), which must say what to do.
    pub(crate) fn usage_message<T: std::fmt::Debug>(r: Result<T>) -> String {
        let e = r.expect_err("a mistake on the command line");
        assert_eq!(e.exit_code(), 2, "{e}");
        e.to_string()
    }
}
