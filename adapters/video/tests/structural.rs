//! Copy (scroll), palette and JPEG tiles end to end: encode, apply in
//! order, compare with the source.

mod common;

use beckon_video::{Encoder, EncoderConfig, Encoding, Rect, Screen};
use common::{apply_all, paint, Paint};
use proptest::prelude::*;

/// `pixels` moved by (`dx`, `dy`): what was at (x + dx, y + dy) is now at
/// (x, y), as in a scroll; the exposed part is painted with `fill`.
fn shifted(pixels: &[u8], w: u16, h: u16, dx: i32, dy: i32, fill: Paint) -> Vec<u8> {
    let mut out = vec![0; pixels.len()];
    paint(&mut out, w, h, Rect::new(0, 0, w, h), fill);
    for y in 0..i32::from(h) {
        for x in 0..i32::from(w) {
            let (sx, sy) = (x + dx, y + dy);
            if (0..i32::from(w)).contains(&sx) && (0..i32::from(h)).contains(&sy) {
                let s = ((sy * i32::from(w) + sx) * 4) as usize;
                let d = ((y * i32::from(w) + x) * 4) as usize;
                out[d..d + 4].copy_from_slice(&pixels[s..s + 4]);
            }
        }
    }
    out
}

fn full(w: u16, h: u16, p: Paint) -> Vec<u8> {
    let mut pixels = vec![0; usize::from(w) * usize::from(h) * 4];
    paint(&mut pixels, w, h, Rect::new(0, 0, w, h), p);
    pixels
}

/// Encode `pixels`, apply to `screen`, check equality; returns the rects.
fn step(
    encoder: &mut Encoder,
    screen: &mut Screen,
    w: u16,
    h: u16,
    pixels: &[u8],
) -> Vec<beckon_video::EncodedRect> {
    let rects = encoder.encode(w, h, pixels, None).unwrap();
    apply_all(screen, &rects);
    assert!(screen.pixels() == pixels, "viewer differs");
    rects
}

fn paint_strategy() -> impl Strategy<Value = Paint> {
    prop_oneof![
        any::<[u8; 4]>().prop_map(Paint::Solid),
        any::<u32>().prop_map(Paint::Noise),
        any::<u32>().prop_map(Paint::Stripes),
        any::<u32>().prop_map(Paint::Glyphs),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]

    /// Random content moved by a random vector, then partly redrawn: the
    /// viewer always ends up with exactly the source.
    #[test]
    fn shifted_screens_round_trip(
        w in 1u16..260,
        h in 1u16..200,
        tile in prop_oneof![Just(64u16), 8u16..40],
        base in paint_strategy(),
        fill in paint_strategy(),
        moves in prop::collection::vec(
            (
                prop_oneof![(-100i32..100).prop_map(|d| (0, d)), (-100i32..100).prop_map(|d| (d, 0)), (-70i32..70, -70i32..70)],
                prop::collection::vec(((0u16..260, 0u16..200, 1u16..60, 1u16..60), paint_strategy()), 0..3),
            ),
            1..4,
        ),
    ) {
        let mut encoder = Encoder::new(EncoderConfig { tile });
        let mut screen = Screen::new(w, h);
        let mut pixels = full(w, h, base);
        // Something to scroll: text in the middle.
        paint(&mut pixels, w, h, Rect::new(w / 4, h / 4, w / 2 + 1, h / 2 + 1), Paint::Glyphs(9));
        step(&mut encoder, &mut screen, w, h, &pixels);
        for ((dx, dy), redraws) in moves {
            pixels = shifted(&pixels, w, h, dx, dy, fill);
            for ((x, y, rw, rh), p) in redraws {
                paint(&mut pixels, w, h, Rect::new(x, y, rw, rh), p);
            }
            let rects = encoder.encode(w, h, &pixels, None).unwrap();
            apply_all(&mut screen, &rects);
            prop_assert!(screen.pixels() == &pixels[..], "viewer differs after ({}, {})", dx, dy);
            // Copies first, all with one vector.
            let copies = rects.iter().take_while(|r| r.encoding == Encoding::Copy).count();
            prop_assert!(rects[copies..].iter().all(|r| r.encoding != Encoding::Copy));
        }
    }

    /// Tiles of 1 to 16 colours travel as palette (or solid) and exactly.
    #[test]
    fn few_colour_tiles_round_trip(
        colours in prop::collection::vec(any::<[u8; 4]>(), 1..=16),
        w in 1u16..70,
        h in 1u16..70,
        seed in any::<u32>(),
    ) {
        let mut rng = common::XorShift::new(seed);
        let pixels: Vec<u8> = (0..usize::from(w) * usize::from(h))
            .flat_map(|_| colours[rng.next() as usize % colours.len()])
            .collect();
        let mut encoder = Encoder::new(EncoderConfig::default());
        let mut screen = Screen::new(w, h);
        let rects = step(&mut encoder, &mut screen, w, h, &pixels);
        for r in rects {
            prop_assert!(matches!(r.encoding, Encoding::Palette | Encoding::Solid | Encoding::Lz4 | Encoding::Raw));
        }
    }
}

