//! A device memo of what the joint rounds said, so that a run in which nothing changed does not
//! read, hash and parse every round again: the joint view of the last run and the last opt-in
//! exchange's result (only what is joint, which this device's partner sees anyway) and whether
//! their touch state was found settled (see [`crate::body_map::settle`]), each kept with the state (size, times, inode) of every file it
//! came from and a digest of everything else it was worked out from.
//!
//! The files are always trusted over the memo: a publication or round cache rewritten, replaced,
//! forged, put back, added or removed no longer matches (a file changed within the last two
//! seconds, whose times may not move again, is matched by its bytes too), and the rounds are run
//! and checked as before, so a file that fails a check is reported on every run. Nothing is kept
//! from a run that found a problem, a closing or a round the other device left unfinished, or
//! wrote anything. The caller
//! keeps the memo in the cache folder of a key without a passphrase, which goes when one is set.
//! Delete it at any time; nothing is lost.

use super::round::{self, Party, Places};
use super::touch::{JointOptIn, JointView, Rounds, opt_in, view};
use crate::content::Library;
use crate::error::Result;
use crate::profile::Couple;
use crate::store::Store;
use crate::touch::{self, Hold, State};
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::path::{Path, PathBuf};
use std::time::SystemTime;

const MAGIC: &str = "closer-joint-view 1";

/// The topics [`view`] exchanges.
const TOPICS: [&str; 3] = ["optin", "plan", "ready"];

#[derive(Debug, Default, Clone, PartialEq, Serialize, Deserialize)]
struct Kept {
    magic: String,
    /// The age recipient of the key it was kept for: with another key it is not used.
    reader: String,
    /// The partner's touch state, as it was when found settled.
    settled: Option<String>,
    /// What the view was worked out from, and the view: the other partner's joint state,
    /// whether both opted in, whether a round is under way, and the plan's and opt-in's rounds.
    #[allow(clippy::type_complexity)]
    view: Option<(String, State, bool, bool, Option<String>, Option<String>)>,
    /// What the opt-in exchange was worked out from, and what it said: whether both opted in,
    /// whether a round is under way, and the round.
    #[serde(default)]
    optin: Option<(String, bool, bool, Option<String>)>,
}

/// The memo in `path` (a file in the cache folder of the key whose age recipient is `reader`),
/// `now` saying which file times have settled.
pub struct Memo {
    path: PathBuf,
    now: SystemTime,
    kept: Kept,
    changed: bool,
    /// The last [`Memo::view`] or [`Memo::opt_in`] came from the memo.
    pub remembered: bool,
}

/// What the file at `path` looks like (see [`crate::index::file_state`]); for one changed within
/// the last two seconds, whose times may not move again when it is rewritten at once, with a
/// digest of its bytes too. `None` for anything but a file or nothing.
fn file_state(path: &Path, now: SystemTime) -> Option<String> {
    let m = match std::fs::symlink_metadata(path) {
        Ok(m) => m,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Some("none".into()),
        Err(_) => return None,
    };
    if !m.is_file() {
        return None;
    }
    if let Some(key) = crate::index::file_state(&m, now) {
        return Some(key);
    }
    let bytes = crate::store::read_unfollowed(path).ok()?;
    let digest = crate::crypto::hex(&Sha256::digest(&bytes)[..16]);
    Some(format!("{}#{digest}", crate::index::file_key(&m)))
}

impl Memo {
    pub fn load(path: PathBuf, reader: &str, now: SystemTime) -> Memo {
        let kept = std::fs::read(&path)
            .ok()
            .and_then(|b| serde_json::from_slice::<Kept>(&b).ok())
            .filter(|k| k.magic == MAGIC && k.reader == reader)
            .unwrap_or_else(|| Kept {
                magic: MAGIC.to_owned(),
                reader: reader.to_owned(),
                ..Kept::default()
            });
        Memo {
            path,
            now,
            kept,
            changed: false,
            remembered: false,
        }
    }

    /// [`crate::body_map::settle`], unless `partner`'s touch state is as it was when last found
    /// settled and their body map is published.
    pub fn settle(&mut self, store: &Store, partner: &crate::ids::Id) -> Result<()> {
        let state = store.path(&touch::state_path(partner));
        let before = file_state(&state, self.now);
        let published = store.path(&crate::body_map::path(partner)).exists();
        if published && before.is_some() && before == self.kept.settled {
            return Ok(());
        }
        crate::body_map::settle(store, partner)?;
        let after = file_state(&state, self.now);
        let settled = after.filter(|a| Some(a) == before.as_ref() && published);
        if settled != self.kept.settled {
            self.kept.settled = settled;
            self.changed = true;
        }
        Ok(())
    }

    /// The states of every file the exchanges of `topics` read or write, `None` when one changed
    /// too lately to tell.
    fn files(&self, places: Places, party: &Party, topics: &[&str]) -> Option<Vec<String>> {
        let mut v = Vec::new();
        for &topic in topics {
            for who in [party.me, party.other] {
                v.push(file_state(
                    &places.data.join(round::place(topic, who)),
                    self.now,
                )?);
            }
            let cache = places
                .config
                .join("joint")
                .join(party.me)
                .join(format!("{topic}.json"));
            v.push(file_state(&cache, self.now)?);
        }
        Some(v)
    }

