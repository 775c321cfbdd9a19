//! Rough encoder timings and sizes on 1280×800 and 1920×1080 screens.
//! Ignored by default; run with
//! `cargo test -p beckon-video --release --test timing -- --ignored --nocapture`.

mod common;

use std::time::Instant;

use beckon_video::{Encoder, EncoderConfig, Rect, Screen};
use common::{paint, solid_screen, Paint};

const W: u16 = 1280;
const H: u16 = 800;
const RUNS: u32 = 50;

/// A desktop-like screen: a solid background, compressible windows and a
/// noisy picture.
fn desktop(seed: u32) -> Vec<u8> {
    desktop_of(W, H, seed)
}

fn desktop_of(w: u16, h: u16, seed: u32) -> Vec<u8> {
    let mut pixels = solid_screen(w, h, [30, 60, 90, 255]);
    paint(
        &mut pixels,
        w,
        h,
        Rect::new(100, 80, 700, 500),
        Paint::Stripes(seed),
    );
    paint(
        &mut pixels,
        w,
        h,
        Rect::new(850, 200, 300, 300),
        Paint::Noise(seed),
    );
    pixels
}

/// Run `f` [`RUNS`] times; print the median and the fastest run (a shared
/// machine's other work only ever adds time, so the mean says more about
/// the neighbours than about the encoder).
fn time(label: &str, mut f: impl FnMut() -> usize) {
    let mut rects = 0;
    let mut runs: Vec<_> = (0..RUNS)
        .map(|_| {
            let start = Instant::now();
            rects = f();
            start.elapsed()
        })
        .collect();
    runs.sort();
    let (median, fastest) = (runs[runs.len() / 2], runs[0]);
    println!("{label}: {median:?} per encode (median; fastest {fastest:?}), {rects} rects");
}

#[test]
#[ignore = "timing, run in release by hand"]
fn encode_1280x800() {
    let a = desktop(1);
    let mut encoder = Encoder::new(EncoderConfig::default());
    encoder.encode(W, H, &a, None).unwrap();
    time("unchanged, no hint", || {
        encoder.encode(W, H, &a, None).unwrap().len()
    });

    let b = desktop(2);
    time("fully changed (refresh), desktop", || {
        encoder.refresh();
        encoder.encode(W, H, &b, None).unwrap().len()
    });

    let mut c = vec![0; usize::from(W) * usize::from(H) * 4];
    paint(&mut c, W, H, Rect::new(0, 0, W, H), Paint::Noise(3));
    time("fully changed (refresh), noise", || {
        encoder.refresh();
        encoder.encode(W, H, &c, None).unwrap().len()
    });

    let (x, y) = (desktop(4), desktop(5));
    let mut flip = false;
    time("windows redrawn (108 of 260 tiles differ), diffed", || {
        flip = !flip;
        encoder
            .encode(W, H, if flip { &x } else { &y }, None)
            .unwrap()
            .len()
    });
}

const FW: u16 = 1920;
const FH: u16 = 1080;

/// A 1920×1080 desktop: windows of stripes, noise, text and a photograph.
fn full_hd(seed: u32) -> Vec<u8> {
    let mut pixels = desktop_of(FW, FH, seed);
    paint(
        &mut pixels,
        FW,
        FH,
        Rect::new(1200, 80, 700, 600),
        Paint::Glyphs(seed),
    );
    paint(
        &mut pixels,
        FW,
        FH,
        Rect::new(100, 650, 900, 400),
        Paint::Photo(seed),
    );
    pixels
}

