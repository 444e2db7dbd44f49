//! Two devices, each holding only its own partner's key: a partner's touch state (boundaries,
//! readiness) opens for nobody but them, even for someone who decrypts every file under `touch/`
//! and `psi/` with the other partner's key, while both devices still show the same plan, body
//! maps and today's step, and export the same plan.

use super::*;
use support::{EXPORT, NEEDS, TOUCH};

/// Every file under `touch/` and `psi/` that the one key on device `d` opens, except under
/// `touch/SKIP/` (that partner's own folder), as a curious partner would with `rage -d -i KEY`:
/// (file, plaintext).
fn opened_with(d: &Device, data: &Path, skip: &str) -> Vec<(String, String)> {
    let id = identity(d);
    let mut out = Vec::new();
    for top in ["touch", "psi"] {
        for (rel, bytes) in support::tree(&data.join(top)) {
            let rel = format!("{top}/{rel}");
            if rel.starts_with(&format!("touch/{skip}/")) {
                continue;
            }
            if let Some(plain) = open(&bytes, &id) {
                out.push((rel, String::from_utf8_lossy(&plain).into_owned()));
            }
        }
    }
    out
}

/// The joint state of every step, as `touch-plan show --json` gives it.
fn joint_plan(d: &Device) -> Vec<(String, String)> {
    let v = json(&d.ok(TOUCH, &["show", "--json"]));
    let mut steps: Vec<(String, String)> = v["steps"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| (s["id"].to_string(), s["joint"].to_string()))
        .collect();
    steps.push(("current".into(), v["current"]["id"].to_string()));
    steps
}

#[test]
fn the_other_partners_key_opens_no_boundary_or_readiness_and_both_devices_agree() {
    let sb = Sandbox::new();
    let (alex, sam) = two_devices(&sb);
    let (alex_id, sam_id) = (alex.id_of("Alex"), alex.id_of("Sam"));
    let turns = || {
        for _ in 0..3 {
            alex.ok(TOUCH, &["today"]);
            sam.ok(TOUCH, &["today"]);
        }
    };
    for (step, answer) in [
        ("s0-sit-close", "yes"),
        ("s0-hold-hands", "yes"),
        ("s1-short-hug", "no"),
    ] {
        alex.ok(TOUCH, &["boundary", step, answer]);
    }
    // Sam's "maybe" where Alex said no, lone "yes" and "no" are Sam's alone.
    for (step, answer) in [
        ("s0-sit-close", "yes"),
        ("s0-hold-hands", "maybe"),
        ("s1-short-hug", "maybe"),
        ("s1-face-to-face", "yes"),
        ("s2-hand-massage", "no"),
    ] {
        sam.ok(TOUCH, &["boundary", step, answer]);
    }
    let sams_note = "left shoulder: surgery";
    let alexs_note = "right elbow: old fracture";
    sam.ok(
        TOUCH,
        &["body", "shoulders", "off-limits", "--note", sams_note],
    );
    alex.ok(TOUCH, &["body", "arms", "ask-first", "--note", alexs_note]);
    turns();
    sam.ok(TOUCH, &["ready"]);
    turns();

    // Sam's own key opens Sam's state: the test looks where the answers are.
    let own = opened_with(&sam, &sb.data(), &alex_id);
    assert!(
        own.iter()
            .any(|(f, t)| f.starts_with(&format!("touch/{sam_id}/"))
                && t.contains("s2-hand-massage")),
        "{own:?}"
    );
    for (reader, skip, secrets, shared_note) in [
        (
            &alex,
            &alex_id,
            &["s1-short-hug", "s1-face-to-face", "s2-hand-massage"][..],
            sams_note,
        ),
        (&sam, &sam_id, &["s1-short-hug"][..], alexs_note),
    ] {
        let opened = opened_with(reader, &sb.data(), skip);
        assert!(
            opened.iter().any(|(_, t)| t.contains(shared_note)),
            "the other partner's body map is shared: {opened:?}"
        );
        for (file, text) in &opened {
            for secret in secrets.iter().copied().chain([
                "\"boundaries\"",
                "\"kind\":\"ready\"",
                "help_shown",
            ]) {
                assert!(
                    !text.contains(secret),
                    "{file} opens with the other partner's key and shows {secret}: {text}"
                );
            }
        }
    }

    // Both devices show the same plan, body maps and step, and export the same plan.
    let plan = joint_plan(&alex);
    assert_eq!(plan, joint_plan(&sam));
    let row = |id: &str| {
        plan.iter()
            .find(|(s, _)| *s == format!("\"{id}\""))
            .unwrap()
            .1
            .clone()
    };
    assert_eq!(row("s0-sit-close"), "\"in-plan\"");
    assert_eq!(row("s0-hold-hands"), "\"talk-first\"");
    assert_eq!(row("s1-short-hug"), "\"not-in-plan\"");
    let today = |d: &Device| d.ok(TOUCH, &["today"]);
    let (a, s) = (today(&alex), today(&sam));
    assert_eq!(a.lines().next(), s.lines().next());
    assert!(a.contains("s0-sit-close"), "{a}");
    for t in [&a, &s] {
        assert!(
            t.contains(&format!("Sam: avoid the shoulders ({sams_note})"))
                && t.contains(&format!(
                    "Alex: ask before touching the arms ({alexs_note})"
                )),
            "{t}"
        );
    }
    let glance = |d: &Device| json(&d.ok(NEEDS, &["couple", "today", "--json"]))["touch"].clone();
    assert_eq!(glance(&alex), glance(&sam));
    let exported = |d: &Device| {
        let t = json(&d.ok(EXPORT, &["--format", "json"]))["touch"].clone();
        (
            t["current"].clone(),
            t["paused"].clone(),
            t["in_plan"].clone(),
        )
    };
    let (ea, es) = (exported(&alex), exported(&sam));
    assert_eq!(ea, es);
    assert_eq!(ea.2, serde_json::json!(["s0-sit-close"]), "{ea:?}");
}

