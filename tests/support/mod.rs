//! Shared by every tool's tests and the cross-tool scenarios: finding every closer binary, running
//! one in a sealed environment (temp HOME and data folder, nothing inherited, a pinned date, no
//! colour, a fixed width, no terminal), and reading a data folder byte for byte.

#![allow(dead_code)]

use assert_cmd::Command;
use std::cell::RefCell;
use std::collections::{BTreeMap, HashMap};
use std::ffi::OsStr;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// The first day of every sandbox, unless a test moves it.
pub const START: &str = "2026-03-02";

/// The closer binaries: (package, binary).
pub const NEEDS: (&str, &str) = ("needs-list", "needs-list");
pub const TOUCH: (&str, &str) = ("touch-plan", "touch-plan");
pub const PROMPT: (&str, &str) = ("prompt-of-the-day", "prompt-of-the-day");
pub const EXPORT: (&str, &str) = ("export", "export");
pub const CLOSER_EXPORT: (&str, &str) = ("export", "closer-export");

static FOUND: Mutex<Option<HashMap<String, PathBuf>>> = Mutex::new(None);

/// The path of `bin` from `package`: next to this test's executable (target/<profile>/), or,
/// when it is not there (the package was not part of this build), built with the cargo that
/// runs the tests, in the same profile.
pub fn bin((package, bin): (&str, &str)) -> PathBuf {
    let mut found = FOUND.lock().unwrap_or_else(|e| e.into_inner());
    let found = found.get_or_insert_with(HashMap::new);
    if let Some(p) = found.get(bin) {
        return p.clone();
    }
    let exe = std::env::current_exe().expect("the test executable's path");
    // target/<profile>/deps/<test> -> target/<profile>
    let profile_dir = exe
        .parent()
        .and_then(Path::parent)
        .expect("the test runs from target/<profile>/deps");
    let next_to = profile_dir.join(bin);
    let path = if next_to.is_file() {
        next_to
    } else {
        build(package, bin, profile_dir)
    };
    found.insert(bin.to_owned(), path.clone());
    path
}

fn build(package: &str, bin: &str, profile_dir: &Path) -> PathBuf {
    let cargo = std::env::var_os("CARGO")
        .or_else(|| option_env!("CARGO").map(Into::into))
        .unwrap_or_else(|| "cargo".into());
    let mut cmd = std::process::Command::new(cargo);
    cmd.current_dir(env!("CARGO_MANIFEST_DIR")).args([
        "build",
        "--quiet",
        "--message-format=json",
        "-p",
        package,
        "--bin",
        bin,
    ]);
    match profile_dir.file_name().and_then(|n| n.to_str()) {
        Some("debug") | None => {}
        Some("release") => {
            cmd.arg("--release");
        }
        Some(other) => {
            cmd.args(["--profile", other]);
        }
    }
    let out = cmd
        .stderr(std::process::Stdio::inherit())
        .output()
        .unwrap_or_else(|e| panic!("cannot run cargo to build {bin}: {e}"));
    assert!(
        out.status.success(),
        "`cargo build -p {package} --bin {bin}` failed"
    );
    // The artifact messages say where the executable went, whatever the target dir or triple.
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .filter_map(|l| serde_json::from_str::<serde_json::Value>(l).ok())
        .filter(|m| m["reason"] == "compiler-artifact" && m["target"]["name"] == bin)
        .find_map(|m| m["executable"].as_str().map(PathBuf::from))
        .unwrap_or_else(|| panic!("cargo built {package} but named no executable {bin}"))
}

/// What one run printed and how it ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Run {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

impl From<std::process::Output> for Run {
    fn from(out: std::process::Output) -> Run {
        Run {
            code: out
                .status
                .code()
                .expect("ended by a signal (cut short by the timeout?)"),
            stdout: String::from_utf8(out.stdout).expect("stdout is UTF-8"),
            stderr: String::from_utf8(out.stderr).expect("stderr is UTF-8"),
        }
    }
}

impl Run {
    /// Asserts success and returns stdout.
    #[track_caller]
    pub fn ok(&self) -> &str {
        assert_eq!(
            self.code, 0,
            "failed:\nstdout: {}\nstderr: {}",
            self.stdout, self.stderr
        );
        &self.stdout
    }

    /// Asserts a failure with exit 1 or 2, nothing on stdout and exactly one line on stderr, ended
    /// by a line break, that names `tool`; returns that line.
    #[track_caller]
    pub fn error_line(&self, tool: &str) -> &str {
        assert!(
            self.code == 1 || self.code == 2,
            "expected exit 1 or 2, got {}: {}{}",
            self.code,
            self.stdout,
            self.stderr
        );
        assert_eq!(self.stdout, "", "a failed run printed results");
        let line = self.stderr.strip_suffix('\n').unwrap_or("");
        assert!(
            !line.is_empty() && !line.contains('\n'),
            "not a one-line error: {:?}",
            self.stderr
        );
        assert!(line.starts_with(&format!("{tool}: ")), "{line}");
        line
    }
}

