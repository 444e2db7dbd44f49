//! needs-list from the outside: the life of a need, privacy between partners, review dates, bad
//! input, running without a terminal, and what users see in help and errors.
//!
//! Every run is sealed: a temp HOME and data folder, no inherited environment, a pinned date,
//! no colour and a fixed width.

use assert_cmd::Command;
use serde_json::Value;
use std::collections::BTreeSet;
use std::fs;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::{Duration, Instant};

const BIN: &str = env!("CARGO_BIN_EXE_needs-list");
const TODAY: &str = "2026-03-01";
const ID_CHARS: &str = "0123456789abcdefghjkmnpqrstvwxyz";

/// What a finished run left behind.
#[derive(Debug, PartialEq, Eq)]
struct Run {
    code: i32,
    stdout: String,
    stderr: String,
}

impl Run {
    fn from(out: std::process::Output) -> Run {
        Run {
            code: out
                .status
                .code()
                .expect("ended by a signal (a hang cut short?)"),
            stdout: String::from_utf8(out.stdout).unwrap(),
            stderr: String::from_utf8(out.stderr).unwrap(),
        }
    }

    /// The one line a failed run printed on stderr, which names the tool.
    fn error_line(&self) -> &str {
        assert!(
            self.code == 1 || self.code == 2,
            "exit {}: {}",
            self.code,
            self.stderr
        );
        assert_eq!(self.stdout, "", "a failed run printed results");
        let line = self.stderr.strip_suffix('\n').unwrap_or("");
        assert!(
            !line.is_empty() && !line.contains('\n'),
            "not a one-line error: {:?}",
            self.stderr
        );
        assert!(line.starts_with("needs-list: "), "{line}");
        line
    }
}

/// A temp HOME with a data folder inside it.
struct Sandbox {
    tmp: tempfile::TempDir,
}

impl Sandbox {
    fn new() -> Sandbox {
        let tmp = tempfile::tempdir().unwrap();
        fs::create_dir(tmp.path().join("home")).unwrap();
        Sandbox { tmp }
    }

    fn home(&self) -> PathBuf {
        self.tmp.path().join("home")
    }

    fn data(&self) -> PathBuf {
        self.tmp.path().join("data")
    }

    /// A sealed command on data folder `data`, on day `today`.
    fn cmd_in(&self, data: &Path, today: &str, args: &[&str]) -> Command {
        let mut c = Command::new(BIN);
        c.env_clear()
            .env("HOME", self.home())
            .env("PATH", "/usr/bin:/bin")
            .env("CLOSER_DIR", data)
            .env("CLOSER_TODAY", today)
            .env("NO_COLOR", "1")
            .env("COLUMNS", "100")
            .args(args)
            .write_stdin("")
            .timeout(Duration::from_secs(30));
        c
    }

    fn run_in(&self, data: &Path, today: &str, args: &[&str]) -> Run {
        Run::from(self.cmd_in(data, today, args).output().unwrap())
    }

    fn run_on(&self, today: &str, args: &[&str]) -> Run {
        self.run_in(&self.data(), today, args)
    }

    fn run(&self, args: &[&str]) -> Run {
        self.run_on(TODAY, args)
    }

    /// Runs a command that must succeed; its stdout.
    fn ok_in(&self, data: &Path, today: &str, args: &[&str]) -> String {
        let r = self.run_in(data, today, args);
        assert_eq!(r.code, 0, "{args:?} failed: {}", r.stderr);
        r.stdout
    }

    fn ok_on(&self, today: &str, args: &[&str]) -> String {
        self.ok_in(&self.data(), today, args)
    }

    fn ok(&self, args: &[&str]) -> String {
        self.ok_on(TODAY, args)
    }

    /// alex (arthritis) and sam.
    fn couple_in(&self, data: &Path) {
        self.ok_in(
            data,
            TODAY,
            &["couple", "add", "alex", "--condition", "arthritis"],
        );
        self.ok_in(data, TODAY, &["couple", "add", "sam"]);
    }

