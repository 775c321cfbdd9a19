//! The encoder's choices: what it sends, what it skips, and how.

mod common;

use beckon_video::{EncodeError, EncodeStats, Encoder, EncoderConfig, Encoding, Rect, Screen};
use common::{apply_all, check_length, paint, solid_screen, Paint};

const W: u16 = 130;
const H: u16 = 67;
/// Tiles of a 130×67 screen at 64 pixels: 3 columns, 2 rows.
const TILES: u32 = 6;

fn striped() -> Vec<u8> {
    let mut pixels = solid_screen(W, H, [0; 4]);
    paint(&mut pixels, W, H, Rect::new(0, 0, W, H), Paint::Stripes(1));
    pixels
}

fn primed(pixels: &[u8]) -> Encoder {
    let mut encoder = Encoder::new(EncoderConfig::default());
    assert_eq!(
        encoder.encode(W, H, pixels, None).unwrap().len() as u32,
        TILES
    );
    encoder
}

#[test]
fn unchanged_screen_sends_nothing() {
    let pixels = striped();
    let mut encoder = primed(&pixels);
    assert!(encoder.encode(W, H, &pixels, None).unwrap().is_empty());
    assert_eq!(
        encoder.last_stats(),
        EncodeStats {
            tiles_compared: TILES,
            tiles_sent: 0,
            bytes: 0
        }
    );
}

#[test]
fn one_pixel_sends_one_pixel() {
    let mut pixels = striped();
    let mut encoder = primed(&pixels);
    let mut screen = Screen::new(W, H);
    screen
        .apply(Rect::new(0, 0, W, H), Encoding::Raw, &pixels)
        .unwrap();

    let i = (66 * usize::from(W) + 129) * 4;
    pixels[i] ^= 0xff;
    let rects = encoder.encode(W, H, &pixels, None).unwrap();
    assert_eq!(rects.len(), 1);
    assert_eq!(
        rects[0].rect,
        Rect::new(129, 66, 1, 1),
        "only the changed pixel of the last, clipped tile"
    );
    assert_eq!(encoder.last_stats().tiles_sent, 1);
    apply_all(&mut screen, &rects);
    assert_eq!(screen.pixels(), &pixels[..]);
}

#[test]
fn a_solid_first_picture_is_one_solid_rectangle() {
    let pixels = solid_screen(W, H, [10, 20, 30, 255]);
    let rects = Encoder::new(EncoderConfig::default())
        .encode(W, H, &pixels, None)
        .unwrap();
    assert_eq!(rects.len(), 1);
    assert_eq!(rects[0].rect, Rect::new(0, 0, W, H));
    assert_eq!(rects[0].encoding, Encoding::Solid);
    assert_eq!(rects[0].data, [10, 20, 30, 255]);
}

#[test]
fn encodings_follow_content() {
    let mut pixels = solid_screen(W, H, [0; 4]);
    paint(&mut pixels, W, H, Rect::new(0, 0, 64, 64), Paint::Noise(5));
    paint(
        &mut pixels,
        W,
        H,
        Rect::new(64, 0, 64, 64),
        Paint::Stripes(5),
    );
    let rects = Encoder::new(EncoderConfig::default())
        .encode(W, H, &pixels, None)
        .unwrap();
    let kinds: Vec<(Encoding, Rect)> = rects.iter().map(|r| (r.encoding, r.rect)).collect();
    use Encoding::*;
    // The tiles of the first row one by one; the empty second row, a run of
    // whole tiles of one colour, as one solid rectangle.
    assert_eq!(
        kinds,
        [
            (Raw, Rect::new(0, 0, 64, 64)),
            (Lz4, Rect::new(64, 0, 64, 64)),
            (Solid, Rect::new(128, 0, 2, 64)),
            (Solid, Rect::new(0, 64, W, 3)),
        ]
    );
    assert!(
        rects[1].data.len() < 64 * 64 * 4 / 4,
        "stripes compress well"
    );
    rects.iter().for_each(check_length);
}

#[test]
fn damage_limits_comparison() {
    let mut pixels = striped();
    let mut encoder = primed(&pixels);
    let mut screen = Screen::new(W, H);
    screen
        .apply(Rect::new(0, 0, W, H), Encoding::Raw, &pixels)
        .unwrap();

    // A change the hint does not cover is not seen...
    pixels[0] ^= 1;
    let far = [Rect::new(100, 60, 5, 5)];
    assert!(encoder
        .encode(W, H, &pixels, Some(&far))
        .unwrap()
        .is_empty());
    assert_eq!(
        encoder.last_stats().tiles_compared,
        2,
        "(100,60)-(105,65) touches two tiles"
    );

    // ...a damaged but unchanged tile is compared and skipped...
    assert!(encoder
        .encode(W, H, &pixels, Some(&[Rect::new(64, 0, 1, 1)]))
        .unwrap()
        .is_empty());
    assert_eq!(encoder.last_stats().tiles_compared, 1);

    // ...and the missed change is still sent when something covers it.
    let rects = encoder.encode(W, H, &pixels, None).unwrap();
    assert_eq!(rects.len(), 1);
    assert_eq!(rects[0].rect, Rect::new(0, 0, 1, 1), "the changed pixel");
    apply_all(&mut screen, &rects);
    assert_eq!(screen.pixels(), &pixels[..]);
}

#[test]
fn refresh_sends_everything() {
    let pixels = striped();
    let mut encoder = primed(&pixels);
    encoder.refresh();
    assert_eq!(
        encoder.encode(W, H, &pixels, Some(&[])).unwrap().len() as u32,
        TILES
    );
    assert_eq!(encoder.last_stats().tiles_compared, 0);
    assert!(encoder.encode(W, H, &pixels, None).unwrap().is_empty());
}

