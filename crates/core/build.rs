//! Checks the built-in content libraries (`content/` at the top of the workspace) and compiles
//! them into static Rust data, so an installed binary needs no files and parses nothing at start-up.

#[path = "src/content/schema.rs"]
#[allow(dead_code)]
mod schema;

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

fn main() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../content");
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

    let out = PathBuf::from(std::env::var("OUT_DIR").unwrap()).join("content.rs");
    std::fs::write(out, generate(&files)).unwrap();
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

fn strs<'a>(items: impl IntoIterator<Item = &'a String>) -> String {
    let v: Vec<String> = items.into_iter().map(|s| format!("{s:?}")).collect();
    format!("&[{}]", v.join(", "))
}

fn variant(s: &str) -> String {
    s.split('-')
        .map(|w| w[..1].to_uppercase() + &w[1..])
        .collect()
}

fn generate(files: &[schema::Parsed]) -> String {
    let (mut conditions, mut categories, mut prompts, mut needs) =
        (String::new(), String::new(), String::new(), String::new());
    let (mut safety, mut counselor) = (None, None);
    let (mut rules, mut help, mut regions, mut stages, mut steps) = (
        String::new(),
        None,
        String::new(),
        String::new(),
        String::new(),
    );
    let mut counts = String::new();
    for p in files {
        let f = &p.file;
        for c in &f.condition {
            writeln!(
                conditions,
                "Condition {{ id: {:?}, name: {:?}, description: {:?} }},",
                c.id.get_ref(),
                c.name,
                c.description
            )
            .unwrap();
        }
        if let Some(c) = &f.category {
            writeln!(
                categories,
                "Category {{ id: {:?}, name: {:?}, about: {:?}, sexual: {} }},",
                c.id.get_ref(),
                c.name,
                c.about,
                c.sexual
            )
            .unwrap();
            for q in &f.prompt {
                writeln!(
                    prompts,
                    "Prompt {{ id: {:?}, text: {:?}, category: {:?}, depth: Depth::{}, low_energy: {}, tags: {}, fit: {}, themes: {}, sexual: {} }},",
                    q.id.get_ref(),
                    q.text.get_ref(),
                    c.id.get_ref(),
                    variant(q.depth.get_ref()),
                    q.low_energy,
                    strs(q.tags.iter().map(|t| t.get_ref())),
                    strs(q.fit.iter().map(|t| t.get_ref())),
                    strs(q.themes.iter().map(|t| t.get_ref())),
                    q.sexual || c.sexual
                )
                .unwrap();
            }
        }
        for n in &f.need {
            writeln!(
                needs,
                "NeedSuggestion {{ id: {:?}, text: {:?}, category: {:?}, conditions: {}, role: Role::{} }},",
                n.id.get_ref(),
                n.text.get_ref(),
                n.category.get_ref(),
                strs(n.conditions.iter().map(|t| t.get_ref())),
                variant(n.role.get_ref())
            )
            .unwrap();
        }
        for r in &f.rules {
            writeln!(rules, "{r:?},").unwrap();
        }
        if f.help.is_some() {
            help = f.help.clone();
        }
        if f.safety.is_some() {
            safety = f.safety.clone();
        }
        if f.counselor.is_some() {
            counselor = f.counselor.clone();
        }
        for r in &f.region {
            writeln!(
                regions,
                "Region {{ id: {:?}, name: {:?} }},",
                r.id.get_ref(),
                r.name
            )
            .unwrap();
        }
        for s in &f.stage {
            writeln!(
                stages,
                "Stage {{ number: {}, name: {:?}, about: {:?}, sexual: {} }},",
                s.number.get_ref(),
                s.name,
                s.about,
                s.sexual
            )
            .unwrap();
        }
        for s in &f.step {
            let adapt: Vec<String> = s
                .adapt
                .iter()
                .map(|(k, v)| format!("({:?}, {v:?})", k.get_ref()))
                .collect();
            writeln!(
                steps,
                "Step {{ id: {:?}, stage: {}, title: {:?}, how: {:?}, giver: {:?}, receiver: {:?}, notice: {:?}, minutes: {}, short_minutes: {}, short: {:?}, regions: {}, debrief: {}, positions: {}, water: {}, heat: {}, cold: {}, products: {}, chest_weight: {}, adapt: &[{}] }},",
                s.id.get_ref(),
                s.stage.get_ref(),
                s.title,
                s.how,
                s.giver,
                s.receiver,
                s.notice,
                s.minutes.get_ref(),
                s.short_minutes,
                s.short,
                strs(s.regions.iter().map(|t| t.get_ref())),
                strs(&s.debrief),
                strs(s.position.iter().map(|t| t.get_ref())),
                s.water,
                s.heat,
                s.cold,
                s.products,
                s.chest_weight,
                adapt.join(", ")
            )
            .unwrap();
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
    format!(
        "pub static CONDITIONS: &[Condition] = &[\n{conditions}];\n\
         pub static CATEGORIES: &[Category] = &[\n{categories}];\n\
         pub static PROMPTS: &[Prompt] = &[\n{prompts}];\n\
         pub static NEEDS: &[NeedSuggestion] = &[\n{needs}];\n\
         pub static RULES: &[&str] = &[\n{rules}];\n\
         pub static HELP: &str = {:?};\n\
         pub static SAFETY: &str = {:?};\n\
         pub static COUNSELOR: &str = {:?};\n\
         pub static REGIONS: &[Region] = &[\n{regions}];\n\
         pub static STAGES: &[Stage] = &[\n{stages}];\n\
         pub static STEPS: &[Step] = &[\n{steps}];\n\
         /// Every built-in file (relative to `content/`) and how many items it declares.\n\
         pub static FILES: &[(&str, usize)] = &[\n{counts}];\n",
        help.unwrap_or_default(),
        safety.unwrap_or_default(),
        counselor.unwrap_or_default()
    )
}
