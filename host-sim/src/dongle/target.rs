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
use beckon_dongle_kit::hid::{KeyboardReport, MouseMode, MouseReport};
use beckon_dongle_kit::target::TextLine;
use beckon_dongle_kit::tiles::{Damage, Grid, IndexedFrame};
use embedded_graphics::mono_font::iso_8859_1::{FONT_6X10, FONT_8X13};
use embedded_graphics::mono_font::{MonoFont, MonoTextStyle};
use embedded_graphics::pixelcolor::raw::RawU8;
use embedded_graphics::prelude::*;
use embedded_graphics::primitives::{PrimitiveStyle, Rectangle};
use embedded_graphics::text::{Baseline, Text};

/// Screen width: a quarter VGA, like the QEMU board's test screen.
pub const WIDTH: u16 = 320;
/// Screen height.
pub const HEIGHT: u16 = 240;

/// Where typed text shows: (x, y, w, h).
pub const TEXT_BOX: (u16, u16, u16, u16) = (8, 150, 304, 20);

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

/// A palette index as an embedded-graphics colour (the machine draws its
/// screen with embedded-graphics).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Idx(pub u8);

impl PixelColor for Idx {
    type Raw = RawU8;
}

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

impl OriginDimensions for Machine {
    fn size(&self) -> Size {
        Size::new(u32::from(WIDTH), u32::from(HEIGHT))
    }
}

impl DrawTarget for Machine {
    type Color = Idx;
    type Error = std::convert::Infallible;

    fn draw_iter<I: IntoIterator<Item = Pixel<Idx>>>(
        &mut self,
        pixels: I,
    ) -> Result<(), Self::Error> {
        for Pixel(p, c) in pixels {
            if let (Ok(x), Ok(y)) = (u16::try_from(p.x), u16::try_from(p.y)) {
                if x < WIDTH && y < HEIGHT {
                    self.pixels[usize::from(y) * usize::from(WIDTH) + usize::from(x)] = c.0;
                }
            }
        }
        Ok(())
    }
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

    fn fill(&mut self, (x, y, w, h): (u16, u16, u16, u16), colour: u8) {
        let r = Rectangle::new(
            Point::new(i32::from(x), i32::from(y)),
            Size::new(u32::from(w), u32::from(h)),
        );
        let _ = r
            .into_styled(PrimitiveStyle::with_fill(Idx(colour)))
            .draw(self);
        self.damage.mark_rect(GRID, x, y, w, h);
    }

    fn write(&mut self, x: u16, y: u16, font: &MonoFont<'_>, colour: u8, s: &str) {
        let style = MonoTextStyle::new(font, Idx(colour));
        let at = Point::new(i32::from(x), i32::from(y));
        let _ = Text::with_baseline(s, at, style, Baseline::Top).draw(self);
    }

    fn draw_all(&mut self) {
        self.fill((0, 0, WIDTH, HEIGHT), BG);
        self.fill((0, 0, WIDTH, 24), BAR);
        self.write(8, 6, &FONT_8X13, WHITE, "BIOS setup (simulated target)");
        let bar_w = WIDTH / 4;
        for i in 0..4u8 {
            self.fill((u16::from(i) * bar_w, 32, bar_w, 48), DIM + 1 + i);
        }
        self.write(8, 130, &FONT_6X10, DIM, "Typed on the target's keyboard:");
        self.draw_text_box();
    }

    fn draw_text_box(&mut self) {
        self.fill(TEXT_BOX, BLACK);
        let (x, y, w, _) = TEXT_BOX;
        // The end of a long line, as an editor scrolls.
        let fits = usize::from(w / 8) - 1;
        let text = self.text.text();
        let skip = text.chars().count().saturating_sub(fits);
        let mut shown: String = text.chars().skip(skip).collect();
        shown.push('_');
        self.write(x + 2, y + 3, &FONT_8X13, WHITE, &shown);
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
