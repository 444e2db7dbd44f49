//! Two devices, each with its own config folder and its own copy of the data folder, syncing by
//! copying files: the joint plan they reach, what a forged or replayed round does, and what the
//! other partner could read from the published rounds.

use super::round::{self, Party, Places};
use super::touch::{JointPlan, plan};
use crate::content::Library;
use crate::crypto::Keys;
use crate::ids::Id;
use crate::profile::{Couple, Partner};
use crate::touch::{Answer, Event, EventKind, Joint, State, derive};
use age::secrecy::ExposeSecret;
use chrono::{DateTime, NaiveDate, Utc};
use std::path::{Path, PathBuf};

pub(super) fn day() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 3, 2).unwrap()
}

pub(super) fn at(minute: i64) -> DateTime<Utc> {
    day().and_hms_opt(12, 0, 0).unwrap().and_utc() + chrono::Duration::minutes(minute)
}

pub(super) const A: &str = "a1ex0001";
pub(super) const B: &str = "5amm0002";

/// A short ladder (five steps, the last of a sexual stage) so that a thousand couples stay fast.
pub(super) fn small_library() -> Library {
    let mut lib = Library::builtin();
    let mut steps: Vec<_> = lib
        .steps
        .iter()
        .filter(|s| !lib.step_is_sexual(s))
        .take(4)
        .cloned()
        .collect();
    steps.extend(lib.steps.iter().find(|s| lib.step_is_sexual(s)).cloned());
    lib.steps = steps.into();
    lib
}

pub(super) fn couple(sexual: [bool; 2]) -> Couple {
    let p = |id: &str, name: &str, sexual: bool| Partner {
        extra: Default::default(),
        version: 1,
        id: id.parse().unwrap(),
        name: name.into(),
        conditions: vec![],
        removed_conditions: Vec::new(),
        sexual,
        added: day(),
    };
    Couple {
        seed: 1,
        partners: vec![p(A, "alex", sexual[0]), p(B, "sam", sexual[1])],
        ..Default::default()
    }
}

pub(super) struct Device {
    pub(super) data: PathBuf,
    pub(super) config: PathBuf,
    pub(super) me: &'static str,
    pub(super) other: &'static str,
}

pub(super) struct World {
    _t: tempfile::TempDir,
    pub(super) keys: [Keys; 2],
    pub(super) devices: [Device; 2],
    pub(super) lib: Library,
    pub(super) couple: Couple,
    pub(super) states: [State; 2],
}

impl World {
    pub(super) fn new(lib: Library, couple: Couple) -> World {
        // In memory where there is a memory file system: a thousand couples write many files.
        let t = tempfile::tempdir_in("/dev/shm")
            .or_else(|_| tempfile::tempdir())
            .unwrap();
        let dev = |n: &str, me, other| Device {
            data: t.path().join(n).join("data"),
            config: t.path().join(n).join("config"),
            me,
            other,
        };
        World {
            devices: [dev("a", A, B), dev("b", B, A)],
            _t: t,
            keys: [Keys::generate(), Keys::generate()],
            lib,
            states: [
                State::new(&Id::parse(A).unwrap()),
                State::new(&Id::parse(B).unwrap()),
            ],
            couple,
        }
    }

    /// Device `i` takes its turn: its partner's own state, nothing of the other's.
    pub(super) fn run(&self, i: usize) -> JointPlan<'_> {
        self.as_device(i, |places, party| {
            plan(
                places,
                party,
                &self.lib,
                &self.couple,
                &self.states[i],
                &[],
                day(),
                at(60),
            )
            .unwrap()
        })
    }

    /// What device `i` works with: its places, its partner's keys and the other's public ones.
    pub(super) fn as_device<R>(&self, i: usize, f: impl FnOnce(Places<'_>, &Party<'_>) -> R) -> R {
        let d = &self.devices[i];
        let theirs = self.keys[1 - i].public();
        let party = Party {
            me: d.me,
            keys: &self.keys[i],
            other: d.other,
            theirs: &theirs,
        };
        let places = Places {
            data: &d.data,
            config: &d.config,
        };
        f(places, &party)
    }

    /// Copies every published round from device `from`'s data folder to the other's.
    pub(super) fn sync(&self, from: usize) {
        copy_tree(
            &self.devices[from].data.join(round::FOLDER),
            &self.devices[1 - from].data.join(round::FOLDER),
        );
    }

    /// Both devices take turns, syncing in between, until neither is waiting.
    pub(super) fn settle(&self) -> [JointPlan<'_>; 2] {
        for _ in 0..8 {
            let a = self.run(0);
            self.sync(0);
            let b = self.run(1);
            self.sync(1);
            if !a.waiting && !b.waiting {
                return [a, b];
            }
        }
        panic!("the devices never settled");
    }

    fn plain(&self) -> crate::touch::Plan<'_> {
        derive(&self.lib, &self.couple, &self.states, &[], day())
    }
}

