//! Small rectangles that come again (a glyph typed twice) go as a key the
//! viewer looks up, and the viewer stays exact however frames are lost.

mod common;

use beckon_video::{Encoder, Encoding, Rect, Screen};
use common::apply_all;
use proptest::prelude::*;

const W: u16 = 320;
const H: u16 = 64;
/// One character cell of a 6×13 terminal font.
const CELL: (u16, u16) = (6, 13);
const BG: [u8; 4] = [255, 255, 255, 255];
const FG: [u8; 4] = [0, 0, 0, 255];

/// A made-up glyph for `c`: a few pixels of a cell, always the same for `c`.
fn draw_glyph(pixels: &mut [u8], col: u16, c: u8) {
    let (x0, y0) = (col * CELL.0, 20);
    for dy in 0..CELL.1 {
        for dx in 0..CELL.0 {
            let on = (u32::from(c) * 31 + u32::from(dy) * 7 + u32::from(dx) * 3) % 5 == 0;
            let at = ((usize::from(y0 + dy) * usize::from(W)) + usize::from(x0 + dx)) * 4;
            pixels[at..at + 4].copy_from_slice(if on { &FG } else { &BG });
        }
    }
}

/// The block cursor on cell `col`.
fn draw_cursor(pixels: &mut [u8], col: u16) {
    let (x0, y0) = (col * CELL.0, 20);
    for dy in 0..CELL.1 {
        for dx in 0..CELL.0 {
            let at = ((usize::from(y0 + dy) * usize::from(W)) + usize::from(x0 + dx)) * 4;
            pixels[at..at + 4].copy_from_slice(&FG);
        }
    }
}

/// A terminal line: type `text` one character a frame; returns the bytes
/// sent per character and how many rectangles went as keys.
fn type_line(
    encoder: &mut Encoder,
    screen: &mut Screen,
    pixels: &mut [u8],
    text: &[u8],
) -> (Vec<usize>, usize) {
    let mut bytes = Vec::new();
    let mut keys = 0;
    for (col, &c) in text.iter().enumerate() {
        let col = col as u16;
        draw_glyph(pixels, col, c);
        draw_cursor(pixels, col + 1);
        let rects = encoder.encode(W, H, pixels, None).unwrap();
        keys += rects
            .iter()
            .filter(|r| r.encoding == Encoding::Cached)
            .count();
        bytes.push(rects.iter().map(|r| r.data.len()).sum());
        apply_all(screen, &rects);
        assert!(screen.pixels() == &pixels[..], "viewer differs after {c}");
    }
    (bytes, keys)
}

fn start() -> (Encoder, Screen, Vec<u8>) {
    common::started(W, H, BG)
}

#[test]
fn a_glyph_typed_again_goes_as_a_key() {
    let (mut encoder, mut screen, mut pixels) = start();
    // Cells 6 pixels wide against 64-pixel tiles: a glyph and the cursor
    // after it sometimes straddle two tiles, so the text is long enough for
    // every character to come again at the same place within a tile.
    let text = b"abcabcabcabcabcabcabcabcabcabcabcabcabcabcabcabcab";
    let (bytes, keys) = type_line(&mut encoder, &mut screen, &mut pixels, text);
    let first: usize = bytes[..3].iter().sum();
    let later: usize = bytes[30..33].iter().sum();
    assert!(
        keys >= text.len() / 2,
        "{keys} keys for {} characters",
        text.len()
    );
    assert!(
        later * 2 < first,
        "later {later} bytes, first {first} bytes"
    );
}

#[test]
fn a_frame_never_sent_leaves_no_key_the_viewer_lacks() {
    let (mut encoder, mut screen, mut pixels) = start();
    type_line(&mut encoder, &mut screen, &mut pixels, b"xyz");
    // "xyz" again, encoded but never sent: the driver refreshes.
    let mut lost = pixels.clone();
    for (col, &c) in b"xyz".iter().enumerate() {
        draw_glyph(&mut lost, 10 + col as u16, c);
    }
    let _never_sent = encoder.encode(W, H, &lost, None).unwrap();
    encoder.refresh();
    // Everything again, then typing; every key must be one the viewer has.
    apply_all(&mut screen, &encoder.encode(W, H, &pixels, None).unwrap());
    type_line(&mut encoder, &mut screen, &mut pixels, b"xyzxyzxyz");
}

#[test]
fn an_unknown_key_is_refused_and_changes_nothing() {
    let mut screen = Screen::new(8, 8);
    let before = screen.clone();
    assert!(screen
        .apply(Rect::new(0, 0, 2, 2), Encoding::Cached, &7u64.to_le_bytes())
        .is_err());
    assert!(screen
        .apply(Rect::new(0, 0, 2, 2), Encoding::Cached, &[1, 2])
        .is_err());
    assert!(screen
        .apply(Rect::new(0, 0, 2, 2), Encoding::Cached, &[1])
        .is_err());
    assert_eq!(screen, before);
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]

    /// Typing from a small alphabet, with frames lost now and then (encoded,
    /// never applied, then a refresh): the viewer always ends exact.
    #[test]
    fn viewer_stays_exact_with_lost_frames(
        text in prop::collection::vec(0u8..4, 1..40),
        lost in prop::collection::vec(any::<bool>(), 40),
    ) {
        let (mut encoder, mut screen, mut pixels) = start();
        for (col, &c) in text.iter().enumerate() {
            let col = col as u16;
            draw_glyph(&mut pixels, col, c);
            draw_cursor(&mut pixels, col + 1);
            let rects = encoder.encode(W, H, &pixels, None).unwrap();
            if lost[col as usize] {
                encoder.refresh();
                continue;
            }
            screen.begin_frame();
            for r in &rects {
                prop_assert!(screen.apply(r.rect, r.encoding, &r.data).is_ok(), "{:?}", r);
            }
            prop_assert!(screen.pixels() == &pixels[..]);
        }
    }
}

/// What a viewer keeps (`Cached`) or needs the frame's stream for
/// (`PaletteZ`) becomes, for a viewer that joined late, rectangles that
/// decode on their own to the same pixels.
#[test]
fn standalone_rectangles_decode_on_a_fresh_screen() {
    let (mut encoder, mut screen, mut pixels) = start();
    // A page of text (whole tiles, PaletteZ) and a glyph typed twice
    // (Cached the second time).
    common::paint(
        &mut pixels,
        W,
        H,
        Rect::new(0, 0, 256, 64),
        common::Paint::Glyphs(4),
    );
    let mut late = Screen::new(W, H);
    late.apply(Rect::new(0, 0, W, H), Encoding::Raw, screen.pixels())
        .unwrap();
    let mut kinds = Vec::new();
    for frame in 0..2 {
        if frame == 1 {
            draw_glyph(&mut pixels, 51, 3);
            draw_glyph(&mut pixels, 60, 3);
        }
        let rects = encoder.encode(W, H, &pixels, None).unwrap();
        screen.begin_frame();
        late.begin_frame();
        for r in rects {
            screen.apply(r.rect, r.encoding, &r.data).unwrap();
            kinds.push(r.encoding);
            let (encoding, data) = screen.standalone(r.rect, r.encoding, r.data);
            assert!(!matches!(encoding, Encoding::Cached | Encoding::PaletteZ));
            late.apply(r.rect, encoding, &data).unwrap();
        }
    }
    assert!(kinds.contains(&Encoding::PaletteZ), "{kinds:?}");
    assert!(kinds.contains(&Encoding::Cached), "{kinds:?}");
    assert!(screen.pixels() == &pixels[..]);
    assert!(late.pixels() == &pixels[..]);
}
