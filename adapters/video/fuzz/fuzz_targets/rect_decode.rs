//! Any rectangle header and any bytes given to `Screen::apply` give `Ok` or
//! an error, never a panic, and an error leaves the screen as it was.
//!
//! Run with `cargo fuzz run rect_decode` in `adapters/video/fuzz`.
#![no_main]

use beckon_video::{Encoding, Rect, Screen};
use libfuzzer_sys::fuzz_target;

const ENCODINGS: [Encoding; 10] = [
    Encoding::Raw,
    Encoding::Solid,
    Encoding::Copy,
    Encoding::Palette,
    Encoding::Lz4,
    Encoding::Jpeg,
    Encoding::H264,
    Encoding::Cached,
    Encoding::PaletteZ,
    Encoding::Glyphs,
];

fuzz_target!(|data: &[u8]| {
    let Some((head, body)) = data.split_first_chunk::<9>() else {
        return;
    };
    let word = |i: usize| u16::from_le_bytes([head[i], head[i + 1]]);
    // Mostly small rectangles, so many land inside the screen; sometimes huge.
    let rect = Rect {
        x: word(0) % 80,
        y: word(2) % 60,
        w: word(4) % 90,
        h: word(6) % 70,
    };
    let encoding = ENCODINGS[usize::from(head[8]) % ENCODINGS.len()];
    let mut screen = Screen::new(64, 48);
    let before = screen.clone();
    if screen.apply(rect, encoding, body).is_err() {
        assert_eq!(screen, before, "a failed apply changed the screen");
    }
});
