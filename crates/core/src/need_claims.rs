//! Who said what inside a shared need, each part signed by the partner who said it: the owner's
//! own words (text, privacy, whether it is closed), each partner's acceptance of a plan, each
//! line of history. Either partner writes a shared need, so the file's own signature vouches only
//! for what its signer says; what it says in the other partner's name is believed only with that
//! partner's own signature inside it. This holds on a device that sees the need for the first
//! time.
//!
//! On disk the signatures lead the sealed need as one field, `"signed"`, put in front of the
//! record's own bytes and taken off again when it is opened, so the record reads (and decrypts)
//! exactly as it was written.

use crate::crypto::{Keys, PublicKeys, hex, unhex};
use serde_json::{Map, Value, json};

const MAGIC: &str = "closer-need-claim-v1";
const FIELD: &str = "signed";

/// Where a claim's signature sits in the `signed` field.
#[derive(Debug, Clone, PartialEq)]
enum Slot {
    Owner,
    /// A partner's acceptance of the agreed plan.
    Plan(String),
    /// A partner's acceptance of the plan on the table.
    Proposal(String),
    History(usize),
}

/// Something the need says in one partner's name: who, what exactly, and where it is signed.
struct Claim {
    by: String,
    message: Vec<u8>,
    slot: Slot,
}

fn message(id: &Value, kind: &str, what: Value) -> Vec<u8> {
    let mut m = format!("{MAGIC}\0{}\0{kind}\0", id.as_str().unwrap_or("")).into_bytes();
    m.extend(serde_json::to_vec(&what).unwrap_or_default());
    m
}

/// A plan as each partner accepts it: the plan, who helps and when to look at it again.
fn plan_message(id: &Value, plan: &Value, helper: &Value, review: &Value) -> Vec<u8> {
    message(id, "plan", json!([plan, helper, review]))
}

/// Every claim in `need`, in the name of the partners `partners` (the couple: an agreed plan
/// is every partner's).
fn claims(need: &Value, partners: &[&str]) -> Vec<Claim> {
    let f = |k: &str| need.get(k).cloned().unwrap_or(Value::Null);
    let id = f("id");
    let status = f("status");
    let closed = matches!(status.as_str(), Some("met" | "retired"));
    let mut v = vec![Claim {
        by: f("owner").as_str().unwrap_or("").to_owned(),
        message: message(
            &id,
            "owner",
            json!([
                f("owner"),
                f("text"),
                f("category"),
                f("condition"),
                f("importance"),
                f("private").as_bool().unwrap_or(false),
                f("created"),
                closed
            ]),
        ),
        slot: Slot::Owner,
    }];
    if status.as_str() == Some("agreed") {
        let m = plan_message(&id, &f("plan"), &f("helper"), &f("review"));
        v.extend(partners.iter().map(|p| Claim {
            by: (*p).to_owned(),
            message: m.clone(),
            slot: Slot::Plan((*p).to_owned()),
        }));
    }
    if let Some(p) = need.get("proposal").filter(|p| !p.is_null()) {
        let g = |k: &str| p.get(k).cloned().unwrap_or(Value::Null);
        let m = plan_message(&id, &g("plan"), &g("helper"), &g("review"));
        for a in p
            .get("accepted")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            let a = a.as_str().unwrap_or("").to_owned();
            v.push(Claim {
                by: a.clone(),
                message: m.clone(),
                slot: Slot::Proposal(a),
            });
        }
    }
    for (i, c) in f("history").as_array().into_iter().flatten().enumerate() {
        let g = |k: &str| c.get(k).cloned().unwrap_or(Value::Null);
        v.push(Claim {
            by: g("by").as_str().unwrap_or("").to_owned(),
            message: message(
                &id,
                "history",
                json!([g("date"), g("at"), g("by"), g("what")]),
            ),
            slot: Slot::History(i),
        });
    }
    v
}

/// The signature kept for `slot` in `signed`, if any.
fn signature(signed: &Value, slot: &Slot) -> Option<[u8; 64]> {
    let s = match slot {
        Slot::Owner => signed.get("owner"),
        Slot::Plan(p) => signed.get("plan")?.get(p),
        Slot::Proposal(p) => signed.get("proposal")?.get(p),
        Slot::History(i) => signed.get("history")?.get(i),
    }?;
    unhex::<64>(s.as_str()?)
}

