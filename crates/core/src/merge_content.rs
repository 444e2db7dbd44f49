//! Two versions of a couple's own content file (`content/…/X.toml`) that syncing left side by
//! side, made one: the file as it is stays word for word, and the items only the other version
//! has (prompts, needs, steps, conditions, …, by ID) are added at its end. An item that was there
//! before the two versions parted ([`crate::content_seen`]) and that one version no longer has
//! was deleted there: it is left out, never brought back. Two versions that change the same
//! item, or a setting of the file, are left for the couple.

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

/// `ours` (the file) with what only `theirs` (the copy) holds added at its end, and without what
/// only it holds of `before` (the items there before the two versions parted, see
/// [`crate::content_seen`]): those the copy deleted. What only the copy holds of `before` the
/// file deleted, and is not added. `names` are the two files' names for messages.
pub fn merge(
    ours: &str,
    theirs: &str,
    names: (&str, &str),
    before: &BTreeSet<String>,
) -> Result<String> {
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
                None if before.contains(&format!("{key}:{id}")) => {}
                None => more.push(item.clone()),
            }
        }
        if !more.is_empty() {
            added.insert(key.clone(), Value::Array(more));
        }
    }
    // What the copy deleted: there before, and now only in the file.
    let theirs_items = items(theirs).unwrap_or_default();
    let deleted: BTreeSet<String> = items(ours)
        .unwrap_or_default()
        .into_iter()
        .filter(|i| before.contains(i) && !theirs_items.contains(i))
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
    if out == ours {
        return Ok(out);
    }
    // What is written must read back as a content file.
    schema::parse(names.0, out.clone()).map_err(|m| {
        Error::invalid(format!(
            "{m}: the two versions do not make one file; compare them, keep what you want in {}, then remove {}",
            names.0, names.1
        ))
    })?;
    Ok(out)
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
    fn an_item_there_before_and_deleted_on_one_side_stays_deleted_and_additions_stay() {
        let before = items(&walks(&[1, 2, 3])).unwrap();
        let names = ("content/walks.toml", "copy");
        // Deleted in the copy: taken out of the file, the rest word for word.
        let out = merge(&walks(&[1, 2, 3, 4]), &walks(&[1, 3]), names, &before).unwrap();
        assert_eq!(out, walks(&[1, 3, 4]));
        // Deleted in the file: not added back from the copy; the copy's addition is.
        let out = merge(&walks(&[1, 3]), &walks(&[1, 2, 3, 4]), names, &before).unwrap();
        let got = items(&out).unwrap();
        assert_eq!(got, items(&walks(&[1, 3, 4])).unwrap(), "{out}");
        assert!(out.starts_with(&walks(&[1, 3])));
        // Knowing nothing of before: nothing is lost.
        let out = merge(
            &walks(&[1, 3]),
            &walks(&[1, 2, 3, 4]),
            names,
            &BTreeSet::new(),
        )
        .unwrap();
        assert_eq!(items(&out).unwrap(), items(&walks(&[1, 2, 3, 4])).unwrap());
    }
}
