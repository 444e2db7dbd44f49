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

/// What `answer` was asked to do.
pub(crate) enum Act {
    Answer(Option<String>),
    Pass,
    Delete,
}

/// The prompt named by `--prompt ID`, if the couple may see it.
fn named<'a>(ctx: &Context, lib: &'a Library, id: &str) -> Result<&'a Prompt> {
    let couple = ctx.couple()?;
    lib.prompts
        .iter()
        .find(|p| p.id == id.trim() && allowed(p, &couple))
        .ok_or_else(|| {
            Error::usage(format!(
                "there is no prompt {:?}; `prompt-of-the-day list` lists them",
                id.trim()
            ))
        })
}

pub(crate) fn run(ctx: &Context, act: Act, prompt: Option<&str>, choice: &Choice) -> Result<()> {
    let req = choice.validate(ctx)?;
    let lib = ctx.library()?;
    let p = match prompt {
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
        Act::Answer(Some(t)) if t == "-" => {
            let mut s = String::new();
            std::io::stdin()
                .read_to_string(&mut s)
                .map_err(|e| Error::io(std::path::Path::new("standard input"), e))?;
            s
        }
        Act::Answer(Some(t)) => t,
        Act::Answer(None) if ctx.interactive => {
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
        Act::Answer(None) => {
            return Err(Error::usage(
                "give the answer as an argument, or `-` to read it from standard input",
            ));
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
