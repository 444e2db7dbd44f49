//! `couple today`: the day at a glance in one look, the same in every tool: the prompt, who has
//! answered it (never what), the touch step, holds that lift soon, needs due for review, and
//! what was on for both of you and is off again (never who turned it off).
//! Built for cron as much as for a terminal: plain text unless `--json` or `--plain`.

use super::Context;
use super::output::{self, Format, Mode, Out, Style, View};
use crate::joint::{Rounds, WAITING};
use chrono::NaiveDate;
use closer_core::Word;
use closer_core::glance::{Due as DueNeeds, Touch, glance_with};
use closer_core::ids::Id;
use closer_core::joint_changes::Trace;
use closer_core::prompts::Said;
use closer_core::touch::Hold;
use closer_core::{Error, Result};
use serde::Serialize;

/// How many due needs are named before "and N more".
const DUE_SHOWN: usize = 5;

/// `couple today --json`: the day at a glance.
#[derive(Serialize)]
struct Day<'a> {
    date: NaiveDate,
    gentle: bool,
    prompt: PromptBrief<'a>,
    answered: Vec<Answered<'a>>,
    touch: TouchView<'a>,
    holds_lifting: Vec<HoldView<'a>>,
    due: Vec<Due<'a>>,
    /// How many needs are due (more than `due` holds when only the first are shown).
    #[serde(skip)]
    due_count: usize,
    changes: &'a [Trace],
    /// Notes for the partner at the keyboard that a cron mail must not miss: a joint round
    /// this device no longer keeps (shown on the day `couple today` first shows it).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    notes: Vec<String>,
}

#[derive(Serialize)]
struct PromptBrief<'a> {
    id: &'a str,
    text: &'a str,
    category: &'a str,
    low_energy: bool,
}

#[derive(Serialize)]
struct Answered<'a> {
    partner: &'a str,
    answered: bool,
    /// The partner at the keyboard passed on today's prompt (shown to them alone).
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    passed: bool,
}

#[derive(Serialize)]
struct TouchView<'a> {
    /// `not-started`, `paused`, `held`, `step`, or `unknown` when a file the plan needs cannot
    /// be read (said on standard error).
    state: &'static str,
    step: Option<StepBrief<'a>>,
    /// A joint round is under way: the plan moves once the other device has taken its turn.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    waiting: bool,
}

#[derive(Serialize)]
struct StepBrief<'a> {
    id: &'a str,
    title: &'a str,
    stage: u8,
    minutes: u16,
}

/// A medical-clearance hold as the JSON interface shows it (also in `touch-plan`).
#[derive(Serialize)]
pub struct HoldView<'a> {
    pub from_stage: u8,
    pub until: NaiveDate,
    pub reason: &'a str,
}

impl<'a> From<&'a Hold> for HoldView<'a> {
    fn from(h: &'a Hold) -> Self {
        HoldView {
            from_stage: h.from_stage,
            until: h.until,
            reason: &h.reason,
        }
    }
}

#[derive(Serialize)]
struct Due<'a> {
    id: &'a Id,
    short_id: &'a str,
    text: &'a str,
    owner: &'a str,
    importance: &'static str,
    review: Option<NaiveDate>,
}

impl View for Day<'_> {
    /// One tab-separated record per line, each starting with what it is.
    fn plain(&self, out: &mut Out) -> Result<()> {
        let date = self.date.to_string();
        out.record(&[
            "date",
            &date,
            if self.gentle { "gentle" } else { "ordinary" },
        ])?;
        out.record(&["prompt", self.prompt.id, self.prompt.text])?;
        for a in &self.answered {
            out.record(&[
                "answered",
                a.partner,
                match (a.answered, a.passed) {
                    (true, _) => "yes",
                    (false, true) => "passed",
                    (false, false) => "not-yet",
                },
            ])?;
        }
        let step = self.touch.step.as_ref().map_or("", |s| s.id);
        out.record(&["touch", self.touch.state, step])?;
        for h in &self.holds_lifting {
            out.record(&[
                "hold",
                &h.until.to_string(),
                &h.from_stage.to_string(),
                h.reason,
            ])?;
        }
        for d in &self.due {
            let review = d.review.map(|d| d.to_string()).unwrap_or_default();
            out.record(&["due", d.short_id, d.owner, &review, d.text])?;
        }
        for t in self.changes {
            out.record(&["changed", &t.until.to_string(), t.what, &t.text])?;
        }
        for n in &self.notes {
            out.record(&["note", n])?;
        }
        Ok(())
    }

    /// Sentences, for a person or a cron mail.
    fn table(&self, out: &mut Out, _style: Style) -> Result<()> {
        let day = if self.gentle {
            format!("{}: a gentle day", self.date)
        } else {
            self.date.to_string()
        };
        out.line(&format!("Today, {day}"))?;
        out.line(&format!("Prompt: {}", self.prompt.text))?;
        if !self.answered.is_empty() {
            let names = |done: bool| -> Vec<&str> {
                self.answered
                    .iter()
                    .filter(|a| a.answered == done && !a.passed)
                    .map(|a| a.partner)
                    .collect()
            };
            let (yes, not_yet) = (names(true), names(false));
            // One's own pass is said as such, never as "not yet".
            let passed = self.answered.iter().any(|a| a.passed);
            let mut said = Vec::new();
            if !yes.is_empty() {
                said.push(format!("Answered: {}.", yes.join(", ")));
            }
            if passed {
                said.push("You passed today.".to_owned());
            }
            if !not_yet.is_empty() {
                said.push(if said.is_empty() {
                    "Nobody has answered yet.".to_owned()
                } else {
                    format!("Not yet: {}.", not_yet.join(", "))
                });
            }
            let line = said.join(" ");
            out.line(&line)?;
            let touch = match (self.touch.state, &self.touch.step) {
                (_, Some(s)) => format!("{} ({}), about {} minutes", s.title, s.id, s.minutes),
                ("paused", None) => "the plan is paused".to_owned(),
                ("held", None) => "on hold for now".to_owned(),
                ("unknown", None) => "not known today: a file it needs cannot be read".to_owned(),
                _ => "nothing in your plan yet".to_owned(),
            };
            out.line(&format!("Touch: {touch}"))?;
            if self.touch.waiting {
                out.line(WAITING)?;
            }
        }
        for h in &self.holds_lifting {
            out.line(&format!(
                "Hold lifts on {}: stage {} and up ({})",
                h.until, h.from_stage, h.reason
            ))?;
        }
        for d in &self.due {
            out.line(&format!(
                "Review due: {} ({}, {}'s)",
                d.text, d.short_id, d.owner
            ))?;
        }
        if self.due_count > self.due.len() {
            out.line(&format!(
                "And {} more reviews due: `needs-list --due`.",
                self.due_count - self.due.len()
            ))?;
        }
        for t in self.changes {
            out.line(&t.text)?;
        }
        for n in &self.notes {
            out.line(n)?;
        }
        Ok(())
    }
}

