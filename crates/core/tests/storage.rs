//! The storage promises, tested from outside: concurrent writers lose nothing, a writer killed at
//! any moment leaves whole files, newer and broken files are never rewritten, everything is
//! private whatever the umask, and ID prefixes are unique or refused.
//!
//! Tests that need other processes re-run this test binary: `child_writer` does the child's part
//! when `STORAGE_TEST_CHILD` says what to do, and returns at once otherwise.

use chrono::{DateTime, Days, NaiveDate, Utc};
use closer_core::Error;
use closer_core::ids::{ID_LEN, MIN_PREFIX, new_id};
use closer_core::needs::{self, Importance, Need, Status};
use closer_core::prompts::{self, Answer, AnswerFile};
use closer_core::store::{self, Store};
use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::io::{BufRead, BufReader, Write};
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

const CHILD: &str = "STORAGE_TEST_CHILD";
const CHILD_DIR: &str = "STORAGE_TEST_DIR";
const CHILD_ARG: &str = "STORAGE_TEST_ARG";
/// Records each concurrent writer adds.
const PER_WRITER: usize = 500;
/// Writes the killed writer must have reported done, over all its lives.
const KILL_TARGET: usize = 200;
/// The one partner whose answer files the writers share.
const PARTNER: &str = "p0shared0000";

fn day(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap()
}

fn at() -> DateTime<Utc> {
    DateTime::parse_from_rfc3339("2026-03-01T12:00:00Z")
        .unwrap()
        .with_timezone(&Utc)
}

fn need(owner: &str, text: &str) -> Need {
    Need {
        version: 0,
        id: String::new(),
        owner: owner.into(),
        text: text.into(),
        category: "other".into(),
        condition: None,
        importance: Importance::Medium,
        status: Status::Open,
        plan: None,
        helper: None,
        review: None,
        private: false,
        created: day(2026, 3, 1),
        history: Vec::new(),
    }
}

fn answer(date: NaiveDate, text: String) -> Answer {
    Answer {
        date,
        prompt: "gratitude-001".into(),
        prompt_text: "What made you smile today?".into(),
        text,
        at: at(),
    }
}

/// The date concurrent writer `k` (0 or 1) uses for its `i`-th answer: both writers go round the
/// same three year files, on different days.
fn concurrent_date(k: usize, i: usize) -> NaiveDate {
    let year = 2026 + (i % 3) as i32;
    let ordinal = 1 + 2 * (i / 3) + k;
    NaiveDate::from_yo_opt(year, ordinal as u32).unwrap()
}

fn concurrent_text(k: usize, i: usize) -> String {
    format!("writer {k} answer {i}")
}

/// The date and text of the killed writer's `i`-th answer, all in one year file.
fn killed_date(i: usize) -> NaiveDate {
    day(2026, 1, 1) + Days::new(i as u64)
}

fn killed_text(i: usize) -> String {
    // Long enough that a write takes a while and a kill can land inside it.
    format!("answer {i}:{}", " so much to say".repeat(20))
}

/// The child's side of the multi-process tests.
#[test]
#[ignore = "run by the other tests in a child process"]
fn child_writer() {
    let Ok(mode) = std::env::var(CHILD) else {
        return;
    };
    let dir = PathBuf::from(std::env::var(CHILD_DIR).unwrap());
    let arg: usize = std::env::var(CHILD_ARG).unwrap().parse().unwrap();
    let store = Store::new(&dir);
    let ready_then_wait = || {
        // On a line of its own: the test harness has started one without ending it.
        println!("\nready");
        let mut go = String::new();
        std::io::stdin().read_line(&mut go).unwrap();
        assert_eq!(go.trim(), "go");
    };
    match mode.as_str() {
        "needs" => {
            ready_then_wait();
            for i in 0..PER_WRITER {
                let text = format!("writer {arg} need {i}");
                needs::add(&store, need(&format!("writer{arg}"), &text), at()).unwrap();
            }
        }
        "answers" => {
            ready_then_wait();
            for i in 0..PER_WRITER {
                let a = answer(concurrent_date(arg, i), concurrent_text(arg, i));
                prompts::save_answer(&store, PARTNER, a).unwrap();
            }
        }
        "killable" => {
            println!("\nready");
            for i in arg..365 {
                prompts::save_answer(&store, PARTNER, answer(killed_date(i), killed_text(i)))
                    .unwrap();
                println!("done {i}");
            }
        }
        "perms" => {
            // Proof for the parent that the umask really is 000 here.
            fs::File::create(dir.with_file_name("umask-probe")).unwrap();
            let p = closer_core::profile::add(&store, "alex", Vec::new(), day(2026, 3, 1)).unwrap();
            needs::add(&store, need(&p.id, "help on bad-hand mornings"), at()).unwrap();
            prompts::save_answer(&store, &p.id, answer(day(2026, 3, 1), "the garden".into()))
                .unwrap();
            drop(store.lock("").unwrap());
            store::write_atomic(&dir.join("config-like.toml"), b"version = 1\n").unwrap();
        }
        other => panic!("unknown child mode {other:?}"),
    }
}

