//! Everything is private whatever the umask, including folders created on the way.

use super::*;
use children::{finish, spawn_child};
use closer_core::needs;
use closer_core::store::Store;
use std::collections::BTreeSet;
use std::os::unix::fs::PermissionsExt;

fn mode_of(p: &Path) -> u32 {
    fs::symlink_metadata(p).unwrap().permissions().mode() & 0o777
}

#[test]
fn everything_is_private_even_with_umask_000() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("data");
    let child = spawn_child("perms", &dir, 0, true);
    finish(child, "the writer under umask 000");

    // The child's own plain file shows that the umask really was 000 there.
    assert_eq!(
        format!("{:o}", mode_of(&tmp.path().join("umask-probe"))),
        "666"
    );
    let all = walk(&dir);
    let names: BTreeSet<&str> = all.iter().map(|p| name_of(p)).collect();
    for expected in [
        "couple.json",
        "partners",
        "needs",
        "answers",
        "2026.json",
        ".lock",
        "config-like.toml",
    ] {
        assert!(
            names.contains(expected),
            "{expected} was not written: {names:?}"
        );
    }
    assert_eq!(format!("{:o}", mode_of(&dir)), "700", "the data folder");
    for p in &all {
        let want = if p.is_dir() { "700" } else { "600" };
        assert_eq!(format!("{:o}", mode_of(p)), want, "{}", p.display());
    }
}

#[test]
fn a_data_folder_whose_parents_are_missing_is_created() {
    // A fresh account: no ~/.local/share yet.
    let tmp = tempfile::tempdir().unwrap();
    let home = tmp.path().join("home");
    let dir = home.join(".local").join("share").join("closer");
    let store = Store::new(&dir);
    let n = needs::add(&store, need("alex00000000", "a first need"), at()).unwrap();
    assert!(dir.join("needs").join(format!("{}.json", n.id)).is_file());
    for p in [home.join(".local"), home.join(".local").join("share"), dir] {
        assert_eq!(format!("{:o}", mode_of(&p)), "700", "{}", p.display());
    }
}
