//! Questions on a terminal (dialoguer), used only when standard input and standard error are both
//! terminals; every question here has a flag that answers it instead. What was printed before a
//! question is written out first.

use super::Context;
use closer_core::crypto::{ExposeSecret, SecretString};
use closer_core::error::{Error, Result};
use closer_core::profile;
use dialoguer::{Confirm, Editor, Input, MultiSelect, Password, Select, theme::SimpleTheme};

fn failed(e: dialoguer::Error) -> Error {
    match e {
        dialoguer::Error::IO(io) => Error::io(std::path::Path::new("the terminal"), io),
    }
}

pub fn confirm(question: &str) -> Result<bool> {
    crate::output::flush()?;
    Confirm::with_theme(&SimpleTheme)
        .with_prompt(question)
        .default(false)
        .interact()
        .map_err(failed)
}

pub fn select(question: &str, items: &[&str]) -> Result<usize> {
    select_from(question, items, 0)
}

/// A choice that starts on `start`: the current answer, or "skip for now", never on a change.
pub fn select_from(question: &str, items: &[&str], start: usize) -> Result<usize> {
    crate::output::flush()?;
    Select::with_theme(&SimpleTheme)
        .with_prompt(question)
        .items(items)
        .default(start.min(items.len().saturating_sub(1)))
        .interact()
        .map_err(failed)
}

pub fn input(question: &str) -> Result<String> {
    crate::output::flush()?;
    Input::<String>::with_theme(&SimpleTheme)
        .with_prompt(question)
        .interact_text()
        .map_err(failed)
}

/// Like [`input`], but Enter on an empty line is an answer (an empty one).
pub fn input_or_blank(question: &str) -> Result<String> {
    crate::output::flush()?;
    Input::<String>::with_theme(&SimpleTheme)
        .with_prompt(question)
        .allow_empty(true)
        .interact_text()
        .map_err(failed)
}

pub fn multi_select(question: &str, items: &[String]) -> Result<Vec<usize>> {
    crate::output::flush()?;
    MultiSelect::with_theme(&SimpleTheme)
        .with_prompt(question)
        .items(items)
        .interact()
        .map_err(failed)
}

/// A passphrase (or a recovery key), typed without being shown; `None` when Enter is pressed on
/// an empty line, which ends the question as Enter does at every other one.
pub fn password(question: &str) -> Result<Option<SecretString>> {
    crate::output::flush()?;
    let typed = Password::with_theme(&SimpleTheme)
        .with_prompt(question)
        .allow_empty_password(true)
        .interact()
        .map_err(failed)?;
    Ok((!typed.is_empty()).then(|| SecretString::from(typed)))
}

/// A new passphrase, typed twice without being shown (asked again while the two differ);
/// `None` when Enter is pressed on an empty line at the first question.
pub fn new_password(question: &str) -> Result<Option<SecretString>> {
    loop {
        let Some(first) = password(question)? else {
            return Ok(None);
        };
        let again = Password::with_theme(&SimpleTheme)
            .with_prompt("The same again, to be sure")
            .allow_empty_password(true)
            .interact()
            .map(SecretString::from)
            .map_err(failed)?;
        if again.expose_secret() == first.expose_secret() {
            return Ok(Some(first));
        }
        crate::say!("The two differ; once more.");
    }
}

/// Opens `$VISUAL` / `$EDITOR` on `start`; `None` when the user saved nothing. When neither is
/// set, or the editor cannot be started, the error says how to set one, or `instead` (what to
/// type on the command line rather than in an editor).
pub fn editor(start: &str, instead: &str) -> Result<Option<String>> {
    let set = ["VISUAL", "EDITOR"].into_iter().find_map(|var| {
        std::env::var(var)
            .ok()
            .filter(|v| !v.trim().is_empty())
            .map(|v| (var, v))
    });
    let Some((var, program)) = set else {
        return Err(Error::invalid(format!(
            "no text editor is set for this terminal; choose one with `export EDITOR=nano` (add that line to ~/.profile to keep it), or {instead}"
        )));
    };
    crate::output::flush()?;
    Editor::new()
        .executable(&program)
        .extension(".md")
        .edit(start)
        .map_err(|e| match e {
            dialoguer::Error::IO(io)
                if matches!(
                    io.kind(),
                    std::io::ErrorKind::NotFound | std::io::ErrorKind::PermissionDenied
                ) =>
            {
                Error::invalid(format!(
                    "the editor {program:?} (from ${var}) cannot be started: {io}; choose one that is installed with `export {var}=nano`, or {instead}"
                ))
            }
            e => failed(e),
        })
}

/// The first-run set-up: two partners, their conditions, and who uses this device.
pub fn wizard(ctx: &Context) -> Result<()> {
    crate::say!(
        "No couple is set up in {} yet. Let's add the two of you.",
        ctx.store.root().display()
    );
    crate::say!("(Everything stays in that folder on this device. Ctrl-C stops at any point.)");
    let lib = ctx.library()?;
    let labels: Vec<String> = lib
        .conditions
        .iter()
        .map(|c| format!("{} ({})", c.name, c.id))
        .collect();
    // The whole couple is gathered first and written at the end: stopped at any question,
    // the set-up leaves nothing behind.
    let mut couple: Vec<(String, Vec<String>)> = Vec::new();
    for who in ["your", "your partner's"] {
        let name = loop {
            let n = input(&format!("What is {who} name?"))?;
            match profile::check_name(&n) {
                Ok(n)
                    if couple
                        .iter()
                        .any(|(o, _)| profile::name_key(o) == profile::name_key(n)) =>
                {
                    crate::say!("{n:?} looks the same as the first name; choose another.")
                }
                Ok(n) => break n.to_owned(),
                Err(e) => crate::say!("{e}"),
            }
        };
        crate::say!(
            "Conditions are optional; they tailor suggestions and adaptations. Space picks, Enter goes on."
        );
        let picked = multi_select(&format!("Anything {name} lives with?"), &labels)?;
        let tags = picked
            .iter()
            .map(|&i| lib.conditions[i].id.to_owned())
            .collect();
        couple.push((name, tags));
    }
    let names = profile::add_couple_with(&couple, |name, tags| {
        crate::sealed::add_partner(ctx, name, tags)
    })?;
    for p in &names {
        ctx.make_key(p)?;
    }
    ctx.set_device(Some(&names[0].id))?;
    crate::say!(
        "Each of you now has a key on this device, in {}: it locks what only that partner may read.",
        ctx.keys_dir().display()
    );
    ctx.offer_passphrases(&ctx.couple()?)?;
    let t = ctx.tool;
    crate::say!(
        "Keep a copy of each key: write down the recovery key (`{t} couple keys recovery --as NAME`) or save a passphrase-protected copy (`{t} couple keys export FILE --as NAME`), which also brings a key to a partner's own device (`{t} couple keys import FILE`). If a key and every copy of it are lost, what only that partner could read (their private needs, boundaries, readiness and answers not yet shared) is gone for good: nobody can recover it."
    );
    crate::say!(
        "Done. This device is {}'s; change that with `{} couple me NAME`. Sexual content stays off unless you both opt in.",
        names[0].name,
        ctx.tool
    );
    crate::say!("\n{}", lib.safety);
    Ok(())
}
