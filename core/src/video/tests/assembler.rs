use crate::message::Encoding;
use crate::video::{
    max_rect_bytes, FrameAssembler, NextFrame, RectProgress, VideoError, MAX_DIMENSION,
};

/// An assembler inside frame 5 of a 100×50 screen announcing `rects`.
fn in_frame(rects: u16) -> FrameAssembler {
    let mut asm = FrameAssembler::new();
    asm.on_frame_start(5, 100, 50, rects).unwrap();
    asm
}

#[test]
fn ses_01_frame_with_split_rect_assembles() {
    let mut asm = in_frame(2);
    assert_eq!(asm.screen_size(), Some((100, 50)));
    assert_eq!(
        asm.on_rect(5, 0, 0, 1, 1, Encoding::Solid, 4, 0, 4),
        Ok(RectProgress::Complete)
    );
    let total = 10 * 10 * 4;
    assert_eq!(
        asm.on_rect(5, 90, 40, 10, 10, Encoding::Raw, total, 0, 150),
        Ok(RectProgress::Partial {
            received: 150,
            total
        })
    );
    assert_eq!(
        asm.on_rect(5, 90, 40, 10, 10, Encoding::Raw, total, 150, 150),
        Ok(RectProgress::Partial {
            received: 300,
            total
        })
    );
    assert_eq!(
        asm.on_rect(5, 90, 40, 10, 10, Encoding::Raw, total, 300, 100),
        Ok(RectProgress::Complete)
    );
    assert_eq!(asm.on_frame_end(5), Ok(5));
    assert!(!asm.in_frame());
    // The next frame may skip numbers and change the screen size.
    asm.on_frame_start(9, 1920, 1080, 0).unwrap();
    assert_eq!(asm.screen_size(), Some((1920, 1080)));
    assert_eq!(asm.on_frame_end(9), Ok(9));
}

#[test]
fn ses_12_frame_numbers_must_increase() {
    let mut asm = in_frame(0);
    asm.on_frame_end(5).unwrap();
    assert_eq!(
        asm.on_frame_start(5, 100, 50, 0),
        Err(VideoError::FrameNotIncreasing { last: 5, got: 5 })
    );
    assert_eq!(
        asm.on_frame_start(4, 100, 50, 0),
        Err(VideoError::FrameNotIncreasing { last: 5, got: 4 })
    );
    asm.on_frame_start(6, 100, 50, 1).unwrap();
    assert_eq!(
        asm.on_frame_start(7, 100, 50, 0),
        Err(VideoError::FrameNotEnded)
    );
}

#[test]
fn ses_12_screen_size_bounds() {
    let mut asm = FrameAssembler::new();
    for (w, h) in [(0, 10), (10, 0), (MAX_DIMENSION + 1, 10), (10, u16::MAX)] {
        assert_eq!(
            asm.on_frame_start(1, w, h, 0),
            Err(VideoError::BadScreenSize),
            "{w}x{h}"
        );
    }
    assert_eq!(asm.screen_size(), None);
    asm.on_frame_start(1, MAX_DIMENSION, MAX_DIMENSION, 0)
        .unwrap();
}

#[test]
fn ses_12_rect_outside_screen_refused() {
    let mut asm = in_frame(1);
    for (x, y, w, h) in [
        (0, 0, 101, 1),
        (0, 0, 1, 51),
        (100, 0, 1, 1),
        (99, 49, 2, 1),
        (0, 0, 0, 10),
        (0, 0, 10, 0),
        (u16::MAX, u16::MAX, u16::MAX, u16::MAX),
    ] {
        assert_eq!(
            asm.on_rect(5, x, y, w, h, Encoding::Solid, 4, 0, 4),
            Err(VideoError::RectOutOfBounds),
            "{x},{y} {w}x{h}"
        );
    }
    assert_eq!(
        asm.on_rect(5, 99, 49, 1, 1, Encoding::Solid, 4, 0, 4),
        Ok(RectProgress::Complete)
    );
}

