//! A re-key when the accepting partner has two devices: Alex loses every key and makes a new one;
//! Sam, on a phone and a laptop, accepts it on both, one after the other or before they sync.
//! Neither of Sam's devices raises a false alarm for what the other sealed to the new key,
//! `couple doctor` merges the copies the sync tool leaves with nothing lost, and nothing is put
//! back from before the new key.

use super::*;
use std::collections::BTreeMap;
use support::{NEEDS, PROMPT, tree};

/// Two folders kept in step as Syncthing does: against what both held after the last sync, a
/// file changed on one side only is copied to the other; one changed on both keeps the newer in
/// place on both and the other as a conflict copy beside it on both.
struct Mirror {
    a: PathBuf,
    b: PathBuf,
    base: BTreeMap<String, Vec<u8>>,
}

impl Mirror {
    fn new(a: PathBuf, b: PathBuf) -> Mirror {
        support::copy_dir(&a, &b);
        private(&b);
        let base = files(&a);
        Mirror { a, b, base }
    }

    fn sync(&mut self) {
        let (ta, tb) = (files(&self.a), files(&self.b));
        let mut all: Vec<&String> = ta.keys().chain(tb.keys()).chain(self.base.keys()).collect();
        all.sort();
        all.dedup();
        let put = |root: &Path, f: &str, bytes: &[u8]| {
            let p = root.join(f);
            std::fs::create_dir_all(p.parent().unwrap()).unwrap();
            std::fs::write(p, bytes).unwrap();
            private(root);
        };
        let rm = |root: &Path, f: &str| {
            let _ = std::fs::remove_file(root.join(f));
        };
        for f in all {
            let (x, y, was) = (ta.get(f), tb.get(f), self.base.get(f));
            match (x, y) {
                _ if x == y => {}
                _ if x == was => match y {
                    Some(y) => put(&self.a, f, y),
                    None => rm(&self.a, f),
                },
                _ if y == was => match x {
                    Some(x) => put(&self.b, f, x),
                    None => rm(&self.b, f),
                },
                (Some(keep), None) | (None, Some(keep)) => {
                    put(&self.a, f, keep);
                    put(&self.b, f, keep);
                }
                (Some(x), Some(y)) => {
                    // The later writer (the second folder here) wins; the other is the copy.
                    let (stem, ext) = f.rsplit_once('.').unwrap_or((f, ""));
                    let copy = format!("{stem}.sync-conflict-20260302-101500-AAAAAAA.{ext}");
                    for root in [&self.a, &self.b] {
                        put(root, f, y);
                        put(root, &copy, x);
                    }
                }
                (None, None) => {}
            }
        }
        self.base = files(&self.a);
    }
}

/// Makes `dir` and everything in it private to its owner, as closer keeps a data folder.
fn private(dir: &Path) {
    use std::os::unix::fs::PermissionsExt;
    let mode = if dir.is_dir() { 0o700 } else { 0o600 };
    std::fs::set_permissions(dir, std::fs::Permissions::from_mode(mode)).unwrap();
    if dir.is_dir() {
        for e in std::fs::read_dir(dir).unwrap().flatten() {
            private(&e.path());
        }
    }
}

/// The files of a data folder a sync tool copies (no folders, no locks or temporary files).
fn files(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    tree(dir)
        .into_iter()
        .filter(|(f, _)| {
            let name = f.rsplit('/').next().unwrap_or(f);
            !f.ends_with('/') && !name.starts_with('.')
        })
        .collect()
}

fn conflict_copies(dir: &Path) -> Vec<String> {
    files(dir)
        .into_keys()
        .filter(|f| f.contains(".sync-conflict-"))
        .collect()
}

const SHARED: &str = "A walk after dinner";
const ALEXS: &str = "Help with buttons on stiff mornings";
const SAMS_ANSWER: &str = "The sea, next spring.";
const ALEXS_ANSWER: &str = "The hills, in the autumn.";

/// What a device must never say about what the other of Sam's devices sealed to the new key.
const FALSE_ALARMS: [&str; 5] = [
    "signature does not check out",
    "not by closer on this device",
    "no longer in the profile",
    "couple doctor",
    "earlier version",
];

#[track_caller]
fn no_false_alarm(who: &str, run: &Run) {
    for alarm in FALSE_ALARMS {
        assert!(
            !run.stderr.contains(alarm),
            "{who} says {alarm:?}:\n{}",
            run.stderr
        );
    }
}

/// What `d` (on `data`) lists and reads: every need's text and every answer, with what it said.
#[track_caller]
fn sees(who: &str, d: &Device, data: &Path) -> String {
    let needs = d.run_in(data, NEEDS, &["--all"]);
    let answers = d.run_in(data, PROMPT, &["history"]);
    no_false_alarm(who, &needs);
    no_false_alarm(who, &answers);
    let seen = format!("{}{}", needs.ok(), answers.ok());
    for text in [SHARED, ALEXS, SAMS_ANSWER, ALEXS_ANSWER] {
        assert!(seen.contains(text), "{who} lost {text:?}:\n{seen}");
    }
    seen
}

struct Three<'a> {
    phone: Device<'a>,
    laptop: Device<'a>,
    new: Device<'a>,
    laptop_data: PathBuf,
    new_data: PathBuf,
    to_laptop: Mirror,
    to_new: Mirror,
}

