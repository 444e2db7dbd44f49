//! `couple doctor`, and the one line every command says when syncing left two versions of a
//! record behind (once, until what it found changes).

use super::Context;
use closer_core::doctor;
use closer_core::error::{Error, Result};
use closer_core::store;
use std::path::PathBuf;

/// Runs `couple doctor` and says what it did.
pub fn run(ctx: &Context) -> Result<()> {
    let r = doctor::run(&ctx.store, std::time::SystemTime::now())?;
    for m in &r.merged {
        crate::say!("Merged the two versions of {m}; nothing of either was lost.");
    }
    let device = ctx.device()?.partner;
    for (name, old, new) in &r.partners {
        crate::say!("{name} was set up on both devices; their records are together again.");
        if device.as_ref().is_some_and(|d| d.as_str() == old) {
            let new: closer_core::ids::Id =
                new.parse().map_err(|e| Error::invalid(format!("{e}")))?;
            ctx.set_device(Some(&new))?;
        }
    }
    if r.tidied > 0 {
        crate::say!(
            "Made {} files and folders private, or removed what interrupted writes left.",
            r.tidied
        );
    }
    if r.merged.is_empty() && r.partners.is_empty() && r.left.is_empty() {
        crate::say!("Nothing to merge: no second versions from syncing, no partner set up twice.");
    }
    forget_reported(ctx);
    if r.left.is_empty() {
        return Ok(());
    }
    for (f, why) in &r.left {
        crate::say!("Left {f} as it is: {why}");
    }
    Err(Error::invalid(format!(
        "{} file(s) could not be merged; see above",
        r.left.len()
    )))
}

/// Where this device remembers what it last reported about this data folder.
fn memo(ctx: &Context) -> Option<PathBuf> {
    let idx = closer_core::index::path(ctx.cache_dir.as_ref()?, &ctx.store);
    Some(idx.with_extension("reported"))
}

fn forget_reported(ctx: &Context) {
    if let Some(m) = memo(ctx) {
        let _ = std::fs::remove_file(m);
    }
}

/// Says in one line on standard error that records have a second version from syncing, and the
/// command that merges them; not again while what it found stays the same.
/// Also says, on every run until it is put right, when other users of this computer can read
/// the data folder.
pub fn report(ctx: &Context) {
    if ctx.store.exposed() {
        eprintln!(
            "{}: other users of this computer can read the data folder; `{} couple doctor` makes it private",
            ctx.tool, ctx.tool
        );
    }
    let root = ctx.store.root();
    let mut found: Vec<String> = doctor::conflict_copies(&ctx.store)
        .into_iter()
        .map(|(copy, _)| copy)
        .chain(
            store::skipped_conflicts()
                .iter()
                .filter_map(|p| p.strip_prefix(root).ok())
                .map(|p| p.to_string_lossy().into_owned()),
        )
        .collect();
    found.sort();
    found.dedup();
    let text = found.join("\n");
    let memo = memo(ctx);
    let before = memo
        .as_ref()
        .and_then(|m| std::fs::read_to_string(m).ok())
        .unwrap_or_default();
    if text == before {
        return;
    }
    if let Some(m) = &memo {
        let _ = if found.is_empty() {
            std::fs::remove_file(m)
        } else {
            m.parent()
                .map(|p| store::Store::new(p).ensure_dir(""))
                .transpose()
                .and_then(|_| store::write_atomic(m, text.as_bytes()))
                .map_err(|e| std::io::Error::other(e.to_string()))
        };
    }
    if let Some(first) = found.first() {
        let more = match found.len() {
            1 => String::new(),
            n => format!(" and {} more", n - 1),
        };
        eprintln!(
            "{}: syncing left a second version of a record ({}{more}); run `{} couple doctor` to merge them",
            ctx.tool,
            crate::output::clean(first, true),
            ctx.tool
        );
    }
}
