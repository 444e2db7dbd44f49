//! export from the outside, on a couple built with the other tools: the JSON is lossless and
//! matches its schema, notes folders carry valid front matter and are safe to re-run, jrnl
//! imports it, whatever a partner typed stays inert in every format, nothing private or sexual
//! leaks, bad input changes nothing, and `closer-export` is the same program.
//!
//! Every run is sealed: a temp HOME and data folder, no inherited environment, a pinned date,
//! no colour and a fixed width.

#[path = "../../../tests/support/mod.rs"]
mod support;

use closer_core::cli::output::clean;
use closer_core::needs::{self, Importance, Need, Status};
use closer_core::profile::Couple;
use closer_core::prompts::{self, Answer};
use closer_core::store::Store;
use closer_core::touch::{self, Debrief, Hold, Session, State};
use serde_json::Value;
use std::collections::BTreeSet;
use std::path::Path;
use support::{CLOSER_EXPORT, EXPORT, NEEDS, PROMPT, Run, Sandbox, TOUCH, on_path, tree};

const PRIVATE_NEED: &str = "A quiet hour alone after each treatment";
const PRIVATE_DEBRIEF: &str = "I held my breath the whole time";
const SEXUAL_ANSWER: &str = "Slow mornings, before the day gets in the way";
const SEXUAL_NOTE: &str = "candles and no hurry";
const SEXUAL_DEBRIEF: &str = "felt wanted again";
/// What a partner might type, or a synced file might carry, that a notes app, a spreadsheet or a
/// terminal would otherwise run.
const HOSTILE: &str = concat!(
    "=HYPERLINK(\"x\")\n",
    "---\n",
    "[[x]] <script>alert(1)</script> \u{1b}[31mred\u{1b}[0m\n",
    "* fake heading\n",
    "# fake title\n",
    "[2026-01-01 10:00] not an entry",
);

fn export(sb: &Sandbox, args: &[&str]) -> String {
    sb.ok(EXPORT, args)
}

fn json(sb: &Sandbox, args: &[&str]) -> Value {
    let mut a = vec!["--format", "json"];
    a.extend(args);
    serde_json::from_str(&export(sb, &a)).expect("export --format json prints JSON")
}

fn id_of(sb: &Sandbox, name: &str) -> String {
    let couple = Couple::load(&Store::new(sb.data())).unwrap();
    couple.find(name).unwrap().id.clone()
}

/// Alex (arthritis) and Sam (recovering from surgery), three days in: needs, one private;
/// answers; boundaries, a body map, a hold, readiness, a step back, a pause; sessions and
/// debriefs, one private, one too much.
fn couple_with_history() -> Sandbox {
    let sb = Sandbox::new();
    sb.ok(
        NEEDS,
        &["couple", "add", "Alex", "--condition", "arthritis"],
    );
    sb.ok(
        NEEDS,
        &["couple", "add", "Sam", "--condition", "post-surgery"],
    );
    let buttons = sb.ok(
        NEEDS,
        &[
            "add",
            "Help with buttons on stiff mornings",
            "--as",
            "Alex",
            "--category",
            "practical",
            "--condition",
            "arthritis",
            "--importance",
            "high",
        ],
    );
    sb.ok(
        NEEDS,
        &[
            "agree",
            buttons.trim(),
            "--plan",
            "Sam does buttons before work",
            "--helper",
            "Sam",
            "--review-in",
            "30d",
            "--as",
            "Alex",
        ],
    );
    sb.ok(NEEDS, &["add", PRIVATE_NEED, "--private", "--as", "Alex"]);
    sb.ok(PROMPT, &["answer", "the walk by the river", "--as", "Alex"]);
    sb.ok(PROMPT, &["answer", "being read to", "--as", "Sam"]);

    for s in ["s0-breathe-together", "s0-sit-close", "s1-short-hug"] {
        sb.ok(TOUCH, &["boundary", s, "yes", "--as", "Alex"]);
        sb.ok(TOUCH, &["boundary", s, "yes", "--as", "Sam"]);
    }
    sb.ok(TOUCH, &["boundary", "s1-spooning", "no", "--as", "Alex"]);
    sb.ok(
        TOUCH,
        &["boundary", "s0-hold-hands", "maybe", "--as", "Sam"],
    );
    sb.ok(
        TOUCH,
        &[
            "body",
            "shoulders",
            "off-limits",
            "--note",
            "left shoulder: surgery",
            "--as",
            "Alex",
        ],
    );
    sb.ok(TOUCH, &["body", "hands", "welcome", "--as", "Sam"]);
    sb.ok(
        TOUCH,
        &[
            "hold",
            "--from-stage",
            "2",
            "--until",
            "2026-05-01",
            "--reason",
            "surgeon's clearance",
        ],
    );
    let first = sb.ok(
        TOUCH,
        &["log", "--minutes", "10", "--giver", "Sam", "--as", "Alex"],
    );
    sb.ok(
        TOUCH,
        &["debrief", "--noticed", "warm hands", "--as", "Sam"],
    );
    sb.ok(
        TOUCH,
        &[
            "debrief",
            "--noticed",
            PRIVATE_DEBRIEF,
            "--private",
            "--as",
            "Alex",
        ],
    );
    sb.ok(TOUCH, &["ready", "--as", "Alex"]);
    sb.ok(TOUCH, &["ready", "--as", "Sam"]);

    sb.set_today("2026-03-03");
    let ask = sb.ok(
        NEEDS,
        &[
            "add",
            "Ask before you help me",
            "--category",
            "communication",
            "--as",
            "Sam",
        ],
    );
    sb.ok(NEEDS, &["talked", ask.trim(), "--as", "Sam"]);
    sb.ok_stdin(
        PROMPT,
        &["answer", "-", "--as", "Sam"],
        "tea in bed\nand the radio on\n",
    );
    sb.ok(TOUCH, &["log", "--note", "shorter today", "--as", "Sam"]);
    sb.ok(TOUCH, &["debrief", "--too-much", "my back", "--as", "Sam"]);
    sb.ok(TOUCH, &["back", "--as", "Sam"]);
    sb.ok(TOUCH, &["pause", "--as", "Alex"]);
    sb.ok(TOUCH, &["resume", "--as", "Alex"]);
    sb.ok(
        TOUCH,
        &[
            "debrief",
            first.trim(),
            "--noticed",
            "it was easier than I feared",
            "--as",
            "Alex",
        ],
    );

    sb.set_today("2026-03-04");
    sb.ok(
        PROMPT,
        &[
            "answer",
            "the first holiday\n[2026-01-01 10:00] not an entry",
            "--as",
            "Alex",
        ],
    );
    sb
}

