//! `cargo xtask`: the project's automation, in Rust so it runs wherever cargo does.
//!
//! - `cargo xtask ci` — everything CI checks, in the order that fails fastest.
//! - `cargo xtask fuzz [SECONDS]` — every fuzz target for SECONDS each (default 20).
//! - `cargo xtask fuzz-long RUNS` — every fuzz target for RUNS executions each.
//! - `cargo xtask bench-vs-vnc [--h264] [WORKLOAD...]` — Beckon against x11vnc on real X
//!   workloads (`cargo bench -p beckon --bench vs_vnc`; needs Xvfb, xterm,
//!   xdotool and x11vnc). Not part of `ci`: it takes minutes and measures,
//!   it does not check.
//! - `cargo xtask bench-web [RUNS]` — the browser console's decoder in headless
//!   Chromium: web frames from bytes to canvas pixels (needs node, npm and
//!   Debian's chromium). Not part of `ci` either.
//! - `cargo xtask firmware-test` — the dongle firmware under `qemu-system-arm`
//!   (mps2-an386, LAN9118) against the real desktop client: pairing, an
//!   invitation over the owner channel, consent and control from the serial
//!   console, typing into the test screen, Esc, hang-up.
//! - `cargo xtask size` — flash and static RAM of both dongle boards.
//! - `cargo xtask web-test` — the browser pages end to end: the real `beckon
//!   share` and `beckon connect`, a real Xvfb and headless Chromium driven by
//!   Playwright (`adapters/beckon/web-tests`; needs node, npm and chromium).

mod defmt_log;
mod firmware;

use std::env;
use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode};
use std::time::Instant;

/// Fuzz targets, one per decoder: (fuzz crate folder, target).
const FUZZ_TARGETS: &[(&str, &str)] = &[
    ("core/fuzz", "invitation_text"),
    ("core/fuzz", "record_open"),
    ("core/fuzz", "message_decode"),
    ("adapters/video/fuzz", "rect_decode"),
    ("adapters/video/fuzz", "webframe_apply"),
];

/// The bare-metal target the core must keep building for (the dongle's MCU).
const EMBEDDED_TARGET: &str = "thumbv7em-none-eabihf";

fn main() -> ExitCode {
    let args: Vec<String> = env::args().skip(1).collect();
    let result = match args.first().map(String::as_str) {
        Some("ci") => ci(),
        Some("fuzz") => {
            let secs = args.get(1).and_then(|s| s.parse().ok()).unwrap_or(20u32);
            fuzz_all(&format!("-max_total_time={secs}"))
        }
        Some("fuzz-long") => match args.get(1).and_then(|s| s.parse::<u64>().ok()) {
            Some(runs) => fuzz_all(&format!("-runs={runs}")),
            None => Err("usage: cargo xtask fuzz-long RUNS".into()),
        },
        Some("bench-vs-vnc") => {
            // `--h264`: build with H.264 and let the agent use it.
            let h264 = args[1..].iter().any(|a| a == "--h264");
            let workloads: Vec<&str> = args[1..]
                .iter()
                .map(String::as_str)
                .filter(|a| *a != "--h264")
                .collect();
            let mut bench = vec!["bench", "-p", "beckon", "--bench", "vs_vnc"];
            if h264 {
                bench.extend(["--features", "h264"]);
            }
            if !workloads.is_empty() {
                bench.push("--");
                bench.extend(workloads);
            }
            let mut cmd = Command::new(env::var("CARGO").unwrap_or_else(|_| "cargo".into()));
            cmd.current_dir(root()).args(&bench);
            // Not inherited from the caller's shell: a run without the flag
            // is a run without H.264.
            match h264 {
                true => cmd.env("BECKON_H264", "1"),
                false => cmd.env_remove("BECKON_H264"),
            };
            run(&mut cmd)
        }
        Some("web-test") => web_test(),
        Some("bench-web") => bench_web(args.get(1).map(String::as_str)),
        Some("firmware-test") => firmware::firmware_test(&root()),
        Some("size") => firmware::size(&root()),
        _ => Err(
            "usage: cargo xtask <ci | web-test | fuzz [SECONDS] | fuzz-long RUNS | bench-vs-vnc [--h264] [WORKLOAD...] | bench-web [RUNS] | firmware-test | size>"
                .into(),
        ),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("xtask: {e}");
            ExitCode::FAILURE
        }
    }
}

