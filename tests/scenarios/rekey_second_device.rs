//! A re-key when the accepting partner has two devices: Alex loses every key and makes a new one;
//! Sam, on a phone and a laptop, accepts it on both, one after the other or before they sync.
//! Neither of Sam's devices raises a false alarm for what the other sealed to the new key,
//! `couple doctor` merges the copies the sync tool leaves with nothing lost, and nothing is put
//! back from before the new key.

use super::*;
use mirror::{Mirror, conflict_copies};
use support::{NEEDS, PROMPT};

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
    let fp = phone.fingerprint_of("Alex");
    // Whoever finds Alex's lost device later has its key and its copy of the folder.
    support::copy_dir(&alex.config, &sb.path("thief-config"));
    support::copy_dir(&sb.data(), &sb.path("thief-data"));
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

#[test]
fn a_record_made_with_the_lost_key_after_the_first_device_accepted_is_not_believed_by_the_second() {
    let sb = Sandbox::new();
    let mut t = a_new_key_for_alex(&sb);
    t.phone.ok(NEEDS, &["couple", "keys", "accept", "Alex"]);
    t.sync();
    // Whoever found Alex's lost device writes a need with the lost key into the folder.
    let thief = device(&sb, "thief");
    let thief_data = sb.path("thief-data");
    let forged = "Forged with the lost key";
    let added = thief.run_in(&thief_data, NEEDS, &["add", forged]);
    let file = format!("needs/{}.age", added.ok().trim());
    std::fs::copy(thief_data.join(&file), sb.data().join(&file)).unwrap();
    t.sync();
    // Sam's laptop accepts the new key after the phone did: it believes what the phone's
    // hand-over vouched for, and not what the lost key signed since.
    t.laptop
        .run_in(&t.laptop_data, NEEDS, &["couple", "keys", "accept", "Alex"])
        .ok();
    t.sync();
    let new_first = t.new.run_in(&t.new_data, NEEDS, &["--all"]);
    t.sync();
    for (who, run) in [
        ("Alex's new device", new_first),
        ("Sam's phone", t.phone.run(NEEDS, &["--all"])),
        (
            "Sam's laptop",
            t.laptop.run_in(&t.laptop_data, NEEDS, &["--all"]),
        ),
    ] {
        assert!(
            !run.stdout.contains(forged),
            "{who} lists it:\n{}",
            run.stdout
        );
        assert!(
            run.stderr.contains(&file) && run.stderr.contains("does not check out"),
            "{who} does not say so:\n{}",
            run.stderr
        );
        assert!(run.stdout.contains(SHARED), "{who}:\n{}", run.stdout);
    }
}
