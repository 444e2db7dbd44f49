//! Private set intersection over ristretto255: two partners learn which items they both chose
//! (steps both said yes to, both ready, both opted in) and nothing else about each other's
//! choices, exchanging two rounds of values through the synced folder.
//!
//! Round one: each partner publishes one slot per item of the shared universe, in its order:
//! the item hashed to the group and raised to a fresh secret scalar where they chose it, a
//! random group element where they did not. Under the decisional Diffie–Hellman assumption the
//! two look alike, so a publication shows neither the choices nor how many there are.
//! Round two: each raises the other's slots to their own secret and publishes them, in order.
//! Then each compares their own items, now raised to both secrets, with the other's slots raised
//! to their own secret: equal values are items both chose. A random slot never matches.
//!
//! Each round must use a fresh [`Blinder`]; publications are exchanged sealed and signed (see
//! [`super::seal`]) with a round nonce in their context, so old rounds cannot be replayed.

use super::{CryptoError, Result, random};
use curve25519_dalek::ristretto::{CompressedRistretto, RistrettoPoint};
use curve25519_dalek::scalar::Scalar;
use sha2::{Digest, Sha512};
use std::collections::HashSet;

/// One compressed group element.
pub type Slot = [u8; 32];

/// A partner's secret scalar for one round, and the seed of the random-looking values it
/// publishes for items not chosen. Never stored in the data folder, never reused across rounds.
pub struct Blinder {
    scalar: Scalar,
    seed: [u8; 64],
}

impl std::fmt::Debug for Blinder {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Blinder(…)")
    }
}

impl Blinder {
    /// A blinder from the operating system's randomness.
    pub fn new() -> Result<Blinder> {
        Blinder::from_seed(&random::<64>()?)
    }

    /// The blinder a secret seed gives, always the same for the same seed: a device derives the
    /// seed of a round from its partner's key and the round's nonces, so that it can finish a
    /// round on a later run without keeping the secret anywhere (see [`super::Keys::derive`]).
    /// The values published for items not chosen come from the seed too, so publishing again
    /// the same choices in the same round gives the very same values and shows nothing new.
    pub fn from_seed(seed: &[u8; 64]) -> Result<Blinder> {
        let wide: [u8; 64] = Sha512::new()
            .chain_update(b"closer psi scalar\0")
            .chain_update(seed)
            .finalize()
            .into();
        let scalar = Scalar::from_bytes_mod_order_wide(&wide);
        // Zero has probability 2^-252; refuse it rather than publish the identity.
        if scalar == Scalar::ZERO {
            return Err(CryptoError::NoRandomness("a zero scalar".into()));
        }
        Ok(Blinder {
            scalar,
            seed: *seed,
        })
    }

    /// The value published in slot `i` when its item is not chosen: a group element no one
    /// without the seed can tell from a blinded item.
    fn filler(&self, i: usize) -> RistrettoPoint {
        let wide: [u8; 64] = Sha512::new()
            .chain_update(b"closer psi filler\0")
            .chain_update(self.seed)
            .chain_update((i as u64).to_le_bytes())
            .finalize()
            .into();
        RistrettoPoint::from_uniform_bytes(&wide)
    }
}

/// An item hashed to the group, separated by `context` (the topic and the round's nonce).
fn hash_item(context: &[u8], item: &str) -> RistrettoPoint {
    let mut input = Vec::with_capacity(context.len() + item.len() + 24);
    input.extend_from_slice(b"closer psi/1\0");
    input.extend_from_slice(&(context.len() as u64).to_le_bytes());
    input.extend_from_slice(context);
    input.extend_from_slice(item.as_bytes());
    RistrettoPoint::hash_from_bytes::<Sha512>(&input)
}

fn decode(slot: &Slot) -> Result<RistrettoPoint> {
    CompressedRistretto(*slot)
        .decompress()
        .filter(|p| *p != RistrettoPoint::default())
        .ok_or_else(|| CryptoError::Malformed("a value that is not a group element".into()))
}

/// Round one: a slot per item of `universe`, blinded where `chosen` says so, random elsewhere.
pub fn publish(
    blinder: &Blinder,
    context: &[u8],
    universe: &[&str],
    chosen: impl Fn(&str) -> bool,
) -> Result<Vec<Slot>> {
    universe
        .iter()
        .enumerate()
        .map(|(i, item)| {
            let p = if chosen(item) {
                hash_item(context, item) * blinder.scalar
            } else {
                blinder.filler(i)
            };
            Ok(p.compress().to_bytes())
        })
        .collect()
}

