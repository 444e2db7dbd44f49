//! Practice sessions and debriefs. No counts, streaks or scores: only what happened and what
//! each partner chose to share about it.

use chrono::NaiveDate;
use closer_cli::Context;
use closer_cli::output::{Format, Out, Said, Text};
use closer_core::content::{Library, Step};
use closer_core::ids::{Id, new_id, prefix_lengths, resolve};
use closer_core::needs::check_text;
use closer_core::practice;
use closer_core::profile::Couple;
use closer_core::touch::{self, Debrief, Session};
use closer_core::{Error, Result};
use serde::Serialize;

// `log`: the command line, next to what it does.
#[derive(clap::Args, Debug)]
pub struct LogArgs {
    /// The step practised [default: the current step]
    #[arg(long)]
    step: Option<String>,
    /// Who gave touch first
    #[arg(long, value_name = "NAME")]
    giver: Option<String>,
    /// How long, in minutes
    #[arg(long, value_name = "N", allow_negative_numbers = true, value_parser = clap::value_parser!(u16).range(1..=600))]
    minutes: Option<u16>,
    /// A shared note
    #[arg(long)]
    note: Option<String>,
}

/// A session to log, every value checked: the step as the couple's library has it, the giver
/// as a partner of the couple, the note as text that may be stored.
struct LogRequest<'a> {
    step: Option<&'a Step>,
    giver: Option<Id>,
    minutes: Option<u16>,
    note: Option<String>,
}

impl LogArgs {
    fn validate<'a>(self, lib: &'a Library, couple: &Couple) -> Result<LogRequest<'a>> {
        Ok(LogRequest {
            note: self.note.map(|n| check_text("note", &n)).transpose()?,
            giver: self
                .giver
                .map(|g| couple.find(&g).map(|p| p.id.clone()))
                .transpose()?,
            step: self
                .step
                .map(|s| touch::find_step(lib, couple, &s))
                .transpose()?,
            minutes: self.minutes,
        })
    }
}

pub(crate) fn log(ctx: &Context, args: LogArgs) -> Result<()> {
    let lib = ctx.library()?;
    let couple = ctx.require_couple()?;
    // The plan as this device may know it (through the joint rounds on a device with only its
    // own partner's key), with the opt-in that is joint.
    let mut joint = couple.clone();
    let (states, holds, _) = ctx.touch_facts(&mut joint)?;
    let LogRequest {
        step,
        giver,
        minutes,
        note,
    } = args.validate(lib, &joint)?;
    let plan = touch::derive(lib, &joint, &states, &holds, ctx.today);
    let step =
        match step {
            Some(s) => s,
            None if plan.paused => plan.in_plan.first().copied().ok_or_else(|| {
                Error::invalid("nothing is in your plan yet; `touch-plan` shows why")
            })?,
            None => plan.current.ok_or_else(|| {
                Error::usage("there is no current step; say which one with --step ID")
            })?,
        };
    practice::may_log(&plan, step)?;
    let me = ctx.me(&couple)?;
    let session = Session {
        extra: Default::default(),
        id: new_id(),
        date: ctx.today,
        at: ctx.now,
        step: step.id.to_owned(),
        giver,
        minutes,
        note,
    };
    let id = session.id.clone();
    touch::update_sessions(&ctx.store, &me.id, |s| {
        s.sessions.push(session);
        Ok(())
    })?;
    Out::default().line(&id)?;
    closer_cli::say!(
        "Logged {} on {}. Each of you can add a debrief with `touch-plan debrief`.",
        step.title,
        ctx.today
    );
    Ok(())
}

/// Every session either partner logged, oldest first, with the partner who logged it.
/// Removed partners' sessions included: removing a partner never hides what you did together.
fn all_sessions(ctx: &Context, _couple: &Couple) -> Result<Vec<(String, touch::Sessions)>> {
    touch::partners_with_sessions(&ctx.store)?
        .into_iter()
        .map(|p| Ok((p.to_string(), touch::load_sessions(&ctx.store, &p)?)))
        .collect()
}

