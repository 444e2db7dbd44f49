//! Today at a glance: the day's prompt, whether each partner has answered it (never what), the
//! touch step or why there is none, holds that lift soon, needs due for review and what was on
//! for both and is off again. It reads only
//! what today needs: this year's answer files (not even those when the device's memo says they
//! are unchanged), the touch facts and the needs passed in.

use crate::answered_memo;
use crate::content::{Library, Prompt, Step};
use crate::error::Result;
use crate::ids::Id;
use crate::index;
use crate::joint_changes::{self, Trace};
use crate::needs::Need;
use crate::profile::Couple;
use crate::prompts::{Filter, Said, pick_in};
use crate::store::Store;
use crate::touch::{self, Hold};
use chrono::{Days, NaiveDate};
use std::path::Path;
use std::time::SystemTime;

/// Holds that lift within this many days are mentioned.
pub const SOON_DAYS: u64 = 14;

/// Where the touch plan is today.
#[derive(Debug, Clone)]
pub enum Touch<'a> {
    /// Nothing is in the couple's plan yet.
    NotStarted,
    /// Either partner paused the plan.
    Paused,
    /// Every step in the plan is held back by a medical-clearance hold.
    Held,
    /// Today's step, with its minutes (the short variant's on a gentle day).
    Step { step: &'a Step, minutes: u16 },
}

/// Needs due for review, soonest first (then by ID): the first ones as (shortest unique prefix,
/// need), and how many are due in all.
#[derive(Debug, Clone, Default)]
pub struct Due {
    pub first: Vec<(String, Need)>,
    pub count: usize,
}

impl Due {
    /// Those of `needs` due on `day`, all of them.
    pub fn of(needs: Vec<(String, Need)>, day: NaiveDate) -> Due {
        let mut first: Vec<(String, Need)> =
            needs.into_iter().filter(|(_, n)| n.due(day)).collect();
        first.sort_by(|a, b| (a.1.review, &a.1.id).cmp(&(b.1.review, &b.1.id)));
        Due {
            count: first.len(),
            first,
        }
    }

    /// The needs `viewer` may see that are due for review on `day`, each with its prefix among
    /// all the needs they may see: the first `keep` in full, and how many are due. Only the files
    /// of those kept are looked at ([`index::Check::DueFirst`]; all of them for `usize::MAX`, as
    /// [`index::Check::DueOn`] checks them), and only those are decoded from the index (see
    /// [`index::due_first`]).
    pub fn on(
        store: &Store,
        index: Option<&Path>,
        viewer: Option<&str>,
        day: NaiveDate,
        keep: usize,
    ) -> Result<Due> {
        let (first, count) = index::due_first(store, index, viewer, day, keep)?;
        Ok(Due { first, count })
    }
}

/// What `couple today` shows.
#[derive(Debug, Clone)]
pub struct Glance<'a> {
    pub date: NaiveDate,
    /// Either partner said it is a low-energy day.
    pub gentle: bool,
    pub prompt: Prompt,
    /// Each partner's name and what they did with the day's prompt. A pass is shown as such
    /// only to the partner who passed: to the other it is no answer, as if nothing was said.
    pub answered: Vec<(String, Said)>,
    pub touch: Touch<'a>,
    /// Holds in force today that lift within [`SOON_DAYS`].
    pub holds_lifting: Vec<Hold>,
    /// Needs due for review.
    pub due: Due,
    /// What was on for both of them and is off again, ended in the last [`SOON_DAYS`] days.
    pub changes: Vec<Trace>,
}

/// The day at a glance for `viewer` (the partner at the keyboard, if known). `needs` are the
/// needs the viewer may see, with their prefixes: those due are shown.
pub fn glance<'a>(
    store: &Store,
    lib: &'a Library,
    couple: &Couple,
    viewer: Option<&Id>,
    gentle: bool,
    needs: Vec<(String, Need)>,
    date: NaiveDate,
) -> Result<Glance<'a>> {
    let due = Due::of(needs, date);
    glance_with(store, lib, couple, viewer, gentle, due, date, None, None)
}

