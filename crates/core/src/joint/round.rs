//! One private set intersection between the two partners, run through the synced folder: each
//! device publishes its partner's values as a sealed, signed file (`psi/TOPIC/PARTNER.age`),
//! finishes a round once the other device's values for it are there, and keeps what it learnt
//! (the joint result and the rounds it has seen, nothing private) in the device's config folder.
//!
//! A round is a pair of nonces, one per partner. Each partner's values are hashed with both
//! nonces and blinded with a secret derived from their own key and both nonces, so values from
//! another round never match and a device can finish a round on a later run without keeping any
//! secret. A partner picks a new nonce (and counts their rounds up) whenever their choices change,
//! so the same round never carries two different sets of choices. A device remembers the latest
//! round it saw from each side: a publication from an earlier round (replayed, or restored from
//! an old copy) is reported and ignored, as is one that fails its signature or was signed by
//! anyone but the partner whose path it sits on. A round another device of the same partner
//! wrote before they synced is no put-back (see [`sibling`]).

use crate::crypto::{self, Keys, PublicKeys, psi, seal};
use crate::error::{Error, Result};
use crate::store::{FORMAT_VERSION, Store, Versioned, read_file, write_atomic};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

mod open;

/// At most this many rounds kept open in one partner's publication (see [`Exchange::forgotten`]).
pub const MOST_OPEN: usize = open::MOST;

/// The folder of publications in the data folder.
pub const FOLDER: &str = "psi";

/// Why a device's own publication is reported when it was deleted from the folder: it is not
/// left out, the device writes it again at once.
pub const WRITTEN_AGAIN: &str = "it was deleted from the folder, and not by closer on this device; this device has written it again";

/// The two partners of an exchange, as one device sees them: this device's partner, with their
/// unlocked keys, and the other partner, with their checked and pinned public keys.
#[derive(Debug, Clone, Copy)]
pub struct Party<'a> {
    pub me: &'a str,
    pub keys: &'a Keys,
    pub other: &'a str,
    pub theirs: &'a PublicKeys,
}

/// Where one device keeps things: the synced data folder and its own config folder.
#[derive(Debug, Clone, Copy)]
pub struct Places<'a> {
    pub data: &'a Path,
    pub config: &'a Path,
}

/// One topic, as this device's partner brings it to an exchange.
#[derive(Debug, Clone)]
pub struct Topic<'a> {
    /// Lower-case letters: part of the file path and of every hash.
    pub name: &'a str,
    /// Every item either partner could choose, in the same order on both devices.
    pub universe: &'a [&'a str],
    /// The items this partner chooses now.
    pub chosen: &'a BTreeSet<String>,
    /// What this partner shows the other openly alongside (joint facts only).
    pub public: serde_json::Value,
}

/// One side of a round: this partner's nonce, the other's nonce it was made with, and the values.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
struct Values {
    /// This partner's nonce, 32 hex digits.
    nonce: String,
    /// The other partner's nonce that `one` and `two` were made with.
    #[serde(default)]
    peer: Option<String>,
    /// Round one: a value per item of the universe.
    #[serde(default)]
    one: Vec<String>,
    /// Round two: the other partner's round one, blinded again by this partner.
    #[serde(default)]
    two: Vec<String>,
}

/// A partner's publication for one topic, sealed to both partners and signed by its author.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
struct Publication {
    version: u32,
    topic: String,
    partner: String,
    /// Counts up each time this partner rewrites their publication.
    round: u64,
    /// A digest of the universe, so that devices with different step libraries notice.
    universe: String,
    #[serde(flatten)]
    cur: Values,
    /// The round before, kept so that the other device can still finish it if this one moved on
    /// before it had its turn.
    #[serde(default)]
    prev: Option<Values>,
    /// Rounds this partner gave their turn in (blinded the other's values again) and has not
    /// finished yet: shown until the other device publishes its turn of them (see [`open`]).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    open: Vec<Values>,
    /// This partner's late turns: their second-round values for rounds the other partner keeps
    /// open and this device had moved on from (see [`open`]).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    late: Vec<Values>,
    #[serde(default)]
    public: serde_json::Value,
}

