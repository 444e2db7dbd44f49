//! With no set-up and under cron: exactly one line, the day's prompt, and nothing written.

use super::*;
use std::fs;
use support::{bin, tree};

/// Runs the tool as cron does: no terminal, stdin /dev/null, only HOME, a minimal PATH and
/// SHELL=/bin/sh. A run that takes longer than the timeout is killed and fails the test.
fn run_as_cron(home: &Path, args: &[&str]) -> Run {
    let env = [
        ("HOME", home.as_os_str()),
        ("PATH", PATH.as_ref()),
        ("SHELL", "/bin/sh".as_ref()),
    ];
    support::run_without_terminal(&bin(PROMPT), &env, args)
}

#[test]
fn with_no_set_up_it_prints_one_line_and_writes_nothing() {
    let s = Sandbox::new();
    let r = s.run(&[]);
    assert_eq!((r.code, r.stderr.as_str()), (0, ""));
    let lib = Library::builtin();
    let order = rotation(&lib, &Couple::default(), &Filter::default());
    let expected = pick(&order, day(TODAY), false).unwrap();
    assert_eq!(r.stdout, format!("{}\n", expected.text));
    assert!(
        !s.data().exists(),
        "showing a prompt created the data folder"
    );
    assert_eq!(
        fs::read_dir(s.home()).unwrap().count(),
        0,
        "it wrote to HOME"
    );
}

#[test]
fn under_cron_it_prints_exactly_one_line_and_nothing_else() {
    let s = Sandbox::new();
    let lib = Library::builtin();
    let texts: BTreeSet<&str> = lib.prompts.iter().map(|p| p.text).collect();
    let check = |r: &Run| {
        assert_eq!((r.code, r.stderr.as_str()), (0, ""), "{r:?}");
        let line = r.stdout.strip_suffix('\n').expect("a line");
        assert!(!line.is_empty() && !line.contains('\n'), "{:?}", r.stdout);
        assert!(texts.contains(line), "not a prompt: {line:?}");
    };
    check(&run_as_cron(&s.home(), &[]));
    // And for a couple set up in the default data folder under HOME.
    let data = s.home().join(".local/share/closer");
    s.couple_in(&data);
    let before = tree(&s.home());
    check(&run_as_cron(&s.home(), &[]));
    check(&run_as_cron(&s.home(), &["--energy", "low"]));
    assert!(tree(&s.home()) == before, "a cron run wrote something");
}
