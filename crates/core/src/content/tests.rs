//! The built-in libraries: every file registered and used, and the promises the tools make about
//! their size and shape.

use super::*;
use std::collections::{HashMap, HashSet};

fn content_dir() -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../content")
}

#[test]
fn every_file_in_content_parses_and_is_used() {
    let mut on_disk = Vec::new();
    collect(&content_dir(), &mut on_disk);
    let mut names: Vec<String> = on_disk
        .iter()
        .map(|p| {
            p.strip_prefix(content_dir())
                .unwrap()
                .to_string_lossy()
                .replace('\\', "/")
        })
        .collect();
    names.sort();
    let compiled: Vec<String> = builtin::FILES.iter().map(|(n, _)| n.to_string()).collect();
    assert_eq!(
        names, compiled,
        "content/ and the compiled library disagree; rebuild"
    );
    for (name, items) in builtin::FILES {
        assert!(*items > 0, "{name} declares nothing");
    }
    // And they parse now, with the same checks a couple's own files get.
    let parsed: Vec<schema::Parsed> = on_disk
        .iter()
        .map(|p| {
            schema::parse(
                &p.display().to_string(),
                std::fs::read_to_string(p).unwrap(),
            )
            .unwrap()
        })
        .collect();
    assert_eq!(
        schema::check(&parsed, &mut schema::Known::default()),
        vec![]
    );
}

fn normalized(s: &str) -> String {
    s.chars()
        .filter(|c| c.is_alphanumeric())
        .flat_map(char::to_lowercase)
        .collect()
}

#[test]
fn prompts_are_many_distinct_and_well_spread() {
    let lib = Library::builtin();
    let p = &lib.prompts;
    assert!(p.len() >= 400, "{} prompts", p.len());
    let ids: HashSet<&str> = p.iter().map(|x| x.id).collect();
    assert_eq!(ids.len(), p.len(), "prompt IDs repeat");
    let mut texts = HashMap::new();
    for x in p {
        assert!(
            x.text.chars().count() <= schema::MAX_PROMPT_CHARS,
            "{} is too long",
            x.id
        );
        if let Some(other) = texts.insert(normalized(x.text), x.id) {
            panic!("{} and {other} say the same thing", x.id);
        }
    }
    assert!(lib.categories.len() >= 12);
    for c in &lib.categories {
        assert!(
            p.iter().any(|x| x.category == c.id),
            "category {} has no prompt",
            c.id
        );
    }
    assert!(p.iter().filter(|x| x.low_energy).count() >= 80);
    assert!(p.iter().filter(|x| x.sexual).count() >= 40);
    assert!(p.iter().filter(|x| !x.tags.is_empty()).count() >= 40);
    // A couple with no conditions who did not opt in still gets a year without repeats.
    assert!(p.iter().filter(|x| !x.sexual && x.tags.is_empty()).count() >= 366);
    for d in [Depth::Light, Depth::Medium, Depth::Deep] {
        assert!(p.iter().any(|x| x.depth == d));
    }
}

#[test]
fn the_condition_vocabulary_is_complete() {
    let lib = Library::builtin();
    for id in [
        "arthritis",
        "chronic-pain",
        "fatigue",
        "limited-mobility",
        "post-surgery",
        "heart",
        "ostomy",
        "cancer-treatment",
        "breathlessness",
        "depression",
        "anxiety",
        "trauma",
        "body-image",
        "diabetes",
        "multiple-sclerosis",
        "stroke",
        "erectile-difficulty",
        "painful-sex",
        "incontinence",
        "neuropathy",
    ] {
        let c = lib
            .condition(id)
            .unwrap_or_else(|| panic!("{id} is missing"));
        assert!(!c.name.is_empty() && !c.description.is_empty());
    }
}

#[test]
fn need_suggestions_cover_conditions_carers_and_everyone() {
    let lib = Library::builtin();
    let per_condition = |c: &str| {
        lib.needs
            .iter()
            .filter(|n| n.conditions.contains(&c))
            .count()
    };
    let covered = lib
        .conditions
        .iter()
        .filter(|c| per_condition(c.id) >= 8)
        .count();
    assert!(
        covered >= 15,
        "only {covered} conditions have 8 suggestions"
    );
    assert!(
        lib.needs
            .iter()
            .filter(|n| n.conditions.is_empty() && n.role == Role::Supporting)
            .count()
            >= 10
    );
    let general = lib
        .needs
        .iter()
        .filter(|n| n.conditions.is_empty() && n.role == Role::Either);
    assert!(
        general
            .filter(|n| n.category == "emotional" || n.category == "communication")
            .count()
            >= 10
    );
}

#[test]
fn the_touch_ladder_is_graduated_and_adapted() {
    let lib = Library::builtin();
    assert!(lib.steps.len() >= 30 && lib.stages.len() >= 6);
    assert!(lib.rules.len() >= 5 && !lib.help.is_empty());
    for s in &lib.steps {
        assert!(
            s.adapt.len() >= 3,
            "{} has {} adaptations",
            s.id,
            s.adapt.len()
        );
        assert!(s.short_minutes < s.minutes && !s.debrief.is_empty());
    }
    for c in [
        "chronic-pain",
        "fatigue",
        "arthritis",
        "limited-mobility",
        "post-surgery",
        "ostomy",
        "cancer-treatment",
        "breathlessness",
        "trauma",
        "body-image",
    ] {
        assert!(
            lib.steps
                .iter()
                .any(|s| s.adapt.iter().any(|(k, _)| *k == c)),
            "no step adapts for {c}"
        );
    }
    // Sexual stages come last, so a couple who did not opt in has an unbroken ladder.
    let first_sexual = lib
        .stages
        .iter()
        .find(|s| s.sexual)
        .map(|s| s.number)
        .unwrap();
    assert!(
        lib.stages
            .iter()
            .all(|s| s.sexual == (s.number >= first_sexual))
    );
    assert!(
        lib.steps
            .iter()
            .filter(|s| !lib.step_is_sexual(s))
            .all(|s| !s.regions.contains(&"genitals"))
    );
}

#[test]
fn a_couples_own_files_are_merged_and_mistakes_are_located() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("ours.toml"),
        "version = 1\n[category]\nid = \"my-walks\"\nname = \"Walks\"\nabout = \"Our walks.\"\n\n[[prompt]]\nid = \"my-walks-1\"\ntext = \"Where shall we walk on Sunday?\"\ndepth = \"light\"\nlow_energy = true\n",
    )
    .unwrap();
    let lib = Library::load(dir.path()).unwrap();
    assert!(
        lib.prompts
            .iter()
            .any(|p| p.id == "my-walks-1" && p.category == "my-walks")
    );
    assert_eq!(lib.prompts.len(), builtin::PROMPTS.len() + 1);

    std::fs::write(
        dir.path().join("bad.toml"),
        "version = 1\n[[need]]\nid = \"my-need\"\ntext = \"x\"\ncategory = \"practical\"\nrole = \"someone\"\n",
    )
    .unwrap();
    let err = Library::load(dir.path()).unwrap_err().to_string();
    assert!(
        err.contains("bad.toml:6:8") && err.contains("unknown role"),
        "{err}"
    );

    std::fs::write(dir.path().join("bad.toml"), "version = 1\n[[need]\n").unwrap();
    let err = Library::load(dir.path()).unwrap_err().to_string();
    assert!(err.contains("bad.toml:2:"), "{err}");
}
