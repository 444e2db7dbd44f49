//! Whether this data folder's records are encrypted, the keys this device opens and seals them
//! with, a new couple's folder encrypted from the start, and `couple encrypt` / `couple decrypt`.
//!
//! The folder says its mode in `folder.json`, but anyone who can write into the folder can change
//! that file: so a device that has once seen the folder encrypted remembers it (a file in its
//! config folder) and keeps treating it as encrypted, plain records and all, until `couple
//! decrypt` runs on that device.

use super::Context;
use closer_core::crypto::Keys;
use closer_core::crypto::keyring::{DeviceKeys, StoredKey};
use closer_core::crypto::pins;
use closer_core::error::{Error, Fault, Result};
use closer_core::ids::{Id, new_id};
use closer_core::memory::Memory;
use closer_core::migrate::{self, Report};
use closer_core::open_cache::{self, OpenCache};
use closer_core::profile::{self, Couple, Partner};
use closer_core::sealing::{self, Sealing};
use closer_core::shared_content;
use closer_core::store::{FORMAT_VERSION, Store, write_atomic};
use std::collections::BTreeSet;
use std::path::PathBuf;
use std::sync::Arc;

/// The IDs named by files `ID.EXT` in `dir`.
pub(crate) fn ids_in(dir: PathBuf, ext: &str) -> Vec<String> {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return Vec::new();
    };
    let mut out: Vec<String> = entries
        .flatten()
        .filter_map(|e| {
            let name = e.file_name().into_string().ok()?;
            let id = name.strip_suffix(ext)?;
            Id::parse(id).ok().map(|i| i.to_string())
        })
        .collect();
    out.sort();
    out
}

/// Where this device memoizes the answer files it opened in the data folder `store` (see
/// [`closer_core::answers_memo`]).
fn answers_memo(cache: &std::path::Path, store: &Store) -> PathBuf {
    open_cache::folder_dir(cache, store).join("answers-opened")
}

impl Context {
    /// The file whose presence says this device has seen the data folder encrypted.
    fn remembered(&self) -> PathBuf {
        self.config_dir
            .join("encrypted")
            .join(closer_core::index::folder_key(&self.store))
    }

    /// `keys` (partner `id`'s, not passphrase-protected), remembering in the device's cache
    /// what they open in this folder (see [`open_cache`]), saved when the run ends.
    pub(crate) fn remembering(&self, id: &str, keys: Keys) -> Keys {
        let Some(cache) = &self.cache_dir else {
            return keys;
        };
        let c = Arc::new(OpenCache::new(
            open_cache::dir(cache, &self.store, id),
            &keys.public().age,
        ));
        self.opened.borrow_mut().push(Arc::clone(&c));
        keys.remembering(c)
    }

    /// Where this device keeps its index of the needs (see [`closer_core::index`]), when it may:
    /// the index holds the shared needs' text, so in an encrypted folder only while this device
    /// holds a partner's key that needs no passphrase (who is at the device reads those needs
    /// anyway). With only protected keys here, an index left from before is removed.
    pub fn needs_index(&self) -> Option<PathBuf> {
        let path = closer_core::index::path(self.cache_dir.as_ref()?, &self.store);
        if self.store.is_sealed() && self.opened.borrow().is_empty() {
            closer_core::index::remove(&path);
            return None;
        }
        Some(path)
    }

    /// Where this device keeps its memo of who answered today (see
    /// [`closer_core::answered_memo`]), when it may: in an encrypted folder only while every key
    /// this run holds needs no passphrase, so that it never holds what a protected key opened.
    pub fn answered_memo(&self) -> Option<PathBuf> {
        let path = open_cache::folder_dir(self.cache_dir.as_ref()?, &self.store).join("answered");
        if let Some(sealing) = self.store.sealing()
            && self.opened.borrow().len() != sealing.held().count()
        {
            let _ = std::fs::remove_file(&path);
            return None;
        }
        Some(path)
    }

    /// Removes what partner `id`'s key opened from the device's cache, and keeps nothing more of
    /// it in this run (their key has a passphrase now). The needs index goes too when no key
    /// without a passphrase is left here.
    pub(crate) fn forget_opened(&self, id: &str) -> Result<()> {
        let Some(cache) = &self.cache_dir else {
            return Ok(());
        };
        let dir = open_cache::dir(cache, &self.store, id);
        self.opened.borrow_mut().retain(|c| c.dir() != dir);
        self.needs_index();
        // The index keeps their private needs in full only while their key is open here.
        let index = closer_core::index::path(cache, &self.store);
        closer_core::index::forget_private(&index, id).map_err(|e| Error::io(&index, e))?;
        let _ = std::fs::remove_file(open_cache::folder_dir(cache, &self.store).join("answered"));
        open_cache::forget(&answers_memo(cache, &self.store))?;
        open_cache::forget(&dir)
    }

