//! A round one device finishes alone: a partner who finishes a round on a copy of their folders
//! (so learns the joint result) and then, with the other device's turn out of sight for one
//! command, changes their answer. Their device cannot read the other's rounds again without
//! taking its own turn of the old one, and then both see what was joint; until it does, the
//! device that took its turn tells its partner what the other device may have learnt. A change
//! of the joint result that one device deleted before it synced is recorded by the other too.

use super::*;
use support::{NEEDS, TOUCH, copy_dir};

/// Said to the partner whose device took its turn in a round the other device left open: at
/// first that it is still open, and from the third day what that device may have learnt.
const STILL_OPEN: &str = "one round is still open";
const MAY_HAVE: &str = "may have learnt";
pub(super) const WHILE: &str = "For a while";

/// Nothing said of a round left open.
pub(super) fn quiet(said: &str) -> bool {
    !said.contains(STILL_OPEN) && !said.contains(MAY_HAVE)
}

fn turns(alex: &Device, sam: &Device) {
    for _ in 0..3 {
        alex.ok(TOUCH, &["show"]);
        sam.ok(TOUCH, &["show"]);
    }
}

/// Whether `show` says sit-close is in the plan now, and whether it says it was for a while.
pub(super) fn sit_close(d: &Device) -> (bool, bool, String) {
    let run = d.run(TOUCH, &["show"]);
    let out = run.ok().to_owned();
    let now = out
        .lines()
        .any(|l| l.contains("s0-sit-close") && l.contains("in the plan") && !l.contains(WHILE));
    let was = out
        .lines()
        .any(|l| l.contains("s0-sit-close") && l.contains(WHILE));
    (now, was, format!("{out}{}", run.stderr))
}

/// Both say yes to sit-close; Sam's device takes its turn, so Alex's device can finish the round.
fn sams_turn_given(sb: &Sandbox) -> (Device<'_>, Device<'_>, PathBuf) {
    let (alex, sam) = two_devices(sb);
    sam.ok(TOUCH, &["boundary", "s0-sit-close", "yes"]);
    sam.ok(TOUCH, &["show"]);
    alex.ok(TOUCH, &["boundary", "s0-sit-close", "yes"]);
    sam.ok(TOUCH, &["show"]);
    let sams_round = sb.data().join(format!("psi/plan/{}.age", sam.id_of("Sam")));
    assert!(sams_round.exists());
    (alex, sam, sams_round)
}

/// Alex's device finishes the round on a copy of her device and folder (learning that Sam said
/// yes), then on her real device, with Sam's turn out of sight for one command, says no.
fn held_back_by_alex(sb: &Sandbox) -> (Device<'_>, Device<'_>) {
    let (alex, sam, sams_round) = sams_turn_given(sb);
    let copy = device(sb, "alex-copy");
    copy_dir(&alex.config, &copy.config);
    let copy_data = sb.path("copy-data");
    copy_dir(&sb.data(), &copy_data);
    let learnt = copy.run_in(&copy_data, TOUCH, &["show"]);
    assert!(
        learnt
            .ok()
            .lines()
            .any(|l| l.contains("s0-sit-close") && l.contains("in the plan")),
        "the copy finishes the round: {}",
        learnt.ok()
    );
    let aside = sb.path("aside.age");
    std::fs::rename(&sams_round, &aside).unwrap();
    alex.ok(TOUCH, &["boundary", "s0-sit-close", "no"]);
    std::fs::rename(&aside, &sams_round).unwrap();
    (alex, sam)
}

