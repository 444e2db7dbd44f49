//! The JSON export: lossless against the records on disk, and valid against a schema strict
//! enough to refuse anything else.

use super::*;
use closer_core::needs::{self, Need};
use closer_core::prompts::{self, Answer};
use closer_core::touch::{self, Debrief, Hold, Session, State};
use std::collections::BTreeSet;
use std::path::Path;

fn validator() -> jsonschema::Validator {
    let text = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("closer-export-2.schema.json"),
    )
    .unwrap();
    let schema: Value = serde_json::from_str(&text).expect("the schema is JSON");
    jsonschema::options()
        .should_validate_formats(true)
        .build(&schema)
        .expect("the schema is a valid JSON Schema")
}

fn assert_valid(v: &jsonschema::Validator, doc: &Value, what: &str) {
    let errors: Vec<String> = v
        .iter_errors(doc)
        .map(|e| format!("{} at {}", e, e.instance_path()))
        .collect();
    assert!(errors.is_empty(), "{what}: {errors:#?}");
}

#[test]
fn json_round_trips_to_the_records_on_disk() {
    let sb = couple_with_history();
    let store = Store::new(sb.data());
    let alex = id_of(&sb, "Alex");
    let doc = json(&sb, &["--as", "Alex"]);
    assert_eq!(doc["schema"], "closer-export/2");
    assert_eq!(doc["exported"], "2026-03-04");
    assert_eq!(doc["as"], "Alex");

    let couple = Couple::load(&store).unwrap();
    let partners: Vec<(String, String, Vec<String>, String)> = couple
        .partners
        .iter()
        .map(|p| {
            (
                p.id.to_string(),
                p.name.clone(),
                p.conditions.clone(),
                p.added.to_string(),
            )
        })
        .collect();
    let exported: Vec<(String, String, Vec<String>, String)> = doc["partners"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| {
            serde_json::from_value(serde_json::json!([
                p["id"],
                p["name"],
                p["conditions"],
                p["added"]
            ]))
            .unwrap()
        })
        .collect();
    assert_eq!(exported, partners);

    // Needs: Alex sees every need, the private one included.
    let on_disk = needs::load_all(&store).unwrap();
    assert_eq!(on_disk.len(), 3);
    let back: Vec<Need> = serde_json::from_value(doc["needs"].clone()).unwrap();
    assert_eq!(back, on_disk);

    let answers: Vec<(String, Answer)> = doc["answers"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| {
            let mut a = a.clone();
            let partner = a.as_object_mut().unwrap().remove("partner").unwrap();
            (
                partner.as_str().unwrap().to_owned(),
                serde_json::from_value(a).unwrap(),
            )
        })
        .collect();
    let on_disk = prompts::all_answers(&store, None, None).unwrap();
    assert_eq!(on_disk.len(), 4);
    // Sam's answer to a day Alex has not answered is sealed: lossless for what Alex may read.
    let readable = closer_core::answer_rules::for_viewer(on_disk, Some(&alex));
    assert_eq!(readable.iter().filter(|(_, a)| a.sealed).count(), 1);
    assert_eq!(answers, readable);

    let t = &doc["touch"];
    let mut sessions: Vec<(String, Session)> = Vec::new();
    let mut debriefs: Vec<(String, Debrief)> = Vec::new();
    for p in &couple.partners {
        let s = touch::load_sessions(&store, &p.id).unwrap();
        sessions.extend(s.sessions.into_iter().map(|x| (p.id.to_string(), x)));
        debriefs.extend(
            s.debriefs
                .into_iter()
                .filter(|d| !d.private || p.id == alex)
                .map(|x| (p.id.to_string(), x)),
        );
    }
    sessions.sort_by(|a, b| (a.1.at, &a.0).cmp(&(b.1.at, &b.0)));
    debriefs.sort_by(|a, b| (a.1.at, &a.0).cmp(&(b.1.at, &b.0)));
    let owned = |v: &Value| -> Vec<(String, Value)> {
        v.as_array()
            .unwrap()
            .iter()
            .map(|x| {
                let mut x = x.clone();
                let p = x.as_object_mut().unwrap().remove("partner").unwrap();
                (p.as_str().unwrap().to_owned(), x)
            })
            .collect()
    };
    let back: Vec<(String, Session)> = owned(&t["sessions"])
        .into_iter()
        .map(|(p, v)| (p, serde_json::from_value(v).unwrap()))
        .collect();
    assert_eq!(sessions.len(), 2);
    assert_eq!(back, sessions);
    let back: Vec<(String, Debrief)> = owned(&t["debriefs"])
        .into_iter()
        .map(|(p, v)| (p, serde_json::from_value(v).unwrap()))
        .collect();
    assert_eq!(debriefs.len(), 4);
    assert!(debriefs.iter().any(|(_, d)| d.private));
    assert_eq!(back, debriefs);

    let holds: Vec<Hold> = store.read_all(touch::HOLDS).unwrap();
    assert_eq!(holds.len(), 1);
    let back: Vec<Hold> = serde_json::from_value(t["holds"].clone()).unwrap();
    assert_eq!(back, holds);

    let mine: State = serde_json::from_value(t["mine"].clone()).unwrap();
    let state = touch::load_state(&store, &alex).unwrap();
    assert_eq!(mine, state);
    let kinds: BTreeSet<&str> = t["mine"]["events"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["kind"].as_str().unwrap())
        .collect();
    assert_eq!(kinds, BTreeSet::from(["pause", "ready", "resume"]));
    assert_eq!(
        t["in_plan"],
        serde_json::json!(["s0-breathe-together", "s0-sit-close", "s1-short-hug"])
    );
}

