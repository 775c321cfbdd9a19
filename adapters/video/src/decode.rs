//! The viewer's screen and the decoding of rectangles into it.

use crate::cache::{self, RectCache};
use crate::glyphs;
use crate::palette::PaletteScratch;
use crate::rect::Rect;
use crate::zstream::FrameInflater;
use crate::{jpeg, palette, tiles};
use crate::{Encoding, BYTES_PER_PIXEL};

/// Opaque black, the colour of a screen before anything arrived.
const BLACK: [u8; 4] = [0, 0, 0, 255];

/// JPEG quality of H.264 pictures made standalone: the quality
/// controller's best level's.
const STANDALONE_JPEG_QUALITY: u8 = 85;

/// Length of the little-endian size that precedes LZ4 data.
const LZ4_SIZE_PREFIX: usize = 4;

/// Why a rectangle could not be applied. From the peer, each one is a
/// protocol error; the screen is left unchanged.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum DecodeError {
    /// The rectangle is empty or reaches outside the screen.
    #[error("rectangle {0:?} lies outside the screen")]
    OutOfBounds(Rect),
    /// The data has the wrong length for the rectangle and encoding.
    #[error("rectangle data has {got} bytes, {expected} expected")]
    DataLength {
        /// The length the encoding requires.
        expected: usize,
        /// The length received.
        got: usize,
    },
    /// LZ4 data declares another decompressed size than the rectangle's
    /// pixels.
    #[error("LZ4 data declares {declared} bytes, the rectangle has {expected}")]
    Lz4Size {
        /// The size the data declares.
        declared: u32,
        /// `w * h * 4`.
        expected: usize,
    },
    /// LZ4 data that does not decompress to exactly the declared size.
    #[error("corrupt LZ4 data")]
    Lz4Corrupt,
    /// A `Copy` whose source (at the position its data names, with the
    /// rectangle's size) reaches outside the screen.
    #[error("copy source at ({x}, {y}) lies outside the screen")]
    CopySource {
        /// Left edge of the source.
        x: u16,
        /// Top edge of the source.
        y: u16,
    },
    /// `Palette` data that is malformed: too short, more than 16 colours, a
    /// wrong packed size, corrupt LZ4 or an index past the colours.
    #[error("malformed palette data")]
    BadPalette,
    /// `Jpeg` data that does not decode, or decodes to another size than the
    /// rectangle.
    #[error("malformed JPEG data")]
    BadJpeg,
    /// `H264` data that does not decode (see the crate's `h264.rs`): not a
    /// picture, a picture of another size, or one that refers to pictures
    /// this screen's decoder for the rectangle does not have.
    #[error("malformed H.264 data")]
    BadH264,
    /// `Glyphs` data that is malformed: corrupt deflate, a wrong length, or
    /// a band or glyph outside the rectangle.
    #[error("malformed glyph data")]
    BadGlyphs,
    /// A `Cached` rectangle whose key this screen does not hold for a
    /// rectangle of that size, or a glyph it does not hold.
    #[error("rectangle refers to content this viewer does not hold")]
    NotCached,
    /// An encoding this decoder does not handle yet.
    #[error("encoding {0:?} is not supported")]
    Unsupported(Encoding),
}

/// A screen as the viewer sees it: RGBA pixels, updated by decoding
/// rectangles, and the small rectangles kept for [`Encoding::Cached`].
#[derive(Debug, Clone)]
pub struct Screen {
    width: u16,
    height: u16,
    pixels: Vec<u8>,
    /// Kept across resizes: the encoder may still refer to it.
    cache: RectCache,
    /// The glyphs kept for [`Encoding::Glyphs`].
    glyphs: RectCache,
    /// The frame's deflate stream, for `PaletteZ`.
    stream: FrameInflater,
    /// Scratch for [`Screen::standalone`].
    palette: PaletteScratch,
    /// One H.264 decoder per region; kept across resizes like the cache.
    #[cfg(feature = "h264")]
    h264: crate::h264::RegionDecoders,
}

