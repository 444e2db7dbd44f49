//! Property tests over what another device can put in the folder and what a person can type: any
//! one record file changed in any way (cut short, bytes flipped or inserted, a value replaced by
//! any other, a field removed, a link put in its place), and any text or date given to the core
//! functions the tools call. No read or write may panic or hang, and no record may vanish from
//! what is read without an error or a note saying which file was left out.

use super::*;
use closer_core::content::Library;
use closer_core::error::Error;
use closer_core::needs::{self, Importance};
use closer_core::profile::{self, Couple};
use closer_core::prompts::{self, Answer};
use closer_core::store::Store;
use closer_core::touch::{self, Answer as Said, Debrief, Session};
use closer_core::{dates, doctor, energy, glance, holds, index, need_rules};
use proptest::prelude::*;
use proptest::test_runner::{Config, TestCaseError, TestRunner};
use serde_json::Value;
use std::sync::OnceLock;
use std::sync::mpsc;
use std::time::{Duration, SystemTime};

/// The longest any one case may take before it counts as a hang.
const HANG: Duration = Duration::from_secs(30);

/// A couple with one record of every kind, made once by closer's own code.
fn template() -> &'static Path {
    static T: OnceLock<tempfile::TempDir> = OnceLock::new();
    T.get_or_init(|| {
        let t = tempfile::tempdir().unwrap();
        let store = Store::new(t.path());
        let d = day(2026, 3, 2);
        let a = profile::add(&store, "Alex", vec!["arthritis".into()], d).unwrap();
        let b = profile::add(&store, "Zoë", vec![], d).unwrap();
        for (who, text, private) in [
            (&a, "help with buttons", false),
            (&b, "quiet mornings", true),
        ] {
            let n = needs::Need::open(
                &who.id,
                text.into(),
                "practical".into(),
                None,
                Importance::Medium,
                private,
                d,
            );
            needs::add(&store, n, at()).unwrap();
        }
        let step = Library::builtin().steps[0].id;
        for p in [&a, &b] {
            touch::update_state(&store, &p.id, |s| {
                s.boundaries.insert(step.into(), Said::Yes);
                Ok(())
            })
            .unwrap();
            let answer = Answer::new(d, "p1", "a prompt", format!("{}'s answer", p.name), at());
            prompts::save_answer(&store, &p.id, answer).unwrap();
        }
        touch::update_sessions(&store, &a.id, |s| {
            s.sessions.push(Session {
                id: id("sess0001"),
                date: d,
                at: at(),
                step: step.into(),
                giver: Some(b.id.clone()),
                minutes: Some(10),
                note: Some("slow".into()),
                extra: Default::default(),
            });
            s.debriefs.push(Debrief {
                session: id("sess0001"),
                step: step.into(),
                date: d,
                at: at(),
                noticed: Some("warm hands".into()),
                too_much: None,
                private: false,
                extra: Default::default(),
            });
            Ok(())
        })
        .unwrap();
        let stages: Vec<u8> = Library::builtin().stages.iter().map(|s| s.number).collect();
        let hold = holds::new(&a.id, 2, day(2026, 4, 1), "surgeon", &stages, d, at()).unwrap();
        holds::add(&store, &hold).unwrap();
        energy::say_low(&store, &b.id, energy::check_until(d, None).unwrap()).unwrap();
        t
    })
    .path()
}

/// Every record file of the template, by path inside it.
fn record_files() -> &'static [String] {
    static F: OnceLock<Vec<String>> = OnceLock::new();
    F.get_or_init(|| {
        let root = template();
        let mut out: Vec<String> = walk(root)
            .into_iter()
            .filter(|p| p.extension().is_some_and(|e| e == "json"))
            .map(|p| p.strip_prefix(root).unwrap().to_string_lossy().into_owned())
            .collect();
        out.sort();
        out
    })
}

/// One way a file can change.
#[derive(Debug, Clone)]
enum Change {
    /// Cut short at this fraction of its length (per mille).
    Cut(u16),
    /// Bytes replaced at this fraction of its length.
    Flip(u16, Vec<u8>),
    /// Text inserted at this fraction of its length.
    Insert(u16, String),
    /// The n-th value (depth first) replaced by another.
    Replace(usize, Value),
    /// The n-th field removed.
    Remove(usize),
    /// A link to a copy of itself outside the folder in its place.
    Link,
}

