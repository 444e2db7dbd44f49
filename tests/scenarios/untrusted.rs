//! The synced folder is untrusted input: IDs and names read from files are checked before they are
//! used, nothing is written or deleted outside the data folder (or the notes folder), and no file
//! or argument makes a tool panic.

use super::*;
use closer_core::content::Library;
use std::path::{Path, PathBuf};
use support::{CLOSER_EXPORT, NEEDS, PROMPT, Run, TOUCH};

/// Alex and Sam, and the data folder's partner files by name; the records are plain files, as
/// `couple decrypt` leaves them, so that tests can write hostile ones.
fn couple(sb: &Sandbox) -> (String, String) {
    sb.ok(NEEDS, &["couple", "add", "Alex"]);
    sb.ok(NEEDS, &["couple", "add", "Sam"]);
    sb.ok(NEEDS, &["couple", "decrypt", "--yes", "--as", "Alex"]);
    let v = json(&sb.ok(NEEDS, &["couple", "--json"]));
    let id = |i: usize| v["partners"][i]["id"].as_str().unwrap().to_owned();
    (id(0), id(1))
}

fn first_step() -> &'static str {
    Library::builtin().steps[0].id
}

/// Copies need `id`'s file to a new file whose `"id"` is `evil` (file name `file`).
fn forge_need(sb: &Sandbox, id: &str, evil: &str, file: &str) -> PathBuf {
    let needs = sb.data().join("needs");
    let mut v = json(&std::fs::read_to_string(needs.join(format!("{id}.json"))).unwrap());
    v["id"] = evil.into();
    let path = needs.join(file);
    std::fs::write(&path, serde_json::to_vec_pretty(&v).unwrap()).unwrap();
    path
}

/// No panic, no signal: a documented exit code.
#[track_caller]
fn no_panic(r: &Run) {
    assert!(
        matches!(r.code, 0..=2) && !r.stderr.contains("panicked"),
        "exit {}: {}",
        r.code,
        r.stderr
    );
}