    /// Where `partner`'s own touch state was read from, for [`Memo::view`]: the state of its
    /// file and the version of it this device's memory trusts (the one read in place of a
    /// version that went back). Asked after the state was read. `None` when it cannot tell.
    pub fn own_state(&self, store: &Store, partner: &crate::ids::Id) -> Option<String> {
        let path = store.path(&touch::state_path(partner));
        let file = file_state(&path, self.now)?;
        let trusted = store.place_of(&path).and_then(|place| {
            let sealing = store.sealing()?;
            sealing.memory()?.trusted_file(&place)
        });
        Some(format!("{file}\0{}", trusted.unwrap_or_default()))
    }

    /// [`view`], or what it said on an earlier run when every file it reads is as it was then
    /// and everything else it is worked out from is the same; `mine` is known by where it was
    /// read from, `mine_from` (see [`Memo::own_state`]; `None`: not remembered). Kept only from
    /// a run that found no problem, no closing and no round left unfinished by the other
    /// device, and wrote nothing.
    #[allow(clippy::too_many_arguments)]
    pub fn view(
        &mut self,
        places: Places,
        party: &Party,
        lib: &Library,
        couple: &Couple,
        mine: &State,
        mine_from: Option<&str>,
        holds: &[Hold],
        today: NaiveDate,
        now: DateTime<Utc>,
        optin: Option<&JointOptIn>,
    ) -> Result<JointView> {
        let inputs = |files: &[String]| {
            let mut h = Sha256::new();
            let steps: Vec<_> = lib.steps.iter().map(|s| (s.id, s.stage)).collect();
            let stages: Vec<_> = lib.stages.iter().map(|s| (s.number, s.sexual)).collect();
            let text = format!(
                "{files:?}\0{}\0{:?}\0{}\0{:?}\0{couple:?}\0{mine_from:?}\0{holds:?}\0{today}\0{:?}\0{steps:?}\0{stages:?}",
                party.me,
                party.keys.public(),
                party.other,
                party.theirs,
                optin.map(|o| (o.both, o.waiting, &o.round)),
            );
            h.update(text.as_bytes());
            crate::crypto::hex(&h.finalize()[..16])
        };
        let before = mine_from.and_then(|_| self.files(places, party, &TOPICS).map(|f| inputs(&f)));
        if let (Some(key), Some((k, other, sexual_ok, waiting, plan, optin))) =
            (&before, &self.kept.view)
            && key == k
        {
            self.remembered = true;
            return Ok(JointView {
                other: other.clone(),
                sexual_ok: *sexual_ok,
                waiting: *waiting,
                problems: Vec::new(),
                closings: Vec::new(),
                unfinished: Vec::new(),
                rounds: Rounds {
                    plan: plan.clone(),
                    optin: optin.clone(),
                },
            });
        }
        self.remembered = false;
        let v = view(places, party, lib, couple, mine, holds, today, now, optin)?;
        let after = mine_from.and_then(|_| self.files(places, party, &TOPICS).map(|f| inputs(&f)));
        let quiet = v.problems.is_empty() && v.closings.is_empty() && v.unfinished.is_empty();
        let keep = (quiet && before.is_some() && after == before).then(|| {
            (
                after.unwrap_or_default(),
                v.other.clone(),
                v.sexual_ok,
                v.waiting,
                v.rounds.plan.clone(),
                v.rounds.optin.clone(),
            )
        });
        if keep != self.kept.view {
            self.kept.view = keep;
            self.changed = true;
        }
        Ok(v)
    }

    /// [`opt_in`], or what it said on an earlier run when the files of the opt-in exchange are as
    /// they were then, for the same partners, keys and opt-in. Kept only from a run that found no
    /// problem, no closing and no round left unfinished by the other device, and wrote nothing.
    pub fn opt_in(&mut self, places: Places, party: &Party, opted: bool) -> Result<JointOptIn> {
        let inputs = |files: &[String]| {
            let text = format!(
                "{files:?}\0{}\0{:?}\0{}\0{:?}\0{opted}",
                party.me,
                party.keys.public(),
                party.other,
                party.theirs,
            );
            crate::crypto::hex(&Sha256::digest(text.as_bytes())[..16])
        };
        let before = self.files(places, party, &["optin"]).map(|f| inputs(&f));
        if let (Some(key), Some((k, both, waiting, round))) = (&before, &self.kept.optin)
            && key == k
        {
            self.remembered = true;
            return Ok(JointOptIn {
                both: *both,
                waiting: *waiting,
                problems: Vec::new(),
                closings: Vec::new(),
                unfinished: Vec::new(),
                round: round.clone(),
            });
        }
        self.remembered = false;
        let o = opt_in(places, party, opted)?;
        let after = self.files(places, party, &["optin"]).map(|f| inputs(&f));
        let quiet = o.problems.is_empty() && o.closings.is_empty() && o.unfinished.is_empty();
        let keep = (quiet && before.is_some() && after == before).then(|| {
            (
                after.unwrap_or_default(),
                o.both,
                o.waiting,
                o.round.clone(),
            )
        });
        if keep != self.kept.optin {
            self.kept.optin = keep;
            self.changed = true;
        }
        Ok(o)
    }

    /// Whether this is the memo in `path` for the key whose age recipient is `reader`.
    pub fn is_at(&self, path: &Path, reader: &str) -> bool {
        self.path == path && self.kept.reader == reader
    }

    /// Writes the memo if it changed, 0600. Only a memo: when it cannot be written, the rounds
    /// are simply read again next time.
    pub fn save(&mut self) {
        if !self.changed {
            return;
        }
        self.changed = false;
        if let (Some(dir), Ok(bytes)) = (self.path.parent(), serde_json::to_vec(&self.kept)) {
            let _ = crate::store::Store::new(dir).ensure_dir("");
            let _ = crate::open_cache::write_private(&self.path, &bytes);
        }
    }
}
