//! A key lost with every copy, on two devices syncing by file copy: the partner makes a new key on
//! a new device, and once the other device accepts it, what the couple shares is sealed to it
//! again. What was locked to the lost key alone stays lost, said once; nothing said "no" to comes
//! back as a yes; a key nobody accepted gains nothing.

use super::*;
use closer_core::crypto::{CryptoError, ExposeSecret, Keys, PublicKeys, keyring, seal};
use closer_core::needs::Need;
use closer_core::rekey::Handover;
use closer_core::sealing::Sealing;
use closer_core::store::Store;
use mirror::Mirror;
use support::{EXPORT, NEEDS, PROMPT, TOUCH, tree};

const SHARED: &str = "A walk after dinner";
const ALEXS: &str = "Help with buttons on stiff mornings";
const PRIVATE: &str = "An hour to myself on Sundays";
const SAMS_ANSWER: &str = "The sea, next spring.";
const ALEXS_ANSWER: &str = "The hills, in the autumn.";

/// Alex and Sam on their two devices for a while: needs, a joint plan, answers both read.
fn a_while(sb: &Sandbox) -> (Device<'_>, Device<'_>) {
    let (alex, sam) = two_devices(sb);
    sam.ok(NEEDS, &["couple", "today"]);
    alex.ok(NEEDS, &["couple", "today"]);
    sam.ok(NEEDS, &["add", SHARED]);
    alex.ok(NEEDS, &["add", ALEXS]);
    alex.ok(NEEDS, &["add", PRIVATE, "--private"]);
    for d in [&alex, &sam] {
        d.ok(TOUCH, &["boundary", "s0-sit-close", "yes"]);
    }
    // Sam would; Alex said no.
    sam.ok(TOUCH, &["boundary", "s0-hold-hands", "yes"]);
    alex.ok(TOUCH, &["boundary", "s0-hold-hands", "no"]);
    turns(&alex, &sam);
    sam.ok(PROMPT, &["answer", SAMS_ANSWER]);
    alex.ok(PROMPT, &["answer", ALEXS_ANSWER]);
    sam.ok(PROMPT, &["history"]);
    for d in [&alex, &sam] {
        let today = d.ok(TOUCH, &["today"]);
        assert!(today.contains("s0-sit-close"), "{today}");
    }
    (alex, sam)
}

fn turns(alex: &Device, sam: &Device) {
    for _ in 0..3 {
        sam.ok(TOUCH, &["today"]);
        alex.ok(TOUCH, &["today"]);
    }
}

#[test]
fn a_new_key_accepted_on_the_other_device_reads_what_the_couple_shares_again() {
    let sb = Sandbox::new();
    let (alex, sam) = a_while(&sb);
    let a = alex.id_of("Alex");
    // Alex's device is lost, with every copy of Alex's key. Alex's new device, on its own copy
    // of the synced folder, starts over by the fingerprint Sam's device shows.
    std::fs::remove_dir_all(&alex.config).unwrap();
    let nb = sb.path("new-data");
    let mut folders = Mirror::new(sb.data(), nb.clone());
    let new = device(&sb, "alex-new");
    let on_new = |tool, args: &[&str]| new.run_in(&nb, tool, args);
    let fp = sam.fingerprint_of("Alex");
    on_new(NEEDS, &["couple", "keys", "new", &fp, "--yes"]).ok();

    // Before Sam's device accepted the key, the new device says what waits for it.
    let early = on_new(NEEDS, &["--all"]);
    assert!(
        early.stderr.contains("your partner's device") && early.stderr.contains("accept"),
        "{}\n{}",
        early.stdout,
        early.stderr
    );
    folders.sync();

    // Sam compares fingerprints and accepts: Alex stays in the couple on Sam's device, with
    // Alex's shared need, and Sam's device seals what they share to Alex's new key.
    let warned = sam.run(NEEDS, &["--all"]);
    assert!(
        warned
            .stderr
            .contains("WARNING: Alex's published keys changed")
    );
    sam.ok(NEEDS, &["couple", "keys", "accept", "Alex"]);
    let couple = sam.ok(NEEDS, &["couple", "--json"]);
    partner_id(&couple, "Alex");
    let run = sam.run(NEEDS, &["--all"]);
    assert!(
        run.ok().contains(SHARED) && run.stdout.contains(ALEXS),
        "{}\n{}",
        run.stdout,
        run.stderr
    );
    assert!(!run.stdout.contains(PRIVATE));
    folders.sync();

    // Alex's new device: the couple, the shared needs, the answers both gave. What was locked
    // to the lost key alone is gone: said plainly, once.
    let first = on_new(NEEDS, &["couple", "--json"]);
    assert_eq!(partner_id(first.ok(), "Alex"), a);
    partner_id(&first.stdout, "Sam");
    assert!(
        first.stderr.contains("accepted your new key") && first.stderr.contains("gone for good"),
        "{}",
        first.stderr
    );
    let run = on_new(NEEDS, &["--all"]);
    let listed = run.ok();
    assert!(
        listed.contains(SHARED) && listed.contains(ALEXS),
        "{listed}\n{}",
        run.stderr
    );
    assert!(!listed.contains(PRIVATE));
    assert!(!run.stderr.contains("gone for good"), "{}", run.stderr);
    // Alex's answer of the day was sealed to the lost key: Alex answers again, and reads Sam's.

    on_new(PROMPT, &["answer", ALEXS_ANSWER]).ok();
    let history = on_new(PROMPT, &["history"]).ok().to_owned();
    assert!(
        history.contains(SAMS_ANSWER) && history.contains(ALEXS_ANSWER),
        "{history}"
    );

    // Nothing Alex said no to is a yes now; the plan comes back through a new joint round.
    let mine = on_new(TOUCH, &["mine"]).ok().to_owned();
    assert!(!mine.contains("yes"), "{mine}");
    on_new(TOUCH, &["boundary", "s0-sit-close", "yes"]).ok();
    for _ in 0..3 {
        folders.sync();
        sam.ok(TOUCH, &["today"]);
        folders.sync();
        on_new(TOUCH, &["today"]).ok();
    }
    folders.sync();
    for today in [
        on_new(TOUCH, &["today"]).ok().to_owned(),
        sam.ok(TOUCH, &["today"]),
    ] {
        assert!(today.contains("s0-sit-close"), "{today}");
        assert!(!today.contains("s0-hold-hands"), "{today}");
    }
    let history = sam.ok(PROMPT, &["history"]);
    assert!(history.contains(ALEXS_ANSWER), "{history}");
    let quiet = sam.run(NEEDS, &["--all"]);
    assert_eq!(
        quiet.stderr, "",
        "nothing left to warn about on Sam's device"
    );
    let quiet = on_new(NEEDS, &["--all"]);
    assert_eq!(
        quiet.stderr, "",
        "nothing left to warn about on Alex's new device"
    );
}

