//! The index file's rows: one per file of the needs folder, read from the index as it was and
//! written again when anything in it changed.

use super::MAGIC;
use super::line;
use super::look::{Looked, Task};
use super::stamp::Stamp;
use crate::files;
use crate::needs::Need;
use std::time::SystemTime;

/// One line of the index: a file's name, its state ([`Stamp::key`]; empty for a file that is
/// read on every listing) and what it holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct Row<'a> {
    pub(super) name: &'a str,
    pub(super) state: &'a str,
    pub(super) entry: Entry<'a>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Entry<'a> {
    /// `S\t…`: a shared need ([`line::line`]).
    Shared(&'a str),
    /// `P\tOWNER`: a private need, only whose it is.
    Private(&'a str),
    /// `O\t…`: a private need kept in full ([`line::line`]), while its owner may keep it here
    /// (see [`super::look::keepers`]).
    Own(&'a str),
    /// `R`: a record file read on every listing (changed too recently to cache, or damaged).
    Read,
    /// `N`: a file whose name is not a record's, named on every listing.
    Named,
}

impl<'a> Row<'a> {
    pub(super) fn parse(l: &'a str) -> Option<Row<'a>> {
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

    pub(super) fn write(&self, text: &mut String) {
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
pub(super) struct Index<'a> {
    pub(super) folder: &'a str,
    pub(super) rows: Vec<Row<'a>>,
    pub(super) whole: bool,
}

impl<'a> Index<'a> {
    pub(super) fn parse(text: &'a str) -> Index<'a> {
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

/// The index as it is now, if anything in it changed: the folder's state, or any row. Rows of
/// files that were not read are kept as they were; a private need read is kept in full only
/// when `keep` says its owner may keep it.
#[allow(clippy::too_many_arguments)]
pub(super) fn rewritten(
    old: &Index,
    tasks: &[Task],
    looked: &[Looked],
    reads: &[(usize, Option<Stamp>)],
    read: &[Option<Need>],
    folder: &str,
    now: SystemTime,
    keep: &dyn Fn(&str) -> bool,
) -> Option<String> {
    fn named<'a>((name, _): &Task<'a>, l: &Looked) -> Option<Row<'a>> {
        matches!(l, Looked::Named).then_some(Row {
            name,
            state: "",
            entry: Entry::Named,
        })
    }
    let mut changed = !old.whole || folder != old.folder || tasks.len() != old.rows.len();
    // Nothing read and every row as it was: the usual listing, told before anything is made.
    if !changed
        && reads.is_empty()
        && tasks
            .iter()
            .zip(looked)
            .all(|(t, l)| named(t, l).is_none_or(|r| t.1 == Some(&r)))
    {
        return None;
    }
    let mut rows: Vec<Option<Row>> = tasks
        .iter()
        .zip(looked)
        .map(|(t, l)| named(t, l).or(t.1.copied()))
        .collect();
    let fresh = Fresh::of(reads, read, now, keep);
    for (j, ((i, stamp), n)) in reads.iter().zip(read).enumerate() {
        let row = fresh.row(j, tasks[*i].0, stamp.is_some(), n);
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

/// What each file read holds now: its state when settled, and its line when shared or kept.
pub(super) struct Fresh {
    states: Vec<String>,
    lines: Vec<Option<String>>,
}

impl Fresh {
    pub(super) fn of<T>(
        reads: &[(T, Option<Stamp>)],
        read: &[Option<Need>],
        now: SystemTime,
        keep: &dyn Fn(&str) -> bool,
    ) -> Self {
        let states: Vec<String> = reads
            .iter()
            .zip(read)
            .map(|((_, s), n)| match (s, n) {
                (Some(s), Some(_)) => s.settled_key(now).unwrap_or_default(),
                _ => String::new(),
            })
            .collect();
        let lines = read
            .iter()
            .zip(&states)
            .map(|(n, k)| match n {
                Some(n) if (!n.private || keep(&n.owner)) && !k.is_empty() => Some(line::line(n)),
                _ => None,
            })
            .collect();
        Fresh { states, lines }
    }

    /// The row of the `j`th file read, `n` what it holds, named `name`; none for a file gone
    /// since it was listed.
    pub(super) fn row<'a>(
        &'a self,
        j: usize,
        name: &'a str,
        present: bool,
        n: &'a Option<Need>,
    ) -> Option<Row<'a>> {
        let state = self.states[j].as_str();
        let entry = match (n, &self.lines[j]) {
            (Some(n), Some(l)) if n.private => Entry::Own(l),
            (Some(n), _) if n.private && !state.is_empty() => Entry::Private(&n.owner),
            (Some(_), Some(l)) => Entry::Shared(l),
            _ => Entry::Read,
        };
        present.then_some(Row { name, state, entry })
    }
}
