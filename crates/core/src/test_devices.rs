//! Two devices on one encrypted folder, each holding only its own partner's key, and a way to
//! forge a record as a partner writing into the folder would: for tests.

use crate::crypto::{Keys, seal};
use crate::sealing::Sealing;
use crate::store::Store;

pub const A: &str = "alex00000001";
pub const B: &str = "sam000000002";

/// A folder and Alex's and Sam's devices on it, with both partners' keys.
pub struct Devices {
    pub _dir: tempfile::TempDir,
    pub alex: Store,
    pub sam: Store,
    pub ka: Keys,
    pub kb: Keys,
}

fn copy(k: &Keys) -> Keys {
    Keys::from_text(age::secrecy::ExposeSecret::expose_secret(&k.to_text())).unwrap()
}

pub fn devices() -> Devices {
    let dir = tempfile::tempdir().unwrap();
    let (ka, kb) = (Keys::generate(), Keys::generate());
    let device = |mine: &str, k: &Keys, other: &str, o: &Keys| {
        let store = Store::new(dir.path().join("data"));
        let mut s = Sealing::new();
        // In whatever form `Sealing::hold` takes a key.
        #[allow(clippy::useless_conversion)]
        s.hold(mine, copy(k).into());
        s.know(other, o.public());
        s.act_as(mine);
        store.set_sealing(Some(s));
        store
    };
    let alex = device(A, &ka, B, &kb);
    let sam = device(B, &kb, A, &ka);
    Devices {
        _dir: dir,
        alex,
        sam,
        ka,
        kb,
    }
}

impl Devices {
    /// Seals `body` at `place` (as `touch/holds/ID`) to both partners, signed by whoever holds
    /// `keys` naming `signer`, and puts it in the folder, as a partner with their own key and
    /// the folder's files can.
    pub fn forge(&self, keys: &Keys, signer: &str, place: &str, body: &[u8]) {
        self.forge_version(keys, signer, place, body, 0);
    }

    /// [`Devices::forge`], signed with the version counter `rev`.
    pub fn forge_version(&self, keys: &Keys, signer: &str, place: &str, body: &[u8], rev: u64) {
        let sealed = seal::seal_version(
            keys,
            signer,
            place,
            rev,
            body,
            &[&self.ka.public(), &self.kb.public()],
        )
        .unwrap();
        let file = self.alex.root().join(format!("{place}.age"));
        std::fs::create_dir_all(file.parent().unwrap()).unwrap();
        std::fs::write(file, sealed).unwrap();
    }
}
