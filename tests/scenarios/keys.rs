//! Keys: `--as` is no way in on a device without that partner's key; a second device gets the
//! key by `couple keys export` / `import`; a lost key comes back from its recovery key; a
//! partner's published keys that change are warned about on every run until accepted; a key
//! with a passphrase is asked for on a terminal and refused in cron.

use super::*;
use support::{EXPORT, NEEDS, PROMPT, TOUCH, tree};

/// Alex's device and Sam's device on one data folder, each saying whose it is.
fn two_devices(sb: &Sandbox) -> (Device<'_>, Device<'_>) {
    let (alex, sam) = (device(sb, "alex"), device(sb, "sam"));
    alex.ok(NEEDS, &["couple", "add", "Alex"]);
    // A plain folder: the other partner's device reads their name before it has their key
    // (an encrypted folder is joined with `couple keys export` and `import`).
    alex.ok(NEEDS, &["couple", "decrypt", "--yes", "--as", "Alex"]);
    alex.ok(NEEDS, &["couple", "add", "Sam"]);
    alex.ok(NEEDS, &["couple", "me", "Alex"]);
    sam.ok(NEEDS, &["couple", "me", "Sam"]);
    (alex, sam)
}

#[track_caller]
fn refused(run: &Run, tool: &str, name: &str) {
    let line = run.error_line(tool);
    assert_eq!(run.code, 1, "{line}");
    assert!(
        line.contains(&format!("This device does not hold {name}'s key")),
        "{line}"
    );
}

#[test]
fn as_the_other_partner_on_a_device_without_their_key_is_refused_and_shows_nothing() {
    let sb = Sandbox::new();
    let (alex, sam) = two_devices(&sb);
    sam.ok(TOUCH, &["boundary", "s0-sit-close", "no"]);
    sam.ok(NEEDS, &["add", "Quiet mornings, just for me", "--private"]);
    sam.ok(PROMPT, &["answer", "the sea at dusk"]);
    let before = tree(&sb.data());
    let attempts: [(&(&str, &str), &[&str]); 8] = [
        (&TOUCH, &["mine", "--as", "Sam"]),
        (&TOUCH, &["mine", "--json", "--as", "Sam"]),
        (&TOUCH, &["boundary", "s0-sit-close", "yes", "--as", "Sam"]),
        (&TOUCH, &["ready", "--as", "Sam"]),
        (&NEEDS, &["--all", "--json", "--as", "Sam"]),
        (&NEEDS, &["add", "written as Sam", "--as", "Sam"]),
        (&PROMPT, &["history", "--as", "Sam"]),
        (&EXPORT, &["--format", "json", "--as", "Sam"]),
    ];
    for (tool, args) in attempts {
        refused(&alex.run(*tool, args), tool.1, "Sam");
    }
    // CLOSER_AS is no way in either.
    let env_as = Run::from(
        sb.command_in(&sb.data(), TOUCH)
            .env("XDG_CONFIG_HOME", &alex.config)
            .env("CLOSER_AS", "sam")
            .arg("mine")
            .output()
            .unwrap(),
    );
    refused(&env_as, "touch-plan", "Sam");
    assert!(
        before == tree(&sb.data()),
        "a refused run changed the folder"
    );
    // Sam's own device is let in.
    assert!(sam.ok(TOUCH, &["mine", "--json"]).contains("s0-sit-close"));
    assert!(alex.run(TOUCH, &["mine"]).code == 0);
}

