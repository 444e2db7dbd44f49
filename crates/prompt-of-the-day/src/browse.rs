//! `history`, `list` and `categories`: looking back and browsing the library.

use chrono::NaiveDate;
use closer_cli::Context;
use closer_cli::output::{Format, Mode, Out, table};
use closer_core::Result;
use closer_core::answer_rules;
use closer_core::profile::Couple;
use closer_core::prompts::{Answer, Filter, all_answers, check_categories, rotation};
use serde_json::{Value, json};

pub(crate) fn history(
    ctx: &Context,
    since: Option<NaiveDate>,
    until: Option<NaiveDate>,
    format: Format,
) -> Result<()> {
    closer_core::dates::check_range(since, until)?;
    let couple = ctx.couple()?;
    let viewer = ctx.viewer(&couple)?.map(|p| p.id.clone());
    let answers =
        answer_rules::for_viewer(all_answers(&ctx.store, since, until)?, viewer.as_deref());
    // What a row says: the answer, that the partner passed, or that it waits for your turn.
    let said = |who: &str, a: &Answer| -> String {
        if a.passed {
            "(passed)".to_owned()
        } else if a.sealed {
            format!(
                "({} has answered; you will read it once you have answered or passed)",
                couple.name_of(who)
            )
        } else {
            a.text.clone()
        }
    };
    let mut out = Out::default();
    match format.mode(ctx.stdout_terminal) {
        Mode::Json => out.json(
            &answers
                .iter()
                .map(|(who, a)| {
                    json!({
                        "date": a.date, "partner": couple.name_of(who), "prompt": a.prompt,
                        "prompt_text": a.prompt_text,
                        "answer": if a.sealed || a.passed { Value::Null } else { json!(a.text) },
                        "sealed": a.sealed, "passed": a.passed,
                        "earlier": a.earlier.iter().map(|e| json!({"prompt": e.prompt, "text": e.text, "at": e.at})).collect::<Vec<_>>(),
                    })
                })
                .collect::<Vec<_>>(),
        ),
        Mode::Plain => {
            for (who, a) in &answers {
                out.record(&[&a.date.to_string(), couple.name_of(who), &a.prompt, &said(who, a)])?;
            }
            Ok(())
        }
        Mode::Table => {
            if answers.is_empty() {
                return out.line("No answers yet. Answer today's prompt with `prompt-of-the-day answer TEXT`.");
            }
            // Answers you cannot read yet make one line at the end, not one row each.
            let rows: Vec<Vec<String>> = answers
                .iter()
                .filter(|(_, a)| !a.sealed)
                .map(|(who, a)| vec![a.date.to_string(), a.prompt_text.clone(), couple.name_of(who).to_owned(), said(who, a)])
                .collect();
            if !rows.is_empty() {
                out.line(&table(&["date", "prompt", "who", "answer"], &rows, ctx.width, ctx.color))?;
            }
            for line in waiting(&couple, &answers) {
                out.line(&line)?;
            }
            for (_, a) in answers.iter().filter(|(_, a)| !a.earlier.is_empty()) {
                for e in &a.earlier {
                    out.line(&format!("Your earlier answer for {} ({}): {}", a.date, e.at.date_naive(), e.text))?;
                }
            }
            Ok(())
        }
    }
}

/// One line per partner whose answers wait for yours: on how many days, and how to read them.
fn waiting(couple: &Couple, answers: &[(String, Answer)]) -> Vec<String> {
    let mut days: Vec<(&str, usize)> = Vec::new();
    for (who, _) in answers.iter().filter(|(_, a)| a.sealed) {
        match days.iter_mut().find(|(w, _)| *w == who.as_str()) {
            Some((_, n)) => *n += 1,
            None => days.push((who, 1)),
        }
    }
    days.into_iter()
        .map(|(who, n)| {
            let when = if n == 1 { "one day".to_owned() } else { format!("{n} days") };
            format!(
                "{} answered on {when} you have not answered yet; their answers are yours to read once you answer or pass (`prompt-of-the-day answer --date YYYY-MM-DD`).",
                couple.name_of(who)
            )
        })
        .collect()
}

pub(crate) fn list(ctx: &Context, categories: &[String], format: Format) -> Result<()> {
    let lib = ctx.library()?;
    let filter = Filter {
        low_energy: false,
        categories: check_categories(lib, categories)?,
    };
    let mut prompts = rotation(lib, &ctx.couple()?, &filter);
    prompts.sort_by_key(|p| p.id);
    let mut out = Out::default();
    match format.mode(ctx.stdout_terminal) {
        Mode::Json => out.json(&prompts),
        Mode::Plain => {
            for p in &prompts {
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
        Mode::Table => {
            let rows: Vec<Vec<&str>> = prompts
                .iter()
                .map(|p| vec![p.id, p.depth.as_str(), p.text])
                .collect();
            out.line(&table(
                &["id", "depth", "prompt"],
                &rows,
                ctx.width,
                ctx.color,
            ))
        }
    }
}

pub(crate) fn categories(ctx: &Context, format: Format) -> Result<()> {
    let lib = ctx.library()?;
    let available = rotation(lib, &ctx.couple()?, &Filter::default());
    let counts: Vec<(&str, &str, &str, usize)> = lib
        .categories
        .iter()
        .map(|c| {
            (
                c.id,
                c.name,
                c.about,
                available.iter().filter(|p| p.category == c.id).count(),
            )
        })
        .filter(|c| c.3 > 0)
        .collect();
    let mut out = Out::default();
    match format.mode(ctx.stdout_terminal) {
        Mode::Json => out.json(
            &counts
                .iter()
                .map(|c| json!({"id": c.0, "name": c.1, "about": c.2, "prompts": c.3}))
                .collect::<Vec<_>>(),
        ),
        Mode::Plain => {
            for c in &counts {
                out.record(&[c.0, &c.3.to_string(), c.1, c.2])?;
            }
            Ok(())
        }
        Mode::Table => {
            let rows: Vec<Vec<String>> = counts
                .iter()
                .map(|c| vec![c.0.to_owned(), c.3.to_string(), c.2.to_owned()])
                .collect();
            out.line(&table(
                &["category", "prompts", "about"],
                &rows,
                ctx.width,
                ctx.color,
            ))
        }
    }
}
