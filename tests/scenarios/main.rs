//! Cross-tool scenarios: a new couple's first two weeks with every tool, ending in an export that
//! holds all of it and nothing it must not; and the prompt of the day from cron.
//!
//! Every run is sealed: a temp HOME and data folder, no inherited environment, a pinned date,
//! no colour and a fixed width.

#[path = "../support/mod.rs"]
mod support;

use serde_json::Value;
use std::path::{Path, PathBuf};
use support::{Run, Sandbox};

mod conditions;
mod cron;
mod damaged;
mod damaged_shared;
mod deletions;
mod device_memory;
mod editor;
mod encrypted;
mod enter_at_secrets;
mod export_places;
mod first_sight;
mod first_weeks;
mod forwarding;
mod fuzz;
mod gentle_day;
mod global_options;
mod held_back;
mod help;
mod joint_rounds;
mod json_shapes;
mod key_remove;
mod keys;
mod kinder_words;
mod mirror;
mod opened_cache;
mod options_together;
mod output_errors;
mod own_records;
mod pager;
mod pinned_keys;
mod privacy_matrix;
mod readme_cron;
mod refused;
mod rekey;
mod rekey_second_device;
mod removed_needs;
mod rounds_let_go;
mod rounds_own_devices;
mod sealed_answers;
mod sealed_sizes;
mod setup_wizard;
mod shared_content;
mod start_over;
mod start_up;
mod sync_conflicts_sealed;
mod today;
mod touch_state_sealed;
mod twin_devices;
mod two_device_move;
mod two_setups;
mod untrusted;

fn json(s: &str) -> Value {
    serde_json::from_str(s).unwrap_or_else(|e| panic!("not JSON ({e}): {s}"))
}

/// One device: its own config and cache folders, the shared data folder.
pub struct Device<'a> {
    sb: &'a Sandbox,
    pub config: PathBuf,
}

impl Device<'_> {
    pub fn run(&self, tool: (&str, &str), args: &[&str]) -> Run {
        self.run_in(&self.sb.data(), tool, args)
    }

    /// The fingerprint this device shows for partner `name`'s keys.
    pub fn fingerprint_of(&self, name: &str) -> String {
        let keys = json(&self.ok(support::NEEDS, &["couple", "keys", "show", "--json"]));
        keys.as_array()
            .unwrap()
            .iter()
            .find(|k| k["name"] == name)
            .unwrap()["fingerprint"]
            .as_str()
            .unwrap()
            .to_owned()
    }

    /// Runs in data folder `data`: this device before its first sync.
    pub fn run_in(&self, data: &Path, tool: (&str, &str), args: &[&str]) -> Run {
        Run::from(
            self.sb
                .command_in(data, tool)
                .env("XDG_CONFIG_HOME", &self.config)
                .env("XDG_CACHE_HOME", self.config.join("cache"))
                .args(args)
                .output()
                .expect("the binary runs"),
        )
    }

    #[track_caller]
    pub fn ok(&self, tool: (&str, &str), args: &[&str]) -> String {
        self.run(tool, args).ok().to_owned()
    }

    /// A partner's ID by name, as this device sees the couple.
    #[track_caller]
    pub fn id_of(&self, name: &str) -> String {
        partner_id(&self.ok(support::NEEDS, &["couple", "--json"]), name)
    }
}

/// The partners' names, in order, from `couple --json`.
#[track_caller]
fn partner_names(couple_json: &str) -> Vec<String> {
    let v = json(couple_json);
    v["partners"]
        .as_array()
        .unwrap_or_else(|| panic!("no partners in {v}"))
        .iter()
        .map(|p| p["name"].as_str().unwrap().to_owned())
        .collect()
}

/// A partner's ID by name, from `couple --json`.
#[track_caller]
fn partner_id(couple_json: &str, name: &str) -> String {
    let v = json(couple_json);
    v["partners"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["name"] == name)
        .and_then(|p| p["id"].as_str())
        .unwrap_or_else(|| panic!("no partner {name} in {v}"))
        .to_owned()
}

/// Gives `to` the keys `from` holds, as `couple keys export` and `import` would: the couple was
/// set up on `from`, and the other partner's device needs their key to read the folder.
pub fn share_keys(from: &Device, to: &Device) {
    let (src, dest) = (
        from.config.join("closer/keys"),
        to.config.join("closer/keys"),
    );
    std::fs::create_dir_all(&dest).unwrap();
    for e in std::fs::read_dir(src).unwrap().flatten() {
        std::fs::copy(e.path(), dest.join(e.file_name())).unwrap();
    }
}

/// Moves partner `name`'s key from `from` (where the couple was set up) to `to`, as `couple keys
/// export` there, `import` here and taking it off the first device would: each device then holds
/// its own partner's key only.
pub fn hand_over_key(from: &Device, to: &Device, name: &str) {
    let couple = json(&from.ok(support::NEEDS, &["couple", "--json"]));
    let id = couple["partners"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["name"] == name)
        .and_then(|p| p["id"].as_str())
        .unwrap()
        .to_owned();
    let file = format!("closer/keys/{id}.key");
    std::fs::create_dir_all(to.config.join("closer/keys")).unwrap();
    std::fs::rename(from.config.join(&file), to.config.join(&file)).unwrap();
}

/// Copies what `from` has into `to`: new files as they are, a file both have as Syncthing's
/// conflict copy.
pub fn sync(from: &Path, to: &Path) {
    for e in std::fs::read_dir(from).unwrap().flatten() {
        let (src, dest) = (e.path(), to.join(e.file_name()));
        let name = e.file_name().to_string_lossy().into_owned();
        if name.starts_with('.') {
            continue;
        }
        if src.is_dir() {
            std::fs::create_dir_all(&dest).unwrap();
            sync(&src, &dest);
        } else if !dest.exists() {
            std::fs::copy(&src, &dest).unwrap();
        } else if std::fs::read(&src).unwrap() != std::fs::read(&dest).unwrap() {
            let (stem, ext) = name.rsplit_once('.').unwrap_or((&name, ""));
            let copy = format!("{stem}.sync-conflict-20260302-101500-BBBBBBB.{ext}");
            std::fs::copy(&src, to.join(copy)).unwrap();
        }
    }
}

/// Alex and Sam set up on two devices sharing one folder, each device holding only its own
/// partner's key (Sam's moved over as `couple keys export` / `import` would).
pub fn two_devices(sb: &Sandbox) -> (Device<'_>, Device<'_>) {
    let (alex, sam) = (device(sb, "alex"), device(sb, "sam"));
    alex.ok(support::NEEDS, &["couple", "add", "Alex"]);
    alex.ok(support::NEEDS, &["couple", "add", "Sam"]);
    hand_over_key(&alex, &sam, "Sam");
    alex.ok(support::NEEDS, &["couple", "me", "Alex"]);
    sam.ok(support::NEEDS, &["couple", "me", "Sam"]);
    (alex, sam)
}

pub fn device<'a>(sb: &'a Sandbox, name: &str) -> Device<'a> {
    Device {
        sb,
        config: sb.path(&format!("{name}-config")),
    }
}
