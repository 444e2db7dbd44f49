//! A refused command changes nothing: run `--as` a partner whose key this device does not hold,
//! it stops before taking any turn of the joint exchanges or writing anything.

use super::*;
use support::{NEEDS, TOUCH, tree};

#[test]
fn a_command_refused_for_want_of_the_partners_key_takes_no_turn() {
    let sb = Sandbox::new();
    let (alex, sam) = two_devices(&sb);
    // Sam's opt-in is new to Alex's device: its next run would take a turn of the exchange.
    alex.ok(NEEDS, &["couple", "opt-in", "sexual"]);
    sam.ok(NEEDS, &["couple", "opt-in", "sexual"]);
    let before = tree(&sb.data());
    for args in [
        &["boundary", "s0-hold-hands", "yes", "--as", "Sam"][..],
        &["mine", "--as", "Sam"],
        &["show", "--as", "Sam"],
    ] {
        let r = alex.run(TOUCH, args);
        assert_eq!(r.code, 1, "{args:?}: {r:?}");
        assert!(r.stderr.contains("does not hold Sam's key"), "{r:?}");
        let now = tree(&sb.data());
        let changed: Vec<&String> = now
            .iter()
            .filter(|(k, v)| before.get(*k) != Some(*v))
            .map(|(k, _)| k)
            .chain(before.keys().filter(|k| !now.contains_key(*k)))
            .collect();
        assert!(changed.is_empty(), "{args:?} changed {changed:?}");
    }
    // Run as Alex, the turn is taken as before.
    alex.ok(TOUCH, &["show"]);
    assert!(tree(&sb.data()) != before, "Alex's own run takes its turn");
}
