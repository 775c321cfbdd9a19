//! The palette encoding: a tile of few colours (text, UI) as a small colour
//! table and bit-packed indices.
//!
//! ## Format
//! ```text
//! [n - 1: u8]                  number of colours n, 1..=16
//! [n × RGBA]                   the colours, 4 bytes each
//! [size: u32 LE][LZ4 block]    the packed indices, LZ4-compressed
//! ```
//! [`Encoding::PaletteZ`](crate::Encoding::PaletteZ) is the same with the
//! packed indices as the next part of the frame's deflate stream
//! (`zstream.rs`) instead of an LZ4 block.
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
use crate::zstream::{FrameDeflater, FrameInflater};
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

/// Bits of a colour's hash: the slots of [`PaletteScratch::slots`].
const HASH_BITS: u32 = 12;

/// Scratch space kept by the encoder between tiles, so encoding a tile
/// allocates nothing but its result.
#[derive(Debug, Clone, Default)]
pub(crate) struct PaletteScratch {
    /// The colours of the last tile, in order of first appearance; only the
    /// first `count` are meaningful.
    colours: [u32; MAX_COLOURS],
    count: usize,
    /// A guess of each colour's index by its hash (`1 << HASH_BITS` slots).
    /// A guess is always checked against `colours`, so slots are never
    /// cleared: what an earlier tile left is merely a wrong guess.
    slots: Vec<u8>,
    /// One index per pixel, row after row.
    indices: Vec<u8>,
    packed: Vec<u8>,
    /// The compressor, shared with the encoder's LZ4 of a tile's pixels.
    pub lz4: Lz4Scratch,
}

/// The slot of `colour` in [`PaletteScratch::slots`].
fn hash(colour: u32) -> usize {
    (colour.wrapping_mul(0x9E37_79B1) >> (32 - HASH_BITS)) as usize
}

impl PaletteScratch {
    /// Collect the colours of `rows` (each `w` RGBA pixels) and each pixel's
    /// index; `false` when there are more than [`MAX_COLOURS`] colours. It
    /// stops at the first colour too many, so a photograph costs only a few
    /// pixels.
    fn collect<'a>(&mut self, w: u16, h: u16, rows: impl Iterator<Item = &'a [u8]>) -> bool {
        let area = usize::from(w) * usize::from(h);
        // Every index is overwritten below, so the buffer is only resized
        // (and zeroed) when the tile size changes.
        if self.indices.len() != area {
            self.indices.resize(area, 0);
        }
        self.slots.resize(1 << HASH_BITS, 0);
        let Ok(slots) = <&mut [u8; 1 << HASH_BITS]>::try_from(self.slots.as_mut_slice()) else {
            return false;
        };
        let colours = &mut self.colours;
        let mut count = 0;
        let mut seen = 0;
        for (row, out) in rows.zip(self.indices.chunks_exact_mut(usize::from(w).max(1))) {
            seen += 1;
            for (index, px) in out.iter_mut().zip(row.chunks_exact(BYTES_PER_PIXEL)) {
                let colour = u32::from_ne_bytes([px[0], px[1], px[2], px[3]]);
                // Text changes colour every pixel or two, too often for a
                // branch on runs or a search to be predicted; the guess by
                // hash is right for nearly every pixel, whatever the order.
                let slot = &mut slots[hash(colour)];
                let guess = usize::from(*slot);
                *index = if guess < count && colours[guess % MAX_COLOURS] == colour {
                    *slot
                } else {
                    // A new colour, or two colours sharing a slot.
                    let i = match colours
                        .get(..count)
                        .and_then(|c| c.iter().position(|&c| c == colour))
                    {
                        Some(i) => i,
                        None if count < MAX_COLOURS => {
                            colours[count] = colour;
                            count += 1;
                            count - 1
                        }
                        None => return false,
                    };
                    // `i < MAX_COLOURS`, so it fits.
                    *slot = i as u8;
                    *slot
                };
            }
        }
        if seen != h {
            return false;
        }
        self.count = count;
        true
    }

    /// Number of colours found by the last successful [`collect`]; used to
    /// decide whether LZ4 of the pixels is worth trying as well.
    pub fn colours(&self) -> usize {
        self.count
    }

    /// `rect` of a screen `width` pixels wide as
    /// [`Encoding::Palette`](crate::Encoding::Palette) data, or `None` when
    /// it has too many colours.
    pub fn encode(&mut self, width: u16, rect: Rect, screen: &[u8]) -> Option<Vec<u8>> {
        let rows = (0..rect.h).map_while(|dy| screen.get(tiles::row_range(width, rect, dy)));
        self.encode_rows(rect.w, rect.h, rows)
    }

    /// The tile of the last successful [`encode`](Self::encode) as
    /// [`Encoding::PaletteZ`](crate::Encoding::PaletteZ) data, its indices
    /// compressed into the frame's stream `z`. `None` when the stream failed:
    /// it must not be used again in this frame.
    pub fn last_as_z(&mut self, z: &mut FrameDeflater) -> Option<Vec<u8>> {
        let mut data = self.header(LZ4_SIZE_PREFIX + self.packed.len() / 2);
        // A tile's packed indices are far below 4 GiB.
        data.extend_from_slice(&(self.packed.len() as u32).to_le_bytes());
        z.compress(&self.packed, &mut data).then_some(data)
    }

    /// The palette data of a `w`×`h` tile given as its rows.
    fn encode_rows<'a>(
        &mut self,
        w: u16,
        h: u16,
        rows: impl Iterator<Item = &'a [u8]>,
    ) -> Option<Vec<u8>> {
        if !self.collect_and_pack(w, h, rows) {
            return None;
        }
        self.lz4.compress(&self.packed);
        let mut data = self.header(self.lz4.len());
        data.extend_from_slice(self.lz4.bytes());
        Some(data)
    }

    /// The colour count and table, with room for `more` bytes after them.
    fn header(&self, more: usize) -> Vec<u8> {
        let n = self.count;
        let colours = self.colours.get(..n).unwrap_or_default();
        let mut data = Vec::with_capacity(1 + n * BYTES_PER_PIXEL + more);
        // `1 <= n <= 16` for a non-empty tile.
        data.push(n.saturating_sub(1) as u8);
        for c in colours {
            data.extend_from_slice(&c.to_ne_bytes());
        }
        data
    }

    /// Collect the colours and pack the indices into `packed`; `false` when
    /// there are too many colours.
    fn collect_and_pack<'a>(
        &mut self,
        w: u16,
        h: u16,
        rows: impl Iterator<Item = &'a [u8]>,
    ) -> bool {
        if !self.collect(w, h, rows) {
            return false;
        }
        let bits = bits_for(self.count);
        let stride = row_bytes(w, bits);
        // `pack` writes every byte, so what the last tile left is not
        // cleared first.
        self.packed.resize(stride * usize::from(h), 0);
        let (indices, packed) = (&self.indices, &mut self.packed);
        match bits {
            1 => pack::<1>(w, indices, packed),
            2 => pack::<2>(w, indices, packed),
            _ => pack::<4>(w, indices, packed),
        }
        true
    }
}

