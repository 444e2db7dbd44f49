//! Needs: what a partner needs because of a condition (or of caring), the accommodation the
//! couple agreed, who helps, when to look at it again, and every change along the way.
//!
//! On disk: one file per need in `needs/`, so two devices only ever rewrite the same file when
//! they change the very same need.

use crate::error::{Error, Result};
use crate::ids::{Id, new_id, prefix_lengths, resolve};
use crate::index::Listed;
pub use crate::need_rules::{Helper, Proposal};
use crate::store::{Extra, FORMAT_VERSION, Store, Versioned};
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

pub const DIR: &str = "needs";
/// The longest need, plan or note, in characters.
pub const MAX_TEXT: usize = 2_000;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Importance {
    Low,
    Medium,
    High,
}

/// In the order lists show them (see [`list_order`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    /// Named, not talked over yet.
    Open,
    /// Talked over, nothing agreed yet.
    Talked,
    /// An accommodation is agreed.
    Agreed,
    /// The need is being met.
    Met,
    /// No longer needed.
    Retired,
}

crate::words!(Importance { Low = "low", Medium = "medium", High = "high" });
crate::words!(Status {
    Open = "open": "Named, not talked over yet",
    Talked = "talked": "Talked over, nothing agreed yet",
    Agreed = "agreed": "An accommodation is agreed",
    Met = "met": "The need is being met",
    Retired = "retired": "No longer needed",
});

impl Status {
    pub fn label(self) -> &'static str {
        match self {
            Status::Open => "open",
            Status::Talked => "talked about",
            Status::Agreed => "agreed",
            Status::Met => "met",
            Status::Retired => "retired",
        }
    }

    /// Still being worked on: shown by default.
    pub fn is_open(self) -> bool {
        matches!(self, Status::Open | Status::Talked | Status::Agreed)
    }
}

/// One dated change in a need's history.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Change {
    pub date: NaiveDate,
    pub at: DateTime<Utc>,
    /// The partner ID of whoever made the change.
    pub by: Id,
    pub what: String,
    /// Fields a newer closer wrote at this format version, kept as they are.
    #[serde(flatten, default, skip_serializing_if = "Extra::is_empty")]
    pub extra: Extra,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Need {
    pub version: u32,
    pub id: Id,
    /// The partner ID whose need this is.
    pub owner: Id,
    pub text: String,
    pub category: String,
    pub condition: Option<String>,
    pub importance: Importance,
    pub status: Status,
    /// The agreed accommodation.
    pub plan: Option<String>,
    /// Who helps, if anyone in particular.
    pub helper: Option<Helper>,
    pub review: Option<NaiveDate>,
    /// Only the owner sees it until they share it.
    pub private: bool,
    pub created: NaiveDate,
    pub history: Vec<Change>,
    /// A plan one partner proposed and not every partner has accepted yet.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub proposal: Option<Proposal>,
    /// Fields a newer closer wrote at this format version, kept as they are.
    #[serde(flatten, default, skip_serializing_if = "Extra::is_empty")]
    pub extra: Extra,
}

impl Versioned for Need {
    fn version(&self) -> u32 {
        self.version
    }
    fn file_id(&self) -> Option<&str> {
        Some(&self.id)
    }
}

impl Need {
    /// A digest of each line of its history, as a device keeps them
    /// ([`crate::memory::need_lines`]).
    pub(crate) fn line_digests(&self) -> Vec<String> {
        crate::memory::need_lines(&serde_json::to_vec(self).unwrap_or_default())
    }

    /// A new, open need of `owner`'s, to be stored with [`add`].
    pub fn open(
        owner: &Id,
        text: String,
        category: String,
        condition: Option<String>,
        importance: Importance,
        private: bool,
        created: NaiveDate,
    ) -> Need {
        Need {
            extra: Default::default(),
            version: FORMAT_VERSION,
            id: new_id(),
            owner: owner.clone(),
            text,
            category,
            condition,
            importance,
            status: Status::Open,
            plan: None,
            helper: None,
            review: None,
            private,
            created,
            history: Vec::new(),
            proposal: None,
        }
    }

    /// Whether partner `viewer` may see this need (`None`: nobody in particular, so shared only).
    pub fn visible_to(&self, viewer: Option<&str>) -> bool {
        !self.private || viewer == Some(self.owner.as_str())
    }

