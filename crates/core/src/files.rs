//! The one place that decides which files in the data folder are records. Everything else a
//! synced folder collects (sync conflict copies, crash leftovers, editor backups, `.DS_Store`,
//! `desktop.ini`) is never read as a record.

/// What a file in the data folder is, judged by its name alone.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FileKind {
    /// A record: `NAME.json` with a plain name.
    Record,
    /// A sync tool's second copy of the record file named `of` (Syncthing's
    /// `.sync-conflict-…`, Dropbox's and Nextcloud's `(… conflicted copy …)`).
    ConflictCopy { of: String },
    /// A temp file of closer's own, left when a write was killed.
    Temp,
    /// A lock file of closer's own.
    Lock,
    /// Anything else: editor backups and autosaves, system clutter, the user's own notes.
    Other,
}

/// The prefix of closer's temp files: `.tmp-PID-RANDOM`.
pub const TEMP_PREFIX: &str = ".tmp-";
/// The name of a folder's lock file.
pub const LOCK_NAME: &str = ".lock";
/// The longest record file name stem.
const MAX_STEM: usize = 64;

/// What the file called `name` is.
pub fn classify(name: &str) -> FileKind {
    // Most names are records', and a record's name is no other kind's (no dot, space or
    // bracket in its stem).
    if is_record_name(name) {
        return FileKind::Record;
    }
    if name == LOCK_NAME {
        return FileKind::Lock;
    }
    if name.starts_with(TEMP_PREFIX) {
        return FileKind::Temp;
    }
    if let Some(of) = conflict_original(name) {
        return FileKind::ConflictCopy { of };
    }
    FileKind::Other
}

/// Whether `name` is a record file: `NAME.json` (or `NAME.age`, sealed) where NAME is 1–64 of `a-z`, `0-9`, `-`, `_`,
/// not starting with `-`. Editor files (`.#x.json`, `x.json~`, `#x.json#`, `.x.json.swp`) and
/// copies with spaces or brackets in their names never are.
pub fn is_record_name(name: &str) -> bool {
    name.strip_suffix(".json")
        .or_else(|| name.strip_suffix(".age"))
        .is_some_and(is_plain_name)
}

/// What is said about a file that [`looks_like_a_record`] but is not one.
pub const NOT_A_RECORD_NAME: &str =
    "its file name is not a record's (lower-case letters, digits, - and _)";

/// Whether a file that is not a record looks as if it was meant to be one (`NAME.json`, not
/// hidden, not an editor's): worth a word rather than silence.
pub fn looks_like_a_record(name: &str) -> bool {
    name.ends_with(".json") && !name.starts_with(['.', '#']) && conflict_original(name).is_none()
}

/// Whether `stem` is a plain name for a record or a record folder (`answers/PARTNER`): 1–64 of
/// `a-z`, `0-9`, `-`, `_`, not starting with `-`.
pub fn is_plain_name(stem: &str) -> bool {
    !stem.is_empty()
        && stem.len() <= MAX_STEM
        && !stem.starts_with('-')
        && stem
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-' || b == b'_')
}

/// The record file a conflict copy called `name` stands beside, if it is one.
pub fn conflict_original(name: &str) -> Option<String> {
    // Syncthing: BASE.sync-conflict-YYYYMMDD-HHMMSS-DEVICE.EXT
    if let Some((base, rest)) = name.split_once(".sync-conflict-") {
        let ext = rest.find('.').map_or("", |i| &rest[i..]);
        return Some(format!("{base}{ext}")).filter(|o| is_mergeable_name(o));
    }
    // Dropbox and Nextcloud: BASE (… conflicted copy …).EXT, BASE (conflicted copy …).EXT
    let lower = name.to_lowercase();
    if let Some(at) = lower.find("conflicted copy") {
        let open = name[..at].rfind(" (")?;
        let close = at + name[at..].find(')')?;
        let original = format!("{}{}", &name[..open], &name[close + 1..]);
        return Some(original).filter(|o| is_mergeable_name(o));
    }
    None
}

/// Whether a conflict copy of `name` is worth finding: a record, or a content file (`X.toml`,
/// sealed `X.toml.age`).
fn is_mergeable_name(name: &str) -> bool {
    let content = name.strip_suffix(".age").unwrap_or(name);
    is_record_name(name)
        || (content.len() > ".toml".len()
            && content.ends_with(".toml")
            && !name.starts_with(['.', '#'])
            && !name.contains(['/', '\\']))
}