#[test]
fn a_round_finished_on_a_copy_and_held_back_is_shown_to_both_once_the_turn_is_taken() {
    let sb = Sandbox::new();
    sb.set_today("2026-03-02");
    let (alex, sam) = held_back_by_alex(&sb);

    // Sam's device sees Alex's device move on without its turn of the round: it tells Sam,
    // shortly and without alarm (it may be nothing but sync lag), that a round is still open.
    let (now, was, said) = sit_close(&sam);
    assert!(!now && !was, "{said}");
    let note = said.lines().find(|l| l.contains(STILL_OPEN));
    assert!(
        note.is_some_and(|l| !l.contains("sit-close")) && !said.contains(MAY_HAVE),
        "Sam is told: {said}"
    );
    // Still open two days later: nothing more (the short note is said once while the other
    // device's round stays as it is).
    sb.set_today("2026-03-04");
    let said = sam.run(TOUCH, &["show"]).stderr;
    assert!(!said.contains(MAY_HAVE), "{said}");
    // Three days after Sam's device first saw it, lag is unlikely: it names what Alex's device
    // may have learnt (Sam's own yes), never what Alex said.
    sb.set_today("2026-03-05");
    let said = sam.run(TOUCH, &["show"]).stderr;
    assert!(
        said.contains(MAY_HAVE) && said.contains("for 3 days") && said.contains("s0-sit-close"),
        "Sam is told: {said}"
    );
    // A round held back for months is still said as held back, however long.
    sb.set_today("2026-06-10");
    let said = sam.run(TOUCH, &["show"]).stderr;
    assert!(
        said.contains(MAY_HAVE) && said.contains("for 100 days"),
        "Sam is told: {said}"
    );

    // Alex's device cannot take a later turn without taking its turn of the old round; then
    // both see that sit-close was in the plan for a while.
    turns(&alex, &sam);
    for (who, d) in [("Alex", &alex), ("Sam", &sam)] {
        let (now, was, said) = sit_close(d);
        assert!(!now && was, "{who}: {said}");
        assert!(quiet(&said), "{who}: {said}");
    }
    let traces = sam.ok(NEEDS, &["couple", "today"]);
    assert_eq!(traces.matches(WHILE).count(), 1, "told once: {traces}");
}

#[test]
fn a_device_that_moved_on_before_the_others_turn_arrived_finishes_the_old_round_late() {
    let sb = Sandbox::new();
    let (alex, sam, sams_round) = sams_turn_given(&sb);
    // Sam's turn has not synced to Alex's device yet when Alex says no.
    let aside = sb.path("aside.age");
    std::fs::rename(&sams_round, &aside).unwrap();
    alex.ok(TOUCH, &["boundary", "s0-sit-close", "no"]);
    std::fs::rename(&aside, &sams_round).unwrap();
    // Alex's device runs once the turn has arrived, before Sam's does: no alarm on either.
    alex.ok(TOUCH, &["show"]);
    let run = sam.run(TOUCH, &["show"]);
    assert!(quiet(&run.stderr), "{}", run.stderr);
    turns(&alex, &sam);
    for (who, d) in [("Alex", &alex), ("Sam", &sam)] {
        let (now, was, said) = sit_close(d);
        assert!(!now && was, "{who}: {said}");
        assert!(quiet(&said), "{who}: {said}");
    }
}

#[test]
fn a_change_deleted_before_it_synced_is_recorded_by_the_other_device_too() {
    let sb = Sandbox::new();
    let (alex, sam) = two_devices(&sb);
    sam.ok(TOUCH, &["boundary", "s0-sit-close", "yes"]);
    alex.ok(TOUCH, &["boundary", "s0-sit-close", "yes"]);
    turns(&alex, &sam);
    assert!(
        sit_close(&alex).0 && sit_close(&sam).0,
        "in the plan on both"
    );
    // Alex takes it back and deletes her device's record of the change before it syncs.
    alex.ok(TOUCH, &["boundary", "s0-sit-close", "no"]);
    let changes = sb.data().join("changes");
    for e in std::fs::read_dir(&changes).unwrap().flatten() {
        std::fs::remove_file(e.path()).unwrap();
    }
    turns(&alex, &sam);
    for (who, d) in [("Sam", &sam), ("Alex", &alex)] {
        let (now, was, said) = sit_close(d);
        assert!(!now && was, "{who}: {said}");
        assert!(quiet(&said), "{who}: {said}");
    }
    // Seen by both devices, told once.
    let today = sam.ok(NEEDS, &["couple", "today"]);
    assert_eq!(today.matches(WHILE).count(), 1, "{today}");
}

