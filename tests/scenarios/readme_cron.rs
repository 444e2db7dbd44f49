//! Every cron line in README.md, run as cron runs it: `/bin/sh -c` with nothing in the
//! environment but HOME, a minimal PATH and SHELL. Each prints only what it should, nothing on
//! standard error, and uses the data folder the line names.

use super::*;
use std::path::Path;
use support::{CLOSER_EXPORT, NEEDS, PROMPT, TOUCH, bin, run_without_terminal};

/// The command of every line of the README's cron block, with cron's `\%` turned into `%`.
fn cron_lines() -> Vec<String> {
    let readme = std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("README.md"))
        .expect("README.md");
    let block = readme
        .split("```cron\n")
        .nth(1)
        .and_then(|b| b.split("```").next())
        .expect("README.md has a ```cron block");
    block
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .map(|l| {
            // Five time fields, then the command as the shell gets it.
            let mut rest = l;
            for _ in 0..5 {
                rest = rest.trim_start();
                rest = &rest[rest.find(char::is_whitespace).expect("a time field")..];
            }
            let cmd = rest.trim();
            assert!(
                !cmd.replace("\\%", "").contains('%'),
                "an unescaped % ends a cron command: {l}"
            );
            cmd.replace("\\%", "%")
        })
        .collect()
}

#[test]
fn every_readme_cron_line_runs_quietly_on_the_named_data_folder() {
    let lines = cron_lines();
    assert!(lines.len() >= 5, "{lines:?}");
    assert!(
        lines.iter().all(|l| l.contains("CLOSER_DIR=")),
        "every line names the data folder: {lines:?}"
    );
    let sb = Sandbox::new();
    let home = sb.home();
    let cargo_bin = home.join(".cargo/bin");
    std::fs::create_dir_all(&cargo_bin).unwrap();
    for tool in [NEEDS, TOUCH, PROMPT, CLOSER_EXPORT] {
        std::os::unix::fs::symlink(bin(tool), cargo_bin.join(tool.1)).unwrap();
    }
    std::fs::create_dir_all(home.join("Notes/Daily")).unwrap();
    // The couple's folder is where the lines say, not the default one.
    let data = home.join("Sync/closer");
    sb.run_in(&data, NEEDS, &["couple", "add", "Alex"]).ok();
    sb.run_in(&data, NEEDS, &["couple", "add", "Sam"]).ok();
    let need = "Help with buttons on stiff mornings";
    let id = sb.run_in(&data, NEEDS, &["add", need, "--as", "Alex"]);
    let id = id.ok().trim();
    sb.run_in(
        &data,
        NEEDS,
        &[
            "propose",
            id,
            "--plan",
            "Sam does buttons",
            "--review",
            support::START,
            "--as",
            "Alex",
        ],
    )
    .ok();
    sb.run_in(&data, NEEDS, &["accept", id, "--as", "Sam"]).ok();
    let prompt = sb.run_in(&data, PROMPT, &[]).ok().to_owned();

    let mut ran = 0;
    for line in &lines {
        if line.contains("notify-send") && !Path::new("/usr/bin/notify-send").exists() {
            continue;
        }
        let r = run_without_terminal(
            Path::new("/bin/sh"),
            &[
                ("HOME", home.as_os_str()),
                ("PATH", "/usr/bin:/bin".as_ref()),
                ("SHELL", "/bin/sh".as_ref()),
                ("CLOSER_TODAY", support::START.as_ref()),
            ],
            &["-c", line],
        );
        assert_eq!((r.code, r.stderr.as_str()), (0, ""), "{line}\n{}", r.stdout);
        ran += 1;
        if line.contains("--append-to") {
            assert_eq!(r.stdout, "", "{line}");
            let day = std::fs::read_dir(home.join("Notes/Daily")).unwrap().count();
            assert_eq!(day, 1, "{line}");
        } else if line.contains("--to-dir") {
            assert_eq!(r.stdout, "", "{line}");
            assert!(home.join("Notes/closer").is_dir(), "{line}");
        } else if line.contains("--due") {
            assert!(r.stdout.contains(need), "{line}: {}", r.stdout);
        } else if line.contains("couple today") {
            assert!(
                r.stdout.contains(&format!("Prompt: {prompt}")),
                "{line}: {}",
                r.stdout
            );
        } else if !line.contains("notify-send") {
            assert_eq!(r.stdout, prompt, "{line}");
        }
    }
    assert!(ran >= 5, "only {ran} lines ran");
}