/// Whether `name` is something a sync tool or an editor left beside a file (a Syncthing or
/// Dropbox conflict copy, a hidden file or autosave, a backup): never read, whatever it ends in.
pub fn is_leftover_name(name: &str) -> bool {
    name.starts_with(['.', '#'])
        || name.ends_with('~')
        || name.contains(".sync-conflict-")
        || name.to_lowercase().contains("conflicted copy")
}

/// Whether a record file's text holds git's conflict markers (a merge left both versions in it).
pub fn has_conflict_markers(bytes: &[u8]) -> bool {
    let text = String::from_utf8_lossy(bytes);
    let mut lines = text.lines();
    lines.any(|l| l.starts_with("<<<<<<<")) && text.lines().any(|l| l.starts_with(">>>>>>>"))
}

/// The two versions in a file with git conflict markers: ours (between `<<<<<<<` and `=======`)
/// and theirs (between `=======` and `>>>>>>>`), each with the lines outside the markers.
pub fn split_conflict_markers(bytes: &[u8]) -> Option<(Vec<u8>, Vec<u8>)> {
    let text = std::str::from_utf8(bytes).ok()?;
    let (mut ours, mut theirs) = (String::new(), String::new());
    #[derive(PartialEq)]
    enum Side {
        Both,
        Ours,
        Base,
        Theirs,
    }
    let mut side = Side::Both;
    for line in text.split_inclusive('\n') {
        if line.starts_with("<<<<<<<") && side == Side::Both {
            side = Side::Ours;
        } else if line.starts_with("|||||||") && side == Side::Ours {
            side = Side::Base;
        } else if line.starts_with("=======") && matches!(side, Side::Ours | Side::Base) {
            side = Side::Theirs;
        } else if line.starts_with(">>>>>>>") && side == Side::Theirs {
            side = Side::Both;
        } else {
            match side {
                Side::Both => {
                    ours.push_str(line);
                    theirs.push_str(line);
                }
                Side::Ours => ours.push_str(line),
                Side::Base => {}
                Side::Theirs => theirs.push_str(line),
            }
        }
    }
    (side == Side::Both).then(|| (ours.into_bytes(), theirs.into_bytes()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn records_and_everything_else() {
        for name in [
            "abcd12345678.json",
            "2026.json",
            "state.json",
            "couple.json",
        ] {
            assert_eq!(classify(name), FileKind::Record, "{name}");
        }
        for name in [
            ".#abcd.json",
            "#abcd.json#",
            "abcd.json~",
            ".abcd.json.swp",
            "abcd.json.bak",
            ".DS_Store",
            "desktop.ini",
            "Thumbs.db",
            "notes.txt",
            ".json",
            "ABCD.json",
            "a b.json",
            "../x.json",
        ] {
            assert_eq!(classify(name), FileKind::Other, "{name}");
        }
        assert_eq!(classify(".tmp-123-abc"), FileKind::Temp);
        assert_eq!(classify(".lock"), FileKind::Lock);
    }

    #[test]
    fn conflict_copies_name_their_original() {
        let of = |n: &str| match classify(n) {
            FileKind::ConflictCopy { of } => of,
            k => panic!("{n}: {k:?}"),
        };
        assert_eq!(
            of("abcd12345678.sync-conflict-20260301-101500-ABCDEFG.json"),
            "abcd12345678.json"
        );
        assert_eq!(
            of("2026 (Sam's conflicted copy 2026-03-01).json"),
            "2026.json"
        );
        assert_eq!(
            of("state (conflicted copy 2026-03-01 101500).json"),
            "state.json"
        );
        assert_eq!(
            classify("notes.sync-conflict-20260301-101500-ABCDEFG.txt"),
            FileKind::Other
        );
    }

    #[test]
    fn git_markers_split_into_two_versions() {
        let text = b"{\n<<<<<<< HEAD\n\"a\": 1\n=======\n\"a\": 2\n>>>>>>> other\n}\n";
        assert!(has_conflict_markers(text));
        let (ours, theirs) = split_conflict_markers(text).unwrap();
        assert_eq!(ours, b"{\n\"a\": 1\n}\n");
        assert_eq!(theirs, b"{\n\"a\": 2\n}\n");
        assert!(!has_conflict_markers(
            b"{\"text\": \"<<<<<<< not at a line start\"}"
        ));
    }
}
