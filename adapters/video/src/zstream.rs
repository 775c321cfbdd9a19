//! One deflate stream through a frame: [`Encoding::PaletteZ`].
//!
//! A new page of text is mostly glyphs the frame has already drawn
//! elsewhere. Compressed tile by tile (LZ4, or deflate alone), each tile
//! starts from nothing; compressed as one stream through the frame, a tile
//! refers back to the tiles before it, and deflate's Huffman codes suit the
//! skewed bytes of packed text. On a page of `less` in an xterm that is
//! 40 % fewer bytes than LZ4 tile by tile.
//!
//! ## Keeping both sides in step
//! The stream starts afresh with every frame, on both sides
//! ([`Screen::begin_frame`](crate::Screen::begin_frame)), so a frame that was
//! encoded and never sent costs nothing later. Each rectangle's data ends
//! with a sync flush, so it decodes completely once the frame's earlier
//! `PaletteZ` rectangles have been decoded, in order. A viewer that joins in
//! the middle of a frame cannot decode the rest of it; the browser console
//! is sent such rectangles as plain palettes instead
//! ([`Screen::standalone`](crate::Screen::standalone)).

use miniz_oxide::deflate::core::CompressorOxide;
use miniz_oxide::deflate::stream::deflate;
use miniz_oxide::inflate::stream::{inflate, InflateState};
use miniz_oxide::{DataFormat, MZError, MZFlush, MZStatus};

/// Deflate level for a large frame: 1 is the fastest, with lazy matching
/// off. A whole screen of text must stay within the encoder's time budget.
const LEVEL_LARGE: u8 = 1;
/// Deflate level for a small frame (a window's worth of text, such as a
/// page scrolled in a terminal): 6 makes about 10 % fewer bytes than 1
/// there and costs a few milliseconds that a small frame has to spare.
/// Measured on `bench-vs-vnc scrolling`: 1.29 MB at level 1, 1.17 MB at 6,
/// the same at 9.
const LEVEL_SMALL: u8 = 6;

/// The deflate level for a frame whose damage covers `damaged` of `screen`
/// pixels: the thorough one up to a third of the screen.
pub(crate) fn level_for(damaged: u64, screen: u64) -> u8 {
    if damaged.saturating_mul(3) <= screen {
        LEVEL_SMALL
    } else {
        LEVEL_LARGE
    }
}

/// The encoder's side: one stream per frame.
pub(crate) struct FrameDeflater {
    compressor: Box<CompressorOxide>,
    /// Output room, grown as needed and kept.
    out: Vec<u8>,
}

impl std::fmt::Debug for FrameDeflater {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("FrameDeflater").finish_non_exhaustive()
    }
}

impl Clone for FrameDeflater {
    /// A fresh stream: a clone starts its own frame.
    fn clone(&self) -> Self {
        Self::default()
    }
}

impl Default for FrameDeflater {
    fn default() -> Self {
        let mut compressor = Box::<CompressorOxide>::default();
        compressor.set_format_and_level(DataFormat::Raw, LEVEL_LARGE);
        Self {
            compressor,
            out: Vec::new(),
        }
    }
}

impl FrameDeflater {
    /// Start a new frame's stream, compressed at `level` (see
    /// [`level_for`]; the viewer's inflater needs no level).
    pub(crate) fn begin_frame(&mut self, level: u8) {
        self.compressor.reset();
        self.compressor.set_format_and_level(DataFormat::Raw, level);
    }

    /// Compress `input` into the stream, ending on a sync flush, and append
    /// the bytes to `data`. `false` when the compressor failed (it does not,
    /// with room to write): the caller must then not use the stream again in
    /// this frame.
    pub(crate) fn compress(&mut self, input: &[u8], data: &mut Vec<u8>) -> bool {
        // Deflate never grows data by more than a few bytes a 16 KiB block,
        // plus the flush; room for all of it is made up front.
        let room = input.len() + input.len() / 64 + 64;
        if self.out.len() < room {
            self.out.resize(room, 0);
        }
        let mut consumed = 0;
        let mut written = 0;
        loop {
            let (Some(rest_in), Some(rest_out)) =
                (input.get(consumed..), self.out.get_mut(written..))
            else {
                return false;
            };
            let r = deflate(&mut self.compressor, rest_in, rest_out, MZFlush::Sync);
            consumed += r.bytes_consumed;
            written += r.bytes_written;
            match r.status {
                Ok(_) if consumed == input.len() && written < self.out.len() => break,
                Ok(_) if written == self.out.len() => {
                    let grown = self.out.len() * 2;
                    self.out.resize(grown, 0);
                }
                Ok(_) => {}
                Err(_) => return false,
            }
        }
        data.extend_from_slice(self.out.get(..written).unwrap_or_default());
        true
    }
}

/// The decoder's side: one stream per frame.
pub(crate) struct FrameInflater {
    state: Box<InflateState>,
    /// The stream failed in this frame: nothing more of it decodes.
    broken: bool,
}

impl std::fmt::Debug for FrameInflater {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("FrameInflater")
            .field("broken", &self.broken)
            .finish_non_exhaustive()
    }
}

impl Clone for FrameInflater {
    /// A fresh stream: a clone waits for its own frame.
    fn clone(&self) -> Self {
        Self::default()
    }
}

impl Default for FrameInflater {
    fn default() -> Self {
        Self {
            state: InflateState::new_boxed(DataFormat::Raw),
            broken: false,
        }
    }
}