#[test]
fn ordinary_use_on_two_devices_never_says_a_round_was_held_back() {
    let sb = Sandbox::new();
    let (alex, sam) = two_devices(&sb);
    for d in [&alex, &sam] {
        d.ok(NEEDS, &["couple", "opt-in", "sexual"]);
    }
    let mut said = String::new();
    for (who, answer) in [
        (&alex, "yes"),
        (&sam, "yes"),
        (&alex, "maybe"),
        (&sam, "no"),
        (&alex, "yes"),
        (&sam, "yes"),
    ] {
        said += &who
            .run(TOUCH, &["boundary", "s0-hold-hands", answer])
            .stderr;
        for d in [&sam, &alex, &sam] {
            said += &d.run(TOUCH, &["today"]).stderr;
            said += &d.run(NEEDS, &["couple", "today"]).stderr;
        }
    }
    alex.ok(NEEDS, &["couple", "opt-out", "sexual"]);
    for d in [&sam, &alex, &sam] {
        said += &d.run(TOUCH, &["show"]).stderr;
    }
    assert!(quiet(&said), "{said}");
    // Sexual content was on for a while: told once on each device, whoever recorded it.
    for d in [&alex, &sam] {
        let couple = json(&d.ok(NEEDS, &["couple", "--json"]));
        let n = couple["sexual_content_changes"].as_array().unwrap().len();
        assert_eq!(n, 1, "{couple}");
    }
}

#[test]
fn a_round_left_open_before_a_new_key_is_forgotten_without_a_false_note() {
    let sb = Sandbox::new();
    sb.set_today("2026-03-02");
    let (alex, sam, sams_round) = sams_turn_given(&sb);
    let aside = sb.path("aside.age");
    std::fs::rename(&sams_round, &aside).unwrap();
    alex.ok(TOUCH, &["boundary", "s0-sit-close", "no"]);
    std::fs::rename(&aside, &sams_round).unwrap();
    let said = sam.run(TOUCH, &["show"]).stderr;
    assert!(said.contains(STILL_OPEN), "{said}");

    // Alex's device is lost with every copy of her key; her new device starts over, and Sam
    // accepts the new key. The round was made with the lost key: nobody can finish it now.
    std::fs::remove_dir_all(&alex.config).unwrap();
    let new = device(&sb, "alex-new");
    let fp = sam.fingerprint_of("Alex");
    new.ok(NEEDS, &["couple", "keys", "new", &fp, "--yes"]);
    sam.run(NEEDS, &["--all"]);
    sam.ok(NEEDS, &["couple", "keys", "accept", "Alex"]);
    new.run(NEEDS, &["--all"]);
    new.run(NEEDS, &["couple", "me", "Alex"]);
    // Days later, whatever both devices do, Sam's device says nothing of that round.
    sb.set_today("2026-03-09");
    let mut said = String::new();
    for _ in 0..3 {
        said += &new.run(TOUCH, &["show"]).stderr;
        said += &sam.run(TOUCH, &["show"]).stderr;
    }
    assert!(quiet(&said), "{said}");
}

#[test]
fn a_first_sight_dated_ahead_by_a_wrong_clock_counts_from_the_day_the_clock_is_right() {
    let sb = Sandbox::new();
    sb.set_today("2026-03-02");
    let (_alex, sam) = held_back_by_alex(&sb);
    // Sam's device first sees the round left open on a day its clock is months ahead (or a
    // look ahead with --date), then the clock is set right.
    sb.set_today("2026-06-01");
    sam.ok(TOUCH, &["show"]);
    sb.set_today("2026-03-02");
    sam.ok(TOUCH, &["show"]);
    // Three days on, what Alex's device may have learnt is said, as for any first sight.
    sb.set_today("2026-03-05");
    let said = sam.run(TOUCH, &["show"]).stderr;
    assert!(
        said.contains(MAY_HAVE) && said.contains("for 3 days"),
        "Sam is told: {said}"
    );
}
