//! The couple profile: the partners, each partner's conditions and opt-ins, and the rotation seed.
//!
//! On disk: `couple.json` (written once, holds the seed) and one file per partner in `partners/`,
//! so that each partner's own facts have one writer.

use crate::content::Library;
use crate::error::{Error, Next, Result};
use crate::ids::{Id, new_id};
use crate::store::{Extra, FORMAT_VERSION, Store, Versioned};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use unicode_normalization::UnicodeNormalization;

/// The file written once when a couple is set up.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct CoupleFile {
    pub version: u32,
    /// Seeds the prompt rotation, so that each couple gets its own order.
    pub seed: u64,
    pub created: NaiveDate,
    /// The couple chose to leave out prompts that look years ahead (`long-horizon`), for
    /// example because one of them faces an advanced illness. Older files lack it: false.
    #[serde(default)]
    pub no_future_prompts: bool,
    /// Fields a newer closer wrote at this format version, kept as they are.
    #[serde(flatten, default, skip_serializing_if = "Extra::is_empty")]
    pub extra: Extra,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Partner {
    pub version: u32,
    pub id: Id,
    /// Checked like a name typed on the command line.
    #[serde(deserialize_with = "name_from_file")]
    pub name: String,
    #[serde(default)]
    pub conditions: Vec<String>,
    /// Conditions taken off this profile, until set again: a merge of two versions never brings
    /// them back.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub removed_conditions: Vec<String>,
    /// This partner has chosen to see sexual content. It is shown only when every partner has.
    #[serde(default)]
    pub sexual: bool,
    pub added: NaiveDate,
    /// Fields a newer closer wrote at this format version, kept as they are.
    #[serde(flatten, default, skip_serializing_if = "Extra::is_empty")]
    pub extra: Extra,
}

impl Versioned for CoupleFile {
    fn version(&self) -> u32 {
        self.version
    }
}
impl Versioned for Partner {
    fn version(&self) -> u32 {
        self.version
    }
    fn file_id(&self) -> Option<&str> {
        Some(&self.id)
    }
}

/// Starts the message of a name in a file that cannot be used.
pub const BAD_NAME: &str = "invalid name: ";

fn name_from_file<'de, D: serde::Deserializer<'de>>(d: D) -> Result<String, D::Error> {
    let s = String::deserialize(d)?;
    match check_name(&s) {
        Ok(n) if n == s => Ok(s),
        Ok(_) => Err(serde::de::Error::custom(format!(
            "{BAD_NAME}{s:?} starts or ends with spaces"
        ))),
        Err(e) => Err(serde::de::Error::custom(format!("{BAD_NAME}{e}"))),
    }
}

/// The profile as the tools use it.
#[derive(Debug, Clone, Default)]
pub struct Couple {
    pub seed: u64,
    /// Partners in the order they were added.
    pub partners: Vec<Partner>,
    /// Leave out prompts tagged `long-horizon`.
    pub no_future_prompts: bool,
}

pub const PARTNERS: &str = "partners";
/// Who wrote a record whose partner was removed from the profile (their records stay). Plain
/// words that assume nothing about why: a separation, a death, or a couple set up again.
pub const REMOVED_PARTNER: &str = "a partner no longer in the profile";
pub const COUPLE: &str = "couple.json";
/// The longest partner name, in characters.
pub const MAX_NAME: usize = 40;

impl Couple {
    /// Reads the profile; an empty profile (no partners, seed 0) when nothing is set up yet.
    pub fn load(store: &Store) -> Result<Couple> {
        Couple::load_with(store, true)
    }

    /// [`Couple::load`] for what needs no opt-in (names, conditions): in an encrypted folder,
    /// nobody's opt-in is opened and every partner reads as not opted in.
    pub fn load_without_opt_ins(store: &Store) -> Result<Couple> {
        Couple::load_with(store, false)
    }

    fn load_with(store: &Store, opt_ins: bool) -> Result<Couple> {
        let file = store.read::<CoupleFile>(COUPLE)?;
        let seed = file.as_ref().map_or(0, |c| c.seed);
        let no_future_prompts = file.is_some_and(|c| c.no_future_prompts);
        let mut partners: Vec<Partner> = store.read_all(PARTNERS)?;
        if opt_ins {
            crate::own_facts::fill_opt_ins(store, &mut partners)?;
        } else if store.is_sealed() {
            partners.iter_mut().for_each(|p| p.sexual = false);
        }
        partners.sort_by(|a, b| (a.added, &a.name).cmp(&(b.added, &b.name)));
        Ok(Couple {
            seed,
            partners,
            no_future_prompts,
        })
    }