#[test]
fn ses_12_rect_length_must_fit_size_and_encoding() {
    let mut asm = in_frame(1);
    let raw = 10 * 10 * 4;
    let cases = [
        (Encoding::Raw, raw - 1),
        (Encoding::Raw, raw + 1),
        (Encoding::Solid, 3),
        (Encoding::Copy, 5),
        (Encoding::Jpeg, 0),
        (Encoding::Jpeg, max_rect_bytes(Encoding::Jpeg, 10, 10) + 1),
        (Encoding::Lz4, u32::MAX),
    ];
    for (encoding, total) in cases {
        assert_eq!(
            asm.on_rect(5, 0, 0, 10, 10, encoding, total, 0, 1),
            Err(VideoError::RectLength),
            "{encoding:?} {total}"
        );
    }
    let bound = max_rect_bytes(Encoding::Jpeg, 10, 10);
    assert_eq!(
        asm.on_rect(5, 0, 0, 10, 10, Encoding::Jpeg, bound, 0, 1),
        Ok(RectProgress::Partial {
            received: 1,
            total: bound
        })
    );
}

#[test]
fn ses_12_max_rect_bytes_never_overflows() {
    assert_eq!(max_rect_bytes(Encoding::Raw, 2, 3), 24);
    assert_eq!(max_rect_bytes(Encoding::Solid, 100, 100), 4);
    assert_eq!(max_rect_bytes(Encoding::Lz4, 255, 1), 1020 + 4 + 1024);
    assert_eq!(max_rect_bytes(Encoding::Raw, u16::MAX, u16::MAX), u32::MAX);
    assert_eq!(
        max_rect_bytes(Encoding::H264, MAX_DIMENSION, MAX_DIMENSION),
        8192 * 8192 * 4 + 8192 * 8192 * 4 / 255 + 1024
    );
}

#[test]
fn ses_12_pieces_must_come_in_order() {
    let mut asm = in_frame(1);
    let total = 1000;
    asm.on_rect(5, 0, 0, 20, 20, Encoding::Jpeg, total, 0, 100)
        .unwrap();
    assert_eq!(
        asm.on_rect(5, 0, 0, 20, 20, Encoding::Jpeg, total, 200, 100),
        Err(VideoError::PieceOutOfOrder {
            expected: 100,
            got: 200
        })
    );
    assert_eq!(
        asm.on_rect(5, 0, 0, 20, 20, Encoding::Jpeg, total, 0, 100),
        Err(VideoError::PieceOutOfOrder {
            expected: 100,
            got: 0
        })
    );
    assert_eq!(
        asm.on_rect(5, 1, 0, 20, 20, Encoding::Jpeg, total, 100, 100),
        Err(VideoError::PieceMismatch)
    );
    assert_eq!(
        asm.on_rect(5, 0, 0, 20, 20, Encoding::Lz4, total, 100, 100),
        Err(VideoError::PieceMismatch)
    );
    assert_eq!(
        asm.on_rect(5, 0, 0, 20, 20, Encoding::Jpeg, total + 1, 100, 100),
        Err(VideoError::PieceMismatch)
    );
    assert_eq!(
        asm.on_rect(5, 0, 0, 20, 20, Encoding::Jpeg, total, 100, 0),
        Err(VideoError::EmptyPiece)
    );
    assert_eq!(
        asm.on_rect(5, 0, 0, 20, 20, Encoding::Jpeg, total, 100, 901),
        Err(VideoError::PastEnd)
    );
    assert_eq!(
        asm.on_rect(5, 0, 0, 20, 20, Encoding::Jpeg, total, 100, usize::MAX),
        Err(VideoError::PastEnd)
    );
    // None of the refusals moved anything: the right piece still fits.
    assert_eq!(
        asm.on_rect(5, 0, 0, 20, 20, Encoding::Jpeg, total, 100, 900),
        Ok(RectProgress::Complete)
    );
    assert_eq!(asm.on_frame_end(5), Ok(5));
}

#[test]
fn ses_12_first_piece_must_start_at_zero() {
    let mut asm = in_frame(1);
    assert_eq!(
        asm.on_rect(5, 0, 0, 2, 2, Encoding::Raw, 16, 8, 8),
        Err(VideoError::PieceOutOfOrder {
            expected: 0,
            got: 8
        })
    );
    assert_eq!(
        asm.on_rect(5, 0, 0, 2, 2, Encoding::Raw, 16, 0, 17),
        Err(VideoError::PastEnd)
    );
}

#[test]
fn ses_12_rect_count_must_match_frame_start() {
    let mut asm = in_frame(1);
    assert_eq!(
        asm.on_frame_end(5),
        Err(VideoError::MissingRects {
            expected: 1,
            got: 0
        })
    );
    asm.on_rect(5, 0, 0, 1, 1, Encoding::Solid, 4, 0, 4)
        .unwrap();
    assert_eq!(
        asm.on_rect(5, 1, 1, 1, 1, Encoding::Solid, 4, 0, 4),
        Err(VideoError::TooManyRects)
    );
    assert_eq!(asm.on_frame_end(5), Ok(5));
}

