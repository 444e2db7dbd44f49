//! Rounds this device no longer keeps open (past [`round::MOST_OPEN`]): said once on standard
//! error on the run that let one go, which cron may mail nowhere, so each is also kept here until
//! `couple today` has shown it on standard output once, in the same words. Kept in the device's
//! config folder (`joint/ME/let-go.json`: the topic and the round, never what was chosen in it).
//! Nothing of it reaches the other partner's device.

use crate::Context;
use chrono::NaiveDate;
use closer_core::Result;
use closer_core::joint::round;
use closer_core::store::{Store, write_atomic};
use serde::{Deserialize, Serialize};
use std::path::PathBuf;

/// One round let go, and the day `couple today` first showed it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
struct LetGo {
    topic: String,
    round: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    shown: Option<NaiveDate>,
}

/// What the other device may have learnt in a round of `topic`, said without the steps.
pub(crate) fn what(topic: &str) -> &'static str {
    match topic {
        "optin" => "whether you had opted in to sexual content",
        "ready" => "whether you were ready to move on",
        _ => "which of the steps you said yes or maybe to then it said the same to",
    }
}

/// The note on a round no longer kept, with what the other device may have learnt (`what`).
pub(crate) fn note(what: &str) -> String {
    format!(
        "The other device has left {} rounds your device took its turn in open, and your \
         device no longer keeps the oldest: what was joint in it will not be shown. That \
         device may have learnt {what}; this one has not.",
        round::MOST_OPEN + 1
    )
}

impl Context {
    fn let_go_path(&self, me: &str) -> PathBuf {
        self.config_dir.join("joint").join(me).join("let-go.json")
    }

    fn let_go(&self, me: &str) -> Vec<LetGo> {
        std::fs::read(self.let_go_path(me))
            .ok()
            .and_then(|b| serde_json::from_slice(&b).ok())
            .unwrap_or_default()
    }

    fn save_let_go(&self, me: &str, all: &[LetGo]) -> Result<()> {
        let path = self.let_go_path(me);
        if let Some(dir) = path.parent() {
            Store::new(dir).ensure_dir("")?;
        }
        let bytes =
            serde_json::to_vec(all).map_err(|e| closer_core::Error::invalid(e.to_string()))?;
        write_atomic(&path, &bytes)
    }

    /// Keeps `me`'s round of `topic` let go this run, until `couple today` has shown it.
    pub(crate) fn keep_let_go(&self, me: &str, topic: &str, round: &str) -> Result<()> {
        let mut all = self.let_go(me);
        if all.iter().any(|l| l.topic == topic && l.round == round) {
            return Ok(());
        }
        all.push(LetGo {
            topic: topic.to_owned(),
            round: round.to_owned(),
            shown: None,
        });
        self.save_let_go(me, &all)
    }

    /// For `couple today`: the notes on `me`'s rounds let go that it has not shown before
    /// today (shown again the same day, never on a later one).
    pub(crate) fn let_go_notes(&self, me: &str) -> Result<Vec<String>> {
        let before = self.let_go(me);
        let today = self.today;
        let mut all = before.clone();
        all.retain(|l| l.shown.is_none_or(|d| d >= today));
        let notes = all.iter().map(|l| note(what(&l.topic))).collect();
        for l in &mut all {
            l.shown.get_or_insert(today);
        }
        if all != before {
            self.save_let_go(me, &all)?;
        }
        Ok(notes)
    }
}
