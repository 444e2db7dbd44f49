//! A low-energy day said once, on one device, and honoured on the other: two config folders (one
//! per device, each saying whose it is) and one shared data folder.

use super::*;
use std::path::Path;
use support::{PROMPT, TOUCH};

fn field(out: &str, key: &str) -> Value {
    json(out)[key].clone()
}

fn prompt_id(d: &Device, extra: &[&str]) -> Value {
    let mut args = vec!["--json"];
    args.extend(extra);
    field(&d.ok(PROMPT, &args), "id")
}

#[test]
fn a_low_energy_day_said_on_one_device_is_gentle_on_both() {
    let sb = Sandbox::new();
    let (alex, sam) = (device(&sb, "alex"), device(&sb, "sam"));
    alex.ok(
        TOUCH,
        &["couple", "add", "Alex", "--condition", "arthritis"],
    );
    alex.ok(TOUCH, &["couple", "add", "Sam"]);
    share_keys(&alex, &sam);
    alex.ok(TOUCH, &["couple", "me", "Alex"]);
    sam.ok(TOUCH, &["couple", "me", "Sam"]);
    for d in [&alex, &sam] {
        d.ok(TOUCH, &["boundary", "s0-sit-close", "yes"]);
    }
    // Each device holds only its own partner's key: the plan is settled in turns.
    for _ in 0..2 {
        for d in [&alex, &sam] {
            d.ok(TOUCH, &["today"]);
        }
    }
    let normal = prompt_id(&sam, &[]);
    let low = prompt_id(&sam, &["--energy", "low"]);
    assert_ne!(
        normal, low,
        "this couple's day needs another prompt when gentle"
    );
    assert_eq!(
        field(&sam.ok(TOUCH, &["today", "--json"]), "energy"),
        "normal"
    );

    // Alex says it once, on Alex's device, for three days.
    let said = alex.run(
        PROMPT,
        &["couple", "energy", "low", "--until", "2026-03-04"],
    );
    said.ok();
    assert!(said.stderr.contains("2026-03-04"), "{}", said.stderr);

    for day in ["2026-03-02", "2026-03-03", "2026-03-04"] {
        sb.set_today(day);
        let low_today = prompt_id(&sam, &["--energy", "low"]);
        for d in [&alex, &sam] {
            assert_eq!(prompt_id(d, &[]), low_today, "{day}: the gentle prompt");
            let today = d.ok(TOUCH, &["today", "--json"]);
            assert_eq!(field(&today, "energy"), "low", "{day}: {today}");
        }
        let plain = sam.ok(TOUCH, &["today"]);
        assert!(plain.contains("A gentle day"), "{plain}");
        // Cron on Sam's device: no --as, no --energy, the same gentle prompt.
        let cron = sam.ok(PROMPT, &[]);
        assert_eq!(
            cron.trim(),
            field(&sam.ok(PROMPT, &["--json"]), "text")
                .as_str()
                .unwrap()
        );
    }

    // Sam sees that it is a gentle day, and nothing about whose or why.
    sb.set_today("2026-03-03");
    let seen = sam.run(TOUCH, &["couple", "energy"]);
    assert_eq!(seen.ok(), "Today is a gentle day.\n");
    assert_eq!(seen.stderr, "");
    let mine = alex.ok(TOUCH, &["couple", "energy"]);
    assert!(
        mine.contains("You said") && mine.contains("2026-03-04"),
        "{mine}"
    );
    // It is kept in Alex's own file, and in no file Sam writes.
    let files: Vec<String> = support::tree(&sb.data())
        .keys()
        .filter(|k| k.starts_with("energy/") && k.ends_with(".age"))
        .cloned()
        .collect();
    assert_eq!(files.len(), 1, "{files:?}");

    // The day after the span, both devices are back to the usual prompt and step.
    sb.set_today("2026-03-05");
    for d in [&alex, &sam] {
        assert_eq!(
            field(&d.ok(TOUCH, &["today", "--json"]), "energy"),
            "normal"
        );
        assert_eq!(prompt_id(d, &[]), prompt_id(d, &["--energy", "normal"]));
    }
    assert_eq!(
        sam.ok(TOUCH, &["couple", "energy"]),
        "Today is an ordinary day.\n"
    );

    // Said again and ended early by Alex: ordinary again at once, on both devices.
    alex.ok(
        PROMPT,
        &["couple", "energy", "low", "--until", "2026-03-08"],
    );
    assert_eq!(field(&sam.ok(TOUCH, &["today", "--json"]), "energy"), "low");
    alex.ok(PROMPT, &["couple", "energy", "normal"]);
    assert_eq!(
        field(&sam.ok(TOUCH, &["today", "--json"]), "energy"),
        "normal"
    );
    assert!(Path::new(&sb.data()).is_dir());
}