/// The signature of `c` in `signed` that checks out, if any. An acceptance signed while the
/// plan was on the table still holds once it is agreed, and the other way round.
fn verified(
    signed: &Value,
    c: &Claim,
    keys_of: &impl Fn(&str) -> Option<PublicKeys>,
) -> Option<[u8; 64]> {
    let k = keys_of(&c.by)?;
    let alt = match &c.slot {
        Slot::Plan(p) => Slot::Proposal(p.clone()),
        Slot::Proposal(p) => Slot::Plan(p.clone()),
        s => s.clone(),
    };
    [&c.slot, &alt]
        .into_iter()
        .filter_map(|s| signature(signed, s))
        .find(|s| k.verifies(&c.message, s))
}

/// The signatures leading a sealed need, and the need's own bytes without them.
pub(crate) fn split(body: &[u8]) -> (Value, Vec<u8>) {
    let body = crate::store::without_bom(body);
    let Ok(Value::Object(mut need)) = serde_json::from_slice::<Value>(body) else {
        return (Value::Null, body.to_vec());
    };
    let Some(signed) = need.remove(FIELD) else {
        return (Value::Null, body.to_vec());
    };
    let lead = format!("{{\"{FIELD}\":{signed},");
    let rest = match body.strip_prefix(lead.as_bytes()) {
        Some(rest) => [b"{".as_slice(), rest].concat(),
        // Put elsewhere by hand: the record without it, in closer's own form.
        None => {
            let mut b = serde_json::to_vec_pretty(&Value::Object(need)).unwrap_or_default();
            b.push(b'\n');
            b
        }
    };
    (signed, rest)
}

/// Why the need `body` (without its signatures, `signed`), sealed as a whole by `signer`, is not
/// to be believed: something it says in another partner's name that they did not sign. `None`:
/// it holds (or is no need closer reads, which reading it says).
pub fn doubt(
    signed: &Value,
    body: &[u8],
    signer: &str,
    partners: &[&str],
    keys_of: impl Fn(&str) -> Option<PublicKeys>,
) -> Option<String> {
    let need: Value = serde_json::from_slice(crate::store::without_bom(body)).ok()?;
    claims(&need, partners)
        .into_iter()
        .find(|c| c.by != signer && verified(signed, c, &keys_of).is_none())
        .map(|c| {
            let what = match c.slot {
                Slot::Owner => "the need's own words, which only its owner changes",
                Slot::Plan(_) => "an agreement on a plan",
                Slot::Proposal(_) => "an acceptance of a plan",
                Slot::History(_) => "a line of its history",
            };
            format!("{what}, in the name of {}, who did not sign it", c.by)
        })
}

/// The signatures for the need `body`: those in `before` (the last version opened) that still
/// check out, and new ones for what it says in the name of a partner whose keys are in `held`.
pub fn sign(
    before: &Value,
    body: &[u8],
    held: &[(&str, &Keys)],
    partners: &[&str],
    keys_of: impl Fn(&str) -> Option<PublicKeys>,
) -> Value {
    let Ok(need) = serde_json::from_slice::<Value>(crate::store::without_bom(body)) else {
        return Value::Null;
    };
    let mut signed = Map::new();
    let (mut plan, mut proposal, mut history) = (Map::new(), Map::new(), Vec::new());
    for c in claims(&need, partners) {
        let mine = held.iter().find(|(p, _)| *p == c.by).map(|(_, k)| *k);
        let Some(sig) = verified(before, &c, &keys_of).or_else(|| Some(mine?.sign(&c.message)))
        else {
            continue;
        };
        let sig = Value::String(hex(&sig));
        match c.slot {
            Slot::Owner => {
                signed.insert("owner".into(), sig);
            }
            Slot::Plan(p) => {
                plan.insert(p, sig);
            }
            Slot::Proposal(p) => {
                proposal.insert(p, sig);
            }
            Slot::History(i) => {
                history.resize(history.len().max(i + 1), Value::Null);
                history[i] = sig;
            }
        }
    }
    for (k, m) in [("plan", plan), ("proposal", proposal)] {
        if !m.is_empty() {
            signed.insert(k.into(), Value::Object(m));
        }
    }
    if !history.is_empty() {
        signed.insert("history".into(), Value::Array(history));
    }
    Value::Object(signed)
}

