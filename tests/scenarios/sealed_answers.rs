//! Two devices, each holding only its own partner's key: an answer stays sealed to its author
//! until the other partner has answered or passed, even for someone who decrypts every file with
//! the other partner's key; the author's device then shares it on its next run.

use super::*;
use support::PROMPT;

/// Everything the key in `config` opens under the folder's `answers/`: every file, and every
/// sealed copy inside one, as a curious partner would with `rage -d -i KEY`.
fn opened_with(config: &Path, data: &Path) -> String {
    let keys: Vec<_> = std::fs::read_dir(config.join("closer/keys"))
        .unwrap()
        .flatten()
        .collect();
    assert_eq!(keys.len(), 1, "this device holds one key");
    let ids = age::IdentityFile::from_buffer(&std::fs::read(keys[0].path()).unwrap()[..])
        .unwrap()
        .into_identities()
        .unwrap();
    let open = |sealed: &[u8]| -> Option<Vec<u8>> {
        let mut r = age::Decryptor::new(sealed)
            .ok()?
            .decrypt(ids.iter().map(|i| i.as_ref() as &dyn age::Identity))
            .ok()?;
        let mut plain = Vec::new();
        std::io::Read::read_to_end(&mut r, &mut plain).ok()?;
        Some(plain)
    };
    let mut out = String::new();
    let mut opened_any = false;
    for (_, bytes) in support::tree(&data.join("answers")) {
        let Some(plain) = open(&bytes) else { continue };
        opened_any = true;
        let text = String::from_utf8_lossy(&plain).into_owned();
        for word in text.split('"').filter(|w| w.len() > 64) {
            let raw: Option<Vec<u8>> = (0..word.len() / 2)
                .map(|i| u8::from_str_radix(word.get(2 * i..2 * i + 2)?, 16).ok())
                .collect();
            if let Some(inner) = raw.as_deref().and_then(open) {
                out.push_str(&String::from_utf8_lossy(&inner));
            }
        }
        out.push_str(&text);
    }
    assert!(opened_any, "the key opens the answer files");
    out
}

fn history(d: &Device) -> Vec<(String, String)> {
    json(&d.ok(PROMPT, &["history", "--json"]))
        .as_array()
        .unwrap()
        .iter()
        .map(|a| {
            (
                a["partner"].as_str().unwrap().to_owned(),
                a["answer"].as_str().unwrap_or("").to_owned(),
            )
        })
        .collect()
}

#[test]
fn an_answer_is_sealed_to_its_author_until_the_other_answered_then_shared_on_its_next_run() {
    let sb = Sandbox::new();
    let (alex, sam) = two_devices(&sb);

    sam.ok(PROMPT, &["answer", "The sea, next spring."]);
    let seen = opened_with(&alex.config, &sb.data());
    assert!(!seen.contains("The sea"), "{seen}");
    let h = history(&alex);
    assert_eq!(h.len(), 1, "Alex sees that Sam answered: {h:?}");
    assert!(!h[0].1.contains("The sea"), "{h:?}");
    assert_eq!(history(&sam)[0].1, "The sea, next spring.");

    alex.ok(PROMPT, &["answer", "The hills."]);
    assert!(!opened_with(&alex.config, &sb.data()).contains("The sea"));
    // Sam's device runs once: Alex reads Sam's answer, and Sam reads Alex's after Alex's next run.
    sam.ok(PROMPT, &[]);
    let h = history(&alex);
    assert!(h.iter().any(|(_, a)| a == "The sea, next spring."), "{h:?}");
    let h = history(&sam);
    assert!(h.iter().any(|(_, a)| a == "The hills."), "{h:?}");
    assert!(alex.ok(PROMPT, &["history"]).contains("The sea"));
}

#[test]
fn after_passing_an_answer_not_shared_yet_says_when_it_opens_not_to_answer_or_pass() {
    let sb = Sandbox::new();
    let (alex, sam) = two_devices(&sb);
    alex.ok(PROMPT, &["answer", "The hills."]);
    let passed = sam.run(PROMPT, &["answer", "--pass"]);
    passed.ok();
    // Alex's device has not run since: the answer is still sealed to Alex alone. Sam has taken
    // their turn, so neither message may send Sam back to answer or pass, nor say it is there.
    assert!(
        !passed.stderr.contains("read now"),
        "the answer is not readable yet: {}",
        passed.stderr
    );
    let row = sam.ok(PROMPT, &["history"]);
    assert!(!row.contains("The hills."), "{row}");
    assert!(
        !row.contains("once you have answered or passed") && row.contains("Alex's device"),
        "{row}"
    );
    // Alex's device takes its turn: Sam reads it.
    alex.ok(PROMPT, &[]);
    assert!(sam.ok(PROMPT, &["history"]).contains("The hills."));
}

/// After `--skip` shows another prompt, an answer given without `--skip` goes to the day's own
/// prompt: saying which question it was saved to, in words, lets the mistake show at once.
#[test]
fn an_answer_says_in_words_which_prompt_it_answers() {
    let sb = Sandbox::new();
    let (alex, _sam) = two_devices(&sb);
    let day = json(&alex.ok(PROMPT, &["--json"]));
    let skipped = json(&alex.ok(PROMPT, &["--skip", "--json"]));
    assert_ne!(day["id"], skipped["id"]);
    let saved = alex.run(PROMPT, &["answer", "the sea"]);
    saved.ok();
    assert!(
        saved.stderr.contains(day["text"].as_str().unwrap()),
        "{}",
        saved.stderr
    );
    let corrected = alex.run(PROMPT, &["answer", "--skip", "the sea"]);
    corrected.ok();
    assert!(
        corrected.stderr.contains(skipped["text"].as_str().unwrap()),
        "{}",
        corrected.stderr
    );
}

#[test]
fn after_couple_decrypt_the_author_still_reads_every_answer_of_theirs() {
    let sb = Sandbox::new();
    let (alex, sam) = two_devices(&sb);
    // One day both took their turn (shared), a corrected one, and one only Sam answered.
    sam.ok(PROMPT, &["answer", "The sea, next spring."]);
    alex.ok(PROMPT, &["answer", "The hills."]);
    sam.ok(PROMPT, &[]);
    sb.set_today("2026-03-03");
    sam.ok(PROMPT, &["answer", "A slow morning."]);
    sam.ok(PROMPT, &["answer", "A slow morning, and tea."]);
    let before = sam.ok(PROMPT, &["history"]);
    for text in ["The sea, next spring.", "A slow morning, and tea."] {
        assert!(before.contains(text), "{before}");
    }

    sam.ok(PROMPT, &["couple", "decrypt", "--yes"]);
    let after = sam.ok(PROMPT, &["history"]);
    for text in ["The sea, next spring.", "A slow morning, and tea."] {
        assert!(
            after.contains(text),
            "lost {text:?} after couple decrypt: {after}"
        );
    }
    // Nothing of Sam's stays sealed inside the now plain file.
    let sam_id = sam.id_of("Sam");
    let plain =
        std::fs::read_to_string(sb.data().join(format!("answers/{sam_id}/2026.json"))).unwrap();
    assert!(!plain.contains("\"sealed\""), "{plain}");
    assert!(plain.contains("A slow morning, and tea."), "{plain}");
    assert!(
        plain.contains("A slow morning.\""),
        "the earlier text stays: {plain}"
    );
}
