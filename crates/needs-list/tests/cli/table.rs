//! The table a person sees on a terminal, at two widths: long needs wrap inside their column and
//! the table never runs past the edge.

use super::*;

#[test]
fn the_needs_table_fits_the_terminal() {
    let sb = Sandbox::new();
    sb.couple_in(&sb.data());
    // One need each: rows within one table have no order to pin (same day, random IDs).
    let buttons = sb.add_in(
        &sb.data(),
        "alex",
        "Help with buttons on stiff mornings",
        &[],
    );
    sb.ok(&[
        "agree",
        &buttons,
        "--plan",
        "Sam does the buttons before work, and the zip on the blue coat",
        "--helper",
        "sam",
        "--review",
        "2026-04-01",
        "--as",
        "alex",
    ]);
    sb.ok(&["accept", &buttons, "--as", "sam"]);
    sb.add_in(
        &sb.data(),
        "sam",
        "An evening a week when nobody talks about the illness",
        &["--private"],
    );
    let needs: Value = serde_json::from_str(&sb.ok(&["--json", "--as", "sam"])).unwrap();
    for width in [60u16, 100] {
        let mut seen = sb.on_terminal_at(width, NEEDS, &["--as", "sam"]);
        // Random IDs, each replaced by its owner's initial, padded to the same length.
        for n in needs.as_array().unwrap() {
            let short = n["short_id"].as_str().unwrap();
            let owner = &n["owner"].as_str().unwrap()[..1];
            let mark = format!("{owner:#<0$}", short.len());
            seen = seen.replace(short, &mark);
        }
        assert!(
            seen.lines()
                .all(|l| l.chars().count() <= usize::from(width)),
            "wider than {width}:\n{seen}"
        );
        insta::assert_snapshot!(format!("needs_table_{width}"), seen);
    }
}
