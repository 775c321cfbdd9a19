//! The H.264 encoding ([`Encoding::H264`](crate::Encoding::H264)) for a
//! region of the screen in full motion: one OpenH264 encoder per region on
//! the sending side, one decoder per region on the viewer's side. Only with
//! the crate's `h264` feature.
//!
//! ## Format
//! A rectangle's data is one access unit in Annex B form (start codes before
//! each NAL unit) of a picture whose width and height are the rectangle's,
//! each rounded up to an even number (4:2:0 chroma needs even sizes); the
//! decoder drops the padding column or row. The first access unit of a
//! region is an IDR picture with its parameter sets, and so is every one the
//! encoder sends after it may have lost step with the viewer
//! ([`RegionEncoder::force_idr`]). Pixels are BT.601, limited range.
//!
//! ## Keeping both sides in step
//! Every picture after an IDR refers to the one before it, so the viewer
//! must have decoded every access unit of the region since its last IDR.
//! The session's transport is reliable and ordered; what can still break
//! the chain is a frame the encoder made but the driver never sent, and the
//! encoder then forgets everything ([`crate::Encoder::refresh`]), which
//! starts the region again with an IDR. The viewer keeps one decoder per
//! region rectangle and starts it afresh on every IDR, so a region that
//! moved or was resized never decodes against another one's pictures.

use openh264::decoder::{DecodedYUV, Decoder};
use openh264::encoder::{
    BitRate, Complexity, Encoder, EncoderConfig, QpRange, RateControlMode, UsageType,
};
use openh264::formats::YUVSource;
use openh264::OpenH264API;

use crate::rect::Rect;
use crate::BYTES_PER_PIXEL;

/// Why an H.264 rectangle could not be decoded.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub(crate) enum H264Error {
    /// The data is not a picture OpenH264 decodes.
    #[error("malformed H.264 data")]
    Malformed,
    /// A picture that refers to earlier ones, for a region whose stream
    /// this viewer has not started (no IDR for this rectangle yet).
    #[error("H.264 picture without its key picture")]
    NoKeyPicture,
    /// The picture's size is not the rectangle's (rounded up to even).
    #[error("H.264 picture of {got_w}x{got_h} for a rectangle of {w}x{h}")]
    Size {
        /// Picture width.
        got_w: usize,
        /// Picture height.
        got_h: usize,
        /// Rectangle width.
        w: u16,
        /// Rectangle height.
        h: u16,
    },
}

/// The quantiser for a JPEG-like quality (1..=100): the same levels the
/// quality controller gives JPEG, so a busy link lowers both alike. 85 (the
/// best level's JPEG quality) gives 24, where a photograph looks as good as
/// that JPEG; each step of the controller then costs about one QP.
pub(crate) fn qp_for(quality: u8) -> u8 {
    let q = u32::from(quality.clamp(1, 100));
    // 54 - 0.35 q, rounded, within H.264's 0..=51.
    (54u32.saturating_sub((q * 35 + 50) / 100)).min(51) as u8
}

/// The bitrate OpenH264's rate control aims at: high enough that the
/// quantiser, not the bitrate, sets the size.
const MAX_BITRATE: u32 = 200_000_000;

/// Rounded up to an even number.
fn even(v: u16) -> usize {
    (usize::from(v) + 1) & !1
}

/// Whether `data` holds an IDR slice (NAL unit type 5).
pub(crate) fn has_idr(data: &[u8]) -> bool {
    // After each start code 00 00 01, the NAL header's low five bits.
    data.windows(4)
        .any(|w| w[0] == 0 && w[1] == 0 && w[2] == 1 && w[3] & 0x1f == 5)
}

/// A picture in I420, padded to even sizes, as OpenH264 reads it.
#[derive(Debug, Default)]
struct Planes {
    w: usize,
    h: usize,
    y: Vec<u8>,
    u: Vec<u8>,
    v: Vec<u8>,
}

impl YUVSource for Planes {
    fn dimensions(&self) -> (usize, usize) {
        (self.w, self.h)
    }

    fn strides(&self) -> (usize, usize, usize) {
        (self.w, self.w / 2, self.w / 2)
    }

    fn y(&self) -> &[u8] {
        &self.y
    }

    fn u(&self) -> &[u8] {
        &self.u
    }

