//! `suggest`: ideas for needs from the library, for the couple's conditions and roles.

use closer_cli::Context;
use closer_cli::output::{Format, Mode, Out, table};
use closer_core::Result;
use closer_core::content::Role;
use closer_core::needs::{self, Importance, Need};
use closer_core::profile::check_conditions;
use closer_core::suggestions;
use serde_json::json;

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
