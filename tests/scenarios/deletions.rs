//! A record deleted from the folder by anyone but its owner, through the tools, is noticed by the
//! devices that remember it: a change of the joint result, the couple's settings and a body map
//! on both devices, a partner's own records (answers, private needs, boundaries, opt-in,
//! sessions and debriefs, low-energy days, their round publications) on
//! their own device. They keep using what they trusted and `couple doctor` puts it back. An
//! answer its author took back is never shared again from an old copy put back. What partners
//! delete themselves through the tools raises no alarm on either device.

use super::*;
use support::{NEEDS, PROMPT, TOUCH};

/// What every device says when a record it remembers is gone.
const GONE: &str = "was deleted from the folder";

fn turns(alex: &Device, sam: &Device) {
    for _ in 0..3 {
        alex.ok(TOUCH, &["today"]);
        sam.ok(TOUCH, &["today"]);
    }
}

fn sealed_in(sb: &Sandbox, dir: &str) -> Vec<PathBuf> {
    let Ok(entries) = std::fs::read_dir(sb.data().join(dir)) else {
        return Vec::new();
    };
    let mut v: Vec<PathBuf> = entries
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == "age"))
        .collect();
    v.sort();
    v
}

fn sexual_traces(d: &Device) -> (usize, String) {
    let run = d.run(NEEDS, &["couple", "--json"]);
    let n = json(run.ok())["sexual_content_changes"]
        .as_array()
        .unwrap()
        .len();
    (n, run.stderr)
}

fn history(d: &Device) -> (Vec<String>, String) {
    let run = d.run(PROMPT, &["history", "--json"]);
    let v = json(run.ok())
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["answer"].as_str().unwrap_or("").to_owned())
        .collect();
    (v, run.stderr)
}

#[test]
fn a_deleted_change_of_the_joint_result_is_still_shown_on_both_and_put_back() {
    let sb = Sandbox::new();
    let (alex, sam) = two_devices(&sb);
    for d in [&alex, &sam] {
        d.ok(NEEDS, &["couple", "opt-in", "sexual"]);
    }
    turns(&alex, &sam);
    alex.ok(NEEDS, &["couple", "opt-out", "sexual"]);
    turns(&alex, &sam);
    for d in [&alex, &sam] {
        assert_eq!(sexual_traces(d).0, 1);
    }
    let changes = sealed_in(&sb, "changes");
    assert!(!changes.is_empty());

    // Whoever can write into the folder (Alex, testing Sam's answer) deletes the changes.
    let saved: Vec<Vec<u8>> = changes.iter().map(|c| std::fs::read(c).unwrap()).collect();
    for c in &changes {
        std::fs::remove_file(c).unwrap();
    }
    for d in [&alex, &sam] {
        let (n, said) = sexual_traces(d);
        assert_eq!(n, 1, "the trace is gone, said: {said}");
        let name = changes[0].file_name().unwrap().to_str().unwrap();
        assert!(said.contains(name) && said.contains(GONE), "{said}");
        assert!(said.contains("couple doctor"), "{said}");
    }
    sam.ok(NEEDS, &["couple", "doctor"]);
    for (c, bytes) in changes.iter().zip(&saved) {
        assert_eq!(&std::fs::read(c).unwrap(), bytes);
    }
    for d in [&alex, &sam] {
        let (n, said) = sexual_traces(d);
        assert_eq!(n, 1);
        assert!(!said.contains(GONE), "{said}");
    }
}

/// Sam's own sealed records, one of each kind (a private need, boundaries, the opt-in, answers),
/// made on Sam's device.
fn sams_own_records(sb: &Sandbox, sam: &Device) -> [PathBuf; 4] {
    let s = sam.id_of("Sam");
    sam.ok(TOUCH, &["boundary", "s0-hold-hands", "yes"]);
    sam.ok(NEEDS, &["couple", "opt-in", "sexual"]);
    sam.ok(PROMPT, &["answer", "my words"]);
    sam.ok(NEEDS, &["add", "private thing", "--private"]);
    [
        sealed_in(sb, "needs").pop().unwrap(),
        sb.data().join(format!("touch/{s}/state.age")),
        sb.data().join(format!("optin/{s}.age")),
        sb.data().join(format!("answers/{s}/2026.age")),
    ]
}