#[test]
fn a_second_device_added_with_export_and_import_reads_the_partners_private_data() {
    let first = Sandbox::new();
    first.ok(NEEDS, &["couple", "add", "Alex"]);
    // A plain folder: the other partner's device reads their name before it has their key
    // (an encrypted folder is joined with `couple keys export` and `import`).
    first.ok(NEEDS, &["couple", "decrypt", "--yes", "--as", "Alex"]);
    first.ok(NEEDS, &["couple", "add", "Sam"]);
    first.ok(NEEDS, &["couple", "me", "Alex"]);
    first.ok(TOUCH, &["boundary", "s0-sit-close", "yes"]);
    first.ok(
        TOUCH,
        &["body", "shoulders", "off-limits", "--note", "left shoulder"],
    );
    let copy = first.path("alex-key.age");
    let copy_arg = copy.display().to_string();
    first.on_terminal(
        NEEDS,
        &["couple", "keys", "export", &copy_arg],
        &[
            ("A passphrase", "long walk home\r"),
            ("same again", "long walk home\r"),
        ],
    );
    let bytes = std::fs::read(&copy).unwrap();
    assert!(
        bytes.starts_with(b"age-encryption.org/v1\n"),
        "an age -p file"
    );
    assert!(!String::from_utf8_lossy(&bytes).contains("AGE-SECRET-KEY"));

    // The laptop: its own HOME and config, and the data folder as syncing brings it.
    let laptop = Sandbox::new();
    support::copy_dir(&first.data(), &laptop.data());
    laptop.ok(NEEDS, &["couple", "doctor"]); // the copy's folders are made private again
    let mine = ["mine", "--as", "Alex"];
    refused(&laptop.run(TOUCH, &mine), "touch-plan", "Alex");
    let said = laptop.on_terminal(
        NEEDS,
        &["couple", "keys", "import", &copy_arg],
        &[
            ("Passphrase for this copy", "wrong one\r"),
            // Asked again only once the first was tried: not at the redrawn first question.
            ("does not open", ""),
            ("Passphrase for this copy", "long walk home\r"),
        ],
    );
    assert!(said.contains("does not open"), "{said}");
    assert!(said.contains("Alex's key is on this device now"), "{said}");
    let shown = laptop.ok(TOUCH, &mine);
    assert!(
        shown.contains("s0-sit-close") && shown.contains("left shoulder"),
        "{shown}"
    );
    // The laptop is Alex's now, and both devices show the same fingerprints.
    assert!(laptop.ok(TOUCH, &["mine"]).contains("s0-sit-close"));
    let keys = |sb: &Sandbox| sb.ok(NEEDS, &["couple", "keys", "show", "--plain"]);
    let fingerprints = |s: String| {
        s.lines()
            .map(|l| l.split('\t').nth(1).unwrap().to_owned())
            .collect::<Vec<_>>()
    };
    assert_eq!(fingerprints(keys(&first)), fingerprints(keys(&laptop)));
}

#[test]
fn a_lost_key_restored_with_the_recovery_key_restores_access() {
    let sb = Sandbox::new();
    sb.ok(NEEDS, &["couple", "add", "Alex"]);
    // A plain folder: the other partner's device reads their name before it has their key
    // (an encrypted folder is joined with `couple keys export` and `import`).
    sb.ok(NEEDS, &["couple", "decrypt", "--yes", "--as", "Alex"]);
    sb.ok(NEEDS, &["couple", "add", "Sam"]);
    sb.ok(
        TOUCH,
        &["boundary", "s1-short-hug", "maybe", "--as", "Alex"],
    );
    let run = sb.run(NEEDS, &["couple", "keys", "recovery", "--as", "Alex"]);
    let recovery = run.ok().trim().to_owned();
    assert!(recovery.starts_with("AGE-SECRET-KEY-"), "{recovery}");
    assert!(run.stderr.contains("Write it on paper"), "{}", run.stderr);

    // The device's keys are lost.
    std::fs::remove_dir_all(sb.home().join(".config/closer/keys")).unwrap();
    refused(
        &sb.run(TOUCH, &["mine", "--as", "Alex"]),
        "touch-plan",
        "Alex",
    );
    // No new key is made in its place: Alex has one, published.
    refused(
        &sb.run(NEEDS, &["couple", "me", "Alex"]),
        "needs-list",
        "Alex",
    );

    // Typed by hand: lower case, spaces kept.
    let typed = format!("{}\r", recovery.to_lowercase());
    let said = sb.on_terminal(
        NEEDS,
        &["couple", "keys", "recover"],
        &[("recovery key", &typed)],
    );
    assert!(said.contains("Alex's key is on this device now"), "{said}");
    assert!(
        sb.ok(TOUCH, &["mine", "--as", "Alex"])
            .contains("s1-short-hug")
    );
}

