//! Beckon against x11vnc on the same workloads, in the same run (issue 6).
//!
//! For each workload (typing in xterm, scrolling in `less`, dragging a
//! window, a full-screen picture change, a small moving square) on a fresh
//! 1920x1080x24 Xvfb, three passes, each on its own Xvfb so neither viewer's
//! CPU use disturbs the other:
//! 1. **Beckon**: the agent shares the display (`X11Screen`), an in-process
//!    helper `Client` connects over loopback TCP through a counting proxy
//!    (real crypto, as `latency.rs`). Bytes = agent-to-helper bytes on the
//!    wire during the workload and until the view equals the X screen.
//! 2. **x11vnc**: `x11vnc` on the display and this file's RFB viewer (ZRLE,
//!    CopyRect, Raw; decoded into a framebuffer). Same counting.
//! 3. **Encoder**: a `beckon_video::Encoder` set up as the agent's streamer
//!    sets it up (XDamage hints, JPEG at 85, one frame per 33 ms), its
//!    `encode` calls timed (wall clock and thread CPU time).
//!
//! Latency: a watcher with its own X connection notes when the probed region
//! changes on the X server (XDamage, polled every millisecond) and what it
//! then holds; each viewer notes when its copy of the region changes. Each X
//! picture's latency is the time until the viewer shows it (or a later
//! one). See `vs_vnc/probe.rs`.
//!
//! `cargo bench -p beckon --bench vs_vnc`, or `cargo xtask bench-vs-vnc`.
//! Needs Xvfb, xterm, xdotool, less and x11vnc.

#[path = "vs_vnc/probe.rs"]
mod probe;
#[path = "vs_vnc/rfb.rs"]
mod rfb;
#[path = "vs_vnc/scene.rs"]
mod scene;
#[path = "support/mod.rs"]
mod support;
#[allow(dead_code)]
#[path = "../../x11/tests/support/xvfb.rs"]
mod xvfb;

use std::io::{Read, Write};
use std::net::{TcpListener as StdListener, TcpStream as StdStream};
use std::process::{Child, Stdio};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use beckon::agent::Hub;
use beckon::display::X11Screen;
use beckon::expert::Client;
use beckon::home::Home;
use beckon_video::stream::View;
use beckon_video::{Encoder, EncoderConfig};
use tokio::sync::watch;

use probe::{match_timelines, percentile, Matched, Region, Signature, Timeline, Watcher};
use scene::{Scene, Workload, HEIGHT, WIDTH};
use support::{eager_agent, helper_session, open_invitation, quiet_helper};
use xvfb::Xvfb;

/// How long a viewer may take to show the final screen after the workload.
const SETTLE_LIMIT: Duration = Duration::from_secs(15);
/// Quiet time after the viewer shows the final screen, still counted.
const QUIET: Duration = Duration::from_millis(300);
/// The streamer's best frame interval (quality level 0).
const FRAME_INTERVAL: Duration = Duration::from_millis(33);
/// The streamer's JPEG quality at level 0.
const LOSSY_QUALITY: u8 = 85;

fn start_xvfb() -> Xvfb {
    // The support file's default screen comes first; the later `-screen 0`
    // wins.
    let x = Xvfb::start_with(&["-screen", "0", "1920x1080x24"]);
    let d = beckon_x11::X11Display::open(Some(x.display())).expect("open display");
    assert_eq!(
        (d.width(), d.height()),
        (WIDTH, HEIGHT),
        "Xvfb did not take the 1920x1080 screen"
    );
    x
}