#[test]
fn a_partners_own_records_deleted_are_reported_on_their_device_kept_and_put_back() {
    let sb = Sandbox::new();
    let (alex, sam) = two_devices(&sb);
    let files = sams_own_records(&sb, &sam);
    let saved: Vec<Vec<u8>> = files.iter().map(|f| std::fs::read(f).unwrap()).collect();
    for f in &files {
        std::fs::remove_file(f).unwrap();
    }

    let said = |run: &Run| {
        for f in &files {
            let name = f.file_name().unwrap().to_str().unwrap();
            if run.stderr.contains(name) {
                assert!(run.stderr.contains(GONE), "{}", run.stderr);
                return true;
            }
        }
        false
    };
    let needs = sam.run(NEEDS, &["--json"]);
    assert!(needs.ok().contains("private thing"), "{}", needs.stderr);
    assert!(said(&needs), "not reported: {}", needs.stderr);
    let mine = sam.run(TOUCH, &["mine", "--json"]);
    assert_eq!(json(mine.ok())["boundaries"]["s0-hold-hands"], "yes");
    assert!(said(&mine), "not reported: {}", mine.stderr);
    let couple = json(&sam.ok(NEEDS, &["couple", "--json"]));
    assert_eq!(couple["you"]["sexual_opt_in"], true, "{couple}");
    let (answers, stderr) = history(&sam);
    assert_eq!(answers, ["my words"], "{stderr}");
    assert!(
        stderr.contains("2026.age") && stderr.contains(GONE),
        "{stderr}"
    );

    // Sam's device puts back each as Sam last signed it; then nothing more is said.
    sam.ok(NEEDS, &["couple", "doctor"]);
    for (f, bytes) in files.iter().zip(&saved) {
        assert_eq!(&std::fs::read(f).unwrap(), bytes, "{}", f.display());
    }
    for d in [&alex, &sam] {
        for (tool, args) in [(NEEDS, &["--json"][..]), (TOUCH, &["today"]), (PROMPT, &[])] {
            let run = d.run(tool, args);
            assert!(!run.stderr.contains(GONE), "{}", run.stderr);
        }
    }
}

#[test]
fn a_partners_own_records_replaced_by_plain_files_are_still_read_as_trusted_on_their_device() {
    let sb = Sandbox::new();
    let (_alex, sam) = two_devices(&sb);
    let files = sams_own_records(&sb, &sam);
    // Whoever can write into the folder puts a plain file where each sealed one was: it is not
    // trusted, and it hides nothing either, on every run.
    for f in &files {
        std::fs::remove_file(f).unwrap();
        std::fs::write(f.with_extension("json"), "{\"version\":1}\n").unwrap();
    }
    for _ in 0..2 {
        let needs = sam.run(NEEDS, &["--json"]);
        assert!(needs.ok().contains("private thing"), "{}", needs.stderr);
        let mine = sam.run(TOUCH, &["mine", "--json"]);
        let mine_json = json(mine.ok());
        assert_eq!(
            mine_json["boundaries"]["s0-hold-hands"], "yes",
            "{}",
            mine.stderr
        );
        let couple = json(&sam.ok(NEEDS, &["couple", "--json"]));
        assert_eq!(couple["you"]["sexual_opt_in"], true, "{couple}");
        let (answers, stderr) = history(&sam);
        assert_eq!(answers, ["my words"], "{stderr}");
    }
}

