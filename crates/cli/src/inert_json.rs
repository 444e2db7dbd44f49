//! JSON that cannot drive a terminal when someone `cat`s it: serde_json escapes C0 controls
//! itself; this writes C1 controls, DEL and the bidirectional controls as `\u` escapes too.
//! Lossless: a JSON reader gets back exactly the same strings.

use serde::Serialize;
use serde_json::ser::{Formatter, PrettyFormatter};
use std::io::{self, Write};

/// Whether `c` is written as a `\u` escape: DEL, C1 controls, and the marks that reorder text.
pub fn needs_escape(c: char) -> bool {
    matches!(
        c,
        '\u{7f}'..='\u{9f}'
            | '\u{61c}'
            | '\u{200e}'
            | '\u{200f}'
            | '\u{202a}'..='\u{202e}'
            | '\u{2066}'..='\u{2069}'
    )
}

/// Pretty JSON, with [`needs_escape`] characters escaped.
struct Inert(PrettyFormatter<'static>);

impl Formatter for Inert {
    fn write_string_fragment<W: ?Sized + Write>(&mut self, w: &mut W, s: &str) -> io::Result<()> {
        let mut start = 0;
        for (i, c) in s.char_indices() {
            if needs_escape(c) {
                w.write_all(&s.as_bytes()[start..i])?;
                write!(w, "\\u{:04x}", u32::from(c))?;
                start = i + c.len_utf8();
            }
        }
        w.write_all(&s.as_bytes()[start..])
    }

    fn begin_array<W: ?Sized + Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.0.begin_array(w)
    }
    fn end_array<W: ?Sized + Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.0.end_array(w)
    }
    fn begin_array_value<W: ?Sized + Write>(&mut self, w: &mut W, first: bool) -> io::Result<()> {
        self.0.begin_array_value(w, first)
    }
    fn end_array_value<W: ?Sized + Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.0.end_array_value(w)
    }
    fn begin_object<W: ?Sized + Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.0.begin_object(w)
    }
    fn end_object<W: ?Sized + Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.0.end_object(w)
    }
    fn begin_object_key<W: ?Sized + Write>(&mut self, w: &mut W, first: bool) -> io::Result<()> {
        self.0.begin_object_key(w, first)
    }
    fn begin_object_value<W: ?Sized + Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.0.begin_object_value(w)
    }
    fn end_object_value<W: ?Sized + Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.0.end_object_value(w)
    }
}

/// Writes `value` as pretty, inert JSON.
pub fn to_writer<W: Write, T: Serialize + ?Sized>(w: W, value: &T) -> serde_json::Result<()> {
    let mut ser = serde_json::Serializer::with_formatter(w, Inert(PrettyFormatter::new()));
    value.serialize(&mut ser)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn inert(v: &serde_json::Value) -> String {
        let mut b = Vec::new();
        to_writer(&mut b, v).unwrap();
        String::from_utf8(b).unwrap()
    }

    #[test]
    fn c1_del_and_bidi_controls_are_escaped_and_read_back_the_same() {
        let raw = "a\u{9b}31m b\u{9d}0;t\u{7} c\u{7f} d\u{202e}evil\u{2066}x\u{61c}\u{200f} é ✓ \u{1b}[0m";
        let v = serde_json::json!({ "text": raw, "list": [raw] });
        let s = inert(&v);
        assert!(
            !s.chars()
                .any(|c| c.is_control() && c != '\n' || needs_escape(c)),
            "{s:?}"
        );
        assert!(s.contains("\\u009b") && s.contains("\\u202e") && s.contains("\\u007f"));
        assert!(s.contains("é ✓"), "ordinary text stays as it is: {s}");
        assert_eq!(serde_json::from_str::<serde_json::Value>(&s).unwrap(), v);
        // The same layout as serde_json's own pretty printer.
        let plain = serde_json::json!({"a": [1, {"b": "c"}], "d": null});
        assert_eq!(inert(&plain), serde_json::to_string_pretty(&plain).unwrap());
    }
}
