//! What the synced folder holds is checked before it is used: a record whose ID cannot be used,
//! or that is not named after its ID, is left out and noted; paths never leave the folder; links
//! inside the folder are never followed.

use super::*;
use closer_core::Error;
use closer_core::needs;
use closer_core::store::Store;

fn store_with_one_need() -> (tempfile::TempDir, Store, Need) {
    let tmp = tempfile::tempdir().unwrap();
    let store = Store::new(tmp.path().join("data"));
    let n = needs::add(&store, need("alex0000", "a warm room"), at()).unwrap();
    (tmp, store, n)
}

fn forge(store: &Store, from: &Need, id: &str, file: &str) {
    let mut v: serde_json::Value =
        serde_json::from_slice(&fs::read(store.path(&format!("needs/{}.json", from.id))).unwrap())
            .unwrap();
    v["id"] = id.into();
    fs::write(
        store.path(&format!("needs/{file}")),
        serde_json::to_vec(&v).unwrap(),
    )
    .unwrap();
}

#[test]
fn records_with_unusable_ids_are_left_out_and_noted() {
    let (_tmp, store, n) = store_with_one_need();
    forge(&store, &n, "../touch/alex0000/state", "zzzz0000.json");
    forge(&store, &n, "ab", "ab.json");
    forge(&store, &n, "äbcdefgh", "äbcdefgh.json");
    // A valid ID in someone else's file: using it would change the other file.
    forge(&store, &n, &n.id, "zzzz1111.json");
    let all = needs::load_all(&store).unwrap();
    assert_eq!(all.len(), 1);
    assert_eq!(all[0].id, n.id);
    let noted = store.take_left_out();
    for f in ["zzzz0000.json", "ab.json", "äbcdefgh.json", "zzzz1111.json"] {
        assert!(
            noted.iter().any(|m| m.contains(f)),
            "{f} not noted: {noted:?}"
        );
    }
    assert!(noted.iter().any(|m| m.contains("not its file name")));
    assert!(store.take_left_out().is_empty(), "noted once");
}

#[test]
fn paths_that_leave_the_folder_are_refused() {
    let (tmp, store, n) = store_with_one_need();
    for rel in [
        "../escaped.json",
        "/tmp/escaped.json",
        "needs/../../escaped.json",
    ] {
        assert!(store.write(rel, &n).is_err(), "{rel}");
        assert!(store.lock(rel).is_err(), "{rel}");
        assert!(store.remove(rel).is_err(), "{rel}");
    }
    assert!(!tmp.path().join("escaped.json").exists());
}

#[test]
fn links_inside_the_folder_are_never_followed() {
    let (tmp, store, _) = store_with_one_need();
    let outside = tmp.path().join("outside");
    std::os::unix::fs::symlink(&outside, store.path("touch")).unwrap();
    assert!(matches!(store.lock("touch/abcd"), Err(Error::Invalid(_))));
    assert!(!outside.exists());
    fs::remove_file(store.path("needs/.lock")).unwrap();
    std::os::unix::fs::symlink(&outside, store.path("needs/.lock")).unwrap();
    let err = store.lock("needs").unwrap_err().to_string();
    assert!(err.contains("link"), "{err}");
    assert!(!outside.exists(), "the lock followed a dangling link");
    // The data folder itself may be a link (a synced folder kept elsewhere).
    let linked = Store::new(tmp.path().join("linked"));
    std::os::unix::fs::symlink(store.root(), linked.root()).unwrap();
    fs::remove_file(store.path("needs/.lock")).unwrap();
    assert!(linked.lock("needs").is_ok());
}

/// A `.gitignore` or `.stignore` that arrives as a link is never followed: closer once read the
/// linked file (a key, say) and wrote its text, with its own lines added, into the synced folder.
#[test]
fn ignore_files_that_are_links_are_replaced_not_read() {
    let (tmp, store, n) = store_with_one_need();
    let secret = tmp.path().join("secret.key");
    fs::write(&secret, "AGE-SECRET-KEY-NOT-FOR-THE-FOLDER\n").unwrap();
    for name in [".gitignore", ".stignore"] {
        let link = store.root().join(name);
        fs::remove_file(&link).unwrap();
        std::os::unix::fs::symlink(&secret, &link).unwrap();
    }
    needs::add(&store, need("alex0000", "another warm room"), at()).unwrap();
    store.write(&format!("needs/{}.json", n.id), &n).unwrap();
    for name in [".gitignore", ".stignore"] {
        let path = store.root().join(name);
        assert!(!fs::symlink_metadata(&path).unwrap().is_symlink(), "{name}");
        let text = fs::read_to_string(&path).unwrap();
        assert!(!text.contains("SECRET"), "{name}: {text}");
        assert!(text.contains(".lock"), "{name}: {text}");
    }
    assert_eq!(
        fs::read_to_string(&secret).unwrap(),
        "AGE-SECRET-KEY-NOT-FOR-THE-FOLDER\n"
    );
}