    pub fn is_empty(&self) -> bool {
        self.partners.is_empty()
    }

    /// Whether there are two partners: a couple of one (a set-up cut short, a partner removed)
    /// is never joint consent, whatever that one partner said.
    pub fn is_whole(&self) -> bool {
        self.partners.len() >= 2
    }

    /// Sexual content is shown only when the couple is whole and every partner opted in.
    pub fn sexual_ok(&self) -> bool {
        self.is_whole() && self.partners.iter().all(|p| p.sexual)
    }

    /// Every condition any partner carries.
    pub fn conditions(&self) -> Vec<&str> {
        let mut all: Vec<&str> = self
            .partners
            .iter()
            .flat_map(|p| p.conditions.iter().map(String::as_str))
            .collect();
        all.sort_unstable();
        all.dedup();
        all
    }

    pub fn names(&self) -> Vec<&str> {
        self.partners.iter().map(|p| p.name.as_str()).collect()
    }

    /// The partner called `name` (case-insensitive), or an error listing who there is.
    pub fn find(&self, name: &str) -> Result<&Partner> {
        let key = name.trim();
        let wanted = name_key(key);
        self.partners
            .iter()
            .find(|p| name_key(&p.name) == wanted)
            .ok_or_else(|| Error::UnknownPartner {
                name: key.to_owned(),
                known: self.names().into_iter().map(String::from).collect(),
            })
    }

    pub fn by_id(&self, id: &str) -> Option<&Partner> {
        self.partners.iter().find(|p| p.id == id)
    }

    /// The name of partner `id`, or [`REMOVED_PARTNER`] for one who was removed.
    pub fn name_of(&self, id: &str) -> &str {
        self.by_id(id).map_or(REMOVED_PARTNER, |p| p.name.as_str())
    }
}

/// What two names that look alike share: one Unicode normal form (NFKC, so fullwidth `Ｓam` is
/// `Sam` too), no case (by Unicode rules), no invisible or bidirectional marks, no surrounding
/// spaces. `--as ZOË` finds `Zoë`, whether its `ë` is one character or `e` and a combining mark;
/// `Sam` and `Sam` with a zero-width space are one name.
pub fn name_key(name: &str) -> String {
    name.trim()
        .chars()
        .filter(|c| {
            !matches!(
                c,
                '\u{ad}'
                    | '\u{34f}'
                    | '\u{61c}'
                    | '\u{180e}'
                    | '\u{200b}'..='\u{200f}'
                    | '\u{202a}'..='\u{202e}'
                    | '\u{2060}'..='\u{2064}'
                    | '\u{2066}'..='\u{2069}'
                    | '\u{feff}'
            )
        })
        .nfkc()
        .flat_map(char::to_lowercase)
        .nfkc()
        .collect()
}

/// A name as it is stored: trimmed, checked, and in Unicode's composed normal form (NFC), so the
/// same name typed on two keyboards is the same text in every file and export.
fn stored_name(name: &str) -> Result<String> {
    let composed: String = check_name(name)?.nfc().collect();
    // Composing can lengthen a name (some characters are never stored composed): check it again.
    Ok(check_name(&composed)?.to_owned())
}

/// Checks a partner name: not empty, not too long, no control characters, no tabs.
pub fn check_name(name: &str) -> Result<&str> {
    let n = name.trim();
    if n.is_empty() {
        return Err(Error::usage("a partner's name cannot be empty"));
    }
    if n.chars().count() > MAX_NAME {
        return Err(Error::usage(format!(
            "a partner's name can be at most {MAX_NAME} characters"
        )));
    }
    if n.chars().any(char::is_control) {
        return Err(Error::usage(
            "a partner's name cannot hold control characters, tabs or line breaks",
        ));
    }
    Ok(n)
}

