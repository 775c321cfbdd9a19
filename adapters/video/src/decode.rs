//! The viewer's screen and the decoding of rectangles into it.

use crate::rect::Rect;
use crate::tiles;
use crate::{Encoding, BYTES_PER_PIXEL};

/// Opaque black, the colour of a screen before anything arrived.
const BLACK: [u8; 4] = [0, 0, 0, 255];

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
    /// An encoding this decoder does not handle yet.
    #[error("encoding {0:?} is not supported")]
    Unsupported(Encoding),
}

/// A screen as the viewer sees it: RGBA pixels, updated by decoding
/// rectangles.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Screen {
    width: u16,
    height: u16,
    pixels: Vec<u8>,
}

impl Screen {
    /// A `width`×`height` screen, opaque black.
    pub fn new(width: u16, height: u16) -> Self {
        let mut screen = Self {
            width: 0,
            height: 0,
            pixels: Vec::new(),
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

    /// Resize (a new frame with another size): the screen becomes opaque
    /// black.
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
    /// malformed (a rectangle outside the screen, a wrong data length, bad
    /// LZ4, or an encoding not supported yet — `Copy`, `Palette`, `Jpeg` and
    /// `H264` for now — as [`DecodeError::Unsupported`]). On error the screen
    /// is unchanged.
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
        match encoding {
            Encoding::Raw => {
                check_len(raw_len, data.len())?;
                tiles::scatter(self.width, rect, data, &mut self.pixels);
            }
            Encoding::Solid => {
                check_len(BYTES_PER_PIXEL, data.len())?;
                // One row of the colour, then one `memcpy` per row.
                let row = data.repeat(usize::from(rect.w));
                tiles::fill(self.width, rect, &row, &mut self.pixels);
            }
            Encoding::Lz4 => {
                let pixels = decompress(data, raw_len)?;
                tiles::scatter(self.width, rect, &pixels, &mut self.pixels);
            }
            Encoding::Copy | Encoding::Palette | Encoding::Jpeg | Encoding::H264 => {
                return Err(DecodeError::Unsupported(encoding));
            }
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