    /// Puts back, where a partner file, hold or need went back from the version this device
    /// trusted (see [`closer_core::memory`]), that version, as it was signed: the places put back.
    pub(crate) fn put_back_trusted(&self) -> Result<Vec<String>> {
        let Some(memory) = self.memory.get().filter(|_| self.store.is_sealed()) else {
            return Ok(Vec::new());
        };
        Couple::load(&self.store)?;
        // Every record remembered is read once: one that went back, or is missing where it may
        // not be, is noted to be put back.
        for place in memory.places() {
            let _ = self.store.read_bytes(&format!("{place}.json"));
        }
        closer_core::holds::load(&self.store)?;
        let back = memory.put_back(&self.store)?;
        // What was put back is said as such, not as what went back.
        for l in self.store.take_left_out_files() {
            if !back
                .iter()
                .any(|p| self.store.place_of(&l.path).as_ref() == Some(p))
            {
                self.store.note(&l.path, l.message);
            }
        }
        Ok(back)
    }

    /// The file listing the records that were plain in the folder when this device first saw
    /// it encrypted: the only plain records `couple encrypt` encrypts here.
    fn plain_before_path(&self) -> PathBuf {
        let mut p = self.remembered().into_os_string();
        p.push(".plain");
        PathBuf::from(p)
    }

    /// The records that were plain when this device first saw the folder encrypted.
    fn plain_before(&self) -> Result<BTreeSet<String>> {
        let path = self.plain_before_path();
        match std::fs::read_to_string(&path) {
            Ok(text) => Ok(text.lines().map(str::to_owned).collect()),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(BTreeSet::new()),
            Err(e) => Err(Error::io(&path, e)),
        }
    }

    /// Remembers (or forgets) that the data folder is encrypted; on first sight, with the
    /// records that are plain in it now.
    fn remember_sealed(&self, sealed: bool) -> Result<()> {
        let path = self.remembered();
        if !sealed && let Some(cache) = &self.cache_dir {
            open_cache::forget(&open_cache::folder_dir(cache, &self.store))?;
        }
        if sealed {
            if path.exists() {
                return Ok(());
            }
            Store::new(&self.config_dir).ensure_dir("encrypted")?;
            let mut list = migrate::plain_places(&self.store)?.join("\n");
            list.push('\n');
            write_atomic(&self.plain_before_path(), list.as_bytes())?;
            write_atomic(&path, self.store.root().display().to_string().as_bytes())
        } else {
            for p in [path, self.plain_before_path()] {
                match std::fs::remove_file(&p) {
                    Err(e) if e.kind() != std::io::ErrorKind::NotFound => {
                        return Err(Error::io(&p, e));
                    }
                    _ => {}
                }
            }
            Ok(())
        }
    }

    /// Opens the store's encrypted mode when the folder says it is encrypted or this device has
    /// seen it so.
    ///
    /// A `folder.json` that cannot be read (damaged, or not a file) stops nothing: it is named,
    /// with what to do, and the folder is read as encrypted when this device has known it so or
    /// its couple file is sealed, as plain otherwise.
    pub(crate) fn open_sealing(&self) -> Result<()> {
        let known = self.remembered().exists();
        let said = match sealing::folder_mode(&self.store) {
            Ok(said) => said,
            Err(e) => {
                let sealed = known || sealing::looks_sealed(&self.store);
                self.say_damaged_mode(&e, known, sealed);
                if !sealed {
                    return Ok(());
                }
                self.store.set_sealing(Some(self.device_sealing()?));
                return Ok(());
            }
        };
        if said != Some(true) && !known {
            return Ok(());
        }
        if !known {
            self.remember_sealed(true)?;
        }
        self.plain_distrusted.set(said != Some(true));
        self.store.set_sealing(Some(self.device_sealing()?));
        Ok(())
    }

