//! The web frame's byte layout and its refusals. Round trips through the
//! encoder are in `tests/webframe.rs`.

use proptest::prelude::*;

use super::*;

const RED: [u8; 4] = [255, 0, 0, 255];

/// A 4×2 frame: a red solid 2×2 square at (1, 0), and the pointer.
fn small_frame() -> Vec<u8> {
    let mut w = WebFrameWriter::begin(4, 2);
    w.rect(Rect::new(1, 0, 2, 2), Encoding::Solid, &RED)
        .unwrap();
    w.cursor(3, 1);
    w.finish()
}

#[test]
fn layout_is_as_documented() {
    let msg = small_frame();
    #[rustfmt::skip]
    let expected = [
        b'B', b'K', b'W', 1, 4, 0, 2, 0,
        1, 1, 0, 0, 0, 2, 0, 2, 0, 1, 4, 0, 0, 0, 255, 0, 0, 255,
        2, 3, 0, 1, 0,
    ];
    assert_eq!(msg, expected);
}

#[test]
fn applies_resizes_and_reports() {
    let mut screen = Screen::new(1, 1);
    let applied = apply(&mut screen, &small_frame()).unwrap();
    assert_eq!(
        applied,
        Applied {
            dirty: Some(Rect::new(0, 0, 4, 2)),
            cursor: Some((3, 1)),
            resized: true,
        }
    );
    assert_eq!((screen.width(), screen.height()), (4, 2));
    let px = |x: usize, y: usize| &screen.pixels()[(y * 4 + x) * 4..][..4];
    assert_eq!(px(0, 0), [0, 0, 0, 255]);
    assert_eq!(px(1, 1), RED);
    assert_eq!(px(2, 0), RED);

    // Same size again: only the rectangle is dirty.
    let applied = apply(&mut screen, &small_frame()).unwrap();
    assert_eq!(applied.dirty, Some(Rect::new(1, 0, 2, 2)));
    assert!(!applied.resized);
}

#[test]
fn dirty_is_the_bounding_box() {
    let mut w = WebFrameWriter::begin(100, 100);
    w.rect(Rect::new(10, 20, 5, 5), Encoding::Solid, &RED)
        .unwrap();
    w.rect(Rect::new(50, 5, 10, 2), Encoding::Solid, &RED)
        .unwrap();
    let mut screen = Screen::new(100, 100);
    let applied = apply(&mut screen, &w.finish()).unwrap();
    assert_eq!(applied.dirty, Some(Rect::new(10, 5, 50, 20)));
    assert_eq!(applied.cursor, None);
}

#[test]
fn empty_frame_changes_nothing() {
    let mut screen = Screen::new(4, 2);
    let applied = apply(&mut screen, &WebFrameWriter::begin(4, 2).finish()).unwrap();
    assert_eq!(applied, Applied::default());
}

#[test]
fn refusals() {
    let mut screen = Screen::new(4, 2);
    let good = small_frame();
    let cases: Vec<(Vec<u8>, WebFrameError)> = vec![
        (vec![], WebFrameError::Truncated { at: 0 }),
        (b"XYZ".to_vec(), WebFrameError::BadMagic),
        (b"BKX\x01\x04\x00\x02\x00".to_vec(), WebFrameError::BadMagic),
        (
            b"BKW\x02\x04\x00\x02\x00".to_vec(),
            WebFrameError::Version { got: 2 },
        ),
        (
            b"BKW\x01\x00\x00\x02\x00".to_vec(),
            WebFrameError::Size {
                width: 0,
                height: 2,
            },
        ),
        (
            b"BKW\x01\xff\xff\x02\x00".to_vec(),
            WebFrameError::Size {
                width: u16::MAX,
                height: 2,
            },
        ),
        (
            good[..good.len() - 1].to_vec(),
            WebFrameError::Truncated { at: 26 },
        ),
        (good[..25].to_vec(), WebFrameError::Truncated { at: 8 }),
        (
            [&good[..26], &[9]].concat(),
            WebFrameError::UnknownRecord { kind: 9, at: 26 },
        ),
    ];
    for (msg, expected) in cases {
        assert_eq!(apply(&mut screen, &msg), Err(expected), "{msg:?}");
    }

    let mut w = WebFrameWriter::begin(4, 2);
    w.rect(Rect::new(3, 0, 2, 1), Encoding::Solid, &RED)
        .unwrap();
    assert_eq!(
        apply(&mut screen, &w.finish()),
        Err(WebFrameError::OutOfBounds(Rect::new(3, 0, 2, 1)))
    );
    let mut bad_encoding = small_frame();
    bad_encoding[17] = 10;
    assert_eq!(
        apply(&mut screen, &bad_encoding),
        Err(WebFrameError::UnknownEncoding(10))
    );
    assert_eq!(
        screen,
        Screen::new(4, 2),
        "a refused frame changed the screen"
    );
}

#[test]
fn bad_rect_data_names_the_rect_and_keeps_earlier_ones() {
    let mut w = WebFrameWriter::begin(4, 2);
    w.rect(Rect::new(0, 0, 1, 1), Encoding::Solid, &RED)
        .unwrap();
    w.rect(Rect::new(1, 0, 1, 1), Encoding::Solid, &RED[..3])
        .unwrap();
    let mut screen = Screen::new(4, 2);
    assert_eq!(
        apply(&mut screen, &w.finish()),
        Err(WebFrameError::Rect {
            index: 1,
            source: DecodeError::DataLength {
                expected: 4,
                got: 3
            },
        })
    );
    assert_eq!(screen.pixels()[..8], [255, 0, 0, 255, 0, 0, 0, 255]);
}