/// Starts this test binary again as a child doing `mode`.
fn spawn_child(mode: &str, dir: &Path, arg: usize, umask_000: bool) -> Child {
    let exe = std::env::current_exe().unwrap();
    let mut cmd = if umask_000 {
        let mut c = Command::new("/bin/sh");
        c.arg("-c").arg(r#"umask 000; exec "$0" "$@""#).arg(&exe);
        c
    } else {
        Command::new(&exe)
    };
    cmd.args([
        "--exact",
        "child_writer",
        "--nocapture",
        "--include-ignored",
        "--test-threads=1",
    ])
    .env_clear()
    .env(CHILD, mode)
    .env(CHILD_DIR, dir)
    .env(CHILD_ARG, arg.to_string())
    .stdin(Stdio::piped())
    .stdout(Stdio::piped())
    .stderr(Stdio::piped())
    .spawn()
    .unwrap()
}

/// Reads the child's stdout on a thread, line by line.
fn lines_of(child: &mut Child) -> mpsc::Receiver<String> {
    let out = child.stdout.take().unwrap();
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(out).lines() {
            let Ok(line) = line else { break };
            if tx.send(line).is_err() {
                break;
            }
        }
    });
    rx
}

fn wait_ready(rx: &mpsc::Receiver<String>) {
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let left = deadline.saturating_duration_since(Instant::now());
        match rx.recv_timeout(left) {
            Ok(l) if l == "ready" => return,
            Ok(_) => {}
            Err(e) => panic!("the child never said it was ready: {e}"),
        }
    }
}

/// Waits for a child that is expected to succeed, failing with its stderr if it did not.
fn finish(child: Child, what: &str) {
    let out = child.wait_with_output().unwrap();
    assert!(
        out.status.success(),
        "{what} failed: {}\n{}",
        out.status,
        String::from_utf8_lossy(&out.stderr)
    );
}

/// Runs two writers doing `mode` at the same moment and waits for both.
fn run_two_writers(mode: &str, dir: &Path) {
    let mut kids: Vec<Child> = (0..2).map(|k| spawn_child(mode, dir, k, false)).collect();
    let rxs: Vec<_> = kids.iter_mut().map(lines_of).collect();
    rxs.iter().for_each(wait_ready);
    for k in &mut kids {
        writeln!(k.stdin.as_mut().unwrap(), "go").unwrap();
    }
    for (k, kid) in kids.into_iter().enumerate() {
        finish(kid, &format!("writer {k}"));
    }
}

/// Every file and folder below `dir`, sorted.
fn walk(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut todo = vec![dir.to_path_buf()];
    while let Some(d) = todo.pop() {
        for e in fs::read_dir(&d).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                todo.push(p.clone());
            }
            out.push(p);
        }
    }
    out.sort();
    out
}

fn name_of(p: &Path) -> &str {
    p.file_name().unwrap().to_str().unwrap()
}

/// Every record file below `dir` parses as JSON; returns how many there are.
fn assert_records_parse(dir: &Path) -> usize {
    let mut n = 0;
    for p in walk(dir).iter().filter(|p| p.is_file()) {
        if name_of(p).ends_with(".json") {
            let bytes = fs::read(p).unwrap();
            if let Err(e) = serde_json::from_slice::<serde_json::Value>(&bytes) {
                panic!("{} does not parse: {e}", p.display());
            }
            n += 1;
        }
    }
    n
}

