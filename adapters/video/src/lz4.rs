//! LZ4 compression with the size prefix, into a buffer kept between tiles.
//!
//! `lz4_flex::block::compress_prepend_size` allocates and zeroes room for
//! the worst case (110 % of the input) on every call, then shrinks the
//! result with a reallocation that copies it. On a full 1080p change that is
//! hundreds of calls a frame, and often the result is thrown away anyway
//! (Raw or palette wins). Compressing into a kept buffer and copying out only
//! the result that is used saves both. The bytes are the same:
//! `[input length: u32 LE][LZ4 block]`, the format of
//! [`Encoding::Lz4`](crate::Encoding::Lz4) and of a palette's indices.

use lz4_flex::block::{compress_into, get_maximum_output_size};

/// Length of the little-endian size that precedes LZ4 data.
const SIZE_PREFIX: usize = 4;

/// A compressor that keeps its output buffer between calls.
#[derive(Debug, Clone, Default)]
pub(crate) struct Lz4Scratch {
    /// Room for the worst case of the largest input so far; only its first
    /// [`len`](Lz4Scratch::len) bytes are the last result.
    buf: Vec<u8>,
    len: usize,
}

impl Lz4Scratch {
    /// Compress `input`; the result (size prefix included) is then
    /// [`bytes`](Lz4Scratch::bytes) and its length
    /// [`len`](Lz4Scratch::len).
    pub fn compress(&mut self, input: &[u8]) {
        let room = SIZE_PREFIX + get_maximum_output_size(input.len());
        // Grown, never shrunk: only the first use of a tile size zeroes it.
        if self.buf.len() < room {
            self.buf.resize(room, 0);
        }
        // Inputs are tiles of a screen of at most 8192² pixels, so the
        // length always fits (`compress_prepend_size` casts it the same way).
        let size = (input.len() as u32).to_le_bytes();
        let (prefix, block) = self.buf.split_at_mut(SIZE_PREFIX);
        prefix.copy_from_slice(&size);
        self.len = match compress_into(input, block) {
            Ok(n) => SIZE_PREFIX + n,
            // Cannot happen with the worst case reserved; fall back to the
            // allocating call rather than send something wrong.
            Err(_) => {
                let v = lz4_flex::block::compress_prepend_size(input);
                self.buf.clear();
                self.buf.extend_from_slice(&v);
                v.len()
            }
        };
    }

    /// A length that [`compress`](Lz4Scratch::compress)`(input)` is sure to
    /// reach (size prefix included), found by compressing only the first
    /// quarter of `input`: a quarter of the work, for a caller that only
    /// needs to know that LZ4 cannot beat something smaller.
    ///
    /// Why it holds: `lz4_flex` parses greedily from the start, each
    /// decision depending only on the bytes before it and on the end of the
    /// input, which it does not search within the last 12 bytes. So the
    /// whole input's block begins with the same sequences as the quarter's
    /// block, except the quarter's last sequence (its trailing literals,
    /// which the whole input may cover with a match) and its last match,
    /// which the whole input may only extend (a longer match costs as much
    /// or more). Both blocks must use the same hash table, which
    /// `lz4_flex` chooses by input length: the bound is only given below
    /// 64 KiB, and is 0 otherwise. The tests check it against `compress`.
    pub fn at_least(&mut self, input: &[u8]) -> usize {
        if input.len() >= usize::from(u16::MAX) {
            return 0;
        }
        let prefix = input.get(..input.len() / 4).unwrap_or_default();
        self.compress(prefix);
        let block = self.bytes().get(SIZE_PREFIX..).unwrap_or_default();
        SIZE_PREFIX + last_sequence_start(block).unwrap_or(0)
    }

    /// Length of the last result, size prefix included.
    pub fn len(&self) -> usize {
        self.len
    }

    /// The last result: the size prefix, then the LZ4 block.
    pub fn bytes(&self) -> &[u8] {
        self.buf.get(..self.len).unwrap_or_default()
    }
}

