//! Typed errors for everything in core; each message says what to do next.

use std::path::{Path, PathBuf};

#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("{}: {source}", path.display())]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },

    /// A record file that does not parse. It is never overwritten.
    #[error("{}:{line}:{column}: {message}\n  this file was left as it is; fix or remove it, then try again", path.display())]
    Corrupt {
        path: PathBuf,
        line: usize,
        column: usize,
        message: String,
    },

    /// A record that parses but cannot be used: an ID or a name that is not allowed, or a file
    /// not named after its record. Listings leave it out and say so; it is never used.
    #[error("{}: {message}; this record is left out until the file is fixed or removed", path.display())]
    BadRecord { path: PathBuf, message: String },

    /// A record file written by a newer closer: readable, but never rewritten.
    #[error(
        "{} was written by a newer version of closer (format {found}; this one knows {known}); \
         it is read-only here: update closer to change it",
        path.display()
    )]
    Newer {
        path: PathBuf,
        found: u32,
        known: u32,
    },

    /// A record file that holds two versions (git conflict markers): never read as a record
    /// until `couple doctor` merges them.
    #[error(
        "{} holds two versions of a record from a sync conflict; run `couple doctor` (in any closer tool) to merge them",
        path.display()
    )]
    Conflict { path: PathBuf },

    #[error("mistakes in your content files:\n{}", .0.join("\n"))]
    Content(Vec<String>),

    /// Something the user typed that cannot be used; the message says how to put it right.
    #[error("{0}")]
    Invalid(String),

    /// Like `Invalid`, but a mistake in how the command was called (exit code 2).
    #[error("{0}")]
    Usage(String),

    #[error("{0}")]
    NotFound(String),

    /// A partner name (from `--as`, `--by`, `--helper`, ...) that is not one of the couple's.
    #[error("no partner called {name:?}; {}", partners_are(known))]
    UnknownPartner { name: String, known: Vec<String> },

    /// Only the partner a record belongs to may do this; the message says what the other can do.
    #[error("{0}")]
    NotYours(String),

    /// Writing to standard output failed; a broken pipe ends the program quietly.
    #[error("cannot write the output: {0}")]
    Output(std::io::Error),
}

impl Error {
    pub fn io(path: &Path, source: std::io::Error) -> Error {
        Error::Io {
            path: path.to_owned(),
            source,
        }
    }

    pub fn invalid(msg: impl Into<String>) -> Error {
        Error::Invalid(msg.into())
    }

    pub fn usage(msg: impl Into<String>) -> Error {
        Error::Usage(msg.into())
    }

    /// The process exit code for this error: 2 for usage mistakes, 1 for everything else.
    /// The reader of our output went away (`| head`): stop quietly, with success.
    pub fn is_broken_pipe(&self) -> bool {
        matches!(self, Error::Output(e) if e.kind() == std::io::ErrorKind::BrokenPipe)
    }

    pub fn exit_code(&self) -> u8 {
        match self {
            Error::Usage(_) | Error::UnknownPartner { .. } => 2,
            _ => 1,
        }
    }
}

fn partners_are(known: &[String]) -> String {
    if known.is_empty() {
        "no couple is set up yet".into()
    } else {
        format!("the partners are: {}", known.join(", "))
    }
}

pub type Result<T, E = Error> = std::result::Result<T, E>;
