//! Drawing on an indexed-colour screen with embedded-graphics, marking the
//! tiles each drawing touches so only those are sent.
//!
//! The QEMU board's test screen and host-sim's simulated target draw their
//! screens this way, including the text box where the target shows what
//! its keyboard typed. (Feature `canvas`.)

use embedded_graphics::mono_font::{MonoFont, MonoTextStyle};
use embedded_graphics::pixelcolor::raw::RawU8;
use embedded_graphics::prelude::*;
use embedded_graphics::primitives::{PrimitiveStyle, Rectangle};
use embedded_graphics::text::{Baseline, Text};

use crate::target::LINE_CAP;
use crate::tiles::{Damage, Grid};

/// A palette index as an embedded-graphics colour.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Idx(pub u8);

impl PixelColor for Idx {
    type Raw = RawU8;
}

/// A rectangle on the screen: (x, y, w, h).
pub type Area = (u16, u16, u16, u16);

/// A screen's pixels (one palette index each, row after row) and its
/// damage, borrowed for drawing.
pub struct Canvas<'a> {
    /// `width * height` palette indices.
    pub pixels: &'a mut [u8],
    /// The screen's size.
    pub grid: Grid,
    /// Tiles drawn on since the frame source last handed them out.
    pub damage: &'a mut Damage,
}

impl OriginDimensions for Canvas<'_> {
    fn size(&self) -> Size {
        Size::new(u32::from(self.grid.width), u32::from(self.grid.height))
    }
}

impl DrawTarget for Canvas<'_> {
    type Color = Idx;
    type Error = core::convert::Infallible;

    fn draw_iter<I: IntoIterator<Item = Pixel<Idx>>>(
        &mut self,
        pixels: I,
    ) -> Result<(), Self::Error> {
        let (w, h) = (self.grid.width, self.grid.height);
        for Pixel(p, c) in pixels {
            if let (Ok(x), Ok(y)) = (u16::try_from(p.x), u16::try_from(p.y)) {
                if x < w && y < h {
                    if let Some(px) = self
                        .pixels
                        .get_mut(usize::from(y) * usize::from(w) + usize::from(x))
                    {
                        *px = c.0;
                    }
                }
            }
        }
        Ok(())
    }
}

impl Canvas<'_> {
    /// Fill `area` with `colour`.
    pub fn fill(&mut self, (x, y, w, h): Area, colour: u8) {
        let r = Rectangle::new(
            Point::new(i32::from(x), i32::from(y)),
            Size::new(u32::from(w), u32::from(h)),
        );
        let _ = r
            .into_styled(PrimitiveStyle::with_fill(Idx(colour)))
            .draw(self);
        self.damage.mark_rect(self.grid, x, y, w, h);
    }

    /// Write `s` with its top-left corner at (x, y). Text is drawn over
    /// something just filled, which marked the damage.
    pub fn text(&mut self, x: u16, y: u16, font: &MonoFont<'_>, colour: u8, s: &str) {
        let style = MonoTextStyle::new(font, Idx(colour));
        let at = Point::new(i32::from(x), i32::from(y));
        let _ = Text::with_baseline(s, at, style, Baseline::Top).draw(self);
    }

    /// The typed-text box: `text` in `ink` on `paper`, followed by a
    /// cursor; the end of a long line, as an editor scrolls.
    pub fn text_box(&mut self, area: Area, font: &MonoFont<'_>, paper: u8, ink: u8, text: &str) {
        self.fill(area, paper);
        let (x, y, w, _) = area;
        let cell = u16::try_from(font.character_size.width)
            .unwrap_or(u16::MAX)
            .max(1);
        let fits = usize::from(w / cell).saturating_sub(1);
        let skip = text.chars().count().saturating_sub(fits);
        let mut shown: heapless::String<{ LINE_CAP * 4 + 1 }> = heapless::String::new();
        for c in text.chars().skip(skip) {
            let _ = shown.push(c);
        }
        let _ = shown.push('_');
        self.text(x + 2, y + 3, font, ink, &shown);
    }
}

/// How many pixels of `area` on a screen `width` wide have `colour` (the
/// text box's lit pixels, which tests compare with the helper's picture).
pub fn count(pixels: &[u8], width: u16, (x, y, w, h): Area, colour: u8) -> usize {
    (y..y + h)
        .filter_map(|row| {
            let start = usize::from(row) * usize::from(width) + usize::from(x);
            pixels.get(start..start + usize::from(w))
        })
        .map(|line| line.iter().filter(|&&p| p == colour).count())
        .sum()
}

#[cfg(test)]
mod tests {
    extern crate std;
    use super::*;
    use embedded_graphics::mono_font::iso_8859_1::FONT_8X13;
    use std::vec;

    #[test]
    fn the_text_box_shows_the_end_of_a_long_line_and_marks_its_tiles() {
        let grid = Grid {
            width: 320,
            height: 240,
        };
        let mut pixels = vec![0u8; 320 * 240];
        let mut damage = Damage::new();
        let mut c = Canvas {
            pixels: &mut pixels,
            grid,
            damage: &mut damage,
        };
        let area = (8, 150, 304, 20);
        c.text_box(area, &FONT_8X13, 3, 1, "short");
        let short = count(&pixels, 320, area, 1);
        assert!(short > 0 && !damage.is_empty());
        let mut damage = Damage::new();
        let mut c = Canvas {
            pixels: &mut pixels,
            grid,
            damage: &mut damage,
        };
        // Longer than the box: the box stays full, never wider.
        c.text_box(area, &FONT_8X13, 3, 1, &"W".repeat(200));
        assert!(count(&pixels, 320, area, 1) > short);
        assert_eq!(
            count(&pixels, 320, (0, 0, 320, 150), 1),
            0,
            "nothing drawn above the box"
        );
    }
}
