//! Today's prompt: one plain line, JSON, or a Markdown block for a daily note.

use crate::{Request, ShowArgs};
use chrono::NaiveDate;
use closer_cli::Context;
use closer_cli::output::{Format, Out, View, clean, markdown as md};
use closer_core::content::{Depth, Library, Prompt};
use closer_core::libraries;
use closer_core::profile::Couple;
use closer_core::prompts::pick_in;
use closer_core::store::write_atomic;
use closer_core::{Error, Result};
use serde::Serialize;
use std::path::Path;

/// The prompt a request asks for, for the couple in the data folder (or none set up yet).
pub(crate) fn choose(lib: &Library, req: &Request) -> Result<Prompt> {
    pick_in(lib, &req.couple, &req.filter, req.date, req.skip)
}

pub(crate) fn run(ctx: &Context, args: &ShowArgs) -> Result<()> {
    let req = args.choice.validate(ctx)?;
    let lib = ctx.library()?;
    let p = choose(lib, &req)?;
    note_other_library(ctx, &req.couple, lib)?;
    let mut out = Out::default();
    if let Some(file) = &args.append_to {
        let added = append(file, req.date, &block(lib, &p, req.date))?;
        if !added && ctx.interactive {
            closer_cli::say!(
                "{} already holds the prompt for {}; left as it is.",
                file.display(),
                req.date
            );
        }
        return Ok(());
    }
    if args.markdown {
        return out.raw(&block(lib, &p, req.date));
    }
    let view = Today {
        id: p.id,
        date: req.date,
        text: p.text,
        category: p.category,
        depth: p.depth,
        low_energy: p.low_energy,
        sexual: p.sexual,
        tags: p.tags,
    };
    ctx.show(Format::json_only(args.json), &view)
}

/// `--json`: today's prompt, as README documents it.
#[derive(Serialize)]
struct Today<'a> {
    id: &'a str,
    date: NaiveDate,
    text: &'a str,
    category: &'a str,
    depth: Depth,
    low_energy: bool,
    sexual: bool,
    tags: &'a [&'a str],
}

impl View for Today<'_> {
    /// The prompt in one line, on a terminal or not.
    fn plain(&self, out: &mut Out) -> Result<()> {
        out.line(&clean(self.text, false))
    }
}

/// Says once (remembered in this device's cache folder) when the other partner's device uses a
/// different prompt library, so that the two of them may be shown different prompts.
fn note_other_library(ctx: &Context, couple: &Couple, lib: &Library) -> Result<()> {
    let Some(me) = ctx.viewer(couple)? else {
        return Ok(());
    };
    let mine = lib.fingerprint();
    for (name, theirs) in libraries::differing(&ctx.store, couple, &me.id, &mine)? {
        if let Some(cache) = &ctx.cache_dir {
            let said = cache.join(format!("library-{mine}-{theirs}"));
            if said.exists() {
                continue;
            }
            // Only a reminder: if it cannot be noted, it is said again next time.
            let _ = std::fs::create_dir_all(cache).and_then(|()| std::fs::write(&said, b""));
        }
        closer_cli::say!(
            "{name}'s device uses a different prompt library from this one, so the two of you may be shown different prompts. Keep your own content files in {}, which both devices share.",
            ctx.store.path("content").display()
        );
    }
    Ok(())
}

fn marker(date: NaiveDate) -> String {
    format!("<!-- closer:prompt-of-the-day {date} -->")
}

/// The block for a daily note, marked so that appending it twice is noticed.
pub(crate) fn block(lib: &Library, p: &Prompt, date: NaiveDate) -> String {
    let cat = lib
        .categories
        .iter()
        .find(|c| c.id == p.category)
        .map_or(p.category, |c| c.name);
    format!(
        "{}\n## Prompt of the day\n\n> {}\n\n*{} · {}* (`{}`)\n",
        marker(date),
        md(p.text, "> "),
        md(cat, ""),
        p.depth.as_str(),
        p.id
    )
}

/// Appends `block` to `file` unless the day's block is already there. The file is replaced
/// atomically and keeps its permissions. Returns whether anything was added.
fn append(file: &Path, date: NaiveDate, block: &str) -> Result<bool> {
    let old = match std::fs::read_to_string(file) {
        Ok(s) => s,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => String::new(),
        Err(e) => return Err(Error::io(file, e)),
    };
    if old.contains(&marker(date)) {
        return Ok(false);
    }
    let mut new = old.clone();
    if !new.is_empty() {
        new.push_str(if new.ends_with('\n') { "\n" } else { "\n\n" });
    }
    new.push_str(block);
    let mode = std::fs::metadata(file).ok().map(|m| m.permissions());
    write_atomic(file, new.as_bytes())?;
    if let Some(m) = mode {
        std::fs::set_permissions(file, m).map_err(|e| Error::io(file, e))?;
    }
    Ok(true)
}