    /// Adds a need in `data` and returns its ID.
    fn add_in(&self, data: &Path, who: &str, text: &str, extra: &[&str]) -> String {
        let mut args = vec!["add", text, "--as", who];
        args.extend_from_slice(extra);
        let out = self.ok_in(data, TODAY, &args);
        out.trim_end().to_owned()
    }

    fn show_json(&self, id: &str, who: &str) -> Value {
        serde_json::from_str(&self.ok(&["show", id, "--json", "--as", who])).unwrap()
    }
}

/// Every path below `dir` with its bytes (folders marked), to compare before and after.
fn tree(dir: &Path) -> Vec<(String, Option<Vec<u8>>)> {
    let mut out = Vec::new();
    let mut todo = vec![dir.to_path_buf()];
    while let Some(d) = todo.pop() {
        for e in fs::read_dir(&d).unwrap() {
            let p = e.unwrap().path();
            let rel = p.strip_prefix(dir).unwrap().display().to_string();
            if p.is_dir() {
                todo.push(p);
                out.push((rel, None));
            } else {
                out.push((rel, Some(fs::read(&p).unwrap())));
            }
        }
    }
    out.sort();
    out
}

fn copy_dir(from: &Path, to: &Path) {
    fs::create_dir_all(to).unwrap();
    for e in fs::read_dir(from).unwrap() {
        let e = e.unwrap();
        let target = to.join(e.file_name());
        if e.file_type().unwrap().is_dir() {
            copy_dir(&e.path(), &target);
        } else {
            fs::copy(e.path(), target).unwrap();
        }
    }
}

fn keys(v: &Value) -> BTreeSet<&str> {
    v.as_object()
        .expect("a JSON object")
        .keys()
        .map(String::as_str)
        .collect()
}

const NEED_KEYS: &[&str] = &[
    "category",
    "condition",
    "created",
    "helper",
    "history",
    "id",
    "importance",
    "owner",
    "plan",
    "private",
    "review",
    "short_id",
    "status",
    "text",
];

mod life {
    use super::*;

    #[test]
    fn add_prints_only_the_id() {
        let s = Sandbox::new();
        s.couple_in(&s.data());
        let r = s.run(&["add", "ask before you help me", "--as", "alex"]);
        assert_eq!(r.code, 0, "{}", r.stderr);
        assert_eq!(r.stderr, "");
        let id = r.stdout.strip_suffix('\n').expect("one line");
        assert_eq!(id.len(), closer_core::ids::ID_LEN, "{id:?}");
        assert!(id.chars().all(|c| ID_CHARS.contains(c)), "{id:?}");
        // The printed ID is the need's ID.
        let n = s.show_json(id, "alex");
        assert_eq!(n["id"], id);
        assert_eq!(n["text"], "ask before you help me");
    }