/// Every stdout format and both notes layouts, as (what, text) pairs.
fn every_format(sb: &Sandbox, who: Option<&str>) -> Vec<(String, String)> {
    let as_args: Vec<&str> = who.map_or(vec![], |w| vec!["--as", w]);
    let mut out = Vec::new();
    for args in [
        &["--format", "markdown"][..],
        &["--format", "json"],
        &["--format", "csv", "--only", "needs"],
        &["--format", "csv", "--only", "touch"],
        &["--format", "csv", "--only", "prompts"],
        &["--format", "jrnl"],
        &["--format", "org"],
    ] {
        let mut a = args.to_vec();
        a.extend(&as_args);
        out.push((args.join(" "), export(sb, &a)));
    }
    for layout in ["obsidian", "joplin"] {
        let dir = sb.path(&format!("notes-{}-{layout}", who.unwrap_or("nobody")));
        let _ = std::fs::remove_dir_all(&dir);
        let mut a = vec!["--to-dir", dir.to_str().unwrap(), "--layout", layout];
        a.extend(&as_args);
        export(sb, &a);
        for (path, bytes) in tree(&dir) {
            if !path.ends_with('/') {
                out.push((
                    format!("{layout} {path}"),
                    String::from_utf8(bytes).unwrap(),
                ));
            }
        }
    }
    out
}

mod json_export {
    use super::*;

    fn validator() -> jsonschema::Validator {
        let text = std::fs::read_to_string(
            Path::new(env!("CARGO_MANIFEST_DIR")).join("closer-export-1.schema.json"),
        )
        .unwrap();
        let schema: Value = serde_json::from_str(&text).expect("the schema is JSON");
        jsonschema::options()
            .should_validate_formats(true)
            .build(&schema)
            .expect("the schema is a valid JSON Schema")
    }

    fn assert_valid(v: &jsonschema::Validator, doc: &Value, what: &str) {
        let errors: Vec<String> = v
            .iter_errors(doc)
            .map(|e| format!("{} at {}", e, e.instance_path()))
            .collect();
        assert!(errors.is_empty(), "{what}: {errors:#?}");
    }