/// A terminal scrolling by one line of text, many times: copies carry the
/// moved lines, and far fewer bytes go than without detection.
#[test]
fn text_scroll_uses_copies() {
    let (w, h) = (640u16, 480u16);
    let page = full(w, h + 400, Paint::Glyphs(3));
    let view = |top: u16| {
        let start = usize::from(top) * usize::from(w) * 4;
        page[start..start + usize::from(w) * usize::from(h) * 4].to_vec()
    };
    let mut bytes = [0u64; 2];
    for (i, detect) in [true, false].into_iter().enumerate() {
        let mut encoder = Encoder::new(EncoderConfig::default());
        encoder.set_copy_detection(detect);
        let mut screen = Screen::new(w, h);
        step(&mut encoder, &mut screen, w, h, &view(0));
        for top in (10..=200).step_by(10) {
            let rects = step(&mut encoder, &mut screen, w, h, &view(top));
            bytes[i] += encoder.last_stats().bytes;
            if detect {
                assert!(encoder.last_copied() > 0, "scroll to {top}");
                assert_eq!(rects[0].encoding, Encoding::Copy);
            }
        }
    }
    assert!(
        bytes[0] * 10 < bytes[1],
        "with copies {} bytes, without {}",
        bytes[0],
        bytes[1]
    );
}

/// Content moved by less than a tile: each copy overlaps its own source and
/// its neighbours' sources, in each direction. (Only horizontal and vertical
/// moves are detected; a diagonal one goes as pixels.)
#[test]
fn overlapping_copies_apply_in_order() {
    let (w, h) = (400u16, 300u16);
    for (dx, dy) in [(-10, 0), (10, 0), (0, 7), (0, -7), (-70, 0), (0, 130)] {
        let mut encoder = Encoder::new(EncoderConfig::default());
        let mut screen = Screen::new(w, h);
        let mut pixels = full(w, h, Paint::Solid([10, 20, 30, 255]));
        paint(
            &mut pixels,
            w,
            h,
            Rect::new(40, 40, 300, 200),
            Paint::Noise(5),
        );
        step(&mut encoder, &mut screen, w, h, &pixels);
        let mut copied = 0;
        for _ in 0..3 {
            pixels = shifted(&pixels, w, h, dx, dy, Paint::Solid([10, 20, 30, 255]));
            step(&mut encoder, &mut screen, w, h, &pixels);
            copied += encoder.last_copied();
        }
        assert!(copied > 0, "({dx}, {dy}): no copies");
    }
}

