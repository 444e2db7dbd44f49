//! Two devices, each holding only its own partner's key: a partner's private debriefs and their
//! own opt-in are sealed to them alone, even for someone who opens every file in the folder with
//! the other partner's key, while both devices show what they showed before: the history, help
//! after a step keeps being too much, the exports, and the joint opt-in's effect on prompts and
//! steps.

use super::*;
use support::{CLOSER_EXPORT, NEEDS, PROMPT, TOUCH};

const PRIVATE: &str = "the scar still pulls when I lie on my side";
const SHARED: &str = "warm hands, slow breathing";
const HELP: &str = "sex therapist";

/// Every record the key in `config` opens in the folder, with its path, as a curious partner
/// would with `rage -d -i KEY`.
fn opened_with(config: &Path, data: &Path) -> Vec<(String, String)> {
    let keys: Vec<_> = std::fs::read_dir(config.join("closer/keys"))
        .unwrap()
        .flatten()
        .collect();
    assert_eq!(keys.len(), 1, "this device holds one key");
    let ids = age::IdentityFile::from_buffer(&std::fs::read(keys[0].path()).unwrap()[..])
        .unwrap()
        .into_identities()
        .unwrap();
    support::tree(data)
        .into_iter()
        .filter_map(|(path, bytes)| {
            let mut r = age::Decryptor::new(&bytes[..])
                .ok()?
                .decrypt(ids.iter().map(|i| i.as_ref() as &dyn age::Identity))
                .ok()?;
            let mut plain = Vec::new();
            std::io::Read::read_to_end(&mut r, &mut plain).ok()?;
            Some((path, String::from_utf8_lossy(&plain).into_owned()))
        })
        .collect()
}

/// Each device takes its turn of the joint rounds a few times.
fn turns(alex: &Device, sam: &Device) {
    for _ in 0..3 {
        alex.ok(TOUCH, &["today"]);
        sam.ok(TOUCH, &["today"]);
    }
}

fn sexual_content(d: &Device) -> bool {
    json(&d.ok(NEEDS, &["couple", "--json"]))["sexual_content"]
        .as_bool()
        .unwrap()
}

fn desire_prompts(d: &Device) -> usize {
    json(&d.ok(PROMPT, &["list", "--category", "desire", "--json"]))
        .as_array()
        .map_or(0, Vec::len)
}

fn sensual_step_shown(d: &Device) -> bool {
    d.run(TOUCH, &["step", "s5-no-goal", "--json"]).code == 0
}