fn any_json() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::from),
        any::<i64>().prop_map(Value::from),
        any::<f64>()
            .prop_map(|f| serde_json::Number::from_f64(f).map_or(Value::Null, Value::Number)),
        any::<String>().prop_map(Value::from),
        "[a-z0-9./-]{0,40}".prop_map(Value::from),
        "-?[0-9]{1,6}-[0-9]{1,2}-[0-9]{1,2}".prop_map(Value::from),
    ];
    leaf.prop_recursive(2, 8, 3, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..3).prop_map(Value::Array),
            prop::collection::btree_map("[a-z_]{1,8}", inner, 0..3)
                .prop_map(|m| Value::Object(m.into_iter().collect())),
        ]
    })
}

fn change() -> impl Strategy<Value = Change> {
    prop_oneof![
        (0..1000u16).prop_map(Change::Cut),
        (0..1000u16, prop::collection::vec(any::<u8>(), 1..8))
            .prop_map(|(a, b)| Change::Flip(a, b)),
        (0..1000u16, any::<String>()).prop_map(|(a, s)| Change::Insert(a, s)),
        (0..64usize, any_json()).prop_map(|(i, v)| Change::Replace(i, v)),
        (0..64usize).prop_map(Change::Remove),
        Just(Change::Link),
    ]
}

fn at_fraction(len: usize, per_mille: u16) -> usize {
    len * usize::from(per_mille) / 1000
}

/// Replaces (or removes) the `n`-th value below `v`, counting depth first; returns whether it did.
fn visit(v: &mut Value, n: &mut usize, with: &Option<Value>) -> bool {
    let children: Vec<String> = match v {
        Value::Object(m) => m.keys().cloned().collect(),
        Value::Array(a) => (0..a.len()).map(|i| i.to_string()).collect(),
        _ => return false,
    };
    for k in children {
        if *n == 0 {
            match (v, with) {
                (Value::Object(m), Some(w)) => {
                    m.insert(k, w.clone());
                }
                (Value::Object(m), None) => {
                    m.remove(&k);
                }
                (Value::Array(a), Some(w)) => a[k.parse::<usize>().unwrap()] = w.clone(),
                (Value::Array(a), None) => {
                    a.remove(k.parse::<usize>().unwrap());
                }
                _ => {}
            }
            return true;
        }
        *n -= 1;
        let child = match v {
            Value::Object(m) => m.get_mut(&k),
            Value::Array(a) => a.get_mut(k.parse::<usize>().unwrap()),
            _ => None,
        };
        if child.is_some_and(|c| visit(c, n, with)) {
            return true;
        }
    }
    false
}

fn apply(path: &Path, outside: &Path, c: &Change) {
    let bytes = fs::read(path).unwrap();
    let new = match c {
        Change::Cut(p) => bytes[..at_fraction(bytes.len(), *p)].to_vec(),
        Change::Flip(p, with) => {
            let mut b = bytes.clone();
            let start = at_fraction(b.len(), *p);
            for (i, x) in with.iter().enumerate() {
                if let Some(slot) = b.get_mut(start + i) {
                    *slot = *x;
                }
            }
            b
        }
        Change::Insert(p, s) => {
            let mut b = bytes.clone();
            let i = at_fraction(b.len(), *p);
            b.splice(i..i, s.bytes());
            b
        }
        Change::Replace(n, _) | Change::Remove(n)
            if serde_json::from_slice::<Value>(&bytes).is_ok() =>
        {
            let mut v: Value = serde_json::from_slice(&bytes).unwrap();
            let with = match c {
                Change::Replace(_, w) => Some(w.clone()),
                _ => None,
            };
            visit(&mut v, &mut n.clone(), &with);
            serde_json::to_vec_pretty(&v).unwrap()
        }
        Change::Link => {
            fs::write(outside, &bytes).unwrap();
            fs::remove_file(path).unwrap();
            std::os::unix::fs::symlink(outside, path).unwrap();
            return;
        }
        _ => bytes,
    };
    fs::write(path, new).unwrap();
}

