//! The couple's own content files in an encrypted data folder: each sealed to both partners and
//! signed by the partner who added it, like other shared records (`content/…/X.toml.age`, signed
//! for the place `content/…/X.toml`). A plain content file there, or one that fails its check,
//! is named and left out: anyone who can write into the folder could have put it there, and it
//! would put prompts in front of both partners. `couple encrypt` seals a plain one (then signed
//! by the partner who runs it) only if it was in the folder when this device first saw it
//! encrypted, or if that partner looked at it and confirmed it; `couple decrypt` opens them again.

use crate::content::Shared;
use crate::content::load::{below_ending, parse_bytes};
use crate::content::schema;
use crate::crypto::CryptoError;
use crate::error::{Error, Fault, Result};
use crate::migrate::Report;
use crate::sealing::Sealing;
use crate::store::{Store, read_unfollowed, write_atomic};
use std::collections::BTreeSet;
use std::fs;
use std::path::{Path, PathBuf};

/// How a sealed content file's name ends.
pub const SEALED_ENDING: &str = ".toml.age";

/// A plain content file that `couple encrypt` seals only once the partner at the keyboard has
/// looked at it and said yes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Candidate {
    /// The plain file.
    pub path: PathBuf,
    /// The place it would be signed for (`content/NAME.toml`).
    pub place: String,
    /// What it holds, one line an item: its kind and its text, name or title.
    pub items: Vec<String>,
}

/// The data folder's content folder.
pub fn dir(store: &Store) -> PathBuf {
    store.plain_path("content")
}

/// The place the content file at `path` (plain or sealed) is signed for: `content/NAME.toml`.
fn place(store: &Store, path: &Path) -> Option<String> {
    let rel = path.strip_prefix(store.root()).ok()?.to_str()?;
    Some(rel.strip_suffix(".age").unwrap_or(rel).to_owned())
}

/// The shared content files of an encrypted folder: every sealed one opened and checked (one
/// that fails its check is a mistake that keeps it out; one sealed to nobody this device holds
/// is passed over), and every plain one noted as left out.
pub fn read<'a>(store: &Store, dir: &'a Path, sealing: &Sealing) -> Shared<'a> {
    let plain = below_ending(dir, ".toml");
    for path in &plain.files {
        store.leave_out(Error::bad_record(path, Fault::PlainContent));
    }
    let sealed = below_ending(dir, SEALED_ENDING);
    let mut files = Vec::new();
    for path in &sealed.files {
        let mistake = |message: String| schema::Mistake {
            file: path.display().to_string(),
            line: 1,
            column: 1,
            message,
        };
        let opened = match (read_unfollowed(path), place(store, path)) {
            (Ok(bytes), Some(place)) => sealing.open(&place, &bytes),
            (Err(e), _) => Err(CryptoError::Malformed(e.to_string())),
            (_, None) => continue,
        };
        files.push(match opened {
            Ok(body) => parse_bytes(path, body),
            Err(CryptoError::NotForYou) => continue,
            Err(e) => Err(mistake(e.to_string())),
        });
    }
    let mut conflicted = sealed.conflicted;
    conflicted.extend(plain.conflicted);
    Shared {
        dir,
        files,
        conflicted,
    }
}

/// Every sealed content file of the folder, with the place it is signed for.
pub(crate) fn sealed_files(store: &Store) -> Vec<(String, PathBuf)> {
    below_ending(&dir(store), SEALED_ENDING)
        .files
        .into_iter()
        .filter_map(|path| Some((place(store, &path)?, path)))
        .collect()
}

/// Every item of a content file, one line each: its kind and its text, name or title.
fn items(file: &schema::ContentFile) -> Vec<String> {
    let mut out = Vec::new();
    // Control characters (a terminal's escape codes) are shown as `?`.
    let mut add = |kind: &str, text: &str| {
        let text: String = text
            .chars()
            .map(|c| if c.is_control() { '?' } else { c })
            .collect();
        out.push(format!("{kind}: {text}"));
    };
    for c in &file.condition {
        add("condition", &c.name);
    }
    if let Some(c) = &file.category {
        add("category", &c.name);
    }
    for p in &file.prompt {
        add("prompt", p.text.get_ref());
    }
    for n in &file.need {
        add("need", n.text.get_ref());
    }
    for r in &file.region {
        add("body region", &r.name);
    }
    for s in &file.stage {
        add("stage", &s.name);
    }
    for s in &file.step {
        add("step", &s.title);
    }
    for r in &file.rules {
        add("rule", r);
    }
    for (kind, text) in [
        ("help", &file.help),
        ("safety note", &file.safety),
        ("counselor note", &file.counselor),
    ] {
        if let Some(t) = text {
            add(kind, t);
        }
    }
    out
}

