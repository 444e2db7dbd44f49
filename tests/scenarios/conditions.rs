//! A partner's conditions change: `couple set` replaces them, `--remove-condition` takes one away
//! (someone heals), and a tag the partner does not carry is refused with what they carry.

use super::*;
use support::{NEEDS, TOUCH};

#[test]
fn a_condition_can_be_removed_when_someone_heals() {
    let sb = Sandbox::new();
    sb.ok(
        NEEDS,
        &[
            "couple",
            "add",
            "Sam",
            "--condition",
            "arthritis",
            "--condition",
            "post-surgery",
        ],
    );
    sb.ok(
        TOUCH,
        &["couple", "set", "sam", "--remove-condition", "post-surgery"],
    );
    let j = json(&sb.ok(NEEDS, &["couple", "--json"]));
    assert_eq!(
        j["partners"][0]["conditions"],
        serde_json::json!(["arthritis"])
    );

    let r = sb.run(
        NEEDS,
        &["couple", "set", "Sam", "--remove-condition", "heart"],
    );
    let line = r.error_line("needs-list");
    assert!(
        line.contains("Sam has no condition \"heart\"") && line.contains("arthritis"),
        "{line}"
    );

    sb.ok(
        NEEDS,
        &[
            "couple",
            "set",
            "Sam",
            "--condition",
            "fatigue",
            "--condition",
            "heart",
        ],
    );
    let j = json(&sb.ok(NEEDS, &["couple", "--json"]));
    assert_eq!(
        j["partners"][0]["conditions"],
        serde_json::json!(["fatigue", "heart"])
    );

    let r = sb.run(
        NEEDS,
        &[
            "couple",
            "set",
            "Sam",
            "--remove-condition",
            "heart",
            "--condition",
            "stroke",
        ],
    );
    assert_eq!(r.code, 2, "{r:?}");
    let r = sb.run(NEEDS, &["couple", "set", "Sam"]);
    assert_eq!(r.code, 2, "{r:?}");
}
