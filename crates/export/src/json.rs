//! Lossless JSON (`"schema": "closer-export/2"`), described by `closer-export-2.schema.json`:
//! every record the partner at the keyboard may see, as it is stored, and what a restore needs.

use crate::gather::Data;
use chrono::NaiveDate;
use closer_cli::output::Out;
use closer_core::Result;
use closer_core::joint_changes::Change;
use closer_core::needs::Need;
use closer_core::touch::{Hold, State};
use serde::Serialize;

pub const SCHEMA: &str = "closer-export/2";

#[derive(Serialize)]
struct Doc<'a> {
    schema: &'static str,
    exported: NaiveDate,
    /// The partner at the keyboard, whose private records are included.
    #[serde(rename = "as")]
    as_name: Option<&'a str>,
    partners: Vec<PartnerOut<'a>>,
    sexual_content: bool,
    /// The prompt rotation seed.
    seed: u64,
    /// Names replaced and private records left out: not for restoring.
    redacted: bool,
    /// The couple left out prompts that look years ahead.
    no_future_prompts: bool,
    needs: &'a [Need],
    answers: Vec<Owned<'a, closer_core::prompts::Answer>>,
    /// The exporting partner's own passes, for a restore.
    passes: Vec<Owned<'a, closer_core::prompts::Answer>>,
    touch: Option<TouchOut<'a>>,
}

#[derive(Serialize)]
struct PartnerOut<'a> {
    id: &'a str,
    name: &'a str,
    conditions: &'a [String],
    added: NaiveDate,
    /// The exporting partner's own opt-in; nobody else's.
    #[serde(skip_serializing_if = "Option::is_none")]
    sexual: Option<bool>,
}

/// A record with the ID of the partner whose file it comes from.
#[derive(Serialize)]
struct Owned<'a, T> {
    partner: &'a str,
    #[serde(flatten)]
    record: &'a T,
}

#[derive(Serialize)]
struct TouchOut<'a> {
    current: Option<&'a str>,
    paused: bool,
    in_plan: Vec<&'a str>,
    holds: &'a [Hold],
    /// Changes of the joint result, naming nobody.
    changes: &'a [Change],
    sessions: Vec<Owned<'a, closer_core::touch::Session>>,
    debriefs: Vec<Owned<'a, closer_core::touch::Debrief>>,
    /// Only the exporting partner's own boundaries, body map and marks.
    mine: Option<&'a State>,
}

fn owned<T>(v: &[(String, T)]) -> Vec<Owned<'_, T>> {
    v.iter()
        .map(|(p, r)| Owned {
            partner: p,
            record: r,
        })
        .collect()
}

pub(crate) fn write(d: &Data, out: &mut Out) -> Result<()> {
    let doc = Doc {
        schema: SCHEMA,
        exported: d.today,
        as_name: d.viewer.as_ref().map(|p| d.name(&p.id)),
        partners: d
            .couple
            .partners
            .iter()
            .map(|p| PartnerOut {
                id: &p.id,
                name: d.name(&p.id),
                conditions: &p.conditions,
                added: p.added,
                sexual: (!d.redacted && d.viewer.as_ref().is_some_and(|v| v.id == p.id))
                    .then_some(p.sexual),
            })
            .collect(),
        sexual_content: d.couple.sexual_ok(),
        seed: d.couple.seed,
        redacted: d.redacted,
        no_future_prompts: d.couple.no_future_prompts,
        needs: &d.needs,
        answers: owned(&d.answers),
        passes: owned(&d.passes),
        touch: d.plan.as_ref().map(|plan| TouchOut {
            current: plan.current.map(|s| s.id),
            paused: plan.paused,
            in_plan: plan.in_plan.iter().map(|s| s.id).collect(),
            holds: &d.holds,
            changes: &d.changes,
            sessions: owned(&d.sessions),
            debriefs: owned(&d.debriefs),
            mine: d.own_state.as_ref(),
        }),
    };
    out.json(&doc)
}
