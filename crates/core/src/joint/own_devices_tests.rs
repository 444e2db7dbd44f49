//! A partner with two devices that both publish a round before they sync: the round the sync
//! tool keeps is not taken for an earlier round put back, on either partner's devices; a real
//! put-back of an earlier round still is.

use super::round::{FOLDER, Party, Places, place};
use super::tests::{A, B, World, at, couple, day, small_library};
use super::touch::{JointPlan, plan};
use crate::touch::{Answer, State};
use std::path::{Path, PathBuf};

/// Sam's second device: its own data folder (synced by copying rounds) and config folder.
struct Laptop {
    data: PathBuf,
    config: PathBuf,
    state: State,
}

impl Laptop {
    fn run<'w>(&self, w: &'w World) -> JointPlan<'w> {
        let theirs = w.keys[0].public();
        let party = Party {
            me: B,
            keys: &w.keys[1],
            other: A,
            theirs: &theirs,
        };
        let places = Places {
            data: &self.data,
            config: &self.config,
        };
        plan(
            places,
            &party,
            &w.lib,
            &w.couple,
            &self.state,
            &[],
            day(),
            at(60),
        )
        .unwrap()
    }
}

/// `author`'s rounds, as data folder `from` has them, copied into `to`, as the sync tool does.
fn share(from: &Path, to: &Path, author: &str) {
    for topic in std::fs::read_dir(from.join(FOLDER)).unwrap().flatten() {
        let topic = topic.file_name();
        let rel = place(&topic.to_string_lossy(), author);
        if from.join(&rel).exists() {
            std::fs::create_dir_all(to.join(&rel).parent().unwrap()).unwrap();
            std::fs::copy(from.join(&rel), to.join(&rel)).unwrap();
        }
    }
}

fn put_back(problems: &[(PathBuf, String)]) -> bool {
    problems
        .iter()
        .any(|(_, why)| why.contains("earlier round"))
}

#[test]
fn rounds_two_devices_of_one_partner_published_before_syncing_are_no_put_back() {
    let lib = small_library();
    let steps: Vec<&str> = lib.steps.iter().take(3).map(|s| s.id).collect();
    let mut w = World::new(lib.clone(), couple([false, false]));
    for who in 0..2 {
        w.states[who]
            .boundaries
            .insert(steps[0].into(), Answer::Yes);
    }
    w.settle();
    let (alex, phone) = (w.devices[0].data.clone(), w.devices[1].data.clone());
    let mut laptop = Laptop {
        data: phone
            .parent()
            .unwrap()
            .with_file_name("laptop")
            .join("data"),
        config: phone
            .parent()
            .unwrap()
            .with_file_name("laptop")
            .join("config"),
        state: w.states[1].clone(),
    };
    // All three devices take turns until all is quiet.
    for _ in 0..4 {
        share(&phone, &laptop.data, B);
        share(&alex, &laptop.data, A);
        assert!(!put_back(&laptop.run(&w).problems));
        share(&laptop.data, &phone, B);
        share(&laptop.data, &alex, B);
        w.settle();
    }
    let sams = place("plan", B);
    let earlier = std::fs::read(phone.join(&sams)).unwrap();

    // Sam says yes to another step on each device before they sync: each publishes a new round.
    w.states[1].boundaries.insert(steps[1].into(), Answer::Yes);
    laptop.state.boundaries.insert(steps[2].into(), Answer::Yes);
    assert!(!put_back(&w.run(1).problems));
    assert!(!put_back(&laptop.run(&w).problems));
    // Alex's device sees the phone's round first.
    share(&phone, &alex, B);
    let phones = std::fs::read(alex.join(&sams)).unwrap();
    assert!(!put_back(&w.run(0).problems));
    // The sync tool keeps the laptop's round in place (the phone's beside it, as a copy).
    share(&laptop.data, &phone, B);
    share(&laptop.data, &alex, B);
    let p = w.run(1);
    assert!(!put_back(&p.problems), "the phone: {:?}", p.problems);
    let a = w.run(0);
    assert!(!put_back(&a.problems), "Alex: {:?}", a.problems);
    // The phone's round, which Alex's device took and then saw replaced by the laptop's, put
    // back in place: an earlier version of the round, not another device's.
    let laptops = std::fs::read(alex.join(&sams)).unwrap();
    std::fs::write(alex.join(&sams), &phones).unwrap();
    let a = w.run(0);
    assert!(put_back(&a.problems), "Alex: {:?}", a.problems);
    std::fs::write(alex.join(&sams), &laptops).unwrap();
    let a = w.run(0);
    assert!(!put_back(&a.problems), "Alex: {:?}", a.problems);
    // The phone published again; every device goes on quietly.
    share(&phone, &laptop.data, B);
    share(&alex, &laptop.data, A);
    share(&phone, &alex, B);
    let l = laptop.run(&w);
    assert!(!put_back(&l.problems), "the laptop: {:?}", l.problems);
    let [a, p] = w.settle();
    assert!(
        !put_back(&a.problems) && !put_back(&p.problems),
        "{:?} {:?}",
        a.problems,
        p.problems
    );

    // A real put-back of an earlier round of Sam's is still reported, on Sam's device and Alex's.
    for device in [1, 0] {
        std::fs::write(w.devices[device].data.join(&sams), &earlier).unwrap();
        let p = w.run(device);
        assert!(put_back(&p.problems), "device {device}: {:?}", p.problems);
    }
}