    #[test]
    fn json_round_trips_to_the_records_on_disk() {
        let sb = couple_with_history();
        let store = Store::new(sb.data());
        let alex = id_of(&sb, "Alex");
        let doc = json(&sb, &["--as", "Alex"]);
        assert_eq!(doc["schema"], "closer-export/1");
        assert_eq!(doc["exported"], "2026-03-04");
        assert_eq!(doc["as"], "Alex");

        let couple = Couple::load(&store).unwrap();
        let partners: Vec<(String, String, Vec<String>, String)> = couple
            .partners
            .iter()
            .map(|p| {
                (
                    p.id.clone(),
                    p.name.clone(),
                    p.conditions.clone(),
                    p.added.to_string(),
                )
            })
            .collect();
        let exported: Vec<(String, String, Vec<String>, String)> = doc["partners"]
            .as_array()
            .unwrap()
            .iter()
            .map(|p| {
                serde_json::from_value(serde_json::json!([
                    p["id"],
                    p["name"],
                    p["conditions"],
                    p["added"]
                ]))
                .unwrap()
            })
            .collect();
        assert_eq!(exported, partners);

        // Needs: Alex sees every need, the private one included.
        let on_disk = needs::load_all(&store).unwrap();
        assert_eq!(on_disk.len(), 3);
        let back: Vec<Need> = serde_json::from_value(doc["needs"].clone()).unwrap();
        assert_eq!(back, on_disk);

        let answers: Vec<(String, Answer)> = doc["answers"]
            .as_array()
            .unwrap()
            .iter()
            .map(|a| {
                (
                    a["partner"].as_str().unwrap().to_owned(),
                    serde_json::from_value(a.clone()).unwrap(),
                )
            })
            .collect();
        let on_disk = prompts::all_answers(&store, None, None).unwrap();
        assert_eq!(on_disk.len(), 4);
        assert_eq!(answers, on_disk);

        let t = &doc["touch"];
        let mut sessions: Vec<(String, Session)> = Vec::new();
        let mut debriefs: Vec<(String, Debrief)> = Vec::new();
        for p in &couple.partners {
            let s = touch::load_sessions(&store, &p.id).unwrap();
            sessions.extend(s.sessions.into_iter().map(|x| (p.id.clone(), x)));
            debriefs.extend(
                s.debriefs
                    .into_iter()
                    .filter(|d| !d.private || p.id == alex)
                    .map(|x| (p.id.clone(), x)),
            );
        }
        sessions.sort_by(|a, b| (a.1.at, &a.0).cmp(&(b.1.at, &b.0)));
        debriefs.sort_by(|a, b| (a.1.at, &a.0).cmp(&(b.1.at, &b.0)));
        let owned = |v: &Value| -> Vec<(String, Value)> {
            v.as_array()
                .unwrap()
                .iter()
                .map(|x| (x["partner"].as_str().unwrap().to_owned(), x.clone()))
                .collect()
        };
        let back: Vec<(String, Session)> = owned(&t["sessions"])
            .into_iter()
            .map(|(p, v)| (p, serde_json::from_value(v).unwrap()))
            .collect();
        assert_eq!(sessions.len(), 2);
        assert_eq!(back, sessions);
        let back: Vec<(String, Debrief)> = owned(&t["debriefs"])
            .into_iter()
            .map(|(p, v)| (p, serde_json::from_value(v).unwrap()))
            .collect();
        assert_eq!(debriefs.len(), 4);
        assert!(debriefs.iter().any(|(_, d)| d.private));
        assert_eq!(back, debriefs);

        let holds: Vec<Hold> = store.read_all(touch::HOLDS).unwrap();
        assert_eq!(holds.len(), 1);
        let back: Vec<Hold> = serde_json::from_value(t["holds"].clone()).unwrap();
        assert_eq!(back, holds);

        let mine: State = serde_json::from_value(t["mine"].clone()).unwrap();
        let state = touch::load_state(&store, &alex).unwrap();
        assert_eq!(mine, state);
        let kinds: BTreeSet<&str> = t["mine"]["events"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["kind"].as_str().unwrap())
            .collect();
        assert_eq!(kinds, BTreeSet::from(["pause", "ready", "resume"]));
        assert_eq!(
            t["in_plan"],
            serde_json::json!(["s0-breathe-together", "s0-sit-close", "s1-short-hug"])
        );
    }

    #[test]
    fn every_json_export_matches_the_schema_and_the_schema_is_strict() {
        let v = validator();
        let sb = couple_with_history();
        for args in [
            &["--as", "Alex"][..],
            &["--as", "Sam"],
            &[],
            &["--as", "Sam", "--only", "needs"],
            &["--as", "Alex", "--redact-names", "--since", "2026-03-03"],
        ] {
            assert_valid(&v, &json(&sb, args), &format!("{args:?}"));
        }
        // Sexual content, a released hold and an empty too-much are shapes of their own.
        sb.ok(TOUCH, &["couple", "opt-in", "sexual", "--as", "Alex"]);
        sb.ok(TOUCH, &["couple", "opt-in", "sexual", "--as", "Sam"]);
        sb.ok(TOUCH, &["boundary", "s5-no-goal", "yes", "--as", "Alex"]);
        sb.ok(TOUCH, &["log", "--step", "s5-no-goal", "--as", "Alex"]);
        sb.ok(TOUCH, &["debrief", "--too-much", "--as", "Alex"]);
        sb.ok(TOUCH, &["hold", "--release"]);
        let doc = json(&sb, &["--as", "Alex"]);
        assert_eq!(doc["sexual_content"], true);
        assert_valid(&v, &doc, "sexual content");
        // With no couple at all, and with text full of markup and escape sequences.
        assert_valid(&v, &json(&Sandbox::new(), &[]), "no couple");
        let (hostile, _) = super::inert::hostile_couple();
        assert_valid(&v, &json(&hostile, &["--as", "Sam"]), "hostile text");

        // The schema is strict: each of these breaks it.
        type Breaker = (&'static str, fn(&mut Value));
        let breakers: [Breaker; 7] = [
            ("an unknown field", |d| {
                d["needs"][0]["mood"] = "fine".into()
            }),
            ("an unknown status", |d| {
                d["needs"][0]["status"] = "done".into()
            }),
            ("an unknown importance", |d| {
                d["needs"][0]["importance"] = "urgent".into()
            }),
            ("a date in another shape", |d| {
                d["exported"] = "2026-3-4".into()
            }),
            ("an unknown boundary answer", |d| {
                d["touch"]["mine"]["boundaries"]["s0-sit-close"] = "sure".into()
            }),
            ("an unknown body mark", |d| {
                d["touch"]["mine"]["body"]["shoulders"]["mark"] = "fine".into()
            }),
            ("a missing field", |d| {
                d["touch"]["sessions"][0]
                    .as_object_mut()
                    .unwrap()
                    .remove("minutes");
            }),
        ];
        let good = json(&sb, &["--as", "Alex"]);
        assert_valid(&v, &good, "before breaking it");
        for (what, f) in breakers {
            let mut bad = good.clone();
            f(&mut bad);
            assert!(!v.is_valid(&bad), "the schema accepts {what}");
        }
    }
}

mod notes {
    use super::*;