#[test]
fn a_changed_published_key_is_warned_about_on_every_run_until_accepted() {
    let sb = Sandbox::new();
    let (alex, sam) = two_devices(&sb);
    // First sight pins silently.
    let first = alex.run(NEEDS, &["--all"]);
    assert_eq!(first.stderr, "", "first sight says nothing");
    // Sam lost every copy of their key and makes a new one.
    sam.ok(NEEDS, &["couple", "keys", "new", "Sam", "--yes"]);
    for _ in 0..2 {
        let run = alex.run(PROMPT, &[]);
        run.ok();
        assert!(
            run.stderr.contains("WARNING: Sam's published keys changed")
                && run.stderr.contains("couple keys accept Sam"),
            "{}",
            run.stderr
        );
    }
    let shown = alex.ok(NEEDS, &["couple", "keys", "show", "--plain"]);
    assert!(
        shown
            .lines()
            .any(|l| l.starts_with("Sam\t") && l.contains("changed")),
        "{shown}"
    );
    alex.ok(NEEDS, &["couple", "keys", "accept", "Sam"]);
    assert_eq!(alex.run(PROMPT, &[]).stderr, "", "accepted: quiet again");
    // Someone copies Alex's published keys over Sam's: they cannot be trusted, said every run.
    let keys = sb.data().join("keys");
    let files: Vec<_> = std::fs::read_dir(&keys)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "json"))
        .collect();
    assert_eq!(files.len(), 2);
    let (a, s) = (&files[0], &files[1]);
    std::fs::copy(a, s).unwrap();
    for d in [&alex, &sam] {
        let run = d.run(PROMPT, &[]);
        assert!(run.stderr.contains("WARNING"), "{}", run.stderr);
    }
}

#[test]
fn a_key_with_a_passphrase_is_asked_for_on_a_terminal_and_refused_in_cron() {
    let sb = Sandbox::new();
    sb.ok(NEEDS, &["couple", "add", "Alex"]);
    sb.ok(NEEDS, &["couple", "add", "Sam"]);
    sb.ok(NEEDS, &["couple", "me", "Sam"]);
    sb.ok(TOUCH, &["boundary", "s0-sit-close", "maybe"]);
    sb.on_terminal(
        NEEDS,
        &["couple", "keys", "passphrase", "--as", "Sam"],
        &[
            ("new passphrase", "tea first\r"),
            ("same again", "tea first\r"),
        ],
    );
    let keys = std::fs::read_dir(sb.home().join(".config/closer/keys")).unwrap();
    let locked = keys
        .map(|e| std::fs::read(e.unwrap().path()).unwrap())
        .filter(|b| b.starts_with(b"age-encryption.org/v1\n"))
        .count();
    assert_eq!(
        locked, 1,
        "Sam's key, and only Sam's, is under a passphrase"
    );
    // No terminal: refused, and it says why.
    let run = sb.run(TOUCH, &["mine", "--as", "Sam"]);
    let line = run.error_line("touch-plan");
    assert!(
        line.contains("passphrase") && line.contains("terminal"),
        "{line}"
    );
    // Cron's prompt still comes, quietly, without Sam's private records.
    let cron = sb.run(PROMPT, &[]);
    assert_eq!((cron.code, cron.stderr.as_str()), (0, ""));
    // On a terminal, with the passphrase.
    let shown = sb.on_terminal(
        TOUCH,
        &["mine", "--as", "Sam"],
        &[("Passphrase", "tea first\r")],
    );
    assert!(shown.contains("s0-sit-close"), "{shown}");
    // A copy for another device is never written without a passphrase asked on a terminal.
    let copy = sb.path("sam.key");
    let run = sb.run(
        NEEDS,
        &[
            "couple",
            "keys",
            "export",
            copy.to_str().unwrap(),
            "--as",
            "Alex",
        ],
    );
    assert!(run.error_line("needs-list").contains("terminal"));
    assert!(!copy.exists());
    // Alex, whose key has no passphrase, is not asked.
    assert!(sb.run(TOUCH, &["mine", "--as", "Alex"]).code == 0);
}