/// A temp HOME and data folder, and the day the tools believe it is.
pub struct Sandbox {
    pub tmp: tempfile::TempDir,
    today: RefCell<String>,
}

impl Default for Sandbox {
    fn default() -> Self {
        Self::new()
    }
}

impl Sandbox {
    pub fn new() -> Sandbox {
        let tmp = tempfile::tempdir().expect("a temp dir");
        std::fs::create_dir(tmp.path().join("home")).unwrap();
        Sandbox {
            tmp,
            today: RefCell::new(START.to_owned()),
        }
    }

    pub fn home(&self) -> PathBuf {
        self.tmp.path().join("home")
    }

    pub fn data(&self) -> PathBuf {
        self.tmp.path().join("data")
    }

    /// A path inside the sandbox, for output folders and scratch files.
    pub fn path(&self, rel: &str) -> PathBuf {
        self.tmp.path().join(rel)
    }

    pub fn set_today(&self, day: &str) {
        *self.today.borrow_mut() = day.to_owned();
    }

    pub fn today(&self) -> String {
        self.today.borrow().clone()
    }

    /// A sealed command for `tool` on `data`: nothing inherited but what is set here.
    pub fn command_in(&self, data: &Path, tool: (&str, &str)) -> Command {
        let mut c = Command::new(bin(tool));
        c.env_clear()
            .env("HOME", self.home())
            .env("CLOSER_DIR", data)
            .env("CLOSER_TODAY", self.today())
            .env("NO_COLOR", "1")
            .env("COLUMNS", "100")
            .current_dir(self.tmp.path())
            // A hang fails the test; a debug build encrypting twenty years of records on a busy
            // machine takes well over half a minute.
            .timeout(Duration::from_secs(90));
        c
    }

    pub fn run_in(&self, data: &Path, tool: (&str, &str), args: &[&str]) -> Run {
        Run::from(
            self.command_in(data, tool)
                .args(args)
                .output()
                .expect("the binary runs"),
        )
    }

    pub fn run(&self, tool: (&str, &str), args: &[&str]) -> Run {
        self.run_in(&self.data(), tool, args)
    }

    /// Runs with standard output sent to `stdout` (a full disk, a closed pipe); what it printed on
    /// standard error and how it ended.
    pub fn run_to(&self, tool: (&str, &str), args: &[&str], stdout: impl Into<Stdio>) -> Run {
        let out = std::process::Command::new(bin(tool))
            .env_clear()
            .env("HOME", self.home())
            .env("CLOSER_DIR", self.data())
            .env("CLOSER_TODAY", self.today())
            .env("NO_COLOR", "1")
            .env("COLUMNS", "100")
            .current_dir(self.tmp.path())
            .args(args)
            .stdin(Stdio::null())
            .stdout(stdout)
            .stderr(Stdio::piped())
            .output()
            .expect("the binary runs");
        Run::from(out)
    }

    /// Runs `tool` on a pseudo-terminal (python3's pty module, `on_a_terminal.py` beside this
    /// file), playing `steps`: pairs of text to wait for and keys to send then. Asserts success;
    /// returns everything the terminal showed.
    pub fn on_terminal(&self, tool: (&str, &str), args: &[&str], steps: &[(&str, &str)]) -> String {
        let (text, ok) = self.on_terminal_ending(tool, args, steps);
        assert!(ok, "{text}");
        text
    }

    /// What `tool` shows on a terminal `width` columns wide (`COLUMNS`), lines ending in `\n`.
    pub fn on_terminal_at(&self, width: u16, tool: (&str, &str), args: &[&str]) -> String {
        let (text, ok) = self.on_terminal_with(&[("COLUMNS", &width.to_string())], tool, args, &[]);
        assert!(ok, "{text}");
        text.replace("\r\n", "\n")
    }

    /// Like [`Sandbox::on_terminal`], for a run that may end in failure (keys such as Ctrl-C
    /// stop it): everything the terminal showed, with what the script said, and whether the
    /// program ended with exit 0.
    pub fn on_terminal_ending(
        &self,
        tool: (&str, &str),
        args: &[&str],
        steps: &[(&str, &str)],
    ) -> (String, bool) {
        self.on_terminal_with(&[], tool, args, steps)
    }

