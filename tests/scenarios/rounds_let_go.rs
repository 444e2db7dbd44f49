//! A round the other device left open so long that this device no longer keeps it (past 16 open
//! rounds) is said once on standard error, on the run that lets it go. A partner who sees closer
//! only through cron, where standard error may go nowhere, learns it from `couple today` too:
//! once, in the same words, and not again the next day.

use super::*;
use support::{NEEDS, TOUCH, bin, copy_dir, run_without_terminal, tree};

const LET_GO: &str = "no longer keeps the oldest";

/// Copies into `to` every file of `from` whose place names `id`: one partner's own files, as a
/// sync tool that only ever brings that partner's changes over would.
fn bring_over(from: &Path, to: &Path, id: &str) {
    for (f, bytes) in tree(from) {
        if f.contains(id) && !f.ends_with('/') && !f.contains(".lock") {
            let p = to.join(&f);
            std::fs::create_dir_all(p.parent().unwrap()).unwrap();
            std::fs::write(p, bytes).unwrap();
        }
    }
}

#[test]
fn a_round_let_go_reaches_a_cron_mail_of_couple_today_once_in_the_same_words() {
    let sb = Sandbox::new();
    let (alex, sam) = two_devices(&sb);
    let s = sam.id_of("Sam");
    alex.ok(TOUCH, &["boundary", "s0-sit-close", "yes"]);
    for _ in 0..3 {
        alex.ok(TOUCH, &["show"]);
        sam.ok(TOUCH, &["show"]);
    }
    // Alex's device, as cron runs it: HOME, a minimal PATH, nothing else but the data folder
    // and the pinned day; its config and cache folders are the device's.
    let home = sb.path("cron-home");
    std::fs::create_dir_all(&home).unwrap();
    std::os::unix::fs::symlink(&alex.config, home.join(".config")).unwrap();
    std::os::unix::fs::symlink(alex.config.join("cache"), home.join(".cache")).unwrap();
    let data = sb.data();
    let cron = |day: &str| {
        let env = [
            ("HOME", home.as_os_str()),
            ("PATH", "/usr/bin:/bin".as_ref()),
            ("SHELL", "/bin/sh".as_ref()),
            ("CLOSER_DIR", data.as_os_str()),
            ("CLOSER_TODAY", day.as_ref()),
        ];
        run_without_terminal(&bin(NEEDS), &env, &["couple", "today"])
    };
    // Sam's device moves on in a folder that never gets Alex's turns; Sam's files reach Alex's.
    let sams = sb.path("sam-data");
    copy_dir(&sb.data(), &sams);
    let (mut mailed, mut said) = (Vec::new(), String::new());
    for k in 0..=16u32 {
        let day = format!("2026-03-{:02}", k + 3);
        sb.set_today(&day);
        let answer = if k % 2 == 0 { "yes" } else { "no" };
        sam.run_in(&sams, TOUCH, &["boundary", "s0-hold-hands", answer])
            .ok();
        bring_over(&sams, &sb.data(), &s);
        let run = cron(&day);
        mailed.push(run.ok().to_owned());
        said.push_str(&run.stderr);
    }
    // Said once on standard error, which cron may drop...
    assert_eq!(said.matches(LET_GO).count(), 1, "{said}");
    // ...and once in what cron mails, in the same words, without the steps it chose.
    let with_note: Vec<&String> = mailed.iter().filter(|m| m.contains(LET_GO)).collect();
    assert_eq!(with_note.len(), 1, "{mailed:#?}");
    let note = with_note[0]
        .lines()
        .find(|l| l.contains(LET_GO))
        .unwrap()
        .to_owned();
    assert!(
        said.contains(&note[..note.find("That device").unwrap()]),
        "{note}\n{said}"
    );
    assert!(note.contains("may have learnt"), "{note}");
    // The same day shows it again; the next day does not.
    let last = format!("2026-03-{:02}", 16 + 3);
    let again = cron(&last);
    assert!(again.ok().contains(LET_GO), "{}", again.stdout);
    assert!(!cron("2026-03-30").ok().contains(LET_GO));
    // Nothing of it reached Sam's device, nor the folder: it is Alex's device's own.
    let sams_view = sam.run_in(&sams, NEEDS, &["couple", "today"]);
    assert!(!sams_view.ok().contains(LET_GO));
    assert!(!sams_view.stderr.contains(LET_GO));
}
