//! The server's pixel layout and its conversion to RGBA.
//!
//! A `ZPixmap` image of the root window comes in the root visual's format:
//! `bits_per_pixel` from the pixmap format of the root depth, rows padded to
//! `scanline_pad` bits, colour channels where the visual's masks say, bytes in
//! the server's image byte order. Nearly every server today sends 32 bits per
//! pixel, little-endian, `0x00RRGGBB`; that case has a fast path, the others
//! go through the masks.

use x11rb::protocol::xproto::{ImageOrder, Setup, VisualClass};

use crate::error::X11Error;

/// How the root window's pixels are laid out in a `ZPixmap` image.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct PixelFormat {
    /// Bits per pixel: 16, 24 or 32.
    bits_per_pixel: u8,
    /// Rows are padded to a multiple of this many bits.
    scanline_pad: u8,
    /// The server sends multi-byte pixels most significant byte first.
    msb_first: bool,
    red_mask: u32,
    green_mask: u32,
    blue_mask: u32,
}

impl PixelFormat {
    /// The format of the root window of `screen`, from the connection setup.
    pub(crate) fn of_root(setup: &Setup, screen: usize) -> Result<PixelFormat, X11Error> {
        let root = setup.roots.get(screen).ok_or(X11Error::NoScreen)?;
        let depth = root.root_depth;
        let pixmap = setup
            .pixmap_formats
            .iter()
            .find(|f| f.depth == depth)
            .ok_or(X11Error::UnsupportedFormat { depth, bpp: 0 })?;
        let visual = root
            .allowed_depths
            .iter()
            .flat_map(|d| d.visuals.iter())
            .find(|v| v.visual_id == root.root_visual)
            .ok_or(X11Error::UnsupportedFormat {
                depth,
                bpp: pixmap.bits_per_pixel,
            })?;
        let format = PixelFormat {
            bits_per_pixel: pixmap.bits_per_pixel,
            scanline_pad: pixmap.scanline_pad,
            msb_first: setup.image_byte_order == ImageOrder::MSB_FIRST,
            red_mask: visual.red_mask,
            green_mask: visual.green_mask,
            blue_mask: visual.blue_mask,
        };
        let colour = matches!(
            visual.class,
            VisualClass::TRUE_COLOR | VisualClass::DIRECT_COLOR
        );
        let masks = format.red_mask != 0 && format.green_mask != 0 && format.blue_mask != 0;
        if !colour || !masks || !matches!(format.bits_per_pixel, 16 | 24 | 32) {
            return Err(X11Error::UnsupportedFormat {
                depth,
                bpp: format.bits_per_pixel,
            });
        }
        Ok(format)
    }

    /// Bytes per row of a `width`-pixel image, padding included.
    pub(crate) fn stride(&self, width: u16) -> usize {
        let pad = usize::from(self.scanline_pad.max(8));
        let bits = usize::from(width) * usize::from(self.bits_per_pixel);
        bits.div_ceil(pad) * pad / 8
    }

    /// Bytes of a whole `width`×`height` image.
    pub(crate) fn image_len(&self, width: u16, height: u16) -> usize {
        self.stride(width) * usize::from(height)
    }

    /// Convert a `width`×`height` image in this format to RGBA (alpha 255)
    /// into `out`, which must hold `width * height * 4` bytes.
    #[cfg(test)]
    pub(crate) fn convert_to_rgba(
        &self,
        src: &[u8],
        width: u16,
        height: u16,
        out: &mut [u8],
    ) -> Result<(), X11Error> {
        if out.len() != usize::from(width) * 4 * usize::from(height) {
            return Err(X11Error::ShortImage {
                got: out.len(),
                want: usize::from(width) * 4 * usize::from(height),
            });
        }
        self.convert_into(src, width, height, out, usize::from(width) * 4)
    }

