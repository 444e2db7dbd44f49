//! Two devices that remember, against a keyless writer and the other partner writing into the
//! folder.

use super::*;
use crate::holds;
use crate::ids::Id;
use crate::needs::{self, Importance, Need};
use crate::store::Versioned;
use crate::test_devices::{A, B, Devices, devices};
use chrono::{DateTime, Utc};
use std::sync::Arc;

fn day(d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 3, d).unwrap()
}

fn at(h: i64) -> DateTime<Utc> {
    DateTime::from_timestamp(1_772_409_600 + h * 3600, 0).unwrap()
}

/// Both devices remembering, each in a folder of its own.
fn remembering() -> (Devices, tempfile::TempDir) {
    let d = devices();
    let dir = tempfile::tempdir().unwrap();
    for (store, name) in [(&d.alex, "alex"), (&d.sam, "sam")] {
        let m = Arc::new(Memory::new(dir.path().join(name), Some(day(2))));
        store.change_sealing(|s| s.remember_in(m, 0));
    }
    (d, dir)
}

fn memory(store: &Store) -> Arc<Memory> {
    Arc::clone(store.sealing().unwrap().memory().unwrap())
}

fn id(s: &str) -> Id {
    s.parse().unwrap()
}

/// Sam names a need; both devices read it.
fn sams_need(d: &Devices) -> Need {
    let n = Need::open(
        &id(B),
        "A walk after dinner".into(),
        "comfort".into(),
        None,
        Importance::Medium,
        false,
        day(1),
    );
    d.sam.ensure_dir("needs").unwrap();
    let n = needs::add(&d.sam, n, at(0)).unwrap();
    assert_eq!(needs::load_all(&d.alex).unwrap().len(), 1);
    n
}

fn comment(store: &Store, n: &Need, by: &str, h: i64) -> Need {
    needs::change(store, &n.id, &id(by), day(1), at(h), |_| {
        Ok(format!("note {h}"))
    })
    .unwrap()
}

fn file(d: &Devices, place: &str) -> std::path::PathBuf {
    d.alex.root().join(format!("{place}.age"))
}

#[test]
fn an_earlier_signed_version_put_back_is_reported_and_the_trusted_one_used_and_put_back() {
    let (d, _m) = remembering();
    let n = sams_need(&d);
    let place = format!("needs/{}", n.id);
    let earlier = std::fs::read(file(&d, &place)).unwrap();
    comment(&d.sam, &n, B, 1);
    assert_eq!(needs::load_all(&d.alex).unwrap()[0].history.len(), 2);
    let latest = std::fs::read(file(&d, &place)).unwrap();

    std::fs::write(file(&d, &place), &earlier).unwrap();
    let seen = needs::load_all(&d.alex).unwrap();
    assert_eq!(seen[0].history.len(), 2, "the version trusted");
    let said = d.alex.take_left_out();
    assert!(
        said.iter()
            .any(|m| m.contains("earlier version") && m.contains(KEEPS)),
        "{said:?}"
    );
    // Which command puts it back is the command line's to say.
    assert!(!said.iter().any(|m| m.contains("doctor")), "{said:?}");
    // Changing it first needs the trusted version back.
    assert!(needs::change(&d.alex, &n.id, &id(A), day(1), at(2), |_| Ok("x".into())).is_err());
    assert_eq!(
        memory(&d.alex).put_back(&d.alex).unwrap(),
        vec![place.clone()]
    );
    assert_eq!(std::fs::read(file(&d, &place)).unwrap(), latest);
    assert_eq!(needs::load_all(&d.sam).unwrap()[0].history.len(), 2);
    assert_eq!(d.sam.take_left_out(), Vec::<String>::new());
}

#[test]
fn history_dropped_or_reordered_by_the_other_partner_is_reported() {
    let (d, _m) = remembering();
    let n = sams_need(&d);
    let n = comment(&d.sam, &n, B, 1);
    let n = comment(&d.alex, &n, A, 2);
    assert_eq!(needs::load_all(&d.sam).unwrap()[0].history.len(), 3);
    // Alex's device rewrites it without Sam's comment: a newer version, signed by Alex.
    let mut dropped = n.clone();
    dropped.history.remove(1);
    d.alex
        .update::<Need, _>(&format!("needs/{}.json", n.id), |_| Ok(dropped))
        .unwrap();
    let seen = needs::load_all(&d.sam).unwrap();
    assert_eq!(
        seen[0].history, n.history,
        "Sam's device keeps the lines it saw"
    );
    let said = d.sam.take_left_out();
    assert!(said.iter().any(|m| m.contains("history")), "{said:?}");
}