/// Where the last sequence of an LZ4 block starts (the one with literals
/// and no match), or `None` if the block is malformed.
fn last_sequence_start(block: &[u8]) -> Option<usize> {
    // A length is 4 bits of the token; 15 means more bytes follow, each
    // added, until one is not 255.
    fn length(block: &[u8], pos: &mut usize, nibble: u8) -> Option<usize> {
        let mut len = usize::from(nibble);
        if nibble == 15 {
            loop {
                let b = *block.get(*pos)?;
                *pos += 1;
                len += usize::from(b);
                if b != 255 {
                    break;
                }
            }
        }
        Some(len)
    }
    let mut pos = 0;
    loop {
        let start = pos;
        let token = *block.get(pos)?;
        pos += 1;
        pos += length(block, &mut pos, token >> 4)?;
        if pos == block.len() {
            return Some(start);
        }
        // The match: a 2-byte offset, then the rest of its length.
        pos += 2;
        length(block, &mut pos, token & 15)?;
        if pos >= block.len() {
            return None;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::{last_sequence_start, Lz4Scratch};

    /// Inputs like a tile's pixels: runs, rows that repeat, repeats at
    /// other distances, noise, and mixes of them.
    fn inputs() -> Vec<Vec<u8>> {
        let mut seed = 1u32;
        let mut next = move || {
            seed ^= seed << 13;
            seed ^= seed >> 17;
            seed ^= seed << 5;
            seed
        };
        let mut out = Vec::new();
        for case in 0..400u32 {
            let len = [16_384, 1000, 13, 65_534, 40_000, 7][case as usize % 6];
            let period = 1 + next() as usize % 300;
            let noise = next() % 1000;
            let mut v = Vec::with_capacity(len);
            for i in 0..len {
                let b = match case % 4 {
                    0 => (i % period) as u8,
                    1 => ((i / period) % 7) as u8,
                    2 => ((i % 256) / (1 + period % 9)) as u8 ^ ((i / 256) % 3) as u8,
                    _ => (i % 4 * 60) as u8,
                };
                v.push(if next() % 1000 < noise {
                    next() as u8
                } else {
                    b
                });
            }
            out.push(v);
        }
        out
    }

    #[test]
    fn at_least_is_never_more_than_the_whole() {
        let mut scratch = Lz4Scratch::default();
        let mut useful = 0;
        for input in inputs() {
            let bound = scratch.at_least(&input);
            scratch.compress(&input);
            assert!(bound <= scratch.len(), "{bound} > {}", scratch.len());
            useful += usize::from(bound > scratch.len() / 8);
        }
        // The bound is not trivially small.
        assert!(useful > 100, "{useful}");
    }

    #[test]
    fn last_sequence_of_blocks() {
        // One literal-only sequence.
        assert_eq!(last_sequence_start(&[0x30, 1, 2, 3]), Some(0));
        // Literals and a match, then 5 literals.
        assert_eq!(
            last_sequence_start(&[0x14, 9, 1, 0, 0x50, 1, 2, 3, 4, 5]),
            Some(4)
        );
        // A literal length of 15 + 255 + 2, then the end.
        let mut block = vec![0xf0, 255, 2];
        block.extend(std::iter::repeat_n(7, 272));
        assert_eq!(last_sequence_start(&block), Some(0));
        // Truncated: no last sequence.
        assert_eq!(last_sequence_start(&[0x14, 9, 1]), None);
        assert_eq!(last_sequence_start(&[]), None);
    }

    #[test]
    fn same_bytes_as_lz4_flex() {
        let mut scratch = Lz4Scratch::default();
        let inputs: [Vec<u8>; 4] = [
            Vec::new(),
            vec![7; 10_000],
            (0..5000u32)
                .flat_map(|i| i.wrapping_mul(2_654_435_761).to_le_bytes())
                .collect(),
            vec![1, 2, 3],
        ];
        for input in &inputs {
            scratch.compress(input);
            assert_eq!(
                scratch.bytes(),
                &lz4_flex::block::compress_prepend_size(input)[..]
            );
            assert_eq!(scratch.len(), scratch.bytes().len());
        }
    }
}
