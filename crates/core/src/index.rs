//! A device-local index of the needs folder, so that listing thousands of needs reads one small
//! file and one folder listing instead of thousands of files. It lives in the cache folder, never
//! in the data folder, holds no history, and never another partner's private need: a private
//! need is kept there only as "private, whose", and read from its file when its owner lists.
//!
//! The files are always trusted over the index: each entry carries its file's size, modification
//! and change times and inode, checked against one `stat` per file on every listing, so a file
//! rewritten in place, damaged or made private is read again at once. Delete the index at any
//! time; nothing is lost.

use crate::Word;
use crate::error::Result;
use crate::files::{self, FileKind};
use crate::needs::{self, Helper, Importance, Need, Status};
use crate::store::{FORMAT_VERSION, Store, write_atomic};
use std::collections::HashMap;
use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

const MAGIC: &str = "closer-needs-index 2";
/// A file changed this recently may change again within the same clock tick without its times
/// moving; it is not indexed (the way git treats "racy" files) and is read on every listing.
const SETTLE: Duration = Duration::from_secs(2);

/// Where the index of `store`'s needs folder lives inside `cache_dir`.
pub fn path(cache_dir: &Path, store: &Store) -> PathBuf {
    let root = std::fs::canonicalize(store.root()).unwrap_or_else(|_| store.root().to_owned());
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in root.as_os_str().as_encoded_bytes() {
        h = (*b as u64 ^ h).wrapping_mul(0x0000_0100_0000_01b3);
    }
    cache_dir.join(format!("needs-{h:016x}.idx"))
}

/// What a file looked like when it was indexed: size, modification and change times (ns), inode.
fn key(m: &std::fs::Metadata) -> String {
    format!(
        "{}.{}.{}.{}.{}.{}",
        m.len(),
        m.mtime(),
        m.mtime_nsec(),
        m.ctime(),
        m.ctime_nsec(),
        m.ino()
    )
}

/// A file changed within [`SETTLE`] of `now`.
fn racy(m: &std::fs::Metadata, now: SystemTime) -> bool {
    let now = now.duration_since(UNIX_EPOCH).unwrap_or_default().as_secs() as i64;
    m.mtime().max(m.ctime()) + SETTLE.as_secs() as i64 >= now
}

/// An index entry: a shared need without history, or only the owner of a private one.
enum Entry {
    Shared(Box<Need>),
    Private(String),
}

/// The needs `viewer` may see (shared ones, and their own private ones), without history: each
/// from the index when its file is unchanged, otherwise from the file. The index is rewritten
/// when `index` is given and anything was read from a file.
pub fn needs_without_history(
    store: &Store,
    index: Option<&Path>,
    viewer: Option<&str>,
) -> Result<Vec<Need>> {
    list_at(store, index, viewer, SystemTime::now())
}

fn list_at(
    store: &Store,
    index: Option<&Path>,
    viewer: Option<&str>,
    now: SystemTime,
) -> Result<Vec<Need>> {
    let dir = store.path(needs::DIR);
    let entries = match std::fs::read_dir(&dir) {
        Ok(e) => e,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(e) => return Err(crate::Error::io(&dir, e)),
    };
    let cached = index
        .and_then(|idx| std::fs::read_to_string(idx).ok())
        .unwrap_or_default();
    let mut known: HashMap<&str, (&str, &str)> = HashMap::new();
    if let Some(body) = cached
        .strip_prefix(MAGIC)
        .and_then(|r| r.strip_prefix('\n'))
    {
        for l in body.lines() {
            let mut f = l.splitn(3, '\t');
            if let (Some(name), Some(k), Some(rest)) = (f.next(), f.next(), f.next()) {
                known.insert(name, (k, rest));
            }
        }
    }
    let mut out = Vec::new();
    let mut kept: Vec<(String, String, Entry)> = Vec::new();
    let mut to_read: Vec<(String, String, bool)> = Vec::new();
    for e in entries.flatten() {
        let Some(name) = e.file_name().to_str().map(str::to_owned) else {
            continue;
        };
        match files::classify(&name) {
            FileKind::Record => {}
            FileKind::Other if files::looks_like_a_record(&name) => {
                store.note_left_out(&e.path(), files::NOT_A_RECORD_NAME);
                continue;
            }
            _ => continue,
        }
        let Ok(meta) = e.metadata() else { continue };
        let k = key(&meta);
        let settled = !racy(&meta, now);
        let hit = known
            .get(name.as_str())
            .filter(|(old, _)| settled && *old == k)
            .and_then(|(_, rest)| parse_entry(rest));
        match hit {
            Some(entry) => kept.push((name, k, entry)),
            None => to_read.push((name, k, settled)),
        }
    }
    // Private needs of the viewer's are read from their files, like changed ones.
    let mine = |owner: &str| viewer == Some(owner);
    let mut private_mine = Vec::new();
    for (name, _, entry) in &kept {
        match entry {
            Entry::Shared(n) => out.push((**n).clone()),
            Entry::Private(owner) if mine(owner) => private_mine.push(dir.join(name)),
            Entry::Private(_) => {}
        }
    }
    let paths: Vec<PathBuf> = to_read.iter().map(|(n, _, _)| dir.join(n)).collect();
    let read = store.read_files::<Need>(&paths)?;
    let changed = !to_read.is_empty() || kept.len() != known.len();
    for ((name, k, settled), n) in to_read.into_iter().zip(read) {
        let Some(mut n) = n else { continue };
        n.history = Vec::new();
        if settled {
            let entry = if n.private {
                Entry::Private(n.owner.to_string())
            } else {
                Entry::Shared(Box::new(n.clone()))
            };
            kept.push((name, k, entry));
        }
        if n.visible_to(viewer) {
            out.push(n);
        }
    }
    for n in store
        .read_files::<Need>(&private_mine)?
        .into_iter()
        .flatten()
    {
        if n.visible_to(viewer) {
            out.push(Need {
                history: Vec::new(),
                ..n
            });
        }
    }
    out.sort_by(|a, b| (a.created, &a.id).cmp(&(b.created, &b.id)));
    if let (Some(idx), true) = (index, changed) {
        // A cache: when it cannot be written, the next listing reads the files again.
        let mut text = format!("{MAGIC}\n");
        for (name, k, entry) in &kept {
            match entry {
                Entry::Shared(n) => text.push_str(&format!("{name}\t{k}\tS\t{}", line(n))),
                Entry::Private(owner) => text.push_str(&format!("{name}\t{k}\tP\t{owner}\n")),
            }
        }
        let _ = idx
            .parent()
            .map(|p| Store::new(p).ensure_dir(""))
            .transpose()
            .and_then(|_| write_atomic(idx, text.as_bytes()));
    }
    Ok(out)
}