    #[test]
    fn a_need_is_named_talked_over_agreed_and_met_with_its_history() {
        let s = Sandbox::new();
        s.couple_in(&s.data());
        let text = "help getting dressed on bad-hand mornings";
        let id = s.add_in(
            &s.data(),
            "alex",
            text,
            &[
                "--category",
                "practical",
                "--condition",
                "arthritis",
                "--importance",
                "high",
            ],
        );
        let n = s.show_json(&id, "alex");
        assert_eq!(keys(&n), NEED_KEYS.iter().copied().collect());
        let short = n["short_id"].as_str().unwrap().to_owned();
        assert!(id.starts_with(&short) && short.len() >= 4, "{short}");
        assert_eq!(n["status"], "open");
        assert_eq!(n["owner"], "alex");
        assert_eq!(n["category"], "practical");
        assert_eq!(n["condition"], "arthritis");
        assert_eq!(n["importance"], "high");
        assert_eq!(n["private"], false);
        assert_eq!(n["created"], TODAY);
        assert_eq!(n["plan"], Value::Null);

        s.ok_on("2026-03-02", &["talked", &short, "--as", "sam"]);
        assert_eq!(s.show_json(&id, "sam")["status"], "talked");
        let plan = "sam does the buttons, alex does the rest";
        s.ok_on(
            "2026-03-03",
            &[
                "agree",
                &short,
                "--plan",
                plan,
                "--helper",
                "sam",
                "--review",
                "2026-04-01",
                "--as",
                "alex",
            ],
        );
        let n = s.show_json(&id, "alex");
        assert_eq!(n["status"], "agreed");
        assert_eq!(n["plan"], plan);
        assert_eq!(n["helper"], "sam");
        assert_eq!(n["review"], "2026-04-01");
        s.ok_on("2026-04-01", &["met", &id, "--as", "sam"]);

        let n = s.show_json(&id, "sam");
        assert_eq!(n["status"], "met");
        let history: Vec<(String, String, String)> = n["history"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| {
                assert_eq!(keys(c), BTreeSet::from(["at", "by", "change", "date"]));
                let s = |k: &str| c[k].as_str().unwrap().to_owned();
                (s("date"), s("by"), s("change"))
            })
            .collect();
        let own = |d: &str, b: &str, c: &str| (d.to_owned(), b.to_owned(), c.to_owned());
        assert_eq!(
            history,
            vec![
                own(TODAY, "alex", "named the need"),
                own("2026-03-02", "sam", "open → talked about"),
                own(
                    "2026-03-03",
                    "alex",
                    &format!("agreed: {plan}; sam helps; review 2026-04-01")
                ),
                own("2026-04-01", "sam", "agreed → met"),
            ]
        );

        // A met need leaves the default list and stays in --all, in the same JSON shape.
        let open: Value = serde_json::from_str(&s.ok(&["--json", "--as", "alex"])).unwrap();
        assert_eq!(open, Value::Array(Vec::new()));
        let all: Value = serde_json::from_str(&s.ok(&["--all", "--json", "--as", "alex"])).unwrap();
        let all = all.as_array().unwrap();
        assert_eq!(all.len(), 1);
        assert_eq!(keys(&all[0]), NEED_KEYS.iter().copied().collect());
        assert_eq!(all[0], n);
        // Plain: one tab-separated line per need.
        let plain = s.ok(&["--all", "--plain", "--as", "alex"]);
        assert_eq!(
            plain,
            format!("{short}\talex\tmet\tpractical\t2026-04-01\t{text}\n")
        );
    }
}

mod privacy {
    use super::*;

    /// What sam can run to look at needs.
    fn views(private_id: &str, shared_id: &str) -> Vec<Vec<String>> {
        let v: Vec<Vec<&str>> = vec![
            vec![],
            vec!["--all"],
            vec!["--plain"],
            vec!["--json"],
            vec!["--all", "--json"],
            vec!["--all", "--plain"],
            vec!["--status", "open"],
            vec!["--status", "talked"],
            vec!["--status", "agreed", "--json"],
            vec!["--due"],
            vec!["--due", "--json"],
            vec!["--by", "alex", "--all"],
            vec!["--category", "emotional"],
            vec!["show", private_id],
            vec!["show", &private_id[..4]],
            vec!["show", private_id, "--json"],
            vec!["show", &shared_id[..6], "--json"],
            vec!["review"],
            vec!["suggest"],
            vec!["suggest", "--json"],
            vec!["couple", "--json"],
        ];
        v.into_iter()
            .map(|a| a.into_iter().map(str::to_owned).collect())
            .collect()
    }

    fn look(s: &Sandbox, data: &Path, args: &[String], who: Option<&str>) -> Run {
        let mut a: Vec<&str> = args.iter().map(String::as_str).collect();
        if let Some(w) = who {
            a.extend(["--as", w]);
        }
        s.run_in(data, TODAY, &a)
    }