    /// Convert a `width`×`height` image in this format to RGBA (alpha 255)
    /// into a part of a larger RGBA picture: `out` starts at the part's top
    /// left pixel, and its rows are `out_stride` bytes apart.
    pub(crate) fn convert_into(
        &self,
        src: &[u8],
        width: u16,
        height: u16,
        out: &mut [u8],
        out_stride: usize,
    ) -> Result<(), X11Error> {
        let stride = self.stride(width);
        let row_out = usize::from(width) * 4;
        let rows = usize::from(height);
        let out_needed = match rows {
            0 => 0,
            _ => out_stride * (rows - 1) + row_out,
        };
        if src.len() < stride * rows || out.len() < out_needed || out_stride < row_out {
            return Err(X11Error::ShortImage {
                got: src.len(),
                want: stride * rows,
            });
        }
        if row_out == 0 || stride == 0 {
            return Ok(());
        }
        let bytes = usize::from(self.bits_per_pixel / 8);
        let fast = self.bits_per_pixel == 32
            && !self.msb_first
            && (self.red_mask, self.green_mask, self.blue_mask) == (0xFF_0000, 0xFF00, 0xFF);
        for (row_in, row_out) in src.chunks(stride).take(rows).zip(
            out.chunks_mut(out_stride)
                .filter_map(|r| r.get_mut(..row_out)),
        ) {
            let pixels = row_in.chunks_exact(bytes).zip(row_out.chunks_exact_mut(4));
            if fast {
                for (p, o) in pixels {
                    o.copy_from_slice(&[p[2], p[1], p[0], 0xFF]);
                }
            } else {
                for (p, o) in pixels {
                    let v = self.pixel_value(p);
                    o.copy_from_slice(&[
                        channel(v, self.red_mask),
                        channel(v, self.green_mask),
                        channel(v, self.blue_mask),
                        0xFF,
                    ]);
                }
            }
        }
        Ok(())
    }

    fn pixel_value(&self, p: &[u8]) -> u32 {
        let fold = |acc: u32, b: &u8| (acc << 8) | u32::from(*b);
        if self.msb_first {
            p.iter().fold(0, fold)
        } else {
            p.iter().rev().fold(0, fold)
        }
    }
}

/// The channel under `mask` in `value`, scaled to 8 bits.
fn channel(value: u32, mask: u32) -> u8 {
    let shift = mask.trailing_zeros();
    let bits = (mask >> shift).count_ones();
    let v = (value & mask) >> shift;
    match bits {
        0 => 0,
        1..=7 => {
            // Scale up, replicating the top bits into the new low bits.
            let max = (1u32 << bits) - 1;
            ((v * 255 + max / 2) / max) as u8
        }
        _ => (v >> (bits - 8)) as u8,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn format(bpp: u8, msb: bool, r: u32, g: u32, b: u32) -> PixelFormat {
        PixelFormat {
            bits_per_pixel: bpp,
            scanline_pad: 32,
            msb_first: msb,
            red_mask: r,
            green_mask: g,
            blue_mask: b,
        }
    }

    #[test]
    fn bgrx_little_endian_fast_path() {
        let f = format(32, false, 0xFF_0000, 0xFF00, 0xFF);
        let mut out = [0u8; 8];
        f.convert_to_rgba(&[1, 2, 3, 0, 4, 5, 6, 0], 2, 1, &mut out)
            .unwrap();
        assert_eq!(out, [3, 2, 1, 255, 6, 5, 4, 255]);
    }

    #[test]
    fn big_endian_and_16_bit() {
        let f = format(32, true, 0xFF_0000, 0xFF00, 0xFF);
        let mut out = [0u8; 4];
        f.convert_to_rgba(&[0, 10, 20, 30], 1, 1, &mut out).unwrap();
        assert_eq!(out, [10, 20, 30, 255]);

        // RGB565, one pixel of pure red then padding to 32 bits.
        let f = format(16, false, 0xF800, 0x07E0, 0x001F);
        assert_eq!(f.stride(1), 4);
        f.convert_to_rgba(&[0x00, 0xF8, 0, 0], 1, 1, &mut out)
            .unwrap();
        assert_eq!(out, [255, 0, 0, 255]);
    }

    #[test]
    fn short_input_is_an_error() {
        let f = format(32, false, 0xFF_0000, 0xFF00, 0xFF);
        let mut out = [0u8; 8];
        assert!(f.convert_to_rgba(&[0; 4], 2, 1, &mut out).is_err());
    }

    #[test]
    fn converts_into_a_part_of_a_larger_picture() {
        let f = format(32, false, 0xFF_0000, 0xFF00, 0xFF);
        // A 3x2 RGBA picture; a 2x1 image goes to its second row, from x=1.
        let mut out = vec![9u8; 3 * 2 * 4];
        f.convert_into(
            &[1, 2, 3, 0, 4, 5, 6, 0],
            2,
            1,
            &mut out[(3 + 1) * 4..],
            3 * 4,
        )
        .unwrap();
        let mut want = vec![9u8; 24];
        want[16..24].copy_from_slice(&[3, 2, 1, 255, 6, 5, 4, 255]);
        assert_eq!(out, want);
        // The part must fit.
        assert!(f
            .convert_into(&[0; 8], 2, 1, &mut out[(3 + 2) * 4..], 3 * 4)
            .is_err());
    }
}
