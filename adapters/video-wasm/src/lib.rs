//! # beckon-video-wasm
//!
//! The screen decoder of the helper's browser console: `beckon-video`'s
//! [`webframe::apply`] behind plain `extern "C"` functions, so the console's
//! JavaScript (`adapters/beckon/web/decoder.js`) needs no generated glue and
//! no build tool beyond cargo.
//!
//! ## How JavaScript uses it
//! 1. `input(len)` returns where to write a message of `len` bytes in the
//!    module's memory; JavaScript copies the WebSocket message there.
//! 2. `apply_input()` decodes it into the screen: `0`, or a negative
//!    [error code](code) with a readable reason at `error_ptr()`,
//!    `error_len()` (UTF-8).
//! 3. `pixels_ptr()`, `width()`, `height()` locate the screen's RGBA pixels,
//!    row after row without padding, which an `ImageData` can wrap in place;
//!    `dirty_x()`, `dirty_y()`, `dirty_w()`, `dirty_h()` give the box that
//!    changed (`dirty_w() == 0`: nothing did); `cursor_x()`, `cursor_y()` the
//!    pointer, `-1` when the message had none.
//!
//! ## JPEG tiles in parallel
//! A full update of a photograph is hundreds of JPEG tiles, which need
//! nothing from the screen, so the console decodes most of them in Web
//! Workers, each with its own instance of this module:
//! 1. `apply_input_deferring(min)` instead of `apply_input()`: with at least
//!    `min` JPEG rectangles, those no later rectangle overwrites or copies
//!    from are left undecoded ([`webframe::apply_deferring_jpeg`]);
//!    `deferred_count()` and `deferred_ptr()` list them, seven `u32`s each
//!    ([`DEFERRED_FIELDS`]): index, x, y, w, h, data offset in the message,
//!    data length.
//! 2. Any of them, in any order: `apply_deferred(from, to)` decodes a run
//!    of them here, straight onto the screen, from the message still at
//!    `input`; or in a worker: `input(len)`, the tile's JPEG data, then
//!    `decode_jpeg_input(w, h)`, the pixels at `tile_ptr()`, and back here
//!    `tile_input(len)`, the pixels, then `blit_tile(x, y, w, h)`.
//!
//! Any call may grow the memory, which detaches JavaScript's views of it:
//! they must be made again after each call that can allocate (`input`, the
//! `apply_*` calls and `decode_jpeg_input`).
//!
//! ## Why no unsafe code
//! The module keeps the input buffer itself, so no raw pointer ever comes
//! back from JavaScript: the exports take and return plain numbers, and the
//! pointers they hand out point into buffers that stay put until the next
//! call. The only unsafe attribute is `#[no_mangle]`, which the exports need
//! to keep their names.
//!
//! ## Alpha
//! The pixels are whatever the novice's capture sent; the capture adapters
//! make them opaque (alpha 255), and JPEG decodes opaque. The console draws
//! on a canvas without alpha, so even a stray alpha value shows as a colour,
//! never as a hole.
#![deny(unsafe_code)]
#![deny(missing_docs)]
#![cfg_attr(
    not(test),
    deny(clippy::unwrap_used, clippy::expect_used, clippy::panic)
)]

use std::cell::RefCell;

use beckon_video::webframe::{self, Applied, Deferred, WebFrameError};
use beckon_video::{Encoding, Rect, Screen};

mod exports;

/// The error codes `apply_input` returns, one per [`WebFrameError`].
pub mod code {
    /// The message was applied.
    pub const OK: i32 = 0;
    /// Not a web frame.
    pub const BAD_MAGIC: i32 = -1;
    /// A web frame of another version: the page is older or newer than the
    /// server.
    pub const VERSION: i32 = -2;
    /// The message is cut short.
    pub const TRUNCATED: i32 = -3;
    /// A screen size that is zero or too large.
    pub const SIZE: i32 = -4;
    /// An unknown record kind.
    pub const UNKNOWN_RECORD: i32 = -5;
    /// An unknown encoding.
    pub const UNKNOWN_ENCODING: i32 = -6;
    /// A rectangle outside the screen.
    pub const OUT_OF_BOUNDS: i32 = -7;
    /// A rectangle whose data is corrupt; those before it were applied.
    pub const RECT: i32 = -8;
    /// Writer-side only; listed so every error has a code.
    pub const DATA_TOO_LONG: i32 = -9;
}