#[test]
fn ses_12_frame_cannot_end_mid_rect() {
    let mut asm = in_frame(1);
    asm.on_rect(5, 0, 0, 2, 2, Encoding::Raw, 16, 0, 8).unwrap();
    assert_eq!(asm.on_frame_end(5), Err(VideoError::IncompleteRect));
}

#[test]
fn ses_12_messages_outside_their_frame_refused() {
    let mut asm = FrameAssembler::new();
    assert_eq!(
        asm.on_rect(0, 0, 0, 1, 1, Encoding::Solid, 4, 0, 4),
        Err(VideoError::NoFrame)
    );
    assert_eq!(asm.on_frame_end(0), Err(VideoError::NoFrame));
    asm.on_frame_start(5, 100, 50, 1).unwrap();
    assert_eq!(
        asm.on_rect(4, 0, 0, 1, 1, Encoding::Solid, 4, 0, 4),
        Err(VideoError::WrongFrame {
            expected: 5,
            got: 4
        })
    );
    assert_eq!(
        asm.on_frame_end(6),
        Err(VideoError::WrongFrame {
            expected: 5,
            got: 6
        })
    );
}

#[test]
fn ses_12_compact_frame_follows_and_ends_itself() {
    let mut asm = FrameAssembler::new();
    // Nothing to follow yet: no number, no screen.
    assert_eq!(asm.on_next_frame(1), Err(VideoError::NoFrame));
    assert_eq!(
        asm.on_tile(0, 0, 1, 1, Encoding::Solid, 4),
        Err(VideoError::NoFrame)
    );
    asm.on_frame_start(5, 100, 50, 0).unwrap();
    asm.on_frame_end(5).unwrap();
    let next = asm.on_next_frame(2).unwrap();
    assert_eq!(
        next,
        NextFrame {
            frame: 6,
            width: 100,
            height: 50,
            ended: false
        }
    );
    assert_eq!(asm.frame_in_progress(), Some(6));
    assert_eq!(asm.on_tile(0, 0, 1, 1, Encoding::Solid, 4), Ok(None));
    // A compact frame has no end message.
    assert_eq!(asm.on_frame_end(6), Err(VideoError::UnexpectedEnd));
    // Its last tile ends it, and it is to be acknowledged.
    assert_eq!(asm.on_tile(99, 49, 1, 1, Encoding::Solid, 4), Ok(Some(6)));
    assert!(!asm.in_frame());
    // Without rectangles it ends as it starts.
    assert!(asm.on_next_frame(0).unwrap().ended);
    assert!(!asm.in_frame());
    assert_eq!(asm.on_next_frame(1).unwrap().frame, 8);
}

#[test]
fn ses_12_tiles_are_checked_like_rects() {
    let mut asm = in_frame(3);
    // Outside the screen, a wrong fixed length, nothing at all.
    assert_eq!(
        asm.on_tile(95, 0, 10, 1, Encoding::Solid, 4),
        Err(VideoError::RectOutOfBounds)
    );
    assert_eq!(
        asm.on_tile(0, 0, 1, 1, Encoding::Solid, 5),
        Err(VideoError::RectLength)
    );
    assert_eq!(
        asm.on_tile(0, 0, 4, 4, Encoding::Lz4, 0),
        Err(VideoError::RectLength)
    );
    // Not in the middle of a rectangle sent in pieces.
    asm.on_rect(5, 0, 0, 2, 2, Encoding::Raw, 16, 0, 8).unwrap();
    assert_eq!(
        asm.on_tile(0, 0, 1, 1, Encoding::Solid, 4),
        Err(VideoError::IncompleteRect)
    );
    asm.on_rect(5, 0, 0, 2, 2, Encoding::Raw, 16, 8, 8).unwrap();
    // A frame begun in the long form takes tiles and still needs its end.
    assert_eq!(asm.on_tile(0, 0, 1, 1, Encoding::Solid, 4), Ok(None));
    assert_eq!(asm.on_tile(1, 0, 1, 1, Encoding::Cached, 2), Ok(None));
    assert_eq!(asm.on_frame_end(5), Ok(5));
    // A compact frame cannot start while one is open.
    asm.on_frame_start(6, 100, 50, 1).unwrap();
    assert_eq!(asm.on_next_frame(1), Err(VideoError::FrameNotEnded));
}
