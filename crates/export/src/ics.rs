//! Calendars (RFC 5545): the review date of each need and the end date of each hold, as
//! all-day events. Each event's UID is stable and its SEQUENCE grows with the record, so
//! importing a later export again updates the events instead of adding them twice.

use crate::gather::Data;
use crate::touch_facts::{self, HoldState};
use chrono::{DateTime, NaiveDate, Utc};
use closer_cli::output::{Out, clean};
use closer_core::Result;

/// A TEXT value: backslash, semicolon, comma and line breaks escaped, nothing that drives a
/// terminal.
fn text(s: &str) -> String {
    let s = clean(s, true);
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.trim().chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            ';' => out.push_str("\\;"),
            ',' => out.push_str("\\,"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push(' '),
            c => out.push(c),
        }
    }
    out
}

/// One content line, folded at 75 octets (never inside a character), ended by CRLF.
fn line(out: &mut String, s: &str) {
    let mut width = 0;
    for c in s.chars() {
        if width + c.len_utf8() > 75 {
            out.push_str("\r\n ");
            width = 1;
        }
        out.push(c);
        width += c.len_utf8();
    }
    out.push_str("\r\n");
}

fn day(d: NaiveDate) -> String {
    d.format("%Y%m%d").to_string()
}

fn stamp(t: DateTime<Utc>) -> String {
    t.format("%Y%m%dT%H%M%SZ").to_string()
}

struct Event<'a> {
    uid: String,
    date: NaiveDate,
    summary: String,
    description: String,
    sequence: usize,
    modified: Option<DateTime<Utc>>,
    private: bool,
    cancelled: bool,
    stamp: &'a str,
}

fn event(out: &mut String, e: &Event) {
    line(out, "BEGIN:VEVENT");
    line(out, &format!("UID:{}", e.uid));
    line(out, &format!("DTSTAMP:{}", e.stamp));
    line(out, &format!("DTSTART;VALUE=DATE:{}", day(e.date)));
    let next = e.date.succ_opt().unwrap_or(e.date);
    line(out, &format!("DTEND;VALUE=DATE:{}", day(next)));
    line(out, &format!("SUMMARY:{}", text(&e.summary)));
    if !e.description.is_empty() {
        line(out, &format!("DESCRIPTION:{}", text(&e.description)));
    }
    line(out, &format!("SEQUENCE:{}", e.sequence));
    if let Some(m) = e.modified {
        line(out, &format!("LAST-MODIFIED:{}", stamp(m)));
    }
    if e.private {
        line(out, "CLASS:PRIVATE");
    }
    if e.cancelled {
        line(out, "STATUS:CANCELLED");
    }
    line(out, "TRANSP:TRANSPARENT");
    line(out, "END:VEVENT");
}

pub(crate) fn write(d: &Data, out: &mut Out) -> Result<()> {
    // DTSTAMP is the export day, so that the same export on the same day gives the same file.
    let stamp = format!("{}T000000Z", day(d.today));
    let mut s = String::new();
    line(&mut s, "BEGIN:VCALENDAR");
    line(&mut s, "VERSION:2.0");
    line(&mut s, "PRODID:-//closer//closer-export//EN");
    line(&mut s, "CALSCALE:GREGORIAN");
    line(&mut s, "X-WR-CALNAME:closer");
    for n in &d.needs {
        let Some(review) = n.review else { continue };
        let mut description = format!("{}'s need, {}.", d.name(&n.owner), n.status.label());
        if let Some(p) = &n.plan {
            description.push_str("\nAgreed: ");
            description.push_str(p);
        }
        event(
            &mut s,
            &Event {
                uid: format!("need-{}-review@closer", n.id),
                date: review,
                summary: format!("Look again at: {}", n.text),
                description,
                sequence: n.history.len(),
                modified: n.history.last().map(|c| c.at),
                private: n.private,
                cancelled: !n.status.is_open(),
                stamp: &stamp,
            },
        );
    }
    for (h, state) in touch_facts::holds(d) {
        event(
            &mut s,
            &Event {
                uid: format!("hold-{}@closer", h.id),
                date: h.until,
                summary: format!(
                    "Hold ends: touch from stage {} may open again",
                    h.from_stage
                ),
                description: format!("{}\nThis hold is {}.", h.reason, state.label()),
                sequence: usize::from(h.released.is_some()),
                modified: h.released_at.or(h.at),
                private: false,
                cancelled: matches!(state, HoldState::Released(_)),
                stamp: &stamp,
            },
        );
    }
    line(&mut s, "END:VCALENDAR");
    out.raw(&s)
}
