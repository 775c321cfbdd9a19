use super::*;
use beckon_video::{Rect, Screen};

const PALETTE: [[u8; 4]; 6] = [
    [0, 0, 0, 255],
    [255, 255, 255, 255],
    [200, 30, 30, 255],
    [30, 200, 30, 255],
    [30, 30, 200, 255],
    [90, 90, 90, 255],
];

/// A frame whose pixels follow `f(x, y)`.
fn frame(width: u16, height: u16, f: impl Fn(u16, u16) -> u8) -> ([[u8; 4]; 6], std::vec::Vec<u8>) {
    let mut px = std::vec::Vec::new();
    for y in 0..height {
        for x in 0..width {
            px.push(f(x, y));
        }
    }
    (PALETTE, px)
}

extern crate std;

/// Encode every tile and decode it with the expert's decoder; the result
/// must be the frame's pixels in RGBA.
fn round_trip(width: u16, height: u16, f: impl Fn(u16, u16) -> u8) -> std::vec::Vec<Encoding> {
    let (palette, pixels) = frame(width, height, &f);
    let frame = IndexedFrame {
        width,
        height,
        palette: &palette,
        pixels: &pixels,
    };
    let grid = Grid { width, height };
    let mut screen = Screen::new(width, height);
    let mut out = [0u8; MAX_TILE_BYTES];
    let mut encodings = std::vec::Vec::new();
    for i in 0..grid.len() {
        let r = grid.rect(i);
        let (enc, n) = encode_tile(&frame, r, &mut out).unwrap();
        encodings.push(enc);
        screen
            .apply(Rect::new(r.x, r.y, r.w, r.h), enc, &out[..n])
            .unwrap();
    }
    for y in 0..height {
        for x in 0..width {
            let at = (usize::from(y) * usize::from(width) + usize::from(x)) * 4;
            assert_eq!(
                &screen.pixels()[at..at + 4],
                &palette[usize::from(f(x, y))],
                "pixel {x},{y}"
            );
        }
    }
    encodings
}

#[test]
fn a_plain_screen_is_all_solid_tiles() {
    let encs = round_trip(64, 32, |_, _| 4);
    assert!(encs.iter().all(|e| *e == Encoding::Solid));
}

#[test]
fn two_four_and_many_colours_decode_exactly() {
    round_trip(32, 16, |x, y| ((x + y) % 2) as u8);
    round_trip(32, 16, |x, y| ((x * 3 + y) % 4) as u8);
    round_trip(32, 16, |x, y| ((x * 7 + y * 3) % 6) as u8);
}

#[test]
fn clipped_edge_tiles_and_odd_widths_decode_exactly() {
    let encs = round_trip(75, 37, |x, y| ((x / 3 + y / 5) % 6) as u8);
    assert_eq!(encs.len(), 3 * 3);
}

#[test]
fn long_literal_runs_use_extension_bytes() {
    let mut out = [0u8; 8];
    assert_eq!(lz4_literal_header(14, &mut out), 1);
    assert_eq!(out[0], 0xE0);
    assert_eq!(lz4_literal_header(15 + 255 + 3, &mut out), 3);
    assert_eq!(&out[..3], &[0xF0, 255, 3]);
}

#[test]
fn bad_tiles_are_refused_not_panicked() {
    let (palette, pixels) = frame(32, 16, |_, _| 0);
    let frame = IndexedFrame {
        width: 32,
        height: 16,
        palette: &palette,
        pixels: &pixels,
    };
    let mut out = [0u8; MAX_TILE_BYTES];
    let outside = TileRect {
        x: 16,
        y: 0,
        w: 32,
        h: 16,
    };
    assert_eq!(
        encode_tile(&frame, outside, &mut out),
        Err(EncodeError::OutOfBounds)
    );
    let mut small = [0u8; 8];
    let r = TileRect {
        x: 0,
        y: 0,
        w: 32,
        h: 16,
    };
    assert_eq!(
        encode_tile(&frame, r, &mut small),
        Err(EncodeError::BufferTooSmall)
    );
    let bad = [9u8; 32 * 16];
    let frame = IndexedFrame {
        pixels: &bad,
        ..frame
    };
    assert_eq!(encode_tile(&frame, r, &mut out), Err(EncodeError::BadIndex));
}

#[test]
fn damage_marks_the_tiles_a_rectangle_touches() {
    let grid = Grid {
        width: 100,
        height: 40,
    };
    let mut d = Damage::new();
    d.mark_rect(grid, 31, 15, 2, 2);
    let marked: std::vec::Vec<usize> = d.iter().collect();
    assert_eq!(marked, [0, 1, 4, 5]);
    d.clear();
    d.all(grid);
    assert_eq!(d.count(), grid.len());
}
