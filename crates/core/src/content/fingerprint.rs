//! The fingerprint of a prompt library: what decides the prompt rotation (each prompt's ID,
//! category and low-energy mark), in any order. Shared with the build script, which works out
//! the built-in library's fingerprint once, when closer is built.

/// A 64-bit FNV-1a hash over the prompts' keys in sorted order, as 16 hex digits.
pub fn of<'a>(keys: impl IntoIterator<Item = (&'a str, &'a str, bool)>) -> String {
    let mut keys: Vec<(&str, &str, bool)> = keys.into_iter().collect();
    keys.sort_unstable();
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for (id, cat, low) in keys {
        for b in id
            .bytes()
            .chain([0])
            .chain(cat.bytes())
            .chain([0, u8::from(low), 0])
        {
            h = (h ^ u64::from(b)).wrapping_mul(0x0000_0100_0000_01b3);
        }
    }
    format!("{h:016x}")
}
