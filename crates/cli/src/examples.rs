//! The examples that end every command's `--help` and the man page: two or three command lines
//! to copy, for every command of every tool, kept in one place so that a test can prove none is
//! missing.

/// Examples for a command: what it does, then the command line. `{tool}` becomes the binary's
/// name.
type Examples = &'static [(&'static str, &'static str)];

/// The examples of `tool`'s command at `path` (subcommand names joined by spaces, "" for the tool
/// itself); `couple` commands are the same in every tool.
fn examples(tool: &str, path: &str) -> Option<Examples> {
    let table: &[(&str, Examples)] = match path.split(' ').next() {
        Some("couple") => COUPLE,
        Some("completions" | "man") => EXTRA,
        _ => match tool {
            "needs-list" => NEEDS,
            "touch-plan" => TOUCH,
            "prompt-of-the-day" => PROMPT,
            _ => EXPORT,
        },
    };
    table.iter().find(|(p, _)| *p == path).map(|(_, e)| *e)
}

/// The `Examples:` block for a command, or `None` when it has none yet.
pub fn block(tool: &str, path: &str) -> Option<String> {
    // `export` is also a shell builtin: examples use the same program as `closer-export`.
    let name = if tool == "export" {
        "closer-export"
    } else {
        tool
    };
    let mut s = String::from("Examples:");
    for (what, line) in examples(tool, path)? {
        s += &format!("\n  # {what}\n  {}", line.replace("{tool}", name));
    }
    Some(s)
}

#[rustfmt::skip]
const NEEDS: &[(&str, Examples)] = &[
    ("", &[
        ("The needs you are still working on, most important first", "needs-list"),
        ("Needs due for review, one per line (for a script or a Monday mail)", "needs-list --due --plain"),
        ("Everything Sam named, met and retired ones too", "needs-list --by Sam --all"),
    ]),
    ("add", &[
        ("Name a need of yours, and how much it matters", "needs-list add \"Help getting dressed on bad-hand mornings\" --category practical --importance high --as Sam"),
        ("A need only you see until you share it", "needs-list add \"An hour to myself on Sundays\" --category rest-energy --private --as Alex"),
    ]),
    ("show", &[
        ("One need with its history (any unique start of its ID will do)", "needs-list show k3x9"),
        ("The same as JSON", "needs-list show k3x9 --json"),
    ]),
    ("edit", &[
        ("It matters more than you first said", "needs-list edit k3x9 --importance high --as Sam"),
        ("New words for it", "needs-list edit k3x9 --text \"Help with buttons and socks\" --as Sam"),
        ("Rewrite it in your editor (on a terminal)", "needs-list edit k3x9 --as Sam"),
    ]),
    ("talked", &[
        ("You have talked it over", "needs-list talked k3x9 --as Sam"),
    ]),
    ("comment", &[
        ("A note in the need's history, from either of you", "needs-list comment k3x9 \"Mornings after a bad night are the hardest\" --as Alex"),
    ]),
    ("propose", &[
        ("Propose who helps and when to look again", "needs-list propose k3x9 --plan \"Alex does the buttons before breakfast\" --helper Alex --review-in \"6 weeks\" --as Sam"),
        ("Help from outside the couple, reviewed on a date", "needs-list propose k3x9 --plan \"My sister helps on Tuesdays\" --helper \"my sister\" --review 2026-06-01 --as Sam"),
    ]),
    ("accept", &[
        ("Accept the plan your partner proposed: it is agreed", "needs-list accept k3x9 --as Alex"),
    ]),
    ("met", &[
        ("Your need is being met", "needs-list met k3x9 --as Sam"),
    ]),
    ("reopen", &[
        ("It is needed again", "needs-list reopen k3x9 --as Sam"),
    ]),
    ("retire", &[
        ("It is no longer needed", "needs-list retire k3x9 --as Sam"),
    ]),
    ("share", &[
        ("Let your partner see a private need of yours", "needs-list share k3x9 --as Alex"),
    ]),
    ("rm", &[
        ("Delete a need of yours (it asks first)", "needs-list rm k3x9 --as Sam"),
        ("From a script, without asking", "needs-list rm k3x9 --yes --as Sam"),
    ]),
    ("review", &[
        ("Go through what is due, one need at a time (on a terminal)", "needs-list review --as Sam"),
        ("Without a terminal it prints what is due", "needs-list review > due.txt"),
    ]),
    ("suggest", &[
        ("Ideas for the conditions you live with", "needs-list suggest"),
        ("Ideas for one condition", "needs-list suggest --condition arthritis"),
        ("Add idea number 3 as your need", "needs-list suggest --condition arthritis --add 3 --as Sam"),
    ]),
];

