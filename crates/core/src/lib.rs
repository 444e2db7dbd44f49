//! closer-core: the content libraries, the couple's records on disk, the couple profile, dates,
//! and the command-line glue every closer tool shares.
//!
//! Domain logic here takes plain values (a date, a profile, records) and returns plain values; it
//! never reads the clock, the environment or the terminal. Only [`cli`] does, at the edge.

pub mod cli;
pub mod content;
pub mod dates;
pub mod error;
pub mod ids;
pub mod index;
pub mod needs;
pub mod profile;
pub mod prompts;
pub mod store;
pub mod touch;

pub use error::{Error, Result};

/// The word a command-line value is written as (`ask-first`, `talked`): the same on the command
/// line, in JSON and on disk.
pub fn word<T: clap::ValueEnum>(v: &T) -> String {
    v.to_possible_value()
        .map(|p| p.get_name().to_owned())
        .unwrap_or_default()
}