/// The needs and answers of a folder as read, each known by its text: what must not vanish.
fn needs_and_answers(
    store: &Store,
) -> (
    std::result::Result<Vec<String>, Error>,
    std::result::Result<Vec<String>, Error>,
) {
    let needs = needs::load_all(store).map(|v| v.into_iter().map(|n| n.text).collect());
    let answers = prompts::all_answers(store, None, None)
        .map(|v| v.into_iter().map(|(_, a)| a.text).collect());
    (needs, answers)
}

/// Runs every read and write the tools make on `store`; errors are fine, panics are not.
fn exercise(store: &Store, cache: &Path) {
    let lib = Library::builtin();
    let d = day(2026, 3, 3);
    let couple = Couple::load(store).unwrap_or_default();
    let viewer = couple.partners.first().map(|p| p.id.to_string());
    let idx = index::path(cache, store);
    for _ in 0..2 {
        let listed = index::needs_without_history(store, Some(&idx), viewer.as_deref());
        if let Ok(all) = listed {
            let _ = needs::visible(all, viewer.as_deref());
        }
    }
    let _ = needs::load_all(store);
    let _ = holds::load(store);
    let _ = prompts::all_answers(store, None, None);
    let _ = energy::gentle_on(store, &couple, d);
    if let Ok((states, hs)) = touch::load_facts(store, &couple) {
        let _ = touch::derive(&lib, &couple, &states, &hs, d);
    }
    let _ = glance::glance(store, &lib, &couple, None, false, Vec::new(), d);
    let _ = doctor::conflict_copies(store);
    let _ = doctor::marked_records(store);
    for p in &couple.partners {
        let _ = touch::load_sessions(store, &p.id);
        let _ = prompts::answered_on(store, &p.id, d);
        let _ = prompts::save_answer(
            store,
            &p.id,
            Answer::new(d, "p2", "x", "again".into(), at()),
        );
        let _ = touch::update_state(store, &p.id, |s| {
            s.boundaries.insert(lib.steps[1].id.into(), Said::Maybe);
            Ok(())
        });
        let _ = energy::say_low(store, &p.id, energy::Span { from: d, until: d });
        let _ = touch::update_sessions(store, &p.id, |_| Ok(()));
    }
    if let (Some(me), Ok(all)) = (couple.partners.first(), needs::load_all(store)) {
        for n in all {
            let _ = needs::change(store, &n.id, &me.id, d, at(), |_| {
                need_rules::comment("seen")
            });
        }
    }
    let _ = profile::add(store, "Kim", vec![], d);
    let _ = doctor::run(store, SystemTime::now());
}

/// Runs `f` on a thread and fails the case when it panics or does not finish in time.
fn in_time(f: impl FnOnce() + Send + 'static) -> std::result::Result<(), TestCaseError> {
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        let r = std::panic::catch_unwind(std::panic::AssertUnwindSafe(f));
        let _ = tx.send(r.is_ok());
    });
    match rx.recv_timeout(HANG) {
        Ok(true) => Ok(()),
        Ok(false) => Err(TestCaseError::fail("panicked")),
        Err(_) => Err(TestCaseError::fail("did not finish: a hang")),
    }
}