#[test]
fn a_folder_link_pipe_or_huge_file_in_a_private_needs_place_hides_nothing_on_its_owners_device() {
    let sb = Sandbox::new();
    let (_alex, sam) = two_devices(&sb);
    sam.ok(NEEDS, &["add", "private thing", "--private"]);
    let need = sealed_in(&sb, "needs").pop().unwrap();
    let saved = std::fs::read(&need).unwrap();
    type Put = fn(&Path);
    let puts: [(&str, Put); 4] = [
        ("folder", |f| std::fs::create_dir(f).unwrap()),
        ("link", |f| {
            std::os::unix::fs::symlink("/dev/null", f).unwrap()
        }),
        ("pipe", |f| {
            let made = std::process::Command::new("mkfifo")
                .arg(f)
                .status()
                .unwrap();
            assert!(made.success());
        }),
        ("huge", |f| {
            let file = std::fs::File::create(f).unwrap();
            file.set_len(17 << 20).unwrap();
        }),
    ];
    for (what, put) in puts {
        std::fs::remove_file(&need).unwrap();
        put(&need);
        // Said on the first run only, so the second run must still list it.
        for _ in 0..2 {
            let needs = sam.run(NEEDS, &["--json"]);
            assert!(
                needs.ok().contains("private thing"),
                "{what}: {}",
                needs.stderr
            );
        }
        if need.is_dir() {
            std::fs::remove_dir(&need).unwrap();
        } else {
            std::fs::remove_file(&need).unwrap();
        }
        std::fs::write(&need, &saved).unwrap();
    }
}

#[test]
fn a_folder_in_the_place_of_a_partners_touch_state_stops_no_command() {
    let sb = Sandbox::new();
    let (_alex, sam) = two_devices(&sb);
    let s = sam.id_of("Sam");
    sam.ok(TOUCH, &["boundary", "s0-hold-hands", "yes"]);
    let state = sb.data().join(format!("touch/{s}/state.age"));
    std::fs::remove_file(&state).unwrap();
    std::fs::create_dir(&state).unwrap();
    for _ in 0..2 {
        let mine = sam.run(TOUCH, &["mine", "--json"]);
        let mine_json = json(mine.ok());
        assert_eq!(
            mine_json["boundaries"]["s0-hold-hands"], "yes",
            "{}",
            mine.stderr
        );
        sam.ok(TOUCH, &["today"]);
    }
}

#[test]
fn a_deleted_couple_file_keeps_future_prompts_off_and_is_reported() {
    let sb = Sandbox::new();
    let (alex, sam) = two_devices(&sb);
    alex.ok(NEEDS, &["couple", "future-prompts", "off"]);
    let today = sam.ok(PROMPT, &[]);
    let file = sb.data().join("couple.age");
    std::fs::remove_file(&file).unwrap();
    for d in [&alex, &sam] {
        let run = d.run(NEEDS, &["couple", "--json"]);
        assert_eq!(json(run.ok())["future_prompts"], false, "{}", run.stderr);
        assert!(
            run.stderr.contains("couple.age") && run.stderr.contains(GONE),
            "not reported: {}",
            run.stderr
        );
        assert_eq!(d.ok(PROMPT, &[]), today, "the prompts were reshuffled");
    }
    alex.ok(NEEDS, &["couple", "doctor"]);
    assert!(file.exists());
    let run = sam.run(NEEDS, &["couple", "--json"]);
    assert!(!run.stderr.contains(GONE), "{}", run.stderr);
}

