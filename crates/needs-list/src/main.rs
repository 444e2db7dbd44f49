//! `needs-list`: what each partner needs and what the couple agreed.

fn main() -> std::process::ExitCode {
    closer_cli::run("needs-list", needs_list::run)
}