/// A runner for `cases` cases: bounded so that the suite stays fast; `CLOSER_FUZZ_CASES` asks for
/// more on a longer run.
fn runner(cases: u32) -> TestRunner {
    let cases = std::env::var("CLOSER_FUZZ_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(cases);
    TestRunner::new(Config {
        cases,
        failure_persistence: None,
        ..Config::default()
    })
}

#[test]
fn no_change_to_one_record_file_panics_hangs_or_hides_another_record() {
    let files = record_files();
    assert!(
        files.len() >= 10,
        "every kind of record is there: {files:?}"
    );
    let before = needs_and_answers(&Store::new(template()));
    let (want_needs, want_answers) = (before.0.unwrap(), before.1.unwrap());
    runner(64)
        .run(&(0..files.len(), change()), |(i, c)| {
            let t = tempfile::tempdir().unwrap();
            let data = t.path().join("data");
            copy_tree(template(), &data);
            let rel = &files[i];
            apply(&data.join(rel), &t.path().join("outside.json"), &c);
            let store = Store::new(&data);
            let (needs, answers) = needs_and_answers(&store);
            let noted = store.take_left_out().join("\n")
                + &format!("{:?}", closer_core::store::skipped_conflicts());
            let file = Path::new(rel)
                .file_name()
                .unwrap()
                .to_string_lossy()
                .into_owned();
            // Every need and answer of the other files is still read, unless the read fails
            // with an error; the changed file's records too, when the change garbled it rather
            // than edited it, unless the file is named as left out.
            let edited = matches!(c, Change::Replace(..) | Change::Remove(_));
            for (got, want, kind) in [
                (needs, &want_needs, "needs/"),
                (answers, &want_answers, "answers/"),
            ] {
                let Ok(got) = got else { continue };
                let missing: Vec<&String> = want.iter().filter(|w| !got.contains(w)).collect();
                let ours = rel.starts_with(kind);
                let explained =
                    noted.contains(&file) || (ours && (edited || got.len() >= want.len()));
                prop_assert!(
                    missing.is_empty() || explained,
                    "{rel} {c:?}: {missing:?} vanished without a word; noted: {noted}"
                );
            }
            let cache = t.path().join("cache");
            in_time(move || exercise(&Store::new(&data), &cache))
        })
        .unwrap();
}

#[test]
fn no_text_or_date_argument_panics_and_what_is_accepted_is_kept() {
    let d = day(2026, 3, 2);
    let text = prop_oneof![any::<String>(), "\\PC{0,300}", "[0-9a-zä+-]{0,12}"];
    runner(48)
        .run(&(text.clone(), text), |(s, t)| {
            let t = t.clone();
            in_time(move || {
                let tmp = tempfile::tempdir().unwrap();
                let store = Store::new(tmp.path());
                let _ = dates::parse_date(&s);
                let _ = dates::date_arg(&s);
                let _ = dates::parse_offset(&s, d);
                let _ = dates::parse_offset(&s, day(9999, 12, 31));
                let _ = needs::check_text("a need", &s);
                let _ = need_rules::comment(&s);
                let _ = profile::check_name(&s);
                let p = profile::add(&store, &s, vec![], d);
                let _ = profile::add(&store, &t, vec![], d);
                if let Ok(p) = &p {
                    let c = Couple::load(&store).unwrap();
                    assert_eq!(
                        c.find(&s).unwrap().id,
                        p.id,
                        "a name that was accepted is found"
                    );
                }
                let owner = id("ppp1");
                if let Ok(text) = needs::check_text("a need", &t) {
                    let n = needs::Need::open(
                        &owner,
                        text.clone(),
                        "other".into(),
                        None,
                        Importance::Low,
                        false,
                        d,
                    );
                    let n = needs::add(&store, n, at()).unwrap();
                    let listed = needs::load_all(&store).unwrap();
                    assert!(
                        listed.iter().any(|m| m.id == n.id && m.text == text),
                        "kept as typed"
                    );
                }
                let stages = [0u8, 1, 2];
                if let Ok(h) = holds::new(&owner, 1, day(2026, 4, 1), &t, &stages, d, at()) {
                    holds::add(&store, &h).unwrap();
                    assert!(
                        holds::load(&store)
                            .unwrap()
                            .iter()
                            .any(|x| x.reason == h.reason)
                    );
                }
                let a = Answer::new(d, "p1", "x", t.clone(), at());
                if prompts::save_answer(&store, &owner, a).is_ok() {
                    let all = prompts::all_answers(&store, None, None).unwrap();
                    assert!(
                        all.iter().any(|(_, a)| a.text == t.trim()),
                        "an accepted answer is kept"
                    );
                }
                if let Ok(until) = dates::parse_date(&s) {
                    let _ = energy::check_until(d, Some(until))
                        .and_then(|span| energy::say_low(&store, &owner, span));
                }
            })
        })
        .unwrap();
}

fn copy_tree(from: &Path, to: &Path) {
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
