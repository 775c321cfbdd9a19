//! Builds the browser console's screen decoder, `beckon-video-wasm`, for
//! `wasm32-unknown-unknown`, so the app can serve it from its own binary:
//! `include_bytes!(env!("BECKON_DECODER_WASM"))`.
//!
//! Why a nested `cargo build` and not a build-dependency: a build-dependency
//! is compiled for the host, and cargo has no way to ask for one crate of a
//! build in another target. The nested build gets its own target folder
//! (`target/wasm`), so it never waits on the outer build's lock and its
//! release settings never invalidate the host's artefacts.
//!
//! Without the wasm32 target installed the app still builds: the decoder is
//! an empty file, the console says so, and cargo prints how to fix it.

use std::env;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode};

const WASM_TARGET: &str = "wasm32-unknown-unknown";
const PACKAGE: &str = "beckon-video-wasm";
const ARTEFACT: &str = "beckon_video_wasm.wasm";

/// What the decoder is built from, relative to the workspace root: a change
/// to any of them rebuilds it, nothing else does.
const SOURCES: &[&str] = &[
    "Cargo.toml",
    "Cargo.lock",
    "core/Cargo.toml",
    "core/src",
    "adapters/video/Cargo.toml",
    "adapters/video/src",
    "adapters/video-wasm/Cargo.toml",
    "adapters/video-wasm/src",
];

/// Variables the outer build sets (or a developer, or `cargo clippy`) that
/// would change what the nested build does: wrappers (clippy's driver would
/// lint instead of compiling), flags for the host (`-C target-cpu=native`
/// breaks wasm; the decoder's own flags are [`RUSTFLAGS`]), and another
/// target or target folder.
const POISON: &[&str] = &[
    "RUSTC_WORKSPACE_WRAPPER",
    "RUSTC_WRAPPER",
    "RUSTFLAGS",
    "CARGO_BUILD_RUSTFLAGS",
    "CARGO_TARGET_DIR",
    "CARGO_BUILD_TARGET",
    "CARGO_BUILD_TARGET_DIR",
    "CARGO_LLVM_COV",
    "CARGO_INCREMENTAL",
];

/// The decoder's release settings, as environment overrides: cargo reads
/// `[profile]` only from the workspace root, whose release profile is the
/// app's. Speed first (the console decodes every frame), then size (LTO and
/// one codegen unit drop the encoder half of `beckon-video`); a panic aborts,
/// which in wasm is a trap that the console reports.
const PROFILE: &[(&str, &str)] = &[
    ("CARGO_PROFILE_RELEASE_OPT_LEVEL", "3"),
    ("CARGO_PROFILE_RELEASE_LTO", "fat"),
    ("CARGO_PROFILE_RELEASE_CODEGEN_UNITS", "1"),
    ("CARGO_PROFILE_RELEASE_PANIC", "abort"),
    ("CARGO_PROFILE_RELEASE_DEBUG", "false"),
    ("CARGO_PROFILE_RELEASE_STRIP", "debuginfo"),
];

/// WebAssembly SIMD (every current browser has it: Chromium 91, Firefox 89,
/// Safari 16.4): the JPEG decoder's colour conversion and IDCT vectorise,
/// which made a full screen of JPEG tiles about a quarter faster when
/// measured (`cargo xtask bench-web`). Passed as `CARGO_ENCODED_RUSTFLAGS`,
/// which also replaces whatever the outer build had there.
const RUSTFLAGS: &str = "-Ctarget-feature=+simd128";

fn main() -> ExitCode {
    match build() {
        Ok(path) => {
            println!("cargo:rustc-env=BECKON_DECODER_WASM={}", path.display());
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("building the browser decoder ({PACKAGE}) failed: {e}");
            ExitCode::FAILURE
        }
    }
}

/// Build the decoder, or stand in an empty file when the target is missing;
/// the path of the `.wasm` either way.
fn build() -> Result<PathBuf, String> {
    let manifest_dir = PathBuf::from(var("CARGO_MANIFEST_DIR")?);
    let root = manifest_dir
        .parent()
        .and_then(Path::parent)
        .ok_or("the crate is not two folders below the workspace root")?
        .to_path_buf();
    println!("cargo:rerun-if-changed=build.rs");
    for source in SOURCES {
        println!("cargo:rerun-if-changed={}", root.join(source).display());
    }

    let rustc = env::var("RUSTC").unwrap_or_else(|_| "rustc".into());
    let sysroot = sysroot(&rustc)?;
    // rustup rewrites this list when a target is added, so installing the
    // target later makes cargo run this script again.
    let components = sysroot.join("lib/rustlib/components");
    if components.exists() {
        println!("cargo:rerun-if-changed={}", components.display());
    }
    if !sysroot.join("lib/rustlib").join(WASM_TARGET).exists() {
        println!(
            "cargo:warning=the browser console's decoder is not built: \
             run `rustup target add {WASM_TARGET}` and build again"
        );
        let empty = PathBuf::from(var("OUT_DIR")?).join(ARTEFACT);
        fs::write(&empty, b"").map_err(|e| format!("{}: {e}", empty.display()))?;
        return Ok(empty);
    }

    let target_dir = root.join("target").join("wasm");
    let cargo = env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let mut cmd = Command::new(cargo);
    cmd.current_dir(&root)
        .args(["build", "--release", "--locked", "-p", PACKAGE, "--target"])
        .arg(WASM_TARGET)
        .arg("--target-dir")
        .arg(&target_dir);
    for name in POISON {
        cmd.env_remove(name);
    }
    cmd.envs(PROFILE.iter().copied())
        .env("CARGO_ENCODED_RUSTFLAGS", RUSTFLAGS);
    // The jobserver (CARGO_MAKEFLAGS) is kept on purpose: the nested build
    // then shares the outer build's job slots instead of adding its own.
    let out = cmd
        .output()
        .map_err(|e| format!("could not start cargo: {e}"))?;
    if !out.status.success() {
        return Err(format!(
            "{}\n{}",
            out.status,
            String::from_utf8_lossy(&out.stderr)
        ));
    }
    Ok(target_dir.join(WASM_TARGET).join("release").join(ARTEFACT))
}

fn var(name: &str) -> Result<String, String> {
    env::var(name).map_err(|_| format!("cargo did not set {name}"))
}

/// The sysroot of the compiler the outer build uses, where installed
/// targets live.
fn sysroot(rustc: &str) -> Result<PathBuf, String> {
    let out = Command::new(rustc)
        .args(["--print", "sysroot"])
        .output()
        .map_err(|e| format!("could not start {rustc}: {e}"))?;
    if !out.status.success() {
        return Err(format!("{rustc} --print sysroot: {}", out.status));
    }
    Ok(PathBuf::from(
        String::from_utf8_lossy(&out.stdout).trim().to_string(),
    ))
}
