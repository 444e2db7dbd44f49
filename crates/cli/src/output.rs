//! How results reach the user: a table on a terminal, one tab-separated record per line for
//! scripts, or stable JSON; every string cleaned of control and escape sequences first.

use closer_core::error::{Error, Result};
use comfy_table::{ContentArrangement, Table, presets};
use serde::Serialize;
use std::borrow::Cow;
use std::io::{self, Write};
use std::sync::{LazyLock, Mutex};

// `--json` and `--plain`, for every command that shows records.
#[derive(clap::Args, Debug, Clone, Copy, Default)]
pub struct Format {
    /// Print stable JSON (the scripting interface)
    #[arg(long, conflicts_with = "plain")]
    pub json: bool,
    /// Print one record per line, fields separated by tabs
    #[arg(long)]
    pub plain: bool,
}

// `--json` alone, for commands whose other form is text for people.
#[derive(clap::Args, Debug, Clone, Copy, Default)]
pub struct JsonOnly {
    /// Print JSON (the scripting interface)
    #[arg(long)]
    json: bool,
}

impl JsonOnly {
    /// The output format asked for.
    pub fn format(self) -> Format {
        Format::json_only(self.json)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    Table,
    Plain,
    Json,
}

impl Format {
    /// `--json` alone: JSON, else what suits where the output goes.
    pub fn json_only(json: bool) -> Format {
        Format { json, plain: false }
    }

    /// Tables only on a terminal; plain lines anywhere else.
    pub fn mode(self, stdout_is_terminal: bool) -> Mode {
        if self.json {
            Mode::Json
        } else if self.plain || !stdout_is_terminal {
            Mode::Plain
        } else {
            Mode::Table
        }
    }
}

/// Removes what could drive a terminal: escape sequences, control characters (keeping line breaks
/// and tabs when `multiline`), and bidirectional overrides that reorder what is shown.
pub fn clean(s: &str, multiline: bool) -> Cow<'_, str> {
    let bad = |c: char| (c.is_control() && !(multiline && (c == '\n' || c == '\t'))) || is_bidi(c);
    // Printable ASCII needs no look at each character.
    if s.bytes().all(|b| (0x20..0x7f).contains(&b)) || !s.chars().any(bad) {
        return Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len());
    let mut chars = s.chars().peekable();
    while let Some(c) = chars.next() {
        if c == '\u{1b}' {
            match chars.peek() {
                // CSI: ESC [ parameters final-byte
                Some('[') => {
                    chars.next();
                    for n in chars.by_ref() {
                        if ('\u{40}'..='\u{7e}').contains(&n) {
                            break;
                        }
                    }
                }
                // OSC and friends: ESC ] ... BEL or ESC \
                Some(']' | 'P' | '_' | '^') => {
                    chars.next();
                    while let Some(n) = chars.next() {
                        if n == '\u{7}' || (n == '\u{1b}' && chars.next_if_eq(&'\\').is_some()) {
                            break;
                        }
                    }
                }
                Some(_) => {
                    chars.next();
                }
                None => {}
            }
        } else if c == '\r' || (c == '\n' && !multiline) || (c == '\t' && !multiline) {
            out.push(' ');
        } else if !bad(c) {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

/// Marks that reorder how text is shown (bidirectional overrides and isolates).
fn is_bidi(c: char) -> bool {
    matches!(c, '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}' | '\u{200e}' | '\u{200f}' | '\u{61c}')
}

/// One field of a plain, tab-separated line: cleaned, and with no tabs or line breaks left.
pub fn field(s: &str) -> Cow<'_, str> {
    clean(s, false)
}

/// Bytes that are never Markdown syntax: letters, digits, plain punctuation, and every byte of
/// a multi-byte character (checked separately).
const PLAIN: [bool; 256] = {
    let mut t = [false; 256];
    let mut b = 0;
    while b < 256 {
        let c = b as u8;
        t[b] = c.is_ascii_alphanumeric()
            || c >= 0x80
            || matches!(
                c,
                b' ' | b','
                    | b'.'
                    | b';'
                    | b':'
                    | b'\''
                    | b'"'
                    | b'?'
                    | b'('
                    | b')'
                    | b'/'
                    | b'@'
                    | b'^'
            );
        b += 1;
    }
    t
};

/// Text made inert for Markdown: cleaned for the terminal, every character that could start
/// markup (emphasis, links, wiki links, tags, HTML, entities, headings, quotes, lists, tables,
/// rules) escaped, web addresses kept whole as autolinks. Line breaks stay, as CommonMark hard
/// breaks (a blank line stays a paragraph break); each new line starts with `indent`.
pub fn markdown<'a>(s: &'a str, indent: &str) -> Cow<'a, str> {
    let first_ok = s
        .bytes()
        .next()
        .is_none_or(|b| !b.is_ascii_digit() && b != b' ');
    let all_plain = s.bytes().all(|b| PLAIN[b as usize]);
    if first_ok && all_plain && (s.is_ascii() || !s.chars().any(|c| c.is_control() || is_bidi(c))) {
        return Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len() + 8);
    let cleaned = clean(s, true);
    let mut previous_blank = true;
    for (i, line) in cleaned.trim_end().split('\n').enumerate() {
        let line = line.replace('\t', " ");
        let body = line.trim();
        if i > 0 {
            if !previous_blank && !body.is_empty() {
                out.push('\\');
            }
            out.push('\n');
            out.push_str(if body.is_empty() {
                indent.trim_end()
            } else {
                indent
            });
        }
        previous_blank = body.is_empty();
        if body.starts_with(|c: char| c.is_ascii_digit()) {
            // "1. text" would become a numbered list.
            let digits = body.chars().take_while(char::is_ascii_digit).count();
            if body[digits..].starts_with(['.', ')']) {
                out.push_str(&body[..digits]);
                out.push('\\');
                escape_md_chars(&body[digits..], &mut out);
                continue;
            }
        }
        escape_md_chars(body, &mut out);
    }
    Cow::Owned(out)
}

