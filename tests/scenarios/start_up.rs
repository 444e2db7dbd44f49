//! What each tool loads when it starts: on GNU/Linux a dynamic build links the stack unwinder in
//! (GCC's `libgcc_eh`, see `crates/cli/build.rs`) and loads no `libgcc_s` at start.

#[cfg(all(
    target_os = "linux",
    target_env = "gnu",
    not(target_feature = "crt-static")
))]
#[test]
fn no_tool_needs_libgcc_s_to_start() {
    use crate::support::{self, CLOSER_EXPORT, EXPORT, NEEDS, PROMPT, TOUCH};
    for tool in [NEEDS, TOUCH, PROMPT, EXPORT, CLOSER_EXPORT] {
        let path = support::bin(tool);
        let bytes = std::fs::read(&path).unwrap();
        // A library the binary needs is named in its dynamic string table.
        assert!(
            !bytes.windows(b"libgcc_s".len()).any(|w| w == b"libgcc_s"),
            "{} still needs libgcc_s",
            path.display()
        );
        assert!(
            bytes.windows(b"libc.so.6".len()).any(|w| w == b"libc.so.6"),
            "{} is not linked against the C library as a shared library",
            path.display()
        );
    }
}
