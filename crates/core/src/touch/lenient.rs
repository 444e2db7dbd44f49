//! A partner's sessions file read one item at a time: a session or debrief that cannot be used (an
//! ID that is not one, a date that is not a date) is left out and kept in the file exactly as it
//! was, rather than making the whole file unreadable.

use super::{Debrief, Session, Sessions};
use crate::ids::Id;
use crate::store::Extra;
use serde::Deserialize;
use serde::de::DeserializeOwned;
use serde_json::Value;

/// Sessions and debriefs in a file that cannot be used, as they are there.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Unusable {
    pub sessions: Vec<Value>,
    pub debriefs: Vec<Value>,
    /// What was wrong with the first of them.
    pub why: Option<String>,
}

impl Unusable {
    pub fn is_empty(&self) -> bool {
        self.sessions.is_empty() && self.debriefs.is_empty()
    }

    /// What to say about the file that holds them.
    pub fn message(&self) -> String {
        format!(
            "{} of its sessions or debriefs cannot be used ({}); they are left out, and kept in the file as they are",
            self.sessions.len() + self.debriefs.len(),
            self.why.as_deref().unwrap_or("unknown")
        )
    }
}

/// The file as it is, before each item is checked.
#[derive(Deserialize)]
pub(super) struct RawSessions {
    version: u32,
    partner: Id,
    #[serde(default)]
    sessions: Vec<Value>,
    #[serde(default)]
    debriefs: Vec<Value>,
    #[serde(flatten)]
    extra: Extra,
}

fn keep<T: DeserializeOwned>(
    items: Vec<Value>,
    bad: &mut Vec<Value>,
    why: &mut Option<String>,
) -> Vec<T> {
    let mut out = Vec::with_capacity(items.len());
    for v in items {
        match T::deserialize(&v) {
            Ok(t) => out.push(t),
            Err(e) => {
                why.get_or_insert_with(|| e.to_string());
                bad.push(v);
            }
        }
    }
    out
}

impl From<RawSessions> for Sessions {
    fn from(r: RawSessions) -> Sessions {
        let mut unusable = Unusable::default();
        let sessions: Vec<Session> = keep(r.sessions, &mut unusable.sessions, &mut unusable.why);
        let debriefs: Vec<Debrief> = keep(r.debriefs, &mut unusable.debriefs, &mut unusable.why);
        Sessions {
            version: r.version,
            partner: r.partner,
            sessions,
            debriefs,
            extra: r.extra,
            unusable,
        }
    }
}
