//! Own content files in the shared data folder: both devices use the same library and rotation;
//! a file only in one device's config folder still loads, and the prompt tool says once that
//! the two libraries differ.

use super::*;
use support::{NEEDS, PROMPT};

const OURS: &str = "version = 1\n[category]\nid = \"our-walks\"\nname = \"Walks\"\nabout = \"Our walks.\"\n\n[[prompt]]\nid = \"our-walks-1\"\ntext = \"Where shall we walk on Sunday?\"\ndepth = \"light\"\nlow_energy = false\n";

fn ids(d: &Device) -> Vec<String> {
    let list = json(&d.ok(PROMPT, &["list", "--json"]));
    list.as_array()
        .unwrap()
        .iter()
        .map(|p| p["id"].as_str().unwrap().to_owned())
        .collect()
}

#[test]
fn own_content_in_the_data_folder_is_shared_and_a_difference_is_said_once() {
    let sb = Sandbox::new();
    let (alex, sam) = (device(&sb, "alex"), device(&sb, "sam"));
    alex.ok(PROMPT, &["couple", "add", "Alex"]);
    alex.ok(PROMPT, &["couple", "add", "Sam"]);
    share_keys(&alex, &sam);

    // Alex's own file, in Alex's config folder only: loaded there, not on Sam's device.
    std::fs::create_dir_all(alex.config.join("closer/content")).unwrap();
    std::fs::write(alex.config.join("closer/content/ours.toml"), OURS).unwrap();
    assert!(ids(&alex).contains(&"our-walks-1".to_owned()));
    assert!(!ids(&sam).contains(&"our-walks-1".to_owned()));
    alex.ok(PROMPT, &["couple", "me", "Alex"]);
    sam.ok(PROMPT, &["couple", "me", "Sam"]);

    let first = sam.run(PROMPT, &[]);
    first.ok();
    assert!(
        first
            .stderr
            .contains("Alex's device uses a different prompt library"),
        "{}",
        first.stderr
    );
    let again = sam.run(PROMPT, &[]);
    assert_eq!(again.stderr, "", "said once");
    assert_eq!(again.stdout, first.stdout);

    // Moved into the shared data folder: the same library and the same prompts on both.
    std::fs::create_dir_all(sb.data().join("content")).unwrap();
    std::fs::rename(
        alex.config.join("closer/content/ours.toml"),
        sb.data().join("content/ours.toml"),
    )
    .unwrap();
    // The folder is encrypted: a file that came after is sealed only once looked at on a
    // terminal, or when this device first sees the folder encrypted with it there (here: after
    // a round through plain files). Sealed for both, signed by the partner who added it.
    alex.ok(PROMPT, &["couple", "decrypt", "--yes"]);
    alex.ok(PROMPT, &["couple", "encrypt"]);
    assert_eq!(ids(&alex), ids(&sam));
    assert!(ids(&sam).contains(&"our-walks-1".to_owned()));
    for day in ["2026-03-02", "2026-03-03", "2026-03-04"] {
        sb.set_today(day);
        let (a, s) = (alex.run(PROMPT, &[]), sam.run(PROMPT, &[]));
        assert_eq!(a.ok(), s.ok(), "{day}");
        assert_eq!(s.stderr, "", "{day}: the libraries no longer differ");
    }
}