impl Versioned for Publication {
    fn version(&self) -> u32 {
        self.version
    }
}

/// The latest publication a device saw from one partner: its round and a digest of its file (a
/// partner rewrites their file only with a new round).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
struct Seen {
    round: u64,
    file: String,
}

/// A round a device finished, and what both partners chose in it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Finished {
    /// The round: both partners' nonces, in the order of their partner IDs.
    pub pair: String,
    pub both: BTreeSet<String>,
}

/// What a device keeps of one topic between runs: nothing the other partner may not see.
#[derive(Debug, Default, Clone, PartialEq, Serialize, Deserialize)]
struct Cache {
    version: u32,
    mine: Option<Seen>,
    theirs: Option<Seen>,
    result: Option<Finished>,
    /// This partner's open part as last published, should the folder lose it.
    #[serde(default)]
    public: Option<serde_json::Value>,
    /// A tag of what this partner chose under their current nonce, keyed with a secret of their
    /// own (so it says nothing to anyone else): a change of mind is noticed without recomputing.
    #[serde(default)]
    tag: Option<(String, String)>,
    /// The last file of each side this device opened and checked.
    #[serde(default)]
    known_mine: Option<Known>,
    #[serde(default)]
    known_theirs: Option<Known>,
}

impl Versioned for Cache {
    fn version(&self) -> u32 {
        self.version
    }
}

/// What one exchange gave this device.
#[derive(Debug, Clone, Default)]
pub struct Exchange {
    /// The last round this device finished, if it ever finished one.
    pub last: Option<Finished>,
    /// The latest round is not finished here yet: this device has not seen the other's values for
    /// it (they have not published, changed their mind, or this one just did).
    pub waiting: bool,
    /// The other partner has moved on from their side of the last finished round: their
    /// checked, signed publication carries a nonce that round was not made with, which they
    /// pick only when their choices change. Nothing of what they chose is learnt from it.
    pub they_changed: bool,
    /// The other partner's open part, from their checked publication.
    pub their_public: Option<serde_json::Value>,
    /// The result this run replaced with a newer round's: what was joint before.
    pub replaced: Option<Finished>,
    /// Rounds this partner's devices gave their turn in, finished only on this run once the other
    /// device published its late turn, older than the result it holds (see [`open`]).
    pub late: Vec<Finished>,
    /// For each round this partner's devices gave their turn in that the other device has moved on from
    /// without publishing its own turn of it: what this partner chose in that round. The other
    /// device may have learnt which of these it chose too; this one has not (see [`open`]).
    /// Each with its round (both nonces, as in [`Finished::pair`]).
    pub open: Vec<(String, BTreeSet<String>)>,
    /// A round kept open that this run no longer keeps, past [`MOST_OPEN`] (the oldest), as in
    /// `open`: what was joint in it can no longer be seen here.
    pub forgotten: Vec<(String, BTreeSet<String>)>,
    /// Files that failed a check, with why: reported, never trusted.
    pub problems: Vec<(PathBuf, String)>,
}

/// Starts every exchange of partner `me` on this device again from its first round: after the
/// other partner's key was replaced, neither what this device learnt with the previous key nor
/// `me`'s publications (sealed to it) count. The plan waits for a new round of both devices.
pub fn start_over(places: Places, me: &str) -> Result<()> {
    forget_here(places, me)?;
    let Ok(topics) = std::fs::read_dir(places.data.join(FOLDER)) else {
        return Ok(());
    };
    for t in topics.flatten() {
        let Some(topic) = t.file_name().to_str().map(str::to_owned) else {
            continue;
        };
        if !topic.bytes().all(|b| b.is_ascii_lowercase()) {
            continue;
        }
        let path = places.data.join(place(&topic, me));
        match std::fs::remove_file(&path) {
            Err(e) if e.kind() != std::io::ErrorKind::NotFound => return Err(Error::io(&path, e)),
            _ => {}
        }
    }
    Ok(())
}

