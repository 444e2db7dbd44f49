//! Two versions of a couple's own content file (`content/…/X.toml`) that syncing left side by
//! side, made one with nothing lost: the file as it is stays word for word, and the items only
//! the other version has (prompts, needs, steps, conditions, …, by ID) are added at its end.
//! Two versions that change the same item, or a setting of the file, are left for the couple.

use crate::content::schema;
use crate::error::{Error, Result};
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

/// `ours` (the file) with what only `theirs` (the copy) holds added at its end; `names` are the
/// two files' names for messages.
pub fn merge(ours: &str, theirs: &str, names: (&str, &str)) -> Result<String> {
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
                None => more.push(item.clone()),
            }
        }
        if !more.is_empty() {
            added.insert(key.clone(), Value::Array(more));
        }
    }
    if added.is_empty() {
        return Ok(ours.to_owned());
    }
    let tail = toml::to_string(&added).map_err(|e| Error::invalid(e.to_string()))?;
    let mut out = ours.to_owned();
    if !out.ends_with('\n') {
        out.push('\n');
    }
    out.push('\n');
    out.push_str(&tail);
    // What is written must read back as a content file.
    schema::parse(names.0, out.clone()).map_err(|m| {
        Error::invalid(format!(
            "{m}: the two versions do not make one file; compare them, keep what you want in {}, then remove {}",
            names.0, names.1
        ))
    })?;
    Ok(out)
}
