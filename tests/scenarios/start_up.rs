//! What each tool loads when it starts: on GNU/Linux a dynamic build links the stack unwinder in
//! (GCC's `libgcc_eh`, see `crates/cli/build.rs`) and loads no `libgcc_s` at start; and a run
//! builds the arguments of the command it runs, not those of every other command.

/// Every tool's command tree, as a run makes it before parsing.
fn trees() -> Vec<clap::Command> {
    use clap::CommandFactory;
    vec![
        needs_list::Cli::command(),
        touch_plan::Cli::command(),
        prompt_of_the_day::Cli::command(),
        export::Cli::command(),
    ]
}

/// Only the commands that have commands of their own (`couple`, `couple keys`) are built with the
/// tool; every other command gets its arguments when it runs.
#[test]
fn a_run_builds_no_arguments_of_the_commands_it_does_not_run() {
    fn walk(cmd: &clap::Command, path: &str, out: &mut Vec<String>) {
        for sub in cmd.get_subcommands() {
            let path = format!("{path} {}", sub.get_name());
            if sub.has_subcommands() {
                walk(sub, &path, out);
            } else if sub.get_arguments().next().is_some() {
                out.push(path);
            }
        }
    }
    let mut built = Vec::new();
    for tool in trees() {
        walk(&tool, tool.get_name(), &mut built);
    }
    assert!(built.is_empty(), "built before they run: {built:?}");
}

/// Building a command's arguments when it runs must not change what its help says it does (an
/// argument struct's doc comment would become the command's description).
#[test]
fn building_a_command_when_it_runs_keeps_its_description() {
    fn walk(cmd: &clap::Command, path: &str, out: &mut Vec<String>) {
        for sub in cmd.get_subcommands() {
            let path = format!("{path} {}", sub.get_name());
            let mut built = sub.clone();
            built.build();
            let said = |c: &clap::Command| {
                (
                    c.get_about().map(ToString::to_string),
                    c.get_long_about().map(ToString::to_string),
                )
            };
            if said(&built) != said(sub) {
                out.push(format!("{path}: {:?} became {:?}", said(sub), said(&built)));
            }
            walk(&built, &path, out);
        }
    }
    let mut changed = Vec::new();
    for tool in trees() {
        walk(&tool, tool.get_name(), &mut changed);
    }
    assert!(changed.is_empty(), "{}", changed.join("\n"));
}

#[cfg(all(
    target_os = "linux",
    target_env = "gnu",
    not(target_feature = "crt-static")
))]
#[test]
fn no_tool_needs_libgcc_s_to_start() {
    use crate::support::{self, CLOSER_EXPORT, EXPORT, NEEDS, PROMPT, TOUCH};
    for tool in [NEEDS, TOUCH, PROMPT, EXPORT, CLOSER_EXPORT] {
        let path = support::bin(tool);
        let bytes = std::fs::read(&path).unwrap();
        // A library the binary needs is named in its dynamic string table.
        assert!(
            !bytes.windows(b"libgcc_s".len()).any(|w| w == b"libgcc_s"),
            "{} still needs libgcc_s",
            path.display()
        );
        assert!(
            bytes.windows(b"libc.so.6".len()).any(|w| w == b"libc.so.6"),
            "{} is not linked against the C library as a shared library",
            path.display()
        );
    }
}