    /// Says, on every run, that the folder's `folder.json` cannot be read, how this device reads
    /// the folder meanwhile, and what puts it right.
    fn say_damaged_mode(&self, e: &Error, known: bool, sealed: bool) {
        let how = match (known, sealed) {
            (true, _) => {
                "This device has known the folder encrypted, so it reads it as encrypted and trusts no plain record in it."
            }
            (false, true) => {
                "Its couple file is sealed, so this device reads the folder as encrypted and trusts no plain record in it."
            }
            (false, false) => "This device reads the folder as plain.",
        };
        let next = if sealed {
            format!(
                "move that file out of the data folder, then run `{} couple encrypt` on a device that holds your key to write it again",
                self.tool
            )
        } else {
            "move that file out of the data folder (a plain folder needs none)".to_owned()
        };
        let why = match e {
            Error::Corrupt { message, .. } => message.clone(),
            Error::BadRecord { fault, .. } => fault.to_string(),
            e => e.to_string(),
        };
        crate::say!(
            "WARNING: {}: it cannot be read ({why}), and it says whether this data folder is encrypted. {how} To put it right, {next}.",
            self.store.plain_path(sealing::MODE_FILE).display()
        );
    }

    /// What this device can do with an encrypted folder: every key it holds unlocked, every
    /// partner's keys as this device pinned them (the published ones, checked, only on first
    /// sight: a replaced or deleted published file changes nothing here), and the device's
    /// partner signing shared records.
    pub fn device_sealing(&self) -> Result<Sealing> {
        let mut s = Sealing::new();
        let trusted = pins::trusted_all(&self.config_dir, &self.store)?;
        for (id, k) in trusted.keys {
            s.know(&id, k);
        }
        for (path, why) in trusted.unreadable {
            if why == Fault::ThirdPartner
                && let Some(id) = path.file_stem().and_then(|s| s.to_str())
                && self.set_up_elsewhere(id)
            {
                continue;
            }
            self.store
                .leave_out(closer_core::Error::bad_record(&path, why));
        }
        let device = DeviceKeys::new(&self.config_dir);
        for id in ids_in(self.config_dir.join("keys"), ".key") {
            match device.load(&id) {
                Ok(Some(StoredKey::Open(k))) => s.hold(&id, Arc::new(self.remembering(&id, *k))),
                // What a protected key opened is never kept where its passphrase is not needed.
                Ok(Some(StoredKey::Locked(_))) => self.forget_opened(&id)?,
                _ => {}
            }
        }
        self.vouch_replaced(&mut s)?;
        if let Some(me) = self.device()?.partner.filter(|p| s.holds(p)) {
            s.act_as(&me);
        }
        let memory = self.memory.get_or_init(|| {
            Arc::new(Memory::new(
                Memory::dir(&self.config_dir, &self.store),
                Some(self.today),
            ))
        });
        s.remember_in(Arc::clone(memory), self.now.timestamp().max(0) as u64);
        if let Some(cache) = &self.cache_dir {
            s.memo_answers_in(
                answers_memo(cache, &self.store),
                std::time::SystemTime::now(),
            );
        }
        s.plain_before_in(self.plain_before_path());
        Ok(s)
    }
}

impl Context {
    /// Whether the keys published for `id`, a partner this device does not count in the couple,
    /// belong to a couple set up on another device before the first sync (their partner file is
    /// here, sealed to that device's keys): said once a run, with the way to one couple.
    pub(crate) fn set_up_elsewhere(&self, id: &str) -> bool {
        let mine = closer_core::profile::PARTNERS;
        let sealed = Id::parse(id).is_ok()
            && std::fs::read(self.store.plain_path(&format!("{mine}/{id}.age")))
                .is_ok_and(|b| closer_core::crypto::seal::recipients(&b) > 0);
        if !sealed {
            return false;
        }
        if !self.elsewhere_said.replace(true) {
            crate::say!(
                "{t}: WARNING: this folder also holds a couple set up on another device before your first sync, encrypted to that device's own keys, so this device cannot read it and trusts nothing of it. Run `{t} couple doctor`: it says how to make one couple of the two set-ups. If neither of you set one up elsewhere, someone put it there.",
                t = self.tool
            );
        }
        true
    }
}

