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
//! Any call may grow the memory, which detaches JavaScript's views of it:
//! they must be made again after each call that can allocate (`input` and
//! `apply_input`).
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

use beckon_video::webframe::{self, Applied, WebFrameError};
use beckon_video::Screen;

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
}

impl Decoder {
    fn new() -> Self {
        Self {
            // 1×1 until the first frame says the size.
            screen: Screen::new(1, 1),
            input: Vec::new(),
            applied: Applied::default(),
            error: String::new(),
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
        match webframe::apply(&mut self.screen, &self.input) {
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
