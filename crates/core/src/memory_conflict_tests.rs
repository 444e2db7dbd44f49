//! Syncing keeps the version of a record with the LOWER version counter as the file and puts the
//! later one beside it as a conflict copy (Dropbox keeps the version that reached it first,
//! Syncthing the one with the later modification time, so a clock running behind does it). For
//! every record kind a device remembers, that is a conflict to merge, not an old copy put back:
//! no device says so, none puts its own version back over the file, and `couple doctor` on the
//! device that trusted the later version keeps what both versions hold.

use super::*;
use crate::crypto::Keys;
use crate::ids::Id;
use crate::needs::{self, Importance, Need};
use crate::sealing::Sealing;
use crate::test_devices::{A, B, Devices, devices};
use chrono::{DateTime, Utc};
use serde_json::json;
use std::fs;
use std::sync::Arc;

const COPY: &str = ".sync-conflict-20260302-101500-BBBBBBB";

/// Any record, as its JSON.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
struct Raw(Value);

impl crate::store::Versioned for Raw {
    fn version(&self) -> u32 {
        1
    }
}

/// Alex's device, Sam's, and a second device of Sam's: each a config folder of its own (its
/// memory), all on one data folder.
struct Three {
    d: Devices,
    sams_other: Store,
    _memories: tempfile::TempDir,
}

impl Three {
    fn all(&self) -> [&Store; 3] {
        [&self.d.alex, &self.d.sam, &self.sams_other]
    }
}

fn three() -> Three {
    let d = devices();
    let memories = tempfile::tempdir().unwrap();
    let remember = |store: &Store, name: &str| {
        let m = Arc::new(Memory::new(memories.path().join(name), None));
        store.change_sealing(|s| s.remember_in(m, 0));
    };
    let sams_other = Store::new(d.alex.root().to_path_buf());
    let mut s = Sealing::new();
    let kb = age::secrecy::ExposeSecret::expose_secret(&d.kb.to_text()).to_owned();
    s.hold(B, Arc::new(Keys::from_text(&kb).unwrap()));
    s.know(A, d.ka.public());
    s.act_as(B);
    sams_other.set_sealing(Some(s));
    for (store, name) in [
        (&d.alex, "alex"),
        (&d.sam, "sam"),
        (&sams_other, "sams-other"),
    ] {
        remember(store, name);
    }
    Three {
        d,
        sams_other,
        _memories: memories,
    }
}

fn memory(store: &Store) -> Arc<Memory> {
    Arc::clone(store.sealing().unwrap().memory().unwrap())
}

fn id(s: &str) -> Id {
    s.parse().unwrap()
}

fn day(d: u32) -> chrono::NaiveDate {
    chrono::NaiveDate::from_ymd_opt(2026, 3, d).unwrap()
}

fn at(h: i64) -> DateTime<Utc> {
    DateTime::from_timestamp(1_772_409_600 + h * 3600, 0).unwrap()
}

/// How a device changes a record: `what` names the change.
type Change = Box<dyn Fn(&Store, &str)>;
/// The changes a device sees in a record (`None`: it cannot open it).
type Seen = Box<dyn Fn(&Store) -> Option<Vec<String>>>;

/// A record kind: where one record of it is, how a device changes it (`what` names the change),
/// and which changes a device sees in it (`None`: it cannot open it).
struct Kind {
    rel: String,
    change: Change,
    seen: Seen,
}

/// A record kind changed as a newer closer would: a field of its own, which every version keeps
/// and `couple doctor` keeps from both.
fn any_record(rel: &str) -> Kind {
    let r = rel.to_owned();
    let change = move |s: &Store, what: &str| {
        s.update::<Raw, _>(&r, |cur| {
            let mut v = cur.expect("the record is there").0;
            v[what] = json!(true);
            Ok(Raw(v))
        })
        .unwrap();
    };
    let r = rel.to_owned();
    let seen = move |s: &Store| {
        let v = s.read::<Raw>(&r).unwrap()?.0;
        let keys = v.as_object()?.keys();
        Some(keys.filter(|k| k.starts_with("change")).cloned().collect())
    };
    Kind {
        rel: rel.to_owned(),
        change: Box::new(change),
        seen: Box::new(seen),
    }
}

/// The partner a device holds the key of.
fn whose(s: &Store) -> Id {
    id(s.sealing().unwrap().held().next().unwrap())
}

