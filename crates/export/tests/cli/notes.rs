//! Notes folders for Obsidian and Joplin: front matter on every note, and re-runs that update
//! closer's own notes and leave everything else alone.

use super::*;
use std::collections::BTreeSet;
use std::path::Path;

/// The front matter of a note, parsed, and the body after it.
fn split(note: &str, what: &str) -> (serde_norway::Mapping, String) {
    let rest = note
        .strip_prefix("---\n")
        .unwrap_or_else(|| panic!("{what} does not start with front matter"));
    let end = rest
        .find("\n---\n")
        .unwrap_or_else(|| panic!("{what}: front matter never ends"));
    let yaml: serde_norway::Value = serde_norway::from_str(&rest[..end + 1])
        .unwrap_or_else(|e| panic!("{what}: front matter is not YAML: {e}"));
    let map = yaml
        .as_mapping()
        .cloned()
        .expect("front matter is a mapping");
    (map, rest[end + 5..].to_owned())
}

fn field<'a>(m: &'a serde_norway::Mapping, k: &str) -> &'a serde_norway::Value {
    m.get(k).unwrap_or_else(|| panic!("no {k}"))
}

/// Checks every note's front matter; returns each note's closer_id and title by path.
fn check_notes(dir: &Path, layout: &str) -> Vec<(String, String, String)> {
    let mut seen = Vec::new();
    for (path, bytes) in tree(dir) {
        if path.ends_with('/') {
            continue;
        }
        let text = String::from_utf8(bytes).unwrap();
        let (m, body) = split(&text, &path);
        let title = field(&m, "title").as_str().expect("title is a string");
        let tags = field(&m, "tags").as_sequence().expect("tags is a list");
        assert!(
            tags.iter().all(|t| t.as_str().is_some()),
            "{path}: {tags:?}"
        );
        assert!(tags.iter().any(|t| t.as_str() == Some("closer")));
        let id = field(&m, "closer_id")
            .as_str()
            .expect("closer_id is a string");
        match layout {
            "obsidian" => {
                assert!(
                    m.contains_key("date") && m.contains_key("aliases"),
                    "{path}"
                )
            }
            _ => assert!(
                m.contains_key("created") && m.contains_key("updated"),
                "{path}"
            ),
        }
        assert!(
            !body.lines().any(|l| l == "---"),
            "{path}: a rule in the body"
        );
        seen.push((path, id.to_owned(), title.to_owned()));
    }
    seen
}

#[test]
fn every_note_has_front_matter_with_title_tags_and_id() {
    let sb = couple_with_history();
    let doc = json(&sb, &["--as", "Alex"]);
    for layout in ["obsidian", "joplin"] {
        let dir = sb.path(layout);
        let r = sb.run(
            EXPORT,
            &[
                "--to-dir",
                dir.to_str().unwrap(),
                "--layout",
                layout,
                "--as",
                "Alex",
            ],
        );
        r.ok();
        assert_eq!(r.stdout, "");
        let notes = check_notes(&dir, layout);
        let ids: BTreeSet<&str> = notes.iter().map(|n| n.1.as_str()).collect();
        assert_eq!(ids.len(), notes.len(), "closer_id repeats");
        // One note per need and one per day with answers or sessions.
        let needs = doc["needs"].as_array().unwrap();
        for n in needs {
            let path = format!("needs/{}.md", n["id"].as_str().unwrap());
            let note = notes
                .iter()
                .find(|x| x.0 == path)
                .unwrap_or_else(|| panic!("no {path}"));
            assert_eq!(note.2, n["text"].as_str().unwrap());
        }
        let days: Vec<&str> = notes
            .iter()
            .filter(|n| n.0.starts_with("days/"))
            .map(|n| n.0.as_str())
            .collect();
        assert_eq!(
            days,
            [
                "days/2026-03-02.md",
                "days/2026-03-03.md",
                "days/2026-03-04.md"
            ]
        );
        assert_eq!(notes.len(), needs.len() + 3);
    }
}

#[test]
fn re_running_updates_its_own_notes_and_nothing_else() {
    let sb = couple_with_history();
    let dir = sb.path("vault");
    let d = dir.to_str().unwrap();
    let first = sb.run(EXPORT, &["--to-dir", d, "--as", "Sam"]);
    first.ok();
    let before = tree(&dir);

    // Someone's own files: one where closer will want to write, one beside its notes.
    sb.set_today("2026-03-05");
    let foreign = "---\ntitle: my own note\n---\nNot closer's.\n";
    std::fs::write(dir.join("days/2026-03-05.md"), foreign).unwrap();
    std::fs::write(dir.join("needs/ideas.md"), "mine\n").unwrap();
    sb.ok(
        PROMPT,
        &["answer", "a new answer on a new day", "--as", "Sam"],
    );
    let sams = json(&sb, &["--as", "Sam", "--only", "needs"]);
    let ask = sams["needs"]
        .as_array()
        .unwrap()
        .iter()
        .find(|n| n["text"] == "Ask before you help me")
        .unwrap()["id"]
        .as_str()
        .unwrap()
        .to_owned();
    sb.ok(
        NEEDS,
        &[
            "agree",
            &ask,
            "--plan",
            "Alex asks first, every time",
            "--as",
            "Sam",
        ],
    );
    sb.ok(NEEDS, &["accept", &ask, "--as", "Alex"]);
    // A need removed from the data keeps its note: export never deletes.
    let buttons = sams["needs"]
        .as_array()
        .unwrap()
        .iter()
        .find(|n| n["text"] == "Help with buttons on stiff mornings")
        .unwrap()["id"]
        .as_str()
        .unwrap()
        .to_owned();
    sb.ok(NEEDS, &["rm", &buttons, "--yes", "--as", "Alex"]);

    let again = sb.run(EXPORT, &["--to-dir", d, "--as", "Sam"]);
    again.ok();
    assert!(
        again.stderr.contains("left") && again.stderr.contains("2026-03-05.md"),
        "{}",
        again.stderr
    );
    let after = tree(&dir);
    for path in before.keys() {
        assert!(after.contains_key(path), "{path} was deleted");
    }
    assert_eq!(
        std::fs::read_to_string(dir.join("days/2026-03-05.md")).unwrap(),
        foreign
    );
    assert_eq!(
        std::fs::read_to_string(dir.join("needs/ideas.md")).unwrap(),
        "mine\n"
    );
    let ask_note = std::fs::read_to_string(dir.join(format!("needs/{ask}.md"))).unwrap();
    assert!(
        ask_note.contains("Alex asks first, every time"),
        "{ask_note}"
    );
    assert_ne!(before[&format!("needs/{ask}.md")], ask_note.as_bytes());
    assert_eq!(
        after[&format!("needs/{buttons}.md")],
        before[&format!("needs/{buttons}.md")]
    );
    // Running it once more changes nothing at all.
    sb.ok(EXPORT, &["--to-dir", d, "--as", "Sam"]);
    assert_eq!(tree(&dir), after);
}
