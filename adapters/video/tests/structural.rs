//! Copy (scroll), palette and JPEG tiles end to end: encode, apply in
//! order, compare with the source.

mod common;

use beckon_video::{Encoder, EncoderConfig, Encoding, Rect, Screen};
use common::{apply_all, paint, Paint, Terminal, LINE};
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

    /// Regions of the screen (windows) scrolled vertically by random
    /// amounts, the rows they expose redrawn: the viewer always ends up with
    /// exactly the source, and with JPEG allowed, exactly once the lossy
    /// tiles are sent again (a copy never spreads a JPEG tile's error).
    #[test]
    fn vertical_scrolls_of_regions_round_trip(
        w in 8u16..300,
        h in 8u16..260,
        tile in prop_oneof![Just(64u16), 8u16..40],
        // Around windows, what does not move looks alike from row to row
        // (a plain desktop, a border): else no vote finds the vector.
        base in prop_oneof![
            any::<[u8; 4]>().prop_map(Paint::Solid),
            any::<u32>().prop_map(Paint::Stripes),
        ],
        content in prop_oneof![
            any::<u32>().prop_map(Paint::Glyphs),
            any::<u32>().prop_map(Paint::Noise),
            any::<u32>().prop_map(Paint::Photo),
        ],
        lossy in any::<bool>(),
        hinted in any::<bool>(),
        scrolls in prop::collection::vec(
            // The region in hundredths of the screen: mostly large, so that
            // it holds enough distinct rows to be found, anywhere.
            ((0u16..40, 0u16..40, 30u16..=100, 30u16..=100), -40i32..40, paint_strategy()),
            1..6,
        ),
    ) {
        let mut encoder = Encoder::new(EncoderConfig { tile });
        if lossy {
            encoder.set_lossy_quality(Some(60));
        }
        let mut screen = Screen::new(w, h);
        let mut pixels = full(w, h, base);
        let window = Rect::new(w / 8, h / 8, w - w / 4, h - h / 4);
        paint(&mut pixels, w, h, window, content);
        apply_all(&mut screen, &encoder.encode(w, h, &pixels, None).unwrap());
        for ((x, y, rw, rh), dy, fill) in scrolls {
            let part = |n: u16, of: u16| (u32::from(n) * u32::from(of) / 100) as u16;
            let (x, y) = (part(x, w), part(y, h));
            let region = Rect::new(x, y, part(rw, w).clamp(1, w - x), part(rh, h).clamp(1, h - y));
            scroll_region(&mut pixels, w, region, dy, fill);
            let damage = [region];
            let rects = encoder
                .encode(w, h, &pixels, hinted.then_some(&damage[..]))
                .unwrap();
            apply_all(&mut screen, &rects);
            if !lossy {
                prop_assert!(screen.pixels() == &pixels[..], "viewer differs after {:?} by {}", region, dy);
            }
            let copies = rects.iter().take_while(|r| r.encoding == Encoding::Copy).count();
            prop_assert!(rects[copies..].iter().all(|r| r.encoding != Encoding::Copy));
        }
        // Everything that changed was sent; what went as JPEG goes again.
        apply_all(&mut screen, &encoder.encode(w, h, &pixels, None).unwrap());
        apply_all(&mut screen, &encoder.encode(w, h, &pixels, Some(&[])).unwrap());
        prop_assert!(!encoder.has_lossy_tiles());
        prop_assert!(screen.pixels() == &pixels[..], "viewer differs once settled");
    }

    /// Tiles of 1 to 16 colours travel as palette (or solid, or glyphs on
    /// the most common colour when those pay) and exactly.
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
            prop_assert!(matches!(r.encoding, Encoding::Palette | Encoding::PaletteZ | Encoding::Solid | Encoding::Glyphs | Encoding::Lz4 | Encoding::Raw));
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

/// Scroll the content of `region` up by `dy` pixels (down when negative),
/// as a window does: only the region moves, and the rows it exposes are
/// painted with `fill`.
fn scroll_region(pixels: &mut [u8], w: u16, region: Rect, dy: i32, fill: Paint) {
    let row = usize::from(region.w) * 4;
    let at = |y: u16| (usize::from(y) * usize::from(w) + usize::from(region.x)) * 4;
    let old = pixels.to_vec();
    let height = i32::from(region.h);
    for y in 0..height {
        let from = y + dy;
        let to = at(region.y + y as u16);
        if (0..height).contains(&from) {
            let from = at(region.y + from as u16);
            pixels[to..to + row].copy_from_slice(&old[from..from + row]);
        } else {
            let h = pixels.len() / 4 / usize::from(w);
            let line = Rect::new(region.x, region.y + y as u16, region.w, 1);
            paint(pixels, w, h as u16, line, fill);
        }
    }
}

