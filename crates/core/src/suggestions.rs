//! Which need suggestions fit whom: for each condition the couple lives with, what the partner
//! living with it may need and what the partner supporting may need, then the needs of carers and
//! of anyone.

use crate::content::{Library, NeedSuggestion, Role};
use crate::profile::Couple;

/// The suggestions for a couple, or for one `condition` when given. With `me` (a partner ID),
/// only what fits their side: ideas for living with a condition they have, ideas for supporting
/// one they do not. Condition-specific ideas come first, supporting ones after the others.
pub fn fitting<'a>(
    lib: &'a Library,
    couple: &Couple,
    condition: Option<&str>,
    me: Option<&str>,
) -> Vec<&'a NeedSuggestion> {
    let conditions: Vec<&str> = match condition {
        Some(c) => vec![c],
        None => couple.conditions(),
    };
    let has = |who: &str, c: &str| {
        couple
            .by_id(who)
            .is_some_and(|p| p.conditions.iter().any(|x| x == c))
    };
    let fits = |s: &NeedSuggestion| {
        if s.conditions.is_empty() {
            return condition.is_none();
        }
        s.conditions.iter().any(|c| conditions.contains(c))
            && match (me, s.role) {
                (None, _) | (_, Role::Either) => true,
                (Some(m), Role::LivingWith) => {
                    s.conditions.iter().any(|c| has(m, c)) || condition.is_some()
                }
                (Some(m), Role::Supporting) => s.conditions.iter().any(|c| !has(m, c)),
            }
    };
    let mut v: Vec<&NeedSuggestion> = lib.needs.iter().filter(|s| fits(s)).collect();
    v.sort_by_key(|s| (s.conditions.is_empty(), s.role == Role::Supporting));
    v
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::profile::Partner;
    use chrono::NaiveDate;

    fn couple(alex: &[&str]) -> Couple {
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
            partners: vec![p("alex", alex), p("sam", &[])],
            ..Default::default()
        }
    }

    /// A condition with suggestions for both sides.
    fn condition(lib: &Library) -> &'static str {
        lib.conditions
            .iter()
            .map(|c| c.id)
            .find(|c| {
                let of = |r: Role| {
                    lib.needs
                        .iter()
                        .any(|s| s.role == r && s.conditions.contains(c))
                };
                of(Role::LivingWith) && of(Role::Supporting)
            })
            .unwrap()
    }

    fn roles(v: &[&NeedSuggestion], c: &str) -> Vec<Role> {
        v.iter()
            .filter(|s| s.conditions.contains(&c))
            .map(|s| s.role)
            .collect()
    }

    #[test]
    fn each_partner_gets_the_ideas_for_their_side_of_a_condition() {
        let lib = Library::builtin();
        let c = condition(&lib);
        let couple = couple(&[c]);
        let both = fitting(&lib, &couple, None, None);
        let alex = fitting(&lib, &couple, None, Some("idalex"));
        let sam = fitting(&lib, &couple, None, Some("idsam"));
        assert!(roles(&both, c).contains(&Role::LivingWith));
        assert!(roles(&both, c).contains(&Role::Supporting));
        assert!(roles(&alex, c).contains(&Role::LivingWith));
        assert!(
            !roles(&alex, c).contains(&Role::Supporting),
            "alex lives with it"
        );
        assert!(roles(&sam, c).contains(&Role::Supporting));
        assert!(!roles(&sam, c).contains(&Role::LivingWith), "sam supports");
        // Ideas for anyone come after the condition's own ideas.
        let general = both.iter().position(|s| s.conditions.is_empty()).unwrap();
        assert!(both[general..].iter().all(|s| s.conditions.is_empty()));
    }

    #[test]
    fn a_named_condition_gives_only_its_ideas_and_no_conditions_only_general_ones() {
        let lib = Library::builtin();
        let c = condition(&lib);
        let v = fitting(&lib, &couple(&[]), Some(c), Some("idsam"));
        assert!(!v.is_empty());
        assert!(v.iter().all(|s| s.conditions.contains(&c)));
        // Asking for a condition nobody has still shows what living with it may need.
        assert!(roles(&v, c).contains(&Role::LivingWith));
        let none = fitting(&lib, &couple(&[]), None, None);
        assert!(!none.is_empty());
        assert!(none.iter().all(|s| s.conditions.is_empty()));
    }
}
