//! `closer-export`: the same program as `export`, for shells where `export` is a builtin.

fn main() -> std::process::ExitCode {
    closer_core::cli::run("closer-export", export::run)
}
