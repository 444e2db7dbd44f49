//! Which prompt a couple gets on a day, and the answers each partner gives.
//!
//! The choice is a pure function of (date, couple, library, filter): every device that shares the
//! data folder shows both partners the same prompt, and nothing about history is read. The
//! eligible prompts are put in a fixed order seeded by the couple, and day `d` shows the prompt at
//! position `d mod n`; so no prompt comes back until all `n` have been shown.

use crate::content::{Library, Prompt};
use crate::error::{Error, Next, Result};
use crate::ids::Id;
use crate::profile::Couple;
use crate::store::{Extra, FORMAT_VERSION, Store, Versioned};
use chrono::{DateTime, Datelike, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

/// Which prompts may be chosen, beyond what the couple's profile allows.
#[derive(Debug, Clone, Default)]
pub struct Filter {
    /// Only prompts that suit a low-energy or flare day.
    pub low_energy: bool,
    /// Only these categories (empty: all).
    pub categories: Vec<String>,
}

/// Checks category names against the library.
pub fn check_categories(lib: &Library, names: &[String]) -> Result<Vec<String>> {
    names
        .iter()
        .map(|n| {
            let n = n.trim().to_ascii_lowercase();
            if lib.categories.iter().any(|c| c.id == n) {
                Ok(n)
            } else {
                // The opt-in category is not advertised here; `categories` shows it once both opted in.
                let all: Vec<&str> = lib
                    .categories
                    .iter()
                    .filter(|c| !c.sexual)
                    .map(|c| c.id)
                    .collect();
                Err(Error::usage(format!(
                    "unknown category {n:?}; the categories are: {}",
                    all.join(", ")
                )))
            }
        })
        .collect()
}

/// Whether the couple may see this prompt at all: sexual prompts only when every partner opted
/// in, condition-specific prompts only when a partner has one of the conditions, prompts that
/// assume an illness only when a partner has any condition, and long-horizon prompts unless the
/// couple chose to leave them out.
pub fn allowed(p: &Prompt, couple: &Couple) -> bool {
    (!p.sexual || couple.sexual_ok())
        && (!p.fits("assumes-illness") || couple.partners.iter().any(|q| !q.conditions.is_empty()))
        && (!p.fits("long-horizon") || !couple.no_future_prompts)
        && (p.tags.is_empty()
            || p.tags.iter().any(|t| {
                couple
                    .partners
                    .iter()
                    .any(|q| q.conditions.iter().any(|c| c == t))
            }))
}

/// The eligible prompts in the couple's rotation order.
pub fn rotation<'a>(lib: &'a Library, couple: &Couple, filter: &Filter) -> Vec<&'a Prompt> {
    let mut v = keyed(lib, couple, filter);
    v.sort_unstable_by(|a, b| by_place(lib, a, b));
    v.into_iter().map(|(_, i)| &lib.prompts[i]).collect()
}

/// The eligible prompts, each as its key in the couple's order and its place in the library
/// (read one by one: a run that shows one prompt does not build the whole list).
fn keyed(lib: &Library, couple: &Couple, filter: &Filter) -> Vec<(u64, usize)> {
    lib.prompts
        .each()
        .enumerate()
        .filter(|(_, p)| allowed(p, couple))
        .filter(|(_, p)| !filter.low_energy || p.low_energy)
        .filter(|(_, p)| {
            filter.categories.is_empty() || filter.categories.iter().any(|c| c == p.category)
        })
        .map(|(i, p)| (order_key(couple.seed, p.id), i))
        .collect()
}

/// By key, then (for the rare equal keys) by ID.
fn by_place(lib: &Library, a: &(u64, usize), b: &(u64, usize)) -> std::cmp::Ordering {
    let id = |i| lib.prompts.item(i).id;
    a.0.cmp(&b.0).then_with(|| id(a.1).cmp(id(b.1)))
}

/// The same prompt as `pick(&rotation(lib, couple, filter), date, skip)`, found without putting
/// the whole rotation in order (one selection instead of a sort).
pub fn pick_in(
    lib: &Library,
    couple: &Couple,
    filter: &Filter,
    date: NaiveDate,
    skip: bool,
) -> Result<Prompt> {
    let mut v = keyed(lib, couple, filter);
    let at = place(v.len(), date, skip)?;
    let (_, i) = *v.select_nth_unstable_by(at, |a, b| by_place(lib, a, b)).1;
    Ok(lib.prompts.item(i))
}

