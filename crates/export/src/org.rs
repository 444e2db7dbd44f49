//! Org: one file with a headline per need, session and day of answers. Every field is escaped
//! so that no text a partner typed (or a synced file carried) becomes a headline, keyword, TODO,
//! tag, drawer, macro, inline call, source block, export snippet or link, and the file exports to
//! HTML with `ox-html` without running anything.

use crate::gather::Data;
use crate::touch_facts::{self, HoldState};
use chrono::NaiveDate;
use closer_cli::output::{Out, clean};
use closer_core::Result;
use std::fmt::Write;

/// Org's own escape character: a zero-width space between two characters keeps them from
/// forming syntax, and is invisible when the file is read or exported.
const ZW: char = '\u{200b}';

/// Link types whose plain form (`type:path`) stays a link: the ones that open a web page or mail.
const SAFE_LINKS: [&str; 3] = ["http", "https", "mailto"];

/// One line of text made inert inside a paragraph, list item, headline or property value.
pub(crate) fn inline(s: &str) -> String {
    let s = clean(s, false);
    // Two dollars could enclose a LaTeX fragment; org's own entity writes the character.
    let dollars = s.matches('$').nth(1).is_some();
    let mut out = String::with_capacity(s.len() + 8);
    let mut chars = s.chars().peekable();
    while let Some(c) = chars.next() {
        let next = chars.peek().copied();
        match c {
            '$' if dollars => {
                out.push_str("\\dollar{}");
                continue;
            }
            // call_NAME() and src_LANG{}: inline code, run on export.
            '_' if ["call", "src"].iter().any(|w| ends_with_word(&out, w)) => out.push(ZW),
            // Plain links such as elisp:(…) or shell:…
            ':' if next.is_some_and(|n| !n.is_whitespace()) && link_type_before(&out) => {
                out.push(ZW);
            }
            _ => {}
        }
        out.push(c);
        match c {
            // Links, footnotes, citations, timestamps, targets, diary sexps, entities, LaTeX
            // and line breaks all start with one of these.
            '[' | '<' | '\\' => out.push(ZW),
            // Macros ({{{…}}}) and export snippets (@@html:…@@).
            '{' | '@' if next == Some(c) => out.push(ZW),
            _ => {}
        }
    }
    out
}

/// Whether `out` ends with `word` (any case) standing on its own.
fn ends_with_word(out: &str, word: &str) -> bool {
    let Some(start) = out.len().checked_sub(word.len()) else {
        return false;
    };
    out.get(start..)
        .is_some_and(|tail| tail.eq_ignore_ascii_case(word))
        && !out[..start]
            .chars()
            .next_back()
            .is_some_and(char::is_alphanumeric)
}

/// Whether `out` ends with a word that org could read as a link type before a `:`.
fn link_type_before(out: &str) -> bool {
    let word: String = out
        .chars()
        .rev()
        .take_while(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '_'))
        .collect::<Vec<_>>()
        .into_iter()
        .rev()
        .collect();
    word.starts_with(|c: char| c.is_ascii_alphabetic())
        && !SAFE_LINKS.iter().any(|s| word.eq_ignore_ascii_case(s))
}

/// Whether a line starting like `line` could be read as more than a paragraph line: only a line
/// that starts with two letters, and not with a planning or clock word, is safe as it is.
fn needs_guard(line: &str) -> bool {
    let mut chars = line.chars();
    let two_letters = chars.next().is_some_and(char::is_alphabetic)
        && chars.next().is_some_and(char::is_alphabetic);
    let word = line.split(':').next().unwrap_or_default();
    !two_letters
        || ["CLOCK", "SCHEDULED", "DEADLINE", "CLOSED"]
            .iter()
            .any(|k| word.eq_ignore_ascii_case(k))
}

/// A headline's title: never a TODO keyword, priority or COMMENT at the start, never tags at the end.
pub(crate) fn headline(s: &str) -> String {
    let mut t = inline(s).trim().to_owned();
    let first = t.split(' ').next().unwrap_or_default();
    if !first.is_empty() && !first.chars().any(char::is_lowercase) {
        t.insert(0, ZW);
    }
    if t.ends_with(':') {
        t.push(ZW);
    }
    t
}

/// Text of one or more lines, each indented by `indent`, with its line breaks kept (`\\`).
pub(crate) fn block(s: &str, indent: &str) -> String {
    let s = clean(s, true);
    let mut out = String::with_capacity(s.len() + 16);
    for (i, line) in s.trim_end().split('\n').enumerate() {
        if i > 0 {
            out.push_str(" \\\\\n");
        }
        out.push_str(indent);
        if needs_guard(line) {
            out.push(ZW);
        }
        out.push_str(inline(line).trim_end());
    }
    out
}

fn date(d: NaiveDate) -> String {
    format!("[{}]", d.format("%Y-%m-%d %a"))
}

fn property(s: &mut String, key: &str, value: &str) {
    let _ = writeln!(s, ":CLOSER_{key}: {}", inline(value).trim());
}

fn private(yes: bool) -> &'static str {
    if yes { " (private)" } else { "" }
}

