//! The usual listing: every need of a folder that is as it was when its index was written,
//! the index naming every file in it. Each half of the index is read, its files looked at and
//! its needs taken from it on a thread of its own, so that reading the index costs next to
//! nothing while the other half's files are looked at; nothing is listed or copied first.

use super::line::{self, Listed};
use super::look::own;
use super::rows::{Entry, Fresh, Row};
use super::stamp::Stamp;
use super::{MAGIC, shorten};
use crate::error::Result;
use crate::needs::{self, Need};
use crate::store::{Store, write_atomic};
use std::fs::File;
use std::path::Path;
use std::sync::OnceLock;
use std::time::SystemTime;

/// From an index this long on (about a thousand needs), its second half is looked at on a
/// second thread.
pub(super) const SECOND_THREAD_FROM: usize = 128 * 1024;

/// What one half of the index holds, as its files are now.
#[derive(Default)]
struct Half<'a> {
    /// The needs shown from the index.
    shown: Vec<Listed<'a>>,
    /// The rows whose files are read again, with their state now (none when they cannot be
    /// looked at).
    reads: Vec<(Row<'a>, Option<Stamp>)>,
    /// Files whose names are not records'.
    named: Vec<&'a str>,
    /// The first and last names, to check that the halves follow each other.
    first: &'a str,
    last: &'a str,
}

/// Everything a listing looks at, where it looks.
pub(super) struct Place<'p> {
    pub(super) store: &'p Store,
    pub(super) dir: &'p Path,
    pub(super) open: &'p File,
    /// The needs folder's state now ([`Stamp::settled_key`]).
    pub(super) folder: &'p str,
}

/// The needs `viewer` may see, given to `f`, when the folder is as the index at `idx` says and
/// the index names every file in it; otherwise `f` back, for the general listing
/// ([`super::look`]).
pub(super) fn listed<R, F: FnOnce(Vec<Listed<'_>>) -> R>(
    at: &Place,
    idx: &Path,
    viewer: Option<&str>,
    keep: &(dyn Fn(&str) -> bool + Sync),
    now: SystemTime,
    f: F,
) -> Result<std::result::Result<R, F>> {
    // Needs a device's partner misses are found by the general listing.
    let remembers = at.store.sealing().is_some_and(|s| s.memory().is_some());
    let head = format!("{MAGIC}\n{}\n", at.folder);
    let file = match File::open(idx) {
        Ok(file) if !at.folder.is_empty() && !remembers => file,
        _ => return Ok(Err(f)),
    };
    let size = file.metadata().map_or(0, |m| m.len() as usize);
    if size <= head.len() || read_at(&file, 0, head.len()) != head.as_bytes() {
        return Ok(Err(f));
    }
    let (dir, open) = (at.dir, at.open);
    let look = |part, into: &mut _| look_at((dir, open), part, viewer, keep, now, into);
    let (first, second) = (OnceLock::new(), OnceLock::new());
    let mut mine = Half::default();
    let mut theirs = Half::default();
    let whole = if size < SECOND_THREAD_FROM {
        let text: &Vec<u8> = first.get_or_init(|| read_at(&file, 0, size));
        look(&text[head.len().min(text.len())..], &mut mine)
    } else {
        // Made here, the second thread's list and text take nothing from an allocator of its
        // own; each thread reads its half of the index.
        let about = size / 150 + 16;
        mine.shown.reserve(about);
        theirs.shown.reserve(about / 2);
        let room = vec![0; size - size / 2];
        let (a, b) = std::thread::scope(|s| {
            let other = s.spawn(|| {
                let text: &Vec<u8> = second.get_or_init(|| {
                    let mut text = room;
                    let got = read_into(&file, size / 2, &mut text);
                    text.truncate(got);
                    text
                });
                look(after_cut(text), &mut theirs)
            });
            let text: &Vec<u8> = first.get_or_init(|| read_to_line_end(&file, size / 2));
            let a = look(&text[head.len().min(text.len())..], &mut mine);
            (a, other.join().unwrap_or(false))
        });
        a && b
    };
    // Names strictly increasing across the halves too: then the rows stand for the folder.
    let follows = mine.last.is_empty() || theirs.first.is_empty() || mine.last < theirs.first;
    if !whole || !follows {
        return Ok(Err(f));
    }
    mine.reads.append(&mut theirs.reads);
    mine.named.append(&mut theirs.named);
    let Half {
        mut shown,
        reads,
        named,
        ..
    } = mine;
    // Both halves' needs in list order, with their prefixes among all of them: those of the
    // two neighbours across the cut made good, unless the IDs do not follow each other there.
    let follow = line::neighbours(&mut shown, &mut theirs.shown);
    merge(&mut shown, &theirs.shown);
    for name in named {
        at.store
            .note_left_out(&at.dir.join(name), crate::files::NOT_A_RECORD_NAME);
    }
    let paths: Vec<_> = reads.iter().map(|(r, _)| at.dir.join(r.name)).collect();
    let mut read: Vec<Option<Need>> = at.store.read_files_past_damage::<Need>(&paths)?;
    for n in read.iter_mut().flatten() {
        n.history = Vec::new();
    }
    if !reads.is_empty() {
        let first = first
            .get()
            .map_or(&[][..], |t| &t[head.len().min(t.len())..]);
        let second = second.get().map_or(&[][..], |t| after_cut(t));
        let rows = [first, second].map(|part| std::str::from_utf8(part).unwrap_or_default());
        if let Some(text) = rewritten(&head, rows, &reads, &read, now, keep) {
            // A cache: when it cannot be written, the next listing reads the files again.
            let _ = idx
                .parent()
                .map(|p| Store::new(p).ensure_dir(""))
                .transpose()
                .and_then(|_| write_atomic(idx, text.as_bytes()));
        }
    }
    let before = shown.len();
    shown.extend(
        read.iter()
            .flatten()
            .map(Listed::of)
            .filter(|n| n.visible_to(viewer)),
    );
    if !follow || shown.len() > before {
        shorten(&mut shown);
    }
    Ok(Ok(f(shown)))
}

