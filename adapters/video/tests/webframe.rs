//! Encoder output packed into web frames and applied in one go gives the
//! viewer exactly the source screen, frame after frame.

mod common;

use beckon_video::webframe::{self, WebFrameWriter};
use beckon_video::{Encoder, EncoderConfig, Rect, Screen};
use common::{paint, solid_screen, Paint};

const W: u16 = 333;
const H: u16 = 211;

/// Encode `pixels`, pack the rectangles with the pointer, apply the message.
fn send(encoder: &mut Encoder, screen: &mut Screen, pixels: &[u8]) -> webframe::Applied {
    let rects = encoder.encode(W, H, pixels, None).unwrap();
    let mut writer = WebFrameWriter::begin(W, H);
    writer.rects(&rects).unwrap();
    writer.cursor(7, 9);
    let applied = webframe::apply(screen, &writer.finish()).unwrap();
    assert_eq!(applied.cursor, Some((7, 9)));
    applied
}

#[test]
fn round_trip_every_lossless_encoding() {
    let mut pixels = solid_screen(W, H, [30, 60, 90, 255]);
    paint(
        &mut pixels,
        W,
        H,
        Rect::new(0, 0, 150, 120),
        Paint::Glyphs(3),
    );
    paint(
        &mut pixels,
        W,
        H,
        Rect::new(150, 0, 120, 100),
        Paint::Stripes(5),
    );
    paint(
        &mut pixels,
        W,
        H,
        Rect::new(10, 130, 200, 70),
        Paint::Photo(7),
    );
    paint(
        &mut pixels,
        W,
        H,
        Rect::new(260, 110, 60, 60),
        Paint::Noise(9),
    );

    let mut encoder = Encoder::new(EncoderConfig { tile: 32 });
    let mut screen = Screen::new(1, 1);
    let applied = send(&mut encoder, &mut screen, &pixels);
    assert!(applied.resized);
    assert_eq!(applied.dirty, Some(Rect::new(0, 0, W, H)));
    assert_eq!(screen.pixels(), &pixels[..]);

    // Scroll the text up by 32 rows (copies) and change one small spot.
    let row = usize::from(W) * 4;
    pixels.copy_within(32 * row.., 0);
    paint(
        &mut pixels,
        W,
        H,
        Rect::new(300, 200, 5, 5),
        Paint::Solid([1, 2, 3, 255]),
    );
    let applied = send(&mut encoder, &mut screen, &pixels);
    assert!(!applied.resized);
    assert!(
        encoder.last_copied() > 0,
        "the scroll should travel as copies"
    );
    assert_eq!(screen.pixels(), &pixels[..]);

    // Nothing changed: an empty frame, nothing dirty.
    let applied = send(&mut encoder, &mut screen, &pixels);
    assert_eq!(applied.dirty, None);
    assert_eq!(screen.pixels(), &pixels[..]);
}

#[test]
fn a_small_change_is_a_small_dirty_box() {
    let mut pixels = solid_screen(W, H, [250, 250, 250, 255]);
    paint(&mut pixels, W, H, Rect::new(0, 0, W, H), Paint::Glyphs(1));
    let mut encoder = Encoder::new(EncoderConfig { tile: 64 });
    let mut screen = Screen::new(W, H);
    send(&mut encoder, &mut screen, &pixels);

    paint(
        &mut pixels,
        W,
        H,
        Rect::new(70, 70, 6, 10),
        Paint::Solid([0, 0, 0, 255]),
    );
    let applied = send(&mut encoder, &mut screen, &pixels);
    // The box around what changed, inside the painted area (some of its
    // pixels may have been black already).
    let dirty = applied.dirty.expect("something changed");
    assert!(dirty.x >= 70 && dirty.y >= 70, "{dirty:?}");
    assert!(
        dirty.x + dirty.w <= 76 && dirty.y + dirty.h <= 80,
        "{dirty:?}"
    );
    assert_eq!(screen.pixels(), &pixels[..]);
}

#[test]
fn jpeg_tiles_decode_close_to_the_source() {
    let mut pixels = solid_screen(W, H, [0, 0, 0, 255]);
    paint(&mut pixels, W, H, Rect::new(0, 0, W, H), Paint::Photo(11));
    let mut encoder = Encoder::new(EncoderConfig { tile: 64 });
    encoder.set_lossy_quality(Some(80));
    let mut screen = Screen::new(W, H);
    send(&mut encoder, &mut screen, &pixels);
    assert!(encoder.last_lossy() > 0, "the photo should travel as JPEG");
    let worst = screen
        .pixels()
        .iter()
        .zip(&pixels)
        .map(|(a, b)| a.abs_diff(*b))
        .max();
    assert!(worst.is_some_and(|d| d < 48), "worst difference {worst:?}");
    assert!(screen.pixels().chunks(4).all(|px| px[3] == 255));
}
