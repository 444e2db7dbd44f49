//! `--to-dir`: a folder of notes for Obsidian or Joplin, one per day and one per need, each with
//! YAML front matter and a `closer_id`. Re-runnable, and kept with a manifest (see `manifest`):
//! it never changes a note the user edited, nor any file it did not write.

use crate::Layout;
use crate::gather::Data;
use crate::manifest::{self, Manifest};
use crate::markdown;
use chrono::{DateTime, NaiveDate, SecondsFormat, Utc};
use closer_cli::output::clean;
use closer_core::store::write_atomic;
use closer_core::{Error, Result};
use std::collections::BTreeMap;
use std::path::Path;

/// Checks, before anything is gathered or written, that the folder exists or can be made and
/// takes files.
pub(crate) fn prepare(dir: &Path) -> Result<()> {
    let fail = |e: std::io::Error| {
        Error::invalid(format!(
            "cannot write notes into {}: {e}; choose a folder you can write to",
            dir.display()
        ))
    };
    std::fs::create_dir_all(dir).map_err(fail)?;
    tempfile::tempfile_in(dir).map_err(fail)?;
    Ok(())
}

/// A YAML scalar: JSON strings are valid YAML and escape everything that needs it.
fn yaml(s: &str) -> String {
    serde_json::to_string(s).unwrap_or_default()
}

/// When a note's records were first and last written (None: nothing recorded a time).
type Times = Option<(DateTime<Utc>, DateTime<Utc>)>;

/// Widens `times` to take in `at`.
fn widen(times: &mut Times, at: DateTime<Utc>) {
    *times = Some(times.map_or((at, at), |(a, b)| (a.min(at), b.max(at))));
}

fn front_matter(
    layout: Layout,
    id: &str,
    title: &str,
    date: NaiveDate,
    times: Times,
    tags: &[&str],
) -> String {
    // A title is one line of plain text: no escape sequences for whatever shows it later.
    let title = &clean(title, false);
    let mut s = format!("---\ntitle: {}\n", yaml(title));
    match layout {
        Layout::Obsidian => s += &format!("date: {date}\naliases:\n  - {}\n", yaml(title)),
        Layout::Joplin => {
            // Joplin shows these in local time: the real moments the records were written, or
            // noon UTC, which is the same calendar day nearly everywhere.
            let noon = date.and_hms_opt(12, 0, 0).unwrap_or_default().and_utc();
            let (created, updated) = times.unwrap_or((noon, noon));
            let fmt = |t: DateTime<Utc>| t.to_rfc3339_opts(SecondsFormat::Millis, true);
            s += &format!("created: {}\nupdated: {}\n", fmt(created), fmt(updated));
        }
    }
    s += "tags:\n";
    for t in tags {
        s += &format!("  - {}\n", yaml(t));
    }
    s + &format!("closer_id: {}\n---\n", yaml(id))
}

/// What closer wants in the folder: `closer_id`, default path (relative), text.
type Wanted = Vec<(String, String, String)>;

/// Writes the wanted notes with the manifest: a note is (re)written only where closer wrote it
/// and the user has not changed it since (or where there is none); an edited note is left
/// alone and reported; a renamed note is found by its `closer_id`; the notes of records no
/// longer exported are removed unless the user changed them. Returns how many are up to date.
fn sync(dir: &Path, owner: &str, wanted: Wanted) -> Result<usize> {
    let loaded = Manifest::load(dir)?;
    // A folder from before the manifest: a note with closer's ID is closer's to update.
    let legacy = loaded.is_none();
    let mut m = loaded.unwrap_or_else(|| Manifest {
        version: 1,
        partner: owner.to_owned(),
        notes: Default::default(),
    });
    if m.partner != owner {
        return Err(Error::invalid(format!(
            "{} holds another partner's notes; export into a folder of your own",
            dir.display()
        )));
    }
    let (found, unreadable) = manifest::scan(dir)?;
    for path in unreadable {
        closer_cli::say!(
            "export: {}: its closer_id cannot be read, so closer leaves the note alone; \
             put the quotes back, or delete the line to keep the note as your own",
            path.display()
        );
    }
    let rel = |p: &Path| {
        p.strip_prefix(dir)
            .unwrap_or(p)
            .to_string_lossy()
            .replace('\\', "/")
    };
    let mut up_to_date = 0;
    let mut wanted_ids = std::collections::HashSet::new();
    for (id, default, text) in wanted {
        wanted_ids.insert(id.clone());
        let Some(path) = found
            .get(&id)
            .cloned()
            .or_else(|| manifest::inside(dir, &default))
        else {
            closer_cli::say!(
                "export: {} is reached through a link, so closer does not write the note there; \
                 make it a plain folder inside {}",
                default,
                dir.display()
            );
            continue;
        };
        let new_hash = manifest::hash(text.as_bytes());
        match std::fs::read(&path) {
            Ok(old) if old == text.as_bytes() => {}
            Ok(old) => {
                let ours = m.notes.get(&id).map(|e| e.sha256.as_str());
                let unchanged = ours == Some(manifest::hash(&old).as_str());
                let legacy_ours = legacy && found.contains_key(&id);
                if !(unchanged || legacy_ours) {
                    closer_cli::say!(
                        "export: left {} alone: it was changed since closer wrote it \
                         (delete it to get closer's version back)",
                        path.display()
                    );
                    continue;
                }
                write_atomic(&path, text.as_bytes())?;
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                if let Some(parent) = path.parent() {
                    std::fs::create_dir_all(parent).map_err(|e| Error::io(parent, e))?;
                }
                write_atomic(&path, text.as_bytes())?;
            }
            Err(e) => return Err(Error::io(&path, e)),
        }
        m.notes.insert(
            id,
            manifest::Entry {
                path: rel(&path),
                sha256: new_hash,
            },
        );
        up_to_date += 1;
    }
    // Notes of records that are gone, or that this partner may no longer see.
    let gone: Vec<String> = m
        .notes
        .keys()
        .filter(|id| !wanted_ids.contains(*id))
        .cloned()
        .collect();
    for id in gone {
        let entry = m.notes.remove(&id).expect("listed above");
        let Some(path) = found
            .get(&id)
            .cloned()
            .or_else(|| manifest::inside(dir, &entry.path))
        else {
            closer_cli::say!(
                "export: the notes list names {:?} for {id}, which is not a file inside {}, \
                 so closer leaves it alone",
                entry.path,
                dir.display()
            );
            continue;
        };
        match std::fs::read(&path) {
            Ok(old) if manifest::hash(&old) == entry.sha256 => {
                std::fs::remove_file(&path).map_err(|e| Error::io(&path, e))?;
            }
            Ok(_) => closer_cli::say!(
                "export: left {} alone: its record is no longer exported, but you changed the note",
                path.display()
            ),
            Err(_) => {}
        }
    }
    m.save(dir)?;
    Ok(up_to_date)
}