/// A need, changed by a line in its history from the device's partner.
fn a_need(t: &Three) -> Kind {
    let n = Need::open(
        &id(B),
        "A walk after dinner".into(),
        "comfort".into(),
        None,
        Importance::Medium,
        false,
        day(1),
    );
    t.d.sam.ensure_dir(needs::DIR).unwrap();
    let n = needs::add(&t.d.sam, n, at(0)).unwrap();
    let nid = n.id.clone();
    let hour = std::cell::Cell::new(0);
    let change = move |s: &Store, what: &str| {
        hour.set(hour.get() + 1);
        needs::change(s, &nid, &whose(s), day(1), at(hour.get()), |_| {
            Ok(what.to_owned())
        })
        .unwrap();
    };
    let nid = n.id.clone();
    let seen = move |s: &Store| {
        let all = needs::load_all(s).unwrap();
        let n = all.into_iter().find(|x| x.id == nid)?;
        Some(n.history.into_iter().map(|c| c.what).collect())
    };
    Kind {
        rel: needs::path(&n.id),
        change: Box::new(change),
        seen: Box::new(seen),
    }
}

/// Writes `body` at `rel` on `device`, as a record of that kind closer wrote.
fn put(device: &Store, rel: &str, body: Value) {
    let dir = std::path::Path::new(rel)
        .parent()
        .unwrap()
        .to_str()
        .unwrap();
    device.ensure_dir(dir).unwrap();
    device.update::<Raw, _>(rel, |_| Ok(Raw(body))).unwrap();
}

/// `kind`'s record, read by every device that may open it. `later`'s device changes it twice
/// while `earlier`'s, which has not seen those yet, changes it once: syncing keeps `earlier`'s
/// version (the lower counter) as the file and `later`'s beside it. `couple doctor` then runs on
/// `later`'s device, as the command line does: first putting back what went back, then merging.
/// `kept`: whether every change of both versions is in the record merged (not for one written
/// again from another record).
fn older_kept_by_syncing(t: &Three, kind: &Kind, later: &Store, earlier: &Store, kept: bool) {
    let rel = &kind.rel;
    let f = t.d.alex.path(rel);
    for s in t.all() {
        (kind.seen)(s);
    }
    let parted = fs::read(&f).unwrap();
    (kind.change)(later, "change-later-1");
    (kind.change)(later, "change-later-2");
    let laters = fs::read(&f).unwrap();
    for s in t.all().into_iter().filter(|s| !std::ptr::eq(*s, earlier)) {
        (kind.seen)(s);
    }
    fs::write(&f, &parted).unwrap();
    (kind.change)(earlier, "change-earlier");
    // With nothing beside it, the earlier version is an old copy put back: said.
    (kind.seen)(later);
    let said = later.take_left_out();
    assert!(
        said.iter().any(|m| m.contains("earlier version")),
        "{rel}: {said:?}"
    );
    // The later version beside it: a conflict, said by the command line as one.
    let stem = f.file_stem().unwrap().to_str().unwrap();
    let copy = f.with_file_name(format!("{stem}{COPY}.age"));
    fs::write(&copy, &laters).unwrap();
    let file = fs::read(&f).unwrap();
    for s in t.all() {
        (kind.seen)(s);
        assert_eq!(s.take_left_out(), Vec::<String>::new(), "{rel}");
        assert_eq!(
            memory(s).put_back(s).unwrap(),
            Vec::<String>::new(),
            "{rel}"
        );
    }
    // Changed before the two are merged, the file's change would be lost: refused.
    let refused = later.update::<Raw, _>(rel, |cur| Ok(cur.unwrap()));
    assert!(
        matches!(refused, Err(crate::error::Error::Conflict { .. })),
        "{rel}: {refused:?}"
    );
    assert_eq!(
        fs::read(&f).unwrap(),
        file,
        "{rel}: nothing put back over it"
    );

    let r = crate::doctor::run(later, std::time::SystemTime::now()).unwrap();
    assert!(r.left.is_empty(), "{rel}: {:?}", r.left);
    assert!(!copy.exists(), "{rel}");
    let mut opened = 0;
    for s in t.all() {
        if let Some(seen) = (kind.seen)(s) {
            opened += 1;
            for c in ["change-later-1", "change-later-2", "change-earlier"] {
                assert!(
                    !kept || seen.iter().any(|x| x == c),
                    "{rel}: {c} in {seen:?}"
                );
            }
        }
        assert_eq!(s.take_left_out(), Vec::<String>::new(), "{rel}");
    }
    assert!(opened >= 2, "{rel}");
}

/// Sam's own record at `rel` (first written as `body`), changed on Sam's two devices.
fn sams_own(rel: &str, body: Value) {
    let t = three();
    put(&t.d.sam, rel, body);
    older_kept_by_syncing(&t, &any_record(rel), &t.d.sam, &t.sams_other, true);
}

#[test]
fn a_need_with_lines_from_both_partners() {
    let t = three();
    let need = a_need(&t);
    older_kept_by_syncing(&t, &need, &t.d.alex, &t.d.sam, true);
}