#[test]
fn encoding_ids_round_trip() {
    for id in 0..=255u8 {
        if let Ok(e) = encoding_of(id) {
            assert_eq!(encoding_id(e), id);
        }
    }
    assert_eq!(encoding_of(6), Ok(Encoding::H264));
}

/// A photo-like 8×8 tile (JPEG needs no particular content).
fn jpeg_tile(seed: u8) -> Vec<u8> {
    let pixels: Vec<u8> = (0..64u8)
        .flat_map(|i| [i.wrapping_mul(seed), i.wrapping_mul(3), seed, 255])
        .collect();
    crate::jpeg::encode(Rect::new(0, 0, 8, 8), &pixels, 85).unwrap()
}

/// Apply a message with [`apply_deferring_jpeg`], then decode the deferred
/// rectangles and put them on the screen in order, as the console does.
fn apply_deferred(screen: &mut Screen, msg: &[u8], min: usize) -> Vec<usize> {
    let mut deferred = Vec::new();
    apply_deferring_jpeg(screen, msg, min, &mut deferred).unwrap();
    for d in &deferred {
        let pixels = decode_jpeg(d.rect, &msg[d.offset..d.offset + d.len]).unwrap();
        screen.apply(d.rect, Encoding::Raw, &pixels).unwrap();
    }
    deferred.iter().map(|d| d.index).collect()
}

#[test]
fn deferred_jpeg_gives_the_same_screen() {
    // Four JPEG tiles in a row; a later solid paints over the second, and
    // a later copy reads the first and writes over the fourth: only the
    // third can be decoded apart.
    let mut w = WebFrameWriter::begin(32, 8);
    for (i, x) in [0, 8, 16, 24].into_iter().enumerate() {
        let tile = jpeg_tile(i as u8 + 1);
        w.rect(Rect::new(x, 0, 8, 8), Encoding::Jpeg, &tile)
            .unwrap();
    }
    w.rect(Rect::new(9, 1, 2, 2), Encoding::Solid, &RED)
        .unwrap();
    w.rect(Rect::new(25, 2, 4, 4), Encoding::Copy, &[1, 0, 2, 0])
        .unwrap();
    let msg = w.finish();

    let mut expected = Screen::new(1, 1);
    let applied = apply(&mut expected, &msg).unwrap();

    let mut screen = Screen::new(1, 1);
    let mut deferred = Vec::new();
    assert_eq!(
        apply_deferring_jpeg(&mut screen, &msg, 1, &mut deferred),
        Ok(applied)
    );
    assert_eq!(deferred.len(), 1);
    assert_eq!(
        (deferred[0].index, deferred[0].rect),
        (2, Rect::new(16, 0, 8, 8))
    );

    let mut screen = Screen::new(1, 1);
    assert_eq!(apply_deferred(&mut screen, &msg, 1), [2]);
    assert_eq!(screen, expected);

    // A JPEG under a later JPEG is decoded in order; the later one is not.
    let mut w = WebFrameWriter::begin(16, 8);
    w.rect(Rect::new(0, 0, 8, 8), Encoding::Jpeg, &jpeg_tile(1))
        .unwrap();
    w.rect(Rect::new(4, 0, 8, 8), Encoding::Jpeg, &jpeg_tile(2))
        .unwrap();
    let overlapping = w.finish();
    let mut expected_overlap = Screen::new(1, 1);
    apply(&mut expected_overlap, &overlapping).unwrap();
    let mut screen = Screen::new(1, 1);
    assert_eq!(apply_deferred(&mut screen, &overlapping, 1), [1]);
    assert_eq!(screen, expected_overlap);

    // Fewer JPEG rectangles than asked for: nothing is deferred.
    let mut screen = Screen::new(1, 1);
    assert_eq!(apply_deferred(&mut screen, &msg, 5), [] as [usize; 0]);
    assert_eq!(screen, expected);
}

#[test]
fn deferring_keeps_the_refusals() {
    let mut screen = Screen::new(2, 2);
    let mut deferred = vec![Deferred {
        index: 9,
        rect: Rect::new(0, 0, 1, 1),
        offset: 0,
        len: 0,
    }];
    assert_eq!(
        apply_deferring_jpeg(&mut screen, b"nope", 1, &mut deferred),
        Err(WebFrameError::BadMagic)
    );
    assert!(deferred.is_empty());
    assert_eq!(
        decode_jpeg(Rect::new(0, 0, 8, 8), b"not a jpeg"),
        Err(DecodeError::BadJpeg)
    );
}

proptest! {
    /// Any bytes: a result, never a panic; any refusal before decoding
    /// leaves the screen alone.
    #[test]
    fn arbitrary_bytes_never_panic(
        tail in prop::collection::vec(any::<u8>(), 0..300),
        with_header in any::<bool>(),
        width in 1u16..40,
        height in 1u16..40,
    ) {
        let mut msg = Vec::new();
        if with_header {
            msg = WebFrameWriter::begin(width, height).finish();
        }
        msg.extend_from_slice(&tail);
        let mut screen = Screen::new(width, height);
        let before = screen.clone();
        match apply(&mut screen, &msg) {
            Ok(_) | Err(WebFrameError::Rect { .. }) => {}
            Err(_) => prop_assert_eq!(screen, before),
        }
    }

    /// A valid frame with one byte changed or the end cut off: never a panic.
    #[test]
    fn damaged_frames_never_panic(at in any::<prop::sample::Index>(), byte in any::<u8>(), cut in any::<bool>()) {
        let mut msg = small_frame();
        let i = at.index(msg.len());
        if cut {
            msg.truncate(i);
        } else {
            msg[i] = byte;
        }
        let mut screen = Screen::new(4, 2);
        let _ = apply(&mut screen, &msg);
    }
}
