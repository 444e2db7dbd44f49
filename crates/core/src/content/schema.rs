//! The shape of a content file and the rules it must follow, shared by the build script (which
//! checks and compiles the built-in libraries) and by the loader of a couple's own files.
//!
//! This file is compiled twice (here and in `build.rs`), so it uses only `serde` and `toml`.

use serde::Deserialize;
use std::collections::{BTreeMap, HashMap, HashSet};
use toml::Spanned;

/// The content format this version reads and writes.
pub const CONTENT_VERSION: u32 = 1;
/// The longest prompt text, in characters.
pub const MAX_PROMPT_CHARS: usize = 240;
pub const DEPTHS: &[&str] = &["light", "medium", "deep"];
pub const NEED_CATEGORIES: &[&str] = &[
    "practical",
    "body-comfort",
    "emotional",
    "communication",
    "intimacy",
    "rest-energy",
    "care-admin",
    "money-work",
    "other",
];
pub const ROLES: &[&str] = &["living-with", "supporting", "either"];
/// Body positions a touch step can ask for; the safety rules read them.
pub const POSITIONS: &[&str] = &[
    "sitting",
    "lying-back",
    "lying-front",
    "lying-side",
    "standing",
    "any",
];
/// Tags that say whom a prompt fits, beyond conditions.
/// `assumes-illness`: the prompt takes for granted that one of you is ill; offered only when a
/// partner has a condition. `long-horizon`: it looks years ahead; a couple can leave these out.
pub const FIT: &[&str] = &["assumes-illness", "long-horizon"];
/// Themes a prompt can belong to across categories.
pub const THEMES: &[&str] = &[
    "end-of-life",
    "money",
    "anger",
    "guilt-and-shame",
    "parenting",
    "faith-and-meaning",
    "fear-of-hurting",
];

