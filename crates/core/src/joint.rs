//! Joint results without either device reading the other partner's answers: the touch plan
//! (both yes, both yes-or-maybe), readiness to move on and the sexual opt-in, each computed with a
//! private set intersection exchanged through the synced folder (see [`round`]).

pub mod memo;
pub mod round;
pub mod touch;

#[cfg(test)]
mod memo_tests;
#[cfg(test)]
mod own_devices_tests;
#[cfg(test)]
mod tests;