    #[test]
    fn a_private_need_is_invisible_to_the_partner_until_shared() {
        let s = Sandbox::new();
        let without = s.tmp.path().join("without");
        let with = s.tmp.path().join("with");
        s.couple_in(&without);
        let shared = s.add_in(
            &without,
            "alex",
            "help with buttons",
            &["--category", "practical"],
        );
        s.ok_in(
            &without,
            TODAY,
            &[
                "agree",
                &shared,
                "--plan",
                "sam helps",
                "--review",
                TODAY,
                "--as",
                "alex",
            ],
        );
        s.add_in(
            &without,
            "sam",
            "an evening off each week",
            &["--category", "rest-energy"],
        );
        let done = s.add_in(&without, "alex", "a chair in the shower", &[]);
        s.ok_in(&without, TODAY, &["met", &done, "--as", "alex"]);

        copy_dir(&without, &with);
        let secret = "I am scared of how my body looks now";
        let private = s.add_in(
            &with,
            "alex",
            secret,
            &["--category", "emotional", "--private"],
        );
        s.ok_in(
            &with,
            TODAY,
            &[
                "agree",
                &private,
                "--plan",
                "talk first",
                "--review",
                TODAY,
                "--as",
                "alex",
            ],
        );
        let talked = s.add_in(&with, "alex", "a quiet hour alone", &["--private"]);
        s.ok_in(&with, TODAY, &["talked", &talked, "--as", "alex"]);

        for args in views(&private, &shared) {
            for who in [Some("sam"), None] {
                let a = look(&s, &without, &args, who);
                let b = look(&s, &with, &args, who);
                assert_eq!(
                    a, b,
                    "{args:?} as {who:?} differs with alex's private needs"
                );
                assert!(!b.stdout.contains(secret) && !b.stderr.contains(secret));
            }
        }
        // The private need is there for alex, in the very same views.
        let mine = look(&s, &with, &["--json".to_owned()], Some("alex"));
        assert!(mine.stdout.contains(secret), "{}", mine.stdout);
        let mine = look(&s, &with, &["--due".to_owned()], Some("alex"));
        assert!(mine.stdout.contains(secret), "{}", mine.stdout);

        // Only alex can share it; then sam sees it.
        let r = s.run_in(&with, TODAY, &["share", &private, "--as", "sam"]);
        assert!(
            r.error_line().contains("no need has an ID starting with"),
            "{}",
            r.stderr
        );
        s.ok_in(&with, TODAY, &["share", &private, "--as", "alex"]);
        let seen = s.ok_in(&with, TODAY, &["--json", "--as", "sam"]);
        assert!(seen.contains(secret), "{seen}");
        let n: Value = serde_json::from_str(&s.ok_in(
            &with,
            TODAY,
            &["show", &private, "--json", "--as", "sam"],
        ))
        .unwrap();
        assert_eq!(n["private"], false);
        assert_eq!(n["text"], secret);
        // The other private need is still hidden.
        assert!(!seen.contains("a quiet hour alone"));
    }
}

#[test]
fn a_review_is_due_on_its_date_not_the_day_before() {
    let s = Sandbox::new();
    s.couple_in(&s.data());
    let id = s.add_in(&s.data(), "alex", "help with buttons", &[]);
    s.ok(&[
        "agree",
        &id,
        "--plan",
        "sam helps",
        "--review-in",
        "9d",
        "--as",
        "alex",
    ]);
    let due = |today: &str| s.ok_on(today, &["--due", "--plain", "--as", "sam"]);
    assert_eq!(due("2026-03-09"), "");
    for today in ["2026-03-10", "2026-03-11", "2027-01-01"] {
        let out = due(today);
        assert_eq!(out.lines().count(), 1, "{today}: {out}");
        assert!(
            out.contains("help with buttons") && out.contains("2026-03-10"),
            "{today}: {out}"
        );
    }
    let json = |today: &str| -> Value {
        serde_json::from_str(&s.ok_on(today, &["--due", "--json", "--as", "sam"])).unwrap()
    };
    assert_eq!(json("2026-03-09"), Value::Array(Vec::new()));
    assert_eq!(json("2026-03-10")[0]["id"], id.as_str());
    let show = |today: &str| s.ok_on(today, &["show", &id, "--as", "alex"]);
    assert!(show("2026-03-09").contains("review:     2026-03-10\n"));
    assert!(show("2026-03-10").contains("review:     2026-03-10 (due)\n"));
    // Once it is met, nothing is due.
    s.ok_on("2026-03-10", &["met", &id, "--as", "sam"]);
    assert_eq!(due("2026-03-11"), "");
}

