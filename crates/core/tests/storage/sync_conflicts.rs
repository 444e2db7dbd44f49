//! Two devices that changed the same records before they synced: the sync tool keeps one
//! version and a conflict copy of the other; nothing is read twice, and `doctor` merges every
//! kind of record with nothing of either side lost.

use super::*;
use chrono::Duration as Minutes;
use closer_core::energy::{self, LowDays, Span};
use closer_core::store::{FORMAT_VERSION, Store};
use closer_core::touch::{self, Answer as Said, BodyMark, Event, EventKind, Mark, Session};
use closer_core::{body_map, doctor, holds, needs, profile, prompts};
use std::time::SystemTime;

const COPY: &str = ".sync-conflict-20260302-101500-BBBBBBB";

/// What Syncthing does when both devices changed a file: the other device's version lands
/// beside it as a conflict copy; files only the other device has are simply copied.
fn sync(from: &Path, to: &Path) {
    for p in walk(from).into_iter().filter(|p| p.is_file()) {
        let rel = p.strip_prefix(from).unwrap();
        let name = name_of(&p);
        if name.starts_with('.') {
            continue;
        }
        let dest = to.join(rel);
        fs::create_dir_all(dest.parent().unwrap()).unwrap();
        if !dest.exists() {
            fs::copy(&p, &dest).unwrap();
        } else if fs::read(&p).unwrap() != fs::read(&dest).unwrap() {
            let stem = name.strip_suffix(".json").unwrap();
            fs::copy(&p, dest.with_file_name(format!("{stem}{COPY}.json"))).unwrap();
        }
    }
}

fn session(id: &str, minutes: i64) -> Session {
    Session {
        id: id.parse().unwrap(),
        date: day(2026, 3, 2),
        at: at() + Minutes::minutes(minutes),
        step: "s0-sit-close".into(),
        giver: None,
        minutes: None,
        note: None,
        extra: Default::default(),
    }
}

fn ready(step: &str, minutes: i64) -> Event {
    Event {
        date: day(2026, 3, 2),
        at: at() + Minutes::minutes(minutes),
        kind: EventKind::Ready { step: step.into() },
        extra: Default::default(),
    }
}

fn add_low(store: &Store, p: &closer_core::ids::Id, from: NaiveDate) {
    store
        .update::<LowDays, _>(&energy::path(p), |old| {
            let mut l = old.unwrap_or(LowDays {
                version: FORMAT_VERSION,
                partner: p.clone(),
                low: Vec::new(),
                ended: Vec::new(),
                extra: Default::default(),
            });
            l.low.push(Span { from, until: from });
            Ok(l)
        })
        .unwrap();
}

fn copy_dir(from: &Path, to: &Path) {
    for p in walk(from) {
        let dest = to.join(p.strip_prefix(from).unwrap());
        if p.is_dir() {
            fs::create_dir_all(&dest).unwrap();
        } else {
            fs::create_dir_all(dest.parent().unwrap()).unwrap();
            fs::copy(&p, &dest).unwrap();
        }
    }
}

