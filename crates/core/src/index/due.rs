//! A day's due reviews from the index: whether a shared need is due is read from the head of its
//! line alone, and one that is not due counts only by its ID (for the prefixes of those shown).

use super::line::Listed;
use super::look::{Looked, Task};
use super::rows::Entry;
use chrono::NaiveDate;

/// The ID of the need an index line ([`super::line::line`]) holds, and whether a review of it is
/// due on `day` (as [`super::Listed::due`] says), from the line's [`super::line::Head`]. Its
/// category, condition, plan, helper and text are not read: a need that is not due shows nothing
/// of them, and they are checked when it is next listed in full.
pub(super) fn head(l: &str, day: NaiveDate) -> Option<(&str, bool)> {
    let h = super::line::head(l)?;
    Some((
        h.id,
        h.status.is_open() && h.review.is_some_and(|r| r <= day),
    ))
}

/// For [`super::Check::DueFirst`]: of the needs waiting to be looked at that `listed` says
/// (from the index) are due on `day`, the files of the first ones by review date, then ID, are
/// looked at with `look`, in that order, until `first` of them are found unchanged; the others
/// are taken from the index as they are, unlooked at. So the first `first` due needs are current
/// (a changed one is read from its file, and its place is taken by the next), and the rest are
/// counted as the index has them. Gives the places in `tasks` of the files looked at.
pub(super) fn look_at_first<'a>(
    day: NaiveDate,
    first: usize,
    tasks: &[Task<'a>],
    looked: &mut [Looked<'a>],
    listed: &dyn Fn(Entry<'a>) -> Option<Listed<'a>>,
    look: &dyn Fn(&Task<'a>, &mut Looked<'a>),
) -> Vec<usize> {
    let mut due: Vec<(usize, Listed<'a>)> = tasks
        .iter()
        .zip(looked.iter())
        .enumerate()
        .filter(|(_, (_, slot))| matches!(slot, Looked::Waiting))
        .filter_map(|(i, ((_, row), _))| Some((i, listed(row.as_ref()?.entry)?)))
        .filter(|(_, n)| n.due(day))
        .collect();
    due.sort_unstable_by(|(_, a), (_, b)| (a.review, a.id).cmp(&(b.review, b.id)));
    let mut current = 0;
    let mut seen = Vec::with_capacity(first);
    for (i, n) in due {
        if current < first {
            look(&tasks[i], &mut looked[i]);
            current += usize::from(matches!(looked[i], Looked::Kept(_)));
            seen.push(i);
        } else {
            looked[i] = Looked::Kept(n);
        }
    }
    seen
}
