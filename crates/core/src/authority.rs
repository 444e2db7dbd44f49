//! Who a device may act for. A partner's key on the device is what lets it speak for them: only
//! the author changes their own facts (design: "Who may do what"), so changing a partner's
//! profile, taking them out of the couple and replacing their lost key each need that partner's
//! key here, or, for a new key, a device that is nobody else's. The edge gathers what the device
//! holds; the rule and what to do next when refused live here.

use crate::error::{Error, Next, Result};

/// What this device has of one partner's key.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct KeyStanding {
    /// This device holds the partner's key (with a passphrase or not).
    pub held: bool,
    /// The partner has a key somewhere: published in the data folder, or pinned on this device.
    pub exists: bool,
    /// This device holds another partner's key: it is that partner's device (or one they share).
    pub others_held: bool,
}

/// Something done for a partner that only that partner may do.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Act {
    /// Rename them, change their conditions.
    ChangeProfile,
    /// Take them out of the couple.
    Remove,
    /// Replace their key with a new one (`couple keys new`).
    NewKey,
}

/// What the device must do before acting.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Proof {
    /// Nothing more: the partner has no key anywhere yet (a couple being set up), or this is a
    /// device of theirs that holds no key at all (a new key after every copy was lost).
    Nothing,
    /// Unlock the partner's key on this device (a passphrase is asked on a terminal).
    Unlock,
}

/// Whether a device with `standing` may do `act` for the partner called `name`, and what it
/// must prove first. Refused with [`Error::NotYours`], saying what to do instead.
pub fn may(act: Act, name: &str, standing: KeyStanding) -> Result<Proof> {
    let n = name;
    if standing.held {
        return Ok(Proof::Unlock);
    }
    match act {
        Act::ChangeProfile | Act::Remove if standing.exists => {
            let what = if act == Act::Remove {
                format!("take {n} out of the couple")
            } else {
                format!("change {n}'s name or conditions")
            };
            Err(Error::NotYours {
                message: format!(
                    "This device does not hold {n}'s key, so it cannot {what}: only {n} does that, on a device that holds their key"
                ),
                next: Some(Next::BringKey(n.to_owned())),
            })
        }
        Act::ChangeProfile | Act::Remove => Ok(Proof::Nothing),
        Act::NewKey if standing.others_held && standing.exists => Err(Error::NotYours {
            message: format!(
                "This device holds another partner's key, not {n}'s, so it does not make {n} a new key: that would let it act as {n}"
            ),
            next: Some(Next::RestoreKey(n.to_owned())),
        }),
        Act::NewKey if standing.others_held => Err(Error::NotYours {
            message: format!(
                "{n} has no key yet, and this device holds another partner's key, so it does not make one for {n}"
            ),
            next: Some(Next::SetUpThere(n.to_owned())),
        }),
        Act::NewKey => Ok(Proof::Nothing),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn standing(held: bool, exists: bool, others_held: bool) -> KeyStanding {
        KeyStanding {
            held,
            exists,
            others_held,
        }
    }

    #[test]
    fn a_partner_with_a_key_is_spoken_for_only_where_that_key_is() {
        for act in [Act::ChangeProfile, Act::Remove] {
            // Alex's device, Sam has a key on their own device.
            let e = may(act, "Sam", standing(false, true, true)).unwrap_err();
            assert!(
                matches!(&e, Error::NotYours { message, next: Some(Next::BringKey(n)) }
                    if message.starts_with("This device does not hold Sam's key") && n == "Sam"),
                "{act:?}: {e:?}"
            );
            // Not even on a device holding nobody's key.
            assert!(may(act, "Sam", standing(false, true, false)).is_err());
            // Where Sam's key is, it is unlocked first.
            assert_eq!(
                may(act, "Sam", standing(true, true, true)).unwrap(),
                Proof::Unlock
            );
            // A partner who has no key anywhere yet (a couple being set up on one device).
            assert_eq!(
                may(act, "Sam", standing(false, false, true)).unwrap(),
                Proof::Nothing
            );
        }
    }

    #[test]
    fn a_new_key_is_made_only_on_the_partners_own_device() {
        // Alex's device making Sam a key: refused, and it says what Sam does instead.
        let e = may(Act::NewKey, "Sam", standing(false, true, true)).unwrap_err();
        assert!(
            matches!(&e, Error::NotYours { next: Some(Next::RestoreKey(n)), .. } if n == "Sam"),
            "{e:?}"
        );
        let e = may(Act::NewKey, "Sam", standing(false, false, true)).unwrap_err();
        assert!(
            matches!(&e, Error::NotYours { next: Some(Next::SetUpThere(n)), .. } if n == "Sam"),
            "{e:?}"
        );
        // Sam's new device, which holds no key at all (it pinned the old one on first sight).
        assert_eq!(
            may(Act::NewKey, "Sam", standing(false, true, false)).unwrap(),
            Proof::Nothing
        );
        // A device holding Sam's key: Sam, once it is unlocked.
        assert_eq!(
            may(Act::NewKey, "Sam", standing(true, true, true)).unwrap(),
            Proof::Unlock
        );
    }
}