#[test]
fn edits_on_both_devices_one_after_the_other_and_a_removal_are_trusted() {
    let (d, _m) = remembering();
    let n = sams_need(&d);
    let n = comment(&d.sam, &n, B, 1);
    let n = comment(&d.alex, &n, A, 2);
    comment(&d.sam, &n, B, 3);
    assert_eq!(needs::load_all(&d.alex).unwrap()[0].history.len(), 4);
    for s in [&d.alex, &d.sam] {
        assert_eq!(s.take_left_out(), Vec::<String>::new());
    }
    // Removed by its owner: no word.
    needs::remove(&d.sam, &n, day(3)).unwrap();
    assert_eq!(needs::load_all(&d.alex).unwrap(), vec![]);
    assert_eq!(d.alex.take_left_out(), Vec::<String>::new());
}

#[test]
fn a_history_merged_from_two_devices_keeps_every_line_and_one_cut_or_reordered_does_not() {
    let line = |d: &str, at: &str| (d.to_owned(), Value::from(at));
    let before = vec!["a".to_owned(), "c".to_owned()];
    // Appended to, or merged in time order with a line from the other device.
    assert!(keeps_lines(
        &before,
        &[line("a", "1"), line("c", "3"), line("d", "4")]
    ));
    assert!(keeps_lines(
        &before,
        &[line("a", "1"), line("b", "2"), line("c", "3")]
    ));
    // A line gone, or the lines swapped.
    assert!(!keeps_lines(&before, &[line("a", "1"), line("d", "4")]));
    assert!(!keeps_lines(&before, &[line("c", "3"), line("a", "1")]));
}

#[test]
fn a_line_twice_before_must_be_there_twice_and_a_long_history_reordered_within_one_time_is_kept() {
    let line = |d: &str, at: &str| (d.to_owned(), Value::from(at));
    let twice = vec!["a".to_owned(), "a".to_owned()];
    assert!(!keeps_lines(&twice, &[line("b", "1"), line("a", "1")]));
    assert!(keeps_lines(
        &twice,
        &[line("b", "1"), line("a", "1"), line("a", "1")]
    ));
    // Fifty thousand lines of one time, in the other order: every line is still there. (Found
    // by searching for each line in turn, this took over a billion comparisons.)
    let before: Vec<String> = (0..50_000).map(|i| format!("l{i}")).collect();
    let now: Vec<(String, Value)> = before.iter().rev().map(|d| line(d, "1")).collect();
    assert!(keeps_lines(&before, &now));
}

#[test]
fn a_hold_deleted_or_put_in_the_others_name_is_reported_and_kept_until_it_ends() {
    let (d, _m) = remembering();
    let h = holds::new(B, 2, day(30), "scan", &[0, 1, 2], day(2), at(0)).unwrap();
    d.sam.ensure_dir(crate::touch::HOLDS).unwrap();
    holds::add(&d.sam, &h).unwrap();
    assert_eq!(holds::load(&d.alex).unwrap(), vec![h.clone()]);
    let place = format!("{}/{}", crate::touch::HOLDS, h.id);

    std::fs::remove_file(file(&d, &place)).unwrap();
    assert_eq!(holds::load(&d.alex).unwrap(), vec![h.clone()]);
    assert!(d.alex.take_left_out()[0].contains("deleted"));
    // Past its last day, a hold gone says nothing.
    let later = Memory::new(memory(&d.alex).dir.clone(), Some(day(31)));
    memory(&d.alex).save().unwrap();
    assert_eq!(
        later.missing(crate::touch::HOLDS, &|_| false, &|_| true, &|_, _, _, _| {
            false
        }),
        Vec::<String>::new()
    );
    memory(&d.alex).put_back(&d.alex).unwrap();

    // Alex signs one in Alex's own name at its place, as a newer version.
    let mut mine = h.clone();
    mine.by = Some(A.into());
    let readers = [&d.ka.public(), &d.kb.public()];
    let body = mine.encode().unwrap();
    let forged = crate::crypto::seal::seal_version(&d.ka, A, &place, 1 << 40, &body, &readers);
    std::fs::write(file(&d, &place), forged.unwrap()).unwrap();
    assert_eq!(holds::load(&d.sam).unwrap(), vec![h.clone()]);
    assert!(d.sam.take_left_out()[0].contains("replaced"));
    // Its owner lifts it: believed.
    memory(&d.sam).put_back(&d.sam).unwrap();
    holds::release_mine(&d.sam, B, &Default::default(), day(3), at(1)).unwrap();
    assert!(holds::load(&d.alex).unwrap()[0].released.is_some());
    assert_eq!(d.alex.take_left_out(), Vec::<String>::new());
}

