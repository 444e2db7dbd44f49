//! Re-keying with two devices of the accepting partner: a record either of them encrypted again
//! is believed by the signature inside, on any device that vouched for it; nothing made up is,
//! whoever seals it.

use super::*;
use crate::crypto::CryptoError;
use crate::sealing::tests::{A, B, devices};
use std::sync::Arc;

#[derive(Debug, PartialEq, Serialize, Deserialize)]
struct Raw(serde_json::Value);
impl Versioned for Raw {
    fn version(&self) -> u32 {
        1
    }
}

fn need(id: &str, text: &str) -> Raw {
    Raw(serde_json::json!({"version": 1, "id": id, "owner": A, "text": text, "private": false}))
}

fn copy(k: &Keys) -> Arc<Keys> {
    Arc::new(Keys::from_text(crate::crypto::ExposeSecret::expose_secret(&k.to_text())).unwrap())
}

#[test]
fn a_record_encrypted_again_by_another_device_is_believed_and_nothing_made_up_is() {
    let (_t, alex, sam, ka, kb) = devices();
    alex.ensure_dir("needs").unwrap();
    alex.write("needs/abcd12345678.json", &need("abcd12345678", "buttons"))
        .unwrap();
    let file = alex.root().join("needs/abcd12345678.age");
    let before = std::fs::read(&file).unwrap();
    // Alex's key is lost. Sam's phone accepts the new one and vouches for what it checked.
    let new = Keys::generate();
    let none = BTreeSet::new();
    let vouched = reencrypt_shared(
        &sam,
        &sam.sealing().unwrap(),
        (B, &kb),
        A,
        &new.public(),
        &none,
    )
    .unwrap();
    let phones = std::fs::read(&file).unwrap();
    // Sam's laptop, before it synced, encrypted the same record again: other bytes.
    let laptops = seal::reencrypt(&kb, &before, &[&kb.public(), &new.public()]).unwrap();
    assert_ne!(laptops, phones);
    // What each device of the couple believes: Sam's (either), and Alex's new one.
    let believing = |mine: &str, keys: &Keys, other: &str, theirs: PublicKeys| {
        let mut s = Sealing::new();
        s.hold(mine, copy(keys));
        s.know(other, theirs);
        s.vouch(A, ka.public(), &vouched);
        s
    };
    let place = "needs/abcd12345678";
    for s in [
        believing(B, &kb, A, new.public()),
        believing(A, &new, B, kb.public()),
    ] {
        for bytes in [&phones, &laptops] {
            assert!(s.open(place, bytes).is_ok(), "{s:?}");
        }
        // Without vouching, not believed.
        let mut plain = Sealing::new();
        plain.hold(B, copy(&kb));
        plain.know(A, new.public());
        assert!(matches!(
            plain.open(place, &laptops),
            Err(CryptoError::BadSignature(_))
        ));
        // Made up, sealed to both: by the lost key (found by someone), or by Sam in Alex's name.
        let made_up = need("abcd12345678", "something Alex never said")
            .0
            .to_string();
        for forger in [&ka, &kb] {
            let forged = seal::seal(
                forger,
                A,
                place,
                made_up.as_bytes(),
                &[&kb.public(), &new.public()],
            )
            .unwrap();
            assert!(
                matches!(s.open(place, &forged), Err(CryptoError::BadSignature(_))),
                "a made-up record is believed"
            );
        }
        // The vouched record moved to another need's place does not check out there.
        assert!(s.open("needs/efgh12345678", &laptops).is_err());
    }
    // A device that never vouched (the laptop before it accepted) is told nothing by the
    // phone's tokens: they are kept on the device and in the hand-over alone.
    assert!(vouched.iter().all(|t| t.starts_with("signed:")));
}

#[test]
fn two_hand_overs_of_one_writer_merge_what_either_vouched_for_and_handed_over() {
    let (old, new) = (Keys::generate().public(), Keys::generate().public());
    let date = |d| chrono::NaiveDate::from_ymd_opt(2026, 3, d).unwrap();
    let handed = |d, copy: &str| crate::answer_rekey::HandedAnswer {
        date: date(d),
        copy: copy.to_owned(),
    };
    let hand_over = |vouched: &[&str], answers| Handover {
        version: 1,
        partner: A.to_owned(),
        previous: old.clone(),
        new: new.clone(),
        vouched: vouched.iter().map(|s| s.to_string()).collect(),
        answers,
    };
    let phone = hand_over(&["signed:1", "signed:2"], vec![handed(1, "aa")]);
    let laptop = hand_over(
        &["signed:2", "signed:3"],
        vec![handed(1, "bb"), handed(2, "cc")],
    );
    let merged = merge(phone.clone(), laptop);
    assert_eq!(merged.vouched.len(), 3);
    assert_eq!(merged.answers, vec![handed(1, "aa"), handed(2, "cc")]);
    // For another new key: the one in place stays as it is.
    let other = Handover {
        new: Keys::generate().public(),
        ..hand_over(&["signed:9"], vec![])
    };
    assert_eq!(merge(phone.clone(), other), phone);
}
