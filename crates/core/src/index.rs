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

mod due;
mod due_memo;
#[cfg(test)]
mod due_memo_tests;
#[cfg(test)]
mod due_tests;
mod line;
mod look;
#[cfg(test)]
mod own_tests;
mod rows;
mod stamp;
#[cfg(test)]
mod tests;
mod whole;
#[cfg(test)]
mod whole_tests;

pub use due_memo::due_first;
pub use line::{Listed, shorten};

use crate::error::Result;
use crate::needs::Need;
use crate::store::Store;
use look::listed_at;
use stamp::Stamp;
use std::path::{Path, PathBuf};
use std::time::SystemTime;

const MAGIC: &str = "closer-needs-index 4";

/// Where the index of `store`'s needs folder lives inside `cache_dir`.
pub fn path(cache_dir: &Path, store: &Store) -> PathBuf {
    cache_dir.join(format!("needs-{}.idx", folder_key(store)))
}

/// Removes the index at `idx` and what is kept beside it (the due reviews' memo): what they hold
/// may no longer be kept on this device.
pub fn remove(idx: &Path) {
    let _ = std::fs::remove_file(idx);
    let _ = std::fs::remove_file(due_memo::path(idx));
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

/// How much of the folder a listing checks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Check {
    /// One `stat` of every need file: a file rewritten in place, by hand or by any program, is
    /// seen at once. What every listing of needs does.
    EveryFile,
    /// Only what reviews due on this day need: while the needs folder is as it was when the index
    /// was written (no file added, removed or replaced: how closer and every sync tool write),
    /// only the files of needs the index says are due are looked at, and those of the viewer's
    /// private needs it does not keep in full (a private need kept in full, that is
    /// not due is taken from the index like a shared one; other partners' are not looked at). A
    /// need whose review date was changed by rewriting its file in place, by hand, shows up when
    /// the folder next changes or the needs are next listed. For `couple today`.
    DueOn(chrono::NaiveDate),
    /// Like [`Check::DueOn`], but of the needs the index says are due, only the files of the
    /// first `n` (by review date, then ID) are looked at: a changed one is read, and the next
    /// takes its place, until `n` are found unchanged; the others due are counted as the index
    /// has them. For `couple today`'s sentences, which name the first few due needs and count
    /// the rest.
    DueFirst(chrono::NaiveDate, usize),
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
/// [`Check::DueOn`], only the needs due that day.
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

/// The needs `viewer` may see that are due for review on `day`, as [`Check::DueOn`] checks them,
/// each with its prefix: the tests' look at that check (`couple today` takes its due needs
/// through [`listed`], see `glance::Due::on`).
#[cfg(test)]
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
/// needs whose files are unchanged are borrowed from the index as it was read, not copied. With
/// [`Check::DueOn`], only the needs due that day are given, still with their prefixes among all.
pub fn listed<R>(
    store: &Store,
    index: Option<&Path>,
    viewer: Option<&str>,
    check: Check,
    f: impl FnOnce(Vec<Listed<'_>>) -> R,
) -> Result<R> {
    listed_at(store, index, viewer, check, SystemTime::now(), f)
}

/// Removes the index at `path` when it keeps a private need of `owner`'s in full (their key on
/// this device has a passphrase now, see [`look::keepers`]), and the memo beside it: the next
/// listing writes it again without. A missing index is nothing to remove.
pub fn forget_private(path: &Path, owner: &str) -> std::io::Result<()> {
    // The due reviews' memo may name their private needs as well.
    let _ = std::fs::remove_file(due_memo::path(path));
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
