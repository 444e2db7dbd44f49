use super::*;
use crate::crypto::Keys;
use crate::profile::Couple;
use crate::sealing::Sealing;
use crate::touch::{Debrief, Session};
use age::secrecy::ExposeSecret;
use chrono::{DateTime, NaiveDate, Utc};
use std::sync::Arc;

const A: &str = "alex00000001";
const B: &str = "sam000000002";
const PRIVATE: &str = "the scar still pulls";
const SHARED: &str = "warm hands";

fn day() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 3, 1).unwrap()
}

fn at(h: i64) -> DateTime<Utc> {
    day().and_hms_opt(0, 0, 0).unwrap().and_utc() + chrono::Duration::hours(h)
}

fn copy(k: &Keys) -> Arc<Keys> {
    Arc::new(Keys::from_text(k.to_text().expose_secret()).unwrap())
}

/// A store on `root` holding the keys `hold`, knowing the public keys of `know`.
fn device(root: &Path, hold: &[(&str, &Keys)], know: &[(&str, &Keys)]) -> Store {
    let store = Store::new(root);
    let mut s = Sealing::new();
    for (p, k) in know {
        s.know(p, k.public());
    }
    for (p, k) in hold {
        s.hold(p, copy(k));
        s.act_as(p);
    }
    store.set_sealing(Some(s));
    store
}

fn partner(id: &str, sexual: bool) -> Partner {
    Partner {
        extra: Default::default(),
        version: FORMAT_VERSION,
        id: id.parse().unwrap(),
        name: id[..3].to_owned(),
        conditions: vec![],
        removed_conditions: vec![],
        sexual,
        added: day(),
    }
}

fn sessions(id: &str) -> Sessions {
    let id: Id = id.parse().unwrap();
    let s = Session {
        id: "sess00000001".parse().unwrap(),
        date: day(),
        at: at(1),
        step: "s0-sit-close".into(),
        giver: None,
        minutes: Some(10),
        note: None,
        extra: Default::default(),
    };
    let d = |text: &str, private: bool, h: i64| Debrief {
        session: s.id.clone(),
        step: s.step.clone(),
        date: day(),
        at: at(h),
        noticed: Some(text.into()),
        too_much: None,
        private,
        extra: Default::default(),
    };
    Sessions {
        sessions: vec![s.clone()],
        debriefs: vec![d(SHARED, false, 2), d(PRIVATE, true, 3)],
        ..Sessions::new(&id)
    }
}

/// Every record file `keys` opens in the folder, as a curious partner would with `rage`.
fn opened_with(root: &Path, keys: &Keys) -> Vec<(String, String)> {
    let ids = age::IdentityFile::from_buffer(keys.to_text().expose_secret().as_bytes())
        .unwrap()
        .into_identities()
        .unwrap();
    let mut out = Vec::new();
    let mut dirs = vec![root.to_owned()];
    while let Some(dir) = dirs.pop() {
        for e in std::fs::read_dir(&dir).into_iter().flatten().flatten() {
            if e.file_type().unwrap().is_dir() {
                dirs.push(e.path());
                continue;
            }
            let bytes = std::fs::read(e.path()).unwrap();
            let Ok(d) = age::Decryptor::new(&bytes[..]) else {
                continue;
            };
            let Ok(mut r) = d.decrypt(ids.iter().map(|i| i.as_ref() as &dyn age::Identity)) else {
                continue;
            };
            let mut plain = Vec::new();
            std::io::Read::read_to_end(&mut r, &mut plain).unwrap();
            out.push((
                e.path().display().to_string(),
                String::from_utf8_lossy(&plain).into_owned(),
            ));
        }
    }
    out
}

/// What Sam's key opens of Alex's own facts: nothing of the opt-in or the private debrief.
fn assert_sealed_from_sam(root: &Path, kb: &Keys) {
    let opened = opened_with(root, kb);
    assert!(
        opened
            .iter()
            .any(|(p, _)| p.contains(&format!("partners/{A}")))
    );
    assert!(opened.iter().any(|(p, _)| p.ends_with("sessions.age")));
    for (path, text) in opened.iter().filter(|(p, _)| p.contains(A)) {
        assert!(!text.contains(PRIVATE), "{path}: {text}");
        assert!(!text.contains("\"sexual\""), "{path}: {text}");
    }
}

