//! closer-core: the content libraries, the couple's records on disk, the couple profile, dates
//! and every domain rule the closer tools share.
//!
//! Domain logic here takes plain values (a date, a profile, records) and returns plain values; it
//! never reads the clock, the environment or the terminal. The command-line edge is `closer-cli`.

pub mod access;
pub mod answer_book;
pub mod answer_rekey;
pub mod answer_rules;
pub mod answer_seal;
pub mod answered_memo;
pub mod answers_memo;
pub mod authority;
pub mod body_map;
pub mod content;
pub mod content_seen;
pub mod crypto;
pub mod dates;
pub mod doctor;
pub mod energy;
pub mod error;
pub mod export_place;
pub mod files;
pub mod glance;
pub mod holds;
pub mod ids;
pub mod index;
pub mod joint;
pub mod joint_changes;
pub mod libraries;
pub mod memory;
pub mod merge;
pub mod merge_content;
pub mod migrate;
pub mod moved;
pub mod need_claims;
pub mod need_rules;
pub mod needs;
pub mod open_cache;
pub mod own_facts;
pub mod practice;
pub mod profile;
pub mod prompts;
pub mod rekey;
pub mod removals;
pub mod removed_here;
pub mod restore;
pub mod run_memo;
pub mod scan;
pub mod sealing;
pub mod shared_content;
pub mod step_today;
pub mod store;
pub mod suggestions;
#[cfg(test)]
mod test_devices;
pub mod touch;

pub use error::{Error, Result};

/// A value written as one fixed word (`ask-first`, `talked`): the same on the command line, in
/// JSON and on disk.
pub trait Word: Copy + Sized + 'static {
    /// Every value, in the order they are offered.
    const ALL: &'static [Self];
    fn word(self) -> &'static str;
    /// A few words on what the value means, for help text ("" when the word says it all).
    fn help(self) -> &'static str;
    fn from_word(s: &str) -> Option<Self> {
        Self::ALL.iter().copied().find(|v| v.word() == s)
    }
}

/// Implements [`Word`] for a plain enum, each variant with its word and optional help:
/// `words!(Status { Open = "open": "Named, not talked over yet", ... });`.
#[macro_export]
macro_rules! words {
    ($ty:ident { $($variant:ident = $word:literal $(: $help:literal)?),+ $(,)? }) => {
        impl $crate::Word for $ty {
            const ALL: &'static [Self] = &[$($ty::$variant),+];
            fn word(self) -> &'static str {
                match self { $($ty::$variant => $word),+ }
            }
            fn help(self) -> &'static str {
                match self { $($ty::$variant => { let h: &[&'static str] = &[$($help)?]; h.first().copied().unwrap_or("") }),+ }
            }
        }
    };
}

/// The word a value is written as.
pub fn word<T: Word>(v: &T) -> &'static str {
    v.word()
}
