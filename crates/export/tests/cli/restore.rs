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

/// Restores `who`'s own export, their own boundaries and opt-in included.
fn restore_own(sb: &Sandbox, data: &Path, file: &str, who: &str) -> support::Run {
    sb.run_in(data, EXPORT, &["restore", file, "--as", who, "--yes"])
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
    let r = restore_own(&sb, &fresh, &alex_file, "Alex");
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
    let r = restore_own(&sb, &fresh, &sam_file, "Sam");
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(export_in(&sb, &fresh, "Alex"), alex);
    assert_eq!(export_in(&sb, &fresh, "Sam"), sam);

    // Again, and into the original folder: nothing added, no file changed (the restored
    // folder is encrypted, as a new couple's is: what it holds stays the same).
    for data in [fresh.clone(), sb.data()] {
        let before = tree(&data);
        let exported = [export_in(&sb, &data, "Alex"), export_in(&sb, &data, "Sam")];
        for file in [&alex_file, &sam_file] {
            let r = restore_into(&sb, &data, file);
            assert_eq!(r.code, 0, "{}", r.stderr);
            assert!(!r.stdout.contains(" 1 added"), "{}", r.stdout);
            assert!(r.stderr.contains("restored 0 records"), "{}", r.stderr);
        }
        assert_eq!(
            [export_in(&sb, &data, "Alex"), export_in(&sb, &data, "Sam")],
            exported
        );
        if data == fresh {
            assert!(tree(&data).keys().eq(before.keys()), "a file was added");
        } else {
            assert!(
                tree(&data) == before,
                "a restore changed a file that was there"
            );
        }
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

/// "Here is our backup": an export with boundaries in Sam's name, written by someone else, puts
/// no "yes" in Sam's name. Only Sam, shown what it says and saying yes, records it.
#[test]
fn a_restore_records_only_the_restoring_partners_own_facts_once_shown_and_confirmed() {
    let sb = couple_with_history();
    let sam_id = id_of(&sb, "Sam").to_string();
    let state = sb.data().join(format!("touch/{sam_id}/state.json"));
    let _ = std::fs::remove_file(&state);
    let mut forged = json(&sb, &["--as", "Alex"]);
    forged["as"] = "Sam".into();
    forged["touch"]["mine"] = serde_json::json!({
        "version": 1, "partner": sam_id, "events": [], "help_shown": [], "body": {},
        "boundaries": {"s0-hold-hands": "yes", "s0-sit-close": "yes"},
    });
    let file = save(&sb, "forged.json", &forged.to_string());
    let mine = |sb: &Sandbox| sb.ok(TOUCH, &["mine", "--json", "--as", "Sam"]);
    let before = mine(&sb);
    for who in [None, Some("Alex"), Some("Sam")] {
        let mut args = vec!["restore", file.as_str()];
        args.extend(who.map(|w| ["--as", w]).into_iter().flatten());
        let r = sb.run(EXPORT, &args);
        assert_eq!(r.code, 0, "{who:?}: {r:?}");
        assert_eq!(mine(&sb), before, "{who:?}: recorded in Sam's name unasked");
        assert!(!state.exists(), "{who:?}");
        assert!(
            !r.stdout.contains("touch facts: 1 added"),
            "{who:?}: {}",
            r.stdout
        );
        assert!(
            r.stderr.contains("Sam") && r.stderr.contains("not"),
            "{who:?}: said plainly: {}",
            r.stderr
        );
    }
    // Sam, off a terminal, with --yes: what is recorded is listed first.
    let r = sb.run(EXPORT, &["restore", &file, "--as", "Sam", "--yes"]);
    assert_eq!(r.code, 0, "{r:?}");
    assert!(
        r.stderr.contains("yes: ") && r.stderr.contains("s0-sit-close"),
        "{}",
        r.stderr
    );
    assert!(mine(&sb).contains("s0-sit-close"), "{}", mine(&sb));
}