/// Alex on one device, Sam on a phone and a laptop, a while of shared needs and answers; then
/// Alex loses every key and makes a new one on a new device, which syncs to both of Sam's.
fn a_new_key_for_alex(sb: &Sandbox) -> Three<'_> {
    let (alex, phone) = two_devices(sb);
    let laptop = device(sb, "sam-laptop");
    share_keys(&phone, &laptop);
    let laptop_data = sb.path("laptop-data");
    let mut to_laptop = Mirror::new(sb.data(), laptop_data.clone());
    laptop
        .run_in(&laptop_data, NEEDS, &["couple", "me", "Sam"])
        .ok();
    to_laptop.sync();
    phone.ok(NEEDS, &["add", SHARED]);
    alex.ok(NEEDS, &["add", ALEXS]);
    phone.ok(PROMPT, &["answer", SAMS_ANSWER]);
    alex.ok(PROMPT, &["answer", ALEXS_ANSWER]);
    phone.ok(PROMPT, &["history"]);
    to_laptop.sync();
    for d in [&alex, &phone] {
        sees("before", d, &sb.data());
    }
    sees("before", &laptop, &laptop_data);
    to_laptop.sync();
    let fp = {
        let keys = json(&phone.ok(NEEDS, &["couple", "keys", "show", "--json"]));
        keys.as_array()
            .unwrap()
            .iter()
            .find(|k| k["name"] == "Alex")
            .unwrap()["fingerprint"]
            .as_str()
            .unwrap()
            .to_owned()
    };
    std::fs::remove_dir_all(&alex.config).unwrap();
    let new_data = sb.path("new-data");
    let mut to_new = Mirror::new(sb.data(), new_data.clone());
    let new = device(sb, "alex-new");
    new.run_in(&new_data, NEEDS, &["couple", "keys", "new", &fp, "--yes"])
        .ok();
    to_new.sync();
    let mut three = Three {
        phone,
        laptop,
        new,
        laptop_data,
        new_data,
        to_laptop,
        to_new,
    };
    three.to_laptop.sync();
    three
}

impl Three<'_> {
    fn sync(&mut self) {
        self.to_laptop.sync();
        self.to_new.sync();
        self.to_laptop.sync();
    }

    /// After everything settled: every device reads everything, says nothing false, and Sam's
    /// doctor (run on the phone) leaves nothing to merge that loses anything.
    #[track_caller]
    fn all_read_everything(&mut self, sb: &Sandbox) {
        let doctor = self.phone.run(NEEDS, &["couple", "doctor"]);
        assert_eq!(doctor.code, 0, "{}\n{}", doctor.stdout, doctor.stderr);
        assert!(
            !doctor.stdout.contains("Put back"),
            "doctor put back a version from before the new key:\n{}",
            doctor.stdout
        );
        self.sync();
        assert_eq!(conflict_copies(&sb.data()), Vec::<String>::new());
        // Each device used in turn, syncing in between.
        for _ in 0..2 {
            sees("Sam's phone", &self.phone, &sb.data());
            self.sync();
            sees("Sam's laptop", &self.laptop, &self.laptop_data);
            self.sync();
            sees("Alex's new device", &self.new, &self.new_data);
            self.sync();
        }
        // Sam's two devices each take their turn of the joint rounds: the copy of Sam's round
        // publication that leaves goes with the doctor, as it does without any new key.
        self.phone.ok(NEEDS, &["couple", "doctor"]);
        self.sync();
        let quiet = self.phone.run(NEEDS, &["--all"]);
        assert_eq!(quiet.stderr, "", "Sam's phone");
        let quiet = self.laptop.run_in(&self.laptop_data, NEEDS, &["--all"]);
        assert_eq!(quiet.stderr, "", "Sam's laptop");
    }
}

#[test]
fn the_second_device_of_the_accepting_partner_raises_no_false_alarm_and_loses_nothing() {
    let sb = Sandbox::new();
    let mut t = a_new_key_for_alex(&sb);
    t.phone.ok(NEEDS, &["couple", "keys", "accept", "Alex"]);
    t.sync();
    // The new device's first run takes the hand-over before it reads a need: Alex's own need,
    // still signed with the lost key and vouched for, is no forgery.
    let first = t.new.run_in(&t.new_data, NEEDS, &["--all"]);
    assert!(first.ok().contains(ALEXS), "{}", first.stderr);
    no_false_alarm("Alex's new device's first run", &first);
    t.sync();
    // The laptop has not accepted the new key yet: it warns of the change, and of nothing else.
    let before = t.laptop.run_in(&t.laptop_data, NEEDS, &["--all"]);
    before.ok();
    assert!(before.stderr.contains("WARNING"), "{}", before.stderr);
    no_false_alarm("Sam's laptop before accepting", &before);
    let accepted = t
        .laptop
        .run_in(&t.laptop_data, NEEDS, &["couple", "keys", "accept", "Alex"]);
    accepted.ok();
    no_false_alarm("Sam's laptop accepting", &accepted);
    sees("Sam's laptop", &t.laptop, &t.laptop_data);
    t.sync();
    t.all_read_everything(&sb);
}

#[test]
fn both_devices_of_the_accepting_partner_accepting_before_they_sync_lose_nothing() {
    let sb = Sandbox::new();
    let mut t = a_new_key_for_alex(&sb);
    t.phone.ok(NEEDS, &["couple", "keys", "accept", "Alex"]);
    t.laptop
        .run_in(&t.laptop_data, NEEDS, &["couple", "keys", "accept", "Alex"])
        .ok();
    t.sync();
    let first = t.new.run_in(&t.new_data, NEEDS, &["--all"]);
    assert!(first.ok().contains(ALEXS), "{}", first.stderr);
    t.sync();
    t.all_read_everything(&sb);
}