/// `a` and `b`, each in list order ([`needs::listed_order`]), as one list in that order, in `a`.
fn merge<'a>(a: &mut Vec<Listed<'a>>, b: &[Listed<'a>]) {
    let (mut i, mut j) = (a.len(), b.len());
    a.extend_from_slice(b);
    // From the end, each place takes the later of the two lists' last needs not yet placed.
    for k in (0..a.len()).rev() {
        if j == 0 {
            break;
        }
        if i > 0 && needs::listed_order(&a[i - 1], &b[j - 1]).is_gt() {
            a[k] = a[i - 1];
            i -= 1;
        } else {
            a[k] = b[j - 1];
            j -= 1;
        }
    }
}

/// Reads `file` from `from` into `buf`, up to its end: how much was read.
fn read_into(file: &File, from: usize, buf: &mut [u8]) -> usize {
    use std::os::unix::fs::FileExt;
    let mut got = 0;
    while got < buf.len() {
        match file.read_at(&mut buf[got..], (from + got) as u64) {
            Ok(0) => break,
            Ok(n) => got += n,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            Err(_) => break,
        }
    }
    got
}

/// `len` bytes of `file` from `from`, fewer at its end.
fn read_at(file: &File, from: usize, len: usize) -> Vec<u8> {
    let mut buf = vec![0; len];
    let got = read_into(file, from, &mut buf);
    buf.truncate(got);
    buf
}

/// The second half's rows: after the row the middle cuts, which is the first half's.
fn after_cut(text: &[u8]) -> &[u8] {
    let from = text
        .iter()
        .position(|b| *b == b'\n')
        .map_or(text.len(), |i| i + 1);
    &text[from..]
}

