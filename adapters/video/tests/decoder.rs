//! The viewer's decoder takes bytes from the network: it must refuse
//! anything malformed without panicking and without touching the screen.

mod common;

use beckon_video::{DecodeError, Encoding, Rect, Screen};
use proptest::prelude::*;

const ALL: [Encoding; 10] = [
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

fn lz4_with_size(declared: u32, block: &[u8]) -> Vec<u8> {
    let mut data = declared.to_le_bytes().to_vec();
    data.extend_from_slice(block);
    data
}

proptest! {
    #[test]
    fn arbitrary_input_never_panics(
        x in prop_oneof![0u16..40, any::<u16>()],
        y in prop_oneof![0u16..40, any::<u16>()],
        w in prop_oneof![0u16..40, any::<u16>()],
        h in prop_oneof![0u16..40, any::<u16>()],
        encoding in prop::sample::select(ALL.to_vec()),
        data in prop::collection::vec(any::<u8>(), 0..600),
        sized in any::<bool>(),
    ) {
        let mut data = data;
        // Half the time, a size prefix that matches the rect, so LZ4 data
        // gets past the size check into the block decoder.
        let raw = usize::from(w) * usize::from(h) * 4;
        if sized && encoding == Encoding::Lz4 && data.len() >= 4 {
            data[..4].copy_from_slice(&(raw as u32).to_le_bytes());
        }
        let mut screen = Screen::new(32, 24);
        let before = screen.clone();
        let rect = Rect::new(x, y, w, h);
        let fits = w > 0 && h > 0 && u32::from(x) + u32::from(w) <= 32 && u32::from(y) + u32::from(h) <= 24;
        match screen.apply(rect, encoding, &data) {
            Ok(()) => {
                prop_assert!(fits);
                match encoding {
                    Encoding::Raw => prop_assert_eq!(data.len(), raw),
                    Encoding::Solid => prop_assert_eq!(data.len(), 4),
                    Encoding::Lz4 => prop_assert_eq!(&data[..4], &(raw as u32).to_le_bytes()[..]),
                    Encoding::Copy => prop_assert_eq!(data.len(), 4),
                    // Checked through and through by the decoder.
                    Encoding::Palette | Encoding::PaletteZ | Encoding::Glyphs | Encoding::Jpeg => {}
                    other => prop_assert!(false, "{:?} accepted", other),
                }
            }
            Err(e) => {
                prop_assert_eq!(&screen, &before, "an error leaves the screen alone");
                if !fits {
                    prop_assert_eq!(e, DecodeError::OutOfBounds(rect));
                }
            }
        }
    }

    /// Valid LZ4 of the right size with random corruption: Ok or Err, never
    /// a panic.
    #[test]
    fn corrupted_lz4_never_panics(
        seed in any::<Vec<u8>>(),
        flips in prop::collection::vec((any::<prop::sample::Index>(), any::<u8>()), 1..4),
    ) {
        let pixels: Vec<u8> = (0..16 * 16 * 4).map(|i| seed.get(i / 64).copied().unwrap_or(i as u8)).collect();
        let mut data = lz4_flex::block::compress_prepend_size(&pixels);
        for (at, v) in flips {
            let i = 4 + at.index(data.len() - 4);
            data[i] ^= v | 1;
        }
        let mut screen = Screen::new(16, 16);
        let _ = screen.apply(Rect::new(0, 0, 16, 16), Encoding::Lz4, &data);
    }
}

#[test]
fn wrong_lengths_are_refused() {
    let mut screen = Screen::new(10, 10);
    let r = Rect::new(2, 3, 4, 5);
    assert_eq!(
        screen.apply(r, Encoding::Raw, &[0; 79]),
        Err(DecodeError::DataLength {
            expected: 80,
            got: 79
        })
    );
    assert_eq!(
        screen.apply(r, Encoding::Raw, &[0; 81]),
        Err(DecodeError::DataLength {
            expected: 80,
            got: 81
        })
    );
    assert_eq!(
        screen.apply(r, Encoding::Solid, &[0; 3]),
        Err(DecodeError::DataLength {
            expected: 4,
            got: 3
        })
    );
    assert_eq!(
        screen.apply(r, Encoding::Lz4, &[80, 0, 0]),
        Err(DecodeError::DataLength {
            expected: 4,
            got: 3
        })
    );
}

#[test]
fn lz4_size_must_match_the_rect() {
    let mut screen = Screen::new(10, 10);
    let r = Rect::new(0, 0, 2, 2);
    let good = lz4_flex::block::compress_prepend_size(&[7; 16]);
    screen.apply(r, Encoding::Lz4, &good).unwrap();
    assert_eq!(&screen.pixels()[..8], &[7; 8]);

    let huge = lz4_with_size(u32::MAX, &good[4..]);
    assert_eq!(
        screen.apply(r, Encoding::Lz4, &huge),
        Err(DecodeError::Lz4Size {
            declared: u32::MAX,
            expected: 16
        })
    );
    let small = lz4_flex::block::compress_prepend_size(&[7; 12]);
    assert_eq!(
        screen.apply(r, Encoding::Lz4, &small),
        Err(DecodeError::Lz4Size {
            declared: 12,
            expected: 16
        })
    );
    // Declares the right size but holds fewer bytes.
    let short = lz4_with_size(16, &small[4..]);
    assert_eq!(
        screen.apply(r, Encoding::Lz4, &short),
        Err(DecodeError::Lz4Corrupt)
    );
    // Trailing garbage after a valid block.
    let mut trailing = good.clone();
    trailing.extend_from_slice(&[0xff; 8]);
    assert!(screen.apply(r, Encoding::Lz4, &trailing).is_err());
}

#[test]
fn out_of_bounds_is_refused() {
    let mut screen = Screen::new(10, 10);
    for r in [
        Rect::new(0, 0, 0, 1),
        Rect::new(0, 0, 1, 0),
        Rect::new(9, 0, 2, 1),
        Rect::new(0, 10, 1, 1),
        Rect::new(u16::MAX, u16::MAX, u16::MAX, u16::MAX),
    ] {
        assert_eq!(
            screen.apply(r, Encoding::Solid, &[0; 4]),
            Err(DecodeError::OutOfBounds(r))
        );
    }
}

#[test]
fn unsupported_encodings_are_named() {
    // Only H.264 may be unsupported: without the `h264` feature.
    let mut screen = Screen::new(10, 10);
    let expected = match beckon_video::H264 {
        true => DecodeError::BadH264,
        false => DecodeError::Unsupported(Encoding::H264),
    };
    assert_eq!(
        screen.apply(Rect::new(0, 0, 1, 1), Encoding::H264, &[0; 4]),
        Err(expected)
    );
}

#[test]
fn new_and_resize_are_opaque_black() {
    let mut screen = Screen::new(3, 2);
    assert_eq!((screen.width(), screen.height()), (3, 2));
    assert_eq!(screen.pixels(), [0, 0, 0, 255].repeat(6));
    screen
        .apply(Rect::new(1, 1, 2, 1), Encoding::Solid, &[9, 9, 9, 9])
        .unwrap();
    assert_eq!(&screen.pixels()[16..], &[9; 8]);
    screen.resize(2, 4);
    assert_eq!(screen.pixels(), [0, 0, 0, 255].repeat(8));
    assert_eq!(Screen::new(0, 0).pixels(), &[] as &[u8]);
}

/// A valid JPEG of a `w`×`h` gradient.
fn jpeg_of(w: u16, h: u16) -> Vec<u8> {
    let mut pixels = vec![0; usize::from(w) * usize::from(h) * 4];
    common::paint(
        &mut pixels,
        w,
        h,
        Rect::new(0, 0, w, h),
        common::Paint::Photo(3),
    );
    let mut out = Vec::new();
    jpeg_encoder::Encoder::new(&mut out, 75)
        .encode(&pixels, w, h, jpeg_encoder::ColorType::Rgba)
        .unwrap();
    out
}

proptest! {
    /// Palette data with a plausible header (count, colours, a size prefix
    /// that matches the rect) and random indices: never a panic, and an
    /// error leaves the screen alone.
    #[test]
    fn palette_input_never_panics(
        w in 1u16..40,
        h in 1u16..30,
        count in any::<u8>(),
        sized in any::<bool>(),
        tail in prop::collection::vec(any::<u8>(), 0..400),
    ) {
        let n = usize::from(count % 20) + 1;
        let mut data = vec![count % 20];
        data.extend(std::iter::repeat_n(7u8, n * 4));
        let bits = match n { 1..=2 => 1, 3..=4 => 2, _ => 4 };
        let packed = (usize::from(w) * bits).div_ceil(8) * usize::from(h);
        if sized {
            let block = lz4_flex::block::compress(&tail);
            data.extend_from_slice(&(packed as u32).to_le_bytes());
            data.extend_from_slice(&block);
        } else {
            data.extend_from_slice(&tail);
        }
        let mut screen = Screen::new(40, 30);
        let before = screen.clone();
        if screen.apply(Rect::new(0, 0, w, h), Encoding::Palette, &data).is_err() {
            prop_assert_eq!(&screen, &before);
        }
    }

    /// Any copy source: inside the screen it copies, outside it is refused.
    #[test]
    fn copy_input_is_checked(
        x in 0u16..40, y in 0u16..30, w in 1u16..40, h in 1u16..30,
        data in prop::collection::vec(any::<u8>(), 0..8),
    ) {
        let mut screen = Screen::new(40, 30);
        screen.apply(Rect::new(0, 0, 40, 30), Encoding::Raw, &(0..40 * 30 * 4).map(|i| i as u8).collect::<Vec<_>>()).unwrap();
        let before = screen.clone();
        let rect = Rect::new(x, y, w, h);
        let result = screen.apply(rect, Encoding::Copy, &data);
        let fits = |x: u16, y: u16| u32::from(x) + u32::from(w) <= 40 && u32::from(y) + u32::from(h) <= 30;
        if data.len() == 4 && fits(x, y) && fits(u16::from_le_bytes([data[0], data[1]]), u16::from_le_bytes([data[2], data[3]])) {
            prop_assert!(result.is_ok());
        } else {
            prop_assert!(result.is_err());
            prop_assert_eq!(&screen, &before);
        }
    }

    /// A valid JPEG with random bytes changed, cut short or of the wrong
    /// size: never a panic, and an error leaves the screen alone.
    #[test]
    fn corrupted_jpeg_never_panics(
        w in 8u16..48,
        h in 8u16..48,
        rw in 1u16..60,
        rh in 1u16..60,
        flips in prop::collection::vec((any::<prop::sample::Index>(), any::<u8>()), 0..6),
        cut in any::<prop::sample::Index>(),
        do_cut in any::<bool>(),
    ) {
        let mut data = jpeg_of(w, h);
        for (i, b) in flips {
            let i = i.index(data.len());
            data[i] = b;
        }
        if do_cut {
            data.truncate(cut.index(data.len()));
        }
        let mut screen = Screen::new(64, 64);
        let before = screen.clone();
        match screen.apply(Rect::new(0, 0, rw, rh), Encoding::Jpeg, &data) {
            Ok(()) => prop_assert_eq!((rw, rh), (w, h), "only the right size decodes"),
            Err(_) => prop_assert_eq!(&screen, &before),
        }
    }
}

#[test]
fn jpeg_of_another_size_is_refused() {
    let data = jpeg_of(32, 16);
    let mut screen = Screen::new(64, 64);
    screen
        .apply(Rect::new(0, 0, 32, 16), Encoding::Jpeg, &data)
        .unwrap();
    for (w, h) in [(16, 32), (32, 15), (33, 16), (64, 64)] {
        assert_eq!(
            screen.apply(Rect::new(0, 0, w, h), Encoding::Jpeg, &data),
            Err(DecodeError::BadJpeg)
        );
    }
}

#[test]
fn copy_source_outside_is_named() {
    let mut screen = Screen::new(10, 10);
    assert_eq!(
        screen.apply(Rect::new(0, 0, 5, 5), Encoding::Copy, &[6, 0, 0, 0]),
        Err(DecodeError::CopySource { x: 6, y: 0 })
    );
    assert!(screen
        .apply(Rect::new(0, 0, 5, 5), Encoding::Copy, &[5, 0, 5, 0])
        .is_ok());
}