#[test]
fn a_device_with_no_memory_says_nothing_on_first_sight_and_records_from_before_are_read() {
    let d = devices();
    let n = sams_need(&d); // written with no memory: no version counter
    let (d2, _m) = (d, tempfile::tempdir().unwrap());
    let m = Arc::new(Memory::new(_m.path().join("a"), None));
    d2.alex.change_sealing(|s| s.remember_in(Arc::clone(&m), 0));
    assert_eq!(needs::load_all(&d2.alex).unwrap()[0].id, n.id);
    assert_eq!(d2.alex.take_left_out(), Vec::<String>::new());
    m.save().unwrap();
    use std::os::unix::fs::PermissionsExt;
    // Sam's need is kept with the needs.
    let path = _m.path().join("a/needs.json");
    let index = std::fs::read_to_string(&path).unwrap();
    assert!(!index.contains("walk"), "no text in the memory: {index}");
    let mode = std::fs::metadata(&path).unwrap().permissions().mode();
    assert_eq!(mode & 0o777, 0o600);
}

#[test]
fn needs_are_kept_apart_and_a_memory_kept_in_one_file_still_counts() {
    let (d, m) = remembering();
    let n = sams_need(&d);
    let place = format!("needs/{}", n.id);
    let earlier = std::fs::read(file(&d, &place)).unwrap();
    comment(&d.sam, &n, B, 1);
    assert_eq!(needs::load_all(&d.alex).unwrap()[0].history.len(), 2);
    let h = holds::new(B, 2, day(30), "scan", &[0, 1, 2], day(2), at(0)).unwrap();
    d.sam.ensure_dir(crate::touch::HOLDS).unwrap();
    holds::add(&d.sam, &h).unwrap();
    let hold = format!("{}/{}", crate::touch::HOLDS, h.id);
    assert_eq!(holds::load(&d.alex).unwrap(), vec![h]);
    memory(&d.alex).save().unwrap();
    let dir = m.path().join("alex");
    let read = |name: &str| -> serde_json::Value {
        serde_json::from_slice(&std::fs::read(dir.join(name)).unwrap()).unwrap()
    };
    let (first, needs) = (read("index.json"), read("needs.json"));
    assert!(first["places"].get(&hold).is_some(), "{first}");
    assert!(first["places"].get(&place).is_none(), "{first}");
    assert!(needs["places"].get(&place).is_some(), "{needs}");

    // As a device kept it before the needs had a file of their own: all in one.
    let mut one = first.clone();
    one["places"][&place] = needs["places"][&place].clone();
    std::fs::write(dir.join("index.json"), one.to_string()).unwrap();
    std::fs::remove_file(dir.join("needs.json")).unwrap();
    let later = Arc::new(Memory::new(dir.clone(), Some(day(2))));
    d.alex
        .change_sealing(|s| s.remember_in(Arc::clone(&later), 0));
    std::fs::write(file(&d, &place), &earlier).unwrap();
    assert_eq!(needs::load_all(&d.alex).unwrap()[0].history.len(), 2);
    let said = d.alex.take_left_out();
    assert!(
        said.iter().any(|m| m.contains("earlier version")),
        "{said:?}"
    );
    later.save().unwrap();
    let (first, needs) = (read("index.json"), read("needs.json"));
    assert!(first["places"].get(&place).is_none(), "{first}");
    assert!(needs["places"].get(&place).is_some(), "{needs}");
}

#[test]
fn a_need_deleted_is_missed_only_on_its_owners_device_and_not_when_its_owner_removed_it() {
    let (d, _m) = remembering();
    let n = sams_need(&d);
    let place = format!("needs/{}", n.id);
    std::fs::remove_file(file(&d, &place)).unwrap();
    // Sam's device reads Sam's need as it trusted it, and says so; Alex's forgets it quietly.
    assert_eq!(needs::load_all(&d.sam).unwrap(), vec![n.clone()]);
    assert!(d.sam.take_left_out()[0].contains("deleted"));
    assert_eq!(needs::load_all(&d.alex).unwrap(), Vec::<Need>::new());
    assert_eq!(d.alex.take_left_out(), Vec::<String>::new());
    memory(&d.sam).put_back(&d.sam).unwrap();
    assert!(file(&d, &place).exists());

    // Removed by its owner: nobody misses it.
    needs::remove(&d.sam, &n, day(3)).unwrap();
    for store in [&d.sam, &d.alex] {
        assert_eq!(needs::load_all(store).unwrap(), Vec::<Need>::new());
        assert_eq!(store.take_left_out(), Vec::<String>::new());
    }
}

