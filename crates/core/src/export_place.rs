//! Where an export may be written: never into the synced data folder or this device's config
//! folder, where plain notes of everything a partner may see would travel in clear.

use crate::{Error, Result};
use std::path::{Component, Path, PathBuf};

/// `path` as it will be reached: made absolute, its existing part resolved (links followed), the
/// rest (which does not exist yet) appended with `.` and `..` worked out.
pub fn resolve(path: &Path) -> PathBuf {
    let absolute = std::path::absolute(path).unwrap_or_else(|_| path.to_owned());
    let mut existing = absolute.as_path();
    let mut rest = Vec::new();
    let mut out = loop {
        if let Ok(real) = std::fs::canonicalize(existing) {
            break real;
        }
        match (existing.parent(), existing.file_name()) {
            (Some(parent), Some(name)) => {
                rest.push(Component::Normal(name));
                existing = parent;
            }
            // `..` or the root that cannot be resolved: keep what was given.
            _ => break existing.to_owned(),
        }
    };
    for c in rest.into_iter().rev() {
        out.push(c);
    }
    // `..` in the part that does not exist yet: no links there, so a plain step up.
    let mut clean = PathBuf::new();
    for c in out.components() {
        match c {
            Component::CurDir => {}
            Component::ParentDir => {
                clean.pop();
            }
            c => clean.push(c),
        }
    }
    clean
}

/// Checks that a folder of notes at `dir` is outside the data folder `data` and the device's
/// config folder `config` (and is neither of them).
pub fn check_notes_folder(dir: &Path, data: &Path, config: &Path) -> Result<()> {
    let target = resolve(dir);
    for (folder, what) in [
        (data, "the data folder"),
        (config, "this device's config folder"),
    ] {
        if target.starts_with(resolve(folder)) {
            return Err(Error::usage(format!(
                "{} is inside {what} ({}), which is synced or holds your keys: notes there \
                 would sit in plain text beside your records; choose a folder outside the data \
                 folder and the config folder",
                dir.display(),
                folder.display()
            )));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_notes_folder_inside_the_data_or_config_folder_is_refused_however_it_is_named() {
        let tmp = tempfile::tempdir().unwrap();
        let data = tmp.path().join("data");
        let config = tmp.path().join("home/.config/closer");
        std::fs::create_dir_all(data.join("needs")).unwrap();
        std::fs::create_dir_all(&config).unwrap();
        for inside in [
            data.clone(),
            data.join("needs"),
            data.join("not/yet/there"),
            tmp.path().join("other/../data/x"),
            data.join("./y/../z"),
            config.join("n"),
        ] {
            let e = check_notes_folder(&inside, &data, &config).unwrap_err();
            assert_eq!(e.exit_code(), 2, "{e}");
            assert!(e.to_string().contains("outside the data folder"), "{e}");
        }
        for outside in [
            tmp.path().join("vault"),
            tmp.path().join("data-notes"),
            data.join("../vault"),
        ] {
            check_notes_folder(&outside, &data, &config).unwrap();
        }
    }

    #[cfg(unix)]
    #[test]
    fn a_link_to_the_data_folder_is_followed() {
        let tmp = tempfile::tempdir().unwrap();
        let data = tmp.path().join("data");
        std::fs::create_dir_all(&data).unwrap();
        let link = tmp.path().join("link");
        std::os::unix::fs::symlink(&data, &link).unwrap();
        let cfg = tmp.path().join("cfg");
        assert!(check_notes_folder(&link.join("notes"), &data, &cfg).is_err());
        // And the other way round: the data folder named through a link.
        assert!(check_notes_folder(&data.join("notes"), &link, &cfg).is_err());
    }
}