/// A shared need its owner removed stays removed across Alex's new key. An earlier copy of it, put
/// back in the folder before Sam's device accepts the key (a sync tool's history), is left out by
/// Sam's device, and neither vouched for nor sealed to the new key there: Alex's new device, which
/// never saw the need and cannot open its removal, does not take it for a live need.
#[test]
fn an_earlier_copy_of_a_removed_need_put_back_before_accepting_does_not_come_back() {
    // Alex's own need, whose removal is sealed to the lost key; and Sam's, sealed to Sam alone.
    for alexs in [true, false] {
        let (removed, kept) = if alexs {
            (ALEXS, SHARED)
        } else {
            (SHARED, ALEXS)
        };
        let sb = Sandbox::new();
        let (alex, sam) = a_while(&sb);
        let owner = if alexs { &alex } else { &sam };
        let needs = json(&owner.ok(NEEDS, &["--all", "--json"]));
        let id = needs
            .as_array()
            .unwrap()
            .iter()
            .find(|n| n["text"] == removed)
            .and_then(|n| n["id"].as_str())
            .unwrap()
            .to_owned();
        for d in [&alex, &sam] {
            assert!(d.ok(NEEDS, &["--all"]).contains(removed));
        }
        let file = sb.data().join(format!("needs/{id}.age"));
        let earlier = std::fs::read(&file).unwrap();
        owner.ok(NEEDS, &["rm", &id, "--yes"]);
        assert!(!sam.ok(NEEDS, &["--all"]).contains(removed));

        std::fs::remove_dir_all(&alex.config).unwrap();
        let nb = sb.path("new-data");
        let mut folders = Mirror::new(sb.data(), nb.clone());
        let new = device(&sb, "alex-new");
        let on_new = |args: &[&str]| new.run_in(&nb, NEEDS, args);
        let fp = sam.fingerprint_of("Alex");
        on_new(&["couple", "keys", "new", &fp, "--yes"]).ok();
        folders.sync();
        std::fs::write(&file, &earlier).unwrap();
        sam.ok(NEEDS, &["couple", "keys", "accept", "Alex"]);
        for _ in 0..2 {
            folders.sync();
            let run = on_new(&["--all"]);
            let listed = run.ok();
            assert!(
                listed.contains(kept) && !listed.contains(removed),
                "Alex's new device: {listed}\n{}",
                run.stderr
            );
            folders.sync();
            let run = sam.run(NEEDS, &["--all"]);
            let listed = run.ok();
            assert!(
                listed.contains(kept) && !listed.contains(removed),
                "Sam's device: {listed}\n{}",
                run.stderr
            );
        }
    }
}