fn ci() -> Result<(), String> {
    let started = Instant::now();
    cargo(&["fmt", "--all", "--check"])?;
    cargo(&[
        "clippy",
        "--workspace",
        "--all-targets",
        "--",
        "-D",
        "warnings",
    ])?;
    cargo(&[
        "clippy",
        "-p",
        "beckon-core",
        "--features",
        "std,defmt",
        "--",
        "-D",
        "warnings",
    ])?;
    cargo(&["test", "--workspace"])?;
    // The optional H.264 path (OpenH264 from its bundled source: about a
    // minute and a half of C++ on two cores when cold): linted and tested
    // with the feature on, so it cannot rot unseen.
    cargo(&[
        "clippy",
        "-p",
        "beckon-video",
        "--all-targets",
        "--features",
        "h264",
        "--",
        "-D",
        "warnings",
    ])?;
    cargo(&["test", "-p", "beckon-video", "--features", "h264"])?;
    // The README's main job must keep working: the app's demo over real
    // loopback TCP, and the simulator's story on a fast and a slow link.
    cargo(&[
        "run",
        "--quiet",
        "-p",
        "beckon",
        "--",
        "demo",
        "--headless",
        "--snapshot",
        "target/ci-demo.png",
    ])?;
    for link in ["lan", "slow"] {
        cargo(&[
            "run",
            "--quiet",
            "-p",
            "beckon-host-sim",
            "--bin",
            "beckon-sim",
            "--",
            "--link",
            link,
            "--snapshot",
            &format!("target/ci-sim-{link}.png"),
        ])?;
    }
    web_test()?;
    // The dongle: its firmware under QEMU against the real desktop client,
    // and its size on both boards.
    firmware::firmware_test(&root())?;
    firmware::size(&root())?;
    // The core must stay no_std and allocation-free: it has to build for the dongle.
    for features in [&[][..], &["--features", "defmt"]] {
        let mut build = vec![
            "build",
            "-p",
            "beckon-core",
            "--target",
            EMBEDDED_TARGET,
            "--release",
        ];
        build.extend_from_slice(features);
        cargo(&build)?;
    }
    fuzz_all("-max_total_time=20")?;
    println!("xtask ci: all steps passed in {:.0?}", started.elapsed());
    Ok(())
}

/// Build the decoder (`beckon`'s build script makes the `.wasm`) and the
/// fixture frames, then time them in Chromium with the console's own
/// `decoder.js`.
fn bench_web(runs: Option<&str>) -> Result<(), String> {
    let fixtures = root().join("target").join("web-fixtures");
    cargo(&["build", "-p", "beckon"])?;
    let out = fixtures.to_string_lossy();
    cargo(&[
        "run",
        "-p",
        "beckon-video",
        "--release",
        "--example",
        "web_fixture",
        "--",
        &out,
    ])?;
    let dir = web_tests()?;
    let mut node = Command::new("node");
    node.current_dir(&dir)
        .args(["bench/decode.mjs", "--fixtures"])
        .arg(&fixtures);
    if let Some(runs) = runs {
        node.args(["--runs", runs]);
    }
    run(&mut node)
}

/// The browser tests' folder, with its npm packages installed.
fn web_tests() -> Result<PathBuf, String> {
    let dir = root().join("adapters/beckon/web-tests");
    if !dir.join("node_modules/playwright-core").exists() {
        run(Command::new("npm")
            .current_dir(&dir)
            .args(["ci", "--no-audit", "--no-fund"]))?;
    }
    Ok(dir)
}

/// The Playwright tests of the console and the panel, against a debug build.
fn web_test() -> Result<(), String> {
    cargo(&["build", "-p", "beckon"])?;
    let dir = web_tests()?;
    run(Command::new("npm")
        .current_dir(&dir)
        .args(["test"])
        .env("BECKON_BIN", root().join("target/debug/beckon")))
}

fn fuzz_all(limit: &str) -> Result<(), String> {
    for (dir, target) in FUZZ_TARGETS {
        run(Command::new("cargo").current_dir(root().join(dir)).args([
            "+nightly",
            "fuzz",
            "run",
            target,
            "--",
            limit,
            "-print_final_stats=1",
        ]))?;
    }
    Ok(())
}

fn cargo(args: &[&str]) -> Result<(), String> {
    run(
        Command::new(env::var("CARGO").unwrap_or_else(|_| "cargo".into()))
            .current_dir(root())
            .args(args),
    )
}

/// Run a command, showing it first; fail with the command line if it fails.
pub(crate) fn run(cmd: &mut Command) -> Result<(), String> {
    let shown = format!("{cmd:?}");
    println!("\n==> {shown}");
    let status = cmd
        .status()
        .map_err(|e| format!("could not start {shown}: {e}"))?;
    if status.success() {
        Ok(())
    } else {
        Err(format!("step failed ({status}): {shown}"))
    }
}

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .map(Path::to_path_buf)
        .unwrap_or_else(|| PathBuf::from("."))
}