/// The code for an error.
fn code_of(e: &WebFrameError) -> i32 {
    match e {
        WebFrameError::BadMagic => code::BAD_MAGIC,
        WebFrameError::Version { .. } => code::VERSION,
        WebFrameError::Truncated { .. } => code::TRUNCATED,
        WebFrameError::Size { .. } => code::SIZE,
        WebFrameError::UnknownRecord { .. } => code::UNKNOWN_RECORD,
        WebFrameError::UnknownEncoding(_) => code::UNKNOWN_ENCODING,
        WebFrameError::OutOfBounds(_) => code::OUT_OF_BOUNDS,
        WebFrameError::Rect { .. } => code::RECT,
        WebFrameError::DataTooLong(_) => code::DATA_TOO_LONG,
    }
}

/// Everything the module keeps between calls.
struct Decoder {
    screen: Screen,
    /// The message JavaScript wrote; kept, so its memory is reused.
    input: Vec<u8>,
    /// What the last successful `apply_input` did.
    applied: Applied,
    /// The last error's text, empty after a success.
    error: String,
    /// The JPEG rectangles the last `apply_input_deferring` left to decode.
    deferred: Vec<Deferred>,
    /// The same as numbers for JavaScript, [`DEFERRED_FIELDS`] per rectangle.
    deferred_table: Vec<u32>,
    /// The pixels of the last tile `decode_jpeg_input` decoded, or of the
    /// one to put on the screen with `blit_tile`; apart from `input`, so the
    /// message stays there while tiles come back from the workers.
    tile: Vec<u8>,
}

/// Numbers per deferred rectangle: index, x, y, w, h, data offset in the
/// message, data length.
pub const DEFERRED_FIELDS: usize = 7;

impl Decoder {
    fn new() -> Self {
        Self {
            // 1×1 until the first frame says the size.
            screen: Screen::new(1, 1),
            input: Vec::new(),
            applied: Applied::default(),
            error: String::new(),
            deferred: Vec::new(),
            deferred_table: Vec::new(),
            tile: Vec::new(),
        }
    }

    /// Room for a message of `len` bytes.
    fn input(&mut self, len: usize) -> &mut [u8] {
        // Shrink a buffer left large by one huge message, but keep the
        // usual size so every frame does not reallocate.
        if self.input.capacity() > len.saturating_mul(4).max(1 << 20) {
            self.input = Vec::new();
        }
        self.input.resize(len, 0);
        &mut self.input
    }

    fn apply_input(&mut self) -> i32 {
        self.deferred.clear();
        self.deferred_table.clear();
        let result = webframe::apply(&mut self.screen, &self.input);
        self.finish(result)
    }

    /// [`apply_input`](Self::apply_input), but leaving the JPEG rectangles
    /// to decode elsewhere when there are at least `min` of them (see
    /// [`webframe::apply_deferring_jpeg`]); they are listed in
    /// `deferred_table`.
    fn apply_input_deferring(&mut self, min: usize) -> i32 {
        let result =
            webframe::apply_deferring_jpeg(&mut self.screen, &self.input, min, &mut self.deferred);
        if result.is_err() {
            self.deferred.clear();
        }
        self.deferred_table.clear();
        for d in &self.deferred {
            let Deferred {
                index,
                rect,
                offset,
                len,
            } = *d;
            // Indices, offsets and lengths inside one message: a message
            // is shorter than 4 GiB in a 32-bit address space.
            let n = |v: usize| u32::try_from(v).unwrap_or(u32::MAX);
            self.deferred_table.extend([
                n(index),
                rect.x.into(),
                rect.y.into(),
                rect.w.into(),
                rect.h.into(),
                n(offset),
                n(len),
            ]);
        }
        self.finish(result)
    }