    /// A review is due on or before `today` for a need still being worked on.
    pub fn due(&self, today: NaiveDate) -> bool {
        self.status.is_open() && self.review.is_some_and(|r| r <= today)
    }
}

/// Checks a need's category, in any case: one of the categories every library shares.
pub fn check_category(c: &str) -> Result<String> {
    use crate::content::schema::NEED_CATEGORIES;
    let c = c.trim().to_ascii_lowercase();
    if NEED_CATEGORIES.contains(&c.as_str()) {
        Ok(c)
    } else {
        Err(Error::usage(format!(
            "unknown category {c:?}; use one of: {}",
            NEED_CATEGORIES.join(", ")
        )))
    }
}

/// Checks a need's text, plan or note: not empty, not too long, no control characters.
pub fn check_text(what: &str, s: &str) -> Result<String> {
    let t = s.trim();
    if t.is_empty() {
        return Err(Error::usage(format!(
            "the {what} is empty; write a few words"
        )));
    }
    let n = t.chars().count();
    if n > MAX_TEXT {
        return Err(Error::usage(format!(
            "the {what} is {n} characters; keep it under {MAX_TEXT}"
        )));
    }
    check_plain(what, t)?;
    Ok(t.to_owned())
}

/// Refuses control characters (line breaks and tabs aside) in text a partner types: a need, a
/// plan, a note or an answer.
pub fn check_plain(what: &str, t: &str) -> Result<()> {
    if t.chars().any(|c| c.is_control() && c != '\n' && c != '\t') {
        return Err(Error::usage(format!(
            "the {what} holds control characters; type it as plain text"
        )));
    }
    Ok(())
}

pub fn path(id: &Id) -> String {
    format!("{DIR}/{id}.json")
}

/// Every need on disk, oldest first. A need file that cannot be read or used is noted and left
/// out (see [`Store::take_left_out`]): one damaged file never hides the others.
pub fn load_all(store: &Store) -> Result<Vec<Need>> {
    let mut v: Vec<Need> = store
        .read_files_past_damage(&store.list(DIR)?)?
        .into_iter()
        .flatten()
        .collect();
    v.sort_by(|a, b| (a.created, &a.id).cmp(&(b.created, &b.id)));
    Ok(v)
}

/// The order lists show needs in: by status (not talked over yet first, then talked about,
/// agreed, met, retired), the more important first, the sooner review date first (none last),
/// then the older first.
pub fn list_order(a: &Need, b: &Need) -> std::cmp::Ordering {
    listed_order(&Listed::of(a), &Listed::of(b))
}

/// [`list_order`] of needs as listed.
pub fn listed_order(a: &Listed, b: &Listed) -> std::cmp::Ordering {
    let review = |n: &Listed| (n.review.is_none(), n.review);
    a.status
        .cmp(&b.status)
        .then(b.importance.cmp(&a.importance))
        .then(review(a).cmp(&review(b)))
        .then(a.created.cmp(&b.created))
        .then_with(|| a.id.cmp(b.id))
}

/// The needs `viewer` may see, with each one's shortest unique prefix among them.
pub fn visible(all: Vec<Need>, viewer: Option<&str>) -> Vec<(String, Need)> {
    let (seen, shorts) = visible_apart(all, viewer);
    shorts.into_iter().zip(seen).collect()
}

/// Like [`visible`], with the prefixes in a list of their own, in the same order: thousands of
/// needs stay where they are.
pub fn visible_apart(all: Vec<Need>, viewer: Option<&str>) -> (Vec<Need>, Vec<String>) {
    let mut seen = all;
    seen.retain(|n| n.visible_to(viewer));
    let ids: Vec<&str> = seen.iter().map(|n| n.id.as_str()).collect();
    let shorts = prefix_lengths(&ids)
        .into_iter()
        .zip(&seen)
        .map(|(l, n)| n.id.prefix(l).to_owned())
        .collect();
    (seen, shorts)
}

