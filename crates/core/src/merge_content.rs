//! Two versions of a couple's own content file (`content/…/X.toml`) that syncing left side by
//! side, made one: the file as it is stays word for word, and the items only the other version
//! has (prompts, needs, steps, conditions, …, by ID) are added at its end. An item only one
//! version holds is left out only when this device saw it deleted ([`crate::content_seen`]);
//! otherwise it is kept, because nothing added may be lost, and one this device cannot tell
//! from an item the other device deleted is named, so that the deletion can be made again. Two
//! versions that change the same item, or a setting of the file, are left for the couple.

use crate::content::schema;
use crate::error::{Error, Result};
use std::collections::BTreeSet;
use toml::{Table, Value};

/// The lists of items a content file holds, and the field that names each item.
const ITEMS: &[(&str, &str)] = &[
    ("condition", "id"),
    ("prompt", "id"),
    ("need", "id"),
    ("region", "id"),
    ("stage", "number"),
    ("step", "id"),
];

fn table(name: &str, text: &str) -> Result<Table> {
    text.parse::<Table>().map_err(|e| {
        let (line, column) = e.span().map_or((1, 1), |s| schema::locate(text, s.start));
        Error::invalid(format!(
            "{name}:{line}:{column}: {}; fix it, then run this again",
            e.message().trim()
        ))
    })
}

fn key_of(item: &Value, field: &str) -> Option<String> {
    item.get(field).map(ToString::to_string)
}

/// The items of a content file, each as `KIND:ID` (`prompt:"our-walks-1"`); `None` when it does
/// not parse.
pub fn items(text: &str) -> Option<BTreeSet<String>> {
    let t = text.parse::<Table>().ok()?;
    let mut out = BTreeSet::new();
    for (key, field) in ITEMS {
        for item in t.get(*key).and_then(Value::as_array).into_iter().flatten() {
            if let Some(id) = key_of(item, field) {
                out.insert(format!("{key}:{id}"));
            }
        }
    }
    Some(out)
}

/// `text` without the items named in `gone` (`KIND:ID`), everything else as it was written.
fn without(text: &str, gone: &BTreeSet<String>) -> Result<String> {
    if gone.is_empty() {
        return Ok(text.to_owned());
    }
    let mut doc = text
        .parse::<toml_edit::DocumentMut>()
        .map_err(|e| Error::invalid(e.to_string()))?;
    for (key, field) in ITEMS {
        let named = |id: Option<String>| id.is_some_and(|id| gone.contains(&format!("{key}:{id}")));
        let Some(item) = doc.get_mut(key) else {
            continue;
        };
        if let Some(tables) = item.as_array_of_tables_mut() {
            tables.retain(|t| !named(t.get(field).and_then(|v| v.as_value()).map(plain)));
        } else if let Some(array) = item.as_array_mut() {
            array.retain(|v| !named(v.as_inline_table().and_then(|t| t.get(field)).map(plain)));
        }
    }
    Ok(doc.to_string())
}

/// A value as [`key_of`] writes it (`"id"`, `3`), whatever its decoration in the file.
fn plain(v: &toml_edit::Value) -> String {
    let mut v = v.clone();
    v.decor_mut().clear();
    v.to_string()
}

/// What this device saw of a content file before its two versions met (see
/// [`crate::content_seen`]), each item as `KIND:ID`.
#[derive(Debug, Default)]
pub struct Seen {
    /// Items it saw in the file and then saw gone: deleted, on this device or before the file
    /// came here.
    pub removed: BTreeSet<String>,
    /// Items in every version it saw. One version lacking such an item may have deleted it, or
    /// the other added it before this device first looked: it cannot tell.
    pub always: BTreeSet<String>,
}

/// A merged content file.
#[derive(Debug)]
pub struct Merged {
    pub text: String,
    /// Items only one version held, kept although the other version may have deleted them
    /// (`KIND ID`, as `prompt our-walks-2`).
    pub unsure: Vec<String>,
}

