//! `today`: the other partner's body map respected, and the short variant on a low-energy day.

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

    let json: Value = serde_json::from_str(&tp(&sb, &["today", "--json", "--as", "Sam"])).unwrap();
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
