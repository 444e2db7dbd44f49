//! `closer-export` is the same program as `export`; and the Markdown export, as users read it.

use super::*;
use support::CLOSER_EXPORT;

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

#[test]
fn closer_export_names_itself_in_version_help_completions_and_man_page() {
    let sb = Sandbox::new();
    let version = sb.ok(CLOSER_EXPORT, &["--version"]);
    assert!(version.starts_with("closer-export "), "{version}");
    let help = sb.help(CLOSER_EXPORT);
    assert!(
        help.ok().contains("Usage: closer-export"),
        "{}",
        help.stdout
    );
    let bash = sb.ok(CLOSER_EXPORT, &["completions", "bash"]);
    assert!(bash.contains("-o default closer-export\n"), "{bash}");
    assert!(!bash.contains("-o default export\n"), "{bash}");
    let man = sb.ok(CLOSER_EXPORT, &["man"]);
    assert!(man.contains(".TH closer-export"), "{man}");
    // `export` keeps its own name.
    assert!(sb.ok(EXPORT, &["--version"]).starts_with("export "));
    let bash = sb.ok(EXPORT, &["completions", "bash"]);
    assert!(bash.contains("-o default export\n"), "{bash}");
}
