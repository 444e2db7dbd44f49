//! Nobody goes first: a partner reads the other's answer only after answering or passing;
//! answers are corrected and deleted by their author; every answer keeps the prompt it answers.

use super::*;

/// Everything alex can look at about answers, in `data`: every output mode of `history`.
fn alexs_views(s: &Sandbox, data: &Path) -> Vec<(String, Run)> {
    [
        vec!["history"],
        vec!["history", "--plain"],
        vec!["history", "--json"],
        vec!["history", "--since", TODAY, "--json"],
    ]
    .into_iter()
    .map(|mut v| {
        v.extend(["--as", "alex"]);
        (v.join(" "), s.run_in(data, &v))
    })
    .collect()
}

#[test]
fn a_partner_reads_the_others_answer_only_after_answering_or_passing() {
    let s = Sandbox::new();
    let [one, two, none, passed] = ["one", "two", "none", "passed"].map(|d| s.path(d));
    s.couple_in(&none);
    for d in [&one, &two, &passed] {
        support::copy_dir(&none, d);
    }
    s.ok_in(&one, &["answer", "the lake at dawn", "--as", "sam"]);
    s.ok_in(&two, &["answer", "a secret about my father", "--as", "sam"]);
    s.ok_in(&passed, &["answer", "--pass", "--as", "sam"]);

    let a = alexs_views(&s, &one);
    assert_eq!(a, alexs_views(&s, &two), "sam's text shows through");
    assert_eq!(
        alexs_views(&s, &passed),
        alexs_views(&s, &none),
        "a pass looks like no answer"
    );
    for (what, r) in &a {
        assert_eq!(r.code, 0, "{what}: {}", r.stderr);
        assert!(!r.stdout.contains("the lake"), "{what}: {}", r.stdout);
    }
    let json: Value = serde_json::from_str(&a[2].1.stdout).unwrap();
    assert_eq!(json[0]["partner"], "sam");
    assert_eq!(json[0]["sealed"], true);
    assert!(a[0].1.stdout.contains("answered"), "{}", a[0].1.stdout);

    // Alex answers: now alex reads sam's answer. So does a pass.
    s.ok_in(&one, &["answer", "the smell of rain", "--as", "alex"]);
    let after = s.ok_in(&one, &["history", "--plain", "--as", "alex"]);
    assert!(after.contains("the lake at dawn"), "{after}");
    s.ok_in(&two, &["answer", "--pass", "--as", "alex"]);
    let after = s.ok_in(&two, &["history", "--plain", "--as", "alex"]);
    assert!(after.contains("a secret about my father"), "{after}");
    // Nobody at the keyboard: nobody's answer is read out.
    let anon = s.ok_in(&one, &["history", "--plain"]);
    assert!(
        !anon.contains("the lake") && !anon.contains("rain"),
        "{anon}"
    );
}

#[test]
fn an_answer_is_corrected_with_its_earlier_text_kept_for_its_author_and_deleted_by_them() {
    let s = Sandbox::new();
    s.couple_in(&s.data());
    s.ok(&["answer", "first try", "--as", "alex"]);
    s.ok(&["answer", "what I meant", "--as", "alex"]);
    s.ok(&["answer", "sams", "--as", "sam"]);
    let mine: Value = serde_json::from_str(&s.ok(&["history", "--json", "--as", "alex"])).unwrap();
    let a = mine
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["partner"] == "alex")
        .unwrap();
    assert_eq!(a["answer"], "what I meant");
    assert_eq!(a["earlier"][0]["text"], "first try");
    let theirs = s.ok(&["history", "--json", "--as", "sam"]);
    assert!(!theirs.contains("first try"), "{theirs}");
    assert!(theirs.contains("what I meant"), "{theirs}");

    // Only the author deletes, their own.
    s.ok(&["answer", "--delete", "--as", "alex"]);
    let left = s.ok(&["history", "--plain", "--as", "sam"]);
    assert!(
        !left.contains("what I meant") && left.contains("sams"),
        "{left}"
    );
    let r = s.run(&["answer", "--delete", "--as", "alex"]);
    assert_eq!(r.code, 1, "{r:?}");
    assert!(r.error_line("prompt-of-the-day").contains("no answer"));
}

#[test]
fn every_answer_is_filed_under_the_prompt_it_answers() {
    let s = Sandbox::new();
    s.couple_in(&s.data());
    let today = s.prompt_json(&s.data(), day(TODAY), &[]);
    let skipped = s.prompt_json(&s.data(), day(TODAY), &["--skip"]);
    assert_ne!(today["id"], skipped["id"]);
    s.ok(&[
        "answer",
        "an answer to the other one",
        "--skip",
        "--as",
        "alex",
    ]);
    s.ok(&["answer", "an answer to the day's one", "--as", "sam"]);
    let h: Value = serde_json::from_str(&s.ok(&["history", "--json", "--as", "sam"])).unwrap();
    let by = |who: &str| {
        h.as_array()
            .unwrap()
            .iter()
            .find(|a| a["partner"] == who)
            .unwrap()
            .clone()
    };
    assert_eq!(by("alex")["prompt"], skipped["id"]);
    assert_eq!(by("alex")["prompt_text"], skipped["text"]);
    assert_eq!(by("sam")["prompt"], today["id"]);
    // An answer names its prompt outright, too.
    let other = s.prompt_json(&s.data(), day("2026-03-05"), &[]);
    s.ok(&[
        "answer",
        "by ID",
        "--prompt",
        other["id"].as_str().unwrap(),
        "--date",
        "2026-03-02",
        "--as",
        "sam",
    ]);
    let h: Value = serde_json::from_str(&s.ok(&["history", "--json", "--as", "sam"])).unwrap();
    let by_id = h
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["answer"] == "by ID")
        .unwrap();
    assert_eq!(by_id["prompt"], other["id"]);
}