    /// Decode the deferred rectangles `from..to` here, straight onto the
    /// screen, from the message still at `input`. `0`, or [`code::RECT`] at
    /// the first that fails, with the reason in `error`.
    fn apply_deferred(&mut self, from: usize, to: usize) -> i32 {
        let to = to.min(self.deferred.len());
        for d in self.deferred.get(from..to).unwrap_or_default() {
            let data = self
                .input
                .get(d.offset..)
                .and_then(|rest| rest.get(..d.len))
                .unwrap_or_default();
            if let Err(source) = self.screen.apply(d.rect, Encoding::Jpeg, data) {
                self.error = WebFrameError::Rect {
                    index: d.index,
                    source,
                }
                .to_string();
                return code::RECT;
            }
        }
        code::OK
    }

    /// Decode the input as the JPEG data of a `w`×`h` rectangle into
    /// `tile`: `0`, or [`code::RECT`] with the reason in `error`.
    fn decode_jpeg_input(&mut self, w: u32, h: u32) -> i32 {
        self.tile.clear();
        let (Ok(w), Ok(h)) = (u16::try_from(w), u16::try_from(h)) else {
            self.error = format!("tile size {w}x{h} is not accepted");
            return code::RECT;
        };
        match webframe::decode_jpeg(Rect::new(0, 0, w, h), &self.input) {
            Ok(pixels) => {
                self.tile = pixels;
                self.error.clear();
                code::OK
            }
            Err(e) => {
                self.error = e.to_string();
                code::RECT
            }
        }
    }

    /// Room for a tile's pixels of `len` bytes, for [`blit_tile`](Self::blit_tile).
    fn tile_input(&mut self, len: usize) -> &mut [u8] {
        self.tile.resize(len, 0);
        &mut self.tile
    }

    /// Put `tile`, RGBA pixels of a `w`×`h` rectangle, on the screen at
    /// (`x`, `y`): `0`, or [`code::OUT_OF_BOUNDS`] (wrong place or length),
    /// with the reason in `error`.
    fn blit_tile(&mut self, x: u32, y: u32, w: u32, h: u32) -> i32 {
        let c = |v: u32| u16::try_from(v).unwrap_or(u16::MAX);
        let rect = Rect::new(c(x), c(y), c(w), c(h));
        match self.screen.apply(rect, Encoding::Raw, &self.tile) {
            Ok(()) => {
                self.error.clear();
                code::OK
            }
            Err(e) => {
                self.error = e.to_string();
                code::OUT_OF_BOUNDS
            }
        }
    }

    fn finish(&mut self, result: Result<Applied, WebFrameError>) -> i32 {
        match result {
            Ok(applied) => {
                self.applied = applied;
                self.error.clear();
                code::OK
            }
            Err(e) => {
                // Rectangles before a corrupt one were drawn (and a resize
                // may have happened): show the whole screen as it now is.
                // Any other error left the screen as it was.
                let (w, h) = (self.screen.width(), self.screen.height());
                let partial = matches!(e, WebFrameError::Rect { .. });
                self.applied = Applied {
                    dirty: partial.then(|| beckon_video::Rect::new(0, 0, w, h)),
                    cursor: None,
                    resized: false,
                };
                self.error = e.to_string();
                code_of(&e)
            }
        }
    }
}

thread_local! {
    /// The one decoder. WebAssembly here is single-threaded, so this is a
    /// plain static there; on the host (tests) each thread has its own.
    static DECODER: RefCell<Decoder> = RefCell::new(Decoder::new());
}

/// Run `f` on the decoder.
fn with<T>(f: impl FnOnce(&mut Decoder) -> T) -> T {
    DECODER.with_borrow_mut(f)
}

#[cfg(test)]
mod tests;
