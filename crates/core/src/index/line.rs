//! A need as one line of the needs index, and [`Listed`], a need as a listing shows it,
//! read from such a line without copying its text.

use crate::Word;
use crate::needs::{Helper, Importance, Need, Status};
use crate::store::FORMAT_VERSION;
use chrono::NaiveDate;
use std::borrow::Cow;

/// A need as a listing shows it, without its history: taken from the device's index while its
/// file is unchanged (its text borrowed from the index as it was read), or from the need read
/// from its file.
#[derive(Debug, Clone, Copy)]
pub struct Listed<'a> {
    pub id: &'a str,
    pub owner: &'a str,
    pub status: Status,
    pub importance: Importance,
    pub review: Option<NaiveDate>,
    pub created: NaiveDate,
    pub private: bool,
    /// Characters of its shortest unique prefix among the needs listed with it.
    short: u8,
    rest: Rest<'a>,
}

#[derive(Debug, Clone, Copy)]
enum Rest<'a> {
    /// The index line's category, condition, plan, helper and text, as they are written there,
    /// its format version, and where its text starts.
    Line(&'a str, u32, u32),
    Need(&'a Need),
}

impl<'a> Listed<'a> {
    /// A need read from its file, as listed.
    pub fn of(n: &'a Need) -> Listed<'a> {
        Listed {
            id: &n.id,
            owner: &n.owner,
            status: n.status,
            importance: n.importance,
            review: n.review,
            created: n.created,
            private: n.private,
            short: 0,
            rest: Rest::Need(n),
        }
    }

    /// Its prefix at least `n` characters long (all of it when shorter).
    fn widen(&mut self, n: usize) {
        let n = u8::try_from(n.min(self.id.len())).unwrap_or(u8::MAX);
        self.short = self.short.max(n);
    }

    /// Its shortest unique prefix among the needs listed with it (see [`shorten`]).
    pub fn short(&self) -> &'a str {
        crate::ids::head(self.id, usize::from(self.short).max(crate::ids::MIN_PREFIX))
    }

    pub fn category(&self) -> Cow<'a, str> {
        match self.rest {
            Rest::Line(l, _, _) => unesc(field(l, 0)),
            Rest::Need(n) => Cow::Borrowed(&n.category),
        }
    }

    pub fn text(&self) -> Cow<'a, str> {
        match self.rest {
            Rest::Line(l, _, at) => unesc(&l[at as usize..]),
            Rest::Need(n) => Cow::Borrowed(&n.text),
        }
    }

    /// Its category and text at once: what a plain listing prints of each need.
    pub fn category_and_text(&self) -> (Cow<'a, str>, Cow<'a, str>) {
        match self.rest {
            Rest::Line(l, _, at) => (unesc(field(l, 0)), unesc(&l[at as usize..])),
            Rest::Need(n) => (Cow::Borrowed(&n.category), Cow::Borrowed(&n.text)),
        }
    }

    /// A review is due on or before `today` for a need still being worked on.
    pub fn due(&self, today: NaiveDate) -> bool {
        self.status.is_open() && self.review.is_some_and(|r| r <= today)
    }

    pub fn visible_to(&self, viewer: Option<&str>) -> bool {
        !self.private || viewer == Some(self.owner)
    }

    /// The whole need (without history when it came from the index).
    pub fn need(&self) -> Cow<'a, Need> {
        match self.rest {
            Rest::Need(n) => Cow::Borrowed(n),
            Rest::Line(l, version, _) => {
                let opt = |i| unopt(field(l, i)).map(|v| v.map(Cow::into_owned));
                Cow::Owned(Need {
                    extra: Default::default(),
                    version,
                    id: crate::ids::Id::parse(self.id).expect("checked when the line was read"),
                    owner: crate::ids::Id::parse(self.owner).expect("checked when read"),
                    status: self.status,
                    importance: self.importance,
                    category: self.category().into_owned(),
                    condition: opt(1).flatten(),
                    plan: opt(2).flatten(),
                    helper: opt(3).flatten().map(Helper::from),
                    review: self.review,
                    private: self.private,
                    created: self.created,
                    text: self.text().into_owned(),
                    history: Vec::new(),
                    proposal: None,
                })
            }
        }
    }
}

