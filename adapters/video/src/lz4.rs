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

    /// Length of the last result, size prefix included.
    pub fn len(&self) -> usize {
        self.len
    }

    /// The last result: the size prefix, then the LZ4 block.
    pub fn bytes(&self) -> &[u8] {
        self.buf.get(..self.len).unwrap_or_default()
    }
}

#[cfg(test)]
mod tests {
    use super::Lz4Scratch;

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