/// Leftover temp files (a writer was killed) and lock files are all that may sit beside records.
fn assert_only_records_and_locks(dir: &Path, temp_allowed: bool) {
    for p in walk(dir).iter().filter(|p| p.is_file()) {
        let name = name_of(p);
        let ok = name.ends_with(".json")
            || name == ".lock"
            || (temp_allowed && name.starts_with(".tmp-"));
        assert!(ok, "unexpected file {}", p.display());
    }
}

#[test]
fn two_processes_adding_needs_at_once_lose_nothing() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("data");
    run_two_writers("needs", &dir);

    assert_only_records_and_locks(&dir, false);
    assert_eq!(assert_records_parse(&dir), 2 * PER_WRITER);
    let store = Store::new(&dir);
    let all = needs::load_all(&store).unwrap();
    let texts: BTreeSet<String> = all.iter().map(|n| n.text.clone()).collect();
    let expected: BTreeSet<String> = (0..2)
        .flat_map(|k| (0..PER_WRITER).map(move |i| format!("writer {k} need {i}")))
        .collect();
    assert_eq!(texts, expected);
    let ids: BTreeSet<&str> = all.iter().map(|n| n.id.as_str()).collect();
    assert_eq!(ids.len(), 2 * PER_WRITER, "two needs share an ID");
}

#[test]
fn two_processes_rewriting_the_same_answer_file_lose_nothing() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("data");
    run_two_writers("answers", &dir);

    assert_only_records_and_locks(&dir, false);
    // Three year files of one partner, each rewritten by both processes.
    assert_eq!(assert_records_parse(&dir), 3);
    let store = Store::new(&dir);
    let all = prompts::all_answers(&store, None, None).unwrap();
    let got: BTreeMap<NaiveDate, String> = all
        .into_iter()
        .map(|(who, a)| {
            assert_eq!(who, PARTNER);
            (a.date, a.text)
        })
        .collect();
    let expected: BTreeMap<NaiveDate, String> = (0..2)
        .flat_map(|k| (0..PER_WRITER).map(move |i| (concurrent_date(k, i), concurrent_text(k, i))))
        .collect();
    assert_eq!(expected.len(), 2 * PER_WRITER);
    let missing: Vec<_> = expected.keys().filter(|d| !got.contains_key(d)).collect();
    assert!(
        missing.is_empty(),
        "{} answers lost: {missing:?}",
        missing.len()
    );
    assert_eq!(got, expected);
}

/// A small random number generator, seeded from the clock; the seed is in every failure message.
struct Rng(u64);

impl Rng {
    fn new() -> Rng {
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_nanos() as u64;
        Rng((nanos ^ u64::from(std::process::id())) | 1)
    }

    fn below(&mut self, n: u64) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0 % n
    }
}

