//! The exports as JavaScript sees them, called from Rust on the host.

use beckon_video::webframe::WebFrameWriter;
use beckon_video::{Encoding, Rect};

use crate::exports::*;
use crate::{code, with};

/// Copy `msg` where [`input`] says, as JavaScript does.
fn send(msg: &[u8]) -> i32 {
    input(msg.len());
    with(|d| d.input.copy_from_slice(msg));
    apply_input()
}

fn error_text() -> String {
    with(|d| d.error.clone())
}

#[test]
fn a_frame_reaches_the_pixels() {
    let mut w = WebFrameWriter::begin(3, 2);
    w.rect(Rect::new(1, 1, 2, 1), Encoding::Solid, &[9, 8, 7, 255])
        .unwrap();
    w.cursor(2, 0);
    assert_eq!(send(&w.finish()), code::OK);
    assert_eq!((width(), height()), (3, 2));
    // A new size: everything is dirty.
    assert_eq!((dirty_x(), dirty_y(), dirty_w(), dirty_h()), (0, 0, 3, 2));
    assert_eq!((cursor_x(), cursor_y()), (2, 0));
    assert_eq!(error_len(), 0);
    let ptr = pixels_ptr();
    with(|d| {
        let px = d.screen.pixels();
        assert_eq!(px.len(), 3 * 2 * 4);
        assert_eq!(px[16..24], [9, 8, 7, 255, 9, 8, 7, 255]);
        assert_eq!(px[..4], [0, 0, 0, 255]);
        assert_eq!(ptr, px.as_ptr());
    });

    let mut w = WebFrameWriter::begin(3, 2);
    w.rect(Rect::new(0, 0, 1, 1), Encoding::Solid, &[1, 1, 1, 255])
        .unwrap();
    assert_eq!(send(&w.finish()), code::OK);
    assert_eq!((dirty_x(), dirty_y(), dirty_w(), dirty_h()), (0, 0, 1, 1));
    assert_eq!((cursor_x(), cursor_y()), (-1, -1));
}

#[test]
fn errors_have_a_code_and_a_reason() {
    assert_eq!(send(b"hello, world"), code::BAD_MAGIC);
    assert_eq!(error_text(), "not a Beckon web frame");
    assert_eq!(dirty_w(), 0, "a refused message changed nothing");
    assert_eq!(error_len(), error_text().len());

    let mut old = WebFrameWriter::begin(3, 2).finish();
    old[3] = 0;
    assert_eq!(send(&old), code::VERSION);
    assert!(error_text().contains("reload"), "{}", error_text());

    assert_eq!(send(&[]), code::TRUNCATED);

    // After an error, a good frame clears it.
    assert_eq!(send(&WebFrameWriter::begin(3, 2).finish()), code::OK);
    assert_eq!(error_len(), 0);
    assert_eq!(send(&WebFrameWriter::begin(3, 2).finish()), code::OK);
    assert_eq!(
        dirty_w(),
        0,
        "an empty frame of the same size changes nothing"
    );
}

#[test]
fn a_corrupt_rect_marks_the_whole_screen_dirty() {
    assert_eq!(send(&WebFrameWriter::begin(4, 4).finish()), code::OK);
    let mut w = WebFrameWriter::begin(4, 4);
    w.rect(Rect::new(0, 0, 1, 1), Encoding::Lz4, &[1, 2, 3])
        .unwrap();
    assert_eq!(send(&w.finish()), code::RECT);
    assert_eq!((dirty_x(), dirty_y(), dirty_w(), dirty_h()), (0, 0, 4, 4));
}

#[test]
fn a_huge_input_buffer_is_given_back() {
    input(8 << 20);
    input(100);
    with(|d| assert!(d.input.capacity() < 8 << 20));
}
