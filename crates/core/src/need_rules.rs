//! Who may change a need, and how: only its owner changes what it says or closes it, either
//! partner comments, and a plan is agreed only when both partners accepted the very same one.

use crate::error::{Error, Next, Result};
use crate::needs::{Need, Status, check_text};
use crate::profile::Couple;
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

/// Who helps with a need. On disk it is one string, as it always was: a partner's ID, `*` for
/// both partners, or `~` and the name of someone outside the couple.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(from = "String", into = "String")]
pub enum Helper {
    /// One partner, by ID.
    Partner(String),
    /// Both partners.
    Both,
    /// Someone outside the couple, by name ("my sister", "the district nurse").
    Outside(String),
}

impl Helper {
    /// The one-string form stored on disk.
    pub fn code(&self) -> String {
        match self {
            Helper::Partner(id) => id.clone(),
            Helper::Both => "*".into(),
            Helper::Outside(name) => format!("~{name}"),
        }
    }

    /// What `--helper NAME` means: a partner's name, `both`, or anyone else, outside the couple.
    pub fn from_name(couple: &Couple, name: &str) -> Result<Helper> {
        let name = name.trim();
        if name.eq_ignore_ascii_case("both") {
            return Ok(Helper::Both);
        }
        if let Ok(p) = couple.find(name) {
            return Ok(Helper::Partner(p.id.to_string()));
        }
        crate::profile::check_name(name)?;
        Ok(Helper::Outside(name.to_owned()))
    }

    /// How the helper is shown, with `name_of` naming a partner by ID.
    pub fn describe(&self, name_of: impl Fn(&str) -> String) -> String {
        match self {
            Helper::Partner(id) => name_of(id),
            Helper::Both => "both of you".into(),
            Helper::Outside(name) => name.clone(),
        }
    }
}

impl From<String> for Helper {
    fn from(s: String) -> Helper {
        if s == "*" {
            Helper::Both
        } else if let Some(name) = s.strip_prefix('~') {
            Helper::Outside(name.to_owned())
        } else {
            Helper::Partner(s)
        }
    }
}

impl From<Helper> for String {
    fn from(h: Helper) -> String {
        h.code()
    }
}

/// A plan on the table: proposed by one partner, agreed once every partner accepted it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Proposal {
    pub plan: String,
    pub helper: Option<Helper>,
    pub review: Option<NaiveDate>,
    /// The partner ID of who proposed it.
    pub by: String,
    pub date: NaiveDate,
    /// Partner IDs of everyone who accepted it, the proposer first.
    pub accepted: Vec<String>,
}

impl Proposal {
    fn same_plan(&self, plan: &str, helper: &Option<Helper>, review: Option<NaiveDate>) -> bool {
        self.plan == plan && &self.helper == helper && self.review == review
    }
}

/// What a partner wants to do to a need.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    /// Change its text, category, condition or importance.
    Edit,
    /// Make a private need visible.
    Share,
    Delete,
    /// Mark it met or retired, or open it again.
    Close(Status),
    /// Say it was talked over.
    Talked,
    Comment,
    Propose,
    Accept,
}

/// Whether `by` may do `action` to `need`. Only the owner changes what a need says or closes it;
/// the other partner may talk it over, comment, propose a plan and accept one.
pub fn may(need: &Need, by: &str, action: Action, couple: &Couple) -> Result<()> {
    let owner_only = matches!(
        action,
        Action::Edit | Action::Share | Action::Delete | Action::Close(_)
    );
    if owner_only && need.owner != by {
        return Err(Error::not_yours(format!(
            "this is {}'s need; you can comment or propose a plan",
            couple.name_of(&need.owner)
        )));
    }
    Ok(())
}

