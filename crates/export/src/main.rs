//! `export`: everything the couple recorded, out for notes apps, therapists and backups.

fn main() -> std::process::ExitCode {
    closer_cli::run("export", export::run)
}
