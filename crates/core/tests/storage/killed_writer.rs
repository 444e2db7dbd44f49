//! A writer killed at random moments leaves whole files, and everything it reported done.

use super::*;
use children::{lines_of, spawn_child, wait_ready};
use closer_core::prompts::{self, AnswerFile};
use closer_core::store::{self, Store};
use std::collections::{BTreeMap, BTreeSet};
use std::time::Duration;

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
    // It names no writer, and is an hour old: old enough to be dead.
    fs::write(answers_dir.join(".tmp-planted"), b"{\"version\": 1, \"answ").unwrap();
    fs::File::options()
        .write(true)
        .open(answers_dir.join(".tmp-planted"))
        .and_then(|f| f.set_modified(std::time::SystemTime::now() - Duration::from_secs(3600)))
        .unwrap();

    let mut rng = Rng::new();
    let seed = rng.0;
    let mut reported: BTreeSet<usize> = BTreeSet::new();
    let (mut rounds, mut killed) = (0, 0);
    // How long a writer runs before it is killed, at most; it grows while rounds make no
    // progress, so a slow or busy machine still gets through.
    let mut window = 30;
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
        std::thread::sleep(Duration::from_millis(1 + rng.below(window)));
        if child.try_wait().unwrap().is_none() {
            killed += 1;
        }
        child.kill().unwrap(); // SIGKILL
        child.wait().unwrap();
        let before = reported.len();
        for line in rx.iter() {
            if let Some(i) = line.strip_prefix("done ") {
                reported.insert(i.parse().unwrap());
            }
        }
        if reported.len() == before {
            window = (window * 2).min(5_000);
        }
        // After every kill: each record file is whole, and everything reported done is there.
        assert_records_parse(&dir);
        let f: AnswerFile = store::read_file(&answers_dir.join("2026.json"))
            .unwrap_or_else(|e| panic!("seed {seed}, round {rounds}: {e}"))
            .unwrap_or_else(|| AnswerFile::new(&id(PARTNER)));
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

    // The next write, under the folder's lock, removes what the killed writers left behind.
    prompts::save_answer(
        &store,
        &id(PARTNER),
        answer(day(2027, 1, 1), "after".into()),
    )
    .unwrap();
    let left: Vec<PathBuf> = walk(&dir)
        .into_iter()
        .filter(|p| name_of(p).starts_with(".tmp-"))
        .collect();
    assert!(left.is_empty(), "seed {seed}: temp files left: {left:?}");
}