#[test]
#[ignore = "timing, run in release by hand"]
fn encode_1920x1080() {
    let (a, b) = (full_hd(1), full_hd(2));
    let mut encoder = Encoder::new(EncoderConfig::default());
    encoder.encode(FW, FH, &a, None).unwrap();
    let mut flip = false;
    time("1920x1080 full-screen change, diffed (goal 8 ms)", || {
        flip = !flip;
        encoder
            .encode(FW, FH, if flip { &b } else { &a }, None)
            .unwrap()
            .len()
    });
    println!("  {} bytes", encoder.last_stats().bytes);
    encoder.set_copy_detection(false);
    time(
        "1920x1080 full-screen change, diffed, no copy detection",
        || {
            flip = !flip;
            encoder
                .encode(FW, FH, if flip { &b } else { &a }, None)
                .unwrap()
                .len()
        },
    );
    encoder.set_copy_detection(true);
    encoder.set_lossy_quality(Some(85));
    time(
        "1920x1080 full-screen change, JPEG allowed (refresh)",
        || {
            flip = !flip;
            encoder.refresh();
            encoder
                .encode(FW, FH, if flip { &b } else { &a }, None)
                .unwrap()
                .len()
        },
    );
    print_jpeg_share(&encoder);
}

/// Switching between two full-screen photographs with JPEG allowed: the
/// case where the screen is new from corner to corner and nothing in it is
/// text (the comparison's "fullscreen" workload).
#[test]
#[ignore = "timing, run in release by hand"]
fn encode_1920x1080_photo_switch() {
    let photo = |seed| {
        let mut pixels = solid_screen(FW, FH, [0, 0, 0, 255]);
        paint(
            &mut pixels,
            FW,
            FH,
            Rect::new(0, 0, FW, FH),
            Paint::Photo(seed),
        );
        pixels
    };
    let (a, b) = (photo(1), photo(2));
    let mut encoder = Encoder::new(EncoderConfig::default());
    encoder.set_lossy_quality(Some(75));
    encoder.encode(FW, FH, &a, None).unwrap();
    let mut flip = false;
    time("1920x1080 photo switch, JPEG at 75 (goal 8 ms)", || {
        flip = !flip;
        encoder
            .encode(FW, FH, if flip { &b } else { &a }, None)
            .unwrap()
            .len()
    });
    print_jpeg_share(&encoder);
}

/// The last encode's bytes and how many of its tiles went as JPEG.
fn print_jpeg_share(encoder: &Encoder) {
    println!(
        "  {} bytes, {} tiles as JPEG",
        encoder.last_stats().bytes,
        encoder.last_lossy()
    );
}

/// Encode `frames` (each a 1920x1080 screen) one after another, with and
/// without copy detection, check the viewer ends exact, and print the mean
/// bytes, rectangles and time per frame.
fn scroll_frames(label: &str, frames: &[Vec<u8>]) {
    let n = frames.len() as u32 - 1;
    for detect in [true, false] {
        let mut encoder = Encoder::new(EncoderConfig::default());
        encoder.set_copy_detection(detect);
        let mut screen = Screen::new(FW, FH);
        common::apply_all(
            &mut screen,
            &encoder.encode(FW, FH, &frames[0], None).unwrap(),
        );
        let (mut bytes, mut rects) = (0, 0);
        let mut spent = std::time::Duration::ZERO;
        for f in &frames[1..] {
            let start = Instant::now();
            let r = encoder.encode(FW, FH, f, None).unwrap();
            spent += start.elapsed();
            bytes += encoder.last_stats().bytes;
            rects += r.len();
            common::apply_all(&mut screen, &r);
        }
        assert!(screen.pixels() == &frames[frames.len() - 1][..]);
        println!(
            "{label}, copy detection {}: {} bytes and {} rects per frame, {:?} per encode",
            if detect { "on" } else { "off" },
            bytes / u64::from(n),
            rects / n as usize,
            spent / n
        );
    }
}

