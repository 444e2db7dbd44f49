//! The device's cache of what its keys opened in an encrypted folder: a key put under a
//! passphrase leaves nothing it opened readable in the cache folder, a device whose keys are all
//! protected keeps nothing of the couple's there (not even the needs index), and a record changed
//! in the folder is shown as it is now, never as it was cached.

use super::*;
use std::os::unix::fs::PermissionsExt;
use support::{NEEDS, PROMPT};

/// Every file below a cache folder.
fn files(dir: &Path) -> Vec<(PathBuf, Vec<u8>)> {
    let mut out = Vec::new();
    let mut todo = vec![dir.to_owned()];
    while let Some(d) = todo.pop() {
        for e in std::fs::read_dir(&d).into_iter().flatten().flatten() {
            let p = e.path();
            if p.is_dir() {
                todo.push(p);
            } else {
                out.push((p.clone(), std::fs::read(&p).unwrap()));
            }
        }
    }
    out
}

/// Whether any file below `dir` holds `text`.
fn holds(dir: &Path, text: &str) -> bool {
    files(dir)
        .iter()
        .any(|(_, b)| b.windows(text.len()).any(|w| w == text.as_bytes()))
}

/// A command on one device: its own config and cache folders.
fn on(sb: &Sandbox, device: &str, tool: (&str, &str), args: &[&str]) -> Run {
    Run::from(
        sb.command_in(&sb.data(), tool)
            .env("XDG_CONFIG_HOME", sb.path(&format!("{device}-config")))
            .env("XDG_CACHE_HOME", sb.path(&format!("{device}-cache")))
            .args(args)
            .output()
            .expect("the binary runs"),
    )
}

fn passphrase(sb: &Sandbox, env: &[(&str, &str)], name: &str) {
    let (text, ok) = sb.on_terminal_with(
        env,
        NEEDS,
        &["couple", "keys", "passphrase", "--as", name],
        &[
            ("new passphrase", "tea first\r"),
            ("same again", "tea first\r"),
        ],
    );
    assert!(ok, "{text}");
}

#[test]
fn a_passphrase_on_a_key_takes_what_it_opened_out_of_the_cache() {
    let sb = Sandbox::new();
    sb.ok(NEEDS, &["couple", "add", "Alex"]);
    sb.ok(NEEDS, &["couple", "add", "Sam"]);
    sb.ok(NEEDS, &["couple", "me", "Sam"]);
    sb.ok(NEEDS, &["add", "Quiet mornings, just for me", "--private"]);
    let cache = sb.home().join(".cache/closer");
    assert!(
        sb.ok(NEEDS, &["--plain"]).contains("Quiet mornings"),
        "listed"
    );
    assert!(
        holds(&cache, "Quiet mornings"),
        "the cache keeps what Sam's key opened"
    );
    for (p, _) in files(&cache) {
        let mode = std::fs::metadata(&p).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600, "{}", p.display());
    }
    passphrase(&sb, &[], "Sam");
    assert!(!holds(&cache, "Quiet mornings"), "gone with the passphrase");
    // Alex's runs and cron's keep nothing of it either; Sam reads it with the passphrase, and it
    // is not kept then.
    sb.ok(NEEDS, &["--plain", "--as", "Alex"]);
    sb.run(PROMPT, &[]);
    let shown = sb.on_terminal(
        NEEDS,
        &["--plain", "--as", "Sam"],
        &[("Passphrase", "tea first\r")],
    );
    assert!(shown.contains("Quiet mornings"), "{shown}");
    assert!(!holds(&cache, "Quiet mornings"));
}

#[test]
fn a_device_whose_keys_are_all_protected_keeps_nothing_of_the_couple_in_its_cache() {
    let sb = Sandbox::new();
    let (alex, sam) = two_devices(&sb);
    alex.ok(NEEDS, &["add", "Soup on Sundays, please"]);
    let cache = sb.path("sam-cache");
    let listed = on(&sb, "sam", NEEDS, &["--plain"]);
    assert!(listed.ok().contains("Soup on Sundays"));
    assert!(
        holds(&cache, "Soup on Sundays"),
        "kept while Sam's key has no passphrase"
    );
    let config = sam.config.to_str().unwrap().to_owned();
    let cache_env = cache.to_str().unwrap().to_owned();
    let env = [
        ("XDG_CONFIG_HOME", &*config),
        ("XDG_CACHE_HOME", &*cache_env),
    ];
    passphrase(&sb, &env, "Sam");
    assert!(!holds(&cache, "Soup on Sundays"), "{:?}", files(&cache));
    // Someone at Sam's device without the passphrase: refused, and the cache stays empty of
    // the couple's records; cron's prompt too.
    assert_eq!(on(&sb, "sam", NEEDS, &["--plain"]).code, 1);
    on(&sb, "sam", PROMPT, &[]);
    assert!(!holds(&cache, "Soup on Sundays"), "{:?}", files(&cache));
}

#[test]
fn a_record_changed_in_the_folder_is_shown_as_it_is_now() {
    let sb = Sandbox::new();
    let (alex, _sam) = two_devices(&sb);
    alex.ok(NEEDS, &["add", "Soup on Sundays, please"]);
    let id = json(on(&sb, "sam", NEEDS, &["--json"]).ok())[0]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    for _ in 0..2 {
        assert!(
            on(&sb, "sam", NEEDS, &["show", &id])
                .ok()
                .contains("Soup on Sundays")
        );
    }
    alex.ok(NEEDS, &["edit", &id, "--text", "Soup on Saturdays, please"]);
    let shown = on(&sb, "sam", NEEDS, &["show", &id]);
    assert!(shown.ok().contains("Soup on Saturdays"), "{}", shown.stdout);
    // Put back as it was (the older file, bytes and all): that is what is shown again, opened
    // and checked as any record.
    let file = sb.data().join(format!("needs/{id}.age"));
    let newer = std::fs::read(&file).unwrap();
    alex.ok(NEEDS, &["edit", &id, "--text", "Soup every day"]);
    let latest = std::fs::read(&file).unwrap();
    std::fs::write(&file, &newer).unwrap();
    assert!(
        on(&sb, "sam", NEEDS, &["show", &id])
            .ok()
            .contains("Saturdays")
    );
    // A file cut short, at the same place: reported, and not the record cached for its bytes
    // but the version this device last trusted.
    std::fs::write(&file, &latest[..latest.len() - 10]).unwrap();
    let cut = on(&sb, "sam", NEEDS, &["--plain"]);
    assert!(!cut.stdout.contains("every day"), "{}", cut.stdout);
    assert!(cut.stdout.contains("Saturdays"), "{}", cut.stdout);
    assert!(cut.stderr.contains(&id), "{}", cut.stderr);
}
