//! The frame source: DCMI capture from an HDMI/DVI receiver. **Untested.**
//!
//! What it expects (none of it has been wired or run):
//!
//! - A TFP401-class DVI receiver (TI TFP401A; the Adafruit "TFP401" HDMI
//!   decoder boards carry one) on the target's HDMI port. It needs no I²C
//!   set-up; it is strapped: one pixel per clock, 24 bits (PIXS low),
//!   free-running ODCK (DFO low), data stable at ODCK's rising edge (the
//!   DCMI samples on the rising edge). It passes DVI only: the source must
//!   send plain RGB without HDCP, which it does when the EDID has no HDMI
//!   block.
//! - An EDID EEPROM on the receiver's DDC lines that offers **640×480 at
//!   60 Hz only** (25.175 MHz pixel clock), so BIOS, boot loader and OS all
//!   pick it. Other modes are not captured (a capture times out and the
//!   console says so).
//! - The receiver's top bits on the DCMI's 8 data lines as RGB332:
//!   D7..D5 = R7..R5, D4..D2 = G7..G5, D1..D0 = B7..B6 (the other 16 output
//!   bits unconnected); DE on DCMI_HSYNC (data valid while high), VSYNC on
//!   DCMI_VSYNC (640×480 has negative sync: low is blanking), ODCK on
//!   DCMI_PIXCLK. Pins in `main.rs`.
//!
//! Why this shape:
//!
//! - One byte a pixel at 25.175 MHz is far below the DCMI's limit (its
//!   pixel clock must be under HCLK/2.5 = 80 MHz here) and needs no
//!   conversion of YCbCr; the receiver's 24 bits do not fit the 14-bit
//!   DCMI anyway.
//! - Full 640×480, not decimated: BIOS text is 8 or 9 pixels a glyph with
//!   one-pixel strokes, which 2:1 decimation would drop. The screen is
//!   640×480 bytes = 300 KiB in AXI SRAM. A whole frame at once (300 KiB)
//!   exceeds one DMA transfer (65 535 words) and the RAM left over, so the
//!   DCMI's crop window takes it in two bands of 240 rows, one per source
//!   frame, into a 150 KiB landing band in D2 SRAM; each band is then
//!   mapped onto the screen ([`convert_rows`]), which also marks the tiles
//!   that changed. A picture takes two source frames: at most 30 a second,
//!   with the halves up to 1/60 s apart. The session sends at most 10
//!   pictures a second, fewer when the link or the encoder is slower.
//! - The tile encoder takes at most 16 colours a tile, so the screen uses
//!   the 16 VGA colours ([`VGA16`]): a BIOS screen comes through exactly, a
//!   desktop posterised.
//!
//! The D-cache is off (embassy does not enable it), so the DMA's writes
//! need no cache maintenance.

use core::cell::{RefCell, UnsafeCell};
use core::mem::MaybeUninit;
use core::sync::atomic::{AtomicBool, Ordering};

use beckon_dongle::hw::{Console, FrameSource};
use beckon_dongle_kit::capture::{convert_rows, VGA16};
use beckon_dongle_kit::tiles::{Damage, IndexedFrame};
use embassy_executor::Spawner;
use embassy_stm32::dcmi::Dcmi;
use embassy_stm32::pac;
use embassy_stm32::peripherals::DCMI;
use embassy_sync::blocking_mutex::raw::ThreadModeRawMutex;
use embassy_sync::blocking_mutex::Mutex;
use embassy_time::{with_timeout, Duration, Timer};
use static_cell::StaticCell;

/// The captured mode.
pub const WIDTH: u16 = 640;
/// The captured mode.
pub const HEIGHT: u16 = 480;
/// Rows captured at a time (one band per source frame).
const BAND: u16 = 240;
const PIXELS: usize = WIDTH as usize * HEIGHT as usize;
const BAND_WORDS: usize = WIDTH as usize * BAND as usize / 4;
/// A 60 Hz frame is 16.7 ms; a snapshot waits for the next frame start.
const CAPTURE_TIMEOUT: Duration = Duration::from_millis(100);

// One DMA transfer moves at most 65 535 words; a band must be one.
const _: () = assert!(BAND_WORDS <= 0xFFFF && HEIGHT % BAND == 0);

/// The screen the session reads: [`VGA16`] indices, in AXI SRAM (`.bss`).
/// `cargo xtask size` counts it as a frame buffer by this name.
static FRAME: StaticCell<[u8; PIXELS]> = StaticCell::new();

/// Where the DCMI's DMA writes one band of RGB332 (150 KiB), in D2 SRAM
/// (`memory.x`): not initialised, never read before the DMA wrote it.
/// `cargo xtask size` counts it as a frame buffer by this name.
#[link_section = ".d2sram"]
static CAPTURE: Band = Band(UnsafeCell::new(MaybeUninit::uninit()));
static CAPTURE_TAKEN: AtomicBool = AtomicBool::new(false);

