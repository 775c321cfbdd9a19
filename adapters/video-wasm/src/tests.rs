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

/// A 64×128 photo-like frame (noise, so the encoder picks JPEG) as a web
/// frame of two JPEG tiles (one a row of tiles), and the screen the plain decoder makes of it.
fn photo_frame() -> (Vec<u8>, beckon_video::Screen) {
    use beckon_video::{Encoder, EncoderConfig};
    let mut seed = 0x2545_f491_u32;
    let pixels: Vec<u8> = (0..64 * 128)
        .flat_map(|_| {
            seed ^= seed << 13;
            seed ^= seed >> 17;
            seed ^= seed << 5;
            let [r, g, b, _] = seed.to_le_bytes();
            [r, g, b, 255]
        })
        .collect();
    let mut encoder = Encoder::new(EncoderConfig::default());
    encoder.set_lossy_quality(Some(85));
    let rects = encoder.encode(64, 128, &pixels, None).unwrap();
    assert!(rects.iter().all(|r| r.encoding == Encoding::Jpeg));
    let mut w = WebFrameWriter::begin(64, 128);
    w.rects(&rects).unwrap();
    let msg = w.finish();
    let mut screen = beckon_video::Screen::new(1, 1);
    beckon_video::webframe::apply(&mut screen, &msg).unwrap();
    (msg, screen)
}

#[test]
fn deferred_tiles_decoded_elsewhere_give_the_same_screen() {
    let (msg, expected) = photo_frame();
    input(msg.len());
    with(|d| d.input.copy_from_slice(&msg));
    assert_eq!(apply_input_deferring(1), code::OK);
    let n = deferred_count() as usize;
    assert_eq!(n, 2);
    let table = with(|d| d.deferred_table.clone());
    assert_eq!(table.len(), n * crate::DEFERRED_FIELDS);
    assert_eq!(deferred_ptr(), with(|d| d.deferred_table.as_ptr()));
    // This thread's share: the first tile, from the message still in input.
    assert_eq!(apply_deferred(0, 1), code::OK);
    // The other one as a worker does it: decode, then blit the pixels.
    let t = &table[crate::DEFERRED_FIELDS..];
    let (x, y, w, h, offset, len) = (t[1], t[2], t[3], t[4], t[5] as usize, t[6] as usize);
    let jpeg = msg[offset..offset + len].to_vec();
    input(len);
    with(|d| d.input.copy_from_slice(&jpeg));
    assert_eq!(decode_jpeg_input(w, h), code::OK);
    let pixels = with(|d| d.tile.clone());
    assert_eq!(tile_ptr(), with(|d| d.tile.as_ptr()));
    tile_input(pixels.len());
    with(|d| d.tile.copy_from_slice(&pixels));
    assert_eq!(blit_tile(x, y, w, h), code::OK);
    with(|d| assert_eq!(d.screen, expected));

    // Refusals.
    assert_eq!(blit_tile(x + 1, y, w, h), code::OUT_OF_BOUNDS);
    assert_eq!(
        apply_deferred(5, 9),
        code::OK,
        "nothing there: nothing done"
    );
    input(3);
    with(|d| d.input.copy_from_slice(b"bad"));
    assert_eq!(decode_jpeg_input(w, h), code::RECT);
    assert!(error_text().contains("JPEG"), "{}", error_text());
    assert_eq!(decode_jpeg_input(70_000, 1), code::RECT);
    // Fewer JPEG tiles than asked for: none is deferred.
    input(msg.len());
    with(|d| d.input.copy_from_slice(&msg));
    assert_eq!(apply_input_deferring(3), code::OK);
    assert_eq!(deferred_count(), 0);
    with(|d| assert_eq!(d.screen, expected));
}
