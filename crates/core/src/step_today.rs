//! What today's touch step asks of this couple: the adaptations that fit their conditions, what
//! each partner's body map says about the regions it touches, and on a low-energy day an easier
//! step from their plan.

use crate::content::{Library, Step};
use crate::profile::Couple;
use crate::touch::{Mark, Plan, State};
use serde::Serialize;

/// An adaptation of a step for a condition someone in the couple lives with.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Adaptation {
    /// The condition's name.
    pub condition: String,
    /// The names of the partners who live with it, joined with "and".
    #[serde(rename = "for")]
    pub who: String,
    pub text: &'static str,
}

/// A partner's body-map mark on a region the step touches, other than "welcome". (Fields in the
/// order JSON shows them.)
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct BodyNote {
    pub mark: Mark,
    pub note: Option<String>,
    pub partner: String,
    /// The region's name.
    pub region: String,
}

/// The step's adaptations for the conditions the couple lives with, in the step's order.
pub fn adaptations(lib: &Library, couple: &Couple, step: &Step) -> Vec<Adaptation> {
    step.adapt
        .iter()
        .filter_map(|(cond, text)| {
            let who: Vec<&str> = couple
                .partners
                .iter()
                .filter(|p| p.conditions.iter().any(|c| c == cond))
                .map(|p| p.name.as_str())
                .collect();
            (!who.is_empty()).then(|| Adaptation {
                condition: lib
                    .condition(cond)
                    .map_or_else(|| cond.to_string(), |c| c.name.to_owned()),
                who: who.join(" and "),
                text,
            })
        })
        .collect()
}

/// What each partner's body map says about the regions `step` touches: every mark but
/// "welcome", partner by partner. `states` holds one entry per partner, in the couple's order.
pub fn body_notes(lib: &Library, couple: &Couple, states: &[State], step: &Step) -> Vec<BodyNote> {
    let mut v = Vec::new();
    for (p, s) in couple.partners.iter().zip(states) {
        for r in step.regions {
            if let Some(m) = s.body.get(*r).filter(|m| m.mark != Mark::Welcome) {
                v.push(BodyNote {
                    partner: p.name.clone(),
                    region: lib.region_name(r).to_owned(),
                    mark: m.mark,
                    note: m.note.clone(),
                });
            }
        }
    }
    v
}

/// The step before `step` in the couple's plan: an easier one for a low-energy day.
pub fn easier_step<'a>(plan: &Plan<'a>, step: &Step) -> Option<&'a Step> {
    let i = plan.in_plan.iter().position(|s| s.id == step.id)?;
    i.checked_sub(1).map(|i| plan.in_plan[i])
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::profile::Partner;
    use crate::touch::{Answer, BodyMark, derive};
    use chrono::NaiveDate;

    fn couple(alex: &[&str], sam: &[&str]) -> Couple {
        let p = |n: &str, c: &[&str]| Partner {
            version: 1,
            id: format!("id{n}").parse().unwrap(),
            name: n.into(),
            conditions: c.iter().map(|s| s.to_string()).collect(),
            removed_conditions: Vec::new(),
            sexual: false,
            added: NaiveDate::from_ymd_opt(2026, 3, 1).unwrap(),
            extra: Default::default(),
        };
        Couple {
            seed: 1,
            partners: vec![p("alex", alex), p("sam", sam)],
            ..Default::default()
        }
    }

    /// A step with adaptations for at least two conditions, and two of those conditions.
    fn adapted(lib: &Library) -> (&Step, &'static str, &'static str) {
        let s = lib.steps.iter().find(|s| s.adapt.len() >= 2).unwrap();
        (s, s.adapt[0].0, s.adapt[1].0)
    }

    #[test]
    fn adaptations_are_for_the_conditions_the_couple_lives_with_and_name_who() {
        let lib = Library::builtin();
        let (step, c1, c2) = adapted(&lib);
        assert!(adaptations(&lib, &couple(&[], &[]), step).is_empty());
        let a = adaptations(&lib, &couple(&[c1], &[]), step);
        assert_eq!(a.len(), 1);
        assert_eq!(a[0].who, "alex");
        assert_eq!(a[0].text, step.adapt[0].1);
        assert_eq!(a[0].condition, lib.condition(c1).unwrap().name);
        let a = adaptations(&lib, &couple(&[c1, c2], &[c1]), step);
        assert_eq!(a.len(), 2);
        assert_eq!(a[0].who, "alex and sam");
        assert_eq!(a[1].who, "alex");
    }

    #[test]
    fn body_notes_name_only_marks_that_ask_for_care_on_the_regions_touched() {
        let lib = Library::builtin();
        let step = lib.steps.iter().find(|s| s.regions.len() >= 2).unwrap();
        let untouched = lib
            .regions
            .iter()
            .find(|r| !step.regions.contains(&r.id))
            .unwrap()
            .id;
        let c = couple(&[], &[]);
        let mut states: Vec<State> = c.partners.iter().map(|p| State::new(&p.id)).collect();
        let mark = |m, note: Option<&str>| BodyMark {
            mark: m,
            note: note.map(String::from),
            extra: Default::default(),
        };
        states[0]
            .body
            .insert(step.regions[0].into(), mark(Mark::Welcome, None));
        states[0]
            .body
            .insert(untouched.into(), mark(Mark::OffLimits, None));
        assert!(body_notes(&lib, &c, &states, step).is_empty());
        states[1]
            .body
            .insert(step.regions[1].into(), mark(Mark::OffLimits, Some("scar")));
        states[0]
            .body
            .insert(step.regions[0].into(), mark(Mark::AskFirst, None));
        let notes = body_notes(&lib, &c, &states, step);
        assert_eq!(
            notes,
            vec![
                BodyNote {
                    partner: "alex".into(),
                    region: lib.region_name(step.regions[0]).into(),
                    mark: Mark::AskFirst,
                    note: None,
                },
                BodyNote {
                    partner: "sam".into(),
                    region: lib.region_name(step.regions[1]).into(),
                    mark: Mark::OffLimits,
                    note: Some("scar".into()),
                },
            ]
        );
    }

    #[test]
    fn the_easier_step_is_the_one_before_in_the_plan() {
        let lib = Library::builtin();
        let c = couple(&[], &[]);
        let steps: Vec<&Step> = lib.steps.iter().filter(|s| s.stage <= 1).take(3).collect();
        let mut states: Vec<State> = c.partners.iter().map(|p| State::new(&p.id)).collect();
        // The middle step is not in the plan: the easier step skips it.
        for s in [steps[0], steps[2]] {
            for st in &mut states {
                st.boundaries.insert(s.id.into(), Answer::Yes);
            }
        }
        let day = NaiveDate::from_ymd_opt(2026, 3, 2).unwrap();
        let plan = derive(&lib, &c, &states, &[], day);
        assert_eq!(
            easier_step(&plan, steps[2]).map(|s| s.id),
            Some(steps[0].id)
        );
        assert!(easier_step(&plan, steps[0]).is_none());
        assert!(easier_step(&plan, steps[1]).is_none(), "not in the plan");
    }
}