    /// The front matter of a note, parsed, and the body after it.
    fn split(note: &str, what: &str) -> (serde_norway::Mapping, String) {
        let rest = note
            .strip_prefix("---\n")
            .unwrap_or_else(|| panic!("{what} does not start with front matter"));
        let end = rest
            .find("\n---\n")
            .unwrap_or_else(|| panic!("{what}: front matter never ends"));
        let yaml: serde_norway::Value = serde_norway::from_str(&rest[..end + 1])
            .unwrap_or_else(|e| panic!("{what}: front matter is not YAML: {e}"));
        let map = yaml
            .as_mapping()
            .cloned()
            .expect("front matter is a mapping");
        (map, rest[end + 5..].to_owned())
    }

    fn field<'a>(m: &'a serde_norway::Mapping, k: &str) -> &'a serde_norway::Value {
        m.get(k).unwrap_or_else(|| panic!("no {k}"))
    }

    /// Checks every note's front matter; returns each note's closer_id and title by path.
    fn check_notes(dir: &Path, layout: &str) -> Vec<(String, String, String)> {
        let mut seen = Vec::new();
        for (path, bytes) in tree(dir) {
            if path.ends_with('/') {
                continue;
            }
            let text = String::from_utf8(bytes).unwrap();
            let (m, body) = split(&text, &path);
            let title = field(&m, "title").as_str().expect("title is a string");
            let tags = field(&m, "tags").as_sequence().expect("tags is a list");
            assert!(
                tags.iter().all(|t| t.as_str().is_some()),
                "{path}: {tags:?}"
            );
            assert!(tags.iter().any(|t| t.as_str() == Some("closer")));
            let id = field(&m, "closer_id")
                .as_str()
                .expect("closer_id is a string");
            match layout {
                "obsidian" => {
                    assert!(
                        m.contains_key("date") && m.contains_key("aliases"),
                        "{path}"
                    )
                }
                _ => assert!(
                    m.contains_key("created") && m.contains_key("updated"),
                    "{path}"
                ),
            }
            assert!(
                !body.lines().any(|l| l == "---"),
                "{path}: a rule in the body"
            );
            seen.push((path, id.to_owned(), title.to_owned()));
        }
        seen
    }

    #[test]
    fn every_note_has_front_matter_with_title_tags_and_id() {
        let sb = couple_with_history();
        let doc = json(&sb, &["--as", "Alex"]);
        for layout in ["obsidian", "joplin"] {
            let dir = sb.path(layout);
            let r = sb.run(
                EXPORT,
                &[
                    "--to-dir",
                    dir.to_str().unwrap(),
                    "--layout",
                    layout,
                    "--as",
                    "Alex",
                ],
            );
            r.ok();
            assert_eq!(r.stdout, "");
            let notes = check_notes(&dir, layout);
            let ids: BTreeSet<&str> = notes.iter().map(|n| n.1.as_str()).collect();
            assert_eq!(ids.len(), notes.len(), "closer_id repeats");
            // One note per need and one per day with answers or sessions.
            let needs = doc["needs"].as_array().unwrap();
            for n in needs {
                let path = format!("needs/{}.md", n["id"].as_str().unwrap());
                let note = notes
                    .iter()
                    .find(|x| x.0 == path)
                    .unwrap_or_else(|| panic!("no {path}"));
                assert_eq!(note.2, n["text"].as_str().unwrap());
            }
            let days: Vec<&str> = notes
                .iter()
                .filter(|n| n.0.starts_with("days/"))
                .map(|n| n.0.as_str())
                .collect();
            assert_eq!(
                days,
                [
                    "days/2026-03-02.md",
                    "days/2026-03-03.md",
                    "days/2026-03-04.md"
                ]
            );
            assert_eq!(notes.len(), needs.len() + 3);
        }
    }

    #[test]
    fn re_running_updates_its_own_notes_and_nothing_else() {
        let sb = couple_with_history();
        let dir = sb.path("vault");
        let d = dir.to_str().unwrap();
        let first = sb.run(EXPORT, &["--to-dir", d, "--as", "Sam"]);
        first.ok();
        let before = tree(&dir);

        // Someone's own files: one where closer will want to write, one beside its notes.
        sb.set_today("2026-03-05");
        let foreign = "---\ntitle: my own note\n---\nNot closer's.\n";
        std::fs::write(dir.join("days/2026-03-05.md"), foreign).unwrap();
        std::fs::write(dir.join("needs/ideas.md"), "mine\n").unwrap();
        sb.ok(
            PROMPT,
            &["answer", "a new answer on a new day", "--as", "Sam"],
        );
        let sams = json(&sb, &["--as", "Sam", "--only", "needs"]);
        let ask = sams["needs"]
            .as_array()
            .unwrap()
            .iter()
            .find(|n| n["text"] == "Ask before you help me")
            .unwrap()["id"]
            .as_str()
            .unwrap()
            .to_owned();
        sb.ok(
            NEEDS,
            &[
                "agree",
                &ask,
                "--plan",
                "Alex asks first, every time",
                "--as",
                "Sam",
            ],
        );
        // A need removed from the data keeps its note: export never deletes.
        let buttons = sams["needs"]
            .as_array()
            .unwrap()
            .iter()
            .find(|n| n["text"] == "Help with buttons on stiff mornings")
            .unwrap()["id"]
            .as_str()
            .unwrap()
            .to_owned();
        sb.ok(NEEDS, &["rm", &buttons, "--yes", "--as", "Alex"]);

        let again = sb.run(EXPORT, &["--to-dir", d, "--as", "Sam"]);
        again.ok();
        assert!(
            again.stderr.contains("left") && again.stderr.contains("2026-03-05.md"),
            "{}",
            again.stderr
        );
        let after = tree(&dir);
        for path in before.keys() {
            assert!(after.contains_key(path), "{path} was deleted");
        }
        assert_eq!(
            std::fs::read_to_string(dir.join("days/2026-03-05.md")).unwrap(),
            foreign
        );
        assert_eq!(
            std::fs::read_to_string(dir.join("needs/ideas.md")).unwrap(),
            "mine\n"
        );
        let ask_note = std::fs::read_to_string(dir.join(format!("needs/{ask}.md"))).unwrap();
        assert!(
            ask_note.contains("Alex asks first, every time"),
            "{ask_note}"
        );
        assert_ne!(before[&format!("needs/{ask}.md")], ask_note.as_bytes());
        assert_eq!(
            after[&format!("needs/{buttons}.md")],
            before[&format!("needs/{buttons}.md")]
        );
        // Running it once more changes nothing at all.
        sb.ok(EXPORT, &["--to-dir", d, "--as", "Sam"]);
        assert_eq!(tree(&dir), after);
    }
}

