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
        // Folders, and the manifest closer keeps of its notes.
        if path.ends_with('/') || path == ".closer-notes.json" {
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
    // A need removed from the data loses its note.
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
    let gone = format!("needs/{buttons}.md");
    for path in before.keys() {
        assert_eq!(after.contains_key(path), *path != gone, "{path}");
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
    // Running it once more changes nothing at all.
    sb.ok(EXPORT, &["--to-dir", d, "--as", "Sam"]);
    assert_eq!(tree(&dir), after);
}

/// The note of the need `text` in Sam's export, and the need's ID.
fn need_note(sb: &Sandbox, dir: &Path, text: &str) -> (String, std::path::PathBuf) {
    let doc = json(sb, &["--as", "Sam", "--only", "needs"]);
    let id = doc["needs"]
        .as_array()
        .unwrap()
        .iter()
        .find(|n| n["text"] == text)
        .unwrap()["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let path = dir.join(format!("needs/{id}.md"));
    (id, path)
}

#[test]
fn edited_notes_are_left_alone_renamed_ones_followed_and_the_folder_is_one_partners() {
    let sb = couple_with_history();
    let dir = sb.path("vault");
    let d = dir.to_str().unwrap();
    sb.ok(EXPORT, &["--to-dir", d, "--as", "Sam"]);
    let (ask, ask_path) = need_note(&sb, &dir, "Ask before you help me");
    let (buttons, buttons_path) = need_note(&sb, &dir, "Help with buttons on stiff mornings");

    // The user edits one note and renames another; both needs change.
    let edited = std::fs::read_to_string(&ask_path).unwrap() + "\nMy own thoughts.\n";
    std::fs::write(&ask_path, &edited).unwrap();
    let renamed = dir.join("needs/Buttons.md");
    std::fs::rename(&buttons_path, &renamed).unwrap();
    for id in [&ask, &buttons] {
        sb.ok(NEEDS, &["comment", id, "a new thought", "--as", "Sam"]);
    }
    let r = sb.run(EXPORT, &["--to-dir", d, "--as", "Sam"]);
    r.ok();
    assert!(
        r.stderr
            .contains(&format!("left {} alone", ask_path.display())),
        "{}",
        r.stderr
    );
    assert_eq!(std::fs::read_to_string(&ask_path).unwrap(), edited);
    assert!(
        !buttons_path.exists(),
        "the renamed note came back as a duplicate"
    );
    assert!(
        std::fs::read_to_string(&renamed)
            .unwrap()
            .contains("a new thought")
    );

    // A closer_id that cannot be read is reported, every time.
    let broken = std::fs::read_to_string(&renamed).unwrap().replace(
        &format!("closer_id: \"need-{buttons}\""),
        &format!("closer_id: \"need-{buttons}"),
    );
    std::fs::write(&renamed, &broken).unwrap();
    let r = sb.run(EXPORT, &["--to-dir", d, "--as", "Sam"]);
    r.ok();
    assert!(r.stderr.contains("cannot be read"), "{}", r.stderr);

    // Alex may not export into Sam's folder.
    let r = sb.run(EXPORT, &["--to-dir", d, "--as", "Alex"]);
    assert_eq!(r.code, 1, "{}", r.stderr);
    assert!(r.stderr.contains("another partner's notes"), "{}", r.stderr);
    assert!(
        tree(&dir)
            .values()
            .all(|b| !String::from_utf8_lossy(b).contains(PRIVATE_NEED))
    );
}

#[test]
fn a_need_made_private_loses_its_note_in_the_other_partners_folder() {
    let sb = couple_with_history();
    let dir = sb.path("vault");
    let d = dir.to_str().unwrap();
    let mine = sb.ok(NEEDS, &["add", "Time alone on Sundays", "--as", "Alex"]);
    sb.ok(EXPORT, &["--to-dir", d, "--as", "Sam"]);
    let note = dir.join(format!("needs/{}.md", mine.trim()));
    assert!(note.exists());
    // Made private on Alex's device (no command does that; the synced file says so).
    let file = sb.data().join(format!("needs/{}.json", mine.trim()));
    let text = std::fs::read_to_string(&file).unwrap();
    let private = text.replace("\"private\": false", "\"private\": true");
    assert_ne!(text, private);
    std::fs::write(&file, private).unwrap();
    sb.ok(EXPORT, &["--to-dir", d, "--as", "Sam"]);
    assert!(
        !note.exists(),
        "a need now private to Alex is still in Sam's folder"
    );
}