/// Two screens are equal when they show the same picture.
impl PartialEq for Screen {
    fn eq(&self, other: &Self) -> bool {
        (self.width, self.height) == (other.width, other.height) && self.pixels == other.pixels
    }
}

impl Eq for Screen {}

impl Screen {
    /// A `width`×`height` screen, opaque black.
    pub fn new(width: u16, height: u16) -> Self {
        let mut screen = Self {
            width: 0,
            height: 0,
            pixels: Vec::new(),
            cache: RectCache::default(),
            glyphs: RectCache::with_capacity(glyphs::CAPACITY),
            stream: FrameInflater::default(),
            palette: PaletteScratch::default(),
            #[cfg(feature = "h264")]
            h264: Default::default(),
        };
        screen.resize(width, height);
        screen
    }

    /// Width in pixels.
    pub fn width(&self) -> u16 {
        self.width
    }

    /// Height in pixels.
    pub fn height(&self) -> u16 {
        self.height
    }

    /// The pixels: RGBA, row after row, `width * height * 4` bytes.
    pub fn pixels(&self) -> &[u8] {
        &self.pixels
    }

    /// A new frame begins: its [`Encoding::PaletteZ`] rectangles are a new
    /// stream. Call it before the frame's first rectangle.
    pub fn begin_frame(&mut self) {
        self.stream.begin_frame();
    }

    /// A rectangle just applied, as data that decodes on its own, without
    /// what this screen keeps or the frame's stream: [`Encoding::Cached`],
    /// [`Encoding::PaletteZ`] and [`Encoding::Glyphs`] become a plain [`Encoding::Palette`] (or
    /// [`Encoding::Raw`] pixels) of what the screen now shows there, and
    /// [`Encoding::H264`] (whose pictures refer to earlier ones) becomes a
    /// [`Encoding::Jpeg`] of the decoded picture (or `Raw`); every other
    /// encoding stays as it is. For a viewer that joined late, such as a
    /// browser tab opened in the middle of a session, or that does not
    /// decode H.264, such as the browser console.
    pub fn standalone(
        &mut self,
        rect: Rect,
        encoding: Encoding,
        data: Vec<u8>,
    ) -> (Encoding, Vec<u8>) {
        if !matches!(
            encoding,
            Encoding::Cached | Encoding::PaletteZ | Encoding::Glyphs | Encoding::H264
        ) || !rect.fits(self.width, self.height)
        {
            return (encoding, data);
        }
        if encoding == Encoding::H264 {
            let pixels = self.gather(rect).unwrap_or_default();
            // The picture is lossy already; a JPEG at the best level's
            // quality adds little loss and keeps a video a video's size.
            return match jpeg::encode(rect, &pixels, STANDALONE_JPEG_QUALITY) {
                Some(j) if j.len() < pixels.len() => (Encoding::Jpeg, j),
                _ => (Encoding::Raw, pixels),
            };
        }
        if let Some(palette) = self.palette.encode(self.width, rect, &self.pixels) {
            return (Encoding::Palette, palette);
        }
        // Many colours (anti-aliased text as glyphs): LZ4 when it is smaller.
        let pixels = self.gather(rect).unwrap_or_default();
        let lz4 = &mut self.palette.lz4;
        lz4.compress(&pixels);
        match lz4.len() < pixels.len() {
            true => (Encoding::Lz4, lz4.bytes().to_vec()),
            false => (Encoding::Raw, pixels),
        }
    }

    /// The pixels of `rect` (RGBA, row after row), or `None` when it does
    /// not lie inside the screen.
    pub fn gather(&self, rect: Rect) -> Option<Vec<u8>> {
        if !rect.fits(self.width, self.height) {
            return None;
        }
        let mut out = Vec::with_capacity(rect.area() as usize * BYTES_PER_PIXEL);
        tiles::gather(self.width, rect, &self.pixels, &mut out);
        Some(out)
    }