#[test]
fn every_json_export_matches_the_schema_and_the_schema_is_strict() {
    let v = validator();
    let sb = couple_with_history();
    for args in [
        &["--as", "Alex"][..],
        &["--as", "Sam"],
        &[],
        &["--as", "Sam", "--only", "needs"],
        &["--as", "Alex", "--redact-names", "--since", "2026-03-03"],
    ] {
        assert_valid(&v, &json(&sb, args), &format!("{args:?}"));
    }
    // Sexual content, a released hold and an empty too-much are shapes of their own.
    sb.ok(TOUCH, &["couple", "opt-in", "sexual", "--as", "Alex"]);
    sb.ok(TOUCH, &["couple", "opt-in", "sexual", "--as", "Sam"]);
    sb.ok(TOUCH, &["boundary", "s5-no-goal", "yes", "--as", "Alex"]);
    sb.ok(TOUCH, &["boundary", "s5-no-goal", "yes", "--as", "Sam"]);
    sb.ok(TOUCH, &["hold", "--release", "--as", "Alex"]);
    sb.ok(TOUCH, &["log", "--step", "s5-no-goal", "--as", "Alex"]);
    sb.ok(TOUCH, &["debrief", "--too-much", "--as", "Alex"]);
    let doc = json(&sb, &["--as", "Alex"]);
    assert_eq!(doc["sexual_content"], true);
    assert_valid(&v, &doc, "sexual content");
    // With no couple at all, and with text full of markup and escape sequences.
    assert_valid(&v, &json(&Sandbox::new(), &[]), "no couple");
    let (hostile, _) = super::inert::hostile_couple();
    assert_valid(&v, &json(&hostile, &["--as", "Sam"]), "hostile text");

    // The schema is strict: each of these breaks it.
    type Breaker = (&'static str, fn(&mut Value));
    let breakers: [Breaker; 7] = [
        ("an unknown field", |d| {
            d["needs"][0]["mood"] = "fine".into()
        }),
        ("an unknown status", |d| {
            d["needs"][0]["status"] = "done".into()
        }),
        ("an unknown importance", |d| {
            d["needs"][0]["importance"] = "urgent".into()
        }),
        ("a date in another shape", |d| {
            d["exported"] = "2026-3-4".into()
        }),
        ("an unknown boundary answer", |d| {
            d["touch"]["mine"]["boundaries"]["s0-sit-close"] = "sure".into()
        }),
        ("an unknown body mark", |d| {
            d["touch"]["mine"]["body"]["shoulders"]["mark"] = "fine".into()
        }),
        ("a missing field", |d| {
            d["touch"]["sessions"][0]
                .as_object_mut()
                .unwrap()
                .remove("minutes");
        }),
    ];
    let good = json(&sb, &["--as", "Alex"]);
    assert_valid(&v, &good, "before breaking it");
    for (what, f) in breakers {
        let mut bad = good.clone();
        f(&mut bad);
        assert!(!v.is_valid(&bad), "the schema accepts {what}");
    }
}
