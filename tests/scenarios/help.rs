//! Help that teaches: every command and subcommand of every tool ends its `--help` with
//! examples, and every argument and option has a line of help; the man page carries them.

use super::*;
use support::{CLOSER_EXPORT, NEEDS};

fn trees() -> Vec<clap::Command> {
    let mut v = vec![
        closer_cli::command::<needs_list::Cli>("needs-list"),
        closer_cli::command::<touch_plan::Cli>("touch-plan"),
        closer_cli::command::<prompt_of_the_day::Cli>("prompt-of-the-day"),
        closer_cli::command::<export::Cli>("export"),
        closer_cli::command::<export::Cli>("closer-export"),
    ];
    for c in &mut v {
        c.build();
    }
    v
}

#[test]
fn every_command_has_examples_and_every_argument_a_line_of_help() {
    let gaps: Vec<String> = trees()
        .iter()
        .flat_map(closer_cli::examples::gaps)
        .collect();
    assert!(gaps.is_empty(), "{} gaps:\n{}", gaps.len(), gaps.join("\n"));
}

#[test]
fn help_shows_the_examples_with_the_tools_own_name() {
    let sb = Sandbox::new();
    let r = sb.run(CLOSER_EXPORT, &["couple", "set", "--help"]);
    assert!(r.ok().contains("Examples:\n"), "{}", r.stdout);
    assert!(
        r.stdout
            .contains("closer-export couple set Sam --remove-condition post-surgery"),
        "{}",
        r.stdout
    );
    let top = sb.ok(NEEDS, &["--help"]);
    let examples = top
        .find("Examples:")
        .expect("examples in needs-list --help");
    assert!(examples < top.find("Exit status:").unwrap(), "{top}");
    // Every way of asking for help shows them.
    for args in [
        &["help", "add"][..],
        &["add", "-h"],
        &["couple", "help", "add"],
        &["--as", "Sam", "add", "--help"],
    ] {
        let help = sb.ok(NEEDS, args);
        assert!(help.contains("Examples:\n"), "{args:?}: {help}");
    }
}

#[test]
fn the_man_page_carries_every_commands_examples() {
    let sb = Sandbox::new();
    let page = sb.ok(NEEDS, &["man"]);
    for line in [
        "needs\\-list \\-\\-due \\-\\-plain",
        "needs\\-list accept k3x9",
        "needs\\-list couple energy low",
    ] {
        assert!(page.contains(line), "{line} not in the man page:\n{page}");
    }
}