#[test]
fn a_need_changed_as_a_newer_closer_would() {
    let t = three();
    let rel = a_need(&t).rel;
    older_kept_by_syncing(&t, &any_record(&rel), &t.d.sam, &t.d.alex, true);
}

#[test]
fn the_couples_settings() {
    let t = three();
    put(
        &t.d.alex,
        crate::profile::COUPLE,
        json!({"version": 1, "seed": 7, "created": "2026-03-01"}),
    );
    let kind = any_record(crate::profile::COUPLE);
    older_kept_by_syncing(&t, &kind, &t.d.alex, &t.d.sam, true);
}

#[test]
fn a_hold() {
    let t = three();
    let h = crate::holds::new(B, 2, day(30), "scan", &[0, 1, 2], day(2), at(0)).unwrap();
    t.d.sam.ensure_dir(crate::touch::HOLDS).unwrap();
    crate::holds::add(&t.d.sam, &h).unwrap();
    let kind = any_record(&format!("{}/{}.json", crate::touch::HOLDS, h.id));
    older_kept_by_syncing(&t, &kind, &t.d.sam, &t.sams_other, true);
}

#[test]
fn a_partner_file() {
    sams_own(
        &crate::profile::partner_path(&id(B)),
        json!({"version": 1, "id": B, "name": "Sam", "added": "2026-03-01"}),
    );
}

#[test]
fn the_touch_state() {
    let b = id(B);
    sams_own(
        &crate::touch::state_path(&b),
        serde_json::to_value(crate::touch::State::new(&b)).unwrap(),
    );
}

#[test]
fn the_opt_in() {
    sams_own(
        &crate::own_facts::optin_path(B),
        json!({"version": 1, "partner": B}),
    );
}

#[test]
fn the_sessions_and_the_private_debriefs() {
    for rel in [
        crate::touch::sessions_path(&id(B)),
        crate::own_facts::private_debriefs_path(B),
    ] {
        sams_own(&rel, json!({"version": 1, "partner": B}));
    }
}

#[test]
fn the_answers_of_a_year() {
    sams_own(
        &crate::prompts::answer_path(&id(B), 2026),
        json!({"version": 1, "partner": B, "answers": []}),
    );
}

#[test]
fn the_low_energy_days() {
    sams_own(
        &crate::energy::path(&id(B)),
        json!({"version": 1, "partner": B}),
    );
}

#[test]
fn the_body_map_published_from_the_touch_state() {
    let t = three();
    let b = id(B);
    t.d.sam.ensure_dir(&format!("touch/{B}")).unwrap();
    crate::touch::update_state(&t.d.sam, &b, |_| Ok(())).unwrap();
    let kind = any_record(&crate::body_map::path(&b));
    // Merged by writing it again from Sam's state: what each version added is not kept.
    older_kept_by_syncing(&t, &kind, &t.d.sam, &t.sams_other, false);
}

/// The most ordinary conflict: each partner adds a line to a shared need between two syncs, and
/// syncing keeps Sam's version (changed last) as the file and Alex's beside it. Alex's device
/// does not take the file for one that lost lines, puts nothing back over it, and its doctor
/// keeps both lines; Sam's device then takes the merged need without a word.
#[test]
fn each_partner_adds_a_line_and_the_later_version_is_the_file() {
    let t = three();
    let need = a_need(&t);
    let f = t.d.alex.path(&need.rel);
    for s in [&t.d.alex, &t.d.sam] {
        (need.seen)(s);
    }
    let parted = fs::read(&f).unwrap();
    (need.change)(&t.d.alex, "alex note");
    let alexs = fs::read(&f).unwrap();
    fs::write(&f, &parted).unwrap();
    (need.change)(&t.d.sam, "sam note");
    let stem = f.file_stem().unwrap().to_str().unwrap();
    fs::write(f.with_file_name(format!("{stem}{COPY}.age")), alexs).unwrap();
    for device in [&t.d.alex, &t.d.sam] {
        (need.seen)(device);
        assert_eq!(device.take_left_out(), Vec::<String>::new());
        assert_eq!(
            memory(device).put_back(device).unwrap(),
            Vec::<String>::new()
        );
        let r = crate::doctor::run(device, std::time::SystemTime::now()).unwrap();
        assert!(r.left.is_empty(), "{:?}", r.left);
    }
    for device in [&t.d.alex, &t.d.sam] {
        let seen = (need.seen)(device).unwrap();
        assert!(
            ["alex note", "sam note"]
                .iter()
                .all(|n| seen.iter().any(|s| s == n)),
            "{seen:?}"
        );
        assert_eq!(device.take_left_out(), Vec::<String>::new());
    }
}
