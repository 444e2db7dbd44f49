//! `couple doctor`, and the one line every command says when syncing left two versions of a
//! record behind (once, until what it found changes).

use super::Context;
use closer_core::doctor;
use closer_core::error::{Error, Result};
use closer_core::scan::{self, Memo};
use closer_core::store;
use std::path::PathBuf;
use std::time::SystemTime;

/// Runs `couple doctor` and says what it did.
pub fn run(ctx: &Context) -> Result<()> {
    let back = ctx.put_back_trusted()?;
    for place in &back {
        crate::say!(
            "Put back {place}.age as this device last trusted it: it had been deleted, replaced by an earlier version or forged."
        );
    }
    let partner = ctx.device()?.partner.and_then(|id| id.parse().ok());
    let keys = ctx.held_keys();
    let removed_here = ctx.removed_here();
    let device = doctor::ThisDevice {
        partner: partner.as_ref(),
        keys: &keys,
        removed_here: Some(&removed_here),
    };
    let r = doctor::run_remembering(
        &ctx.store,
        SystemTime::now(),
        ctx.content_seen().as_deref(),
        device,
    )?;
    for m in &r.merged {
        crate::say!("Merged the two versions of {m}; nothing of either was lost.");
    }
    for (copy, why) in &r.dropped {
        crate::say!("Removed {copy}: {why}.");
    }
    for (id, date) in &r.back_here {
        crate::say!(
            "needs/{id}.json is a need removed on this device on {date}, back in its place as it was then or earlier (from a backup or a sync tool's history, or restored from an export): left as it is. If it should stay removed, run `needs-list rm {id}` again."
        );
    }
    for (file, items) in &r.unsure {
        crate::say!(
            "In {file}, kept what only one of the two versions had and this device cannot tell from something the other version deleted: {}. If you deleted it on the other device, delete it again.",
            items.join(", ")
        );
    }
    for (name, _, _) in &r.partners {
        crate::say!("{name} was set up on both devices; their records are together again.");
    }
    if r.tidied > 0 {
        crate::say!(
            "Made {} files and folders private, or removed what interrupted writes left.",
            r.tidied
        );
    }
    if r.elsewhere > 0 {
        crate::say!(
            "This folder also holds {} set up on another device before your first sync, encrypted to that device's own keys: this device cannot read them, so they were left as they are. To make one couple of the two set-ups, run `{t} couple decrypt` on both devices, let them sync, run `{t} couple doctor`, then `{t} couple encrypt` on both.",
            match r.elsewhere {
                1 => "1 partner".to_owned(),
                n => format!("{n} partners"),
            },
            t = ctx.tool
        );
    }
    if back.is_empty()
        && r.merged.is_empty()
        && r.dropped.is_empty()
        && r.back_here.is_empty()
        && r.partners.is_empty()
        && r.left.is_empty()
        && r.elsewhere == 0
    {
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

/// Where this device remembers what it last saw and said about this data folder.
fn memo_path(ctx: &Context) -> Option<PathBuf> {
    let idx = closer_core::index::path(ctx.cache_dir.as_ref()?, &ctx.store);
    Some(idx.with_extension("seen"))
}

fn forget_reported(ctx: &Context) {
    if let Some(m) = memo_path(ctx) {
        let _ = std::fs::remove_file(m);
    }
}

/// Says what the command met that the couple should know, each thing once: records left out
/// because they cannot be used (again when their file changes), and in one line that records
/// have a second version from syncing, with the command that merges them (again when what it
/// finds changes). Also says, on every run until it is put right, when other users of this
/// computer can read the data folder.
pub fn report(ctx: &Context) {
    if ctx.store.exposed() {
        eprintln!(
            "{}: other users of this computer can read the data folder; `{} couple doctor` makes it private",
            ctx.tool, ctx.tool
        );
    }
    let path = memo_path(ctx);
    let mut memo = path.as_deref().map(Memo::load).unwrap_or_default();
    let before = memo.clone();
    let now = SystemTime::now();
    let state = |file: &std::path::Path| {
        std::fs::symlink_metadata(file)
            .map(|m| scan::file_key(&m))
            .unwrap_or_default()
    };
    for left in ctx.store.take_left_out_files() {
        let (file, msg) = (left.path, left.message);
        let now_state = state(&file);
        let seen = memo
            .left_out
            .get(&msg)
            .is_some_and(|(_, s)| !s.is_empty() && *s == now_state);
        if !seen {
            let hint = left
                .fault
                .map(|f| crate::fault_hint(&f, ctx.tool))
                .unwrap_or_default();
            eprintln!(
                "{}: {}",
                ctx.tool,
                crate::output::clean(&format!("{msg}{hint}"), false)
            );
            memo.left_out.insert(msg, (file, now_state));
        }
    }
    // What was said about a file that has changed or gone since is forgotten.
    memo.left_out
        .retain(|_, (file, s)| !s.is_empty() && state(file) == *s);
    let root = ctx.store.root();
    let (copies, _) = scan::conflict_copies(&ctx.store, &mut memo, now);
    let mut found: Vec<String> = copies
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
    let say = found != memo.reported;
    memo.reported = found;
    if let Some(p) = path.filter(|_| memo != before) {
        // Only a cache: when it cannot be written, the next command says it again.
        let _ = memo.save(&p);
    }
    if !say {
        return;
    }
    if let Some(first) = memo.reported.first() {
        let more = match memo.reported.len() {
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