#[rustfmt::skip]
const TOUCH: &[(&str, Examples)] = &[
    ("", &[
        ("The plan: every step, where you are, holds and pauses", "touch-plan"),
        ("Today's step, with adaptations for both of you", "touch-plan today"),
        ("Say which steps are for you, one by one (on a terminal)", "touch-plan boundary --as Alex"),
    ]),
    ("show", &[
        ("The plan", "touch-plan show --as Alex"),
        ("The plan as JSON", "touch-plan show --json"),
    ]),
    ("today", &[
        ("Today's step", "touch-plan today"),
        ("The short version, for a flare or low-energy day", "touch-plan today --energy low"),
        ("As JSON, for a script", "touch-plan today --json"),
    ]),
    ("step", &[
        ("A step's whole text, with adaptations for your conditions", "touch-plan step s2-hand-massage"),
        ("Any unique start of its ID will do; as JSON", "touch-plan step s1-short --json"),
    ]),
    ("boundary", &[
        ("Go through the steps one by one (on a terminal)", "touch-plan boundary --as Alex"),
        ("Say yes to one step, privately", "touch-plan boundary s1-short-hug yes --as Alex"),
        ("Not sure yet: talk it over first", "touch-plan boundary s1-face-to-face maybe --as Alex"),
    ]),
    ("body", &[
        ("Ask first before the chest is touched, and why", "touch-plan body chest ask-first --note \"left side: surgery scar\" --as Sam"),
        ("The regions you can mark", "touch-plan body --regions"),
        ("Take your mark off a region", "touch-plan body chest --clear --as Sam"),
    ]),
    ("ready", &[
        ("You are ready to move on, privately", "touch-plan ready --as Sam"),
    ]),
    ("unready", &[
        ("Take it back; no reason needed", "touch-plan unready --as Sam"),
    ]),
    ("mine", &[
        ("What you said: boundaries, body map, readiness, holds", "touch-plan mine --as Sam"),
        ("The same as JSON", "touch-plan mine --json --as Sam"),
    ]),
    ("back", &[
        ("Go back one step, for both of you", "touch-plan back --as Alex"),
    ]),
    ("pause", &[
        ("Pause the plan for both of you", "touch-plan pause --as Alex"),
    ]),
    ("resume", &[
        ("Go on after your pause", "touch-plan resume --as Alex"),
    ]),
    ("hold", &[
        ("Nothing from stage 3 until the surgeon's clearance", "touch-plan hold --from-stage 3 --until 2027-01-15 --reason \"surgeon's clearance\" --as Sam"),
        ("The holds in place", "touch-plan hold"),
        ("Lift the holds you set, from today", "touch-plan hold --release --as Sam"),
    ]),
    ("log", &[
        ("You practised today's step for a quarter of an hour", "touch-plan log --minutes 15 --giver Alex --note \"by the window\""),
        ("You practised another step of your plan", "touch-plan log --step s0-hold-hands"),
    ]),
    ("debrief", &[
        ("What you noticed in the latest session", "touch-plan debrief --noticed \"warm hands, slow pressure\" --as Sam"),
        ("Something was too much; only you will see this", "touch-plan debrief --too-much \"the neck\" --private --as Sam"),
    ]),
    ("history", &[
        ("Sessions and the debriefs you may see", "touch-plan history --as Sam"),
        ("As JSON", "touch-plan history --json --as Sam"),
    ]),
    ("rules", &[
        ("The ground rules, to read together", "touch-plan rules"),
    ]),
];

#[rustfmt::skip]
const PROMPT: &[(&str, Examples)] = &[
    ("", &[
        ("Today's prompt (the same for both of you)", "prompt-of-the-day"),
        ("A gentler prompt about gratitude", "prompt-of-the-day --energy low --category gratitude"),
        ("Append it to today's note", "prompt-of-the-day --markdown --append-to ~/notes/$(date +%F).md"),
    ]),
    ("answer", &[
        ("Answer today's prompt", "prompt-of-the-day answer \"The walk by the river\" --as Alex"),
        ("Answer from a file", "prompt-of-the-day answer - --as Alex < answer.txt"),
        ("Pass today, and read your partner's answer", "prompt-of-the-day answer --pass --as Sam"),
    ]),
    ("history", &[
        ("Past prompts and answers since March", "prompt-of-the-day history --since 2026-03-01 --as Alex"),
        ("As JSON", "prompt-of-the-day history --json --as Alex"),
    ]),
    ("list", &[
        ("The prompts about gratitude your couple can get", "prompt-of-the-day list --category gratitude"),
        ("How many prompts there are for you", "prompt-of-the-day list --plain | wc -l"),
    ]),
    ("categories", &[
        ("The categories and how many prompts each holds", "prompt-of-the-day categories"),
        ("As JSON", "prompt-of-the-day categories --json"),
    ]),
];

