//! The safety rules every touch step follows, read from the facts a step declares (position,
//! water, heat, cold, products, weight on the chest, genital touch), and the rule that no content
//! gives medication or timing advice. The content tests hold the built-in library to them, and
//! `content/README.md` explains them to contributors.

use super::Step;

/// One rule: when a step has a fact, it needs an adaptation for `condition` whose text mentions
/// one of `words` (any adaptation at all when `words` is empty).
struct Need {
    condition: &'static str,
    words: &'static [&'static str],
}

const fn need(condition: &'static str, words: &'static [&'static str]) -> Need {
    Need { condition, words }
}

/// Lying flat on the back or front: breathing, the heart and healing wounds.
const LYING_FLAT: &[Need] = &[
    need("breathlessness", &[]),
    need("heart", &[]),
    need("post-surgery", &["surgeon", "nurse", "care team"]),
];
/// Weight or an arm on the chest: the breastbone after heart surgery, wounds, breathing.
const CHEST_WEIGHT: &[Need] = &[
    need("heart", &["breastbone"]),
    need("post-surgery", &[]),
    need("breathlessness", &[]),
];
/// Water or warmth: scalds on skin that feels little, heat and MS, hot inflamed joints.
const WATER_OR_HEAT: &[Need] = &[
    need("neuropathy", &["test", "check"]),
    need("diabetes", &["test", "check"]),
    need("multiple-sclerosis", &["heat", "cool"]),
    need("arthritis", &["swollen"]),
];
/// Cold on skin that feels little.
const COLD: &[Need] = &[
    need("neuropathy", &["test", "check"]),
    need("diabetes", &["test", "check"]),
];
/// Products on the skin during treatment.
const PRODUCTS: &[Need] = &[need("cancer-treatment", &["unscented", "care team"])];
/// Genital touch: clearance after treatment or surgery, the stoma, and consent with dementia.
const GENITAL: &[Need] = &[
    need("cancer-treatment", &["care team"]),
    need("post-surgery", &["surgeon", "nurse"]),
    need("ostomy", &["stoma itself"]),
    need("dementia", &["care team"]),
];

/// Everything `step` lacks under the safety rules, as sentences naming the step; empty when it
/// follows them all.
pub fn gaps(step: &Step) -> Vec<String> {
    let mut out = Vec::new();
    if step.positions.is_empty() {
        out.push(format!("{}: says no position", step.id));
    }
    let mut check = |fact: &str, needs: &[Need]| {
        for n in needs {
            match step.adaptation(n.condition) {
                None => out.push(format!(
                    "{}: {fact}, so it needs an adaptation for {}",
                    step.id, n.condition
                )),
                Some(t) => {
                    let t = t.to_lowercase();
                    if !n.words.is_empty() && !n.words.iter().any(|w| t.contains(w)) {
                        out.push(format!(
                            "{}: {fact}, so its {} adaptation must mention {}",
                            step.id,
                            n.condition,
                            n.words.join(" or ")
                        ));
                    }
                }
            }
        }
    };
    if step
        .positions
        .iter()
        .any(|p| *p == "lying-back" || *p == "lying-front")
    {
        check("it asks someone to lie flat", LYING_FLAT);
    }
    if step.chest_weight {
        check("it puts weight on the chest", CHEST_WEIGHT);
    }
    if step.water || step.heat {
        check("it uses water or warmth", WATER_OR_HEAT);
    }
    if step.cold {
        check("it uses cold", COLD);
    }
    if step.products {
        check("it uses products on the skin", PRODUCTS);
    }
    if step.genital() {
        check("it includes genital touch", GENITAL);
    }
    let all = all_text(step).to_lowercase();
    if step.water && step.products && !all.contains("slip") {
        out.push(format!(
            "{}: it uses water and products, so it must warn about slipping",
            step.id
        ));
    }
    if step.products && step.genital() {
        for (words, what) in [
            (&["skin only"][..], "which products are for skin only"),
            (&["latex"][..], "that oils weaken latex condoms"),
        ] {
            if !words.iter().any(|w| all.contains(w)) {
                out.push(format!(
                    "{}: it uses products near the genitals, so it must say {what}",
                    step.id
                ));
            }
        }
    }
    out
}

/// Every text of a step, joined, for rules that may be met anywhere in it.
fn all_text(step: &Step) -> String {
    let mut s = [
        step.title,
        step.how,
        step.giver,
        step.receiver,
        step.notice,
        step.short,
    ]
    .join(" ");
    for (_, t) in step.adapt {
        s.push(' ');
        s.push_str(t);
    }
    s
}

/// Words that give medication or timing advice wherever they appear.
const ADVICE_WORDS: &[&str] = &[
    "painkiller",
    "painkillers",
    "dose",
    "doses",
    "dosage",
    "pill",
    "pills",
    "tablet",
    "tablets",
    "analgesic",
    "analgesics",
];
/// Phrases that give medication or timing advice wherever they appear.
const ADVICE_PHRASES: &[&str] = &[
    "pain relief",
    "take your med",
    "before taking",
    "after taking",
    "medicine you",
    "medication you",
    "medicines you",
    "medications you",
    "before your medic",
    "after your medic",
    "is working well",
];
/// In touch steps, rules and help texts, medicines are not mentioned at all: what to take and
/// when belongs to the couple's clinician.
const STEP_WORDS: &[&str] = &[
    "medicine",
    "medicines",
    "medication",
    "medications",
    "drug",
    "drugs",
    "prescription",
];

fn words(text: &str) -> String {
    let lower = text.to_lowercase();
    let w: Vec<&str> = lower
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .collect();
    format!(" {} ", w.join(" "))
}

/// The medication or timing advice in `text`, if any. `strict` also refuses any mention of
/// medicines (for touch steps and rules, which talk about bodies, not treatment).
pub fn medication_advice(text: &str, strict: bool) -> Option<&'static str> {
    let w = words(text);
    let strict_words: &[&'static str] = if strict { STEP_WORDS } else { &[] };
    ADVICE_WORDS
        .iter()
        .chain(strict_words)
        .find(|x| w.contains(&format!(" {x} ")))
        .or_else(|| ADVICE_PHRASES.iter().find(|x| w.contains(&format!(" {x}"))))
        .copied()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn advice_is_found_by_word_not_inside_other_words() {
        assert_eq!(
            medication_advice("Put a pillow under the knees.", true),
            None
        );
        assert_eq!(medication_advice("Take a pill first.", false), Some("pill"));
        assert_eq!(
            medication_advice("Pick a time when the medicine you take is working.", false),
            Some("medicine you")
        );
        assert_eq!(
            medication_advice("Who keeps track of medications?", false),
            None
        );
        assert_eq!(
            medication_advice("Who keeps track of medications?", true),
            Some("medications")
        );
    }
}