/// Photographic tiles go as JPEG when allowed, close to the source; text and
/// flat tiles stay exact; once the picture stops changing, the JPEG tiles are
/// sent again exactly.
#[test]
fn jpeg_for_photos_then_exact() {
    let (w, h) = (256u16, 192u16);
    let mut pixels = full(w, h, Paint::Solid([240, 240, 240, 255]));
    paint(
        &mut pixels,
        w,
        h,
        Rect::new(0, 0, 128, 128),
        Paint::Photo(1),
    );
    paint(
        &mut pixels,
        w,
        h,
        Rect::new(128, 0, 128, 64),
        Paint::Glyphs(2),
    );
    let mut encoder = Encoder::new(EncoderConfig::default());
    encoder.set_lossy_quality(Some(80));
    let mut screen = Screen::new(w, h);
    let rects = encoder.encode(w, h, &pixels, None).unwrap();
    apply_all(&mut screen, &rects);
    let jpeg: Vec<Rect> = rects
        .iter()
        .filter(|r| r.encoding == Encoding::Jpeg)
        .map(|r| r.rect)
        .collect();
    assert_eq!(jpeg.len(), 4, "the photo's four tiles: {rects:?}");
    assert!(encoder.has_lossy_tiles());
    for r in &rects {
        let in_photo = r.rect.x < 128 && r.rect.y < 128;
        let diff = max_diff(&screen, &pixels, w, r.rect);
        if in_photo {
            assert!(diff <= 48, "{:?}: off by {diff}", r.rect);
            assert!(mean_diff(&screen, &pixels, w, r.rect) < 4.0);
        } else {
            assert_eq!(diff, 0, "{:?} {:?} is lossless", r.rect, r.encoding);
        }
    }
    // Nothing changed: the lossy tiles go again, exactly.
    let rects = encoder.encode(w, h, &pixels, Some(&[])).unwrap();
    assert_eq!(rects.len(), 4);
    assert!(rects.iter().all(|r| r.encoding != Encoding::Jpeg));
    apply_all(&mut screen, &rects);
    assert!(screen.pixels() == &pixels[..]);
    assert!(!encoder.has_lossy_tiles());
    assert!(encoder.encode(w, h, &pixels, None).unwrap().is_empty());

    // Lossless only: no JPEG at all.
    let mut lossless = Encoder::new(EncoderConfig::default());
    assert_eq!(lossless.lossy_quality(), None);
    let rects = lossless.encode(w, h, &pixels, None).unwrap();
    assert!(rects.iter().all(|r| r.encoding != Encoding::Jpeg));
}

/// Copies never read a JPEG tile: the viewer does not have it exactly.
#[test]
fn copies_avoid_lossy_sources() {
    let (w, h) = (256u16, 256u16);
    let mut pixels = full(w, h, Paint::Photo(4));
    let mut encoder = Encoder::new(EncoderConfig::default());
    encoder.set_lossy_quality(Some(70));
    let mut screen = Screen::new(w, h);
    apply_all(&mut screen, &encoder.encode(w, h, &pixels, None).unwrap());
    pixels = shifted(&pixels, w, h, 0, 64, Paint::Solid([0, 0, 0, 255]));
    let rects = encoder.encode(w, h, &pixels, None).unwrap();
    assert!(rects.iter().all(|r| r.encoding != Encoding::Copy));
    apply_all(&mut screen, &rects);
    // Settle: everything exact in the end.
    apply_all(
        &mut screen,
        &encoder.encode(w, h, &pixels, Some(&[])).unwrap(),
    );
    assert!(screen.pixels() == &pixels[..]);
}

fn diffs<'a>(
    screen: &'a Screen,
    pixels: &'a [u8],
    w: u16,
    r: Rect,
) -> impl Iterator<Item = u8> + 'a {
    (r.y..r.y + r.h).flat_map(move |y| {
        let start = (usize::from(y) * usize::from(w) + usize::from(r.x)) * 4;
        let end = start + usize::from(r.w) * 4;
        screen.pixels()[start..end]
            .iter()
            .zip(&pixels[start..end])
            .map(|(a, b)| a.abs_diff(*b))
    })
}

fn max_diff(screen: &Screen, pixels: &[u8], w: u16, r: Rect) -> u8 {
    diffs(screen, pixels, w, r).max().unwrap_or(0)
}

fn mean_diff(screen: &Screen, pixels: &[u8], w: u16, r: Rect) -> f64 {
    let (sum, n) =
        diffs(screen, pixels, w, r).fold((0u64, 0u64), |(s, n), d| (s + u64::from(d), n + 1));
    sum as f64 / n.max(1) as f64
}
