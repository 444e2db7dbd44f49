//! The edge every tool shares: global options, where data lives, who is at the keyboard, today's
//! date, terminals and colour, and the run loop that turns errors into exit codes.

pub mod ask;
pub mod couple;
pub mod doctor;
pub mod examples;
pub mod glance;
pub mod inert_json;
pub mod joint;
pub mod keyless;
pub mod keys;
pub mod keys_cmd;
mod moved;
pub mod output;
pub mod pager;
pub mod partners;
mod rekey;
mod rounds_let_go;
pub mod sealed;

use chrono::{DateTime, NaiveDate, Utc};
use clap::{CommandFactory, Parser};
use closer_core::Word;
use closer_core::content::Library;
use closer_core::crypto::Keys;
use closer_core::error::{Error, Result};
use closer_core::profile::{self, Couple, Partner};
use closer_core::store::{FORMAT_VERSION, Store, write_atomic};
use serde::{Deserialize, Serialize};
use std::cell::{OnceCell, RefCell};
use std::collections::BTreeMap;
use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;

/// Shown at the end of every tool's `--help`.
pub const AFTER_HELP: &str = "\
Environment:
  CLOSER_DIR     the data folder (default: $XDG_DATA_HOME/closer, else ~/.local/share/closer)
  CLOSER_AS      which partner is at the keyboard, like --as
  CLOSER_TODAY   pin \"today\" to a date, YYYY-MM-DD
  NO_COLOR, CLICOLOR=0, TERM=dumb   no colour

Exit status:
  0  success
  1  runtime or data error (the message says what to do)
  2  usage error (a wrong option or value)";

// Options every tool takes.
#[derive(clap::Args, Debug, Clone, Default)]
pub struct Globals {
    /// The data folder [default: $XDG_DATA_HOME/closer]
    #[arg(long, global = true, env = "CLOSER_DIR", value_name = "DIR")]
    pub dir: Option<PathBuf>,
    /// Which partner is at the keyboard [default: this device's setting]
    #[arg(long = "as", global = true, env = "CLOSER_AS", value_name = "NAME")]
    pub as_name: Option<String>,
}

/// This device's own settings, kept in the config folder and never synced with the data.
#[derive(Debug, Default, Clone, Serialize, Deserialize)]
pub struct Device {
    pub version: u32,
    /// The ID of the partner who uses this device.
    #[serde(rename = "as", skip_serializing_if = "Option::is_none")]
    pub partner: Option<String>,
}

impl Device {
    /// The settings from `text` when it is exactly as [`Context::set_device`] writes it (a
    /// version line, then at most a partner ID): read without the TOML parser, a measurable
    /// part of a short command's start. Anything else is `None`, for the TOML parser.
    fn as_written(text: &str) -> Option<Device> {
        let body = text.strip_suffix('\n')?;
        let (version, partner) = match body.split_once('\n') {
            Some((v, p)) => (v, Some(p.strip_prefix("as = \"")?.strip_suffix('"')?)),
            None => (body, None),
        };
        let version = version.strip_prefix("version = ")?;
        let number: u32 = version.parse().ok()?;
        let id = |p: &str| {
            !p.is_empty()
                && p.bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
        };
        (number.to_string() == version && partner.is_none_or(id)).then(|| Device {
            version: number,
            partner: partner.map(str::to_owned),
        })
    }
}

/// Everything a command needs from the outside world, read once.
pub struct Context {
    /// The binary's name, for messages that say what to run.
    pub tool: &'static str,
    pub store: Store,
    pub config_dir: PathBuf,
    /// This device's cache folder (for indexes that can be rebuilt at any time).
    pub cache_dir: Option<PathBuf>,
    pub today: NaiveDate,
    pub now: DateTime<Utc>,
    /// `--as` or `CLOSER_AS`.
    pub as_name: Option<String>,
    /// Both standard input and standard error are terminals: prompts are allowed.
    pub interactive: bool,
    pub stdout_terminal: bool,
    pub color: bool,
    pub width: Option<u16>,
    library: OnceCell<Library>,
    /// Partners' keys unlocked in this run, by partner ID (see [`Context::unlock`]).
    unlocked: RefCell<BTreeMap<String, Arc<Keys>>>,
    /// Whether this command reads opt-ins (see [`Context::without_opt_ins`]).
    opt_ins: std::cell::Cell<bool>,
    /// What keys opened in this run, to keep in the device's cache when it ends.
    opened: RefCell<Vec<Arc<closer_core::open_cache::OpenCache>>>,
    /// What this device trusted of the folder's records (see [`closer_core::memory`]).
    memory: OnceCell<Arc<closer_core::memory::Memory>>,
    /// Whether this run already tried the passphrase-protected keys held here (asked once).
    held_tried: std::cell::Cell<bool>,
    /// Whether this run said that the folder holds a second set-up from another device.
    elsewhere_said: std::cell::Cell<bool>,
    /// The folder says it is plain where this device has known it encrypted: said at the end of
    /// the run, unless the run was `couple decrypt` on this device, which settles it.
    plain_distrusted: std::cell::Cell<bool>,
    /// The opt-in exchange this run last took its turn of: for whom, with what opt-in of theirs,
    /// and what it said (see [`Context::joint_opt_in`]), so the touch plan does not run it again.
    opt_in_found: RefCell<Option<joint::OptInFound>>,
    /// The rounds of the plan and of the opt-in the last joint view on this run came from (see
    /// [`Context::recorded`]).
    joint_rounds: RefCell<closer_core::joint::touch::Rounds>,
    /// The memo of the joint rounds as this run last left it: read once a run (see
    /// [`Context::joint_memo`]).
    joint_memo: RefCell<Option<closer_core::joint::memo::Memo>>,
}