#[test]
fn a_writer_killed_at_random_moments_leaves_whole_files() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("data");
    let store = Store::new(&dir);
    let answers_dir = dir.join("answers").join(PARTNER);
    store
        .ensure_dir(&format!("answers/{PARTNER}"))
        .expect("the answers folder");
    // What a torn temp file left by an earlier crash looks like: it must never count as a record.
    fs::write(answers_dir.join(".tmp-planted"), b"{\"version\": 1, \"answ").unwrap();

    let mut rng = Rng::new();
    let seed = rng.0;
    let mut reported: BTreeSet<usize> = BTreeSet::new();
    let (mut rounds, mut killed) = (0, 0);
    while reported.len() < KILL_TARGET {
        rounds += 1;
        assert!(
            rounds <= 400,
            "seed {seed}: too many rounds for {KILL_TARGET} writes"
        );
        let start = reported.last().map_or(0, |i| i + 1);
        let mut child = spawn_child("killable", &dir, start, false);
        let rx = lines_of(&mut child);
        wait_ready(&rx);
        std::thread::sleep(Duration::from_millis(1 + rng.below(30)));
        if child.try_wait().unwrap().is_none() {
            killed += 1;
        }
        child.kill().unwrap(); // SIGKILL
        child.wait().unwrap();
        for line in rx.iter() {
            if let Some(i) = line.strip_prefix("done ") {
                reported.insert(i.parse().unwrap());
            }
        }
        // After every kill: each record file is whole, and everything reported done is there.
        assert_records_parse(&dir);
        let f: AnswerFile = store::read_file(&answers_dir.join("2026.json"))
            .unwrap_or_else(|e| panic!("seed {seed}, round {rounds}: {e}"))
            .unwrap_or(AnswerFile {
                version: 1,
                partner: PARTNER.into(),
                answers: Vec::new(),
            });
        let have: BTreeMap<NaiveDate, &str> = f
            .answers
            .iter()
            .map(|a| (a.date, a.text.as_str()))
            .collect();
        for &i in &reported {
            assert_eq!(
                have.get(&killed_date(i)).copied(),
                Some(killed_text(i).as_str()),
                "seed {seed}, round {rounds}: write {i} was reported done but is missing"
            );
        }
    }
    eprintln!("seed {seed}: {rounds} rounds, {killed} killed mid-run");
    assert!(
        killed >= 2,
        "seed {seed}: only {killed} of {rounds} rounds were killed mid-run"
    );

    assert_only_records_and_locks(&dir, true);
    assert_eq!(
        store.list(&format!("answers/{PARTNER}")).unwrap(),
        vec![answers_dir.join("2026.json")],
        "a leftover temp file was listed as a record"
    );
    let all = prompts::all_answers(&store, None, None).unwrap();
    let max = *reported.last().unwrap();
    // Writes are done in order, so the file holds 0..=max and at most one unreported write after.
    assert!(
        all.len() == max + 1 || all.len() == max + 2,
        "{} answers",
        all.len()
    );
    for (i, (who, a)) in all.iter().enumerate() {
        assert_eq!(who, PARTNER);
        assert_eq!(
            (a.date, a.text.as_str()),
            (killed_date(i), killed_text(i).as_str())
        );
    }
}

/// A need on disk, and its path.
fn one_need(store: &Store) -> (Need, PathBuf) {
    let n = needs::add(store, need("alex00000000", "ask before you help me"), at()).unwrap();
    let path = store.path(&format!("needs/{}.json", n.id));
    (n, path)
}

fn edit_text(store: &Store, id: &str, called: &mut bool) -> closer_core::Result<Need> {
    needs::change(store, id, "alex00000000", day(2026, 3, 2), at(), |n| {
        *called = true;
        n.text = "changed".into();
        Ok("edited".into())
    })
}

#[test]
fn a_file_from_a_newer_version_is_read_only() {
    let tmp = tempfile::tempdir().unwrap();
    let store = Store::new(tmp.path());
    let (n, path) = one_need(&store);
    let rel = format!("needs/{}.json", n.id);

    // Same shape, higher version; then a shape this version cannot read at all.
    let mut v: serde_json::Value = serde_json::from_slice(&fs::read(&path).unwrap()).unwrap();
    v["version"] = 2.into();
    let same_shape = serde_json::to_vec_pretty(&v).unwrap();
    v["text"] = serde_json::json!({"rich": [{"span": "ask before you help me"}]});
    let new_shape = serde_json::to_vec_pretty(&v).unwrap();

    for bytes in [same_shape, new_shape] {
        fs::write(&path, &bytes).unwrap();
        let mut called = false;
        let err = edit_text(&store, &n.id, &mut called).unwrap_err();
        assert!(matches!(err, Error::Newer { found: 2, .. }), "{err:?}");
        let msg = err.to_string();
        assert!(msg.contains("read-only") && msg.contains("newer"), "{msg}");
        assert!(msg.contains(&path.display().to_string()), "{msg}");
        assert!(
            !called,
            "the change was worked out on a file it must not touch"
        );

        let err = store
            .update::<Need, _>(&rel, |old| Ok(old.expect("the file is there")))
            .unwrap_err();
        assert!(err.to_string().contains("read-only"), "{err}");
        let err = store.write(&rel, &n).unwrap_err();
        assert!(matches!(err, Error::Newer { .. }), "{err:?}");
        let err = needs::remove(&store, &n.id).unwrap_err();
        assert!(matches!(err, Error::Newer { .. }), "{err:?}");

        assert_eq!(
            fs::read(&path).unwrap(),
            bytes,
            "the newer file was changed"
        );
    }
}