/// Pack `indices` (rows of `w`) at `BITS` bits each into `packed` (rows of
/// [`row_bytes`]), first pixel in the most significant bits. With `BITS` a
/// constant, each byte's pixels are a fixed-size group the compiler unrolls.
fn pack<const BITS: usize>(w: u16, indices: &[u8], packed: &mut [u8]) {
    let per_byte = 8 / BITS;
    let stride = row_bytes(w, BITS);
    if stride == 0 {
        return;
    }
    let join = |group: &[u8]| group.iter().fold(0u8, |acc, &i| (acc << BITS) | i);
    for (row, out) in indices
        .chunks_exact(usize::from(w))
        .zip(packed.chunks_exact_mut(stride))
    {
        let mut groups = row.chunks_exact(per_byte);
        for (byte, group) in out.iter_mut().zip(&mut groups) {
            *byte = join(group);
        }
        // A short last group: its pixels still start at the top bits, the
        // padding after them is zero.
        let rest = groups.remainder();
        if let (false, Some(last)) = (rest.is_empty(), out.last_mut()) {
            *last = join(rest) << (BITS * (per_byte - rest.len()));
        }
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
    let (head, block) = Header::parse(rect, data)?;
    let mut packed = vec![0; head.expected];
    match lz4_flex::block::decompress_into(block, &mut packed) {
        Ok(got) if got == head.expected => {}
        _ => return Err(PaletteError::Lz4),
    }
    head.expand(rect, &packed)
}

/// Decode [`Encoding::PaletteZ`](crate::Encoding::PaletteZ) data for
/// `rect`, its indices the next part of the frame's stream `z`.
pub(crate) fn decode_z(
    rect: Rect,
    data: &[u8],
    z: &mut FrameInflater,
) -> Result<Vec<u8>, PaletteError> {
    let (head, block) = Header::parse(rect, data)?;
    // One spare byte shows data that makes more than it should.
    let mut packed = vec![0; head.expected + 1];
    if z.decompress(block, &mut packed) != Some(head.expected) {
        z.fail();
        return Err(PaletteError::Lz4);
    }
    head.expand(rect, packed.get(..head.expected).unwrap_or_default())
}

/// What the front of palette data says.
struct Header<'a> {
    n: usize,
    bits: usize,
    stride: usize,
    /// Bytes of packed indices.
    expected: usize,
    table: &'a [u8],
}

