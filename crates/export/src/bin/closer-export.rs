//! `closer-export`: the same program as `export`, for shells where `export` is a builtin.

fn main() -> std::process::ExitCode {
    closer_cli::run("closer-export", export::run)
}
