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
//!
//! A need sealed by an older closer carries no signatures inside. On a device's first run with
//! this closer ([`tend`]) the device of each partner it names signs what the need says in that
//! partner's name, once; what it says in the name of the partner who sealed it stays believed
//! through that partner's own seal, kept inside as `"legacy"` (the old record and the signature
//! of its seal) until their device signs it too. After that first run an unsigned part is never
//! taken on again.

use crate::crypto::{Keys, PublicKeys, hex, seal, unhex};
use serde_json::{Map, Value, json};

const MAGIC: &str = "closer-need-claim-v1";
const FIELD: &str = "signed";
/// The seal of a need from an older closer, kept while what it vouches for is still needed.
const LEGACY: &str = "legacy";

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

/// The signatures kept for `slot` in `signed`: a line of history's own first, then those of
/// every other line (a history merged from two versions orders its lines anew, and a line's
/// signature says which line it is).
fn signatures<'a>(signed: &'a Value, slot: &Slot) -> impl Iterator<Item = [u8; 64]> + 'a {
    let (first, rest): (Option<&Value>, &[Value]) = match slot {
        Slot::Owner => (signed.get("owner"), &[]),
        Slot::Plan(p) => (signed.get("plan").and_then(|m| m.get(p)), &[]),
        Slot::Proposal(p) => (signed.get("proposal").and_then(|m| m.get(p)), &[]),
        Slot::History(i) => {
            let all = signed
                .get("history")
                .and_then(Value::as_array)
                .map_or(&[][..], Vec::as_slice);
            (all.get(*i), all)
        }
    };
    first
        .into_iter()
        .chain(rest)
        .filter_map(|s| unhex::<64>(s.as_str()?))
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
        Slot::Plan(p) => Some(Slot::Proposal(p.clone())),
        Slot::Proposal(p) => Some(Slot::Plan(p.clone())),
        _ => None,
    };
    signatures(signed, &c.slot)
        .chain(alt.iter().flat_map(|a| signatures(signed, a)))
        .find(|s| k.verifies(&c.message, s))
}

/// Whether the seal an older closer put on this need (kept in `signed` as `"legacy"`) vouches
/// for `c`: sealed at `place` by the partner `c` names, and saying the very same there.
fn vouched(
    signed: &Value,
    place: &str,
    c: &Claim,
    partners: &[&str],
    keys_of: &impl Fn(&str) -> Option<PublicKeys>,
) -> bool {
    let Some(l) = signed.get(LEGACY) else {
        return false;
    };
    let text = |k: &str| l.get(k).and_then(Value::as_str);
    let (Some(by), Some(sig), Some(body)) = (text("signer"), text("sig"), text("body")) else {
        return false;
    };
    let (Some(sig), Some(k)) = (unhex::<64>(sig), keys_of(by)) else {
        return false;
    };
    if by != c.by || !k.verifies(&seal::signed_message(place, by, 0, body.as_bytes()), &sig) {
        return false;
    }
    serde_json::from_str::<Value>(body).is_ok_and(|old| {
        claims(&old, partners)
            .iter()
            .any(|o| o.by == c.by && o.message == c.message)
    })
}

/// What an older closer's seal on a need vouches for, to keep inside it (see [`vouched`]).
pub(crate) fn legacy(signer: &str, sig: &str, body: &[u8]) -> Value {
    json!({ LEGACY: { "signer": signer, "sig": sig, "body": String::from_utf8_lossy(body) } })
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

/// The partners in whose name the need `body` (without its signatures, `signed`), sealed at
/// `place` as a whole by `signer`, says something they did not sign.
pub fn unsigned_by(
    signed: &Value,
    place: &str,
    body: &[u8],
    signer: &str,
    partners: &[&str],
    keys_of: impl Fn(&str) -> Option<PublicKeys>,
) -> Vec<String> {
    let Ok(need) = serde_json::from_slice::<Value>(crate::store::without_bom(body)) else {
        return Vec::new();
    };
    let mut out: Vec<String> = unsigned(signed, place, &need, signer, partners, &keys_of)
        .map(|c| c.by)
        .collect();
    out.dedup();
    out
}

fn unsigned<'a>(
    signed: &'a Value,
    place: &'a str,
    need: &Value,
    signer: &'a str,
    partners: &'a [&str],
    keys_of: &'a impl Fn(&str) -> Option<PublicKeys>,
) -> impl Iterator<Item = Claim> + 'a {
    claims(need, partners).into_iter().filter(move |c| {
        c.by != signer
            && verified(signed, c, keys_of).is_none()
            && !vouched(signed, place, c, partners, keys_of)
    })
}