/// The places of the plain content files in the folder now (see `migrate::plain_places`).
pub fn plain_places(store: &Store) -> Vec<String> {
    below_ending(&dir(store), ".toml")
        .files
        .iter()
        .filter_map(|p| place(store, p))
        .collect()
}

/// The plain content files that parse and whose place is not in `allowed` (those in the folder
/// when this device first saw it encrypted): what `couple encrypt` seals only if the partner at
/// the keyboard looks at each and confirms it.
pub fn unconfirmed(store: &Store, allowed: &BTreeSet<String>) -> Vec<Candidate> {
    let dir = dir(store);
    if !dir.is_dir() {
        return Vec::new();
    }
    below_ending(&dir, ".toml")
        .files
        .into_iter()
        .filter_map(|path| {
            let place = place(store, &path).filter(|p| !allowed.contains(p))?;
            let parsed = parse_bytes(&path, read_unfollowed(&path).ok()?).ok()?;
            Some(Candidate {
                items: items(&parsed.file),
                path,
                place,
            })
        })
        .collect()
}

fn remove(path: &Path) -> Result<()> {
    match fs::remove_file(path) {
        Err(e) if e.kind() != std::io::ErrorKind::NotFound => Err(Error::io(path, e)),
        _ => Ok(()),
    }
}

/// Seals every plain content file of the folder whose place is in `allowed` (there when this
/// device first saw the folder encrypted, or looked at and confirmed) for both partners, signed
/// by the partner at the keyboard, each read back before its plain file goes. Any other stays
/// plain, with why; so does one that does not parse. One beside a sealed version replaces it.
pub fn encrypt(
    store: &Store,
    sealing: &Sealing,
    allowed: &BTreeSet<String>,
    r: &mut Report,
) -> Result<()> {
    let dir = dir(store);
    if !dir.is_dir() {
        return Ok(());
    }
    let _lock = store.lock("content")?;
    for plain in below_ending(&dir, ".toml").files {
        let Some(place) = place(store, &plain) else {
            continue;
        };
        if !allowed.contains(&place) {
            r.refused.push((plain, Fault::PlainContent));
            continue;
        }
        let body = fs::read(&plain).map_err(|e| Error::io(&plain, e))?;
        if let Err(m) = parse_bytes(&plain, body.clone()) {
            r.refused.push((
                plain,
                format!("{m}; it stays plain and is not used until it is fixed and encrypted")
                    .into(),
            ));
            continue;
        }
        let sealed = store.plain_path(&format!("{place}.age"));
        write_atomic(&sealed, &sealing.seal(&place, &body, None)?)?;
        let back = read_unfollowed(&sealed).map_err(|e| Error::io(&sealed, e))?;
        if sealing.open(&place, &back).ok().as_deref() != Some(&body[..]) {
            remove(&sealed)?;
            return Err(Error::invalid(format!(
                "{}: the encrypted copy did not read back the same; the plain file is kept",
                plain.display()
            )));
        }
        remove(&plain)?;
        r.done += 1;
    }
    Ok(())
}

/// Writes every sealed content file this device can open as a plain one again, each read back
/// before its sealed file goes. One that fails its check is left as it is.
pub fn decrypt(store: &Store, sealing: &Sealing, r: &mut Report) -> Result<()> {
    let dir = dir(store);
    if !dir.is_dir() {
        return Ok(());
    }
    let _lock = store.lock("content")?;
    for sealed in below_ending(&dir, SEALED_ENDING).files {
        let Some(place) = place(store, &sealed) else {
            continue;
        };
        let bytes = read_unfollowed(&sealed).map_err(|e| Error::io(&sealed, e))?;
        let body = match sealing.open(&place, &bytes) {
            Ok(b) => b,
            Err(CryptoError::NotForYou) => {
                *r.left.entry(String::new()).or_default() += 1;
                continue;
            }
            Err(e) => {
                r.refused
                    .push((sealed, format!("{e}; it is left as it is").into()));
                continue;
            }
        };
        let plain = store.plain_path(&place);
        if fs::read(&plain).is_ok_and(|b| b != body) {
            r.refused.push((
                plain,
                "a plain version that differs is already there; both are left for you to compare"
                    .into(),
            ));
            continue;
        }
        write_atomic(&plain, &body)?;
        if fs::read(&plain).map_err(|e| Error::io(&plain, e))? != body {
            return Err(Error::invalid(format!(
                "{}: the plain copy did not read back the same; the encrypted file is kept",
                sealed.display()
            )));
        }
        remove(&sealed)?;
        r.done += 1;
    }
    Ok(())
}
