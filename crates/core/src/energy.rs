//! Low-energy days, said once: a partner says that today (or a span of days) is a low-energy
//! day, and on every device both the prompt and the touch step are gentler until it ends.
//!
//! On disk: `energy/PARTNER.json`, written only by that partner. It holds dates and nothing
//! else: no reason, no note. What the couple sees is derived: a day is gentle when any partner
//! said so, and the tools tell the other partner only that it is a gentle day. The file is
//! sealed to both and signed by its partner, so whose days they are is no secret from the other
//! partner's device.

use crate::dates;
use crate::error::{Error, Result};
use crate::ids::Id;
use crate::profile::Couple;
use crate::store::{Extra, FORMAT_VERSION, Store, Versioned};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

/// The longest span one can say at once, in days.
pub const MAX_DAYS: u64 = 92;
/// Spans that ended this many days ago are dropped when the file is next written.
const KEEP_DAYS: u64 = 30;

/// A run of low-energy days, both ends included.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Span {
    pub from: NaiveDate,
    pub until: NaiveDate,
}

impl Span {
    pub fn covers(&self, day: NaiveDate) -> bool {
        self.from <= day && day <= self.until
    }
}

/// One partner's low-energy days; that partner is its only writer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LowDays {
    pub version: u32,
    pub partner: Id,
    #[serde(default)]
    pub low: Vec<Span>,
    /// Days taken off spans said before (`couple energy normal`), until said low again: a merge
    /// of two versions never brings them back.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub ended: Vec<Span>,
    /// Fields a newer closer wrote at this format version, kept as they are.
    #[serde(flatten, default, skip_serializing_if = "Extra::is_empty")]
    pub extra: Extra,
}

impl Versioned for LowDays {
    fn version(&self) -> u32 {
        self.version
    }
}

impl LowDays {
    /// The span that makes `day` a low-energy day for this partner, if any.
    pub fn on(&self, day: NaiveDate) -> Option<Span> {
        self.low.iter().copied().find(|s| s.covers(day))
    }
}

/// `spans` in order, those that overlap or touch joined into one.
pub fn joined(mut spans: Vec<Span>) -> Vec<Span> {
    spans.sort_by_key(|s| s.from);
    let mut out: Vec<Span> = Vec::with_capacity(spans.len());
    for s in spans {
        match out.last_mut() {
            Some(last) if s.from <= dates::days_after(last.until, 1) => {
                last.until = last.until.max(s.until);
            }
            _ => out.push(s),
        }
    }
    out
}

/// The days of `spans` that `taken` does not cover, in order and joined. Both lists are put in
/// order first, so this takes time that grows with their length, not the product of their
/// lengths (a folder writer can make either long).
pub fn without(spans: &[Span], taken: &[Span]) -> Vec<Span> {
    let taken = joined(taken.to_vec());
    let mut left = Vec::new();
    for s in joined(spans.to_vec()) {
        let mut from = Some(s.from);
        let first = taken.partition_point(|t| t.until < s.from);
        for t in taken[first..].iter().take_while(|t| t.from <= s.until) {
            let Some(start) = from else { break };
            if t.from > start {
                left.push(Span {
                    from: start,
                    until: dates::days_before(t.from, 1),
                });
            }
            from = (t.until < s.until).then(|| dates::days_after(t.until, 1));
        }
        if let Some(from) = from {
            left.push(Span {
                from,
                until: s.until,
            });
        }
    }
    left
}

pub fn path(partner: &Id) -> String {
    format!("energy/{partner}.json")
}

/// Reads a partner's low-energy days (none when they never said any).
pub fn load(store: &Store, partner: &Id) -> Result<LowDays> {
    Ok(store.read(&path(partner))?.unwrap_or_else(|| LowDays {
        extra: Default::default(),
        version: FORMAT_VERSION,
        partner: partner.clone(),
        low: Vec::new(),
        ended: Vec::new(),
    }))
}

/// Checks the last day of a span starting `today`: not before it, not too far away.
pub fn check_until(today: NaiveDate, until: Option<NaiveDate>) -> Result<Span> {
    let until = until.unwrap_or(today);
    if until < today {
        return Err(Error::usage(format!(
            "{until} is before today ({today}); give the last low-energy day, today or later"
        )));
    }
    let last = dates::days_after(today, MAX_DAYS);
    if until > last {
        return Err(Error::usage(format!(
            "{until} is more than {MAX_DAYS} days away; say it again nearer the time (latest {last})"
        )));
    }
    Ok(Span { from: today, until })
}

