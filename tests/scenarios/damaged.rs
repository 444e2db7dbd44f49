//! One damaged or planted file in the synced folder costs the couple that one record, said once
//! on standard error with the file and why, and never the rest of the list.

use super::*;
use support::NEEDS;

/// Alex, and three needs; returns the first need's file.
fn three_needs(sb: &Sandbox) -> PathBuf {
    sb.ok(NEEDS, &["couple", "add", "Alex"]);
    // Plain files, damaged here by hand.
    sb.ok(NEEDS, &["couple", "decrypt", "--yes", "--as", "Alex"]);
    for t in ["one", "two", "three"] {
        sb.ok(NEEDS, &["add", t, "--as", "Alex"]);
    }
    let v = json(&sb.ok(NEEDS, &["--json", "--as", "Alex"]));
    let id = v[0]["id"].as_str().unwrap();
    sb.data().join("needs").join(format!("{id}.json"))
}

fn texts(r: &Run) -> Vec<String> {
    let mut t: Vec<String> = r
        .ok()
        .lines()
        .map(|l| l.rsplit('\t').next().unwrap().to_owned())
        .collect();
    t.sort();
    t
}

#[test]
fn one_need_file_that_does_not_parse_leaves_the_others_listed_and_is_named_once() {
    let sb = Sandbox::new();
    let first = three_needs(&sb);
    std::fs::write(&first, b"{\"version\": 1, \"id\": ").unwrap();
    let name = first.file_name().unwrap().to_str().unwrap().to_owned();
    let r = sb.run(NEEDS, &["--plain", "--as", "Alex"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(texts(&r).len(), 2, "{}", r.stdout);
    assert!(r.stderr.contains(&name), "the file is named: {}", r.stderr);
    assert!(r.stderr.contains("line 1"), "and where: {}", r.stderr);
    let r = sb.run(NEEDS, &["--json", "--as", "Alex"]);
    assert_eq!(json(r.ok()).as_array().unwrap().len(), 2);
}

#[test]
fn a_need_file_that_is_a_link_is_not_read() {
    let sb = Sandbox::new();
    let first = three_needs(&sb);
    let outside = sb.path("outside.json");
    std::fs::rename(&first, &outside).unwrap();
    std::os::unix::fs::symlink(&outside, &first).unwrap();
    let name = first.file_name().unwrap().to_str().unwrap().to_owned();
    let mut said = String::new();
    for mode in ["--plain", "--json"] {
        let r = sb.run(NEEDS, &[mode, "--all", "--as", "Alex"]);
        assert_eq!(texts_or_json(&r, mode), 2, "{mode}: {}", r.stdout);
        said.push_str(&r.stderr);
    }
    assert!(said.contains(&name) && said.contains("link"), "{said}");
    let r = sb.run(NEEDS, &["show", &name[..8], "--as", "Alex"]);
    assert_ne!(r.code, 0, "a linked need was shown: {}", r.stdout);
}

fn texts_or_json(r: &Run, mode: &str) -> usize {
    if mode == "--json" {
        json(r.ok()).as_array().unwrap().len()
    } else {
        texts(r).len()
    }
}

#[test]
fn a_record_left_out_is_said_once_until_its_file_changes() {
    let sb = Sandbox::new();
    let first = three_needs(&sb);
    let mut v = json(&std::fs::read_to_string(&first).unwrap());
    v["id"] = "../evil".into();
    std::fs::write(&first, serde_json::to_vec(&v).unwrap()).unwrap();
    let name = first.file_name().unwrap().to_str().unwrap().to_owned();
    let said = |r: &Run| r.stderr.matches(&name).count();
    let r = sb.run(NEEDS, &["--plain", "--as", "Alex"]);
    assert_eq!(texts(&r).len(), 2);
    assert_eq!(said(&r), 1, "{}", r.stderr);
    for _ in 0..2 {
        let r = sb.run(NEEDS, &["--plain", "--as", "Alex"]);
        assert_eq!(texts(&r).len(), 2);
        assert_eq!(said(&r), 0, "said again: {}", r.stderr);
    }
    // Changed, and still unusable: said again.
    v["id"] = "../evil2".into();
    std::fs::write(&first, serde_json::to_vec(&v).unwrap()).unwrap();
    let r = sb.run(NEEDS, &["--plain", "--as", "Alex"]);
    assert_eq!(said(&r), 1, "{}", r.stderr);
}

#[test]
fn a_device_whose_partner_file_went_says_what_happened_and_what_to_do() {
    let sb = Sandbox::new();
    let (alex, sam) = two_devices(&sb);
    sam.ok(support::TOUCH, &["boundary", "s0-sit-close", "yes"]);
    let sam_id = alex.id_of("Sam");
    // Removed on the other device, or lost in a sync.
    for e in std::fs::read_dir(sb.data().join("partners"))
        .unwrap()
        .flatten()
    {
        if e.file_name().to_string_lossy().starts_with(&sam_id) {
            std::fs::remove_file(e.path()).unwrap();
        }
    }

    let mine = sam.run(support::TOUCH, &["mine"]);
    assert_eq!(
        mine.code, 1,
        "a data problem, not a usage mistake: {mine:?}"
    );
    assert!(
        !mine.stderr.contains("say which partner you are"),
        "{}",
        mine.stderr
    );
    for what in [
        format!("partners/{sam_id}"),
        "no longer in the data folder".to_owned(),
        "couple me".to_owned(),
    ] {
        assert!(mine.stderr.contains(&what), "{what}: {}", mine.stderr);
    }

    // Commands that only show shared records still work, and say it once.
    let first = sam.run(PROMPT_TOOL, &[]);
    first.ok();
    assert!(
        first.stderr.contains("no longer in the data folder"),
        "{}",
        first.stderr
    );
    let again = sam.run(PROMPT_TOOL, &[]);
    again.ok();
    assert!(
        !again.stderr.contains("no longer"),
        "said once: {}",
        again.stderr
    );
    // The other device is not concerned.
    let a = alex.run(PROMPT_TOOL, &[]);
    a.ok();
    assert!(!a.stderr.contains("no longer"), "{}", a.stderr);
}

const PROMPT_TOOL: (&str, &str) = support::PROMPT;