#[test]
fn a_key_published_without_being_accepted_is_never_sealed_to() {
    let sb = Sandbox::new();
    let (alex, sam) = a_while(&sb);
    let a = alex.id_of("Alex");
    // Someone who can write into the folder, and holds no key, publishes a "new key" for Alex.
    let mallory = Keys::generate();
    let store = Store::new(sb.data());
    keyring::publish(&store, &a, &mallory).unwrap();
    for args in [
        &["--all"][..],
        &["add", "Tea in bed on Saturdays"],
        &["couple", "today"],
    ] {
        let run = sam.run(NEEDS, args);
        run.ok();
        assert!(run.stderr.contains("WARNING"), "{}", run.stderr);
    }
    sam.ok(TOUCH, &["today"]);
    // Not one file in the folder opens with that key.
    for (file, bytes) in tree(&sb.data()) {
        if !file.ends_with(".age") {
            continue;
        }
        let place = file.trim_end_matches(".age");
        assert!(
            matches!(
                seal::open(&mallory, &bytes, place, |_| None),
                Err(CryptoError::NotForYou)
            ),
            "{file} opens with a key Sam's device never accepted"
        );
    }
}

#[test]
fn before_the_new_device_signs_again_the_other_device_says_what_waits_for_it() {
    let sb = Sandbox::new();
    let (alex, sam) = a_while(&sb);
    let a = alex.id_of("Alex");
    std::fs::remove_dir_all(&alex.config).unwrap();
    let new = device(&sb, "alex-new");
    let fp = sam.fingerprint_of("Alex");
    new.ok(NEEDS, &["couple", "keys", "new", &fp, "--yes"]);
    sam.ok(NEEDS, &["couple", "keys", "accept", "Alex"]);
    // Sam's device has not heard from Alex's new device yet: the plan waits for a new round,
    // and Alex's need, still signed with the lost key, waits for Alex's new device to sign it.
    let today = sam.ok(TOUCH, &["today"]);
    assert!(today.contains("Waiting for the other device"), "{today}");
    let needs = json(&sam.ok(NEEDS, &["--all", "--json"]));
    let id = needs
        .as_array()
        .unwrap()
        .iter()
        .find(|n| n["text"] == ALEXS)
        .unwrap()["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let early = sam.run(NEEDS, &["comment", &id, "Happy to, any morning"]);
    assert_eq!(early.code, 1, "{}", early.stderr);
    assert!(
        early.stderr.contains("their new device") && !early.stderr.contains(&a),
        "{}",
        early.stderr
    );
    // Once it has run, the comment goes in.
    new.ok(NEEDS, &["--all"]);
    sam.ok(NEEDS, &["comment", &id, "Happy to, any morning"]);
    let shown = new.ok(NEEDS, &["show", &id]);
    assert!(shown.contains("Happy to, any morning"), "{shown}");
}

/// Alex's answers from before the key was lost, after the new key is accepted. Those Sam had
/// read come back on both devices: Sam's device, which checked them with the lost key before,
/// vouches for them and hands them over encrypted to the new key; the new device seals them
/// again as Alex's own. Sam's own answers stay readable on both, and nothing is warned about.
#[test]
fn a_partners_earlier_answers_shared_before_a_new_key_are_read_again_on_both_devices() {
    let sb = Sandbox::new();
    let (alex, sam) = a_while(&sb);
    assert!(sam.ok(PROMPT, &["history"]).contains(ALEXS_ANSWER));
    std::fs::remove_dir_all(&alex.config).unwrap();
    let nb = sb.path("new-data");
    let mut folders = Mirror::new(sb.data(), nb.clone());
    let new = device(&sb, "alex-new");
    let on_new = |tool, args: &[&str]| new.run_in(&nb, tool, args);
    let fp = sam.fingerprint_of("Alex");
    on_new(NEEDS, &["couple", "keys", "new", &fp, "--yes"]).ok();
    folders.sync();
    sam.ok(NEEDS, &["couple", "keys", "accept", "Alex"]);
    // Right after accepting, before the new device has run, Sam's device reads them as before.
    let on_sam = sam.run(PROMPT, &["history"]);
    assert!(on_sam.ok().contains(ALEXS_ANSWER), "{}", on_sam.stdout);
    assert!(!on_sam.stderr.contains("answers/"), "{}", on_sam.stderr);
    folders.sync();
    on_new(NEEDS, &["couple", "--json"]).ok();
    folders.sync();
    let on_sam = sam.run(PROMPT, &["history"]);
    let on_alex = on_new(PROMPT, &["history"]);
    for run in [&on_sam, &on_alex] {
        assert!(
            run.ok().contains(SAMS_ANSWER) && run.stdout.contains(ALEXS_ANSWER),
            "{}\n{}",
            run.stdout,
            run.stderr
        );
        assert!(!run.stdout.contains("has answered"), "{}", run.stdout);
        assert_eq!(run.stderr, "");
    }
    // Alex answers again after the new key: both read it, and still the earlier ones.
    on_new(PROMPT, &["answer", "Again, after the new key."]).ok();
    folders.sync();
    let on_sam = sam.run(PROMPT, &["history"]);
    assert!(
        on_sam.ok().contains("Again, after the new key."),
        "{}",
        on_sam.stderr
    );
    assert_eq!(on_sam.stderr, "");
}

/// Where a device keeps `id`'s key file, under its config folder.
fn key_file(config: &Path, id: &str) -> PathBuf {
    let name = format!("{id}.key");
    let mut dirs = vec![config.to_path_buf()];
    while let Some(d) = dirs.pop() {
        for e in std::fs::read_dir(&d).unwrap().flatten() {
            let p = e.path();
            if p.is_dir() {
                dirs.push(p);
            } else if p.file_name().is_some_and(|n| n == name.as_str()) {
                return p;
            }
        }
    }
    panic!("no {name} under {}", config.display())
}

/// Alex's answers as a device's history shows them: (date, what it shows).
fn alexs_history(d: &Device) -> Vec<(String, String)> {
    let run = d.run(PROMPT, &["history", "--json"]);
    let history = json(run.ok());
    assert_eq!(run.stderr, "");
    history
        .as_array()
        .unwrap()
        .iter()
        .filter(|a| a["partner"] == "Alex")
        .map(|a| {
            let text = a["answer"].as_str().unwrap_or_default().to_owned();
            (a["date"].as_str().unwrap().to_owned(), text)
        })
        .collect()
}

/// On one data folder, three config folders: Alex's answer to a day Sam never answered was sealed
/// to the lost key alone. The new device keeps it as it was (Sam's device sees that day's turn as
/// before, nothing more), says so once, and when the lost key turns up after all (an old copy of
/// the key file), importing it brings the answer back as Alex's, sealed with the new key; the old
/// key is not kept and signs nothing. The answer Sam read comes back on both devices, once.
#[test]
fn an_answer_only_the_lost_key_could_open_is_kept_and_comes_back_when_that_key_is_found() {
    let sb = Sandbox::new();
    let (alex, sam) = a_while(&sb);
    let a = alex.id_of("Alex");
    let shared_day = sb.today();
    sb.set_today("2026-03-03");
    alex.ok(PROMPT, &["answer", "Only mine, never shared."]);
    let seen_by_sam = alexs_history(&sam);
    assert_eq!(seen_by_sam.len(), 2, "{seen_by_sam:?}");
    // An old copy of the key file, forgotten in a drawer; the device and every known copy are lost.
    let old_key = std::fs::read(key_file(&alex.config, &a)).unwrap();
    std::fs::remove_dir_all(&alex.config).unwrap();
    let new = device(&sb, "alex-new");
    let fp = sam.fingerprint_of("Alex");
    new.ok(NEEDS, &["couple", "keys", "new", &fp, "--yes"]);
    sam.ok(NEEDS, &["couple", "keys", "accept", "Alex"]);
    let first = new.run(NEEDS, &["couple", "--json"]);
    first.ok();
    assert!(
        first
            .stderr
            .contains("One answer your partner had been shown is yours again")
            && first
                .stderr
                .contains("One answer your partner had not been shown stays in your answer files")
            && first.stderr.contains("couple keys import"),
        "{}",
        first.stderr
    );
    let new_fp = sam.fingerprint_of("Alex");
    assert_eq!(
        alexs_history(&new),
        [(shared_day.clone(), ALEXS_ANSWER.to_owned())]
    );
    assert_eq!(
        alexs_history(&sam),
        seen_by_sam,
        "Sam sees what Sam saw before"
    );
    let again = new.run(NEEDS, &["couple", "--json"]);
    assert!(!again.stderr.contains("stays in"), "{}", again.stderr);

    // The old key turns up: imported on Alex's new device, it brings the answer back.
    let run = import_found(&sb, &new, &old_key);
    assert!(
        run.stderr.contains("One answer") && run.stderr.contains("is yours again"),
        "{}",
        run.stderr
    );
    assert_eq!(
        alexs_history(&new),
        [
            (shared_day.clone(), ALEXS_ANSWER.to_owned()),
            (
                "2026-03-03".to_owned(),
                "Only mine, never shared.".to_owned()
            )
        ]
    );
    let export = new.ok(EXPORT, &["--format", "markdown"]);
    assert_eq!(
        export.matches("Only mine, never shared.").count(),
        1,
        "{export}"
    );
    // The old key stays retired: not kept on the device, not published, nothing warned.
    assert_ne!(std::fs::read(key_file(&new.config, &a)).unwrap(), old_key);
    assert_eq!(sam.fingerprint_of("Alex"), new_fp);
    assert_eq!(
        alexs_history(&sam),
        seen_by_sam,
        "still sealed until Sam's turn"
    );
    // Sam takes their turn that day: Alex's device shares it, as for any answer.
    sam.ok(PROMPT, &["answer", "Mine, that day."]);
    new.ok(PROMPT, &[]);
    let on_sam = alexs_history(&sam);
    assert!(
        on_sam.contains(&(
            "2026-03-03".to_owned(),
            "Only mine, never shared.".to_owned()
        )),
        "{on_sam:?}"
    );
    let quiet = sam.run(NEEDS, &["--all"]);
    assert_eq!(quiet.stderr, "");
}

/// Alex's new key on a second device too (its key file imported on the laptop, whose config
/// never replaced a key): the lost key, found again and imported there, brings the kept answer
/// back all the same, by Sam's hand-over in the folder (signed with Sam's key, naming the found
/// key as the one replaced by the very key the laptop holds). The old key is not kept there.
#[test]
fn the_lost_key_found_again_brings_answers_back_on_any_device_holding_the_new_key() {
    let sb = Sandbox::new();
    let (alex, sam) = a_while(&sb);
    let a = alex.id_of("Alex");
    let shared_day = sb.today();
    sb.set_today("2026-03-03");
    alex.ok(PROMPT, &["answer", "Only mine, never shared."]);
    let old_key = std::fs::read(key_file(&alex.config, &a)).unwrap();
    std::fs::remove_dir_all(&alex.config).unwrap();
    let new = device(&sb, "alex-new");
    let fp = sam.fingerprint_of("Alex");
    new.ok(NEEDS, &["couple", "keys", "new", &fp, "--yes"]);
    sam.ok(NEEDS, &["couple", "keys", "accept", "Alex"]);
    new.ok(NEEDS, &["couple", "--json"]);
    // Alex's laptop, given the new key.
    let laptop = device(&sb, "alex-laptop");
    let copy = sb.path("new.key");
    let new_key = std::fs::read(key_file(&new.config, &a)).unwrap();
    std::fs::write(&copy, &new_key).unwrap();
    laptop.ok(NEEDS, &["couple", "keys", "import", copy.to_str().unwrap()]);
    assert_eq!(
        alexs_history(&laptop),
        [(shared_day.clone(), ALEXS_ANSWER.to_owned())]
    );
    // The old key turns up, and is imported on the laptop.
    let run = import_found(&sb, &laptop, &old_key);
    assert!(
        run.stderr.contains("One answer") && run.stderr.contains("is yours again"),
        "{}",
        run.stderr
    );
    let both = [
        (shared_day.clone(), ALEXS_ANSWER.to_owned()),
        (
            "2026-03-03".to_owned(),
            "Only mine, never shared.".to_owned(),
        ),
    ];
    assert_eq!(alexs_history(&laptop), both);
    assert_eq!(alexs_history(&new), both, "the other device of Alex's too");
    assert_eq!(
        std::fs::read(key_file(&laptop.config, &a)).unwrap(),
        new_key
    );
    // Imported again: nothing left waiting for it.
    let again = import_found(&sb, &laptop, &old_key);
    assert!(
        again.stderr.contains("Nothing in the answer files"),
        "{}",
        again.stderr
    );
}

/// Between `couple keys accept` on Sam's device and the first run of Alex's new device, Alex's
/// round publications in the folder are still the lost key's. Sam's device shows no joint result
/// from them (the plan waits for Alex's new device, the opt-in is not joint) and raises no
/// false alarm about them: they are the replaced key's, not a forgery. Once the new device has
/// run, everything moves again, with nothing to warn about.
#[test]
fn between_accepting_and_the_new_keys_first_run_the_other_device_waits_without_a_false_alarm() {
    let sb = Sandbox::new();
    let (alex, sam) = a_while(&sb);
    for d in [&alex, &sam] {
        d.ok(NEEDS, &["couple", "opt-in", "sexual"]);
    }
    turns(&alex, &sam);
    std::fs::remove_dir_all(&alex.config).unwrap();
    let new = device(&sb, "alex-new");
    let fp = sam.fingerprint_of("Alex");
    new.ok(NEEDS, &["couple", "keys", "new", &fp, "--yes"]);
    sam.ok(NEEDS, &["couple", "keys", "accept", "Alex"]);
    let window = [
        (PROMPT, &[][..]),
        (TOUCH, &["today"][..]),
        (TOUCH, &["show"][..]),
        (NEEDS, &["couple", "today"][..]),
    ];
    for (tool, args) in window {
        let run = sam.run(tool, args);
        run.ok();
        assert_eq!(run.stderr, "", "{tool:?} {args:?}");
    }
    let today = sam.ok(TOUCH, &["today"]);
    assert!(today.contains("Waiting for the other device"), "{today}");
    assert!(
        !today.contains("s0-sit-close"),
        "no stale joint step: {today}"
    );
    let couple = sam.ok(NEEDS, &["couple", "today"]);
    assert!(!couple.contains("for a while"), "{couple}");
    // Alex's new device runs: it replaces its old publications without a word about them.
    let first = new.run(TOUCH, &["today"]);
    first.ok();
    assert!(!first.stderr.contains("psi/"), "{}", first.stderr);
}

/// The lost key turns up, as a file, and is imported on `device`.
fn import_found(sb: &Sandbox, device: &Device, key: &[u8]) -> Run {
    let found = sb.path("found.key");
    std::fs::write(&found, key).unwrap();
    let run = device.run(
        NEEDS,
        &["couple", "keys", "import", found.to_str().unwrap()],
    );
    run.ok();
    run
}

/// Alex's key lost after an answer Sam never saw, a new one made on a new device and accepted by
/// Sam's, the new device's first run done; the old key file kept aside, as if found later.
/// Returns the new device, Alex's ID, Sam's ID and the old key file.
fn rekeyed_with_a_kept_answer(sb: &Sandbox) -> (Device<'_>, String, String, Vec<u8>) {
    let (alex, sam) = a_while(sb);
    let (a, s) = (alex.id_of("Alex"), sam.id_of("Sam"));
    sb.set_today("2026-03-03");
    alex.ok(PROMPT, &["answer", "Only mine, never shared."]);
    let old_key = std::fs::read(key_file(&alex.config, &a)).unwrap();
    std::fs::remove_dir_all(&alex.config).unwrap();
    let new = device(sb, "alex-new");
    let fp = sam.fingerprint_of("Alex");
    new.ok(NEEDS, &["couple", "keys", "new", &fp, "--yes"]);
    sam.ok(NEEDS, &["couple", "keys", "accept", "Alex"]);
    new.ok(NEEDS, &["couple", "--json"]);
    (new, a, s, old_key)
}

/// The store of data folder `data`, reading and writing as partner `id` with the key `keys` (the other
/// partner known by `other`).
fn store_as(data: &Path, id: &str, keys: &[u8], other: (&str, PublicKeys)) -> Store {
    let keys = Keys::from_text(std::str::from_utf8(keys).unwrap()).unwrap();
    let mut s = Sealing::new();
    s.hold(id, std::sync::Arc::new(keys));
    s.know(other.0, other.1);
    s.act_as(id);
    let store = Store::new(data);
    store.set_sealing(Some(s));
    store
}

/// Alex's laptop is given the new key, then the old key is found and imported there: the
/// laptop must not take it as the replaced key, and nothing comes back.
#[track_caller]
fn found_key_is_not_taken_as_replaced(sb: &Sandbox, new: &Device, a: &str, old_key: &[u8]) {
    let laptop = device(sb, "alex-laptop");
    let copy = sb.path("new.key");
    std::fs::write(&copy, std::fs::read(key_file(&new.config, a)).unwrap()).unwrap();
    laptop.ok(NEEDS, &["couple", "keys", "import", copy.to_str().unwrap()]);
    let found = sb.path("found.key");
    std::fs::write(&found, old_key).unwrap();
    let run = laptop.run(
        NEEDS,
        &["couple", "keys", "import", found.to_str().unwrap()],
    );
    assert!(
        !run.stderr.contains("is yours again") && run.code == 1,
        "{}\n{}",
        run.code,
        run.stderr
    );
    let history = laptop.ok(PROMPT, &["history"]);
    assert!(!history.contains("Only mine, never shared."), "{history}");
}

/// A hand-over in the folder, signed with Sam's key as pinned, but naming another new key than
/// the one Alex's laptop holds: the laptop learns no replaced key from it.
#[test]
fn a_hand_over_for_another_key_names_no_replaced_key_on_a_device_given_the_new_one() {
    let sb = Sandbox::new();
    let (new, a, s, old_key) = rekeyed_with_a_kept_answer(&sb);
    let new_key = std::fs::read(key_file(&new.config, &a)).unwrap();
    let new_public = Keys::from_text(std::str::from_utf8(&new_key).unwrap())
        .unwrap()
        .public();
    let sams_key = std::fs::read(key_file(&sb.path("sam-config"), &s)).unwrap();
    let store = store_as(&sb.data(), &s, &sams_key, (&a, new_public));
    let place = format!("rekey/{s}.json");
    let mut h: Handover = store.read(&place).unwrap().unwrap();
    h.new = Keys::generate().public();
    store.write(&place, &h).unwrap();
    found_key_is_not_taken_as_replaced(&sb, &new, &a, &old_key);
}

/// A hand-over written by Alex's own key (in Alex's place, for Alex's new key, naming the old
/// one) and none from Sam: Alex's laptop learns no replaced key from it, as only the other
/// partner's device can say which key the new one replaced.
#[test]
fn a_hand_over_written_by_the_partner_whose_key_it_names_is_not_believed() {
    let sb = Sandbox::new();
    let (new, a, s, old_key) = rekeyed_with_a_kept_answer(&sb);
    let sams_key = std::fs::read(key_file(&sb.path("sam-config"), &s)).unwrap();
    let sams_public = Keys::from_text(std::str::from_utf8(&sams_key).unwrap())
        .unwrap()
        .public();
    let new_key = std::fs::read(key_file(&new.config, &a)).unwrap();
    let h: Handover = store_as(&sb.data(), &s, &sams_key, (&a, Keys::generate().public()))
        .read(&format!("rekey/{s}.json"))
        .unwrap()
        .unwrap();
    std::fs::remove_file(sb.data().join(format!("rekey/{s}.age"))).unwrap();
    let store = store_as(&sb.data(), &a, &new_key, (&s, sams_public));
    store.write(&format!("rekey/{a}.json"), &h).unwrap();
    found_key_is_not_taken_as_replaced(&sb, &new, &a, &old_key);
}

/// What [`copied_after_accepting`] leaves: the devices, the laptop's folder kept in step with the
/// shared one, and what the import said and whether it ended well.
struct Copied<'a> {
    laptop: Device<'a>,
    new: Device<'a>,
    sam: Device<'a>,
    folders: Mirror,
    lb: PathBuf,
    imported: (String, bool),
}

