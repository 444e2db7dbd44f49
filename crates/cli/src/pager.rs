//! Long output on a terminal goes through `$PAGER` (`less` when none is set), so that it can be
//! scrolled; never when standard output is a pipe, a file or cron's mail.

use std::io::Write;
use std::process::{Command, Stdio};

/// Shows `text` through the pager when it is longer than the terminal is high; false when it
/// did not (short text, no pager wanted, or none that starts), and the caller writes it out.
pub fn show(text: &[u8]) -> bool {
    let rows = terminal_size::terminal_size()
        .map(|(_, h)| h.0)
        .filter(|&h| h > 0)
        .unwrap_or(24);
    let lines = text.iter().filter(|&&b| b == b'\n').count();
    if lines < usize::from(rows) {
        return false;
    }
    let pager = std::env::var("PAGER").unwrap_or_else(|_| "less".to_owned());
    let mut words = pager.split_whitespace();
    let Some(program) = words.next().filter(|p| *p != "cat") else {
        return false;
    };
    let mut cmd = Command::new(program);
    cmd.args(words).stdin(Stdio::piped());
    // Like git: quit at once when it fits after all, keep colours, leave the screen as it was.
    if std::env::var_os("LESS").is_none() {
        cmd.env("LESS", "FRX");
    }
    let Ok(mut child) = cmd.spawn() else {
        return false;
    };
    if let Some(mut stdin) = child.stdin.take() {
        // Quitting the pager early closes the pipe: nothing more to show, and no error.
        let _ = stdin.write_all(text);
    }
    let _ = child.wait();
    true
}
