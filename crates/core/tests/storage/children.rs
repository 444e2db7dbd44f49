//! The other processes: the child's side (`child_writer`, run when `STORAGE_TEST_CHILD` says
//! what to do) and the parent's (starting children, reading their lines, waiting for them).

use super::*;
use closer_core::needs;
use closer_core::prompts;
use closer_core::store::{self, Store};
use std::io::{BufRead, BufReader, Write};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

const CHILD: &str = "STORAGE_TEST_CHILD";
const CHILD_DIR: &str = "STORAGE_TEST_DIR";
const CHILD_ARG: &str = "STORAGE_TEST_ARG";

/// The child's side of the multi-process tests.
#[test]
#[ignore = "run by the other tests in a child process"]
fn child_writer() {
    let Ok(mode) = std::env::var(CHILD) else {
        return;
    };
    let dir = PathBuf::from(std::env::var(CHILD_DIR).unwrap());
    let arg: usize = std::env::var(CHILD_ARG).unwrap().parse().unwrap();
    let store = Store::new(&dir);
    let ready_then_wait = || {
        // On a line of its own: the test harness has started one without ending it.
        println!("\nready");
        let mut go = String::new();
        std::io::stdin().read_line(&mut go).unwrap();
        assert_eq!(go.trim(), "go");
    };
    match mode.as_str() {
        "needs" => {
            ready_then_wait();
            for i in 0..PER_WRITER {
                let text = format!("writer {arg} need {i}");
                needs::add(&store, need(&format!("writer{arg}"), &text), at()).unwrap();
            }
        }
        "answers" => {
            ready_then_wait();
            for i in 0..PER_WRITER {
                let a = answer(concurrent_date(arg, i), concurrent_text(arg, i));
                prompts::save_answer(&store, &id(PARTNER), a).unwrap();
            }
        }
        "killable" => {
            println!("\nready");
            for i in arg..365 {
                prompts::save_answer(&store, &id(PARTNER), answer(killed_date(i), killed_text(i)))
                    .unwrap();
                println!("done {i}");
            }
        }
        "perms" => {
            // Proof for the parent that the umask really is 000 here.
            fs::File::create(dir.with_file_name("umask-probe")).unwrap();
            let p = closer_core::profile::add(&store, "alex", Vec::new(), day(2026, 3, 1)).unwrap();
            needs::add(&store, need(&p.id, "help on bad-hand mornings"), at()).unwrap();
            prompts::save_answer(&store, &p.id, answer(day(2026, 3, 1), "the garden".into()))
                .unwrap();
            drop(store.lock("").unwrap());
            store::write_atomic(&dir.join("config-like.toml"), b"version = 1\n").unwrap();
        }
        other => panic!("unknown child mode {other:?}"),
    }
}

/// Starts this test binary again as a child doing `mode`.
pub(crate) fn spawn_child(mode: &str, dir: &Path, arg: usize, umask_000: bool) -> Child {
    let exe = std::env::current_exe().unwrap();
    let mut cmd = if umask_000 {
        let mut c = Command::new("/bin/sh");
        c.arg("-c").arg(r#"umask 000; exec "$0" "$@""#).arg(&exe);
        c
    } else {
        Command::new(&exe)
    };
    cmd.args([
        "--exact",
        "children::child_writer",
        "--nocapture",
        "--include-ignored",
        "--test-threads=1",
    ])
    .env_clear()
    .env(CHILD, mode)
    .env(CHILD_DIR, dir)
    .env(CHILD_ARG, arg.to_string())
    .stdin(Stdio::piped())
    .stdout(Stdio::piped())
    .stderr(Stdio::piped())
    .spawn()
    .unwrap()
}

/// Reads the child's stdout on a thread, line by line.
pub(crate) fn lines_of(child: &mut Child) -> mpsc::Receiver<String> {
    let out = child.stdout.take().unwrap();
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(out).lines() {
            let Ok(line) = line else { break };
            if tx.send(line).is_err() {
                break;
            }
        }
    });
    rx
}

pub(crate) fn wait_ready(rx: &mpsc::Receiver<String>) {
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let left = deadline.saturating_duration_since(Instant::now());
        match rx.recv_timeout(left) {
            Ok(l) if l == "ready" => return,
            Ok(_) => {}
            Err(e) => panic!("the child never said it was ready: {e}"),
        }
    }
}

/// Waits for a child that is expected to succeed, failing with its stderr if it did not.
pub(crate) fn finish(child: Child, what: &str) {
    let out = child.wait_with_output().unwrap();
    assert!(
        out.status.success(),
        "{what} failed: {}\n{}",
        out.status,
        String::from_utf8_lossy(&out.stderr)
    );
}

/// Runs two writers doing `mode` at the same moment and waits for both.
pub(crate) fn run_two_writers(mode: &str, dir: &Path) {
    let mut kids: Vec<Child> = (0..2).map(|k| spawn_child(mode, dir, k, false)).collect();
    let rxs: Vec<_> = kids.iter_mut().map(lines_of).collect();
    rxs.iter().for_each(wait_ready);
    for k in &mut kids {
        writeln!(k.stdin.as_mut().unwrap(), "go").unwrap();
    }
    for (k, kid) in kids.into_iter().enumerate() {
        finish(kid, &format!("writer {k}"));
    }
}
