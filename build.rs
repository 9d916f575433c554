//! Lays out the release binary's code in the order the commands run it
//! (link/order.txt, made by benches/order.sh): the 2 MB of code the
//! everyday commands run lie together instead of scattered over eleven
//! megabytes, so a command faults in fewer pages of it: 5–8 % of a read's
//! time (BENCHMARKS.md, "Code in the order it runs").
//!
//! Only the release build of the `incident` binary, and only where the
//! linker takes `--symbol-ordering-file` (LLD, which Rust uses on x86-64
//! Linux since 1.90, and mold): a small program is linked with the option
//! first, with the same rustc, target, flags and linker, and the option is
//! left out if that fails. The order changes where functions are, never
//! what they do.

use std::env;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

fn main() {
    let root = PathBuf::from(env::var_os("CARGO_MANIFEST_DIR").expect("cargo sets CARGO_MANIFEST_DIR"));
    let order = root.join("link").join("order.txt");
    println!("cargo:rerun-if-changed={}", order.display());
    println!("cargo:rerun-if-changed=build.rs");
    if env::var("PROFILE").as_deref() != Ok("release") || !order.is_file() {
        return;
    }
    let args = [
        format!("-Wl,--symbol-ordering-file={}", order.display()),
        // A function renamed since the file was made is no reason to warn.
        "-Wl,--no-warn-symbol-ordering".to_string(),
    ];
    if links_with(&args) {
        for arg in args {
            println!("cargo:rustc-link-arg-bin=incident={arg}");
        }
    }
}

/// Whether an empty program links with `args` given to the linker, built
/// as cargo builds this crate's binary.
fn links_with(args: &[String]) -> bool {
    let (Some(rustc), Some(out), Ok(target)) =
        (env::var_os("RUSTC"), env::var_os("OUT_DIR"), env::var("TARGET"))
    else {
        return false;
    };
    let dir = Path::new(&out).join("order-probe");
    if std::fs::create_dir_all(&dir).is_err()
        || std::fs::write(dir.join("probe.rs"), "fn main() {}\n").is_err()
    {
        return false;
    }
    let mut probe = Command::new(rustc);
    probe
        .arg("--crate-name=probe")
        .arg("--crate-type=bin")
        .arg("--target")
        .arg(&target)
        .arg("--out-dir")
        .arg(&dir)
        .arg(dir.join("probe.rs"));
    // The flags cargo gives rustc (RUSTFLAGS, build.rustflags, a linker
    // chosen there), one per 0x1f-separated field.
    if let Ok(flags) = env::var("CARGO_ENCODED_RUSTFLAGS") {
        probe.args(flags.split('\x1f').filter(|f| !f.is_empty()));
    }
    // A linker chosen in the configuration (`target.<triple>.linker`).
    if let Some(linker) = env::var_os("RUSTC_LINKER") {
        probe
            .arg("-C")
            .arg(format!("linker={}", linker.to_string_lossy()));
    }
    for arg in args {
        probe.arg("-C").arg(format!("link-arg={arg}"));
    }
    probe
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success())
}
