//! Two processes writing at the same moment lose nothing: new needs, and one answer file both
//! rewrite.

use super::*;
use children::run_two_writers;
use closer_core::needs;
use closer_core::prompts;
use closer_core::store::Store;
use std::collections::{BTreeMap, BTreeSet};

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
