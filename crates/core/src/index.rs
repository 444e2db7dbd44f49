//! A device-local index of the needs folder, so that listing thousands of needs reads one small
//! file and one folder listing instead of thousands of files. It lives in the cache folder, never
//! in the data folder, holds no history, and never what the device's partner may not see: a
//! private need is kept there as "private, whose", and in full only in an encrypted folder while
//! its owner's key is on this device without a passphrase (its cache keeps what that key opens
//! anyway); otherwise it is read from its file when its owner lists.
//!
//! The files are always trusted over the index: each entry carries its file's size, modification
//! and change times and inode, checked against one `stat` per file on every listing, so a file
//! rewritten in place, damaged or made private is read again at once. Delete the index at any
//! time; nothing is lost.

use crate::Word;
use crate::error::Result;
use crate::files::{self, FileKind};
use crate::needs::{self, Helper, Importance, Need, Status};
use crate::scan;
use crate::store::{FORMAT_VERSION, Store, write_atomic};
use std::borrow::Cow;
use std::collections::HashMap;
use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

const MAGIC: &str = "closer-needs-index 3";
/// A file changed this recently may change again within the same clock tick without its times
/// moving; it is not indexed (the way git treats "racy" files) and is read on every listing.
const SETTLE: Duration = Duration::from_secs(2);

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

/// What a file looked like when it was indexed: size, modification and change times (ns), inode.
fn key(m: &std::fs::Metadata) -> String {
    format!(
        "{}.{}.{}.{}.{}.{}",
        m.len(),
        m.mtime(),
        m.mtime_nsec(),
        m.ctime(),
        m.ctime_nsec(),
        m.ino()
    )
}

/// What a file looks like now ([`key`]), or `None` when it changed within [`SETTLE`] of `now`
/// and must not be trusted to a cache.
pub(crate) fn file_state(m: &std::fs::Metadata, now: SystemTime) -> Option<String> {
    (!racy(m, now)).then(|| key(m))
}

/// Whether a file looks now as it did when it was indexed as `old` (see [`key`]), without
/// writing its state out as text.
fn unchanged(old: &str, m: &std::fs::Metadata) -> bool {
    let now = [
        i64::try_from(m.len()).ok(),
        Some(m.mtime()),
        Some(m.mtime_nsec()),
        Some(m.ctime()),
        Some(m.ctime_nsec()),
        i64::try_from(m.ino()).ok(),
    ];
    let mut f = split_at(old, b'.');
    now.iter()
        .all(|n| n.is_some() && f.next().and_then(|s| s.parse().ok()) == *n)
        && f.next().is_none()
}

/// `s` cut at each `sep`, an ASCII byte: a byte search, quicker than a `char` pattern for the
/// short fields of an index line.
fn split_at(s: &str, sep: u8) -> impl Iterator<Item = &str> {
    let mut rest = Some(s);
    std::iter::from_fn(move || {
        let r = rest?;
        match r.bytes().position(|b| b == sep) {
            Some(i) => {
                rest = Some(&r[i + 1..]);
                Some(&r[..i])
            }
            None => {
                rest = None;
                Some(r)
            }
        }
    })
}

/// A date as the index writes it, `YYYY-MM-DD`, read without a general parser; any other
/// shape through chrono's.
fn date(s: &str) -> Option<chrono::NaiveDate> {
    let b = s.as_bytes();
    if b.len() != 10 || b[4] != b'-' || b[7] != b'-' {
        return s.parse().ok();
    }
    let num = |r: std::ops::Range<usize>| {
        b[r].iter().try_fold(0u32, |n, d| {
            d.is_ascii_digit().then(|| n * 10 + u32::from(d - b'0'))
        })
    };
    chrono::NaiveDate::from_ymd_opt(i32::try_from(num(0..4)?).ok()?, num(5..7)?, num(8..10)?)
}

/// A file changed within [`SETTLE`] of `now`.
fn racy(m: &std::fs::Metadata, now: SystemTime) -> bool {
    let now = now.duration_since(UNIX_EPOCH).unwrap_or_default().as_secs() as i64;
    m.mtime().max(m.ctime()) + SETTLE.as_secs() as i64 >= now
}

/// From this many files on, half of them are looked at on a second thread.
const TWO_THREADS_FROM: usize = 1024;

/// `f` of each item, in order; for thousands of items, half of them on a second thread: one
/// `stat` of each file, and taking its entry from the index, is most of what a listing of an
/// unchanged folder costs.
fn on_two_threads<T: Send, R: Send>(mut items: Vec<T>, f: impl Fn(T) -> R + Sync) -> Vec<R> {
    if items.len() < TWO_THREADS_FROM {
        return items.into_iter().map(f).collect();
    }
    let second_half = items.split_off(items.len() / 2);
    std::thread::scope(|s| {
        let second = s.spawn(|| second_half.into_iter().map(&f).collect::<Vec<_>>());
        let mut out: Vec<R> = items.into_iter().map(&f).collect();
        // A panic there is a panic here, as if it had run on this thread.
        out.extend(
            second
                .join()
                .unwrap_or_else(|e| std::panic::resume_unwind(e)),
        );
        out
    })
}