/// Adds a partner. A new couple's folder is encrypted from the start; in an encrypted folder the
/// partner's key is made on this device first, and what the couple shares is sealed again so
/// that it reaches them too.
pub fn add_partner(ctx: &Context, name: &str, conditions: Vec<String>) -> Result<Partner> {
    let store = &ctx.store;
    let new_folder = !store.is_sealed()
        && sealing::folder_mode(store)?.is_none()
        && !store.plain_path(profile::COUPLE).exists()
        && ctx.couple()?.is_empty();
    if new_folder {
        sealing::set_folder_mode(store, true)?;
        ctx.remember_sealed(true)?;
        store.set_sealing(Some(ctx.device_sealing()?));
    }
    if !store.is_sealed() {
        return profile::add(store, name, conditions, ctx.today);
    }
    let check = profile::check_name(name)?;
    // Refused before a key is made for them.
    profile::check_room(&ctx.couple()?)?;
    let p = Partner {
        version: FORMAT_VERSION,
        id: new_id(),
        name: check.to_owned(),
        conditions,
        removed_conditions: Vec::new(),
        sexual: false,
        added: ctx.today,
        extra: Default::default(),
    };
    // Their partner file is theirs to sign: their key first.
    ctx.make_key(&p)?;
    let p = profile::add_as(store, &p.id, &p.name, p.conditions, ctx.today)?;
    if let Some(s) = store.sealing() {
        migrate::reseal(store, &s)?;
    }
    Ok(p)
}

fn say_left(ctx: &Context, r: &Report, verb: &str) -> Result<()> {
    let couple = ctx.couple()?;
    let held = |id: &str| ctx.keys_dir().join(format!("{id}.key")).exists();
    // A couple is two: the partner whose key is not here, by name once this device can read
    // their partner file (while it is plain, it cannot trust it).
    let other = match couple
        .partners
        .iter()
        .filter(|p| !held(&p.id))
        .collect::<Vec<_>>()[..]
    {
        [p] => Some(p.name.clone()),
        _ => None,
    };
    let whose =
        |name: Option<String>| name.map_or("your partner's".to_owned(), |n| format!("{n}'s"));
    let cmd = if verb == "encrypted" {
        "encrypt"
    } else {
        "decrypt"
    };
    for (who, n) in r.left.iter().filter(|(_, n)| **n > 0) {
        let name = couple.by_id(who).map(|p| p.name.clone()).or(other.clone());
        crate::say!(
            "{n} of {} own records can only be {verb} on a device that holds their key: run `{} couple {cmd}` there.",
            whose(name),
            ctx.tool,
        );
    }
    if r.awaiting > 0 {
        let n = r.awaiting;
        let (one, whose) = (n == 1, whose(other));
        crate::say!(
            "{n} shared record{} with parts in {whose} name wait{} for {whose} device to sign them: run `{} couple encrypt` there, then here again.",
            if one { "" } else { "s" },
            if one { "s" } else { "" },
            ctx.tool
        );
    }
    for (path, why) in &r.refused {
        crate::say!(
            "{}: {why}{}",
            path.display(),
            crate::fault_hint(why, ctx.tool)
        );
    }
    Ok(())
}

/// `couple encrypt`: from now on the folder is encrypted; every plain record this device may
/// sign is encrypted, one at a time, each read back before its plain file goes. Run it again
/// after an interruption; each partner runs it on their own device for their own records.
pub fn encrypt(ctx: &Context) -> Result<()> {
    let mut r = Report::default();
    if let Some(s) = ctx.store.sealing() {
        // A run cut short: first finish what this device can, before reading the couple, whose
        // own files may still be plain.
        r = migrate::encrypt(&ctx.store, &s, &ctx.plain_before()?)?;
    }
    let couple = ctx.require_couple()?;
    let me = ctx.me(&couple)?.clone();
    ctx.make_key(&me)?;
    let mut s = ctx.device_sealing()?;
    s.hold(&me.id, ctx.unlock(&me)?);
    let missing: Vec<&str> = couple
        .partners
        .iter()
        .filter(|p| !s.knows(&p.id))
        .map(|p| p.name.as_str())
        .collect();
    if !missing.is_empty() {
        return Err(Error::invalid(format!(
            "{} has no key yet, so nothing could be encrypted for them: run `{} couple encrypt --as NAME` on their device first (it makes their key), then here again",
            missing.join(" and "),
            ctx.tool
        )));
    }
    sealing::set_folder_mode(&ctx.store, true)?;
    ctx.remember_sealed(true)?;
    let mut allowed = ctx.plain_before()?;
    s.plain_before(allowed.clone());
    // A content file that came later is sealed only once its name and items were shown on a
    // terminal and confirmed; off one it waits for a terminal, and everything else is done.
    let mut for_a_terminal = Vec::new();
    for c in shared_content::unconfirmed(&ctx.store, &allowed) {
        if !ctx.interactive {
            for_a_terminal.push(c.path);
        } else if confirm_content(&c)? {
            allowed.insert(c.place);
        }
    }
    let mut again = migrate::encrypt(&ctx.store, &s, &allowed)?;
    again.refused.retain(|(p, _)| !for_a_terminal.contains(p));
    // What the first pass did counts; what it left, the second says again.
    let r = Report {
        done: r.done + again.done,
        already: again.already.saturating_sub(r.done),
        ..again
    };
    migrate::reseal(&ctx.store, &s)?;
    ctx.store.set_sealing(Some(s));
    crate::say!(
        "Encrypted {} records ({} already were). Only you two can read them now, each with your own key.",
        r.done,
        r.already
    );
    say_left(ctx, &r, "encrypted")?;
    for path in &for_a_terminal {
        crate::say!(
            "{}: this content file was not in the folder when this device first saw it encrypted, so it stays plain and unused until you see what it holds: run `{} couple encrypt` on a terminal, which shows it and asks whether you put it there.",
            path.display(),
            ctx.tool
        );
    }
    if !r.refused.is_empty() {
        return Err(Error::invalid(
            "some files were left as they were (above); nothing was lost",
        ));
    }
    Ok(())
}