/// Alex's key lost and a new one made on a new device, accepted on Sam's; Alex's laptop keeps its
/// own copy of the folder from then on, or (`signed_again`) from once the new device has taken
/// Sam's hand-over and signed again, which `couple keys export` there does on the way. The laptop
/// is given the new key with that export and `import`, after `laptop_folder` changed its folder.
fn copied_after_accepting<'a>(
    sb: &'a Sandbox,
    signed_again: bool,
    laptop_folder: impl FnOnce(&Path),
) -> Copied<'a> {
    let (alex, sam) = a_while(sb);
    std::fs::remove_dir_all(&alex.config).unwrap();
    let new = device(sb, "alex-new");
    let fp = sam.fingerprint_of("Alex");
    new.ok(NEEDS, &["couple", "keys", "new", &fp, "--yes"]);
    sam.ok(NEEDS, &["couple", "keys", "accept", "Alex"]);
    let lb = sb.path("laptop-data");
    let mut folders = None;
    if !signed_again {
        folders = Some(Mirror::new(sb.data(), lb.clone()));
    }
    let copy = sb.path("alex-new-key.age");
    let copy = copy.to_str().unwrap();
    let pass = "a long way round\r";
    let env = [("XDG_CONFIG_HOME", new.config.to_str().unwrap())];
    let steps = [("A passphrase", pass), ("same again", pass)];
    let (text, ok) = sb.on_terminal_with(&env, NEEDS, &["couple", "keys", "export", copy], &steps);
    assert!(ok, "{text}");
    let folders = folders.unwrap_or_else(|| Mirror::new(sb.data(), lb.clone()));
    laptop_folder(&lb);
    let laptop = device(sb, "alex-laptop");
    let env = [
        ("XDG_CONFIG_HOME", laptop.config.to_str().unwrap()),
        ("CLOSER_DIR", lb.to_str().unwrap()),
    ];
    let steps = [("Passphrase for this copy", pass)];
    let imported = sb.on_terminal_with(&env, NEEDS, &["couple", "keys", "import", copy], &steps);
    Copied {
        laptop,
        new,
        sam,
        folders,
        lb,
        imported,
    }
}

