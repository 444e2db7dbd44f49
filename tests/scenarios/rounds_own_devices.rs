//! The joint rounds when a partner has two devices of their own (`couple keys export` /
//! `import`): both write that partner's one publication, so a round one of them took its turn
//! in stays open whichever of them writes next, is finished by whichever sees the other's late
//! turn, and what was joint in it is told once on every device.

use super::held_back::{WHILE, quiet, sit_close};
use super::*;
use support::{NEEDS, TOUCH};

/// Alex on two devices (her key copied as `couple keys import` would), Sam on one.
fn three_devices(sb: &Sandbox) -> (Device<'_>, Device<'_>, Device<'_>) {
    let (alex, sam) = two_devices(sb);
    let laptop = device(sb, "alex-laptop");
    let id = alex.id_of("Alex");
    let file = format!("closer/keys/{id}.key");
    std::fs::create_dir_all(laptop.config.join("closer/keys")).unwrap();
    std::fs::copy(alex.config.join(&file), laptop.config.join(&file)).unwrap();
    laptop.ok(NEEDS, &["couple", "me", "Alex"]);
    (alex, laptop, sam)
}

#[test]
fn a_partner_on_two_devices_takes_turns_from_either_without_a_false_note() {
    let sb = Sandbox::new();
    let (phone, laptop, sam) = three_devices(&sb);
    let mut said = String::new();
    let mut run = |d: &Device, args: &[&str]| {
        let r = d.run(TOUCH, args);
        r.ok();
        said += &r.stderr;
    };
    run(&sam, &["boundary", "s0-sit-close", "yes"]);
    // Alex answers on one device or the other; Sam's device and both of hers run in turn.
    for (alex, answer) in [
        (&phone, "yes"),
        (&laptop, "maybe"),
        (&phone, "yes"),
        (&laptop, "no"),
        (&laptop, "yes"),
    ] {
        run(alex, &["boundary", "s0-sit-close", answer]);
        for d in [&sam, &laptop, &sam, &phone, &sam, &laptop, &phone] {
            run(d, &["show"]);
        }
    }
    for d in [&sam, &phone, &laptop, &sam, &phone, &laptop] {
        run(d, &["show"]);
    }
    assert!(quiet(&said), "{said}");
    for (who, d) in [("phone", &phone), ("laptop", &laptop), ("Sam", &sam)] {
        let (now, _, out) = sit_close(d);
        assert!(now, "{who}: {out}");
        assert!(quiet(&out), "{who}: {out}");
    }
    // In the plan, out of it (maybe, then no) and in again: each closing told once, and the
    // same on every device.
    let told: Vec<usize> = [&phone, &laptop, &sam]
        .iter()
        .map(|d| d.ok(NEEDS, &["couple", "today"]).matches(WHILE).count())
        .collect();
    assert!(told.iter().all(|n| *n == told[0]), "{told:?}");
}

#[test]
fn a_round_held_back_is_closed_by_the_partners_other_device() {
    let sb = Sandbox::new();
    let (phone, laptop, sam) = three_devices(&sb);
    // Both say yes; Alex's phone takes the turn that lets Sam's device finish the round.
    phone.ok(TOUCH, &["boundary", "s0-sit-close", "yes"]);
    phone.ok(TOUCH, &["show"]);
    sam.ok(TOUCH, &["boundary", "s0-sit-close", "yes"]);
    phone.ok(TOUCH, &["show"]);
    let alexs_round = sb
        .data()
        .join(format!("psi/plan/{}.age", phone.id_of("Alex")));

    // Sam's device moves on with the phone's turn out of sight: the round is left open.
    let aside = sb.path("aside.age");
    std::fs::rename(&alexs_round, &aside).unwrap();
    sam.ok(TOUCH, &["boundary", "s0-sit-close", "no"]);
    std::fs::rename(&aside, &alexs_round).unwrap();

    // From now on Alex uses her laptop only; the phone stays in a drawer.
    for _ in 0..3 {
        laptop.ok(TOUCH, &["show"]);
        sam.ok(TOUCH, &["show"]);
    }
    for (who, d) in [("laptop", &laptop), ("Sam", &sam)] {
        let (now, was, out) = sit_close(d);
        assert!(!now && was, "{who}: {out}");
        assert!(quiet(&out), "{who}: {out}");
    }
    // The phone, back from the drawer, says nothing false and records nothing twice.
    for _ in 0..2 {
        let (now, was, out) = sit_close(&phone);
        assert!(!now && was, "phone: {out}");
        assert!(quiet(&out), "phone: {out}");
        sam.ok(TOUCH, &["show"]);
    }
    for (who, d) in [("phone", &phone), ("laptop", &laptop), ("Sam", &sam)] {
        let today = d.ok(NEEDS, &["couple", "today"]);
        assert_eq!(today.matches(WHILE).count(), 1, "{who}: {today}");
    }
}
