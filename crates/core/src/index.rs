//! A device-local index of the needs folder, so that listing thousands of needs reads one file
//! instead of thousands. It lives in the cache folder, never in the data folder, holds no
//! history, and is rebuilt whenever the needs folder has changed since it was written: the
//! folder's time, and each file's name, size and time (a file rewritten in place by an editor
//! or a sync tool leaves the folder's time alone). Delete it at any time; nothing is lost.

use crate::Word;
use crate::error::Result;
use crate::needs::{self, Helper, Importance, Need, Status};
use crate::store::{FORMAT_VERSION, Store, write_atomic};
use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

const MAGIC: &str = "closer-needs-index 1";
/// A folder changed this recently may change again within the same clock tick without its
/// modification time moving; such an index is not written (the way git treats "racy" files).
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

fn stamp(t: SystemTime) -> String {
    let d = t.duration_since(UNIX_EPOCH).unwrap_or_default();
    format!("{}.{:09}", d.as_secs(), d.subsec_nanos())
}

/// Every need without its history: from the index when it is current, otherwise from the files
/// (and the index is rewritten, when `index` is given and the folder has settled).
pub fn needs_without_history(store: &Store, index: Option<&Path>) -> Result<Vec<Need>> {
    let dir = store.path(needs::DIR);
    let Ok((header, modified)) = fingerprint(&dir) else {
        return Ok(Vec::new());
    };
    let cached = index.and_then(|idx| std::fs::read_to_string(idx).ok());
    let rest = cached
        .as_deref()
        .and_then(|t| t.strip_prefix(&header)?.strip_prefix('\n'));
    if let Some(v) = rest.and_then(|r| r.lines().map(parse_line).collect::<Option<Vec<Need>>>()) {
        return Ok(v);
    }
    let mut all = needs::load_all(store)?;
    for n in &mut all {
        n.history = Vec::new();
    }
    if let Some(idx) = index {
        let settled = SystemTime::now()
            .duration_since(modified)
            .is_ok_and(|age| age > SETTLE);
        if settled {
            // A cache: when it cannot be written, the next listing reads the files again.
            let mut text = header;
            text.push('\n');
            for n in &all {
                text.push_str(&line(n));
            }
            let _ = idx
                .parent()
                .map(|p| Store::new(p).ensure_dir(""))
                .transpose()
                .and_then(|_| write_atomic(idx, text.as_bytes()));
        }
    }
    Ok(all)
}

/// The index header for `dir` as it is now (its time, and a hash of each entry's name, size and
/// time), with the newest of those times.
fn fingerprint(dir: &Path) -> std::io::Result<(String, SystemTime)> {
    let folder = std::fs::metadata(dir)?.modified()?;
    let mut newest = folder;
    let mut entries = Vec::new();
    for e in std::fs::read_dir(dir)? {
        let e = e?;
        let m = e.metadata()?;
        let t = m.modified()?;
        newest = newest.max(t);
        entries.push(format!("{:?}/{}/{}", e.file_name(), m.len(), stamp(t)));
    }
    entries.sort_unstable();
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in entries.join("\n").bytes() {
        h = (b as u64 ^ h).wrapping_mul(0x0000_0100_0000_01b3);
    }
    Ok((format!("{MAGIC} {} {h:016x}", stamp(folder)), newest))
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

    /// Sets the modification time of a file or folder an hour back, as if written long ago.
    fn age(p: &Path) {
        let then = SystemTime::now() - Duration::from_secs(3600);
        std::fs::File::open(p).unwrap().set_modified(then).unwrap();
    }

    #[test]
    fn a_need_rewritten_in_place_is_seen_at_once() {
        let data = tempfile::tempdir().unwrap();
        let cache = tempfile::tempdir().unwrap();
        let store = Store::new(data.path());
        let dir = store.ensure_dir(needs::DIR).unwrap();
        let idx = path(cache.path(), &store);
        let d = NaiveDate::from_ymd_opt(2026, 3, 1).unwrap();
        let owner = "ppp1".parse().unwrap();
        let n = Need::open(
            &owner,
            "first".into(),
            "other".into(),
            None,
            Importance::Low,
            false,
            d,
        );
        let n = needs::add(&store, n, chrono::Utc::now()).unwrap();
        let file = store.path(&needs::path(&n.id));
        for e in std::fs::read_dir(&dir).unwrap() {
            age(&e.unwrap().path());
        }
        age(&dir);
        // The first listing reads the files and writes the index.
        needs_without_history(&store, Some(&idx)).unwrap();
        assert!(idx.exists());

        // An editor or a sync tool rewrites the file in place: the folder's time does not move.
        let text = std::fs::read_to_string(&file).unwrap();
        std::fs::write(&file, text.replace("\"first\"", "\"second, made private\"")).unwrap();
        let got = needs_without_history(&store, Some(&idx)).unwrap();
        assert_eq!(got[0].text, "second, made private");

        // A file broken in place is reported, not hidden behind the index.
        std::fs::write(&file, "{ not json").unwrap();
        assert!(needs_without_history(&store, Some(&idx)).is_err());
    }

    #[test]
    fn an_index_is_used_only_while_the_folder_is_unchanged() {
        let data = tempfile::tempdir().unwrap();
        let cache = tempfile::tempdir().unwrap();
        let store = Store::new(data.path());
        let dir = store.ensure_dir(needs::DIR).unwrap();
        let idx = path(cache.path(), &store);
        let d = NaiveDate::from_ymd_opt(2026, 3, 1).unwrap();
        let ghost = Need::open(
            &"ppp1".parse().unwrap(),
            "only in the index".into(),
            "other".into(),
            None,
            Importance::Low,
            false,
            d,
        );
        let ghost_line = line(&Need {
            id: "ghost0000000".parse().unwrap(),
            ..ghost
        });
        let header_now = || fingerprint(&dir).unwrap().0;

        // An index written for the folder as it is now is trusted: the files are not read.
        std::fs::write(&idx, format!("{}\n{ghost_line}", header_now())).unwrap();
        let got = needs_without_history(&store, Some(&idx)).unwrap();
        assert_eq!(
            got.iter().map(|n| n.text.as_str()).collect::<Vec<_>>(),
            ["only in the index"]
        );

        // One for another folder time is not.
        std::fs::write(&idx, format!("{MAGIC} 1.000000000\n{ghost_line}")).unwrap();
        assert!(
            needs_without_history(&store, Some(&idx))
                .unwrap()
                .is_empty()
        );

        // Nor is a current one that does not parse.
        std::fs::write(&idx, format!("{}\nnot a need\n", header_now())).unwrap();
        assert!(
            needs_without_history(&store, Some(&idx))
                .unwrap()
                .is_empty()
        );
    }
}
