//! `suggest`: ideas for needs from the library, for the couple's conditions and roles.

use closer_cli::Context;
use closer_cli::output::{Format, Mode, Out, table};
use closer_core::Result;
use closer_core::content::{Library, NeedSuggestion, Role};
use closer_core::needs::{self, Importance, Need};
use closer_core::profile::{Couple, check_conditions};
use serde_json::json;

/// The suggestions for a couple: for each condition, what the partner living with it may need
/// and what the partner supporting may need, then the needs of carers and of anyone. With a
/// partner named, only what fits their side.
fn pick<'a>(
    lib: &'a Library,
    couple: &Couple,
    condition: Option<&str>,
    me: Option<&str>,
) -> Vec<&'a NeedSuggestion> {
    let conditions: Vec<&str> = match condition {
        Some(c) => vec![c],
        None => couple.conditions(),
    };
    let has = |who: &str, c: &str| {
        couple
            .by_id(who)
            .is_some_and(|p| p.conditions.iter().any(|x| x == c))
    };
    let fits = |s: &NeedSuggestion| {
        if s.conditions.is_empty() {
            return condition.is_none();
        }
        s.conditions.iter().any(|c| conditions.contains(c))
            && match (me, s.role) {
                (None, _) | (_, Role::Either) => true,
                (Some(m), Role::LivingWith) => {
                    s.conditions.iter().any(|c| has(m, c)) || condition.is_some()
                }
                (Some(m), Role::Supporting) => s.conditions.iter().any(|c| !has(m, c)),
            }
    };
    let mut v: Vec<&NeedSuggestion> = lib.needs.iter().filter(|s| fits(s)).collect();
    v.sort_by_key(|s| (s.conditions.is_empty(), s.role == Role::Supporting));
    v
}

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
    let list = pick(lib, &couple, condition.as_deref(), me.as_deref());
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
    let mut out = Out::default();
    let role = |r: Role| match r {
        Role::LivingWith => "living with it",
        Role::Supporting => "supporting",
        Role::Either => "anyone",
    };
    match format.mode(ctx.stdout_terminal) {
        Mode::Json => out.json(
            &list
                .iter()
                .enumerate()
                .map(|(i, s)| json!({"n": i + 1, "suggestion": s}))
                .collect::<Vec<_>>(),
        ),
        Mode::Plain => {
            for (i, s) in list.iter().enumerate() {
                out.record(&[
                    &(i + 1).to_string(),
                    &s.conditions.join(","),
                    role(s.role),
                    s.category,
                    s.text,
                ])?;
            }
            Ok(())
        }
        Mode::Table => {
            let rows: Vec<Vec<String>> = list
                .iter()
                .enumerate()
                .map(|(i, s)| {
                    vec![
                        (i + 1).to_string(),
                        s.text.to_owned(),
                        s.conditions.join(", "),
                        role(s.role).to_owned(),
                    ]
                })
                .collect();
            out.line(&table(
                &["n", "idea", "condition", "for"],
                &rows,
                ctx.width,
                ctx.color,
            ))?;
            out.line("Add one as your need with `needs-list suggest --add N --as NAME` (same options as this list).")
        }
    }
}