#[test]
fn bad_input_is_refused_with_one_line_and_nothing_changes() {
    let s = Sandbox::new();
    s.couple_in(&s.data());
    let id = s.add_in(&s.data(), "alex", "help with buttons", &[]);
    // A second need whose ID shares the first six characters, made by hand.
    let twin: String = id[..6]
        .chars()
        .chain(id[6..].chars().map(|c| if c == 'z' { 'y' } else { 'z' }))
        .collect();
    let path = s.data().join("needs").join(format!("{id}.json"));
    let mut v: Value = serde_json::from_slice(&fs::read(&path).unwrap()).unwrap();
    v["id"] = twin.as_str().into();
    fs::write(
        s.data().join("needs").join(format!("{twin}.json")),
        serde_json::to_vec_pretty(&v).unwrap(),
    )
    .unwrap();
    let unknown = ["0000000000", "zzzzzzzzzz", "qqqqqqqqqq"]
        .into_iter()
        .find(|p| !id.starts_with(p) && !twin.starts_with(p))
        .unwrap();
    let long = "a".repeat(100_000);

    let cases: Vec<(Vec<&str>, i32, Vec<&str>)> = vec![
        (
            vec!["add", "", "--as", "alex"],
            2,
            vec!["empty", "write a few words"],
        ),
        (
            vec!["add", "  \n ", "--as", "alex"],
            2,
            vec!["write a few words"],
        ),
        (
            vec!["add", "x", "--as", "bob"],
            1,
            vec!["\"bob\"", "the partners are: alex, sam"],
        ),
        (
            vec![
                "agree", &id, "--plan", "p", "--helper", "bob", "--as", "alex",
            ],
            1,
            vec!["\"bob\"", "the partners are: alex, sam"],
        ),
        (
            vec!["add", "x", "--category", "nope", "--as", "alex"],
            2,
            vec!["\"nope\"", "use one of: practical"],
        ),
        (
            vec!["add", "x", "--condition", "nope", "--as", "alex"],
            2,
            vec!["`couple conditions` lists them"],
        ),
        (
            vec![
                "agree",
                &id,
                "--plan",
                "p",
                "--review",
                "2026-02-30",
                "--as",
                "alex",
            ],
            2,
            vec!["2026-02-30", "check the day and month"],
        ),
        (
            vec![
                "agree", &id, "--plan", "p", "--review", "1/3/2026", "--as", "alex",
            ],
            2,
            vec!["YYYY-MM-DD"],
        ),
        (
            vec!["add", &long, "--as", "alex"],
            2,
            vec!["100000 characters", "keep it under 2000"],
        ),
        (
            vec!["talked", unknown, "--as", "alex"],
            1,
            vec!["`needs-list --all` lists them"],
        ),
        (
            vec!["show", unknown, "--as", "alex"],
            1,
            vec!["`needs-list --all` lists them"],
        ),
        (
            vec!["talked", &id[..6], "--as", "alex"],
            1,
            vec![
                "matches 2 needs",
                &id[..7],
                &twin[..7],
                "type more of the ID",
            ],
        ),
        (
            vec!["rm", &id[..5], "--yes", "--as", "alex"],
            1,
            vec!["type more of the ID"],
        ),
    ];
    let before = tree(&s.data());
    for (args, code, hints) in cases {
        let r = s.run(&args);
        let what = &args[..args.len().min(4)];
        assert_eq!(r.code, code, "{what:?}: {}", r.stderr);
        let line = r.error_line();
        for h in hints {
            assert!(line.contains(h), "{what:?}: {line:?} lacks {h:?}");
        }
        assert!(
            line.len() < 400,
            "{what:?}: the message is too long to read"
        );
        assert!(
            tree(&s.data()) == before,
            "{what:?} changed the data folder"
        );
    }
}

