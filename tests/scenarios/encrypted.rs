//! An encrypted folder, as a couple uses it: nothing personal in plain text anywhere in it; the
//! other partner's key opens none of a partner's own private facts; a forged or plain record is
//! reported and ignored and the plan does not move; a plain folder of twenty years becomes an
//! encrypted one with every record and the very same exports, even when the first run is killed.

use super::*;
use closer_core::crypto::{Keys, seal};
use std::io::Read;
use std::path::Path;
use support::{CLOSER_EXPORT, NEEDS, PROMPT, TOUCH, tree};

/// What the couple typed or chose, none of which may be in the folder as plain text.
const SECRETS: &[&str] = &[
    "Marguerite",
    "Oluwaseun",
    "arthritis",
    "post-surgery",
    "buttons on stiff mornings",
    "a quiet hour alone",
    "the walk by the river",
    "being read to",
    "left shoulder aches",
    "until the surgeon says so",
    "we laughed a lot",
    "s0-sit-close",
    "s1-short-hug",
];

fn contains(bytes: &[u8], text: &str) -> bool {
    bytes.windows(text.len()).any(|w| w == text.as_bytes())
}

fn id_of(sb: &Sandbox, name: &str) -> String {
    super::partner_id(&sb.ok(NEEDS, &["couple", "--json"]), name)
}

