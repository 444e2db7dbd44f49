//! Each device remembers the last version of each signed record it trusted: a hold deleted or
//! put in another name, a need rolled back to an earlier signed version or with lines of its
//! history dropped, and a partner file forged, are each reported on the devices that trusted
//! them, which keep using the version they trusted; `couple doctor` puts it back. An older copy
//! of a partner's own boundaries or opt-in put back is reported on their device and not used.

use super::*;
use closer_core::crypto::{Keys, PublicKeys, seal};
use support::{CLOSER_EXPORT, NEEDS, TOUCH};

/// The key a device holds for partner `id`.
fn held(d: &Device, id: &str) -> Keys {
    let text = std::fs::read_to_string(d.config.join(format!("closer/keys/{id}.key"))).unwrap();
    Keys::from_text(&text).unwrap()
}

/// The one sealed record file in `dir` (a folder inside the data folder), and its place.
fn only_file(sb: &Sandbox, dir: &str) -> (PathBuf, String) {
    let files: Vec<PathBuf> = std::fs::read_dir(sb.data().join(dir))
        .unwrap()
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == "age"))
        .collect();
    let [file] = &files[..] else {
        panic!("one record in {dir}: {files:?}")
    };
    let stem = file.file_stem().unwrap().to_str().unwrap();
    (file.clone(), format!("{dir}/{stem}"))
}

/// What `keys` opens at `file`, as JSON.
fn open(keys: &Keys, file: &Path, place: &str, signer: &PublicKeys) -> Value {
    let bytes = std::fs::read(file).unwrap();
    let o = seal::open(keys, &bytes, place, |_| Some(signer.clone())).unwrap();
    serde_json::from_slice(&o.body).unwrap()
}

/// `body` sealed to both partners and signed by `keys` as partner `signer`, put at `file`.
fn forge(
    file: &Path,
    place: &str,
    keys: &Keys,
    signer: &str,
    readers: &[&PublicKeys],
    body: &Value,
) {
    let bytes = serde_json::to_vec_pretty(body).unwrap();
    std::fs::write(
        file,
        seal::seal(keys, signer, place, &bytes, readers).unwrap(),
    )
    .unwrap();
}

fn holds(d: &Device) -> (Vec<Value>, String) {
    let run = d.run(TOUCH, &["show", "--json"]);
    (
        json(run.ok())["holds"].as_array().unwrap().clone(),
        run.stderr,
    )
}

/// Sam sets a hold on Sam's device, and both devices see it.
fn sams_hold(sb: &Sandbox, alex: &Device, sam: &Device) -> (PathBuf, String) {
    sam.ok(
        TOUCH,
        &[
            "hold",
            "--from-stage",
            "1",
            "--until",
            "2026-06-01",
            "--reason",
            "scan",
        ],
    );
    assert_eq!(holds(alex).0.len(), 1);
    assert_eq!(holds(sam).0.len(), 1);
    only_file(sb, "touch/holds")
}

#[test]
fn a_hold_deleted_from_the_folder_is_reported_kept_and_put_back_by_doctor() {
    let sb = Sandbox::new();
    let (alex, sam) = two_devices(&sb);
    let (file, _) = sams_hold(&sb, &alex, &sam);
    let name = file.file_name().unwrap().to_str().unwrap().to_owned();

    // Someone who can write into the folder, with no key, deletes it.
    std::fs::remove_file(&file).unwrap();
    for d in [&alex, &sam] {
        let (h, said) = holds(d);
        assert_eq!(h.len(), 1, "the hold vanished, said: {said}");
        assert!(said.contains(&name), "not reported: {said}");
        assert!(said.contains("couple doctor"), "{said}");
    }
    // Alex's device cannot sign Sam's hold, but puts back the version Sam signed.
    alex.ok(NEEDS, &["couple", "doctor"]);
    assert!(file.exists());
    for d in [&alex, &sam] {
        let (h, said) = holds(d);
        assert_eq!(h.len(), 1);
        assert!(!said.contains(&name), "{said}");
    }
}

#[test]
fn a_hold_replaced_by_one_in_the_other_partners_name_is_reported_and_the_real_one_kept() {
    let sb = Sandbox::new();
    let (alex, sam) = two_devices(&sb);
    let (a, s) = (alex.id_of("Alex"), alex.id_of("Sam"));
    let (file, place) = sams_hold(&sb, &alex, &sam);
    let (ka, kb) = (held(&alex, &a), {
        let text =
            std::fs::read_to_string(sam.config.join(format!("closer/keys/{s}.key"))).unwrap();
        Keys::from_text(&text).unwrap().public()
    });
    // Alex, with Alex's own key, rewrites Sam's hold as one Alex set, and lifts it.
    let mut h = open(&ka, &file, &place, &kb);
    assert_eq!(h["by"], s.as_str());
    h["by"] = a.as_str().into();
    h["released"] = "2026-03-02".into();
    h["released_by"] = a.as_str().into();
    forge(&file, &place, &ka, &a, &[&ka.public(), &kb], &h);

    // Sam's device still shows the hold Sam set, in force, and says what happened.
    let run = sam.run(TOUCH, &["mine", "--json"]);
    let mine = json(run.ok())["holds"].clone();
    assert_eq!(mine.as_array().unwrap().len(), 1, "{}", run.stderr);
    assert!(mine[0]["released"].is_null(), "{mine}");
    let name = file.file_name().unwrap().to_str().unwrap();
    assert!(run.stderr.contains(name), "{}", run.stderr);
    assert_eq!(holds(&alex).0.len(), 1);
}