    fn v(&self) -> &[u8] {
        &self.v
    }
}

impl Planes {
    /// Convert `rect` of the screen (`width` pixels a row, RGBA) into these
    /// planes, repeating the last column and row into the padding. A
    /// screen too short for `rect` (never, from the encoder) leaves them
    /// as they were.
    fn read(&mut self, width: u16, rect: Rect, screen: &[u8]) {
        let (w, h) = (even(rect.w), even(rect.h));
        (self.w, self.h) = (w, h);
        self.y.resize(w * h, 0);
        self.u.resize(w * h / 4, 0);
        self.v.resize(w * h / 4, 0);
        let stride = usize::from(width) * BYTES_PER_PIXEL;
        let (rw, rh) = (usize::from(rect.w), usize::from(rect.h));
        if rw == 0 || rh == 0 {
            return;
        }
        let row_len = rw * BYTES_PER_PIXEL;
        let row = |y: usize| {
            let start = (usize::from(rect.y) + y.min(rh - 1)) * stride
                + usize::from(rect.x) * BYTES_PER_PIXEL;
            screen.get(start..start + row_len)
        };
        let luma = |p: &[u8]| {
            let (r, g, b) = (i32::from(p[0]), i32::from(p[1]), i32::from(p[2]));
            (((66 * r + 129 * g + 25 * b + 128) >> 8) + 16) as u8
        };
        // Two rows at a time: each 2x2 block shares one chroma sample, taken
        // from the block's average.
        for by in 0..h / 2 {
            let (Some(r0), Some(r1)) = (row(by * 2), row(by * 2 + 1)) else {
                return;
            };
            let (y0, y1) = self.y[by * 2 * w..(by * 2 + 2) * w].split_at_mut(w);
            let us = &mut self.u[by * w / 2..(by + 1) * w / 2];
            let vs = &mut self.v[by * w / 2..(by + 1) * w / 2];
            for bx in 0..w / 2 {
                let (x0, x1) = (bx * 2, (bx * 2 + 1).min(rw - 1));
                let px = |r: &'_ [u8], x: usize| {
                    let at = x * BYTES_PER_PIXEL;
                    [r[at], r[at + 1], r[at + 2]]
                };
                let block = [px(r0, x0), px(r0, x1), px(r1, x0), px(r1, x1)];
                y0[bx * 2] = luma(&block[0]);
                y0[bx * 2 + 1] = luma(&block[1]);
                y1[bx * 2] = luma(&block[2]);
                y1[bx * 2 + 1] = luma(&block[3]);
                let sum = |c: usize| (block.iter().map(|p| i32::from(p[c])).sum::<i32>() + 2) >> 2;
                let (r, g, b) = (sum(0), sum(1), sum(2));
                us[bx] = ((((-38 * r - 74 * g + 112 * b + 128) >> 8) + 128).clamp(0, 255)) as u8;
                vs[bx] = ((((112 * r - 94 * g - 18 * b + 128) >> 8) + 128).clamp(0, 255)) as u8;
            }
        }
    }
}

/// One region's encoder: its rectangle, its quantiser and OpenH264's state.
pub(crate) struct RegionEncoder {
    rect: Rect,
    qp: u8,
    encoder: Encoder,
    planes: Planes,
    /// The next picture must be an IDR.
    idr: bool,
}

impl std::fmt::Debug for RegionEncoder {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RegionEncoder")
            .field("rect", &self.rect)
            .field("qp", &self.qp)
            .finish_non_exhaustive()
    }
}

impl RegionEncoder {
    /// An encoder for `rect` at quantiser `qp`; `None` if OpenH264 refused.
    pub(crate) fn new(rect: Rect, qp: u8) -> Option<Self> {
        let config = EncoderConfig::new()
            // A constant quantiser: the quality controller already decides
            // how much the link can take, frame by frame, and a bitrate
            // target of its own would fight it. (With rate control off,
            // OpenH264 ignores the range and uses its own fixed quantiser;
            // quality mode keeps to the range.)
            .rate_control_mode(RateControlMode::Quality)
            .bitrate(BitRate::from_bps(MAX_BITRATE))
            .qp(QpRange::new(qp, qp))
            // OpenH264 warns on every encoder made without it; with a bitrate
            // target this high it never has a reason to skip (a skipped
            // picture would only send the tiles the usual way: `encode`
            // returns `None`).
            .skip_frames(true)
            .usage_type(UsageType::CameraVideoRealTime)
            .complexity(Complexity::Low)
            // One core: the rest of the encoder runs beside it.
            .num_threads(1)
            .scene_change_detect(false)
            .background_detection(false)
            .adaptive_quantization(false);
        let encoder = Encoder::with_api_config(OpenH264API::from_source(), config).ok()?;
        Some(Self {
            rect,
            qp,
            encoder,
            planes: Planes::default(),
            idr: true,
        })
    }