mod jrnl {
    use super::*;

    /// A jrnl 4 configuration with one plain journal in `dir`.
    fn config(dir: &Path) -> std::path::PathBuf {
        let cfg = dir.join("jrnl.yaml");
        let journal = dir.join("journal.txt");
        std::fs::write(
            &cfg,
            format!(
                "colors:\n  body: none\n  date: none\n  tags: none\n  title: none\n\
                 default_hour: 9\ndefault_minute: 0\neditor: ''\nencrypt: false\nhighlight: false\n\
                 indent_character: '|'\njournals:\n  default:\n    journal: {}\nlinewrap: 79\n\
                 tagsymbols: '#@'\ntemplate: false\ntimeformat: '%Y-%m-%d %H:%M'\nversion: v4.6\n",
                serde_json::to_string(journal.to_str().unwrap()).unwrap()
            ),
        )
        .unwrap();
        cfg
    }

    fn jrnl(sb: &Sandbox, program: &Path, cfg: &Path, args: &[&str]) -> Run {
        let mut c = assert_cmd::Command::new(program);
        c.env_clear()
            .env("HOME", sb.path("jrnl-home"))
            .env("XDG_CONFIG_HOME", sb.path("jrnl-home/config"))
            .env("XDG_DATA_HOME", sb.path("jrnl-home/data"))
            .env("NO_COLOR", "1")
            .env("LC_ALL", "C.UTF-8")
            .env("PYTHONIOENCODING", "utf-8")
            .timeout(std::time::Duration::from_secs(60))
            .arg("--config-file")
            .arg(cfg)
            .args(args);
        // The interpreter behind jrnl must still be found.
        for k in ["PATH", "PYENV_ROOT", "PYENV_VERSION", "VIRTUAL_ENV"] {
            if let Some(v) = std::env::var_os(k) {
                c.env(k, v);
            }
        }
        let out = c.output().expect("jrnl runs");
        Run {
            code: out.status.code().unwrap_or(-1),
            stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
        }
    }

    #[test]
    fn jrnl_imports_one_entry_per_need_session_and_day_of_answers() {
        let Some(program) = on_path("jrnl") else {
            assert!(
                std::env::var_os("CI").is_none(),
                "jrnl is not on PATH, and CI must run this test: \
                 install it with `python3 -m pip install jrnl`"
            );
            println!("note: jrnl is not on PATH; skipping the jrnl import test");
            return;
        };
        let sb = couple_with_history();
        std::fs::create_dir_all(sb.path("jrnl-home/config")).unwrap();
        let cfg = config(&sb.path("jrnl-home"));
        for who in ["Alex", "Sam"] {
            let text = export(&sb, &["--format", "jrnl", "--as", who]);
            let file = sb.path(&format!("export-{who}.txt"));
            std::fs::write(&file, &text).unwrap();
            let doc = json(&sb, &["--as", who]);
            let days: BTreeSet<&str> = doc["answers"]
                .as_array()
                .unwrap()
                .iter()
                .map(|a| a["date"].as_str().unwrap())
                .collect();
            let expected = doc["needs"].as_array().unwrap().len()
                + doc["touch"]["sessions"].as_array().unwrap().len()
                + days.len();

            let journal = sb.path("jrnl-home/journal.txt");
            let _ = std::fs::remove_file(&journal);
            let r = jrnl(
                &sb,
                &program,
                &cfg,
                &["--import", "--file", file.to_str().unwrap()],
            );
            assert_eq!(r.code, 0, "jrnl --import failed: {}{}", r.stdout, r.stderr);
            let listed = jrnl(&sb, &program, &cfg, &["-n", "1000", "--format", "json"]);
            assert_eq!(listed.code, 0, "{}", listed.stderr);
            let entries: Value = serde_json::from_str(&listed.stdout)
                .unwrap_or_else(|e| panic!("jrnl's JSON: {e}\n{}", listed.stdout));
            let entries = entries["entries"].as_array().unwrap();
            assert_eq!(entries.len(), expected, "{who}: {text}");
            assert!(
                entries.iter().any(|e| e["title"]
                    .as_str()
                    .unwrap()
                    .starts_with("Need: Help with buttons")),
                "{entries:?}"
            );
        }
    }
}