/// Moves a need to `to` (talked, met, retired, or open again). Returns the history note.
pub fn set_status(n: &mut Need, by: &str, to: Status, couple: &Couple) -> Result<String> {
    let action = match to {
        Status::Talked => Action::Talked,
        Status::Agreed => {
            return Err(Error::refused(
                "a need is agreed when both of you accept the same plan",
                Next::ProposePlan,
            ));
        }
        _ => Action::Close(to),
    };
    may(n, by, action, couple)?;
    let from = n.status;
    let ok = match to {
        Status::Talked => from == Status::Open,
        Status::Met => from != Status::Retired,
        Status::Open => matches!(from, Status::Met | Status::Retired),
        Status::Retired => from != Status::Retired,
        Status::Agreed => false,
    };
    if !ok {
        let hint = match to {
            Status::Open => "only a met or retired need can be reopened",
            Status::Met => "reopen it first",
            _ => "nothing to change",
        };
        return Err(Error::invalid(format!(
            "this need is {}; {hint}",
            from.label()
        )));
    }
    n.status = to;
    Ok(format!("{} → {}", from.label(), to.label()))
}

/// A comment from either partner, kept in the need's history. Returns the history note.
pub fn comment(text: &str) -> Result<String> {
    Ok(format!("comment: {}", check_text("comment", text)?))
}

/// What proposing a plan led to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Proposed {
    /// A new plan is on the table, waiting for the other partner.
    Waiting,
    /// It was the plan the other partner proposed: now both accepted it and it is agreed.
    Agreed,
}

/// `by` proposes a plan. Proposing the very plan the other partner proposed accepts it.
pub fn propose(
    n: &mut Need,
    by: &str,
    plan: &str,
    helper: Option<Helper>,
    review: Option<NaiveDate>,
    couple: &Couple,
    today: NaiveDate,
) -> Result<(Proposed, String)> {
    may(n, by, Action::Propose, couple)?;
    let plan = check_text("plan", plan)?;
    if n.status == Status::Retired {
        return Err(Error::invalid("this need is retired; reopen it first"));
    }
    if n.private {
        return Err(Error::refused(
            "this need is private; share it first so that your partner can accept a plan",
            Next::ShareNeed,
        ));
    }
    if let Some(p) = &n.proposal
        && p.by != by
        && p.same_plan(&plan, &helper, review)
    {
        return accept(n, by, couple).map(|note| (Proposed::Agreed, note));
    }
    let mut note = format!("proposed: {plan}");
    if let Some(h) = &helper {
        note += &format!("; {} helps", h.describe(|id| couple.name_of(id).to_owned()));
    }
    if let Some(r) = review {
        note += &format!("; review {r}");
    }
    n.proposal = Some(Proposal {
        plan,
        helper,
        review,
        by: by.to_owned(),
        date: today,
        accepted: vec![by.to_owned()],
    });
    Ok((Proposed::Waiting, note))
}

/// `by` accepts the plan on the table. Once every partner (at least two) has accepted it, the
/// need is agreed with that plan. Returns the history note.
pub fn accept(n: &mut Need, by: &str, couple: &Couple) -> Result<String> {
    may(n, by, Action::Accept, couple)?;
    let Some(p) = n.proposal.as_mut() else {
        return Err(Error::refused(
            "no plan is waiting to be accepted",
            Next::ProposePlan,
        ));
    };
    if p.accepted.iter().any(|a| a == by) {
        return Err(Error::invalid(
            "you have already accepted this plan; it is agreed once your partner accepts it too",
        ));
    }
    p.accepted.push(by.to_owned());
    let everyone = couple.partners.len() >= 2
        && couple
            .partners
            .iter()
            .all(|q| p.accepted.iter().any(|a| q.id == *a));
    let note = format!("accepted {}'s plan: {}", couple.name_of(&p.by), p.plan);
    if !everyone {
        return Ok(note);
    }
    let p = n.proposal.take().expect("checked above");
    n.status = Status::Agreed;
    n.plan = Some(p.plan);
    n.helper = p.helper;
    n.review = p.review;
    Ok(format!("{note} (agreed)"))
}

