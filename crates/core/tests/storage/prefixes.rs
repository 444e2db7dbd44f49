//! ID prefixes: every shown prefix is unique for its viewer, and an ambiguous one is refused.

use super::*;
use closer_core::Error;
use closer_core::ids::{ID_LEN, MIN_PREFIX, new_id};
use closer_core::needs;
use closer_core::store::Store;

#[test]
fn shown_prefixes_are_unique_and_an_ambiguous_prefix_is_refused() {
    let twins = ["k7m2qa000000", "k7m2qazzzzzz"];
    // A need of alex's, and a private need of sam's that shares its first six characters.
    let (shared, hidden) = ("w9x8y7000000", "w9x8y7zzzzzz");
    let mut all: Vec<Need> = (0..300)
        .map(|i| {
            let mut n = need(
                if i % 2 == 0 { "alex" } else { "samm" },
                &format!("need {i}"),
            );
            n.id = new_id();
            n.private = i % 7 == 0;
            n
        })
        .filter(|n| !n.id.starts_with("k7m2") && !n.id.starts_with("w9x8"))
        .collect();
    for (id, owner, private) in [
        (twins[0], "alex", false),
        (twins[1], "samm", false),
        (shared, "alex", false),
        (hidden, "samm", true),
    ] {
        let mut n = need(owner, &format!("hand-made {id}"));
        n.id = super::id(id);
        n.private = private;
        all.push(n);
    }

    for viewer in ["alex", "samm"] {
        let shown = needs::visible(all.clone(), Some(viewer));
        let expected = all
            .iter()
            .filter(|n| !n.private || n.owner == viewer)
            .count();
        assert_eq!(shown.len(), expected, "{viewer}");
        let ids: Vec<&str> = shown.iter().map(|(_, n)| n.id.as_str()).collect();
        for (short, n) in &shown {
            assert!(
                short.len() >= MIN_PREFIX && short.len() <= ID_LEN,
                "{short}"
            );
            assert!(n.id.starts_with(short.as_str()));
            let hits = ids.iter().filter(|i| i.starts_with(short.as_str())).count();
            assert_eq!(hits, 1, "{viewer}: the prefix {short} is not unique");
            assert!(n.visible_to(Some(viewer)));
        }
        let short_of = |id: &str| {
            shown
                .iter()
                .find(|(_, n)| n.id == id)
                .map(|(s, _)| s.as_str())
        };
        assert_eq!(short_of(twins[0]), Some("k7m2qa0"));
        assert_eq!(short_of(twins[1]), Some("k7m2qaz"));
        // Alex's view does not give away that sam has a hidden need with a similar ID.
        let (want_shared, want_hidden) = match viewer {
            "alex" => (Some("w9x8"), None),
            _ => (Some("w9x8y70"), Some("w9x8y7z")),
        };
        assert_eq!(short_of(shared), want_shared, "{viewer}");
        assert_eq!(short_of(hidden), want_hidden, "{viewer}");
    }

    // On disk, finding by prefix refuses an ambiguous one and names the candidates.
    let tmp = tempfile::tempdir().unwrap();
    let store = Store::new(tmp.path());
    let _lock = store.lock(needs::DIR).unwrap();
    for n in all
        .iter()
        .filter(|n| n.text.starts_with("hand-made"))
        .chain(all.iter().take(40))
    {
        let mut n = n.clone();
        n.version = 1;
        store.write(&format!("needs/{}.json", n.id), &n).unwrap();
    }
    let err = needs::find(&store, "k7m2qa", Some("alex")).unwrap_err();
    let msg = err.to_string();
    assert!(matches!(err, Error::AmbiguousId { .. }), "{err:?}");
    assert!(msg.contains("k7m2qa0") && msg.contains("k7m2qaz"), "{msg}");
    assert!(msg.contains("type more of the ID"), "{msg}");
    assert_eq!(
        needs::find(&store, "K7M2QAZ", Some("alex")).unwrap().id,
        twins[1]
    );
    assert_eq!(
        needs::find(&store, "w9x8", Some("alex")).unwrap().id,
        shared
    );
    assert!(needs::find(&store, "w9x8", Some("samm")).is_err());
    assert!(matches!(
        needs::find(&store, hidden, Some("alex")),
        Err(Error::UnknownId { .. })
    ));
    assert_eq!(
        needs::find(&store, hidden, Some("samm")).unwrap().id,
        hidden
    );
}
