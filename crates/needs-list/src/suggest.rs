//! `suggest`: ideas for needs from the library, for the couple's conditions and roles.

use closer_cli::Context;
use closer_cli::output::{Format, Out, Style, View, table};
use closer_core::Result;
use closer_core::content::{NeedSuggestion, Role};
use closer_core::needs::{self, Importance, Need};
use closer_core::profile::check_conditions;
use closer_core::suggestions;
use serde::Serialize;

pub(crate) fn run(
    ctx: &Context,
    condition: Option<String>,
    add: Option<usize>,
    format: Format,
) -> Result<()> {
    let lib = ctx.library()?;
    let condition = condition
        .map(|c| check_conditions(lib, &[c]).map(|mut v| v.remove(0)))
        .transpose()?;
    let couple = ctx.couple()?;
    let me = ctx.viewer(&couple)?.map(|p| p.id.clone());
    let list = suggestions::fitting(lib, &couple, condition.as_deref(), me.as_deref());
    if let Some(n) = add {
        let Some(s) = n.checked_sub(1).and_then(|i| list.get(i)) else {
            return Err(closer_core::Error::usage(format!(
                "there is no suggestion {n}; `needs-list suggest` numbers them from 1 to {}",
                list.len()
            )));
        };
        let couple = ctx.require_couple()?;
        let me = ctx.me(&couple)?;
        let condition = s.conditions.first().map(|c| c.to_string());
        let (text, category) = (s.text.to_owned(), s.category.to_owned());
        let need = Need::open(
            &me.id,
            text,
            category,
            condition,
            Importance::Medium,
            false,
            ctx.today,
        );
        let n = needs::add(&ctx.store, need, ctx.now)?;
        return Out::default().line(&n.id);
    }
    let view = Suggestions(
        list.into_iter()
            .enumerate()
            .map(|(i, suggestion)| Numbered {
                n: i + 1,
                suggestion,
            })
            .collect(),
    );
    ctx.show(format, &view)
}

/// `suggest --json`: the ideas, numbered for `--add N`.
#[derive(Serialize)]
#[serde(transparent)]
struct Suggestions<'a>(Vec<Numbered<'a>>);

#[derive(Serialize)]
struct Numbered<'a> {
    n: usize,
    suggestion: &'a NeedSuggestion,
}

fn role(r: Role) -> &'static str {
    match r {
        Role::LivingWith => "living with it",
        Role::Supporting => "supporting",
        Role::Either => "anyone",
    }
}

impl View for Suggestions<'_> {
    fn plain(&self, out: &mut Out) -> Result<()> {
        for Numbered { n, suggestion: s } in &self.0 {
            out.record(&[
                &n.to_string(),
                &s.conditions.join(","),
                role(s.role),
                s.category,
                s.text,
            ])?;
        }
        Ok(())
    }

    fn table(&self, out: &mut Out, style: Style) -> Result<()> {
        let rows: Vec<Vec<String>> = self
            .0
            .iter()
            .map(|Numbered { n, suggestion: s }| {
                vec![
                    n.to_string(),
                    s.text.to_owned(),
                    s.conditions.join(", "),
                    role(s.role).to_owned(),
                ]
            })
            .collect();
        out.line(&table(
            &["n", "idea", "condition", "for"],
            &rows,
            style.width,
            style.color,
        ))?;
        out.line("Add one as your need with `needs-list suggest --add N --as NAME` (same options as this list).")
    }
}