fn var(name: &str) -> Option<String> {
    std::env::var(name).ok().filter(|v| !v.is_empty())
}

fn xdg(name: &str, fallback: &str) -> Result<PathBuf> {
    if let Some(v) = var(name).map(PathBuf::from).filter(|p| p.is_absolute()) {
        return Ok(v.join("closer"));
    }
    let home = var("HOME").ok_or_else(|| {
        Error::invalid(format!("HOME is not set: set it, or {name}, or pass --dir"))
    })?;
    Ok(Path::new(&home).join(fallback).join("closer"))
}

impl Context {
    pub fn new(tool: &'static str, g: &Globals) -> Result<Context> {
        let data = match &g.dir {
            Some(d) => d.clone(),
            None => xdg("XDG_DATA_HOME", ".local/share")?,
        };
        let config_dir = xdg("XDG_CONFIG_HOME", ".config").unwrap_or_else(|_| data.join("config"));
        let cache_dir = xdg("XDG_CACHE_HOME", ".cache").ok();
        let today = match var("CLOSER_TODAY") {
            Some(d) => closer_core::dates::parse_date(&d)
                .map_err(|e| Error::usage(format!("CLOSER_TODAY: {e}")))?,
            None => chrono::Local::now().date_naive(),
        };
        let color = var("NO_COLOR").is_none()
            && var("CLICOLOR").as_deref() != Some("0")
            && var("TERM").as_deref() != Some("dumb")
            && std::io::stdout().is_terminal();
        let ctx = Context {
            tool,
            store: Store::new(data),
            config_dir,
            cache_dir,
            today,
            now: Utc::now(),
            as_name: g.as_name.clone().filter(|s| !s.trim().is_empty()),
            interactive: std::io::stdin().is_terminal() && std::io::stderr().is_terminal(),
            stdout_terminal: std::io::stdout().is_terminal(),
            color,
            width: var("COLUMNS").and_then(|c| c.parse().ok()),
            library: OnceCell::new(),
            unlocked: RefCell::default(),
            opt_ins: std::cell::Cell::new(true),
            opened: RefCell::default(),
            memory: OnceCell::new(),
            held_tried: std::cell::Cell::new(false),
            elsewhere_said: std::cell::Cell::new(false),
            plain_distrusted: std::cell::Cell::new(false),
            opt_in_found: RefCell::default(),
            joint_rounds: RefCell::default(),
            joint_memo: RefCell::default(),
        };
        ctx.open_sealing()?;
        Ok(ctx)
    }

    /// The built-in library merged with the couple's own content files: `content/` in the data
    /// folder (shared by both devices) and in this device's config folder.
    pub fn library(&self) -> Result<&Library> {
        if let Some(l) = self.library.get() {
            return Ok(l);
        }
        // The shared data folder's content first, so both devices use the same library; this
        // device's own files still load.
        // The synced folder's `content` is read only if it is a folder there, not a link.
        let shared = self.store.plain_path("content");
        let shared_is_folder = std::fs::symlink_metadata(&shared).is_ok_and(|m| m.is_dir());
        let own = self.config_dir.join("content");
        let shared = shared_is_folder.then(|| match self.store.sealing() {
            Some(s) => closer_core::shared_content::read(&self.store, &shared, &s),
            None => closer_core::content::Shared::plain(&shared),
        });
        let loaded = Library::load_with(shared, &own)?;
        for e in loaded.left_out {
            self.store.leave_out(e);
        }
        // Only a help for merging two versions later: if it cannot be noted, nothing is lost.
        if let Some(m) = self.content_seen().filter(|_| !loaded.settled.is_empty()) {
            let _ = closer_core::content_seen::observe(
                &m,
                loaded.settled.iter().map(|(n, t)| (n.as_str(), t.as_str())),
            );
        }
        let lib = loaded.library;
        Ok(self.library.get_or_init(|| lib))
    }