/// Days between two showings of the word on couples counseling after a review: once a cycle of
/// reviews, not after every one.
pub const COUNSELOR_EVERY_DAYS: i64 = 30;

/// Whether to say, after a review, that a couples counselor can help: only when some reviewed
/// need is still unmet, and not again within [`COUNSELOR_EVERY_DAYS`] of the last time.
pub fn counselor_due(last_shown: Option<NaiveDate>, today: NaiveDate, some_unmet: bool) -> bool {
    some_unmet && last_shown.is_none_or(|d| (today - d).num_days() >= COUNSELOR_EVERY_DAYS)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::needs::Importance;
    use crate::profile::Partner;

    fn day(d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 3, d).unwrap()
    }

    fn couple(names: &[&str]) -> Couple {
        Couple {
            seed: 1,
            partners: names
                .iter()
                .map(|n| Partner {
                    extra: Default::default(),
                    version: 1,
                    id: format!("id{n}").parse().unwrap(),
                    name: (*n).into(),
                    conditions: vec![],
                    removed_conditions: Vec::new(),
                    sexual: false,
                    added: day(1),
                })
                .collect(),
            ..Default::default()
        }
    }

    fn need() -> Need {
        Need::open(
            &"idalex".parse().unwrap(),
            "help with buttons".into(),
            "practical".into(),
            None,
            Importance::Medium,
            false,
            day(1),
        )
    }

    #[test]
    fn only_the_owner_edits_shares_deletes_or_closes_a_need() {
        let c = couple(&["alex", "sam"]);
        let n = need();
        for a in [
            Action::Edit,
            Action::Share,
            Action::Delete,
            Action::Close(Status::Met),
            Action::Close(Status::Retired),
            Action::Close(Status::Open),
        ] {
            assert!(may(&n, "idalex", a, &c).is_ok(), "{a:?}");
            let e = may(&n, "idsam", a, &c).unwrap_err();
            assert_eq!(
                e.to_string(),
                "this is alex's need; you can comment or propose a plan"
            );
            assert_eq!(e.exit_code(), 1);
        }
        for a in [
            Action::Talked,
            Action::Comment,
            Action::Propose,
            Action::Accept,
        ] {
            assert!(may(&n, "idsam", a, &c).is_ok(), "{a:?}");
        }
        let mut n = need();
        assert!(set_status(&mut n, "idsam", Status::Met, &c).is_err());
        assert_eq!(n.status, Status::Open);
        assert!(set_status(&mut n, "idsam", Status::Agreed, &c).is_err());
        assert!(set_status(&mut n, "idalex", Status::Agreed, &c).is_err());
        set_status(&mut n, "idsam", Status::Talked, &c).unwrap();
        set_status(&mut n, "idalex", Status::Met, &c).unwrap();
        assert_eq!(n.status, Status::Met);
    }

    #[test]
    fn a_plan_is_agreed_only_when_both_accepted_the_same_one() {
        let c = couple(&["alex", "sam"]);
        let mut n = need();
        let (r, _) = propose(&mut n, "idalex", "sam does buttons", None, None, &c, day(2)).unwrap();
        assert_eq!(r, Proposed::Waiting);
        assert_eq!(n.status, Status::Open);
        assert!(n.plan.is_none());
        // The proposer cannot accept their own plan a second time.
        assert!(accept(&mut n, "idalex", &c).is_err());
        // Sam proposes another: it replaces the first, which nobody agreed.
        let (r, _) = propose(
            &mut n,
            "idsam",
            "sam does buttons on weekdays",
            Some(Helper::Partner("idsam".into())),
            Some(day(30)),
            &c,
            day(3),
        )
        .unwrap();
        assert_eq!(r, Proposed::Waiting);
        assert_eq!(n.status, Status::Open);
        let note = accept(&mut n, "idalex", &c).unwrap();
        assert_eq!(
            note,
            "accepted sam's plan: sam does buttons on weekdays (agreed)"
        );
        assert_eq!(n.status, Status::Agreed);
        assert_eq!(n.plan.as_deref(), Some("sam does buttons on weekdays"));
        assert_eq!(n.helper, Some(Helper::Partner("idsam".into())));
        assert_eq!(n.review, Some(day(30)));
        assert!(n.proposal.is_none());
        assert!(accept(&mut n, "idalex", &c).is_err());
    }

    #[test]
    fn proposing_the_plan_the_other_proposed_accepts_it_but_not_a_different_one() {
        let c = couple(&["alex", "sam"]);
        let mut n = need();
        propose(
            &mut n,
            "idalex",
            "buttons",
            Some(Helper::Both),
            Some(day(9)),
            &c,
            day(2),
        )
        .unwrap();
        let (r, _) = propose(
            &mut n,
            "idsam",
            "buttons",
            Some(Helper::Both),
            None,
            &c,
            day(2),
        )
        .unwrap();
        assert_eq!(
            r,
            Proposed::Waiting,
            "a different review date is another plan"
        );
        let (r, _) = propose(
            &mut n,
            "idalex",
            "buttons",
            Some(Helper::Both),
            None,
            &c,
            day(2),
        )
        .unwrap();
        assert_eq!(r, Proposed::Agreed);
        assert_eq!(n.status, Status::Agreed);
    }

    #[test]
    fn a_couple_of_one_never_agrees() {
        let c = couple(&["alex"]);
        let mut n = need();
        propose(&mut n, "idalex", "buttons", None, None, &c, day(2)).unwrap();
        assert!(accept(&mut n, "idalex", &c).is_err());
        assert_eq!(n.status, Status::Open);
    }

    #[test]
    fn a_private_or_retired_need_takes_no_plan() {
        let c = couple(&["alex", "sam"]);
        let mut n = need();
        n.private = true;
        assert!(propose(&mut n, "idalex", "p", None, None, &c, day(2)).is_err());
        let mut n = need();
        n.status = Status::Retired;
        assert!(propose(&mut n, "idalex", "p", None, None, &c, day(2)).is_err());
    }

    #[test]
    fn a_helper_is_a_partner_both_or_someone_outside_and_old_files_still_read() {
        let c = couple(&["alex", "sam"]);
        assert_eq!(
            Helper::from_name(&c, "Sam").unwrap(),
            Helper::Partner("idsam".into())
        );
        assert_eq!(Helper::from_name(&c, "both").unwrap(), Helper::Both);
        let nurse = Helper::from_name(&c, "the district nurse").unwrap();
        assert_eq!(nurse, Helper::Outside("the district nurse".into()));
        for h in [Helper::Partner("idsam".into()), Helper::Both, nurse] {
            let s = serde_json::to_string(&h).unwrap();
            assert_eq!(serde_json::from_str::<Helper>(&s).unwrap(), h, "{s}");
        }
        // A need file from before: the helper is a partner ID.
        let old: Helper = serde_json::from_str("\"5k2m8q0r3t6v\"").unwrap();
        assert_eq!(old, Helper::Partner("5k2m8q0r3t6v".into()));
        assert!(Helper::from_name(&c, "a\u{7}b").is_err());
    }

    #[test]
    fn comments_are_checked_text() {
        assert_eq!(
            comment(" tried it, too early ").unwrap(),
            "comment: tried it, too early"
        );
        assert!(comment("  ").is_err());
    }

    #[test]
    fn the_counselor_line_comes_once_a_cycle_and_only_for_unmet_needs() {
        let today = day(20);
        assert!(counselor_due(None, today, true));
        assert!(!counselor_due(None, today, false));
        assert!(!counselor_due(Some(day(1)), today, true));
        assert!(counselor_due(
            Some(today - chrono::Duration::days(COUNSELOR_EVERY_DAYS)),
            today,
            true
        ));
    }
}