#[test]
fn a_session_with_an_unusable_id_is_left_out_alone_and_kept_in_the_file() {
    use closer_core::touch;
    let tmp = tempfile::tempdir().unwrap();
    let store = Store::new(tmp.path().join("data"));
    let alex = id("alex00000001");
    touch::update_sessions(&store, &alex, |s| {
        for sid in ["sess0001", "sess0002"] {
            s.sessions.push(touch::Session {
                id: id(sid),
                date: day(2026, 3, 2),
                at: at(),
                step: "s0-sit-close".into(),
                giver: None,
                minutes: Some(10),
                note: None,
                extra: Default::default(),
            });
        }
        Ok(())
    })
    .unwrap();
    let rel = touch::sessions_path(&alex);
    let path = store.path(&rel);
    let text = fs::read_to_string(&path).unwrap().replace("sess0002", "x");
    fs::write(&path, &text).unwrap();

    let s = touch::load_sessions(&store, &alex).unwrap();
    assert_eq!(s.sessions.len(), 1, "the good session is still read");
    assert_eq!(s.sessions[0].id, id("sess0001"));
    let noted = store.take_left_out();
    assert!(
        noted
            .iter()
            .any(|m| m.contains("sessions.json") && m.contains("cannot be used")),
        "{noted:?}"
    );
    // A new session keeps the unusable one in the file, as it was.
    touch::update_sessions(&store, &alex, |s| {
        let mut more = s.sessions[0].clone();
        more.id = id("sess0003");
        s.sessions.push(more);
        Ok(())
    })
    .unwrap();
    let after = fs::read_to_string(&path).unwrap();
    assert!(after.contains("\"x\""), "{after}");
    assert_eq!(
        touch::load_sessions(&store, &alex).unwrap().sessions.len(),
        2
    );
}

/// A folder with a record's name (`needs/ID.json/`) is left out and noted: it once stopped
/// the whole listing with "Is a directory".
#[test]
fn a_folder_named_like_a_record_is_left_out_and_noted() {
    let (_tmp, store, n) = store_with_one_need();
    fs::create_dir(store.path("needs/abcd1234efgh.json")).unwrap();
    fs::write(store.path("needs/abcd1234efgh.json/inside"), "x").unwrap();
    let all = needs::load_all(&store).unwrap();
    assert_eq!(all.len(), 1);
    assert_eq!(all[0].id, n.id);
    let noted = store.take_left_out();
    assert!(
        noted.iter().any(|m| m.contains("abcd1234efgh.json")),
        "{noted:?}"
    );
}

/// Makes a named pipe at `path`.
fn mkfifo(path: &std::path::Path) {
    let made = std::process::Command::new("mkfifo").arg(path).status();
    assert!(made.unwrap().success(), "mkfifo {}", path.display());
}

/// A record file that is a named pipe (or a device) is not a record: opening one to read it
/// waited for ever for a writer, so every command (and every cron run) hung.
#[test]
fn a_record_that_is_a_named_pipe_is_left_out_and_noted_at_once() {
    let (_tmp, store, n) = store_with_one_need();
    let pipe = store.path("needs/bbbbbbbbbbbb.json");
    mkfifo(&pipe);
    let (tx, rx) = std::sync::mpsc::channel();
    let reader = store.clone();
    std::thread::spawn(move || {
        let all = needs::load_all(&reader).map(|v| v.len());
        let _ = tx.send((all, reader.take_left_out()));
    });
    let (all, noted) = rx
        .recv_timeout(std::time::Duration::from_secs(10))
        .unwrap_or_else(|_| {
            // Let the stuck reader go, then fail.
            let _ = fs::OpenOptions::new().write(true).open(&pipe);
            panic!("a named pipe in the folder was waited on");
        });
    assert_eq!(all.unwrap(), 1, "the other need is still listed ({})", n.id);
    assert!(
        noted.iter().any(|m| m.contains("bbbbbbbbbbbb.json")),
        "{noted:?}"
    );
}

#[test]
fn a_lock_file_that_is_a_named_pipe_is_refused_at_once_with_what_to_do() {
    let (_tmp, store, _n) = store_with_one_need();
    let pipe = store.path("needs/.lock");
    fs::remove_file(&pipe).unwrap();
    mkfifo(&pipe);
    let (tx, rx) = std::sync::mpsc::channel();
    let writer = store.clone();
    std::thread::spawn(move || {
        let _ = tx.send(writer.lock("needs").map(|_| ()).map_err(|e| e.to_string()));
    });
    let got = rx
        .recv_timeout(std::time::Duration::from_secs(10))
        .unwrap_or_else(|_| {
            // Let the stuck writer go, then fail.
            let _ = fs::OpenOptions::new().read(true).open(&pipe);
            panic!("a named pipe at the lock was waited on");
        });
    let err = got.unwrap_err();
    assert!(
        err.contains("needs/.lock") && err.contains("remove it"),
        "{err}"
    );
}

#[test]
fn a_record_file_far_bigger_than_any_record_is_left_out_unread() {
    let (_tmp, store, n) = store_with_one_need();
    let huge = fs::File::create(store.path("needs/bbbbbbbbbbbb.json")).unwrap();
    // Sparse: costs no disk, but reading it whole would take gigabytes of memory.
    huge.set_len(8 << 30).unwrap();
    let started = std::time::Instant::now();
    let all = needs::load_all(&store).unwrap();
    assert!(started.elapsed().as_secs() < 5, "it was read");
    assert_eq!(all.len(), 1, "the other need is still listed ({})", n.id);
    let noted = store.take_left_out();
    assert!(
        noted
            .iter()
            .any(|m| m.contains("bbbbbbbbbbbb.json") && m.contains("too large")),
        "{noted:?}"
    );
}