fn parse_entry(rest: &str) -> Option<Entry> {
    match rest.split_once('\t')? {
        ("S", l) => parse_line(l).map(|n| Entry::Shared(Box::new(n))),
        ("P", owner) if !owner.contains('\t') => Some(Entry::Private(owner.to_owned())),
        _ => None,
    }
}

fn esc(s: &str) -> String {
    s.replace('\\', "\\\\")
        .replace('\t', "\\t")
        .replace('\n', "\\n")
        .replace('\r', "\\r")
}

fn unesc(s: &str) -> String {
    if !s.contains('\\') {
        return s.to_owned();
    }
    let mut out = String::with_capacity(s.len());
    let mut it = s.chars();
    while let Some(c) = it.next() {
        if c == '\\' {
            match it.next() {
                Some('t') => out.push('\t'),
                Some('n') => out.push('\n'),
                Some('r') => out.push('\r'),
                Some(o) => out.push(o),
                None => {}
            }
        } else {
            out.push(c);
        }
    }
    out
}

fn opt(s: &Option<String>) -> String {
    s.as_deref()
        .map_or_else(|| "-".to_owned(), |v| format!("+{}", esc(v)))
}

fn unopt(s: &str) -> Option<Option<String>> {
    match s.split_at_checked(1)? {
        ("-", "") => Some(None),
        ("+", v) => Some(Some(unesc(v))),
        _ => None,
    }
}

fn line(n: &Need) -> String {
    let review = n.review.map_or_else(|| "-".to_owned(), |d| d.to_string());
    format!(
        "{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}\t{review}\t{}\t{}\t{}\t{}\n",
        n.id,
        n.owner,
        crate::word(&n.status),
        crate::word(&n.importance),
        esc(&n.category),
        opt(&n.condition),
        opt(&n.plan),
        opt(&n.helper.as_ref().map(Helper::code)),
        u8::from(n.private),
        n.created,
        n.version,
        esc(&n.text)
    )
}

