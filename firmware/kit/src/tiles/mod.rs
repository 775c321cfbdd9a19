//! An indexed-colour screen cut into tiles, and the tile encoder.
//!
//! Why indexed colour: the dongle's test screen (and a text-mode BIOS screen)
//! has a handful of colours, and one byte a pixel is a quarter of RGBA. Each
//! tile goes out as `Solid` (one colour) or `Palette` (up to 16 colours,
//! 1/2/4 bits an index) — both exact, and small enough that a whole screen
//! fits a modest link. The `Palette` format wants its packed indices as an
//! LZ4 block; we emit a literal-only block, which every LZ4 decoder accepts,
//! so the dongle carries no compressor.

use beckon_core::message::Encoding;

/// Width and height of a tile in pixels.
pub const TILE_W: u16 = 32;
/// Height of a tile in pixels.
pub const TILE_H: u16 = 16;
/// Most colours in a screen's palette (the `Palette` encoding's limit).
pub const MAX_COLOURS: usize = 16;
/// Most tiles a [`Damage`] set tracks (e.g. 640×480 in 32×16 tiles = 600).
pub const MAX_TILES: usize = 1024;
/// Bytes one encoded tile needs at most: a colour count, 16 colours, the
/// LZ4 size prefix, the literal run header and 4-bit indices.
pub const MAX_TILE_BYTES: usize =
    1 + MAX_COLOURS * 4 + 4 + 4 + (TILE_W as usize * TILE_H as usize) / 2;

/// A screen of one-byte palette indices, borrowed from its owner.
#[derive(Debug, Clone, Copy)]
pub struct IndexedFrame<'a> {
    /// Width in pixels.
    pub width: u16,
    /// Height in pixels.
    pub height: u16,
    /// RGBA colours; every pixel indexes into it.
    pub palette: &'a [[u8; 4]],
    /// `width * height` indices, row after row.
    pub pixels: &'a [u8],
}

/// A rectangle in pixels.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct TileRect {
    /// Left edge.
    pub x: u16,
    /// Top edge.
    pub y: u16,
    /// Width.
    pub w: u16,
    /// Height.
    pub h: u16,
}

/// How a screen is cut into tiles.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Grid {
    /// Screen width.
    pub width: u16,
    /// Screen height.
    pub height: u16,
}

impl Grid {
    /// Tiles across.
    pub fn cols(&self) -> u16 {
        self.width.div_ceil(TILE_W)
    }
    /// Tiles down.
    pub fn rows(&self) -> u16 {
        self.height.div_ceil(TILE_H)
    }
    /// Number of tiles.
    pub fn len(&self) -> usize {
        usize::from(self.cols()) * usize::from(self.rows())
    }
    /// Whether the screen is empty.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
    /// The rectangle of tile `i` (row-major), clipped to the screen.
    pub fn rect(&self, i: usize) -> TileRect {
        let cols = usize::from(self.cols().max(1));
        // Both quotients are below the screen's u16 dimensions.
        let x = (i % cols) as u16 * TILE_W;
        let y = (i / cols) as u16 * TILE_H;
        TileRect {
            x,
            y,
            w: TILE_W.min(self.width.saturating_sub(x)),
            h: TILE_H.min(self.height.saturating_sub(y)),
        }
    }
}

/// Which tiles changed since they were last sent.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Damage {
    bits: [u32; MAX_TILES / 32],
}

impl Default for Damage {
    fn default() -> Self {
        Self::new()
    }
}

impl Damage {
    /// Nothing damaged.
    pub const fn new() -> Self {
        Damage {
            bits: [0; MAX_TILES / 32],
        }
    }
    /// Mark every tile of `grid`.
    pub fn all(&mut self, grid: Grid) {
        for i in 0..grid.len().min(MAX_TILES) {
            self.mark_tile(i);
        }
    }
    /// Mark tile `i`.
    pub fn mark_tile(&mut self, i: usize) {
        if let Some(w) = self.bits.get_mut(i / 32) {
            *w |= 1 << (i % 32);
        }
    }
    /// Unmark tile `i` (it was sent).
    pub fn unmark(&mut self, i: usize) {
        if let Some(w) = self.bits.get_mut(i / 32) {
            *w &= !(1 << (i % 32));
        }
    }
    /// Mark every tile a pixel rectangle touches.
    pub fn mark_rect(&mut self, grid: Grid, x: u16, y: u16, w: u16, h: u16) {
        if w == 0 || h == 0 {
            return;
        }
        let x1 = (x.saturating_add(w - 1)).min(grid.width.saturating_sub(1));
        let y1 = (y.saturating_add(h - 1)).min(grid.height.saturating_sub(1));
        for ty in y / TILE_H..=y1 / TILE_H {
            for tx in x / TILE_W..=x1 / TILE_W {
                self.mark_tile(usize::from(ty) * usize::from(grid.cols()) + usize::from(tx));
            }
        }
    }
    /// Add every tile of `other`.
    pub fn merge(&mut self, other: &Damage) {
        for (a, b) in self.bits.iter_mut().zip(other.bits.iter()) {
            *a |= *b;
        }
    }
    /// Whether tile `i` is marked.
    pub fn contains(&self, i: usize) -> bool {
        self.bits
            .get(i / 32)
            .is_some_and(|w| w & (1 << (i % 32)) != 0)
    }
    /// Number of marked tiles.
    pub fn count(&self) -> usize {
        self.bits.iter().map(|w| w.count_ones() as usize).sum()
    }
    /// Whether nothing is marked.
    pub fn is_empty(&self) -> bool {
        self.bits.iter().all(|w| *w == 0)
    }
    /// Forget everything.
    pub fn clear(&mut self) {
        self.bits = [0; MAX_TILES / 32];
    }
    /// The marked tiles, in order.
    pub fn iter(&self) -> impl Iterator<Item = usize> + '_ {
        (0..MAX_TILES).filter(|&i| self.contains(i))
    }
}

