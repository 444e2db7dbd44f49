//! The prompt of the day from cron: one quiet line, the couple's own prompt, and nothing written.

use super::*;
use closer_core::content::Library;
use std::collections::BTreeSet;
use std::process::Stdio;
use support::{NEEDS, PROMPT, bin, tree, tree_but_cache};

#[test]
fn the_prompt_of_the_day_from_cron_is_one_quiet_line() {
    let sb = Sandbox::new();
    let lib = Library::builtin();
    let texts: BTreeSet<&str> = lib.prompts.iter().map(|p| p.text).collect();
    // What cron gives a job: HOME, a minimal PATH, /bin/sh, no terminal, nothing else.
    let cron = |home: &std::path::Path| {
        let out = std::process::Command::new(bin(PROMPT))
            .env_clear()
            .env("HOME", home)
            .env("PATH", "/usr/bin:/bin")
            .env("SHELL", "/bin/sh")
            .env("LOGNAME", "someone")
            .env("CLOSER_TODAY", "2026-03-02")
            .current_dir(home)
            .stdin(Stdio::null())
            .output()
            .expect("prompt-of-the-day runs");
        assert!(out.status.success(), "{out:?}");
        assert_eq!(
            String::from_utf8_lossy(&out.stderr),
            "",
            "cron would mail this"
        );
        let stdout = String::from_utf8(out.stdout).unwrap();
        let line = stdout.strip_suffix('\n').expect("ends with a line break");
        assert!(!line.is_empty() && !line.contains('\n'), "{stdout:?}");
        assert!(texts.contains(line), "not a prompt: {line:?}");
        line.to_owned()
    };

    // Nothing set up at all.
    let first = cron(&sb.home());
    assert_eq!(
        cron(&sb.home()),
        first,
        "the same day gives the same prompt"
    );
    assert_eq!(
        tree(&sb.home()),
        Default::default(),
        "a cron run wrote files"
    );

    // A couple set up in the default data folder under HOME.
    let data = sb.home().join(".local/share/closer");
    sb.run_in(&data, NEEDS, &["couple", "add", "Alex"]).ok();
    sb.run_in(&data, NEEDS, &["couple", "add", "Sam"]).ok();
    let before = tree_but_cache(&sb.home());
    let line = cron(&sb.home());
    let shown = json(sb.run_in(&data, PROMPT, &["--json"]).ok());
    assert_eq!(shown["text"], line, "cron shows the couple's own prompt");
    assert_eq!(tree_but_cache(&sb.home()), before, "a cron run wrote files");
}
