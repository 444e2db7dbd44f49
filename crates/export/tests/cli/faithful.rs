//! What notes apps and spreadsheets get is what was recorded: CSV with a byte order mark and one
//! row per debrief with its privacy, Joplin notes with the moments the records were written, and
//! `--since`/`--by` that keep a session and its debriefs together.

use super::*;

const BOM: char = '\u{feff}';

#[test]
fn touch_csv_has_a_bom_and_one_row_per_debrief_with_its_privacy() {
    let sb = couple_with_history();
    let text = export(&sb, &["--format", "csv", "--only", "touch", "--as", "Alex"]);
    let body = text.strip_prefix(BOM).expect("a byte order mark first");
    let mut rdr = csv::Reader::from_reader(body.as_bytes());
    let header = rdr.headers().unwrap().clone();
    let col = |name: &str| header.iter().position(|h| h == name).unwrap();
    let rows: Vec<csv::StringRecord> = rdr.records().map(Result::unwrap).collect();
    // The first session has three debriefs Alex may see (one private, Alex's own), the second one.
    assert_eq!(rows.len(), 4, "{text}");
    let private = rows
        .iter()
        .find(|r| &r[col("noticed")] == PRIVATE_DEBRIEF)
        .expect("Alex's own private debrief");
    assert_eq!(&private[col("debrief_private")], "true");
    assert_eq!(&private[col("debrief_by")], "Alex");
    let back = rows
        .iter()
        .find(|r| r[col("too_much")].contains("my back"))
        .expect("Sam's too-much debrief has a row of its own");
    assert_eq!(&back[col("debrief_by")], "Sam");
    assert_eq!(&back[col("debrief_private")], "false");

    let sams = export(&sb, &["--format", "csv", "--only", "touch", "--as", "Sam"]);
    assert!(!sams.contains(PRIVATE_DEBRIEF));
    let plain = export(
        &sb,
        &[
            "--format", "csv", "--only", "needs", "--no-bom", "--as", "Sam",
        ],
    );
    assert!(plain.starts_with("id,"), "{plain}");
}

#[test]
fn since_and_by_keep_a_session_and_its_debriefs_together() {
    let sb = couple_with_history();
    let texts = |doc: &Value, key: &str, field: &str| -> Vec<String> {
        doc["touch"][key]
            .as_array()
            .unwrap()
            .iter()
            .filter_map(|x| x[field].as_str().map(str::to_owned))
            .collect()
    };
    // Alex's debrief of the first session was written a day after the session.
    let later = json(&sb, &["--as", "Alex", "--since", "2026-03-03"]);
    let noticed = texts(&later, "debriefs", "noticed");
    assert!(
        noticed.contains(&"it was easier than I feared".to_owned()),
        "{later:#}"
    );
    let debriefed: Vec<String> = later["touch"]["debriefs"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["session"].as_str().unwrap().to_owned())
        .collect();
    let sessions = texts(&later, "sessions", "id");
    for s in &debriefed {
        assert!(
            sessions.contains(s),
            "a debrief without its session: {later:#}"
        );
    }
    // Sam debriefed the session Alex logged.
    let sams = json(&sb, &["--as", "Sam", "--by", "Sam"]);
    assert!(
        texts(&sams, "debriefs", "noticed").contains(&"warm hands".to_owned()),
        "{sams:#}"
    );
    assert_eq!(sams["touch"]["sessions"].as_array().unwrap().len(), 2);
}

#[test]
fn joplin_notes_carry_the_moments_their_records_were_written() {
    let sb = couple_with_history();
    let dir = sb.path("joplin");
    export(
        &sb,
        &[
            "--to-dir",
            dir.to_str().unwrap(),
            "--layout",
            "joplin",
            "--as",
            "Alex",
        ],
    );
    let doc = json(&sb, &["--as", "Alex"]);
    let need = doc["needs"]
        .as_array()
        .unwrap()
        .iter()
        .find(|n| n["text"].as_str().unwrap().starts_with("Help with buttons"))
        .unwrap();
    let history = need["history"].as_array().unwrap();
    let at = |c: &Value| {
        chrono::DateTime::parse_from_rfc3339(c["at"].as_str().unwrap())
            .unwrap()
            .to_utc()
    };
    let note =
        std::fs::read_to_string(dir.join(format!("needs/{}.md", need["id"].as_str().unwrap())))
            .unwrap();
    let field = |name: &str| {
        let line = note
            .lines()
            .find(|l| l.starts_with(&format!("{name}: ")))
            .unwrap_or_else(|| panic!("no {name} in\n{note}"));
        chrono::DateTime::parse_from_rfc3339(&line[name.len() + 2..])
            .unwrap_or_else(|e| panic!("{line}: {e}"))
            .to_utc()
    };
    let millis = |t: chrono::DateTime<chrono::Utc>| t.timestamp_millis();
    assert_eq!(millis(field("created")), millis(at(&history[0])), "{note}");
    assert_eq!(
        millis(field("updated")),
        millis(at(history.last().unwrap())),
        "{note}"
    );
    assert_ne!(field("created"), field("updated"), "{note}");
}
