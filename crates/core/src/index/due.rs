//! A day's due reviews from the index: whether a shared need is due is read from the head of its
//! line alone, and one that is not due counts only by its ID (for the prefixes of those shown).

use super::line::{date, split_at};
use crate::Word;
use crate::needs::{Importance, Status};
use crate::store::FORMAT_VERSION;
use chrono::NaiveDate;

/// The ID of the need an index line ([`super::line::line`]) holds, and whether a review of it is
/// due on `day` (as [`super::Listed::due`] says), from the line's first seven fields, each
/// checked as a full read checks it. Its category, condition, plan, helper and text are not
/// read: a need that is not due shows nothing of them, and they are checked when it is next
/// listed in full.
pub(super) fn head(l: &str, day: NaiveDate) -> Option<(&str, bool)> {
    let mut f = split_at(l, b'\t');
    let [
        Some(id),
        Some(owner),
        Some(status),
        Some(importance),
        Some(review),
        Some(created),
        Some(version),
        Some(_category),
    ] = [(); 8].map(|()| f.next())
    else {
        return None;
    };
    let fine = crate::ids::valid(id)
        && crate::ids::valid(owner)
        && Importance::from_word(importance).is_some()
        && date(created).is_some()
        && version.parse::<u32>().is_ok_and(|v| v <= FORMAT_VERSION);
    let status = Status::from_word(status).filter(|_| fine)?;
    let review = match review {
        "-" => None,
        r => Some(date(r)?),
    };
    Some((id, status.is_open() && review.is_some_and(|r| r <= day)))
}
