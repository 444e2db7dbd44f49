//! Whatever a partner typed stays inert text in every format: CSV, Markdown, notes, org, jrnl
//! and JSON.

use super::*;
use closer_cli::output::clean;
use closer_core::needs::{self, Importance, Need, Status};

/// A couple whose records hold text that would be live in a spreadsheet, a notes app, org,
/// a journal or a terminal. The need arrives as a synced file (the tools would refuse the
/// escape sequence), and so does the answer; the note is typed.
pub(crate) fn hostile_couple() -> (Sandbox, String) {
    let sb = Sandbox::new();
    sb.ok(NEEDS, &["couple", "add", "Alex"]);
    sb.ok(NEEDS, &["couple", "add", "Sam"]);
    sb.ok(NEEDS, &["couple", "decrypt", "--yes", "--as", "Alex"]);
    let store = Store::new(sb.data());
    let alex = id_of(&sb, "Alex");
    let day = chrono::NaiveDate::from_ymd_opt(2026, 3, 2).unwrap();
    let need = needs::add(
        &store,
        Need {
            extra: Default::default(),
            version: 0,
            id: closer_core::ids::new_id(),
            owner: alex,
            text: HOSTILE.into(),
            category: "other".into(),
            condition: None,
            importance: Importance::Low,
            status: Status::Open,
            plan: None,
            helper: None,
            review: None,
            private: false,
            created: day,
            history: Vec::new(),
            proposal: None,
        },
        chrono::Utc::now(),
    )
    .unwrap();
    sb.ok(
        NEEDS,
        &[
            "agree",
            &need.id,
            "--plan",
            "+1 for asking\n---\n@everyone",
            "--as",
            "Alex",
        ],
    );
    sb.ok(NEEDS, &["accept", &need.id, "--as", "Sam"]);
    // The tools refuse escape sequences in a typed answer too: it arrives as a synced file.
    sb.ok(PROMPT, &["answer", "typed answer", "--as", "Sam"]);
    let answers = sb
        .data()
        .join(format!("answers/{}/2026.json", id_of(&sb, "Sam")));
    let typed = std::fs::read_to_string(&answers).unwrap();
    let synced = typed.replace("\"typed answer\"", &serde_json::to_string(HOSTILE).unwrap());
    assert_ne!(typed, synced);
    std::fs::write(&answers, synced).unwrap();
    sb.ok(TOUCH, &["boundary", "s0-sit-close", "yes", "--as", "Alex"]);
    sb.ok(TOUCH, &["boundary", "s0-sit-close", "yes", "--as", "Sam"]);
    sb.ok(
        TOUCH,
        &[
            "log",
            "--note=-2 degrees outside\n* not a heading\n[[link]]",
            "--as",
            "Sam",
        ],
    );
    sb.ok(
        TOUCH,
        &[
            "debrief",
            "--noticed",
            "@SUM(1+1)\n#+TITLE: no",
            "--as",
            "Alex",
        ],
    );
    (sb, need.id.to_string())
}

#[test]
fn what_a_partner_typed_stays_text_in_every_format() {
    let (sb, need_id) = hostile_couple();
    let all = every_format(&sb, Some("Sam"));
    assert_eq!(all.len(), 7 + 2 * 2);
    for (what, text) in &all {
        assert!(
            !text.contains('\u{1b}'),
            "{what} holds a raw escape:\n{text}"
        );
        assert!(!text.contains('\u{9b}'), "{what} holds a raw CSI");
    }
    let get = |name: &str| &all.iter().find(|(w, _)| w.contains(name)).unwrap().1;

    // CSV: RFC 4180, and no cell a spreadsheet would run.
    let cleaned = clean(HOSTILE, true);
    for kind in ["needs", "touch", "prompts"] {
        let text = get(&format!("--only {kind}"));
        let mut rdr = csv::ReaderBuilder::new().from_reader(text.as_bytes());
        let header = rdr.headers().unwrap().clone();
        let mut rows = 0;
        for rec in rdr.records() {
            let rec = rec.unwrap_or_else(|e| panic!("{kind} CSV is not RFC 4180: {e}\n{text}"));
            assert_eq!(rec.len(), header.len());
            for cell in &rec {
                assert!(
                    !cell.starts_with(['=', '+', '-', '@', '\t', '\r']),
                    "{kind} CSV cell would run: {cell:?}"
                );
            }
            rows += 1;
        }
        assert!(rows > 0, "{kind} CSV is empty");
        assert!(text.ends_with("\r\n"));
    }
    let needs_csv = get("--only needs");
    let mut rdr = csv::Reader::from_reader(needs_csv.as_bytes());
    let row = rdr
        .records()
        .map(Result::unwrap)
        .find(|r| &r[0] == need_id.as_str())
        .unwrap();
    assert_eq!(&row[2], format!("'{cleaned}"));
    assert_eq!(&row[7], "'+1 for asking\n---\n@everyone");

    // Markdown, standalone and in notes: no live link, HTML, rule, heading or list.
    let mut markdowns: Vec<(&str, &str)> = vec![("markdown", get("--format markdown"))];
    for (what, text) in &all {
        if what.starts_with("obsidian") || what.starts_with("joplin") {
            let rest = text.strip_prefix("---\n").expect("front matter");
            let end = rest.find("\n---\n").expect("end of front matter");
            let yaml: serde_norway::Value =
                serde_norway::from_str(&rest[..end + 1]).unwrap_or_else(|e| panic!("{what}: {e}"));
            let title = yaml["title"].as_str().unwrap();
            assert!(!title.chars().any(char::is_control), "{what}: {title:?}");
            markdowns.push((what, &rest[end + 5..]));
        }
    }
    for (what, md) in markdowns {
        assert!(!md.contains("[["), "{what}: a live wiki link\n{md}");
        assert!(!md.contains("<script>"), "{what}: live HTML\n{md}");
        for line in md.lines() {
            assert_ne!(line.trim(), "---", "{what}: a rule or front matter\n{md}");
            let t = line.trim_start();
            for start in ["# fake", "* fake", "* not", "=HYPER", "#+", "-2 degrees"] {
                assert!(
                    !t.starts_with(start),
                    "{what}: markup from user text: {line}"
                );
            }
        }
        assert!(md.contains("HYPERLINK"), "{what} lost the text");
    }

    // Org: every headline and keyword is the export's own.
    let org = get("--format org");
    for line in org.lines() {
        if line.starts_with('*') {
            assert!(
                line.starts_with("** ")
                    || ["* Needs", "* Touch plan", "* Touch sessions", "* Prompts"].contains(&line),
                "a headline from user text: {line}"
            );
        }
        if line.starts_with("#+") {
            assert!(
                line.starts_with("#+TITLE: closer export")
                    || line.starts_with("#+DATE: ")
                    || line.starts_with("#+OPTIONS: "),
                "{line}"
            );
        }
    }
    assert!(org.contains("not a heading") && org.contains("fake heading"));

    // jrnl: only the export's own entry lines start with a date in brackets.
    let jrnl = get("--format jrnl");
    let heads = jrnl
        .lines()
        .filter(|l| l.starts_with('[') && l.get(11..12) == Some(" ") && l.get(17..19) == Some("] "))
        .count();
    assert_eq!(
        heads, 3,
        "one need, one session, one day of answers:\n{jrnl}"
    );
    assert!(jrnl.contains("not an entry"));

    // JSON keeps every character, escaped.
    let doc: Value = serde_json::from_str(get("--format json")).unwrap();
    assert_eq!(doc["needs"][0]["text"], HOSTILE);
    assert_eq!(doc["answers"][0]["text"], HOSTILE);
}
