//! The palette encoding: a tile of few colours (text, UI) as a small colour
//! table and bit-packed indices.
//!
//! ## Format
//! ```text
//! [n - 1: u8]                  number of colours n, 1..=16
//! [n × RGBA]                   the colours, 4 bytes each
//! [size: u32 LE][LZ4 block]    the packed indices, LZ4-compressed
//! ```
//! Each pixel is an index into the colours, packed with 1 bit per pixel for
//! up to 2 colours, 2 bits for up to 4 and 4 bits for up to 16. The first
//! pixel of a byte is in its most significant bits. Every row starts on a
//! new byte (the last byte of a row is padded with zero bits), so the packed
//! size is `h * ceil(w * bits / 8)` and `size` must equal it.
//!
//! Why: a text tile is a background, a foreground and a few anti-aliasing
//! shades. At one to four bits a pixel instead of 32, and with LZ4 on top for
//! the runs of background, it is several times smaller than LZ4 of the RGBA
//! pixels, and it is still exact.

use crate::lz4::Lz4Scratch;
use crate::rect::Rect;
use crate::tiles;
use crate::BYTES_PER_PIXEL;

/// Most colours a palette holds.
pub(crate) const MAX_COLOURS: usize = 16;

/// Length of the little-endian size that precedes LZ4 data.
const LZ4_SIZE_PREFIX: usize = 4;

/// Bits per index for `n` colours.
fn bits_for(n: usize) -> usize {
    match n {
        0..=2 => 1,
        3..=4 => 2,
        _ => 4,
    }
}

/// Bytes of one packed row of `w` pixels.
fn row_bytes(w: u16, bits: usize) -> usize {
    (usize::from(w) * bits).div_ceil(8)
}

/// Scratch space kept by the encoder between tiles, so encoding a tile
/// allocates nothing but its result.
#[derive(Debug, Clone, Default)]
pub(crate) struct PaletteScratch {
    colours: Vec<u32>,
    indices: Vec<u8>,
    packed: Vec<u8>,
    /// The compressor, shared with the encoder's LZ4 of a tile's pixels.
    pub lz4: Lz4Scratch,
}

impl PaletteScratch {
    /// Collect the tile's colours and each pixel's index; `false` when the
    /// tile has more than [`MAX_COLOURS`] colours (it stops at the first one
    /// too many, so a photograph costs only a few pixels).
    fn collect(&mut self, width: u16, rect: Rect, screen: &[u8]) -> bool {
        self.colours.clear();
        self.indices.clear();
        let mut last: Option<(u32, u8)> = None;
        for dy in 0..rect.h {
            let Some(row) = screen.get(tiles::row_range(width, rect, dy)) else {
                return false;
            };
            for px in row.chunks_exact(BYTES_PER_PIXEL) {
                let colour = u32::from_ne_bytes([px[0], px[1], px[2], px[3]]);
                // Runs of one colour are the common case: skip the search.
                let index = match last {
                    Some((c, i)) if c == colour => i,
                    _ => {
                        let i = match self.colours.iter().position(|&c| c == colour) {
                            Some(i) => i,
                            None if self.colours.len() < MAX_COLOURS => {
                                self.colours.push(colour);
                                self.colours.len() - 1
                            }
                            None => return false,
                        };
                        // `i < MAX_COLOURS`, so it fits.
                        let i = i as u8;
                        last = Some((colour, i));
                        i
                    }
                };
                self.indices.push(index);
            }
        }
        true
    }

    /// Number of colours found by the last successful [`collect`]; used to
    /// decide whether LZ4 of the pixels is worth trying as well.
    pub fn colours(&self) -> usize {
        self.colours.len()
    }