#[test]
fn a_shared_content_file_that_cannot_be_used_is_named_and_left_out_on_both_devices() {
    let sb = Sandbox::new();
    sb.ok(NEEDS, &["couple", "add", "Alex"]);
    sb.ok(NEEDS, &["couple", "add", "Sam"]);
    sb.ok(NEEDS, &["couple", "decrypt", "--yes", "--as", "Alex"]);
    let (alex, sam) = (device(&sb, "alex"), device(&sb, "sam"));
    let content = sb.data().join("content");
    std::fs::create_dir_all(&content).unwrap();
    std::fs::write(content.join("ours.toml"), OURS).unwrap();
    // A quote left open on line 9, as a hand edit on one device would leave it.
    std::fs::write(
        content.join("broken.toml"),
        OURS.replace("our-walks", "our-talks")
            .replace("Sunday?\"", "Sunday?"),
    )
    .unwrap();
    // Parses, but uses a depth that does not exist (line 10).
    std::fs::write(
        content.join("deeper.toml"),
        OURS.replace("our-walks", "our-dreams")
            .replace("\"light\"", "\"bottomless\""),
    )
    .unwrap();
    // Not text at all.
    std::fs::write(content.join("binary.toml"), [0xff, 0xfe, 0x00, 0x41]).unwrap();

    for d in [&alex, &sam] {
        let first = d.run(PROMPT, &["list", "--json"]);
        let ids: Vec<String> = json(first.ok())
            .as_array()
            .unwrap()
            .iter()
            .map(|p| p["id"].as_str().unwrap().to_owned())
            .collect();
        assert!(
            ids.contains(&"our-walks-1".to_owned()),
            "the rest still loads"
        );
        assert!(
            !ids.iter()
                .any(|i| i.starts_with("our-talks") || i.starts_with("our-dreams"))
        );
        for (file, place) in [
            ("broken.toml", ":9:"),
            ("deeper.toml", ":10:"),
            ("binary.toml", ":1:1:"),
        ] {
            let line = first
                .stderr
                .lines()
                .find(|l| l.contains(file))
                .unwrap_or_else(|| panic!("{file} not named: {}", first.stderr));
            assert!(line.contains(&format!("content/{file}{place}")), "{line}");
            assert!(line.contains("fix or remove it"), "{line}");
        }
        assert!(!first.stderr.contains("ours.toml"), "{}", first.stderr);

        // Said once; every tool keeps working, cron's prompt of the day too.
        let again = d.run(PROMPT, &[]);
        again.ok();
        assert!(
            !again.stderr.contains(".toml"),
            "said once: {}",
            again.stderr
        );
        d.ok(NEEDS, &[]);
        d.ok(support::TOUCH, &["today"]);
        d.ok(support::EXPORT, &["--format", "json"]);
    }

    // Fixed on one device: used by both, nothing more said.
    std::fs::write(
        content.join("broken.toml"),
        OURS.replace("our-walks", "our-talks"),
    )
    .unwrap();
    for d in [&alex, &sam] {
        let r = d.run(PROMPT, &["list", "--json"]);
        assert!(r.ok().contains("our-talks-1"));
        assert!(!r.stderr.contains("broken.toml"), "{}", r.stderr);
    }
}

fn walks(numbers: &[u32]) -> String {
    let mut text = "version = 1\n# Our own walks.\n[category]\nid = \"our-walks\"\nname = \"Walks\"\nabout = \"Our walks.\"\n".to_owned();
    for n in numbers {
        text.push_str(&format!(
            "\n[[prompt]]\nid = \"our-walks-{n}\"\ntext = \"Which walk number {n} shall we take?\"\ndepth = \"light\"\nlow_energy = false\n"
        ));
    }
    text
}

fn ours(d: &Device) -> Vec<String> {
    let mut v: Vec<String> = ids(d)
        .into_iter()
        .filter(|i| i.starts_with("our-walks"))
        .collect();
    v.sort();
    v
}

