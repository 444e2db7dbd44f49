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
    #[error("{}: {fault}; this record is left out until the file is fixed or removed", path.display())]
    BadRecord { path: PathBuf, fault: Fault },

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
        "{} holds two versions of a record from a sync conflict; merge them before changing it",
        path.display()
    )]
    Conflict { path: PathBuf },

    #[error("mistakes in your content files:\n{}", .0.join("\n"))]
    Content(Vec<String>),

    /// A content file in the shared data folder that cannot be used. Another device may have
    /// written it, so every device leaves it out and says so rather than stop.
    #[error(
        "{}:{line}:{column}: {message}; what it adds is left out on both devices until you fix or remove it",
        path.display()
    )]
    ContentLeftOut {
        path: PathBuf,
        line: usize,
        column: usize,
        message: String,
    },

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

    /// Only the partner a record belongs to may do this; the message says what the other can do,
    /// and `next`, when there is one, the way on that the edge names as a command.
    #[error("{message}")]
    NotYours { message: String, next: Option<Next> },

    /// An ID typed on the command line that no record of this kind has (or no ID at all).
    #[error("{}", no_such_id(*kind, given))]
    UnknownId { kind: IdKind, given: String },

    /// An ID prefix typed on the command line that fits more than one record.
    #[error("{given:?} matches {} {kind}s: {}; type more of the ID", matches.len(), matches.join(", "))]
    AmbiguousId {
        kind: IdKind,
        given: String,
        /// The shortest unique prefix of each record it fits.
        matches: Vec<String>,
    },

    /// A touch step named on the command line that the couple's library does not have.
    #[error("there is no step {given:?}")]
    UnknownStep { given: String },

    /// A condition tag named on the command line that no content file describes.
    #[error("unknown condition {given:?}")]
    UnknownCondition { given: String },

    /// Something that needs the couple's profile, before anyone set one up.
    #[error("no couple is set up yet")]
    NoCouple,

    /// The partner said no when asked to confirm; nothing was changed.
    #[error("nothing was {done}")]
    Declined {
        /// What would have happened: "deleted", "removed".
        done: &'static str,
    },

    /// A rule of the tools says no; `next` is what the couple can do instead, which the edge
    /// names as a command.
    #[error("{message}")]
    Refused { message: String, next: Next },

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

    /// The reader of our output went away (`| head`): stop quietly, with success.
    pub fn is_broken_pipe(&self) -> bool {
        matches!(self, Error::Output(e) if e.kind() == std::io::ErrorKind::BrokenPipe)
    }

    /// 2 for anything wrong on the command line, including values only found wrong after
    /// parsing (a partner, ID, step or condition that is not there); 1 for everything else.
    pub fn exit_code(&self) -> u8 {
        match self {
            Error::Usage(_)
            | Error::UnknownPartner { .. }
            | Error::UnknownId { .. }
            | Error::AmbiguousId { .. }
            | Error::UnknownStep { .. }
            | Error::UnknownCondition { .. } => 2,
            Error::Io { .. }
            | Error::Corrupt { .. }
            | Error::BadRecord { .. }
            | Error::Newer { .. }
            | Error::Conflict { .. }
            | Error::Content(_)
            | Error::ContentLeftOut { .. }
            | Error::Invalid(_)
            | Error::NotFound(_)
            | Error::NotYours { .. }
            | Error::NoCouple
            | Error::Declined { .. }
            | Error::Refused { .. }
            | Error::Output(_) => 1,
        }
    }

    /// Only the partner a record belongs to may do this; `message` says so.
    pub fn not_yours(message: impl Into<String>) -> Error {
        Error::NotYours {
            message: message.into(),
            next: None,
        }
    }

    /// A record that cannot be used, and why.
    pub fn bad_record(path: &Path, fault: impl Into<Fault>) -> Error {
        Error::BadRecord {
            path: path.to_owned(),
            fault: fault.into(),
        }
    }

    /// A rule's refusal, with what to do instead.
    pub fn refused(message: impl Into<String>, next: Next) -> Error {
        Error::Refused {
            message: message.into(),
            next,
        }
    }
}

