//! The computer the simulated dongle is plugged into: its screen (what the
//! dongle's HDMI capture would see) and its USB keyboard and mouse (the
//! reports the dongle sends).
//!
//! The screen has a text box that shows what the target's keyboard typed,
//! read through the target's layout by the kit's [`TextLine`], so a helper
//! sees their typing come back in the picture, as on the QEMU board.

use std::cell::RefCell;
use std::rc::Rc;

use beckon_core::keymap::Layout;
use beckon_dongle::hw::{FrameSource, HidSink};
use beckon_dongle_kit::canvas::{Area, Canvas};
use beckon_dongle_kit::hid::{KeyboardReport, MouseMode, MouseReport};
use beckon_dongle_kit::target::TextLine;
use beckon_dongle_kit::tiles::{Damage, Grid, IndexedFrame};
use embedded_graphics::mono_font::iso_8859_1::{FONT_6X10, FONT_8X13};

/// Screen width: a quarter VGA, like the QEMU board's test screen.
pub const WIDTH: u16 = 320;
/// Screen height.
pub const HEIGHT: u16 = 240;

/// Where typed text shows: (x, y, w, h).
pub const TEXT_BOX: Area = (8, 150, 304, 20);

const BG: u8 = 0;
const WHITE: u8 = 1;
const BAR: u8 = 2;
const BLACK: u8 = 3;
const DIM: u8 = 4;

/// RGBA colours; the colour bars use the indices after `DIM`.
const PALETTE: [[u8; 4]; 9] = [
    [16, 60, 40, 255],    // background, dark green
    [255, 255, 255, 255], // text
    [60, 90, 80, 255],    // title bar
    [0, 0, 0, 255],       // text box
    [170, 200, 190, 255], // dim text
    [230, 230, 40, 255],  // bars: yellow, cyan, magenta, red
    [40, 230, 230, 255],
    [220, 40, 220, 255],
    [220, 40, 40, 255],
];

const GRID: Grid = Grid {
    width: WIDTH,
    height: HEIGHT,
};

/// The target computer's state.
#[derive(Debug)]
pub struct Machine {
    pixels: Vec<u8>,
    damage: Damage,
    text: TextLine,
    keyboard: KeyboardReport,
    mouse: Option<(MouseMode, MouseReport)>,
    keyboard_reports: usize,
}

impl Machine {
    /// A target whose keyboard layout is `layout`, showing its screen.
    pub fn new(layout: Layout) -> Self {
        let mut m = Machine {
            pixels: vec![BG; usize::from(WIDTH) * usize::from(HEIGHT)],
            damage: Damage::new(),
            text: TextLine::new(layout),
            keyboard: KeyboardReport::default(),
            mouse: None,
            keyboard_reports: 0,
        };
        m.draw_all();
        m
    }

    /// The typed text as the target reads it.
    pub fn text(&self) -> &str {
        self.text.text()
    }

    /// The last keyboard report: what the target believes is held.
    pub fn keyboard(&self) -> KeyboardReport {
        self.keyboard
    }

    /// How many keyboard reports arrived.
    pub fn keyboard_reports(&self) -> usize {
        self.keyboard_reports
    }

    /// The last mouse report and its mode.
    pub fn mouse(&self) -> Option<(MouseMode, MouseReport)> {
        self.mouse
    }

    /// The screen as RGBA, row after row (the expert's decoded format).
    pub fn rgba(&self) -> Vec<u8> {
        self.pixels
            .iter()
            .flat_map(|&p| PALETTE[usize::from(p)])
            .collect()
    }

    /// Drawing on the pixels, marking the damage.
    fn canvas(&mut self) -> Canvas<'_> {
        Canvas {
            pixels: &mut self.pixels,
            grid: GRID,
            damage: &mut self.damage,
        }
    }

    fn draw_all(&mut self) {
        let mut c = self.canvas();
        c.fill((0, 0, WIDTH, HEIGHT), BG);
        c.fill((0, 0, WIDTH, 24), BAR);
        c.text(8, 6, &FONT_8X13, WHITE, "BIOS setup (simulated target)");
        let bar_w = WIDTH / 4;
        for i in 0..4u8 {
            c.fill((u16::from(i) * bar_w, 32, bar_w, 48), DIM + 1 + i);
        }
        c.text(8, 130, &FONT_6X10, DIM, "Typed on the target's keyboard:");
        self.draw_text_box();
    }

    fn draw_text_box(&mut self) {
        let Machine {
            pixels,
            damage,
            text,
            ..
        } = self;
        let mut c = Canvas {
            pixels,
            grid: GRID,
            damage,
        };
        c.text_box(TEXT_BOX, &FONT_8X13, BLACK, WHITE, text.text());
    }

    /// Text pixels in the text box of an RGBA screen of this size: how
    /// much typed text it shows.
    pub fn text_pixels(rgba: &[u8]) -> usize {
        let (x, y, w, h) = TEXT_BOX;
        let white = PALETTE[usize::from(WHITE)];
        (y..y + h)
            .flat_map(|row| (x..x + w).map(move |col| (row, col)))
            .filter(|&(row, col)| {
                let i = (usize::from(row) * usize::from(WIDTH) + usize::from(col)) * 4;
                rgba.get(i..i + 4) == Some(&white[..])
            })
            .count()
    }
}

/// A shared handle on the target: the dongle's frame source and HID sink
/// are two views of one machine.
#[derive(Debug, Clone)]
pub struct Target(pub Rc<RefCell<Machine>>);

impl Target {
    /// A target whose keyboard layout is `layout`.
    pub fn new(layout: Layout) -> Self {
        Target(Rc::new(RefCell::new(Machine::new(layout))))
    }
}

impl FrameSource for Target {
    fn with_frame<R>(&mut self, f: impl FnOnce(&IndexedFrame<'_>) -> R) -> R {
        let m = self.0.borrow();
        f(&IndexedFrame {
            width: WIDTH,
            height: HEIGHT,
            palette: &PALETTE,
            pixels: &m.pixels,
        })
    }

    fn take_damage(&mut self, into: &mut Damage) {
        let mut m = self.0.borrow_mut();
        into.merge(&m.damage);
        m.damage.clear();
    }
}

impl HidSink for Target {
    fn keyboard(&mut self, report: &KeyboardReport) {
        let mut m = self.0.borrow_mut();
        m.keyboard = *report;
        m.keyboard_reports += 1;
        if m.text.report(report) {
            m.draw_text_box();
        }
    }

    fn mouse(&mut self, mode: MouseMode, report: &MouseReport) {
        self.0.borrow_mut().mouse = Some((mode, *report));
    }

    /// The lock lights the simulated target keeps (a lock key toggles its
    /// light, as on a PC).
    fn leds(&self) -> u8 {
        self.0.borrow().text.leds()
    }
}