    /// On this device's first run with an encrypted folder: signs what needs sealed by an older
    /// closer say in the name of the partners whose keys it holds (see
    /// [`closer_core::need_claims::tend`]), once; then remembers that it did, so that an unsigned
    /// part is never taken on again.
    fn sign_old_needs(&self) {
        let done = self
            .config_dir
            .join("signed-needs")
            .join(closer_core::index::folder_key(&self.store));
        let holds = self
            .store
            .sealing()
            .is_some_and(|s| s.held().next().is_some());
        if !holds || done.exists() {
            return;
        }
        self.store.change_sealing(|s| s.adopt_old(true));
        let r = closer_core::need_claims::tend(&self.store);
        self.store.change_sealing(|s| s.adopt_old(false));
        match r {
            Ok(n) => {
                if n > 0 {
                    output::say(&format!(
                        "{n} needs written by an older closer now carry your signature for what they say in your name."
                    ));
                }
                let _ = Store::new(&self.config_dir)
                    .ensure_dir("signed-needs")
                    .and_then(|_| write_atomic(&done, b""));
            }
            Err(e) => output::say(&format!(
                "Needs written by an older closer could not be signed yet: {e}"
            )),
        }
    }

    /// Where this device remembers the needs it removed from a plain folder (see
    /// [`closer_core::removed_here`]).
    pub fn removed_here(&self) -> PathBuf {
        closer_core::memory::Memory::dir(&self.config_dir, &self.store)
            .join(closer_core::removed_here::FILE)
    }

    /// Where this device remembers what it has seen of the shared content files.
    pub fn content_seen(&self) -> Option<PathBuf> {
        let cache = self.cache_dir.as_ref()?;
        Some(closer_core::open_cache::folder_dir(cache, &self.store).join("content-seen.json"))
    }

    fn device_path(&self) -> PathBuf {
        self.config_dir.join("device.toml")
    }

    /// This device's settings, read once a run while `device.toml` is unchanged.
    pub fn device(&self) -> Result<Device> {
        let path = self.device_path();
        closer_core::run_memo::read(&path, || Self::read_device(&path))
    }

    fn read_device(path: &Path) -> Result<Device> {
        match std::fs::read_to_string(path) {
            Ok(s) => Device::as_written(&s)
                .map_or_else(|| toml::from_str(&s), Ok)
                .map_err(|e| {
                    let (line, column) = e.span().map_or((1, 1), |sp| {
                        closer_core::content::schema::locate(&s, sp.start)
                    });
                    Error::Corrupt {
                        path: path.to_owned(),
                        line,
                        column,
                        message: e.message().to_owned(),
                    }
                }),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(Device::default()),
            Err(e) => Err(Error::io(path, e)),
        }
    }

    pub fn set_device(&self, partner: Option<&closer_core::ids::Id>) -> Result<()> {
        let dev = Device {
            version: FORMAT_VERSION,
            partner: partner.map(ToString::to_string),
        };
        let text = toml::to_string(&dev).map_err(|e| Error::invalid(e.to_string()))?;
        Store::new(&self.config_dir).ensure_dir("")?;
        write_atomic(&self.device_path(), text.as_bytes())
    }

    /// The couple profile, possibly empty. An encrypted folder with partners this device holds
    /// no key for is an error that says how to bring a key here.
    ///
    /// The other partner's opt-in is what both opted in to (see [`Context::joint_opt_in`]; when
    /// the exchange cannot run, it is "not opted in" and the reason is said); a folder encrypted
    /// before each partner's opt-in and private debriefs were kept apart is split first, for the
    /// partners whose keys this device holds.
    pub fn couple(&self) -> Result<Couple> {
        if let Err(e) = closer_core::own_facts::tend(&self.store) {
            output::say(&format!(
                "Your opt-in and private debriefs could not be sealed to you alone yet: {e}"
            ));
        }
        // Before any need is read: what the other device vouched for is believed from here on.
        if let Err(e) = self.take_handover() {
            output::say(&format!(
                "What your partner's device handed over for your new key could not be taken yet: {e}"
            ));
        }
        self.sign_old_needs();
        let mut couple = if self.opt_ins.get() {
            Couple::load(&self.store)?
        } else {
            Couple::load_without_opt_ins(&self.store)?
        };
        if self.opt_ins.get()
            && !self.as_refused_here(&couple)?
            && let Err(e) = self.joint_opt_in(&mut couple)
        {
            output::say(&format!(
                "What you both opted in to could not be worked out on this run: {e}"
            ));
        }
        if couple.is_empty() && self.store.is_sealed() && !self.store.list("partners")?.is_empty() {
            // The only key here may be under a passphrase: asked now, then the profile opens.
            if self.unlock_held()? {
                return self.couple();
            }
            if let Some(waiting) = self.waiting_for_acceptance() {
                return Err(Error::invalid(waiting));
            }
            let t = self.tool;
            return Err(Error::invalid(format!(
                "this data folder is encrypted, and this device holds no key that opens it; bring yours here with `{t} couple keys import FILE` (a copy made with `{t} couple keys export FILE` on a device that has it) or `{t} couple keys recover`. If your key and every copy of it are lost, `{t} couple keys show` lists the keys of this folder, to start again with a new one (`{t} couple keys new FINGERPRINT`)"
            )));
        }
        Ok(couple)
    }