/// An index entry: a shared need without history, the owner of a private one, or a private
/// need without history that its owner may keep here (see [`may_keep`]).
enum Entry {
    Shared(Box<Need>),
    Private(String),
    Own(Box<Need>),
}

/// Whether a private need of `owner`'s may be kept in full in the index: only in an encrypted
/// folder, while this device holds their key without a passphrase (the device's cache keeps what
/// that key opens anyway). In a plain folder, never.
fn may_keep(store: &Store, owner: &str) -> bool {
    store
        .sealing()
        .is_some_and(|s| s.keys(owner).is_some_and(|k| k.memory().is_some()))
}

/// One line of the index as it will be written again: the file's name, its state (see [`key`])
/// and what it holds (`S\t…` or `P\tOWNER`), taken as they were for an unchanged file.
type Row<'a> = (Cow<'a, str>, Cow<'a, str>, Cow<'a, str>);

/// What looking at one file decided: taken from the index (its row as it was, and the entry),
/// or to be read (name, state, whether it has settled).
enum Looked<'a> {
    Kept(Row<'a>, Entry),
    /// A shared need not due, its row kept as it was, undecoded ([`Check::DueOn`]).
    Later(Row<'a>),
    Read(String, String, bool),
}

impl Looked<'_> {
    /// The need file's name.
    fn name(&self) -> &str {
        match self {
            Looked::Kept(row, _) | Looked::Later(row) => &row.0,
            Looked::Read(name, _, _) => name,
        }
    }
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
    list_at(store, index, viewer, Check::EveryFile, SystemTime::now())
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
    let (needs, later) = listing(store, index, viewer, Check::DueOn(day), now)?;
    let seen: Vec<Need> = needs.into_iter().filter(|n| n.visible_to(viewer)).collect();
    let ids: Vec<&str> = seen
        .iter()
        .map(|n| n.id.as_str())
        .chain(later.iter().filter_map(|l| later_id(l)))
        .collect();
    let lens = crate::ids::prefix_lengths(&ids);
    let shorts: Vec<String> = seen
        .iter()
        .zip(lens)
        .map(|(n, l)| n.id.prefix(l).to_owned())
        .collect();
    Ok(shorts
        .into_iter()
        .zip(seen)
        .filter(|(_, n)| n.due(day))
        .collect())
}

fn list_at(
    store: &Store,
    index: Option<&Path>,
    viewer: Option<&str>,
    check: Check,
    now: SystemTime,
) -> Result<Vec<Need>> {
    let (mut out, later) = listing(store, index, viewer, check, now)?;
    if later.is_empty() {
        return Ok(out);
    }
    out.extend(later.iter().filter_map(|l| match parse_entry(l) {
        Some(Entry::Shared(n) | Entry::Own(n)) => Some(*n),
        _ => None,
    }));
    out.sort_by_cached_key(|n| (n.created, n.id.clone()));
    Ok(out)
}

/// A shared need's index entry (`S\t…`), or a private one kept in full (`O\t…`) whose owner
/// `shown` says is the viewer, that says it is not due on `day`: left undecoded.
fn not_due(rest: &str, day: chrono::NaiveDate, shown: impl Fn(&str) -> bool) -> bool {
    let mut f = split_at(rest, b'\t');
    let (Some(kind), Some(_id), Some(owner), Some(status)) =
        (f.next(), f.next(), f.next(), f.next())
    else {
        return false;
    };
    if !(kind == "S" || kind == "O" && shown(owner)) {
        return false;
    }
    let Some(review) = f.nth(5) else {
        return false;
    };
    match Status::from_word(status) {
        Some(s) if !s.is_open() => true,
        Some(_) if review == "-" => true,
        Some(_) => review.parse::<chrono::NaiveDate>().is_ok_and(|r| r > day),
        None => false,
    }
}

/// The ID in a shared need's index entry.
fn later_id(rest: &str) -> Option<&str> {
    split_at(rest, b'\t')
        .nth(1)
        .filter(|id| crate::ids::Id::parse(id).is_ok())
}