#[test]
fn bad_input_is_refused_and_changes_nothing() {
    let pixels = striped();
    let mut encoder = primed(&pixels);
    assert_eq!(encoder.encode(0, H, &[], None), Err(EncodeError::ZeroSize));
    assert_eq!(
        encoder.encode(W, H, &pixels[4..], None),
        Err(EncodeError::PixelLength {
            expected: pixels.len(),
            got: pixels.len() - 4
        })
    );
    assert_eq!(
        encoder.encode(9000, 1, &[0; 9000 * 4], None),
        Err(EncodeError::TooLarge {
            width: 9000,
            height: 1
        })
    );
    // The previous screen survived the errors.
    assert!(encoder.encode(W, H, &pixels, None).unwrap().is_empty());
}

#[test]
fn tile_zero_does_not_panic() {
    let pixels = solid_screen(3, 2, [1, 2, 3, 4]);
    let mut encoder = Encoder::new(EncoderConfig { tile: 0 });
    let rects = encoder.encode(3, 2, &pixels, None).unwrap();
    let mut screen = Screen::new(3, 2);
    apply_all(&mut screen, &rects);
    assert_eq!(screen.pixels(), &pixels[..]);
    // A tile of 0 is taken as 1: one changed pixel is one tile's worth.
    let mut changed = pixels.clone();
    changed[4..8].copy_from_slice(&[9, 9, 9, 9]);
    let rects = encoder.encode(3, 2, &changed, None).unwrap();
    assert_eq!(encoder.last_stats().tiles_compared, 6);
    apply_all(&mut screen, &rects);
    assert_eq!(screen.pixels(), &changed[..]);
}

#[test]
fn big_tile_covers_the_screen() {
    let pixels = striped();
    let mut encoder = Encoder::new(EncoderConfig { tile: u16::MAX });
    let rects = encoder.encode(W, H, &pixels, None).unwrap();
    assert_eq!(rects.len(), 1);
    assert_eq!(rects[0].rect, Rect::new(0, 0, W, H));
}

/// A window dragged diagonally over a plain desktop: no row or column of the
/// changed area matches one of the previous screen, so only the windowing
/// system's word that the window moved finds the copy.
#[test]
fn a_reported_window_move_is_sent_as_a_copy() {
    const SW: u16 = 640;
    const SH: u16 = 400;
    let desk = [40, 90, 160, 255];
    let window = |x: u16, y: u16| {
        let mut p = solid_screen(SW, SH, desk);
        paint(&mut p, SW, SH, Rect::new(x, y, 200, 150), Paint::Noise(9));
        p
    };
    let before = window(100, 80);
    let after = window(137, 101);
    let bytes = |hint: bool| {
        let mut encoder = Encoder::new(EncoderConfig::default());
        let mut screen = Screen::new(SW, SH);
        apply_all(&mut screen, &encoder.encode(SW, SH, &before, None).unwrap());
        if hint {
            // Reported in two steps before the frame: (100,80) → (120,90) → (137,101).
            encoder.hint_moves(&[(100 - 120, 80 - 90)]);
            encoder.hint_moves(&[(120 - 137, 90 - 101)]);
        }
        let rects = encoder.encode(SW, SH, &after, None).unwrap();
        apply_all(&mut screen, &rects);
        assert!(
            screen.pixels() == &after[..],
            "viewer differs (hint {hint})"
        );
        let copies = rects
            .iter()
            .filter(|r| r.encoding == Encoding::Copy)
            .count();
        (rects.iter().map(|r| r.data.len()).sum::<usize>(), copies)
    };
    let (blind, blind_copies) = bytes(false);
    let (hinted, hinted_copies) = bytes(true);
    assert!(hinted_copies > 0, "the hint found no copy");
    assert!(
        hinted * 4 < blind,
        "with the hint {hinted} bytes ({hinted_copies} copies), without {blind} ({blind_copies})"
    );
}

/// A change across a tile's edge (a glyph and the cursor after it) goes as
/// one box, not one per tile, and the viewer ends exact.
#[test]
fn a_small_change_across_tiles_is_one_box() {
    let (sw, sh) = (256u16, 128u16);
    let mut pixels = solid_screen(sw, sh, [250, 250, 250, 255]);
    let mut encoder = Encoder::new(EncoderConfig::default());
    let mut screen = Screen::new(sw, sh);
    apply_all(&mut screen, &encoder.encode(sw, sh, &pixels, None).unwrap());
    // 12x13 pixels from x=58: six in the first tile, six in the second.
    paint(
        &mut pixels,
        sw,
        sh,
        Rect::new(58, 60, 12, 13),
        Paint::Noise(3),
    );
    let rects = encoder.encode(sw, sh, &pixels, None).unwrap();
    assert_eq!(rects.len(), 1, "{rects:?}");
    assert_eq!(rects[0].rect, Rect::new(58, 60, 12, 13));
    apply_all(&mut screen, &rects);
    assert!(screen.pixels() == &pixels[..]);
    // Far apart, two boxes.
    paint(&mut pixels, sw, sh, Rect::new(2, 2, 4, 4), Paint::Noise(4));
    paint(
        &mut pixels,
        sw,
        sh,
        Rect::new(200, 100, 4, 4),
        Paint::Noise(5),
    );
    let rects = encoder.encode(sw, sh, &pixels, None).unwrap();
    assert_eq!(rects.len(), 2, "{rects:?}");
    apply_all(&mut screen, &rects);
    assert!(screen.pixels() == &pixels[..]);
}
