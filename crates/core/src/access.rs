//! Who may read and who may write each record in the data folder: the one rule behind sealed
//! records. A record is encrypted to its readers and must be signed by a partner who may write
//! it; a file that breaks the rule is reported and ignored.

/// Who a record is encrypted to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Readers {
    /// A partner's own private fact: that partner only.
    Owner(String),
    /// A shared record: every partner of the couple.
    Both,
    /// A partner's own record that the other partner's device still reads for what it may see
    /// (answers, whose every entry is sealed per turn inside). Sealed to both for now, and said
    /// so in SECURITY.md; the partner named is its owner.
    BothForNow(String),
}

/// Who may sign a record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Writer {
    /// Only that partner: their own files.
    Owner(String),
    /// Any partner of the couple: shared records.
    AnyPartner,
    /// Nobody: what the record says cannot be true whoever signed it (why).
    Nobody(&'static str),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Access {
    pub readers: Readers,
    pub writer: Writer,
}

impl Access {
    /// Whether `signer` may have written this record.
    pub fn may_write(&self, signer: &str) -> bool {
        match &self.writer {
            Writer::Owner(o) => o == signer,
            Writer::AnyPartner => true,
            Writer::Nobody(_) => false,
        }
    }
}

/// A partner ID as it may appear in a path: what [`crate::ids::Id`] accepts.
fn partner(s: &str) -> Option<String> {
    crate::ids::Id::parse(s).ok().map(|id| id.to_string())
}

/// Whether `parts` name a content file inside the content folder: plain folder names, then
/// `X.toml`; never `..`, a hidden name or an empty one.
fn is_content_name(parts: &[&str]) -> bool {
    parts
        .last()
        .is_some_and(|n| n.len() > ".toml".len() && n.ends_with(".toml"))
        && parts
            .iter()
            .all(|p| !p.is_empty() && !p.starts_with('.') && !p.contains('\\'))
}

/// Whether `place` holds sealed records in an encrypted folder (published keys and the folder's
/// mode do not).
pub fn is_sealed_place(place: &str) -> bool {
    rule(place, b"{}").is_some()
}

/// A need that says it is private belongs to its owner alone.
fn private_to(place: &[&str], body: &[u8]) -> Option<String> {
    #[derive(serde::Deserialize)]
    struct Privacy {
        #[serde(default)]
        private: bool,
        owner: Option<String>,
    }
    match place {
        ["needs", _] => serde_json::from_slice::<Privacy>(crate::store::without_bom(body))
            .ok()
            .filter(|p| p.private)
            .and_then(|p| p.owner),
        _ => None,
    }
}

/// Who may sign a hold: the partner who set it, who alone lifts it early, so that every version
/// of the file is theirs; for a hold from before holds had a setter, whoever lifted it early, or
/// else either partner. A hold lifted by someone other than who set it is nobody's to write.
fn hold_writer(body: &[u8]) -> Writer {
    #[derive(serde::Deserialize)]
    struct Who {
        by: Option<String>,
        released_by: Option<String>,
    }
    let Ok(who) = serde_json::from_slice::<Who>(crate::store::without_bom(body)) else {
        return Writer::Nobody("a hold that does not say who set it in a form closer reads");
    };
    let named = |id: &String| partner(id).filter(|p| p == id);
    match (&who.by, &who.released_by) {
        (Some(by), Some(r)) if by != r => {
            Writer::Nobody("a hold lifted early by someone other than the partner who set it")
        }
        (Some(id), _) | (None, Some(id)) => match named(id) {
            Some(p) => Writer::Owner(p),
            None => Writer::Nobody("a hold that names no partner as who set or lifted it"),
        },
        (None, None) => Writer::AnyPartner,
    }
}