mod inert {
    use super::*;

    /// A couple whose records hold text that would be live in a spreadsheet, a notes app, org,
    /// a journal or a terminal. The need arrives as a synced file (the tools would refuse the
    /// escape sequence); the answer and the note are typed.
    pub(crate) fn hostile_couple() -> (Sandbox, String) {
        let sb = Sandbox::new();
        sb.ok(NEEDS, &["couple", "add", "Alex"]);
        sb.ok(NEEDS, &["couple", "add", "Sam"]);
        let store = Store::new(sb.data());
        let alex = id_of(&sb, "Alex");
        let day = chrono::NaiveDate::from_ymd_opt(2026, 3, 2).unwrap();
        let need = needs::add(
            &store,
            Need {
                version: 0,
                id: String::new(),
                owner: alex,
                text: HOSTILE.into(),
                category: "other".into(),
                condition: None,
                importance: Importance::Low,
                status: Status::Open,
                plan: None,
                helper: None,
                review: None,
                private: false,
                created: day,
                history: Vec::new(),
            },
            chrono::Utc::now(),
        )
        .unwrap();
        sb.ok(
            NEEDS,
            &[
                "agree",
                &need.id,
                "--plan",
                "+1 for asking\n---\n@everyone",
                "--as",
                "Alex",
            ],
        );
        sb.ok(PROMPT, &["answer", HOSTILE, "--as", "Sam"]);
        sb.ok(TOUCH, &["boundary", "s0-sit-close", "yes", "--as", "Alex"]);
        sb.ok(TOUCH, &["boundary", "s0-sit-close", "yes", "--as", "Sam"]);
        sb.ok(
            TOUCH,
            &[
                "log",
                "--note=-2 degrees outside\n* not a heading\n[[link]]",
                "--as",
                "Sam",
            ],
        );
        sb.ok(
            TOUCH,
            &[
                "debrief",
                "--noticed",
                "@SUM(1+1)\n#+TITLE: no",
                "--as",
                "Alex",
            ],
        );
        (sb, need.id)
    }