    /// The region.
    pub(crate) fn rect(&self) -> Rect {
        self.rect
    }

    /// The quantiser it encodes at.
    pub(crate) fn qp(&self) -> u8 {
        self.qp
    }

    /// The viewer may not have every picture since the last IDR: the next
    /// one is an IDR.
    pub(crate) fn force_idr(&mut self) {
        self.idr = true;
    }

    /// Encode the region of `screen` (`width` pixels a row, RGBA) as one
    /// access unit; `None` if OpenH264 failed or made nothing.
    pub(crate) fn encode(&mut self, width: u16, screen: &[u8]) -> Option<Vec<u8>> {
        self.planes.read(width, self.rect, screen);
        if self.idr {
            self.encoder.force_intra_frame();
        }
        let stream = self.encoder.encode(&self.planes).ok()?;
        let data = stream.to_vec();
        if data.is_empty() {
            return None;
        }
        self.idr = false;
        Some(data)
    }
}

/// Most regions a viewer keeps a decoder for: one is in use at a time, the
/// others are kept only in case the encoder's region flips back.
const MAX_DECODERS: usize = 4;

/// The viewer's decoders, one per region rectangle, newest last.
#[derive(Default)]
pub(crate) struct RegionDecoders {
    decoders: Vec<(Rect, Decoder)>,
    /// Decoded pixels, RGBA, kept between pictures.
    rgba: Vec<u8>,
}

impl std::fmt::Debug for RegionDecoders {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RegionDecoders")
            .field(
                "regions",
                &self.decoders.iter().map(|d| d.0).collect::<Vec<_>>(),
            )
            .finish_non_exhaustive()
    }
}

impl Clone for RegionDecoders {
    /// No decoders: a cloned screen waits for each region's next IDR (the
    /// decoders' state cannot be copied).
    fn clone(&self) -> Self {
        Self::default()
    }
}

impl RegionDecoders {
    /// Decode one access unit for `rect`; returns its pixels (RGBA, `rect`'s
    /// size). An IDR starts the region's decoder afresh; a picture without
    /// a started decoder, or one that fails, is an error, and the region's
    /// decoder is dropped so later pictures wait for the next IDR instead of
    /// showing garbage.
    pub(crate) fn decode(&mut self, rect: Rect, data: &[u8]) -> Result<&[u8], H264Error> {
        let at = self.decoders.iter().position(|(r, _)| *r == rect);
        let decoder = if has_idr(data) {
            if let Some(i) = at {
                self.decoders.remove(i);
            }
            if self.decoders.len() >= MAX_DECODERS {
                self.decoders.remove(0);
            }
            let decoder = Decoder::new().map_err(|_| H264Error::Malformed)?;
            self.decoders.push((rect, decoder));
            self.decoders.len() - 1
        } else {
            at.ok_or(H264Error::NoKeyPicture)?
        };
        let result = match self.decoders.get_mut(decoder) {
            Some((_, d)) => match d.decode(data) {
                Ok(Some(yuv)) => to_rgba(&yuv, rect, &mut self.rgba),
                _ => Err(H264Error::Malformed),
            },
            None => Err(H264Error::NoKeyPicture),
        };
        if result.is_err() {
            self.decoders.remove(decoder);
        }
        result.map(|()| self.rgba.as_slice())
    }
}