#[test]
fn a_corrupt_file_is_reported_with_its_place_and_never_overwritten() {
    let tmp = tempfile::tempdir().unwrap();
    let store = Store::new(tmp.path());
    let (n, path) = one_need(&store);
    let rel = format!("needs/{}.json", n.id);
    let good = fs::read(&path).unwrap();
    let torn = &good[..good.len() / 2];
    fs::write(&path, torn).unwrap();
    let expected = serde_json::from_slice::<serde_json::Value>(torn).unwrap_err();
    let place = format!(
        "{}:{}:{}:",
        path.display(),
        expected.line(),
        expected.column()
    );
    assert!(
        expected.line() > 1,
        "the tear should be past the first line"
    );

    let check = |err: Error, what: &str| {
        match &err {
            Error::Corrupt { line, column, .. } => {
                assert_eq!(
                    (*line, *column),
                    (expected.line(), expected.column()),
                    "{what}"
                )
            }
            other => panic!("{what}: not reported as corrupt: {other:?}"),
        }
        let msg = err.to_string();
        assert!(msg.starts_with(&place), "{what}: {msg}");
        assert_eq!(
            fs::read(&path).unwrap(),
            torn,
            "{what} changed the corrupt file"
        );
    };
    let mut called = false;
    check(
        edit_text(&store, &n.id, &mut called).unwrap_err(),
        "needs::change",
    );
    assert!(!called);
    check(
        store
            .update::<Need, _>(&rel, |_| Ok(n.clone()))
            .unwrap_err(),
        "Store::update",
    );
    check(store.write(&rel, &n).unwrap_err(), "Store::write");
    check(needs::remove(&store, &n.id).unwrap_err(), "needs::remove");
    check(needs::load_all(&store).unwrap_err(), "needs::load_all");

    // An answer file torn the same way is left alone by the next answer.
    let a = answer(day(2026, 3, 1), "first".into());
    prompts::save_answer(&store, "sam000000000", a).unwrap();
    let apath = store.path("answers/sam000000000/2026.json");
    let agood = fs::read(&apath).unwrap();
    let atorn = &agood[..agood.len() - 3];
    fs::write(&apath, atorn).unwrap();
    let err = prompts::save_answer(&store, "sam000000000", answer(day(2026, 3, 2), "x".into()))
        .unwrap_err();
    assert!(matches!(err, Error::Corrupt { .. }), "{err:?}");
    assert!(
        err.to_string()
            .starts_with(&format!("{}:", apath.display()))
    );
    assert_eq!(fs::read(&apath).unwrap(), atorn);
}

fn mode_of(p: &Path) -> u32 {
    fs::symlink_metadata(p).unwrap().permissions().mode() & 0o777
}

#[test]
fn everything_is_private_even_with_umask_000() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("data");
    let child = spawn_child("perms", &dir, 0, true);
    finish(child, "the writer under umask 000");

    // The child's own plain file shows that the umask really was 000 there.
    assert_eq!(
        format!("{:o}", mode_of(&tmp.path().join("umask-probe"))),
        "666"
    );
    let all = walk(&dir);
    let names: BTreeSet<&str> = all.iter().map(|p| name_of(p)).collect();
    for expected in [
        "couple.json",
        "partners",
        "needs",
        "answers",
        "2026.json",
        ".lock",
        "config-like.toml",
    ] {
        assert!(
            names.contains(expected),
            "{expected} was not written: {names:?}"
        );
    }
    assert_eq!(format!("{:o}", mode_of(&dir)), "700", "the data folder");
    for p in &all {
        let want = if p.is_dir() { "700" } else { "600" };
        assert_eq!(format!("{:o}", mode_of(p)), want, "{}", p.display());
    }
}

#[test]
fn a_data_folder_whose_parents_are_missing_is_created() {
    // A fresh account: no ~/.local/share yet.
    let tmp = tempfile::tempdir().unwrap();
    let home = tmp.path().join("home");
    let dir = home.join(".local").join("share").join("closer");
    let store = Store::new(&dir);
    let n = needs::add(&store, need("alex00000000", "a first need"), at()).unwrap();
    assert!(dir.join("needs").join(format!("{}.json", n.id)).is_file());
    for p in [home.join(".local"), home.join(".local").join("share"), dir] {
        assert_eq!(format!("{:o}", mode_of(&p)), "700", "{}", p.display());
    }
}