    #[test]
    fn what_a_partner_typed_stays_text_in_every_format() {
        let (sb, need_id) = hostile_couple();
        let all = every_format(&sb, Some("Sam"));
        assert_eq!(all.len(), 7 + 2 * 2);
        for (what, text) in &all {
            assert!(
                !text.contains('\u{1b}'),
                "{what} holds a raw escape:\n{text}"
            );
            assert!(!text.contains('\u{9b}'), "{what} holds a raw CSI");
        }
        let get = |name: &str| &all.iter().find(|(w, _)| w.contains(name)).unwrap().1;

        // CSV: RFC 4180, and no cell a spreadsheet would run.
        let cleaned = clean(HOSTILE, true);
        for kind in ["needs", "touch", "prompts"] {
            let text = get(&format!("--only {kind}"));
            let mut rdr = csv::ReaderBuilder::new().from_reader(text.as_bytes());
            let header = rdr.headers().unwrap().clone();
            let mut rows = 0;
            for rec in rdr.records() {
                let rec = rec.unwrap_or_else(|e| panic!("{kind} CSV is not RFC 4180: {e}\n{text}"));
                assert_eq!(rec.len(), header.len());
                for cell in &rec {
                    assert!(
                        !cell.starts_with(['=', '+', '-', '@', '\t', '\r']),
                        "{kind} CSV cell would run: {cell:?}"
                    );
                }
                rows += 1;
            }
            assert!(rows > 0, "{kind} CSV is empty");
            assert!(text.ends_with("\r\n"));
        }
        let needs_csv = get("--only needs");
        let mut rdr = csv::Reader::from_reader(needs_csv.as_bytes());
        let row = rdr
            .records()
            .map(Result::unwrap)
            .find(|r| &r[0] == need_id.as_str())
            .unwrap();
        assert_eq!(&row[2], format!("'{cleaned}"));
        assert_eq!(&row[7], "'+1 for asking\n---\n@everyone");

        // Markdown, standalone and in notes: no live link, HTML, rule, heading or list.
        let mut markdowns: Vec<(&str, &str)> = vec![("markdown", get("--format markdown"))];
        for (what, text) in &all {
            if what.starts_with("obsidian") || what.starts_with("joplin") {
                let rest = text.strip_prefix("---\n").expect("front matter");
                let end = rest.find("\n---\n").expect("end of front matter");
                let yaml: serde_norway::Value = serde_norway::from_str(&rest[..end + 1])
                    .unwrap_or_else(|e| panic!("{what}: {e}"));
                let title = yaml["title"].as_str().unwrap();
                assert!(!title.chars().any(char::is_control), "{what}: {title:?}");
                markdowns.push((what, &rest[end + 5..]));
            }
        }
        for (what, md) in markdowns {
            assert!(!md.contains("[["), "{what}: a live wiki link\n{md}");
            assert!(!md.contains("<script>"), "{what}: live HTML\n{md}");
            for line in md.lines() {
                assert_ne!(line.trim(), "---", "{what}: a rule or front matter\n{md}");
                let t = line.trim_start();
                for start in ["# fake", "* fake", "* not", "=HYPER", "#+", "-2 degrees"] {
                    assert!(
                        !t.starts_with(start),
                        "{what}: markup from user text: {line}"
                    );
                }
            }
            assert!(md.contains("HYPERLINK"), "{what} lost the text");
        }

        // Org: every headline and keyword is the export's own.
        let org = get("--format org");
        for line in org.lines() {
            if line.starts_with('*') {
                assert!(
                    line.starts_with("** ")
                        || ["* Needs", "* Touch sessions", "* Prompts"].contains(&line),
                    "a headline from user text: {line}"
                );
            }
            if line.starts_with("#+") {
                assert!(
                    line.starts_with("#+TITLE: closer export") || line.starts_with("#+DATE: "),
                    "{line}"
                );
            }
        }
        assert!(org.contains("not a heading") && org.contains("fake heading"));

        // jrnl: only the export's own entry lines start with a date in brackets.
        let jrnl = get("--format jrnl");
        let heads = jrnl
            .lines()
            .filter(|l| {
                l.starts_with('[') && l.get(11..12) == Some(" ") && l.get(17..19) == Some("] ")
            })
            .count();
        assert_eq!(
            heads, 3,
            "one need, one session, one day of answers:\n{jrnl}"
        );
        assert!(jrnl.contains("not an entry"));

        // JSON keeps every character, escaped.
        let doc: Value = serde_json::from_str(get("--format json")).unwrap();
        assert_eq!(doc["needs"][0]["text"], HOSTILE);
        assert_eq!(doc["answers"][0]["text"], HOSTILE);
    }
}

mod privacy {
    use super::*;

    fn assert_absent(all: &[(String, String)], secrets: &[&str], whose: &str) {
        for (what, text) in all {
            for s in secrets {
                assert!(!text.contains(s), "{whose} export `{what}` shows {s:?}");
            }
        }
    }

    fn assert_present(all: &[(String, String)], s: &str, whose: &str) {
        assert!(
            all.iter().any(|(_, t)| t.contains(s)),
            "{whose} export never shows {s:?}"
        );
    }

    #[test]
    fn a_partners_private_need_and_debrief_stay_theirs() {
        let sb = couple_with_history();
        let sams = every_format(&sb, Some("Sam"));
        assert_absent(&sams, &[PRIVATE_NEED, PRIVATE_DEBRIEF], "Sam's");
        assert_absent(
            &every_format(&sb, None),
            &[PRIVATE_NEED, PRIVATE_DEBRIEF],
            "The shared",
        );
        // Alex's own boundaries stay Alex's too: Sam never answered about spooning.
        assert_absent(
            &sams,
            &["s1-spooning", "Spoon, clothed", "left shoulder: surgery"],
            "Sam's",
        );
        let alexs = every_format(&sb, Some("Alex"));
        assert_present(&alexs, PRIVATE_NEED, "Alex's");
        assert_present(&alexs, PRIVATE_DEBRIEF, "Alex's");
        assert_present(&alexs, "s1-spooning", "Alex's");
        // Sam's own: the "maybe" is in Sam's JSON, nowhere in Alex's.
        let sam_json: Value = serde_json::from_str(&sams[1].1).unwrap();
        assert_eq!(
            sam_json["touch"]["mine"]["boundaries"]["s0-hold-hands"],
            "maybe"
        );
        assert_eq!(sam_json["touch"]["mine"]["partner"], id_of(&sb, "Sam"));
        assert_absent(&alexs, &["s0-hold-hands"], "Alex's");
    }