#[test]
fn a_need_put_back_to_an_earlier_signed_version_or_with_history_dropped_is_reported() {
    let sb = Sandbox::new();
    let (alex, sam) = two_devices(&sb);
    let (a, s) = (alex.id_of("Alex"), alex.id_of("Sam"));
    sam.ok(NEEDS, &["add", "A walk after dinner"]);
    let (file, place) = only_file(&sb, "needs");
    let earlier = std::fs::read(&file).unwrap();
    let id = place.trim_start_matches("needs/");
    sam.ok(NEEDS, &["comment", &id[..8], "Most days after six"]);
    let history = |d: &Device| {
        let run = d.run(NEEDS, &["show", &id[..8], "--json"]);
        (
            json(run.ok())["history"].as_array().unwrap().len(),
            run.stderr,
        )
    };
    assert_eq!(history(&alex).0, 2);

    // A keyless writer puts the earlier file back, byte for byte: validly signed, but old.
    let latest = std::fs::read(&file).unwrap();
    std::fs::write(&file, &earlier).unwrap();
    for d in [&alex, &sam] {
        let (n, said) = history(d);
        assert_eq!(n, 2, "rolled back, said: {said}");
        assert!(said.contains(&format!("{id}.age")), "not reported: {said}");
    }
    sam.ok(NEEDS, &["couple", "doctor"]);
    assert_eq!(std::fs::read(&file).unwrap(), latest);
    assert!(!history(&alex).1.contains(id));

    // Alex, with Alex's own key, drops Sam's last line of history and signs the need anew.
    let ka = held(&alex, &a);
    let kb = held(&sam, &s).public();
    let mut need = open(&ka, &file, &place, &kb);
    need["history"].as_array_mut().unwrap().pop();
    need["signed"]["history"].as_array_mut().unwrap().pop();
    forge(&file, &place, &ka, &a, &[&ka.public(), &kb], &need);
    let (n, said) = history(&sam);
    assert_eq!(n, 2, "a line was dropped, said: {said}");
    assert!(said.contains(&format!("{id}.age")), "not reported: {said}");
}

#[test]
fn a_forged_partner_file_leaves_the_partner_in_place_and_doctor_restores_the_real_one() {
    let sb = Sandbox::new();
    let (alex, sam) = two_devices(&sb);
    let s = alex.id_of("Sam");
    let place = format!("partners/{s}");
    let file = sb.data().join(format!("{place}.age"));
    let real = std::fs::read(&file).unwrap();
    // Someone with a key of their own, not Sam's, writes a partner file in Sam's place.
    let mallory = Keys::generate();
    let a = alex.id_of("Alex");
    let ka = held(&alex, &a);
    forge(
        &file,
        &place,
        &mallory,
        &s,
        &[&ka.public(), &mallory.public()],
        &serde_json::json!({"version": 1, "id": s, "name": "Mallory", "conditions": [], "sexual": false, "added": "2026-03-01"}),
    );
    let run = alex.run(NEEDS, &["couple", "--json"]);
    let names = crate::partner_names(run.ok());
    assert_eq!(names, ["Alex", "Sam"], "{}", run.stderr);
    assert!(run.stderr.contains(&format!("{s}.age")), "{}", run.stderr);
    // Alex's device puts Sam's own signed file back.
    alex.ok(NEEDS, &["couple", "doctor"]);
    assert_eq!(std::fs::read(&file).unwrap(), real);
    let run = sam.run(NEEDS, &["couple", "--json"]);
    assert!(!run.stderr.contains(&format!("{s}.age")), "{}", run.stderr);
}