    /// Like [`Sandbox::on_terminal_ending`], with more variables in the environment.
    pub fn on_terminal_with(
        &self,
        env: &[(&str, &str)],
        tool: (&str, &str),
        args: &[&str],
        steps: &[(&str, &str)],
    ) -> (String, bool) {
        let script = Path::new(env!("CARGO_MANIFEST_DIR"))
            .ancestors()
            .map(|d| d.join("tests/support/on_a_terminal.py"))
            .find(|p| p.exists())
            .expect("the terminal script beside the test support");
        let out = std::process::Command::new("python3")
            .env_clear()
            .env("HOME", self.home())
            .env("PATH", "/usr/bin:/bin")
            .env("CLOSER_DIR", self.data())
            .env("CLOSER_TODAY", self.today())
            .env("TERM", "xterm")
            .env("NO_COLOR", "1")
            // Passphrase-protected keys made here use a small scrypt work factor (debug builds
            // only) so that the suite stays fast.
            .env("CLOSER_TEST_SCRYPT_LOG_N", "10")
            // Long output is shown whole rather than through a pager waiting for keys.
            .env("PAGER", "cat")
            .envs(env.iter().copied())
            .arg(script)
            .arg(serde_json::to_string(steps).unwrap())
            .arg(bin(tool))
            .args(args)
            .output()
            .expect("python3 runs");
        let text = format!(
            "{}\n{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        (text, out.status.success())
    }

    /// Runs and asserts success; returns stdout.
    #[track_caller]
    pub fn ok(&self, tool: (&str, &str), args: &[&str]) -> String {
        let r = self.run(tool, args);
        assert_eq!(
            r.code, 0,
            "{} {args:?} failed:\nstdout: {}\nstderr: {}",
            tool.1, r.stdout, r.stderr
        );
        r.stdout
    }

    /// Like [`Sandbox::ok`], with `input` on standard input.
    #[track_caller]
    pub fn ok_stdin(&self, tool: (&str, &str), args: &[&str], input: &str) -> String {
        let out = self
            .command_in(&self.data(), tool)
            .args(args)
            .write_stdin(input)
            .output()
            .expect("the binary runs");
        let r = Run::from(out);
        r.ok().to_owned()
    }

    /// What `tool --help` prints, with no data folder in the environment: clap would print it as
    /// the default.
    pub fn help(&self, tool: (&str, &str)) -> Run {
        Run::from(
            self.command_in(&self.data(), tool)
                .env_remove("CLOSER_DIR")
                .arg("--help")
                .output()
                .expect("the binary runs"),
        )
    }

    /// Replaces every mention of the sandbox's path, so that messages can be snapshotted.
    pub fn redact(&self, s: &str) -> String {
        s.replace(&self.tmp.path().display().to_string(), "[SANDBOX]")
    }
}

/// Every file below `dir`, by relative path, with its bytes: to prove a run changed nothing.
pub fn tree(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    fn walk(root: &Path, dir: &Path, out: &mut BTreeMap<String, Vec<u8>>) {
        let Ok(entries) = std::fs::read_dir(dir) else {
            return;
        };
        for e in entries {
            let p = e.unwrap().path();
            let rel = p.strip_prefix(root).unwrap().display().to_string();
            if p.is_dir() {
                out.insert(format!("{rel}/"), Vec::new());
                walk(root, &p, out);
            } else {
                out.insert(rel, std::fs::read(&p).unwrap());
            }
        }
    }
    let mut out = BTreeMap::new();
    walk(dir, dir, &mut out);
    out
}

/// What [`tree`] gives, without the device's cache folder (`.cache/` under a home): what is
/// kept there is a cache of what the folder held when a command last looked, written by any
/// command once the folder has not changed for two seconds (so on a slow machine, not on a fast
/// one), and may be deleted at any time. For "this wrote nothing" checks.
pub fn tree_but_cache(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    let mut t = tree(dir);
    t.retain(|k, _| !k.split('/').any(|part| part == ".cache"));
    t
}

/// Copies a folder recursively (a data folder, to make a twin that differs in one fact).
pub fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for e in std::fs::read_dir(from).unwrap() {
        let e = e.unwrap();
        let target = to.join(e.file_name());
        if e.file_type().unwrap().is_dir() {
            copy_dir(&e.path(), &target);
        } else {
            std::fs::copy(e.path(), &target).unwrap();
        }
    }
}

/// Runs `program` as cron or a script would: no terminal, stdin /dev/null, nothing in the
/// environment but `env`. A run that takes longer than ten seconds is killed and fails the test.
pub fn run_without_terminal(program: &Path, env: &[(&str, &OsStr)], args: &[&str]) -> Run {
    let mut child = std::process::Command::new(program)
        .env_clear()
        .envs(env.iter().copied())
        .args(args)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let read = |mut r: Box<dyn Read + Send>| {
        std::thread::spawn(move || {
            let mut s = String::new();
            r.read_to_string(&mut s).unwrap();
            s
        })
    };
    let out = read(Box::new(child.stdout.take().unwrap()));
    let err = read(Box::new(child.stderr.take().unwrap()));
    let deadline = Instant::now() + Duration::from_secs(10);
    let status = loop {
        if let Some(st) = child.try_wait().unwrap() {
            break st;
        }
        if Instant::now() > deadline {
            child.kill().unwrap();
            child.wait().unwrap();
            panic!("{} {args:?} hung without a terminal", program.display());
        }
        std::thread::sleep(Duration::from_millis(5));
    };
    Run {
        code: status.code().unwrap(),
        stdout: out.join().unwrap(),
        stderr: err.join().unwrap(),
    }
}

/// A program's path on the PATH this test was started with, if it is there.
pub fn on_path(program: &str) -> Option<PathBuf> {
    std::env::var_os("PATH").and_then(|paths| {
        std::env::split_paths(&paths)
            .map(|d| d.join(program))
            .find(|p| p.is_file())
    })
}