/// `body` with `signed` leading it, as it is sealed.
pub(crate) fn join(signed: &Value, body: &[u8]) -> Vec<u8> {
    let body = crate::store::without_bom(body);
    match body.iter().position(|b| !b.is_ascii_whitespace()) {
        Some(i) if body[i] == b'{' && !signed.is_null() => {
            let rest = &body[i + 1..];
            let comma = if rest.iter().find(|b| !b.is_ascii_whitespace()) == Some(&b'}') {
                ""
            } else {
                ","
            };
            [format!("{{\"{FIELD}\":{signed}{comma}").as_bytes(), rest].concat()
        }
        _ => body.to_vec(),
    }
}

#[cfg(test)]
mod tests {
    use crate::need_rules::{self, Helper};
    use crate::needs::{self, Importance, Need, Status};
    use crate::profile::{Couple, Partner};
    use crate::test_devices::{A, B, Devices, devices};
    use chrono::{DateTime, NaiveDate, Utc};
    use serde_json::{Value, json};

    fn day(d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 3, d).unwrap()
    }

    fn now() -> DateTime<Utc> {
        DateTime::from_timestamp(1_772_409_600, 0).unwrap()
    }

    fn couple() -> Couple {
        let p = |id: &str, n: &str| Partner {
            extra: Default::default(),
            version: 1,
            id: id.parse().unwrap(),
            name: n.into(),
            conditions: vec![],
            sexual: false,
            added: day(1),
        };
        Couple {
            seed: 1,
            partners: vec![p(A, "Alex"), p(B, "Sam")],
            ..Default::default()
        }
    }

    /// Alex names a need on Alex's device; Sam proposes a plan for it on Sam's.
    fn alexs_need_with_sams_plan(d: &Devices) -> Need {
        d.alex.ensure_dir(needs::DIR).unwrap();
        let n = Need::open(
            &A.parse().unwrap(),
            "help with buttons on bad-hand mornings".into(),
            "practical".into(),
            None,
            Importance::High,
            false,
            day(1),
        );
        let n = needs::add(&d.alex, n, now()).unwrap();
        needs::change(&d.sam, &n.id, &B.parse().unwrap(), day(2), now(), |n| {
            need_rules::propose(
                n,
                B,
                "Sam always asks first",
                Some(Helper::Partner(B.into())),
                None,
                &couple(),
                day(2),
            )
            .map(|(_, note)| note)
        })
        .unwrap();
        n
    }

    /// The need as Sam's device opens it, changed by `f`, sealed again signed by Sam.
    fn forged_by_sam(d: &Devices, n: &Need, f: impl FnOnce(&mut Value)) {
        let rel = needs::path(&n.id);
        let mut v: Value =
            serde_json::from_slice(&d.sam.read_bytes(&rel).unwrap().unwrap()).unwrap();
        f(&mut v);
        let body = serde_json::to_vec_pretty(&v).unwrap();
        d.forge(&d.kb, B, &format!("{}/{}", needs::DIR, n.id), &body);
    }

    /// What Alex's device shows of the need, and what it reported.
    fn on_alexs_device(d: &Devices, n: &Need) -> (Option<Need>, Vec<String>) {
        let all = needs::load_all(&d.alex).unwrap();
        (
            all.into_iter().find(|x| x.id == n.id),
            d.alex.take_left_out(),
        )
    }

    #[test]
    fn an_acceptance_forged_in_the_other_partners_name_is_reported_not_believed() {
        let d = devices();
        let n = alexs_need_with_sams_plan(&d);
        forged_by_sam(&d, &n, |v| {
            let o = v.as_object_mut().unwrap();
            o.remove("proposal");
            o.insert("status".into(), json!("agreed"));
            o.insert("plan".into(), json!("Sam always asks first"));
            o.insert("helper".into(), json!(B));
            o["history"]
                .as_array_mut()
                .unwrap()
                .push(json!({"date": "2026-03-03",
                "at": "2026-03-03T10:00:00Z", "by": A,
                "what": "accepted Sam's plan: Sam always asks first (agreed)"}));
        });
        let (shown, said) = on_alexs_device(&d, &n);
        assert!(
            shown.as_ref().is_none_or(|n| n.status != Status::Agreed),
            "{shown:?}"
        );
        assert!(said.iter().any(|m| m.contains(n.id.as_str())), "{said:?}");
        // Nor on the forger's own device.
        assert!(
            needs::load_all(&d.sam)
                .unwrap()
                .iter()
                .all(|n| n.status != Status::Agreed)
        );
    }

    #[test]
    fn the_owners_words_rewritten_by_the_other_partner_are_reported_not_shown() {
        let d = devices();
        for (field, to) in [
            ("text", json!("nothing, really")),
            ("importance", json!("low")),
            ("status", json!("met")),
        ] {
            let n = alexs_need_with_sams_plan(&d);
            forged_by_sam(&d, &n, |v| v[field] = to.clone());
            let (shown, said) = on_alexs_device(&d, &n);
            assert_eq!(shown, None, "{field}");
            assert!(
                said.iter().any(|m| m.contains(n.id.as_str())),
                "{field}: {said:?}"
            );
        }
        // A line of history in Alex's name, or Alex's name added to the plan's acceptances.
        let n = alexs_need_with_sams_plan(&d);
        forged_by_sam(&d, &n, |v| {
            v["history"]
                .as_array_mut()
                .unwrap()
                .push(json!({"date": "2026-03-03",
                "at": "2026-03-03T10:00:00Z", "by": A, "what": "comment: fine by me"}));
        });
        assert_eq!(on_alexs_device(&d, &n).0, None);
        let n = alexs_need_with_sams_plan(&d);
        forged_by_sam(&d, &n, |v| {
            v["proposal"]["accepted"]
                .as_array_mut()
                .unwrap()
                .push(json!(A));
        });
        assert_eq!(on_alexs_device(&d, &n).0, None);
    }

    #[test]
    fn both_devices_believe_what_each_partner_did_on_their_own() {
        let d = devices();
        let n = alexs_need_with_sams_plan(&d);
        let sam: crate::ids::Id = B.parse().unwrap();
        let alex: crate::ids::Id = A.parse().unwrap();
        needs::change(&d.sam, &n.id, &sam, day(3), now(), |_| {
            need_rules::comment("mornings are hard for me too")
        })
        .unwrap();
        needs::change(&d.alex, &n.id, &alex, day(4), now(), |n| {
            need_rules::accept(n, A, &couple())
        })
        .unwrap();
        for device in [&d.alex, &d.sam] {
            let all = needs::load_all(device).unwrap();
            assert_eq!(device.take_left_out(), Vec::<String>::new());
            assert_eq!(all[0].status, Status::Agreed);
            assert_eq!(all[0].plan.as_deref(), Some("Sam always asks first"));
            assert_eq!(all[0].history.len(), 4);
        }
        // Later changes by either keep the agreement and the owner's words believable.
        needs::change(&d.sam, &n.id, &sam, day(5), now(), |_| {
            need_rules::comment("went well")
        })
        .unwrap();
        needs::change(&d.alex, &n.id, &alex, day(6), now(), |n| {
            n.text = "help with buttons".into();
            Ok("edited".into())
        })
        .unwrap();
        needs::change(&d.sam, &n.id, &sam, day(7), now(), |n| {
            need_rules::propose(n, B, "a new plan", None, None, &couple(), day(7))
                .map(|(_, note)| note)
        })
        .unwrap();
        let all = needs::load_all(&d.alex).unwrap();
        assert_eq!(d.alex.take_left_out(), Vec::<String>::new());
        assert_eq!(all[0].text, "help with buttons");
        assert_eq!(all[0].status, Status::Agreed);
        assert!(all[0].proposal.is_some());
    }
}