pub fn run(ctx: &Context, format: Format) -> Result<()> {
    // Sentences unless asked otherwise, on a terminal or not: cron mails them.
    let mode = if format.json {
        Mode::Json
    } else if format.plain {
        Mode::Plain
    } else {
        Mode::Table
    };
    let lib = ctx.library()?;
    let couple = ctx.couple()?;
    let viewer = ctx.viewer(&couple)?.map(|p| p.id.clone());
    let gentle = ctx.low_energy(&couple, ctx.today, None)?;
    let due = if couple.is_empty() {
        DueNeeds::default()
    } else {
        let idx = ctx.needs_index();
        // Only the reviews due today are shown: only their files need a look. Sentences name
        // the first few, and only those are read in full.
        let keep = if mode == Mode::Table {
            DUE_SHOWN
        } else {
            usize::MAX
        };
        DueNeeds::on(
            &ctx.store,
            idx.as_deref(),
            viewer.as_deref(),
            ctx.today,
            keep,
        )?
    };
    // The touch plan as this device may know it: through the joint rounds when it holds only
    // its own partner's key.
    let (mut joint, mut rounds) = (couple.clone(), Rounds::NotUsed);
    let mut unknown = false;
    let facts = if couple.is_empty() {
        None
    } else {
        match ctx.touch_facts(&mut joint) {
            Ok((states, holds, r)) => {
                rounds = r;
                Some((states, holds))
            }
            // A file the plan needs that cannot be read (damaged, or a folder in its place) costs
            // the touch line, said on standard error, not the rest of the day.
            Err(e @ (Error::BadRecord { .. } | Error::Corrupt { .. })) => {
                ctx.store.leave_out(e);
                unknown = true;
                Some((Vec::new(), Vec::new()))
            }
            Err(e) => return Err(e),
        }
    };
    let memo = ctx.answered_memo();
    let g = glance_with(
        &ctx.store,
        lib,
        &joint,
        viewer.as_ref(),
        gentle,
        due,
        ctx.today,
        facts,
        memo.as_deref().map(|m| (m, std::time::SystemTime::now())),
    )?;
    let (state, step) = match &g.touch {
        _ if unknown => ("unknown", None),
        Touch::NotStarted => ("not-started", None),
        Touch::Paused => ("paused", None),
        Touch::Held => ("held", None),
        Touch::Step { step, minutes } => (
            "step",
            Some(StepBrief {
                id: step.id,
                title: step.title,
                stage: step.stage,
                minutes: *minutes,
            }),
        ),
    };
    let view = Day {
        date: g.date,
        gentle: g.gentle,
        prompt: PromptBrief {
            id: g.prompt.id,
            text: g.prompt.text,
            category: g.prompt.category,
            low_energy: g.prompt.low_energy,
        },
        answered: g
            .answered
            .iter()
            .map(|(partner, said)| Answered {
                partner,
                answered: *said == Said::Answered,
                passed: *said == Said::Passed,
            })
            .collect(),
        touch: TouchView {
            state,
            step,
            waiting: rounds == Rounds::Waiting,
        },
        holds_lifting: g.holds_lifting.iter().map(HoldView::from).collect(),
        due_count: g.due.count,
        due: g
            .due
            .first
            .iter()
            .map(|(short, n)| Due {
                id: &n.id,
                short_id: short,
                text: &n.text,
                owner: couple.name_of(&n.owner),
                importance: n.importance.word(),
                review: n.review,
            })
            .collect(),
        changes: &g.changes,
        notes: match &viewer {
            Some(me) => ctx.let_go_notes(me.as_str())?,
            None => Vec::new(),
        },
    };
    output::render(&mut Out::default(), mode, ctx.style(), &view)
}
