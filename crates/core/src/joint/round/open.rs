//! Rounds one device gave its turn in and the other has not finished: no round can be finished
//! quietly on one side only.
//!
//! Giving one's turn in a round (publishing the other's values blinded again) lets the other
//! device compute that round's joint result, on any copy of the folder; this device learns it
//! only once the other publishes its own turn. So a device keeps every round it gave its turn in
//! and has not finished yet, in its cache and in each of its publications (`open`), until the
//! other device's turn of it is there. A device that sees such a round of the other's, which it
//! has moved on from, takes its turn of it late (`late` in its publication), on whatever run
//! first sees it: the program cannot read a newer round of the other's without answering the
//! old one. The device that gave its turn then finishes the old round; what was joint in it and
//! is no longer is a change both partners are told of. While the other device has moved on
//! without its turn of such a round, this device tells its own partner what they chose in it,
//! which the other device may have learnt it chose too.

use super::{Finished, Party, Publication, Topic, Values, blinder, context, finish, hexes, slots};
use crate::crypto::psi;
use crate::error::Result;
use serde::{Deserialize, Serialize};
use std::collections::BTreeSet;

/// At most this many rounds kept open, and late turns, in one publication: the oldest open
/// round is forgotten past it (closer never gets there with two devices taking turns).
pub(super) const MOST: usize = 16;

/// A round this device gave its turn in and has not finished: its own values (with its turn)
/// and the other partner's round one it blinded again.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub(super) struct Given {
    mine: Values,
    theirs: Vec<String>,
}

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

/// Finishes every kept round whose other turn is now in `theirs` and forgets it, as it does a
/// round that is `result`. Returns the rounds finished here that are not `result`, and the
/// problems met.
pub(super) fn finish_given(
    party: &Party,
    topic: &Topic,
    digest: &str,
    given: &mut Vec<Given>,
    theirs: Option<&Publication>,
    result: Option<&Finished>,
) -> Result<(Vec<Finished>, Vec<String>)> {
    let (mut late, mut problems) = (Vec::new(), Vec::new());
    let mut kept = Vec::new();
    for g in given.drain(..) {
        let pair = super::pair_name(party, &g.mine.nonce, g.mine.peer.as_deref().unwrap_or(""));
        if result.is_some_and(|r| r.pair == pair) {
            continue;
        }
        let Some(turn) = theirs.and_then(|t| their_turn(t, &g.mine)) else {
            kept.push(g);
            continue;
        };
        let their = Values {
            one: g.theirs.clone(),
            ..turn.clone()
        };
        match finish(party, topic, digest, &g.mine, &their)? {
            Ok(both) => late.push(Finished { pair, both }),
            Err(why) => problems.push(why),
        }
    }
    *given = kept;
    Ok((late, problems))
}

/// Keeps the round of `cur` when this device gave its turn in it (`theirs_one` is the other's
/// round one it blinded again) and has not finished it.
pub(super) fn keep(given: &mut Vec<Given>, cur: &Values, theirs_one: &[String], finished: bool) {
    if cur.two.is_empty() || finished || given.iter().any(|g| same_round(&g.mine, cur)) {
        return;
    }
    given.push(Given {
        mine: cur.clone(),
        theirs: theirs_one.to_vec(),
    });
    if given.len() > MOST {
        given.remove(0);
    }
}

/// What this partner chose in each kept round the other device has moved on from.
pub(super) fn left_open(
    party: &Party,
    topic: &Topic,
    digest: &str,
    given: &[Given],
    theirs: Option<&Publication>,
) -> Result<Vec<BTreeSet<String>>> {
    let Some(t) = theirs else {
        return Ok(Vec::new());
    };
    let mut out = Vec::new();
    for g in given
        .iter()
        .filter(|g| g.mine.peer.as_deref() != Some(t.cur.nonce.as_str()))
    {
        if let Some(then) = super::chosen_then(party, topic, digest, &g.mine)? {
            out.push(then);
        }
    }
    Ok(out)
}

/// The rounds to publish as kept open.
pub(super) fn published(given: &[Given]) -> Vec<Values> {
    given.iter().map(|g| g.mine.clone()).collect()
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