#[test]
fn an_answer_taken_back_is_never_shared_from_an_old_copy_put_back() {
    let sb = Sandbox::new();
    let (alex, sam) = two_devices(&sb);
    let s = sam.id_of("Sam");
    let taken_back = "I sometimes wish I had left";
    sam.ok(PROMPT, &["answer", taken_back]);
    let file = sb.data().join(format!("answers/{s}/2026.age"));
    let old = std::fs::read(&file).unwrap();
    sam.ok(PROMPT, &["answer", "--delete"]);

    // Whoever kept the earlier copy puts it back; Alex answers; Sam's cron run follows.
    std::fs::write(&file, &old).unwrap();
    alex.ok(PROMPT, &["answer", "fine"]);
    let cron = sam.run(PROMPT, &[]);
    cron.ok();
    for d in [&sam, &alex] {
        let (answers, said) = history(d);
        assert!(
            !answers.iter().any(|a| a.contains(taken_back)),
            "{answers:?} {said}"
        );
    }
    assert!(
        cron.stderr.contains("2026.age"),
        "not reported: {}",
        cron.stderr
    );
    assert!(!alex.ok(PROMPT, &["history"]).contains(taken_back));
}

#[test]
fn deletions_through_the_tools_raise_no_alarm_on_either_device() {
    let sb = Sandbox::new();
    let (alex, sam) = two_devices(&sb);
    let quiet = |what: &str| {
        for d in [&alex, &sam] {
            for (tool, args) in [
                (NEEDS, &["--all", "--json"][..]),
                (NEEDS, &["couple", "--json"]),
                (TOUCH, &["show", "--json"]),
                (TOUCH, &["mine"]),
                (PROMPT, &["history"]),
                (PROMPT, &[]),
            ] {
                let run = d.run(tool, args);
                run.ok();
                assert!(!run.stderr.contains(GONE), "{what}: {}", run.stderr);
            }
        }
    };
    // A private need and a shared one, removed by their owner.
    sam.ok(NEEDS, &["add", "private thing", "--private"]);
    sam.ok(NEEDS, &["add", "shared thing"]);
    quiet("needs added");
    for n in sealed_in(&sb, "needs") {
        let id = n.file_stem().unwrap().to_str().unwrap().to_owned();
        sam.ok(NEEDS, &["rm", &id, "--yes"]);
    }
    quiet("needs removed");
    // An answer taken back, on a day both answered.
    sam.ok(PROMPT, &["answer", "my words"]);
    alex.ok(PROMPT, &["answer", "mine"]);
    quiet("answered");
    sam.ok(PROMPT, &["answer", "--delete"]);
    quiet("answer taken back");
    // A hold set and lifted by its owner.
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
    quiet("hold set");
    sam.ok(TOUCH, &["hold", "--release"]);
    quiet("hold lifted");
    // Sexual content on and off: the changes stay.
    for d in [&alex, &sam] {
        d.ok(NEEDS, &["couple", "opt-in", "sexual"]);
    }
    turns(&alex, &sam);
    sam.ok(NEEDS, &["couple", "opt-out", "sexual"]);
    turns(&alex, &sam);
    quiet("opted out");
    // Both devices go back to plain files.
    alex.ok(NEEDS, &["couple", "decrypt", "--yes"]);
    let run = sam.run(NEEDS, &["--all", "--json"]);
    assert!(!run.stderr.contains(GONE), "{}", run.stderr);
}

#[test]
fn a_deleted_body_map_keeps_its_off_limits_on_the_other_device() {
    let sb = Sandbox::new();
    let (alex, sam) = two_devices(&sb);
    let s = sam.id_of("Sam");
    for d in [&alex, &sam] {
        d.ok(TOUCH, &["boundary", "s0-sit-close", "yes"]);
    }
    sam.ok(
        TOUCH,
        &["body", "shoulders", "off-limits", "--note", "surgery"],
    );
    turns(&alex, &sam);
    let avoid = "Sam: avoid the shoulders (surgery)";
    assert!(alex.ok(TOUCH, &["today"]).contains(avoid));
    std::fs::remove_file(sb.data().join(format!("touch/{s}/body.age"))).unwrap();
    let run = alex.run(TOUCH, &["today"]);
    assert!(run.ok().contains(avoid), "the off-limits was dropped");
    assert!(
        run.stderr.contains("body.age") && run.stderr.contains(GONE),
        "not reported: {}",
        run.stderr
    );
}

