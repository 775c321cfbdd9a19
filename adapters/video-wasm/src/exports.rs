//! The functions JavaScript calls, by name. Each is a thin wrapper over the
//! decoder; numbers only cross the boundary (see the crate docs).
//!
//! Sizes are `usize` and pointers are addresses in the module's memory, both
//! 32-bit numbers in WebAssembly.
#![allow(unsafe_code)] // `#[no_mangle]`, so JavaScript finds the exports by name.

use crate::with;

/// Where to write a message of `len` bytes; valid until the next call.
#[no_mangle]
pub extern "C" fn input(len: usize) -> *mut u8 {
    with(|d| d.input(len).as_mut_ptr())
}

/// Apply the message written at [`input`]: `0` or a negative error code.
#[no_mangle]
pub extern "C" fn apply_input() -> i32 {
    with(|d| d.apply_input())
}

/// [`apply_input`], but with at least `min` JPEG rectangles in the message
/// those that can be decoded apart are left undecoded and listed at
/// [`deferred_ptr`], to decode with [`decode_jpeg_input`] (in another
/// instance: a Web Worker) and put on the screen with [`blit_tile`], in
/// any order.
#[no_mangle]
pub extern "C" fn apply_input_deferring(min: u32) -> i32 {
    with(|d| d.apply_input_deferring(usize::try_from(min).unwrap_or(usize::MAX)))
}

/// How many rectangles the last apply left undecoded.
#[no_mangle]
pub extern "C" fn deferred_count() -> u32 {
    with(|d| u32::try_from(d.deferred.len()).unwrap_or(0))
}

/// The undecoded rectangles, [`DEFERRED_FIELDS`](crate::DEFERRED_FIELDS)
/// `u32`s each: index, x, y, w, h, data offset in the message, data length.
#[no_mangle]
pub extern "C" fn deferred_ptr() -> *const u32 {
    with(|d| d.deferred_table.as_ptr())
}

/// Decode the rectangles `from..to` of those the last apply left undecoded
/// onto the screen, here (this thread's share of them). The message must
/// still be at [`input`]. `0`, or `code::RECT` with the reason at
/// [`error_ptr`].
#[no_mangle]
pub extern "C" fn apply_deferred(from: u32, to: u32) -> i32 {
    let n = |v: u32| usize::try_from(v).unwrap_or(usize::MAX);
    with(|d| d.apply_deferred(n(from), n(to)))
}

/// Decode the bytes written at [`input`] as the JPEG data of a `w`×`h`
/// rectangle: `0`, or `code::RECT` with the reason at [`error_ptr`]. The
/// pixels are at [`tile_ptr`], `w * h * 4` bytes.
#[no_mangle]
pub extern "C" fn decode_jpeg_input(w: u32, h: u32) -> i32 {
    with(|d| d.decode_jpeg_input(w, h))
}

/// The last decoded tile's RGBA pixels.
#[no_mangle]
pub extern "C" fn tile_ptr() -> *const u8 {
    with(|d| d.tile.as_ptr())
}

/// Where to write a tile's RGBA pixels of `len` bytes for [`blit_tile`];
/// apart from [`input`], which keeps the message.
#[no_mangle]
pub extern "C" fn tile_input(len: usize) -> *mut u8 {
    with(|d| d.tile_input(len).as_mut_ptr())
}

/// Put the pixels written at [`tile_input`] on the screen as the rectangle
/// at (`x`, `y`) of `w`×`h`: `0`, or `code::OUT_OF_BOUNDS`.
#[no_mangle]
pub extern "C" fn blit_tile(x: u32, y: u32, w: u32, h: u32) -> i32 {
    with(|d| d.blit_tile(x, y, w, h))
}

/// The last error's text (UTF-8), [`error_len`] bytes.
#[no_mangle]
pub extern "C" fn error_ptr() -> *const u8 {
    with(|d| d.error.as_ptr())
}

/// Length of the last error's text, `0` after a success.
#[no_mangle]
pub extern "C" fn error_len() -> usize {
    with(|d| d.error.len())
}

/// The screen's RGBA pixels, `width() * height() * 4` bytes.
#[no_mangle]
pub extern "C" fn pixels_ptr() -> *const u8 {
    with(|d| d.screen.pixels().as_ptr())
}

/// Screen width in pixels.
#[no_mangle]
pub extern "C" fn width() -> u32 {
    with(|d| d.screen.width().into())
}

/// Screen height in pixels.
#[no_mangle]
pub extern "C" fn height() -> u32 {
    with(|d| d.screen.height().into())
}

/// The changed box's left edge.
#[no_mangle]
pub extern "C" fn dirty_x() -> u32 {
    with(|d| d.applied.dirty.map_or(0, |r| r.x.into()))
}

/// The changed box's top edge.
#[no_mangle]
pub extern "C" fn dirty_y() -> u32 {
    with(|d| d.applied.dirty.map_or(0, |r| r.y.into()))
}

/// The changed box's width, `0` when nothing changed.
#[no_mangle]
pub extern "C" fn dirty_w() -> u32 {
    with(|d| d.applied.dirty.map_or(0, |r| r.w.into()))
}

/// The changed box's height, `0` when nothing changed.
#[no_mangle]
pub extern "C" fn dirty_h() -> u32 {
    with(|d| d.applied.dirty.map_or(0, |r| r.h.into()))
}

/// The pointer's x, `-1` when the last message had no pointer.
#[no_mangle]
pub extern "C" fn cursor_x() -> i32 {
    with(|d| d.applied.cursor.map_or(-1, |(x, _)| x.into()))
}

/// The pointer's y, `-1` when the last message had no pointer.
#[no_mangle]
pub extern "C" fn cursor_y() -> i32 {
    with(|d| d.applied.cursor.map_or(-1, |(_, y)| y.into()))
}