/// The needs read or decoded, and the index entries of shared needs left undecoded because
/// they are not due ([`Check::DueOn`] only).
fn listing(
    store: &Store,
    index: Option<&Path>,
    viewer: Option<&str>,
    check: Check,
    now: SystemTime,
) -> Result<(Vec<Need>, Vec<String>)> {
    let dir = store.path(needs::DIR);
    // The folder's own state first: anything that changes it after this is seen next time.
    let folder = match std::fs::symlink_metadata(&dir) {
        Ok(m) => scan::state_key(&m, now),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok((Vec::new(), Vec::new())),
        Err(e) => return Err(crate::Error::io(&dir, e)),
    };
    let cached = index
        .and_then(|idx| std::fs::read_to_string(idx).ok())
        .unwrap_or_default();
    let mut known: HashMap<&str, (&str, &str)> = HashMap::new();
    let mut indexed_folder = "";
    if let Some(body) = cached
        .strip_prefix(MAGIC)
        .and_then(|r| r.strip_prefix('\n'))
    {
        let mut lines = body.lines();
        indexed_folder = lines.next().unwrap_or_default();
        known.reserve(body.len() / 128);
        for l in lines {
            let Some((name, l)) = split_once(l, b'\t') else {
                continue;
            };
            if let Some((k, rest)) = split_once(l, b'\t') {
                known.insert(name, (k, rest));
            }
        }
    }
    let trusted_folder = !folder.is_empty() && folder == indexed_folder;
    let keep = |owner: &str| may_keep(store, owner);
    // A file whose state is what the index says is taken from the index; any other is read.
    let look = |name: String, meta: Option<std::fs::Metadata>| -> Looked<'_> {
        let Some(meta) = meta else {
            // Gone since the folder was listed: reading it finds that out.
            return Looked::Read(name, String::new(), false);
        };
        let settled = !racy(&meta, now);
        let indexed = known
            .get_key_value(name.as_str())
            .filter(|(_, (old, _))| settled && unchanged(old, &meta))
            .and_then(|(n, (k, rest))| Some(((*n, *k, *rest), parse_entry(rest)?)))
            // Read again: a private need kept in full whose owner's key here has a passphrase
            // now, and one of the viewer's own that may now be kept in full.
            .filter(|(_, e)| match e {
                Entry::Own(n) => keep(n.owner.as_str()),
                Entry::Private(owner) => viewer != Some(owner.as_str()) || !keep(owner),
                Entry::Shared(_) => true,
            });
        match indexed {
            Some(((n, k, rest), entry)) => Looked::Kept(
                (Cow::Borrowed(n), Cow::Borrowed(k), Cow::Borrowed(rest)),
                entry,
            ),
            None => Looked::Read(name, key(&meta), settled),
        }
    };
    let mut looked = Vec::new();
    match check {
        Check::DueOn(day) if trusted_folder => {
            for (name, (k, rest)) in &known {
                let row = || {
                    (
                        Cow::Borrowed(*name),
                        Cow::Borrowed(*k),
                        Cow::Borrowed(*rest),
                    )
                };
                if not_due(rest, day, |owner| viewer == Some(owner) && keep(owner)) {
                    looked.push(Looked::Later(row()));
                    continue;
                }
                // A shared need that may be due is looked at, and decoded there (once).
                let entry = if rest.starts_with("S\t") {
                    None
                } else {
                    parse_entry(rest)
                };
                match entry {
                    Some(Entry::Private(owner)) if viewer != Some(owner.as_str()) => {
                        looked.push(Looked::Kept(row(), Entry::Private(owner)));
                    }
                    // Another partner's, still kept: left as it is, never shown.
                    Some(Entry::Own(n))
                        if viewer != Some(n.owner.as_str()) && keep(n.owner.as_str()) =>
                    {
                        looked.push(Looked::Kept(row(), Entry::Private(n.owner.to_string())));
                    }
                    _ => looked.push(look(
                        (*name).to_owned(),
                        std::fs::symlink_metadata(dir.join(name)).ok(),
                    )),
                }
            }
        }
        _ => {
            let entries = std::fs::read_dir(&dir).map_err(|e| crate::Error::io(&dir, e))?;
            let mut records = Vec::with_capacity(known.len());
            for e in entries.flatten() {
                let Some(name) = e.file_name().to_str().map(str::to_owned) else {
                    continue;
                };
                match files::classify(&name) {
                    FileKind::Record => records.push((name, e)),
                    FileKind::Other if files::looks_like_a_record(&name) => {
                        store.note_left_out(&e.path(), files::NOT_A_RECORD_NAME);
                    }
                    _ => {}
                }
            }
            looked = on_two_threads(records, |(name, e)| {
                let meta = e.metadata().ok();
                look(name, meta)
            });
        }
    }
    // Needs this device misses (its partner's own, deleted behind their back): read below as
    // the device trusted them. Only with a memory, which the run has read already.
    let gone: Vec<PathBuf> = match store.sealing().filter(|s| s.memory().is_some()) {
        Some(s) => {
            let present: std::collections::HashSet<&str> = looked
                .iter()
                .map(|l| l.name().split('.').next().unwrap_or_default())
                .collect();
            s.missing(needs::DIR, &|name| present.contains(name))
                .iter()
                .map(|place| store.path(&format!("{place}.json")))
                .collect()
        }
        None => Vec::new(),
    };
    // Shared needs taken from the index go straight to the list; the rows stay as they were.
    let mut out = Vec::with_capacity(looked.len());
    let mut rows: Vec<Row> = Vec::with_capacity(looked.len());
    let mut to_read: Vec<(String, String, bool)> = Vec::new();
    // Private needs of the viewer's are read from their files, like changed ones.
    let mut private_mine = Vec::new();
    let mut later = Vec::new();
    for l in looked {
        match l {
            Looked::Later(row) => {
                later.push(row.2.to_string());
                rows.push(row);
            }
            Looked::Kept(row, Entry::Shared(n)) => {
                out.push(*n);
                rows.push(row);
            }
            Looked::Kept(row, Entry::Private(owner)) => {
                if viewer == Some(owner.as_str()) {
                    private_mine.push(dir.join(&*row.0));
                }
                rows.push(row);
            }
            Looked::Kept(row, Entry::Own(n)) => {
                if n.visible_to(viewer) {
                    out.push(*n);
                }
                rows.push(row);
            }
            Looked::Read(name, k, settled) => to_read.push((name, k, settled)),
        }
    }
    let changed = !to_read.is_empty() || rows.len() != known.len() || folder != indexed_folder;
    let paths: Vec<PathBuf> = to_read.iter().map(|(n, _, _)| dir.join(n)).collect();
    let read = store.read_files_past_damage::<Need>(&paths)?;
    for ((name, k, settled), n) in to_read.into_iter().zip(read) {
        let Some(mut n) = n else { continue };
        n.history = Vec::new();
        if settled && index.is_some() {
            let entry = if n.private && !keep(n.owner.as_str()) {
                format!("P\t{}", n.owner)
            } else if n.private {
                format!("O\t{}", line(&n))
            } else {
                format!("S\t{}", line(&n))
            };
            rows.push((Cow::Owned(name), Cow::Owned(k), Cow::Owned(entry)));
        }
        if n.visible_to(viewer) {
            out.push(n);
        }
    }
    private_mine.extend(gone);
    for n in store
        .read_files_past_damage::<Need>(&private_mine)?
        .into_iter()
        .flatten()
    {
        if n.visible_to(viewer) {
            out.push(Need {
                history: Vec::new(),
                ..n
            });
        }
    }
    // Sorted through a list of keys: thousands of needs are each moved once.
    out.sort_by_cached_key(|n| (n.created, n.id.clone()));
    if let (Some(idx), true) = (index, changed) {
        // A cache: when it cannot be written, the next listing reads the files again.
        let mut text = format!("{MAGIC}\n{folder}\n");
        for (name, k, entry) in &rows {
            for part in [name, "\t", k, "\t", entry, "\n"] {
                text.push_str(part);
            }
        }
        let _ = idx
            .parent()
            .map(|p| Store::new(p).ensure_dir(""))
            .transpose()
            .and_then(|_| write_atomic(idx, text.as_bytes()));
    }
    Ok((out, later))
}

