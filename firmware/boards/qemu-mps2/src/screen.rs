//! The simulated target computer: its screen (a test screen the QEMU board
//! draws) and its USB keyboard and mouse (the reports the dongle sends).
//! Typed keys appear as text in the screen's text box, so a helper sees
//! the effect of their typing in the picture they get.

use core::cell::RefCell;
use core::fmt::Write as _;

use beckon_core::keymap::Layout;
use beckon_dongle::hw::{Console, FrameSource, HidSink, Led, LedState};
use beckon_dongle_kit::canvas::{self, Area, Canvas};
use beckon_dongle_kit::hid::{KeyboardReport, MouseMode, MouseReport};
use beckon_dongle_kit::target::TextLine;
use beckon_dongle_kit::tiles::{Damage, Grid, IndexedFrame};
use embassy_sync::blocking_mutex::raw::ThreadModeRawMutex;
use embassy_sync::blocking_mutex::Mutex;
use embedded_graphics::mono_font::iso_8859_1::{FONT_6X10, FONT_8X13};
use embedded_graphics::mono_font::MonoFont;

use crate::uart::Uart;

/// Screen size: a quarter VGA keeps the test fast under emulation.
pub const WIDTH: u16 = 320;
/// Screen height.
pub const HEIGHT: u16 = 240;
const PIXELS: usize = WIDTH as usize * HEIGHT as usize;

/// The typed-text box: (x, y, w, h). The test harness counts text pixels
/// here in the helper's snapshot.
pub const TEXT_BOX: Area = (8, 150, 304, 20);

/// Palette indices.
const BG: u8 = 0;
const WHITE: u8 = 1;
const BAR: u8 = 2;
const BLACK: u8 = 3;
const DIM: u8 = 4;

/// RGBA colours; the bars use the indices after `DIM`.
const PALETTE: [[u8; 4]; 12] = [
    [24, 38, 72, 255],    // background, dark blue
    [255, 255, 255, 255], // text
    [70, 80, 100, 255],   // title bar
    [0, 0, 0, 255],       // text box
    [170, 180, 200, 255], // dim text
    [230, 230, 230, 255], // bars: white, yellow, cyan, green, magenta, red, blue
    [230, 230, 40, 255],
    [40, 230, 230, 255],
    [40, 200, 40, 255],
    [220, 40, 220, 255],
    [220, 40, 40, 255],
    [40, 40, 220, 255],
];

struct TestScreen {
    pixels: [u8; PIXELS],
    damage: Damage,
    uptime_s: u32,
}

/// The screen, all zero at reset so that it lies in `.bss`: a static with
/// any non-zero byte goes to `.data`, whose initial image costs its whole
/// size in flash too (75 KiB here). `init` draws it.
static SCREEN: Mutex<ThreadModeRawMutex, RefCell<TestScreen>> =
    Mutex::new(RefCell::new(TestScreen {
        pixels: [0; PIXELS],
        damage: Damage::new(),
        uptime_s: 0,
    }));

/// The simulated target's text line (small; kept apart from the pixels
/// because its initial value is not all zero).
static TARGET: Mutex<ThreadModeRawMutex, RefCell<TextLine>> =
    Mutex::new(RefCell::new(TextLine::new(TARGET_LAYOUT)));

const GRID: Grid = Grid {
    width: WIDTH,
    height: HEIGHT,
};