pub(crate) fn write(dir: &Path, layout: Layout, d: &Data, quiet: bool) -> Result<()> {
    let mut wanted: Wanted = Vec::new();
    for n in &d.needs {
        let id = format!("need-{}", n.id);
        let mut tags = vec!["closer", "closer/need"];
        let status = format!("closer/{}", n.status.label().replace(' ', "-"));
        tags.push(&status);
        let body = markdown::need(d, n, 1);
        let mut times = None;
        for c in &n.history {
            widen(&mut times, c.at);
        }
        let text = front_matter(layout, &id, &n.text, n.created, times, &tags) + &body;
        wanted.push((id, format!("needs/{}.md", n.id), text));
    }
    // One note per day: that day's prompt and answers, then that day's sessions.
    let mut days: BTreeMap<NaiveDate, (String, Times)> = BTreeMap::new();
    for day in d.answers.chunk_by(|a, b| a.1.date == b.1.date) {
        let (text, times) = days.entry(day[0].1.date).or_default();
        for (_, a) in day {
            widen(times, a.at);
        }
        text.push_str(&markdown::answers(d, day, 2).replacen(
            &format!("## {}", day[0].1.date),
            "## Prompt of the day",
            1,
        ));
    }
    for (who, s) in &d.sessions {
        let (text, times) = days.entry(s.date).or_default();
        widen(times, s.at);
        for (_, x) in d.debriefs_of(&s.id) {
            widen(times, x.at);
        }
        if !text.contains("## Touch") {
            text.push_str("\n## Touch\n\n");
        }
        text.push_str(&markdown::session(d, who, s));
    }
    for (date, (body, times)) in &days {
        let id = format!("day-{date}");
        let text = front_matter(
            layout,
            &id,
            &date.to_string(),
            *date,
            *times,
            &["closer", "closer/day"],
        ) + &format!("\n# {date}\n")
            + body;
        wanted.push((id, format!("days/{date}.md"), text));
    }
    let owner = d.viewer.as_ref().map_or("", |p| p.id.as_str());
    let written = sync(dir, owner, wanted)?;
    if !quiet {
        closer_cli::say!("export: {written} notes up to date in {}", dir.display());
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn manifest_naming(dir: &Path, paths: &[String], victim: &Path) {
        let sha256 = manifest::hash(&std::fs::read(victim).unwrap());
        let notes = paths
            .iter()
            .enumerate()
            .map(|(i, p)| {
                let entry = manifest::Entry {
                    path: p.clone(),
                    sha256: sha256.clone(),
                };
                (format!("need-gone{i}"), entry)
            })
            .collect();
        let m = Manifest {
            version: 1,
            partner: "sam000000002".into(),
            notes,
        };
        m.save(dir).unwrap();
    }

    #[test]
    fn the_notes_list_cannot_make_an_export_delete_or_write_outside_the_notes_folder() {
        let t = tempfile::tempdir().unwrap();
        let dir = t.path().join("notes");
        let outside = t.path().join("outside");
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::create_dir_all(&outside).unwrap();
        let victim = outside.join("victim.txt");
        std::fs::write(&victim, "precious").unwrap();
        std::os::unix::fs::symlink(&outside, dir.join("up")).unwrap();
        let paths = [
            "../outside/victim.txt".to_owned(),
            victim.display().to_string(),
            "up/victim.txt".to_owned(),
        ];
        manifest_naming(&dir, &paths, &victim);
        sync(&dir, "sam000000002", Vec::new()).unwrap();
        assert!(
            victim.exists(),
            "a file outside the notes folder was deleted"
        );
        // A note is never written through a link either.
        std::os::unix::fs::symlink(&outside, dir.join("needs")).unwrap();
        let wanted = vec![(
            "need-abcd".to_owned(),
            "needs/abcd.md".to_owned(),
            "---\ncloser_id: need-abcd\n---\nbody\n".to_owned(),
        )];
        sync(&dir, "sam000000002", wanted).unwrap();
        assert!(!outside.join("abcd.md").exists(), "written through a link");
    }
}
