//! Two versions of one record, made on two devices before they synced, merged into one with
//! nothing lost: lists that only grow are unioned, a need edited on both sides keeps both
//! versions' changes in its history and the later one as current, and where two consent answers
//! differ the more careful one wins (nothing is ever turned into a "yes" by a merge).

use crate::energy::{self, LowDays, Span};
use crate::needs::{Change, Need};
use crate::own_facts::OptIns;
use crate::profile::{CoupleFile, Partner};
use crate::prompts::{Answer as DayAnswer, AnswerFile, Earlier};
use crate::removals::Removal;
use crate::store::Extra;
use crate::touch::{Answer, Hold, Mark, Sessions, State};
use chrono::NaiveDate;
use serde::Serialize;
use std::collections::hash_map::DefaultHasher;
use std::collections::{BTreeSet, HashMap};
use std::hash::{Hash, Hasher};

/// Adds to `into` every item of `from` it does not hold yet, keeping `into`'s order first.
///
/// Items are looked up by a hash of their serialized form, so a long list (a folder writer can
/// make one of hundreds of thousands) merges in time that grows with its length, not its square;
/// two items are the same only when they are equal, so nothing is dropped on a mere hash match.
fn union<T: PartialEq + Serialize>(into: &mut Vec<T>, from: Vec<T>) {
    let key = |x: &T| {
        let mut h = DefaultHasher::new();
        serde_json::to_vec(x).unwrap_or_default().hash(&mut h);
        h.finish()
    };
    let mut seen: HashMap<u64, Vec<usize>> = HashMap::new();
    for (i, x) in into.iter().enumerate() {
        seen.entry(key(x)).or_default().push(i);
    }
    for x in from {
        let same = seen.entry(key(&x)).or_default();
        if !same.iter().any(|&i| into[i] == x) {
            same.push(into.len());
            into.push(x);
        }
    }
}

fn union_extra(into: &mut Extra, from: Extra) {
    for (k, v) in from {
        into.entry(k).or_insert(v);
    }
}

/// The more careful of two answers about a step: no before maybe before yes.
fn careful_answer(a: Answer, b: Answer) -> Answer {
    let rank = |x: Answer| match x {
        Answer::No => 0,
        Answer::Maybe => 1,
        Answer::Yes => 2,
    };
    if rank(b) < rank(a) { b } else { a }
}

/// The more careful of two body marks: off-limits before ask-first before welcome.
fn careful_mark(a: Mark, b: Mark) -> Mark {
    let rank = |x: Mark| match x {
        Mark::OffLimits => 0,
        Mark::AskFirst => 1,
        Mark::Welcome => 2,
    };
    if rank(b) < rank(a) { b } else { a }
}

/// One need changed on two devices: the version changed last is current, with its proposal (or
/// none: one the other version still has was accepted, withdrawn or replaced since, unless the
/// later version never saw it proposed: then it stays waiting), the history
/// holds both versions' changes, and what the other version said is kept in a history entry.
pub fn need(a: Need, b: Need) -> Need {
    let last = |n: &Need| n.history.iter().map(|c| c.at).max();
    let (mut cur, other) = if last(&b) > last(&a) { (b, a) } else { (a, b) };
    let mut note = Vec::new();
    if other.text != cur.text {
        note.push(format!("the text {:?}", other.text));
    }
    if other.plan != cur.plan
        && let Some(p) = &other.plan
    {
        note.push(format!("the plan {p:?}"));
    }
    if other.status != cur.status {
        note.push(format!("the status {:?}", other.status.label()));
    }
    // A plan the other version has waiting, that the later version never saw proposed (it was
    // changed without it, not settled), stays waiting.
    if cur.proposal.is_none()
        && let Some(p) = &other.proposal
        && let Some(made) = other
            .history
            .iter()
            .rev()
            .find(|c| c.by.as_str() == p.by && c.what.starts_with("proposed: "))
        && !cur.history.contains(made)
    {
        cur.proposal = other.proposal.clone();
    }
    let other_last = other.history.iter().max_by_key(|c| c.at).cloned();
    union(&mut cur.history, other.history);
    cur.history.sort_by_key(|c| c.at);
    union_extra(&mut cur.extra, other.extra);
    if let (false, Some(o)) = (note.is_empty(), other_last) {
        let at = cur.history.iter().map(|c| c.at).max().unwrap_or(o.at);
        cur.history.push(Change {
            date: o.date,
            at,
            by: o.by,
            what: format!(
                "changed on two devices at once; this version was kept, the other had {}",
                note.join(", ")
            ),
            extra: Extra::new(),
        });
    }
    cur
}

