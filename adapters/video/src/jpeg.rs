//! The JPEG encoding, for photographic tiles when the quality allows loss.
//!
//! ## Format
//! A baseline JPEG file (YCbCr, as written by `jpeg-encoder`) whose width
//! and height equal the rectangle's. The decoded pixels are opaque: JPEG has
//! no alpha, so the encoder only chooses it for tiles that are opaque
//! throughout.

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
///
/// `jpeg-encoder`'s own RGBA input, built with its `simd` feature: on a
/// processor with AVX2 both the colour conversion and the DCT run eight
/// lanes wide, which halves the time of a full-screen photograph.
pub(crate) fn encode(rect: Rect, pixels: &[u8], quality: u8) -> Option<Vec<u8>> {
    let expected = rect.area() as usize * BYTES_PER_PIXEL;
    let pixels = pixels.get(..expected)?;
    let mut out = Vec::new();
    jpeg_encoder::Encoder::new(&mut out, quality.clamp(1, 100))
        .encode(pixels, rect.w, rect.h, jpeg_encoder::ColorType::Rgba)
        .ok()?;
    Some(out)
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

    /// A round trip at sizes that are and are not multiples of the
    /// 16-pixel blocks keeps the size and stays close to the original,
    /// closer at a higher quality.
    #[test]
    fn round_trip_is_close_and_closer_at_higher_quality() {
        for (w, h) in [(64, 64), (37, 21), (1, 1), (16, 9), (300, 17)] {
            let pixels: Vec<u8> = (0..u32::from(w) * u32::from(h))
                .flat_map(|i| {
                    let (x, y) = (i % u32::from(w), i / u32::from(w));
                    [(x * 3) as u8, (y * 5) as u8, ((x + y) * 2) as u8, 255]
                })
                .collect();
            let rect = Rect::new(0, 0, w, h);
            let error = |quality| {
                let data = encode(rect, &pixels, quality).unwrap();
                let back = decode(rect, &data).unwrap();
                assert_eq!(back.len(), pixels.len(), "{w}x{h}");
                assert!(back.chunks_exact(4).all(|p| p[3] == 255), "opaque");
                let sum: u64 = back
                    .iter()
                    .zip(&pixels)
                    .map(|(a, b)| u64::from(a.abs_diff(*b)))
                    .sum();
                sum as f64 / pixels.len() as f64
            };
            let (low, high) = (error(30), error(95));
            assert!(high < 4.0, "{w}x{h}: mean error {high} at 95");
            assert!(high <= low, "{w}x{h}: {high} at 95, {low} at 30");
        }
    }
}
