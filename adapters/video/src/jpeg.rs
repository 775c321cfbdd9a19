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
pub(crate) fn encode(rect: Rect, pixels: &[u8], quality: u8) -> Option<Vec<u8>> {
    let mut out = Vec::new();
    let encoder = jpeg_encoder::Encoder::new(&mut out, quality.clamp(1, 100));
    encoder
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