fn parse_line(l: &str) -> Option<Need> {
    let f: Vec<&str> = l.split('\t').collect();
    let [
        id,
        owner,
        status,
        importance,
        category,
        condition,
        plan,
        helper,
        review,
        private,
        created,
        version,
        text,
    ] = f[..]
    else {
        return None;
    };
    Some(Need {
        extra: Default::default(),
        version: version.parse().ok().filter(|v| *v <= FORMAT_VERSION)?,
        id: id.parse().ok()?,
        owner: owner.parse().ok()?,
        status: Status::from_word(status)?,
        importance: Importance::from_word(importance)?,
        category: unesc(category),
        condition: unopt(condition)?,
        plan: unopt(plan)?,
        helper: unopt(helper)?.map(Helper::from),
        review: if review == "-" {
            None
        } else {
            Some(review.parse().ok()?)
        },
        private: private == "1",
        created: created.parse().ok()?,
        text: unesc(text),
        history: Vec::new(),
        proposal: None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::NaiveDate;

    #[test]
    fn a_line_round_trips_whatever_the_text() {
        let d = NaiveDate::from_ymd_opt(2026, 3, 1).unwrap();
        let n = Need {
            extra: Default::default(),
            version: 1,
            id: "abcd12345678".parse().unwrap(),
            owner: "ppp1".parse().unwrap(),
            text: "tab\there\nnew line \\ back".into(),
            category: "practical".into(),
            condition: Some("arthritis".into()),
            importance: Importance::High,
            status: Status::Agreed,
            plan: Some(String::new()),
            helper: None,
            review: Some(d),
            private: true,
            created: d,
            history: Vec::new(),
            proposal: None,
        };
        let l = line(&n);
        assert_eq!(l.matches('\n').count(), 1);
        assert_eq!(parse_line(l.trim_end_matches('\n')), Some(n));
    }

    fn shared_and_private(store: &Store) -> (Need, Need) {
        let d = NaiveDate::from_ymd_opt(2026, 3, 1).unwrap();
        let at = chrono::DateTime::parse_from_rfc3339("2026-03-01T12:00:00Z")
            .unwrap()
            .with_timezone(&chrono::Utc);
        let mk = |owner: &str, text: &str, private| {
            Need::open(
                &owner.parse().unwrap(),
                text.into(),
                "other".into(),
                None,
                Importance::Low,
                private,
                d,
            )
        };
        let shared = needs::add(store, mk("ppp2", "a shared need", false), at).unwrap();
        let private = needs::add(store, mk("ppp1", "p1's own secret", true), at).unwrap();
        (shared, private)
    }

    /// Listing as if the files had been written a while ago, so that they are not "racy".
    fn list(store: &Store, idx: &Path, viewer: &str) -> Result<Vec<String>> {
        let later = SystemTime::now() + Duration::from_secs(10);
        let mut texts: Vec<String> = list_at(store, Some(idx), Some(viewer), later)?
            .into_iter()
            .map(|n| n.text)
            .collect();
        texts.sort();
        Ok(texts)
    }

    fn rewrite_in_place(path: &Path, f: impl FnOnce(&mut serde_json::Value)) {
        let mut v: serde_json::Value =
            serde_json::from_slice(&std::fs::read(path).unwrap()).unwrap();
        f(&mut v);
        let mut file = std::fs::OpenOptions::new()
            .write(true)
            .truncate(true)
            .open(path)
            .unwrap();
        std::io::Write::write_all(&mut file, &serde_json::to_vec(&v).unwrap()).unwrap();
    }

    #[test]
    fn the_index_holds_no_other_partners_private_text_and_is_used_while_files_are_unchanged() {
        let data = tempfile::tempdir().unwrap();
        let cache = tempfile::tempdir().unwrap();
        let store = Store::new(data.path());
        let idx = path(cache.path(), &store);
        let (shared, _) = shared_and_private(&store);
        assert_eq!(list(&store, &idx, "ppp2").unwrap(), ["a shared need"]);
        let text = std::fs::read_to_string(&idx).unwrap();
        assert!(!text.contains("secret"), "{text}");
        assert_eq!(
            list(&store, &idx, "ppp1").unwrap(),
            ["a shared need", "p1's own secret"]
        );
        assert!(!std::fs::read_to_string(&idx).unwrap().contains("secret"));

        // While the file is unchanged, the index is what is read.
        let planted = text.replace("a shared need", "from the index");
        std::fs::write(&idx, planted).unwrap();
        assert_eq!(list(&store, &idx, "ppp2").unwrap(), ["from the index"]);
        let _ = shared;
    }

    #[test]
    fn a_file_rewritten_in_place_damaged_or_made_private_is_seen_at_once() {
        let data = tempfile::tempdir().unwrap();
        let cache = tempfile::tempdir().unwrap();
        let store = Store::new(data.path());
        let idx = path(cache.path(), &store);
        let (shared, _) = shared_and_private(&store);
        let file = data.path().join(needs::path(&shared.id));
        assert_eq!(list(&store, &idx, "ppp1").unwrap().len(), 2);

        rewrite_in_place(&file, |v| v["text"] = "a shared neeD".into());
        assert_eq!(list(&store, &idx, "ppp1").unwrap()[0], "a shared neeD");

        rewrite_in_place(&file, |v| v["private"] = true.into());
        assert_eq!(list(&store, &idx, "ppp1").unwrap(), ["p1's own secret"]);
        assert_eq!(list(&store, &idx, "ppp2").unwrap(), ["a shared neeD"]);

        std::fs::write(&file, b"{\"version\": 1, \"id\": ").unwrap();
        assert!(matches!(
            list(&store, &idx, "ppp1"),
            Err(crate::Error::Corrupt { .. })
        ));
    }
}