/// [`start_over`] on this device alone: what it kept of `me`'s rounds is forgotten, and the
/// publications in the folder (another device of `me`'s, started over already) stay.
pub fn forget_here(places: Places, me: &str) -> Result<()> {
    let dir = places.config.join("joint").join(me);
    match std::fs::remove_dir_all(&dir) {
        Err(e) if e.kind() != std::io::ErrorKind::NotFound => Err(Error::io(&dir, e)),
        _ => Ok(()),
    }
}

pub fn place(topic: &str, partner: &str) -> String {
    format!("{FOLDER}/{topic}/{partner}.age")
}

fn cache_path(config: &Path, me: &str, topic: &str) -> PathBuf {
    config.join("joint").join(me).join(format!("{topic}.json"))
}

fn digest(universe: &[&str]) -> String {
    let mut h = Sha256::new();
    for item in universe {
        h.update(item.as_bytes());
        h.update([0]);
    }
    crypto::hex(&h.finalize()[..16])
}

/// The round's context: the topic and both nonces, in partner-ID order, and the universe.
fn context(topic: &str, party: &Party, mine: &str, theirs: &str, universe: &str) -> Vec<u8> {
    let (lo, hi) = pair_of(party, mine, theirs);
    format!("closer joint/1\0{topic}\0{lo}\0{hi}\0{universe}").into_bytes()
}

fn pair_of<'n>(party: &Party, mine: &'n str, theirs: &'n str) -> (&'n str, &'n str) {
    if party.me < party.other {
        (mine, theirs)
    } else {
        (theirs, mine)
    }
}

fn pair_name(party: &Party, mine: &str, theirs: &str) -> String {
    let (lo, hi) = pair_of(party, mine, theirs);
    format!("{lo}-{hi}")
}

/// What this partner chose in the round of `my` values, read back from their round one; `None`
/// when it has none yet.
fn chosen_then(
    party: &Party,
    topic: &Topic,
    digest: &str,
    my: &Values,
) -> Result<Option<BTreeSet<String>>> {
    let Some(peer) = my.peer.as_deref().filter(|_| !my.one.is_empty()) else {
        return Ok(None);
    };
    let ctx = context(topic.name, party, &my.nonce, peer, digest);
    let b = blinder(party, &ctx)?;
    let one = slots(&my.one).map_err(Error::invalid)?;
    let then = psi::chosen_in(&b, &ctx, topic.universe, &one)
        .map_err(|e| Error::invalid(e.to_string()))?;
    Ok(Some(
        topic
            .universe
            .iter()
            .zip(then)
            .filter(|(_, was)| *was)
            .map(|(item, _)| (*item).to_owned())
            .collect(),
    ))
}

/// The items both chose in the round of `my` and `their` values.
fn finish(
    party: &Party,
    topic: &Topic,
    digest: &str,
    my: &Values,
    their: &Values,
) -> Result<std::result::Result<BTreeSet<String>, String>> {
    let Some(then) = chosen_then(party, topic, digest, my)? else {
        return Ok(Err("no round to finish".into()));
    };
    let ctx = context(topic.name, party, &my.nonce, &their.nonce, digest);
    let b = blinder(party, &ctx)?;
    let (Ok(two), Ok(one)) = (slots(&their.two), slots(&their.one)) else {
        return Ok(Err("a value that is not 64 hex digits".into()));
    };
    Ok(
        psi::intersection(&b, topic.universe, |i| then.contains(i), &two, &one)
            .map(|both| both.into_iter().map(str::to_owned).collect())
            .map_err(|e| e.to_string()),
    )
}

fn blinder(party: &Party, context: &[u8]) -> Result<psi::Blinder> {
    psi::Blinder::from_seed(&party.keys.derive(context)).map_err(|e| Error::invalid(e.to_string()))
}

fn slots(values: &[String]) -> std::result::Result<Vec<psi::Slot>, String> {
    values
        .iter()
        .map(|v| crypto::unhex::<32>(v).ok_or_else(|| "a value that is not 64 hex digits".into()))
        .collect()
}

