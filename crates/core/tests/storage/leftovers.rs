//! What a synced folder collects beside the records: files that arrived readable by others,
//! temp files of killed writes, editor and system clutter, a byte order mark.

use super::*;
use closer_core::store::{self, Store};
use closer_core::{needs, prompts};
use std::os::unix::fs::PermissionsExt;
use std::time::{Duration, SystemTime};

fn mode_of(p: &Path) -> u32 {
    fs::symlink_metadata(p).unwrap().permissions().mode() & 0o777
}

fn set_mode(p: &Path, mode: u32) {
    fs::set_permissions(p, fs::Permissions::from_mode(mode)).unwrap();
}

/// A data folder as `git clone` leaves it: folders 0755, files 0644.
fn cloned_folder() -> (tempfile::TempDir, PathBuf) {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("data");
    let store = Store::new(&dir);
    let n = needs::add(&store, need("alex00000000", "a shared need"), at()).unwrap();
    prompts::save_answer(
        &store,
        &id("alex00000000"),
        answer(day(2026, 3, 1), "the sea".into()),
    )
    .unwrap();
    for p in walk(&dir) {
        set_mode(&p, if p.is_dir() { 0o755 } else { 0o644 });
    }
    set_mode(&dir, 0o755);
    assert_eq!(mode_of(&dir.join(format!("needs/{}.json", n.id))), 0o644);
    (tmp, dir)
}

#[test]
fn a_cloned_folder_is_made_private_by_the_next_write_there_and_by_tidying() {
    let (_tmp, dir) = cloned_folder();
    let store = Store::new(&dir);
    assert!(store.exposed());
    needs::add(&store, need("alex00000000", "another need"), at()).unwrap();
    assert!(!store.exposed());
    assert_eq!(mode_of(&dir), 0o700);
    for p in walk(&dir.join("needs")) {
        assert_eq!(mode_of(&p), 0o600, "{}", p.display());
    }
    // The answers folder was not written to; tidying the whole folder reaches it too.
    assert_eq!(mode_of(&dir.join("answers/alex00000000/2026.json")), 0o644);
    assert!(store.tidy_all(SystemTime::now()).unwrap() > 0);
    for p in walk(&dir) {
        let want = if p.is_dir() { 0o700 } else { 0o600 };
        assert_eq!(mode_of(&p), want, "{}", p.display());
    }
}

#[test]
fn the_data_folder_tells_syncthing_and_git_to_leave_locks_and_temp_files_alone() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("data");
    fs::create_dir_all(&dir).unwrap();
    fs::write(dir.join(".gitignore"), "notes/").unwrap();
    needs::add(&Store::new(&dir), need("alex00000000", "a need"), at()).unwrap();
    let st = fs::read_to_string(dir.join(".stignore")).unwrap();
    assert!(st.lines().any(|l| l == ".lock") && st.lines().any(|l| l == ".tmp-*"));
    // The couple's own lines stay.
    assert_eq!(
        fs::read_to_string(dir.join(".gitignore")).unwrap(),
        "notes/\n.lock\n.tmp-*\n"
    );
}

#[test]
fn temp_files_are_removed_only_when_dead() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("data");
    let store = Store::new(&dir);
    let needs_dir = store.ensure_dir("needs").unwrap();
    // A writer that is gone (a finished child), one old enough to be dead, and one still at work.
    let mut child = std::process::Command::new("true").spawn().unwrap();
    let dead = child.id();
    child.wait().unwrap();
    let gone = needs_dir.join(format!(".tmp-{dead}-abc"));
    let old = needs_dir.join(".tmp-xyz");
    let live = needs_dir.join(format!(".tmp-{}-live", std::process::id()));
    for p in [&gone, &old, &live] {
        fs::write(p, b"{").unwrap();
    }
    fs::File::options()
        .write(true)
        .open(&old)
        .and_then(|f| f.set_modified(SystemTime::now() - Duration::from_secs(3600)))
        .unwrap();
    needs::add(&store, need("alex00000000", "a need"), at()).unwrap();
    assert!(!gone.exists() && !old.exists());
    assert!(
        live.exists(),
        "a temp file of a writer still at work was removed"
    );
}

#[test]
fn clutter_beside_records_is_never_read_as_a_record() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("data");
    let store = Store::new(&dir);
    let n = needs::add(&store, need("alex00000000", "a need"), at()).unwrap();
    prompts::save_answer(
        &store,
        &id("alex00000000"),
        answer(day(2026, 3, 1), "x".into()),
    )
    .unwrap();
    let text = fs::read(dir.join(format!("needs/{}.json", n.id))).unwrap();
    for rel in [
        "needs/.#abcd.json",
        "needs/#abcd.json#",
        "needs/abcd.json~",
        "needs/.abcd.json.swp",
        "needs/.DS_Store",
        "needs/desktop.ini",
        "answers/.DS_Store",
        "answers/desktop.ini",
        "answers/alex00000000/.DS_Store",
        "answers/alex00000000/.#2026.json",
    ] {
        fs::write(dir.join(rel), b"\0\x01 not json").unwrap();
    }
    // A backup that is a whole need is not a second need either.
    fs::write(dir.join(format!("needs/{}.json.bak", n.id)), &text).unwrap();
    assert_eq!(needs::load_all(&store).unwrap(), vec![n]);
    assert_eq!(prompts::all_answers(&store, None, None).unwrap().len(), 1);
}

#[test]
fn a_byte_order_mark_is_accepted() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("data");
    let store = Store::new(&dir);
    let n = needs::add(&store, need("alex00000000", "a need"), at()).unwrap();
    let path = dir.join(format!("needs/{}.json", n.id));
    let mut bytes = b"\xEF\xBB\xBF".to_vec();
    bytes.extend(fs::read(&path).unwrap());
    fs::write(&path, bytes).unwrap();
    assert_eq!(needs::load_all(&store).unwrap(), vec![n.clone()]);
    needs::change(
        &store,
        &n.id,
        &id("alex00000000"),
        day(2026, 3, 2),
        at(),
        |n| {
            n.text = "changed".into();
            Ok("edited".into())
        },
    )
    .unwrap();
    assert_eq!(needs::load_all(&store).unwrap()[0].text, "changed");
}

#[test]
fn a_record_with_git_conflict_markers_is_skipped_and_noted() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("data");
    let store = Store::new(&dir);
    let a = needs::add(&store, need("alex00000000", "one"), at()).unwrap();
    let b = needs::add(&store, need("alex00000000", "two"), at()).unwrap();
    let path = dir.join(format!("needs/{}.json", b.id));
    let text = fs::read_to_string(&path).unwrap().replace(
        "  \"text\": \"two\",\n",
        "<<<<<<< HEAD\n  \"text\": \"two\",\n=======\n  \"text\": \"deux\",\n>>>>>>> theirs\n",
    );
    fs::write(&path, text).unwrap();
    assert_eq!(needs::load_all(&store).unwrap(), vec![a]);
    assert!(store::skipped_conflicts().contains(&path));
}
