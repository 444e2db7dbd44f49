//! The forwarding record `couple doctor` leaves for a partner set up twice (`moved/OLD`) is
//! sealed and signed in an encrypted folder: one written by anyone who can write into the folder
//! is reported and never followed, so it cannot talk a device into publishing its key as the
//! other partner's.

use super::*;
use support::{NEEDS, TOUCH};

#[test]
fn a_forwarding_record_written_without_a_key_is_reported_and_not_followed() {
    let sb = Sandbox::new();
    let (alex, sam) = two_devices(&sb);
    let (alex_id, sam_id) = (alex.id_of("Alex"), sam.id_of("Sam"));
    let published = std::fs::read(sb.data().join(format!("keys/{alex_id}.json"))).unwrap();
    // Anyone who can write into the folder takes Sam's partner file away and says where Sam
    // "went".
    std::fs::remove_file(sb.data().join(format!("partners/{sam_id}.age"))).unwrap();
    std::fs::create_dir_all(sb.data().join("moved")).unwrap();
    let forged = sb.data().join(format!("moved/{sam_id}.json"));
    std::fs::write(
        &forged,
        format!("{{\"version\":1,\"from\":\"{sam_id}\",\"to\":\"{alex_id}\"}}"),
    )
    .unwrap();
    let r = sam.run(TOUCH, &["mine"]);
    assert_ne!(r.code, 0, "{r:?}");
    assert!(
        !r.stderr.contains("couple me Alex"),
        "the forged record was followed: {}",
        r.stderr
    );
    assert!(
        r.stderr.contains(&format!("moved/{sam_id}.json")) && r.stderr.contains("not trusted"),
        "reported: {}",
        r.stderr
    );
    let r = sam.run(NEEDS, &["couple", "me", "Alex"]);
    assert_ne!(r.code, 0, "{r:?}");
    assert!(
        sam.config
            .join(format!("closer/keys/{sam_id}.key"))
            .exists(),
        "Sam's key stays Sam's"
    );
    assert_eq!(
        std::fs::read(sb.data().join(format!("keys/{alex_id}.json"))).unwrap(),
        published,
        "Sam's key was published as Alex's"
    );
}