/// Escapes one line into `out`; a web address is written whole as an autolink instead.
fn escape_md_chars(s: &str, out: &mut String) {
    let mut rest = s;
    let mut line_start = true;
    while !rest.is_empty() {
        if let Some(url) = web_address(rest) {
            out.push('<');
            out.push_str(url);
            out.push('>');
            rest = &rest[url.len()..];
            line_start = false;
            continue;
        }
        let c = rest.chars().next().expect("not empty");
        rest = &rest[c.len_utf8()..];
        // Lists, rules and setext underlines only start a line; a heading does too, but notes
        // apps read `#word` anywhere as a tag. An entity is `&` and a name or number.
        let starts = line_start && matches!(c, '-' | '+' | '=');
        let entity = c == '&' && rest.starts_with(|n: char| n.is_ascii_alphanumeric() || n == '#');
        if starts
            || entity
            || matches!(
                c,
                '\\' | '`' | '*' | '_' | '[' | ']' | '<' | '>' | '|' | '~' | '$' | '%' | '#'
            )
        {
            out.push('\\');
        }
        out.push(c);
        line_start = false;
    }
}

/// The web address `s` starts with, if any: `http(s)://` up to the first space, without
/// trailing punctuation, and only if nothing in it would end an autolink.
fn web_address(s: &str) -> Option<&str> {
    if !(s.starts_with("https://") || s.starts_with("http://")) {
        return None;
    }
    let end = s.find(char::is_whitespace).unwrap_or(s.len());
    let url = s[..end].trim_end_matches(['.', ',', ';', ':', '!', '?', ')', '\'', '"']);
    let ok = url.len() > "https://".len()
        && url
            .chars()
            .all(|c| !c.is_control() && !matches!(c, '<' | '>' | '`' | '\\' | '"' | '\''));
    ok.then_some(url)
}

/// Writes a message to standard error, cleaned like everything else that reaches a terminal.
/// Results printed before it are written out first, so that both arrive in order; if that write
/// fails, the results stay buffered and [`finish`] reports it.
pub fn say(msg: &str) {
    let _ = flush();
    eprintln!("{}", clean(msg, true));
}

/// `say!("...", args)`: a cleaned message on standard error (for `eprintln!`-style use).
#[macro_export]
macro_rules! say {
    ($($arg:tt)*) => {
        $crate::output::say(&format!($($arg)*))
    };
}

/// Everything a command prints, held until [`finish`] (or a prompt) writes it out, so that a
/// failed final write is reported like any other error.
static STDOUT: LazyLock<Mutex<Sink>> = LazyLock::new(|| {
    Mutex::new(Sink {
        out: io::BufWriter::with_capacity(64 * 1024, io::stdout()),
        held: None,
    })
});

