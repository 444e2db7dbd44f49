//! Consent for sexual steps: they exist only while every partner has opted in, and are
//! otherwise exactly unknown steps.

use super::*;

fn assert_no_sexual_step(what: &str, text: &str) {
    let lib = Library::builtin();
    for id in sexual_steps(&lib) {
        assert!(!text.contains(id), "`{what}` shows {id}:\n{text}");
        let title = lib.step(id).unwrap().title;
        assert!(!text.contains(title), "`{what}` shows {title:?}:\n{text}");
    }
    for st in lib.stages.iter().filter(|s| s.sexual) {
        assert!(!text.contains(st.name), "`{what}` shows stage {}", st.name);
    }
}

/// Every command's view, with `--as Sam` and `--as Alex`.
fn assert_nothing_sexual_anywhere(sb: &Sandbox) {
    for who in ["Alex", "Sam"] {
        for args in [
            &["show"][..],
            &["show", "--json"],
            &["today"],
            &["today", "--json"],
            &["today", "--energy", "low"],
            &["history"],
            &["history", "--json"],
            &["rules"],
        ] {
            let mut a = args.to_vec();
            a.extend(["--as", who]);
            assert_no_sexual_step(&args.join(" "), &tp(sb, &a));
        }
    }
}

/// A sexual step is, to a couple who have not both opted in, exactly an unknown step.
fn assert_unknown(sb: &Sandbox, args: &[&str], id: &str) {
    let r = run(sb, args);
    let line = r.error_line("touch-plan").replace(id, "ID");
    let other: Vec<&str> = args
        .iter()
        .map(|a| if *a == id { "s9-no-such-step" } else { a })
        .collect();
    let r2 = run(sb, &other);
    assert_eq!(
        line,
        r2.error_line("touch-plan").replace("s9-no-such-step", "ID")
    );
    assert!(line.contains("there is no step"), "{line}");
}

#[test]
fn sexual_steps_exist_only_when_every_partner_opted_in() {
    let lib = Library::builtin();
    let sexual = sexual_steps(&lib);
    assert!(sexual.contains(&"s5-no-goal"), "{sexual:?}");
    let sb = started();
    tp(&sb, &["couple", "opt-in", "sexual", "--as", "Alex"]);
    assert_nothing_sexual_anywhere(&sb);
    assert_unknown(
        &sb,
        &["boundary", "s5-no-goal", "yes", "--as", "Alex"],
        "s5-no-goal",
    );
    assert_unknown(
        &sb,
        &["log", "--step", "s5-no-goal", "--as", "Alex"],
        "s5-no-goal",
    );
    assert!(
        run(
            &sb,
            &[
                "hold",
                "--from-stage",
                "5",
                "--until",
                "2026-04-01",
                "--reason",
                "x"
            ]
        )
        .error_line("touch-plan")
        .contains("no stage 5")
    );

    // Both in: the sexual stages appear, and the couple practise one.
    tp(&sb, &["couple", "opt-in", "sexual", "--as", "Sam"]);
    let show = tp(&sb, &["show", "--as", "Sam"]);
    for id in &sexual {
        assert!(show.contains(id), "{id} is missing once both opted in");
    }
    both_say(&sb, "yes", &["s5-no-goal"]);
    for _ in 0..3 {
        ready(&sb, "Alex");
        ready(&sb, "Sam");
    }
    assert_eq!(current(&sb).as_deref(), Some("s5-no-goal"));
    tp(
        &sb,
        &[
            "log",
            "--minutes",
            "20",
            "--note",
            "unhurried evening",
            "--as",
            "Alex",
        ],
    );
    tp(&sb, &["debrief", "--noticed", "felt close", "--as", "Sam"]);
    let history = tp(&sb, &["history", "--as", "Sam"]);
    assert!(history.contains("unhurried evening"), "{history}");
    assert!(history.contains(lib.step("s5-no-goal").unwrap().title));

    // One opts out: at once, none of it shows anywhere, and the plan is back in stage 4.
    tp(&sb, &["couple", "opt-out", "sexual", "--as", "Sam"]);
    assert_nothing_sexual_anywhere(&sb);
    for who in ["Alex", "Sam"] {
        let h = tp(&sb, &["history", "--json", "--as", who]);
        assert!(
            !h.contains("unhurried evening") && !h.contains("felt close"),
            "{h}"
        );
    }
    assert_eq!(current(&sb).as_deref(), Some(HUG));
    assert_unknown(
        &sb,
        &["boundary", "s5-no-goal", "no", "--as", "Sam"],
        "s5-no-goal",
    );
    assert_unknown(
        &sb,
        &["log", "--step", "s6-textures", "--as", "Sam"],
        "s6-textures",
    );
}