/// Creates a need and returns it.
pub fn add(store: &Store, mut need: Need, at: DateTime<Utc>) -> Result<Need> {
    need.version = FORMAT_VERSION;
    need.id = new_id();
    need.history = vec![Change {
        extra: Default::default(),
        date: need.created,
        at,
        by: need.owner.clone(),
        what: "named the need".into(),
    }];
    let rel = path(&need.id);
    store.update::<Need, _>(&rel, |old| match old {
        None => Ok(need),
        Some(_) => Err(Error::invalid(
            "an ID clash happened; run the command again",
        )),
    })
}

/// Finds the need `prefix` names among those `viewer` may see.
pub fn find(store: &Store, prefix: &str, viewer: Option<&str>) -> Result<Need> {
    find_shown(store, prefix, viewer).map(|(_, n)| n)
}

/// Like [`find`], with the need's shortest unique prefix among those `viewer` may see.
pub fn find_shown(store: &Store, prefix: &str, viewer: Option<&str>) -> Result<(String, Need)> {
    let mut seen = visible(load_all(store)?, viewer);
    let ids: Vec<&str> = seen.iter().map(|(_, n)| n.id.as_str()).collect();
    let id = resolve(prefix, &ids, crate::error::IdKind::Need)?.to_owned();
    let at = seen.iter().position(|(_, n)| n.id == *id);
    at.map(|at| seen.swap_remove(at))
        .ok_or_else(|| Error::NotFound("that need was removed meanwhile".into()))
}

/// Changes a need under its lock, recording `what` in its history.
pub fn change(
    store: &Store,
    id: &Id,
    by: &Id,
    today: NaiveDate,
    at: DateTime<Utc>,
    f: impl FnOnce(&mut Need) -> Result<String>,
) -> Result<Need> {
    store.update::<Need, _>(&path(id), |old| {
        let mut n = old.ok_or_else(|| Error::NotFound("that need was removed meanwhile".into()))?;
        let what = f(&mut n)?;
        n.history.push(Change {
            extra: Default::default(),
            date: today,
            at,
            by: by.clone(),
            what,
        });
        Ok(n)
    })
}

/// Removes `need`, as its owner does, on `today`: in an encrypted folder a removal is left for
/// the owner's other devices (see [`crate::removals`]).
pub fn remove(store: &Store, need: &Need, today: NaiveDate) -> Result<()> {
    crate::removals::remove(store, need, today)
}

#[cfg(test)]
mod order_tests {
    use super::*;

    #[test]
    fn lists_put_status_then_importance_then_review_date_first() {
        let day = |d| NaiveDate::from_ymd_opt(2026, 3, d).unwrap();
        let owner: Id = "alex1234".parse().unwrap();
        let need = |text: &str, status, importance, review: Option<u32>, created| {
            let mut n = Need::open(
                &owner,
                text.into(),
                "other".into(),
                None,
                importance,
                false,
                day(created),
            );
            n.status = status;
            n.review = review.map(day);
            n
        };
        let mut v = [
            need("retired", Status::Retired, Importance::High, None, 1),
            need(
                "agreed, review later",
                Status::Agreed,
                Importance::High,
                Some(20),
                1,
            ),
            need("open, low", Status::Open, Importance::Low, None, 1),
            need(
                "agreed, no review",
                Status::Agreed,
                Importance::High,
                None,
                1,
            ),
            need("open, high, newer", Status::Open, Importance::High, None, 5),
            need(
                "agreed, review soon",
                Status::Agreed,
                Importance::High,
                Some(10),
                9,
            ),
            need("open, high, older", Status::Open, Importance::High, None, 2),
            need(
                "agreed, medium",
                Status::Agreed,
                Importance::Medium,
                Some(1),
                1,
            ),
        ];
        v.sort_by(list_order);
        let order: Vec<&str> = v.iter().map(|n| n.text.as_str()).collect();
        assert_eq!(
            order,
            [
                "open, high, older",
                "open, high, newer",
                "open, low",
                "agreed, review soon",
                "agreed, review later",
                "agreed, no review",
                "agreed, medium",
                "retired",
            ]
        );
    }

    #[test]
    fn a_category_is_one_of_the_shared_ones_in_any_case_and_a_typo_says_which() {
        assert_eq!(check_category(" Practical ").unwrap(), "practical");
        let e = check_category("feelings").unwrap_err();
        assert_eq!(e.exit_code(), 2);
        assert!(e.to_string().contains("use one of: practical"), "{e}");
    }
}
