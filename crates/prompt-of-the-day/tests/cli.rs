//! prompt-of-the-day from the outside: cron, the rotation, consent for sexual prompts, skipping,
//! daily notes, bad input, answers and history, and the help text.
//!
//! Every run is sealed: a temp HOME and data folder, no inherited environment, a pinned date,
//! no colour and a fixed width.

use assert_cmd::Command;
use chrono::{Days, NaiveDate};
use closer_core::content::Library;
use closer_core::profile::Couple;
use closer_core::prompts::{Filter, pick, rotation};
use closer_core::store::Store;
use serde_json::Value;
use std::collections::BTreeSet;
use std::fs;
use std::io::Read;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::{Duration, Instant};

const BIN: &str = env!("CARGO_BIN_EXE_prompt-of-the-day");
const TODAY: &str = "2026-03-01";

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
        assert!(line.starts_with("prompt-of-the-day: "), "{line}");
        line
    }
}

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

    fn cmd_in(&self, data: &Path, args: &[&str]) -> Command {
        let mut c = Command::new(BIN);
        c.env_clear()
            .env("HOME", self.home())
            .env("PATH", "/usr/bin:/bin")
            .env("CLOSER_DIR", data)
            .env("CLOSER_TODAY", TODAY)
            .env("NO_COLOR", "1")
            .env("COLUMNS", "100")
            .args(args)
            .write_stdin("")
            .timeout(Duration::from_secs(30));
        c
    }

    fn run_in(&self, data: &Path, args: &[&str]) -> Run {
        Run::from(self.cmd_in(data, args).output().unwrap())
    }

    fn run(&self, args: &[&str]) -> Run {
        self.run_in(&self.data(), args)
    }

    fn ok_in(&self, data: &Path, args: &[&str]) -> String {
        let r = self.run_in(data, args);
        assert_eq!(r.code, 0, "{args:?} failed: {}", r.stderr);
        r.stdout
    }

    fn ok(&self, args: &[&str]) -> String {
        self.ok_in(&self.data(), args)
    }

    /// alex and sam in data folder `data`.
    fn couple_in(&self, data: &Path) {
        self.ok_in(data, &["couple", "add", "alex"]);
        self.ok_in(data, &["couple", "add", "sam"]);
    }

    /// The prompt of `date` as JSON, with `extra` arguments.
    fn prompt_json(&self, data: &Path, date: NaiveDate, extra: &[&str]) -> Value {
        let d = date.to_string();
        let mut args = vec!["--json", "--date", &d];
        args.extend_from_slice(extra);
        let v: Value = serde_json::from_str(&self.ok_in(data, &args)).unwrap();
        assert_eq!(v["date"], d.as_str());
        v
    }
}

fn day(s: &str) -> NaiveDate {
    closer_core::dates::parse_date(s).unwrap()
}

/// The couple's rotation as the tool works it out, computed here from the same data folder.
fn ids_in_process(data: &Path, start: NaiveDate, days: u64) -> Vec<(&'static str, bool)> {
    let lib = Library::builtin();
    let couple = Couple::load(&Store::new(data)).unwrap();
    let order = rotation(&lib, &couple, &Filter::default());
    (0..days)
        .map(|i| {
            let p = pick(&order, start + Days::new(i), false).unwrap();
            (p.id, p.sexual)
        })
        .collect()
}

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

