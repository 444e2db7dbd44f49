//! One listing: which files of the needs folder are looked at, which are taken from the index
//! and which are read again, and what the viewer sees of them.

use super::Check;
use super::due;
use super::line::{self, Listed, shorten_among};
use super::rows::{Entry, Index, Row, rewritten};
use super::stamp::Stamp;
use super::whole;
use crate::error::Result;
use crate::files::{self, FileKind};
use crate::needs::{self, Need};
use crate::store::{Store, write_atomic};
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::time::SystemTime;

/// The partners whose private needs may be kept in full in the index: only in an encrypted
/// folder, those whose key this device holds without a passphrase (the device's cache keeps
/// what that key opens anyway). In a plain folder, no one.
pub(super) fn keepers(store: &Store) -> Vec<String> {
    let Some(s) = store.sealing() else {
        return Vec::new();
    };
    s.held()
        .filter(|p| s.keys(p).is_some_and(|k| k.memory().is_some()))
        .map(str::to_owned)
        .collect()
}

/// A private need kept in full (an `O` row's line), as its owner lists it.
pub(super) fn own(l: &str) -> Option<Listed<'_>> {
    let mut n = line::parse(l)?;
    n.private = true;
    Some(n)
}

/// From this many files on, half of them are looked at on a second thread.
pub(super) const TWO_THREADS_FROM: usize = 1024;

/// `f` of each item and its slot, in order; for thousands of items, half of them on a second
/// thread: one `stat` of each file, and taking its entry from the index, is most of what a
/// listing of an unchanged folder costs. The slots are made beforehand, so the second thread
/// allocates nothing.
fn on_two_threads<T: Sync, S: Send>(items: &[T], slots: &mut [S], f: impl Fn(&T, &mut S) + Sync) {
    let each = |items: &[T], slots: &mut [S]| {
        for (t, s) in items.iter().zip(slots) {
            f(t, s);
        }
    };
    if items.len() < TWO_THREADS_FROM {
        return each(items, slots);
    }
    let half = items.len() / 2;
    let (first, second) = items.split_at(half);
    let (mine, theirs) = slots.split_at_mut(half);
    std::thread::scope(|s| {
        s.spawn(|| each(second, theirs));
        each(first, mine);
    });
}

/// What looking at one file decided.
#[derive(Debug)]
pub(super) enum Looked<'a> {
    /// Not looked at yet.
    Waiting,
    /// A need from the index: a shared one, or one of the viewer's own kept in full.
    Kept(Listed<'a>),
    /// A need the viewer sees that is not due on the day asked for ([`Check::DueOn`]): only its
    /// ID counts, for the prefixes of those shown.
    Id(&'a str),
    /// Another partner's private need, unchanged: its row kept, nothing shown.
    Hidden,
    /// A name that is not a record's, named.
    Named,
    /// To be read from its file: its state now (none when it is gone or cannot be looked at).
    Read(Option<Stamp>),
}

/// One file to look at: its name, and its row in the index if it has one.
pub(super) type Task<'a> = (&'a str, Option<&'a Row<'a>>);

/// `f`, as what looks at one file and says what it decided, for tasks and slots of one listing.
fn one_look<'a, F: Fn(&Task<'a>, &mut Looked<'a>)>(f: F) -> F {
    f
}

