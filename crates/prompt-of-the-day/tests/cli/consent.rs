//! Consent: sexual prompts appear only while both partners have opted in.

use super::*;

#[test]
fn sexual_prompts_need_both_partners_to_opt_in() {
    let s = Sandbox::new();
    s.couple_in(&s.data());
    s.ok(&["couple", "opt-in", "sexual", "--as", "alex"]);
    let start = day("2026-01-01");

    let one = ids_in_process(&s.data(), start, 730);
    assert!(
        one.iter().all(|(_, sexual)| !sexual),
        "a sexual prompt with only one partner opted in"
    );
    for i in (0..730).step_by(29) {
        let v = s.prompt_json(&s.data(), start + Days::new(i), &["--as", "alex"]);
        assert_eq!(v["sexual"], false);
        assert_eq!(v["id"], one[i as usize].0);
        let v = s.prompt_json(&s.data(), start + Days::new(i), &["--skip"]);
        assert_eq!(v["sexual"], false);
    }
    let r = s.run(&["--category", "desire", "--as", "alex"]);
    assert!(
        r.error_line("prompt-of-the-day")
            .contains("no prompt matches"),
        "{}",
        r.stderr
    );

    s.ok(&["couple", "opt-in", "sexual", "--as", "sam"]);
    let both = ids_in_process(&s.data(), start, 730);
    let sexual_days: Vec<usize> = (0..730).filter(|&i| both[i].1).collect();
    assert!(
        !sexual_days.is_empty(),
        "no sexual prompt in two years with both opted in"
    );
    for &i in sexual_days.iter().take(3) {
        let v = s.prompt_json(&s.data(), start + Days::new(i as u64), &[]);
        assert_eq!(
            (v["id"].as_str(), &v["sexual"]),
            (Some(both[i].0), &Value::Bool(true))
        );
    }
    let v = s.prompt_json(&s.data(), start, &["--category", "desire"]);
    assert_eq!(v["sexual"], true);

    // Either partner opting out turns them off again at once.
    s.ok(&["couple", "opt-out", "sexual", "--as", "sam"]);
    let off = ids_in_process(&s.data(), start, 730);
    assert!(off.iter().all(|(_, sexual)| !sexual));
    let i = sexual_days[0] as u64;
    assert_eq!(
        s.prompt_json(&s.data(), start + Days::new(i), &[])["sexual"],
        false
    );
}

#[test]
fn a_couple_can_leave_out_prompts_that_look_years_ahead() {
    let s = Sandbox::new();
    s.couple_in(&s.data());
    let start = day("2026-01-01");
    let lib = Library::builtin();
    let far = |ids: &[(&str, bool)]| {
        ids.iter()
            .filter(|(id, _)| {
                lib.prompts
                    .iter()
                    .any(|p| p.id == *id && p.fits("long-horizon"))
            })
            .count()
    };
    // A whole turn of the rotation includes them by default.
    assert!(far(&ids_in_process(&s.data(), start, 800)) > 0);
    s.ok(&["couple", "future-prompts", "off"]);
    let couple: serde_json::Value = serde_json::from_str(&s.ok(&["couple", "--json"])).unwrap();
    assert_eq!(couple["future_prompts"], false, "{couple}");
    assert_eq!(far(&ids_in_process(&s.data(), start, 800)), 0);
    s.ok(&["couple", "future-prompts", "on"]);
    assert!(far(&ids_in_process(&s.data(), start, 800)) > 0);
}
