//! Daily notes: `--append-to` adds the day's block once, after what is there, and keeps the
//! note's permissions.

use super::*;
use std::fs;
use std::os::unix::fs::PermissionsExt;

#[test]
fn appending_to_a_note_twice_leaves_one_block_and_keeps_the_note() {
    let s = Sandbox::new();
    s.couple_in(&s.data());
    let note = s.tmp.path().join("notes").join("daily.md");
    fs::create_dir(note.parent().unwrap()).unwrap();
    let mine = "# Sunday\n\nSlept badly; a slow morning.\n";
    fs::write(&note, mine).unwrap();
    fs::set_permissions(&note, fs::Permissions::from_mode(0o640)).unwrap();
    let file = note.to_str().unwrap();
    let block = s.ok(&["--markdown"]);
    assert!(block.starts_with(&format!("<!-- closer:prompt-of-the-day {TODAY} -->\n")));

    for _ in 0..2 {
        let r = s.run(&["--append-to", file]);
        assert_eq!((r.code, r.stdout.as_str(), r.stderr.as_str()), (0, "", ""));
    }
    let text = fs::read_to_string(&note).unwrap();
    assert_eq!(text, format!("{mine}\n{block}"));
    assert_eq!(
        fs::metadata(&note).unwrap().permissions().mode() & 0o777,
        0o640
    );

    // Another day adds its own block after the first.
    let r = s.run(&["--append-to", file, "--date", "2026-03-02"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let next = s.ok(&["--markdown", "--date", "2026-03-02"]);
    assert_eq!(
        fs::read_to_string(&note).unwrap(),
        format!("{mine}\n{block}\n{next}")
    );
    // A note that does not exist yet is created with just the block.
    let fresh = s.tmp.path().join("notes").join("fresh.md");
    s.ok(&["--append-to", fresh.to_str().unwrap()]);
    assert_eq!(fs::read_to_string(&fresh).unwrap(), block);
}
