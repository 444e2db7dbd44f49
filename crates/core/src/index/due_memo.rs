//! A day's first due reviews as `couple today` names them, kept next to the needs index (in the
//! cache folder, 0600) so that a run while nothing changed reads a few hundred bytes instead of
//! the whole index: the index file's state, the needs folder's, the day, the viewer and how many
//! are named, then how many are due and the first ones, each with its file's state in the index.
//!
//! The files are always trusted over the memo, as over the index: it is used only while the
//! index file and the needs folder are as they were when it was written (no need added, removed
//! or replaced; the index not written again), and while the file of every need it names is
//! unchanged (one `stat` each, as [`Check::DueFirst`] looks at them), so that a need rewritten in
//! place, damaged or made private is read again at once; another day, another viewer, a memo
//! that cannot be read whole, and anything changed in the last two seconds all go back to the
//! index. It is kept only when everything it shows came from the index (never a need read from
//! its file, and a private need only as the index keeps it: the viewer's own, while their key
//! here is open, used only for them and only while it still is), so it holds nothing the index
//! does not, and it goes wherever the index or its private needs go. Delete it at any time.

use super::Check;
use super::line::{self, split_at, split_once};
use super::look::{Facts, keepers, listed_noting, own};
use super::stamp::Stamp;
use crate::error::Result;
use crate::needs::{self, Need};
use crate::store::{Store, write_atomic};
use chrono::NaiveDate;
use std::path::{Path, PathBuf};
use std::time::SystemTime;

const MAGIC: &str = "closer-needs-due 2";

/// The first `first` needs `viewer` may see that are due for review on `day` (by review date,
/// then ID), each with its prefix among all they may see, and how many are due: as
/// [`Check::DueFirst`] lists them, through the memo next to `index` while it holds; all of them
/// for `usize::MAX`, as [`Check::DueOn`] lists them.
pub fn due_first(
    store: &Store,
    index: Option<&Path>,
    viewer: Option<&str>,
    day: NaiveDate,
    first: usize,
) -> Result<(Vec<(String, Need)>, usize)> {
    due_first_at(store, index, viewer, day, first, SystemTime::now())
}

pub(super) fn due_first_at(
    store: &Store,
    index: Option<&Path>,
    viewer: Option<&str>,
    day: NaiveDate,
    first: usize,
    now: SystemTime,
) -> Result<(Vec<(String, Need)>, usize)> {
    let check = match first {
        usize::MAX => Check::DueOn(day),
        n => Check::DueFirst(day, n),
    };
    let memo = index.filter(|_| first != usize::MAX);
    let Some(idx) = memo else {
        return listed_noting(store, index, viewer, check, now, None, |all| {
            pick(all, day, first)
        });
    };
    let memo = path(idx);
    let asked = Asked {
        viewer: viewer.unwrap_or("-"),
        day,
        first,
    };
    let index_state = || {
        std::fs::symlink_metadata(idx)
            .ok()
            .and_then(|m| Stamp::of(&m).settled_key(now))
    };
    if let Some(hit) = std::fs::read_to_string(&memo)
        .ok()
        .and_then(|text| read(store, &text, idx, &asked, now))
    {
        return Ok(hit);
    }
    let before = index_state();
    let mut facts = Facts::default();
    let (shown, count) =
        listed_noting(store, index, viewer, check, now, Some(&mut facts), |all| {
            pick(all, day, first)
        })?;
    // Kept only when the index was not written meanwhile, and every need shown was looked at.
    let looked = |n: &Need| facts.looked.iter().find(|(l, _)| names(l, &n.id)).cloned();
    let rows: Option<Vec<(String, String)>> = shown.iter().map(|(_, n)| looked(n)).collect();
    // A private need only as the index keeps it: the viewer's own, while their key here is open.
    let keeps = |n: &Need| !n.private || kept(store, asked.viewer, &n.owner);
    if let (true, Some(state), Some(rows)) = (facts.from_index, before, rows)
        && !facts.folder.is_empty()
        && index_state().as_ref() == Some(&state)
        && shown.iter().all(|(_, n)| keeps(n))
    {
        let mut text = format!(
            "{MAGIC}\n{state}\n{}\n{}\n{}\n{}\n{count}\n",
            facts.folder, asked.viewer, asked.day, asked.first
        );
        for ((short, n), (name, state)) in shown.iter().zip(rows) {
            let kind = if n.private { "O" } else { "S" };
            let line = line::line(n);
            text.push_str(&format!("{name}\t{state}\t{kind}\t{short}\t{line}\n"));
        }
        // A cache: when it cannot be written, the next run reads the index again.
        let _ = write_atomic(&memo, text.as_bytes());
    }
    Ok((shown, count))
}