struct Band(UnsafeCell<MaybeUninit<[u32; BAND_WORDS]>>);
// SAFETY: handed out once, as `&'static mut`, by `take_band`.
unsafe impl Sync for Band {}

fn take_band() -> &'static mut [u32; BAND_WORDS] {
    assert!(
        !CAPTURE_TAKEN.swap(true, Ordering::AcqRel),
        "band taken twice"
    );
    // The D2 SRAMs' clocks are off after reset.
    pac::RCC.ahb2enr().modify(|w| {
        w.set_sram1en(true);
        w.set_sram2en(true);
    });
    let band = CAPTURE.0.get();
    // SAFETY: taken once (above), so this is the only reference. Every bit
    // pattern is a valid `u32`, so writing zeros makes it initialised.
    unsafe {
        core::ptr::write_bytes(band, 0, 1);
        (*band).assume_init_mut()
    }
}

/// The screen and the tiles changed since the session last asked.
struct Screen {
    pixels: &'static mut [u8; PIXELS],
    damage: Damage,
}

type Shared = Mutex<ThreadModeRawMutex, RefCell<Screen>>;

/// The app's frame source over the captured screen.
pub struct Capture {
    screen: &'static Shared,
}

/// Start capturing with `dcmi` (8-bit, hardware sync) in a task of its
/// own; the returned source reads what it captured. Call once.
pub fn start(
    spawner: &Spawner,
    dcmi: Dcmi<'static, DCMI>,
    console: &'static dyn Console,
) -> Capture {
    let slot = FRAME.uninit();
    // SAFETY: zero is black; every byte is written before it is read.
    let pixels = unsafe {
        core::ptr::write_bytes(slot.as_mut_ptr(), 0, 1);
        slot.assume_init_mut()
    };
    static SHARED: StaticCell<Shared> = StaticCell::new();
    let screen: &'static Shared = SHARED.init(Mutex::new(RefCell::new(Screen {
        pixels,
        damage: Damage::new(),
    })));
    spawner.spawn(capture_task(dcmi, take_band(), screen, console).expect("one capture task"));
    Capture { screen }
}

/// Capture rows `first..first + BAND` of the next frame: the DCMI's crop
/// window (set while it is disabled, between captures).
fn crop(first: u16) {
    let r = pac::DCMI;
    r.cwstrt().write(|w| {
        w.set_hoffcnt(0);
        w.set_vst(first);
    });
    r.cwsize().write(|w| {
        // Both counts are "minus one"; one byte a pixel clock.
        w.set_capcnt(WIDTH - 1);
        w.set_vline(BAND - 1);
    });
    r.cr().modify(|w| w.set_crop(true));
}

/// Stop a capture the timeout abandoned, so the next starts clean.
fn halt() {
    pac::DCMI.cr().modify(|w| {
        w.set_capture(false);
        w.set_enable(false);
    });
}

#[embassy_executor::task]
async fn capture_task(
    mut dcmi: Dcmi<'static, DCMI>,
    band: &'static mut [u32; BAND_WORDS],
    screen: &'static Shared,
    console: &'static dyn Console,
) -> ! {
    // Say when the picture comes and goes, not at every frame.
    let mut picture = None;
    loop {
        for first in (0..HEIGHT).step_by(usize::from(BAND)) {
            crop(first);
            match with_timeout(CAPTURE_TIMEOUT, dcmi.capture(&mut band[..])).await {
                Ok(Ok(())) => {
                    if picture != Some(true) {
                        console.line(format_args!("video: 640x480 picture"));
                        picture = Some(true);
                    }
                    screen.lock(|s| {
                        let s = &mut *s.borrow_mut();
                        convert_rows(&band[..], &mut s.pixels[..], WIDTH, first, &mut s.damage);
                    });
                }
                Ok(Err(e)) => {
                    // An overrun: the DMA fell behind. Try the band again.
                    defmt::warn!("DCMI: {}", e);
                    halt();
                }
                Err(_) => {
                    halt();
                    if picture != Some(false) {
                        console.line(format_args!("video: no 640x480 picture from the receiver"));
                        picture = Some(false);
                    }
                    Timer::after_millis(500).await;
                }
            }
        }
    }
}

impl FrameSource for Capture {
    fn with_frame<R>(&mut self, f: impl FnOnce(&IndexedFrame<'_>) -> R) -> R {
        self.screen.lock(|s| {
            let s = s.borrow();
            f(&IndexedFrame {
                width: WIDTH,
                height: HEIGHT,
                palette: &VGA16,
                pixels: &s.pixels[..],
            })
        })
    }

    fn take_damage(&mut self, into: &mut Damage) {
        self.screen.lock(|s| {
            let mut s = s.borrow_mut();
            into.merge(&s.damage);
            s.damage.clear();
        });
    }
}