/// The age identity in device `d`'s one key file.
fn identity(d: &Device) -> age::x25519::Identity {
    let keys: Vec<_> = std::fs::read_dir(d.config.join("closer/keys"))
        .unwrap()
        .flatten()
        .collect();
    assert_eq!(keys.len(), 1, "this device holds one key");
    std::fs::read_to_string(keys[0].path())
        .unwrap()
        .lines()
        .find(|l| l.starts_with("AGE-SECRET-KEY-"))
        .unwrap()
        .parse()
        .unwrap()
}

fn open(sealed: &[u8], id: &age::x25519::Identity) -> Option<Vec<u8>> {
    let mut r = age::Decryptor::new(sealed)
        .ok()?
        .decrypt(std::iter::once(id as &dyn age::Identity))
        .ok()?;
    let mut plain = Vec::new();
    std::io::Read::read_to_end(&mut r, &mut plain).ok()?;
    Some(plain)
}

#[test]
fn a_state_an_earlier_version_sealed_to_both_is_sealed_to_its_owner_on_their_next_run() {
    let sb = Sandbox::new();
    let (alex, sam) = two_devices(&sb);
    let sam_id = alex.id_of("Sam");
    for d in [&alex, &sam] {
        d.ok(TOUCH, &["boundary", "s0-sit-close", "yes"]);
    }
    let note = "left shoulder: surgery";
    sam.ok(TOUCH, &["boundary", "s2-hand-massage", "no"]);
    sam.ok(TOUCH, &["body", "shoulders", "off-limits", "--note", note]);
    for _ in 0..3 {
        alex.ok(TOUCH, &["today"]);
        sam.ok(TOUCH, &["today"]);
    }
    // As an earlier version left it: the same sealed record encrypted to both partners, and no
    // body map published on its own.
    let (a, s) = (identity(&alex), identity(&sam));
    let file = sb.data().join(format!("touch/{sam_id}/state.age"));
    let inside = open(&std::fs::read(&file).unwrap(), &s).unwrap();
    assert!(open(&std::fs::read(&file).unwrap(), &a).is_none());
    let (ra, rs) = (a.to_public(), s.to_public());
    let to_both = age::Encryptor::with_recipients(
        [&ra as &dyn age::Recipient, &rs as &dyn age::Recipient].into_iter(),
    )
    .unwrap();
    let mut sealed = Vec::new();
    let mut w = to_both.wrap_output(&mut sealed).unwrap();
    std::io::Write::write_all(&mut w, &inside).unwrap();
    w.finish().unwrap();
    std::fs::write(&file, &sealed).unwrap();
    std::fs::remove_file(sb.data().join(format!("touch/{sam_id}/body.age"))).unwrap();
    let leaked = String::from_utf8_lossy(&open(&sealed, &a).unwrap()).into_owned();
    assert!(
        leaked.contains("s2-hand-massage"),
        "the test starts from the leak"
    );
    let avoid = format!("Sam: avoid the shoulders ({note})");
    assert!(
        alex.ok(TOUCH, &["today"]).contains(&avoid),
        "read as before"
    );

    // Sam's device's next run seals it to Sam alone, the same inside, and publishes the body map.
    sam.ok(TOUCH, &["today"]);
    let now = std::fs::read(&file).unwrap();
    assert!(open(&now, &a).is_none(), "Alex's key no longer opens it");
    // The same record under a new signed header (its version counter goes up).
    let record = |p: &[u8]| p[p.iter().position(|&b| b == b'\n').unwrap()..].to_vec();
    assert_eq!(
        record(&open(&now, &s).unwrap()),
        record(&inside),
        "nothing lost"
    );
    assert!(alex.ok(TOUCH, &["today"]).contains(&avoid));
    let mine = json(&sam.ok(TOUCH, &["mine", "--json"]));
    assert_eq!(mine["boundaries"]["s2-hand-massage"], "no", "{mine}");
}