fn copy_tree(from: &Path, to: &Path) {
    let Ok(entries) = std::fs::read_dir(from) else {
        return;
    };
    std::fs::create_dir_all(to).unwrap();
    for e in entries.flatten() {
        let target = to.join(e.file_name());
        if e.file_type().unwrap().is_dir() {
            copy_tree(&e.path(), &target);
        } else if !e.file_name().to_string_lossy().starts_with('.') {
            std::fs::copy(e.path(), target).unwrap();
        }
    }
}

/// Every visible step's joint state, the current step, finished, paused, and own readiness.
type Seen = (
    Vec<(&'static str, Joint)>,
    Option<&'static str>,
    bool,
    bool,
    bool,
);

/// What a partner sees of a plan: every visible step's joint state, the current step, whether
/// it is finished or paused, and their own readiness.
fn seen(p: &crate::touch::Plan, who: usize) -> Seen {
    (
        p.steps.iter().map(|(s, j)| (s.id, *j)).collect(),
        p.current.map(|s| s.id),
        p.finished,
        p.paused,
        p.is_ready(who),
    )
}

/// The random bits of case `n`, the same on every run so that a failure can be replayed.
fn bits(n: u64) -> u64 {
    // splitmix64
    let mut z = n.wrapping_add(1).wrapping_mul(0x9e37_79b9_7f4a_7c15);
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

/// One random couple on two devices: both devices must show what the plain derivation shows.
/// Returns whether the plan moved on, had a talk-first step, had any step.
fn random_couple(case: u64, lib: &Library, keys: &[Keys; 2]) -> [bool; 3] {
    let r = bits(case);
    let ids: Vec<&'static str> = lib.steps.iter().map(|s| s.id).collect();
    let mut w = World::new(lib.clone(), couple([r & 1 == 1, r & 2 == 2]));
    w.keys = keys
        .each_ref()
        .map(|k| Keys::from_text(k.to_text().expose_secret()).unwrap());
    for (who, shift) in [(0usize, 2u32), (1, 17)] {
        for (k, step) in ids.iter().enumerate() {
            // Mostly yes, so that plans are common and readiness moves them often.
            let answer = match (r >> (shift + 3 * k as u32)) & 7 {
                0 => continue,
                1 => Answer::No,
                2 => Answer::Maybe,
                _ => Answer::Yes,
            };
            w.states[who].boundaries.insert((*step).to_owned(), answer);
        }
    }
    // Each partner may have said they are ready to move on from the first step of the plan.
    let first = w.plain().current.map(|s| s.id.to_owned());
    for who in 0..2 {
        if let Some(step) = first.as_ref().filter(|_| r >> (32 + who) & 1 == 1) {
            w.states[who].events.push(Event {
                date: day(),
                at: at(who as i64),
                kind: EventKind::Ready { step: step.clone() },
                extra: Default::default(),
            });
        }
    }
    let plain = w.plain();
    let [a, b] = w.settle();
    assert_eq!(
        seen(&a.plan, 0),
        seen(&plain, 0),
        "case {case}, first device"
    );
    assert_eq!(
        seen(&b.plan, 1),
        seen(&plain, 1),
        "case {case}, second device"
    );
    assert!(
        a.problems.is_empty() && b.problems.is_empty(),
        "case {case}"
    );
    [
        plain.current.map(|s| s.id) != first.as_deref(),
        plain.steps.iter().any(|(_, j)| *j == Joint::TalkFirst),
        !plain.in_plan.is_empty(),
    ]
}

#[test]
fn two_devices_reach_the_plain_plan_and_readiness_over_1000_random_pairs() {
    let lib = small_library();
    let keys = [Keys::generate(), Keys::generate()];
    let counts = std::thread::scope(|s| {
        let parts: Vec<_> = (0..2u64)
            .map(|part| {
                let (lib, keys) = (&lib, &keys);
                s.spawn(move || {
                    (part * 500..(part + 1) * 500)
                        .map(|case| random_couple(case, lib, keys))
                        .fold([0; 3], |acc, c| {
                            [0, 1, 2].map(|i| acc[i] + usize::from(c[i]))
                        })
                })
            })
            .collect();
        parts
            .into_iter()
            .map(|p| p.join().unwrap())
            .fold([0; 3], |acc, c| [0, 1, 2].map(|i| acc[i] + c[i]))
    });
    // The cases cover what matters: plans, talk-first steps, and both ready.
    let [moved, talk, in_plan] = counts;
    assert!(moved > 100 && talk > 200 && in_plan > 500, "{counts:?}");
}

pub(super) fn in_plan(p: &JointPlan) -> Vec<&'static str> {
    p.plan.in_plan.iter().map(|s| s.id).collect()
}

#[test]
fn a_forged_or_replayed_round_is_rejected_and_reported_and_the_plan_does_not_move() {
    let lib = small_library();
    let step = lib.steps[0].id;
    let mut w = World::new(lib.clone(), couple([false, false]));
    for who in 0..2 {
        w.states[who].boundaries.insert(step.into(), Answer::Yes);
    }
    let [a, b] = w.settle();
    assert_eq!((in_plan(&a), in_plan(&b)), (vec![step], vec![step]));
    // Sam's round from when they said yes, as Alex's device has it.
    let place = round::place("plan", B);
    let sams = w.devices[0].data.join(&place);
    let old = std::fs::read(&sams).unwrap();

    // Sam changes their mind: both devices take the step out.
    w.states[1].boundaries.insert(step.into(), Answer::No);
    let [a, b] = w.settle();
    assert!(in_plan(&a).is_empty() && in_plan(&b).is_empty());

    // Replayed: Sam's earlier round, put back into Alex's folder.
    std::fs::write(&sams, &old).unwrap();
    let a = w.run(0);
    assert!(in_plan(&a).is_empty(), "the plan does not move");
    assert!(
        a.problems
            .iter()
            .any(|(p, why)| *p == sams && why.contains("earlier round")),
        "{:?}",
        a.problems
    );

    // Forged: Alex's key writes Sam's earlier "yes" round into Sam's place, signed as Sam, or
    // signed as Alex.
    let keys_of = |id: &str| match id {
        A => Some(w.keys[0].public()),
        B => Some(w.keys[1].public()),
        _ => None,
    };
    // A later round number than any seen, so that only the signature check stands in the way.
    let mut body: serde_json::Value = serde_json::from_slice(
        &crate::crypto::seal::open(&w.keys[0], &old, &place, keys_of)
            .unwrap()
            .body,
    )
    .unwrap();
    body["round"] = 1000.into();
    let body = serde_json::to_vec(&body).unwrap();
    let readers = [&w.keys[0].public(), &w.keys[1].public()];
    for signer in [B, A] {
        let forged =
            crate::crypto::seal::seal(&w.keys[0], signer, &place, &body, &readers).unwrap();
        // On Alex's device, and on Sam's own device, where it replaces Sam's own round.
        for (device, who) in [(0, "Alex"), (1, "Sam")] {
            let path = w.devices[device].data.join(&place);
            std::fs::write(&path, &forged).unwrap();
            let p = w.run(device);
            assert!(in_plan(&p).is_empty(), "{who}'s plan does not move");
            assert!(
                p.problems.iter().any(|(p, _)| *p == path),
                "{who}'s device reports it: {:?}",
                p.problems
            );
        }
    }
    // Sam's device wrote its own round again; once synced, all is quiet and still out.
    w.sync(1);
    let [a, b] = w.settle();
    assert!(in_plan(&a).is_empty() && in_plan(&b).is_empty());
    assert!(
        a.problems.is_empty() && b.problems.is_empty(),
        "{:?}",
        a.problems
    );
}

/// Every run of at least 32 lower-case hex digits (nonces, values, signatures) as `#`: what is
/// left is what could differ in shape.
fn masked(text: &[u8]) -> String {
    let text = String::from_utf8_lossy(text);
    let mut out = String::new();
    let mut run = String::new();
    for c in text.chars().chain(std::iter::once(' ')) {
        if c.is_ascii_digit() || ('a'..='f').contains(&c) {
            run.push(c);
            continue;
        }
        out.push_str(if run.len() >= 32 { "#" } else { &run });
        run.clear();
        out.push(c);
    }
    out
}

/// The size of what age encrypted, without its header (whose random "grease" stanza varies).
fn payload_size(sealed: &[u8]) -> usize {
    let mac = sealed.windows(5).position(|w| w == b"\n--- ").unwrap();
    sealed.len() - (mac + 1 + sealed[mac + 1..].iter().position(|b| *b == b'\n').unwrap())
}

/// Every file below `dir`, by its path inside it.
fn files(dir: &Path) -> std::collections::BTreeMap<String, Vec<u8>> {
    let mut out = std::collections::BTreeMap::new();
    let mut todo = vec![dir.to_owned()];
    while let Some(d) = todo.pop() {
        for e in std::fs::read_dir(&d).unwrap().flatten() {
            let name = e.file_name().to_string_lossy().into_owned();
            if e.file_type().unwrap().is_dir() {
                todo.push(e.path());
            } else if !name.starts_with('.') {
                let rel = e
                    .path()
                    .strip_prefix(dir)
                    .unwrap()
                    .to_string_lossy()
                    .into_owned();
                out.insert(rel, std::fs::read(e.path()).unwrap());
            }
        }
    }
    out
}

#[test]
fn with_only_their_own_key_the_other_partner_cannot_tell_a_no_from_silence() {
    let lib = small_library();
    let ids: Vec<&str> = lib.steps.iter().map(|s| s.id).collect();
    // Alex says yes to everything, is ready to move on and opted in. Sam either said no to every
    // step, is not ready and did not opt in, or never answered anything.
    let world = |sam_said_no: bool| {
        let mut w = World::new(lib.clone(), couple([true, false]));
        for step in &ids {
            w.states[0].boundaries.insert((*step).into(), Answer::Yes);
            if sam_said_no {
                w.states[1].boundaries.insert((*step).into(), Answer::No);
            }
        }
        w.states[0].events.push(Event {
            date: day(),
            at: at(0),
            kind: EventKind::Ready {
                step: ids[0].into(),
            },
            extra: Default::default(),
        });
        w.settle();
        w
    };
    let (no, silence) = (world(true), world(false));
    let opened = |w: &World| {
        files(&w.devices[0].data.join(round::FOLDER))
            .into_iter()
            .map(|(path, sealed)| {
                // As a curious partner would with `rage -d -i ALEX-KEY`.
                let text = w.keys[0].to_text();
                let ids = age::IdentityFile::from_buffer(text.expose_secret().as_bytes())
                    .unwrap()
                    .into_identities()
                    .unwrap();
                let mut plain = Vec::new();
                std::io::Read::read_to_end(
                    &mut age::Decryptor::new(&sealed[..])
                        .unwrap()
                        .decrypt(ids.iter().map(|i| i.as_ref() as &dyn age::Identity))
                        .unwrap(),
                    &mut plain,
                )
                .unwrap();
                (path, (masked(&plain), payload_size(&sealed)))
            })
            .collect::<Vec<_>>()
    };
    let (seen_no, seen_silence) = (opened(&no), opened(&silence));
    assert_eq!(seen_no.len(), 6, "three topics, two partners");
    assert_eq!(seen_no, seen_silence);
    // What the masking hides are valid, distinct group elements, chosen or not: no constant
    // stands in for a "no".
    let sams = round::place("plan", B);
    let sealed = std::fs::read(no.devices[0].data.join(&sams)).unwrap();
    let keys_of = |id: &str| (id == B).then(|| no.keys[1].public());
    let body = crate::crypto::seal::open(&no.keys[0], &sealed, &sams, keys_of)
        .unwrap()
        .body;
    let p: serde_json::Value = serde_json::from_slice(&body).unwrap();
    let values: Vec<&str> = ["one", "two"]
        .iter()
        .flat_map(|k| p[k].as_array().unwrap())
        .map(|v| v.as_str().unwrap())
        .collect();
    assert_eq!(values.len(), 4 * ids.len());
    assert_eq!(
        values
            .iter()
            .collect::<std::collections::BTreeSet<_>>()
            .len(),
        values.len()
    );
    for v in values {
        let bytes = crate::crypto::unhex::<32>(v).unwrap();
        assert!(
            curve25519_dalek::ristretto::CompressedRistretto(bytes)
                .decompress()
                .is_some()
        );
    }
    // And the same from the device's own cache of what it learnt.
    let cache = |w: &World| {
        files(&w.devices[0].config)
            .into_iter()
            .map(|(p, b)| (p, masked(&b)))
            .collect::<Vec<_>>()
    };
    assert_eq!(cache(&no), cache(&silence));
}

#[test]
fn a_round_that_is_a_link_or_a_pipe_is_reported_and_never_read() {
    use std::os::unix::fs::symlink;
    let lib = small_library();
    let step = lib.steps[0].id;
    let mut w = World::new(lib.clone(), couple([false, false]));
    for who in 0..2 {
        w.states[who].boundaries.insert(step.into(), Answer::Yes);
    }
    let [a, _] = w.settle();
    assert_eq!(in_plan(&a), vec![step]);
    let sams = w.devices[0].data.join(round::place("plan", B));
    // A link to an endless file would be read until memory runs out; a named pipe with no
    // writer would be waited on for ever (from cron, every day).
    std::fs::remove_file(&sams).unwrap();
    symlink("/dev/zero", &sams).unwrap();
    let a = w.run(0);
    assert!(
        a.problems
            .iter()
            .any(|(p, why)| *p == sams && why.contains("link")),
        "{:?}",
        a.problems
    );
    std::fs::remove_file(&sams).unwrap();
    let made = std::process::Command::new("mkfifo")
        .arg(&sams)
        .status()
        .unwrap();
    assert!(made.success());
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::scope(|s| {
        s.spawn(|| {
            let a = w.run(0);
            tx.send(a.problems).unwrap();
        });
        let problems = rx
            .recv_timeout(std::time::Duration::from_secs(10))
            .unwrap_or_else(|_| {
                // Unblock the reader so that the test ends, then fail.
                let _ = std::fs::OpenOptions::new().write(true).open(&sams);
                panic!("a named pipe in the folder was waited on");
            });
        assert!(problems.iter().any(|(p, _)| *p == sams), "{problems:?}");
    });
}

/// The inode of every file below `dir`: a file written again (a temp file renamed over it) has
/// a new one.
fn inodes(dir: &Path) -> std::collections::BTreeMap<PathBuf, u64> {
    use std::os::unix::fs::MetadataExt;
    let mut out = std::collections::BTreeMap::new();
    let mut todo = vec![dir.to_owned()];
    while let Some(d) = todo.pop() {
        for e in std::fs::read_dir(&d).into_iter().flatten().flatten() {
            let m = e.metadata().unwrap();
            if m.is_dir() {
                todo.push(e.path());
            } else {
                out.insert(e.path(), m.ino());
            }
        }
    }
    out
}

#[test]
fn a_settled_round_writes_nothing_when_run_again() {
    let w = World::new(small_library(), couple([false, true]));
    w.settle();
    w.run(0);
    let before = (inodes(&w.devices[0].config), inodes(&w.devices[0].data));
    w.run(0);
    assert_eq!(
        (inodes(&w.devices[0].config), inodes(&w.devices[0].data)),
        before,
        "a run with nothing new wrote a file"
    );
}

impl World {
    /// Device `i` takes its turn of the opt-in exchange, its partner opted in or not.
    fn opt_in(&self, i: usize, opted: bool) -> bool {
        self.as_device(i, |places, party| {
            super::touch::opt_in(places, party, opted).unwrap().both
        })
    }
}

#[test]
fn an_opt_out_is_out_on_the_other_device_once_its_round_arrives_and_an_opt_in_waits() {
    let w = World::new(small_library(), couple([true, true]));
    let turns = |opted: [bool; 2]| {
        for _ in 0..4 {
            w.opt_in(0, opted[0]);
            w.sync(0);
            w.opt_in(1, opted[1]);
            w.sync(1);
        }
    };
    turns([true, true]);
    assert!(w.opt_in(0, true) && w.opt_in(1, true), "both opted in");
    // Alex opts out; Alex's device runs once, and never again.
    assert!(!w.opt_in(0, false));
    w.sync(0);
    for _ in 0..3 {
        assert!(!w.opt_in(1, true), "Sam's device waits for no round");
        w.sync(1);
    }
    // Alex opts in again: on once both devices have had their turns, not before.
    assert!(!w.opt_in(0, true));
    w.sync(0);
    assert!(!w.opt_in(1, true), "an opt-in waits for the round");
    turns([true, true]);
    assert!(
        w.opt_in(0, true) && w.opt_in(1, true),
        "both opted in again"
    );
    // Nothing changes while nobody changes their mind.
    w.sync(0);
    assert!(w.opt_in(1, true));
}

/// The round closings a device saw on a run, as (step, from, to).
fn closed(p: &JointPlan) -> Vec<(String, String, String)> {
    p.closings
        .iter()
        .map(|c| match &c.what {
            crate::joint_changes::What::Step(s) => (s.clone(), c.from.clone(), c.to.clone()),
            w => panic!("not a step: {w:?}"),
        })
        .collect()
}

#[test]
fn a_round_finished_alone_is_noticed_by_the_device_that_gave_its_turn_until_the_late_turn() {
    let lib = small_library();
    let step = lib.steps[0].id;
    let mut w = World::new(lib.clone(), couple([false, false]));
    w.states[1].boundaries.insert(step.into(), Answer::Yes);
    w.settle();
    // Alex says yes; Sam's device takes its turn, which reaches Alex's folder.
    w.states[0].boundaries.insert(step.into(), Answer::Yes);
    w.run(0);
    w.sync(0);
    w.run(1);
    w.sync(1);
    // A copy of Alex's device finishes the round: Sam said yes.
    let copy = w.devices[0].config.with_file_name("copy");
    copy_tree(&w.devices[0].config, &copy.join("config"));
    copy_tree(&w.devices[0].data, &copy.join("data"));
    let real = std::mem::replace(
        &mut w.devices[0],
        Device {
            data: copy.join("data"),
            config: copy.join("config"),
            me: A,
            other: B,
        },
    );
    assert_eq!(in_plan(&w.run(0)), vec![step], "the copy learns it");
    w.devices[0] = real;
    // Alex's real device, Sam's turn out of sight, says no.
    let sams = w.devices[0].data.join(round::place("plan", B));
    let aside = sams.with_extension("aside");
    std::fs::rename(&sams, &aside).unwrap();
    w.states[0].boundaries.insert(step.into(), Answer::No);
    w.run(0);
    std::fs::rename(&aside, &sams).unwrap();
    w.sync(0);
    // Sam's device tells Sam what the other may have learnt: Sam's own yes, nothing of Alex's.
    let b = w.run(1);
    assert_eq!(b.unfinished.len(), 1, "{:?}", b.unfinished);
    assert_eq!(b.unfinished[0].topic, "plan");
    assert_eq!(b.unfinished[0].items, vec![step.to_owned()]);
    assert!(closed(&b).is_empty());
    w.sync(1);
    // Alex's device cannot take its next turn without its late turn of the old round; Sam's
    // device then finishes it: the step was in the plan, and is not.
    let a = w.run(0);
    assert!(a.unfinished.is_empty() && a.closings.is_empty());
    w.sync(0);
    let b = w.run(1);
    assert!(b.unfinished.is_empty(), "{:?}", b.unfinished);
    assert_eq!(
        closed(&b),
        vec![(step.into(), "in-plan".into(), "not-in-plan".into())]
    );
    let [a, b] = w.settle();
    assert!(in_plan(&a).is_empty() && in_plan(&b).is_empty());
    assert!(a.unfinished.is_empty() && b.unfinished.is_empty());
    // Nothing stays open in the folder once both had their turns (as each device last read
    // its own publication).
    for d in &w.devices {
        let c: serde_json::Value = serde_json::from_slice(
            &std::fs::read(d.config.join("joint").join(d.me).join("plan.json")).unwrap(),
        )
        .unwrap();
        let published = &c["known_mine"]["publication"];
        assert!(published.is_object() && published["open"].is_null(), "{c}");
    }
}

#[test]
fn a_readiness_round_finished_alone_tells_both_the_plan_had_moved_on() {
    let lib = small_library();
    let step = lib.steps[0].id;
    let mut w = World::new(lib.clone(), couple([false, false]));
    for who in 0..2 {
        w.states[who].boundaries.insert(step.into(), Answer::Yes);
    }
    w.settle();
    let ready = Event {
        date: day(),
        at: at(1),
        kind: EventKind::Ready { step: step.into() },
        extra: Default::default(),
    };
    w.states[1].events.push(ready.clone());
    w.settle();
    // Alex becomes ready; Sam's device takes its turn; Alex's device, Sam's turn out of sight,
    // takes it back at once.
    w.states[0].events.push(ready);
    w.run(0);
    w.sync(0);
    w.run(1);
    w.sync(1);
    let sams = w.devices[0].data.join(round::place("ready", B));
    let aside = sams.with_extension("aside");
    std::fs::rename(&sams, &aside).unwrap();
    w.states[0].events.pop();
    w.run(0);
    std::fs::rename(&aside, &sams).unwrap();
    w.sync(0);
    let b = w.run(1);
    assert!(
        b.unfinished.iter().any(|u| u.topic == "ready"),
        "{:?}",
        b.unfinished
    );
    w.sync(1);
    w.run(0);
    w.sync(0);
    let b = w.run(1);
    let moved: Vec<_> = b
        .closings
        .iter()
        .filter(|c| c.what == crate::joint_changes::What::Plan)
        .collect();
    assert_eq!(moved.len(), 1, "{:?}", b.closings);
    assert_eq!(moved[0].to, step);
}

#[test]
fn past_the_most_rounds_kept_open_the_oldest_is_said_as_no_longer_kept() {
    let lib = small_library();
    let (step, other_step) = (lib.steps[0].id, lib.steps[1].id);
    let mut w = World::new(lib.clone(), couple([false, false]));
    w.states[0].boundaries.insert(step.into(), Answer::Yes);
    w.settle();
    // Sam's device keeps moving on without ever seeing Alex's turns: each run of Alex's device
    // gives its turn in a new round that stays open.
    let mut forgotten = Vec::new();
    for k in 0..=round::MOST_OPEN {
        let answer = if k % 2 == 0 { Answer::Yes } else { Answer::No };
        w.states[1].boundaries.insert(other_step.into(), answer);
        w.run(1);
        w.sync(1);
        let a = w.run(0);
        let (gone, open): (Vec<_>, Vec<_>) = a.unfinished.iter().partition(|u| u.forgotten);
        assert!(open.len() <= round::MOST_OPEN, "{:?}", a.unfinished);
        forgotten.extend(gone.into_iter().cloned());
    }
    // The oldest round is no longer kept: said once, with what Alex chose in it.
    assert_eq!(forgotten.len(), 1, "{forgotten:?}");
    assert_eq!(forgotten[0].topic, "plan");
    assert_eq!(forgotten[0].items, vec![step.to_owned()]);
}