impl TestScreen {
    /// Drawing on the pixels, marking the damage.
    fn canvas(&mut self) -> Canvas<'_> {
        Canvas {
            pixels: &mut self.pixels,
            grid: GRID,
            damage: &mut self.damage,
        }
    }

    fn fill(&mut self, area: Area, colour: u8) {
        self.canvas().fill(area, colour);
    }

    fn text(&mut self, x: u16, y: u16, font: &MonoFont<'_>, colour: u8, s: &str) {
        self.canvas().text(x, y, font, colour, s);
    }

    fn draw_all(&mut self) {
        self.fill((0, 0, WIDTH, HEIGHT), BG);
        self.fill((0, 0, WIDTH, 24), BAR);
        self.text(8, 6, &FONT_8X13, WHITE, "Beckon dongle - QEMU test screen");
        let bar_w = WIDTH / 7;
        for i in 0..7u16 {
            self.fill((i * bar_w, 32, bar_w, 48), DIM + 1 + i as u8);
        }
        self.text(8, 130, &FONT_6X10, DIM, "Target computer, typed text:");
        self.draw_uptime();
        TARGET.lock(|t| self.draw_text_box(t.borrow().text()));
    }

    fn draw_uptime(&mut self) {
        let mut s: heapless::String<32> = heapless::String::new();
        let t = self.uptime_s;
        let _ = write!(s, "uptime {:02}:{:02}:{:02}", t / 3600, t / 60 % 60, t % 60);
        self.fill((8, 96, 160, 12), BG);
        self.text(8, 96, &FONT_6X10, WHITE, &s);
    }

    fn draw_text_box(&mut self, text: &str) {
        self.canvas()
            .text_box(TEXT_BOX, &FONT_8X13, BLACK, WHITE, text);
    }

    fn draw_status(&mut self, led: LedState) {
        let mut s: heapless::String<48> = heapless::String::new();
        let _ = write!(s, "dongle LED: {led:?}");
        self.fill((8, 210, 300, 12), BG);
        self.text(8, 210, &FONT_6X10, DIM, &s);
    }

    /// Text pixels in the text box.
    fn lit_in_text_box(&self) -> usize {
        canvas::count(&self.pixels, WIDTH, TEXT_BOX, WHITE)
    }
}

/// Draw the test screen once at boot.
pub fn init() {
    SCREEN.lock(|s| s.borrow_mut().draw_all());
}

/// One more second of uptime on the screen (frames keep flowing even
/// when nobody types).
pub fn tick_second() {
    SCREEN.lock(|s| {
        let mut s = s.borrow_mut();
        s.uptime_s += 1;
        s.draw_uptime();
    });
}

/// The screen as the session's frame source.
pub struct Video;

impl FrameSource for Video {
    fn with_frame<R>(&mut self, f: impl FnOnce(&IndexedFrame<'_>) -> R) -> R {
        SCREEN.lock(|s| {
            let s = s.borrow();
            f(&IndexedFrame {
                width: WIDTH,
                height: HEIGHT,
                palette: &PALETTE,
                pixels: &s.pixels,
            })
        })
    }

    fn take_damage(&mut self, into: &mut Damage) {
        SCREEN.lock(|s| {
            let mut s = s.borrow_mut();
            into.merge(&s.damage);
            s.damage.clear();
        });
    }
}

/// The target's USB keyboard and mouse. Reports are logged and fed to the
/// target's text line.
pub struct Hid {
    /// Where the target's text is echoed for the bench.
    pub console: &'static Uart,
}

impl HidSink for Hid {
    fn keyboard(&mut self, report: &KeyboardReport) {
        defmt::debug!("HID keyboard {=[u8]:02x}", report.bytes());
        let changed = TARGET.lock(|t| {
            let mut t = t.borrow_mut();
            t.report(report).then(|| {
                let mut text: heapless::String<{ beckon_dongle_kit::target::LINE_CAP * 4 }> =
                    heapless::String::new();
                let _ = text.push_str(t.text());
                text
            })
        });
        let changed = changed.map(|text| {
            let lit = SCREEN.lock(|s| {
                let mut s = s.borrow_mut();
                s.draw_text_box(&text);
                s.lit_in_text_box()
            });
            (text, lit)
        });
        if let Some((text, lit)) = changed {
            let (x, y, w, h) = TEXT_BOX;
            self.console.line(format_args!(
                "target text: \"{text}\" (box {x},{y},{w},{h}: {lit} text pixels)"
            ));
        }
    }

    fn mouse(&mut self, mode: MouseMode, report: &MouseReport) {
        defmt::debug!("HID mouse {} {}", mode, report);
    }

    /// The simulated target keeps its lock lights as a PC does (a lock key
    /// toggles its light); a real board reads them from the USB output
    /// report.
    fn leds(&self) -> u8 {
        TARGET.lock(|t| t.borrow().leds())
    }
}

/// The status LED, shown on the test screen's bottom line.
pub struct ScreenLed;

impl Led for ScreenLed {
    fn show(&mut self, state: LedState) {
        defmt::info!("LED {}", state);
        SCREEN.lock(|s| s.borrow_mut().draw_status(state));
    }
}

/// The layout the simulated target reads its keyboard with.
pub const TARGET_LAYOUT: Layout = Layout::Us;