/// The kinds of record a user picks by ID on the command line.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IdKind {
    Need,
    Session,
    Step,
}

impl std::fmt::Display for IdKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            IdKind::Need => "need",
            IdKind::Session => "session",
            IdKind::Step => "step",
        })
    }
}

/// Why a record is left out or not changed. Core says what is wrong; where a command puts it
/// right, the edge names that command.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Fault {
    /// What is wrong, in words; no command of the tools puts it right.
    Said(String),
    /// A plain record in an encrypted folder: anyone who can write into the folder could have put
    /// it there. If it is the couple's own from before encryption, encrypting seals it.
    PlainInSealed,
    /// An encrypted record in a plain folder: decrypting, on the device that holds its key, turns
    /// it into a plain one.
    SealedInPlain,
    /// A plain content file in an encrypted folder: anyone who can write into the folder could
    /// have put it there. If it is the couple's own, encrypting seals it for both: one that was not
    /// there when the device first saw the folder encrypted, only once a partner at a terminal has
    /// looked at what it holds and confirmed it.
    PlainContent,
    /// A plain record met while encrypting that does not parse: doctor first, or fix it by hand.
    Unparsed,
    /// Keys published for a third partner: a couple is two.
    ThirdPartner,
    /// A record that went back from the version this device last trusted (why, in words): the
    /// device keeps using that version, and its doctor puts it back in the folder.
    WentBack(String),
    /// An earlier version of a need its owner removed, back in its place (what is said of it):
    /// doctor on the owner's devices (`owners`: this is one), which can check the removal,
    /// removes it.
    EarlierCopy { said: String, owners: bool },
}

impl std::fmt::Display for Fault {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Fault::Said(s) | Fault::EarlierCopy { said: s, .. } => s.as_str(),
            Fault::PlainInSealed => {
                "a plain record in an encrypted folder is not trusted (anyone who can write into the folder could have put it there)"
            }
            Fault::SealedInPlain => "an encrypted record in a plain folder",
            Fault::PlainContent => {
                "a plain content file in an encrypted folder is not used (anyone who can write into the folder could have put it there)"
            }
            Fault::Unparsed => "it does not parse, so it stays plain",
            Fault::ThirdPartner => {
                "keys published for a third partner are not trusted, as a couple is two"
            }
            Fault::WentBack(why) => {
                return write!(f, "{why}; {}", crate::memory::KEEPS);
            }
        })
    }
}

impl From<String> for Fault {
    fn from(s: String) -> Fault {
        Fault::Said(s)
    }
}

impl From<&str> for Fault {
    fn from(s: &str) -> Fault {
        Fault::Said(s.to_owned())
    }
}

/// What a couple can do next after a refusal. Core names the action; the edge names the command.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Next {
    /// Look at the joint plan and why it is where it is.
    ShowPlan,
    /// The partner who paused the plan resumes it.
    Resume,
    /// Propose a plan for a need.
    ProposePlan,
    /// Share a private need.
    ShareNeed,
    /// Choose from more prompts: fewer categories, or any energy level.
    FewerFilters,
    /// Restore from an export that kept the partners' names.
    NamedExport,
    /// Look at the keys this device holds and has pinned, and what to do about them.
    Keys,
    /// A third partner: the one leaving takes themselves out, or another couple uses another
    /// data folder.
    ThirdPartner,
    /// Bring the named partner's key to this device from one of theirs.
    BringKey(String),
    /// The named partner restores their key from a copy or recovery key, or makes a new one on
    /// their own device for this one to accept once fingerprints compare.
    RestoreKey(String),
    /// The named partner sets themselves up on their own device, which makes their key.
    SetUpThere(String),
}