// `debrief`: the command line, next to what it does.
#[derive(clap::Args, Debug)]
pub struct DebriefArgs {
    /// The session ID [default: the latest]
    session: Option<String>,
    /// What you noticed: temperature, pressure, texture, thoughts
    #[arg(long)]
    noticed: Option<String>,
    /// This was too much (optionally, what)
    #[arg(long, num_args = 0..=1, default_missing_value = "", value_name = "WHAT")]
    too_much: Option<String>,
    /// Only you will see this debrief
    #[arg(long)]
    private: bool,
}

/// A debrief, its texts checked and something said.
struct DebriefRequest {
    session: Option<String>,
    noticed: Option<String>,
    too_much: Option<String>,
    private: bool,
}

impl DebriefArgs {
    fn validate(self) -> Result<DebriefRequest> {
        let noticed = self.noticed.map(|n| check_text("note", &n)).transpose()?;
        let too_much = self
            .too_much
            .map(|t| {
                if t.trim().is_empty() {
                    Ok(String::new())
                } else {
                    check_text("note", &t)
                }
            })
            .transpose()?;
        if noticed.is_none() && too_much.is_none() {
            return Err(Error::usage(
                "say what you noticed with --noticed TEXT, or --too-much [WHAT]",
            ));
        }
        Ok(DebriefRequest {
            session: self.session,
            noticed,
            too_much,
            private: self.private,
        })
    }
}

pub(crate) fn debrief(ctx: &Context, args: DebriefArgs) -> Result<()> {
    let DebriefRequest {
        session,
        noticed,
        too_much,
        private,
    } = args.validate()?;
    let lib = ctx.library()?;
    let couple = ctx.require_couple()?;
    let me = ctx.me(&couple)?.id.clone();
    let all = all_sessions(ctx, &couple)?;
    let shown = shown_steps(lib, &couple);
    let mut sessions: Vec<&Session> = all
        .iter()
        .flat_map(|(_, s)| &s.sessions)
        .filter(|s| shown(&s.step))
        .collect();
    sessions.sort_by_key(|s| s.at);
    let target = match session {
        Some(p) => {
            let ids: Vec<&str> = sessions.iter().map(|s| s.id.as_str()).collect();
            let id = resolve(&p, &ids, closer_core::error::IdKind::Session)?;
            sessions.iter().find(|s| s.id == id).copied()
        }
        None => sessions.last().copied(),
    }
    .ok_or_else(|| Error::invalid("no session is logged yet; log one with `touch-plan log`"))?
    .clone();
    let d = Debrief {
        extra: Default::default(),
        session: target.id.clone(),
        step: target.step.clone(),
        date: ctx.today,
        at: ctx.now,
        noticed,
        too_much,
        private,
    };
    let saved = touch::update_sessions(&ctx.store, &me, |s| {
        s.debriefs.push(d);
        Ok(())
    })?;
    closer_cli::say!(
        "Debrief saved{}.",
        if private { ", for you only" } else { "" }
    );
    // This partner's own facts are read only when help is due at all.
    if practice::help_due(&saved.debriefs, &target.step) {
        let shown = touch::load_state(&ctx.store, &me)?.help_shown;
        if practice::help_now(&saved.debriefs, &target.step, &shown) {
            touch::update_state(&ctx.store, &me, |st| {
                st.help_shown.insert(target.step.clone());
                Ok(())
            })?;
            closer_cli::say!("\n{}", lib.help);
        }
    }
    Ok(())
}

fn title(lib: &Library, id: &str) -> String {
    lib.step(id)
        .map_or_else(|| id.to_owned(), |s| s.title.to_owned())
}

/// Whether a session on a step may be shown (see [`practice::step_shown`]).
fn shown_steps<'a>(lib: &'a Library, couple: &Couple) -> impl Fn(&str) -> bool + 'a {
    let visible: Vec<&'static str> = touch::visible_steps(lib, couple)
        .iter()
        .map(|s| s.id)
        .collect();
    move |step| practice::step_shown(lib, &visible, step)
}