/// One device deletes a prompt from a shared content file while the other adds one; syncing
/// leaves the two versions side by side. `couple doctor`, whichever version the sync tool kept,
/// keeps the addition. On the device that saw the deletion the deleted prompt stays out; the
/// other device cannot tell it from one added there, so it keeps it and names it.
#[test]
fn a_content_merge_keeps_additions_and_does_not_bring_back_an_item_deleted_on_its_device() {
    for (doctor_on, copy_is_alexs) in [
        ("alex", true),
        ("alex", false),
        ("sam", true),
        ("sam", false),
    ] {
        let sb = Sandbox::new();
        sb.ok(NEEDS, &["couple", "add", "Alex"]);
        sb.ok(NEEDS, &["couple", "add", "Sam"]);
        sb.ok(NEEDS, &["couple", "decrypt", "--yes", "--as", "Alex"]);
        let (alex, sam) = (device(&sb, "alex"), device(&sb, "sam"));
        let content = sb.data().join("content");
        std::fs::create_dir_all(&content).unwrap();
        let file = content.join("walks.toml");
        std::fs::write(&file, walks(&[1, 2, 3])).unwrap();
        for d in [&alex, &sam] {
            assert_eq!(ours(d).len(), 3);
        }
        // Alex deletes the second walk and uses the tools; Sam adds a fourth and does too.
        std::fs::write(&file, walks(&[1, 3])).unwrap();
        assert_eq!(ours(&alex).len(), 2);
        std::fs::write(&file, walks(&[1, 2, 3, 4])).unwrap();
        assert_eq!(ours(&sam).len(), 4);
        // Syncing keeps one version and puts the other beside it.
        let (kept, copy) = match copy_is_alexs {
            true => (walks(&[1, 2, 3, 4]), walks(&[1, 3])),
            false => (walks(&[1, 3]), walks(&[1, 2, 3, 4])),
        };
        std::fs::write(&file, kept).unwrap();
        std::fs::write(
            content.join("walks.sync-conflict-20260302-101500-BBBBBBB.toml"),
            copy,
        )
        .unwrap();
        let d = if doctor_on == "alex" { &alex } else { &sam };
        // A command before the doctor sees the other device's version; that changes nothing.
        d.ok(PROMPT, &["list", "--json"]);
        let said = d.run(NEEDS, &["couple", "doctor"]);
        said.ok();
        let want: &[&str] = match doctor_on {
            "alex" => &["our-walks-1", "our-walks-3", "our-walks-4"],
            _ => &["our-walks-1", "our-walks-2", "our-walks-3", "our-walks-4"],
        };
        assert_eq!(
            said.stderr
                .contains("prompt our-walks-2. If you deleted it"),
            doctor_on == "sam",
            "{}",
            said.stderr
        );
        for d in [&alex, &sam] {
            assert_eq!(
                ours(d),
                want,
                "doctor on {doctor_on}, the copy is Alex's: {copy_is_alexs}\n{}",
                std::fs::read_to_string(&file).unwrap()
            );
        }
        let text = std::fs::read_to_string(&file).unwrap();
        assert!(
            text.starts_with("version = 1\n# Our own walks.\n"),
            "{text}"
        );
    }
}

/// Sam adds a walk before Sam's device first looks at the file, while Alex adds another: Sam's
/// device cannot tell Sam's addition from an item that was there before the two versions parted
/// and that Alex deleted. `couple doctor` keeps both additions, whichever version the sync tool
/// kept, and names the one it could not tell, so that a real deletion can be made again.
#[test]
fn an_addition_made_before_a_device_first_looked_is_kept_and_named() {
    for copy_is_alexs in [true, false] {
        let sb = Sandbox::new();
        sb.ok(NEEDS, &["couple", "add", "Alex"]);
        sb.ok(NEEDS, &["couple", "add", "Sam"]);
        sb.ok(NEEDS, &["couple", "decrypt", "--yes", "--as", "Alex"]);
        let (alex, sam) = (device(&sb, "alex"), device(&sb, "sam"));
        let content = sb.data().join("content");
        std::fs::create_dir_all(&content).unwrap();
        let file = content.join("walks.toml");
        std::fs::write(&file, walks(&[1, 2, 3])).unwrap();
        assert_eq!(ours(&alex).len(), 3);
        std::fs::write(&file, walks(&[1, 2, 3, 5])).unwrap();
        assert_eq!(ours(&alex).len(), 4);
        // Sam's copy of the folder had not taken Alex's change when Sam added a walk; only then
        // did Sam's device first look at the file.
        std::fs::write(&file, walks(&[1, 2, 3, 4])).unwrap();
        assert_eq!(ours(&sam).len(), 4);
        let (kept, copy) = match copy_is_alexs {
            true => (walks(&[1, 2, 3, 4]), walks(&[1, 2, 3, 5])),
            false => (walks(&[1, 2, 3, 5]), walks(&[1, 2, 3, 4])),
        };
        std::fs::write(&file, kept).unwrap();
        std::fs::write(
            content.join("walks.sync-conflict-20260302-101500-BBBBBBB.toml"),
            copy,
        )
        .unwrap();
        sam.ok(PROMPT, &["list", "--json"]);
        let said = sam.run(NEEDS, &["couple", "doctor"]);
        said.ok();
        let want = [
            "our-walks-1",
            "our-walks-2",
            "our-walks-3",
            "our-walks-4",
            "our-walks-5",
        ];
        for d in [&alex, &sam] {
            assert_eq!(
                ours(d),
                want,
                "the copy is Alex's: {copy_is_alexs}\n{}",
                std::fs::read_to_string(&file).unwrap()
            );
        }
        assert!(
            said.stderr.contains("our-walks-4") && !said.stderr.contains("our-walks-5"),
            "{}",
            said.stderr
        );
    }
}