/// [`glance`] with the touch facts given (every partner's state as this device may know them,
/// and the holds) rather than read from the folder, and who answered looked up through the
/// device's memo when given (its path, and the time now; see [`answered_memo`]); `due` as given.
#[allow(clippy::too_many_arguments)]
pub fn glance_with<'a>(
    store: &Store,
    lib: &'a Library,
    couple: &Couple,
    viewer: Option<&Id>,
    gentle: bool,
    due: Due,
    date: NaiveDate,
    facts: Option<(Vec<touch::State>, Vec<Hold>)>,
    memo: Option<(&Path, SystemTime)>,
) -> Result<Glance<'a>> {
    let filter = Filter {
        low_energy: gentle,
        categories: Vec::new(),
    };
    let prompt = pick_in(lib, couple, &filter, date, false)?;
    let ids: Vec<&Id> = couple.partners.iter().map(|p| &p.id).collect();
    let (path, now) = memo.unzip();
    let said = answered_memo::answered(
        store,
        &ids,
        date,
        path,
        now.unwrap_or(SystemTime::UNIX_EPOCH),
    )?;
    let answered = couple
        .partners
        .iter()
        .zip(said)
        .map(|(p, said)| match said {
            Said::Passed if viewer != Some(&p.id) => (p.name.clone(), Said::Nothing),
            said => (p.name.clone(), said),
        })
        .collect();
    let (touch, holds_lifting, changes) = if couple.is_empty() {
        (Touch::NotStarted, Vec::new(), Vec::new())
    } else {
        let (states, holds) = match facts {
            Some(f) => f,
            None => touch::load_facts(store, couple)?,
        };
        let plan = touch::derive(lib, couple, &states, &holds, date);
        let t = match plan.current {
            _ if plan.in_plan.is_empty() => Touch::NotStarted,
            _ if plan.paused => Touch::Paused,
            None => Touch::Held,
            Some(step) => Touch::Step {
                step,
                minutes: if gentle {
                    step.short_minutes
                } else {
                    step.minutes
                },
            },
        };
        let soon = date + Days::new(SOON_DAYS);
        let mut lifting: Vec<Hold> = plan
            .holds
            .into_iter()
            .filter(|h| h.until <= soon && h.released.is_none())
            .collect();
        lifting.sort_by_key(|h| h.until);
        let changes = joint_changes::since(
            joint_changes::traces(lib, couple, &joint_changes::load(store)?),
            date - Days::new(SOON_DAYS),
        );
        (t, lifting, changes)
    };
    Ok(Glance {
        date,
        gentle,
        prompt,
        answered,
        touch,
        holds_lifting,
        due,
        changes,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dates::parse_date;
    use crate::profile;
    use crate::touch::{Answer, update_state};

    fn day(s: &str) -> NaiveDate {
        parse_date(s).unwrap()
    }

    #[test]
    fn a_glance_follows_the_plan_the_holds_and_the_energy() {
        let t = tempfile::tempdir().unwrap();
        let store = Store::new(t.path().join("data"));
        let lib = Library::builtin();
        let d = day("2026-03-02");
        let empty = glance(&store, &lib, &Couple::default(), None, false, vec![], d).unwrap();
        assert!(matches!(empty.touch, Touch::NotStarted));
        assert!(empty.answered.is_empty());

        let a = profile::add(&store, "Alex", vec![], d).unwrap();
        let b = profile::add(&store, "Sam", vec![], d).unwrap();
        let couple = Couple::load(&store).unwrap();
        let step = lib.steps[0].id;
        for p in [&a, &b] {
            update_state(&store, &p.id, |s| {
                s.boundaries.insert(step.into(), Answer::Yes);
                Ok(())
            })
            .unwrap();
        }
        let g = glance(&store, &lib, &couple, None, true, vec![], d).unwrap();
        assert!(
            matches!(g.touch, Touch::Step { step: s, minutes } if s.id == step && minutes == s.short_minutes)
        );
        assert!(g.prompt.low_energy);
        assert_eq!(
            g.answered,
            vec![
                ("Alex".into(), Said::Nothing),
                ("Sam".into(), Said::Nothing)
            ]
        );

        let hold = |until: &str| Hold {
            extra: Default::default(),
            version: 1,
            id: "hold1".parse().unwrap(),
            from_stage: 0,
            until: day(until),
            reason: "clearance".into(),
            created: d,
            at: None,
            released: None,
            by: None,
            released_by: None,
            released_at: None,
        };
        store.ensure_dir(touch::HOLDS).unwrap();
        store
            .write("touch/holds/hold1.json", &hold("2026-03-10"))
            .unwrap();
        let g = glance(&store, &lib, &couple, None, false, vec![], d).unwrap();
        assert!(matches!(g.touch, Touch::Held));
        assert_eq!(g.holds_lifting.len(), 1, "lifts within two weeks");
        store
            .write("touch/holds/hold1.json", &hold("2026-06-10"))
            .unwrap();
        let g = glance(&store, &lib, &couple, None, false, vec![], d).unwrap();
        assert!(g.holds_lifting.is_empty(), "lifts much later");
    }

    #[test]
    fn the_first_due_needs_are_the_first_of_all_due_ones_and_all_are_counted() {
        use crate::needs::{self, Importance, Status};
        let t = tempfile::tempdir().unwrap();
        let store = Store::new(t.path().join("data"));
        let idx = t.path().join("cache/needs.index");
        let d = day("2026-03-10");
        let alex: Id = "alex1".parse().unwrap();
        let sam: Id = "sam1".parse().unwrap();
        let add = |owner: &Id, review: &str, private: bool, status: Status| {
            let mut n = Need::open(
                owner,
                format!("due on {review}"),
                "other".into(),
                None,
                Importance::Low,
                private,
                d,
            );
            n.status = status;
            n.review = Some(day(review));
            needs::add(&store, n, chrono::Utc::now()).unwrap()
        };
        for review in [
            "2026-03-09",
            "2026-03-01",
            "2026-03-10",
            "2026-03-05",
            "2026-03-01",
        ] {
            add(&alex, review, false, Status::Agreed);
        }
        add(&alex, "2026-03-11", false, Status::Agreed);
        add(&alex, "2026-03-02", false, Status::Retired);
        add(&sam, "2026-03-03", true, Status::Agreed);
        let key = |d: &Due| -> Vec<(String, String, String)> {
            d.first
                .iter()
                .map(|(short, n)| (short.clone(), n.id.to_string(), n.text.clone()))
                .collect()
        };
        for viewer in [Some("alex1"), Some("sam1"), None] {
            let all = Due::of(
                index::needs_without_history(&store, None, viewer)
                    .unwrap()
                    .iter()
                    .map(|n| (n.id.to_string()[..4].to_owned(), n.clone()))
                    .collect(),
                d,
            );
            let every = Due::on(&store, Some(&idx), viewer, d, usize::MAX).unwrap();
            let want = if viewer == Some("sam1") { 6 } else { 5 };
            assert_eq!((every.count, every.first.len()), (want, want));
            let ids = |d: &Due| -> Vec<String> {
                d.first.iter().map(|(_, n)| n.id.to_string()).collect()
            };
            assert_eq!(ids(&every), ids(&all), "ordered by review, then ID");
            for keep in 0..=want + 1 {
                let first = Due::on(&store, Some(&idx), viewer, d, keep).unwrap();
                assert_eq!(first.count, want);
                assert_eq!(key(&first), key(&every)[..keep.min(want)], "{keep}");
            }
        }
    }

    #[test]
    fn a_pass_shows_as_a_pass_only_to_the_partner_who_passed() {
        let t = tempfile::tempdir().unwrap();
        let store = Store::new(t.path().join("data"));
        let lib = Library::builtin();
        let d = day("2026-03-02");
        let a = profile::add(&store, "Alex", vec![], d).unwrap();
        let b = profile::add(&store, "Sam", vec![], d).unwrap();
        let couple = Couple::load(&store).unwrap();
        let answer = crate::prompts::Answer::new(d, "p", "?", "yes".into(), Default::default());
        crate::prompts::save_answer(&store, &a.id, answer).unwrap();
        crate::answer_rules::pass(&store, &b.id, d, "p", "?", Default::default()).unwrap();
        let seen = |viewer: Option<&Id>| {
            glance(&store, &lib, &couple, viewer, false, vec![], d)
                .unwrap()
                .answered
        };
        let sams_pass = |said| vec![("Alex".into(), Said::Answered), ("Sam".into(), said)];
        assert_eq!(seen(Some(&b.id)), sams_pass(Said::Passed));
        assert_eq!(seen(Some(&a.id)), sams_pass(Said::Nothing));
        assert_eq!(seen(None), sams_pass(Said::Nothing));
    }
}
