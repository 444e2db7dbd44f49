//! The Markdown export read by a CommonMark parser: a partner's line breaks stay line breaks,
//! entities and web addresses read as typed, and fields from hand-edited files (names,
//! categories, conditions, IDs) form no heading, entry or broken code span.

use super::*;
use closer_core::need_rules::Helper;
use closer_core::needs::{self, Importance, Need, Status};
use pulldown_cmark::{Event, Parser, Tag, TagEnd};

/// The text a reader sees: text, code and line breaks, in order, and every heading's text.
fn read(md: &str) -> (String, Vec<String>) {
    let (mut text, mut headings) = (String::new(), Vec::new());
    let mut in_heading = None::<String>;
    for e in Parser::new(md) {
        match e {
            Event::Start(Tag::Heading { .. }) => in_heading = Some(String::new()),
            Event::End(TagEnd::Heading(_)) => headings.extend(in_heading.take()),
            Event::Text(t) | Event::Code(t) => {
                text.push_str(&t);
                if let Some(h) = &mut in_heading {
                    h.push_str(&t);
                }
            }
            Event::HardBreak => text.push('\n'),
            Event::SoftBreak => text.push(' '),
            _ => {}
        }
    }
    (text, headings)
}

#[test]
fn line_breaks_entities_and_web_addresses_read_as_typed() {
    let sb = couple_with_history();
    sb.ok_stdin(
        PROMPT,
        // The day Sam answered, so that Alex reads Sam's answer too.
        &["answer", "-", "--date", "2026-03-03", "--as", "Alex"],
        "1. first thing\n2. second thing\nAT&amp;T, see https://example.org/a_b_c.\n\nnew paragraph",
    );
    let md = export(&sb, &["--as", "Alex"]);
    let (text, _) = read(&md);
    assert!(text.contains("tea in bed\nand the radio on"), "{md}");
    assert!(
        text.contains("1. first thing\n2. second thing\nAT&amp;T, see https://example.org/a_b_c."),
        "{text}\n{md}"
    );
    assert!(md.contains("<https://example.org/a_b_c>"), "{md}");
    assert!(text.contains("new paragraph"));
}

#[test]
fn fields_from_hand_edited_files_stay_text() {
    let sb = Sandbox::new();
    sb.ok(NEEDS, &["couple", "add", "Alex"]);
    sb.ok(NEEDS, &["couple", "add", "Sam"]);
    sb.ok(NEEDS, &["couple", "decrypt", "--yes", "--as", "Alex"]);
    let store = Store::new(sb.data());
    let (alex, sam) = (id_of(&sb, "Alex"), id_of(&sb, "Sam"));
    let need = needs::add(
        &store,
        Need {
            extra: Default::default(),
            version: 0,
            id: closer_core::ids::new_id(),
            owner: sam.clone(),
            text: "A need that ends with a star *".into(),
            category: "other\n# forged heading".into(),
            condition: Some("`c`\n---\n[2026-01-01 10:00] forged entry".into()),
            importance: Importance::Low,
            status: Status::Open,
            plan: None,
            helper: Some(Helper::Partner(alex.to_string())),
            review: None,
            private: false,
            created: chrono::NaiveDate::from_ymd_opt(2026, 3, 2).unwrap(),
            history: Vec::new(),
            proposal: None,
        },
        chrono::Utc::now(),
    )
    .unwrap();
    // A second need whose ID holds a backtick, as a synced file could carry it.
    let file = sb.data().join(format!("needs/{}.json", need.id));
    let odd = std::fs::read_to_string(&file)
        .unwrap()
        .replace(need.id.as_str(), "abcd`efgh");
    std::fs::write(sb.data().join("needs/abcdefgh.json"), odd).unwrap();
    // Sam's name with line breaks, as a hand-edited partner file could carry it.
    let file = sb.data().join(format!("partners/{sam}.json"));
    let text = std::fs::read_to_string(&file).unwrap();
    let forged = text.replace(
        "\"Sam\"",
        "\"Sam\\n[2026-01-01 10:00] forged entry *\\n# forged heading\"",
    );
    assert_ne!(text, forged);
    std::fs::write(&file, forged).unwrap();

    let md = export(&sb, &["--as", "Alex"]);
    let (text, headings) = read(&md);
    assert!(
        headings.iter().all(|h| !h.contains("forged")),
        "{headings:?}\n{md}"
    );
    if md.contains("abcd") {
        assert!(text.contains("abcd`efgh"), "a broken code span:\n{md}");
    }
    for l in md.lines() {
        assert!(!l.starts_with("[2026-01-01"), "{md}");
    }

    let jrnl = export(&sb, &["--format", "jrnl", "--as", "Alex"]);
    let heads: Vec<&str> = jrnl
        .lines()
        .filter(|l| l.starts_with('[') && l.get(17..19) == Some("] "))
        .collect();
    assert!(
        heads.iter().all(|h| h.contains("Need: A need that ends")),
        "{jrnl}"
    );
    for h in heads {
        assert!(!h.trim_end().ends_with('*'), "jrnl would star it: {h}");
    }
}
