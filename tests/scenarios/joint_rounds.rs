//! Two devices, each holding only its own partner's key: the touch plan comes from the joint
//! rounds, never from the other partner's answers, and says when it waits for the other device.

use super::*;
use support::{NEEDS, TOUCH};

const WAITING: &str = "Waiting for the other device";

#[test]
fn a_device_with_only_its_own_key_builds_the_plan_through_the_rounds_and_says_when_it_waits() {
    let sb = Sandbox::new();
    let (alex, sam) = two_devices(&sb);
    alex.ok(TOUCH, &["boundary", "s0-sit-close", "yes"]);
    let first = alex.ok(TOUCH, &["today"]);
    assert!(first.contains(WAITING), "{first}");
    sam.ok(TOUCH, &["boundary", "s0-sit-close", "yes"]);
    // Each device takes its turn whenever it runs.
    for _ in 0..2 {
        sam.ok(TOUCH, &["today"]);
        alex.ok(TOUCH, &["today"]);
    }
    for (who, d) in [("Alex", &alex), ("Sam", &sam)] {
        let today = d.ok(TOUCH, &["today"]);
        assert!(
            today.contains("s0-sit-close") && !today.contains(WAITING),
            "{who}: {today}"
        );
        let glance = d.ok(NEEDS, &["couple", "today"]);
        assert!(
            glance.contains("s0-sit-close") && !glance.contains(WAITING),
            "{who}: {glance}"
        );
    }

    // Alex's device never reads Sam's answers: with Sam's touch state gone from the folder, the
    // plan stands as the rounds left it.
    let alex_id = json(alex.run(NEEDS, &["couple", "--json"]).ok())["partners"][0]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let states: Vec<_> = std::fs::read_dir(sb.data().join("touch"))
        .unwrap()
        .flatten()
        .map(|e| e.path().join("state.age"))
        .filter(|p| p.exists())
        .collect();
    assert_eq!(states.len(), 2);
    for p in states
        .iter()
        .filter(|p| !p.to_string_lossy().contains(&alex_id))
    {
        std::fs::remove_file(p).unwrap();
    }
    let today = alex.ok(TOUCH, &["today"]);
    assert!(today.contains("s0-sit-close"), "{today}");

    // Sam says no: once both devices had their turn, the step is out on both (and both are
    // told it was in for a while: Sam's device kept Sam's yes it trusted, deleted or not).
    sam.ok(TOUCH, &["boundary", "s0-sit-close", "no"]);
    let in_plan = |today: &str| {
        today
            .lines()
            .any(|l| l.contains("s0-sit-close") && !l.contains("For a while"))
    };
    let sams_today = sam.ok(TOUCH, &["today"]);
    assert!(
        !in_plan(&sams_today),
        "at once on Sam's own device: {sams_today}"
    );
    for _ in 0..2 {
        alex.ok(TOUCH, &["today"]);
        sam.ok(TOUCH, &["today"]);
    }
    let today = alex.ok(TOUCH, &["today"]);
    assert!(!in_plan(&today), "{today}");
}

#[test]
fn both_ready_on_their_own_devices_moves_the_plan_on_for_both() {
    let sb = Sandbox::new();
    let (alex, sam) = two_devices(&sb);
    let turns = || {
        for _ in 0..3 {
            alex.ok(TOUCH, &["today"]);
            sam.ok(TOUCH, &["today"]);
        }
    };
    for d in [&alex, &sam] {
        for step in ["s0-sit-close", "s0-hold-hands"] {
            d.ok(TOUCH, &["boundary", step, "yes"]);
        }
    }
    turns();
    let first_line = |d: &Device| {
        d.ok(TOUCH, &["today"])
            .lines()
            .next()
            .unwrap_or("")
            .to_owned()
    };
    assert!(first_line(&alex).contains("s0-sit-close"));
    alex.ok(TOUCH, &["ready"]);
    turns();
    assert!(
        first_line(&sam).contains("s0-sit-close"),
        "one ready is not enough"
    );
    sam.ok(TOUCH, &["ready"]);
    turns();
    for d in [&alex, &sam] {
        let line = first_line(d);
        assert!(line.contains("s0-hold-hands"), "{line}");
    }
}