/// Removing a partner who has a key takes that partner's key: Alex's device once removed Sam,
/// added a new "Sam" whose key it then made, said yes as that "Sam", and Sam's own device showed
/// the step in the plan as agreed.
#[test]
fn a_partner_with_a_key_is_removed_only_where_their_key_is() {
    let sb = Sandbox::new();
    let (alex, sam) = two_devices(&sb);
    sam.ok(NEEDS, &["couple", "today"]);
    let before = tree(&sb.data());
    let run = alex.run(NEEDS, &["couple", "remove", "Sam", "--yes"]);
    refused(&run, "needs-list", "Sam");
    assert_eq!(tree(&sb.data()), before, "nothing changed");
    let couple = json(&sam.ok(NEEDS, &["couple", "--json"]));
    assert_eq!(couple["partners"].as_array().unwrap().len(), 2);
    // Sam can leave, on Sam's own device.
    sam.ok(NEEDS, &["couple", "remove", "Sam", "--yes"]);
    // A partner who never had a key (a name added by mistake) can still be removed by either.
    alex.ok(NEEDS, &["couple", "add", "Jordan"]);
    alex.ok(NEEDS, &["couple", "remove", "Jordan", "--yes"]);
}

/// Only the author changes their own facts: another partner's name, conditions and key need
/// that partner's key on the device; and a couple is two. Alex's device once renamed Sam, gave
/// Sam conditions, added a third partner, and made Sam a new key with which it then acted as Sam.
#[test]
fn another_partners_profile_and_key_are_theirs_to_change_and_a_couple_is_two() {
    let sb = Sandbox::new();
    let (alex, sam) = two_devices(&sb);
    alex.ok(NEEDS, &["couple", "today"]);
    let before = tree(&sb.data());
    for args in [
        &["couple", "rename", "Sam", "Mallory"][..],
        &["couple", "set", "Sam", "--condition", "arthritis"],
        &["couple", "set", "Sam", "--clear"],
    ] {
        refused(&alex.run(NEEDS, args), "needs-list", "Sam");
    }
    let line = alex
        .run(NEEDS, &["couple", "keys", "new", "Sam", "--yes"])
        .error_line("needs-list")
        .to_owned();
    assert!(
        line.contains("not Sam's") && line.contains("couple keys recover"),
        "{line}"
    );
    let run = alex.run(NEEDS, &["couple", "add", "Jordan"]);
    let line = run.error_line("needs-list");
    assert_eq!(run.code, 1, "{line}");
    assert!(
        line.contains("Alex and Sam are a couple already") && line.contains("--dir"),
        "{line}"
    );
    assert!(
        before == tree(&sb.data()),
        "a refused run changed the folder"
    );
    refused(
        &alex.run(TOUCH, &["mine", "--as", "Sam"]),
        "touch-plan",
        "Sam",
    );
    // Each changes their own, on their own device.
    alex.ok(
        NEEDS,
        &["couple", "set", "Alex", "--condition", "arthritis"],
    );
    sam.ok(NEEDS, &["couple", "rename", "Sam", "Sammy"]);
    let shown = alex.ok(NEEDS, &["couple", "--plain"]);
    assert!(
        shown.contains("Alex\tarthritis") && shown.contains("Sammy\t"),
        "{shown}"
    );
    // Sam's new device, after every copy of the key was lost, makes Sam a new key (it pinned
    // the old one on first sight, but holds nobody's key); Alex's device warns until accepted.
    let laptop = device(&sb, "sam-laptop");
    laptop.ok(NEEDS, &["couple"]);
    laptop.ok(NEEDS, &["couple", "keys", "new", "Sammy", "--yes"]);
    let warned = alex.run(PROMPT, &[]);
    assert!(
        warned
            .stderr
            .contains("WARNING: Sammy's published keys changed"),
        "{}",
        warned.stderr
    );
}