/// Which items a round one published with `blinder` chose: those whose slot is the blinded item
/// rather than the filler. Lets a device finish a round with the choices it made then, even if
/// its partner has changed their mind since.
pub fn chosen_in(
    blinder: &Blinder,
    context: &[u8],
    universe: &[&str],
    published: &[Slot],
) -> Result<Vec<bool>> {
    if published.len() != universe.len() {
        return Err(CryptoError::Malformed(format!(
            "{} values for {} items",
            published.len(),
            universe.len()
        )));
    }
    Ok(universe
        .iter()
        .zip(published)
        .map(|(item, slot)| {
            (hash_item(context, item) * blinder.scalar)
                .compress()
                .to_bytes()
                == *slot
        })
        .collect())
}

/// Round two: the other partner's slots raised to this partner's secret, in their order.
pub fn reblind(blinder: &Blinder, theirs: &[Slot]) -> Result<Vec<Slot>> {
    theirs
        .iter()
        .map(|s| Ok((decode(s)? * blinder.scalar).compress().to_bytes()))
        .collect()
}

/// The items of `universe` both partners chose. `chosen` is this partner's own choice (only
/// those items can ever be joint, whatever the other partner sends); `mine_reblinded` is the
/// other partner's round two over this partner's round one; `theirs` is their round one.
pub fn intersection<'u>(
    blinder: &Blinder,
    universe: &[&'u str],
    chosen: impl Fn(&str) -> bool,
    mine_reblinded: &[Slot],
    theirs: &[Slot],
) -> Result<Vec<&'u str>> {
    if mine_reblinded.len() != universe.len() || theirs.len() != universe.len() {
        return Err(CryptoError::Malformed(format!(
            "{} and {} values for {} items",
            mine_reblinded.len(),
            theirs.len(),
            universe.len()
        )));
    }
    let theirs: HashSet<Slot> = reblind(blinder, theirs)?.into_iter().collect();
    let mut both = Vec::new();
    for (item, slot) in universe.iter().zip(mine_reblinded) {
        decode(slot)?;
        if chosen(item) && theirs.contains(slot) {
            both.push(*item);
        }
    }
    Ok(both)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeSet;

    /// Both partners' view of one exchange, as two devices would run it.
    fn exchange<'u>(
        universe: &[&'u str],
        a: &BTreeSet<&str>,
        b: &BTreeSet<&str>,
    ) -> (Vec<&'u str>, Vec<&'u str>) {
        let ctx = b"touch-plan yes, round 7f3a";
        let (ka, kb) = (Blinder::new().unwrap(), Blinder::new().unwrap());
        let pa = publish(&ka, ctx, universe, |i| a.contains(i)).unwrap();
        let pb = publish(&kb, ctx, universe, |i| b.contains(i)).unwrap();
        let ra = reblind(&ka, &pb).unwrap();
        let rb = reblind(&kb, &pa).unwrap();
        (
            intersection(&ka, universe, |i| a.contains(i), &rb, &pb).unwrap(),
            intersection(&kb, universe, |i| b.contains(i), &ra, &pa).unwrap(),
        )
    }

    /// A small deterministic generator, so the property test needs no extra crate and a failure
    /// can be replayed from its case number.
    struct XorShift(u64);
    impl XorShift {
        fn next(&mut self) -> u64 {
            self.0 ^= self.0 << 13;
            self.0 ^= self.0 >> 7;
            self.0 ^= self.0 << 17;
            self.0
        }
    }

    #[test]
    fn both_partners_learn_exactly_the_plain_intersection_over_1000_random_pairs() {
        let names: Vec<String> = (0..24).map(|i| format!("s{}-step-{i}", i / 4)).collect();
        let universe: Vec<&str> = names.iter().map(String::as_str).collect();
        let mut rng = XorShift(0x9e37_79b9_7f4a_7c15);
        for case in 0..1000 {
            let (ma, mb) = (rng.next(), rng.next());
            let a: BTreeSet<&str> = (0..universe.len())
                .filter(|i| ma >> i & 1 == 1)
                .map(|i| universe[i])
                .collect();
            let b: BTreeSet<&str> = (0..universe.len())
                .filter(|i| mb >> i & 1 == 1)
                .map(|i| universe[i])
                .collect();
            let plain: Vec<&str> = a.intersection(&b).copied().collect();
            let (seen_a, seen_b) = exchange(&universe, &a, &b);
            assert_eq!(
                seen_a.iter().copied().collect::<BTreeSet<_>>(),
                plain.iter().copied().collect::<BTreeSet<_>>(),
                "case {case}"
            );
            assert_eq!(seen_a, seen_b, "case {case}");
        }
    }

    #[test]
    fn a_publication_looks_the_same_whatever_was_chosen() {
        let universe = ["s0-sit-close", "s1-hold-hands", "s5-no-goal"];
        let k = Blinder::new().unwrap();
        let all = publish(&k, b"c", &universe, |_| true).unwrap();
        let none = publish(&k, b"c", &universe, |_| false).unwrap();
        assert_eq!(all.len(), none.len());
        // Every slot, chosen or not, is a valid, distinct group element.
        let mut seen = HashSet::new();
        for s in all.iter().chain(&none) {
            assert!(decode(s).is_ok());
            assert!(seen.insert(*s));
        }
    }

    #[test]
    fn the_same_seed_publishes_the_same_values_and_its_choices_can_be_read_back() {
        let universe = ["s0-sit-close", "s1-hold-hands", "s5-no-goal"];
        let seed = [7u8; 64];
        let chosen = |i: &str| i != "s1-hold-hands";
        let p1 = publish(&Blinder::from_seed(&seed).unwrap(), b"c", &universe, chosen).unwrap();
        let p2 = publish(&Blinder::from_seed(&seed).unwrap(), b"c", &universe, chosen).unwrap();
        // Publishing again shows nothing new: not even which slots are fillers.
        assert_eq!(p1, p2);
        let k = Blinder::from_seed(&seed).unwrap();
        assert_eq!(
            chosen_in(&k, b"c", &universe, &p1).unwrap(),
            vec![true, false, true]
        );
        // Another seed reads nothing as chosen.
        let other = Blinder::from_seed(&[8u8; 64]).unwrap();
        assert_eq!(
            chosen_in(&other, b"c", &universe, &p1).unwrap(),
            vec![false; 3]
        );
    }

    #[test]
    fn a_new_round_shares_no_value_with_the_last() {
        let universe = ["s1-hold-hands"];
        let a = publish(&Blinder::new().unwrap(), b"round 1", &universe, |_| true).unwrap();
        let b = publish(&Blinder::new().unwrap(), b"round 2", &universe, |_| true).unwrap();
        assert_ne!(a, b);
    }

    #[test]
    fn values_from_another_round_do_not_match() {
        let universe = ["s1-hold-hands"];
        let (ka, kb) = (Blinder::new().unwrap(), Blinder::new().unwrap());
        let pa = publish(&ka, b"round 2", &universe, |_| true).unwrap();
        let old_pb = publish(&kb, b"round 1", &universe, |_| true).unwrap();
        let rb = reblind(&kb, &pa).unwrap();
        assert!(
            intersection(&ka, &universe, |_| true, &rb, &old_pb)
                .unwrap()
                .is_empty()
        );
    }

    #[test]
    fn a_partner_who_copies_values_cannot_make_a_step_joint_that_you_did_not_choose() {
        // A said no to s5 (a random slot). B waits for A's rounds and sends back A's own values
        // so that they compare equal.
        let universe = ["s1-hold-hands", "s5-no-goal"];
        let ka = Blinder::new().unwrap();
        let chosen_a = |i: &str| i == "s1-hold-hands";
        let pa = publish(&ka, b"c", &universe, chosen_a).unwrap();
        let pb = vec![pa[1], pa[0]];
        let ra = reblind(&ka, &pb).unwrap(); // A's honest round two, published
        let forged_rb = vec![ra[1], ra[0]];
        let joint = intersection(&ka, &universe, chosen_a, &forged_rb, &pb).unwrap();
        assert!(!joint.contains(&"s5-no-goal"));
    }

    #[test]
    fn garbage_and_wrong_lengths_are_refused() {
        let universe = ["s1-hold-hands", "s2-foot-massage"];
        let k = Blinder::new().unwrap();
        assert!(reblind(&k, &[[0xff; 32]]).is_err());
        // The identity element would make every answer look alike; it is refused too.
        assert!(reblind(&k, &[[0; 32]]).is_err());
        let p = publish(&k, b"c", &universe, |_| true).unwrap();
        assert!(intersection(&k, &universe, |_| true, &p[..1], &p).is_err());
    }
}