/// One partner's answers for a year, from two devices: every answer of both.
pub fn answers(mut a: AnswerFile, b: AnswerFile) -> AnswerFile {
    union(&mut a.answers, b.answers);
    a.answers.sort_by_key(|x| (x.date, x.at));
    union(&mut a.sealed, b.sealed);
    a.sealed.sort_by_key(|x| x.date);
    union_extra(&mut a.extra, b.extra);
    a
}

/// One answer a day, once two versions of a partner's answers were merged: a day taken back in
/// either version (`taken_back`) stays taken back; otherwise the answer written last stays, and
/// the other versions' texts join its earlier versions, for its author alone. A merge so never
/// shows, or shares with the other partner, a text its author corrected or took back.
pub fn one_answer_a_day(answers: &mut Vec<DayAnswer>, taken_back: &BTreeSet<NaiveDate>) {
    answers.retain(|a| !taken_back.contains(&a.date));
    answers.sort_by_key(|a| (a.date, a.at));
    let mut out: Vec<DayAnswer> = Vec::with_capacity(answers.len());
    for a in answers.drain(..) {
        match out.last_mut() {
            Some(last) if last.date == a.date => {
                let older = std::mem::replace(last, a);
                let mut earlier = older.earlier;
                if !older.passed {
                    earlier.push(Earlier {
                        prompt: older.prompt,
                        text: older.text,
                        at: older.at,
                    });
                }
                for e in earlier {
                    if !last.earlier.contains(&e) {
                        last.earlier.push(e);
                    }
                }
                last.earlier.sort_by_key(|e| e.at);
            }
            _ => out.push(a),
        }
    }
    *answers = out;
}

/// One partner's sessions and debriefs, from two devices: every one of both.
pub fn sessions(mut a: Sessions, b: Sessions) -> Sessions {
    union(&mut a.sessions, b.sessions);
    a.sessions.sort_by_key(|s| s.at);
    union(&mut a.debriefs, b.debriefs);
    a.debriefs.sort_by_key(|d| d.at);
    union_extra(&mut a.extra, b.extra);
    union(&mut a.unusable.sessions, b.unusable.sessions);
    union(&mut a.unusable.debriefs, b.unusable.debriefs);
    a
}

/// One partner's touch state, from two devices: every readiness event of both, and where the two
/// disagree about a step or a body region, the more careful answer. A region only one version
/// marks welcome is left unmarked: the other may have taken that mark off, and no mark is more
/// careful than a welcome.
pub fn state(mut a: State, b: State) -> State {
    for (step, ans) in b.boundaries {
        let v = a
            .boundaries
            .get(&step)
            .map_or(ans, |&x| careful_answer(x, ans));
        a.boundaries.insert(step, v);
    }
    a.body
        .retain(|region, m| m.mark != Mark::Welcome || b.body.contains_key(region));
    for (region, mark) in b.body {
        match a.body.get_mut(&region) {
            Some(m) => {
                m.mark = careful_mark(m.mark, mark.mark);
                if m.note.is_none() {
                    m.note = mark.note;
                }
            }
            None if mark.mark == Mark::Welcome => {}
            None => {
                a.body.insert(region, mark);
            }
        }
    }
    union(&mut a.events, b.events);
    a.events.sort_by_key(|e| e.at);
    a.help_shown.extend(b.help_shown);
    union_extra(&mut a.extra, b.extra);
    a
}