pub(crate) fn write(d: &Data, out: &mut Out) -> Result<()> {
    out.raw(&format!(
        "#+TITLE: closer export\n#+DATE: {}\n#+OPTIONS: ^:nil tex:verbatim toc:nil\n",
        date(d.today)
    ))?;
    if !d.needs.is_empty() {
        out.raw("\n* Needs\n")?;
        for n in &d.needs {
            let mut s = format!("** {}\n:PROPERTIES:\n", headline(&n.text));
            property(&mut s, "ID", &n.id);
            property(&mut s, "OWNER", d.name(&n.owner));
            property(&mut s, "STATUS", n.status.label());
            property(&mut s, "IMPORTANCE", closer_core::word(&n.importance));
            property(&mut s, "CATEGORY", &n.category);
            if let Some(c) = &n.condition {
                property(&mut s, "CONDITION", c);
            }
            if n.private {
                property(&mut s, "PRIVATE", "yes");
            }
            if let Some(h) = &n.helper {
                property(&mut s, "HELPER", &h.describe(|id| d.name(id).to_owned()));
            }
            if let Some(r) = n.review {
                property(&mut s, "REVIEW", &date(r));
            }
            let _ = writeln!(
                s,
                ":END:\n{} named by {}{}",
                date(n.created),
                inline(d.name(&n.owner)),
                private(n.private)
            );
            if let Some(p) = &n.plan {
                let _ = writeln!(s, "- Agreed:\n{}", block(p, "  "));
            }
            for c in &n.history {
                let _ = writeln!(
                    s,
                    "- {} {}:\n{}",
                    date(c.date),
                    inline(d.name(&c.by)),
                    block(&c.what, "  ")
                );
            }
            out.raw(&s)?;
        }
    }
    if d.plan.is_some() {
        out.raw(&plan(d))?;
    }
    if !d.sessions.is_empty() {
        out.raw("\n* Touch sessions\n")?;
        for (who, x) in &d.sessions {
            let mut s = format!(
                "** {} {}\n:PROPERTIES:\n",
                date(x.date),
                headline(&d.step_title(&x.step))
            );
            property(&mut s, "ID", &x.id);
            property(&mut s, "STEP", &x.step);
            property(&mut s, "LOGGED_BY", d.name(who));
            if let Some(g) = &x.giver {
                property(&mut s, "GIVER", d.name(g));
            }
            if let Some(m) = x.minutes {
                property(&mut s, "MINUTES", &m.to_string());
            }
            s.push_str(":END:\n");
            if let Some(n) = &x.note {
                let _ = writeln!(s, "- Note:\n{}", block(n, "  "));
            }
            for (by, b) in d.debriefs_of(&x.id) {
                let by = inline(d.name(by));
                let p = private(b.private);
                if let Some(n) = &b.noticed {
                    let _ = writeln!(s, "- {by}{p} noticed:\n{}", block(n, "  "));
                }
                match b.too_much.as_deref() {
                    Some("") => {
                        let _ = writeln!(s, "- {by}{p}: too much");
                    }
                    Some(t) => {
                        let _ = writeln!(s, "- {by}{p}: too much:\n{}", block(t, "  "));
                    }
                    None => {}
                }
            }
            out.raw(&s)?;
        }
    }
    if !d.answers.is_empty() {
        out.raw("\n* Prompts\n")?;
        for day in d.answers.chunk_by(crate::gather::same_prompt) {
            let a0 = &day[0].1;
            let mut s = format!(
                "** {} {}\n:PROPERTIES:\n",
                date(a0.date),
                headline(&a0.prompt_text)
            );
            property(&mut s, "PROMPT", &a0.prompt);
            s.push_str(":END:\n");
            for (who, a) in day {
                let _ = writeln!(s, "- {}:\n{}", inline(d.name(who)), block(&a.text, "  "));
            }
            out.raw(&s)?;
        }
    }
    Ok(())
}

/// Where the plan stands, every hold (ended ones too), and the exporter's own boundaries and
/// body map.
fn plan(d: &Data) -> String {
    let mut s = String::from("\n* Touch plan\n");
    let Some(plan) = &d.plan else { return s };
    match plan.current {
        Some(c) => {
            let _ = writeln!(s, "- Now: {} (stage {})", inline(c.title), c.stage);
        }
        None => s.push_str("- No current step\n"),
    }
    if plan.paused {
        s.push_str("- The plan is paused\n");
    }
    for (h, state) in touch_facts::holds(d) {
        let _ = writeln!(
            s,
            "- Hold{}: nothing from stage {} until {}, set {}:\n{}",
            match state {
                HoldState::InForce => String::new(),
                HoldState::Ended => " (ended)".to_owned(),
                HoldState::Released(r) => format!(" (released {})", date(r)),
            },
            h.from_stage,
            date(h.until),
            date(h.created),
            block(&h.reason, "  ")
        );
    }
    for t in &d.traces {
        let _ = writeln!(s, "- On for a while, then off again: {}", inline(&t.text));
    }
    for (step, answer) in touch_facts::my_boundaries(d) {
        let _ = writeln!(s, "- My boundary (private): {} — {answer}", inline(&step));
    }
    for (region, mark, note) in touch_facts::my_body_map(d) {
        let note = note
            .map(|n| format!(" ({})", inline(n)))
            .unwrap_or_default();
        let _ = writeln!(
            s,
            "- My body map (private): {} — {mark}{note}",
            inline(region)
        );
    }
    s
}