fn hexes(slots: &[psi::Slot]) -> Vec<String> {
    slots.iter().map(|s| crypto::hex(s)).collect()
}

fn nonce_ok(n: &str) -> bool {
    n.len() == 32
        && n.bytes()
            .all(|b| b.is_ascii_hexdigit() && !b.is_ascii_uppercase())
}

/// Reads and checks the publication of `author` for `topic`: `Ok(None)` when there is none,
/// `Err(why)` when there is one that cannot be trusted.
/// A file this device read before and checked, by a digest of its bytes, so that a file that has
/// not changed is not opened again.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
struct Known {
    file: String,
    publication: Publication,
    /// The other nonces this device saw for the same round from the same partner (their other
    /// devices' rounds it took in turn): none of them is a sibling any more.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    earlier: Vec<String>,
}

impl Known {
    /// What this device knows once it takes `publication` from `file`, after `old`.
    fn after(old: Option<&Known>, file: String, publication: Publication) -> Known {
        let mut earlier = Vec::new();
        if let Some(o) = old.filter(|o| o.publication.round == publication.round) {
            earlier.clone_from(&o.earlier);
            let nonce = &o.publication.cur.nonce;
            if *nonce != publication.cur.nonce && !earlier.contains(nonce) {
                earlier.push(nonce.clone());
            }
        }
        Known {
            file,
            publication,
            earlier,
        }
    }
}

fn file_digest(bytes: &[u8]) -> String {
    crypto::hex(&Sha256::digest(bytes)[..16])
}

fn read_publication(
    places: Places,
    party: &Party,
    topic: &Topic,
    author: &str,
    known: &Option<Known>,
) -> Result<std::result::Result<Option<(Publication, String)>, String>> {
    let rel = place(topic.name, author);
    let path = places.data.join(&rel);
    // Never followed if a link, never waited on if a pipe: another device put it there.
    let bytes = match crate::store::read_unfollowed(&path) {
        Ok(b) => b,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Ok(None)),
        Err(e) => {
            return match crate::store::read_error(&path, e) {
                Error::BadRecord { fault, .. } => Ok(Err(fault.to_string())),
                e => Err(e),
            };
        }
    };
    let file = file_digest(&bytes);
    if let Some(k) = known.as_ref().filter(|k| k.file == file) {
        return Ok(Ok(Some((k.publication.clone(), file))));
    }
    let read = open_publication(party, topic, author, &rel, &bytes)?;
    Ok(read.map(|p| p.map(|p| (p, file))))
}

fn open_publication(
    party: &Party,
    topic: &Topic,
    author: &str,
    rel: &str,
    bytes: &[u8],
) -> Result<std::result::Result<Option<Publication>, String>> {
    let keys_of = |id: &str| {
        if id == party.me {
            Some(party.keys.public())
        } else if id == party.other {
            Some(party.theirs.clone())
        } else {
            None
        }
    };
    let opened = match seal::open(party.keys, bytes, rel, keys_of) {
        Ok(o) => o,
        Err(e) => return Ok(Err(e.to_string())),
    };
    if opened.signer != author {
        return Ok(Err(format!(
            "it was written with the other partner's key, not by the partner it belongs to ({})",
            opened.signer
        )));
    }
    let p: Publication = match serde_json::from_slice(&opened.body) {
        Ok(p) => p,
        Err(e) => return Ok(Err(format!("it does not read as a round: {e}"))),
    };
    let n = topic.universe.len();
    let values_ok = |v: &Values| -> std::result::Result<(), String> {
        if !nonce_ok(&v.nonce) || v.peer.as_deref().is_some_and(|n| !nonce_ok(n)) {
            return Err("its nonces are not 32 hex digits".into());
        }
        if !(v.one.is_empty() || v.one.len() == n) || !(v.two.is_empty() || v.two.len() == n) {
            return Err(format!("it has the wrong number of values for {n} items"));
        }
        slots(&v.one).and(slots(&v.two)).map(|_| ())
    };
    let why = if p.version > FORMAT_VERSION {
        Err("it comes from a newer closer; update closer on this device".to_owned())
    } else if p.partner != author || p.topic != topic.name {
        Err("it says it belongs to another partner or topic".to_owned())
    } else if p.universe != digest(topic.universe) {
        Err("it was made with another step library; use the same closer on both devices".into())
    } else {
        let mut kept = p.open.iter().chain(&p.late);
        if p.open.len() > open::MOST || p.late.len() > open::MOST {
            Err("it keeps more rounds open than closer ever does".to_owned())
        } else {
            values_ok(&p.cur)
                .and(p.prev.as_ref().map_or(Ok(()), values_ok))
                .and(kept.try_for_each(values_ok))
        }
    };
    Ok(why.map(|()| Some(p)))
}