/// The prompt for `date`; with `skip`, another one for the same day that is neither today's
/// nor tomorrow's (so skipping today leaves tomorrow unchanged).
pub fn pick<'a>(order: &[&'a Prompt], date: NaiveDate, skip: bool) -> Result<&'a Prompt> {
    Ok(order[place(order.len(), date, skip)?])
}

/// Where in an order of `n` prompts the one for `date` is (see [`pick`]).
fn place(n: usize, date: NaiveDate, skip: bool) -> Result<usize> {
    if n == 0 {
        return Err(Error::refused(
            "no prompt matches these filters",
            Next::FewerFilters,
        ));
    }
    if skip && n < 3 {
        return Err(Error::invalid(
            "there are too few prompts to skip one with these filters",
        ));
    }
    let day = date.num_days_from_ce().rem_euclid(n as i32) as usize;
    Ok(if skip {
        (day + n / 2).max(day + 2) % n
    } else {
        day
    })
}

/// A stable position for a prompt in a couple's order. Written out here (FNV-1a, then the
/// SplitMix64 finalizer) rather than taken from a library so that it never changes between
/// versions: two devices on different versions must agree on today's prompt.
fn order_key(seed: u64, id: &str) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in id.bytes() {
        h = (h ^ u64::from(b)).wrapping_mul(0x0000_0100_0000_01b3);
    }
    let mut z = h ^ seed.wrapping_mul(0x9e37_79b9_7f4a_7c15);
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

/// One partner's answer to one day's prompt.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Answer {
    pub date: NaiveDate,
    /// The ID of the prompt answered (empty in files from before it was recorded).
    #[serde(default)]
    pub prompt: String,
    /// The prompt's text when it was answered, so the record stands alone.
    #[serde(default)]
    pub prompt_text: String,
    /// Empty when the partner passed on the day's prompt.
    pub text: String,
    pub at: DateTime<Utc>,
    /// Fields a newer closer wrote at this format version, kept as they are.
    #[serde(flatten, default, skip_serializing_if = "Extra::is_empty")]
    pub extra: Extra,
    /// Earlier versions of this answer, oldest first: only its author sees them.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub earlier: Vec<Earlier>,
    /// The partner passed on the day's prompt instead of answering it.
    #[serde(default, skip_serializing_if = "is_false")]
    pub passed: bool,
    /// Never stored: set on another partner's answer the viewer may not read yet (see
    /// [`crate::answer_rules::for_viewer`]); its text is then a sentence saying so.
    #[serde(default, skip_serializing_if = "is_false")]
    pub sealed: bool,
}

/// An earlier version of an answer, replaced by a correction.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Earlier {
    pub prompt: String,
    pub text: String,
    pub at: DateTime<Utc>,
}

fn is_false(b: &bool) -> bool {
    !*b
}

impl Answer {
    /// A new answer (not passed, no earlier versions).
    pub fn new(
        date: NaiveDate,
        prompt: &str,
        prompt_text: &str,
        text: String,
        at: DateTime<Utc>,
    ) -> Answer {
        Answer {
            date,
            prompt: prompt.to_owned(),
            prompt_text: prompt_text.to_owned(),
            text,
            at,
            extra: Extra::default(),
            earlier: Vec::new(),
            passed: false,
            sealed: false,
        }
    }
}

/// One partner's answers for one year: the partner is its only writer.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct AnswerFile {
    pub version: u32,
    pub partner: Id,
    pub answers: Vec<Answer>,
    /// In an encrypted folder: the answers, each sealed to its author until the other partner
    /// took their turn on its day (see [`crate::answer_book`]).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub sealed: Vec<crate::answer_seal::SealedAnswer>,
    /// Fields a newer closer wrote at this format version, kept as they are.
    #[serde(flatten, default, skip_serializing_if = "Extra::is_empty")]
    pub extra: Extra,
}

impl AnswerFile {
    /// An empty file for `partner`.
    pub fn new(partner: &Id) -> AnswerFile {
        AnswerFile {
            version: FORMAT_VERSION,
            partner: partner.clone(),
            answers: Vec::new(),
            sealed: Vec::new(),
            extra: Extra::default(),
        }
    }
}

