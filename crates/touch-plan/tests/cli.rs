//! touch-plan from the outside: what one partner can never learn about the other (a "no", a
//! "ready"), the pace of the slower partner, medical-clearance holds, consent for sexual steps,
//! body maps, low-energy days, where to find help, bad input and the help text.
//!
//! Every run is sealed: a temp HOME and data folder, no inherited environment, a pinned date,
//! no colour and a fixed width.

#[path = "../../../tests/support/mod.rs"]
mod support;

use closer_core::content::Library;
use serde_json::Value;
use std::path::Path;
use support::{Run, Sandbox, TOUCH, copy_dir, tree};

/// The first steps of the ladder, all in stage 0 but the last.
const BREATHE: &str = "s0-breathe-together";
const SIT: &str = "s0-sit-close";
const HANDS: &str = "s0-hold-hands";
const HUG: &str = "s1-short-hug";

fn tp(sb: &Sandbox, args: &[&str]) -> String {
    sb.ok(TOUCH, args)
}

fn run(sb: &Sandbox, args: &[&str]) -> Run {
    sb.run(TOUCH, args)
}

/// Alex (arthritis) and Sam (recovering from surgery), neither opted in to sexual content.
fn couple(sb: &Sandbox) {
    tp(sb, &["couple", "add", "Alex", "--condition", "arthritis"]);
    tp(sb, &["couple", "add", "Sam", "--condition", "post-surgery"]);
}

fn both_say(sb: &Sandbox, answer: &str, steps: &[&str]) {
    for s in steps {
        for who in ["Alex", "Sam"] {
            tp(sb, &["boundary", s, answer, "--as", who]);
        }
    }
}

/// A couple with breathe, sit-close and a short hug in their plan.
fn started() -> Sandbox {
    let sb = Sandbox::new();
    couple(&sb);
    both_say(&sb, "yes", &[BREATHE, SIT, HUG]);
    sb
}

fn show_json(sb: &Sandbox, who: &str) -> Value {
    serde_json::from_str(&tp(sb, &["show", "--json", "--as", who])).unwrap()
}

/// The current step's ID, as `show --json` says.
fn current(sb: &Sandbox) -> Option<String> {
    show_json(sb, "Sam")["current"]["id"]
        .as_str()
        .map(str::to_owned)
}

fn current_stage(sb: &Sandbox) -> u64 {
    show_json(sb, "Sam")["current"]["stage"].as_u64().unwrap()
}

fn ready(sb: &Sandbox, who: &str) -> String {
    let r = run(sb, &["ready", "--as", who]);
    r.ok();
    r.stderr
}

/// Everything Sam can look at, in `data`.
fn sams_view(sb: &Sandbox, data: &Path) -> Vec<(String, Run)> {
    let views: [&[&str]; 8] = [
        &[],
        &["show"],
        &["show", "--json"],
        &["today"],
        &["today", "--json"],
        &["today", "--energy", "low"],
        &["history"],
        &["history", "--json"],
    ];
    views
        .iter()
        .map(|v| {
            let mut args = v.to_vec();
            args.extend(["--as", "Sam"]);
            let r = sb.run_in(data, TOUCH, &args);
            r.ok();
            (v.join(" "), r)
        })
        .collect()
}

fn sexual_steps(lib: &Library) -> Vec<&'static str> {
    lib.steps
        .iter()
        .filter(|s| lib.step_is_sexual(s))
        .map(|s| s.id)
        .collect()
}

mod privacy {
    use super::*;