/// In an encrypted folder the couple's own content is sealed to both and signed: a plain file
/// put there (as anyone who can write into the folder could) is named once and left out, on
/// both devices and from cron; `couple encrypt` seals it for both, `couple decrypt` opens it.
#[test]
fn content_in_an_encrypted_folder_is_sealed_signed_and_a_plain_one_is_left_out() {
    let sb = Sandbox::new();
    let (alex, sam) = two_devices(&sb);
    let content = sb.data().join("content");
    std::fs::create_dir_all(&content).unwrap();
    std::fs::write(content.join("ours.toml"), OURS).unwrap();
    for d in [&alex, &sam] {
        let first = d.run(PROMPT, &["list", "--json"]);
        assert!(
            !first.ok().contains("our-walks-1"),
            "a plain file is not used"
        );
        let line = first
            .stderr
            .lines()
            .find(|l| l.contains("ours.toml"))
            .unwrap_or_else(|| panic!("not named: {}", first.stderr));
        assert!(line.contains("couple encrypt"), "{line}");
        let again = d.run(PROMPT, &[]);
        again.ok();
        assert!(
            !again.stderr.contains("ours.toml"),
            "said once: {}",
            again.stderr
        );
    }
    // Off a terminal it stays plain; sealed by the partner who added it, for both, once their
    // device first sees the folder encrypted with it there (here: after a round through plain).
    // Everything else is done: cron's run ends well, and says what waits for a terminal.
    let left = alex.run(PROMPT, &["couple", "encrypt"]);
    assert_eq!(left.code, 0, "{left:?}");
    let waits = (left.stderr.lines())
        .find(|l| l.contains("ours.toml"))
        .unwrap_or_else(|| panic!("not named: {}", left.stderr));
    assert!(waits.contains("on a terminal"), "{waits}");
    assert!(content.join("ours.toml").exists());
    assert!(!content.join("ours.toml.age").exists());
    alex.ok(PROMPT, &["couple", "decrypt", "--yes"]);
    alex.ok(PROMPT, &["couple", "encrypt"]);
    assert!(!content.join("ours.toml").exists());
    let sealed = std::fs::read(content.join("ours.toml.age")).unwrap();
    assert!(sealed.starts_with(b"age-encryption.org/v1\n"));
    assert!(!String::from_utf8_lossy(&sealed).contains("Sunday"));
    for d in [&alex, &sam] {
        let r = d.run(PROMPT, &["list", "--json"]);
        assert!(r.ok().contains("our-walks-1"), "{}", r.stderr);
        assert!(!r.stderr.contains("ours.toml"), "{}", r.stderr);
    }
    // Moved to another name, or not sealed by closer at all: named and left out.
    std::fs::write(content.join("moved.toml.age"), &sealed).unwrap();
    std::fs::write(
        content.join("forged.toml.age"),
        b"age-encryption.org/v1\nnot really",
    )
    .unwrap();
    for d in [&alex, &sam] {
        let r = d.run(PROMPT, &["list", "--json"]);
        assert_eq!(r.ok().matches("\"our-walks-1\"").count(), 1, "{}", r.stdout);
        for name in ["moved.toml.age", "forged.toml.age"] {
            assert!(r.stderr.contains(name), "{name}: {}", r.stderr);
        }
        d.ok(NEEDS, &[]);
    }
    std::fs::remove_file(content.join("moved.toml.age")).unwrap();
    std::fs::remove_file(content.join("forged.toml.age")).unwrap();
    // A second version from syncing is merged by the doctor on either device.
    let copy = content.join("ours.sync-conflict-20260302-101500-BBBBBBB.toml.age");
    std::fs::write(&copy, &sealed).unwrap();
    sam.ok(NEEDS, &["couple", "doctor"]);
    assert!(!copy.exists());
    // Opened again, byte for byte.
    alex.ok(PROMPT, &["couple", "decrypt", "--yes"]);
    assert_eq!(
        std::fs::read_to_string(content.join("ours.toml")).unwrap(),
        OURS
    );
    assert!(!content.join("ours.toml.age").exists());
}