/// Why a tile could not be encoded.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum EncodeError {
    /// The tile reaches outside the frame, or the frame's pixel buffer is
    /// shorter than its size says.
    OutOfBounds,
    /// A pixel indexes past the palette.
    BadIndex,
    /// The output buffer is smaller than [`MAX_TILE_BYTES`].
    BufferTooSmall,
}

/// Encode one tile of `frame` into `out`; returns the encoding and the
/// number of bytes written.
pub fn encode_tile(
    frame: &IndexedFrame<'_>,
    rect: TileRect,
    out: &mut [u8],
) -> Result<(Encoding, usize), EncodeError> {
    if out.len() < MAX_TILE_BYTES {
        return Err(EncodeError::BufferTooSmall);
    }
    if rect.w == 0
        || rect.h == 0
        || rect.w > TILE_W
        || rect.h > TILE_H
        || u32::from(rect.x) + u32::from(rect.w) > u32::from(frame.width)
        || u32::from(rect.y) + u32::from(rect.h) > u32::from(frame.height)
        || frame.pixels.len() < usize::from(frame.width) * usize::from(frame.height)
    {
        return Err(EncodeError::OutOfBounds);
    }
    let row = |dy: u16| {
        let start = usize::from(rect.y + dy) * usize::from(frame.width) + usize::from(rect.x);
        &frame.pixels[start..start + usize::from(rect.w)]
    };
    // The tile's own palette: screen index -> tile index.
    let mut local = [u8::MAX; 256];
    let mut colours: heapless::Vec<u8, MAX_COLOURS> = heapless::Vec::new();
    for dy in 0..rect.h {
        for &p in row(dy) {
            if usize::from(p) >= frame.palette.len() {
                return Err(EncodeError::BadIndex);
            }
            if local[usize::from(p)] == u8::MAX {
                // The screen has at most MAX_COLOURS colours in practice; a
                // tile with more is a caller error we report as BadIndex.
                colours.push(p).map_err(|_| EncodeError::BadIndex)?;
                local[usize::from(p)] = (colours.len() - 1) as u8;
            }
        }
    }
    if colours.len() == 1 {
        out[..4].copy_from_slice(&frame.palette[usize::from(colours[0])]);
        return Ok((Encoding::Solid, 4));
    }
    let bits: usize = match colours.len() {
        0..=2 => 1,
        3..=4 => 2,
        _ => 4,
    };
    let stride = (usize::from(rect.w) * bits).div_ceil(8);
    let packed_len = stride * usize::from(rect.h);
    let mut at = 0;
    out[at] = (colours.len() - 1) as u8;
    at += 1;
    for &c in &colours {
        out[at..at + 4].copy_from_slice(&frame.palette[usize::from(c)]);
        at += 4;
    }
    // `packed_len <= 256`, so it fits the u32 size prefix.
    out[at..at + 4].copy_from_slice(&(packed_len as u32).to_le_bytes());
    at += 4;
    at += lz4_literal_header(packed_len, &mut out[at..]);
    let packed = &mut out[at..at + packed_len];
    packed.fill(0);
    let per_byte = 8 / bits;
    for dy in 0..rect.h {
        let line = &mut packed[usize::from(dy) * stride..][..stride];
        for (i, &p) in row(dy).iter().enumerate() {
            let shift = 8 - bits * (i % per_byte + 1);
            line[i / per_byte] |= local[usize::from(p)] << shift;
        }
    }
    Ok((Encoding::Palette, at + packed_len))
}

/// Write the token of an LZ4 block that is one run of `len` literals and no
/// match (the last sequence of every LZ4 block has this shape); returns its
/// length. The literals follow it.
fn lz4_literal_header(len: usize, out: &mut [u8]) -> usize {
    if len < 15 {
        out[0] = (len as u8) << 4;
        return 1;
    }
    out[0] = 0xF0;
    let mut rest = len - 15;
    let mut at = 1;
    while rest >= 255 {
        out[at] = 255;
        at += 1;
        rest -= 255;
    }
    out[at] = rest as u8;
    at + 1
}

#[cfg(test)]
mod tests;
