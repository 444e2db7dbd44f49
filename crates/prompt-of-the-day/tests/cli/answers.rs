//! Answers from both partners, typed or from standard input, come back in the history.

use super::*;

#[test]
fn answers_from_both_partners_come_back_in_history() {
    let s = Sandbox::new();
    s.couple_in(&s.data());
    let today = s.prompt_json(&s.data(), day(TODAY), &[]);
    let r = s.run(&["answer", "The way you laugh at my jokes.", "--as", "alex"]);
    assert_eq!((r.code, r.stdout.as_str()), (0, ""), "{}", r.stderr);
    let r = s
        .cmd_in(&s.data(), &["answer", "-", "--as", "sam"])
        .write_stdin("That you still make me tea.\nEvery morning.\n")
        .output()
        .unwrap();
    assert_eq!(Run::from(r).code, 0);
    s.ok(&[
        "answer",
        "Yesterday's, late.",
        "--as",
        "sam",
        "--date",
        "2026-02-28",
    ]);

    let history: Value =
        serde_json::from_str(&s.ok(&["history", "--json", "--as", "sam"])).unwrap();
    let got: BTreeSet<(String, String, String, String)> = history
        .as_array()
        .unwrap()
        .iter()
        .map(|a| {
            let f = |k: &str| a[k].as_str().unwrap().to_owned();
            assert!(a["prompt_text"].as_str().is_some_and(|t| !t.is_empty()));
            (f("date"), f("partner"), f("prompt"), f("answer"))
        })
        .collect();
    let id = today["id"].as_str().unwrap().to_owned();
    let yesterday = s.prompt_json(&s.data(), day("2026-02-28"), &[])["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let own = |d: &str, p: &str, id: &str, a: &str| (d.into(), p.into(), id.into(), a.into());
    let expected: BTreeSet<_> = [
        own(TODAY, "alex", &id, "The way you laugh at my jokes."),
        own(
            TODAY,
            "sam",
            &id,
            "That you still make me tea.\nEvery morning.",
        ),
        own("2026-02-28", "sam", &yesterday, "Yesterday's, late."),
    ]
    .into();
    assert_eq!(got, expected);

    // Answering again corrects that partner's answer for the day.
    s.ok(&["answer", "Your laugh.", "--as", "alex"]);
    let since: Value =
        serde_json::from_str(&s.ok(&["history", "--json", "--since", TODAY, "--as", "sam"]))
            .unwrap();
    let answers: BTreeSet<&str> = since
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["answer"].as_str().unwrap())
        .collect();
    assert_eq!(
        answers,
        BTreeSet::from(["Your laugh.", "That you still make me tea.\nEvery morning."])
    );
}
