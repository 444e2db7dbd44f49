//! Two devices that each set up the couple before their first sync, each device keeping only
//! its own partner's key: after `couple doctor` on one of them, the other device finds its
//! partner again, goes on with the key it holds, and both see every record of both set-ups. In
//! an encrypted folder, where neither device can read the other's set-up, doctor says so and
//! how to make one couple of the two.

use super::*;
use support::{NEEDS, PROMPT};

/// The couple set up on `d` in folder `dir`, plain, this device being `me`'s and holding
/// only `me`'s key; `me` writes a need and answers the day's prompt.
fn set_up(d: &Device, dir: &Path, me: &str, other: &str) {
    for name in [me, other] {
        d.run_in(dir, NEEDS, &["couple", "add", name]).ok();
    }
    d.run_in(dir, NEEDS, &["couple", "decrypt", "--yes", "--as", me])
        .ok();
    d.run_in(dir, NEEDS, &["couple", "me", me]).ok();
    let couple = d.run_in(dir, NEEDS, &["couple", "--json"]);
    let theirs = partner_id(couple.ok(), other);
    std::fs::remove_file(d.config.join(format!("closer/keys/{theirs}.key"))).unwrap();
    d.run_in(dir, NEEDS, &["add", &format!("{me}'s need")]).ok();
    d.run_in(dir, PROMPT, &["answer", &format!("{me} answered")])
        .ok();
}

#[test]
fn the_device_whose_partner_was_merged_away_finds_itself_and_goes_on_with_its_own_key() {
    let sb = Sandbox::new();
    let (alex, sam) = (device(&sb, "alex"), device(&sb, "sam"));
    // Alex's device set the couple up a day earlier: its partners are the ones kept.
    sb.set_today("2026-03-01");
    set_up(&alex, &sb.data(), "Alex", "Sam");
    sb.set_today("2026-03-02");
    let b = sb.path("b");
    set_up(&sam, &b, "Sam", "Alex");
    let sams_old = partner_id(&sam.run_in(&b, NEEDS, &["couple", "--json"]).stdout, "Sam");
    sync(&b, &sb.data());

    let said = alex.run(NEEDS, &["couple", "doctor"]);
    said.ok();
    assert!(
        said.stderr.contains("Sam was set up on both devices"),
        "{}",
        said.stderr
    );
    let sam_id = alex.id_of("Sam");
    assert_ne!(sam_id, sams_old, "the set-up made first is kept");

    // Sam's device: its partner's ID went; it says so, and how to go on.
    let lost = sam.run(NEEDS, &["--all", "--plain"]);
    assert!(
        lost.stderr.contains("`needs-list couple me Sam`"),
        "{}",
        lost.stderr
    );
    let went_on = sam.run(NEEDS, &["couple", "me", "Sam"]);
    went_on.ok();
    assert!(
        went_on.stderr.contains("couple keys accept Sam"),
        "{}",
        went_on.stderr
    );
    assert_eq!(sam.ok(NEEDS, &["couple", "me"]), "Sam\n");
    sam.ok(NEEDS, &["add", "Sam's need after the merge"]);

    // Alex's device is told Sam's key changed, and trusts it once Alex accepts it.
    let warned = alex.run(NEEDS, &["--all", "--plain"]);
    assert!(warned.stderr.contains("Sam"), "{}", warned.stderr);
    alex.ok(NEEDS, &["couple", "keys", "accept", "Sam"]);

    for d in [&alex, &sam] {
        let couple = json(&d.ok(NEEDS, &["couple", "--json"]));
        assert_eq!(couple["partners"].as_array().unwrap().len(), 2, "{couple}");
        let needs = json(&d.ok(NEEDS, &["--all", "--json"]));
        let mut texts: Vec<(&str, &str)> = needs
            .as_array()
            .unwrap()
            .iter()
            .map(|n| (n["owner"].as_str().unwrap(), n["text"].as_str().unwrap()))
            .collect();
        texts.sort_unstable();
        assert_eq!(
            texts,
            [
                ("Alex", "Alex's need"),
                ("Sam", "Sam's need"),
                ("Sam", "Sam's need after the merge"),
            ],
            "{needs:#}"
        );
    }
    for (d, answer) in [(&alex, "Alex answered"), (&sam, "Sam answered")] {
        let history = d.ok(PROMPT, &["history", "--plain"]);
        assert!(history.contains(answer), "{answer} missing: {history}");
    }
    let quiet = alex.run(NEEDS, &["--all", "--plain"]);
    assert_eq!(quiet.stderr, "", "nothing left to warn about");
}

#[test]
fn an_encrypted_set_up_on_each_device_is_named_with_the_way_to_one_couple() {
    let sb = Sandbox::new();
    let (alex, sam) = (device(&sb, "alex"), device(&sb, "sam"));
    let b = sb.path("b");
    for (d, dir, me, other) in [
        (&alex, sb.data(), "Alex", "Sam"),
        (&sam, b.clone(), "Sam", "Alex"),
    ] {
        for name in [me, other] {
            d.run_in(&dir, NEEDS, &["couple", "add", name]).ok();
        }
        d.run_in(&dir, NEEDS, &["couple", "me", me]).ok();
        d.run_in(&dir, NEEDS, &["add", &format!("{me}'s need")])
            .ok();
    }
    sync(&b, &sb.data());
    // The first run after the sync says, once, what this is and where to go; it never calls the
    // other set-up a third partner to take out of the couple.
    let first = alex.run(NEEDS, &["couple", "today"]);
    let hint = "before your first sync";
    assert_eq!(first.stderr.matches(hint).count(), 1, "{}", first.stderr);
    assert!(
        first.stderr.contains("`needs-list couple doctor`")
            && !first.stderr.contains("couple remove")
            && !first.stderr.contains("third partner"),
        "{}",
        first.stderr
    );
    let said = alex.run(NEEDS, &["couple", "doctor"]);
    assert!(
        said.stderr
            .contains("2 partners set up on another device before your first sync"),
        "{}",
        said.stderr
    );
    assert!(
        said.stderr
            .contains("run `needs-list couple decrypt` on both devices"),
        "{}",
        said.stderr
    );
    // Nothing of the other device's set-up was changed or lost.
    let here: Vec<Vec<u8>> = support::tree(&sb.data()).into_values().collect();
    for (file, bytes) in support::tree(&b) {
        if file.contains("lock") || file.starts_with('.') {
            continue;
        }
        assert!(here.contains(&bytes), "{file} changed or went");
    }
}