fn with<'a>(args: &[&'a str], who: &[&'a str]) -> Vec<&'a str> {
    [args, who].concat()
}

/// Two weeks of a couple on one shared device: needs (one private), answers, boundaries, a body
/// map, a hold, sessions and debriefs, a low-energy day, opt-ins.
fn weeks_of_use() -> Sandbox {
    let sb = Sandbox::new();
    let m = ["--as", "Marguerite"];
    let o = ["--as", "Oluwaseun"];
    sb.ok(
        NEEDS,
        &["couple", "add", "Marguerite", "--condition", "arthritis"],
    );
    sb.ok(
        NEEDS,
        &["couple", "add", "Oluwaseun", "--condition", "post-surgery"],
    );
    sb.ok(
        NEEDS,
        &with(&["add", "Help with buttons on stiff mornings"], &m),
    );
    sb.ok(
        NEEDS,
        &with(&["add", "A quiet hour alone", "--private"], &o),
    );
    for day in 2..16 {
        sb.set_today(&format!("2026-03-{day:02}"));
        if day == 2 {
            sb.ok(PROMPT, &with(&["answer", "the walk by the river"], &m));
            sb.ok(PROMPT, &with(&["answer", "being read to"], &o));
            for who in [&m, &o] {
                sb.ok(TOUCH, &with(&["boundary", "s0-sit-close", "yes"], who));
            }
            sb.ok(TOUCH, &with(&["boundary", "s1-short-hug", "no"], &o));
            sb.ok(
                TOUCH,
                &with(
                    &[
                        "body",
                        "shoulders",
                        "ask-first",
                        "--note",
                        "left shoulder aches",
                    ],
                    &m,
                ),
            );
            sb.ok(
                TOUCH,
                &with(
                    &[
                        "hold",
                        "--from-stage",
                        "2",
                        "--until",
                        "2026-05-01",
                        "--reason",
                        "until the surgeon says so",
                    ],
                    &o,
                ),
            );
            sb.ok(NEEDS, &with(&["couple", "opt-in", "sexual"], &m));
        }
        if day == 9 {
            sb.ok(NEEDS, &with(&["couple", "energy", "low"], &o));
            sb.ok(
                TOUCH,
                &with(
                    &["log", "--note", "we laughed a lot", "--minutes", "10"],
                    &m,
                ),
            );
        }
        sb.ok(TOUCH, &with(&["today"], &m));
    }
    sb
}

/// Every file's bytes below `dir`, and below the sandbox's cache, by path.
fn every_file(dir: &Path) -> Vec<(String, Vec<u8>)> {
    tree(dir)
        .into_iter()
        .filter(|(k, _)| !k.ends_with('/'))
        .collect()
}

#[test]
fn a_whole_folder_scan_after_weeks_of_use_finds_nothing_personal() {
    let sb = weeks_of_use();
    let files = every_file(&sb.data());
    assert!(files.iter().any(|(k, _)| k.ends_with(".age")), "{files:?}");
    for (path, bytes) in &files {
        for s in SECRETS {
            assert!(!contains(bytes, s), "{s:?} in plain text in {path}");
            assert!(!path.contains(s), "{s:?} in the file name {path}");
        }
    }
    // The same texts are there for the couple: the scan is not vacuous.
    let all = sb.ok(CLOSER_EXPORT, &["--format", "json", "--as", "Oluwaseun"]);
    for s in [
        "A quiet hour alone",
        "being read to",
        "until the surgeon says so",
    ] {
        assert!(all.contains(s), "{s}");
    }
}

/// The plaintext of every age file in the folder that `identity` opens, as `rage -d -i` would.
fn open_all(dir: &Path, identity: &str) -> Vec<(String, String)> {
    let ids = age::IdentityFile::from_buffer(identity.as_bytes())
        .unwrap()
        .into_identities()
        .unwrap();
    let mut out = Vec::new();
    for (path, bytes) in every_file(dir) {
        let Ok(d) = age::Decryptor::new(&bytes[..]) else {
            continue;
        };
        let Ok(mut r) = d.decrypt(ids.iter().map(|i| i.as_ref() as &dyn age::Identity)) else {
            continue;
        };
        let mut plain = Vec::new();
        r.read_to_end(&mut plain).unwrap();
        out.push((path, String::from_utf8_lossy(&plain).into_owned()));
    }
    out
}

#[test]
fn the_other_partners_key_opens_none_of_a_partners_own_private_facts() {
    let sb = weeks_of_use();
    let o = id_of(&sb, "Oluwaseun");
    let key = |id: &str| {
        std::fs::read_to_string(sb.home().join(format!(".config/closer/keys/{id}.key"))).unwrap()
    };
    let by_m = open_all(&sb.data(), &key(&id_of(&sb, "Marguerite")));
    let by_o = open_all(&sb.data(), &key(&o));
    // Marguerite's key opens the shared records...
    let shared = |v: &[(String, String)], s: &str| v.iter().any(|(_, t)| t.contains(s));
    assert!(shared(&by_m, "until the surgeon says so"));
    assert!(shared(&by_m, "Help with buttons on stiff mornings"));
    // ...but not Oluwaseun's private need, which only its owner's key opens.
    assert!(shared(&by_o, "A quiet hour alone"), "the owner opens it");
    assert!(!shared(&by_m, "A quiet hour alone"));
    let private = by_o
        .iter()
        .filter(|(p, _)| p.starts_with("needs/") && !by_m.iter().any(|(q, _)| q == p))
        .count();
    assert_eq!(
        private, 1,
        "the private need's file opens with its owner's key only"
    );
    // The touch state (boundaries, readiness, body map) opens with its owner's key only.
    let state = format!("touch/{o}/state.age");
    assert!(by_o.iter().any(|(p, _)| *p == state), "the owner opens it");
    assert!(!by_m.iter().any(|(p, _)| *p == state));
    // Her body map is shown to both: published on its own, it opens with his key.
    assert!(shared(&by_o, "left shoulder aches"));
}

fn in_plan(sb: &Sandbox, who: &str) -> bool {
    sb.ok(TOUCH, &["today", "--as", who])
        .contains("s0-sit-close")
}

#[test]
fn a_forged_or_plain_record_is_reported_ignored_and_moves_no_plan() {
    let sb = Sandbox::new();
    sb.ok(NEEDS, &["couple", "add", "Alex"]);
    sb.ok(NEEDS, &["couple", "add", "Sam"]);
    sb.ok(TOUCH, &["boundary", "s0-sit-close", "yes", "--as", "Sam"]);
    assert!(!in_plan(&sb, "Sam"), "Alex has said nothing");
    let (alex, sam) = (id_of(&sb, "Alex"), id_of(&sb, "Sam"));
    let keys_of = |id: &str| {
        let text = std::fs::read_to_string(sb.home().join(format!(".config/closer/keys/{id}.key")))
            .unwrap();
        Keys::from_text(&text).unwrap()
    };
    let (ka, ks) = (keys_of(&alex), keys_of(&sam));
    let place = format!("touch/{alex}/state");
    let body = format!(
        "{{\"version\":1,\"partner\":\"{alex}\",\"boundaries\":{{\"s0-sit-close\":\"yes\"}}}}\n"
    );
    let file = sb.data().join(format!("{place}.age"));
    std::fs::create_dir_all(file.parent().unwrap()).unwrap();
    // Sam's key, claiming to be Alex; Sam's key as Sam; Alex's own record moved from elsewhere.
    let readers = [&ka.public(), &ks.public()];
    let forged = [
        seal::seal(&ks, &alex, &place, body.as_bytes(), &readers).unwrap(),
        seal::seal(&ks, &sam, &place, body.as_bytes(), &readers).unwrap(),
        seal::seal(
            &ka,
            &alex,
            &format!("touch/{sam}/state"),
            body.as_bytes(),
            &readers,
        )
        .unwrap(),
    ];
    for bytes in forged {
        std::fs::write(&file, &bytes).unwrap();
        let r = sb.run(TOUCH, &["today", "--as", "Sam"]);
        assert!(
            !r.ok().contains("s0-sit-close"),
            "a forged yes moved the plan"
        );
        assert!(r.stderr.contains("state.age"), "not reported: {}", r.stderr);
        // Alex's own change is refused rather than written over it.
        let w = sb.run(TOUCH, &["boundary", "s0-sit-close", "no", "--as", "Alex"]);
        assert_eq!(w.code, 1, "{}", w.stderr);
        assert_eq!(std::fs::read(&file).unwrap(), bytes, "never overwritten");
    }
    // A plain record dropped into the encrypted folder is no way in either.
    std::fs::remove_file(&file).unwrap();
    std::fs::write(sb.data().join(format!("{place}.json")), &body).unwrap();
    let r = sb.run(TOUCH, &["today", "--as", "Sam"]);
    assert!(
        !r.ok().contains("s0-sit-close"),
        "a plain yes moved the plan"
    );
    assert!(r.stderr.contains("not trusted"), "{}", r.stderr);
    // Removed, Alex says yes with their own key and the step is in the plan: the test can tell.
    std::fs::remove_file(sb.data().join(format!("{place}.json"))).unwrap();
    sb.ok(TOUCH, &["boundary", "s0-sit-close", "yes", "--as", "Alex"]);
    assert!(in_plan(&sb, "Sam"));
}

/// The exports that must not change: JSON and Markdown, as each partner.
fn exports(sb: &Sandbox, data: &Path) -> Vec<String> {
    let mut out = Vec::new();
    for who in ["Alex", "Sam"] {
        for format in ["json", "markdown"] {
            out.push(
                sb.run_in(data, CLOSER_EXPORT, &["--format", format, "--as", who])
                    .ok()
                    .to_owned(),
            );
        }
    }
    out
}

/// Record files by kind: (plain, sealed).
fn counts(data: &Path) -> (usize, usize) {
    let files = every_file(data);
    let plain = files
        .iter()
        .filter(|(k, _)| k.ends_with(".json") && !k.starts_with("keys/") && k != "folder.json")
        .count();
    let sealed = files.iter().filter(|(k, _)| k.ends_with(".age")).count();
    (plain, sealed)
}

/// Whether any file below `dir` is sealed, by name only (files come and go while it looks).
fn any_sealed(dir: &Path) -> bool {
    std::fs::read_dir(dir)
        .into_iter()
        .flatten()
        .flatten()
        .any(|e| {
            let p = e.path();
            p.extension().is_some_and(|x| x == "age") || (p.is_dir() && any_sealed(&p))
        })
}

#[test]
fn twenty_years_of_a_plain_folder_are_encrypted_with_the_same_exports_even_when_killed() {
    let sb = Sandbox::new();
    sb.set_today("2026-11-21");
    let plain = sb.path("plain");
    let out = std::process::Command::new(support::bin(("closer-bench", "closer-bench")))
        .args([
            "closer",
            plain.to_str().unwrap(),
            "--years",
            "20",
            "--needs",
            "200",
        ])
        .args(["--sessions", "400"])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    // Each partner's key, made the first time they use this device.
    for who in ["Alex", "Sam"] {
        sb.run_in(&plain, NEEDS, &["couple", "--as", who]).ok();
    }
    let before = exports(&sb, &plain);
    let (records, _) = counts(&plain);
    assert!(records > 200, "{records}");

    // Killed part-way through, then run again.
    let data = sb.path("data");
    support::copy_dir(&plain, &data);
    let mut child = std::process::Command::new(support::bin(NEEDS))
        .env_clear()
        .env("HOME", sb.home())
        .env("CLOSER_DIR", &data)
        .env("CLOSER_TODAY", sb.today())
        .args(["couple", "encrypt", "--as", "Alex"])
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let answers = data.join("answers");
    let started = std::time::Instant::now();
    while !any_sealed(&answers) && started.elapsed() < std::time::Duration::from_secs(60) {
        std::thread::sleep(std::time::Duration::from_millis(1));
    }
    child.kill().unwrap();
    child.wait().unwrap();
    let (left_plain, sealed) = counts(&data);
    assert!(
        left_plain > 0 && sealed > 0,
        "not killed part-way: {left_plain} plain, {sealed} sealed"
    );
    let r = sb.run_in(&data, NEEDS, &["couple", "encrypt", "--as", "Alex"]);
    r.ok();
    // Each partner's opt-in and private debriefs are records of their own now, sealed to them,
    // and each partner's body map is published beside their touch state, for both.
    let apart = every_file(&data)
        .iter()
        .filter(|(k, _)| {
            k.ends_with(".age")
                && (k.starts_with("optin/")
                    || k.ends_with("/private-debriefs.age")
                    || k.ends_with("/body.age"))
        })
        .count();
    assert!(apart >= 4, "{apart}");
    assert_eq!(counts(&data), (0, records + apart), "{}", r.stdout);
    assert_eq!(exports(&sb, &data), before, "the exports changed");
    for (path, bytes) in every_file(&data) {
        // Texts long enough that megabytes of ciphertext never spell them by chance (the
        // generated couple's names, "Alex" and "Sam", are too short to scan for).
        for s in ["arthritis", "post-surgery", "named the need"] {
            assert!(!contains(&bytes, s), "{s:?} in plain text in {path}");
        }
    }

    // And back: plain files for a couple who want them, the same exports again.
    sb.run_in(
        &data,
        NEEDS,
        &["couple", "decrypt", "--yes", "--as", "Alex"],
    )
    .ok();
    assert_eq!(counts(&data), (records + apart, 0));
    assert_eq!(exports(&sb, &data), before);
}

#[test]
fn couple_encrypt_never_adopts_a_plain_record_that_appeared_after_the_folder_was_encrypted() {
    let sb = Sandbox::new();
    sb.ok(NEEDS, &["couple", "add", "Alex"]);
    sb.ok(NEEDS, &["couple", "add", "Sam"]);
    sb.ok(TOUCH, &["boundary", "s0-sit-close", "yes", "--as", "Sam"]);
    sb.ok(TOUCH, &["boundary", "s0-sit-close", "no", "--as", "Alex"]);
    let alex = id_of(&sb, "Alex");
    // Anyone who can write into the folder swaps Alex's sealed "no" for a plain "yes".
    let place = format!("touch/{alex}/state");
    std::fs::remove_file(sb.data().join(format!("{place}.age"))).unwrap();
    let plain = sb.data().join(format!("{place}.json"));
    std::fs::write(
        &plain,
        format!("{{\"version\":1,\"partner\":\"{alex}\",\"boundaries\":{{\"s0-sit-close\":\"yes\"}},\"body\":{{}},\"events\":[],\"help_shown\":[]}}\n"),
    )
    .unwrap();
    let warned = sb.run(TOUCH, &["today", "--as", "Alex"]);
    assert!(
        !warned.stderr.contains("`couple encrypt` encrypts it"),
        "the warning must not advise sealing what nobody has seen: {}",
        warned.stderr
    );
    let r = sb.run(NEEDS, &["couple", "encrypt", "--as", "Alex"]);
    assert!(plain.exists(), "the plain record was adopted: {}", r.stdout);
    assert!(!sb.data().join(format!("{place}.age")).exists());
    let said = format!("{}{}", r.stdout, r.stderr);
    assert!(
        said.contains("state.json") && said.contains("not encrypted in your name"),
        "what was left plain is named: {said}"
    );
    assert!(!in_plan(&sb, "Sam"), "a forged yes moved the plan");
}

/// Going back to plain files, one device after the other as the couple is told to: neither
/// device calls a record it is making plain untrusted, or damaged, in the same breath.
#[test]
fn decrypting_on_both_devices_raises_no_alarm_about_the_records_it_makes_plain() {
    let sb = Sandbox::new();
    let (alex, sam) = two_devices(&sb);
    for d in [&alex, &sam, &alex] {
        d.ok(NEEDS, &["couple", "encrypt"]);
    }
    alex.ok(TOUCH, &["boundary", "s0-sit-close", "yes"]);
    sam.ok(TOUCH, &["boundary", "s0-sit-close", "no"]);
    // Alex's device first: Sam's own records wait for Sam's device, and that is said once.
    let first = alex.run(NEEDS, &["couple", "decrypt", "--yes"]);
    first.ok();
    assert!(
        first
            .stderr
            .contains("own records can only be decrypted on a device that holds their key"),
        "{}",
        first.stderr
    );
    assert!(!first.stderr.contains("left out"), "{}", first.stderr);
    // Sam's device follows.
    let second = sam.run(NEEDS, &["couple", "decrypt", "--yes"]);
    second.ok();
    assert!(second.stderr.contains("Wrote "), "{}", second.stderr);
    assert!(
        !second.stderr.contains("not trusted") && !second.stderr.contains("left out"),
        "{}",
        second.stderr
    );
    // Then each device reads the whole plain folder without a word, Sam's "no" still Sam's.
    for d in [&alex, &sam] {
        let run = d.run(NEEDS, &["--all"]);
        run.ok();
        assert_eq!(run.stderr, "");
    }
    let mine = sam.ok(TOUCH, &["mine"]);
    assert!(
        mine.lines()
            .any(|l| l.trim_start().starts_with("no ") && l.contains("s0-sit-close")),
        "{mine}"
    );
}

/// Someone who can write into the folder makes `folder.json` say plain: a device that has known
/// the folder encrypted keeps reading it so and says why on every run, cron's included, until
/// `couple decrypt` runs on it; a decrypt that is not confirmed settles nothing and says it too.
#[test]
fn a_folder_said_plain_behind_a_devices_back_is_warned_about_until_it_decrypts() {
    let sb = Sandbox::new();
    let (alex, sam) = two_devices(&sb);
    for d in [&alex, &sam, &alex] {
        d.ok(NEEDS, &["couple", "encrypt"]);
    }
    let mode = sb.data().join("folder.json");
    let said = std::fs::read_to_string(&mode).unwrap();
    assert!(said.contains("true"), "{said}");
    std::fs::write(&mode, said.replace("true", "false")).unwrap();
    let warning =
        "this data folder says its records are plain, but this device has known it encrypted";
    for _ in 0..2 {
        let run = alex.run(NEEDS, &["--all"]);
        run.ok();
        assert!(run.stderr.contains(warning), "{}", run.stderr);
    }
    // Without --yes and with no terminal, nothing is decrypted, and the warning stands.
    let declined = alex.run(NEEDS, &["couple", "decrypt"]);
    assert_eq!(declined.code, 2, "{}", declined.stderr);
    assert!(declined.stderr.contains(warning), "{}", declined.stderr);
    assert!(sb.data().join("couple.age").is_file());
}