fn update(
    store: &Store,
    partner: &Id,
    f: impl FnOnce(&mut Vec<Span>, &mut Vec<Span>),
) -> Result<LowDays> {
    store.update::<LowDays, _>(&path(partner), |old| {
        let mut d = old.unwrap_or_else(|| LowDays {
            extra: Default::default(),
            version: FORMAT_VERSION,
            partner: partner.clone(),
            low: Vec::new(),
            ended: Vec::new(),
        });
        f(&mut d.low, &mut d.ended);
        Ok(d)
    })
}

/// Says that the days of `span` are low-energy days for `partner`. A span that overlaps or
/// touches one already said is merged with it; spans long over are forgotten.
pub fn say_low(store: &Store, partner: &Id, span: Span) -> Result<Span> {
    let forget_before = dates::days_before(span.from, KEEP_DAYS);
    let d = update(store, partner, |low, ended| {
        low.retain(|s| s.until >= forget_before);
        *ended = without(ended, &[span]);
        ended.retain(|s| s.until >= forget_before);
        let mut merged = span;
        low.retain(|s| {
            let touches = s.from <= dates::days_after(merged.until, 1)
                && merged.from <= dates::days_after(s.until, 1);
            if touches {
                merged.from = merged.from.min(s.from);
                merged.until = merged.until.max(s.until);
            }
            !touches
        });
        low.push(merged);
        low.sort_by_key(|s| s.from);
    })?;
    Ok(d.on(span.from).unwrap_or(span))
}

/// Ends `partner`'s low-energy days from `today` on. Returns whether any were said.
pub fn say_normal(store: &Store, partner: &Id, today: NaiveDate) -> Result<bool> {
    if load(store, partner)?.low.iter().all(|s| s.until < today) {
        return Ok(false);
    }
    update(store, partner, |low, ended| {
        let taken = low.iter().filter(|s| s.until >= today).map(|s| Span {
            from: s.from.max(today),
            until: s.until,
        });
        *ended = joined(ended.iter().copied().chain(taken).collect());
        let forget_before = dates::days_before(today, KEEP_DAYS);
        ended.retain(|s| s.until >= forget_before);
        low.retain(|s| s.from < today);
        for s in low.iter_mut() {
            if s.until >= today {
                s.until = dates::days_before(today, 1);
            }
        }
    })?;
    Ok(true)
}

