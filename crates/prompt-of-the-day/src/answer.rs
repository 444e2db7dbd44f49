//! `answer`: one partner's answer to the day's prompt, stored in that partner's own file; a
//! second answer corrects the first; `--pass` passes on the prompt; `--delete` takes it back.

use crate::Choice;
use crate::today::choose;
use closer_cli::{Context, ask};
use closer_core::answer_rules;
use closer_core::content::{Library, Prompt};
use closer_core::prompts::{Answer, all_answers, allowed, save_answer};
use closer_core::{Error, Result};
use std::io::Read;

// `answer`: the command line, next to what it does.
#[derive(clap::Args, Debug)]
pub(crate) struct AnswerArgs {
    /// The answer, or `-` to read it from standard input
    #[arg(conflicts_with_all = ["pass", "delete"])]
    text: Option<String>,
    /// The prompt answered, by ID [default: the day's prompt, as chosen by the other flags]
    #[arg(long, value_name = "ID")]
    prompt: Option<String>,
    /// Pass on the day's prompt: no answer, and your partner's answer is yours to read
    #[arg(long, conflicts_with = "delete")]
    pass: bool,
    /// Delete your answer for the day
    #[arg(long)]
    delete: bool,
    #[command(flatten)]
    choice: Choice,
}

/// What `answer` was asked to do: with no text away from a terminal, there is nothing to store.
#[derive(Debug, PartialEq)]
enum Act {
    /// The answer given; `-` reads it from standard input.
    Answer(String),
    /// No text on a terminal: the answer is written in the editor.
    FromEditor,
    Pass,
    Delete,
}

impl AnswerArgs {
    fn act(&self, interactive: bool) -> Result<Act> {
        Ok(match (self.pass, self.delete, &self.text) {
            (true, _, _) => Act::Pass,
            (_, true, _) => Act::Delete,
            (_, _, Some(t)) => Act::Answer(t.clone()),
            (_, _, None) if interactive => Act::FromEditor,
            (_, _, None) => {
                return Err(Error::usage(
                    "give the answer as an argument, or `-` to read it from standard input",
                ));
            }
        })
    }
}

/// The prompt named by `--prompt ID`, if the couple may see it.
fn named(ctx: &Context, lib: &Library, id: &str) -> Result<Prompt> {
    let couple = ctx.couple()?;
    lib.prompts
        .each()
        .find(|p| p.id == id.trim() && allowed(p, &couple))
        .ok_or_else(|| {
            Error::usage(format!(
                "there is no prompt {:?}; `prompt-of-the-day list` lists them",
                id.trim()
            ))
        })
}

pub(crate) fn run(ctx: &Context, args: AnswerArgs) -> Result<()> {
    let req = args.choice.validate(ctx)?;
    let act = args.act(ctx.interactive)?;
    let lib = ctx.library()?;
    let p = match args.prompt.as_deref() {
        Some(id) => named(ctx, lib, id)?,
        None => choose(lib, &req)?,
    };
    let couple = ctx.require_couple()?;
    let me = ctx.me(&couple)?;
    let text = match act {
        Act::Delete => {
            answer_rules::delete(&ctx.store, &me.id, req.date)?;
            closer_cli::say!("Deleted your answer for {}.", req.date);
            return Ok(());
        }
        Act::Pass => {
            answer_rules::pass(&ctx.store, &me.id, req.date, p.id, p.text, ctx.now)?;
            closer_cli::say!(
                "Passed on the prompt of {}. Your partner's answer, if there is one, is yours to read: `prompt-of-the-day history` shows it once their device has shared it.",
                req.date
            );
            return Ok(());
        }
        Act::Answer(t) if t == "-" => {
            let mut s = String::new();
            std::io::stdin()
                .read_to_string(&mut s)
                .map_err(|e| Error::io(std::path::Path::new("standard input"), e))?;
            s
        }
        Act::Answer(t) => t,
        Act::FromEditor => {
            // A correction starts from the answer given.
            let given = all_answers(&ctx.store, Some(req.date), Some(req.date))?
                .into_iter()
                .find(|(who, a)| me.id == *who && !a.passed)
                .map(|(_, a)| a.text)
                .unwrap_or_default();
            let start = format!(
                "{given}\n\n# {}\n# Write your answer above. Lines starting with # are left out.\n",
                p.text
            );
            let edited = ask::editor(
                &start,
                "give the answer on the command line: `prompt-of-the-day answer \"TEXT\"`",
            )?
            .unwrap_or_default();
            edited
                .lines()
                .filter(|l| !l.starts_with('#'))
                .collect::<Vec<_>>()
                .join("\n")
        }
    };
    let answer = Answer::new(req.date, p.id, p.text, text, ctx.now);
    let corrected = save_answer(&ctx.store, &me.id, answer)?;
    closer_core::libraries::publish(&ctx.store, &me.id, &lib.fingerprint())?;
    // The question in words: after `--skip` showed another one, an answer given without it
    // goes to the day's own prompt, and this is where that shows.
    if corrected {
        closer_cli::say!(
            "Corrected {}'s answer for {} to \"{}\" ({}); the earlier text stays in your history, for you alone.",
            me.name,
            req.date,
            p.text,
            p.id
        );
    } else {
        closer_cli::say!(
            "Saved {}'s answer for {} to \"{}\" ({}).",
            me.name,
            req.date,
            p.text,
            p.id
        );
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::Parser;

    fn act(args: &[&str], interactive: bool) -> Result<Act> {
        let cli =
            crate::Cli::try_parse_from(["prompt-of-the-day", "answer"].iter().chain(args).copied())
                .expect("clap accepts it");
        match cli.cmd {
            Some(crate::Cmd::Answer(a)) => a.act(interactive),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn an_answer_is_given_passed_deleted_or_written_in_the_editor_on_a_terminal() {
        assert_eq!(act(&["warm"], false).unwrap(), Act::Answer("warm".into()));
        assert_eq!(act(&["-"], false).unwrap(), Act::Answer("-".into()));
        assert_eq!(act(&["--pass"], false).unwrap(), Act::Pass);
        assert_eq!(act(&["--delete"], true).unwrap(), Act::Delete);
        assert_eq!(act(&[], true).unwrap(), Act::FromEditor);
        let e = act(&[], false).unwrap_err();
        assert_eq!(e.exit_code(), 2);
        assert!(
            e.to_string().contains("`-` to read it from standard input"),
            "{e}"
        );
    }
}