pub(super) fn listed_at<R>(
    store: &Store,
    index: Option<&Path>,
    viewer: Option<&str>,
    check: Check,
    now: SystemTime,
    f: impl FnOnce(Vec<Listed<'_>>) -> R,
) -> Result<R> {
    listed_noting(store, index, viewer, check, now, None, f)
}

/// What a listing found that a memo of its result needs ([`super::due_memo`]).
#[derive(Debug, Default)]
pub(super) struct Facts {
    /// Everything shown was taken from the index of a folder unchanged since it was written.
    pub(super) from_index: bool,
    /// The needs folder's state ([`Stamp::settled_key`]).
    pub(super) folder: String,
    /// The files looked at, with their state in the index: name, state.
    pub(super) looked: Vec<(String, String)>,
}

/// [`listed_at`], noting in `facts` what a memo of its result needs.
pub(super) fn listed_noting<R>(
    store: &Store,
    index: Option<&Path>,
    viewer: Option<&str>,
    check: Check,
    now: SystemTime,
    facts: Option<&mut Facts>,
    f: impl FnOnce(Vec<Listed<'_>>) -> R,
) -> Result<R> {
    let dir = store.path(needs::DIR);
    // The folder's own state first: anything that changes it after this is seen next time.
    let folder = match std::fs::symlink_metadata(&dir) {
        Ok(m) => Stamp::of(&m).settled_key(now).unwrap_or_default(),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(f(Vec::new())),
        Err(e) => return Err(crate::Error::io(&dir, e)),
    };
    let open = std::fs::File::open(&dir).map_err(|e| crate::Error::io(&dir, e))?;
    let keepers = keepers(store);
    let keep = |owner: &str| keepers.iter().any(|k| k == owner);
    let f = match (check, index) {
        (Check::EveryFile, Some(idx)) => {
            let at = whole::Place {
                store,
                dir: &dir,
                open: &open,
                folder: &folder,
            };
            match whole::listed(&at, idx, viewer, &keep, now, f)? {
                Ok(r) => return Ok(r),
                Err(f) => f,
            }
        }
        _ => f,
    };
    let text = index
        .and_then(|idx| std::fs::read_to_string(idx).ok())
        .unwrap_or_default();
    let old = Index::parse(&text);
    // While the folder is as it was, the index names every file in it.
    let trusted = old.whole && !folder.is_empty() && folder == old.folder;
    let listing;
    let tasks: Vec<Task> = if trusted {
        old.rows.iter().map(|r| (r.name, Some(r))).collect()
    } else {
        listing = folder_names(&dir, old.rows.len())?;
        let by_name: HashMap<&str, &Row> = old.rows.iter().map(|r| (r.name, r)).collect();
        listing
            .iter()
            .map(|n| (n.as_str(), by_name.get(n.as_str()).copied()))
            .collect()
    };
    let mut looked: Vec<Looked> = Vec::new();
    looked.resize_with(tasks.len(), || Looked::Waiting);
    let due_day = match check {
        Check::EveryFile => None,
        Check::DueOn(day) | Check::DueFirst(day, _) => Some(day),
    };
    // Without a look at the file: names that are not records', and, for a day's due reviews,
    // the needs the index says are not due and other partners' private needs.
    for ((name, row), slot) in tasks.iter().zip(&mut looked) {
        match (row.map(|r| r.entry), due_day) {
            _ if !files::is_record_name(name) => *slot = Looked::Named,
            (Some(Entry::Shared(l)), Some(day)) if trusted => {
                if let Some((id, false)) = due::head(l, day) {
                    *slot = Looked::Id(id);
                }
            }
            (Some(Entry::Private(owner)), Some(_)) if trusted && viewer != Some(owner) => {
                *slot = Looked::Hidden;
            }
            // Kept in full while its owner may keep it: the viewer's own when not due, another
            // partner's never shown. Otherwise read again (to be kept as `P`).
            (Some(Entry::Own(l)), Some(day)) if trusted => match own(l) {
                Some(n) if keep(n.owner) && viewer != Some(n.owner) => *slot = Looked::Hidden,
                Some(n) if keep(n.owner) && !n.due(day) => *slot = Looked::Id(n.id),
                _ => {}
            },
            _ => {}
        }
    }
    // A file whose state is what the index says is taken from the index; any other is read.
    let look = one_look(|(name, row), slot| {
        if !matches!(slot, Looked::Waiting) {
            return;
        }
        let Ok(stamp) = Stamp::at(&open, &dir, name) else {
            *slot = Looked::Read(None);
            return;
        };
        let unchanged = !stamp.racy(now) && row.is_some_and(|r| stamp.is(r.state));
        *slot = match row.map(|r| r.entry) {
            Some(Entry::Shared(l)) if unchanged => {
                line::parse(l).map_or(Looked::Read(Some(stamp)), Looked::Kept)
            }
            Some(Entry::Private(owner)) if unchanged && viewer != Some(owner) => Looked::Hidden,
            // Read again when its owner's key here has a passphrase now.
            Some(Entry::Own(l)) if unchanged => match own(l) {
                Some(n) if keep(n.owner) && viewer == Some(n.owner) => Looked::Kept(n),
                Some(n) if keep(n.owner) => Looked::Hidden,
                _ => Looked::Read(Some(stamp)),
            },
            _ => Looked::Read(Some(stamp)),
        };
    });
    let mut seen = Vec::new();
    if let (Check::DueFirst(day, first), true) = (check, trusted) {
        seen = due::look_at_first(
            day,
            first,
            &tasks,
            &mut looked,
            &|l| match l {
                Entry::Shared(l) => line::parse(l),
                Entry::Own(l) => own(l).filter(|n| keep(n.owner) && viewer == Some(n.owner)),
                _ => None,
            },
            &look,
        );
    }
    on_two_threads(&tasks, &mut looked, look);
    // The files to read: changed ones, and the viewer's own private needs.
    let reads: Vec<(usize, Option<Stamp>)> = looked
        .iter()
        .enumerate()
        .filter_map(|(i, l)| match l {
            Looked::Read(s) => Some((i, *s)),
            _ => None,
        })
        .collect();
    let paths: Vec<PathBuf> = reads.iter().map(|(i, _)| dir.join(tasks[*i].0)).collect();
    let mut read: Vec<Option<Need>> = store.read_files_past_damage::<Need>(&paths)?;
    // Needs this device misses (its partner's own, deleted behind their back): read as the
    // device trusted them. Only with a memory, which the run has read already.
    let gone: Vec<PathBuf> = match store.sealing().filter(|s| s.memory().is_some()) {
        Some(s) => {
            // A plain file where a sealed one belongs is not trusted: it hides nothing.
            let present: std::collections::HashSet<&str> = tasks
                .iter()
                .filter(|(name, _)| !store.plain_in_sealed(&dir.join(name)))
                .map(|(name, _)| name.split('.').next().unwrap_or_default())
                .collect();
            s.missing(store, needs::DIR, &|name| present.contains(name))
                .iter()
                .map(|place| store.path(&format!("{place}.json")))
                .collect()
        }
        None => Vec::new(),
    };
    let mut missed: Vec<Option<Need>> = store.read_files_past_damage::<Need>(&gone)?;
    for n in read.iter_mut().chain(&mut missed).flatten() {
        n.history = Vec::new();
    }
    let mut named = false;
    for (name, slot) in tasks.iter().zip(&looked) {
        if matches!(slot, Looked::Named) {
            store.note_left_out(&dir.join(name.0), files::NOT_A_RECORD_NAME);
            named = true;
        }
    }
    if let Some(facts) = facts {
        // Nothing was read from a file (a private need may still be shown from the index).
        facts.from_index = trusted && reads.is_empty() && gone.is_empty() && !named;
        facts.folder = folder.clone();
        facts.looked = seen
            .iter()
            .filter_map(|i| Some((tasks[*i].0.to_owned(), tasks[*i].1?.state.to_owned())))
            .collect();
    }
    if let Some(idx) = index {
        let text = rewritten(&old, &tasks, &looked, &reads, &read, &folder, now, &keep);
        // A cache: when it cannot be written, the next listing reads the files again.
        if let Some(text) = text {
            let _ = idx
                .parent()
                .map(|p| Store::new(p).ensure_dir(""))
                .transpose()
                .and_then(|_| write_atomic(idx, text.as_bytes()));
        }
    }
    // What the viewer sees: needs from the index, then those read; for a day's due reviews,
    // only those due, each with its prefix among all.
    let mut others: Vec<&str> = Vec::new();
    let mut shown: Vec<Listed> = Vec::new();
    for l in looked {
        match l {
            Looked::Kept(n) if n.visible_to(viewer) => shown.push(n),
            Looked::Id(id) => others.push(id),
            _ => {}
        }
    }
    shown.extend(
        read.iter()
            .chain(&missed)
            .flatten()
            .map(Listed::of)
            .filter(|n| n.visible_to(viewer)),
    );
    shorten_among(&mut shown, &others);
    if let Some(day) = due_day {
        shown.retain(|n| n.due(day));
    }
    Ok(f(shown))
}

/// The names in the needs folder that are records', and those that look as if they were meant
/// to be (said on every listing); conflict copies, locks and temporary files are left to the
/// look every command takes at its end.
fn folder_names(dir: &Path, about: usize) -> Result<Vec<String>> {
    let entries = std::fs::read_dir(dir).map_err(|e| crate::Error::io(dir, e))?;
    let mut names = Vec::with_capacity(about);
    for e in entries.flatten() {
        let Some(name) = e.file_name().to_str().map(str::to_owned) else {
            continue;
        };
        match files::classify(&name) {
            FileKind::Record => names.push(name),
            FileKind::Other if files::looks_like_a_record(&name) => names.push(name),
            _ => {}
        }
    }
    Ok(names)
}