impl Versioned for AnswerFile {
    fn version(&self) -> u32 {
        self.version
    }

    fn encode(&self) -> serde_json::Result<Vec<u8>> {
        let answers = self
            .answers
            .iter()
            .map(serde_json::to_vec)
            .collect::<serde_json::Result<_>>()?;
        let mut lists = vec![("answers", answers)];
        if !self.sealed.is_empty() {
            let sealed = self
                .sealed
                .iter()
                .map(serde_json::to_vec)
                .collect::<serde_json::Result<_>>()?;
            lists.push(("sealed", sealed));
        }
        crate::store::json_lines(self.version, &self.partner, &self.extra, &lists)
    }
}

/// The longest answer, in characters.
pub const MAX_ANSWER: usize = 20_000;

pub fn answer_path(partner: &Id, year: i32) -> String {
    format!("answers/{partner}/{year}.json")
}

/// Stores `partner`'s answer for `answer.date`. A second answer the same day corrects the first,
/// which is kept in the answer's `earlier` versions. Returns whether it was a correction.
pub fn save_answer(store: &Store, partner: &Id, answer: Answer) -> Result<bool> {
    let text = answer.text.trim();
    if text.is_empty() {
        return Err(Error::usage(
            "the answer is empty; write something, or leave today's prompt unanswered",
        ));
    }
    if text.chars().count() > MAX_ANSWER {
        return Err(Error::usage(format!(
            "the answer is longer than {MAX_ANSWER} characters; shorten it"
        )));
    }
    crate::needs::check_plain("answer", text)?;
    if !crate::dates::in_range(answer.date) {
        return Err(Error::usage(format!(
            "{} is outside the years 1 to 9999; pick a real day",
            answer.date
        )));
    }
    let mut answer = Answer {
        text: text.to_owned(),
        passed: false,
        sealed: false,
        ..answer
    };
    let mut corrected = false;
    crate::answer_book::update(store, partner, answer.date.year(), |answers| {
        if let Some(at) = answers.iter().position(|a| a.date == answer.date) {
            let old = answers.remove(at);
            corrected = true;
            answer.earlier = old.earlier;
            if !old.passed {
                answer.earlier.push(Earlier {
                    prompt: old.prompt,
                    text: old.text,
                    at: old.at,
                });
            }
        }
        answers.push(answer);
        answers.sort_by_key(|a| a.date);
        Ok(())
    })?;
    Ok(corrected)
}

/// What a partner did with a day's prompt, as this device may know it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Said {
    /// Nothing yet (or nothing this device may know of).
    Nothing,
    /// Passed on it: "not today".
    Passed,
    /// Answered it.
    Answered,
}

impl Said {
    /// An answer wins over a pass on the same day; a pass over nothing.
    fn of<'a>(passes: impl IntoIterator<Item = &'a bool>) -> Said {
        passes
            .into_iter()
            .fold(Said::Nothing, |s, passed| match (s, passed) {
                (Said::Answered, _) | (_, false) => Said::Answered,
                _ => Said::Passed,
            })
    }
}

/// Whether `partner` has answered the prompt of `date` (a pass is not an answer).
pub fn answered_on(store: &Store, partner: &Id, date: NaiveDate) -> Result<bool> {
    Ok(said_on(store, partner, date)? == Said::Answered)
}