impl<'a> Header<'a> {
    /// The header, checked against `rect`, and the compressed indices.
    fn parse(rect: Rect, data: &'a [u8]) -> Result<(Header<'a>, &'a [u8]), PaletteError> {
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
        let head = Header {
            n,
            bits,
            stride,
            expected,
            table,
        };
        Ok((head, block))
    }

    /// The pixels of `packed` indices.
    fn expand(&self, rect: Rect, packed: &[u8]) -> Result<Vec<u8>, PaletteError> {
        let (n, bits, stride) = (self.n, self.bits, self.stride);
        // The colours as a fixed table, so the loop below looks each one up
        // without a bounds check; indices are checked once, after the loop,
        // by the highest one seen (an error discards `out` anyway).
        let mut colours = [[0u8; BYTES_PER_PIXEL]; MAX_COLOURS];
        for (c, t) in colours
            .iter_mut()
            .zip(self.table.chunks_exact(BYTES_PER_PIXEL))
        {
            c.copy_from_slice(t);
        }
        let per_byte = 8 / bits;
        let mask = (1u8 << bits) - 1;
        let row_len = usize::from(rect.w) * BYTES_PER_PIXEL;
        let mut out = vec![0; rect.area() as usize * BYTES_PER_PIXEL];
        let mut highest = 0u8;
        for (row, dst) in packed
            .chunks_exact(stride.max(1))
            .zip(out.chunks_exact_mut(row_len.max(1)))
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
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A `w`×`h` tile (its own screen) whose pixel `i` has colour
    /// `colours[pick(i)]`.
    fn tile(w: u16, h: u16, colours: &[u32], pick: impl Fn(usize) -> usize) -> Vec<u8> {
        (0..usize::from(w) * usize::from(h))
            .flat_map(|i| colours[pick(i) % colours.len()].to_ne_bytes())
            .collect()
    }

    /// Encode with `scratch`, check the colour table's order (first
    /// appearance) and that decoding gives the pixels back.
    fn round_trip(scratch: &mut PaletteScratch, w: u16, h: u16, pixels: &[u8]) -> Option<usize> {
        let rect = Rect::new(0, 0, w, h);
        let data = scratch.encode(w, rect, pixels)?;
        let mut first_seen: Vec<&[u8]> = Vec::new();
        for px in pixels.chunks_exact(BYTES_PER_PIXEL) {
            if !first_seen.contains(&px) {
                first_seen.push(px);
            }
        }
        let n = first_seen.len();
        assert_eq!(usize::from(data[0]) + 1, n);
        assert_eq!(&data[1..1 + 4 * n], &first_seen.concat()[..]);
        assert_eq!(decode(rect, &data).as_deref(), Ok(pixels));
        Some(n)
    }

    #[test]
    fn every_width_and_depth_round_trips() {
        let mut scratch = PaletteScratch::default();
        let colours: Vec<u32> = (0..16u32).map(|c| c.wrapping_mul(0x0101_0107)).collect();
        for n in [1, 2, 3, 4, 5, 16] {
            for w in 1..=9 {
                let pixels = tile(w, 3, &colours[..n], |i| i);
                let got = round_trip(&mut scratch, w, 3, &pixels);
                assert_eq!(got, Some(n.min(usize::from(w) * 3)));
            }
        }
    }

    #[test]
    fn seventeen_colours_are_refused() {
        let mut scratch = PaletteScratch::default();
        let colours: Vec<u32> = (0..17).collect();
        let pixels = tile(17, 1, &colours, |i| i);
        assert_eq!(scratch.encode(17, Rect::new(0, 0, 17, 1), &pixels), None);
        // The next tile is not disturbed by the refused one.
        let pixels = tile(16, 2, &colours[..16], |i| i / 2);
        assert_eq!(round_trip(&mut scratch, 16, 2, &pixels), Some(16));
    }

    #[test]
    fn colours_sharing_a_slot_and_stale_slots() {
        // Three colours with one hash, alternating: every lookup of the slot
        // guesses wrong for one of them.
        let first = 0x1234_5678u32;
        let same: Vec<u32> = (first..)
            .filter(|&c| hash(c) == hash(first))
            .take(3)
            .collect();
        let mut scratch = PaletteScratch::default();
        let pixels = tile(8, 8, &same, |i| i % 3 + i / 5);
        assert_eq!(round_trip(&mut scratch, 8, 8, &pixels), Some(3));
        // A later tile whose colours' slots hold guesses from the one
        // before, pointing at other colours or past its own count.
        let later = [same[2], 7, same[0]];
        let pixels = tile(5, 4, &later, |i| (i * 5) % 7);
        assert_eq!(round_trip(&mut scratch, 5, 4, &pixels), Some(3));
        let pixels = tile(5, 4, &[same[1]], |_| 0);
        assert_eq!(round_trip(&mut scratch, 5, 4, &pixels), Some(1));
    }
}