#[test]
fn private_debriefs_and_opt_ins_open_only_with_their_owners_key_and_both_devices_show_the_same() {
    let sb = Sandbox::new();
    let (alex, sam) = two_devices(&sb);
    let (alex_id, sam_id) = (alex.id_of("Alex"), sam.id_of("Sam"));

    // A step in the plan, a session on it, debriefs shared and private.
    alex.ok(TOUCH, &["boundary", "s0-sit-close", "yes"]);
    sam.ok(TOUCH, &["boundary", "s0-sit-close", "yes"]);
    turns(&alex, &sam);
    sam.ok(TOUCH, &["log", "--step", "s0-sit-close", "--minutes", "10"]);
    sam.ok(TOUCH, &["debrief", "--noticed", SHARED]);
    sam.ok(TOUCH, &["debrief", "--noticed", PRIVATE, "--private"]);
    // Too much, three times and privately: Sam is told where to find help.
    let mut told = String::new();
    for _ in 0..3 {
        let r = sam.run(TOUCH, &["debrief", "--too-much", "--private"]);
        r.ok();
        told = format!("{}{}", r.ok(), r.stderr);
    }
    assert!(told.contains(HELP), "{told}");

    // Sam opts in; Alex does not (yet).
    sam.ok(NEEDS, &["couple", "opt-in", "sexual"]);
    turns(&alex, &sam);

    // Nothing Alex's key opens shows Sam's private debriefs or Sam's opt-in.
    let opened = opened_with(&alex.config, &sb.data());
    assert!(
        opened.iter().any(|(p, _)| p.contains(&sam_id)),
        "Alex's key opens Sam's shared records"
    );
    for (path, text) in &opened {
        assert!(!text.contains(PRIVATE), "{path}: {text}");
        assert!(!text.contains("\"private\":true"), "{path}: {text}");
        if !path.contains(&alex_id) {
            assert!(!text.contains("\"sexual\":true"), "{path}: {text}");
        }
    }

    // What each device shows of the sessions, as before.
    let alex_history = alex.ok(TOUCH, &["history"]);
    assert!(alex_history.contains(SHARED), "{alex_history}");
    assert!(!alex_history.contains(PRIVATE), "{alex_history}");
    assert!(!alex_history.contains("too much"), "{alex_history}");
    let sam_history = sam.ok(TOUCH, &["history"]);
    assert!(
        sam_history.contains(SHARED) && sam_history.contains(PRIVATE),
        "{sam_history}"
    );
    assert!(sam_history.contains("too much"), "{sam_history}");
    for (d, private) in [(&alex, false), (&sam, true)] {
        let export = d.ok(CLOSER_EXPORT, &["--format", "json"]);
        assert!(export.contains(SHARED), "{export}");
        assert_eq!(export.contains(PRIVATE), private, "{export}");
    }

    // One opt-in is not both: nothing sexual shows on either device.
    for d in [&alex, &sam] {
        assert!(!sexual_content(d));
        assert_eq!(desire_prompts(d), 0);
        assert!(!sensual_step_shown(d));
    }
    // Both opted in: once the devices had their turns, both show it.
    alex.ok(NEEDS, &["couple", "opt-in", "sexual"]);
    turns(&alex, &sam);
    for (who, d) in [("Alex", &alex), ("Sam", &sam)] {
        assert!(sexual_content(d), "{who}");
        assert!(desire_prompts(d) > 0, "{who}");
        assert!(sensual_step_shown(d), "{who}");
    }
    let opened = opened_with(&alex.config, &sb.data());
    for (path, text) in &opened {
        if !path.contains(&alex_id) {
            assert!(!text.contains("\"sexual\":true"), "{path}: {text}");
        }
    }
    // Sam opts out: off on both, and both are told it was on for a while, from when.
    sam.ok(NEEDS, &["couple", "opt-out", "sexual"]);
    turns(&alex, &sam);
    for (who, d) in [("Alex", &alex), ("Sam", &sam)] {
        assert!(!sexual_content(d), "{who}");
        assert_eq!(desire_prompts(d), 0, "{who}");
        let couple = json(&d.ok(NEEDS, &["couple", "--json"]));
        let traces = couple["sexual_content_changes"].as_array().unwrap();
        assert_eq!(traces.len(), 1, "{who}: {traces:?}");
        assert!(traces[0]["from"].is_string(), "{who}: {traces:?}");
    }
}

/// An opt-out is off on the other device as soon as the signed round of the partner who opted
/// out reaches it, even if their device never runs again; an opt-in may wait for the rounds.
#[test]
fn an_opt_out_is_off_on_the_other_device_before_the_first_device_runs_again() {
    let sb = Sandbox::new();
    let (alex, sam) = two_devices(&sb);
    alex.ok(NEEDS, &["couple", "opt-in", "sexual"]);
    sam.ok(NEEDS, &["couple", "opt-in", "sexual"]);
    turns(&alex, &sam);
    for (who, d) in [("Alex", &alex), ("Sam", &sam)] {
        assert!(sexual_content(d), "{who}");
        assert!(sensual_step_shown(d), "{who}");
    }

    // Alex opts out; Alex's device stays closed from now on.
    alex.ok(NEEDS, &["couple", "opt-out", "sexual"]);
    for _ in 0..3 {
        assert!(!sexual_content(&sam));
        assert_eq!(desire_prompts(&sam), 0);
        assert!(!sensual_step_shown(&sam));
        let show = sam.ok(TOUCH, &["show", "--json"]);
        assert!(!show.contains("s5-"), "{show}");
        // Every tool on Sam's device has the same prompt of the day.
        let glance = sam.ok(NEEDS, &["couple", "today"]);
        let prompt = sam.ok(PROMPT, &[]);
        assert!(
            glance.contains(&format!("Prompt: {}\n", prompt.trim())),
            "{glance}\n{prompt}"
        );
    }
    turns(&alex, &sam);
    for (who, d) in [("Alex", &alex), ("Sam", &sam)] {
        assert!(!sexual_content(d), "{who}");
        assert!(!sensual_step_shown(d), "{who}");
    }
    // Opting in again takes both devices' turns, as before.
    alex.ok(NEEDS, &["couple", "opt-in", "sexual"]);
    turns(&alex, &sam);
    for (who, d) in [("Alex", &alex), ("Sam", &sam)] {
        assert!(sexual_content(d), "{who}");
        assert!(sensual_step_shown(d), "{who}");
    }
}
