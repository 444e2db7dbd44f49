//! `history`, `list` and `categories`: looking back and browsing the library.

use chrono::{DateTime, NaiveDate, Utc};
use closer_cli::Context;
use closer_cli::output::{Format, Out, Style, View, table};
use closer_core::Result;
use closer_core::answer_rules;
use closer_core::content::Prompt;
use closer_core::dates::date_arg;
use closer_core::profile::Couple;
use closer_core::prompts::{Answer, Filter, all_answers, check_categories, rotation};
use serde::Serialize;
use std::collections::BTreeSet;

// `history`: the command line, next to what it does.
#[derive(clap::Args, Debug)]
pub(crate) struct HistoryArgs {
    /// From this day on
    #[arg(long, value_parser = date_arg, value_name = "YYYY-MM-DD")]
    since: Option<NaiveDate>,
    /// Up to and including this day
    #[arg(long, value_parser = date_arg, value_name = "YYYY-MM-DD")]
    until: Option<NaiveDate>,
    #[command(flatten)]
    format: Format,
}

pub(crate) fn history(ctx: &Context, args: HistoryArgs) -> Result<()> {
    let HistoryArgs {
        since,
        until,
        format,
    } = args;
    closer_core::dates::check_range(since, until)?;
    let couple = ctx.couple()?;
    let viewer = ctx.viewer(&couple)?.map(|p| p.id.clone());
    let answers =
        answer_rules::for_viewer(all_answers(&ctx.store, since, until)?, viewer.as_deref());
    let took_turn = turns_taken(viewer.as_deref(), &answers);
    // What a row says: the answer, that the partner passed, that it waits for your turn, or
    // (your turn taken) that it waits for their device to share it.
    let said = |who: &str, a: &Answer| -> String {
        let name = couple.name_of(who);
        if a.passed {
            "(passed)".to_owned()
        } else if a.sealed && took_turn.contains(&a.date) {
            format!("({name} has answered; {})", shared_on_their_next_run(name))
        } else if a.sealed {
            format!("({name} has answered; you will read it once you have answered or passed)")
        } else {
            a.text.clone()
        }
    };
    let view = History {
        answers: answers
            .iter()
            .map(|(who, a)| AnswerView {
                date: a.date,
                partner: couple.name_of(who),
                prompt: &a.prompt,
                prompt_text: &a.prompt_text,
                answer: (!a.sealed && !a.passed).then_some(a.text.as_str()),
                sealed: a.sealed,
                passed: a.passed,
                earlier: a
                    .earlier
                    .iter()
                    .map(|e| EarlierView {
                        prompt: &e.prompt,
                        text: &e.text,
                        at: e.at,
                    })
                    .collect(),
                said: said(who, a),
            })
            .collect(),
        waiting: waiting(&couple, &answers, &took_turn),
    };
    ctx.show(format, &view)
}

/// `history --json`: the answers the partner at the keyboard may see, as README documents.
#[derive(Serialize)]
#[serde(transparent)]
struct History<'a> {
    answers: Vec<AnswerView<'a>>,
    /// Who answered on days you have not: a line each, after the table.
    #[serde(skip)]
    waiting: Vec<String>,
}

#[derive(Serialize)]
struct AnswerView<'a> {
    date: NaiveDate,
    partner: &'a str,
    prompt: &'a str,
    prompt_text: &'a str,
    /// `None` while sealed (your partner's, before your turn) and for a pass.
    answer: Option<&'a str>,
    sealed: bool,
    passed: bool,
    /// Your own earlier texts, replaced by corrections.
    earlier: Vec<EarlierView<'a>>,
    /// What a row says: the answer, that the partner passed, or that it waits for your turn.
    #[serde(skip)]
    said: String,
}

#[derive(Serialize)]
struct EarlierView<'a> {
    prompt: &'a str,
    text: &'a str,
    at: DateTime<Utc>,
}

impl View for History<'_> {
    fn plain(&self, out: &mut Out) -> Result<()> {
        for a in &self.answers {
            out.record(&[&a.date.to_string(), a.partner, a.prompt, &a.said])?;
        }
        Ok(())
    }

    fn table(&self, out: &mut Out, style: Style) -> Result<()> {
        if self.answers.is_empty() {
            return out.line(
                "No answers yet. Answer today's prompt with `prompt-of-the-day answer TEXT`.",
            );
        }
        // Answers you cannot read yet make one line at the end, not one row each.
        let rows: Vec<Vec<String>> = self
            .answers
            .iter()
            .filter(|a| !a.sealed)
            .map(|a| {
                vec![
                    a.date.to_string(),
                    a.prompt_text.to_owned(),
                    a.partner.to_owned(),
                    a.said.clone(),
                ]
            })
            .collect();
        if !rows.is_empty() {
            out.line(&table(
                &["date", "prompt", "who", "answer"],
                &rows,
                style.width,
                style.color,
            ))?;
        }
        for line in &self.waiting {
            out.line(line)?;
        }
        for a in self.answers.iter().filter(|a| !a.earlier.is_empty()) {
            for e in &a.earlier {
                out.line(&format!(
                    "Your earlier answer for {} ({}): {}",
                    a.date,
                    e.at.date_naive(),
                    e.text
                ))?;
            }
        }
        Ok(())
    }
}