/// Shows a plain content file that appeared after the folder was encrypted (its name, and each
/// item it holds) and asks whether to seal it in the user's name; Enter says no.
fn confirm_content(c: &shared_content::Candidate) -> Result<bool> {
    // The name and the items are anyone's to write: shown inert, as everything else is, or a
    // bidi override could make an item read as something else at the very question.
    let name = c.path.display().to_string();
    let name = crate::output::clean(&name, false);
    eprintln!(
        "{name} was not in the folder when this device first saw it encrypted. It holds {} item{}:",
        c.items.len(),
        if c.items.len() == 1 { "" } else { "s" }
    );
    for item in &c.items {
        eprintln!("  - {}", crate::output::clean(item, false));
    }
    crate::ask::confirm(
        "Did you put this file there yourself? Sealing it signs it in your name and shows it to you both",
    )
}

/// `couple decrypt`: from now on the folder is plain; every record this device can open is
/// written plain, each read back before its encrypted file goes.
pub fn decrypt(ctx: &Context, yes: bool) -> Result<()> {
    let couple = ctx.require_couple()?;
    let me = ctx.me(&couple)?.clone();
    let q = "Store your records as plain files that anyone who gets the folder can read?";
    if !ctx.confirm(q, yes, &format!("{} couple decrypt", ctx.tool))? {
        return Err(Error::invalid("nothing was changed"));
    }
    let mut s = ctx.device_sealing()?;
    if let Ok(k) = ctx.unlock(&me) {
        s.hold(&me.id, k);
    }
    if !s.holds(&me.id) {
        return Err(Error::invalid(format!(
            "this device does not hold {}'s key, so it cannot decrypt their records",
            me.name
        )));
    }
    sealing::set_folder_mode(&ctx.store, false)?;
    ctx.remember_sealed(false)?;
    ctx.plain_distrusted.set(false);
    let r = migrate::decrypt(&ctx.store, &s)?;
    ctx.store.set_sealing(None);
    // Nothing in a plain folder is remembered: what this device trusted no longer holds.
    if let Some(m) = ctx.memory.get() {
        m.clear();
    }
    crate::say!(
        "Wrote {} records as plain files ({} already were). Anyone who gets the folder can read them now.",
        r.done,
        r.already
    );
    if r.removals_kept > 0 {
        let n = r.removals_kept;
        crate::say!(
            "Left {n} {} of a removed need encrypted (in removed/): {} no text, only which need was removed and when. Once the folder is encrypted again, {} an earlier copy of that need out on its owner's other devices.",
            if n == 1 { "record" } else { "records" },
            if n == 1 { "it holds" } else { "they hold" },
            if n == 1 { "it keeps" } else { "they keep" },
        );
    }
    say_left(ctx, &r, "decrypted")?;
    // Said above as what they are: the plain records this device now trusts, and the partner's
    // own that wait for their device, are not also called untrusted or damaged.
    ctx.store.retain_left_out(|l| match l.fault {
        Some(Fault::PlainInSealed) => false,
        Some(Fault::SealedInPlain) => r.refused.iter().any(|(p, _)| *p == l.path),
        _ => true,
    });
    if !r.refused.is_empty() {
        return Err(Error::invalid(
            "some files were left as they were (above); nothing was lost",
        ));
    }
    Ok(())
}
