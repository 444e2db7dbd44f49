//! The built-in libraries: every file registered and used, and the promises the tools make about
//! their size and shape.

use super::load::below_ending;
use super::*;
use std::collections::{HashMap, HashSet};
use std::path::Path;

fn content_dir() -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../content")
}

#[test]
fn every_file_in_content_parses_and_is_used() {
    let on_disk = below_ending(&content_dir(), ".toml").files;
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
    // A couple with no conditions who did not opt in, and who left out long-horizon prompts,
    // still gets a year without repeats.
    assert!(
        p.iter()
            .filter(|x| !x.sexual
                && x.tags.is_empty()
                && !x.fits("assumes-illness")
                && !x.fits("long-horizon"))
            .count()
            >= 366
    );
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
        "hormonal-change",
        "spinal-cord-injury",
        "parkinsons",
        "dementia",
        "kidney-disease",
        "fertility-and-loss",
        "long-covid",
        "pelvic-pain",
        "prostate-cancer",
        "breast-cancer",
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

/// The conditions a library must serve in depth: every one it names.
fn per_condition<T>(items: &[T], has: impl Fn(&T) -> bool) -> usize {
    items.iter().filter(|x| has(x)).count()
}

#[test]
fn every_condition_has_needs_for_both_partners_prompts_and_adaptations() {
    let lib = Library::builtin();
    let mut thin = Vec::new();
    for c in &lib.conditions {
        let needs = per_condition(&lib.needs, |n| n.conditions.contains(&c.id));
        let supporting = per_condition(&lib.needs, |n| {
            n.conditions.contains(&c.id) && n.role == Role::Supporting
        });
        let prompts = per_condition(&lib.prompts, |p| p.tags.contains(&c.id));
        let adapted = per_condition(&lib.steps, |s| s.adaptation(c.id).is_some());
        if needs < 10 || supporting < 6 || prompts < 5 || adapted < 3 {
            thin.push(format!(
                "{}: {needs} needs ({supporting} supporting), {prompts} prompts, {adapted} adapted steps",
                c.id
            ));
        }
    }
    assert!(
        thin.is_empty(),
        "conditions need >= 10 needs (>= 6 for the supporting partner), >= 5 prompts and >= 3 adapted steps:\n{}",
        thin.join("\n")
    );
}

#[test]
fn every_theme_has_at_least_fifteen_prompts() {
    let lib = Library::builtin();
    let mut thin = Vec::new();
    for t in schema::THEMES {
        let n = per_condition(&lib.prompts, |p| p.themes.contains(t));
        if n < 15 {
            thin.push(format!("{t}: {n}"));
        }
    }
    assert!(
        thin.is_empty(),
        "themes with fewer than 15 prompts: {thin:?}"
    );
}

#[test]
fn the_ladder_has_solo_stillness_and_survivor_led_steps() {
    let lib = Library::builtin();
    let solo = lib
        .step("s5-explore-alone")
        .expect("a solo self-exploration step");
    assert!(lib.step_is_sexual(solo));
    let still = lib
        .step("s6-stillness")
        .expect("a receiver-led stillness step");
    assert!(lib.step_is_sexual(still));
    let pos = |id: &str| lib.steps.iter().position(|s| s.id == id).unwrap();
    assert!(pos("s6-stillness") < pos("s6-intercourse-if-wanted"));
    let led = lib
        .step("s2-you-lead")
        .expect("a step where the partner with trauma touches first and leads");
    assert!(!lib.step_is_sexual(led) && led.adaptation("trauma").is_some());
}

#[test]
fn every_step_follows_the_safety_rules() {
    let lib = Library::builtin();
    let gaps: Vec<String> = lib.steps.iter().flat_map(safety::gaps).collect();
    assert!(
        gaps.is_empty(),
        "{} safety gaps (see content/README.md):\n{}",
        gaps.len(),
        gaps.join("\n")
    );
}

#[test]
fn no_content_gives_medication_or_timing_advice() {
    let lib = Library::builtin();
    let mut found = Vec::new();
    let mut look = |id: &str, text: &str, strict: bool| {
        if let Some(w) = safety::medication_advice(text, strict) {
            found.push(format!("{id}: {w:?}"));
        }
    };
    for s in &lib.steps {
        for t in [s.title, s.how, s.giver, s.receiver, s.notice, s.short] {
            look(s.id, t, true);
        }
        for (c, t) in s.adapt {
            look(&format!("{} ({c})", s.id), t, true);
        }
    }
    for r in &lib.rules {
        look("rules", r, true);
    }
    for (id, t) in [
        ("help", lib.help),
        ("safety", lib.safety),
        ("counselor", lib.counselor),
    ] {
        look(id, t, true);
    }
    for p in &lib.prompts {
        look(p.id, p.text, false);
    }
    for n in &lib.needs {
        look(n.id, n.text, false);
    }
    assert!(found.is_empty(), "medication or timing advice: {found:?}");
}

#[test]
fn safety_and_counselor_texts_point_to_local_help_without_numbers() {
    let lib = Library::builtin();
    for (what, t) in [("safety", lib.safety), ("counselor", lib.counselor)] {
        assert!(t.len() > 40, "the {what} text is missing");
        assert!(
            !t.chars().any(|c| c.is_ascii_digit()),
            "the {what} text names a number; point to how to find local help instead"
        );
    }
    assert!(lib.safety.contains("unsafe") && lib.safety.contains("local"));
}

/// Every piece of text the library shows, with where it comes from.
fn every_text(lib: &Library) -> Vec<(String, &'static str)> {
    let mut v: Vec<(String, &'static str)> = Vec::new();
    for c in &lib.conditions {
        v.push((c.id.into(), c.name));
        v.push((c.id.into(), c.description));
    }
    for c in &lib.categories {
        v.push((c.id.into(), c.about));
    }
    for p in &lib.prompts {
        v.push((p.id.into(), p.text));
    }
    for n in &lib.needs {
        v.push((n.id.into(), n.text));
    }
    for s in &lib.steps {
        for t in [s.title, s.how, s.giver, s.receiver, s.notice, s.short] {
            v.push((s.id.into(), t));
        }
        for t in s.debrief {
            v.push((s.id.into(), t));
        }
        for (_, t) in s.adapt {
            v.push((s.id.into(), t));
        }
    }
    for s in &lib.stages {
        v.push((format!("stage {}", s.number), s.about));
    }
    for r in &lib.rules {
        v.push(("rules".into(), r));
    }
    for (id, t) in [
        ("help", lib.help),
        ("safety", lib.safety),
        ("counselor", lib.counselor),
    ] {
        v.push((id.into(), t));
    }
    v
}

#[test]
fn one_spelling_convention_american() {
    // (British form, American form): the library uses the American one throughout.
    const PAIRS: &[(&str, &str)] = &[
        ("favourite", "favorite"),
        ("colour", "color"),
        ("behaviour", "behavior"),
        ("humour", "humor"),
        ("honour", "honor"),
        ("neighbour", "neighbor"),
        ("labour", "labor"),
        ("rumour", "rumor"),
        ("tumour", "tumor"),
        ("counsellor", "counselor"),
        ("counselling", "counseling"),
        ("travelling", "traveling"),
        ("cancelled", "canceled"),
        ("centre", "center"),
        ("fibre", "fiber"),
        ("theatre", "theater"),
        ("apologise", "apologize"),
        ("apologising", "apologizing"),
        ("organise", "organize"),
        ("realise", "realize"),
        ("recognise", "recognize"),
        ("prioritise", "prioritize"),
        ("criticise", "criticize"),
        ("minimise", "minimize"),
        ("sympathise", "sympathize"),
        ("emphasise", "emphasize"),
        ("analyse", "analyze"),
        ("practise", "practice"),
        ("grey", "gray"),
        ("cosy", "cozy"),
        ("mum", "mom"),
        ("pyjamas", "pajamas"),
        ("programme", "program"),
        ("oestrogen", "estrogen"),
        ("anaemia", "anemia"),
        ("paediatric", "pediatric"),
        ("jewellery", "jewelry"),
        ("towards", "toward"),
        ("learnt", "learned"),
        ("judgement", "judgment"),
        ("ageing", "aging"),
    ];
    let lib = Library::builtin();
    let mut found = Vec::new();
    // The contributors' guide follows the same convention as the library it describes.
    let readme = std::fs::read_to_string(content_dir().join("README.md")).unwrap();
    let mut texts: Vec<(String, &str)> = every_text(&lib);
    texts.push(("content/README.md".into(), &readme));
    for (id, t) in texts {
        let lower = t.to_lowercase();
        for w in lower.split(|c: char| !c.is_alphanumeric()) {
            for (uk, us) in PAIRS {
                let stem = uk.strip_suffix('e').unwrap_or(uk);
                let forms = [
                    uk.to_string(),
                    format!("{uk}s"),
                    format!("{uk}d"),
                    format!("{stem}ing"),
                    format!("{stem}ed"),
                ];
                if forms.iter().any(|f| f == w) {
                    found.push(format!("{id}: {w} (write {us})"));
                }
            }
        }
    }
    assert!(found.is_empty(), "British spellings: {found:?}");
}

#[test]
fn no_category_starts_a_third_of_its_prompts_with_the_same_word() {
    let lib = Library::builtin();
    let mut samey = Vec::new();
    for c in &lib.categories {
        let ps: Vec<&Prompt> = lib.prompts.iter().filter(|p| p.category == c.id).collect();
        let mut counts: HashMap<String, usize> = HashMap::new();
        for p in &ps {
            let first = p
                .text
                .split_whitespace()
                .next()
                .unwrap_or("")
                .trim_matches(|ch: char| !ch.is_alphanumeric())
                .to_lowercase();
            *counts.entry(first).or_default() += 1;
        }
        let (word, n) = counts
            .into_iter()
            .max_by_key(|(w, n)| (*n, w.clone()))
            .unwrap();
        if n * 3 > ps.len() {
            samey.push(format!("{}: {n} of {} start {word:?}", c.id, ps.len()));
        }
    }
    assert!(samey.is_empty(), "openings repeat too often: {samey:?}");
}

#[test]
fn no_should_and_no_gendered_words() {
    const WORDS: &[&str] = &[
        "should",
        "he",
        "she",
        "his",
        "him",
        "her",
        "hers",
        "husband",
        "wife",
        "boyfriend",
        "girlfriend",
        "man",
        "woman",
        "men",
        "women",
    ];
    let lib = Library::builtin();
    let mut found = Vec::new();
    for (id, t) in every_text(&lib) {
        let lower = t.to_lowercase();
        for w in lower.split(|c: char| !c.is_alphanumeric()) {
            if WORDS.contains(&w) {
                found.push(format!("{id}: {w}"));
            }
        }
    }
    assert!(found.is_empty(), "{found:?}");
}

#[test]
fn shared_and_device_files_merge_once_and_the_fingerprint_follows_the_prompts() {
    let data = tempfile::tempdir().unwrap();
    let config = tempfile::tempdir().unwrap();
    let walks = "version = 1\n[category]\nid = \"my-walks\"\nname = \"Walks\"\nabout = \"Our walks.\"\n\n[[prompt]]\nid = \"my-walks-1\"\ntext = \"Where shall we walk on Sunday?\"\ndepth = \"light\"\nlow_energy = false\n";
    let builtin = Library::builtin().fingerprint();
    assert_eq!(
        Library::load_shared(Some(data.path()), config.path())
            .unwrap()
            .library
            .fingerprint(),
        builtin
    );

    // The same file in both folders (moved, and the old copy left behind) counts once.
    std::fs::write(data.path().join("walks.toml"), walks).unwrap();
    std::fs::write(config.path().join("walks.toml"), walks).unwrap();
    let both = Library::load_shared(Some(data.path()), config.path())
        .unwrap()
        .library;
    assert_eq!(both.prompts.len(), builtin::PROMPTS.len() + 1);
    assert_ne!(both.fingerprint(), builtin);

    // A device's own file, beside the shared one, is still loaded.
    std::fs::write(
        config.path().join("mine.toml"),
        walks
            .replace("my-walks", "my-talks")
            .replace("Walks", "Talks"),
    )
    .unwrap();
    let more = Library::load_shared(Some(data.path()), config.path())
        .unwrap()
        .library;
    assert_eq!(more.prompts.len(), builtin::PROMPTS.len() + 2);
    assert_ne!(more.fingerprint(), both.fingerprint());
}

#[test]
fn the_built_in_fingerprint_is_worked_out_when_built_and_any_other_one_on_each_call() {
    let lib = Library::builtin();
    let worked_out =
        |l: &Library| fingerprint::of(l.prompts.iter().map(|p| (p.id, p.category, p.low_energy)));
    assert!(lib.has_builtin_prompts());
    assert_eq!(lib.fingerprint(), worked_out(&lib));

    // The built-in prompts in another order, or the same words in another text: worked out on
    // the call, and the same value.
    let mut turned = lib.clone();
    turned.prompts.reverse();
    let mut copied = lib.clone();
    copied.prompts[0].id = String::from(copied.prompts[0].id).leak();
    for same in [&turned, &copied] {
        assert!(!same.has_builtin_prompts());
        assert_eq!(same.fingerprint(), lib.fingerprint());
    }

    // One prompt's low-energy mark or category changed: another fingerprint.
    let mut marked = lib.clone();
    marked.prompts[0].low_energy = !marked.prompts[0].low_energy;
    let mut moved = lib.clone();
    moved.prompts[0].category = lib
        .prompts
        .iter()
        .map(|p| p.category)
        .find(|c| *c != lib.prompts[0].category)
        .unwrap();
    for other in [&marked, &moved] {
        assert!(!other.has_builtin_prompts());
        assert_ne!(other.fingerprint(), lib.fingerprint());
        assert_eq!(other.fingerprint(), worked_out(other));
    }
}

#[test]
fn links_in_a_content_folder_are_not_followed() {
    let dir = tempfile::tempdir().unwrap();
    let content = dir.path().join("content");
    std::fs::create_dir(&content).unwrap();
    // Links back to the folder itself: following them is an endless walk.
    for name in ["a", "b", "c"] {
        std::os::unix::fs::symlink(".", content.join(name)).unwrap();
    }
    let outside = dir.path().join("outside.toml");
    std::fs::write(
        &outside,
        "version = 1\n[category]\nid = \"outside\"\nname = \"Outside\"\nabout = \"Not ours.\"\n\n[[prompt]]\nid = \"outside-1\"\ntext = \"From outside?\"\ndepth = \"light\"\nlow_energy = true\n",
    )
    .unwrap();
    std::os::unix::fs::symlink(&outside, content.join("outside.toml")).unwrap();
    let lib = Library::load(&content).unwrap();
    assert_eq!(lib.prompts.len(), builtin::PROMPTS.len());
}

#[test]
fn sync_conflict_copies_of_a_content_file_are_not_read() {
    let dir = tempfile::tempdir().unwrap();
    let ours = "version = 1\n[category]\nid = \"my-walks\"\nname = \"Walks\"\nabout = \"Our walks.\"\n\n[[prompt]]\nid = \"my-walks-1\"\ntext = \"Where shall we walk on Sunday?\"\ndepth = \"light\"\nlow_energy = true\n";
    for name in [
        "ours.toml",
        "ours.sync-conflict-20261127-101010-ABCDEFG.toml",
        "ours (Sam's conflicted copy 2026-11-27).toml",
        ".#ours.toml",
    ] {
        std::fs::write(dir.path().join(name), ours).unwrap();
    }
    let lib = Library::load(dir.path()).unwrap();
    assert_eq!(lib.prompts.len(), builtin::PROMPTS.len() + 1);
}

#[test]
fn a_shared_file_that_cannot_be_used_is_left_out_with_what_breaks_it_and_an_own_one_is_an_error() {
    let data = tempfile::tempdir().unwrap();
    let config = tempfile::tempdir().unwrap();
    let condition = "version = 1\n[[condition]]\nid = \"our-knees\"\nname = \"Knees\"\ndescription = \"Our knees.\"\n";
    let walks = "version = 1\n[category]\nid = \"my-walks\"\nname = \"Walks\"\nabout = \"Our walks.\"\n\n[[prompt]]\nid = \"my-walks-1\"\ntext = \"Where shall we walk on Sunday?\"\ndepth = \"light\"\nlow_energy = false\n";
    std::fs::write(data.path().join("walks.toml"), walks).unwrap();
    // The condition's file breaks on line 3; the prompt that needs it cannot be used either.
    std::fs::write(
        data.path().join("knees.toml"),
        condition.replace("\"our-knees\"", "\"our-knees"),
    )
    .unwrap();
    std::fs::write(
        data.path().join("stairs.toml"),
        walks.replace("my-walks", "my-stairs").replace(
            "low_energy = false",
            "low_energy = false\ntags = [\"our-knees\"]",
        ),
    )
    .unwrap();
    let loaded = Library::load_shared(Some(data.path()), config.path()).unwrap();
    let ids: Vec<&str> = loaded.library.prompts.iter().map(|p| p.id).collect();
    assert!(ids.contains(&"my-walks-1"));
    assert!(!ids.contains(&"my-stairs-1"));
    let said: Vec<String> = loaded.left_out.iter().map(ToString::to_string).collect();
    assert_eq!(said.len(), 2, "{said:?}");
    assert!(said[0].contains("knees.toml:3:"), "{said:?}");
    assert!(
        said[1].contains("stairs.toml:12:") && said[1].contains("our-knees"),
        "{said:?}"
    );

    // Fixed: both in use. The same mistake in this device's own folder is an error.
    std::fs::write(data.path().join("knees.toml"), condition).unwrap();
    let loaded = Library::load_shared(Some(data.path()), config.path()).unwrap();
    assert!(loaded.left_out.is_empty());
    assert!(loaded.library.prompts.iter().any(|p| p.id == "my-stairs-1"));
    std::fs::write(
        config.path().join("mine.toml"),
        "version = 1\n[[condition]\n",
    )
    .unwrap();
    let err = Library::load_shared(Some(data.path()), config.path()).unwrap_err();
    assert!(err.to_string().contains("mine.toml:2:"), "{err}");
}

#[test]
fn the_built_in_steps_and_stages_come_in_order_so_a_library_without_own_files_needs_no_sort() {
    let lib = Library::builtin();
    assert!(lib.steps.is_sorted_by_key(|s| s.stage));
    assert!(lib.stages.is_sorted_by_key(|s| s.number));
    let loaded = Library::load(Path::new("/nonexistent/closer-content")).unwrap();
    assert!(loaded.steps.untouched() && loaded.prompts.untouched());
}

#[test]
fn own_steps_are_put_in_their_stage() {
    let dir = tempfile::tempdir().unwrap();
    let first = Library::builtin().steps[0];
    std::fs::write(
        dir.path().join("mine.toml"),
        format!(
            "version = 1\n[[step]]\nid = \"my-early-step\"\nstage = {}\ntitle = \"Hands\"\nhow = \"Hold hands.\"\n\
             giver = \"Hold.\"\nreceiver = \"Rest.\"\nnotice = \"Warmth.\"\nminutes = 5\n\
             short_minutes = 2\nshort = \"Briefly.\"\nregions = [\"hands\"]\n\
             debrief = [\"How was it?\"]\n[step.adapt]\nbreathlessness = \"Sit up.\"\n\
             trauma = \"Eyes open.\"\nfatigue = \"Keep it short.\"\n",
            first.stage
        ),
    )
    .unwrap();
    let lib = Library::load(dir.path()).unwrap();
    assert!(lib.steps.is_sorted_by_key(|s| s.stage));
    let at = lib
        .steps
        .iter()
        .position(|s| s.id == "my-early-step")
        .unwrap();
    assert_eq!(lib.steps[at].stage, first.stage);
    assert!(
        at < lib.steps.len() - 1,
        "an early step is not left at the end"
    );
}