/// A hold from two devices: released if either released it.
pub fn hold(mut a: Hold, b: Hold) -> Hold {
    if a.released.is_none() {
        a.released = b.released;
        a.released_by = b.released_by;
        a.released_at = b.released_at;
    }
    union_extra(&mut a.extra, b.extra);
    a
}

/// One partner set up on two devices before the first sync: nothing was taken away, so every
/// condition of both; opted in only if both say so.
pub fn twin_partner(mut a: Partner, b: Partner) -> Partner {
    union(&mut a.conditions, b.conditions);
    union(&mut a.removed_conditions, b.removed_conditions);
    a.removed_conditions.retain(|c| !a.conditions.contains(c));
    a.sexual = a.sexual && b.sexual;
    union_extra(&mut a.extra, b.extra);
    a
}

/// A partner's profile from two devices: every condition of both but those either version took
/// off (see [`Partner::removed_conditions`]): a condition removed on one device stays removed,
/// even if set again on the other before they synced. Opted in only if both say so.
pub fn partner(a: Partner, b: Partner) -> Partner {
    let mut removed = a.removed_conditions.clone();
    union(&mut removed, b.removed_conditions.clone());
    let mut p = twin_partner(a, b);
    p.conditions.retain(|c| !removed.contains(c));
    p.removed_conditions = removed;
    p
}

/// A partner's own opt-in from two of their devices: opted in only if both versions say so.
pub fn opt_ins(mut a: OptIns, b: OptIns) -> OptIns {
    a.sexual = a.sexual && b.sexual;
    union_extra(&mut a.extra, b.extra);
    a
}

/// The couple file from two devices: the first one's seed (today's prompt must be one prompt).
pub fn couple(mut a: CoupleFile, b: CoupleFile) -> CoupleFile {
    a.created = a.created.min(b.created);
    a.no_future_prompts = a.no_future_prompts || b.no_future_prompts;
    union_extra(&mut a.extra, b.extra);
    a
}

/// Low-energy days from two devices: every day either version says is low, but for the days
/// either ended early (see [`LowDays::ended`]): a flare ended on one device stays ended. A day
/// said low again on one device while the other ended it before they synced stays ended.
pub fn low_days(mut a: LowDays, b: LowDays) -> LowDays {
    a.ended = energy::joined(a.ended.into_iter().chain(b.ended).collect());
    let said: Vec<Span> = a.low.into_iter().chain(b.low).collect();
    a.low = energy::joined(energy::without(&said, &a.ended));
    union_extra(&mut a.extra, b.extra);
    a
}