/// Why the need `body` (without its signatures, `signed`), sealed at `place` as a whole by
/// `signer`, is not to be believed: something it says in another partner's name that they did
/// not sign. `None`: it holds (or is no need closer reads, which reading it says).
pub fn doubt(
    signed: &Value,
    place: &str,
    body: &[u8],
    signer: &str,
    partners: &[&str],
    keys_of: impl Fn(&str) -> Option<PublicKeys>,
) -> Option<String> {
    let need: Value = serde_json::from_slice(crate::store::without_bom(body)).ok()?;
    unsigned(signed, place, &need, signer, partners, &keys_of)
        .next()
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

/// The signatures for the need `body` at `place`: those in `before` (every version of it opened:
/// two when `couple doctor` merges them) that still check out, matched to its claims by what
/// they say, new ones for what it says in the name of a partner whose keys are in
/// `held`, and the seal of an older closer while it still vouches for something.
pub fn sign(
    before: &[Value],
    place: &str,
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
    let mut keep_legacy = false;
    for c in claims(&need, partners) {
        let mine = held.iter().find(|(p, _)| *p == c.by).map(|(_, k)| *k);
        let sig = before.iter().find_map(|b| verified(b, &c, &keys_of));
        let Some(sig) = sig.or_else(|| Some(mine?.sign(&c.message))) else {
            keep_legacy |= before
                .iter()
                .any(|b| vouched(b, place, &c, partners, &keys_of));
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
    if keep_legacy && let Some(l) = before.iter().find_map(|b| b.get(LEGACY)) {
        signed.insert(LEGACY.into(), l.clone());
    }
    Value::Object(signed)
}

/// On a device's first run with this closer, with [`crate::sealing::Sealing::adopt_old`] on:
/// every need an older closer sealed whose unsigned parts are in the name of partners whose keys
/// this device holds is sealed again, carrying their signatures now (and the old seal, for what
/// it says in the other partner's name). Returns how many.
pub fn tend(store: &crate::store::Store) -> crate::error::Result<usize> {
    let Some(s) = store.sealing() else {
        return Ok(0);
    };
    let mut n = 0;
    for path in store.list(crate::needs::DIR)? {
        let Some(place) = store.sealed_place(&path) else {
            continue;
        };
        let rel = format!("{place}.json");
        s.take_adopted(&place);
        if store.read_bytes(&rel)?.is_some() && s.take_adopted(&place) {
            store.reseal(&rel)?;
            s.take_adopted(&place);
            n += 1;
        }
    }
    Ok(n)
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
            removed_conditions: Vec::new(),
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

    /// A need as the previous closer sealed it: no signatures inside, sealed as a whole by
    /// `keys` naming `signer`.
    fn sealed_the_old_way(d: &Devices, n: &Need, keys: &crate::crypto::Keys, signer: &str) {
        let rel = needs::path(&n.id);
        let body = d.sam.read_bytes(&rel).unwrap().unwrap();
        assert!(!String::from_utf8_lossy(&body).contains("\"signed\""));
        d.forge(keys, signer, &format!("{}/{}", needs::DIR, n.id), &body);
    }

    fn first_run(store: &crate::store::Store) -> usize {
        store.change_sealing(|s| s.adopt_old(true));
        let n = super::tend(store).unwrap();
        store.change_sealing(|s| s.adopt_old(false));
        n
    }

    #[test]
    fn a_need_from_the_previous_closer_is_signed_by_each_owners_device_and_believed_on_both() {
        let d = devices();
        let n = alexs_need_with_sams_plan(&d);
        // Last written by Sam's device with the previous closer: Alex's words are in it,
        // unsigned by Alex.
        sealed_the_old_way(&d, &n, &d.kb, B);
        // Sam's device has nothing of its own to sign; Alex's device signs Alex's parts once.
        assert_eq!(first_run(&d.sam), 0);
        let said = d.sam.take_left_out();
        assert!(said.iter().any(|m| m.contains(n.id.as_str())), "{said:?}");
        assert_eq!(first_run(&d.alex), 1);
        for device in [&d.alex, &d.sam] {
            let all = needs::load_all(device).unwrap();
            assert_eq!(device.take_left_out(), Vec::<String>::new());
            assert_eq!(all.len(), 1);
            assert_eq!(all[0].text, "help with buttons on bad-hand mornings");
            assert!(
                all[0].proposal.is_some(),
                "Sam's plan, vouched by Sam's old seal"
            );
        }
        // Sam's next change signs Sam's parts; the old seal is no longer kept.
        let sam: crate::ids::Id = B.parse().unwrap();
        needs::change(&d.sam, &n.id, &sam, day(3), now(), |_| {
            need_rules::comment("mornings are hard for me too")
        })
        .unwrap();
        let file = d.alex.root().join(format!("{}/{}.age", needs::DIR, n.id));
        let opened = d.alex.sealing().unwrap().open(
            &format!("{}/{}", needs::DIR, n.id),
            &std::fs::read(&file).unwrap(),
        );
        assert!(opened.is_ok());
        for device in [&d.alex, &d.sam] {
            let all = needs::load_all(device).unwrap();
            assert_eq!(device.take_left_out(), Vec::<String>::new());
            assert_eq!(all[0].history.len(), 3);
        }

        // Last written by Alex's device the old way: Sam's device signs Sam's parts.
        let m = alexs_need_with_sams_plan(&d);
        sealed_the_old_way(&d, &m, &d.ka, A);
        assert_eq!(first_run(&d.alex), 0);
        d.alex.take_left_out();
        assert_eq!(first_run(&d.sam), 1);
        for device in [&d.alex, &d.sam] {
            let all = needs::load_all(device).unwrap();
            assert_eq!(device.take_left_out(), Vec::<String>::new());
            assert!(all.iter().any(|x| x.id == m.id && x.proposal.is_some()));
        }
    }

    #[test]
    fn after_the_first_run_an_unsigned_part_is_never_taken_on() {
        let d = devices();
        let n = alexs_need_with_sams_plan(&d);
        // Sam writes, the old way, an acceptance in Alex's name.
        let rel = needs::path(&n.id);
        let mut v: Value =
            serde_json::from_slice(&d.sam.read_bytes(&rel).unwrap().unwrap()).unwrap();
        v["proposal"]["accepted"]
            .as_array_mut()
            .unwrap()
            .push(json!(A));
        let body = serde_json::to_vec_pretty(&v).unwrap();
        d.forge(&d.kb, B, &format!("{}/{}", needs::DIR, n.id), &body);
        // Alex's device is past its first run: not believed, reported, nothing signed.
        assert_eq!(super::tend(&d.alex).unwrap(), 0);
        let (shown, said) = on_alexs_device(&d, &n);
        assert_eq!(shown, None);
        assert!(said.iter().any(|m| m.contains(n.id.as_str())), "{said:?}");
    }
}
