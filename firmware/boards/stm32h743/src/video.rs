//! The frame source: **no video capture yet.**
//!
//! The plan is DCMI from an HDMI-to-parallel receiver (e.g. an ADV7611
//! configured over I²C for 8-bit YCbCr 4:2:2 or RGB565): at the H743's DCMI
//! pixel clock limit and with the frame held in the 1 MiB of SRAM, 640×480
//! at a few frames a second, converted to the indexed tiles the app sends
//! (a BIOS screen has few colours). None of it is written: this source
//! shows a fixed screen that says so, so a helper who connects sees the
//! truth instead of a black picture.

use beckon_dongle::hw::FrameSource;
use beckon_dongle_kit::tiles::{Damage, Grid, IndexedFrame};
use static_cell::StaticCell;

const WIDTH: u16 = 320;
const HEIGHT: u16 = 240;
const PIXELS: usize = WIDTH as usize * HEIGHT as usize;
const PALETTE: [[u8; 4]; 2] = [[40, 40, 40, 255], [200, 60, 60, 255]];

/// The frame buffer, in RAM and built in place (not on the stack).
static FRAME: StaticCell<[u8; PIXELS]> = StaticCell::new();

/// A grey screen with a red band: "no capture on this board yet".
pub struct NoCapture {
    pixels: &'static mut [u8; PIXELS],
    sent: bool,
}

impl NoCapture {
    /// The fixed picture. Call once.
    pub fn new() -> Self {
        let slot = FRAME.uninit();
        // SAFETY: every byte of the array is written before it is read.
        let pixels = unsafe {
            core::ptr::write_bytes(slot.as_mut_ptr(), 0, 1);
            slot.assume_init_mut()
        };
        for row in 100..140 {
            let at = row * usize::from(WIDTH);
            pixels[at..at + usize::from(WIDTH)].fill(1);
        }
        NoCapture {
            pixels,
            sent: false,
        }
    }
}

impl FrameSource for NoCapture {
    fn with_frame<R>(&mut self, f: impl FnOnce(&IndexedFrame<'_>) -> R) -> R {
        f(&IndexedFrame {
            width: WIDTH,
            height: HEIGHT,
            palette: &PALETTE,
            pixels: &self.pixels[..],
        })
    }

    fn take_damage(&mut self, into: &mut Damage) {
        // The picture never changes; the session sends the whole screen
        // when it starts.
        if !self.sent {
            into.all(Grid {
                width: WIDTH,
                height: HEIGHT,
            });
            self.sent = true;
        }
    }
}