/// Runs the tool as cron does: no terminal, stdin /dev/null, only HOME, a minimal PATH and
/// SHELL=/bin/sh. A run that takes longer than the timeout is killed and fails the test.
fn run_as_cron(home: &Path, args: &[&str]) -> Run {
    let mut child = std::process::Command::new(BIN)
        .env_clear()
        .env("HOME", home)
        .env("PATH", "/usr/bin:/bin")
        .env("SHELL", "/bin/sh")
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
            panic!("prompt-of-the-day {args:?} hung under cron");
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
fn with_no_set_up_it_prints_one_line_and_writes_nothing() {
    let s = Sandbox::new();
    let r = s.run(&[]);
    assert_eq!((r.code, r.stderr.as_str()), (0, ""));
    let lib = Library::builtin();
    let order = rotation(&lib, &Couple::default(), &Filter::default());
    let expected = pick(&order, day(TODAY), false).unwrap();
    assert_eq!(r.stdout, format!("{}\n", expected.text));
    assert!(
        !s.data().exists(),
        "showing a prompt created the data folder"
    );
    assert_eq!(
        fs::read_dir(s.home()).unwrap().count(),
        0,
        "it wrote to HOME"
    );
}

#[test]
fn under_cron_it_prints_exactly_one_line_and_nothing_else() {
    let s = Sandbox::new();
    let lib = Library::builtin();
    let texts: BTreeSet<&str> = lib.prompts.iter().map(|p| p.text).collect();
    let check = |r: &Run| {
        assert_eq!((r.code, r.stderr.as_str()), (0, ""), "{r:?}");
        let line = r.stdout.strip_suffix('\n').expect("a line");
        assert!(!line.is_empty() && !line.contains('\n'), "{:?}", r.stdout);
        assert!(texts.contains(line), "not a prompt: {line:?}");
    };
    check(&run_as_cron(&s.home(), &[]));
    // And for a couple set up in the default data folder under HOME.
    let data = s.home().join(".local/share/closer");
    s.couple_in(&data);
    let before = tree(&s.home());
    check(&run_as_cron(&s.home(), &[]));
    check(&run_as_cron(&s.home(), &["--energy", "low"]));
    assert!(tree(&s.home()) == before, "a cron run wrote something");
}

#[test]
fn a_year_of_consecutive_days_never_repeats_a_prompt() {
    let s = Sandbox::new();
    s.couple_in(&s.data());
    // Across a year end and a leap day.
    let start = day("2027-12-01");
    let expected = ids_in_process(&s.data(), start, 366);
    let distinct: BTreeSet<&str> = expected.iter().map(|(id, _)| *id).collect();
    assert_eq!(distinct.len(), 366, "a prompt repeats within 366 days");
    // The tool agrees, day by day.
    for (i, (id, _)) in expected.iter().enumerate() {
        let v = s.prompt_json(&s.data(), start + Days::new(i as u64), &[]);
        assert_eq!(v["id"], *id, "day {i}");
    }
}

#[test]
fn both_partners_and_both_copies_of_the_folder_see_the_same_prompt() {
    let s = Sandbox::new();
    s.couple_in(&s.data());
    let copy = s.tmp.path().join("synced-copy");
    copy_dir(&s.data(), &copy);
    let mut seen = BTreeSet::new();
    for d in ["2026-03-01", "2026-07-19", "2027-02-28"] {
        let date = day(d);
        let base = s.prompt_json(&s.data(), date, &[]);
        for (data, extra) in [
            (s.data(), vec!["--as", "alex"]),
            (s.data(), vec!["--as", "sam"]),
            (copy.clone(), vec!["--as", "sam"]),
            (copy.clone(), vec![]),
        ] {
            assert_eq!(s.prompt_json(&data, date, &extra), base, "{d} {extra:?}");
        }
        let text = s.ok_in(&copy, &["--date", d, "--as", "alex"]);
        assert_eq!(text, format!("{}\n", base["text"].as_str().unwrap()));
        seen.insert(base["id"].as_str().unwrap().to_owned());
    }
    assert_eq!(seen.len(), 3, "three days, three prompts");
}

#[test]
fn sexual_prompts_need_both_partners_to_opt_in() {
    let s = Sandbox::new();
    s.couple_in(&s.data());
    s.ok(&["couple", "opt-in", "sexual", "--as", "alex"]);
    let start = day("2026-01-01");

    let one = ids_in_process(&s.data(), start, 730);
    assert!(
        one.iter().all(|(_, sexual)| !sexual),
        "a sexual prompt with only one partner opted in"
    );
    for i in (0..730).step_by(29) {
        let v = s.prompt_json(&s.data(), start + Days::new(i), &["--as", "alex"]);
        assert_eq!(v["sexual"], false);
        assert_eq!(v["id"], one[i as usize].0);
        let v = s.prompt_json(&s.data(), start + Days::new(i), &["--skip"]);
        assert_eq!(v["sexual"], false);
    }
    let r = s.run(&["--category", "desire", "--as", "alex"]);
    assert!(r.error_line().contains("no prompt matches"), "{}", r.stderr);

    s.ok(&["couple", "opt-in", "sexual", "--as", "sam"]);
    let both = ids_in_process(&s.data(), start, 730);
    let sexual_days: Vec<usize> = (0..730).filter(|&i| both[i].1).collect();
    assert!(
        !sexual_days.is_empty(),
        "no sexual prompt in two years with both opted in"
    );
    for &i in sexual_days.iter().take(3) {
        let v = s.prompt_json(&s.data(), start + Days::new(i as u64), &[]);
        assert_eq!(
            (v["id"].as_str(), &v["sexual"]),
            (Some(both[i].0), &Value::Bool(true))
        );
    }
    let v = s.prompt_json(&s.data(), start, &["--category", "desire"]);
    assert_eq!(v["sexual"], true);

    // Either partner opting out turns them off again at once.
    s.ok(&["couple", "opt-out", "sexual", "--as", "sam"]);
    let off = ids_in_process(&s.data(), start, 730);
    assert!(off.iter().all(|(_, sexual)| !sexual));
    let i = sexual_days[0] as u64;
    assert_eq!(
        s.prompt_json(&s.data(), start + Days::new(i), &[])["sexual"],
        false
    );
}

#[test]
fn skipping_changes_today_and_leaves_tomorrow_alone() {
    let s = Sandbox::new();
    s.couple_in(&s.data());
    for d in ["2026-03-01", "2026-12-31", "2028-02-28"] {
        let today = day(d);
        let tomorrow = today.succ_opt().unwrap();
        let tomorrow_before = s.prompt_json(&s.data(), tomorrow, &[]);
        let shown = s.prompt_json(&s.data(), today, &[]);
        let skipped = s.prompt_json(&s.data(), today, &["--skip"]);
        assert_ne!(
            skipped["id"], shown["id"],
            "{d}: --skip kept today's prompt"
        );
        assert_ne!(
            skipped["id"], tomorrow_before["id"],
            "{d}: --skip showed tomorrow's"
        );
        assert_eq!(
            s.prompt_json(&s.data(), tomorrow, &[]),
            tomorrow_before,
            "{d}"
        );
        assert_eq!(s.prompt_json(&s.data(), today, &["--skip"]), skipped, "{d}");
    }
}

#[test]
fn appending_to_a_note_twice_leaves_one_block_and_keeps_the_note() {
    let s = Sandbox::new();
    s.couple_in(&s.data());
    let note = s.tmp.path().join("notes").join("daily.md");
    fs::create_dir(note.parent().unwrap()).unwrap();
    let mine = "# Sunday\n\nSlept badly; a slow morning.\n";
    fs::write(&note, mine).unwrap();
    fs::set_permissions(&note, fs::Permissions::from_mode(0o640)).unwrap();
    let file = note.to_str().unwrap();
    let block = s.ok(&["--markdown"]);
    assert!(block.starts_with(&format!("<!-- closer:prompt-of-the-day {TODAY} -->\n")));

    for _ in 0..2 {
        let r = s.run(&["--append-to", file]);
        assert_eq!((r.code, r.stdout.as_str(), r.stderr.as_str()), (0, "", ""));
    }
    let text = fs::read_to_string(&note).unwrap();
    assert_eq!(text, format!("{mine}\n{block}"));
    assert_eq!(
        fs::metadata(&note).unwrap().permissions().mode() & 0o777,
        0o640
    );

    // Another day adds its own block after the first.
    let r = s.run(&["--append-to", file, "--date", "2026-03-02"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let next = s.ok(&["--markdown", "--date", "2026-03-02"]);
    assert_eq!(
        fs::read_to_string(&note).unwrap(),
        format!("{mine}\n{block}\n{next}")
    );
    // A note that does not exist yet is created with just the block.
    let fresh = s.tmp.path().join("notes").join("fresh.md");
    s.ok(&["--append-to", fresh.to_str().unwrap()]);
    assert_eq!(fs::read_to_string(&fresh).unwrap(), block);
}

#[test]
fn bad_input_is_refused_with_one_line_and_nothing_is_written() {
    let s = Sandbox::new();
    s.couple_in(&s.data());
    s.ok(&["answer", "the garden", "--as", "alex"]);
    let note = s.tmp.path().join("note.md");
    let cases: Vec<(Vec<&str>, i32, &str)> = vec![
        (vec!["--date", "2026-02-30"], 2, "check the day and month"),
        (vec!["--date", "1 March"], 2, "YYYY-MM-DD"),
        (vec!["--category", "nope"], 2, "the categories are: "),
        (vec!["--energy", "none"], 2, "low"),
        (
            vec![
                "--append-to",
                note.to_str().unwrap(),
                "--date",
                "2026-02-30",
            ],
            2,
            "check the day and month",
        ),
        (vec!["answer", "", "--as", "alex"], 2, "the answer is empty"),
        (
            vec!["answer", " \n ", "--as", "sam"],
            2,
            "the answer is empty",
        ),
        (
            vec!["answer", "x", "--date", "2026-02-30", "--as", "alex"],
            2,
            "check the day",
        ),
        (
            vec!["answer", "x", "--category", "nope", "--as", "alex"],
            2,
            "the categories are: ",
        ),
        (
            vec!["answer", "x", "--as", "bob"],
            1,
            "the partners are: alex, sam",
        ),
        (vec!["answer", "x"], 2, "--as NAME"),
        (
            vec!["answer", "--as", "alex"],
            2,
            "`-` to read it from standard input",
        ),
        (
            vec!["history", "--since", "2026-03-02", "--until", "2026-03-01"],
            2,
            "swap them",
        ),
    ];
    let before = tree(s.tmp.path());
    for (args, code, hint) in cases {
        let r = s.run(&args);
        assert_eq!(r.code, code, "{args:?}: {}", r.stderr);
        let line = r.error_line();
        assert!(line.contains(hint), "{args:?}: {line:?} lacks {hint:?}");
        assert!(tree(s.tmp.path()) == before, "{args:?} wrote something");
    }
}

#[test]
fn answers_from_both_partners_come_back_in_history() {
    let s = Sandbox::new();
    s.couple_in(&s.data());
    let today = s.prompt_json(&s.data(), day(TODAY), &[]);
    let r = s.run(&["answer", "The way you laugh at my jokes.", "--as", "alex"]);
    assert_eq!((r.code, r.stdout.as_str()), (0, ""), "{}", r.stderr);
    let r = s
        .cmd_in(&s.data(), &["answer", "-", "--as", "sam"])
        .write_stdin("That you still make me tea.\nEvery morning.\n")
        .output()
        .unwrap();
    assert_eq!(Run::from(r).code, 0);
    s.ok(&[
        "answer",
        "Yesterday's, late.",
        "--as",
        "sam",
        "--date",
        "2026-02-28",
    ]);

    let history: Value = serde_json::from_str(&s.ok(&["history", "--json"])).unwrap();
    let got: BTreeSet<(String, String, String, String)> = history
        .as_array()
        .unwrap()
        .iter()
        .map(|a| {
            let f = |k: &str| a[k].as_str().unwrap().to_owned();
            assert!(a["prompt_text"].as_str().is_some_and(|t| !t.is_empty()));
            (f("date"), f("partner"), f("prompt"), f("answer"))
        })
        .collect();
    let id = today["id"].as_str().unwrap().to_owned();
    let yesterday = s.prompt_json(&s.data(), day("2026-02-28"), &[])["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let own = |d: &str, p: &str, id: &str, a: &str| (d.into(), p.into(), id.into(), a.into());
    let expected: BTreeSet<_> = [
        own(TODAY, "alex", &id, "The way you laugh at my jokes."),
        own(
            TODAY,
            "sam",
            &id,
            "That you still make me tea.\nEvery morning.",
        ),
        own("2026-02-28", "sam", &yesterday, "Yesterday's, late."),
    ]
    .into();
    assert_eq!(got, expected);

    // Answering again replaces that partner's answer for the day.
    s.ok(&["answer", "Your laugh.", "--as", "alex"]);
    let since: Value =
        serde_json::from_str(&s.ok(&["history", "--json", "--since", TODAY])).unwrap();
    let answers: BTreeSet<&str> = since
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["answer"].as_str().unwrap())
        .collect();
    assert_eq!(
        answers,
        BTreeSet::from(["Your laugh.", "That you still make me tea.\nEvery morning."])
    );
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