/// A decoded picture as RGBA pixels of `rect`'s size (the padding dropped)
/// into `out`, after checking its size and planes.
fn to_rgba(yuv: &DecodedYUV<'_>, rect: Rect, out: &mut Vec<u8>) -> Result<(), H264Error> {
    let (pw, ph) = yuv.dimensions();
    if (pw, ph) != (even(rect.w), even(rect.h)) {
        return Err(H264Error::Size {
            got_w: pw,
            got_h: ph,
            w: rect.w,
            h: rect.h,
        });
    }
    let (sy, su, sv) = yuv.strides();
    let (y, u, v) = (yuv.y(), yuv.u(), yuv.v());
    let (w, h) = (usize::from(rect.w), usize::from(rect.h));
    // Every index below stays inside these, checked once here.
    let fits = |plane: &[u8], stride: usize, cols: usize, rows: usize| {
        stride >= cols && plane.len() >= stride * rows
    };
    if !fits(y, sy, pw, ph) || !fits(u, su, pw / 2, ph / 2) || !fits(v, sv, pw / 2, ph / 2) {
        return Err(H264Error::Malformed);
    }
    out.clear();
    out.reserve(w * h * BYTES_PER_PIXEL);
    for row in 0..h {
        let (ly, cy) = (&y[row * sy..row * sy + w], row / 2);
        let (lu, lv) = (&u[cy * su..cy * su + pw / 2], &v[cy * sv..cy * sv + pw / 2]);
        for (col, &luma) in ly.iter().enumerate() {
            let c = 298 * (i32::from(luma) - 16);
            let d = i32::from(lu[col / 2]) - 128;
            let e = i32::from(lv[col / 2]) - 128;
            let clamp = |x: i32| ((x + 128) >> 8).clamp(0, 255) as u8;
            out.extend_from_slice(&[
                clamp(c + 409 * e),
                clamp(c - 100 * d - 208 * e),
                clamp(c + 516 * d),
                255,
            ]);
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quality_maps_to_a_falling_quantiser() {
        assert_eq!(qp_for(85), 24);
        assert!(qp_for(100) < qp_for(50));
        assert!(qp_for(1) <= 51);
    }

    #[test]
    fn an_odd_sized_region_round_trips_through_the_padding() {
        // A 37x21 region at (3, 5) of a 50x30 screen: a smooth gradient.
        let (sw, sh) = (50u16, 30u16);
        let mut screen = Vec::new();
        for y in 0..sh {
            for x in 0..sw {
                screen.extend_from_slice(&[(x * 5) as u8, (y * 8) as u8, 128, 255]);
            }
        }
        let rect = Rect::new(3, 5, 37, 21);
        let mut enc = RegionEncoder::new(rect, qp_for(85)).expect("encoder");
        let data = enc.encode(sw, &screen).expect("picture");
        assert!(has_idr(&data));
        let mut dec = RegionDecoders::default();
        let pixels = dec.decode(rect, &data).expect("decode");
        assert_eq!(pixels.len(), 37 * 21 * BYTES_PER_PIXEL);
        // Close to the source everywhere, the last column and row too
        // (which a wrong crop or stride would shift by a whole gradient).
        let mut total = 0;
        for (i, px) in pixels.chunks_exact(BYTES_PER_PIXEL).enumerate() {
            let (x, y) = (3 + i % 37, 5 + i / 37);
            let at = (y * usize::from(sw) + x) * BYTES_PER_PIXEL;
            for c in 0..3 {
                let d = i32::from(px[c]) - i32::from(screen[at + c]);
                assert!(d.abs() <= 24, "pixel ({x}, {y}) channel {c} off by {d}");
                total += d.abs();
            }
            assert_eq!(px[3], 255);
        }
        let mean = f64::from(total) / (37.0 * 21.0 * 3.0);
        assert!(mean < 4.0, "mean error {mean:.1}");
        // Another rectangle's stream is refused, and so is a wrong size.
        assert_eq!(
            dec.decode(
                Rect::new(0, 0, 37, 21),
                &enc.encode(sw, &screen).expect("p")
            ),
            Err(H264Error::NoKeyPicture)
        );
        let mut other = RegionDecoders::default();
        assert!(matches!(
            other.decode(Rect::new(0, 0, 40, 21), &data),
            Err(H264Error::Size { .. })
        ));
    }

    #[test]
    fn idr_is_found_after_a_start_code() {
        assert!(has_idr(&[0, 0, 0, 1, 0x65, 1]));
        assert!(!has_idr(&[0, 0, 0, 1, 0x41, 1]));
    }
}
