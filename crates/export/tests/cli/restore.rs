//! `restore`: a JSON export rebuilds the data folder. Both partners' exports restored into an
//! empty folder give back exports identical to the originals; restoring into a folder that has
//! the records changes nothing; format 1 is still read; a redacted export or an ID that would
//! leave the folder is refused with nothing written.

use super::*;
use std::path::Path;

fn save(sb: &Sandbox, name: &str, text: &str) -> String {
    let file = sb.path(name);
    std::fs::write(&file, text).unwrap();
    file.to_str().unwrap().to_owned()
}

fn restore_into(sb: &Sandbox, data: &Path, file: &str) -> support::Run {
    sb.run_in(data, EXPORT, &["restore", file])
}

fn export_in(sb: &Sandbox, data: &Path, who: &str) -> String {
    let r = sb.run_in(data, EXPORT, &["--format", "json", "--as", who]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    r.stdout
}

#[test]
fn both_partners_exports_restore_the_whole_couple_identically() {
    let sb = couple_with_history();
    sb.set_today("2026-04-30");
    sb.ok(PROMPT, &["answer", "a month on, still here", "--as", "Sam"]);
    let alex = export(&sb, &["--format", "json", "--as", "Alex"]);
    let sam = export(&sb, &["--format", "json", "--as", "Sam"]);
    let (alex_file, sam_file) = (save(&sb, "alex.json", &alex), save(&sb, "sam.json", &sam));

    let fresh = sb.path("restored");
    let r = restore_into(&sb, &fresh, &alex_file);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(r.stdout.contains("needs: 3 added"), "{}", r.stdout);
    // Alex's export alone brings back every record Alex could see.
    let again: Value = serde_json::from_str(&export_in(&sb, &fresh, "Alex")).unwrap();
    let first: Value = serde_json::from_str(&alex).unwrap();
    for key in ["partners", "needs", "seed"] {
        assert_eq!(again[key], first[key], "{key}");
    }
    // Sam's answers to days Alex has not answered are sealed in Alex's export: Sam's brings them.
    let readable = |v: &Value| -> Vec<Value> {
        v["answers"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|a| a.get("sealed").is_none())
            .cloned()
            .collect()
    };
    assert_eq!(readable(&again), readable(&first), "answers");
    assert!(
        again["answers"].as_array().unwrap().len() < first["answers"].as_array().unwrap().len()
    );
    for key in ["holds", "sessions", "debriefs", "mine"] {
        assert_eq!(again["touch"][key], first["touch"][key], "touch.{key}");
    }
    let r = restore_into(&sb, &fresh, &sam_file);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(export_in(&sb, &fresh, "Alex"), alex);
    assert_eq!(export_in(&sb, &fresh, "Sam"), sam);

    // Again, and into the original folder: nothing added, no file changed.
    for data in [fresh.clone(), sb.data()] {
        let before = tree(&data);
        for file in [&alex_file, &sam_file] {
            let r = restore_into(&sb, &data, file);
            assert_eq!(r.code, 0, "{}", r.stderr);
            assert!(!r.stdout.contains(" 1 added"), "{}", r.stdout);
            assert!(r.stderr.contains("restored 0 records"), "{}", r.stderr);
        }
        assert!(
            tree(&data) == before,
            "a restore changed a file that was there"
        );
    }
}

#[test]
fn a_folder_missing_some_records_gets_them_back_and_keeps_its_own() {
    let sb = couple_with_history();
    let alex = export(&sb, &["--format", "json", "--as", "Alex"]);
    let file = save(&sb, "alex.json", &alex);
    let doc: Value = serde_json::from_str(&alex).unwrap();
    let need = doc["needs"][0]["id"].as_str().unwrap();
    let path = sb.data().join(format!("needs/{need}.json"));
    std::fs::remove_file(&path).unwrap();
    // A need added since the export stays as it is.
    sb.ok(
        NEEDS,
        &["add", "A new need since the backup", "--as", "Sam"],
    );
    let r = restore_into(&sb, &sb.data(), &file);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(
        r.stdout.contains("needs: 1 added, 2 already there"),
        "{}",
        r.stdout
    );
    assert!(path.exists());
    let now = json(&sb, &["--as", "Sam"]);
    assert_eq!(now["needs"].as_array().unwrap().len(), 3, "{now:#}");
}

#[test]
fn format_1_is_read_and_redacted_or_hostile_exports_are_refused() {
    let sb = couple_with_history();
    let mut doc = json(&sb, &["--as", "Alex"]);
    let o = doc.as_object_mut().unwrap();
    o.insert("schema".into(), "closer-export/1".into());
    o.remove("seed");
    o.remove("redacted");
    let file = save(&sb, "v1.json", &doc.to_string());
    let fresh = sb.path("from-v1");
    let r = restore_into(&sb, &fresh, &file);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(
        json(&sb, &["--as", "Alex"])["needs"],
        serde_json::from_str::<Value>(&export_in(&sb, &fresh, "Alex")).unwrap()["needs"]
    );

    let redacted = export(&sb, &["--format", "json", "--redact-names", "--as", "Alex"]);
    let file = save(&sb, "redacted.json", &redacted);
    let empty = sb.path("empty");
    let r = restore_into(&sb, &empty, &file);
    assert_eq!(r.code, 1, "{}", r.stderr);
    assert!(r.stderr.contains("--redact-names"), "{}", r.stderr);

    let mut hostile = json(&sb, &["--as", "Alex"]);
    hostile["needs"][0]["id"] = "../../escaped".into();
    let file = save(&sb, "hostile.json", &hostile.to_string());
    let r = restore_into(&sb, &empty, &file);
    assert_eq!(r.code, 1, "{}", r.stderr);
    assert!(!sb.path("escaped.json").exists());
    assert!(
        tree(&empty).keys().all(|k| !k.starts_with("needs/")),
        "{:?}",
        tree(&empty).keys()
    );
}