#[test]
fn a_need_changed_on_both_devices_and_merged_by_doctor_is_trusted_on_both() {
    let (d, _m) = remembering();
    let n = sams_need(&d);
    let place = format!("needs/{}", n.id);
    let f = file(&d, &place);
    let parted = std::fs::read(&f).unwrap();
    // Alex's device changes it three times, each with a higher version counter...
    let mut a = n.clone();
    for h in 1..=3 {
        a = comment(&d.alex, &a, A, h);
    }
    let alexs = std::fs::read(&f).unwrap();
    // ...while Sam's device, whose folder has not synced them yet, changes it once.
    std::fs::write(&f, &parted).unwrap();
    comment(&d.sam, &n, B, 4);
    // Syncing keeps Sam's version and puts Alex's beside it; Sam's device merges them.
    let copy = f.with_file_name(format!(
        "{}.sync-conflict-20260302-101500-BBBBBBB.age",
        n.id
    ));
    std::fs::write(&copy, &alexs).unwrap();
    let r = crate::doctor::run(&d.sam, std::time::SystemTime::now()).unwrap();
    assert!(r.left.is_empty(), "{:?}", r.left);
    assert_eq!(r.merged.len(), 1);
    // Both devices take the merged need as it is, every line of both in it.
    for s in [&d.sam, &d.alex] {
        let got = needs::load_all(s).unwrap();
        assert_eq!(got[0].history.len(), 5, "{:?}", got[0].history);
        assert_eq!(s.take_left_out(), Vec::<String>::new());
    }
}

/// Alex's device and Sam's each add lines to Sam's need while apart; syncing keeps one version
/// as the file and the other beside it (`alexs_is_the_file`), and `doctor` runs on one device.
/// Every line of both ends up in the need, and both devices take it without a word.
fn lines_from_both_partners_merged(alexs_is_the_file: bool, merged_on_alexs: bool) {
    let (d, _m) = remembering();
    let n = sams_need(&d);
    let place = format!("needs/{}", n.id);
    let f = file(&d, &place);
    let parted = std::fs::read(&f).unwrap();
    comment(&d.alex, &n, A, 1);
    let alexs = std::fs::read(&f).unwrap();
    std::fs::write(&f, &parted).unwrap();
    comment(&d.sam, &n, B, 2);
    let sams = std::fs::read(&f).unwrap();
    let (kept, beside) = match alexs_is_the_file {
        true => (alexs, sams),
        false => (sams, alexs),
    };
    std::fs::write(&f, kept).unwrap();
    let copy = f.with_file_name(format!(
        "{}.sync-conflict-20260302-101500-BBBBBBB.age",
        n.id
    ));
    std::fs::write(&copy, beside).unwrap();
    let on = if merged_on_alexs { &d.alex } else { &d.sam };
    let r = crate::doctor::run(on, std::time::SystemTime::now()).unwrap();
    let case = (alexs_is_the_file, merged_on_alexs);
    assert!(r.left.is_empty(), "{case:?}: {:?}", r.left);
    assert!(!copy.exists(), "{case:?}");
    for s in [&d.sam, &d.alex] {
        let got = needs::load_all(s).unwrap();
        assert_eq!(s.take_left_out(), Vec::<String>::new(), "{case:?}");
        let what: Vec<&str> = got[0].history.iter().map(|c| c.what.as_str()).collect();
        assert_eq!(what.len(), 3, "{case:?}: {what:?}");
        assert!(
            what.contains(&"note 1") && what.contains(&"note 2"),
            "{what:?}"
        );
    }
}

#[test]
fn lines_from_both_partners_merge_with_alexs_version_as_the_file_on_either_device() {
    lines_from_both_partners_merged(true, true);
    lines_from_both_partners_merged(true, false);
}

#[test]
fn lines_from_both_partners_merge_with_sams_version_as_the_file_on_either_device() {
    lines_from_both_partners_merged(false, true);
    lines_from_both_partners_merged(false, false);
}