/// `file` from its start to the end of the line at `at` (the row the middle cuts).
fn read_to_line_end(file: &File, at: usize) -> Vec<u8> {
    let mut buf = vec![0; at + 4096];
    let mut got = read_into(file, 0, &mut buf[..at]);
    if got < at {
        buf.truncate(got);
        return buf;
    }
    loop {
        if buf.len() < got + 4096 {
            buf.resize(got + 4096, 0);
        }
        let more = read_into(file, got, &mut buf[got..got + 4096]);
        if let Some(i) = buf[got..got + more].iter().position(|b| *b == b'\n') {
            buf.truncate(got + i + 1);
            return buf;
        }
        got += more;
        if more == 0 {
            buf.truncate(got);
            return buf;
        }
    }
}

/// Where the index file `text` is cut in two halves: after the line break that ends the row the
/// middle falls in.
#[cfg(test)]
pub(super) fn cut(text: &[u8]) -> usize {
    let mid = text.len() / 2;
    text[mid..]
        .iter()
        .position(|b| *b == b'\n')
        .map_or(text.len(), |i| mid + i + 1)
}

/// Looks at the files `part` of the index names, in order, and puts the needs shown in list
/// order: `false` when a line cannot be read or
/// the names do not increase (the index cannot stand for the folder then).
fn look_at<'a>(
    (dir, open): (&Path, &File),
    part: &'a [u8],
    viewer: Option<&str>,
    keep: &dyn Fn(&str) -> bool,
    now: SystemTime,
    into: &mut Half<'a>,
) -> bool {
    let Ok(part) = std::str::from_utf8(part) else {
        return false;
    };
    for l in line::split_at(part, b'\n').filter(|l| !l.is_empty()) {
        let Some(row) = Row::parse(l) else {
            return false;
        };
        if into.first.is_empty() {
            into.first = row.name;
        } else if into.last >= row.name {
            return false;
        }
        into.last = row.name;
        if matches!(row.entry, Entry::Named) {
            into.named.push(row.name);
            continue;
        }
        let Ok(stamp) = Stamp::at(open, dir, row.name) else {
            into.reads.push((row, None));
            continue;
        };
        let unchanged = !stamp.racy(now) && stamp.is(row.state);
        let shown = match row.entry {
            Entry::Shared(l) if unchanged => line::parse(l).map(Some),
            Entry::Private(owner) if unchanged && viewer != Some(owner) => Some(None),
            // Read again when its owner's key here has a passphrase now.
            Entry::Own(l) if unchanged => match own(l) {
                Some(n) if keep(n.owner) => Some((viewer == Some(n.owner)).then_some(n)),
                _ => None,
            },
            _ => None,
        };
        match shown {
            Some(Some(n)) if n.visible_to(viewer) => into.shown.push(n),
            Some(_) => {}
            None => into.reads.push((row, Some(stamp))),
        }
    }
    // In list order on this thread, with their prefixes among them.
    shorten(&mut into.shown);
    into.shown.sort_unstable_by(needs::listed_order);
    true
}

/// The index with the rows of the files read written as they are now, if any of them changed;
/// every other line as it was (rows are written as they are read).
fn rewritten(
    head: &str,
    parts: [&str; 2],
    reads: &[(Row, Option<Stamp>)],
    read: &[Option<Need>],
    now: SystemTime,
    keep: &dyn Fn(&str) -> bool,
) -> Option<String> {
    let fresh = Fresh::of(reads, read, now, keep);
    let rows: Vec<Option<Row>> = reads
        .iter()
        .zip(read)
        .enumerate()
        .map(|(j, ((old, stamp), n))| fresh.row(j, old.name, stamp.is_some(), n))
        .collect();
    if reads
        .iter()
        .zip(&rows)
        .all(|((old, _), new)| Some(*old) == *new)
    {
        return None;
    }
    let mut text = head.to_owned();
    text.reserve(parts[0].len() + parts[1].len() + rows.len() * 200);
    let mut next = reads.iter().zip(&rows).peekable();
    let lines = parts.into_iter().flat_map(|p| line::split_at(p, b'\n'));
    for l in lines.filter(|l| !l.is_empty()) {
        match next.next_if(|((old, _), _)| l.split('\t').next() == Some(old.name)) {
            Some((_, Some(row))) => row.write(&mut text),
            Some((_, None)) => {}
            None => {
                text.push_str(l);
                text.push('\n');
            }
        }
    }
    Some(text)
}