/// Alex's new key copied to Alex's laptop (`couple keys export` on the device that made it, once
/// Sam's device accepted it, then `import`) while the laptop's folder has Sam's hand-over but not
/// yet what the device that made the key signed again (a sync tool copies files in any order, and
/// that device may be lost before it syncs): the copy says which key the new one replaced, in
/// Alex's own word, so the laptop believes what Sam's hand-over vouches for, as that device does.
/// It reads what the couple shares with no false alarm, and after the sync (and `couple doctor`
/// for the turns both of Alex's devices took apart) nothing is left to warn about on any device.
#[test]
fn a_new_key_copied_to_another_device_reads_what_was_signed_with_the_lost_key_there_too() {
    let sb = Sandbox::new();
    let Copied {
        laptop,
        new,
        sam,
        mut folders,
        lb,
        imported: (text, ok),
    } = copied_after_accepting(&sb, false, |_| {});
    assert!(ok, "{text}");
    let on_laptop = |tool, args: &[&str]| laptop.run_in(&lb, tool, args);
    let run = on_laptop(NEEDS, &["--all"]);
    let listed = run.ok();
    assert!(
        listed.contains(SHARED) && listed.contains(ALEXS),
        "{listed}\n{}",
        run.stderr
    );
    assert!(!run.stderr.contains("check out"), "{}", run.stderr);
    // Both of Alex's devices took a turn in the joint rounds apart: the sync leaves a copy of
    // Alex's publication, which `couple doctor` removes, as on any partner's two devices.
    folders.sync();
    on_laptop(NEEDS, &["couple", "doctor"]).ok();
    folders.sync();
    for quiet in [
        on_laptop(NEEDS, &["--all"]),
        new.run(NEEDS, &["--all"]),
        sam.run(NEEDS, &["--all"]),
    ] {
        assert!(quiet.ok().contains(SHARED), "{}", quiet.stdout);
        assert_eq!(quiet.stderr, "", "nothing left to warn about");
    }
    // Alex's answer Sam had been shown, sealed again by the device that made the key.
    let history = on_laptop(PROMPT, &["history"]).ok().to_owned();
    assert!(
        history.contains(SAMS_ANSWER) && history.contains(ALEXS_ANSWER),
        "{history}"
    );
}

