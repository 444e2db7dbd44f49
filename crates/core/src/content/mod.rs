//! The curated libraries: conditions, prompts, need suggestions and the touch ladder, compiled in
//! from `content/` and merged with a couple's own files from the config directory.

mod fingerprint;
mod items;
pub(crate) mod load;
pub mod safety;
pub mod schema;

pub use items::Items;
pub use load::{Loaded, Shared};

use serde::Serialize;

/// How deep a prompt goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Depth {
    Light,
    Medium,
    Deep,
}

impl Depth {
    pub fn as_str(self) -> &'static str {
        match self {
            Depth::Light => "light",
            Depth::Medium => "medium",
            Depth::Deep => "deep",
        }
    }
}

/// Whom a need suggestion is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Role {
    /// The partner who has the condition.
    LivingWith,
    /// The partner who supports.
    Supporting,
    Either,
}

/// Declares a kind of content item twice over: the item the tools use (strings are `&'static str`)
/// and the row the build script compiles it into (strings are offsets into one text, lists are
/// ranges of a list table), so that the compiled library needs no relocation at start-up.
/// Each field is `str`, `list` (of strings), `pairs` (of strings) or a plain `Copy` type.
macro_rules! content_item {
    ($name:ident / $row:ident { $($(#[$fm:meta])* $f:ident: $kind:tt),* $(,)? }) => {
        #[derive(Debug, Clone, Copy, Serialize)]
        pub struct $name { $($(#[$fm])* pub $f: content_item!(@item $kind)),* }

        /// How the build script lays out one item.
        #[derive(Debug)]
        pub struct $row { $(pub $f: content_item!(@row $kind)),* }

        impl $row {
            pub fn get(&self) -> $name {
                $name { $($f: content_item!(@get $kind, self.$f)),* }
            }
        }
    };
    (@item str) => { &'static str };
    (@item list) => { &'static [&'static str] };
    (@item pairs) => { &'static [(&'static str, &'static str)] };
    (@item $t:tt) => { $t };
    (@row str) => { builtin::S };
    (@row list) => { builtin::L };
    (@row pairs) => { builtin::L };
    (@row $t:tt) => { $t };
    (@get str, $v:expr) => { $v.get() };
    (@get list, $v:expr) => { $v.list() };
    (@get pairs, $v:expr) => { $v.pairs() };
    (@get $t:tt, $v:expr) => { $v };
}

content_item! {
    Condition / ConditionRow {
        id: str,
        name: str,
        description: str,
    }
}

content_item! {
    Category / CategoryRow {
        id: str,
        name: str,
        about: str,
        sexual: bool,
    }
}

content_item! {
    Prompt / PromptRow {
        id: str,
        text: str,
        category: str,
        depth: Depth,
        low_energy: bool,
        /// Condition ids; empty means the prompt suits everyone.
        tags: list,
        /// Whom the prompt fits beyond conditions: `assumes-illness`, `long-horizon`.
        fit: list,
        /// Themes the prompt belongs to across categories (money, anger, ...).
        themes: list,
        sexual: bool,
    }
}

impl Prompt {
    /// Whether the prompt carries the fit tag `tag` (see [`schema::FIT`]).
    pub fn fits(&self, tag: &str) -> bool {
        self.fit.contains(&tag)
    }
}

content_item! {
    NeedSuggestion / NeedRow {
        id: str,
        text: str,
        category: str,
        conditions: list,
        role: Role,
    }
}

content_item! {
    Region / RegionRow {
        id: str,
        name: str,
    }
}

content_item! {
    Stage / StageRow {
        number: u8,
        name: str,
        about: str,
        sexual: bool,
    }
}

content_item! {
    Step / StepRow {
        id: str,
        stage: u8,
        title: str,
        how: str,
        giver: str,
        receiver: str,
        notice: str,
        minutes: u16,
        short_minutes: u16,
        short: str,
        regions: list,
        debrief: list,
        /// The body positions the step asks for (see [`schema::POSITIONS`]).
        positions: list,
        /// The step uses water (a bowl, bath or shower).
        water: bool,
        /// The step uses warmth beyond body heat (warmed oil, a warm cloth, a heat pad).
        heat: bool,
        /// The step uses cold (a cool cloth, a cool spoon).
        cold: bool,
        /// The step uses products on the skin (lotion, oil, lubricant, soap, bath oil).
        products: bool,
        /// Part of one partner's weight or an arm rests on the other's chest.
        chest_weight: bool,
        /// Adaptations keyed by condition id.
        adapt: pairs,
    }
}

impl Step {
    /// Whether the step includes genital touch (read from its regions).
    pub fn genital(&self) -> bool {
        self.regions.contains(&"genitals")
    }

    /// The adaptation for `condition`, if the step has one.
    pub fn adaptation(&self, condition: &str) -> Option<&'static str> {
        self.adapt
            .iter()
            .find(|(c, _)| *c == condition)
            .map(|(_, t)| *t)
    }
}

/// The built-in library, checked and compiled by the build script: every string once in one
/// text, and tables of offsets into it (no pointers, so nothing to relocate when a program starts).
pub mod builtin {
    use super::*;
    use std::sync::LazyLock;

    /// A string: the byte range `start..end` of [`TEXT`].
    #[derive(Debug, Clone, Copy)]
    pub struct S(pub u32, pub u32);

    /// A list: the range `start..end` of [`LIST`] (for pairs, of [`PAIRS`]).
    #[derive(Debug, Clone, Copy)]
    pub struct L(pub u32, pub u32);

    impl S {
        pub fn get(self) -> &'static str {
            &TEXT[self.0 as usize..self.1 as usize]
        }
    }

    static LIST_STRS: LazyLock<Vec<&'static str>> =
        LazyLock::new(|| LIST.iter().map(|s| s.get()).collect());
    static PAIR_STRS: LazyLock<Vec<(&'static str, &'static str)>> =
        LazyLock::new(|| PAIRS.iter().map(|(k, v)| (k.get(), v.get())).collect());

    impl L {
        pub fn list(self) -> &'static [&'static str] {
            &LIST_STRS[self.0 as usize..self.1 as usize]
        }

        pub fn pairs(self) -> &'static [(&'static str, &'static str)] {
            &PAIR_STRS[self.0 as usize..self.1 as usize]
        }
    }

    pub static TEXT: &str = include_str!(concat!(env!("OUT_DIR"), "/content.txt"));
    include!(concat!(env!("OUT_DIR"), "/content.rs"));
}

/// Everything the tools can show: the built-in library plus the couple's own files.
#[derive(Debug, Clone)]
pub struct Library {
    pub conditions: Items<Condition>,
    pub categories: Items<Category>,
    pub prompts: Items<Prompt>,
    pub needs: Items<NeedSuggestion>,
    pub rules: Items<&'static str>,
    pub help: &'static str,
    /// What to do when someone feels unsafe with their partner, pressured or in crisis: short,
    /// international, shown where it matters (set-up, touch-plan help, after stopping a step,
    /// when a partner declines everything).
    pub safety: &'static str,
    /// A gentle pointer to a couples counselor when needs keep going unmet, for once per review
    /// cycle.
    pub counselor: &'static str,
    pub regions: Items<Region>,
    pub stages: Items<Stage>,
    pub steps: Items<Step>,
}

impl Library {
    /// The built-in library alone.
    pub fn builtin() -> Library {
        Library {
            conditions: Items::lazy(builtin::CONDITIONS.len(), |i| builtin::CONDITIONS[i].get()),
            categories: Items::lazy(builtin::CATEGORIES.len(), |i| builtin::CATEGORIES[i].get()),
            prompts: Items::lazy(builtin::PROMPTS.len(), |i| builtin::PROMPTS[i].get()),
            needs: Items::lazy(builtin::NEEDS.len(), |i| builtin::NEEDS[i].get()),
            rules: Items::lazy(builtin::RULES.len(), |i| builtin::RULES[i].get()),
            help: builtin::HELP.get(),
            safety: builtin::SAFETY.get(),
            counselor: builtin::COUNSELOR.get(),
            regions: Items::lazy(builtin::REGIONS.len(), |i| builtin::REGIONS[i].get()),
            stages: Items::lazy(builtin::STAGES.len(), |i| builtin::STAGES[i].get()),
            steps: Items::lazy(builtin::STEPS.len(), |i| builtin::STEPS[i].get()),
        }
    }

    /// A short fingerprint of what decides the prompt rotation (each prompt's ID, category and
    /// low-energy mark): two devices with the same fingerprint show the same prompts.
    pub fn fingerprint(&self) -> String {
        if self.has_builtin_prompts() {
            return builtin::FINGERPRINT.to_owned();
        }
        fingerprint::of(
            self.prompts
                .iter()
                .map(|p| (p.id, p.category, p.low_energy)),
        )
    }

    /// Whether the prompts are the built-in ones, in their order, as [`Library::builtin`] gives
    /// them (the same text, not only the same words): their fingerprint was worked out when
    /// closer was built.
    fn has_builtin_prompts(&self) -> bool {
        self.prompts.untouched()
            || self.prompts.len() == builtin::PROMPTS.len()
                && self.prompts.iter().zip(&builtin::PROMPTS).all(|(p, r)| {
                    std::ptr::eq(p.id, r.id.get())
                        && std::ptr::eq(p.category, r.category.get())
                        && p.low_energy == r.low_energy
                })
    }

    fn known(&self) -> schema::Known {
        let mut k = schema::Known::default();
        let own = |v: &[&str]| {
            v.iter()
                .map(|s| s.to_string())
                .collect::<std::collections::HashSet<_>>()
        };
        k.conditions = own(&self.conditions.iter().map(|c| c.id).collect::<Vec<_>>());
        k.categories = own(&self.categories.iter().map(|c| c.id).collect::<Vec<_>>());
        k.regions = own(&self.regions.iter().map(|c| c.id).collect::<Vec<_>>());
        k.stages = self.stages.iter().map(|s| s.number).collect();
        k.ids.insert("condition", k.conditions.clone());
        k.ids.insert("category", k.categories.clone());
        k.ids.insert("region", k.regions.clone());
        k.ids.insert(
            "prompt",
            own(&self.prompts.iter().map(|c| c.id).collect::<Vec<_>>()),
        );
        k.ids.insert(
            "need",
            own(&self.needs.iter().map(|c| c.id).collect::<Vec<_>>()),
        );
        k.ids.insert(
            "step",
            own(&self.steps.iter().map(|c| c.id).collect::<Vec<_>>()),
        );
        k
    }

    fn add(&mut self, f: schema::ContentFile) {
        let s = |v: String| -> &'static str { Box::leak(v.into_boxed_str()) };
        let list = |v: Vec<toml::Spanned<String>>| -> &'static [&'static str] {
            Box::leak(
                v.into_iter()
                    .map(|t| s(t.into_inner()))
                    .collect::<Vec<_>>()
                    .into_boxed_slice(),
            )
        };
        for c in f.condition {
            self.conditions.push(Condition {
                id: s(c.id.into_inner()),
                name: s(c.name),
                description: s(c.description),
            });
        }
        if let Some(c) = f.category {
            let cat = Category {
                id: s(c.id.into_inner()),
                name: s(c.name),
                about: s(c.about),
                sexual: c.sexual,
            };
            for q in f.prompt {
                self.prompts.push(Prompt {
                    id: s(q.id.into_inner()),
                    text: s(q.text.into_inner()),
                    category: cat.id,
                    depth: match q.depth.get_ref().as_str() {
                        "light" => Depth::Light,
                        "medium" => Depth::Medium,
                        _ => Depth::Deep,
                    },
                    low_energy: q.low_energy,
                    tags: list(q.tags),
                    fit: list(q.fit),
                    themes: list(q.themes),
                    sexual: q.sexual || cat.sexual,
                });
            }
            self.categories.push(cat);
        }
        for n in f.need {
            self.needs.push(NeedSuggestion {
                id: s(n.id.into_inner()),
                text: s(n.text.into_inner()),
                category: s(n.category.into_inner()),
                conditions: list(n.conditions),
                role: match n.role.get_ref().as_str() {
                    "living-with" => Role::LivingWith,
                    "supporting" => Role::Supporting,
                    _ => Role::Either,
                },
            });
        }
        self.rules.extend(f.rules.into_iter().map(s));
        if let Some(h) = f.help {
            self.help = s(h);
        }
        if let Some(h) = f.safety {
            self.safety = s(h);
        }
        if let Some(h) = f.counselor {
            self.counselor = s(h);
        }
        for r in f.region {
            self.regions.push(Region {
                id: s(r.id.into_inner()),
                name: s(r.name),
            });
        }
        for st in f.stage {
            self.stages.push(Stage {
                number: st.number.into_inner(),
                name: s(st.name),
                about: s(st.about),
                sexual: st.sexual,
            });
        }
        for st in f.step {
            let adapt: Vec<(&'static str, &'static str)> = st
                .adapt
                .into_iter()
                .map(|(k, v)| (s(k.into_inner()), s(v)))
                .collect();
            self.steps.push(Step {
                id: s(st.id.into_inner()),
                stage: st.stage.into_inner(),
                title: s(st.title),
                how: s(st.how),
                giver: s(st.giver),
                receiver: s(st.receiver),
                notice: s(st.notice),
                minutes: st.minutes.into_inner(),
                short_minutes: st.short_minutes,
                short: s(st.short),
                regions: list(st.regions),
                debrief: Box::leak(
                    st.debrief
                        .into_iter()
                        .map(s)
                        .collect::<Vec<_>>()
                        .into_boxed_slice(),
                ),
                positions: list(st.position),
                water: st.water,
                heat: st.heat,
                cold: st.cold,
                products: st.products,
                chest_weight: st.chest_weight,
                adapt: Box::leak(adapt.into_boxed_slice()),
            });
        }
    }

    pub fn condition(&self, id: &str) -> Option<&Condition> {
        self.conditions.iter().find(|c| c.id == id)
    }

    pub fn stage(&self, number: u8) -> Option<&Stage> {
        self.stages.iter().find(|s| s.number == number)
    }

    pub fn step(&self, id: &str) -> Option<&Step> {
        self.steps.iter().find(|s| s.id == id)
    }

    /// Whether a step belongs to a stage only for couples who both opted in to sexual content.
    pub fn step_is_sexual(&self, step: &Step) -> bool {
        self.stage(step.stage).is_some_and(|s| s.sexual)
    }

    pub fn region_name<'a>(&self, id: &'a str) -> &'a str {
        self.regions
            .iter()
            .find(|r| r.id == id)
            .map_or(id, |r| r.name)
    }
}

#[cfg(test)]
mod tests;
