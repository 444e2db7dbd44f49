//! `restore`: a JSON export rebuilds the data folder. Both partners' exports, each restored by
//! its partner into an empty folder, give back exports identical to the originals; a record in
//! a partner's name is restored only by that partner; restoring into a folder that has
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
    assert!(r.stdout.contains("needs: 2 added"), "{}", r.stdout);
    // Alex's export brings back the couple and every record in Alex's name; Sam's are named
    // and left for Sam's own export.
    assert!(
        r.stderr.contains("1 need in Sam's name not restored"),
        "{}",
        r.stderr
    );
    let again: Value = serde_json::from_str(&export_in(&sb, &fresh, "Alex")).unwrap();
    let first: Value = serde_json::from_str(&alex).unwrap();
    let alex_id = id_of(&sb, "Alex").to_string();
    let alexs = |v: &Value, key: &str, who: &str| -> Vec<Value> {
        (v[key].as_array().unwrap().iter())
            .filter(|x| x[who] == alex_id.as_str())
            .cloned()
            .collect()
    };
    for key in ["partners", "seed"] {
        assert_eq!(again[key], first[key], "{key}");
    }
    assert_eq!(
        alexs(&again, "needs", "owner"),
        alexs(&first, "needs", "owner")
    );
    assert_eq!(
        alexs(&again, "answers", "partner"),
        alexs(&first, "answers", "partner")
    );
    assert_eq!(
        alexs(&again, "needs", "owner").len(),
        again["needs"].as_array().unwrap().len()
    );
    for key in ["holds", "mine"] {
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
    let alex_id = id_of(&sb, "Alex").to_string();
    let need = (doc["needs"].as_array().unwrap().iter())
        .find(|n| n["owner"] == alex_id.as_str())
        .unwrap()["id"]
        .as_str()
        .unwrap();
    let path = sb.data().join(format!("needs/{need}.json"));
    std::fs::remove_file(&path).unwrap();
    // A need added since the export stays as it is.
    sb.ok(
        NEEDS,
        &["add", "A new need since the backup", "--as", "Sam"],
    );
    let r = sb.run(EXPORT, &["restore", &file, "--as", "Alex"]);
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
    let r = sb.run_in(&fresh, EXPORT, &["restore", &file, "--as", "Alex"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let alex_id = id_of(&sb, "Alex").to_string();
    let alexs = |v: Value| -> Vec<Value> {
        (v["needs"].as_array().unwrap().iter())
            .filter(|n| n["owner"] == alex_id.as_str())
            .cloned()
            .collect()
    };
    assert_eq!(
        alexs(json(&sb, &["--as", "Alex"])),
        alexs(serde_json::from_str::<Value>(&export_in(&sb, &fresh, "Alex")).unwrap())
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

/// An export is a file anyone could have written: restored, it adds records in a partner's name
/// (a need of theirs, an answer, a session, a debrief, a hold they set) only when that partner
/// restores it; every other is named and left out.
#[test]
fn a_forged_export_adds_no_record_in_the_other_partners_name() {
    let sb = couple_with_history();
    let sam_id = id_of(&sb, "Sam").to_string();
    let mut forged = json(&sb, &["--as", "Alex"]);
    let mut need = forged["needs"][0].clone();
    need["id"] = "f0r9ed0000000001".into();
    need["owner"] = sam_id.clone().into();
    need["text"] = "Never ask me first".into();
    forged["needs"].as_array_mut().unwrap().push(need);
    let mut answer = forged["answers"][0].clone();
    answer["partner"] = sam_id.clone().into();
    answer["date"] = "2026-02-01".into();
    answer["text"] = "Forged words".into();
    forged["answers"].as_array_mut().unwrap().push(answer);
    let touch = &mut forged["touch"];
    let mut session = touch["sessions"][0].clone();
    session["partner"] = sam_id.clone().into();
    session["id"] = "f0r9ed0000000002".into();
    session["note"] = "Forged session".into();
    touch["sessions"].as_array_mut().unwrap().push(session);
    let mut debrief = touch["debriefs"][0].clone();
    debrief["partner"] = sam_id.clone().into();
    debrief["session"] = "f0r9ed0000000002".into();
    debrief["noticed"] = "Forged debrief".into();
    touch["debriefs"].as_array_mut().unwrap().push(debrief);
    let mut hold = touch["holds"][0].clone();
    hold["id"] = "f0r9ed0000000003".into();
    hold["by"] = sam_id.clone().into();
    hold["reason"] = "Forged hold".into();
    touch["holds"].as_array_mut().unwrap().push(hold);
    let file = save(&sb, "forged.json", &forged.to_string());
    let seen = |sb: &Sandbox| {
        [
            export(sb, &["--format", "json", "--as", "Sam"]),
            export(sb, &["--format", "json", "--as", "Alex"]),
        ]
        .concat()
    };
    for who in [None, Some("Alex")] {
        let mut args = vec!["restore", file.as_str()];
        args.extend(who.map(|w| ["--as", w]).into_iter().flatten());
        let r = sb.run(EXPORT, &args);
        assert_eq!(r.code, 0, "{who:?}: {r:?}");
        assert!(
            r.stderr.contains("restored 0 records"),
            "{who:?}: {}",
            r.stderr
        );
        let now = seen(&sb);
        assert!(
            !now.contains("Forged") && !now.contains("Never ask"),
            "{who:?}"
        );
        for (kind, what) in [
            ("need", "f0r9ed00"),
            ("answer", "2026-02-01"),
            ("session", "f0r9ed00"),
            ("debrief", "2026-03-0"),
            ("hold", "f0r9ed00"),
        ] {
            let line = r
                .stderr
                .lines()
                .find(|l| l.contains(kind) && l.contains(what))
                .unwrap_or_else(|| panic!("{who:?}: {kind} {what} not named: {}", r.stderr));
            assert!(
                line.contains("Sam") && line.contains("forged.json") && line.contains("not"),
                "{line}"
            );
        }
    }
    // Sam, restoring it as their own, takes the records in their name on.
    let r = sb.run(EXPORT, &["restore", &file, "--as", "Sam"]);
    assert_eq!(r.code, 0, "{r:?}");
    let now = seen(&sb);
    for text in [
        "Never ask me first",
        "Forged words",
        "Forged session",
        "Forged debrief",
        "Forged hold",
    ] {
        assert!(now.contains(text), "{text}");
    }
}