    /// For a command that shows nothing that depends on an opt-in (names and conditions only):
    /// the profile it reads opens nobody's opt-in and runs no exchange, every partner reading as
    /// not opted in in an encrypted folder.
    pub fn without_opt_ins(&self) {
        self.opt_ins.set(false);
    }

    /// The couple profile; when there is none, the set-up wizard on a terminal, otherwise an
    /// error that gives the exact command to run.
    pub fn require_couple(&self) -> Result<Couple> {
        let couple = self.couple()?;
        if !couple.is_empty() {
            return Ok(couple);
        }
        if self.interactive {
            ask::wizard(self)?;
            let couple = self.couple()?;
            if !couple.is_empty() {
                return Ok(couple);
            }
        }
        Err(Error::invalid(format!(
            "no couple is set up yet; add each partner with `{} couple add NAME [--condition TAG]`",
            self.tool
        )))
    }

    /// The partner at the keyboard: `--as`, `CLOSER_AS`, this device's setting, or (on a
    /// terminal) a question; only if this device holds their key, unlocked (see
    /// [`Context::gate`]): `--as` is a way to say who you are, never a way in.
    pub fn me<'a>(&self, couple: &'a Couple) -> Result<&'a Partner> {
        let me = self.me_unsigned(couple)?;
        // In an encrypted folder, the partner at the keyboard signs the shared records written.
        self.store.change_sealing(|s| {
            if s.holds(&me.id) {
                s.act_as(&me.id)
            }
        });
        Ok(me)
    }

    fn me_unsigned<'a>(&self, couple: &'a Couple) -> Result<&'a Partner> {
        if let Some(name) = &self.as_name {
            let p = couple.find(name)?;
            self.gate(p)?;
            return Ok(p);
        }
        let gone = match self.device()?.partner {
            Some(id) => match couple.by_id(&id) {
                Some(p) => {
                    self.gate(p)?;
                    return Ok(p);
                }
                None => Some(self.partner_gone(couple, &id)),
            },
            None => None,
        };
        if let Some(gone) = &gone {
            if !self.interactive || couple.is_empty() {
                return Err(Error::invalid(gone.clone()));
            }
            eprintln!("{}: {}", self.tool, output::clean(gone, false));
        }
        if self.interactive && !couple.is_empty() {
            let names = couple.names();
            let i = ask::select("Which of you is at the keyboard?", &names)?;
            self.gate(&couple.partners[i])?;
            return Ok(&couple.partners[i]);
        }
        Err(Error::usage(format!(
            "say which partner you are with --as NAME (one of: {}), CLOSER_AS, or `{} couple me NAME` on this device",
            couple.names().join(", "),
            self.tool
        )))
    }

    /// The partner at the keyboard if `--as`, `CLOSER_AS` or this device says so; never asks
    /// who. Commands that only show records use it: with nobody named, they show shared records
    /// only. A partner named by `--as` must have their key on this device, unlocked; the
    /// device's own partner, when their key has a passphrase and there is no terminal to ask it
    /// on (cron), is treated as nobody named.
    pub fn viewer<'a>(&self, couple: &'a Couple) -> Result<Option<&'a Partner>> {
        if let Some(name) = &self.as_name {
            let p = couple.find(name)?;
            self.gate(p)?;
            return Ok(Some(p));
        }
        let Some(id) = self.device()?.partner else {
            return Ok(None);
        };
        let Some(p) = couple.by_id(&id) else {
            // Said once, again when the partners folder changes.
            let gone = self.partner_gone(couple, &id);
            self.store.note(&self.store.path(profile::PARTNERS), gone);
            return Ok(None);
        };
        if !self.interactive && self.key_locked(p)? {
            return Ok(None);
        }
        self.gate(p)?;
        Ok(Some(p))
    }

    /// What to say when this device's partner `id` is no longer in the couple: their file was
    /// removed on the other device or lost in a sync.
    fn partner_gone(&self, couple: &Couple, id: &str) -> String {
        if let Some(moved) = self.moved_message(couple, id) {
            return moved;
        }
        let file = match id.parse() {
            Ok(id) => self.store.path(&profile::partner_path(&id)),
            Err(_) => self.store.path(profile::PARTNERS),
        };
        let file = file.strip_prefix(self.store.root()).unwrap_or(&file);
        let t = self.tool;
        let now = match couple.names() {
            n if n.is_empty() => "nobody is set up now".to_owned(),
            n => format!("the partners now: {}", n.join(", ")),
        };
        format!(
            "this device is set up for a partner whose file, {}, is no longer in the data folder: it was removed on the other device, or lost in a sync; their other records are still there. If it was lost, put it back from a backup or your sync tool's old versions (Syncthing keeps them in .stversions); to use this device as another partner, run `{t} couple me NAME` ({now})",
            file.display()
        )
    }

    /// Asks before something that cannot be undone; without a terminal, `--yes` is required.
    pub fn confirm(&self, question: &str, yes: bool, flag_hint: &str) -> Result<bool> {
        if yes {
            return Ok(true);
        }
        if self.interactive {
            return ask::confirm(question);
        }
        Err(Error::usage(format!(
            "{question} Add --yes to confirm: {flag_hint} --yes"
        )))
    }

    /// Whether `day` calls for the gentler prompt and step: `--energy` when given, else whether
    /// either partner said it is a low-energy day (`couple energy low`).
    pub fn low_energy(
        &self,
        couple: &Couple,
        day: NaiveDate,
        flag: Option<Energy>,
    ) -> Result<bool> {
        match flag {
            Some(e) => Ok(e == Energy::Low),
            None => closer_core::energy::gentle_on(&self.store, couple, day),
        }
    }

    /// How tables are drawn here.
    pub fn style(&self) -> output::Style {
        output::Style {
            width: self.width,
            color: self.color,
        }
    }

    /// Shows `view` as `--json` or `--plain` asked, else as a table on a terminal and plain lines
    /// anywhere else.
    pub fn show<V: output::View + ?Sized>(&self, format: output::Format, view: &V) -> Result<()> {
        let mode = format.mode(self.stdout_terminal);
        output::render(&mut output::Out::default(), mode, self.style(), view)
    }

    /// Today's date, or `date` when given.
    pub fn day(&self, date: Option<NaiveDate>) -> NaiveDate {
        date.unwrap_or(self.today)
    }
}