/// A need's removal left on two devices of its owner: the one that covers the later version of
/// the need, with the lines of the versions both removed (see [`Removal::lines`]).
pub fn removal(a: Removal, b: Removal) -> Removal {
    let (mut keep, other) = if b.rev > a.rev { (b, a) } else { (a, b) };
    // Each device removed the version it had: a version either had is removed. One left
    // before lines were kept adds none: the later one's lines still decide (a version with a
    // line of its own stays).
    if !keep.lines.is_empty() && !other.lines.is_empty() {
        union(&mut keep.lines, other.lines);
    }
    union_extra(&mut keep.extra, other.extra);
    keep
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ids::Id;
    use crate::touch::BodyMark;

    /// An item that counts how often it is compared.
    #[derive(Debug, Serialize)]
    struct Counted(u32);

    thread_local! {
        static COMPARED: std::cell::Cell<usize> = const { std::cell::Cell::new(0) };
    }

    impl PartialEq for Counted {
        fn eq(&self, other: &Counted) -> bool {
            COMPARED.with(|c| c.set(c.get() + 1));
            self.0 == other.0
        }
    }

    #[test]
    fn a_long_list_is_unioned_without_comparing_each_item_with_each() {
        let n = 20_000;
        let mut into: Vec<Counted> = (0..n).map(Counted).collect();
        let from: Vec<Counted> = (n / 2..n + n / 2).map(Counted).collect();
        COMPARED.with(|c| c.set(0));
        union(&mut into, from);
        let kept: Vec<u32> = into.iter().map(|c| c.0).collect();
        assert_eq!(kept, (0..n + n / 2).collect::<Vec<u32>>());
        // One comparison for each item met again; each with each made 400 million here.
        let compared = COMPARED.with(|c| c.get());
        assert!(compared <= n as usize, "{compared} comparisons");
    }

    fn marked(marks: &[(&str, Mark)]) -> State {
        let mut s = State::new(&Id::parse("alex00000000").unwrap());
        for (region, mark) in marks {
            s.body.insert(
                (*region).to_owned(),
                BodyMark {
                    mark: *mark,
                    note: None,
                    extra: Extra::new(),
                },
            );
        }
        s
    }

    #[test]
    fn a_welcome_on_a_region_only_one_version_marks_is_not_kept_and_a_careful_mark_is() {
        // One device took "head: welcome" off; the other still has it and marked the face.
        let cleared = marked(&[("back", Mark::OffLimits)]);
        let kept = marked(&[
            ("back", Mark::OffLimits),
            ("head", Mark::Welcome),
            ("face", Mark::AskFirst),
        ]);
        for merged in [state(cleared.clone(), kept.clone()), state(kept, cleared)] {
            let marks: Vec<(&str, Mark)> = merged
                .body
                .iter()
                .map(|(r, m)| (r.as_str(), m.mark))
                .collect();
            assert_eq!(
                marks,
                [("back", Mark::OffLimits), ("face", Mark::AskFirst)],
                "a mark taken off never comes back as welcome"
            );
        }
        // Where both versions mark a region, the more careful mark, as before.
        let merged = state(
            marked(&[("head", Mark::Welcome)]),
            marked(&[("head", Mark::Welcome)]),
        );
        assert_eq!(merged.body["head"].mark, Mark::Welcome);
    }

    fn day(d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 3, d).unwrap()
    }

    #[test]
    fn a_proposal_the_later_version_no_longer_has_does_not_come_back() {
        let alex = Id::parse("alex00000000").unwrap();
        let mut waiting = Need::open(
            &alex,
            "A walk after dinner".into(),
            "comfort".into(),
            None,
            crate::needs::Importance::Medium,
            false,
            day(1),
        );
        let change = |what: &str, d: u32| Change {
            date: day(d),
            at: chrono::DateTime::UNIX_EPOCH + chrono::Duration::days(i64::from(d)),
            by: alex.clone(),
            what: what.into(),
            extra: Extra::new(),
        };
        waiting.proposal = Some(crate::need_rules::Proposal {
            plan: "Every evening at seven".into(),
            helper: None,
            review: None,
            by: alex.to_string(),
            date: day(2),
            accepted: vec![alex.to_string()],
        });
        waiting
            .history
            .push(change("proposed: Every evening at seven", 2));
        // On the other device the proposal was accepted (or withdrawn) afterwards.
        let mut settled = waiting.clone();
        settled.proposal = None;
        settled.status = crate::needs::Status::Agreed;
        settled.history.push(change("accepted (agreed)", 3));
        for merged in [
            need(waiting.clone(), settled.clone()),
            need(settled, waiting.clone()),
        ] {
            assert_eq!(merged.proposal, None, "a settled proposal stays settled");
            assert_eq!(merged.status, crate::needs::Status::Agreed);
        }
        // On the other device the need was changed later by someone who had not seen the
        // proposal: it stays waiting.
        let mut unseen = waiting.clone();
        unseen.proposal = None;
        unseen.history.pop();
        unseen.text = "A quiet hour together".into();
        unseen.history.push(change("changed the text", 3));
        for merged in [
            need(waiting.clone(), unseen.clone()),
            need(unseen, waiting.clone()),
        ] {
            assert_eq!(
                merged.proposal, waiting.proposal,
                "a proposal not seen stays"
            );
            assert_eq!(merged.text, "A quiet hour together");
        }
    }

    #[test]
    fn a_flare_ended_early_on_one_device_stays_ended_and_a_new_one_is_kept() {
        let span = |from, until| Span {
            from: day(from),
            until: day(until),
        };
        let days = |low: Vec<Span>, ended: Vec<Span>| LowDays {
            version: 1,
            partner: Id::parse("alex00000000").unwrap(),
            low,
            ended,
            extra: Extra::new(),
        };
        // One device said "normal" on the 5th, ending the flare from the 1st and one said for
        // the 15th and 16th; the other still has both, and a new flare.
        let ended = days(vec![span(1, 4)], vec![span(5, 10), span(15, 16)]);
        let whole = days(vec![span(1, 10), span(15, 16), span(20, 22)], vec![]);
        for merged in [
            low_days(ended.clone(), whole.clone()),
            low_days(whole.clone(), ended.clone()),
        ] {
            assert_eq!(merged.low, [span(1, 4), span(20, 22)]);
        }
        // Flares said on both devices, nothing ended: every day of both, as one span.
        let merged = low_days(
            days(vec![span(1, 4)], vec![]),
            days(vec![span(3, 9)], vec![]),
        );
        assert_eq!(merged.low, [span(1, 9)]);
    }

    #[test]
    fn a_condition_removed_on_one_device_does_not_come_back_and_two_set_ups_keep_both() {
        let with = |conditions: &[&str]| Partner {
            version: 1,
            id: Id::parse("alex00000000").unwrap(),
            name: "Alex".into(),
            conditions: conditions.iter().map(|c| (*c).to_owned()).collect(),
            removed_conditions: vec![],
            sexual: false,
            added: day(1),
            extra: Extra::new(),
        };
        let both = with(&["arthritis", "fatigue"]);
        let mut healed = both.clone();
        crate::profile::set_conditions(&mut healed, vec!["arthritis".into()]);
        for merged in [
            partner(both.clone(), healed.clone()),
            partner(healed.clone(), both.clone()),
        ] {
            assert_eq!(merged.conditions, ["arthritis"]);
        }
        // One added on each device: both kept.
        let (mut one, mut other) = (both.clone(), both.clone());
        crate::profile::set_conditions(
            &mut one,
            vec!["arthritis".into(), "fatigue".into(), "pain".into()],
        );
        crate::profile::set_conditions(
            &mut other,
            vec!["arthritis".into(), "fatigue".into(), "anxiety".into()],
        );
        assert_eq!(
            partner(one, other).conditions,
            ["arthritis", "fatigue", "pain", "anxiety"]
        );
        // Removed on one device and set again on the other before they synced: stays removed.
        let mut again = healed.clone();
        crate::profile::set_conditions(&mut again, vec!["arthritis".into(), "fatigue".into()]);
        assert_eq!(partner(healed, again).conditions, ["arthritis"]);
        // Two set-ups made before the first sync: nothing was removed, every condition stays.
        let merged = twin_partner(with(&["fatigue"]), with(&["arthritis"]));
        assert_eq!(merged.conditions, ["fatigue", "arthritis"]);
    }

    #[test]
    fn two_removals_of_one_need_cover_the_versions_both_devices_removed() {
        let left = |rev, lines: &[&str]| Removal {
            version: 1,
            id: "abcd12345678".parse().unwrap(),
            owner: "sam000000002".parse().unwrap(),
            date: chrono::NaiveDate::from_ymd_opt(2026, 3, 2).unwrap(),
            rev,
            lines: lines.iter().map(|l| (*l).to_owned()).collect(),
            extra: Extra::new(),
        };
        let merged = removal(left(3, &["a", "b"]), left(4, &["a", "c"]));
        assert_eq!(merged.rev, 4);
        assert_eq!(merged.lines, ["a", "c", "b"]);
        // One left before lines were kept: the later one's lines decide, whichever it is.
        assert_eq!(removal(left(3, &["a"]), left(2, &[])).lines, ["a"]);
        assert!(removal(left(3, &["a"]), left(4, &[])).lines.is_empty());
    }
}