/// Whether `day` is a gentle day for the couple: any partner said it is a low-energy day.
pub fn gentle_on(store: &Store, couple: &Couple, day: NaiveDate) -> Result<bool> {
    for p in &couple.partners {
        if load(store, &p.id)?.on(day).is_some() {
            return Ok(true);
        }
    }
    Ok(false)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ppp1() -> Id {
        "ppp1".parse().unwrap()
    }
    use crate::dates::parse_date;

    fn d(s: &str) -> NaiveDate {
        parse_date(s).unwrap()
    }

    fn store() -> (tempfile::TempDir, Store) {
        let t = tempfile::tempdir().unwrap();
        let s = Store::new(t.path().join("data"));
        (t, s)
    }

    #[test]
    fn the_days_left_after_taking_some_away_are_the_days_one_by_one_would_give() {
        use proptest::prelude::*;
        use std::collections::BTreeSet;
        let base = d("2026-01-01");
        let span = (0u64..60, 0u64..8).prop_map(move |(from, len)| Span {
            from: dates::days_after(base, from),
            until: dates::days_after(base, from + len),
        });
        let lists = (
            prop::collection::vec(span.clone(), 0..8),
            prop::collection::vec(span, 0..8),
        );
        let days = |spans: &[Span]| -> BTreeSet<NaiveDate> {
            spans
                .iter()
                .flat_map(|s| s.from.iter_days().take_while(move |x| *x <= s.until))
                .collect()
        };
        proptest!(|((spans, taken) in lists)| {
            let left = without(&spans, &taken);
            let expected: BTreeSet<NaiveDate> =
                days(&spans).difference(&days(&taken)).copied().collect();
            prop_assert_eq!(days(&left), expected);
            prop_assert_eq!(joined(left.clone()), left);
        });
    }

    #[test]
    fn many_days_ended_are_taken_away_in_one_pass() {
        // A folder writer can put hundreds of thousands of spans in the file; taking them away
        // must not compare each with each (that took minutes at this size).
        let base = d("2026-01-01");
        let every_other: Vec<Span> = (0..200_000u64)
            .map(|i| {
                let day = dates::days_after(base, 2 * i);
                Span {
                    from: day,
                    until: day,
                }
            })
            .collect();
        let all = [Span {
            from: base,
            until: dates::days_after(base, 400_000),
        }];
        let left = without(&every_other, &all);
        assert!(left.is_empty());
        let left = without(&all, &every_other);
        assert_eq!(left.len(), 200_000);
        assert_eq!(left[0].from, dates::days_after(base, 1));
    }

    #[test]
    fn a_span_runs_from_today_to_its_last_day_and_no_further_than_allowed() {
        let today = d("2026-03-02");
        assert_eq!(
            check_until(today, None).unwrap(),
            Span {
                from: today,
                until: today
            }
        );
        assert_eq!(
            check_until(today, Some(d("2026-03-05"))).unwrap().until,
            d("2026-03-05")
        );
        assert!(
            check_until(today, Some(d("2026-03-01")))
                .unwrap_err()
                .to_string()
                .contains("before today")
        );
        for late in ["2026-03-01", "2026-12-01"] {
            let msg = check_until(today, Some(d(late))).unwrap_err().to_string();
            assert!(!msg.contains("--"), "core names no option: {msg}");
        }
        assert!(
            check_until(today, Some(d("2026-12-01")))
                .unwrap_err()
                .to_string()
                .contains("days away")
        );
    }

    #[test]
    fn a_low_day_covers_its_span_and_ends_when_said() {
        let (_t, s) = store();
        let span = check_until(d("2026-03-02"), Some(d("2026-03-04"))).unwrap();
        say_low(&s, &ppp1(), span).unwrap();
        let days = load(&s, &ppp1()).unwrap();
        assert!(days.on(d("2026-03-01")).is_none());
        assert!(days.on(d("2026-03-02")).is_some() && days.on(d("2026-03-04")).is_some());
        assert!(days.on(d("2026-03-05")).is_none());

        assert!(say_normal(&s, &ppp1(), d("2026-03-03")).unwrap());
        let days = load(&s, &ppp1()).unwrap();
        assert!(
            days.on(d("2026-03-02")).is_some(),
            "the past stays as it was"
        );
        assert!(days.on(d("2026-03-03")).is_none());
        assert!(
            !say_normal(&s, &ppp1(), d("2026-03-03")).unwrap(),
            "nothing left to end"
        );
        let ended = |from, until| Span {
            from: d(from),
            until: d(until),
        };
        // The days taken off are kept, for a merge not to bring them back, until said again.
        let days = load(&s, &ppp1()).unwrap();
        assert_eq!(days.ended, [ended("2026-03-03", "2026-03-04")]);
        say_low(&s, &ppp1(), check_until(d("2026-03-04"), None).unwrap()).unwrap();
        let days = load(&s, &ppp1()).unwrap();
        assert_eq!(days.ended, [ended("2026-03-03", "2026-03-03")]);
        assert!(days.on(d("2026-03-04")).is_some());
    }

    #[test]
    fn overlapping_spans_merge_and_old_ones_are_forgotten() {
        let (_t, s) = store();
        say_low(&s, &ppp1(), check_until(d("2026-01-01"), None).unwrap()).unwrap();
        say_low(
            &s,
            &ppp1(),
            check_until(d("2026-03-02"), Some(d("2026-03-03"))).unwrap(),
        )
        .unwrap();
        let merged = say_low(
            &s,
            &ppp1(),
            check_until(d("2026-03-03"), Some(d("2026-03-06"))).unwrap(),
        )
        .unwrap();
        assert_eq!(
            merged,
            Span {
                from: d("2026-03-02"),
                until: d("2026-03-06")
            }
        );
        assert_eq!(
            load(&s, &ppp1()).unwrap().low,
            vec![merged],
            "January is forgotten"
        );
    }

    #[test]
    fn a_day_is_gentle_for_the_couple_when_either_partner_said_so() {
        let (_t, s) = store();
        let couple = Couple {
            seed: 1,
            partners: ["ppp1", "ppp2"]
                .iter()
                .map(|id| crate::profile::Partner {
                    extra: Default::default(),
                    version: 1,
                    id: id.parse().unwrap(),
                    name: id.to_uppercase(),
                    conditions: vec![],
                    removed_conditions: Vec::new(),
                    sexual: false,
                    added: d("2026-01-01"),
                })
                .collect(),
            ..Default::default()
        };
        assert!(!gentle_on(&s, &couple, d("2026-03-02")).unwrap());
        say_low(
            &s,
            &"ppp2".parse().unwrap(),
            check_until(d("2026-03-02"), None).unwrap(),
        )
        .unwrap();
        assert!(gentle_on(&s, &couple, d("2026-03-02")).unwrap());
        assert!(!gentle_on(&s, &couple, d("2026-03-03")).unwrap());
    }
}