impl Drop for Context {
    /// Says, once, which records were left out because their ID or name cannot be used, and what
    /// syncing left behind (see `doctor::report`).
    fn drop(&mut self) {
        // A cache: when it cannot be written, the next run opens the records again.
        for c in self.opened.borrow().iter() {
            let _ = c.save(std::time::SystemTime::now());
        }
        if let Some(m) = self.memory.get()
            && let Err(e) = m.save()
        {
            eprintln!(
                "{}: this device could not remember what it trusted: {e}",
                self.tool
            );
        }
        if self.plain_distrusted.get() {
            eprintln!(
                "{}: this data folder says its records are plain, but this device has known it encrypted, so plain records are not trusted here. If you both chose plain files, run `{} couple decrypt` on this device too.",
                self.tool, self.tool
            );
        }
        doctor::report(self);
        // A partner's published keys that changed, said on every run until accepted.
        self.report_pins();
    }
}

/// The command line of a binary called `tool`: the name it gives itself in `--version`, help,
/// usage lines, completions and man page (`closer-export` is the same program as `export`).
pub fn command<C: CommandFactory>(tool: &'static str) -> clap::Command {
    examples::attach(C::command().name(tool).bin_name(tool), tool)
}

/// Parses the command line, runs `body` with the binary's name, writes out what it printed, and
/// maps any error to a message on standard error and an exit code: 0 ok, 1 runtime or data error,
/// 2 usage error. Output that cannot be written is an error; a broken pipe exits quietly with 0.
pub fn run<C: Parser>(
    tool: &'static str,
    body: impl FnOnce(C, &'static str) -> Result<()>,
) -> ExitCode {
    let cli = match parse::<C>(tool) {
        Ok(c) => c,
        Err(code) => return code,
    };
    // Long output on a terminal goes through the pager; never into a pipe, a file or cron.
    if std::io::stdout().is_terminal() && var("TERM").as_deref() != Some("dumb") {
        output::page();
    }
    let result = body(cli, tool);
    // What was printed is written out even when the command failed part-way.
    let result = output::finish().and(result);
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) if e.is_broken_pipe() => ExitCode::SUCCESS,
        Err(e) => {
            let msg = format!("{e}{}", hint(&e, tool));
            eprintln!("{tool}: {}", output::clean(&msg, true));
            ExitCode::from(e.exit_code())
        }
    }
}

/// The command line as `C`, or the exit code of a usage error (already reported). The command
/// tree clap builds to parse it is let go here, before the command runs, so that the command's
/// own memory reuses it rather than touching new pages.
fn parse<C: Parser>(tool: &'static str) -> std::result::Result<C, ExitCode> {
    let args: Vec<std::ffi::OsString> = std::env::args_os().collect();
    // The examples are shown only in help: a command line that cannot ask for it goes without.
    let mut cmd = if args.iter().skip(1).any(|a| may_ask_for_help(a)) {
        command::<C>(tool)
    } else {
        C::command().name(tool).bin_name(tool)
    };
    let parsed = cmd
        .try_get_matches_from_mut(args)
        .and_then(|m| own_options_alone(&mut cmd, m))
        .and_then(|mut m| C::from_arg_matches_mut(&mut m));
    match parsed {
        Ok(c) => Ok(c),
        Err(e) if !e.use_stderr() => e.exit(),
        Err(e) => {
            // One line, like every other error: the message up to the first blank line.
            let text = e.render().to_string();
            let first: Vec<&str> = text
                .lines()
                .take_while(|l| !l.trim().is_empty())
                .map(str::trim)
                .collect();
            let msg = first.join(" ");
            eprintln!(
                "{tool}: {} (see {tool} --help)",
                msg.trim_start_matches("error: ")
            );
            Err(ExitCode::from(2))
        }
    }
}

