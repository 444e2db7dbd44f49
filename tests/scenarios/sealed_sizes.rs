//! What the size and the age header of a sealed file can tell someone who cannot open it: a
//! day's sealed answer is the same size whether it was answered, passed, corrected or taken
//! back, and a record sealed to its owner alone looks like one sealed to both.

use super::*;
use support::{NEEDS, PROMPT};

/// The size of what age encrypted, after its header (whose random "grease" stanza varies from
/// one file to the next and carries nothing).
fn payload(sealed: &[u8]) -> usize {
    let mac = sealed
        .windows(5)
        .position(|w| w == b"\n--- ")
        .expect("an age header");
    let end = mac + 1 + sealed[mac + 1..].iter().position(|b| *b == b'\n').unwrap();
    sealed.len() - end - 1
}

/// The `-> X25519` stanzas of an age header: one per recipient.
fn stanzas(sealed: &[u8]) -> usize {
    sealed
        .split(|b| *b == b'\n')
        .take_while(|l| !l.starts_with(b"---"))
        .filter(|l| l.starts_with(b"-> X25519 "))
        .count()
}

/// The partner keys `device` holds, as `rage -d -i KEY` takes them.
fn identities(device: &Device) -> Vec<Box<dyn age::Identity + Send + Sync>> {
    let mut out = Vec::new();
    for e in std::fs::read_dir(device.config.join("closer/keys"))
        .unwrap()
        .flatten()
    {
        let file = age::IdentityFile::from_buffer(&std::fs::read(e.path()).unwrap()[..]).unwrap();
        out.extend(file.into_identities().unwrap());
    }
    out
}

fn open(ids: &[Box<dyn age::Identity + Send + Sync>], sealed: &[u8]) -> Vec<u8> {
    let mut r = age::Decryptor::new(sealed)
        .unwrap()
        .decrypt(ids.iter().map(|i| i.as_ref() as &dyn age::Identity))
        .unwrap();
    let mut plain = Vec::new();
    std::io::Read::read_to_end(&mut r, &mut plain).unwrap();
    plain
}

/// What each can measure of Sam's turn on `day`: someone without a key, the payload size of the
/// year file; Alex with Alex's key, the length of the day's line inside it and the payload sizes
/// of the sealed copies on that line (Sam's own, and the one sealed to both once there is one).
#[derive(Debug, PartialEq, Eq)]
struct Seen {
    year_file: usize,
    line: usize,
    copies: Vec<usize>,
}

fn seen(sb: &Sandbox, alex: &Device, sam_id: &str, day: &str) -> Seen {
    let file = std::fs::read(
        sb.data()
            .join(format!("answers/{sam_id}/{}.age", &day[..4])),
    )
    .unwrap();
    let plain = String::from_utf8(open(&identities(alex), &file)).unwrap();
    let line = plain
        .lines()
        .find(|l| l.contains(&format!("{{\"date\":\"{day}\"")))
        .unwrap_or_else(|| panic!("no line for {day} in {plain}"));
    let entry = json(line.trim_end_matches(','));
    let copies = ["own", "both"]
        .iter()
        .filter_map(|k| entry[k].as_str())
        .map(|hex| {
            let raw: Vec<u8> = (0..hex.len() / 2)
                .map(|i| u8::from_str_radix(&hex[2 * i..2 * i + 2], 16).unwrap())
                .collect();
            payload(&raw)
        })
        .collect();
    Seen {
        year_file: payload(&file),
        line: line.trim_end_matches(',').len(),
        copies,
    }
}

#[test]
fn a_days_sealed_answer_is_the_same_size_answered_passed_corrected_or_taken_back() {
    let sb = Sandbox::new();
    let (alex, sam) = two_devices(&sb);
    let sam_id = sam.id_of("Sam");
    let day = sb.today();
    let long = "y".repeat(1_500);
    let other = "z".repeat(1_500);

    sam.ok(PROMPT, &["answer", "--pass"]);
    let passed = seen(&sb, &alex, &sam_id, &day);
    assert_eq!(passed.copies.len(), 1, "sealed to Sam alone: {passed:?}");
    for (what, args) in [
        ("an answer of 1,500 characters", &["answer", &long][..]),
        ("a correction", &["answer", &other]),
        ("a short correction", &["answer", "ok"]),
        ("taking it back", &["answer", "--delete"]),
        ("passing after taking it back", &["answer", "--pass"]),
        ("answering after all", &["answer", &long]),
    ] {
        sam.ok(PROMPT, args);
        assert_eq!(seen(&sb, &alex, &sam_id, &day), passed, "after {what}");
    }

    // Alex takes their turn, and Sam's device shares the answer. Alex reads it now, so nothing
    // is padded beyond the folder's 1 KiB steps any more: the copy sealed to both holds the
    // answer, and Sam's own copy only its earlier versions (none since it was taken back: one
    // step, 1 KiB and age's 32 bytes).
    alex.ok(PROMPT, &["answer", "The hills."]);
    sam.ok(PROMPT, &[]);
    let shared = seen(&sb, &alex, &sam_id, &day);
    assert_eq!(shared.copies.len(), 2, "{shared:?}");
    assert_eq!(shared.copies[0], 1024 + 32, "{shared:?}");
    assert!(shared.copies[1] < passed.copies[0], "{shared:?}");
    assert!(shared.year_file < passed.year_file, "{shared:?}");
    assert!(alex.ok(PROMPT, &["history"]).contains(&long));
    sam.ok(PROMPT, &["answer", "ok"]);
    assert!(alex.ok(PROMPT, &["history"]).contains("ok\n"));
    assert!(sam.ok(PROMPT, &["history"]).contains("ok\n"));
    sam.ok(PROMPT, &["answer", "--delete"]);
    let history = alex.ok(PROMPT, &["history"]);
    assert!(
        !history.contains(&long) && !history.contains("ok\n"),
        "taken back: {history}"
    );
    // Taken back is gone for Sam too, and Sam may answer again.
    assert!(!sam.ok(PROMPT, &["history"]).contains(&long));
    sam.ok(PROMPT, &["answer", "The sea."]);
    assert!(alex.ok(PROMPT, &["history"]).contains("The sea."));
}

#[test]
fn a_private_need_and_a_shared_one_look_the_same_without_a_key() {
    let sb = Sandbox::new();
    let (_alex, sam) = two_devices(&sb);
    let text = "Help with buttons on bad-hand mornings";
    sam.ok(NEEDS, &["add", text, "--private"]);
    sam.ok(NEEDS, &["add", text]);
    let needs: Vec<Vec<u8>> = support::tree(&sb.data().join("needs"))
        .into_iter()
        .filter(|(name, _)| name.ends_with(".age"))
        .map(|(_, bytes)| bytes)
        .collect();
    assert_eq!(needs.len(), 2);
    let (a, b) = (&needs[0], &needs[1]);
    assert_eq!(
        stanzas(a),
        stanzas(b),
        "recipients tell private from shared"
    );
    assert_eq!(stanzas(a), 2);
    assert_eq!(payload(a), payload(b), "sizes tell private from shared");
}
