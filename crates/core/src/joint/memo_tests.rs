//! The memo of the joint view on two devices syncing by file copy: used only while every round
//! file is as it was, and never in the way of a forged or replayed round being reported.

use super::memo::Memo;
use super::round;
use super::tests::{A, B, World, at, couple, day, in_plan, small_library};
use super::touch::{JointOptIn, JointPlan};
use crate::touch::{Answer, State, derive};
use std::path::Path;
use std::time::{Duration, SystemTime};

impl World {
    /// Sam's round publication `old` of `topic`, moved to a later round and sealed again in
    /// Sam's place with Alex's key: what Alex could write to forge Sam's turn.
    fn forged_in_sams_place(&self, topic: &str, old: &[u8]) -> Vec<u8> {
        let keys_of = |id: &str| match id {
            A => Some(self.keys[0].public()),
            B => Some(self.keys[1].public()),
            _ => None,
        };
        let place = round::place(topic, B);
        let opened = crate::crypto::seal::open(&self.keys[0], old, &place, keys_of).unwrap();
        let mut body: serde_json::Value = serde_json::from_slice(&opened.body).unwrap();
        body["round"] = 1000.into();
        let readers = [&self.keys[0].public(), &self.keys[1].public()];
        crate::crypto::seal::seal(
            &self.keys[0],
            A,
            &place,
            &serde_json::to_vec(&body).unwrap(),
            &readers,
        )
        .unwrap()
    }
    /// Device `i` takes its turn through the memo `memo` (times seen from a minute later, so
    /// that files just written count as settled), and whether the memo answered.
    fn run_memo(&self, i: usize, memo: &Path) -> (JointPlan<'_>, bool) {
        self.run_memo_at(i, memo, SystemTime::now() + Duration::from_secs(60))
    }

    /// [`World::run_memo`] with file times seen at `later`.
    fn run_memo_at(&self, i: usize, memo: &Path, later: SystemTime) -> (JointPlan<'_>, bool) {
        let d = &self.devices[i];
        let mine = &self.states[i];
        let (mut m, v) = self.as_device(i, |places, party| {
            let mut m = Memo::load(memo.to_path_buf(), &self.keys[i].public().age, later);
            // Each state here is known by all it holds, as one read from a file by that file.
            let from = format!("{mine:?}");
            let v = m
                .view(
                    places,
                    party,
                    &self.lib,
                    &self.couple,
                    mine,
                    Some(&from),
                    &[],
                    day(),
                    at(60),
                    None,
                )
                .unwrap();
            (m, v)
        });
        let remembered = m.remembered;
        m.save();
        let mut couple = self.couple.clone();
        let mut states: Vec<State> = couple
            .partners
            .iter()
            .map(|p| {
                if p.id.as_str() == d.me {
                    mine.clone()
                } else {
                    State::new(&p.id)
                }
            })
            .collect();
        v.apply(&mut couple, &mut states);
        let plan = JointPlan {
            plan: derive(&self.lib, &couple, &states, &[], day()),
            sexual_ok: v.sexual_ok,
            waiting: v.waiting,
            problems: v.problems,
            closings: v.closings,
            unfinished: v.unfinished,
        };
        (plan, remembered)
    }
}