    #[test]
    fn sexual_answers_and_sessions_only_when_both_opted_in() {
        let sb = couple_with_history();
        for who in ["Alex", "Sam"] {
            sb.ok(PROMPT, &["couple", "opt-in", "sexual", "--as", who]);
        }
        sb.set_today("2026-03-05");
        let desire = sb.ok(PROMPT, &["--category", "desire", "--json"]);
        let prompt: Value = serde_json::from_str(&desire).unwrap();
        assert_eq!(prompt["sexual"], true);
        let prompt_text = prompt["text"].as_str().unwrap().to_owned();
        sb.ok(
            PROMPT,
            &[
                "answer",
                SEXUAL_ANSWER,
                "--category",
                "desire",
                "--as",
                "Alex",
            ],
        );
        for who in ["Alex", "Sam"] {
            sb.ok(TOUCH, &["boundary", "s5-no-goal", "yes", "--as", who]);
        }
        sb.ok(
            TOUCH,
            &[
                "log",
                "--step",
                "s5-no-goal",
                "--note",
                SEXUAL_NOTE,
                "--as",
                "Sam",
            ],
        );
        sb.ok(
            TOUCH,
            &["debrief", "--noticed", SEXUAL_DEBRIEF, "--as", "Alex"],
        );
        let secrets = [
            SEXUAL_ANSWER,
            SEXUAL_NOTE,
            SEXUAL_DEBRIEF,
            "s5-no-goal",
            prompt_text.as_str(),
        ];

        for who in ["Alex", "Sam"] {
            let all = every_format(&sb, Some(who));
            for s in &secrets {
                assert_present(&all, s, who);
            }
        }
        // Either partner opting out takes it all out of every export at once.
        sb.ok(TOUCH, &["couple", "opt-out", "sexual", "--as", "Sam"]);
        for who in [Some("Alex"), Some("Sam"), None] {
            let all = every_format(&sb, who);
            assert_absent(&all, &secrets, who.unwrap_or("The shared"));
            assert_absent(&all, &["Sensual touch"], who.unwrap_or("The shared"));
        }
    }
}

mod bad_input {
    use super::*;

    #[test]
    fn mistakes_are_one_line_and_write_nothing() {
        let sb = couple_with_history();
        std::fs::write(sb.path("file.txt"), "a file, not a folder\n").unwrap();
        let before = tree(sb.tmp.path());
        let mut lines = Vec::new();
        for args in [
            &["--format", "docx", "--as", "Sam"][..],
            &["--since", "2026-03-05", "--until", "2026-03-01"],
            &["--to-dir", "file.txt/notes", "--as", "Sam"],
            &["--to-dir", "notes", "--format", "json"],
            &["--format", "csv", "--as", "Sam"],
            &["--by", "Robin"],
            &["--since", "2026-02-30"],
        ] {
            let r = sb.run(EXPORT, args);
            lines.push(format!("{} -> {}", args.join(" "), r.error_line("export")));
            assert_eq!(
                tree(sb.tmp.path()),
                before,
                "`{}` wrote something",
                args.join(" ")
            );
        }
        insta::assert_snapshot!("errors", sb.redact(&lines.join("\n")));
    }

    #[test]
    fn help_text() {
        let sb = Sandbox::new();
        let out = sb
            .command_in(&sb.data(), EXPORT)
            .env_remove("CLOSER_DIR")
            .arg("--help")
            .output()
            .unwrap();
        assert!(out.status.success());
        let help = String::from_utf8(out.stdout).unwrap();
        assert!(help.contains("closer-export"), "{help}");
        insta::assert_snapshot!("help", help);
    }
}

mod same_program {
    use super::*;

    #[test]
    fn closer_export_and_export_print_the_same_bytes() {
        let sb = couple_with_history();
        for args in [
            &["--as", "Alex"][..],
            &["--format", "json", "--as", "Sam"],
            &["--format", "csv", "--only", "touch", "--as", "Alex"],
            &["--format", "jrnl", "--redact-names"],
            &["--format", "org", "--since", "2026-03-03", "--as", "Sam"],
            &["--only", "needs", "--by", "Alex", "--as", "Alex"],
        ] {
            let a = sb.run(EXPORT, args);
            let b = sb.run(CLOSER_EXPORT, args);
            assert_eq!(a.code, 0, "{}", a.stderr);
            assert!(!a.stdout.is_empty());
            assert_eq!(a.stdout, b.stdout, "{args:?}");
            assert_eq!(a.code, b.code);
        }
        // Their errors differ only in the name they give themselves.
        let a = sb.run(EXPORT, &["--format", "docx"]);
        let b = sb.run(CLOSER_EXPORT, &["--format", "docx"]);
        assert_eq!(
            a.error_line("export").replace("export", "X"),
            b.error_line("closer-export").replace("closer-export", "X")
        );
    }

    #[test]
    fn the_markdown_export_reads_well() {
        let sb = couple_with_history();
        let doc = json(&sb, &["--as", "Sam"]);
        // Two answers on one day come in the order of the partners' random IDs: take one.
        let mut md = export(&sb, &["--as", "Sam", "--only", "needs,touch"]);
        md += &export(&sb, &["--as", "Sam", "--only", "prompts", "--by", "Sam"]);
        // Random IDs out, so that the snapshot is stable.
        let mut ids: Vec<String> = doc["needs"]
            .as_array()
            .unwrap()
            .iter()
            .map(|n| n["id"].as_str().unwrap().to_owned())
            .collect();
        ids.extend(
            doc["touch"]["sessions"]
                .as_array()
                .unwrap()
                .iter()
                .map(|s| s["id"].as_str().unwrap().to_owned()),
        );
        for id in &ids {
            md = md.replace(id.as_str(), "[ID]");
        }
        // Each couple gets its own order of prompts.
        for a in doc["answers"].as_array().unwrap() {
            md = md.replace(a["prompt_text"].as_str().unwrap(), "[the day's prompt]");
        }
        insta::assert_snapshot!("markdown_for_sam", md);
    }
}