/// Checks condition tags against the library.
pub fn check_conditions(lib: &Library, tags: &[String]) -> Result<Vec<String>> {
    let mut out = Vec::new();
    for t in tags {
        let t = t.trim().to_ascii_lowercase();
        if lib.condition(&t).is_none() {
            return Err(Error::UnknownCondition { given: t });
        }
        if !out.contains(&t) {
            out.push(t);
        }
    }
    Ok(out)
}

/// Gives `p` the conditions `tags`: those it loses are kept as removed, those it gains no longer
/// are (see [`Partner::removed_conditions`]).
pub fn set_conditions(p: &mut Partner, tags: Vec<String>) {
    for c in p.conditions.drain(..) {
        if !tags.contains(&c) && !p.removed_conditions.contains(&c) {
            p.removed_conditions.push(c);
        }
    }
    p.removed_conditions.retain(|c| !tags.contains(c));
    p.conditions = tags;
}

/// A partner's conditions without `tags` (when someone heals, or a tag no longer fits). Every tag
/// must be one the partner carries, so that a typo never passes for a change.
pub fn without_conditions(p: &Partner, tags: &[String]) -> Result<Vec<String>> {
    let tags: Vec<String> = tags.iter().map(|t| t.trim().to_ascii_lowercase()).collect();
    if let Some(t) = tags.iter().find(|t| !p.conditions.contains(t)) {
        let carried = if p.conditions.is_empty() {
            "none".to_owned()
        } else {
            p.conditions.join(", ")
        };
        return Err(Error::invalid(format!(
            "{} has no condition {t:?}; their conditions: {carried}",
            p.name
        )));
    }
    Ok(p.conditions
        .iter()
        .filter(|c| !tags.contains(c))
        .cloned()
        .collect())
}

pub fn partner_path(id: &Id) -> String {
    format!("{PARTNERS}/{id}.json")
}

/// A couple is two: a third partner is refused, saying what to do instead.
pub fn check_room(couple: &Couple) -> Result<()> {
    if couple.partners.len() >= 2 {
        return Err(Error::refused(
            format!(
                "{} are a couple already, and closer is for the two of you: it does not add a third partner",
                couple.names().join(" and ")
            ),
            Next::ThirdPartner,
        ));
    }
    Ok(())
}

/// Adds a partner. The first partner also creates the couple file and its random seed.
pub fn add(
    store: &Store,
    name: &str,
    conditions: Vec<String>,
    today: NaiveDate,
) -> Result<Partner> {
    add_as(store, &new_id(), name, conditions, today)
}

/// Adds a partner under the ID `id` (made with [`new_id`]): in an encrypted folder their keys
/// must be there before their partner file, which they sign.
pub fn add_as(
    store: &Store,
    id: &Id,
    name: &str,
    conditions: Vec<String>,
    today: NaiveDate,
) -> Result<Partner> {
    let name = &stored_name(name)?;
    let _lock = store.lock(PARTNERS)?;
    let couple = Couple::load(store)?;
    if let Ok(other) = couple.find(name) {
        return Err(Error::invalid(format!(
            "{name:?} looks the same as {:?}, who is already a partner; choose a name that differs in more than case, accents' encoding or invisible marks",
            other.name
        )));
    }
    check_room(&couple)?;
    if store.read::<CoupleFile>(COUPLE)?.is_none() {
        let mut seed = [0u8; 8];
        getrandom::fill(&mut seed).expect("the operating system's random number generator failed");
        let file = CoupleFile {
            extra: Default::default(),
            version: FORMAT_VERSION,
            seed: u64::from_le_bytes(seed),
            created: today,
            no_future_prompts: false,
        };
        store.write(COUPLE, &file)?;
    }
    let p = Partner {
        extra: Default::default(),
        version: FORMAT_VERSION,
        id: id.clone(),
        name: name.to_owned(),
        conditions,
        removed_conditions: Vec::new(),
        sexual: false,
        added: today,
    };
    crate::own_facts::write_partner(store, &p)?;
    Ok(p)
}

/// Sets up a whole couple at once, as the set-up wizard gathered it: every name is checked
/// before anything is written, so that a set-up cut short leaves no half couple. (Were the
/// writing itself cut short, a couple of one is still never taken as joint consent.)
pub fn add_couple(
    store: &Store,
    partners: &[(String, Vec<String>)],
    today: NaiveDate,
) -> Result<Vec<Partner>> {
    add_couple_with(partners, |name, tags| add(store, name, tags, today))
}

