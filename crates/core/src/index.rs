//! A device-local index of the needs folder, so that listing thousands of needs reads one small
//! file and one `stat` per need instead of thousands of files. It lives in the cache folder,
//! never in the data folder, holds no history, and never what the device's partner may not
//! see: a private need is kept there as "private, whose", and in full only in an encrypted
//! folder while its owner's key is on this device without a passphrase (its cache keeps what
//! that key opens anyway); otherwise it is read from its file when its owner lists.
//!
//! The files are always trusted over the index: each entry carries its file's size,
//! modification and change times and inode, checked against one `stat` per file on every
//! listing, so a file rewritten in place, damaged or made private is read again at once. The
//! index names every file of the folder, so while the folder itself is as it was when the index
//! was written (its times, size and inode: no file added, removed or replaced since), the
//! folder is not listed again. Delete the index at any time; nothing is lost.

mod line;
#[cfg(test)]
mod own_tests;
mod stamp;
#[cfg(test)]
mod tests;

pub use line::{Listed, shorten};

use crate::error::Result;
use crate::files::{self, FileKind};
use crate::needs::{self, Need};
use crate::store::{Store, write_atomic};
use stamp::Stamp;
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::time::SystemTime;

const MAGIC: &str = "closer-needs-index 4";

/// Where the index of `store`'s needs folder lives inside `cache_dir`.
pub fn path(cache_dir: &Path, store: &Store) -> PathBuf {
    cache_dir.join(format!("needs-{}.idx", folder_key(store)))
}

/// A short name for the data folder, from its full path: for what a device keeps about it.
pub fn folder_key(store: &Store) -> String {
    let root = store.real_root();
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in root.as_os_str().as_encoded_bytes() {
        h = (*b as u64 ^ h).wrapping_mul(0x0000_0100_0000_01b3);
    }
    format!("{h:016x}")
}

/// What a file looks like now (size, times, inode), or `None` when it changed too recently to
/// be trusted to a cache.
pub(crate) fn file_state(m: &std::fs::Metadata, now: SystemTime) -> Option<String> {
    Stamp::of(m).settled_key(now)
}

/// What a file looks like now (size, times, inode), however recently it changed.
pub(crate) fn file_key(m: &std::fs::Metadata) -> String {
    Stamp::of(m).key()
}

/// The partners whose private needs may be kept in full in the index: only in an encrypted
/// folder, those whose key this device holds without a passphrase (the device's cache keeps
/// what that key opens anyway). In a plain folder, no one.
fn keepers(store: &Store) -> Vec<String> {
    let Some(s) = store.sealing() else {
        return Vec::new();
    };
    s.held()
        .filter(|p| s.keys(p).is_some_and(|k| k.memory().is_some()))
        .map(str::to_owned)
        .collect()
}

/// A private need kept in full (an `O` row's line), as its owner lists it.
fn own(l: &str) -> Option<Listed<'_>> {
    let mut n = line::parse(l)?;
    n.private = true;
    Some(n)
}

/// From this many files on, half of them are looked at on a second thread.
const TWO_THREADS_FROM: usize = 1024;

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

/// How much of the folder a listing checks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Check {
    /// One `stat` of every need file: a file rewritten in place, by hand or by any program, is
    /// seen at once. What every listing of needs does.
    EveryFile,
    /// Only what reviews due on this day need: while the needs folder is as it was when the index
    /// was written (no file added, removed or replaced: how closer and every sync tool write),
    /// only the files of needs the index says are due, and the viewer's private ones, are looked
    /// at. A need whose review date was changed by rewriting its file in place, by hand, shows up
    /// when the folder next changes or the needs are next listed. For `couple today`.
    DueOn(chrono::NaiveDate),
}

/// The needs `viewer` may see (shared ones, and their own private ones), without history: each
/// from the index when its file is unchanged, otherwise from the file. The index is rewritten
/// when `index` is given and anything was read from a file.
pub fn needs_without_history(
    store: &Store,
    index: Option<&Path>,
    viewer: Option<&str>,
) -> Result<Vec<Need>> {
    needs_checked(store, index, viewer, Check::EveryFile)
}