#[test]
fn a_partner_id_that_climbs_out_of_the_folder_is_refused() {
    let sb = Sandbox::new();
    couple(&sb);
    let p = sb.data().join("partners/eve0eve0eve0.json");
    std::fs::write(
        &p,
        r#"{"version":1,"id":"../../X","name":"Eve","conditions":[],"sexual":false,"added":"2026-03-01"}"#,
    )
    .unwrap();
    let r = sb.run(TOUCH, &["boundary", first_step(), "yes", "--as", "Eve"]);
    no_panic(&r);
    let first = r.stderr.clone();
    assert_ne!(r.code, 0, "acted as a partner with a forged ID");
    assert!(!sb.path("X").exists(), "wrote outside the data folder");
    assert!(
        r.stderr.contains("eve0eve0eve0.json"),
        "the bad file is named: {}",
        r.stderr
    );
    // Everyone else carries on, and the bad record is reported (once, on this device), not used.
    let r = sb.run(NEEDS, &["couple", "--plain"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(!r.stdout.contains("Eve") && r.stdout.contains("Alex"));
    assert!(first.contains("eve0eve0eve0.json") && first.contains("ID"));
    assert!(!r.stderr.contains("eve0eve0eve0.json"), "said twice");
}

#[test]
fn a_need_id_that_points_at_touch_state_deletes_nothing_but_itself() {
    let sb = Sandbox::new();
    let (alex, _) = couple(&sb);
    sb.ok(TOUCH, &["boundary", first_step(), "yes", "--as", "Alex"]);
    let state = sb.data().join(format!("touch/{alex}/state.json"));
    assert!(state.exists());
    let id = sb.ok(NEEDS, &["add", "a warm room", "--as", "Alex"]);
    forge_need(
        &sb,
        id.trim(),
        &format!("../touch/{alex}/state"),
        "zzzz0000zzzz.json",
    );
    let r = sb.run(NEEDS, &["rm", "../t", "--as", "Alex", "--yes"]);
    no_panic(&r);
    let said = r.stderr.clone();
    assert!(
        state.exists(),
        "needs-list rm deleted a partner's touch state"
    );
    // The real need is still listed; the forged one is reported (once, on this device).
    let r = sb.run(NEEDS, &["--plain", "--as", "Alex"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(r.stdout.lines().count(), 1, "{}", r.stdout);
    let said = said + &r.stderr;
    assert_eq!(said.matches("zzzz0000zzzz.json").count(), 1, "{said}");
}

#[test]
fn a_need_whose_id_differs_from_its_file_name_is_not_used() {
    let sb = Sandbox::new();
    couple(&sb);
    let a = sb.ok(NEEDS, &["add", "first", "--as", "Alex"]);
    let b = sb.ok(NEEDS, &["add", "second", "--as", "Alex"]);
    // A file that claims to be need `a`: removing it must not remove `a`'s own file.
    forge_need(&sb, b.trim(), a.trim(), "zzzz1111zzzz.json");
    let r = sb.run(NEEDS, &["--plain", "--as", "Alex"]);
    assert_eq!(r.stdout.lines().count(), 2, "{}", r.stdout);
    assert!(r.stderr.contains("zzzz1111zzzz.json"), "{}", r.stderr);
}

#[test]
fn export_to_a_folder_writes_only_inside_it() {
    let sb = Sandbox::new();
    couple(&sb);
    let id = sb.ok(NEEDS, &["add", "a warm room", "--as", "Alex"]);
    let abs = sb.path("abs");
    forge_need(&sb, id.trim(), "../../climbed", "zzzz2222zzzz.json");
    forge_need(&sb, id.trim(), abs.to_str().unwrap(), "zzzz3333zzzz.json");
    let notes = sb.path("notes/vault");
    let r = sb.run(
        CLOSER_EXPORT,
        &["--to-dir", notes.to_str().unwrap(), "--as", "Alex"],
    );
    no_panic(&r);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(!sb.path("climbed.md").exists() && !sb.path("notes/climbed.md").exists());
    assert!(!Path::new(&format!("{}.md", abs.display())).exists());
    assert!(notes.join(format!("needs/{}.md", id.trim())).exists());
}

#[test]
fn a_dangling_lock_link_creates_nothing_outside() {
    let sb = Sandbox::new();
    couple(&sb);
    let outside = sb.path("outside-lock");
    std::fs::create_dir_all(sb.data().join("needs")).unwrap();
    std::os::unix::fs::symlink(&outside, sb.data().join("needs/.lock")).unwrap();
    let r = sb.run(NEEDS, &["add", "a warm room", "--as", "Alex"]);
    no_panic(&r);
    assert!(
        !outside.exists(),
        "the lock followed a link out of the folder"
    );
    // A linked folder inside the data folder is not followed either.
    let away = sb.path("away");
    std::fs::create_dir_all(&away).unwrap();
    std::fs::create_dir_all(sb.data().join("touch")).unwrap();
    let (alex, _) = {
        let v = json(&sb.ok(NEEDS, &["couple", "--json"]));
        (v["partners"][0]["id"].as_str().unwrap().to_owned(), ())
    };
    std::os::unix::fs::symlink(&away, sb.data().join(format!("touch/{alex}"))).unwrap();
    let r = sb.run(TOUCH, &["boundary", first_step(), "yes", "--as", "Alex"]);
    no_panic(&r);
    assert_ne!(r.code, 0);
    assert_eq!(
        std::fs::read_dir(&away).unwrap().count(),
        0,
        "wrote through a link"
    );
}

#[test]
fn arguments_that_used_to_panic_are_usage_errors() {
    let sb = Sandbox::new();
    couple(&sb);
    let id = sb.ok(NEEDS, &["add", "a warm room", "--as", "Alex"]);
    for span in ["3ä", "ä", "99999999999999999m", "4000m"] {
        let r = sb.run(
            NEEDS,
            &[
                "agree",
                id.trim(),
                "--plan",
                "p",
                "--review-in",
                span,
                "--as",
                "Alex",
            ],
        );
        no_panic(&r);
        assert_eq!(r.code, 2, "{span}: {}", r.stderr);
    }
    // Years 1 to 9999 only.
    let r = sb.run(
        PROMPT,
        &["answer", "hello", "--date", "0000-01-01", "--as", "Alex"],
    );
    no_panic(&r);
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(
        !support::tree(&sb.data())
            .keys()
            .any(|k| k.starts_with("answers/")),
        "an answer was saved"
    );
    sb.set_today("9999-12-01");
    let r = sb.run(
        NEEDS,
        &[
            "agree",
            id.trim(),
            "--plan",
            "p",
            "--review-in",
            "3m",
            "--as",
            "Alex",
        ],
    );
    no_panic(&r);
    assert_eq!(r.code, 2, "{}", r.stderr);
    let need =
        std::fs::read_to_string(sb.data().join(format!("needs/{}.json", id.trim()))).unwrap();
    assert!(!need.contains("+10000"), "{need}");
}

#[test]
fn short_and_multibyte_need_ids_in_files_are_reported_not_fatal() {
    let sb = Sandbox::new();
    couple(&sb);
    let id = sb.ok(NEEDS, &["add", "a warm room", "--as", "Alex"]);
    forge_need(&sb, id.trim(), "ab", "ab.json");
    forge_need(&sb, id.trim(), "äbcdefgh", "äbcdefgh.json");
    let mut said = String::new();
    for args in [
        &["--plain", "--as", "Alex"][..],
        &["--json", "--as", "Alex"],
        &["show", "ab", "--as", "Alex"],
    ] {
        let r = sb.run(NEEDS, args);
        no_panic(&r);
        said.push_str(&r.stderr);
    }
    let r = sb.run(NEEDS, &["--plain", "--as", "Alex"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(r.stdout.lines().count(), 1);
    assert!(
        said.contains("ab.json") && said.contains("äbcdefgh.json"),
        "{said}"
    );
}

#[test]
fn a_one_character_session_id_does_not_crash_history() {
    let sb = Sandbox::new();
    let (alex, _) = couple(&sb);
    for who in ["Alex", "Sam"] {
        sb.ok(TOUCH, &["boundary", first_step(), "yes", "--as", who]);
    }
    sb.ok(TOUCH, &["log", "--minutes", "10", "--as", "Alex"]);
    let path = sb.data().join(format!("touch/{alex}/sessions.json"));
    let text = std::fs::read_to_string(&path).unwrap();
    let v = json(&text);
    let sid = v["sessions"][0]["id"].as_str().unwrap();
    std::fs::write(&path, text.replace(sid, "x")).unwrap();
    for args in [
        &["history", "--as", "Alex"][..],
        &["history", "--json", "--as", "Alex"],
    ] {
        let r = sb.run(TOUCH, args);
        no_panic(&r);
        assert!(
            r.code == 0 || r.stderr.contains("sessions.json"),
            "{}",
            r.stderr
        );
    }
}

#[test]
fn json_output_escapes_c1_del_and_bidi_controls() {
    let sb = Sandbox::new();
    couple(&sb);
    let id = sb.ok(NEEDS, &["add", "a warm room", "--as", "Alex"]);
    let path = sb.data().join(format!("needs/{}.json", id.trim()));
    let raw = "warm\u{9b}31m\u{9d}0;title\u{7} room\u{7f} \u{202e}reversed\u{2066}";
    let mut v = json(&std::fs::read_to_string(&path).unwrap());
    v["text"] = raw.into();
    std::fs::write(&path, serde_json::to_vec(&v).unwrap()).unwrap();
    for args in [
        &["--json", "--as", "Alex"][..],
        &["show", id.trim(), "--json", "--as", "Alex"],
    ] {
        let out = sb.ok(NEEDS, args);
        let bad: Vec<char> = out
            .chars()
            .filter(|c| (c.is_control() && *c != '\n') || ('\u{202a}'..='\u{2069}').contains(c))
            .collect();
        assert!(bad.is_empty(), "{args:?} printed {bad:?}");
        assert!(out.contains("\\u009b") && out.contains("\\u202e"), "{out}");
        // Lossless: a JSON reader gets the very text back.
        let back = json(&out);
        let text = back
            .get("text")
            .or_else(|| back[0].get("text"))
            .and_then(Value::as_str)
            .unwrap();
        assert_eq!(text, raw);
    }
}

#[test]
fn answers_refuse_control_characters_like_needs() {
    let sb = Sandbox::new();
    couple(&sb);
    for text in ["hello\u{7}there", "a\u{1b}[31mred", "c1\u{9b}x"] {
        let r = sb.run(PROMPT, &["answer", text, "--as", "Alex"]);
        assert_eq!(r.code, 2, "{text:?}: {}", r.stderr);
        assert!(r.stderr.contains("control characters"), "{}", r.stderr);
    }
    sb.ok(
        PROMPT,
        &["answer", "line one\nline two\twith a tab", "--as", "Alex"],
    );
}

/// Links inside the synced `content/` folder are never followed: three links back to the folder
/// itself made every command walk an ever-deeper tree (cron hung), and a link to a file outside
/// the folder was read as content.
#[test]
fn links_in_the_shared_content_folder_are_not_followed() {
    let sb = Sandbox::new();
    couple(&sb);
    let content = sb.data().join("content");
    std::fs::create_dir_all(&content).unwrap();
    for name in ["a", "b", "c"] {
        std::os::unix::fs::symlink(".", content.join(name)).unwrap();
    }
    let outside = sb.path("outside.toml");
    std::fs::write(
        &outside,
        "version = 1\n[category]\nid = \"from-outside\"\nname = \"Outside\"\nabout = \"Not ours.\"\n\n[[prompt]]\nid = \"from-outside-1\"\ntext = \"Read from outside the folder?\"\ndepth = \"light\"\nlow_energy = false\n",
    )
    .unwrap();
    std::os::unix::fs::symlink(&outside, content.join("outside.toml")).unwrap();
    let started = std::time::Instant::now();
    let r = sb.run(PROMPT, &["list", "--json"]);
    assert!(
        started.elapsed() < std::time::Duration::from_secs(10),
        "took {:?}",
        started.elapsed()
    );
    no_panic(&r);
    assert!(!r.ok().contains("from-outside-1"), "a linked file was read");
    let today = sb.run(NEEDS, &["couple", "today"]);
    today.ok();
}

/// A data folder other users of the computer can read (made so by hand, or by a sync tool) is
/// said in one line on every run, with the command that makes it private, until it is private.
#[test]
fn a_data_folder_others_can_read_is_said_until_doctor_makes_it_private() {
    use std::os::unix::fs::PermissionsExt;
    let sb = Sandbox::new();
    couple(&sb);
    let mode = || std::fs::metadata(sb.data()).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode(), 0o700);
    std::fs::set_permissions(sb.data(), std::fs::Permissions::from_mode(0o755)).unwrap();
    let warning = "other users of this computer can read the data folder; `needs-list couple doctor` makes it private";
    for _ in 0..2 {
        let run = sb.run(NEEDS, &["--as", "Alex"]);
        run.ok();
        assert_eq!(
            run.stderr.lines().filter(|l| l.contains(warning)).count(),
            1,
            "{}",
            run.stderr
        );
    }
    sb.ok(NEEDS, &["couple", "doctor"]);
    assert_eq!(mode(), 0o700);
    let run = sb.run(NEEDS, &["--as", "Alex"]);
    run.ok();
    assert!(!run.stderr.contains("other users"), "{}", run.stderr);
}

/// Removing a partner from the profile hides none of the sessions the couple logged, nor what
/// either of them said after one: the removed partner's words stay, under a kind name.
#[test]
fn removing_a_partner_hides_none_of_their_sessions_or_debriefs() {
    let sb = Sandbox::new();
    couple(&sb);
    let step = first_step();
    for who in ["Alex", "Sam"] {
        sb.ok(TOUCH, &["boundary", step, "yes", "--as", who]);
    }
    sb.ok(TOUCH, &["log", "--minutes", "10", "--as", "Sam"]);
    sb.ok(
        TOUCH,
        &["debrief", "--noticed", "warm hands", "--as", "Sam"],
    );
    sb.ok(
        TOUCH,
        &["debrief", "--noticed", "slow breathing", "--as", "Alex"],
    );
    // Sessions, and debriefs across them.
    let counts = |out: &str| {
        let v = json(out);
        let all = v.as_array().unwrap().clone();
        let debriefs = all
            .iter()
            .map(|s| s["debriefs"].as_array().map_or(0, Vec::len));
        (all.len(), debriefs.sum::<usize>())
    };
    let before = sb.ok(TOUCH, &["history", "--json", "--as", "Alex"]);
    assert_eq!(counts(&before), (1, 2), "{before}");
    sb.ok(NEEDS, &["couple", "remove", "Sam", "--yes"]);
    let after = sb.ok(TOUCH, &["history", "--json", "--as", "Alex"]);
    assert_eq!(counts(&after), (1, 2), "{after}");
    let shown = sb.ok(TOUCH, &["history", "--as", "Alex"]);
    for said in ["warm hands", "slow breathing"] {
        assert!(shown.contains(said), "{shown}");
    }
    assert!(
        shown.contains("a partner no longer in the profile"),
        "{shown}"
    );
}
