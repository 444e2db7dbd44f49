//! `prompt-of-the-day`: one conversation prompt a day for both partners.

fn main() -> std::process::ExitCode {
    closer_cli::run("prompt-of-the-day", prompt_of_the_day::run)
}