/// Who may sign a forwarding record (`moved/OLD`, see [`crate::moved`]): the partner it
/// forwards to, whose device kept them when the doctor made two set-ups one.
fn moved_writer(body: &[u8]) -> Writer {
    #[derive(serde::Deserialize)]
    struct To {
        to: String,
    }
    match serde_json::from_slice::<To>(crate::store::without_bom(body)) {
        Ok(t) => match partner(&t.to).filter(|p| *p == t.to) {
            Some(p) => Writer::Owner(p),
            None => Writer::Nobody("a forwarding record that names no partner it forwards to"),
        },
        Err(_) => Writer::Nobody("a forwarding record that does not say where it forwards to"),
    }
}

/// Who writes and reads a need's removal record (`removed/ID`, see [`crate::removals`]): the
/// need's owner, who removed it, alone.
fn removal_access(body: &[u8]) -> Access {
    #[derive(serde::Deserialize)]
    struct Owner {
        owner: String,
    }
    match serde_json::from_slice::<Owner>(crate::store::without_bom(body))
        .ok()
        .and_then(|o| partner(&o.owner).filter(|p| *p == o.owner))
    {
        Some(p) => Access {
            readers: Readers::Owner(p.clone()),
            writer: Writer::Owner(p),
        },
        None => Access {
            readers: Readers::Both,
            writer: Writer::Nobody("a need's removal that names no partner as its owner"),
        },
    }
}