    /// Resize (a new frame with another size): the screen becomes opaque
    /// black. The kept rectangles stay.
    ///
    /// The size is not checked against
    /// [`MAX_DIMENSION`](beckon_core::video::MAX_DIMENSION) here: the frame
    /// assembler refuses larger screens before they reach a decoder.
    pub fn resize(&mut self, width: u16, height: u16) {
        self.width = width;
        self.height = height;
        let len = usize::from(width) * usize::from(height);
        self.pixels.clear();
        self.pixels.reserve_exact(len * BYTES_PER_PIXEL);
        for _ in 0..len {
            self.pixels.extend_from_slice(&BLACK);
        }
    }

    /// Apply one encoded rectangle.
    ///
    /// Takes any bytes: never panics, and returns an error for anything
    /// malformed (a rectangle or copy source outside the screen, a wrong
    /// data length, bad LZ4, palette, JPEG or H.264 data; `H264` without
    /// the crate's `h264` feature as [`DecodeError::Unsupported`]). On error
    /// the screen is unchanged.
    ///
    /// ## Order matters
    /// A [`Copy`](Encoding::Copy) reads this screen *as it is when the
    /// rectangle is applied*, so rectangles must be applied in the order
    /// they were encoded (the encoder sends a frame's copies first, ordered
    /// so that none reads what an earlier one wrote). Within one rectangle a
    /// copy behaves as if the whole source were read before anything is
    /// written, so a source overlapping its destination is fine.
    ///
    /// ## Formats
    /// - `Raw`: `w * h` RGBA pixels, row after row.
    /// - `Solid`: one RGBA colour.
    /// - `Copy`: the source's left and top edge, little-endian `u16`s; the
    ///   source has the rectangle's size and must lie inside the screen.
    /// - `Lz4`: the raw pixels' length as a little-endian `u32`, then an LZ4
    ///   block of them.
    /// - `Palette`: `[n - 1: u8][n × RGBA][u32 LE size][LZ4 block]`, the
    ///   block holding 1, 2 or 4-bit indices (for up to 2, 4 or 16 colours),
    ///   most significant bits first, each row starting on a new byte.
    /// - `PaletteZ`: as `Palette`, with the packed indices as the next part
    ///   of the frame's deflate stream (see [`Screen::begin_frame`]).
    /// - `Jpeg`: a JPEG file exactly the rectangle's size; decoded opaque.
    /// - `H264`: one access unit of the region's stream (see the crate's
    ///   `h264.rs`); decoded opaque. Needs the `h264` feature.
    /// - `Glyphs`: text on a background, glyph by glyph, against the glyphs
    ///   this screen keeps (see the crate's `glyphs.rs`).
    /// - `Cached`: the little-endian 16-bit short key of a small rectangle
    ///   this screen decoded earlier (see the crate's `cache.rs` for which ones it
    ///   keeps, and for how long).
    pub fn apply(
        &mut self,
        rect: Rect,
        encoding: Encoding,
        data: &[u8],
    ) -> Result<(), DecodeError> {
        if !rect.fits(self.width, self.height) {
            return Err(DecodeError::OutOfBounds(rect));
        }
        // Bounded by the screen's size, which is already allocated.
        let raw_len = rect.area() as usize * BYTES_PER_PIXEL;
        let kept = match encoding {
            Encoding::Raw => {
                check_len(raw_len, data.len())?;
                tiles::scatter(self.width, rect, data, &mut self.pixels);
                cache::keeps(encoding, rect.area()).then(|| data.to_vec())
            }
            Encoding::Solid => {
                check_len(BYTES_PER_PIXEL, data.len())?;
                // One row of the colour, then one `memcpy` per row.
                let row = data.repeat(usize::from(rect.w));
                tiles::fill(self.width, rect, &row, &mut self.pixels);
                None
            }
            Encoding::Lz4 => {
                let pixels = decompress(data, raw_len)?;
                tiles::scatter(self.width, rect, &pixels, &mut self.pixels);
                Some(pixels)
            }
            Encoding::Copy => {
                check_len(4, data.len())?;
                let &[x0, x1, y0, y1] = data else {
                    return Err(DecodeError::DataLength {
                        expected: 4,
                        got: data.len(),
                    });
                };
                let (x, y) = (u16::from_le_bytes([x0, x1]), u16::from_le_bytes([y0, y1]));
                let src = Rect::new(x, y, rect.w, rect.h);
                if !src.fits(self.width, self.height) {
                    return Err(DecodeError::CopySource { x, y });
                }
                tiles::move_rect(self.width, src, rect, &mut self.pixels);
                None
            }
            Encoding::Palette => {
                let pixels = palette::decode(rect, data).map_err(|_| DecodeError::BadPalette)?;
                tiles::scatter(self.width, rect, &pixels, &mut self.pixels);
                Some(pixels)
            }
            Encoding::PaletteZ => {
                let pixels = palette::decode_z(rect, data, &mut self.stream)
                    .map_err(|_| DecodeError::BadPalette)?;
                tiles::scatter(self.width, rect, &pixels, &mut self.pixels);
                None
            }
            Encoding::Glyphs => {
                let (pixels, changes) =
                    glyphs::decode(rect, data, &self.glyphs).map_err(|e| match e {
                        glyphs::GlyphError::NotHeld => DecodeError::NotCached,
                        _ => DecodeError::BadGlyphs,
                    })?;
                changes.commit(&mut self.glyphs);
                tiles::scatter(self.width, rect, &pixels, &mut self.pixels);
                Some(pixels)
            }
            Encoding::Jpeg => {
                let pixels = jpeg::decode(rect, data).map_err(|_| DecodeError::BadJpeg)?;
                tiles::scatter(self.width, rect, &pixels, &mut self.pixels);
                None
            }
            Encoding::Cached => {
                let short: [u8; cache::KEY_BYTES] =
                    data.try_into().map_err(|_| DecodeError::DataLength {
                        expected: cache::KEY_BYTES,
                        got: data.len(),
                    })?;
                let key = self
                    .cache
                    .newest_with(u16::from_le_bytes(short), Some((rect.w, rect.h)))
                    .ok_or(DecodeError::NotCached)?;
                let pixels = self
                    .cache
                    .take_up(key, rect.w, rect.h)
                    .ok_or(DecodeError::NotCached)?;
                tiles::scatter(self.width, rect, pixels, &mut self.pixels);
                None
            }
            #[cfg(feature = "h264")]
            Encoding::H264 => {
                let pixels = self
                    .h264
                    .decode(rect, data)
                    .map_err(|_| DecodeError::BadH264)?;
                tiles::scatter(self.width, rect, pixels, &mut self.pixels);
                None
            }
            #[cfg(not(feature = "h264"))]
            Encoding::H264 => return Err(DecodeError::Unsupported(encoding)),
        };
        // Kept by the same rule the encoder follows (cache.rs).
        if let Some(pixels) = kept.filter(|_| cache::keeps(encoding, rect.area())) {
            let key = cache::content_key(rect.w, rect.h, &pixels);
            self.cache.insert(key, rect.w, rect.h, &pixels);
        }
        Ok(())
    }
}

fn check_len(expected: usize, got: usize) -> Result<(), DecodeError> {
    if expected == got {
        Ok(())
    } else {
        Err(DecodeError::DataLength { expected, got })
    }
}

/// Decompress size-prefixed LZ4 block data that must hold exactly `expected`
/// bytes. The declared size is checked before the output is allocated, so a
/// few hostile bytes cannot ask for gigabytes.
fn decompress(data: &[u8], expected: usize) -> Result<Vec<u8>, DecodeError> {
    let (prefix, block) =
        data.split_first_chunk::<LZ4_SIZE_PREFIX>()
            .ok_or(DecodeError::DataLength {
                expected: LZ4_SIZE_PREFIX,
                got: data.len(),
            })?;
    let declared = u32::from_le_bytes(*prefix);
    if usize::try_from(declared).ok() != Some(expected) {
        return Err(DecodeError::Lz4Size { declared, expected });
    }
    let mut out = vec![0; expected];
    match lz4_flex::block::decompress_into(block, &mut out) {
        Ok(n) if n == expected => Ok(out),
        _ => Err(DecodeError::Lz4Corrupt),
    }
}