#[test]
fn a_conflict_copy_of_every_kind_of_record_is_merged_with_nothing_lost() {
    let tmp = tempfile::tempdir().unwrap();
    let (a_dir, b_dir) = (tmp.path().join("a"), tmp.path().join("b"));
    let a = Store::new(&a_dir);
    let alex = profile::add(&a, "Alex", vec![], day(2026, 3, 1))
        .unwrap()
        .id;
    let shared = needs::add(&a, need(&alex, "help on bad-hand mornings"), at()).unwrap();
    let hold = holds::new(
        &alex,
        2,
        day(2026, 6, 1),
        "surgery",
        &[1, 2, 3],
        day(2026, 3, 1),
        at(),
    )
    .unwrap();
    holds::add(&a, &hold).unwrap();
    copy_dir(&a_dir, &b_dir);
    let b = Store::new(&b_dir);

    // The same records changed on both devices, the other device's a little later.
    for (s, k, word) in [(&a, 0, "a"), (&b, 10, "b")] {
        needs::change(
            s,
            &shared.id,
            &alex,
            day(2026, 3, 2),
            at() + Minutes::minutes(k),
            |n| {
                n.text = format!("help on bad-hand mornings ({word})");
                Ok(format!("edited on {word}"))
            },
        )
        .unwrap();
        let date = day(2026, 3, 2 + k as u32 / 10);
        prompts::save_answer(s, &alex, answer(date, format!("answer {word}"))).unwrap();
        profile::update(s, "Alex", |p| {
            p.conditions.push(format!("cond-{word}"));
            Ok(())
        })
        .unwrap();
        touch::update_state(s, &alex, |st| {
            let said = if word == "a" { Said::Yes } else { Said::No };
            st.boundaries.insert("s1-hold-hands".into(), said);
            st.events.push(ready(&format!("step-{word}"), k));
            let mark = BodyMark {
                mark: Mark::AskFirst,
                note: Some(format!("marked on {word}")),
                extra: Default::default(),
            };
            st.body.insert(format!("region-{word}"), mark);
            Ok(())
        })
        .unwrap();
        touch::update_sessions(s, &alex, |ss| {
            ss.sessions.push(session(&format!("sess{word}"), k));
            Ok(())
        })
        .unwrap();
        add_low(s, &alex, day(2026, 4, 1 + k as u32));
    }
    b.update::<closer_core::touch::Hold, _>(&format!("touch/holds/{}.json", hold.id), |h| {
        let mut h = h.unwrap();
        holds::release(&mut h, &alex, day(2026, 3, 3), at());
        Ok(h)
    })
    .unwrap();
    let couple_b = b_dir.join("couple.json");
    let mut c: serde_json::Value = serde_json::from_slice(&fs::read(&couple_b).unwrap()).unwrap();
    c["no_future_prompts"] = true.into();
    fs::write(&couple_b, serde_json::to_vec(&c).unwrap()).unwrap();

    sync(&b_dir, &a_dir);
    let copies = doctor::conflict_copies(&a);
    assert_eq!(copies.len(), 9, "{copies:#?}");

    // Before doctor: no record is read twice.
    assert_eq!(needs::load_all(&a).unwrap().len(), 1);
    assert_eq!(prompts::all_answers(&a, None, None).unwrap().len(), 1);
    assert_eq!(profile::Couple::load(&a).unwrap().partners.len(), 1);
    assert_eq!(holds::load(&a).unwrap().len(), 1);

    let report = doctor::run(&a, SystemTime::now()).unwrap();
    assert!(report.left.is_empty(), "{:?}", report.left);
    assert_eq!(report.merged.len(), 9, "{:?}", report.merged);
    assert!(doctor::conflict_copies(&a).is_empty());

    let n = needs::load_all(&a).unwrap();
    assert_eq!(n.len(), 1);
    assert_eq!(
        n[0].text, "help on bad-hand mornings (b)",
        "the later edit is current"
    );
    let whats: Vec<&str> = n[0].history.iter().map(|c| c.what.as_str()).collect();
    assert!(
        whats.contains(&"edited on a") && whats.contains(&"edited on b"),
        "{whats:?}"
    );
    assert!(
        whats.iter().any(|w| w.contains("(a)")),
        "the other version's text is kept: {whats:?}"
    );
    let texts: Vec<String> = prompts::all_answers(&a, None, None)
        .unwrap()
        .into_iter()
        .map(|(_, x)| x.text)
        .collect();
    assert_eq!(texts, ["answer a", "answer b"]);
    let couple = profile::Couple::load(&a).unwrap();
    assert_eq!(couple.partners[0].conditions, ["cond-a", "cond-b"]);
    let st = touch::load_state(&a, &alex).unwrap();
    assert_eq!(st.events.len(), 2);
    assert_eq!(
        st.boundaries["s1-hold-hands"],
        Said::No,
        "the careful answer wins"
    );
    assert_eq!(st.body.len(), 2);
    assert_eq!(
        body_map::load(&a, &alex).unwrap(),
        st.body,
        "the body map published for both follows the merged state"
    );
    let ss = touch::load_sessions(&a, &alex).unwrap();
    assert_eq!(ss.sessions.len(), 2);
    assert!(holds::load(&a).unwrap()[0].released.is_some());
    assert_eq!(energy::load(&a, &alex).unwrap().low.len(), 2);
    let c: serde_json::Value =
        serde_json::from_slice(&fs::read(a_dir.join("couple.json")).unwrap()).unwrap();
    assert_eq!(c["no_future_prompts"], true);
}

#[test]
fn git_conflict_markers_in_a_record_are_merged_too() {
    let tmp = tempfile::tempdir().unwrap();
    let store = Store::new(tmp.path());
    let p = &id("alex00000000");
    prompts::save_answer(&store, p, answer(day(2026, 3, 1), "one".into())).unwrap();
    let path = tmp.path().join(format!("answers/{p}/2026.json"));
    let text = fs::read_to_string(&path).unwrap();
    let line = text.lines().find(|l| l.contains("\"one\"")).unwrap();
    let other = line
        .replace("\"one\"", "\"two\"")
        .replace("2026-03-01", "2026-03-02");
    fs::write(
        &path,
        text.replace(
            line,
            &format!("<<<<<<< HEAD\n{line}\n=======\n{other}\n>>>>>>> b"),
        ),
    )
    .unwrap();
    assert!(prompts::all_answers(&store, None, None).unwrap().is_empty());
    let r = doctor::run(&store, SystemTime::now()).unwrap();
    assert_eq!(r.merged, [format!("answers/{p}/2026.json")]);
    let texts: Vec<String> = prompts::all_answers(&store, None, None)
        .unwrap()
        .into_iter()
        .map(|(_, x)| x.text)
        .collect();
    assert_eq!(texts, ["one", "two"]);
}

