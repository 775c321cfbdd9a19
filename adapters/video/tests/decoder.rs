//! The viewer's decoder takes bytes from the network: it must refuse
//! anything malformed without panicking and without touching the screen.

use beckon_video::{DecodeError, Encoding, Rect, Screen};
use proptest::prelude::*;

const ALL: [Encoding; 7] = [
    Encoding::Raw,
    Encoding::Solid,
    Encoding::Copy,
    Encoding::Palette,
    Encoding::Lz4,
    Encoding::Jpeg,
    Encoding::H264,
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
    let mut screen = Screen::new(10, 10);
    for e in [
        Encoding::Copy,
        Encoding::Palette,
        Encoding::Jpeg,
        Encoding::H264,
    ] {
        assert_eq!(
            screen.apply(Rect::new(0, 0, 1, 1), e, &[0; 4]),
            Err(DecodeError::Unsupported(e))
        );
    }
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