/// Like [`needs_without_history`], checking the files as `check` says; with
/// [`Check::DueOn`], only the needs due that day are sure to be current.
pub fn needs_checked(
    store: &Store,
    index: Option<&Path>,
    viewer: Option<&str>,
    check: Check,
) -> Result<Vec<Need>> {
    list_at(store, index, viewer, check, SystemTime::now())
}

fn list_at(
    store: &Store,
    index: Option<&Path>,
    viewer: Option<&str>,
    check: Check,
    now: SystemTime,
) -> Result<Vec<Need>> {
    listed_at(store, index, viewer, check, now, |all| {
        let mut out: Vec<Need> = all.iter().map(|l| l.need().into_owned()).collect();
        out.sort_by_cached_key(|n| (n.created, n.id.clone()));
        out
    })
}

/// The needs `viewer` may see that are due for review on `day` (as [`Check::DueOn`] checks
/// them), each with its shortest unique prefix among all the needs they may see. The needs not
/// due are not decoded from the index, only their IDs taken: what `couple today` shows.
pub fn due_on(
    store: &Store,
    index: Option<&Path>,
    viewer: Option<&str>,
    day: chrono::NaiveDate,
) -> Result<Vec<(String, Need)>> {
    due_at(store, index, viewer, day, SystemTime::now())
}

fn due_at(
    store: &Store,
    index: Option<&Path>,
    viewer: Option<&str>,
    day: chrono::NaiveDate,
    now: SystemTime,
) -> Result<Vec<(String, Need)>> {
    listed_at(store, index, viewer, Check::DueOn(day), now, |all| {
        let mut due: Vec<(String, Need)> = all
            .iter()
            .filter(|l| l.due(day))
            .map(|l| (l.short().to_owned(), l.need().into_owned()))
            .collect();
        due.sort_by_cached_key(|(_, n)| (n.created, n.id.clone()));
        due
    })
}

