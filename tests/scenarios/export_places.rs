//! Where an export may go, and what it keeps: a folder of notes is never written into the synced
//! data folder or the device's config folder, and the JSON export keeps passes, so a restored
//! folder shows what the day showed.

use super::*;
use support::{CLOSER_EXPORT, NEEDS, PROMPT, tree};

fn couple_with_a_private_need() -> Sandbox {
    let sb = Sandbox::new();
    sb.ok(NEEDS, &["couple", "add", "Alex"]);
    sb.ok(NEEDS, &["couple", "add", "Sam"]);
    sb.ok(
        NEEDS,
        &["add", "a quiet hour alone", "--private", "--as", "Alex"],
    );
    sb
}

#[test]
fn notes_are_never_written_inside_the_data_folder_or_the_config_folder() {
    let sb = couple_with_a_private_need();
    let before = tree(&sb.data());
    let config = sb.home().join(".config/closer");
    std::fs::create_dir_all(&config).unwrap();
    // A folder that does not exist yet, one that does, one reached through `..`, one through a
    // link to the data folder, and the config folder.
    std::fs::create_dir_all(sb.data().join("mine")).unwrap();
    let link = sb.path("link");
    #[cfg(unix)]
    std::os::unix::fs::symlink(sb.data(), &link).unwrap();
    let inside = [
        sb.data().join("notes"),
        sb.data().join("mine"),
        sb.data(),
        sb.path("elsewhere/../data/notes/deeper"),
        link.join("notes"),
        config.join("notes"),
    ];
    for dir in &inside {
        let r = sb.run(
            CLOSER_EXPORT,
            &["--to-dir", dir.to_str().unwrap(), "--as", "Alex"],
        );
        assert_eq!(r.code, 2, "{}: {}{}", dir.display(), r.stdout, r.stderr);
        let line = r.error_line("closer-export");
        assert!(line.contains("outside the data folder"), "{line}");
    }
    std::fs::remove_dir(sb.data().join("mine")).unwrap();
    assert_eq!(
        tree(&sb.data()),
        before,
        "nothing was written into the folder"
    );
    assert!(!config.join("notes").exists());

    // Beside the data folder is fine.
    let vault = sb.path("vault");
    sb.ok(
        CLOSER_EXPORT,
        &["--to-dir", vault.to_str().unwrap(), "--as", "Alex", "-q"],
    );
    assert!(
        tree(&vault)
            .values()
            .any(|b| { String::from_utf8_lossy(b).contains("a quiet hour alone") })
    );
}

#[test]
fn a_pass_is_kept_in_the_json_export_and_brought_back_by_restore() {
    let sb = Sandbox::new();
    sb.ok(NEEDS, &["couple", "add", "Alex"]);
    sb.ok(NEEDS, &["couple", "add", "Sam"]);
    sb.ok(PROMPT, &["answer", "we laughed a lot", "--as", "Alex"]);
    sb.ok(PROMPT, &["answer", "--pass", "--as", "Sam"]);
    assert!(
        sb.ok(PROMPT, &["history", "--as", "Sam"])
            .contains("we laughed a lot")
    );

    let sam = sb.ok(CLOSER_EXPORT, &["--format", "json", "--as", "Sam"]);
    let v = json(&sam);
    let passes = v["passes"].as_array().expect("passes in the JSON export");
    assert_eq!(passes.len(), 1, "{sam}");
    assert_eq!(passes[0]["date"], sb.today().as_str());
    assert_eq!(passes[0]["passed"], true);
    assert_eq!(passes[0]["text"], "");
    // Only one's own passes: Alex's export says nothing of Sam's.
    let alex = sb.ok(CLOSER_EXPORT, &["--format", "json", "--as", "Alex"]);
    assert_eq!(json(&alex)["passes"], serde_json::json!([]), "{alex}");
    // The other formats still leave passes out.
    let md = sb.ok(CLOSER_EXPORT, &["--as", "Sam"]);
    assert!(md.contains("we laughed a lot"), "{md}");

    let restored = sb.path("restored");
    for (name, doc, who) in [("alex.json", &alex, "Alex"), ("sam.json", &sam, "Sam")] {
        let file = sb.path(name);
        std::fs::write(&file, doc).unwrap();
        sb.run_in(
            &restored,
            CLOSER_EXPORT,
            &["restore", file.to_str().unwrap(), "--as", who],
        )
        .ok();
    }
    let history = sb.run_in(&restored, PROMPT, &["history", "--as", "Sam"]);
    assert!(
        history.ok().contains("we laughed a lot"),
        "Sam passed that day and reads Alex's answer after a restore too: {}",
        history.stdout
    );
    let again = sb.run_in(
        &restored,
        CLOSER_EXPORT,
        &["--format", "json", "--as", "Sam"],
    );
    let again = json(again.ok());
    assert_eq!(again["passes"], v["passes"]);
}

/// A restore into a new folder makes an encrypted folder, as a new couple's is; where this device
/// cannot encrypt it yet, it says so and what to run, and the restore itself still succeeds.
#[test]
fn a_restore_into_a_new_folder_is_encrypted_or_says_plainly_that_it_is_not() {
    let sb = Sandbox::new();
    sb.ok(NEEDS, &["couple", "add", "Alex"]);
    sb.ok(NEEDS, &["couple", "add", "Sam"]);
    sb.ok(
        NEEDS,
        &[
            "add",
            "help with buttons on bad-hand mornings",
            "--as",
            "Alex",
        ],
    );
    let doc = sb.ok(CLOSER_EXPORT, &["--format", "json", "--as", "Alex"]);
    let file = sb.path("alex.json");
    std::fs::write(&file, &doc).unwrap();

    // This device holds both keys: the new folder is encrypted, nothing in it is plain.
    let restored = sb.path("restored");
    let r = sb.run_in(
        &restored,
        CLOSER_EXPORT,
        &["restore", file.to_str().unwrap(), "--as", "Alex"],
    );
    r.ok();
    let mode = std::fs::read_to_string(restored.join("folder.json")).unwrap();
    assert!(
        mode.contains("\"sealed\": true") || mode.contains("\"sealed\":true"),
        "{mode}"
    );
    for (path, bytes) in support::tree(&restored) {
        let text = String::from_utf8_lossy(&bytes);
        assert!(
            !text.contains("buttons") && !text.contains("Alex"),
            "{path} is plain"
        );
    }
    let listed = sb.run_in(&restored, NEEDS, &["--plain", "--as", "Alex"]);
    assert!(listed.ok().contains("buttons"), "{}", listed.stderr);

    // A device holding only Alex's key cannot seal for Sam yet: it says so, and what to run.
    let alex = device(&sb, "alex");
    let keys = alex.config.join("closer/keys");
    std::fs::create_dir_all(&keys).unwrap();
    let id = partner_id(&sb.ok(NEEDS, &["couple", "--json"]), "Alex");
    std::fs::copy(
        sb.home().join(format!(".config/closer/keys/{id}.key")),
        keys.join(format!("{id}.key")),
    )
    .unwrap();
    let elsewhere = sb.path("elsewhere");
    let r = alex.run(
        CLOSER_EXPORT,
        &[
            "--dir",
            elsewhere.to_str().unwrap(),
            "restore",
            file.to_str().unwrap(),
            "--as",
            "Alex",
        ],
    );
    r.ok();
    assert!(r.stderr.contains("plain files"), "{}", r.stderr);
    assert!(r.stderr.contains("couple encrypt"), "{}", r.stderr);
}