    /// Sam sees exactly the same whether Alex said no to a step or has not answered it.
    #[test]
    fn a_no_looks_exactly_like_no_answer_yet() {
        let sb = started();
        tp(&sb, &["boundary", HANDS, "yes", "--as", "Sam"]);
        tp(
            &sb,
            &[
                "log",
                "--minutes",
                "10",
                "--note",
                "slow start",
                "--as",
                "Alex",
            ],
        );
        tp(&sb, &["debrief", "--noticed", "warm hands", "--as", "Sam"]);
        let unanswered = sb.data();
        let said_no = sb.path("twin");
        copy_dir(&unanswered, &said_no);
        sb.run_in(&said_no, TOUCH, &["boundary", HANDS, "no", "--as", "Alex"])
            .ok();

        // The two folders really differ, and Alex can see their own answer.
        assert_ne!(tree(&unanswered), tree(&said_no));
        let alex = |d: &Path| sb.run_in(d, TOUCH, &["show", "--as", "Alex"]).stdout;
        assert_ne!(alex(&unanswered), alex(&said_no));
        assert!(alex(&said_no).contains("(you said no)"));

        let a = sams_view(&sb, &unanswered);
        let b = sams_view(&sb, &said_no);
        for ((what, x), (_, y)) in a.iter().zip(&b) {
            assert_eq!(x, y, "Sam's `{what}` tells Alex's no from no answer");
        }
        // Without anyone named, the shared view is the same too.
        let shared = |d: &Path| sb.run_in(d, TOUCH, &["show", "--json"]);
        assert_eq!(shared(&unanswered), shared(&said_no));
    }

    /// Alex marking ready changes nothing Sam can see, until Sam is ready too.
    #[test]
    fn readiness_stays_private_until_both_are_ready() {
        let sb = started();
        tp(&sb, &["log", "--minutes", "10", "--as", "Sam"]);
        let before = sams_view(&sb, &sb.data());
        let files_before = tree(&sb.data());
        let said = ready(&sb, "Alex");
        assert!(said.contains("privately"), "{said}");
        assert_ne!(
            files_before,
            tree(&sb.data()),
            "the readiness was not stored"
        );
        let after = sams_view(&sb, &sb.data());
        for ((what, x), (_, y)) in before.iter().zip(&after) {
            assert_eq!(x, y, "Sam's `{what}` shows that Alex is ready");
        }
        // And it did count: Sam's ready now moves the plan.
        ready(&sb, "Sam");
        assert_eq!(current(&sb).as_deref(), Some(SIT));
    }
}

mod pace {
    use super::*;

    #[test]
    fn the_plan_moves_only_when_both_are_ready_and_back_moves_one_step() {
        let sb = started();
        assert_eq!(current(&sb).as_deref(), Some(BREATHE));
        ready(&sb, "Alex");
        ready(&sb, "Alex");
        assert_eq!(
            current(&sb).as_deref(),
            Some(BREATHE),
            "one partner moved it"
        );
        let said = ready(&sb, "Sam");
        assert!(said.contains("both ready"), "{said}");
        assert_eq!(current(&sb).as_deref(), Some(SIT));
        ready(&sb, "Sam");
        ready(&sb, "Alex");
        assert_eq!(current(&sb).as_deref(), Some(HUG));

        // Either partner steps back, one step at a time, no reason asked.
        tp(&sb, &["back", "--as", "Alex"]);
        assert_eq!(current(&sb).as_deref(), Some(SIT));
        tp(&sb, &["back", "--as", "Sam"]);
        assert_eq!(current(&sb).as_deref(), Some(BREATHE));
        tp(&sb, &["back", "--as", "Sam"]);
        assert_eq!(
            current(&sb).as_deref(),
            Some(BREATHE),
            "there is no step before the first"
        );

        // A ready given before a step back does not count afterwards.
        ready(&sb, "Alex");
        tp(&sb, &["back", "--as", "Sam"]);
        ready(&sb, "Sam");
        assert_eq!(current(&sb).as_deref(), Some(BREATHE));
    }
}

mod holds {
    use super::*;

