//! A new page of text goes glyph by glyph (`Encoding::Glyphs`): a few bytes
//! a character, and the viewer stays exact however frames are lost.

mod common;

use beckon_video::{Encoder, Encoding, Rect, Screen};
use common::apply_all;
use proptest::prelude::*;

const W: u16 = 640;
const H: u16 = 400;
const BG: [u8; 4] = [250, 250, 250, 255];
const FG: [u8; 4] = [20, 20, 20, 255];
/// A terminal of 6×13 cells from (8, 8): 100 columns, 28 lines.
const COLS: usize = 100;
const LINES: usize = 28;

/// Draw glyph `id` (a made-up 5×9 pattern, 0 for blank) in a cell.
fn draw(pixels: &mut [u8], col: usize, line: usize, id: u32) {
    draw_in(pixels, col, line, id, FG);
}

/// Draw glyph `id` in the colour `fg`.
fn draw_in(pixels: &mut [u8], col: usize, line: usize, id: u32, fg: [u8; 4]) {
    let bits = u64::from(id).wrapping_mul(0x9E37_79B9_7F4A_7C15) >> 18;
    for gy in 0..9 {
        for gx in 0..5 {
            let on = id != 0 && (bits >> (gy * 5 + gx) & 1 == 1 || gy == 4);
            let (x, y) = (8 + col * 6 + gx, 8 + line * 13 + 2 + gy);
            let at = (y * usize::from(W) + x) * 4;
            pixels[at..at + 4].copy_from_slice(if on { &fg } else { &BG });
        }
    }
}

/// A whole page: `glyph(line, col)` in every cell.
fn page(pixels: &mut [u8], glyph: impl Fn(usize, usize) -> u32) {
    for line in 0..LINES {
        for col in 0..COLS {
            draw(pixels, col, line, glyph(line, col));
        }
    }
}

/// Text of words from a small vocabulary, as a pager shows it.
fn prose(seed: usize) -> impl Fn(usize, usize) -> u32 {
    move |line, col| {
        // Not a scroll of another seed's page, which copies would carry.
        let word = (line * 7 + (col / 8) * (seed + 1) * 3 + seed) % 11;
        match col % 8 {
            7 => 0,
            i => 1 + ((word * 5 + i * 3) % 26) as u32,
        }
    }
}

fn start() -> (Encoder, Screen, Vec<u8>) {
    common::started(W, H, BG)
}

#[test]
fn a_new_page_goes_as_glyphs_at_a_few_bytes_a_character() {
    let (mut encoder, mut screen, mut pixels) = start();
    let mut sizes = Vec::new();
    for seed in 0..3 {
        page(&mut pixels, prose(seed));
        let rects = encoder.encode(W, H, &pixels, None).unwrap();
        assert!(
            rects.iter().any(|r| r.encoding == Encoding::Glyphs),
            "page {seed}: {:?}",
            rects.iter().map(|r| r.encoding).collect::<Vec<_>>()
        );
        sizes.push(rects.iter().map(|r| r.data.len()).sum::<usize>());
        apply_all(&mut screen, &rects);
        assert!(screen.pixels() == &pixels[..], "page {seed} differs");
    }
    let characters = COLS * LINES * 7 / 8;
    // The first page brings 26 new glyphs; the next ones only keys.
    assert!(sizes[0] < characters, "first page {} bytes", sizes[0]);
    assert!(sizes[2] * 3 < characters, "third page {} bytes", sizes[2]);
}

/// What the glyph encoding costs without words that repeat: random letters.
#[test]
fn random_letters_cost_under_three_bytes_each() {
    let (mut encoder, mut screen, mut pixels) = start();
    let mut rng = common::XorShift::new(7);
    let letters: Vec<u32> = (0..COLS * LINES).map(|_| 1 + rng.next() % 26).collect();
    page(&mut pixels, |line, col| letters[line * COLS + col]);
    apply_all(&mut screen, &encoder.encode(W, H, &pixels, None).unwrap());
    let letters: Vec<u32> = (0..COLS * LINES).map(|_| 1 + rng.next() % 26).collect();
    page(&mut pixels, |line, col| letters[line * COLS + col]);
    let rects = encoder.encode(W, H, &pixels, None).unwrap();
    let bytes: usize = rects.iter().map(|r| r.data.len()).sum();
    assert!(rects.iter().any(|r| r.encoding == Encoding::Glyphs));
    assert!(bytes < COLS * LINES * 3, "{bytes} bytes");
    apply_all(&mut screen, &rects);
    assert!(screen.pixels() == &pixels[..]);
}