    /// The tile as [`Encoding::Palette`](crate::Encoding::Palette) data, or
    /// `None` when it has too many colours.
    pub fn encode(&mut self, width: u16, rect: Rect, screen: &[u8]) -> Option<Vec<u8>> {
        if !self.collect(width, rect, screen) {
            return None;
        }
        let n = self.colours.len();
        let bits = bits_for(n);
        let per_byte = 8 / bits;
        let stride = row_bytes(rect.w, bits);
        self.packed.clear();
        self.packed.resize(stride * usize::from(rect.h), 0);
        for (row, out) in self
            .indices
            .chunks_exact(usize::from(rect.w))
            .zip(self.packed.chunks_exact_mut(stride))
        {
            for (i, &index) in row.iter().enumerate() {
                let shift = 8 - bits * (i % per_byte + 1);
                if let Some(byte) = out.get_mut(i / per_byte) {
                    *byte |= index << shift;
                }
            }
        }
        self.lz4.compress(&self.packed);
        let mut data = Vec::with_capacity(1 + n * BYTES_PER_PIXEL + self.lz4.len());
        // `1 <= n <= 16` for a non-empty tile.
        data.push(n.saturating_sub(1) as u8);
        for c in &self.colours {
            data.extend_from_slice(&c.to_ne_bytes());
        }
        data.extend_from_slice(self.lz4.bytes());
        Some(data)
    }
}

/// Why palette data was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum PaletteError {
    /// Shorter than its header and colours.
    Truncated,
    /// More than [`MAX_COLOURS`] colours.
    TooManyColours,
    /// The packed indices declare another size than the rectangle needs.
    Size,
    /// The LZ4 block is corrupt.
    Lz4,
    /// An index names a colour past the table.
    Index,
}

/// Decode palette data for `rect` into RGBA pixels (`w * h * 4` bytes).
/// Everything is checked before the output is allocated: the colour count,
/// the data length, the declared packed size, then every index.
pub(crate) fn decode(rect: Rect, data: &[u8]) -> Result<Vec<u8>, PaletteError> {
    let (&count, rest) = data.split_first().ok_or(PaletteError::Truncated)?;
    let n = usize::from(count) + 1;
    if n > MAX_COLOURS {
        return Err(PaletteError::TooManyColours);
    }
    let table_len = n * BYTES_PER_PIXEL;
    let (table, rest) = rest
        .split_at_checked(table_len)
        .ok_or(PaletteError::Truncated)?;
    let (prefix, block) = rest
        .split_first_chunk::<LZ4_SIZE_PREFIX>()
        .ok_or(PaletteError::Truncated)?;
    let bits = bits_for(n);
    let stride = row_bytes(rect.w, bits);
    let expected = stride * usize::from(rect.h);
    if usize::try_from(u32::from_le_bytes(*prefix)).ok() != Some(expected) {
        return Err(PaletteError::Size);
    }
    let mut packed = vec![0; expected];
    match lz4_flex::block::decompress_into(block, &mut packed) {
        Ok(got) if got == expected => {}
        _ => return Err(PaletteError::Lz4),
    }
    // The colours as a fixed table, so the loop below looks each one up
    // without a bounds check; indices are checked once, after the loop, by
    // the highest one seen (an error discards `out` anyway).
    let mut colours = [[0u8; BYTES_PER_PIXEL]; MAX_COLOURS];
    for (c, t) in colours.iter_mut().zip(table.chunks_exact(BYTES_PER_PIXEL)) {
        c.copy_from_slice(t);
    }
    let per_byte = 8 / bits;
    let mask = (1u8 << bits) - 1;
    let row_len = usize::from(rect.w) * BYTES_PER_PIXEL;
    let mut out = vec![0; rect.area() as usize * BYTES_PER_PIXEL];
    let mut highest = 0u8;
    for (row, dst) in packed
        .chunks_exact(stride)
        .zip(out.chunks_exact_mut(row_len))
    {
        let mut pixels = dst.chunks_exact_mut(BYTES_PER_PIXEL);
        // Padding bits after the row's last pixel are never read.
        'row: for &byte in row {
            for k in 1..=per_byte {
                let Some(px) = pixels.next() else {
                    break 'row;
                };
                let index = (byte >> (8 - bits * k)) & mask;
                highest = highest.max(index);
                px.copy_from_slice(&colours[usize::from(index) % MAX_COLOURS]);
            }
        }
    }
    if usize::from(highest) >= n {
        return Err(PaletteError::Index);
    }
    Ok(out)
}