fn no_such_id(kind: IdKind, given: &str) -> String {
    if given.is_empty() {
        format!("give a {kind} ID")
    } else {
        format!("no {kind} has an ID starting with {given:?}")
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

#[cfg(test)]
mod tests {
    use super::*;

    fn every_kind() -> Vec<Error> {
        let p = PathBuf::from("needs/x.json");
        vec![
            Error::io(&p, std::io::Error::other("disk full")),
            Error::Corrupt {
                path: p.clone(),
                line: 1,
                column: 2,
                message: "expected a value".into(),
            },
            Error::bad_record(&p, "bad ID"),
            Error::bad_record(&p, Fault::PlainInSealed),
            Error::bad_record(&p, Fault::SealedInPlain),
            Error::bad_record(&p, Fault::PlainContent),
            Error::bad_record(&p, Fault::Unparsed),
            Error::bad_record(&p, Fault::ThirdPartner),
            Error::Newer {
                path: p.clone(),
                found: 9,
                known: 1,
            },
            Error::Conflict { path: p },
            Error::Content(vec!["a.toml:1:1: x".into()]),
            Error::ContentLeftOut {
                path: "content/a.toml".into(),
                line: 1,
                column: 1,
                message: "x".into(),
            },
            Error::invalid("x"),
            Error::usage("x"),
            Error::NotFound("x".into()),
            Error::UnknownPartner {
                name: "Robin".into(),
                known: vec![],
            },
            Error::not_yours("x"),
            Error::NotYours {
                message: "x".into(),
                next: Some(Next::BringKey("Sam".into())),
            },
            Error::UnknownId {
                kind: IdKind::Need,
                given: "zz".into(),
            },
            Error::AmbiguousId {
                kind: IdKind::Session,
                given: "ab".into(),
                matches: vec!["ab1".into(), "ab2".into()],
            },
            Error::UnknownStep { given: "s9".into() },
            Error::UnknownCondition { given: "x".into() },
            Error::NoCouple,
            Error::Declined { done: "deleted" },
            Error::refused("the plan is paused", Next::Resume),
            Error::refused("a couple is two", Next::ThirdPartner),
            Error::Output(std::io::Error::other("closed")),
        ]
    }

    #[test]
    fn mistakes_on_the_command_line_exit_2_and_everything_else_1() {
        for e in every_kind() {
            let usage = matches!(
                e,
                Error::Usage(_)
                    | Error::UnknownPartner { .. }
                    | Error::UnknownId { .. }
                    | Error::AmbiguousId { .. }
                    | Error::UnknownStep { .. }
                    | Error::UnknownCondition { .. }
            );
            assert_eq!(e.exit_code(), if usage { 2 } else { 1 }, "{e:?}");
        }
    }

    /// Commands are named by the edge, which knows the binary's name; core names none.
    #[test]
    fn no_message_names_a_command() {
        for e in every_kind() {
            let msg = e.to_string();
            assert!(!msg.contains('`'), "{msg}");
        }
    }

    /// No sentence anywhere in core's own code names a command or an option: a string that
    /// quotes one (`couple ...`, a tool's name, `--option`) belongs in closer-cli.
    #[test]
    fn no_string_in_core_names_a_command_or_an_option() {
        const NAMED: [&str; 7] = [
            "`couple",
            "`needs-list",
            "`touch-plan",
            "`prompt-of-the-day",
            "`closer-export",
            "`export",
            "`--",
        ];
        let mut found = Vec::new();
        let mut dirs = vec![std::path::PathBuf::from(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/src"
        ))];
        while let Some(dir) = dirs.pop() {
            for entry in std::fs::read_dir(&dir).unwrap().flatten() {
                let path = entry.path();
                if path.is_dir() {
                    dirs.push(path);
                    continue;
                }
                let name = path.to_string_lossy();
                if !name.ends_with(".rs") || name.ends_with("tests.rs") {
                    continue;
                }
                let text = std::fs::read_to_string(&path).unwrap();
                // Up to its tests, which may well quote what users see.
                let code = text.split("#[cfg(test)]").next().unwrap_or_default();
                for (n, line) in code.lines().enumerate() {
                    let line = line.trim_start();
                    if line.starts_with("//") {
                        continue;
                    }
                    if NAMED.iter().any(|c| line.contains(c)) {
                        found.push(format!("{}:{}: {line}", path.display(), n + 1));
                    }
                }
            }
        }
        assert!(found.is_empty(), "{}", found.join("\n"));
    }
}
