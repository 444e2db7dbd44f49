//! Nobody goes first, in exports too: before answering (or passing), a partner's export says only
//! that the other answered; each answer is filed under the prompt it answers.

use super::*;

const FORMATS: [&str; 5] = ["markdown", "json", "jrnl", "org", "csv"];

fn alexs_exports(sb: &Sandbox, data: &std::path::Path) -> Vec<String> {
    FORMATS
        .iter()
        .map(|f| {
            let mut args = vec!["--format", f, "--as", "Alex"];
            if *f == "csv" {
                args.extend(["--only", "prompts"]);
            }
            sb.run_in(data, EXPORT, &args).ok().to_owned()
        })
        .collect()
}

#[test]
fn an_export_before_answering_reads_the_same_whatever_the_other_answered() {
    let sb = Sandbox::new();
    let [one, two, passed, none] = ["one", "two", "passed", "none"].map(|d| sb.path(d));
    sb.run_in(&none, PROMPT, &["couple", "add", "Alex"]).ok();
    sb.run_in(&none, PROMPT, &["couple", "add", "Sam"]).ok();
    for d in [&one, &two, &passed] {
        support::copy_dir(&none, d);
    }
    sb.run_in(&one, PROMPT, &["answer", "the lake at dawn", "--as", "Sam"])
        .ok();
    sb.run_in(
        &two,
        PROMPT,
        &["answer", "a secret about my father", "--as", "Sam"],
    )
    .ok();
    sb.run_in(&passed, PROMPT, &["answer", "--pass", "--as", "Sam"])
        .ok();
    let a = alexs_exports(&sb, &one);
    assert_eq!(a, alexs_exports(&sb, &two), "what Sam wrote shows through");
    assert_eq!(
        alexs_exports(&sb, &passed),
        alexs_exports(&sb, &none),
        "a pass looks like no answer"
    );
    for (f, x) in FORMATS.iter().zip(&a) {
        assert!(!x.contains("the lake"), "{f}: {x}");
        assert!(x.contains("answered"), "{f} says Sam answered: {x}");
    }
    // Once Alex has answered, Sam's answer is there.
    sb.run_in(&one, PROMPT, &["answer", "rain", "--as", "Alex"])
        .ok();
    for (f, x) in FORMATS.iter().zip(alexs_exports(&sb, &one)) {
        assert!(x.contains("the lake at dawn"), "{f}: {x}");
    }
}

#[test]
fn each_answer_is_filed_under_its_own_prompt_in_every_export() {
    let sb = Sandbox::new();
    sb.ok(PROMPT, &["couple", "add", "Alex"]);
    sb.ok(PROMPT, &["couple", "add", "Sam"]);
    let today: Value = serde_json::from_str(&sb.ok(PROMPT, &["--json"])).unwrap();
    let skipped: Value = serde_json::from_str(&sb.ok(PROMPT, &["--json", "--skip"])).unwrap();
    sb.ok(
        PROMPT,
        &["answer", "to the other one", "--skip", "--as", "Alex"],
    );
    sb.ok(PROMPT, &["answer", "to the day's one", "--as", "Sam"]);
    let jrnl = export(&sb, &["--format", "jrnl", "--as", "Sam"]);
    let org = export(&sb, &["--format", "org", "--as", "Sam"]);
    for (f, out) in [("jrnl", &jrnl), ("org", &org)] {
        let at = |s: &str| {
            out.find(s)
                .unwrap_or_else(|| panic!("{f} lacks {s:?}:\n{out}"))
        };
        let (t, k) = (
            today["text"].as_str().unwrap(),
            skipped["text"].as_str().unwrap(),
        );
        let (first, second) = if at(t) < at(k) { (t, k) } else { (k, t) };
        let (a_first, a_second) = if first == t {
            ("to the day's one", "to the other one")
        } else {
            ("to the other one", "to the day's one")
        };
        assert!(
            at(first) < at(a_first) && at(a_first) < at(second),
            "{f}:\n{out}"
        );
        assert!(at(second) < at(a_second), "{f}:\n{out}");
    }
}