impl FrameInflater {
    /// Start a new frame's stream.
    pub(crate) fn begin_frame(&mut self) {
        self.state.reset(DataFormat::Raw);
        self.broken = false;
    }

    /// Decompress one rectangle's `input`, all of it, into `out`; returns
    /// how many bytes it made. Give `out` one byte more than expected: a
    /// rectangle that makes more than it should then shows as a wrong count.
    /// On any error (`None`, or a count the caller refuses and reports with
    /// [`FrameInflater::fail`]) the stream is broken for the rest of the
    /// frame.
    pub(crate) fn decompress(&mut self, input: &[u8], out: &mut [u8]) -> Option<usize> {
        if self.broken {
            return None;
        }
        let (mut consumed, mut written) = (0, 0);
        // The inflater hands out at most what fits its window at a time, and
        // may hold some back when the input ends: ask again until it makes
        // no more progress.
        while let (Some(rest_in), Some(rest_out)) = (input.get(consumed..), out.get_mut(written..))
        {
            if rest_out.is_empty() {
                break;
            }
            let r = inflate(&mut self.state, rest_in, rest_out, MZFlush::None);
            consumed += r.bytes_consumed;
            written += r.bytes_written;
            match r.status {
                Ok(MZStatus::Ok) | Ok(MZStatus::StreamEnd)
                    if r.bytes_consumed > 0 || r.bytes_written > 0 => {}
                // Nothing more to make from what was given.
                Ok(_) | Err(MZError::Buf) => break,
                Err(_) => {
                    self.broken = true;
                    return None;
                }
            }
        }
        if consumed != input.len() {
            self.broken = true;
            return None;
        }
        Some(written)
    }

    /// The caller refused what [`FrameInflater::decompress`] made.
    pub(crate) fn fail(&mut self) {
        self.broken = true;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rectangles_decode_in_order_through_one_stream() {
        // Noise, so a piece alone does not compress; the same noise again,
        // so a later piece refers back to an earlier one.
        let noise: Vec<u8> = (0..300u32)
            .map(|j| (j.wrapping_mul(2_654_435_761) >> 24) as u8)
            .collect();
        let pieces: Vec<Vec<u8>> = (0..5u8)
            .map(|i| if i == 2 { vec![i; 300] } else { noise.clone() })
            .collect();
        let mut d = FrameDeflater::default();
        let mut datas = Vec::new();
        for p in &pieces {
            let mut data = Vec::new();
            assert!(d.compress(p, &mut data));
            datas.push(data);
        }
        // Later pieces refer back: smaller than the first.
        let sizes: Vec<usize> = datas.iter().map(Vec::len).collect();
        assert!(sizes[4] * 4 < sizes[0], "{sizes:?}");
        let mut i = FrameInflater::default();
        for (p, data) in pieces.iter().zip(&datas) {
            let mut out = vec![0; p.len() + 1];
            assert_eq!(i.decompress(data, &mut out), Some(p.len()));
            assert_eq!(&out[..p.len()], &p[..]);
        }
        // A new frame starts afresh on both sides, at either level.
        for level in [LEVEL_SMALL, LEVEL_LARGE] {
            d.begin_frame(level);
            i.begin_frame();
            let mut data = Vec::new();
            assert!(d.compress(&pieces[3], &mut data));
            let mut out = vec![0; 301];
            assert_eq!(i.decompress(&data, &mut out), Some(300));
            assert_eq!(&out[..300], &pieces[3][..]);
        }
    }

    #[test]
    fn small_frames_are_squeezed_harder_than_large_ones() {
        let screen = 1920 * 1080;
        assert_eq!(level_for(0, screen), LEVEL_SMALL);
        assert_eq!(level_for(screen / 3, screen), LEVEL_SMALL);
        assert_eq!(level_for(screen / 3 + 1, screen), LEVEL_LARGE);
        // Damage can overlap and add up to more than the screen.
        assert_eq!(level_for(u64::MAX, screen), LEVEL_LARGE);
        const { assert!(LEVEL_SMALL > LEVEL_LARGE) };
    }

    /// More than a window's worth (32 KiB) in one rectangle.
    #[test]
    fn a_large_rectangle_comes_out_whole() {
        let big: Vec<u8> = (0..200_000u32)
            .map(|j| (j.wrapping_mul(2_654_435_761) >> 24) as u8)
            .collect();
        let mut d = FrameDeflater::default();
        let mut data = Vec::new();
        assert!(d.compress(&big, &mut data));
        let mut i = FrameInflater::default();
        let mut out = vec![0; big.len() + 1];
        assert_eq!(i.decompress(&data, &mut out), Some(big.len()));
        assert_eq!(&out[..big.len()], &big[..]);
    }

    #[test]
    fn a_wrong_size_or_damage_breaks_the_frame() {
        let mut d = FrameDeflater::default();
        let mut data = Vec::new();
        assert!(d.compress(&[7; 100], &mut data));
        let mut i = FrameInflater::default();
        // Room for 99 and a spare: it makes 100, more than the 99 expected.
        assert_eq!(i.decompress(&data, &mut [0; 100]), Some(100));
        i.fail();
        assert_eq!(
            i.decompress(&data, &mut [0; 101]),
            None,
            "broken until the next frame"
        );
        i.begin_frame();
        assert_eq!(i.decompress(&data, &mut [0; 101]), Some(100));
        i.begin_frame();
        assert_eq!(i.decompress(&[0xFF, 0xFF, 0xFF], &mut [0; 101]), None);
    }
}