/// The days `viewer` answered or passed on.
fn turns_taken(viewer: Option<&str>, answers: &[(String, Answer)]) -> BTreeSet<NaiveDate> {
    answers
        .iter()
        .filter(|(who, _)| Some(who.as_str()) == viewer)
        .map(|(_, a)| a.date)
        .collect()
}

/// When an answer sealed to its author alone opens for the partner who has taken their turn:
/// only the author's device shares it.
fn shared_on_their_next_run(name: &str) -> String {
    format!("it opens for you once {name}'s device next runs `prompt-of-the-day`")
}

/// One line per partner whose answers wait: for yours (on how many days, and how to read them),
/// or, on days you took your turn, for their device to share them.
fn waiting(
    couple: &Couple,
    answers: &[(String, Answer)],
    took_turn: &BTreeSet<NaiveDate>,
) -> Vec<String> {
    let mut days: Vec<(&str, bool, usize)> = Vec::new();
    for (who, a) in answers.iter().filter(|(_, a)| a.sealed) {
        let mine_taken = took_turn.contains(&a.date);
        match days
            .iter_mut()
            .find(|(w, t, _)| *w == who.as_str() && *t == mine_taken)
        {
            Some((_, _, n)) => *n += 1,
            None => days.push((who, mine_taken, 1)),
        }
    }
    days.into_iter()
        .map(|(who, mine_taken, n)| {
            let when = if n == 1 { "one day".to_owned() } else { format!("{n} days") };
            let name = couple.name_of(who);
            if mine_taken {
                format!(
                    "{name} answered on {when} you have taken your turn on too; {}.",
                    shared_on_their_next_run(name)
                )
            } else {
                format!(
                    "{name} answered on {when} you have not answered yet; their answers are yours to read once you answer or pass (`prompt-of-the-day answer --date YYYY-MM-DD`)."
                )
            }
        })
        .collect()
}

// `list`: the command line, next to what it does.
#[derive(clap::Args, Debug)]
pub(crate) struct ListArgs {
    /// Only this category (repeatable)
    #[arg(long = "category", value_name = "NAME")]
    categories: Vec<String>,
    #[command(flatten)]
    format: Format,
}

pub(crate) fn list(ctx: &Context, args: ListArgs) -> Result<()> {
    let lib = ctx.library()?;
    let filter = Filter {
        low_energy: false,
        categories: check_categories(lib, &args.categories)?,
    };
    let format = args.format;
    let mut prompts = rotation(lib, &ctx.couple()?, &filter);
    prompts.sort_by_key(|p| p.id);
    ctx.show(format, &Prompts(prompts))
}

/// `list --json`: the prompts of the couple's rotation, each as the library has it.
#[derive(Serialize)]
#[serde(transparent)]
struct Prompts<'a>(Vec<&'a Prompt>);

impl View for Prompts<'_> {
    fn plain(&self, out: &mut Out) -> Result<()> {
        for p in &self.0 {
            let low = if p.low_energy { "low-energy" } else { "" };
            out.record(&[
                p.id,
                p.category,
                p.depth.as_str(),
                low,
                &p.tags.join(","),
                p.text,
            ])?;
        }
        Ok(())
    }

    fn table(&self, out: &mut Out, style: Style) -> Result<()> {
        let rows: Vec<Vec<&str>> = self
            .0
            .iter()
            .map(|p| vec![p.id, p.depth.as_str(), p.text])
            .collect();
        out.line(&table(
            &["id", "depth", "prompt"],
            &rows,
            style.width,
            style.color,
        ))
    }
}

pub(crate) fn categories(ctx: &Context, format: Format) -> Result<()> {
    let lib = ctx.library()?;
    let available = rotation(lib, &ctx.couple()?, &Filter::default());
    let counts = lib
        .categories
        .iter()
        .map(|c| CategoryView {
            id: c.id,
            name: c.name,
            about: c.about,
            prompts: available.iter().filter(|p| p.category == c.id).count(),
        })
        .filter(|c| c.prompts > 0)
        .collect();
    ctx.show(format, &Categories(counts))
}

/// `categories --json`: each category the couple has prompts in, with how many.
#[derive(Serialize)]
#[serde(transparent)]
struct Categories<'a>(Vec<CategoryView<'a>>);

#[derive(Serialize)]
struct CategoryView<'a> {
    id: &'a str,
    name: &'a str,
    about: &'a str,
    prompts: usize,
}

impl View for Categories<'_> {
    fn plain(&self, out: &mut Out) -> Result<()> {
        for c in &self.0 {
            out.record(&[c.id, &c.prompts.to_string(), c.name, c.about])?;
        }
        Ok(())
    }

    fn table(&self, out: &mut Out, style: Style) -> Result<()> {
        let rows: Vec<Vec<String>> = self
            .0
            .iter()
            .map(|c| vec![c.id.to_owned(), c.prompts.to_string(), c.about.to_owned()])
            .collect();
        out.line(&table(
            &["category", "prompts", "about"],
            &rows,
            style.width,
            style.color,
        ))
    }
}
