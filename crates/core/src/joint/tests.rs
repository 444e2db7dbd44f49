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

fn day() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 3, 2).unwrap()
}

fn at(minute: i64) -> DateTime<Utc> {
    day().and_hms_opt(12, 0, 0).unwrap().and_utc() + chrono::Duration::minutes(minute)
}

const A: &str = "a1ex0001";
const B: &str = "5amm0002";

/// A short ladder (five steps, the last of a sexual stage) so that a thousand couples stay fast.
fn small_library() -> Library {
    let mut lib = Library::builtin();
    let mut steps: Vec<_> = lib
        .steps
        .iter()
        .filter(|s| !lib.step_is_sexual(s))
        .take(4)
        .cloned()
        .collect();
    steps.extend(lib.steps.iter().find(|s| lib.step_is_sexual(s)).cloned());
    lib.steps = steps;
    lib
}

fn couple(sexual: [bool; 2]) -> Couple {
    let p = |id: &str, name: &str, sexual: bool| Partner {
        extra: Default::default(),
        version: 1,
        id: id.parse().unwrap(),
        name: name.into(),
        conditions: vec![],
        sexual,
        added: day(),
    };
    Couple {
        seed: 1,
        partners: vec![p(A, "alex", sexual[0]), p(B, "sam", sexual[1])],
        ..Default::default()
    }
}

struct Device {
    data: PathBuf,
    config: PathBuf,
    me: &'static str,
    other: &'static str,
}

struct World {
    _t: tempfile::TempDir,
    keys: [Keys; 2],
    devices: [Device; 2],
    lib: Library,
    couple: Couple,
    states: [State; 2],
}

impl World {
    fn new(lib: Library, couple: Couple) -> World {
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
    fn run(&self, i: usize) -> JointPlan<'_> {
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
        plan(
            places,
            &party,
            &self.lib,
            &self.couple,
            &self.states[i],
            &[],
            day(),
            at(60),
        )
        .unwrap()
    }

    /// Copies every published round from device `from`'s data folder to the other's.
    fn sync(&self, from: usize) {
        copy_tree(
            &self.devices[from].data.join(round::FOLDER),
            &self.devices[1 - from].data.join(round::FOLDER),
        );
    }

    /// Both devices take turns, syncing in between, until neither is waiting.
    fn settle(&self) -> [JointPlan<'_>; 2] {
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

/// What a partner sees of a plan: every visible step's joint state, the current step, whether
/// it is finished or paused, and their own readiness.
fn seen(
    p: &crate::touch::Plan,
    who: usize,
) -> (
    Vec<(&'static str, Joint)>,
    Option<&'static str>,
    bool,
    bool,
    bool,
) {
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
