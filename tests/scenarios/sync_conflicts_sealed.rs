//! Two encrypted devices that both changed a need before they synced: whichever version the sync
//! tool keeps as the file (Syncthing keeps the one changed last by the clock, Dropbox the one
//! that reached it first), neither device takes it for an old copy put back, each says it as a
//! conflict, and `couple doctor` on the device whose version is beside the file keeps every line
//! of both.

use super::*;
use support::NEEDS;

const COPY: &str = ".sync-conflict-20260302-101500-BBBBBBB.age";

/// The lines of the need's history a device shows, and what it said.
fn lines(d: &Device, id: &str) -> (Vec<String>, String) {
    let run = d.run(NEEDS, &["show", id, "--json"]);
    let v = json(run.ok());
    let what = v["history"].as_array().unwrap().iter();
    let what = what
        .map(|c| c["change"].as_str().unwrap().to_owned())
        .collect();
    (what, run.stderr)
}

/// Sam comments once and Alex twice (a higher version counter) while apart; syncing keeps
/// Sam's version as the file when `sams_is_the_file`, else Alex's, and the other beside it.
fn both_comment(sams_is_the_file: bool) {
    let sb = Sandbox::new();
    let (alex, sam) = two_devices(&sb);
    sam.ok(NEEDS, &["add", "A walk after dinner"]);
    let dir = sb.data().join("needs");
    let mut files = std::fs::read_dir(&dir).unwrap().flatten().map(|e| e.path());
    let file = files
        .find(|p| p.extension().is_some_and(|x| x == "age"))
        .unwrap();
    let id = file.file_stem().unwrap().to_str().unwrap().to_owned();
    for d in [&alex, &sam] {
        assert_eq!(lines(d, &id).0.len(), 1);
    }
    let parted = std::fs::read(&file).unwrap();
    sam.ok(NEEDS, &["comment", &id, "sam note"]);
    let sams = std::fs::read(&file).unwrap();
    std::fs::write(&file, &parted).unwrap();
    alex.ok(NEEDS, &["comment", &id, "alex note 1"]);
    alex.ok(NEEDS, &["comment", &id, "alex note 2"]);
    let alexs = std::fs::read(&file).unwrap();
    let (kept, beside, merges) = match sams_is_the_file {
        true => (sams, alexs, &alex),
        false => (alexs, sams, &sam),
    };
    std::fs::write(&file, kept).unwrap();
    std::fs::write(dir.join(format!("{id}{COPY}")), beside).unwrap();
    for d in [&alex, &sam] {
        let said = lines(d, &id).1;
        assert!(said.contains("couple doctor"), "{said}");
        assert!(!said.contains("trusted"), "no old copy put back: {said}");
    }
    let run = merges.run(NEEDS, &["couple", "doctor"]);
    let out = run.ok();
    assert!(!out.contains("Put back"), "{out}");
    for d in [&alex, &sam] {
        let (seen, said) = lines(d, &id);
        for note in ["sam note", "alex note 1", "alex note 2"] {
            assert!(seen.iter().any(|l| l.contains(note)), "{note}: {seen:?}");
        }
        assert!(!said.contains(&id), "{said}");
    }
}

#[test]
fn the_version_with_the_lower_counter_kept_as_the_file_loses_nothing() {
    both_comment(true);
}

#[test]
fn the_later_version_kept_as_the_file_loses_nothing() {
    both_comment(false);
}
