//! Fields a newer closer adds at the same format version survive an older closer's rewrite.

use super::*;
use closer_core::store::Store;
use closer_core::{needs, prompts, touch};
use serde_json::{Value, json};

fn read_json(p: &Path) -> Value {
    serde_json::from_slice(&fs::read(p).unwrap()).unwrap()
}

fn write_json(p: &Path, v: &Value) {
    fs::write(p, serde_json::to_vec_pretty(v).unwrap()).unwrap();
}

#[test]
fn a_need_keeps_a_field_it_does_not_know_after_an_update() {
    let tmp = tempfile::tempdir().unwrap();
    let store = Store::new(tmp.path());
    let n = needs::add(&store, need("alex00000000", "a need"), at()).unwrap();
    let path = tmp.path().join(format!("needs/{}.json", n.id));
    let mut v = read_json(&path);
    v["mood"] = json!({"scale": 3});
    v["history"][0]["where"] = json!("kitchen");
    write_json(&path, &v);
    needs::change(
        &store,
        &n.id,
        &id("alex00000000"),
        day(2026, 3, 2),
        at(),
        |n| {
            n.text = "changed".into();
            Ok("edited".into())
        },
    )
    .unwrap();
    let after = read_json(&path);
    assert_eq!(after["text"], "changed");
    assert_eq!(after["mood"], json!({"scale": 3}));
    assert_eq!(after["history"][0]["where"], "kitchen");
}

#[test]
fn list_files_and_their_items_keep_fields_they_do_not_know() {
    let tmp = tempfile::tempdir().unwrap();
    let store = Store::new(tmp.path());
    let p = &id("alex00000000");
    prompts::save_answer(&store, p, answer(day(2026, 3, 1), "one".into())).unwrap();
    let path = tmp.path().join(format!("answers/{p}/2026.json"));
    let mut v = read_json(&path);
    v["device"] = json!("phone");
    v["answers"][0]["voice"] = json!(true);
    write_json(&path, &v);
    prompts::save_answer(&store, p, answer(day(2026, 3, 2), "two".into())).unwrap();
    let after = read_json(&path);
    assert_eq!(after["device"], "phone");
    assert_eq!(after["answers"][0]["voice"], true);
    assert_eq!(after["answers"][1]["text"], "two");

    // A readiness event (its kind is flattened in too) keeps its own unknown field.
    touch::update_state(&store, p, |s| {
        s.events.push(touch::Event {
            date: day(2026, 3, 1),
            at: at(),
            kind: touch::EventKind::Ready {
                step: "sit-close".into(),
            },
            extra: Default::default(),
        });
        Ok(())
    })
    .unwrap();
    let path = tmp.path().join(format!("touch/{p}/state.json"));
    let mut v = read_json(&path);
    v["events"][0]["felt"] = json!("calm");
    write_json(&path, &v);
    touch::update_state(&store, p, |s| {
        s.events.push(touch::Event {
            date: day(2026, 3, 2),
            at: at(),
            kind: touch::EventKind::Back,
            extra: Default::default(),
        });
        Ok(())
    })
    .unwrap();
    let s = touch::update_state(&store, p, |_| Ok(())).unwrap();
    assert_eq!(s.events[1].kind, touch::EventKind::Back);
    assert!(s.events[1].extra.is_empty(), "{:?}", s.events[1].extra);
    assert!(matches!(&s.events[0].kind, touch::EventKind::Ready { step } if step == "sit-close"));
    let after = read_json(&path);
    assert_eq!(after["events"][0]["felt"], "calm");
    assert_eq!(after["events"][0]["kind"], "ready");
    assert_eq!(after["events"][0].as_object().unwrap().len(), 5, "{after}");
}
