//! The org export read by Emacs itself: org-element parses it with no structure taken from what a
//! partner typed or a synced file carried, and `org-html-export-to-html` exports it without
//! running anything, even with babel evaluation allowed.

use super::*;
use closer_core::needs::{self, Importance, Need, Status};
use std::path::Path;
use support::on_path;

/// Org syntax that would be live if it reached the file unescaped. `MARKER` is replaced with a
/// file that code run on export would create.
const LIVE_ORG: &str = concat!(
    "COMMENT this answer would vanish\n",
    "TODO call the nurse :urgent:\n",
    "* DONE fake headline :tag:\n",
    "#+TITLE: not ours\n",
    "#+begin_src emacs-lisp :exports results\n",
    "(write-region \"ran\" nil \"MARKER\")\n",
    "#+end_src\n",
    "#+CALL: x()\n",
    "{{{macro}}} and call_x() and src_emacs-lisp{(write-region \"ran\" nil \"MARKER\")}\n",
    "[[elisp:(write-region \"ran\" nil \"MARKER\")][click]] <elisp:(ignore)> shell:ls\n",
    ":PROPERTIES:\n:ID: forged\n:END:\n",
    ":LOGBOOK:\nCLOCK: [2026-03-01 Sun 10:00]--[2026-03-01 Sun 11:00] =>  1:00\n:END:\n",
    "@@html:<script>alert(1)</script>@@ <2026-03-09 Mon> <%%(diary-date 3 9 2026)>\n",
    "SCHEDULED: <2026-03-09 Mon>\n",
    "[fn:1] a footnote [fn:2] and \\alpha \\\\\n",
    "| a | table |\n-----\n# a comment\n: fixed width\n",
    "$x$ and $$y$$ <<target>> <<<radio>>>\n",
    "\\begin{equation}\nx\n\\end{equation}\n",
    "1. first thing\n2. second thing",
);

/// A couple whose every field that reaches org holds live org: typed answers and notes, and a
/// need, partner name, category and condition as they would arrive in hand-edited synced files.
fn live_org_couple(marker: &Path) -> Sandbox {
    let sb = Sandbox::new();
    sb.ok(NEEDS, &["couple", "add", "Alex"]);
    sb.ok(NEEDS, &["couple", "add", "Sam"]);
    sb.ok(NEEDS, &["couple", "decrypt", "--yes", "--as", "Alex"]);
    let live = LIVE_ORG.replace("MARKER", marker.to_str().unwrap());
    let store = Store::new(sb.data());
    let alex = id_of(&sb, "Alex");
    let need = needs::add(
        &store,
        Need {
            extra: Default::default(),
            version: 0,
            id: closer_core::ids::new_id(),
            owner: alex.clone(),
            text: live.clone(),
            category: "other :cat:\n* TODO forged".into(),
            condition: Some("{{{c}}}\n#+CALL: y()".into()),
            importance: Importance::Low,
            status: Status::Open,
            plan: None,
            helper: None,
            review: None,
            private: false,
            created: chrono::NaiveDate::from_ymd_opt(2026, 3, 2).unwrap(),
            history: Vec::new(),
            proposal: None,
        },
        chrono::Utc::now(),
    )
    .unwrap();
    sb.ok(NEEDS, &["agree", &need.id, "--plan", &live, "--as", "Alex"]);
    sb.ok(PROMPT, &["answer", &live, "--as", "Sam"]);
    sb.ok(TOUCH, &["boundary", "s0-sit-close", "yes", "--as", "Alex"]);
    sb.ok(TOUCH, &["boundary", "s0-sit-close", "yes", "--as", "Sam"]);
    sb.ok(TOUCH, &["log", "--note", &live, "--as", "Sam"]);
    sb.ok(TOUCH, &["debrief", "--noticed", &live, "--as", "Alex"]);
    sb.ok(TOUCH, &["debrief", "--too-much", &live, "--as", "Sam"]);
    // A name with a line break, as a hand-edited partner file could carry it.
    let file = sb.data().join("partners").join(format!("{alex}.json"));
    let text = std::fs::read_to_string(&file).unwrap();
    let forged = text.replace("\"Alex\"", "\"Alex\\n* TODO forged :x:\\n#+CALL: z()\"");
    assert_ne!(text, forged, "the partner file holds the name");
    std::fs::write(&file, forged).unwrap();
    sb
}