/// Standard output, buffered; while `held`, everything is kept for the pager (see [`page`]).
struct Sink {
    out: io::BufWriter<io::Stdout>,
    held: Option<Vec<u8>>,
}

impl Write for Sink {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        match &mut self.held {
            Some(h) => {
                h.extend_from_slice(buf);
                Ok(buf.len())
            }
            None => self.out.write(buf),
        }
    }

    /// Writes out everything, held text too, and stops holding: a command that asks a question
    /// or says something is not paged.
    fn flush(&mut self) -> io::Result<()> {
        if let Some(h) = self.held.take() {
            self.out.write_all(&h)?;
        }
        self.out.flush()
    }
}

fn with_stdout<T>(f: impl FnOnce(&mut Sink) -> io::Result<T>) -> Result<T> {
    let mut w = STDOUT.lock().unwrap_or_else(|e| e.into_inner());
    f(&mut w).map_err(Error::Output)
}

/// Keeps what the command prints until [`finish`], to show it through the pager if it is longer
/// than the terminal. Only for a standard output that is a terminal.
pub fn page() {
    let _ = with_stdout(|w| {
        w.held.get_or_insert_with(Vec::new);
        Ok(())
    });
}

/// Writes out everything printed so far (before a prompt or a message).
pub fn flush() -> Result<()> {
    with_stdout(|w| w.flush())
}

/// The final write of a run: everything printed reaches standard output (through the pager when
/// it was held and is long), or the error says why.
pub fn finish() -> Result<()> {
    with_stdout(|w| {
        if let Some(text) = w.held.take()
            && !crate::pager::show(&text)
        {
            w.out.write_all(&text)?;
        }
        w.out.flush()
    })
}

/// One tab-separated record, each field cleaned, and its line break, added to `text`: what
/// [`Out::record`] writes, for lines made up away from standard output.
pub fn push_record<S: AsRef<str>>(text: &mut String, fields: &[S]) {
    for (i, f) in fields.iter().enumerate() {
        if i > 0 {
            text.push('\t');
        }
        text.push_str(&field(f.as_ref()));
    }
    text.push('\n');
}

/// Standard output for results. Writes are buffered; [`finish`] writes them out at the end.
#[derive(Debug, Default)]
pub struct Out {
    /// The line [`Out::record`] makes up, kept for the next one.
    line: String,
}

impl Out {
    /// Writes text as it is (the caller has cleaned it).
    pub fn raw(&mut self, s: &str) -> Result<()> {
        with_stdout(|w| w.write_all(s.as_bytes()))
    }

    /// Writes one line, cleaned for the terminal (line breaks inside kept).
    pub fn line(&mut self, s: &str) -> Result<()> {
        self.raw(&clean(s, true))?;
        self.raw("\n")
    }

    /// Writes one tab-separated record.
    pub fn record<S: AsRef<str>>(&mut self, fields: &[S]) -> Result<()> {
        // Made up here and written once: thousands of lines are not a dozen writes each.
        let mut line = std::mem::take(&mut self.line);
        line.clear();
        push_record(&mut line, fields);
        let written = self.raw(&line);
        self.line = line;
        written
    }

    /// Writes a value as pretty JSON, inert on a terminal (see [`crate::inert_json`]).
    pub fn json<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<()> {
        with_stdout(|w| {
            crate::inert_json::to_writer(&mut *w, value)?;
            w.write_all(b"\n")
        })
    }

    /// Writes out what is buffered so far; text held for the pager stays held until [`finish`].
    pub fn flush(&mut self) -> Result<()> {
        with_stdout(|w| match w.held {
            Some(_) => Ok(()),
            None => w.out.flush(),
        })
    }
}

/// How a terminal wants its tables drawn.
#[derive(Debug, Clone, Copy, Default)]
pub struct Style {
    /// Wrap tables to this many columns (`COLUMNS`).
    pub width: Option<u16>,
    pub color: bool,
}

/// What a command shows, in the three forms the user can ask for: the JSON is the value's
/// `Serialize` (the stable scripting interface), the other two are written here.
pub trait View: Serialize {
    /// One record per line, tab-separated (what scripts and pipes get without `--json`).
    fn plain(&self, out: &mut Out) -> Result<()>;