/// `less` in a terminal whose text area (at (3, 5), 490×520) does not line
/// up with the tiles, scrolled one 13-pixel line at a time while its status
/// line changes: one copy carries the text, and the frame costs little more
/// than the newly exposed line alone.
#[test]
fn terminal_scroll_off_the_tiles_sends_little_more_than_the_new_line() {
    let (w, h) = (640u16, 600u16);
    let term = Terminal::new(Rect::new(3, 5, 490, 40 * LINE), 10 * LINE);
    let mut encoder = Encoder::new(EncoderConfig::default());
    let mut screen = Screen::new(w, h);
    step(&mut encoder, &mut screen, w, h, &term.screen(w, h, 0, 0));
    for i in 1..=6u16 {
        let pixels = term.screen(w, h, i * LINE, u32::from(i));
        let rects = step(&mut encoder, &mut screen, w, h, &pixels);
        let bytes = encoder.last_stats().bytes;

        // The new line alone, as the first frame of a screen its size.
        let line = Rect::new(
            term.text.x,
            term.text.y + term.text.h - LINE,
            term.text.w,
            LINE,
        );
        let mut alone = Vec::new();
        for y in line.y..line.y + line.h {
            let from = (usize::from(y) * usize::from(w) + usize::from(line.x)) * 4;
            alone.extend_from_slice(&pixels[from..from + usize::from(line.w) * 4]);
        }
        let mut fresh = Encoder::new(EncoderConfig::default());
        fresh.encode(line.w, line.h, &alone, None).unwrap();
        let line_bytes = fresh.last_stats().bytes;

        let copies: Vec<_> = rects
            .iter()
            .filter(|r| r.encoding == Encoding::Copy)
            .collect();
        assert_eq!(copies.len(), 1, "scroll {i}: {rects:?}");
        assert_eq!(copies[0].rect.x, term.text.x, "the copy starts at the text");
        assert!(
            bytes < 2 * line_bytes,
            "scroll {i}: {bytes} bytes, the new line alone {line_bytes}"
        );
        // Nothing but the new line and the status line goes as pixels.
        for r in rects.iter().filter(|r| r.encoding != Encoding::Copy) {
            assert!(r.rect.y >= line.y, "scroll {i}: {r:?} above the new line");
            assert!(r.rect.y + r.rect.h <= line.y + 2 * LINE, "{r:?}");
        }
    }
}

/// A text scrolling beside an animation in the same rows: no row of the
/// changed area matches as a whole (the animation is in every row), so the
/// whole tiles of the text go as copies, as before runs of rows existed.
#[test]
fn scroll_beside_an_animation_copies_tiles() {
    let (w, h) = (640u16, 384u16);
    let page = full(512, h + 200, Paint::Glyphs(4));
    let mut encoder = Encoder::new(EncoderConfig::default());
    let mut screen = Screen::new(w, h);
    for i in 0..5u16 {
        let mut pixels = full(w, h, Paint::Noise(100 + 2 * u32::from(i)));
        for y in 0..h {
            let from = usize::from(y + 16 * i) * 512 * 4;
            let to = usize::from(y) * usize::from(w) * 4;
            pixels[to..to + 512 * 4].copy_from_slice(&page[from..from + 512 * 4]);
        }
        let rects = step(&mut encoder, &mut screen, w, h, &pixels);
        if i > 0 {
            let copies: Vec<_> = rects
                .iter()
                .filter(|r| r.encoding == Encoding::Copy)
                .collect();
            assert!(!copies.is_empty(), "scroll {i}: no copies");
            assert!(copies
                .iter()
                .all(|c| c.rect.x % 64 == 0 && c.rect.w % 64 == 0));
            assert_eq!(encoder.last_copied(), 8 * 5, "scroll {i}: {copies:?}");
        }
    }
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
    // Nothing changed, but the driver says the screen has not rested yet:
    // nothing goes, and the tiles stay lossy.
    encoder.set_refine(false);
    assert!(encoder.encode(w, h, &pixels, Some(&[])).unwrap().is_empty());
    assert!(encoder.has_lossy_tiles());
    // Now it has: the lossy tiles go again, exactly.
    encoder.set_refine(true);
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

/// A changed row of photographic tiles goes as one JPEG, not one per tile;
/// a text tile in the same row stays exact, and so does the rest of its row.
#[test]
fn a_row_of_photo_tiles_is_one_jpeg_and_text_beside_it_stays_exact() {
    let (w, h) = (512u16, 128u16);
    let mut pixels = full(w, h, Paint::Solid([240, 240, 240, 255]));
    let mut encoder = Encoder::new(EncoderConfig::default());
    encoder.set_lossy_quality(Some(80));
    let mut screen = Screen::new(w, h);
    apply_all(&mut screen, &encoder.encode(w, h, &pixels, None).unwrap());
    // Top row: photo over five tiles, then text; bottom row: all photo.
    paint(&mut pixels, w, h, Rect::new(0, 0, 320, 64), Paint::Photo(3));
    paint(
        &mut pixels,
        w,
        h,
        Rect::new(320, 0, 192, 64),
        Paint::Glyphs(2),
    );
    paint(
        &mut pixels,
        w,
        h,
        Rect::new(0, 64, 512, 64),
        Paint::Photo(5),
    );
    let rects = encoder.encode(w, h, &pixels, None).unwrap();
    apply_all(&mut screen, &rects);
    let jpeg: Vec<Rect> = rects
        .iter()
        .filter(|r| r.encoding == Encoding::Jpeg)
        .map(|r| r.rect)
        .collect();
    // The bottom row's eight tiles in one JPEG; the top row's photo tiles
    // are a run with text tiles, so they go tile by tile.
    assert!(jpeg.contains(&Rect::new(0, 64, 512, 64)), "{jpeg:?}");
    assert!(jpeg.iter().all(|r| r.y == 64 || r.w == 64), "{jpeg:?}");
    for r in &rects {
        if r.rect.x >= 320 && r.rect.y < 64 {
            assert_eq!(max_diff(&screen, &pixels, w, r.rect), 0, "text is exact");
        }
    }
    // Once it rests, every tile goes again exactly.
    let rects = encoder.encode(w, h, &pixels, Some(&[])).unwrap();
    apply_all(&mut screen, &rects);
    assert!(screen.pixels() == &pixels[..]);
    assert!(!encoder.has_lossy_tiles());
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