/// Parses the org file with org-element and prints one line per element or object of interest,
/// then exports it to HTML with babel evaluation on and no confirmation.
const ELISP: &str = r#"
(require 'org)
(require 'org-element)
(require 'ox-html)
(setq org-confirm-babel-evaluate nil
      org-export-use-babel t
      org-link-elisp-confirm-function nil
      org-id-track-globally nil
      make-backup-files nil)
(org-babel-do-load-languages 'org-babel-load-languages '((emacs-lisp . t) (shell . t)))
(find-file (car command-line-args-left))
(setq command-line-args-left nil)
(org-element-map (org-element-parse-buffer)
    '(headline keyword babel-call inline-babel-call inline-src-block src-block example-block
      macro link drawer node-property timestamp export-snippet footnote-reference
      footnote-definition diary-sexp latex-environment latex-fragment entity table fixed-width
      comment comment-block export-block horizontal-rule planning clock target radio-target
      plain-list item)
  (lambda (el)
    (let ((type (org-element-type el)))
      (princ
       (format "%s\t%s\n" type
               (pcase type
                 ('headline (format "%s|%s|%s|%s|%s"
                                    (org-element-property :level el)
                                    (org-element-property :todo-keyword el)
                                    (org-element-property :tags el)
                                    (org-element-property :commentedp el)
                                    (org-element-property :raw-value el)))
                 ('keyword (org-element-property :key el))
                 ('link (org-element-property :type el))
                 ('node-property (org-element-property :key el))
                 ('drawer (org-element-property :drawer-name el))
                 ('timestamp (org-element-property :type el))
                 ('entity (org-element-property :name el))
                 (_ "")))))))
(condition-case err
    (progn (org-html-export-to-html) (princ "exported\n"))
  (error (princ (format "export failed\t%S\n" err))))
"#;

fn emacs() -> Option<std::path::PathBuf> {
    let found = on_path("emacs");
    if found.is_none() {
        assert!(
            std::env::var("CI").as_deref() != Ok("true"),
            "emacs is not on PATH, and CI must run the org tests: install emacs-nox"
        );
        println!("note: emacs is not on PATH; skipping the org-element and ox-html test");
    }
    found
}

/// Runs Emacs in batch on `org` and returns its report, one (type, detail) per line.
fn org_element(sb: &Sandbox, program: &Path, org: &str) -> (Vec<(String, String)>, String) {
    let dir = sb.path("org");
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("export.org");
    std::fs::write(&file, org).unwrap();
    let script = dir.join("check.el");
    std::fs::write(&script, ELISP).unwrap();
    let out = assert_cmd::Command::new(program)
        .env_clear()
        .env("HOME", sb.path("emacs-home"))
        .env("LC_ALL", "C.UTF-8")
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .timeout(std::time::Duration::from_secs(120))
        .args(["-Q", "--batch", "-l"])
        .arg(&script)
        .arg(&file)
        .output()
        .expect("emacs runs");
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(
        out.status.success(),
        "emacs failed: {stdout}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let lines = stdout
        .lines()
        .map(|l| {
            let (t, d) = l.split_once('\t').unwrap_or((l, ""));
            (t.to_owned(), d.to_owned())
        })
        .collect();
    let html = std::fs::read_to_string(dir.join("export.html")).unwrap_or_default();
    (lines, html)
}

#[test]
fn org_element_finds_no_structure_in_what_partners_typed_and_html_export_runs_nothing() {
    let Some(program) = emacs() else { return };
    let marker = tempfile::TempDir::new().unwrap();
    let marker = marker.path().join("ran");
    let sb = live_org_couple(&marker);
    let org = export(&sb, &["--format", "org", "--as", "Sam"]);
    let (found, html) = org_element(&sb, &program, &org);
    assert!(
        found.iter().any(|(t, _)| t == "exported"),
        "ox-html failed: {found:?}\n{org}"
    );
    assert!(!marker.exists(), "exporting to HTML ran code from the file");
    let headlines: Vec<&str> = found
        .iter()
        .filter(|(t, _)| t == "headline")
        .map(|(_, d)| d.as_str())
        .collect();
    // Needs, Touch plan, Touch sessions, Prompts, and one need, one session, one day.
    assert_eq!(headlines.len(), 7, "{headlines:#?}\n{org}");
    for h in &headlines {
        assert!(
            h.contains("|nil|nil|nil|"),
            "a keyword, tag or COMMENT: {h}"
        );
    }
    for (t, d) in &found {
        let allowed = match t.as_str() {
            "headline" | "exported" | "plain-list" | "item" => true,
            "keyword" => ["TITLE", "DATE", "OPTIONS"].contains(&d.as_str()),
            "node-property" => d.starts_with("CLOSER_"),
            "timestamp" => d == "inactive",
            // Org's own way to write a dollar sign.
            "entity" => d == "dollar",
            _ => false,
        };
        assert!(allowed, "org-element found {t} {d} in the export:\n{org}");
    }
    assert!(!html.contains("<script"), "{html}");
    for words in [
        "call the nurse",
        "fake headline",
        "second thing",
        "a footnote",
    ] {
        assert!(html.contains(words), "{words:?} is lost:\n{html}");
    }
}

#[test]
fn org_html_export_of_an_ordinary_couple_keeps_every_line() {
    let Some(program) = emacs() else { return };
    let sb = couple_with_history();
    let org = export(&sb, &["--format", "org", "--as", "Sam"]);
    for line in org.lines() {
        let text = line.strip_suffix(" \\\\").unwrap_or(line);
        assert!(!text.contains('\\'), "a stray backslash: {line}");
    }
    let (found, html) = org_element(&sb, &program, &org);
    assert!(found.iter().any(|(t, _)| t == "exported"), "{found:?}");
    // Sam's two-line answer keeps its line break.
    assert!(
        html.contains("tea in bed <br />\nand the radio on"),
        "{html}"
    );
}
