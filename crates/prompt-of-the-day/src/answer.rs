//! `answer`: one partner's answer to the day's prompt, stored in that partner's own file.

use crate::Choice;
use crate::today::choose;
use closer_cli::{Context, ask};
use closer_core::prompts::{Answer, save_answer};
use closer_core::{Error, Result};
use std::io::Read;

pub(crate) fn run(ctx: &Context, text: Option<String>, choice: &Choice) -> Result<()> {
    let req = choice.validate(ctx)?;
    let couple = ctx.require_couple()?;
    let me = ctx.me(&couple)?;
    let lib = ctx.library()?;
    let p = choose(lib, &req)?;
    let text = match text.as_deref() {
        Some("-") => {
            let mut s = String::new();
            std::io::stdin()
                .read_to_string(&mut s)
                .map_err(|e| Error::io(std::path::Path::new("standard input"), e))?;
            s
        }
        Some(t) => t.to_owned(),
        None if ctx.interactive => {
            let start = format!(
                "\n\n# {}\n# Write your answer above. Lines starting with # are left out.\n",
                p.text
            );
            let edited = ask::editor(&start)?.unwrap_or_default();
            edited
                .lines()
                .filter(|l| !l.starts_with('#'))
                .collect::<Vec<_>>()
                .join("\n")
        }
        None => {
            return Err(Error::usage(
                "give the answer as an argument, or `-` to read it from standard input",
            ));
        }
    };
    let answer = Answer {
        extra: Default::default(),
        date: req.date,
        prompt: p.id.to_owned(),
        prompt_text: p.text.to_owned(),
        text,
        at: ctx.now,
    };
    save_answer(&ctx.store, &me.id, answer)?;
    closer_core::libraries::publish(&ctx.store, &me.id, &lib.fingerprint())?;
    closer_cli::say!("Saved {}'s answer for {}.", me.name, req.date);
    Ok(())
}