    #[test]
    fn a_hold_keeps_the_plan_below_its_stage_until_its_day() {
        let sb = started();
        tp(
            &sb,
            &[
                "hold",
                "--from-stage",
                "1",
                "--until",
                "2026-03-10",
                "--reason",
                "surgeon's clearance",
            ],
        );
        ready(&sb, "Alex");
        ready(&sb, "Sam");
        assert_eq!(current(&sb).as_deref(), Some(SIT));

        for day in ["2026-03-03", "2026-03-09"] {
            sb.set_today(day);
            ready(&sb, "Alex");
            ready(&sb, "Sam");
            assert_eq!(current(&sb).as_deref(), Some(SIT), "moved on {day}");
            assert_eq!(current_stage(&sb), 0);
            let today = tp(&sb, &["today", "--as", "Sam"]);
            assert!(
                today.contains(
                    "On hold: nothing from stage 1 until 2026-03-10 (surgeon's clearance)."
                ),
                "{today}"
            );
        }

        // On its day the hold lifts; readiness given while it held does not carry over.
        sb.set_today("2026-03-10");
        assert_eq!(current(&sb).as_deref(), Some(SIT));
        assert_eq!(show_json(&sb, "Sam")["holds"], serde_json::json!([]));
        ready(&sb, "Sam");
        ready(&sb, "Alex");
        assert_eq!(current(&sb).as_deref(), Some(HUG));
        assert_eq!(current_stage(&sb), 1);
    }

    #[test]
    fn a_new_hold_applies_at_once_and_release_lifts_it_at_once() {
        let sb = started();
        for _ in 0..2 {
            ready(&sb, "Alex");
            ready(&sb, "Sam");
        }
        assert_eq!(current(&sb).as_deref(), Some(HUG));
        tp(
            &sb,
            &[
                "hold",
                "--from-stage",
                "1",
                "--until",
                "2026-04-01",
                "--reason",
                "new scan",
            ],
        );
        assert_eq!(current(&sb).as_deref(), Some(SIT));
        assert_eq!(tp(&sb, &["hold"]), "1\t2026-04-01\tnew scan\n");

        sb.set_today("2026-03-05");
        tp(&sb, &["hold", "--release"]);
        assert_eq!(current(&sb).as_deref(), Some(HUG));
        assert_eq!(tp(&sb, &["hold"]), "");
        let again = run(&sb, &["hold", "--release"]);
        assert!(again.error_line("touch-plan").contains("no hold"));
    }
}

mod consent {
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
}

mod today {
    use super::*;

    #[test]
    fn a_body_map_is_respected_in_what_the_other_partner_sees() {
        let sb = started();
        tp(
            &sb,
            &[
                "body",
                "shoulders",
                "off-limits",
                "--note",
                "left shoulder: surgery",
                "--as",
                "Alex",
            ],
        );
        ready(&sb, "Alex");
        ready(&sb, "Sam");
        assert_eq!(current(&sb).as_deref(), Some(SIT));
        let lib = Library::builtin();
        assert!(lib.step(SIT).unwrap().regions.contains(&"shoulders"));

        let today = tp(&sb, &["today", "--as", "Sam"]);
        assert!(
            today.contains("- Alex: avoid the shoulders (left shoulder: surgery)."),
            "{today}"
        );
        insta::assert_snapshot!("today_with_a_body_map", today);

        let json: Value =
            serde_json::from_str(&tp(&sb, &["today", "--json", "--as", "Sam"])).unwrap();
        assert_eq!(
            json["body"],
            serde_json::json!([{
                "partner": "Alex",
                "region": "shoulders",
                "mark": "off-limits",
                "note": "left shoulder: surgery",
            }])
        );

        // A step that does not touch the shoulders says nothing about them.
        tp(&sb, &["back", "--as", "Sam"]);
        let breathe = tp(&sb, &["today", "--as", "Sam"]);
        assert!(!breathe.contains("shoulders ("), "{breathe}");
    }