/// What `partner` did with the prompt of `date`. Only lines of that year's file that mention
/// the date are parsed (the file keeps one answer per line); a file in any other shape is read
/// whole.
pub fn said_on(store: &Store, partner: &Id, date: NaiveDate) -> Result<Said> {
    #[derive(Deserialize)]
    struct DateOnly {
        date: NaiveDate,
        #[serde(default)]
        passed: bool,
    }
    let rel = answer_path(partner, date.year());
    if store.is_sealed() {
        // Each answer, and each sealed one, is a line of its own: only that day's are parsed
        // (a year's sealed answers are megabytes), the whole file only when none of its lines
        // is that day's although the day is in it.
        let Some(bytes) = store.read_bytes(&rel)? else {
            return Ok(Said::Nothing);
        };
        let mut f = AnswerFile::new(partner);
        let text = std::str::from_utf8(&bytes).unwrap_or_default();
        for line in lines_starting(text, &format!("\n{{\"date\":\"{date}\"")) {
            let line = line.trim_end().trim_end_matches(',');
            if let Ok(s) = serde_json::from_str::<crate::answer_seal::SealedAnswer>(line) {
                f.sealed.push(s);
            } else if let Ok(a) = serde_json::from_str::<Answer>(line) {
                f.answers.push(a);
            }
        }
        if f.sealed.is_empty() && f.answers.is_empty() {
            if !text.is_empty() && !text.contains(&date.to_string()) {
                return Ok(Said::Nothing);
            }
            f = crate::store::parse(&store.path(&rel), &bytes)?;
        }
        f.answers.retain(|a| a.date == date);
        f.sealed.retain(|s| s.date == date);
        let opened = crate::answer_book::opened(store, partner, f);
        return Ok(Said::of(
            opened.iter().filter(|a| a.date == date).map(|a| &a.passed),
        ));
    }
    let Some(bytes) = store.read_bytes(&rel)? else {
        return Ok(Said::Nothing);
    };
    let text = String::from_utf8_lossy(&bytes);
    let day = date.to_string();
    if !text.contains(&day) {
        return Ok(Said::Nothing);
    }
    let lines: Vec<DateOnly> = text
        .lines()
        .filter(|l| l.contains(&day))
        .filter_map(|l| serde_json::from_str::<DateOnly>(l.trim().trim_end_matches(',')).ok())
        .filter(|a| a.date == date)
        .collect();
    if !lines.is_empty() {
        return Ok(Said::of(lines.iter().map(|a| &a.passed)));
    }
    Ok(store.read::<AnswerFile>(&rel)?.map_or(Said::Nothing, |f| {
        Said::of(
            f.answers
                .iter()
                .filter(|a| a.date == date)
                .map(|a| &a.passed),
        )
    }))
}

/// The lines of `text` that begin with `start` (a newline, then how the line starts), each
/// without its newline.
fn lines_starting<'a>(text: &'a str, start: &str) -> impl Iterator<Item = &'a str> {
    text.match_indices(start).map(move |(at, _)| {
        let line = &text[at + 1..];
        line.split_once('\n').map_or(line, |(l, _)| l)
    })
}