#[test]
fn sessions_flare_days_private_debriefs_and_round_publications_deleted_are_noticed_on_their_device()
{
    let sb = Sandbox::new();
    let (alex, sam) = two_devices(&sb);
    let s = sam.id_of("Sam");
    for d in [&alex, &sam] {
        d.ok(TOUCH, &["boundary", "s0-hold-hands", "yes"]);
    }
    turns(&alex, &sam);
    sam.ok(TOUCH, &["log", "--minutes", "10"]);
    sam.ok(
        TOUCH,
        &["debrief", "--noticed", "my own words", "--private"],
    );
    sam.ok(NEEDS, &["couple", "energy", "low"]);
    sam.ok(TOUCH, &["history"]);
    let rounds = std::fs::read_dir(sb.data().join("psi"))
        .unwrap()
        .flatten()
        .map(|t| t.path().join(format!("{s}.age")))
        .filter(|p| p.exists());
    let files: Vec<PathBuf> = [
        sb.data().join(format!("touch/{s}/sessions.age")),
        sb.data().join(format!("touch/{s}/private-debriefs.age")),
        sb.data().join(format!("energy/{s}.age")),
    ]
    .into_iter()
    .chain(rounds)
    .collect();
    assert!(files.len() > 3, "{files:?}");
    let saved: Vec<Vec<u8>> = files.iter().map(|f| std::fs::read(f).unwrap()).collect();
    // Whoever can write into the folder deletes them.
    for f in &files {
        std::fs::remove_file(f).unwrap();
    }
    let named = |stderr: &str, f: &PathBuf| {
        let name = f
            .strip_prefix(sb.data())
            .unwrap()
            .to_str()
            .unwrap()
            .to_owned();
        stderr
            .lines()
            .any(|l| l.contains(&name) && l.contains(GONE))
    };
    // Sam's device keeps what it trusted and says so.
    let history = sam.run(TOUCH, &["history", "--json"]);
    assert!(history.ok().contains("my own words"), "{}", history.stderr);
    for f in &files[..2] {
        assert!(
            named(&history.stderr, f),
            "{}: {}",
            f.display(),
            history.stderr
        );
    }
    let energy = sam.run(NEEDS, &["couple", "energy"]);
    assert!(energy.ok().contains("low-energy"), "{}", energy.stderr);
    assert!(named(&energy.stderr, &files[2]), "{}", energy.stderr);
    // Each round publication is said once, by the first run that takes part in its round.
    let today = sam.run(TOUCH, &["today"]);
    today.ok();
    let said = [history.stderr, energy.stderr, today.stderr].concat();
    for f in &files[3..] {
        assert!(named(&said, f), "{}: {said}", f.display());
        // Written again at once, not left out.
        let name = f.strip_prefix(sb.data()).unwrap().to_str().unwrap();
        assert!(
            said.lines()
                .filter(|l| l.contains(name) && l.contains(GONE))
                .all(|l| l.contains("has written it again") && !l.contains("left out")),
            "{said}"
        );
    }
    // `couple doctor` puts back the records as Sam last signed them; Sam's device publishes its
    // rounds again itself. Then nothing more is said.
    sam.ok(NEEDS, &["couple", "doctor"]);
    for (f, bytes) in files[..3].iter().zip(&saved) {
        assert_eq!(&std::fs::read(f).unwrap(), bytes, "{}", f.display());
    }
    assert!(files[3..].iter().all(|f| f.exists()));
    for d in [&alex, &sam] {
        for (tool, args) in [
            (TOUCH, &["history"][..]),
            (TOUCH, &["today"]),
            (NEEDS, &["couple", "energy"]),
        ] {
            let run = d.run(tool, args);
            assert!(!run.stderr.contains(GONE), "{}", run.stderr);
        }
    }
}