/// Whether the publication `p`, read from a file with digest `file`, is older than the one
/// `seen`, or claims its round with another file, unless it is a sibling of the one `known` (see
/// [`sibling`]).
fn replayed(p: &(Publication, String), seen: Option<&Seen>, known: Option<&Known>) -> bool {
    seen.is_some_and(|s| p.0.round < s.round || (p.0.round == s.round && p.1 != s.file))
        && !sibling(&p.0, seen, known)
}

/// Whether `p`, signed by its partner, is their round of the same number as the one this device
/// last saw from them (`seen`, `known`) made with another nonce: a round another of their devices
/// wrote before the two synced, as a nonce is new with each round a device writes. Taken as it
/// is, and this partner's own device publishes again from what it holds. An earlier version of
/// the round seen (the same nonce, or a nonce of that round this device took before) or an
/// earlier round is still a put-back.
fn sibling(p: &Publication, seen: Option<&Seen>, known: Option<&Known>) -> bool {
    matches!((seen, known), (Some(s), Some(k))
        if p.round == s.round && k.publication.round == s.round
            && k.publication.cur.nonce != p.cur.nonce && !k.earlier.contains(&p.cur.nonce))
}

/// Runs this device's part of `topic`'s exchange: finishes the current round if the other
/// device's values are there, publishes this partner's values for the latest round, and says
/// what is known. Writes only this partner's publication and this device's cache.
pub fn exchange(places: Places, party: &Party, topic: &Topic) -> Result<Exchange> {
    if topic.name.is_empty() || !topic.name.bytes().all(|b| b.is_ascii_lowercase()) {
        return Err(Error::invalid(format!("{:?} is not a topic", topic.name)));
    }
    let cpath = cache_path(places.config, party.me, topic.name);
    let old_cache: Cache = read_file(&cpath)?.unwrap_or_default();
    let mut cache = old_cache.clone();
    let mut out = Exchange::default();
    let mine_path = places.data.join(place(topic.name, party.me));
    let theirs_path = places.data.join(place(topic.name, party.other));

    let mine = match read_publication(places, party, topic, party.me, &cache.known_mine)? {
        // Only `start_over` deletes it, and with it what this device knew of it.
        Ok(None) if cache.known_mine.is_some() => {
            out.problems
                .push((mine_path.clone(), WRITTEN_AGAIN.to_owned()));
            None
        }
        Ok(Some(p)) if replayed(&p, cache.mine.as_ref(), cache.known_mine.as_ref()) => {
            out.problems.push((
                mine_path.clone(),
                format!(
                    "an earlier round of yours (round {} after {}) was put back: it is ignored and replaced",
                    p.0.round,
                    cache.mine.as_ref().map_or(0, |s| s.round)
                ),
            ));
            None
        }
        Ok(p) => p,
        Err(why) => {
            out.problems.push((
                mine_path.clone(),
                format!("{why}; it is ignored and replaced"),
            ));
            None
        }
    };
    let theirs = match read_publication(places, party, topic, party.other, &cache.known_theirs)? {
        Ok(Some(p)) if replayed(&p, cache.theirs.as_ref(), cache.known_theirs.as_ref()) => {
            out.problems.push((
                theirs_path.clone(),
                format!(
                    "an earlier round (round {} after {}) was put back: it is ignored",
                    p.0.round,
                    cache.theirs.as_ref().map_or(0, |s| s.round)
                ),
            ));
            None
        }
        Ok(None) if cache.theirs.is_some() => {
            out.problems.push((
                theirs_path.clone(),
                "the other device's round has gone from the folder".into(),
            ));
            None
        }
        Ok(p) => p,
        Err(why) => {
            out.problems
                .push((theirs_path.clone(), format!("{why}; it is ignored")));
            None
        }
    };
    // A file that failed its checks is set aside for the last one this device accepted, so that
    // nothing moves; this partner's own is written again.
    let last_accepted = |known: &Option<Known>, seen: &Option<Seen>| {
        known
            .as_ref()
            .filter(|k| seen.as_ref().is_some_and(|s| s.file == k.file))
            .map(|k| (k.publication.clone(), k.file.clone()))
    };
    let rewrite = mine.is_none() && cache.known_mine.is_some();
    let mine = mine.or_else(|| last_accepted(&cache.known_mine, &cache.mine));
    let theirs = theirs.or_else(|| last_accepted(&cache.known_theirs, &cache.theirs));
    if let Some((p, file)) = &mine {
        cache.known_mine = Some(Known::after(
            cache.known_mine.as_ref(),
            file.clone(),
            p.clone(),
        ));
    }
    if let Some((p, file)) = &theirs {
        cache.known_theirs = Some(Known::after(
            cache.known_theirs.as_ref(),
            file.clone(),
            p.clone(),
        ));
    }
    let (mine, mut mine_file) = mine.map_or((None, None), |(p, f)| (Some(p), Some(f)));
    let (theirs, theirs_file) = theirs.map_or((None, None), |(p, f)| (Some(p), Some(f)));
    let my_digest = digest(topic.universe);

    // Finish the newest round both sides have values for, with the choices this partner made in
    // it (read back from their own round one, so a change of mind since does not matter).
    if let (Some(m), Some(t)) = (&mine, &theirs) {
        let combos = [
            (Some(&m.cur), Some(&t.cur)),
            (Some(&m.cur), t.prev.as_ref()),
            (m.prev.as_ref(), Some(&t.cur)),
            (m.prev.as_ref(), t.prev.as_ref()),
        ];
        let ready = combos.into_iter().find_map(|c| match c {
            (Some(my), Some(their))
                if my.peer.as_deref() == Some(their.nonce.as_str())
                    && their.peer.as_deref() == Some(my.nonce.as_str())
                    && !my.one.is_empty()
                    && !their.one.is_empty()
                    && !their.two.is_empty() =>
            {
                Some((my, their))
            }
            _ => None,
        });
        if let Some((my, their)) = ready {
            let pair = pair_name(party, &my.nonce, &their.nonce);
            if cache.result.as_ref().map(|r| &r.pair) != Some(&pair) {
                match finish(party, topic, &my_digest, my, their)? {
                    Ok(both) => cache.result = Some(Finished { pair, both }),
                    Err(why) => out
                        .problems
                        .push((theirs_path.clone(), format!("{why}; it is ignored"))),
                }
            }
        }
    }

    // Rounds this partner's devices gave their turn in, as their last trusted publication keeps
    // them open, finished now that the other's late turn is here.
    let mut given = mine.as_ref().map(|m| m.open.clone()).unwrap_or_default();
    let (late, why) = open::finish_given(
        party,
        topic,
        &my_digest,
        &mut given,
        theirs.as_ref(),
        cache.result.as_ref(),
    )?;
    out.late = late;
    out.problems.extend(
        why.into_iter()
            .map(|w| (theirs_path.clone(), format!("{w}; it is ignored"))),
    );

    // This partner's values for the latest round: a new nonce when there is no round yet or the
    // choices changed since the current one was published.
    let fresh = || -> Result<String> {
        crypto::random::<16>()
            .map(|b| crypto::hex(&b))
            .map_err(|e| Error::invalid(e.to_string()))
    };
    let peer = theirs.as_ref().map(|t| t.cur.nonce.clone());
    let tag_of = |nonce: &str| {
        let key = party
            .keys
            .derive(format!("closer joint tag\0{}\0{nonce}", topic.name).as_bytes());
        let mut h = Sha256::new().chain_update(key);
        for item in topic.chosen {
            h.update(item.as_bytes());
            h.update([0]);
        }
        crypto::hex(&h.finalize()[..16])
    };
    let nonce = match &mine {
        Some(m) => {
            let changed = match &cache.tag {
                Some((n, tag)) if *n == m.cur.nonce => *tag != tag_of(n),
                _ => chosen_then(party, topic, &my_digest, &m.cur)?
                    .is_some_and(|then| then != *topic.chosen),
            };
            if changed {
                fresh()?
            } else {
                m.cur.nonce.clone()
            }
        }
        None => fresh()?,
    };
    let same_round = mine
        .as_ref()
        .filter(|m| m.cur.nonce == nonce && m.cur.peer == peer && !m.cur.one.is_empty());
    let (one, two) = match &peer {
        None => (Vec::new(), Vec::new()),
        // The values of a round do not change: reuse them rather than compute them again.
        Some(_) if same_round.is_some_and(|m| !m.cur.two.is_empty()) => {
            let m = same_round.expect("checked");
            (m.cur.one.clone(), m.cur.two.clone())
        }
        // Waiting for their answer to this round: nothing to compute.
        Some(_)
            if same_round.is_some()
                && !theirs.as_ref().is_some_and(|t| {
                    t.cur.peer.as_deref() == Some(nonce.as_str()) && !t.cur.one.is_empty()
                }) =>
        {
            (same_round.expect("checked").cur.one.clone(), Vec::new())
        }
        Some(pn) => {
            let ctx = context(topic.name, party, &nonce, pn, &my_digest);
            let b = blinder(party, &ctx)?;
            let one = match same_round {
                Some(m) => m.cur.one.clone(),
                None => hexes(
                    &psi::publish(&b, &ctx, topic.universe, |i| topic.chosen.contains(i))
                        .map_err(|e| Error::invalid(e.to_string()))?,
                ),
            };
            let two = match &theirs {
                Some(t)
                    if t.cur.peer.as_deref() == Some(nonce.as_str()) && !t.cur.one.is_empty() =>
                {
                    // Checked when read: every value is 64 hex digits.
                    match psi::reblind(&b, &slots(&t.cur.one).unwrap_or_default()) {
                        Ok(two) => hexes(&two),
                        Err(why) => {
                            out.problems
                                .push((theirs_path.clone(), format!("{why}; it is ignored")));
                            Vec::new()
                        }
                    }
                }
                _ => Vec::new(),
            };
            (one, two)
        }
    };
    let cur = Values {
        nonce: nonce.clone(),
        peer: peer.clone(),
        one,
        two,
    };
    let prev = match &mine {
        Some(m)
            if (&m.cur.nonce, &m.cur.peer) != (&cur.nonce, &cur.peer) && !m.cur.one.is_empty() =>
        {
            Some(m.cur.clone())
        }
        Some(m) => m.prev.clone(),
        None => None,
    };
    // A folder in this partner's place is not removed (another device put it there, with
    // whatever is in it): this device's turn waits until it is gone.
    let blocked = std::fs::symlink_metadata(&mine_path).is_ok_and(|m| m.is_dir());
    let latest_pair = peer.as_deref().map(|pn| pair_name(party, &nonce, pn));
    // A turn not published is not given.
    let dropped = open::keep(
        &mut given,
        &cur,
        blocked || cache.result.as_ref().map(|r| &r.pair) == latest_pair.as_ref(),
    );
    if let Some(d) = &dropped {
        out.forgotten
            .extend(open::chosen_in_dropped(party, topic, &my_digest, d)?);
    }
    out.open = open::left_open(party, topic, &my_digest, &given, theirs.as_ref())?;
    let kept = given;
    let answered: Vec<&Values> = std::iter::once(&cur).chain(&prev).chain(&kept).collect();
    let late = match open::late_turns(party, topic, &my_digest, &answered, theirs.as_ref())? {
        Ok(late) => late,
        Err(why) => {
            out.problems
                .push((theirs_path.clone(), format!("{why}; it is ignored")));
            Vec::new()
        }
    };
    let last_round = mine
        .as_ref()
        .map(|m| m.round)
        .max(cache.mine.as_ref().map(|s| s.round))
        .unwrap_or(0);
    let mut next = Publication {
        version: FORMAT_VERSION,
        topic: topic.name.to_owned(),
        partner: party.me.to_owned(),
        round: last_round,
        universe: my_digest,
        cur,
        prev,
        open: kept,
        late,
        public: topic.public.clone(),
    };
    if blocked {
        out.problems.retain(|(p, _)| *p != mine_path);
        out.problems.push((
            mine_path.clone(),
            format!(
                "{}; this device takes its turn once it is gone, and what you both chose stays as it was",
                crate::store::FOLDER
            ),
        ));
    }
    if !blocked && (rewrite || mine.as_ref() != Some(&next)) {
        next.round = last_round + 1;
        let rel = place(topic.name, party.me);
        let body = serde_json::to_vec(&next).map_err(|e| Error::invalid(e.to_string()))?;
        let sealed = seal::seal(
            party.keys,
            party.me,
            &rel,
            &body,
            &[&party.keys.public(), party.theirs],
        )
        .map_err(|e| Error::invalid(e.to_string()))?;
        Store::new(places.data).ensure_dir(&format!("{FOLDER}/{}", topic.name))?;
        write_atomic(&mine_path, &sealed)?;
        let file = file_digest(&sealed);
        mine_file = Some(file.clone());
        cache.known_mine = Some(Known::after(cache.known_mine.as_ref(), file, next.clone()));
    }

    cache.version = FORMAT_VERSION;
    cache.mine = mine_file.map(|file| Seen {
        round: next.round,
        file,
    });
    // As it reads back: a `null` is kept as no value (else it would differ every run, and the
    // cache be written again each time).
    cache.public = Some(next.public.clone()).filter(|p| !p.is_null());
    cache.tag = Some((nonce.clone(), tag_of(&nonce)));
    if let (Some(t), Some(file)) = (&theirs, theirs_file) {
        cache.theirs = Some(Seen {
            round: t.round,
            file,
        });
    }
    if cache != old_cache {
        let dir = cpath.parent().expect("a cache file has a folder");
        Store::new(dir).ensure_dir("")?;
        let bytes = cache.encode().map_err(|e| Error::invalid(e.to_string()))?;
        write_atomic(&cpath, &bytes)?;
    }

    out.waiting =
        latest_pair.is_none() || cache.result.as_ref().map(|r| &r.pair) != latest_pair.as_ref();
    out.replaced = old_cache
        .result
        .filter(|old| cache.result.as_ref().is_some_and(|r| r.pair != old.pair));
    out.they_changed = match (&theirs, &cache.result) {
        (Some(t), Some(r)) => !r.pair.split('-').any(|n| n == t.cur.nonce),
        _ => false,
    };
    out.last = cache.result;
    out.their_public = theirs.map(|t| t.public);
    Ok(out)
}

/// This partner's open part of `topic` as last published: from the folder, or from this device's
/// cache when the folder's copy is missing, older than the cache, or fails its checks.
pub fn published_public(
    places: Places,
    party: &Party,
    topic: &Topic,
) -> Result<Option<serde_json::Value>> {
    let cache: Cache =
        read_file(&cache_path(places.config, party.me, topic.name))?.unwrap_or_default();
    Ok(
        match read_publication(places, party, topic, party.me, &cache.known_mine)? {
            Ok(Some(p)) if !replayed(&p, cache.mine.as_ref(), cache.known_mine.as_ref()) => {
                Some(p.0.public)
            }
            _ => cache.public,
        },
    )
}