    /// What a person at a terminal sees (tables drawn at `style.width`); by default the plain
    /// form.
    fn table(&self, out: &mut Out, style: Style) -> Result<()> {
        let _ = style;
        self.plain(out)
    }
}

/// Writes `view` as `mode` says: the one place every command's output goes through.
pub fn render<V: View + ?Sized>(out: &mut Out, mode: Mode, style: Style, view: &V) -> Result<()> {
    match mode {
        Mode::Json => out.json(view),
        Mode::Plain => view.plain(out),
        Mode::Table => view.table(out, style),
    }
}

/// Sentences for a person, gathered for [`Said`]: the non-JSON form of a view with no table.
#[derive(Debug, Default)]
pub struct Text(Vec<String>);

impl Text {
    /// Adds one line (written out cleaned, line breaks inside kept).
    pub fn line(&mut self, s: &str) -> Result<()> {
        self.0.push(s.to_owned());
        Ok(())
    }
}

/// A view whose non-JSON form is sentences, the same on a terminal or not: `json` is what
/// `--json` prints, `text` what everyone else reads.
#[derive(Serialize)]
#[serde(transparent)]
pub struct Said<V> {
    pub json: V,
    #[serde(skip)]
    pub text: Text,
}

impl<V: Serialize> View for Said<V> {
    fn plain(&self, out: &mut Out) -> Result<()> {
        for l in &self.text.0 {
            out.line(l)?;
        }
        Ok(())
    }
}

/// A table for the terminal, with cleaned cells, wrapped to `width` columns when given: between
/// words, keeping dates and IDs whole.
pub fn table<S: AsRef<str>>(
    header: &[&str],
    rows: &[Vec<S>],
    width: Option<u16>,
    color: bool,
) -> String {
    let mut t = comfy(header, rows, width, color);
    let shown = t.to_string();
    match width {
        // Only a table that split a word is laid out again, with each column as wide as its
        // longest word.
        Some(w) if !words_whole(&shown, rows) => {
            keep_words_whole(&mut t, header, rows, w);
            t.to_string()
        }
        _ => shown,
    }
}

/// The table as comfy-table lays it out by itself.
fn comfy<S: AsRef<str>>(
    header: &[&str],
    rows: &[Vec<S>],
    width: Option<u16>,
    color: bool,
) -> Table {
    let mut t = Table::new();
    t.load_preset(presets::UTF8_FULL_CONDENSED)
        .set_content_arrangement(ContentArrangement::Dynamic);
    if let Some(w) = width {
        t.set_width(w);
    }
    if color {
        t.set_header(
            header
                .iter()
                .map(|h| comfy_table::Cell::new(h).add_attribute(comfy_table::Attribute::Bold)),
        );
    } else {
        t.force_no_tty().set_header(header.to_vec());
    }
    for r in rows {
        t.add_row(r.iter().map(|c| clean(c.as_ref(), true).into_owned()));
    }
    t
}

/// Every word of every cell (up to [`LONGEST_WHOLE_WORD`]) appears whole in the table `shown`.
/// (Headers are left out: in colour they carry escape sequences.)
fn words_whole<S: AsRef<str>>(shown: &str, rows: &[Vec<S>]) -> bool {
    let seen: std::collections::HashSet<&str> = shown
        .split(|c: char| c.is_whitespace() || c == '│' || c == '┆')
        .collect();
    rows.iter()
        .flatten()
        .map(AsRef::as_ref)
        .flat_map(str::split_whitespace)
        .filter(|w| w.chars().count() <= LONGEST_WHOLE_WORD)
        .all(|w| seen.contains(w))
}

/// The longest word a column may be given whole; a longer one (a web address) may break.
const LONGEST_WHOLE_WORD: usize = 24;
/// Dates (YYYY-MM-DD) and IDs are never longer: kept whole whenever the columns fit at all.
const SHORT_WORD: usize = 10;