/// Runs needs-list as a script or cron would: no terminal, stdin /dev/null, only HOME and PATH.
/// A run that takes longer than the timeout is killed and fails the test.
fn run_without_terminal(home: &Path, args: &[&str]) -> Run {
    let mut child = std::process::Command::new(BIN)
        .env_clear()
        .env("HOME", home)
        .env("PATH", "/usr/bin:/bin")
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
            panic!("needs-list {args:?} hung without a terminal");
        }
        std::thread::sleep(Duration::from_millis(5));
    };
    Run {
        code: status.code().unwrap(),
        stdout: out.join().unwrap(),
        stderr: err.join().unwrap(),
    }
}

#[test]
fn without_a_terminal_nothing_prompts_or_hangs() {
    let s = Sandbox::new();
    let home = s.home();

    let r = run_without_terminal(&home, &["add", "x"]);
    assert_eq!(r.code, 1, "{}", r.stderr);
    let line = r.error_line().to_owned();
    assert!(line.contains("`needs-list couple add NAME"), "{line}");
    insta::assert_snapshot!("error_no_couple", line);
    assert_eq!(
        fs::read_dir(&home).unwrap().count(),
        0,
        "a failed add wrote to HOME"
    );
    let r = run_without_terminal(&home, &[]);
    assert_eq!((r.code, r.stdout.as_str()), (0, ""), "{}", r.stderr);

    // The same couple through the default data folder under HOME.
    let data = home.join(".local/share/closer");
    s.couple_in(&data);
    let id = s.add_in(&data, "alex", "help with buttons", &[]);

    let r = run_without_terminal(&home, &["rm", &id, "--as", "alex"]);
    assert_eq!(r.code, 2, "{}", r.stderr);
    let line = r.error_line();
    assert!(
        line.contains(&format!("needs-list rm {id} --yes")),
        "{line}"
    );
    let r = run_without_terminal(&home, &["rm", &id]);
    assert!(r.error_line().contains("--as NAME"), "{}", r.stderr);
    let r = run_without_terminal(&home, &["edit", &id, "--as", "alex"]);
    assert!(r.error_line().contains("--text"), "{}", r.stderr);
    let r = run_without_terminal(&home, &["add", "y"]);
    assert!(r.error_line().contains("--as NAME"), "{}", r.stderr);
    // Nothing was removed or added.
    let r = run_without_terminal(&home, &["--all", "--plain", "--as", "sam"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(r.stdout.lines().count(), 1, "{}", r.stdout);
    assert!(r.stdout.contains("help with buttons"));
    // `review` without a terminal prints what is due instead of asking.
    let r = run_without_terminal(&home, &["review", "--as", "alex"]);
    assert_eq!((r.code, r.stderr.as_str()), (0, ""));

    let r = run_without_terminal(&home, &["rm", &id, "--yes", "--as", "alex"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(!data.join("needs").join(format!("{id}.json")).exists());
}

#[test]
fn help_text() {
    let s = Sandbox::new();
    let out = Command::new(BIN)
        .env_clear()
        .env("HOME", s.home())
        .env("PATH", "/usr/bin:/bin")
        .env("CLOSER_TODAY", TODAY)
        .env("NO_COLOR", "1")
        .env("COLUMNS", "100")
        .arg("--help")
        .timeout(Duration::from_secs(30))
        .output()
        .unwrap();
    let r = Run::from(out);
    assert_eq!((r.code, r.stderr.as_str()), (0, ""));
    insta::assert_snapshot!("help", r.stdout);
}

#[test]
fn unknown_category_message() {
    let s = Sandbox::new();
    let r = s.run(&["add", "x", "--category", "feelings", "--as", "alex"]);
    assert_eq!(r.code, 2);
    insta::assert_snapshot!("error_unknown_category", r.error_line());
    assert!(!s.data().exists(), "a refused add created the data folder");
}