/// Sets each need's shortest unique prefix among `list` (see [`Listed::short`]).
pub fn shorten(list: &mut [Listed]) {
    shorten_among(list, &[]);
}

/// Sets each need's shortest unique prefix among `list` and `others`, the IDs of needs listed
/// with them but not shown.
pub(super) fn shorten_among(list: &mut [Listed], others: &[&str]) {
    // In the order of their IDs, as listings mostly come, each need's neighbours in that order
    // (which `ids::prefix_lengths` sorts them to find) are next to it.
    if others.is_empty() && list.is_sorted_by(|a, b| a.id <= b.id) {
        for l in list.iter_mut() {
            l.short = 0;
            l.widen(crate::ids::MIN_PREFIX);
        }
        for i in 1..list.len() {
            let (a, b) = list.split_at_mut(i);
            neighbour(&mut a[i - 1], &mut b[0]);
        }
        return;
    }
    let ids: Vec<&str> = list
        .iter()
        .map(|l| l.id)
        .chain(others.iter().copied())
        .collect();
    let lens = crate::ids::prefix_lengths(&ids);
    for (l, n) in list.iter_mut().zip(lens) {
        l.short = u8::try_from(n).unwrap_or(u8::MAX);
    }
}

/// Two needs next to each other in the order of their IDs: each prefix one character longer
/// than what they have in common.
fn neighbour(a: &mut Listed, b: &mut Listed) {
    let common =
        a.id.bytes()
            .zip(b.id.bytes())
            .take_while(|(x, y)| x == y)
            .count();
    a.widen(common + 1);
    b.widen(common + 1);
}

/// Makes good the prefixes of the two neighbours across the cut between `a` and `b`, each
/// shortened on its own ([`shorten`]), as if they had been shortened together: `false` when
/// some ID of `a` does not come before every ID of `b` (then only [`shorten`] of both will do).
pub(super) fn neighbours(a: &mut [Listed], b: &mut [Listed]) -> bool {
    let last = a
        .iter()
        .enumerate()
        .max_by_key(|(_, l)| l.id)
        .map(|(i, _)| i);
    let first = b
        .iter()
        .enumerate()
        .min_by_key(|(_, l)| l.id)
        .map(|(i, _)| i);
    let (Some(last), Some(first)) = (last, first) else {
        return true;
    };
    if a[last].id >= b[first].id {
        return false;
    }
    neighbour(&mut a[last], &mut b[first]);
    true
}

/// A need as the index writes it (a shared one, or a private one kept in full): ID, owner, status, importance, review, creation date,
/// format version (what a listing sorts and filters by, read first), then category, condition,
/// plan, helper and text, escaped.
pub(super) fn line(n: &Need) -> String {
    let review = n.review.map_or_else(|| "-".to_owned(), |d| d.to_string());
    format!(
        "{}\t{}\t{}\t{}\t{review}\t{}\t{}\t{}\t{}\t{}\t{}\t{}",
        n.id,
        n.owner,
        n.status.word(),
        n.importance.word(),
        n.created,
        n.version,
        esc(&n.category),
        opt(&n.condition),
        opt(&n.plan),
        opt(&n.helper.as_ref().map(Helper::code)),
        esc(&n.text)
    )
}

/// The first seven fields of a [`line`], each checked as a full read checks it, and what
/// follows them (category, condition, plan, helper and text, unread).
pub(super) struct Head<'a> {
    pub id: &'a str,
    pub owner: &'a str,
    pub status: Status,
    pub importance: Importance,
    pub review: Option<NaiveDate>,
    pub created: NaiveDate,
    pub version: u32,
    pub rest: &'a str,
}

/// Reads the [`Head`] of a [`line`].
pub(super) fn head(l: &str) -> Option<Head<'_>> {
    let mut f = split_at(l, b'\t');
    let [
        Some(id),
        Some(owner),
        Some(status),
        Some(importance),
        Some(review),
        Some(created),
        Some(version),
    ] = [(); 7].map(|()| f.next())
    else {
        return None;
    };
    let fields = [id, owner, status, importance, review, created, version];
    Some(Head {
        id: plain_id(id)?,
        owner: plain_id(owner)?,
        status: Status::from_word(status)?,
        importance: Importance::from_word(importance)?,
        review: match review {
            "-" => None,
            r => Some(date(r)?),
        },
        created: date(created)?,
        version: version.parse().ok().filter(|v| *v <= FORMAT_VERSION)?,
        rest: l.get(fields.iter().map(|f| f.len() + 1).sum::<usize>()..)?,
    })
}

