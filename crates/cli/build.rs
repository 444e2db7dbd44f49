//! Links the stack unwinder into the tools themselves on GNU/Linux, so a dynamic build starts
//! without loading `libgcc_s`.
//!
//! The tools abort on a panic (`panic = "abort"`); the unwinder is only there for a backtrace.
//! Rust's standard library asks for it as the shared `libgcc_s`, one more library to find, map
//! and relocate on every start, with a constructor that queries the processor. The same code is in
//! GCC's static `libgcc_eh` (what `gcc -static-libgcc` links). Named here, ahead of the standard
//! library, it provides those symbols and `libgcc_s` is no longer needed. The binaries stay
//! dynamic and position-independent, linked against the system's C library as before. A static
//! build (`crt-static`) already links `libgcc_eh` and needs nothing from here.
fn main() {
    println!("cargo::rerun-if-changed=build.rs");
    let var = |k: &str| std::env::var(k).unwrap_or_default();
    let crt_static = var("CARGO_CFG_TARGET_FEATURE")
        .split(',')
        .any(|f| f == "crt-static");
    if var("CARGO_CFG_TARGET_OS") == "linux" && var("CARGO_CFG_TARGET_ENV") == "gnu" && !crt_static
    {
        println!("cargo::rustc-link-lib=static:-bundle=gcc_eh");
    }
}