/// An encrypted couple set up on one device (both keys made there), and a new device whose
/// data folder is a copy of it, holding no key yet.
fn encrypted_couple_and_new_device() -> (Sandbox, Sandbox) {
    let first = Sandbox::new();
    first.ok(NEEDS, &["couple", "add", "Alex"]);
    first.ok(NEEDS, &["couple", "add", "Sam"]);
    first.ok(NEEDS, &["couple", "me", "Alex"]);
    first.ok(
        NEEDS,
        &[
            "add",
            "Slow evenings, just for me",
            "--private",
            "--as",
            "Sam",
        ],
    );
    let new = Sandbox::new();
    support::copy_dir(&first.data(), &new.data());
    (first, new)
}

#[test]
fn a_new_device_of_an_encrypted_folder_gets_its_key_by_import_or_recovery_key() {
    let (first, new) = encrypted_couple_and_new_device();
    let copy = first.path("sam-key.age");
    let copy_arg = copy.display().to_string();
    first.on_terminal(
        NEEDS,
        &["couple", "keys", "export", &copy_arg, "--as", "Sam"],
        &[
            ("A passphrase", "long walk home\r"),
            ("same again", "long walk home\r"),
        ],
    );
    let said = new.on_terminal(
        NEEDS,
        &["couple", "keys", "import", &copy_arg],
        &[("Passphrase for this copy", "long walk home\r")],
    );
    assert!(said.contains("Sam's key is on this device now"), "{said}");
    assert!(said.contains("This device is Sam's"), "{said}");
    let shown = new.ok(NEEDS, &["--all", "--json"]);
    assert!(shown.contains("Slow evenings"), "{shown}");

    // A lost device: the recovery key alone brings Sam back.
    let recovery = first.ok(NEEDS, &["couple", "keys", "recovery", "--as", "Sam"]);
    let lost = Sandbox::new();
    support::copy_dir(&first.data(), &lost.data());
    let typed = format!("{}\r", recovery.trim());
    let said = lost.on_terminal(
        NEEDS,
        &["couple", "keys", "recover"],
        &[("recovery key", &typed)],
    );
    assert!(said.contains("Sam's key is on this device now"), "{said}");
    let shown = lost.ok(NEEDS, &["--all", "--json"]);
    assert!(shown.contains("Slow evenings"), "{shown}");
}

#[test]
fn a_passphrase_on_the_only_key_of_a_device_is_asked_on_a_terminal_and_named_in_cron() {
    let (first, new) = encrypted_couple_and_new_device();
    // Sam's device, holding Sam's key only.
    let (from, to) = (
        first.home().join(".config/closer/keys"),
        new.home().join(".config/closer/keys"),
    );
    std::fs::create_dir_all(&to).unwrap();
    let sam_id = std::fs::read_dir(first.data().join("keys"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .map(|p| p.file_stem().unwrap().to_string_lossy().into_owned())
        .find(|id| {
            // Alex's is the device's partner on the first device.
            !std::fs::read_to_string(first.home().join(".config/closer/device.toml"))
                .unwrap()
                .contains(id.as_str())
        })
        .unwrap();
    std::fs::copy(
        from.join(format!("{sam_id}.key")),
        to.join(format!("{sam_id}.key")),
    )
    .unwrap();
    new.ok(NEEDS, &["couple", "me", "Sam"]);
    new.on_terminal(
        NEEDS,
        &["couple", "keys", "passphrase"],
        &[
            ("new passphrase", "night owl\r"),
            ("same again", "night owl\r"),
        ],
    );
    // On a terminal, the passphrase is asked and the command goes on.
    let shown = new.on_terminal(NEEDS, &["--all"], &[("Passphrase", "night owl\r")]);
    assert!(shown.contains("Slow evenings"), "{shown}");
    // In cron: said plainly, exit 1.
    let cron = new.run(PROMPT, &[]);
    let line = cron.error_line("prompt-of-the-day");
    assert_eq!(cron.code, 1, "{line}");
    assert!(
        line.contains("protected by a passphrase") && line.contains("terminal"),
        "{line}"
    );
    assert!(!cron.stderr.contains("panicked"), "{}", cron.stderr);
    // The passphrase comes off again.
    new.on_terminal(
        NEEDS,
        &["couple", "keys", "passphrase", "--remove"],
        &[("Passphrase", "night owl\r")],
    );
    assert!(new.ok(NEEDS, &["--all"]).contains("Slow evenings"));
}
