//! Rounds one device gave its turn in and the other has not finished: no round can be finished
//! quietly on one side only.
//!
//! Giving one's turn in a round (publishing the other's values blinded again) lets the other
//! device compute that round's joint result, on any copy of the folder; this device learns it
//! only once the other publishes its own turn. So a partner's publication keeps every round
//! their devices gave their turn in and have not finished yet (`open`), until the other
//! device's turn of it is there: each device of theirs takes the open rounds from the last
//! publication of theirs it trusted (its own or their other device's, signed with the same key)
//! and writes them again, so a partner with two devices keeps one list whichever device writes,
//! and either finishes a round the other left open. A device that sees such a round of the other's, which it
//! has moved on from, takes its turn of it late (`late` in its publication), on whatever run
//! first sees it: the program cannot read a newer round of the other's without answering the
//! old one. The device that gave its turn then finishes the old round; what was joint in it and
//! is no longer is a change both partners are told of. While the other device has moved on
//! without its turn of such a round, this device tells its own partner what they chose in it,
//! which the other device may have learnt it chose too.

use super::{Finished, Party, Publication, Topic, Values, blinder, context, hexes, slots};
use crate::crypto::psi;
use crate::error::Result;
use std::collections::BTreeSet;

/// At most this many rounds kept open, and late turns, in one publication: past it the oldest
/// open round is no longer kept, and this partner is told (closer never gets there with two
/// devices taking turns).
pub(super) const MOST: usize = 16;

fn same_round(a: &Values, b: &Values) -> bool {
    a.nonce == b.nonce && a.peer == b.peer
}

/// The other side's values for the round of `mine`: with their turn, from any part of their
/// publication.
fn their_turn<'p>(theirs: &'p Publication, mine: &Values) -> Option<&'p Values> {
    std::iter::once(&theirs.cur)
        .chain(&theirs.prev)
        .chain(&theirs.late)
        .chain(&theirs.open)
        .find(|v| {
            Some(v.nonce.as_str()) == mine.peer.as_deref()
                && v.peer.as_deref() == Some(mine.nonce.as_str())
                && !v.two.is_empty()
        })
}

/// The items both chose in the kept round of `mine`, with the other side's turn `their_two`.
/// `mine.two` is the other's round one blinded again by this partner, so the items both chose
/// are those this partner chose whose value in `their_two` is among `mine.two`: the same as
/// [`super::finish`] with the other's round one, which the other may no longer publish.
fn finish_kept(
    party: &Party,
    topic: &Topic,
    digest: &str,
    mine: &Values,
    their_two: &[String],
) -> Result<std::result::Result<BTreeSet<String>, String>> {
    let Some(then) = super::chosen_then(party, topic, digest, mine)? else {
        return Ok(Err("no round to finish".into()));
    };
    if their_two.len() != topic.universe.len() || mine.two.len() != topic.universe.len() {
        return Ok(Err("it has the wrong number of values".into()));
    }
    let doubly: BTreeSet<&String> = mine.two.iter().collect();
    Ok(Ok(topic
        .universe
        .iter()
        .zip(their_two)
        .filter(|(item, v)| then.contains(**item) && doubly.contains(v))
        .map(|(item, _)| (*item).to_owned())
        .collect()))
}

/// Finishes every kept round whose other turn is now in `theirs` and forgets it, as it does a
/// round that is `result`. Returns the rounds finished here that are not `result`, and the
/// problems met.
pub(super) fn finish_given(
    party: &Party,
    topic: &Topic,
    digest: &str,
    given: &mut Vec<Values>,
    theirs: Option<&Publication>,
    result: Option<&Finished>,
) -> Result<(Vec<Finished>, Vec<String>)> {
    let (mut late, mut problems) = (Vec::new(), Vec::new());
    let mut kept = Vec::new();
    for g in given.drain(..) {
        let pair = super::pair_name(party, &g.nonce, g.peer.as_deref().unwrap_or(""));
        if result.is_some_and(|r| r.pair == pair) {
            continue;
        }
        let Some(turn) = theirs.and_then(|t| their_turn(t, &g)) else {
            kept.push(g);
            continue;
        };
        match finish_kept(party, topic, digest, &g, &turn.two)? {
            Ok(both) => late.push(Finished { pair, both }),
            Err(why) => problems.push(why),
        }
    }
    *given = kept;
    Ok((late, problems))
}

/// Keeps the round of `cur` when this partner gave their turn in it and has not finished it.
/// Returns the oldest round kept, when keeping this one takes the list past [`MOST`]: it is no
/// longer kept, and so can no longer be finished here.
pub(super) fn keep(given: &mut Vec<Values>, cur: &Values, finished: bool) -> Option<Values> {
    if cur.two.is_empty() || finished || given.iter().any(|g| same_round(g, cur)) {
        return None;
    }
    given.push(cur.clone());
    (given.len() > MOST).then(|| given.remove(0))
}

/// What this partner chose in a round no longer kept open, with the round.
pub(super) fn chosen_in_dropped(
    party: &Party,
    topic: &Topic,
    digest: &str,
    dropped: &Values,
) -> Result<Option<(String, BTreeSet<String>)>> {
    let pair = super::pair_name(party, &dropped.nonce, dropped.peer.as_deref().unwrap_or(""));
    Ok(super::chosen_then(party, topic, digest, dropped)?.map(|then| (pair, then)))
}

/// What this partner chose in each kept round the other device has moved on from.
pub(super) fn left_open(
    party: &Party,
    topic: &Topic,
    digest: &str,
    given: &[Values],
    theirs: Option<&Publication>,
) -> Result<Vec<(String, BTreeSet<String>)>> {
    let Some(t) = theirs else {
        return Ok(Vec::new());
    };
    let mut out = Vec::new();
    for g in given
        .iter()
        .filter(|g| g.peer.as_deref() != Some(t.cur.nonce.as_str()))
    {
        if let Some(then) = super::chosen_then(party, topic, digest, g)? {
            let pair = super::pair_name(party, &g.nonce, g.peer.as_deref().unwrap_or(""));
            out.push((pair, then));
        }
    }
    Ok(out)
}

/// This partner's late turns: for every round the other side keeps open that `mine` (this
/// partner's values about to be published) has no turn of, their values blinded again.
pub(super) fn late_turns(
    party: &Party,
    topic: &Topic,
    digest: &str,
    mine: &[&Values],
    theirs: Option<&Publication>,
) -> Result<std::result::Result<Vec<Values>, String>> {
    let Some(t) = theirs else {
        return Ok(Ok(Vec::new()));
    };
    let mut out = Vec::new();
    for v in t.open.iter().take(MOST) {
        let Some(nonce) = v.peer.as_deref() else {
            continue;
        };
        let answered = mine.iter().any(|m| {
            m.nonce == nonce && m.peer.as_deref() == Some(v.nonce.as_str()) && !m.two.is_empty()
        });
        if answered || v.one.is_empty() {
            continue;
        }
        let ctx = context(topic.name, party, nonce, &v.nonce, digest);
        let b = blinder(party, &ctx)?;
        // Checked when read: every value is 64 hex digits.
        let two = match psi::reblind(&b, &slots(&v.one).unwrap_or_default()) {
            Ok(two) => hexes(&two),
            Err(why) => return Ok(Err(why.to_string())),
        };
        out.push(Values {
            nonce: nonce.to_owned(),
            peer: Some(v.nonce.clone()),
            one: Vec::new(),
            two,
        });
    }
    Ok(Ok(out))
}
