//! Checks the built-in content libraries (`content/` at the top of the workspace) and compiles
//! them into static Rust data, so an installed binary needs no files and parses nothing at start-up.
//! The data is laid out as offsets into one text (see `Layout`), so that it needs no relocations.

#[path = "src/content/schema.rs"]
#[allow(dead_code)]
mod schema;

#[path = "src/content/fingerprint.rs"]
mod fingerprint;

use std::collections::HashMap;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

fn main() {
    let manifest = std::env::var("CARGO_MANIFEST_DIR").unwrap();
    let root = Path::new(&manifest).join("../../content");
    println!("cargo::rerun-if-changed={}", root.display());
    let mut paths = Vec::new();
    collect(&root, &mut paths);
    paths.sort();

    let mut files = Vec::new();
    let mut mistakes = Vec::new();
    for path in &paths {
        println!("cargo::rerun-if-changed={}", path.display());
        let name = path
            .strip_prefix(&root)
            .unwrap()
            .to_string_lossy()
            .replace('\\', "/");
        let source = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{name}: {e}"));
        match schema::parse(&name, source) {
            Ok(p) => files.push(p),
            Err(m) => mistakes.push(m),
        }
    }
    mistakes.extend(schema::check(&files, &mut schema::Known::default()));
    if !mistakes.is_empty() {
        let list: Vec<String> = mistakes.iter().map(|m| format!("content/{m}")).collect();
        panic!("the content library has mistakes:\n{}", list.join("\n"));
    }

    let out = PathBuf::from(std::env::var("OUT_DIR").unwrap());
    let (text, tables) = generate(&files);
    std::fs::write(out.join("content.txt"), text).unwrap();
    std::fs::write(out.join("content.rs"), tables).unwrap();
}

fn collect(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            println!("cargo::rerun-if-changed={}", path.display());
            collect(&path, out);
        } else if path.extension().is_some_and(|e| e == "toml") {
            out.push(path);
        }
    }
}

/// The compiled library: every string once in one text, lists of strings in one table, and rows
/// that hold offsets into them. Offsets, not pointers: a program that starts relocates nothing.
#[derive(Default)]
struct Layout {
    text: String,
    seen: HashMap<String, String>,
    list: Vec<String>,
    pairs: Vec<String>,
}

impl Layout {
    /// A string, as `S(start, end)` in the text.
    fn s(&mut self, v: &str) -> String {
        if let Some(s) = self.seen.get(v) {
            return s.clone();
        }
        let start = self.text.len();
        self.text.push_str(v);
        let s = format!("S({start}, {})", self.text.len());
        self.seen.insert(v.to_owned(), s.clone());
        s
    }

    /// A list of strings, as `L(start, end)` in the list table.
    fn list<'a>(&mut self, items: impl IntoIterator<Item = &'a String>) -> String {
        let start = self.list.len();
        for i in items {
            let s = self.s(i);
            self.list.push(s);
        }
        format!("L({start}, {})", self.list.len())
    }

    /// A list of pairs of strings, as `L(start, end)` in the pairs table.
    fn pairs<'a>(&mut self, items: impl IntoIterator<Item = (&'a String, &'a String)>) -> String {
        let start = self.pairs.len();
        for (k, v) in items {
            let pair = format!("({}, {})", self.s(k), self.s(v));
            self.pairs.push(pair);
        }
        format!("L({start}, {})", self.pairs.len())
    }
}

/// A table of rows: `pub static NAME: [Type; n] = [...];`.
fn table(out: &mut String, name: &str, ty: &str, rows: &[String]) {
    writeln!(out, "pub static {name}: [{ty}; {}] = [", rows.len()).unwrap();
    for r in rows {
        writeln!(out, "    {r},").unwrap();
    }
    out.push_str("];\n");
}

fn variant(s: &str) -> String {
    s.split('-')
        .map(|w| w[..1].to_uppercase() + &w[1..])
        .collect()
}