#[test]
fn shown_prefixes_are_unique_and_an_ambiguous_prefix_is_refused() {
    let twins = ["k7m2qa000000", "k7m2qazzzzzz"];
    // A need of alex's, and a private need of sam's that shares its first six characters.
    let (shared, hidden) = ("w9x8y7000000", "w9x8y7zzzzzz");
    let mut all: Vec<Need> = (0..300)
        .map(|i| {
            let mut n = need(
                if i % 2 == 0 { "alex" } else { "sam" },
                &format!("need {i}"),
            );
            n.id = new_id();
            n.private = i % 7 == 0;
            n
        })
        .filter(|n| !n.id.starts_with("k7m2") && !n.id.starts_with("w9x8"))
        .collect();
    for (id, owner, private) in [
        (twins[0], "alex", false),
        (twins[1], "sam", false),
        (shared, "alex", false),
        (hidden, "sam", true),
    ] {
        let mut n = need(owner, &format!("hand-made {id}"));
        n.id = id.into();
        n.private = private;
        all.push(n);
    }

    for viewer in ["alex", "sam"] {
        let shown = needs::visible(all.clone(), Some(viewer));
        let expected = all
            .iter()
            .filter(|n| !n.private || n.owner == viewer)
            .count();
        assert_eq!(shown.len(), expected, "{viewer}");
        let ids: Vec<&str> = shown.iter().map(|(_, n)| n.id.as_str()).collect();
        for (short, n) in &shown {
            assert!(
                short.len() >= MIN_PREFIX && short.len() <= ID_LEN,
                "{short}"
            );
            assert!(n.id.starts_with(short.as_str()));
            let hits = ids.iter().filter(|i| i.starts_with(short.as_str())).count();
            assert_eq!(hits, 1, "{viewer}: the prefix {short} is not unique");
            assert!(n.visible_to(Some(viewer)));
        }
        let short_of = |id: &str| {
            shown
                .iter()
                .find(|(_, n)| n.id == id)
                .map(|(s, _)| s.as_str())
        };
        assert_eq!(short_of(twins[0]), Some("k7m2qa0"));
        assert_eq!(short_of(twins[1]), Some("k7m2qaz"));
        // Alex's view does not give away that sam has a hidden need with a similar ID.
        let (want_shared, want_hidden) = match viewer {
            "alex" => (Some("w9x8"), None),
            _ => (Some("w9x8y70"), Some("w9x8y7z")),
        };
        assert_eq!(short_of(shared), want_shared, "{viewer}");
        assert_eq!(short_of(hidden), want_hidden, "{viewer}");
    }

    // On disk, finding by prefix refuses an ambiguous one and names the candidates.
    let tmp = tempfile::tempdir().unwrap();
    let store = Store::new(tmp.path());
    let _lock = store.lock(needs::DIR).unwrap();
    for n in all
        .iter()
        .filter(|n| n.text.starts_with("hand-made"))
        .chain(all.iter().take(40))
    {
        let mut n = n.clone();
        n.version = 1;
        store.write(&format!("needs/{}.json", n.id), &n).unwrap();
    }
    let err = needs::find(&store, "k7m2qa", Some("alex")).unwrap_err();
    let msg = err.to_string();
    assert!(matches!(err, Error::Invalid(_)), "{err:?}");
    assert!(msg.contains("k7m2qa0") && msg.contains("k7m2qaz"), "{msg}");
    assert!(msg.contains("type more of the ID"), "{msg}");
    assert_eq!(
        needs::find(&store, "K7M2QAZ", Some("alex")).unwrap().id,
        twins[1]
    );
    assert_eq!(
        needs::find(&store, "w9x8", Some("alex")).unwrap().id,
        shared
    );
    assert!(needs::find(&store, "w9x8", Some("sam")).is_err());
    assert!(matches!(
        needs::find(&store, hidden, Some("alex")),
        Err(Error::NotFound(_))
    ));
    assert_eq!(needs::find(&store, hidden, Some("sam")).unwrap().id, hidden);
}