/// Whether a command-line word may ask for help: `help`, `--help`, or short options that
/// include `-h`.
fn may_ask_for_help(arg: &std::ffi::OsStr) -> bool {
    arg == "help"
        || arg == "--help"
        || arg
            .to_str()
            .is_some_and(|a| a.starts_with('-') && !a.starts_with("--") && a.contains('h'))
}

/// A tool's own top-level options (not the global `--dir` and `--as`, which work before or after
/// any command) are for running it without a command: given with a command, a usage error.
fn own_options_alone(
    cmd: &mut clap::Command,
    m: clap::ArgMatches,
) -> clap::error::Result<clap::ArgMatches> {
    let Some(sub) = m.subcommand_name() else {
        return Ok(m);
    };
    let given = cmd.get_arguments().find(|a| {
        !a.is_global_set()
            && m.value_source(a.get_id().as_str()) == Some(clap::parser::ValueSource::CommandLine)
    });
    match given {
        None => Ok(m),
        Some(a) => {
            let name = a
                .get_long()
                .map_or_else(|| a.get_id().to_string(), |l| format!("--{l}"));
            Err(cmd.error(
                clap::error::ErrorKind::ArgumentConflict,
                format!("'{name}' goes without a command; it cannot be used with '{sub}'"),
            ))
        }
    }
}

/// What to run next, for errors whose fix is a command (core's messages name none).
pub fn hint(e: &Error, tool: &str) -> String {
    use closer_core::error::IdKind;
    let add_partners =
        || format!("add each partner with `{tool} couple add NAME [--condition TAG]`");
    let h = match e {
        Error::UnknownPartner { known, .. } if known.is_empty() => add_partners(),
        Error::NoCouple => add_partners(),
        Error::UnknownCondition { .. } => format!("`{tool} couple conditions` lists them"),
        Error::UnknownId { kind, .. } => match kind {
            IdKind::Need => "`needs-list --all` lists them".into(),
            IdKind::Session => "`touch-plan history` lists them".into(),
            IdKind::Step => "`touch-plan show` lists the steps".into(),
        },
        Error::UnknownStep { .. } => "`touch-plan show` lists the steps".into(),
        Error::Conflict { .. } => format!("`{tool} couple doctor` merges them"),
        Error::Refused { next, .. }
        | Error::NotYours {
            next: Some(next), ..
        } => next_step(next, tool),
        Error::BadRecord { fault, .. } => return fault_hint(fault, tool),
        _ => return String::new(),
    };
    format!("; {h}")
}

/// The command that is the way on after a refusal.
fn next_step(next: &closer_core::error::Next, t: &str) -> String {
    use closer_core::error::Next;
    match next {
        Next::ShowPlan => "`touch-plan` shows the plan".into(),
        Next::Resume => "whoever paused it can resume it with `touch-plan resume`".into(),
        Next::ProposePlan => "propose one with `needs-list propose ID --plan TEXT`".into(),
        Next::ShareNeed => "`needs-list share ID` shares it".into(),
        Next::FewerFilters => "try fewer --category or no --energy".into(),
        Next::NamedExport => "restore from an export made without --redact-names".into(),
        Next::Keys => format!("see `{t} couple keys`"),
        Next::ThirdPartner => format!(
            "if one of you is leaving, they take themselves out with `{t} couple remove NAME` on a device that holds their key; to keep another couple's records, use another data folder (`--dir DIR` or `CLOSER_DIR`)"
        ),
        Next::BringKey(n) => format!(
            "to use this device as {n}, bring the key here with `{t} couple keys export FILE` on {n}'s device and `{t} couple keys import FILE` here"
        ),
        Next::RestoreKey(n) => format!(
            "if {n} still has a copy of their key or its recovery key, {n} restores it with `{t} couple keys import FILE` or `{t} couple keys recover`; if every copy is lost, {n} runs `{t} couple keys new {n}` on their own device, and you accept it here with `{t} couple keys accept {n}` once you have compared fingerprints (`{t} couple keys show`)"
        ),
        Next::SetUpThere(n) => format!("`{t} couple me {n}` on {n}'s own device makes it"),
    }
}