/// [`add_couple`], each partner added by `add` (in an encrypted folder, after their key is made).
pub fn add_couple_with(
    partners: &[(String, Vec<String>)],
    mut add: impl FnMut(&str, Vec<String>) -> Result<Partner>,
) -> Result<Vec<Partner>> {
    for (i, (name, _)) in partners.iter().enumerate() {
        let name = check_name(name)?;
        if let Some((twin, _)) = partners[..i]
            .iter()
            .find(|(o, _)| name_key(o) == name_key(name))
        {
            return Err(Error::invalid(format!(
                "{name:?} looks the same as {twin:?}; choose names that differ in more than case or invisible marks"
            )));
        }
    }
    partners
        .iter()
        .map(|(name, tags)| add(name, tags.clone()))
        .collect()
}

/// Sets whether the couple leaves out long-horizon prompts. The couple must be set up.
pub fn set_no_future_prompts(store: &Store, leave_out: bool) -> Result<()> {
    store.update::<CoupleFile, _>(COUPLE, |old| {
        let mut f = old.ok_or(Error::NoCouple)?;
        f.no_future_prompts = leave_out;
        Ok(f)
    })?;
    Ok(())
}

/// Changes one partner's own record.
pub fn update(
    store: &Store,
    name: &str,
    f: impl FnOnce(&mut Partner) -> Result<()>,
) -> Result<Partner> {
    let couple = Couple::load(store)?;
    let id = couple.find(name)?.id.clone();
    crate::own_facts::update_partner(store, &id, name, f)
}

pub fn rename(store: &Store, old: &str, new: &str) -> Result<Partner> {
    let new = stored_name(new)?;
    let couple = Couple::load(store)?;
    if let Ok(other) = couple.find(&new)
        && couple.find(old).is_ok_and(|me| me.id != other.id)
    {
        return Err(Error::invalid(format!(
            "{new:?} looks the same as {:?}, who is already a partner; choose a name that differs in more than case, accents' encoding or invisible marks",
            other.name
        )));
    }
    update(store, old, |p| {
        p.name = new;
        Ok(())
    })
}

