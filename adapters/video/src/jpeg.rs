//! The JPEG encoding, for photographic tiles when the quality allows loss.
//!
//! ## Format
//! A baseline JPEG file (YCbCr, as written by `jpeg-encoder`) whose width
//! and height equal the rectangle's. The decoded pixels are opaque: JPEG has
//! no alpha, so the encoder only chooses it for tiles that are opaque
//! throughout.

use jpeg_encoder::{rgb_to_ycbcr, ImageBuffer, JpegColorType};
use zune_jpeg::zune_core::bytestream::ZCursor;
use zune_jpeg::zune_core::colorspace::ColorSpace;
use zune_jpeg::zune_core::options::DecoderOptions;
use zune_jpeg::JpegDecoder;

use crate::rect::Rect;
use crate::BYTES_PER_PIXEL;

/// Whether a tile whose best lossless encoding takes `lossless` bytes of
/// `raw` is worth trying as JPEG. Text and UI compress well with LZ4 (or
/// have few colours and go as palette before this is asked); photographs
/// and smooth gradients do not, and those are where JPEG is many times
/// smaller. A quarter is between the two: a text tile rarely leaves more
/// than a fifth after LZ4, a photograph rarely less than a half.
pub(crate) fn worth_trying(lossless: usize, raw: usize) -> bool {
    lossless > raw / 4
}

/// Whether every pixel of `pixels` (RGBA) is opaque, which JPEG keeps.
pub(crate) fn opaque(pixels: &[u8]) -> bool {
    pixels
        .chunks_exact(BYTES_PER_PIXEL)
        .all(|px| px.get(3) == Some(&255))
}

/// `pixels` (RGBA, `rect.w * rect.h * 4` bytes) as a JPEG file at
/// `quality` (1..=100), or `None` if the encoder refused.
pub(crate) fn encode(rect: Rect, pixels: &[u8], quality: u8) -> Option<Vec<u8>> {
    let expected = rect.area() as usize * BYTES_PER_PIXEL;
    let pixels = pixels.get(..expected)?;
    let mut out = Vec::new();
    let encoder = jpeg_encoder::Encoder::new(&mut out, quality.clamp(1, 100));
    encoder
        .encode_image(RgbaTile {
            pixels,
            w: rect.w,
            h: rect.h,
        })
        .ok()?;
    Some(out)
}

/// RGBA pixels for `jpeg-encoder`, converted to YCbCr a row at a time the
/// way its own RGBA input is (the same `rgb_to_ycbcr`, so the same bytes),
/// but written into each channel's row in one pass instead of three
/// `Vec::push`es a pixel, which took a third of the encoder's time.
struct RgbaTile<'a> {
    pixels: &'a [u8],
    w: u16,
    h: u16,
}

impl ImageBuffer for RgbaTile<'_> {
    fn get_jpeg_color_type(&self) -> JpegColorType {
        JpegColorType::Ycbcr
    }

    fn width(&self) -> u16 {
        self.w
    }

    fn height(&self) -> u16 {
        self.h
    }

    fn fill_buffers(&self, y: u16, buffers: &mut [Vec<u8>; 4]) {
        let row_len = usize::from(self.w) * BYTES_PER_PIXEL;
        let start = usize::from(y) * row_len;
        let line = self.pixels.get(start..start + row_len).unwrap_or_default();
        let [luma, blue, red, _] = buffers;
        let at = luma.len();
        let n = line.len() / BYTES_PER_PIXEL;
        for channel in [&mut *luma, &mut *blue, &mut *red] {
            channel.resize(at + n, 0);
        }
        let (Some(luma), Some(blue), Some(red)) =
            (luma.get_mut(at..), blue.get_mut(at..), red.get_mut(at..))
        else {
            return;
        };
        for (((px, l), b), r) in line
            .chunks_exact(BYTES_PER_PIXEL)
            .zip(luma)
            .zip(blue)
            .zip(red)
        {
            (*l, *b, *r) = rgb_to_ycbcr(px[0], px[1], px[2]);
        }
    }
}

/// Why JPEG data was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum JpegError {
    /// Not a JPEG the decoder could read.
    Corrupt,
    /// A JPEG of another size than the rectangle.
    Size,
}

/// Decode JPEG data that must be exactly `rect`'s size into RGBA pixels.
///
/// The decoder is told the rectangle's size as its limit, so a header
/// announcing a larger picture is refused before anything is allocated for
/// it; a smaller one is refused after the header.
pub(crate) fn decode(rect: Rect, data: &[u8]) -> Result<Vec<u8>, JpegError> {
    let options = DecoderOptions::default()
        .set_max_width(usize::from(rect.w))
        .set_max_height(usize::from(rect.h))
        .jpeg_set_out_colorspace(ColorSpace::RGBA);
    let mut decoder = JpegDecoder::new_with_options(ZCursor::new(data), options);
    decoder.decode_headers().map_err(|_| JpegError::Corrupt)?;
    let expected = rect.area() as usize * BYTES_PER_PIXEL;
    if decoder.dimensions() != Some((usize::from(rect.w), usize::from(rect.h)))
        || decoder.output_buffer_size() != Some(expected)
    {
        return Err(JpegError::Size);
    }
    let mut out = vec![0; expected];
    decoder
        .decode_into(&mut out)
        .map_err(|_| JpegError::Corrupt)?;
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The same bytes as `jpeg-encoder`'s own RGBA input, at sizes that are
    /// and are not multiples of the 16-pixel blocks.
    #[test]
    fn same_bytes_as_jpeg_encoder_rgba() {
        let mut seed = 7u32;
        for (w, h) in [(64, 64), (37, 21), (1, 1), (16, 9)] {
            let pixels: Vec<u8> = (0..u32::from(w) * u32::from(h) * 4)
                .map(|i| {
                    seed = seed.wrapping_mul(1_664_525).wrapping_add(1_013_904_223);
                    (i / 4 % 200) as u8 ^ (seed >> 29) as u8
                })
                .collect();
            for quality in [30, 85, 95] {
                let mut expected = Vec::new();
                jpeg_encoder::Encoder::new(&mut expected, quality)
                    .encode(&pixels, w, h, jpeg_encoder::ColorType::Rgba)
                    .unwrap();
                let got = encode(Rect::new(0, 0, w, h), &pixels, quality);
                assert_eq!(got.as_deref(), Some(&expected[..]), "{w}x{h} q{quality}");
            }
        }
    }
}