#[test]
fn an_unchanged_round_is_remembered_and_a_forged_or_replayed_one_reported_on_every_run() {
    let lib = small_library();
    let step = lib.steps[0].id;
    let mut w = World::new(lib.clone(), couple([false, false]));
    let memo = w.devices[0].config.join("memo");
    for who in 0..2 {
        w.states[who].boundaries.insert(step.into(), Answer::Yes);
    }
    w.settle();
    let sams = w.devices[0].data.join(round::place("plan", B));
    let old = std::fs::read(&sams).unwrap();

    // Nothing changed: the second run is answered by the memo, with the same plan.
    let (first, remembered) = w.run_memo(0, &memo);
    assert!(!remembered && in_plan(&first) == vec![step] && !first.waiting);
    let (again, remembered) = w.run_memo(0, &memo);
    assert!(remembered, "an unchanged round was worked out again");
    assert_eq!(
        (in_plan(&again), again.waiting, again.sexual_ok),
        (in_plan(&first), first.waiting, first.sexual_ok)
    );

    // Alex's own choice changes: not answered by the memo, and Alex's device waits for Sam's.
    w.states[0].boundaries.insert(step.into(), Answer::No);
    let (p, remembered) = w.run_memo(0, &memo);
    assert!(!remembered && in_plan(&p).is_empty() && p.waiting);
    let (p, remembered) = w.run_memo(0, &memo);
    assert!(
        p.waiting,
        "still waiting for the other device (remembered: {remembered})"
    );
    w.states[0].boundaries.insert(step.into(), Answer::Yes);
    w.settle();
    // Alex's device may take a last turn of its own first; then nothing changes.
    w.run_memo(0, &memo);
    w.run_memo(0, &memo);
    assert!(w.run_memo(0, &memo).1);

    // Sam changes their mind: their new round is seen at once (the plan waits for it to
    // finish), and once it has, the step is out.
    w.states[1].boundaries.insert(step.into(), Answer::No);
    w.run(1);
    w.sync(1);
    let (p, remembered) = w.run_memo(0, &memo);
    assert!(!remembered && p.waiting);
    w.settle();
    let (p, _) = w.run_memo(0, &memo);
    assert!(in_plan(&p).is_empty() && !p.waiting);

    // Replayed (Sam's earlier "yes" round put back) and forged (written in Sam's place with
    // Alex's key): reported on every run, and the plan does not move.
    let forged = w.forged_in_sams_place("plan", &old);
    for bad in [old, forged] {
        std::fs::write(&sams, &bad).unwrap();
        for run in 0..3 {
            let (p, remembered) = w.run_memo(0, &memo);
            assert!(!remembered, "run {run}: a bad round was not read");
            assert!(in_plan(&p).is_empty(), "run {run}: the plan moved");
            assert!(
                p.problems.iter().any(|(path, _)| *path == sams),
                "run {run}: not reported: {:?}",
                p.problems
            );
        }
    }
    // Gone from the folder: reported too.
    std::fs::remove_file(&sams).unwrap();
    for _ in 0..2 {
        let (p, _) = w.run_memo(0, &memo);
        assert!(p.problems.iter().any(|(path, _)| *path == sams));
    }
}

#[test]
fn a_memo_of_other_keys_or_a_damaged_one_is_not_used() {
    let mut w = World::new(small_library(), couple([true, true]));
    let memo = w.devices[0].config.join("memo");
    w.settle();
    w.run_memo(0, &memo);
    assert!(w.run_memo(0, &memo).1);
    std::fs::write(&memo, b"{not json").unwrap();
    assert!(!w.run_memo(0, &memo).1);
    assert!(w.run_memo(0, &memo).1);
    // Sam's key replaced (as after `couple keys` on a new device): worked out again.
    w.keys[1] = crate::crypto::Keys::generate();
    assert!(!w.run_memo(0, &memo).1);
}

#[test]
fn files_written_just_now_are_told_apart_by_their_bytes() {
    let w = World::new(small_library(), couple([true, false]));
    let memo = w.devices[0].config.join("memo");
    w.settle();
    // Every file was written within the last two seconds: its times alone are not trusted.
    let now = SystemTime::now();
    w.run_memo_at(0, &memo, now);
    assert!(
        w.run_memo_at(0, &memo, now).1,
        "unchanged files were worked out again"
    );
    // Sam's round rewritten at once, with other bytes: read again, and reported.
    let sams = w.devices[0].data.join(round::place("optin", B));
    let mut bytes = std::fs::read(&sams).unwrap();
    let last = bytes.len() - 1;
    bytes[last] ^= 1;
    std::fs::write(&sams, &bytes).unwrap();
    let (p, remembered) = w.run_memo_at(0, &memo, now);
    assert!(!remembered && p.problems.iter().any(|(path, _)| *path == sams));
}

impl World {
    /// Device `i` takes its turn of the opt-in exchange through the memo `memo`, its partner
    /// opted in or not (times seen from a minute later): what it said, and whether the memo
    /// answered.
    fn opt_in_memo(&self, i: usize, memo: &Path, opted: bool) -> (JointOptIn, bool) {
        let later = SystemTime::now() + Duration::from_secs(60);
        let mut m = Memo::load(memo.to_path_buf(), &self.keys[i].public().age, later);
        let o = self.as_device(i, |places, party| m.opt_in(places, party, opted).unwrap());
        let remembered = m.remembered;
        m.save();
        (o, remembered)
    }