/// Poll until `matches(x_screen)` or the limit; whether it did.
fn wait_until_same(display: &str, limit: Duration, matches: impl Fn(&[u8]) -> bool) -> bool {
    let mut d = beckon_x11::X11Display::open(Some(display)).expect("open display");
    let end = Instant::now() + limit;
    loop {
        if matches(d.capture().expect("capture")) {
            return true;
        }
        if Instant::now() > end {
            return false;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// What one viewer did during one workload.
struct Pass {
    bytes: u64,
    matched: Matched,
    /// The viewer's final screen equals the X server's, pixel for pixel.
    exact: bool,
    /// From the end of the scripted activity to the viewer showing the
    /// final screen (the settle loop's view, 50 ms resolution).
    settled: Option<Duration>,
}

// ---------------------------------------------------------------- Beckon

/// A loopback TCP proxy that counts the bytes going to the helper.
struct Proxy {
    addr: String,
    down: Arc<AtomicU64>,
}

fn proxy(target: String) -> Proxy {
    let listener = StdListener::bind("127.0.0.1:0").expect("proxy listen");
    let addr = listener.local_addr().expect("address").to_string();
    let down = Arc::new(AtomicU64::new(0));
    let counter = down.clone();
    std::thread::spawn(move || {
        let Ok((client, _)) = listener.accept() else {
            return;
        };
        let Ok(agent) = StdStream::connect(&target) else {
            return;
        };
        let _ = client.set_nodelay(true);
        let _ = agent.set_nodelay(true);
        let pump = |mut from: StdStream, mut to: StdStream, count: Option<Arc<AtomicU64>>| {
            std::thread::spawn(move || {
                let mut buf = vec![0u8; 64 * 1024];
                loop {
                    match from.read(&mut buf) {
                        Ok(0) | Err(_) => break,
                        Ok(n) => {
                            if let Some(c) = &count {
                                c.fetch_add(n as u64, Ordering::Relaxed);
                            }
                            if to.write_all(&buf[..n]).is_err() {
                                break;
                            }
                        }
                    }
                }
                let _ = to.shutdown(std::net::Shutdown::Write);
            })
        };
        pump(
            agent.try_clone().expect("clone"),
            client.try_clone().expect("clone"),
            Some(counter),
        );
        pump(client, agent, None);
    });
    Proxy { addr, down }
}

/// Notes the helper's view of the probe region after every frame.
struct ViewPoller {
    stop: Arc<AtomicBool>,
    thread: std::thread::JoinHandle<Timeline>,
}

fn poll_view(view: Arc<Mutex<View>>, probe: Region) -> ViewPoller {
    let stop = Arc::new(AtomicBool::new(false));
    let flag = stop.clone();
    let thread = std::thread::spawn(move || {
        let mut timeline: Timeline = Vec::new();
        let mut seen = usize::MAX;
        let mut copy = vec![0u8; usize::from(WIDTH) * usize::from(HEIGHT) * 4];
        while !flag.load(Ordering::Relaxed) {
            let fresh = {
                let v = view.lock().unwrap_or_else(|p| p.into_inner());
                if v.frames.len() != seen && v.screen().width() == WIDTH {
                    seen = v.frames.len();
                    // Copy the region's rows out; hash without the lock.
                    let px = v.screen().pixels();
                    for row in probe.y..probe.y + probe.h {
                        let i = (usize::from(row) * usize::from(WIDTH) + usize::from(probe.x)) * 4;
                        let n = usize::from(probe.w) * 4;
                        copy[i..i + n].copy_from_slice(&px[i..i + n]);
                    }
                    Some(Instant::now())
                } else {
                    None
                }
            };
            if let Some(t) = fresh {
                let sig = Signature::of_rgba(&copy, WIDTH, probe);
                if timeline.last().is_none_or(|(_, last)| *last != sig) {
                    timeline.push((t, sig));
                }
            } else {
                std::thread::sleep(Duration::from_micros(300));
            }
        }
        timeline
    });
    ViewPoller { stop, thread }
}

fn view_equals(view: &Mutex<View>, screen: &[u8]) -> bool {
    let v = view.lock().unwrap_or_else(|p| p.into_inner());
    v.screen().pixels() == screen
}

fn beckon_pass(rt: &tokio::runtime::Runtime, workload: Workload) -> Pass {
    let x = start_xvfb();
    let scratch = tempfile::tempdir().expect("temp dir");
    let scene = Scene::setup(workload, &x, scratch.path());
    let display = x.display().to_string();

    let home = Home::at(scratch.path().join("home"));
    let listener = rt
        .block_on(tokio::net::TcpListener::bind("127.0.0.1:0"))
        .expect("listen");
    let agent_addr = listener.local_addr().expect("address").to_string();
    let invitation = open_invitation(&home, &agent_addr);
    let screen = beckon_x11::X11Display::open(Some(&display)).expect("open display");
    let hub = Hub::new(Box::new(X11Screen {
        x: screen,
        name: display.clone(),
    }));
    let agent = eager_agent(home, hub, scratch.path());
    let (stop_tx, stop_rx) = watch::channel(false);
    let served = rt.spawn(async move { agent.serve(listener, stop_rx).await });

    let proxy = proxy(agent_addr);
    let session = helper_session(&invitation);
    let options = quiet_helper(scratch.path());
    let mut client = rt
        .block_on(Client::connect(
            std::slice::from_ref(&proxy.addr),
            session,
            options,
        ))
        .expect("connect");
    let (_, ok) =
        rt.block_on(client.wait_for(Duration::from_secs(30), |s| s.started && s.frames > 0));
    assert!(ok, "beckon: no picture");
    let view = client.view.clone();
    assert!(
        wait_until_same(&display, SETTLE_LIMIT, |px| view_equals(&view, px)),
        "beckon: the first picture never matched the screen"
    );
    std::thread::sleep(QUIET);

    let poller = poll_view(view.clone(), scene.probe);
    let watcher = Watcher::start(&display, scene.probe);
    let bytes0 = proxy.down.load(Ordering::Relaxed);
    scene.perform(&x);
    let done = Instant::now();
    let same = wait_until_same(&display, SETTLE_LIMIT, |px| view_equals(&view, px));
    let settled = same.then(|| done.elapsed());
    std::thread::sleep(QUIET);
    let bytes = proxy.down.load(Ordering::Relaxed) - bytes0;
    let (xt, final_screen) = watcher.stop();
    poller.stop.store(true, Ordering::Relaxed);
    let vt = poller.thread.join().expect("poller");
    let exact = view_equals(&view, &final_screen);

    let _ = rt.block_on(client.finish());
    let _ = stop_tx.send(true);
    let _ = rt.block_on(async { tokio::time::timeout(Duration::from_secs(3), served).await });
    drop(scene);
    Pass {
        bytes,
        matched: match_timelines(&xt, &vt),
        exact,
        settled,
    }
}

// ---------------------------------------------------------------- x11vnc

struct X11Vnc(Child);

impl Drop for X11Vnc {
    /// Asked to stop first: x11vnc removes its System V shared memory
    /// segments on SIGTERM, while SIGKILL leaks about sixty a run, and the
    /// kernel's limit of 4096 is then reached after some seventy runs
    /// ("shmget: No space left on device", and x11vnc never listens).
    fn drop(&mut self) {
        let pid = rustix::process::Pid::from_child(&self.0);
        let _ = rustix::process::kill_process(pid, rustix::process::Signal::TERM);
        let end = Instant::now() + Duration::from_secs(3);
        while Instant::now() < end {
            if matches!(self.0.try_wait(), Ok(Some(_))) {
                return;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn free_port() -> u16 {
    StdListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("free port")
}

fn vnc_pass(workload: Workload) -> Pass {
    let x = start_xvfb();
    let scratch = tempfile::tempdir().expect("temp dir");
    let scene = Scene::setup(workload, &x, scratch.path());
    let display = x.display().to_string();
    let port = free_port();
    // Defaults otherwise (XDAMAGE hints, scroll detection, polling). No
    // cursor in the framebuffer: our viewer asks for no cursor encoding, and
    // Beckon sends only the pointer's position.
    let server = X11Vnc(
        x.command("x11vnc")
            .args(["-display", &display, "-rfbport", &port.to_string()])
            .args(["-localhost", "-nopw", "-shared", "-forever", "-nocursor"])
            .args(["-quiet", "-noipv6"])
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("x11vnc is not installed: install the `x11vnc` package"),
    );
    let end = Instant::now() + Duration::from_secs(20);
    let viewer = loop {
        match rfb::Viewer::connect(port) {
            Ok(v) => break v,
            Err(_) if Instant::now() < end => std::thread::sleep(Duration::from_millis(100)),
            Err(e) => panic!("x11vnc did not answer: {e}"),
        }
    };
    let fb_equals = |px: &[u8]| rfb::lock(&viewer.shared).fb == px;
    assert!(
        wait_until_same(&display, SETTLE_LIMIT, fb_equals),
        "x11vnc: the first picture never matched the screen ({:?})",
        rfb::lock(&viewer.shared).error
    );
    std::thread::sleep(QUIET);
    rfb::lock(&viewer.shared).probe = Some(scene.probe);

    let watcher = Watcher::start(&display, scene.probe);
    let bytes0 = viewer.bytes();
    scene.perform(&x);
    let done = Instant::now();
    let same = wait_until_same(&display, SETTLE_LIMIT, fb_equals);
    let settled = same.then(|| done.elapsed());
    std::thread::sleep(QUIET);
    let bytes = viewer.bytes() - bytes0;
    let (xt, final_screen) = watcher.stop();
    let exact = rfb::lock(&viewer.shared).fb == final_screen;
    let shared = viewer.stop();
    drop(server);
    drop(scene);
    Pass {
        bytes,
        matched: match_timelines(&xt, &shared.timeline),
        exact,
        settled,
    }
}

// ---------------------------------------------------------------- encoder

struct EncFrame {
    wall: Duration,
    cpu: Duration,
    /// The damage covered at least 90% of the screen.
    full: bool,
    /// It carried a region as H.264.
    h264: bool,
}

/// Whether H.264 is on for this run: `BECKON_H264=1` in a build with the
/// `h264` feature (`cargo xtask bench-vs-vnc --h264` sets both). The
/// agent and the helper in this run then both have it, and the helper's
/// viewer says so, which is what turns it on in the agent.
fn h264_on() -> bool {
    beckon_video::H264 && std::env::var_os("BECKON_H264").is_some_and(|v| v == "1")
}

fn thread_cpu() -> Duration {
    let t = rustix::time::clock_gettime(rustix::time::ClockId::ThreadCPUTime);
    Duration::new(t.tv_sec as u64, t.tv_nsec as u32)
}

fn encoder_pass(workload: Workload) -> (Vec<EncFrame>, u64) {
    let x = start_xvfb();
    let scratch = tempfile::tempdir().expect("temp dir");
    let scene = Scene::setup(workload, &x, scratch.path());
    let display = x.display().to_string();
    let recording = Arc::new(AtomicBool::new(false));
    let stop = Arc::new(AtomicBool::new(false));
    let (rec, st) = (recording.clone(), stop.clone());
    let thread = std::thread::spawn(move || {
        let mut d = beckon_x11::X11Display::open(Some(&display)).expect("open display");
        let mut enc = Encoder::new(EncoderConfig::default());
        enc.set_lossy_quality(Some(LOSSY_QUALITY));
        // As the agent does for a viewer that decodes H.264 (see `h264_on`).
        enc.set_h264(h264_on());
        let mut frames = Vec::new();
        let mut bytes = 0u64;
        let mut first = true;
        // `BECKON_BENCH_DUMP=1`: what each frame was made of, to see where
        // the bytes go.
        let dump = std::env::var_os("BECKON_BENCH_DUMP").is_some();
        let mut next = Instant::now();
        let screen_area = u64::from(WIDTH) * u64::from(HEIGHT);
        // Go on a little after the stop, for the exact re-sends of JPEG tiles.
        let mut tail = 0;
        while tail < 10 {
            if st.load(Ordering::Relaxed) {
                tail += 1;
            }
            std::thread::sleep(next.saturating_duration_since(Instant::now()));
            next += FRAME_INTERVAL;
            let damage = d.take_damage().expect("damage");
            if !first && damage.is_empty() && !enc.has_lossy_tiles() {
                continue;
            }
            let area: u64 = damage.iter().map(|r| u64::from(r.w) * u64::from(r.h)).sum();
            let pixels = d.capture().expect("capture");
            let hint = (!first).then_some(damage.as_slice());
            let (c0, t0) = (thread_cpu(), Instant::now());
            let rects = enc.encode(WIDTH, HEIGHT, pixels, hint).expect("encode");
            let (wall, cpu) = (t0.elapsed(), thread_cpu() - c0);
            first = false;
            if rec.load(Ordering::Relaxed) && !rects.is_empty() {
                bytes += enc.last_stats().bytes;
                if dump {
                    eprintln!("frame {}: {}", frames.len(), frame_summary(&rects));
                }
                frames.push(EncFrame {
                    wall,
                    cpu,
                    full: area * 10 >= screen_area * 9,
                    h264: enc.last_motion() > 0,
                });
            }
        }
        (frames, bytes)
    });
    std::thread::sleep(Duration::from_millis(500));
    recording.store(true, Ordering::Relaxed);
    scene.perform(&x);
    std::thread::sleep(Duration::from_millis(200));
    stop.store(true, Ordering::Relaxed);
    let out = thread.join().expect("encoder thread");
    drop(scene);
    out
}

/// One frame's rectangles by encoding: count, bytes and covered pixels.
fn frame_summary(rects: &[beckon_video::EncodedRect]) -> String {
    let mut by: std::collections::BTreeMap<String, (usize, usize, u64)> = Default::default();
    for r in rects {
        let e = by.entry(format!("{:?}", r.encoding)).or_default();
        e.0 += 1;
        e.1 += r.data.len();
        e.2 += u64::from(r.rect.w) * u64::from(r.rect.h);
    }
    let total: usize = rects.iter().map(|r| r.data.len()).sum();
    let parts: Vec<String> = by
        .iter()
        .map(|(k, (n, b, px))| format!("{k} {n}x {b}B {px}px"))
        .collect();
    format!("{total} B: {}", parts.join(", "))
}

// ---------------------------------------------------------------- report

fn ms(d: Option<Duration>) -> String {
    d.map(|d| format!("{:.1}", d.as_secs_f64() * 1e3))
        .unwrap_or_else(|| "-".into())
}

fn mean(v: impl Iterator<Item = Duration>) -> Option<Duration> {
    let (sum, n) = v.fold((Duration::ZERO, 0u32), |(s, n), d| (s + d, n + 1));
    (n > 0).then(|| sum / n)
}

struct Row {
    workload: Workload,
    beckon: Pass,
    vnc: Pass,
    frames: Vec<EncFrame>,
    enc_bytes: u64,
}

fn main() {
    let rt = beckon::runtime().expect("runtime");
    let only: Vec<String> = std::env::args()
        .skip(1)
        .filter(|a| !a.starts_with('-'))
        .collect();
    let mut rows = Vec::new();
    for workload in Workload::ALL {
        if !only.is_empty() && !only.iter().any(|o| o == workload.name()) {
            continue;
        }
        eprintln!("vs_vnc: {} ...", workload.name());
        let beckon = beckon_pass(&rt, workload);
        let vnc = vnc_pass(workload);
        let (frames, enc_bytes) = encoder_pass(workload);
        rows.push(Row {
            workload,
            beckon,
            vnc,
            frames,
            enc_bytes,
        });
    }
    report(&rows);
}

fn report(rows: &[Row]) {
    println!();
    println!(
        "Beckon vs x11vnc, Xvfb 1920x1080x24, loopback TCP (bytes: server to viewer, on the wire); H.264 {}",
        if h264_on() { "on" } else { "off" }
    );
    println!(
        "{:<11} {:>11} {:>11} {:>6} | {:>7} {:>7} {:>8} {:>8} | {:>8} {:>8} {:>8} | {:>7} {:>7} {:>8} | {:>5}",
        "workload",
        "beckon B",
        "x11vnc B",
        "ratio",
        "b p50",
        "b p99",
        "b final",
        "b settle",
        "enc ms",
        "enc cpu",
        "full enc",
        "v p50",
        "v p99",
        "v final",
        "exact"
    );
    for r in rows {
        let b = &r.beckon.matched;
        let v = &r.vnc.matched;
        let ratio = r.beckon.bytes as f64 / r.vnc.bytes.max(1) as f64;
        let enc_wall = mean(r.frames.iter().map(|f| f.wall));
        let enc_cpu = mean(r.frames.iter().map(|f| f.cpu));
        let full_cpu = mean(r.frames.iter().filter(|f| f.full).map(|f| f.cpu));
        println!(
            "{:<11} {:>11} {:>11} {:>6.3} | {:>7} {:>7} {:>8} {:>8} | {:>8} {:>8} {:>8} | {:>7} {:>7} {:>8} | {:>2}/{:<2}",
            r.workload.name(),
            r.beckon.bytes,
            r.vnc.bytes,
            ratio,
            ms(percentile(&b.latencies, 0.5)),
            ms(percentile(&b.latencies, 0.99)),
            ms(b.to_final),
            ms(r.beckon.settled),
            ms(enc_wall),
            ms(enc_cpu),
            ms(full_cpu),
            ms(percentile(&v.latencies, 0.5)),
            ms(percentile(&v.latencies, 0.99)),
            ms(v.to_final),
            if r.beckon.exact { "b" } else { "-" },
            if r.vnc.exact { "v" } else { "-" },
        );
    }
    println!();
    println!(
        "b = Beckon, v = x11vnc. p50/p99: X server change -> viewer shows it (ms). final: the last"
    );
    println!("change -> viewer shows it. settle: end of the script -> viewer equals the screen (50 ms polls).");
    println!(
        "enc ms / enc cpu: Beckon Encoder::encode per non-empty frame, wall / thread CPU, mean."
    );
    println!("full enc: the same (CPU) for frames whose damage covered >= 90% of the screen.");
    println!("exact: the viewer's final screen equals the X server's, pixel for pixel.");
    for r in rows {
        let b = &r.beckon.matched;
        let v = &r.vnc.matched;
        println!(
            "  {}: X pictures {} (beckon missed {}, {} approx.; x11vnc missed {}), encoder frames {} ({} full, {} with H.264), encoded payload {} B",
            r.workload.name(),
            b.latencies.len() + b.missed,
            b.missed,
            b.approximate,
            v.missed,
            r.frames.len(),
            r.frames.iter().filter(|f| f.full).count(),
            r.frames.iter().filter(|f| f.h264).count(),
            r.enc_bytes
        );
    }
    println!();
    for r in rows {
        let b = &r.beckon.matched;
        let v = &r.vnc.matched;
        let f = |d: Option<Duration>| {
            d.map(|d| format!("{:.2}", d.as_secs_f64() * 1e3))
                .unwrap_or_else(|| "nan".into())
        };
        let full: Vec<Duration> = r.frames.iter().filter(|f| f.full).map(|f| f.cpu).collect();
        println!(
            "metric workload={} h264={} beckon_bytes={} vnc_bytes={} ratio={:.4} p50_ms={} p99_ms={} final_ms={} encode_ms={} encode_cpu_ms={} full_encode_cpu_ms={} full_encode_cpu_max_ms={} vnc_p50_ms={} vnc_p99_ms={} vnc_final_ms={} vnc_settle_ms={} beckon_exact={} vnc_exact={}",
            r.workload.name(),
            h264_on(),
            r.beckon.bytes,
            r.vnc.bytes,
            r.beckon.bytes as f64 / r.vnc.bytes.max(1) as f64,
            f(percentile(&b.latencies, 0.5)),
            f(percentile(&b.latencies, 0.99)),
            f(b.to_final),
            f(mean(r.frames.iter().map(|f| f.wall))),
            f(mean(r.frames.iter().map(|f| f.cpu))),
            f(mean(full.iter().copied())),
            f(full.iter().max().copied()),
            f(percentile(&v.latencies, 0.5)),
            f(percentile(&v.latencies, 0.99)),
            f(v.to_final),
            f(r.vnc.settled),
            r.beckon.exact,
            r.vnc.exact,
        );
    }
}