/// Removes the index at `path` when it keeps a private need of `owner`'s in full (their key on
/// this device has a passphrase now, see [`may_keep`]): the next listing writes it again
/// without. A missing index is nothing to remove.
pub fn forget_private(path: &Path, owner: &str) -> std::io::Result<()> {
    let Ok(text) = std::fs::read_to_string(path) else {
        return Ok(());
    };
    let kept = text.lines().any(|l| {
        // name, state, kind, then the need's ID and its owner.
        let mut f = split_at(l, b'\t');
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

/// `s` before and after its first `sep`, an ASCII byte (see [`split_at`]).
fn split_once(s: &str, sep: u8) -> Option<(&str, &str)> {
    let i = s.bytes().position(|b| b == sep)?;
    Some((&s[..i], &s[i + 1..]))
}

fn parse_entry(rest: &str) -> Option<Entry> {
    match split_once(rest, b'\t')? {
        ("S", l) => parse_line(l).map(|n| Entry::Shared(Box::new(n))),
        ("P", owner) if !owner.contains('\t') => Some(Entry::Private(owner.to_owned())),
        ("O", l) => parse_line(l)
            .filter(|n| n.private)
            .map(|n| Entry::Own(Box::new(n))),
        _ => None,
    }
}

fn esc(s: &str) -> String {
    s.replace('\\', "\\\\")
        .replace('\t', "\\t")
        .replace('\n', "\\n")
        .replace('\r', "\\r")
}

fn unesc(s: &str) -> String {
    if !s.contains('\\') {
        return s.to_owned();
    }
    let mut out = String::with_capacity(s.len());
    let mut it = s.chars();
    while let Some(c) = it.next() {
        if c == '\\' {
            match it.next() {
                Some('t') => out.push('\t'),
                Some('n') => out.push('\n'),
                Some('r') => out.push('\r'),
                Some(o) => out.push(o),
                None => {}
            }
        } else {
            out.push(c);
        }
    }
    out
}

fn opt(s: &Option<String>) -> String {
    s.as_deref()
        .map_or_else(|| "-".to_owned(), |v| format!("+{}", esc(v)))
}

fn unopt(s: &str) -> Option<Option<String>> {
    match s.split_at_checked(1)? {
        ("-", "") => Some(None),
        ("+", v) => Some(Some(unesc(v))),
        _ => None,
    }
}

fn line(n: &Need) -> String {
    let review = n.review.map_or_else(|| "-".to_owned(), |d| d.to_string());
    format!(
        "{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}\t{review}\t{}\t{}\t{}\t{}",
        n.id,
        n.owner,
        crate::word(&n.status),
        crate::word(&n.importance),
        esc(&n.category),
        opt(&n.condition),
        opt(&n.plan),
        opt(&n.helper.as_ref().map(Helper::code)),
        u8::from(n.private),
        n.created,
        n.version,
        esc(&n.text)
    )
}

fn parse_line(l: &str) -> Option<Need> {
    let mut f = split_at(l, b'\t');
    let [
        Some(id),
        Some(owner),
        Some(status),
        Some(importance),
        Some(category),
        Some(condition),
        Some(plan),
        Some(helper),
        Some(review),
        Some(private),
        Some(created),
        Some(version),
        Some(text),
        None,
    ] = [(); 14].map(|()| f.next())
    else {
        return None;
    };
    Some(Need {
        extra: Default::default(),
        version: version.parse().ok().filter(|v| *v <= FORMAT_VERSION)?,
        id: id.parse().ok()?,
        owner: owner.parse().ok()?,
        status: Status::from_word(status)?,
        importance: Importance::from_word(importance)?,
        category: unesc(category),
        condition: unopt(condition)?,
        plan: unopt(plan)?,
        helper: unopt(helper)?.map(Helper::from),
        review: if review == "-" {
            None
        } else {
            Some(date(review)?)
        },
        private: private == "1",
        created: date(created)?,
        text: unesc(text),
        history: Vec::new(),
        proposal: None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::crypto::Keys;
    use chrono::NaiveDate;

    /// The key names the real folder, however it is reached; one asked for before the folder
    /// exists is worked out again once it does, not kept from before.
    #[test]
    fn the_folder_key_names_the_real_folder_once_it_exists() {
        let tmp = tempfile::tempdir().unwrap();
        let real = tmp.path().join("real");
        let link = tmp.path().join("link");
        let early = Store::new(&link);
        let before = folder_key(&early);
        std::fs::create_dir(&real).unwrap();
        std::os::unix::fs::symlink(&real, &link).unwrap();
        let direct = folder_key(&Store::new(&real));
        assert_eq!(folder_key(&Store::new(&link)), direct);
        assert_eq!(folder_key(&early), direct);
        assert_ne!(before, direct);
        assert_eq!(folder_key(&early.clone()), direct);
    }

    #[test]
    fn a_line_round_trips_whatever_the_text() {
        let d = NaiveDate::from_ymd_opt(2026, 3, 1).unwrap();
        let n = Need {
            extra: Default::default(),
            version: 1,
            id: "abcd12345678".parse().unwrap(),
            owner: "ppp1".parse().unwrap(),
            text: "tab\there\nnew line \\ back".into(),
            category: "practical".into(),
            condition: Some("arthritis".into()),
            importance: Importance::High,
            status: Status::Agreed,
            plan: Some(String::new()),
            helper: None,
            review: Some(d),
            private: true,
            created: d,
            history: Vec::new(),
            proposal: None,
        };
        let l = line(&n);
        assert!(!l.contains('\n'), "{l}");
        assert_eq!(parse_line(&l), Some(n));
    }

    fn shared_and_private(store: &Store) -> (Need, Need) {
        let d = NaiveDate::from_ymd_opt(2026, 3, 1).unwrap();
        let at = chrono::DateTime::parse_from_rfc3339("2026-03-01T12:00:00Z")
            .unwrap()
            .with_timezone(&chrono::Utc);
        let mk = |owner: &str, text: &str, private| {
            Need::open(
                &owner.parse().unwrap(),
                text.into(),
                "other".into(),
                None,
                Importance::Low,
                private,
                d,
            )
        };
        let shared = needs::add(store, mk("ppp2", "a shared need", false), at).unwrap();
        let private = needs::add(store, mk("ppp1", "p1's own secret", true), at).unwrap();
        (shared, private)
    }

    /// Listing as if the files had been written a while ago, so that they are not "racy".
    fn list(store: &Store, idx: &Path, viewer: &str) -> Result<Vec<String>> {
        let later = SystemTime::now() + Duration::from_secs(10);
        let mut texts: Vec<String> =
            list_at(store, Some(idx), Some(viewer), Check::EveryFile, later)?
                .into_iter()
                .map(|n| n.text)
                .collect();
        texts.sort();
        Ok(texts)
    }

    fn rewrite_in_place(path: &Path, f: impl FnOnce(&mut serde_json::Value)) {
        let mut v: serde_json::Value =
            serde_json::from_slice(&std::fs::read(path).unwrap()).unwrap();
        f(&mut v);
        let mut file = std::fs::OpenOptions::new()
            .write(true)
            .truncate(true)
            .open(path)
            .unwrap();
        std::io::Write::write_all(&mut file, &serde_json::to_vec(&v).unwrap()).unwrap();
    }

    #[test]
    fn the_index_holds_no_other_partners_private_text_and_is_used_while_files_are_unchanged() {
        let data = tempfile::tempdir().unwrap();
        let cache = tempfile::tempdir().unwrap();
        let store = Store::new(data.path());
        let idx = path(cache.path(), &store);
        let (shared, _) = shared_and_private(&store);
        assert_eq!(list(&store, &idx, "ppp2").unwrap(), ["a shared need"]);
        let text = std::fs::read_to_string(&idx).unwrap();
        assert!(!text.contains("secret"), "{text}");
        assert_eq!(
            list(&store, &idx, "ppp1").unwrap(),
            ["a shared need", "p1's own secret"]
        );
        assert!(!std::fs::read_to_string(&idx).unwrap().contains("secret"));

        // While the file is unchanged, the index is what is read.
        let planted = text.replace("a shared need", "from the index");
        std::fs::write(&idx, planted).unwrap();
        assert_eq!(list(&store, &idx, "ppp2").unwrap(), ["from the index"]);
        let _ = shared;
    }

    #[test]
    fn a_file_rewritten_in_place_damaged_or_made_private_is_seen_at_once() {
        let data = tempfile::tempdir().unwrap();
        let cache = tempfile::tempdir().unwrap();
        let store = Store::new(data.path());
        let idx = path(cache.path(), &store);
        let (shared, _) = shared_and_private(&store);
        let file = data.path().join(needs::path(&shared.id));
        assert_eq!(list(&store, &idx, "ppp1").unwrap().len(), 2);

        rewrite_in_place(&file, |v| v["text"] = "a shared neeD".into());
        assert_eq!(list(&store, &idx, "ppp1").unwrap()[0], "a shared neeD");

        rewrite_in_place(&file, |v| v["private"] = true.into());
        assert_eq!(list(&store, &idx, "ppp1").unwrap(), ["p1's own secret"]);
        assert_eq!(list(&store, &idx, "ppp2").unwrap(), ["a shared neeD"]);

        // Damaged: left out and named, the other need still listed.
        std::fs::write(&file, b"{\"version\": 1, \"id\": ").unwrap();
        assert_eq!(list(&store, &idx, "ppp1").unwrap(), ["p1's own secret"]);
        let noted = store.take_left_out();
        assert!(
            noted
                .iter()
                .any(|m| m.contains(&format!("{}.json", shared.id))),
            "{noted:?}"
        );
    }

    /// Sets the needs folder's modification time an hour back, as if nothing had been added,
    /// removed or replaced there for a while.
    fn settle_folder(store: &Store) {
        let past = SystemTime::now() - Duration::from_secs(3600);
        std::fs::File::open(store.path(needs::DIR))
            .unwrap()
            .set_modified(past)
            .unwrap();
    }

    #[test]
    fn due_reviews_look_only_at_due_files_while_the_folder_is_unchanged() {
        let data = tempfile::tempdir().unwrap();
        let cache = tempfile::tempdir().unwrap();
        let store = Store::new(data.path());
        let idx = path(cache.path(), &store);
        let (shared, private) = shared_and_private(&store);
        let day = NaiveDate::from_ymd_opt(2026, 4, 1).unwrap();
        let due_one = needs::change(
            &store,
            &shared.id,
            &shared.owner,
            day,
            chrono::Utc::now(),
            |n| {
                n.status = Status::Agreed;
                n.review = Some(day);
                Ok(String::new())
            },
        )
        .unwrap();
        let third = Need::open(
            &"ppp2".parse().unwrap(),
            "not due yet".into(),
            "other".into(),
            None,
            Importance::Low,
            false,
            day,
        );
        let third = needs::add(&store, third, chrono::Utc::now()).unwrap();
        settle_folder(&store);
        let later = SystemTime::now() + Duration::from_secs(10);
        let due = |viewer: &str| -> Vec<String> {
            let mut v: Vec<String> =
                list_at(&store, Some(&idx), Some(viewer), Check::DueOn(day), later)
                    .unwrap()
                    .into_iter()
                    .filter(|n| n.due(day))
                    .map(|n| n.text)
                    .collect();
            v.sort();
            v
        };
        assert_eq!(
            list(&store, &idx, "ppp2").unwrap(),
            ["a shared need", "not due yet"]
        );
        assert_eq!(due("ppp2"), ["a shared need"]);
        // `couple today`'s list: the due needs only, with their prefixes among all the needs
        // the viewer sees, as the full listing gives them.
        for viewer in ["ppp1", "ppp2"] {
            let full = list_at(&store, Some(&idx), Some(viewer), Check::EveryFile, later).unwrap();
            let expected: Vec<(String, Need)> = needs::visible(full, Some(viewer))
                .into_iter()
                .filter(|(_, n)| n.due(day))
                .collect();
            let got = due_at(&store, Some(&idx), Some(viewer), day, later).unwrap();
            assert_eq!(got, expected);
            assert_eq!(got.len(), 1);
        }
        assert!(not_due(&format!("S\t{}", line(&third)), day, |_| false));
        assert!(!not_due(&format!("S\t{}", line(&due_one)), day, |_| false));

        // A due need rewritten in place is seen at once.
        let file = data.path().join(needs::path(&due_one.id));
        rewrite_in_place(&file, |v| v["text"] = "a shared neeD".into());
        assert_eq!(due("ppp2"), ["a shared neeD"]);

        // The viewer's own private need is read from its file: made due in place, it is due.
        let mine = data.path().join(needs::path(&private.id));
        rewrite_in_place(&mine, |v| {
            v["status"] = "agreed".into();
            v["review"] = "2026-03-15".into();
        });
        assert_eq!(due("ppp1"), ["a shared neeD", "p1's own secret"]);
        assert_eq!(
            due("ppp2"),
            ["a shared neeD"],
            "never another's private need"
        );

        // The trade-off: while the folder is unchanged, a need the index says is not due is not
        // looked at, so one made due by rewriting its file in place waits for the next full
        // listing...
        let later_one = data.path().join(needs::path(&third.id));
        rewrite_in_place(&later_one, |v| {
            v["status"] = "agreed".into();
            v["review"] = "2026-03-20".into();
        });
        assert_eq!(due("ppp2"), ["a shared neeD"]);
        assert_eq!(list(&store, &idx, "ppp2").unwrap().len(), 2);
        assert_eq!(due("ppp2"), ["a shared neeD", "not due yet"]);

        // ...or for the folder to change: then every file is looked at again.
        rewrite_in_place(&later_one, |v| v["text"] = "not due yeT".into());
        let fourth = Need::open(
            &"ppp2".parse().unwrap(),
            "a fourth need".into(),
            "other".into(),
            None,
            Importance::Low,
            false,
            day,
        );
        needs::add(&store, fourth, chrono::Utc::now()).unwrap();
        assert_eq!(due("ppp2"), ["a shared neeD", "not due yeT"]);
    }

    #[test]
    fn own_private_needs_are_kept_in_full_only_while_their_key_here_is_open() {
        use crate::open_cache::OpenCache;
        use crate::test_devices::{A, devices};
        let d = devices();
        let cache = tempfile::tempdir().unwrap();
        // Alex's device, with Alex's key open and remembering what it opens (as a key without a
        // passphrase is held); the same folder with Alex's key as if unlocked by passphrase.
        let open = |remember: bool| {
            let store = Store::new(d.alex.root());
            let mut s = crate::sealing::Sealing::new();
            let keys = Keys::from_text(age::secrecy::ExposeSecret::expose_secret(&d.ka.to_text()))
                .unwrap();
            let keys = if remember {
                let c = OpenCache::new(cache.path().join("opened"), &d.ka.public().age);
                keys.remembering(std::sync::Arc::new(c))
            } else {
                keys
            };
            s.hold(A, std::sync::Arc::new(keys));
            s.know(crate::test_devices::B, d.kb.public());
            s.act_as(A);
            store.set_sealing(Some(s));
            store
        };
        let store = open(true);
        let day = NaiveDate::from_ymd_opt(2026, 4, 1).unwrap();
        let at = chrono::Utc::now();
        let add = |text: &str, review: Option<NaiveDate>| {
            let mut n = Need::open(
                &A.parse().unwrap(),
                text.into(),
                "other".into(),
                None,
                Importance::Low,
                true,
                day,
            );
            n.status = Status::Talked;
            n.review = review;
            needs::add(&store, n, at).unwrap()
        };
        let due_one = add("mine, due", Some(day));
        add("mine, later", None);
        let idx = path(cache.path(), &store);
        let later = SystemTime::now() + Duration::from_secs(10);
        list_at(&store, Some(&idx), Some(A), Check::EveryFile, later).unwrap();
        assert!(std::fs::read_to_string(&idx).unwrap().contains("mine, due"));
        settle_folder(&store);
        list_at(&store, Some(&idx), Some(A), Check::EveryFile, later).unwrap();

        // While the folder and the due file are unchanged, no need file is opened.
        store.take_records_read();
        let due = due_at(&store, Some(&idx), Some(A), day, later).unwrap();
        assert_eq!(due.len(), 1);
        assert_eq!(due[0].1.id, due_one.id);
        assert_eq!(store.take_records_read(), 0);
        // Never shown to anyone else.
        assert!(
            due_at(&store, Some(&idx), Some(crate::test_devices::B), day, later)
                .unwrap()
                .is_empty()
        );

        // Once the key needs a passphrase: the index goes, and is written again without them.
        forget_private(&idx, "someone000001").unwrap();
        assert!(idx.exists(), "only for the partner named");
        forget_private(&idx, A).unwrap();
        assert!(!idx.exists());
        let locked = open(false);
        list_at(&locked, Some(&idx), Some(A), Check::EveryFile, later).unwrap();
        let text = std::fs::read_to_string(&idx).unwrap();
        assert!(!text.contains("mine, due"), "{text}");
        let due = due_at(&locked, Some(&idx), Some(A), day, later).unwrap();
        assert_eq!(due.len(), 1);
        assert!(locked.take_records_read() > 0);
    }

    #[test]
    fn a_file_is_unchanged_only_while_every_part_of_its_state_is() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("x.json");
        std::fs::write(&file, b"{}").unwrap();
        let m = std::fs::symlink_metadata(&file).unwrap();
        let k = key(&m);
        assert!(unchanged(&k, &m), "{k}");
        // Each of size, modification and change times (seconds and nanoseconds) and inode.
        for i in 0..6 {
            let mut parts: Vec<String> = k.split('.').map(str::to_owned).collect();
            parts[i] = format!("{}1", parts[i]);
            assert!(!unchanged(&parts.join("."), &m), "part {i}");
        }
        for bad in [
            "",
            "1.2.3",
            &format!("{k}.0"),
            &format!("{k}x"),
            &k.replace('.', ","),
        ] {
            assert!(!unchanged(bad, &m), "{bad:?}");
        }
    }

    #[test]
    fn fields_and_dates_read_as_the_general_parsers_read_them() {
        for s in [
            "",
            "a",
            "a\tb",
            "\t",
            "a\t\tb\t",
            "ä\tö\t€",
            "no tab at all",
        ] {
            let ours: Vec<&str> = split_at(s, b'\t').collect();
            assert_eq!(ours, s.split('\t').collect::<Vec<_>>(), "{s:?}");
            assert_eq!(split_once(s, b'\t'), s.split_once('\t'), "{s:?}");
        }
        for s in [
            "2026-03-01",
            "2024-02-29",
            "2026-02-29",
            "2026-13-01",
            "0001-01-01",
            "9999-12-31",
            "+10000-01-30",
            "2026-3-01",
            "2026-03-0a",
            "-",
            "",
        ] {
            assert_eq!(date(s), s.parse().ok(), "{s:?}");
        }
    }

    #[test]
    fn thousands_of_files_are_looked_at_on_two_threads_and_a_rewrite_is_seen_at_once() {
        let data = tempfile::tempdir().unwrap();
        let cache = tempfile::tempdir().unwrap();
        let store = Store::new(data.path());
        let idx = path(cache.path(), &store);
        let (shared, _) = shared_and_private(&store);
        let n = TWO_THREADS_FROM + 10;
        let mut last = None;
        for i in 0..n {
            let mut need = shared.clone();
            need.id = format!("many{i:08}").parse().unwrap();
            need.text = format!("need {i}");
            let file = data.path().join(needs::path(&need.id));
            std::fs::write(&file, serde_json::to_vec(&need).unwrap()).unwrap();
            last = Some(file);
        }
        let listed = list(&store, &idx, "ppp2").unwrap();
        assert_eq!(listed.len(), n + 1);
        // Listed again from the index, then one file far down the folder rewritten in place.
        assert_eq!(list(&store, &idx, "ppp2").unwrap(), listed);
        let last = last.unwrap();
        rewrite_in_place(&last, |v| v["text"] = "changed in place".into());
        let again = list(&store, &idx, "ppp2").unwrap();
        assert_eq!(again.len(), n + 1);
        assert!(again.iter().any(|t| t == "changed in place"), "{again:?}");
        // Made private by its owner, ppp2: gone from ppp1's list at once.
        assert_eq!(list(&store, &idx, "ppp1").unwrap().len(), n + 2);
        rewrite_in_place(&last, |v| v["private"] = true.into());
        assert_eq!(list(&store, &idx, "ppp1").unwrap().len(), n + 1);
        assert_eq!(list(&store, &idx, "ppp2").unwrap().len(), n + 1);
    }
}
