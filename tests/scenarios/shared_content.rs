//! Own content files in the shared data folder: both devices use the same library and rotation;
//! a file only in one device's config folder still loads, and the prompt tool says once that
//! the two libraries differ.

use super::*;
use support::PROMPT;

const OURS: &str = "version = 1\n[category]\nid = \"our-walks\"\nname = \"Walks\"\nabout = \"Our walks.\"\n\n[[prompt]]\nid = \"our-walks-1\"\ntext = \"Where shall we walk on Sunday?\"\ndepth = \"light\"\nlow_energy = false\n";

fn ids(d: &Device) -> Vec<String> {
    let list = json(&d.ok(PROMPT, &["list", "--json"]));
    list.as_array()
        .unwrap()
        .iter()
        .map(|p| p["id"].as_str().unwrap().to_owned())
        .collect()
}

#[test]
fn own_content_in_the_data_folder_is_shared_and_a_difference_is_said_once() {
    let sb = Sandbox::new();
    let (alex, sam) = (device(&sb, "alex"), device(&sb, "sam"));
    alex.ok(PROMPT, &["couple", "add", "Alex"]);
    alex.ok(PROMPT, &["couple", "add", "Sam"]);
    share_keys(&alex, &sam);

    // Alex's own file, in Alex's config folder only: loaded there, not on Sam's device.
    std::fs::create_dir_all(alex.config.join("closer/content")).unwrap();
    std::fs::write(alex.config.join("closer/content/ours.toml"), OURS).unwrap();
    assert!(ids(&alex).contains(&"our-walks-1".to_owned()));
    assert!(!ids(&sam).contains(&"our-walks-1".to_owned()));
    alex.ok(PROMPT, &["couple", "me", "Alex"]);
    sam.ok(PROMPT, &["couple", "me", "Sam"]);

    let first = sam.run(PROMPT, &[]);
    first.ok();
    assert!(
        first
            .stderr
            .contains("Alex's device uses a different prompt library"),
        "{}",
        first.stderr
    );
    let again = sam.run(PROMPT, &[]);
    assert_eq!(again.stderr, "", "said once");
    assert_eq!(again.stdout, first.stdout);

    // Moved into the shared data folder: the same library and the same prompts on both.
    std::fs::create_dir_all(sb.data().join("content")).unwrap();
    std::fs::rename(
        alex.config.join("closer/content/ours.toml"),
        sb.data().join("content/ours.toml"),
    )
    .unwrap();
    assert_eq!(ids(&alex), ids(&sam));
    assert!(ids(&sam).contains(&"our-walks-1".to_owned()));
    for day in ["2026-03-02", "2026-03-03", "2026-03-04"] {
        sb.set_today(day);
        let (a, s) = (alex.run(PROMPT, &[]), sam.run(PROMPT, &[]));
        assert_eq!(a.ok(), s.ok(), "{day}");
        assert_eq!(s.stderr, "", "{day}: the libraries no longer differ");
    }
}
