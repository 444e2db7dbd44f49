//! `touch-plan`: a graduated, consent-first touch plan at the pace of the slower partner.

fn main() -> std::process::ExitCode {
    closer_cli::run("touch-plan", touch_plan::run)
}
