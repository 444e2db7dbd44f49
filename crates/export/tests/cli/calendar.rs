//! `--format ics` read by Python's icalendar: all-day events for review dates and hold ends,
//! with stable UIDs, and text that keeps its commas, semicolons and line breaks.

use super::*;

/// Reads an .ics file with Python's icalendar and prints each event as JSON.
const READ: &str = r#"
import icalendar, json, sys
cal = icalendar.Calendar.from_ical(open(sys.argv[1], "rb").read())
for e in cal.walk("VEVENT"):
    print(json.dumps({
        "uid": str(e["UID"]),
        "start": e.decoded("DTSTART").isoformat(),
        "end": e.decoded("DTEND").isoformat(),
        "summary": str(e["SUMMARY"]),
        "description": str(e.get("DESCRIPTION", "")),
        "sequence": int(e.get("SEQUENCE", 0)),
        "status": str(e.get("STATUS", "")),
    }))
"#;

fn read_events(sb: &Sandbox, ics: &str) -> Option<Vec<Value>> {
    let python = support::on_path("python3")?;
    let file = sb.path("closer.ics");
    std::fs::write(&file, ics).unwrap();
    let out = std::process::Command::new(python)
        .args(["-c", READ])
        .arg(&file)
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    if stderr.contains("No module named 'icalendar'") {
        assert!(
            std::env::var("CI").as_deref() != Ok("true"),
            "Python's icalendar is missing, and CI must run this test: pip install icalendar"
        );
        println!("note: Python's icalendar is not installed; skipping the calendar test");
        return None;
    }
    assert!(
        out.status.success(),
        "icalendar refused it: {stderr}\n{ics}"
    );
    Some(
        String::from_utf8(out.stdout)
            .unwrap()
            .lines()
            .map(|l| serde_json::from_str(l).unwrap())
            .collect(),
    )
}

#[test]
fn review_dates_and_hold_ends_are_all_day_events_with_stable_uids() {
    let sb = couple_with_history();
    let plan = "Sam, on weekdays; Alex on weekends\nand a note, with commas \\ backslash";
    let need = sb.ok(NEEDS, &["add", "Rest after the infusion", "--as", "Sam"]);
    sb.ok(
        NEEDS,
        &[
            "agree",
            need.trim(),
            "--plan",
            plan,
            "--review-in",
            "14d",
            "--as",
            "Sam",
        ],
    );
    sb.ok(NEEDS, &["accept", need.trim(), "--as", "Alex"]);
    let ics = export(&sb, &["--format", "ics", "--as", "Sam"]);
    assert!(
        ics.lines().all(|l| l.len() <= 76),
        "a line longer than 75 octets"
    );
    assert!(
        ics.split("\r\n").all(|l| !l.contains('\n')),
        "lines end with CRLF"
    );
    let Some(events) = read_events(&sb, &ics) else {
        return;
    };
    let doc = json(&sb, &["--as", "Sam"]);
    let reviews = doc["needs"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|n| !n["review"].is_null())
        .count();
    let holds = doc["touch"]["holds"].as_array().unwrap().len();
    assert_eq!(events.len(), reviews + holds, "{events:#?}");
    let rest = events
        .iter()
        .find(|e| {
            e["summary"]
                .as_str()
                .unwrap()
                .contains("Rest after the infusion")
        })
        .expect("the review of the new need");
    assert_eq!(rest["start"], "2026-03-18");
    assert_eq!(rest["end"], "2026-03-19");
    assert!(
        rest["description"].as_str().unwrap().contains(plan),
        "{rest}"
    );
    let hold = events
        .iter()
        .find(|e| e["uid"].as_str().unwrap().starts_with("hold-"))
        .unwrap();
    assert_eq!(hold["start"], "2026-05-01");
    assert!(
        hold["description"]
            .as_str()
            .unwrap()
            .contains("surgeon's clearance")
    );

    // The same records give the same UIDs on a later day; a change raises the sequence.
    sb.set_today("2026-03-10");
    sb.ok(
        NEEDS,
        &["comment", need.trim(), "going well", "--as", "Alex"],
    );
    let later = read_events(&sb, &export(&sb, &["--format", "ics", "--as", "Sam"])).unwrap();
    let uids = |v: &[Value]| {
        let mut u: Vec<String> = v
            .iter()
            .map(|e| e["uid"].as_str().unwrap().to_owned())
            .collect();
        u.sort();
        u
    };
    assert_eq!(uids(&events), uids(&later));
    let again = later.iter().find(|e| e["uid"] == rest["uid"]).unwrap();
    assert!(
        again["sequence"].as_i64() > rest["sequence"].as_i64(),
        "{again} {rest}"
    );
}