/// A terminal full of text scrolled by one line (16 px) at a time, with and
/// without copy detection; `less` in an xterm whose text area is off the
/// tiles, scrolled by one 13-pixel line at a time; and one character typed.
#[test]
#[ignore = "timing, run in release by hand"]
fn scroll_and_typing() {
    let tall = FH + 1600;
    let mut page = vec![0; usize::from(FW) * usize::from(tall) * 4];
    paint(
        &mut page,
        FW,
        tall,
        Rect::new(0, 0, FW, tall),
        Paint::Glyphs(7),
    );
    let view = |top: usize| {
        let start = top * usize::from(FW) * 4;
        page[start..start + usize::from(FW) * usize::from(FH) * 4].to_vec()
    };
    let frames: Vec<Vec<u8>> = (0..=50).map(|i| view(i * 16)).collect();
    scroll_frames("1920x1080 text scroll by 16 px", &frames);

    // `less` in a 120×60 xterm at (0, 0): the text area starts at (3, 5),
    // off the 64-pixel tiles, and scrolls by one 13-pixel line; the status
    // line below it changes too.
    let term = common::Terminal::new(Rect::new(3, 5, 720, 59 * common::LINE), 60 * common::LINE);
    let frames: Vec<Vec<u8>> = (0..=50u16)
        .map(|i| term.screen(FW, FH, i * common::LINE, u32::from(i)))
        .collect();
    scroll_frames("less in a 120x60 xterm at (0, 0), scroll by 13 px", &frames);
    // The new line alone, for scale: what a frame cannot do without.
    let line = Rect::new(0, 0, term.text.w, common::LINE);
    let mut alone = vec![0; usize::from(line.w) * usize::from(line.h) * 4];
    let last = &frames[50];
    for dy in 0..line.h {
        let y = usize::from(term.text.y + term.text.h - common::LINE + dy);
        let from = (y * usize::from(FW) + usize::from(term.text.x)) * 4;
        let to = usize::from(dy) * usize::from(line.w) * 4;
        alone[to..to + usize::from(line.w) * 4]
            .copy_from_slice(&last[from..from + usize::from(line.w) * 4]);
    }
    let mut encoder = Encoder::new(EncoderConfig::default());
    encoder.encode(line.w, line.h, &alone, None).unwrap();
    println!(
        "  the newly exposed line alone: {} bytes",
        encoder.last_stats().bytes
    );

    // One character typed into the text: a 6×10 cell changes.
    let mut encoder = Encoder::new(EncoderConfig::default());
    let before = frames[0].clone();
    encoder.encode(FW, FH, &before, None).unwrap();
    let mut after = before.clone();
    let cell = Rect::new(606, 500, 6, 10);
    paint(&mut after, FW, FH, cell, Paint::Glyphs(99));
    let r = encoder.encode(FW, FH, &after, Some(&[cell])).unwrap();
    println!(
        "one character typed: {} bytes in {} rect(s) {:?}",
        encoder.last_stats().bytes,
        r.len(),
        r.iter().map(|r| r.encoding).collect::<Vec<_>>()
    );
}

/// The H.264 path on a full 1920×1080 photograph-like screen that changes in
/// every frame: JPEG tiles first, then (once the region is found) one H.264
/// picture a frame. Needs the `h264` feature.
#[cfg(feature = "h264")]
#[test]
#[ignore = "timing, run in release by hand"]
fn h264_full_screen_1920x1080() {
    const FW: u16 = 1920;
    const FH: u16 = 1080;
    let frame = |i: u32| {
        let mut px = solid_screen(FW, FH, [0, 0, 0, 255]);
        paint(
            &mut px,
            FW,
            FH,
            Rect::new(0, 0, FW, FH),
            Paint::Photo(i * 3),
        );
        px
    };
    for h264 in [false, true] {
        let mut encoder = Encoder::new(EncoderConfig::default());
        encoder.set_lossy_quality(Some(85));
        encoder.set_h264(h264);
        encoder.set_refine(false);
        let frames: Vec<Vec<u8>> = (0..20).map(frame).collect();
        for px in &frames[..6] {
            encoder.encode(FW, FH, px, None).unwrap();
        }
        let start = Instant::now();
        let mut bytes = 0;
        for px in &frames[6..] {
            encoder.encode(FW, FH, px, None).unwrap();
            bytes += encoder.last_stats().bytes;
        }
        let n = frames.len() as u32 - 6;
        println!(
            "full 1080p photo change, H.264 {}: {:?} per encode, {} B per frame, {} tiles as H.264 in the last",
            if h264 { "on" } else { "off" },
            start.elapsed() / n,
            bytes / u64::from(n),
            encoder.last_motion()
        );
    }
}