#[test]
fn what_partners_do_themselves_raises_no_alarm() {
    let sb = Sandbox::new();
    let (alex, sam) = two_devices(&sb);
    // The owner lifts their own hold.
    sams_hold(&sb, &alex, &sam);
    sam.ok(TOUCH, &["hold", "--release"]);
    let (h, said) = holds(&alex);
    assert_eq!(h, Vec::<Value>::new(), "lifted");
    assert!(!said.contains(".age"), "{said}");
    // Both edit a need, one after the other; then its owner removes it.
    sam.ok(NEEDS, &["add", "A walk after dinner"]);
    let (_, place) = only_file(&sb, "needs");
    let id = &place["needs/".len()..]; // short IDs are prefixes
    let id = &id[..8];
    alex.ok(NEEDS, &["comment", id, "Yes, let's"]);
    sam.ok(NEEDS, &["comment", id, "Lovely"]);
    for d in [&alex, &sam] {
        let run = d.run(NEEDS, &["--all", "--json"]);
        assert!(!run.stderr.contains(".age"), "{}", run.stderr);
    }
    sam.ok(NEEDS, &["rm", id, "--yes"]);
    for d in [&alex, &sam] {
        let run = d.run(NEEDS, &["--all", "--json"]);
        assert!(run.ok().contains("[]"), "{}", run.ok());
        assert!(!run.stderr.contains(".age"), "{}", run.stderr);
    }
    // A need restored from an export after it was removed, on the other device.
    sam.ok(NEEDS, &["add", "Tea in bed on Sundays"]);
    let export = sb.path("sam.json");
    std::fs::write(&export, sam.ok(CLOSER_EXPORT, &["--format", "json"])).unwrap();
    let (_, place) = only_file(&sb, "needs");
    sam.ok(NEEDS, &["rm", &place["needs/".len()..], "--yes"]);
    let restored = sam.run(CLOSER_EXPORT, &["restore", export.to_str().unwrap()]);
    assert!(!restored.stderr.contains(".age"), "{}", restored.stderr);
    for d in [&alex, &sam] {
        let run = d.run(NEEDS, &["--all", "--json"]);
        assert!(run.ok().contains("Tea in bed"), "{}", run.stdout);
        assert!(!run.stderr.contains(".age"), "{}", run.stderr);
    }
    for d in [&sam, &alex] {
        let run = d.run(NEEDS, &["--all", "--json"]);
        assert!(run.ok().contains("Tea in bed"), "{}", run.stdout);
        assert!(!run.stderr.contains(".age"), "{}", run.stderr);
        let run = d.run(TOUCH, &["show", "--json"]);
        assert!(!run.stderr.contains(".age"), "{}", run.stderr);
    }
    // A device with no memory yet (a new one of Sam's) says nothing on first sight.
    let tablet = device(&sb, "tablet");
    share_keys(&sam, &tablet);
    tablet.ok(NEEDS, &["couple", "me", "Sam"]);
    let run = tablet.run(TOUCH, &["show", "--json"]);
    assert!(!run.stderr.contains(".age"), "{}", run.stderr);
}

#[test]
fn an_older_copy_of_a_partners_own_boundaries_or_opt_in_put_back_is_reported_and_not_used() {
    let sb = Sandbox::new();
    let (_alex, sam) = two_devices(&sb);
    let s = sam.id_of("Sam");
    let state = sb.data().join(format!("touch/{s}/state.age"));
    let optin = sb.data().join(format!("optin/{s}.age"));
    sam.ok(TOUCH, &["boundary", "s0-sit-close", "yes"]);
    sam.ok(NEEDS, &["couple", "opt-in", "sexual"]);
    let (yes, opted) = (
        std::fs::read(&state).unwrap(),
        std::fs::read(&optin).unwrap(),
    );
    sam.ok(TOUCH, &["boundary", "s0-sit-close", "no"]);
    sam.ok(NEEDS, &["couple", "opt-out", "sexual"]);

    // Whoever can write into the folder puts Sam's earlier, validly signed files back.
    std::fs::write(&state, &yes).unwrap();
    std::fs::write(&optin, &opted).unwrap();
    let run = sam.run(TOUCH, &["mine", "--json"]);
    let mine = json(run.ok());
    assert_eq!(mine["boundaries"]["s0-sit-close"], "no", "{mine}");
    assert!(
        run.stderr.contains("state.age"),
        "not reported: {}",
        run.stderr
    );
    let couple = json(&sam.ok(NEEDS, &["couple", "--json"]));
    assert_eq!(couple["you"]["sexual_opt_in"], false, "{couple}");
}

#[test]
fn an_older_body_map_put_back_is_reported_and_the_newer_one_kept() {
    let sb = Sandbox::new();
    let (alex, sam) = two_devices(&sb);
    let s = sam.id_of("Sam");
    for d in [&alex, &sam] {
        d.ok(TOUCH, &["boundary", "s0-sit-close", "yes"]);
    }
    let body = sb.data().join(format!("touch/{s}/body.age"));
    sam.ok(TOUCH, &["body", "arms", "ask-first"]);
    let earlier = std::fs::read(&body).unwrap();
    sam.ok(
        TOUCH,
        &["body", "shoulders", "off-limits", "--note", "surgery"],
    );
    let avoid = "Sam: avoid the shoulders (surgery)";
    for _ in 0..3 {
        alex.ok(TOUCH, &["today"]);
        sam.ok(TOUCH, &["today"]);
    }
    assert!(alex.ok(TOUCH, &["today"]).contains(avoid));

    // Whoever can write into the folder puts Sam's earlier, validly signed body map back. Alex's
    // device, which reads it, says so and keeps the newer one; Sam's reads Sam's own state.
    std::fs::write(&body, &earlier).unwrap();
    let run = alex.run(TOUCH, &["today"]);
    assert!(run.ok().contains(avoid), "the off-limits was dropped");
    assert!(
        run.stderr.contains("body.age"),
        "not reported: {}",
        run.stderr
    );
    assert!(sam.ok(TOUCH, &["today"]).contains(avoid));
}