/// The same copy, where Sam's device (or whoever holds Sam's key) puts in the laptop's folder a
/// need in Alex's name signed with a key of its own, and a hand-over signed with Sam's key naming
/// that key as Alex's lost one and vouching for the need: Alex's copy named another key, so the
/// laptop believes nothing the hand-over vouches for, and the need is reported, not listed.
#[test]
fn a_hand_over_naming_another_lost_key_than_the_copy_vouches_for_nothing_there() {
    const FORGED: &str = "A need Alex never wrote";
    let sb = Sandbox::new();
    let c = copied_after_accepting(&sb, true, |lb| {
        let sam = device(&sb, "sam");
        let (a, s) = (sam.id_of("Alex"), sam.id_of("Sam"));
        let key = |config: &Path, id: &str| {
            let bytes = std::fs::read(key_file(config, id)).unwrap();
            Keys::from_text(std::str::from_utf8(&bytes).unwrap()).unwrap()
        };
        let (sams, new) = (key(&sam.config, &s), key(&sb.path("alex-new-config"), &a));
        let store = store_as(
            lb,
            &s,
            sams.to_text().expose_secret().as_bytes(),
            (&a, new.public()),
        );
        // Sam's shared need, made Alex's, under another ID, signed with a key Sam made.
        let need = std::fs::read_dir(lb.join("needs"))
            .unwrap()
            .flatten()
            .filter_map(|e| {
                e.file_name()
                    .to_str()?
                    .strip_suffix(".age")
                    .map(str::to_owned)
            })
            .filter_map(|id| {
                store
                    .read::<Need>(&format!("needs/{id}.json"))
                    .ok()
                    .flatten()
            })
            .find(|n| n.text == SHARED)
            .map(|n| serde_json::to_value(n).unwrap())
            .unwrap();
        let id = need["id"].as_str().unwrap();
        let forged_id = format!(
            "{}{}",
            &id[..id.len() - 1],
            if id.ends_with('a') { 'b' } else { 'a' }
        );
        let mut forged = need.clone();
        forged["id"] = forged_id.clone().into();
        forged["owner"] = a.clone().into();
        forged["text"] = FORGED.into();
        forged["history"] = Value::Array(Vec::new());
        let fake = Keys::generate();
        let place = format!("needs/{forged_id}");
        let body = serde_json::to_vec_pretty(&forged).unwrap();
        let bytes = seal::seal(&fake, &a, &place, &body, &[&new.public(), &sams.public()]).unwrap();
        std::fs::write(lb.join(format!("{place}.age")), &bytes).unwrap();
        let handover = format!("rekey/{s}.json");
        let mut h: Handover = store.read(&handover).unwrap().unwrap();
        h.previous = fake.public();
        h.vouched
            .insert(closer_core::rekey::token(&sams, &bytes).unwrap());
        store.write(&handover, &h).unwrap();
    });
    let run = c.laptop.run_in(&c.lb, NEEDS, &["--all"]);
    assert!(
        run.ok().contains(SHARED) && !run.stdout.contains(FORGED),
        "{}",
        run.stdout
    );
    assert!(run.stderr.contains("does not check out"), "{}", run.stderr);
}
