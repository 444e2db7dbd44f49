//! `suggest`: ideas for needs from the library, for the couple's conditions and roles.

use closer_cli::Context;
use closer_cli::output::{Format, Out, Style, View, table};
use closer_core::Result;
use closer_core::content::{Library, NeedSuggestion, Role};
use closer_core::needs::{self, Importance, Need};
use closer_core::profile::check_conditions;
use closer_core::suggestions;
use serde::Serialize;

// `suggest`: the command line, next to what it does.
#[derive(clap::Args, Debug)]
pub(crate) struct SuggestArgs {
    /// Ideas for this condition [default: the couple's conditions]
    #[arg(long, value_name = "TAG")]
    condition: Option<String>,
    /// Add suggestion number N (as listed) as your need
    #[arg(long, value_name = "N")]
    add: Option<usize>,
    #[command(flatten)]
    format: Format,
}

/// Which ideas, checked: a condition the library describes.
struct SuggestRequest {
    condition: Option<String>,
    add: Option<usize>,
    format: Format,
}

impl SuggestArgs {
    fn validate(self, lib: &Library) -> Result<SuggestRequest> {
        Ok(SuggestRequest {
            condition: self
                .condition
                .map(|c| check_conditions(lib, &[c]).map(|mut v| v.remove(0)))
                .transpose()?,
            add: self.add,
            format: self.format,
        })
    }
}

pub(crate) fn run(ctx: &Context, args: SuggestArgs) -> Result<()> {
    let lib = ctx.library()?;
    let SuggestRequest {
        condition,
        add,
        format,
    } = args.validate(lib)?;
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ideas_are_for_a_condition_the_library_describes() {
        let lib = Library::builtin();
        let suggest = |c: &str| {
            SuggestArgs {
                condition: Some(c.into()),
                add: None,
                format: Format::default(),
            }
            .validate(&lib)
        };
        assert_eq!(
            suggest(" Arthritis").unwrap().condition.as_deref(),
            Some("arthritis")
        );
        let e = suggest("flu").err().expect("no such condition");
        assert_eq!(e.exit_code(), 2);
        assert!(closer_cli::hint(&e, "needs-list").contains("couple conditions"));
    }
}