/// One content file. Any section may appear in any file; the built-in library keeps one kind per
/// file, and so may a couple's own files.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ContentFile {
    pub version: Spanned<u32>,
    #[serde(default)]
    pub condition: Vec<RawCondition>,
    pub category: Option<RawCategory>,
    #[serde(default)]
    pub prompt: Vec<RawPrompt>,
    #[serde(default)]
    pub need: Vec<RawNeed>,
    #[serde(default)]
    pub rules: Vec<String>,
    pub help: Option<String>,
    /// Where to turn when someone feels unsafe, pressured or in crisis.
    pub safety: Option<String>,
    /// A gentle pointer to a counselor, for needs that keep going unmet.
    pub counselor: Option<String>,
    #[serde(default)]
    pub region: Vec<RawRegion>,
    #[serde(default)]
    pub stage: Vec<RawStage>,
    #[serde(default)]
    pub step: Vec<RawStep>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawCondition {
    pub id: Spanned<String>,
    pub name: String,
    pub description: String,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawCategory {
    pub id: Spanned<String>,
    pub name: String,
    pub about: String,
    #[serde(default)]
    pub sexual: bool,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawPrompt {
    pub id: Spanned<String>,
    pub text: Spanned<String>,
    pub depth: Spanned<String>,
    pub low_energy: bool,
    #[serde(default)]
    pub tags: Vec<Spanned<String>>,
    #[serde(default)]
    pub fit: Vec<Spanned<String>>,
    #[serde(default)]
    pub themes: Vec<Spanned<String>>,
    #[serde(default)]
    pub sexual: bool,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawNeed {
    pub id: Spanned<String>,
    pub text: Spanned<String>,
    pub category: Spanned<String>,
    #[serde(default)]
    pub conditions: Vec<Spanned<String>>,
    pub role: Spanned<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawRegion {
    pub id: Spanned<String>,
    pub name: String,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawStage {
    pub number: Spanned<u8>,
    pub name: String,
    pub about: String,
    #[serde(default)]
    pub sexual: bool,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawStep {
    pub id: Spanned<String>,
    pub stage: Spanned<u8>,
    pub title: String,
    pub how: String,
    pub giver: String,
    pub receiver: String,
    pub notice: String,
    pub minutes: Spanned<u16>,
    pub short_minutes: u16,
    pub short: String,
    #[serde(default)]
    pub regions: Vec<Spanned<String>>,
    pub debrief: Vec<String>,
    #[serde(default)]
    pub position: Vec<Spanned<String>>,
    #[serde(default)]
    pub water: bool,
    #[serde(default)]
    pub heat: bool,
    #[serde(default)]
    pub cold: bool,
    #[serde(default)]
    pub products: bool,
    #[serde(default)]
    pub chest_weight: bool,
    #[serde(default)]
    pub adapt: BTreeMap<Spanned<String>, String>,
}

/// A mistake in a content file, at a byte offset that [`locate`] turns into line and column.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Mistake {
    pub file: String,
    pub line: usize,
    pub column: usize,
    pub message: String,
}

impl std::fmt::Display for Mistake {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{}:{}:{}: {}",
            self.file, self.line, self.column, self.message
        )
    }
}

/// Line and column (both from 1) of a byte offset in `source`.
pub fn locate(source: &str, offset: usize) -> (usize, usize) {
    let before = &source[..offset.min(source.len())];
    let line = before.matches('\n').count() + 1;
    let column = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
    (line, column)
}

/// A parsed file with its name and text, kept together for error messages.
pub struct Parsed {
    pub name: String,
    pub source: String,
    pub file: ContentFile,
}

/// Parses one file, reporting a syntax or shape mistake with its line and column.
pub fn parse(name: &str, source: String) -> Result<Parsed, Mistake> {
    match toml::from_str::<ContentFile>(&source) {
        Ok(file) => Ok(Parsed {
            name: name.to_owned(),
            source,
            file,
        }),
        Err(e) => {
            let (line, column) = e.span().map_or((1, 1), |s| locate(&source, s.start));
            let message = e.message().trim().to_owned();
            Err(Mistake {
                file: name.to_owned(),
                line,
                column,
                message,
            })
        }
    }
}

/// What the built-in library already declares, so that a couple's own files can refer to it.
#[derive(Default)]
pub struct Known {
    pub conditions: HashSet<String>,
    pub categories: HashSet<String>,
    pub regions: HashSet<String>,
    pub stages: HashSet<u8>,
    /// Every ID in use, per kind (`prompt`, `need`, `step`, `condition`, `region`, `category`).
    pub ids: HashMap<&'static str, HashSet<String>>,
}

/// Checks `files` against each other and against what is already `known`, and adds what they
/// declare to `known`. Returns every mistake found, in file order.
pub fn check(files: &[Parsed], known: &mut Known) -> Vec<Mistake> {
    let mut out = Vec::new();
    // Declarations first, so that a file may refer to one that sorts after it.
    for p in files {
        let mut m = |offset: usize, message: String| {
            let (line, column) = locate(&p.source, offset);
            out.push(Mistake {
                file: p.name.clone(),
                line,
                column,
                message,
            });
        };
        let f = &p.file;
        if *f.version.get_ref() > CONTENT_VERSION {
            m(
                f.version.span().start,
                format!(
                    "content format {} is newer than this closer reads ({CONTENT_VERSION}); update closer",
                    f.version.get_ref()
                ),
            );
        }
        for c in &f.condition {
            declare(known, "condition", &c.id, &mut m);
            known.conditions.insert(c.id.get_ref().clone());
        }
        if let Some(c) = &f.category {
            declare(known, "category", &c.id, &mut m);
            known.categories.insert(c.id.get_ref().clone());
        }
        for r in &f.region {
            declare(known, "region", &r.id, &mut m);
            known.regions.insert(r.id.get_ref().clone());
        }
        for s in &f.stage {
            if !known.stages.insert(*s.number.get_ref()) {
                m(
                    s.number.span().start,
                    format!("stage {} is declared twice", s.number.get_ref()),
                );
            }
        }
    }
    for p in files {
        let mut m = |offset: usize, message: String| {
            let (line, column) = locate(&p.source, offset);
            out.push(Mistake {
                file: p.name.clone(),
                line,
                column,
                message,
            });
        };
        let f = &p.file;
        if !f.prompt.is_empty() && f.category.is_none() {
            m(
                f.prompt[0].id.span().start,
                "prompts need a [category] table in the same file".into(),
            );
        }
        for q in &f.prompt {
            declare(known, "prompt", &q.id, &mut m);
            let chars = q.text.get_ref().chars().count();
            if chars > MAX_PROMPT_CHARS || q.text.get_ref().trim().is_empty() {
                m(
                    q.text.span().start,
                    format!("prompt text must be 1 to {MAX_PROMPT_CHARS} characters, not {chars}"),
                );
            }
            one_of(&q.depth, DEPTHS, "depth", &mut m);
            for t in &q.tags {
                exists(t, &known.conditions, "condition", &mut m);
            }
            for t in &q.fit {
                one_of(t, FIT, "fit", &mut m);
            }
            for t in &q.themes {
                one_of(t, THEMES, "theme", &mut m);
            }
        }
        for n in &f.need {
            declare(known, "need", &n.id, &mut m);
            if n.text.get_ref().trim().is_empty() {
                m(n.text.span().start, "need text is empty".into());
            }
            one_of(&n.category, NEED_CATEGORIES, "category", &mut m);
            one_of(&n.role, ROLES, "role", &mut m);
            for c in &n.conditions {
                exists(c, &known.conditions, "condition", &mut m);
            }
        }
        for s in &f.step {
            declare(known, "step", &s.id, &mut m);
            if !known.stages.contains(s.stage.get_ref()) {
                m(
                    s.stage.span().start,
                    format!("stage {} is not declared", s.stage.get_ref()),
                );
            }
            if s.short_minutes == 0 || s.short_minutes >= *s.minutes.get_ref() {
                m(
                    s.minutes.span().start,
                    "short_minutes must be more than 0 and less than minutes".into(),
                );
            }
            if s.adapt.len() < 3 {
                m(
                    s.id.span().start,
                    format!("step {} needs at least 3 adaptations", s.id.get_ref()),
                );
            }
            if s.debrief.is_empty() {
                m(
                    s.id.span().start,
                    format!(
                        "step {} needs at least one debrief question",
                        s.id.get_ref()
                    ),
                );
            }
            for r in &s.regions {
                exists(r, &known.regions, "region", &mut m);
            }
            for p in &s.position {
                one_of(p, POSITIONS, "position", &mut m);
            }
            for c in s.adapt.keys() {
                exists(c, &known.conditions, "condition", &mut m);
            }
        }
    }
    out
}

fn declare(
    known: &mut Known,
    kind: &'static str,
    id: &Spanned<String>,
    m: &mut impl FnMut(usize, String),
) {
    let v = id.get_ref();
    let ok = !v.is_empty()
        && v.chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-');
    if !ok {
        m(
            id.span().start,
            format!("{kind} id {v:?} may use only lowercase letters, digits and hyphens"),
        );
    } else if !known.ids.entry(kind).or_default().insert(v.clone()) {
        m(id.span().start, format!("{kind} id {v:?} is used twice"));
    }
}

fn one_of(v: &Spanned<String>, allowed: &[&str], what: &str, m: &mut impl FnMut(usize, String)) {
    if !allowed.contains(&v.get_ref().as_str()) {
        m(
            v.span().start,
            format!(
                "unknown {what} {:?}; use one of: {}",
                v.get_ref(),
                allowed.join(", ")
            ),
        );
    }
}

fn exists(
    v: &Spanned<String>,
    set: &HashSet<String>,
    what: &str,
    m: &mut impl FnMut(usize, String),
) {
    if !set.contains(v.get_ref()) {
        m(v.span().start, format!("unknown {what} {:?}", v.get_ref()));
    }
}