/// A plain content file that anyone who can write into the folder drops there after it was
/// encrypted is never sealed in a partner's name by `couple encrypt` off a terminal (cron, a
/// script, Enter at every prompt): it is named, left plain and out, and never shown.
#[test]
fn couple_encrypt_off_a_terminal_never_seals_a_content_file_that_came_after_encryption() {
    let sb = Sandbox::new();
    let (alex, sam) = two_devices(&sb);
    alex.ok(PROMPT, &["list"]);
    let content = sb.data().join("content");
    std::fs::create_dir_all(&content).unwrap();
    let pushy = OURS.replace("our-walks", "pushy").replace(
        "Where shall we walk on Sunday?",
        "Your partner said yes to everything.",
    );
    std::fs::write(content.join("pushy.toml"), &pushy).unwrap();
    let warned = alex.run(PROMPT, &["list"]);
    let line = warned
        .stderr
        .lines()
        .find(|l| l.contains("pushy.toml"))
        .unwrap_or_else(|| panic!("not named: {}", warned.stderr));
    assert!(
        !line.contains("seals it for you both"),
        "the warning must not advise sealing what nobody has looked at: {line}"
    );
    let r = alex.run(PROMPT, &["couple", "encrypt"]);
    assert!(content.join("pushy.toml").exists(), "{}", r.stdout);
    assert!(
        !content.join("pushy.toml.age").exists(),
        "sealed and signed unseen: {}",
        r.stdout
    );
    let said = format!("{}{}", r.stdout, r.stderr);
    assert!(
        said.contains("pushy.toml") && said.contains("on a terminal"),
        "what was left plain is named, with what to do: {said}"
    );
    for d in [&alex, &sam] {
        let list = d.run(PROMPT, &["list", "--json"]);
        assert!(!list.ok().contains("pushy-1"), "shown: {}", list.stdout);
        let today = d.run(PROMPT, &["--json"]);
        assert!(!today.stdout.contains("said yes"), "{}", today.stdout);
    }
}

/// A content file that came after encryption, on a terminal: `couple encrypt` shows it and asks;
/// Enter says no, so it stays plain and unused; "y" seals it for both.
#[test]
fn enter_at_the_content_question_leaves_the_file_plain_and_unused() {
    let sb = Sandbox::new();
    sb.ok(NEEDS, &["couple", "add", "Alex"]);
    sb.ok(NEEDS, &["couple", "add", "Sam"]);
    sb.ok(PROMPT, &["--as", "Alex"]);
    let content = sb.data().join("content");
    std::fs::create_dir_all(&content).unwrap();
    // Its text turned round on the screen by a bidi override would show something else.
    let turned = OURS.replace("walk on", "walk \u{202e}on");
    std::fs::write(content.join("ours.toml"), turned).unwrap();
    let ask = "Did you put this file there yourself?";
    let (said, _) = sb.on_terminal_ending(
        PROMPT,
        &["couple", "encrypt", "--as", "Alex"],
        &[(ask, "\r")],
    );
    assert!(said.contains("Where shall we walk"), "shown first: {said}");
    assert!(!said.contains('\u{202e}'), "shown inert: {said}");
    assert!(content.join("ours.toml").exists(), "{said}");
    assert!(!content.join("ours.toml.age").exists(), "{said}");
    let r = sb.run(PROMPT, &["list", "--json", "--as", "Alex"]);
    assert!(!r.ok().contains("our-walks-1"), "{}", r.stdout);
    sb.on_terminal(
        PROMPT,
        &["couple", "encrypt", "--as", "Alex"],
        &[(ask, "y")],
    );
    assert!(!content.join("ours.toml").exists());
    assert!(content.join("ours.toml.age").exists());
    let r = sb.run(PROMPT, &["list", "--json", "--as", "Alex"]);
    assert!(r.ok().contains("our-walks-1"), "{}", r.stderr);
}