/// What to run to put a record's fault right, as "; ..." to follow what is said about it;
/// empty when no command does.
pub fn fault_hint(fault: &closer_core::error::Fault, t: &str) -> String {
    use closer_core::error::Fault;
    let h = match fault {
        Fault::Said(_) => return String::new(),
        Fault::PlainInSealed => {
            format!(
                "`{t} couple encrypt` encrypts only records that were in the folder before it was encrypted, never one that appeared later"
            )
        }
        Fault::SealedInPlain => format!(
            "`{t} couple decrypt` on the device that holds its key turns it into a plain one"
        ),
        Fault::PlainContent => {
            format!(
                "if you put it there yourself, run `{t} couple encrypt` on a terminal: it shows you what the file holds and asks before sealing it for you both"
            )
        }
        Fault::Unparsed => format!("run `{t} couple doctor` first, or fix it"),
        Fault::ThirdPartner => format!(
            "if one of you left, take them out of the couple (`{t} couple remove NAME`) first"
        ),
        // A deleted record can be changed at once: the change is written over the trusted one.
        Fault::WentBack(why) if why == closer_core::memory::DELETED => {
            format!("`{t} couple doctor` puts that version back")
        }
        Fault::WentBack(_) => format!(
            "`{t} couple doctor` puts that version back, and then this record can be changed"
        ),
        Fault::EarlierCopy { owners: true, .. } => format!("`{t} couple doctor` removes the file"),
        Fault::EarlierCopy { owners: false, .. } => {
            format!(
                "`{t} couple doctor` on a device of its owner removes the file (or remove it by hand)"
            )
        }
    };
    format!("; {h}")
}

/// How much energy there is today, for `--energy`.
#[derive(clap::ValueEnum, Debug, Clone, Copy, PartialEq, Eq)]
pub enum Energy {
    Low,
    Normal,
}

/// `completions SHELL` and `man`, which every tool offers.
#[derive(clap::Subcommand, Debug, Clone)]
#[command(defer = true)]
pub enum Extra {
    /// Print a shell completion script (bash, zsh, fish, elvish or powershell)
    Completions {
        /// The shell the script is for
        #[arg(value_enum)]
        shell: clap_complete::Shell,
    },
    /// Print the man page (roff)
    Man,
}

impl Extra {
    /// Prints the completions or man page of the binary called `tool`.
    pub fn run<C: CommandFactory>(&self, tool: &'static str) -> Result<()> {
        let mut cmd = command::<C>(tool);
        cmd.build();
        let mut cmd = own_arguments_first(cmd);
        let mut buf = Vec::new();
        match self {
            Extra::Completions { shell } => {
                clap_complete::generate(*shell, &mut cmd, tool, &mut buf)
            }
            Extra::Man => man_page(cmd, &mut buf).map_err(Error::Output)?,
        }
        let mut out = output::Out::default();
        out.raw(&String::from_utf8_lossy(&buf))
    }
}

/// A built command tree with every command's arguments in the order its help has always listed
/// them: its own, then the global `--dir` and `--as`, then `--help`.
///
/// A tool builds the arguments of a command only when that command runs (`#[command(defer = true)]` on
/// the command enums, so a run does not pay for every other command's arguments); clap then adds
/// the global options to a command before its own. Completion scripts list them in that order.
/// (So the argument structs of commands carry `//` comments, not doc comments: clap would take
/// those as the command's description when it builds the command.)
fn own_arguments_first(cmd: clap::Command) -> clap::Command {
    let global: Vec<String> = cmd
        .get_arguments()
        .filter(|a| a.is_global_set())
        .map(|a| a.get_id().to_string())
        .collect();
    let sub = |mut sub: clap::Command| {
        let last: Vec<String> = sub
            .get_arguments()
            .filter(|a| global.contains(&a.get_id().to_string()))
            .chain(sub.get_arguments().filter(|a| a.get_id() == "help"))
            .map(|a| a.get_id().to_string())
            .collect();
        for id in last {
            sub = sub.mut_arg(id, |a| a);
        }
        own_arguments_first(sub)
    };
    cmd.mut_subcommands(sub)
}

/// The man page of a tool: its own page, then a section for each of its commands (synopsis,
/// description, options and examples).
fn man_page(mut cmd: clap::Command, buf: &mut Vec<u8>) -> std::io::Result<()> {
    use std::io::Write;
    fn commands(cmd: &clap::Command, path: &str, buf: &mut Vec<u8>) -> std::io::Result<()> {
        for sub in cmd
            .get_subcommands()
            .filter(|s| s.get_name() != "help" && !s.is_hide_set())
        {
            let path = format!("{path} {}", sub.get_name());
            let man = clap_mangen::Man::new(sub.clone().bin_name(path.clone()));
            let mut part = Vec::new();
            man.render_synopsis_section(&mut part)?;
            man.render_description_section(&mut part)?;
            if sub.get_arguments().any(|a| !a.is_hide_set()) {
                man.render_options_section(&mut part)?;
            }
            if sub.get_after_help().is_some() {
                man.render_extra_section(&mut part)?;
            }
            writeln!(buf, ".SH \"{}\"", path.to_uppercase())?;
            buf.extend(
                String::from_utf8_lossy(&part)
                    .replace(".SH ", ".SS ")
                    .bytes(),
            );
            commands(sub, &path, buf)?;
        }
        Ok(())
    }
    cmd.build();
    clap_mangen::Man::new(cmd.clone()).render(buf)?;
    commands(&cmd, cmd.get_name(), buf)
}