#[rustfmt::skip]
const EXPORT: &[(&str, Examples)] = &[
    ("", &[
        ("Everything you may see, as one Markdown file", "{tool} --as Alex > closer.md"),
        ("A folder of notes for Obsidian, quiet when all went well (for cron)", "{tool} --to-dir ~/Notes/closer --quiet --as Alex"),
        ("One page for the next appointment, names left out", "{tool} --for-clinician --as Alex > appointment.md"),
    ]),
    ("restore", &[
        ("Rebuild a data folder from both partners' exports, each restoring their own", "{tool} restore alex.json --as Alex --dir ~/closer-new && {tool} restore sam.json --as Sam --dir ~/closer-new"),
        ("From standard input", "{tool} --format json --as Alex | {tool} restore - --dir ~/closer-copy"),
    ]),
];

#[rustfmt::skip]
const COUPLE: &[(&str, Examples)] = &[
    ("couple", &[
        ("Who the partners are and their conditions", "{tool} couple"),
        ("As JSON", "{tool} couple --json"),
    ]),
    ("couple add", &[
        ("Add a partner with the conditions they live with", "{tool} couple add Sam --condition arthritis --condition fatigue"),
        ("Add a partner with none", "{tool} couple add Alex"),
    ]),
    ("couple set", &[
        ("Replace Sam's conditions", "{tool} couple set Sam --condition arthritis"),
        ("Sam has healed from surgery", "{tool} couple set Sam --remove-condition post-surgery"),
        ("No conditions at all", "{tool} couple set Sam --clear"),
    ]),
    ("couple rename", &[
        ("A new name; the records follow", "{tool} couple rename Sam Samira"),
    ]),
    ("couple remove", &[
        ("Remove a partner (it asks first; their records stay)", "{tool} couple remove Sam"),
        ("From a script, without asking", "{tool} couple remove Sam --yes"),
    ]),
    ("couple opt-in", &[
        ("Opt in for yourself; it is on only when both of you have", "{tool} couple opt-in sexual --as Alex"),
    ]),
    ("couple opt-out", &[
        ("Opt out; it is off for both of you at once", "{tool} couple opt-out sexual --as Alex"),
    ]),
    ("couple future-prompts", &[
        ("Leave out prompts that look years ahead", "{tool} couple future-prompts off"),
        ("Show the setting", "{tool} couple future-prompts"),
    ]),
    ("couple conditions", &[
        ("The condition tags", "{tool} couple conditions"),
        ("Only the tags, one per line", "{tool} couple conditions --plain | cut -f1"),
    ]),
    ("couple energy", &[
        ("Today is a low-energy day, on both devices", "{tool} couple energy low --as Sam"),
        ("A flare that lasts the week", "{tool} couple energy low --until 2026-03-08 --as Sam"),
        ("It is over", "{tool} couple energy normal --as Sam"),
    ]),
    ("couple today", &[
        ("The day at a glance", "{tool} couple today --as Alex"),
        ("From cron, every morning at eight", "0 8 * * * CLOSER_DIR=$HOME/Sync/closer {tool} couple today --as Alex"),
        ("As JSON", "{tool} couple today --json"),
    ]),
    ("couple doctor", &[
        ("Merge what syncing left behind", "{tool} couple doctor"),
        ("For a data folder elsewhere", "{tool} --dir ~/Sync/closer couple doctor"),
    ]),
    ("couple keys", &[
        ("Both key fingerprints, to compare on your two devices", "{tool} couple keys show"),
        ("Your recovery key, to write down", "{tool} couple keys recovery --as Alex"),
    ]),
    ("couple keys show", &[
        ("Both key fingerprints, to compare on your two devices", "{tool} couple keys show"),
        ("As JSON", "{tool} couple keys show --json"),
    ]),
    ("couple keys export", &[
        ("A passphrase-protected copy of your key, for your second device", "{tool} couple keys export alex-key.age --as Alex"),
    ]),
    ("couple keys import", &[
        ("Bring your key to this device", "{tool} couple keys import alex-key.age --as Alex"),
    ]),
    ("couple keys recovery", &[
        ("Your recovery key, to write down and keep somewhere safe", "{tool} couple keys recovery --as Alex"),
    ]),
    ("couple keys recover", &[
        ("Restore your key from its recovery key (on a terminal)", "{tool} couple keys recover --as Alex"),
    ]),
    ("couple keys passphrase", &[
        ("Protect your key on this device, or change the passphrase", "{tool} couple keys passphrase --as Alex"),
        ("Take the passphrase off", "{tool} couple keys passphrase --remove --as Alex"),
    ]),
    ("couple keys accept", &[
        ("Trust Sam's new keys, once you compared fingerprints", "{tool} couple keys accept Sam --as Alex"),
    ]),
    ("couple keys remove", &[
        ("Take Sam's key off this device, once Sam's own device has it (it asks first)", "{tool} couple keys remove Sam"),
        ("From a script, without asking", "{tool} couple keys remove Sam --yes"),
    ]),
    ("couple keys new", &[
        ("A new key for Sam, whose key and every copy are lost", "{tool} couple keys new Sam --as Sam"),
        ("On a new device holding no key, by the lost key's fingerprint", "{tool} couple keys new \"5055 74ce a2ac 15c3 0a01 e471 2b4e 377b\""),
    ]),
    ("couple encrypt", &[
        ("Encrypt your own records on this device", "{tool} couple encrypt --as Alex"),
    ]),
    ("couple decrypt", &[
        ("Store your records as plain files again (it asks first)", "{tool} couple decrypt --as Alex"),
        ("From a script, without asking", "{tool} couple decrypt --yes --as Alex"),
    ]),
    ("couple me", &[
        ("This device is Alex's", "{tool} couple me Alex"),
        ("Whose is it?", "{tool} couple me"),
        ("Forget it", "{tool} couple me --forget"),
    ]),
];