/// Whether the index keeps `owner`'s private needs in full for `viewer`: their own, while their
/// key here is open (see [`keepers`]).
fn kept(store: &Store, viewer: &str, owner: &str) -> bool {
    viewer == owner && keepers(store).iter().any(|k| k == owner)
}

/// Whether `name` is the file of need `id`: plain or sealed.
fn names(name: &str, id: &str) -> bool {
    name.strip_prefix(id)
        .and_then(|ext| ext.strip_prefix('.'))
        .is_some_and(|ext| ext == "json" || ext == crate::sealing::SEALED_EXT)
}

/// Where the memo of the index at `idx` lives.
pub(super) fn path(idx: &Path) -> PathBuf {
    idx.with_extension("due")
}

struct Asked<'a> {
    viewer: &'a str,
    day: NaiveDate,
    first: usize,
}

/// The first due needs by review date, then ID, as (prefix, need), and how many are due.
fn pick(all: Vec<line::Listed<'_>>, day: NaiveDate, first: usize) -> (Vec<(String, Need)>, usize) {
    let mut due: Vec<&line::Listed> = all.iter().filter(|l| l.due(day)).collect();
    let count = due.len();
    let order = |a: &&line::Listed, b: &&line::Listed| (a.review, a.id).cmp(&(b.review, b.id));
    if first < count {
        due.select_nth_unstable_by(first, order);
        due.truncate(first);
    }
    due.sort_unstable_by(order);
    let shown = due
        .into_iter()
        .map(|l| (l.short().to_owned(), l.need().into_owned()))
        .collect();
    (shown, count)
}

/// What the memo `text` says, when it holds for what is asked and the files are as it says.
fn read(
    store: &Store,
    text: &str,
    idx: &Path,
    asked: &Asked,
    now: SystemTime,
) -> Option<(Vec<(String, Need)>, usize)> {
    let mut lines = split_at(text.strip_suffix('\n')?, b'\n');
    let mut next = || lines.next();
    let (magic, index, folder) = (next()?, next()?, next()?);
    let (viewer, day, first, count) = (next()?, next()?, next()?, next()?);
    let fits = magic == MAGIC
        && viewer == asked.viewer
        && day == asked.day.to_string()
        && first.parse() == Ok(asked.first);
    let count: usize = count.parse().ok()?;
    let settled = |m: std::fs::Metadata| {
        let s = Stamp::of(&m);
        (!s.racy(now)).then_some(s)
    };
    let dir = store.path(needs::DIR);
    let unchanged = |path: &Path, state: &str| {
        std::fs::symlink_metadata(path)
            .ok()
            .and_then(settled)
            .is_some_and(|s| s.is(state))
    };
    if !fits || !unchanged(idx, index) || !unchanged(&dir, folder) {
        return None;
    }
    let open = std::fs::File::open(&dir).ok()?;
    let mut shown = Vec::new();
    for l in lines {
        let (name, l) = split_once(l, b'\t')?;
        let (state, l) = split_once(l, b'\t')?;
        let (kind, l) = split_once(l, b'\t')?;
        let (short, l) = split_once(l, b'\t')?;
        let n = match kind {
            "S" => line::parse(l)?,
            "O" => own(l).filter(|n| kept(store, asked.viewer, n.owner))?,
            _ => return None,
        };
        // The name is checked before it is looked up: only a need file's name, never a path.
        let named = names(name, n.id)
            && short.len() >= crate::ids::MIN_PREFIX
            && n.id.starts_with(short)
            && n.due(asked.day);
        if !named {
            return None;
        }
        let stamp = Stamp::at(&open, &dir, name).ok()?;
        if stamp.racy(now) || !stamp.is(state) {
            return None;
        }
        shown.push((short.to_owned(), n.need().into_owned()));
    }
    (shown.len() == count.min(asked.first)).then_some((shown, count))
}