/// Parses a command-line value into one of core's [`Word`] values, offering every word in help
/// and completions.
pub fn word_parser<T: Word + Send + Sync>() -> impl clap::builder::TypedValueParser<Value = T> {
    use clap::builder::TypedValueParser;
    let values = T::ALL.iter().map(|v| {
        let p = clap::builder::PossibleValue::new(v.word());
        if v.help().is_empty() {
            p
        } else {
            p.help(v.help())
        }
    });
    clap::builder::PossibleValuesParser::new(values)
        // Only the words offered above get this far, so the lookup always finds one.
        .map(|s| T::from_word(&s).unwrap_or(T::ALL[0]))
}

#[cfg(test)]
mod tests {
    /// A command whose arguments are built when it runs lists its own options first, then the
    /// global ones, then `--help`, as one built at once does.
    #[test]
    fn a_command_built_late_lists_its_own_arguments_first() {
        use clap::{Arg, Command};
        let mut cmd = Command::new("t")
            .arg(Arg::new("dir").long("dir").global(true))
            .subcommand(
                Command::new("add").defer(|c| c.arg(Arg::new("category").long("category"))),
            );
        cmd.build();
        let cmd = super::own_arguments_first(cmd);
        let add = cmd.find_subcommand("add").unwrap();
        let ids: Vec<&str> = add.get_arguments().map(|a| a.get_id().as_str()).collect();
        assert_eq!(ids, ["category", "dir", "help"]);
    }

    /// A record deleted behind its owner's back can be changed at once, so the hint does not
    /// say to put it back first; one that went back to an earlier version cannot.
    #[test]
    fn device_settings_as_written_are_read_the_same_without_the_toml_parser() {
        for partner in [None, Some("alex00000001".to_owned())] {
            let d = Device {
                version: FORMAT_VERSION,
                partner,
            };
            let text = toml::to_string(&d).unwrap();
            let read = Device::as_written(&text).expect(&text);
            assert_eq!((read.version, read.partner), (d.version, d.partner));
        }
        // Anything else is for the TOML parser, which reads it or says where it is wrong.
        for other in [
            "version = 1\n# mine\nas = \"alex00000001\"\n",
            "version = 01\n",
            "version = +1\n",
            "version = 1",
            "version = 1\nas = \"Alex\"\n",
            "version = 1\nas = 'alex00000001'\n",
            "as = \"alex00000001\"\nversion = 1\n",
            "version = 1\nas = \"alex00000001\"\nas = \"sam000000002\"\n",
        ] {
            assert!(Device::as_written(other).is_none(), "{other}");
        }
    }

    #[test]
    fn the_hint_for_a_deleted_record_does_not_ask_to_put_it_back_before_changing_it() {
        use closer_core::error::Fault;
        let deleted = super::fault_hint(&Fault::WentBack(closer_core::memory::DELETED.into()), "t");
        assert!(
            deleted.contains("`t couple doctor` puts that version back"),
            "{deleted}"
        );
        assert!(!deleted.contains("can be changed"), "{deleted}");
        let older = super::fault_hint(&Fault::WentBack("an earlier version".into()), "t");
        assert!(older.contains("then this record can be changed"), "{older}");
    }

    use super::*;
    use closer_core::authority::{Act, KeyStanding, may};
    use closer_core::error::{Fault, Next};

    /// Why a device holding Alex's key, not Sam's, may not do `act` for Sam.
    fn refused_as(act: Act, exists: bool) -> Error {
        let standing = KeyStanding {
            held: false,
            exists,
            others_held: true,
        };
        may(act, "Sam", standing).unwrap_err()
    }

    /// What users read when a record is left out or a partner's key is not here: core's words,
    /// then the command that puts it right, named with the tool's own name.
    #[test]
    fn faults_and_refusals_name_the_command_that_puts_them_right() {
        let p = std::path::Path::new("needs/x.age");
        let said: Vec<String> = [
            Error::bad_record(p, Fault::PlainInSealed),
            Error::bad_record(p, Fault::SealedInPlain),
            Error::bad_record(p, "its ID is not its file name"),
            Error::NotYours {
                message:
                    "this device holds no partner's key, so it cannot write to the encrypted folder"
                        .into(),
                next: Some(Next::Keys),
            },
            refused_as(Act::Remove, true),
            refused_as(Act::NewKey, true),
            refused_as(Act::NewKey, false),
            Error::refused("Alex and Sam are a couple already", Next::ThirdPartner),
        ]
        .iter()
        .map(|e| format!("{e}{}", hint(e, "needs-list")))
        .chain(
            [
                Fault::PlainContent,
                Fault::Unparsed,
                Fault::ThirdPartner,
                Fault::WentBack("an earlier version than the one this device trusted".into()),
                Fault::EarlierCopy {
                    said: closer_core::removals::SAID_GONE.into(),
                    owners: false,
                },
                Fault::EarlierCopy {
                    said: "an earlier version of a need removed by its owner on 2026-03-02; the need stays removed".into(),
                    owners: true,
                },
            ]
            .iter()
            .map(|f| format!("{f}{}", fault_hint(f, "touch-plan"))),
        )
        .collect();
        insta::assert_snapshot!("faults_and_refusals", said.join("\n"));
    }
}
