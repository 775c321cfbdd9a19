//! Rough encoder timings on a 1280×800 screen. Ignored by default; run with
//! `cargo test -p beckon-video --release --test timing -- --ignored --nocapture`.

mod common;

use std::time::Instant;

use beckon_video::{Encoder, EncoderConfig, Rect};
use common::{paint, solid_screen, Paint};

const W: u16 = 1280;
const H: u16 = 800;
const RUNS: u32 = 50;

/// A desktop-like screen: a solid background, compressible windows and a
/// noisy picture.
fn desktop(seed: u32) -> Vec<u8> {
    let mut pixels = solid_screen(W, H, [30, 60, 90, 255]);
    paint(
        &mut pixels,
        W,
        H,
        Rect::new(100, 80, 700, 500),
        Paint::Stripes(seed),
    );
    paint(
        &mut pixels,
        W,
        H,
        Rect::new(850, 200, 300, 300),
        Paint::Noise(seed),
    );
    pixels
}

fn time(label: &str, mut f: impl FnMut() -> usize) {
    let start = Instant::now();
    let mut rects = 0;
    for _ in 0..RUNS {
        rects = f();
    }
    let each = start.elapsed() / RUNS;
    println!("{label}: {each:?} per encode, {rects} rects");
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
