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