pub(crate) fn history(ctx: &Context, format: Format) -> Result<()> {
    let lib = ctx.library()?;
    let couple = ctx.require_couple()?;
    let me = ctx.viewer(&couple)?.map(|p| p.id.clone());
    let all = all_sessions(ctx, &couple)?;
    let shown = shown_steps(lib, &couple);
    let mut sessions: Vec<(&str, &Session)> = all
        .iter()
        .flat_map(|(who, s)| s.sessions.iter().map(move |x| (who.as_str(), x)))
        .filter(|(_, s)| shown(&s.step))
        .collect();
    sessions.sort_by_key(|(_, s)| (s.date, s.at));
    let debriefs: Vec<(&str, &Debrief)> = all
        .iter()
        .flat_map(|(who, s)| s.debriefs.iter().map(move |d| (who.as_str(), d)))
        .filter(|(who, d)| practice::debrief_visible(d, who, me.as_deref()))
        .collect();
    let ids: Vec<&str> = sessions.iter().map(|(_, s)| s.id.as_str()).collect();
    let lens = prefix_lengths(&ids);
    let view: Vec<SessionView> = sessions
        .iter()
        .zip(&lens)
        .map(|((who, s), n)| SessionView {
            id: &s.id,
            short_id: s.id.prefix(*n),
            date: s.date,
            step: &s.step,
            title: title(lib, &s.step),
            logged_by: couple.name_of(who),
            giver: s.giver.as_deref().map(|g| couple.name_of(g)),
            minutes: s.minutes,
            note: s.note.as_deref(),
            debriefs: debriefs
                .iter()
                .filter(|(_, d)| d.session == s.id)
                .map(|(by, d)| DebriefView {
                    by: couple.name_of(by),
                    date: d.date,
                    noticed: d.noticed.as_deref(),
                    too_much: d.too_much.is_some(),
                    too_much_note: d.too_much.as_deref(),
                    private: d.private,
                })
                .collect(),
        })
        .collect();
    let mut out = Text::default();
    if sessions.is_empty() {
        out.line("No sessions yet. After practising, log one with `touch-plan log`.")?;
    }
    for ((_, s), n) in sessions.iter().zip(&lens) {
        let mut line = format!("{} {}  {}", s.date, s.id.prefix(*n), title(lib, &s.step));
        if let Some(g) = &s.giver {
            line += &format!(" · {} gave first", couple.name_of(g));
        }
        if let Some(m) = s.minutes {
            line += &format!(" · {m} min");
        }
        out.line(&line)?;
        if let Some(note) = &s.note {
            out.line(&format!("    note: {note}"))?;
        }
        for (by, d) in debriefs.iter().filter(|(_, d)| d.session == s.id) {
            let private = if d.private {
                " (only you see this)"
            } else {
                ""
            };
            if let Some(n) = &d.noticed {
                out.line(&format!("    {}{private}: {n}", couple.name_of(by)))?;
            }
            if let Some(t) = &d.too_much {
                let what = if t.is_empty() {
                    String::new()
                } else {
                    format!(": {t}")
                };
                out.line(&format!(
                    "    {}{private}: too much{what}",
                    couple.name_of(by)
                ))?;
            }
        }
    }
    ctx.show(
        format,
        &Said {
            json: view,
            text: out,
        },
    )
}

/// `history --json`: the sessions and the debriefs the partner at the keyboard may see.
#[derive(Serialize)]
struct SessionView<'a> {
    id: &'a Id,
    short_id: &'a str,
    date: NaiveDate,
    step: &'a str,
    title: String,
    logged_by: &'a str,
    giver: Option<&'a str>,
    minutes: Option<u16>,
    note: Option<&'a str>,
    debriefs: Vec<DebriefView<'a>>,
}

#[derive(Serialize)]
struct DebriefView<'a> {
    by: &'a str,
    date: NaiveDate,
    noticed: Option<&'a str>,
    too_much: bool,
    too_much_note: Option<&'a str>,
    private: bool,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(noticed: Option<&str>, too_much: Option<&str>) -> DebriefArgs {
        DebriefArgs {
            session: None,
            noticed: noticed.map(Into::into),
            too_much: too_much.map(Into::into),
            private: false,
        }
    }

    #[test]
    fn a_debrief_request_says_something_and_its_texts_are_checked() {
        let err = args(None, None).validate().err().expect("nothing said");
        assert_eq!(err.exit_code(), 2);
        assert!(args(Some("  "), None).validate().is_err());
        let bare = args(None, Some(" ")).validate().unwrap();
        assert_eq!(bare.too_much.as_deref(), Some(""));
        let said = args(Some(" warm hands "), None).validate().unwrap();
        assert_eq!(said.noticed.as_deref(), Some("warm hands"));
    }
}