/// Removes a partner's profile. Their records stay on disk and show as written by
/// [`REMOVED_PARTNER`].
pub fn remove(store: &Store, name: &str) -> Result<Partner> {
    let couple = Couple::load(store)?;
    let p = couple.find(name)?.clone();
    store.remove(&partner_path(&p.id))?;
    Ok(p)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_couple_file_without_the_future_setting_still_reads() {
        let old = r#"{"version":1,"seed":7,"created":"2026-01-01"}"#;
        let f: CoupleFile = serde_json::from_str(old).unwrap();
        assert_eq!(f.seed, 7);
        assert!(!f.no_future_prompts);
    }

    #[test]
    fn leaving_out_future_prompts_is_kept_in_the_couple_file() {
        let tmp = tempfile::tempdir().unwrap();
        let store = Store::new(tmp.path());
        let day = NaiveDate::from_ymd_opt(2026, 1, 1).unwrap();
        assert!(set_no_future_prompts(&store, true).is_err());
        add(&store, "alex", Vec::new(), day).unwrap();
        assert!(!Couple::load(&store).unwrap().no_future_prompts);
        set_no_future_prompts(&store, true).unwrap();
        let c = Couple::load(&store).unwrap();
        assert!(c.no_future_prompts);
        set_no_future_prompts(&store, false).unwrap();
        assert!(!Couple::load(&store).unwrap().no_future_prompts);
    }

    #[test]
    fn a_condition_can_be_removed_but_only_one_the_partner_has() {
        let tmp = tempfile::tempdir().unwrap();
        let store = Store::new(tmp.path());
        let day = NaiveDate::from_ymd_opt(2026, 1, 1).unwrap();
        let tags = vec!["arthritis".to_owned(), "fatigue".to_owned()];
        let p = add(&store, "Sam", tags, day).unwrap();
        assert_eq!(
            without_conditions(&p, &["Arthritis".into()]).unwrap(),
            ["fatigue"]
        );
        assert!(
            without_conditions(&p, &["arthritis".into(), "fatigue".into()])
                .unwrap()
                .is_empty()
        );
        let e = without_conditions(&p, &["heart".into()])
            .unwrap_err()
            .to_string();
        assert!(
            e.contains("Sam has no condition \"heart\"") && e.contains("arthritis, fatigue"),
            "{e}"
        );
    }

    #[test]
    fn a_couple_is_two_and_a_third_partner_is_refused_saying_what_to_do() {
        let tmp = tempfile::tempdir().unwrap();
        let store = Store::new(tmp.path());
        let day = NaiveDate::from_ymd_opt(2026, 1, 1).unwrap();
        add(&store, "Alex", Vec::new(), day).unwrap();
        add(&store, "Sam", Vec::new(), day).unwrap();
        let e = add(&store, "Jordan", Vec::new(), day).unwrap_err();
        assert!(
            matches!(&e, Error::Refused { message, next: Next::ThirdPartner }
                if message.contains("Alex and Sam are a couple already")),
            "{e:?}"
        );
        assert_eq!(Couple::load(&store).unwrap().partners.len(), 2);
        // A couple of one (a partner who left) takes a new partner.
        remove(&store, "Sam").unwrap();
        add(&store, "Jordan", Vec::new(), day).unwrap();
    }

    #[test]
    fn names_that_look_alike_are_one_name() {
        let tmp = tempfile::tempdir().unwrap();
        let store = Store::new(tmp.path());
        let day = NaiveDate::from_ymd_opt(2026, 1, 1).unwrap();
        add(&store, "Zoë", Vec::new(), day).unwrap();
        add(&store, "Sam", Vec::new(), day).unwrap();
        let c = Couple::load(&store).unwrap();
        assert_eq!(c.find("ZOË").unwrap().name, "Zoë");
        assert_eq!(c.find("sam\u{200b}").unwrap().name, "Sam");
        for twin in [
            "SAM",
            "Sam\u{202e}",
            "Sa\u{200b}m",
            "\u{2066}sam\u{2069}",
            "zoË",
            // Compatibility forms: fullwidth letters.
            "\u{ff33}am",
            "\u{ff33}\u{ff41}\u{ff4d}",
        ] {
            let e = add(&store, twin, Vec::new(), day).unwrap_err().to_string();
            assert!(e.contains("looks the same"), "{twin:?}: {e}");
        }
        let e = rename(&store, "Sam", "zoë").unwrap_err().to_string();
        assert!(e.contains("looks the same"), "{e}");
        rename(&store, "Sam", "SAM").unwrap();
        assert_eq!(Couple::load(&store).unwrap().partners.len(), 2);
    }

    #[test]
    fn a_name_is_stored_composed_and_found_either_way() {
        let tmp = tempfile::tempdir().unwrap();
        let store = Store::new(tmp.path());
        let day = NaiveDate::from_ymd_opt(2026, 1, 1).unwrap();
        let (composed, decomposed) = ("Zo\u{eb}", "Zoe\u{308}");
        let p = add(&store, decomposed, Vec::new(), day).unwrap();
        assert_eq!(p.name, composed, "stored in NFC");
        let c = Couple::load(&store).unwrap();
        assert_eq!(c.partners[0].name, composed);
        for typed in [composed, decomposed, "ZOE\u{308}", "zo\u{eb}"] {
            assert_eq!(c.find(typed).unwrap().id, p.id, "{typed:?}");
        }
        for twin in [composed, decomposed] {
            let e = add(&store, twin, Vec::new(), day).unwrap_err().to_string();
            assert!(e.contains("looks the same"), "{twin:?}: {e}");
        }
        let sam = add(&store, "Sam", Vec::new(), day).unwrap();
        let e = rename(&store, "Sam", decomposed).unwrap_err().to_string();
        assert!(e.contains("looks the same"), "{e}");
        // A name at the longest allowed that composing makes longer is refused, never stored
        // where it could not be read back.
        let long = format!("{}\u{fb38}", "a".repeat(MAX_NAME - 1));
        assert!(add(&store, &long, Vec::new(), day).is_err());
        let renamed = rename(&store, "Sam", "Jos\u{65}\u{301}").unwrap();
        assert_eq!((renamed.id, renamed.name.as_str()), (sam.id, "Jos\u{e9}"));
    }
}