#[test]
fn a_conflict_copy_that_is_a_link_or_broken_is_named_itself_and_never_followed() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("data");
    let store = Store::new(&dir);
    let p = &id("alex00000000");
    prompts::save_answer(&store, p, answer(day(2026, 3, 1), "one".into())).unwrap();
    let record = dir.join(format!("answers/{p}/2026.json"));
    // A file outside the data folder, shaped like the record, and a copy that links to it.
    let outside = tmp.path().join("outside.json");
    let theirs = fs::read_to_string(&record)
        .unwrap()
        .replace("\"one\"", "\"from outside\"")
        .replace("2026-03-01", "2026-03-02");
    fs::write(&outside, &theirs).unwrap();
    let linked = dir.join(format!("answers/{p}/2026{COPY}.json"));
    std::os::unix::fs::symlink(&outside, &linked).unwrap();
    // A copy that does not parse, for another record.
    prompts::save_answer(&store, p, answer(day(2025, 3, 1), "old".into())).unwrap();
    let broken = dir.join(format!("answers/{p}/2025{COPY}.json"));
    fs::write(&broken, "{\"version\": 1, \"partner\": ").unwrap();

    let r = doctor::run(&store, SystemTime::now()).unwrap();
    assert!(r.merged.is_empty(), "{:?}", r.merged);
    assert_eq!(r.left.len(), 2, "{:?}", r.left);
    for (left, why) in &r.left {
        let copy = if left.starts_with(&format!("answers/{p}/2025")) {
            &broken
        } else {
            &linked
        };
        assert!(
            why.contains(&copy.display().to_string()),
            "names the copy: {why}"
        );
        assert!(
            !why.contains(&format!("{p}/2026.json")) && !why.contains(&format!("{p}/2025.json")),
            "not the record: {why}"
        );
    }
    assert!(
        r.left.iter().any(|(_, why)| why.contains("link")),
        "{:?}",
        r.left
    );
    let texts: Vec<String> = prompts::all_answers(&store, None, None)
        .unwrap()
        .into_iter()
        .map(|(_, x)| x.text)
        .collect();
    assert_eq!(texts, ["old", "one"], "nothing from outside was merged");
    assert_eq!(fs::read_to_string(&outside).unwrap(), theirs);
    assert!(
        fs::symlink_metadata(&linked).is_ok() && broken.exists(),
        "both left"
    );
}

#[test]
fn conflict_copies_of_content_files_and_library_fingerprints_are_merged_with_nothing_lost() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("data");
    let store = Store::new(&dir);
    let p = &id("alex00000000");
    closer_core::libraries::publish(&store, p, "aaaa").unwrap();
    let lib_copy = dir.join(format!("libraries/{p}{COPY}.json"));
    fs::write(
        &lib_copy,
        fs::read_to_string(dir.join(format!("libraries/{p}.json")))
            .unwrap()
            .replace("aaaa", "bbbb"),
    )
    .unwrap();

    let walks = "version = 1\n# Our own walks.\n[category]\nid = \"our-walks\"\nname = \"Walks\"\nabout = \"Our walks.\"\n\n[[prompt]]\nid = \"our-walks-1\"\ntext = \"Where shall we walk on Sunday?\"\ndepth = \"light\"\nlow_energy = false\n";
    let more = format!(
        "{walks}\n[[prompt]]\nid = \"our-walks-2\"\ntext = \"Which walk do you remember best?\"\ndepth = \"medium\"\nlow_energy = true\n"
    );
    fs::create_dir_all(dir.join("content/ours")).unwrap();
    fs::write(dir.join("content/ours/walks.toml"), walks).unwrap();
    fs::write(dir.join(format!("content/ours/walks{COPY}.toml")), &more).unwrap();
    // The same prompt changed on both devices: nothing to choose by, so left for the couple.
    let talks = walks.replace("our-walks", "our-talks");
    fs::write(dir.join("content/talks.toml"), &talks).unwrap();
    let talks_copy = dir.join(format!("content/talks{COPY}.toml"));
    fs::write(&talks_copy, talks.replace("on Sunday", "on Saturday")).unwrap();

    let r = doctor::run(&store, SystemTime::now()).unwrap();
    let mut merged = r.merged.clone();
    merged.sort();
    assert_eq!(
        merged,
        [
            "content/ours/walks.toml".to_owned(),
            format!("libraries/{p}.json")
        ],
        "{:?}",
        r.left
    );
    assert_eq!(r.left.len(), 1, "{:?}", r.left);
    assert!(
        r.left[0].0.starts_with("content/talks") && r.left[0].1.contains("our-talks-1"),
        "{:?}",
        r.left
    );
    assert!(talks_copy.exists());
    assert!(!lib_copy.exists());

    let text = fs::read_to_string(dir.join("content/ours/walks.toml")).unwrap();
    assert!(text.starts_with(walks), "the file as written stays: {text}");
    let lib = closer_core::content::Library::load(&dir.join("content/ours")).unwrap();
    let ids: Vec<&str> = lib.prompts.iter().map(|p| p.id).collect();
    assert!(
        ids.contains(&"our-walks-1") && ids.contains(&"our-walks-2"),
        "{text}"
    );
    assert!(
        doctor::conflict_copies(&store)
            .iter()
            .all(|(c, _)| c.starts_with("content/talks"))
    );
}
