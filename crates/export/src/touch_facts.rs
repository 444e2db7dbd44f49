//! The touch facts every format shows beside the sessions: each hold with whether it is still in
//! force, and the exporting partner's own boundaries and body map (never the other partner's).

use crate::gather::Data;
use chrono::NaiveDate;
use closer_core::touch::Hold;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum HoldState {
    InForce,
    /// Its end date has passed.
    Ended,
    /// Released early, on that day.
    Released(NaiveDate),
}

impl HoldState {
    pub(crate) fn label(self) -> String {
        match self {
            HoldState::InForce => "in force".to_owned(),
            HoldState::Ended => "ended".to_owned(),
            HoldState::Released(d) => format!("released {d}"),
        }
    }
}

/// Every hold, oldest first, with its state on the export day.
pub(crate) fn holds<'a>(d: &'a Data) -> Vec<(&'a Hold, HoldState)> {
    let mut v: Vec<(&Hold, HoldState)> = d
        .holds
        .iter()
        .map(|h| {
            let state = match h.released {
                Some(r) if r <= d.today => HoldState::Released(r),
                _ if h.until <= d.today => HoldState::Ended,
                _ => HoldState::InForce,
            };
            (h, state)
        })
        .collect();
    v.sort_by(|a, b| (a.0.created, &a.0.id).cmp(&(b.0.created, &b.0.id)));
    v
}

/// The exporting partner's own boundaries: (step title, answer).
pub(crate) fn my_boundaries(d: &Data) -> Vec<(String, &'static str)> {
    d.own_state.as_ref().map_or_else(Vec::new, |s| {
        s.boundaries
            .iter()
            .map(|(step, a)| (d.step_title(step), closer_core::word(a)))
            .collect()
    })
}

/// The exporting partner's own body map: (region, mark, note).
pub(crate) fn my_body_map<'a>(d: &'a Data) -> Vec<(&'a str, &'static str, Option<&'a str>)> {
    d.own_state.as_ref().map_or_else(Vec::new, |s| {
        s.body
            .iter()
            .map(|(r, m)| (r.as_str(), closer_core::word(&m.mark), m.note.as_deref()))
            .collect()
    })
}