    #[test]
    fn a_low_energy_day_shows_the_short_variant_and_its_minutes() {
        let sb = started();
        ready(&sb, "Alex");
        ready(&sb, "Sam");
        let lib = Library::builtin();
        let step = lib.step(SIT).unwrap();
        assert_ne!(step.minutes, step.short_minutes);

        let low = tp(&sb, &["today", "--energy", "low", "--as", "Sam"]);
        assert!(low.contains(step.short), "{low}");
        assert!(
            low.contains(&format!("about {} minutes", step.short_minutes)),
            "{low}"
        );
        assert!(
            !low.contains(step.how),
            "the full version on a low day:\n{low}"
        );
        assert!(low.contains(BREATHE), "no easier step offered:\n{low}");

        let normal = tp(&sb, &["today", "--as", "Sam"]);
        assert!(normal.contains(step.how));
        assert!(normal.contains(&format!("about {} minutes", step.minutes)));

        let json: Value = serde_json::from_str(&tp(
            &sb,
            &["today", "--energy", "low", "--json", "--as", "Sam"],
        ))
        .unwrap();
        assert_eq!(json["energy"], "low");
        assert_eq!(json["minutes"], step.short_minutes);
        assert_eq!(json["easier_step"], BREATHE);
    }
}

mod help {
    use super::*;

    fn debrief_too_much(sb: &Sandbox, who: &str) -> String {
        let r = run(sb, &["debrief", "--too-much", "--as", who]);
        r.ok();
        r.stderr
    }

    #[test]
    fn where_to_find_help_is_said_once_after_three_too_much() {
        let sb = started();
        let help = Library::builtin().help;
        assert!(help.contains("sex therapist") && help.contains("couples counsel"));
        tp(&sb, &["log", "--minutes", "5", "--as", "Alex"]);

        // Sam's and Alex's calls are counted apart.
        assert!(!debrief_too_much(&sb, "Alex").contains(help));
        for i in 1..=2 {
            let e = debrief_too_much(&sb, "Sam");
            assert!(!e.contains(help), "help after {i}");
        }
        let third = debrief_too_much(&sb, "Sam");
        assert_eq!(third.matches(help).count(), 1, "{third}");
        let fourth = debrief_too_much(&sb, "Sam");
        assert!(!fourth.contains(help), "help again on the fourth");
        assert!(fourth.contains("Debrief saved"), "{fourth}");
        // It is said on stderr only: the history shows what happened, not advice.
        assert!(!tp(&sb, &["history", "--as", "Sam"]).contains(help));
    }

    #[test]
    fn help_text() {
        let sb = Sandbox::new();
        // No data folder in the environment: clap would print it as the default.
        let out = sb
            .command_in(&sb.data(), TOUCH)
            .env_remove("CLOSER_DIR")
            .arg("--help")
            .output()
            .unwrap();
        assert!(out.status.success());
        let help = String::from_utf8(out.stdout).unwrap();
        assert!(help.contains("Exit status:"), "{help}");
        insta::assert_snapshot!("help", help);
    }
}

mod bad_input {
    use super::*;

    #[test]
    fn mistakes_are_one_line_and_change_nothing() {
        let sb = started();
        tp(&sb, &["log", "--minutes", "10", "--as", "Sam"]);
        let before = tree(&sb.data());
        let mut lines = Vec::new();
        for args in [
            &["boundary", "s0-no-such-step", "yes", "--as", "Sam"][..],
            &["log", "--step", "hug-everything", "--as", "Sam"],
            &[
                "hold",
                "--from-stage",
                "9",
                "--until",
                "2026-04-01",
                "--reason",
                "scan",
            ],
            &["log", "--minutes", "-5", "--as", "Sam"],
            &[
                "hold",
                "--from-stage",
                "1",
                "--until",
                "2026-03-01",
                "--reason",
                "past",
            ],
            &["body", "elbows", "off-limits", "--as", "Sam"],
            &["ready", "--as", "Nobody"],
        ] {
            let r = run(&sb, args);
            lines.push(format!(
                "{} -> {}",
                args.join(" "),
                r.error_line("touch-plan")
            ));
            assert_eq!(
                tree(&sb.data()),
                before,
                "`{}` changed the data",
                args.join(" ")
            );
        }
        insta::assert_snapshot!("errors", lines.join("\n"));
    }
}