/// `ours` (the file) with what only `theirs` (the copy) holds added at its end. An item only one
/// of them holds is left out when `seen` says this device saw it deleted, and kept otherwise;
/// kept items this device had seen in every version are [`Merged::unsure`]. `names` are the two
/// files' names for messages.
pub fn merge(ours: &str, theirs: &str, names: (&str, &str), seen: &Seen) -> Result<Merged> {
    let (a, b) = (table(names.0, ours)?, table(names.1, theirs)?);
    let differ = |what: String| {
        Error::invalid(format!(
            "both versions change {what}; compare the two files, keep what you want in {}, then remove {}",
            names.0, names.1
        ))
    };
    let mut added = Table::new();
    for (key, value) in &b {
        let Some(field) = ITEMS.iter().find(|(k, _)| k == key).map(|(_, f)| *f) else {
            match a.get(key) {
                Some(v) if v == value => continue,
                // A table the file lacks (a category) can go at the end as it is.
                None if value.is_table() => {
                    added.insert(key.clone(), value.clone());
                    continue;
                }
                _ => return Err(differ(format!("`{key}`"))),
            }
        };
        let (Some(mine), Some(new)) = (
            a.get(key)
                .map_or(Some(&[][..]), |v| v.as_array().map(Vec::as_slice)),
            value.as_array(),
        ) else {
            return Err(differ(format!("`{key}`")));
        };
        let mut more = Vec::new();
        for item in new {
            let id =
                key_of(item, field).ok_or_else(|| differ(format!("a {key} without {field}")))?;
            match mine.iter().find(|m| key_of(m, field).as_ref() == Some(&id)) {
                Some(m) if m == item => {}
                Some(_) => return Err(differ(format!("{key} {}", id.trim_matches('"')))),
                None if seen.removed.contains(&format!("{key}:{id}")) => {}
                None => more.push(item.clone()),
            }
        }
        if !more.is_empty() {
            added.insert(key.clone(), Value::Array(more));
        }
    }
    let (mine, other) = (
        items(ours).unwrap_or_default(),
        items(theirs).unwrap_or_default(),
    );
    let only_one: BTreeSet<&String> = mine.symmetric_difference(&other).collect();
    let unsure = only_one
        .iter()
        .filter(|i| seen.always.contains(**i) && !seen.removed.contains(**i))
        .map(|i| i.replacen(':', " ", 1).replace('"', ""))
        .collect();
    // Seen deleted here, yet still in the file: the copy is this device's version.
    let deleted: BTreeSet<String> = mine
        .iter()
        .filter(|i| only_one.contains(i) && seen.removed.contains(*i))
        .cloned()
        .collect();
    let mut out = without(ours, &deleted)?;
    if !added.is_empty() {
        let tail = toml::to_string(&added).map_err(|e| Error::invalid(e.to_string()))?;
        if !out.ends_with('\n') {
            out.push('\n');
        }
        out.push('\n');
        out.push_str(&tail);
    }
    let merged = |text| Merged { text, unsure };
    if out == ours {
        return Ok(merged(out));
    }
    // What is written must read back as a content file.
    schema::parse(names.0, out.clone()).map_err(|m| {
        Error::invalid(format!(
            "{m}: the two versions do not make one file; compare them, keep what you want in {}, then remove {}",
            names.0, names.1
        ))
    })?;
    Ok(merged(out))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn walks(ids: &[u32]) -> String {
        let mut t = "version = 1\n# Ours.\n[category]\nid = \"our-walks\"\nname = \"Walks\"\nabout = \"Our walks.\"\n".to_owned();
        for n in ids {
            t.push_str(&format!(
                "\n[[prompt]]\nid = \"w{n}\" # kept as written\ntext = \"Walk {n}?\"\ndepth = \"light\"\nlow_energy = false\n"
            ));
        }
        t
    }

    #[test]
    fn an_item_seen_deleted_stays_deleted_and_one_that_may_have_been_added_is_kept() {
        let w2 = items(&walks(&[2])).unwrap();
        let seen_deleted = Seen {
            removed: w2.clone(),
            always: items(&walks(&[1, 3])).unwrap(),
        };
        let names = ("content/walks.toml", "copy");
        // Seen deleted, still in the file (the copy is this device's): taken out of the file,
        // the rest word for word.
        let out = merge(&walks(&[1, 2, 3, 4]), &walks(&[1, 3]), names, &seen_deleted).unwrap();
        assert_eq!(out.text, walks(&[1, 3, 4]));
        assert!(out.unsure.is_empty(), "{:?}", out.unsure);
        // Seen deleted, in the copy: not added back; the copy's addition is.
        let out = merge(&walks(&[1, 3]), &walks(&[1, 2, 3, 4]), names, &seen_deleted).unwrap();
        assert_eq!(
            items(&out.text).unwrap(),
            items(&walks(&[1, 3, 4])).unwrap()
        );
        assert!(out.text.starts_with(&walks(&[1, 3])));
        // In every version seen and missing from one: perhaps deleted there, perhaps added here
        // before this device first looked. Kept either way, and named.
        let unsure = Seen {
            removed: BTreeSet::new(),
            always: items(&walks(&[1, 2, 3])).unwrap(),
        };
        for (a, b) in [
            (walks(&[1, 3]), walks(&[1, 2, 3, 4])),
            (walks(&[1, 2, 3, 4]), walks(&[1, 3])),
        ] {
            let out = merge(&a, &b, names, &unsure).unwrap();
            assert_eq!(
                items(&out.text).unwrap(),
                items(&walks(&[1, 2, 3, 4])).unwrap()
            );
            assert_eq!(out.unsure, ["prompt w2"]);
        }
        // Knowing nothing: nothing is lost, nothing named.
        let out = merge(
            &walks(&[1, 3]),
            &walks(&[1, 2, 3, 4]),
            names,
            &Seen::default(),
        )
        .unwrap();
        assert_eq!(
            items(&out.text).unwrap(),
            items(&walks(&[1, 2, 3, 4])).unwrap()
        );
        assert!(out.unsure.is_empty());
    }
}
