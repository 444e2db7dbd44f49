//! CSV (RFC 4180, one kind of record per run), escaped so that no cell a partner typed runs in a
//! spreadsheet.

use crate::gather::{Data, Kind};
use closer_cli::output::{Out, clean};
use closer_core::Result;

/// One CSV cell: a cell that a spreadsheet would run as a formula, even after blanks (some skip
/// them when they import a cell), gets a leading `'`; quoted when it holds a comma, quote or line
/// break.
fn cell(s: &str) -> String {
    let s = clean(s, true);
    let s = if s.starts_with(['\t', '\r']) || s.trim_start().starts_with(['=', '+', '-', '@']) {
        format!("'{s}")
    } else {
        s.into_owned()
    };
    if s.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s
    }
}

fn row(out: &mut Out, cells: &[&str]) -> Result<()> {
    let line: Vec<String> = cells.iter().map(|c| cell(c)).collect();
    out.raw(&line.join(","))?;
    out.raw("\r\n")
}

fn opt<T: ToString>(v: &Option<T>) -> String {
    v.as_ref().map(ToString::to_string).unwrap_or_default()
}

/// The byte order mark that tells spreadsheet programs the file is UTF-8.
const BOM: &str = "\u{feff}";

pub(crate) fn write(d: &Data, kind: Kind, bom: bool, out: &mut Out) -> Result<()> {
    if bom {
        out.raw(BOM)?;
    }
    match kind {
        Kind::Needs => {
            row(
                out,
                &[
                    "id",
                    "owner",
                    "text",
                    "category",
                    "condition",
                    "importance",
                    "status",
                    "plan",
                    "helper",
                    "review",
                    "private",
                    "created",
                ],
            )?;
            for n in &d.needs {
                let importance = closer_core::word(&n.importance);
                let helper = n
                    .helper
                    .as_ref()
                    .map(|h| h.describe(|id| d.name(id).to_owned()))
                    .unwrap_or_default();
                row(
                    out,
                    &[
                        &n.id,
                        d.name(&n.owner),
                        &n.text,
                        &n.category,
                        &opt(&n.condition),
                        importance,
                        n.status.label(),
                        &opt(&n.plan),
                        &helper,
                        &opt(&n.review),
                        &n.private.to_string(),
                        &n.created.to_string(),
                    ],
                )?;
            }
        }
        Kind::Prompts => {
            row(out, &["date", "partner", "prompt", "prompt_text", "answer"])?;
            for (who, a) in &d.answers {
                row(
                    out,
                    &[
                        &a.date.to_string(),
                        d.name(who),
                        &a.prompt,
                        &a.prompt_text,
                        &a.text,
                    ],
                )?;
            }
        }
        Kind::Touch => {
            // One row per debrief (a session without any has one row with the debrief cells
            // empty), so that each debrief keeps its author, what was too much, and its privacy.
            row(
                out,
                &[
                    "date",
                    "session",
                    "step",
                    "title",
                    "logged_by",
                    "giver",
                    "minutes",
                    "note",
                    "debrief_by",
                    "debrief_date",
                    "noticed",
                    "too_much",
                    "debrief_private",
                ],
            )?;
            for (who, s) in &d.sessions {
                let giver = s.giver.as_deref().map(|g| d.name(g)).unwrap_or_default();
                let title = d.step_title(&s.step);
                let (date, minutes, note) = (s.date.to_string(), opt(&s.minutes), opt(&s.note));
                let session = [
                    date.as_str(),
                    &s.id,
                    &s.step,
                    &title,
                    d.name(who),
                    giver,
                    &minutes,
                    &note,
                ];
                let mut any = false;
                for (by, x) in d.debriefs_of(&s.id) {
                    any = true;
                    let too_much = match x.too_much.as_deref() {
                        None => String::new(),
                        Some("") => "yes".to_owned(),
                        Some(t) => format!("yes: {t}"),
                    };
                    let (day, noticed) = (x.date.to_string(), opt(&x.noticed));
                    let private = x.private.to_string();
                    let mut cells = session.to_vec();
                    cells.extend([d.name(by), &day, &noticed, &too_much, &private]);
                    row(out, &cells)?;
                }
                if !any {
                    let mut cells = session.to_vec();
                    cells.extend(["", "", "", "", ""]);
                    row(out, &cells)?;
                }
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::cell;

    #[test]
    fn a_formula_after_leading_spaces_is_made_inert_too() {
        // Some spreadsheets skip blanks before a formula sign when they import a cell.
        for typed in [
            " =1+1",
            "  +1",
            " \t-2",
            "\u{3000}@SUM(A1)",
            " =HYPERLINK(\"x\")",
        ] {
            let c = cell(typed);
            let c = c.trim_start_matches('"');
            assert!(c.starts_with('\''), "{typed:?} became {c:?}");
        }
        for plain in ["a walk", " a walk", "-", ""] {
            let c = cell(plain);
            assert_eq!(c.starts_with('\''), plain == "-", "{plain:?} became {c:?}");
        }
    }
}