#[test]
fn a_listing_with_every_need_there_does_not_read_their_memory_and_a_need_gone_is_still_missed() {
    let (d, m) = remembering();
    let n = sams_need(&d);
    let place = format!("needs/{}", n.id);
    memory(&d.sam).save().unwrap();
    let dir = m.path().join("sam");
    let fresh = || Memory::new(dir.clone(), Some(day(2)));
    let sams = |p: &str| p == B;
    let needs_read = |m: &Memory| m.state.lock().unwrap().shards[1].is_some();

    // Every need there: told by the names beside the memory, which is not read.
    let later = fresh();
    assert_eq!(
        later.missing("needs", &|_| true, &sams, &|_, _, _, _| false),
        Vec::<String>::new()
    );
    assert!(!needs_read(&later), "the memory of the needs was read");
    // Sam's need gone behind Sam's back: missed, as before.
    let later = fresh();
    assert_eq!(
        later.missing("needs", &|_| false, &sams, &|_, _, _, _| false),
        vec![place.clone()]
    );

    // The memory of the needs written by something that left the names as they were (a need
    // remembered there that the names do not have): the names are not used.
    let mut needs: serde_json::Value =
        serde_json::from_slice(&std::fs::read(dir.join("needs.json")).unwrap()).unwrap();
    let other = "needs/0123456789abcdef";
    needs["places"][other] = needs["places"][&place].clone();
    std::fs::write(dir.join("needs.json"), needs.to_string()).unwrap();
    let later = fresh();
    let here = |name: &str| place.ends_with(name);
    assert_eq!(
        later.missing("needs", &here, &sams, &|_, _, _, _| false),
        vec![other.to_owned()]
    );

    // Without the names (a memory from an older closer): read, and the names written at save.
    std::fs::remove_file(dir.join(names::FILE)).unwrap();
    let later = fresh();
    assert_eq!(
        later.missing("needs", &|_| true, &sams, &|_, _, _, _| false),
        Vec::<String>::new()
    );
    assert!(needs_read(&later));
    later.save().unwrap();
    let later = fresh();
    assert_eq!(
        later.missing("needs", &|_| true, &sams, &|_, _, _, _| false),
        Vec::<String>::new()
    );
    assert!(!needs_read(&later), "the names were not written");
}

#[test]
fn an_earlier_version_put_back_is_reported_on_every_run_while_the_open_cache_answers_for_it() {
    use crate::crypto::Keys;
    use crate::open_cache::OpenCache;
    let (d, m) = remembering();
    // Alex's key remembers what it opened, as on a device whose key has no passphrase.
    let text = age::secrecy::ExposeSecret::expose_secret(&d.ka.to_text()).to_owned();
    let cache = OpenCache::new(m.path().join("opened"), &d.ka.public().age);
    let keys = Keys::from_text(&text).unwrap().remembering(Arc::new(cache));
    d.alex.change_sealing(|s| s.hold(A, Arc::new(keys)));
    let n = sams_need(&d);
    let place = format!("needs/{}", n.id);
    let earlier = std::fs::read(file(&d, &place)).unwrap();
    comment(&d.sam, &n, B, 1);
    assert_eq!(needs::load_all(&d.alex).unwrap()[0].history.len(), 2);

    std::fs::write(file(&d, &place), &earlier).unwrap();
    for run in 0..3 {
        let seen = needs::load_all(&d.alex).unwrap();
        assert_eq!(seen[0].history.len(), 2, "run {run}: the version trusted");
        let said = d.alex.take_left_out();
        assert!(
            said.iter().any(|m| m.contains("earlier version")),
            "run {run}: {said:?}"
        );
    }
}

/// A folder in the place of one record to put back: the others are put back all the same, and
/// the folder is left for the person to move out, as reading it said.
#[test]
fn a_folder_in_one_records_place_does_not_stop_the_others_being_put_back() {
    let (d, _m) = remembering();
    let n = sams_need(&d);
    let another = Need::open(
        &id(B),
        "A slow morning".into(),
        "comfort".into(),
        None,
        Importance::Medium,
        true,
        day(1),
    );
    let another = needs::add(&d.sam, another, at(1)).unwrap();
    assert_eq!(needs::load_all(&d.sam).unwrap().len(), 2);
    let mut places = [format!("needs/{}", n.id), format!("needs/{}", another.id)];
    places.sort();
    let [folder, gone] = places;
    std::fs::remove_file(file(&d, &folder)).unwrap();
    std::fs::create_dir(file(&d, &folder)).unwrap();
    std::fs::remove_file(file(&d, &gone)).unwrap();
    for place in [&folder, &gone] {
        let _ = d.sam.read_bytes(&format!("{place}.json"));
    }
    assert_eq!(memory(&d.sam).put_back(&d.sam).unwrap(), vec![gone.clone()]);
    assert!(file(&d, &gone).is_file() && file(&d, &folder).is_dir());
    assert_eq!(needs::load_all(&d.sam).unwrap().len(), 2);
}
