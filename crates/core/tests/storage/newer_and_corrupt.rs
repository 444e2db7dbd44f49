//! Files from a newer version are read-only, and a corrupt file is reported with its place;
//! neither is ever rewritten.

use super::*;
use closer_core::Error;
use closer_core::needs;
use closer_core::prompts;
use closer_core::store::Store;

/// A need on disk, and its path.
fn one_need(store: &Store) -> (Need, PathBuf) {
    let n = needs::add(store, need("alex00000000", "ask before you help me"), at()).unwrap();
    let path = store.path(&format!("needs/{}.json", n.id));
    (n, path)
}

fn edit_text(store: &Store, id: &str, called: &mut bool) -> closer_core::Result<Need> {
    needs::change(
        store,
        &super::id(id),
        &super::id("alex00000000"),
        day(2026, 3, 2),
        at(),
        |n| {
            *called = true;
            n.text = "changed".into();
            Ok("edited".into())
        },
    )
}

#[test]
fn a_file_from_a_newer_version_is_read_only() {
    let tmp = tempfile::tempdir().unwrap();
    let store = Store::new(tmp.path());
    let (n, path) = one_need(&store);
    let rel = format!("needs/{}.json", n.id);

    // Same shape, higher version; then a shape this version cannot read at all.
    let mut v: serde_json::Value = serde_json::from_slice(&fs::read(&path).unwrap()).unwrap();
    v["version"] = 2.into();
    let same_shape = serde_json::to_vec_pretty(&v).unwrap();
    v["text"] = serde_json::json!({"rich": [{"span": "ask before you help me"}]});
    let new_shape = serde_json::to_vec_pretty(&v).unwrap();

    for bytes in [same_shape, new_shape] {
        fs::write(&path, &bytes).unwrap();
        let mut called = false;
        let err = edit_text(&store, &n.id, &mut called).unwrap_err();
        assert!(matches!(err, Error::Newer { found: 2, .. }), "{err:?}");
        let msg = err.to_string();
        assert!(msg.contains("read-only") && msg.contains("newer"), "{msg}");
        assert!(msg.contains(&path.display().to_string()), "{msg}");
        assert!(
            !called,
            "the change was worked out on a file it must not touch"
        );

        let err = store
            .update::<Need, _>(&rel, |old| Ok(old.expect("the file is there")))
            .unwrap_err();
        assert!(err.to_string().contains("read-only"), "{err}");
        let err = store.write(&rel, &n).unwrap_err();
        assert!(matches!(err, Error::Newer { .. }), "{err:?}");
        let err = needs::remove(&store, &n, day(2026, 3, 2)).unwrap_err();
        assert!(matches!(err, Error::Newer { .. }), "{err:?}");

        assert_eq!(
            fs::read(&path).unwrap(),
            bytes,
            "the newer file was changed"
        );
    }
}

#[test]
fn a_corrupt_file_is_reported_with_its_place_and_never_overwritten() {
    let tmp = tempfile::tempdir().unwrap();
    let store = Store::new(tmp.path());
    let (n, path) = one_need(&store);
    let rel = format!("needs/{}.json", n.id);
    let good = fs::read(&path).unwrap();
    let torn = &good[..good.len() / 2];
    fs::write(&path, torn).unwrap();
    let expected = serde_json::from_slice::<serde_json::Value>(torn).unwrap_err();
    let place = format!(
        "{}:{}:{}:",
        path.display(),
        expected.line(),
        expected.column()
    );
    assert!(
        expected.line() > 1,
        "the tear should be past the first line"
    );

    let check = |err: Error, what: &str| {
        match &err {
            Error::Corrupt { line, column, .. } => {
                assert_eq!(
                    (*line, *column),
                    (expected.line(), expected.column()),
                    "{what}"
                )
            }
            other => panic!("{what}: not reported as corrupt: {other:?}"),
        }
        let msg = err.to_string();
        assert!(msg.starts_with(&place), "{what}: {msg}");
        assert_eq!(
            fs::read(&path).unwrap(),
            torn,
            "{what} changed the corrupt file"
        );
    };
    let mut called = false;
    check(
        edit_text(&store, &n.id, &mut called).unwrap_err(),
        "needs::change",
    );
    assert!(!called);
    check(
        store
            .update::<Need, _>(&rel, |_| Ok(n.clone()))
            .unwrap_err(),
        "Store::update",
    );
    check(store.write(&rel, &n).unwrap_err(), "Store::write");
    check(
        needs::remove(&store, &n, day(2026, 3, 2)).unwrap_err(),
        "needs::remove",
    );
    // Listing leaves it out, says where it is torn, and lists the rest.
    assert!(needs::load_all(&store).unwrap().is_empty());
    let noted = store.take_left_out();
    assert!(noted.iter().any(|m| m.contains(&place)), "{noted:?}");
    assert_eq!(
        fs::read(&path).unwrap(),
        torn,
        "listing changed the corrupt file"
    );

    // An answer file torn the same way is left alone by the next answer.
    let a = answer(day(2026, 3, 1), "first".into());
    prompts::save_answer(&store, &id("sam000000000"), a).unwrap();
    let apath = store.path("answers/sam000000000/2026.json");
    let agood = fs::read(&apath).unwrap();
    let atorn = &agood[..agood.len() - 3];
    fs::write(&apath, atorn).unwrap();
    let err = prompts::save_answer(
        &store,
        &id("sam000000000"),
        answer(day(2026, 3, 2), "x".into()),
    )
    .unwrap_err();
    assert!(matches!(err, Error::Corrupt { .. }), "{err:?}");
    assert!(
        err.to_string()
            .starts_with(&format!("{}:", apath.display()))
    );
    assert_eq!(fs::read(&apath).unwrap(), atorn);
}