/// The rule for the record at `place` (its path in the data folder without its extension, as
/// `needs/ID`, `touch/ID/state`, `answers/ID/2026`) holding `body`. A need that says it is
/// private is its owner's alone. `None`: the path holds no sealed record (published keys, the
/// folder's mode) or no record at all.
pub fn rule(place: &str, body: &[u8]) -> Option<Access> {
    let parts: Vec<&str> = place.split('/').collect();
    let private_to = private_to(&parts, body);
    let own = |id: &str, readers: fn(String) -> Readers| {
        partner(id).map(|p| Access {
            readers: readers(p.clone()),
            writer: Writer::Owner(p),
        })
    };
    let shared = || Access {
        readers: Readers::Both,
        writer: Writer::AnyPartner,
    };
    let access = match parts.as_slice() {
        ["couple"] => Some(shared()),
        // Names and conditions are shared, and only their partner changes them. The opt-in is
        // the partner's own, kept apart from them.
        ["partners", id] => own(id, |_| Readers::Both),
        ["optin", id] => own(id, Readers::Owner),
        ["needs", _] => Some(shared()),
        // Set and lifted early by one partner, seen by both.
        ["touch", "holds", _] => Some(Access {
            readers: Readers::Both,
            writer: hold_writer(body),
        }),
        // A change of the joint result names nobody, and either device may see one happen.
        ["changes", _] => Some(shared()),
        // A need removed by its owner, for their other devices: theirs alone.
        ["removed", _] => Some(removal_access(body)),
        // Where a partner set up twice went: signed by the partner it forwards to.
        ["moved", _] => Some(Access {
            readers: Readers::Both,
            writer: moved_writer(body),
        }),
        // Boundaries, readiness and body map: the owner's alone. The other partner's device
        // learns the plan from the joint rounds and the body map from its published copy.
        ["touch", id, "state"] => own(id, Readers::Owner),
        // The body map, shown to both, published by its owner.
        ["touch", id, "body"] => own(id, |_| Readers::Both),
        // Sessions and the debriefs both may read; private debriefs are kept apart from them.
        ["touch", id, "sessions"] => own(id, |_| Readers::Both),
        ["touch", id, "private-debriefs"] => own(id, Readers::Owner),
        ["answers", id, _] => own(id, Readers::BothForNow),
        ["energy", id] | ["libraries", id] => own(id, |_| Readers::Both),
        // What a partner's device tells the other's new key after accepting it.
        ["rekey", id] => own(id, |_| Readers::Both),
        // The couple's own content files, at any depth: `content/…/X.toml`.
        ["content", rest @ ..] if is_content_name(rest) => Some(shared()),
        _ => None,
    }?;
    Some(match private_to {
        Some(owner) => Access {
            readers: Readers::Owner(owner.clone()),
            writer: Writer::Owner(owner),
        },
        None => access,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const A: &str = "alex00000001";

    #[test]
    fn own_files_are_their_owners_and_shared_files_anyones() {
        let own = rule(&format!("touch/{A}/state"), b"{}").unwrap();
        assert_eq!(own.writer, Writer::Owner(A.into()));
        assert!(own.may_write(A));
        assert!(!own.may_write("sam000000002"));
        for place in [
            format!("energy/{A}"),
            format!("libraries/{A}"),
            format!("partners/{A}"),
            format!("answers/{A}/2026"),
            format!("touch/{A}/sessions"),
            format!("touch/{A}/private-debriefs"),
            format!("optin/{A}"),
        ] {
            assert_eq!(rule(&place, b"{}").unwrap().writer, Writer::Owner(A.into()));
        }
        // The partner file and the sessions are shared; the opt-in and private debriefs are not.
        for place in [format!("partners/{A}"), format!("touch/{A}/sessions")] {
            assert_eq!(
                rule(&place, b"{}").unwrap().readers,
                Readers::Both,
                "{place}"
            );
        }
        for place in [format!("optin/{A}"), format!("touch/{A}/private-debriefs")] {
            let a = rule(&place, b"{}").unwrap();
            assert_eq!(a.readers, Readers::Owner(A.into()), "{place}");
        }
        for place in [
            "couple",
            "needs/abcd12345678",
            "touch/holds/abcd1234",
            "changes/abcd12345678",
            "content/walks.toml",
            "content/ours/walks.toml",
        ] {
            let a = rule(place, b"{}").unwrap();
            assert_eq!(a.readers, Readers::Both, "{place}");
            assert!(a.may_write("sam000000002"), "{place}");
        }
    }

    #[test]
    fn a_partners_touch_state_is_theirs_alone_and_their_body_map_is_shared() {
        let state = rule(&format!("touch/{A}/state"), b"{}").unwrap();
        assert_eq!(state.readers, Readers::Owner(A.into()));
        assert_eq!(state.writer, Writer::Owner(A.into()));
        let body = rule(&format!("touch/{A}/body"), b"{}").unwrap();
        assert_eq!(body.readers, Readers::Both);
        assert_eq!(body.writer, Writer::Owner(A.into()));
        assert!(!body.may_write("sam000000002"));
        assert!(!is_sealed_place("touch/NOT-AN-ID/body"));
    }

    #[test]
    fn a_private_record_is_its_owners_alone() {
        let body = format!(r#"{{"version":1,"owner":"{A}","text":"x","private":true}}"#);
        let a = rule("needs/abcd12345678", body.as_bytes()).unwrap();
        assert_eq!(a.readers, Readers::Owner(A.into()));
        assert!(!a.may_write("sam000000002"));
        // Shared again once its owner shares it; other records' own flags do not count.
        let shared = body.replace("true", "false");
        assert_eq!(
            rule("needs/abcd12345678", shared.as_bytes())
                .unwrap()
                .readers,
            Readers::Both
        );
        assert_eq!(
            rule("touch/holds/abcd1234", body.as_bytes())
                .unwrap()
                .readers,
            Readers::Both
        );
    }

    #[test]
    fn paths_that_hold_no_sealed_record() {
        for place in [
            "keys/alex00000001",
            "folder",
            "touch/../x/state",
            "needs",
            "touch/NOT-AN-ID/state",
            "answers/alex00000001",
            "content/walks",
            "content/../walks.toml",
            "content/.hidden.toml",
        ] {
            assert!(!is_sealed_place(place), "{place}");
        }
    }

    #[test]
    fn a_forwarding_record_is_signed_by_the_partner_it_forwards_to() {
        let place = "moved/sam000000002";
        assert!(is_sealed_place(place));
        let to = format!("{{\"from\":\"sam000000002\",\"to\":\"{A}\"}}");
        assert_eq!(
            rule(place, to.as_bytes()).unwrap().writer,
            Writer::Owner(A.into())
        );
        for body in [&b"{}"[..], b"{\"to\":\"../x\"}"] {
            assert!(matches!(
                rule(place, body).unwrap().writer,
                Writer::Nobody(_)
            ));
        }
    }
}