/// Gives each column at least the width of its longest word (a date, an ID, a name), so that a
/// narrow terminal wraps cells between words and never splits a date. When the longest words
/// do not fit side by side, only words up to a shorter length are kept whole, down to
/// [`SHORT_WORD`].
fn keep_words_whole<S: AsRef<str>>(t: &mut Table, header: &[&str], rows: &[Vec<S>], width: u16) {
    use comfy_table::{ColumnConstraint, Width};
    let longest = |s: &str, cap: usize| {
        s.split_whitespace()
            .map(|w| w.chars().count())
            .filter(|&n| n <= cap)
            .max()
            .unwrap_or(0)
    };
    for cap in (SHORT_WORD..=LONGEST_WHOLE_WORD).rev() {
        let mut least: Vec<usize> = header.iter().map(|h| longest(h, cap)).collect();
        for r in rows {
            for (i, c) in r.iter().enumerate().take(least.len()) {
                least[i] = least[i].max(longest(c.as_ref(), cap));
            }
        }
        // Each column also takes a border and a space of padding on either side.
        let needed: usize = least.iter().map(|l| l + 3).sum::<usize>() + 1;
        if needed > usize::from(width) {
            continue;
        }
        for (i, l) in least.into_iter().enumerate() {
            if let Some(col) = t.column_mut(i) {
                // The boundary counts the padding on either side.
                let l = u16::try_from(l + 2).unwrap_or(u16::MAX);
                col.set_constraint(ColumnConstraint::LowerBoundary(Width::Fixed(l)));
            }
        }
        return;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escape_sequences_and_controls_are_removed() {
        assert_eq!(clean("a\u{1b}[31mred\u{1b}[0m b", false), "ared b");
        assert_eq!(clean("x\u{1b}]0;title\u{7}y", false), "xy");
        assert_eq!(clean("x\u{1b}]8;;http://e\u{1b}\\y", false), "xy");
        assert_eq!(clean("one\ntwo\tthree\u{7}", false), "one two three");
        assert_eq!(clean("one\ntwo", true), "one\ntwo");
        assert_eq!(clean("abc\u{202e}def", true), "abcdef");
        assert!(matches!(clean("plain text", false), Cow::Borrowed(_)));
    }

    #[test]
    fn markdown_is_inert() {
        assert_eq!(
            markdown("[[x]] <script> *a*", ""),
            "\\[\\[x\\]\\] \\<script\\> \\*a\\*"
        );
        assert_eq!(
            markdown("one\n---\n# two", "  "),
            "one\\\n  \\---\\\n  \\# two"
        );
        assert_eq!(markdown("1. first", ""), "1\\. first");
        assert_eq!(markdown("a\n\nb", "> "), "a\n>\n> b");
        assert_eq!(markdown("AT&amp;T & co", ""), "AT\\&amp;T & co");
        assert_eq!(
            markdown("see https://example.org/a_b. ok_", ""),
            "see <https://example.org/a_b>. ok\\_"
        );
    }

    #[test]
    fn a_hash_mark_anywhere_makes_no_tag_in_a_notes_app() {
        // Obsidian and other notes apps read `#word` anywhere in a line as a tag.
        assert_eq!(
            markdown("call me #private or #to-do", ""),
            "call me \\#private or \\#to-do"
        );
        assert_eq!(markdown("line\nthen #tag", ""), "line\\\nthen \\#tag");
    }

    #[test]
    fn narrow_tables_wrap_between_words_and_keep_dates_whole() {
        let rows = vec![
            vec![
                "k3x9",
                "Help getting dressed on bad-hand mornings",
                "agreed",
                "Sam",
                "Sam does the buttons before breakfast",
                "2026-04-13",
            ],
            vec![
                "q7m2",
                "Ask before you help me",
                "talked about",
                "Alex",
                "",
                "2026-03-30",
            ],
        ];
        let header = ["id", "need", "status", "who", "agreed", "review"];
        // Left to itself, comfy-table splits words here.
        let loose = comfy(&header, &rows, Some(60), false).to_string();
        assert!(!words_whole(&loose, &rows), "{loose}");
        let shown = table(&header, &rows, Some(60), false);
        for line in shown.lines() {
            assert!(line.chars().count() <= 60, "{line}");
        }
        assert!(words_whole(&shown, &rows), "a word was split:\n{shown}");
        insta::assert_snapshot!("needs_at_60_columns", shown);
    }

    #[test]
    fn tables_only_on_terminals() {
        let f = Format::default();
        assert_eq!(f.mode(true), Mode::Table);
        assert_eq!(f.mode(false), Mode::Plain);
        assert_eq!(
            Format {
                json: true,
                plain: false
            }
            .mode(true),
            Mode::Json
        );
    }
}