/// Glyphs, like `Cached`, become plain rectangles for a viewer that joined
/// late.
#[test]
fn glyphs_become_standalone_for_a_late_viewer() {
    let (mut encoder, mut screen, mut pixels) = start();
    let mut late = Screen::new(W, H);
    late.apply(Rect::new(0, 0, W, H), Encoding::Raw, screen.pixels())
        .unwrap();
    let mut standalone = Vec::new();
    for seed in 0..3 {
        match seed {
            // Coloured text: more colours than a palette holds.
            2 => {
                for line in 0..LINES {
                    for col in 0..COLS {
                        let id = prose(seed)(line, col);
                        let fg = [(id * 9) as u8, (id * 5) as u8, 40, 255];
                        draw_in(&mut pixels, col, line, id, fg);
                    }
                }
            }
            _ => page(&mut pixels, prose(seed)),
        }
        let rects = encoder.encode(W, H, &pixels, None).unwrap();
        screen.begin_frame();
        late.begin_frame();
        for r in rects {
            screen.apply(r.rect, r.encoding, &r.data).unwrap();
            let glyphs = r.encoding == Encoding::Glyphs;
            let (encoding, data) = screen.standalone(r.rect, r.encoding, r.data);
            if glyphs {
                standalone.push(encoding);
            }
            late.apply(r.rect, encoding, &data).unwrap();
        }
    }
    assert!(late.pixels() == &pixels[..]);
    assert_eq!(
        standalone,
        [Encoding::Palette, Encoding::Palette, Encoding::Lz4]
    );
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(24))]

    /// Pages from a large alphabet (more glyphs than a viewer keeps, so old
    /// ones are pushed out), with frames lost now and then (encoded, never
    /// applied, then a refresh): the viewer always ends exact.
    #[test]
    fn viewer_stays_exact_with_lost_frames_and_a_full_cache(
        pages in prop::collection::vec((0u32..8, 1u32..260, any::<bool>()), 1..10),
    ) {
        let (mut encoder, mut screen, mut pixels) = start();
        for (seed, alphabet, lost) in pages {
            // Each seed draws from its own 250 glyphs: eight of them are more
            // than the 1024 a viewer keeps.
            page(&mut pixels, |line, col| {
                let n = (line * COLS + col) as u32;
                match col % 9 {
                    8 => 0,
                    _ => 1 + seed * 250 + n.wrapping_mul(2_654_435_761) % alphabet,
                }
            });
            let rects = encoder.encode(W, H, &pixels, None).unwrap();
            if lost {
                encoder.refresh();
                continue;
            }
            screen.begin_frame();
            for r in &rects {
                prop_assert!(screen.apply(r.rect, r.encoding, &r.data).is_ok(), "{:?}", r.encoding);
            }
            prop_assert!(screen.pixels() == &pixels[..]);
        }
    }
}

/// A block cursor in a cell, as a terminal draws it.
fn cursor(pixels: &mut [u8], col: usize, line: usize, on: bool) {
    for y in 0..13 {
        for x in 0..6 {
            let (x, y) = (8 + col * 6 + x, 8 + line * 13 + y);
            let at = (y * usize::from(W) + x) * 4;
            pixels[at..at + 4].copy_from_slice(if on { &FG } else { &BG });
        }
    }
}

/// Typing, a character a frame: once its glyphs are known, a keystroke's
/// box (the character and the cursor after it) goes as glyph keys unless
/// the very box was sent before, and the viewer stays exact.
#[test]
fn typed_characters_go_as_known_glyphs() {
    let (mut encoder, mut screen, mut pixels) = start();
    let mut seed = 99u32;
    let (mut glyph_frames, mut late) = (0, Vec::new());
    let mut n = 0;
    for frame in 0..300 {
        // One or two keystrokes a frame, as a fast typist's come.
        for _ in 0..1 + frame % 2 {
            let (col, line) = (n % COLS, n / COLS);
            seed = seed.wrapping_mul(1_664_525).wrapping_add(1_013_904_223);
            cursor(&mut pixels, col, line, false);
            draw(&mut pixels, col, line, 1 + (seed >> 16) % 26);
            n += 1;
        }
        cursor(&mut pixels, n % COLS, n / COLS, true);
        let rects = encoder.encode(W, H, &pixels, None).unwrap();
        for r in rects.iter().filter(|r| r.encoding == Encoding::Glyphs) {
            glyph_frames += 1;
            if frame >= 100 {
                late.push(r.data.len());
            }
        }
        apply_all(&mut screen, &rects);
        assert!(screen.pixels() == &pixels[..], "frame {frame}");
    }
    // Most two-letter boxes are new pairs, which only glyphs name cheaply:
    // once the letters are known, a band and three keys (the palette of such
    // a box is over 50 bytes).
    assert!(glyph_frames >= 100, "{glyph_frames} frames with glyphs");
    late.sort_unstable();
    assert!(
        late[late.len() / 2] <= 32,
        "median {} B",
        late[late.len() / 2]
    );
}

/// A first picture of text (a session's start, a refresh) goes like a new
/// page does: as glyphs, and not tile by tile.
#[test]
fn a_first_picture_of_text_costs_what_a_new_page_does() {
    let mut pixels = common::solid_screen(W, H, BG);
    page(&mut pixels, prose(0));
    let mut encoder = Encoder::new(beckon_video::EncoderConfig::default());
    let rects = encoder.encode(W, H, &pixels, None).unwrap();
    assert!(
        rects.iter().any(|r| r.encoding == Encoding::Glyphs),
        "{:?}",
        rects.iter().map(|r| r.encoding).collect::<Vec<_>>()
    );
    let first: usize = rects.iter().map(|r| r.data.len()).sum();
    let mut screen = Screen::new(W, H);
    apply_all(&mut screen, &rects);
    assert!(screen.pixels() == &pixels[..]);
    // The same page as a change on a started screen.
    let (mut encoder, _, _) = start();
    let change: usize = encoder
        .encode(W, H, &pixels, None)
        .unwrap()
        .iter()
        .map(|r| r.data.len())
        .sum();
    assert!(
        first <= change + change / 10,
        "first {first} B, as a change {change} B"
    );
    // After a refresh everything goes again, and the viewer's glyphs are
    // forgotten with it: a fresh viewer decodes it.
    encoder.refresh();
    let rects = encoder.encode(W, H, &pixels, None).unwrap();
    let mut fresh = Screen::new(W, H);
    apply_all(&mut fresh, &rects);
    assert!(fresh.pixels() == &pixels[..]);
}