#[rustfmt::skip]
const EXTRA: &[(&str, Examples)] = &[
    ("completions", &[
        ("Completions for bash", "{tool} completions bash > ~/.local/share/bash-completion/completions/{tool}"),
        ("Completions for zsh", "{tool} completions zsh > ~/.zfunc/_{tool}"),
    ]),
    ("man", &[
        ("Read the manual page", "{tool} man | man -l -"),
        ("Install it", "{tool} man > ~/.local/share/man/man1/{tool}.1"),
    ]),
];

/// `cmd` with the examples of every command at the end of its help, before what was there.
pub fn attach(cmd: clap::Command, tool: &str) -> clap::Command {
    attach_at(cmd, tool, "")
}

fn attach_at(mut cmd: clap::Command, tool: &str, path: &str) -> clap::Command {
    if let Some(block) = block(tool, path) {
        let after = match cmd.get_after_help() {
            Some(h) => format!("{block}\n\n{h}"),
            None => block,
        };
        cmd = cmd.after_help(after);
    }
    cmd.mut_subcommands(|sub| {
        let name = sub.get_name().to_owned();
        let path = if path.is_empty() {
            name
        } else {
            format!("{path} {name}")
        };
        attach_at(sub, tool, &path)
    })
}

/// What the help of `cmd` and its commands lacks: a command without examples, an argument or
/// option without a line of help. Empty when all is there.
pub fn gaps(cmd: &clap::Command) -> Vec<String> {
    fn walk(cmd: &clap::Command, path: &str, out: &mut Vec<String>) {
        let has_examples = cmd
            .get_after_help()
            .is_some_and(|h| h.to_string().contains("Examples:"));
        if !has_examples {
            out.push(format!("`{path}` has no examples"));
        }
        for a in cmd.get_arguments() {
            let builtin = matches!(a.get_id().as_str(), "help" | "version");
            let helped = a
                .get_help()
                .is_some_and(|h| !h.to_string().trim().is_empty());
            if !builtin && !helped {
                out.push(format!("`{path}`: {} has no help", a.get_id()));
            }
        }
        for sub in cmd.get_subcommands().filter(|s| s.get_name() != "help") {
            walk(sub, &format!("{path} {}", sub.get_name()), out);
        }
    }
    let mut out = Vec::new();
    walk(cmd, cmd.get_name(), &mut out);
    out
}