/// Reads a [`line`], checking every field, without copying any text.
pub(super) fn parse(l: &str) -> Option<Listed<'_>> {
    let h = head(l)?;
    // Category, condition, plan, helper, text: four tabs, and the middle three optional.
    let mut r = split_at(h.rest, b'\t');
    let _category = r.next()?;
    for _ in 0..3 {
        // What `unopt` reads, without unescaping it.
        let o = r.next()?;
        (o == "-" || o.starts_with('+')).then_some(())?;
    }
    let (Some(text), None) = (r.next(), r.next()) else {
        return None;
    };
    let text_at = u32::try_from(h.rest.len() - text.len()).ok()?;
    Some(Listed {
        id: h.id,
        owner: h.owner,
        status: h.status,
        importance: h.importance,
        review: h.review,
        created: h.created,
        private: false,
        short: 0,
        rest: Rest::Line(h.rest, h.version, text_at),
    })
}

/// `s` if it is a valid [`crate::ids::Id`].
fn plain_id(s: &str) -> Option<&str> {
    crate::ids::valid(s).then_some(s)
}

/// Field `i` of the escaped category, condition, plan, helper and text.
fn field(l: &str, i: usize) -> &str {
    split_at(l, b'\t').nth(i).unwrap_or_default()
}

/// `s` cut at each `sep`, an ASCII byte: a byte search, quicker than a `char` pattern for the
/// short fields of an index line.
pub(super) fn split_at(s: &str, sep: u8) -> impl Iterator<Item = &str> {
    let mut rest = Some(s);
    std::iter::from_fn(move || {
        let r = rest?;
        match memchr::memchr(sep, r.as_bytes()) {
            Some(i) => {
                rest = Some(&r[i + 1..]);
                Some(&r[..i])
            }
            None => {
                rest = None;
                Some(r)
            }
        }
    })
}

/// `s` before and after its first `sep`, an ASCII byte (see [`split_at`]).
pub(super) fn split_once(s: &str, sep: u8) -> Option<(&str, &str)> {
    let i = memchr::memchr(sep, s.as_bytes())?;
    Some((&s[..i], &s[i + 1..]))
}

/// A date as the index writes it, `YYYY-MM-DD`, read without a general parser; any other
/// shape through chrono's.
pub(super) fn date(s: &str) -> Option<NaiveDate> {
    let b = s.as_bytes();
    if b.len() != 10 || b[4] != b'-' || b[7] != b'-' {
        return s.parse().ok();
    }
    let num = |r: std::ops::Range<usize>| {
        b[r].iter().try_fold(0u32, |n, d| {
            d.is_ascii_digit().then(|| n * 10 + u32::from(d - b'0'))
        })
    };
    NaiveDate::from_ymd_opt(i32::try_from(num(0..4)?).ok()?, num(5..7)?, num(8..10)?)
}

fn esc(s: &str) -> String {
    s.replace('\\', "\\\\")
        .replace('\t', "\\t")
        .replace('\n', "\\n")
        .replace('\r', "\\r")
}

fn unesc(s: &str) -> Cow<'_, str> {
    if !s.contains('\\') {
        return Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len());
    let mut it = s.chars();
    while let Some(c) = it.next() {
        if c == '\\' {
            match it.next() {
                Some('t') => out.push('\t'),
                Some('n') => out.push('\n'),
                Some('r') => out.push('\r'),
                Some(o) => out.push(o),
                None => {}
            }
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

fn opt(s: &Option<String>) -> String {
    s.as_deref()
        .map_or_else(|| "-".to_owned(), |v| format!("+{}", esc(v)))
}

fn unopt(s: &str) -> Option<Option<Cow<'_, str>>> {
    match s.split_at_checked(1)? {
        ("-", "") => Some(None),
        ("+", v) => Some(Some(unesc(v))),
        _ => None,
    }
}