/// The needs `viewer` may see (shared ones, and their own private ones), each with its shortest
/// unique prefix among them ([`Listed::short`]), checked as `check` says, given to `f`: shared
/// needs whose files are unchanged are borrowed from the index as it was read, not copied.
pub fn listed<R>(
    store: &Store,
    index: Option<&Path>,
    viewer: Option<&str>,
    check: Check,
    f: impl FnOnce(Vec<Listed<'_>>) -> R,
) -> Result<R> {
    listed_at(store, index, viewer, check, SystemTime::now(), f)
}

/// One line of the index: a file's name, its state ([`Stamp::key`]; empty for a file that is
/// read on every listing) and what it holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Row<'a> {
    name: &'a str,
    state: &'a str,
    entry: Entry<'a>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Entry<'a> {
    /// `S\t…`: a shared need ([`line::line`]).
    Shared(&'a str),
    /// `P\tOWNER`: a private need, only whose it is.
    Private(&'a str),
    /// `O\t…`: a private need kept in full ([`line::line`]), while its owner may keep it here
    /// (see [`may_keep`]).
    Own(&'a str),
    /// `R`: a record file read on every listing (changed too recently to cache, or damaged).
    Read,
    /// `N`: a file whose name is not a record's, named on every listing.
    Named,
}

impl<'a> Row<'a> {
    fn parse(l: &'a str) -> Option<Row<'a>> {
        let (name, l) = line::split_once(l, b'\t')?;
        let (state, entry) = line::split_once(l, b'\t')?;
        let entry = match line::split_once(entry, b'\t') {
            Some(("S", need)) => Entry::Shared(need),
            Some(("P", owner)) if crate::ids::valid(owner) => Entry::Private(owner),
            Some(("O", need)) => Entry::Own(need),
            None if entry == "R" => Entry::Read,
            None if entry == "N" => Entry::Named,
            _ => return None,
        };
        let named = matches!(entry, Entry::Named);
        let fits = if named {
            !name.is_empty() && !name.contains('/') && !files::is_record_name(name)
        } else {
            files::is_record_name(name)
        };
        // A cached entry has a state; a file read or named every time has none.
        let cached = matches!(entry, Entry::Shared(_) | Entry::Private(_) | Entry::Own(_));
        (fits && cached != state.is_empty()).then_some(Row { name, state, entry })
    }

    fn write(&self, text: &mut String) {
        for part in [self.name, "\t", self.state, "\t"] {
            text.push_str(part);
        }
        match self.entry {
            Entry::Shared(l) => {
                text.push_str("S\t");
                text.push_str(l);
            }
            Entry::Private(owner) => {
                text.push_str("P\t");
                text.push_str(owner);
            }
            Entry::Own(l) => {
                text.push_str("O\t");
                text.push_str(l);
            }
            Entry::Read => text.push('R'),
            Entry::Named => text.push('N'),
        }
        text.push('\n');
    }
}

/// The index as read: the needs folder's state when it was written, and its rows, in the order
/// of their names; `whole` when every line was read and no name came twice, so that the rows
/// can stand for the folder's listing.
struct Index<'a> {
    folder: &'a str,
    rows: Vec<Row<'a>>,
    whole: bool,
}

impl<'a> Index<'a> {
    fn parse(text: &'a str) -> Index<'a> {
        let mut ix = Index {
            folder: "",
            rows: Vec::new(),
            whole: false,
        };
        let Some(body) = text.strip_prefix(MAGIC).and_then(|r| r.strip_prefix('\n')) else {
            return ix;
        };
        let mut lines = line::split_at(body, b'\n');
        ix.folder = lines.next().unwrap_or_default();
        ix.rows.reserve(body.len() / 160);
        ix.whole = true;
        for l in lines.filter(|l| !l.is_empty()) {
            match Row::parse(l) {
                Some(r) if ix.rows.last().is_none_or(|p| p.name < r.name) => ix.rows.push(r),
                _ => ix.whole = false,
            }
        }
        ix
    }
}

/// What looking at one file decided.
#[derive(Debug)]
enum Looked<'a> {
    /// Not looked at yet.
    Waiting,
    /// A need from the index: a shared one, or one of the viewer's own kept in full.
    Kept(Listed<'a>),
    /// Another partner's private need, unchanged: its row kept, nothing shown.
    Hidden,
    /// A name that is not a record's, named.
    Named,
    /// To be read from its file: its state now (none when it is gone or cannot be looked at).
    Read(Option<Stamp>),
}

/// One file to look at: its name, and its row in the index if it has one.
type Task<'a> = (&'a str, Option<&'a Row<'a>>);

fn listed_at<R>(
    store: &Store,
    index: Option<&Path>,
    viewer: Option<&str>,
    check: Check,
    now: SystemTime,
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
    let text = index
        .and_then(|idx| std::fs::read_to_string(idx).ok())
        .unwrap_or_default();
    let old = Index::parse(&text);
    // While the folder is as it was, the index names every file in it.
    let trusted = old.whole && !folder.is_empty() && folder == old.folder;
    let keepers = keepers(store);
    let keep = |owner: &str| keepers.iter().any(|k| k == owner);
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
    // Without a look at the file: names that are not records', and, for a day's due reviews,
    // the needs the index says are not due and other partners' private needs.
    for ((name, row), slot) in tasks.iter().zip(&mut looked) {
        match (row.map(|r| r.entry), check) {
            _ if !files::is_record_name(name) => *slot = Looked::Named,
            (Some(Entry::Shared(l)), Check::DueOn(day)) if trusted => {
                if let Some(n) = line::parse(l).filter(|n| !n.due(day)) {
                    *slot = Looked::Kept(n);
                }
            }
            (Some(Entry::Private(owner)), Check::DueOn(_)) if trusted && viewer != Some(owner) => {
                *slot = Looked::Hidden;
            }
            // Kept in full while its owner may keep it: the viewer's own when not due, another
            // partner's never shown. Otherwise read again (to be kept as `P`).
            (Some(Entry::Own(l)), Check::DueOn(day)) if trusted => match own(l) {
                Some(n) if keep(n.owner) && viewer != Some(n.owner) => *slot = Looked::Hidden,
                Some(n) if keep(n.owner) && !n.due(day) => *slot = Looked::Kept(n),
                _ => {}
            },
            _ => {}
        }
    }
    // A file whose state is what the index says is taken from the index; any other is read.
    on_two_threads(&tasks, &mut looked, |(name, row), slot| {
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
            let present: std::collections::HashSet<&str> = tasks
                .iter()
                .map(|(name, _)| name.split('.').next().unwrap_or_default())
                .collect();
            s.missing(needs::DIR, &|name| present.contains(name))
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
    for (name, slot) in tasks.iter().zip(&looked) {
        if matches!(slot, Looked::Named) {
            store.note_left_out(&dir.join(name.0), files::NOT_A_RECORD_NAME);
        }
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
    // What the viewer sees: needs from the index, then those read.
    let mut shown: Vec<Listed> = looked
        .into_iter()
        .filter_map(|l| match l {
            Looked::Kept(n) => Some(n),
            _ => None,
        })
        .filter(|n| n.visible_to(viewer))
        .collect();
    shown.extend(
        read.iter()
            .chain(&missed)
            .flatten()
            .map(Listed::of)
            .filter(|n| n.visible_to(viewer)),
    );
    shorten(&mut shown);
    Ok(f(shown))
}

/// The index as it is now, if anything in it changed: the folder's state, or any row. Rows of
/// files that were not read are kept as they were; a private need read is kept in full only
/// when `keep` says its owner may keep it.
#[allow(clippy::too_many_arguments)]
fn rewritten(
    old: &Index,
    tasks: &[Task],
    looked: &[Looked],
    reads: &[(usize, Option<Stamp>)],
    read: &[Option<Need>],
    folder: &str,
    now: SystemTime,
    keep: &dyn Fn(&str) -> bool,
) -> Option<String> {
    let mut rows: Vec<Option<Row>> = tasks
        .iter()
        .zip(looked)
        .map(|((name, row), l)| match l {
            Looked::Named => Some(Row {
                name,
                state: "",
                entry: Entry::Named,
            }),
            _ => row.copied(),
        })
        .collect();
    let mut changed = !old.whole || folder != old.folder || tasks.len() != old.rows.len();
    // What each file read holds now: its state when settled, and its line when shared or kept.
    let states: Vec<String> = reads
        .iter()
        .zip(read)
        .map(|((_, s), n)| match (s, n) {
            (Some(s), Some(_)) => s.settled_key(now).unwrap_or_default(),
            _ => String::new(),
        })
        .collect();
    let lines: Vec<Option<String>> = read
        .iter()
        .zip(&states)
        .map(|(n, k)| match n {
            Some(n) if (!n.private || keep(&n.owner)) && !k.is_empty() => Some(line::line(n)),
            _ => None,
        })
        .collect();
    for (j, ((i, stamp), n)) in reads.iter().zip(read).enumerate() {
        let state = states[j].as_str();
        let entry = match (n, &lines[j]) {
            (Some(n), Some(l)) if n.private => Entry::Own(l),
            (Some(n), _) if n.private && !state.is_empty() => Entry::Private(&n.owner),
            (Some(_), Some(l)) => Entry::Shared(l),
            _ => Entry::Read,
        };
        // A file gone since the folder was listed has no row.
        let row = stamp.map(|_| Row {
            name: tasks[*i].0,
            state,
            entry,
        });
        changed |= row != rows[*i];
        rows[*i] = row;
    }
    if !changed {
        return None;
    }
    let mut rows: Vec<Row> = rows.into_iter().flatten().collect();
    rows.sort_unstable_by(|a, b| a.name.cmp(b.name));
    rows.dedup_by(|a, b| a.name == b.name);
    let mut text = format!("{MAGIC}\n{folder}\n");
    text.reserve(rows.len() * 200);
    for r in &rows {
        r.write(&mut text);
    }
    Some(text)
}

/// Removes the index at `path` when it keeps a private need of `owner`'s in full (their key on
/// this device has a passphrase now, see [`keepers`]): the next listing writes it again
/// without. A missing index is nothing to remove.
pub fn forget_private(path: &Path, owner: &str) -> std::io::Result<()> {
    let Ok(text) = std::fs::read_to_string(path) else {
        return Ok(());
    };
    let kept = text.lines().any(|l| {
        // name, state, kind, then the need's ID and its owner.
        let mut f = line::split_at(l, b'\t');
        f.nth(2) == Some("O") && f.nth(1) == Some(owner)
    });
    if !kept {
        return Ok(());
    }
    match std::fs::remove_file(path) {
        Err(e) if e.kind() != std::io::ErrorKind::NotFound => Err(e),
        _ => Ok(()),
    }
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