/// Every answer from every partner folder, as (partner id, answer), by date then partner.
pub fn all_answers(
    store: &Store,
    since: Option<NaiveDate>,
    until: Option<NaiveDate>,
) -> Result<Vec<(String, Answer)>> {
    let root = store.path("answers");
    let Ok(dirs) = std::fs::read_dir(&root) else {
        return Ok(Vec::new());
    };
    // Every year file in range, of every partner.
    let mut files: Vec<(String, std::path::PathBuf)> = Vec::new();
    for dir in dirs.flatten() {
        if !dir.file_type().is_ok_and(|t| t.is_dir()) {
            continue;
        }
        let name = dir.file_name().to_string_lossy().into_owned();
        let partner = match Id::parse(&name) {
            Ok(id) => id.to_string(),
            Err(e) => {
                store.note_left_out(&dir.path(), &e.to_string());
                continue;
            }
        };
        for path in store.list(&format!("answers/{partner}"))? {
            let year: Option<i32> = path
                .file_stem()
                .and_then(|s| s.to_str())
                .and_then(|s| s.parse().ok());
            let out_of_range = year.is_some_and(|y| {
                since.is_some_and(|s| y < s.year()) || until.is_some_and(|u| y > u.year())
            });
            if !out_of_range {
                files.push((partner.clone(), path));
            }
        }
    }
    let keep = |a: &Answer| since.is_none_or(|s| a.date >= s) && until.is_none_or(|u| a.date <= u);
    let mut out = Vec::new();
    // One file at a time, opened before the next is read: a year of sealed answers is megabytes.
    for (partner, path) in &files {
        if let Some(answers) = crate::answers_memo::answers_of(store, partner, path)? {
            out.extend(
                answers
                    .into_iter()
                    .filter(keep)
                    .map(|a| (partner.clone(), a)),
            );
        }
    }
    out.sort_by(|a, b| (a.1.date, &a.0).cmp(&(b.1.date, &b.0)));
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::profile::Partner;

    fn couple(seed: u64, sexual: [bool; 2], conditions: &[&str]) -> Couple {
        let day = NaiveDate::from_ymd_opt(2026, 1, 1).unwrap();
        let p = |name: &str, s: bool, c: Vec<String>| Partner {
            extra: Default::default(),
            version: 1,
            id: format!("{name}0").parse().unwrap(),
            name: name.into(),
            conditions: c,
            removed_conditions: Vec::new(),
            sexual: s,
            added: day,
        };
        Couple {
            seed,
            no_future_prompts: false,
            partners: vec![
                p(
                    "alex",
                    sexual[0],
                    conditions.iter().map(|s| s.to_string()).collect(),
                ),
                p("sam", sexual[1], vec![]),
            ],
        }
    }

    #[test]
    fn a_year_of_days_never_repeats_and_covers_everything_after_n_days() {
        let lib = Library::builtin();
        let c = couple(42, [false, false], &[]);
        let order = rotation(&lib, &c, &Filter::default());
        assert!(
            order.len() >= 366,
            "only {} prompts for a couple without conditions",
            order.len()
        );
        let start = NaiveDate::from_ymd_opt(2026, 11, 21).unwrap();
        let mut seen = std::collections::HashSet::new();
        for i in 0..order.len() as u64 {
            let p = pick(&order, start + chrono::Days::new(i), false).unwrap();
            assert!(seen.insert(p.id), "{} repeats after {i} days", p.id);
        }
    }

    #[test]
    fn the_prompt_found_without_the_whole_order_is_the_one_at_its_place_in_it() {
        let lib = Library::builtin();
        let start = NaiveDate::from_ymd_opt(2026, 11, 21).unwrap();
        let couples = [
            couple(42, [false, false], &[]),
            couple(7, [true, true], &["chronic-pain"]),
        ];
        let filters = [
            Filter::default(),
            Filter {
                low_energy: true,
                categories: Vec::new(),
            },
            Filter {
                low_energy: false,
                categories: vec![lib.prompts[0].category.to_owned()],
            },
        ];
        for c in &couples {
            for f in &filters {
                let order = rotation(&lib, c, f);
                for i in 0..order.len() as u64 + 3 {
                    let day = start + chrono::Days::new(i);
                    for skip in [false, true] {
                        assert_eq!(
                            pick_in(&lib, c, f, day, skip).unwrap().id,
                            pick(&order, day, skip).unwrap().id,
                            "day {day}, skip {skip}"
                        );
                    }
                }
            }
        }
        let none = Filter {
            low_energy: false,
            categories: vec!["no-such-category".into()],
        };
        assert!(pick_in(&lib, &couples[0], &none, start, false).is_err());
    }

    #[test]
    fn the_order_depends_on_the_seed_not_on_the_library_order() {
        let mut lib = Library::builtin();
        let a = rotation(&lib, &couple(1, [false; 2], &[]), &Filter::default())
            .iter()
            .map(|p| p.id)
            .collect::<Vec<_>>();
        lib.prompts.reverse();
        let b = rotation(&lib, &couple(1, [false; 2], &[]), &Filter::default())
            .iter()
            .map(|p| p.id)
            .collect::<Vec<_>>();
        let c = rotation(&lib, &couple(2, [false; 2], &[]), &Filter::default())
            .iter()
            .map(|p| p.id)
            .collect::<Vec<_>>();
        assert_eq!(a, b);
        assert_ne!(a, c);
    }

    #[test]
    fn sexual_prompts_need_every_partner_and_tagged_ones_need_the_condition() {
        let lib = Library::builtin();
        let one = rotation(&lib, &couple(3, [true, false], &[]), &Filter::default());
        assert!(one.iter().all(|p| !p.sexual && p.tags.is_empty()));
        let both = rotation(
            &lib,
            &couple(3, [true, true], &["ostomy"]),
            &Filter::default(),
        );
        assert!(both.iter().any(|p| p.sexual));
        assert!(both.iter().any(|p| p.tags.contains(&"ostomy")));
        assert!(
            both.iter()
                .all(|p| p.tags.is_empty() || p.tags.contains(&"ostomy"))
        );
    }

    #[test]
    fn illness_prompts_need_a_condition_and_future_prompts_can_be_left_out() {
        let lib = Library::builtin();
        let well = rotation(&lib, &couple(5, [false; 2], &[]), &Filter::default());
        assert!(well.iter().all(|p| !p.fits("assumes-illness")));
        assert!(well.iter().any(|p| p.fits("long-horizon")));
        let ill = rotation(
            &lib,
            &couple(5, [false; 2], &["fatigue"]),
            &Filter::default(),
        );
        assert!(ill.iter().any(|p| p.fits("assumes-illness")));
        let mut near = couple(5, [false; 2], &["fatigue"]);
        near.no_future_prompts = true;
        let near = rotation(&lib, &near, &Filter::default());
        assert!(near.iter().all(|p| !p.fits("long-horizon")));
        assert!(near.iter().any(|p| p.fits("assumes-illness")));
    }

    #[test]
    fn skipping_changes_today_but_not_tomorrow() {
        let lib = Library::builtin();
        let order = rotation(&lib, &couple(9, [false; 2], &[]), &Filter::default());
        let d = NaiveDate::from_ymd_opt(2027, 3, 1).unwrap();
        let today = pick(&order, d, false).unwrap().id;
        let skipped = pick(&order, d, true).unwrap().id;
        let tomorrow = pick(&order, d.succ_opt().unwrap(), false).unwrap().id;
        assert_ne!(today, skipped);
        assert_ne!(tomorrow, skipped);
    }

    #[test]
    fn answered_on_finds_the_day_in_either_file_shape() {
        let t = tempfile::tempdir().unwrap();
        let store = Store::new(t.path().join("data"));
        let a: Id = "aaaa".parse().unwrap();
        let day = |s: &str| crate::dates::parse_date(s).unwrap();
        let answer =
            |d: &str, text: &str| Answer::new(day(d), "p", "?", text.into(), DateTime::default());
        assert!(!answered_on(&store, &a, day("2026-03-02")).unwrap());
        save_answer(&store, &a, answer("2026-03-01", "on 2026-03-02 we walk")).unwrap();
        assert!(
            !answered_on(&store, &a, day("2026-03-02")).unwrap(),
            "a date in the text is not an answer for that day"
        );
        save_answer(&store, &a, answer("2026-03-02", "yes")).unwrap();
        assert!(answered_on(&store, &a, day("2026-03-02")).unwrap());
        assert!(!answered_on(&store, &a, day("2027-03-02")).unwrap());
        // The same answers, pretty-printed by hand: still found.
        let path = store.path("answers/aaaa/2026.json");
        let f: AnswerFile = serde_json::from_slice(&std::fs::read(&path).unwrap()).unwrap();
        std::fs::write(&path, serde_json::to_vec_pretty(&f).unwrap()).unwrap();
        assert!(answered_on(&store, &a, day("2026-03-02")).unwrap());
        assert!(!answered_on(&store, &a, day("2026-03-03")).unwrap());
    }

    #[test]
    fn a_pass_is_said_as_a_pass_and_an_answer_wins_over_it() {
        let t = tempfile::tempdir().unwrap();
        let store = Store::new(t.path().join("data"));
        let a: Id = "aaaa".parse().unwrap();
        let day = |s: &str| crate::dates::parse_date(s).unwrap();
        crate::answer_rules::pass(&store, &a, day("2026-03-02"), "p", "?", DateTime::default())
            .unwrap();
        assert_eq!(
            said_on(&store, &a, day("2026-03-02")).unwrap(),
            Said::Passed
        );
        assert!(!answered_on(&store, &a, day("2026-03-02")).unwrap());
        assert_eq!(
            said_on(&store, &a, day("2026-03-03")).unwrap(),
            Said::Nothing
        );
        assert_eq!(Said::of(&[true, false]), Said::Answered);
        assert_eq!(Said::of(&[false, true]), Said::Answered);
        assert_eq!(Said::of(&[]), Said::Nothing);
    }

    /// Which filters to loosen is said by the edge, which knows the options; core names none.
    #[test]
    fn no_prompt_left_is_a_refusal_that_names_no_option() {
        let d = NaiveDate::from_ymd_opt(2026, 3, 2).unwrap();
        let e = pick(&[], d, false).unwrap_err();
        assert_eq!(e.exit_code(), 1);
        assert!(
            matches!(
                e,
                Error::Refused {
                    next: Next::FewerFilters,
                    ..
                }
            ),
            "{e:?}"
        );
        assert!(!e.to_string().contains("--"), "{e}");
    }
}
