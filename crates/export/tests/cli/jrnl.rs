//! The jrnl format, imported by the real jrnl program when it is on PATH (CI insists on it).

use super::*;
use std::collections::BTreeSet;
use std::path::Path;
use support::{Run, on_path};

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
            + doc["touch"]["holds"].as_array().unwrap().len()
            + doc["touch"]["sessions"].as_array().unwrap().len()
            + days.len()
            // One entry each time something was on for both and then off again.
            + text.matches("] On for a while, then off again.").count();

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