    /// Both devices take turns of the opt-in exchange (without a memo), syncing in between.
    fn opt_in_turns(&self, opted: [bool; 2]) {
        for _ in 0..4 {
            for (i, &opted) in opted.iter().enumerate() {
                let scratch = self.devices[i].config.join("scratch");
                self.opt_in_memo(i, &scratch, opted);
                let _ = std::fs::remove_file(scratch);
                self.sync(i);
            }
        }
    }
}

#[test]
fn an_unchanged_opt_in_round_is_remembered_and_a_forged_or_replayed_one_reported_on_every_run() {
    let w = World::new(small_library(), couple([true, true]));
    let memo = w.devices[0].config.join("memo");
    w.opt_in_turns([true, true]);
    let sams = w.devices[0].data.join(round::place("optin", B));
    let old = std::fs::read(&sams).unwrap();

    // Nothing changed: the second run is answered by the memo, with the same result.
    let (first, remembered) = w.opt_in_memo(0, &memo, true);
    assert!(!remembered && first.both && !first.waiting);
    let (again, remembered) = w.opt_in_memo(0, &memo, true);
    assert!(remembered, "an unchanged opt-in round was worked out again");
    assert_eq!(
        (again.both, again.waiting, &again.round),
        (first.both, first.waiting, &first.round)
    );
    // Alex opts out: out at once, not answered by the memo.
    let (o, remembered) = w.opt_in_memo(0, &memo, false);
    assert!(!remembered && !o.both);
    w.opt_in_turns([true, true]);
    assert!(w.opt_in_memo(0, &memo, true).0.both);
    assert!(w.opt_in_memo(0, &memo, true).1);

    // Sam opts out: seen on Alex's device as soon as Sam's round arrives.
    w.opt_in_turns([true, false]);
    let (o, remembered) = w.opt_in_memo(0, &memo, true);
    assert!(!remembered && !o.both);

    // Replayed (Sam's earlier "in" round put back) and forged (written in Sam's place with
    // Alex's key): reported on every run, and nothing moves.
    let forged = w.forged_in_sams_place("optin", &old);
    for bad in [old, forged] {
        std::fs::write(&sams, &bad).unwrap();
        for run in 0..3 {
            let (o, remembered) = w.opt_in_memo(0, &memo, true);
            assert!(!remembered, "run {run}: a bad round was not read");
            assert!(!o.both, "run {run}: the opt-in moved");
            assert!(
                o.problems.iter().any(|(path, _)| *path == sams),
                "run {run}: not reported: {:?}",
                o.problems
            );
        }
    }
}

#[test]
fn the_own_state_is_known_by_its_file_and_by_the_version_read_in_its_place() {
    use crate::memory::Memory;
    use crate::test_devices::{A as ALEX, devices};
    use crate::touch::{load_state, state_path, update_state};
    let d = devices();
    let remember = |name: &str| {
        let m = Memory::new(d._dir.path().join(name), None);
        d.alex
            .change_sealing(|s| s.remember_in(std::sync::Arc::new(m), 0));
    };
    remember("memory");
    let alex: crate::ids::Id = ALEX.parse().unwrap();
    let file = d.alex.path(&state_path(&alex));
    let memo = Memo::load(
        d._dir.path().join("memo"),
        &d.ka.public().age,
        SystemTime::now() + Duration::from_secs(60),
    );
    let answer = |a: Answer| {
        update_state(&d.alex, &alex, |s| {
            s.boundaries.insert("kiss".into(), a);
            Ok(())
        })
        .unwrap();
    };
    // What each run reads, and what the memo knows it by.
    let read = || {
        let state = load_state(&d.alex, &alex).unwrap();
        (memo.own_state(&d.alex, &alex).unwrap(), state)
    };
    answer(Answer::Yes);
    let mut seen = vec![read(), read()];
    let earlier = std::fs::read(&file).unwrap();
    answer(Answer::No);
    seen.push(read());
    // An earlier version put back: the version trusted is read in its place...
    std::fs::write(&file, &earlier).unwrap();
    seen.push(read());
    assert_eq!(seen[3].1, seen[2].1, "the trusted version is read");
    // ... until this device's memory of it is gone: then the file is read as it is.
    remember("memory afresh");
    seen.push(read());
    assert_eq!(seen[4].1, seen[0].1);
    // Known by the same means, read the same.
    for a in &seen {
        for b in &seen {
            if a.0 == b.0 {
                assert_eq!(a.1, b.1, "{} gave two states", a.0);
            }
        }
    }
}
