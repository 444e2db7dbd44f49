//! A damaged shared file (the folder's `folder.json`, a round publication, one's own touch state
//! replaced by a folder) is named with why and what to do, and every tool keeps working on what
//! it can trust: the prompt of the day still prints from cron.

use super::*;
use support::{NEEDS, PROMPT, TOUCH};

/// Alex and Sam on two devices, both with a step they said yes to, the rounds run on both.
fn couple_with_rounds(sb: &Sandbox) -> (Device<'_>, Device<'_>) {
    let (alex, sam) = two_devices(sb);
    alex.ok(TOUCH, &["boundary", "s0-hold-hands", "yes"]);
    sam.ok(TOUCH, &["boundary", "s0-hold-hands", "yes"]);
    for _ in 0..2 {
        alex.ok(TOUCH, &["show"]);
        sam.ok(TOUCH, &["show"]);
    }
    (alex, sam)
}

#[test]
fn a_damaged_folder_file_stops_no_tool_and_says_what_to_do() {
    for damage in ["fields", "bytes", "folder"] {
        let sb = Sandbox::new();
        let (alex, sam) = couple_with_rounds(&sb);
        let file = sb.data().join("folder.json");
        std::fs::remove_file(&file).unwrap();
        match damage {
            "fields" => std::fs::write(&file, b"{\"version\":1}").unwrap(),
            "bytes" => std::fs::write(&file, b"\x8f\x00garbage").unwrap(),
            _ => std::fs::create_dir(&file).unwrap(),
        }
        for dev in [&alex, &sam] {
            // Cron: no terminal, just the prompt.
            let r = dev.run(PROMPT, &[]);
            assert_eq!(r.code, 0, "{damage}: {r:?}");
            assert!(!r.stdout.trim().is_empty(), "{damage}: no prompt: {r:?}");
            assert!(
                r.stderr.contains("folder.json") && r.stderr.contains("couple encrypt"),
                "{damage}: the file, and what to run: {}",
                r.stderr
            );
            let r = dev.run(TOUCH, &["show"]);
            assert_eq!(r.code, 0, "{damage}: {r:?}");
            assert!(r.stdout.contains("s0-hold-hands"), "{damage}: {r:?}");
            let r = dev.run(NEEDS, &["couple", "today"]);
            assert_eq!(r.code, 0, "{damage}: {r:?}");
            // Still encrypted: a plain record dropped now is not trusted.
            assert!(!r.stderr.contains("panicked"), "{}", r.stderr);
        }
        // What it says to do puts it right.
        if damage == "folder" {
            std::fs::remove_dir(&file).unwrap();
        } else {
            std::fs::remove_file(&file).unwrap();
        }
        alex.ok(NEEDS, &["couple", "encrypt"]);
        let r = sam.run(PROMPT, &[]);
        assert_eq!((r.code, r.stderr.as_str()), (0, ""), "{damage}: {r:?}");
    }
}

#[test]
fn a_folder_in_place_of_ones_own_round_or_state_leaves_couple_today_working() {
    for place in ["psi/plan", "psi/ready", "psi/optin", "state"] {
        let sb = Sandbox::new();
        let (_alex, sam) = couple_with_rounds(&sb);
        let id = sam.id_of("Sam");
        let rel = if place == "state" {
            format!("touch/{id}/state.age")
        } else {
            format!("{place}/{id}.age")
        };
        let file = sb.data().join(&rel);
        if file.exists() {
            std::fs::remove_file(&file).unwrap();
        }
        std::fs::create_dir_all(&file).unwrap();
        let r = sam.run(NEEDS, &["couple", "today"]);
        assert_eq!(r.code, 0, "{place}: {r:?}");
        assert!(r.stdout.contains("Prompt:"), "{place}: {r:?}");
        assert!(
            r.stderr.contains(&rel) && r.stderr.contains("folder"),
            "{place}: the file and why: {}",
            r.stderr
        );
        let r = sam.run(PROMPT, &[]);
        assert_eq!(r.code, 0, "{place}: {r:?}");
    }
}