#[test]
fn the_opt_in_and_private_debriefs_are_their_owners_alone_and_read_back_whole() {
    let t = tempfile::tempdir().unwrap();
    let (ka, kb) = (Keys::generate(), Keys::generate());
    let alex = device(t.path(), &[(A, &ka)], &[(B, &kb)]);
    let sam = device(t.path(), &[(B, &kb)], &[(A, &ka)]);
    write_partner(&alex, &partner(A, true)).unwrap();
    write_partner(&sam, &partner(B, true)).unwrap();
    update_sessions(&alex, &A.parse().unwrap(), |s| {
        *s = sessions(A);
        Ok(())
    })
    .unwrap();
    assert_sealed_from_sam(t.path(), &kb);

    // Alex's device reads all of Alex's own; Sam's reads what both may see.
    let mine = Couple::load(&alex).unwrap();
    assert!(mine.by_id(A).unwrap().sexual);
    assert!(
        !mine.by_id(B).unwrap().sexual,
        "never the other's own answer"
    );
    assert_eq!(
        load_sessions(&alex, &A.parse().unwrap()).unwrap(),
        Some(sessions(A))
    );
    let theirs = load_sessions(&sam, &A.parse().unwrap()).unwrap().unwrap();
    assert_eq!(theirs.debriefs.len(), 1);
    assert_eq!(theirs.debriefs[0].noticed.as_deref(), Some(SHARED));
    assert!(!Couple::load(&sam).unwrap().by_id(A).unwrap().sexual);

    // A device with both keys reads both partners whole.
    let both = device(t.path(), &[(A, &ka), (B, &kb)], &[]);
    let c = Couple::load(&both).unwrap();
    assert!(c.sexual_ok());
    assert_eq!(
        load_sessions(&both, &A.parse().unwrap()).unwrap(),
        Some(sessions(A))
    );

    // A change keeps the rest: renaming keeps the opt-in, opting out keeps the name.
    update_partner(&alex, &A.parse().unwrap(), "alex", |p| {
        p.name = "Alexa".into();
        Ok(())
    })
    .unwrap();
    let p = Couple::load(&alex).unwrap().by_id(A).unwrap().clone();
    assert_eq!((p.name.as_str(), p.sexual), ("Alexa", true));
    assert_eq!(Couple::load(&sam).unwrap().by_id(A).unwrap().name, "Alexa");
    assert_sealed_from_sam(t.path(), &kb);
}

#[test]
fn a_folder_encrypted_before_the_split_is_split_on_the_owners_device_with_nothing_lost() {
    let t = tempfile::tempdir().unwrap();
    let (ka, kb) = (Keys::generate(), Keys::generate());
    let alex = device(t.path(), &[(A, &ka)], &[(B, &kb)]);
    let sam = device(t.path(), &[(B, &kb)], &[(A, &ka)]);
    // As an older closer wrote it: the opt-in in the partner file, private debriefs among the
    // sessions, both sealed to both.
    alex.ensure_dir("partners").unwrap();
    alex.ensure_dir(&format!("touch/{A}")).unwrap();
    alex.write_for(
        &profile::partner_path(&A.parse().unwrap()),
        &partner(A, true),
        Some(&[A, B]),
    )
    .unwrap();
    alex.write_for(
        &touch::sessions_path(&A.parse().unwrap()),
        &sessions(A),
        Some(&[A, B]),
    )
    .unwrap();
    assert!(
        opened_with(t.path(), &kb)
            .iter()
            .any(|(_, text)| text.contains(PRIVATE))
    );

    // Sam's device cannot split Alex's facts, and never takes Alex's own opt-in as it reads.
    assert_eq!(tend(&sam).unwrap(), 0);
    assert!(!Couple::load(&sam).unwrap().by_id(A).unwrap().sexual);
    // Alex's device splits them once.
    assert_eq!(tend(&alex).unwrap(), 1);
    assert_eq!(tend(&alex).unwrap(), 0);
    assert_sealed_from_sam(t.path(), &kb);
    assert!(Couple::load(&alex).unwrap().by_id(A).unwrap().sexual);
    assert_eq!(
        load_sessions(&alex, &A.parse().unwrap()).unwrap(),
        Some(sessions(A))
    );
}

#[test]
fn a_plain_folder_keeps_everything_where_it_was_and_encrypting_it_splits_first() {
    let t = tempfile::tempdir().unwrap();
    let plain = Store::new(t.path());
    let a: Id = A.parse().unwrap();
    plain.ensure_dir("partners").unwrap();
    write_partner(&plain, &partner(A, true)).unwrap();
    update_sessions(&plain, &a, |s| {
        *s = sessions(A);
        Ok(())
    })
    .unwrap();
    let raw = std::fs::read_to_string(plain.path(&profile::partner_path(&a))).unwrap();
    assert!(raw.contains("\"sexual\": true"), "{raw}");
    assert!(!plain.path(&optin_path(A)).exists());
    assert!(!plain.path(&private_debriefs_path(A)).exists());
    assert_eq!(load_sessions(&plain, &a).unwrap(), Some(sessions(A)));

    let (ka, kb) = (Keys::generate(), Keys::generate());
    let mut alex = Sealing::new();
    alex.hold(A, copy(&ka));
    alex.know(B, kb.public());
    let from: std::collections::BTreeSet<String> = crate::migrate::plain_places(&plain)
        .unwrap()
        .into_iter()
        .collect();
    crate::migrate::encrypt(&plain, &alex, &from).unwrap();
    assert_sealed_from_sam(t.path(), &kb);
    let sealed = device(t.path(), &[(A, &ka)], &[(B, &kb)]);
    assert!(Couple::load(&sealed).unwrap().by_id(A).unwrap().sexual);
    assert_eq!(load_sessions(&sealed, &a).unwrap(), Some(sessions(A)));

    // Decrypted again: the split files are read, and folded back in on the next write.
    crate::migrate::decrypt(&plain, &alex).unwrap();
    assert!(Couple::load(&plain).unwrap().by_id(A).unwrap().sexual);
    assert_eq!(load_sessions(&plain, &a).unwrap(), Some(sessions(A)));
    update_sessions(&plain, &a, |_| Ok(())).unwrap();
    update_partner(&plain, &a, "alex", |_| Ok(())).unwrap();
    assert!(!plain.path(&optin_path(A)).exists());
    assert!(!plain.path(&private_debriefs_path(A)).exists());
    assert!(Couple::load(&plain).unwrap().by_id(A).unwrap().sexual);
    assert_eq!(load_sessions(&plain, &a).unwrap(), Some(sessions(A)));
}