/// The text (`content.txt`) and the tables that point into it (`content.rs`).
fn generate(files: &[schema::Parsed]) -> (String, String) {
    let mut l = Layout::default();
    let (mut conditions, mut categories, mut prompts, mut needs) =
        (Vec::new(), Vec::new(), Vec::new(), Vec::new());
    let (mut safety, mut counselor) = (None, None);
    let mut prompt_keys = Vec::new();
    let (mut rules, mut help, mut regions, mut stages, mut steps) =
        (Vec::new(), None, Vec::new(), Vec::new(), Vec::new());
    let mut counts = String::new();
    for p in files {
        let f = &p.file;
        for c in &f.condition {
            conditions.push(format!(
                "ConditionRow {{ id: {}, name: {}, description: {} }}",
                l.s(c.id.get_ref()),
                l.s(&c.name),
                l.s(&c.description)
            ));
        }
        if let Some(c) = &f.category {
            categories.push(format!(
                "CategoryRow {{ id: {}, name: {}, about: {}, sexual: {} }}",
                l.s(c.id.get_ref()),
                l.s(&c.name),
                l.s(&c.about),
                c.sexual
            ));
            for q in &f.prompt {
                prompt_keys.push((
                    q.id.get_ref().as_str(),
                    c.id.get_ref().as_str(),
                    q.low_energy,
                ));
                prompts.push(format!(
                    "PromptRow {{ id: {}, text: {}, category: {}, depth: Depth::{}, low_energy: {}, tags: {}, fit: {}, themes: {}, sexual: {} }}",
                    l.s(q.id.get_ref()),
                    l.s(q.text.get_ref()),
                    l.s(c.id.get_ref()),
                    variant(q.depth.get_ref()),
                    q.low_energy,
                    l.list(q.tags.iter().map(|t| t.get_ref())),
                    l.list(q.fit.iter().map(|t| t.get_ref())),
                    l.list(q.themes.iter().map(|t| t.get_ref())),
                    q.sexual || c.sexual
                ));
            }
        }
        for n in &f.need {
            needs.push(format!(
                "NeedRow {{ id: {}, text: {}, category: {}, conditions: {}, role: Role::{} }}",
                l.s(n.id.get_ref()),
                l.s(n.text.get_ref()),
                l.s(n.category.get_ref()),
                l.list(n.conditions.iter().map(|t| t.get_ref())),
                variant(n.role.get_ref())
            ));
        }
        for r in &f.rules {
            rules.push(l.s(r));
        }
        if let Some(h) = &f.help {
            help = Some(l.s(h));
        }
        if let Some(h) = &f.safety {
            safety = Some(l.s(h));
        }
        if let Some(h) = &f.counselor {
            counselor = Some(l.s(h));
        }
        for r in &f.region {
            regions.push(format!(
                "RegionRow {{ id: {}, name: {} }}",
                l.s(r.id.get_ref()),
                l.s(&r.name)
            ));
        }
        for s in &f.stage {
            stages.push(format!(
                "StageRow {{ number: {}, name: {}, about: {}, sexual: {} }}",
                s.number.get_ref(),
                l.s(&s.name),
                l.s(&s.about),
                s.sexual
            ));
        }
        for s in &f.step {
            steps.push(format!(
                "StepRow {{ id: {}, stage: {}, title: {}, how: {}, giver: {}, receiver: {}, notice: {}, minutes: {}, short_minutes: {}, short: {}, regions: {}, debrief: {}, positions: {}, water: {}, heat: {}, cold: {}, products: {}, chest_weight: {}, adapt: {} }}",
                l.s(s.id.get_ref()),
                s.stage.get_ref(),
                l.s(&s.title),
                l.s(&s.how),
                l.s(&s.giver),
                l.s(&s.receiver),
                l.s(&s.notice),
                s.minutes.get_ref(),
                s.short_minutes,
                l.s(&s.short),
                l.list(s.regions.iter().map(|t| t.get_ref())),
                l.list(&s.debrief),
                l.list(s.position.iter().map(|t| t.get_ref())),
                s.water,
                s.heat,
                s.cold,
                s.products,
                s.chest_weight,
                l.pairs(s.adapt.iter().map(|(k, v)| (k.get_ref(), v)))
            ));
        }
        let items = f.condition.len()
            + f.prompt.len()
            + f.need.len()
            + f.rules.len()
            + f.region.len()
            + f.stage.len()
            + f.step.len()
            + usize::from(f.safety.is_some())
            + usize::from(f.counselor.is_some());
        writeln!(counts, "({:?}, {items}),", p.name).unwrap();
    }
    let mut text = |v: Option<String>| v.unwrap_or_else(|| l.s(""));
    let (help, safety, counselor) = (text(help), text(safety), text(counselor));
    let mut out = String::new();
    table(&mut out, "CONDITIONS", "ConditionRow", &conditions);
    table(&mut out, "CATEGORIES", "CategoryRow", &categories);
    table(&mut out, "PROMPTS", "PromptRow", &prompts);
    table(&mut out, "NEEDS", "NeedRow", &needs);
    table(&mut out, "RULES", "S", &rules);
    writeln!(out, "pub static HELP: S = {help};").unwrap();
    writeln!(
        out,
        "/// The fingerprint of the built-in prompts (see `Library::fingerprint`).\n\
         pub static FINGERPRINT: &str = {:?};",
        fingerprint::of(prompt_keys)
    )
    .unwrap();
    writeln!(out, "pub static SAFETY: S = {safety};").unwrap();
    writeln!(out, "pub static COUNSELOR: S = {counselor};").unwrap();
    table(&mut out, "REGIONS", "RegionRow", &regions);
    table(&mut out, "STAGES", "StageRow", &stages);
    table(&mut out, "STEPS", "StepRow", &steps);
    table(&mut out, "LIST", "S", &l.list);
    table(&mut out, "PAIRS", "(S, S)", &l.pairs);
    writeln!(
        out,
        "/// Every built-in file (relative to `content/`) and how many items it declares.\n\
         pub static FILES: &[(&str, usize)] = &[\n{counts}];"
    )
    .unwrap();
    (l.text, out)
}
