//! An RGBA8 framebuffer that `embedded-graphics` can draw on, with a clip
//! rectangle so that only damaged areas are repainted.

use core::convert::Infallible;

use embedded_graphics::pixelcolor::{Rgb888, RgbColor};
use embedded_graphics::prelude::{DrawTarget, OriginDimensions, Pixel, Size};
use embedded_graphics::primitives::Rectangle;

use super::geometry::Rect;

/// Pixels, 4 bytes each (R, G, B, A with A always 255), row after row.
#[derive(Debug, Clone)]
pub(crate) struct Framebuffer {
    width: i32,
    height: i32,
    data: Vec<u8>,
    /// Drawing outside this rectangle is ignored.
    clip: Rect,
}

impl Framebuffer {
    /// A framebuffer filled with opaque black.
    pub fn new(width: u16, height: u16) -> Framebuffer {
        let (w, h) = (i32::from(width), i32::from(height));
        let data = [0u8, 0, 0, 255].repeat(usize::from(width) * usize::from(height));
        Framebuffer {
            width: w,
            height: h,
            data,
            clip: Rect::new(0, 0, w, h),
        }
    }

    pub fn bounds(&self) -> Rect {
        Rect::new(0, 0, self.width, self.height)
    }

    pub fn data(&self) -> &[u8] {
        &self.data
    }

    /// Limits drawing to `clip` (and the screen).
    pub fn set_clip(&mut self, clip: Rect) {
        self.clip = clip.intersect(&self.bounds());
    }

    pub fn clip(&self) -> Rect {
        self.clip
    }

    fn offset(&self, x: i32, y: i32) -> usize {
        (y as usize * self.width as usize + x as usize) * 4
    }

    /// Overwrites row `y` (clip ignored) with RGBA bytes from `x = 0`.
    pub fn write_row(&mut self, y: i32, rgba: &[u8]) {
        if y < 0 || y >= self.height {
            return;
        }
        let start = self.offset(0, y);
        let n = rgba.len().min(self.width as usize * 4);
        self.data[start..start + n].copy_from_slice(&rgba[..n]);
    }

    /// Sets one pixel if it lies inside the clip.
    pub fn put(&mut self, x: i32, y: i32, c: Rgb888) {
        if self.clip.contains(x, y) {
            let o = self.offset(x, y);
            self.data[o..o + 3].copy_from_slice(&[c.r(), c.g(), c.b()]);
        }
    }

    /// Fills `r` (clipped) with one colour.
    pub fn fill(&mut self, r: Rect, c: Rgb888) {
        let r = r.intersect(&self.clip);
        if r.is_empty() {
            return;
        }
        // One row built once, then copied: fast even in debug builds.
        let row: Vec<u8> = [c.r(), c.g(), c.b(), 255].repeat(r.w as usize);
        for y in r.y..r.bottom() {
            let start = self.offset(r.x, y);
            self.data[start..start + row.len()].copy_from_slice(&row);
        }
    }

    /// Darkens `r` (clipped): each channel times `num / 256`. Used for shadows.
    pub fn darken(&mut self, r: Rect, num: u16) {
        let r = r.intersect(&self.clip);
        if r.is_empty() {
            return;
        }
        for y in r.y..r.bottom() {
            let start = self.offset(r.x, y);
            let row = &mut self.data[start..start + r.w as usize * 4];
            for p in row.chunks_exact_mut(4) {
                for ch in &mut p[..3] {
                    *ch = ((u16::from(*ch) * num) >> 8) as u8;
                }
            }
        }
    }

    /// Copies the clip area of `src` (same size) into this buffer.
    pub fn copy_clip_from(&mut self, src: &Framebuffer) {
        let r = self.clip;
        if r.is_empty() || src.width != self.width || src.height != self.height {
            return;
        }
        for y in r.y..r.bottom() {
            let start = self.offset(r.x, y);
            let end = start + r.w as usize * 4;
            self.data[start..end].copy_from_slice(&src.data[start..end]);
        }
    }
}

impl OriginDimensions for Framebuffer {
    fn size(&self) -> Size {
        Size::new(self.width as u32, self.height as u32)
    }
}

impl DrawTarget for Framebuffer {
    type Color = Rgb888;
    type Error = Infallible;

    fn draw_iter<I>(&mut self, pixels: I) -> Result<(), Self::Error>
    where
        I: IntoIterator<Item = Pixel<Self::Color>>,
    {
        for Pixel(p, c) in pixels {
            self.put(p.x, p.y, c);
        }
        Ok(())
    }

    fn fill_contiguous<I>(&mut self, area: &Rectangle, colors: I) -> Result<(), Self::Error>
    where
        I: IntoIterator<Item = Self::Color>,
    {
        let r = Rect::new(
            area.top_left.x,
            area.top_left.y,
            area.size.width as i32,
            area.size.height as i32,
        );
        // Glyphs outside the clip are skipped without walking their pixels.
        if !r.intersects(&self.clip) {
            return Ok(());
        }
        let mut colors = colors.into_iter();
        for y in r.y..r.bottom() {
            for x in r.x..r.right() {
                match colors.next() {
                    Some(c) => self.put(x, y, c),
                    None => return Ok(()),
                }
            }
        }
        Ok(())
    }

    fn fill_solid(&mut self, area: &Rectangle, color: Self::Color) -> Result<(), Self::Error> {
        let r = Rect::new(
            area.top_left.x,
            area.top_left.y,
            area.size.width as i32,
            area.size.height as i32,
        );
        self.fill(r, color);
        Ok(())
    }
}
