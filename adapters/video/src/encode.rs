//! The encoder: which tiles changed, and how each one is sent.

use beckon_core::video::MAX_DIMENSION;

use crate::rect::Rect;
use crate::tiles::{self, Grid};
use crate::{Encoding, BYTES_PER_PIXEL};

/// One encoded rectangle of a frame update.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EncodedRect {
    /// Where the pixels go.
    pub rect: Rect,
    /// How `data` is encoded.
    pub encoding: Encoding,
    /// The encoded bytes, never longer than
    /// [`max_rect_bytes`](beckon_core::video::max_rect_bytes) allows.
    pub data: Vec<u8>,
}

/// Encoder settings.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct EncoderConfig {
    /// Side of a square tile in pixels (default 64; 0 is taken as 1).
    ///
    /// Smaller tiles send less around a small change but cost more rectangles
    /// (each with its own header) and compress worse; 64 keeps a typing
    /// cursor's update near 16 KB raw while a full 1280×800 screen is only 260
    /// rectangles.
    pub tile: u16,
}

impl Default for EncoderConfig {
    fn default() -> Self {
        Self { tile: 64 }
    }
}

/// Statistics of one [`Encoder::encode`] call.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct EncodeStats {
    /// Tiles compared with the previous screen (0 when everything was sent).
    pub tiles_compared: u32,
    /// Tiles sent.
    pub tiles_sent: u32,
    /// Encoded bytes out (the sum of every rectangle's `data`).
    pub bytes: u64,
}

/// Why a screen could not be encoded. Each one is a bug or a misconfigured
/// capture on the caller's side; the encoder's state is left as it was.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum EncodeError {
    /// Width or height is zero.
    #[error("screen size is zero")]
    ZeroSize,
    /// Width or height exceeds what viewers accept
    /// ([`MAX_DIMENSION`](beckon_core::video::MAX_DIMENSION)).
    #[error("screen {width}x{height} is larger than viewers accept")]
    TooLarge {
        /// The width given.
        width: u16,
        /// The height given.
        height: u16,
    },
    /// `pixels` is not `width * height * 4` bytes.
    #[error("pixel buffer has {got} bytes, {expected} expected")]
    PixelLength {
        /// `width * height * 4`.
        expected: usize,
        /// The length given.
        got: usize,
    },
}

/// Turns successive screens into frame updates: only tiles that changed since
/// the previous [`encode`](Encoder::encode) call.
///
/// It keeps a copy of the screen *as the viewer has it*: a tile is copied in
/// only when it is sent, so a change that a damage hint missed is still sent
/// later, when a hint (or a call without hints) covers it.
#[derive(Debug, Clone)]
pub struct Encoder {
    tile: u16,
    /// The viewer's screen; `None` until the first call and after
    /// [`refresh`](Encoder::refresh) or a resize.
    previous: Option<Previous>,
    /// Per tile: should it be compared in this call? Kept to avoid an
    /// allocation per frame.
    mask: Vec<bool>,
    /// One row of a single colour, for the solid test.
    solid_row: Vec<u8>,
    stats: EncodeStats,
}

#[derive(Debug, Clone)]
struct Previous {
    grid: Grid,
    pixels: Vec<u8>,
}

impl Encoder {
    /// A new encoder; the first [`encode`](Encoder::encode) sends everything.
    pub fn new(config: EncoderConfig) -> Self {
        Self {
            tile: config.tile.max(1),
            previous: None,
            mask: Vec::new(),
            solid_row: Vec::new(),
            stats: EncodeStats::default(),
        }
    }

    /// Encode what changed in `pixels` (`width * height * 4` bytes, RGBA)
    /// since the last call.
    ///
    /// `damage` lists regions known to have changed (from the windowing
    /// system), or is `None` to compare every tile. Only tiles inside damage
    /// are compared, and unchanged tiles are skipped even when damaged. The
    /// first call, a call after [`refresh`](Encoder::refresh) and a call with
    /// a new screen size send every tile. Returns an empty `Vec` when nothing
    /// changed. Rectangles never overlap, so they may be applied in any order.
    pub fn encode(
        &mut self,
        width: u16,
        height: u16,
        pixels: &[u8],
        damage: Option<&[Rect]>,
    ) -> Result<Vec<EncodedRect>, EncodeError> {
        if width == 0 || height == 0 {
            return Err(EncodeError::ZeroSize);
        }
        if width > MAX_DIMENSION || height > MAX_DIMENSION {
            return Err(EncodeError::TooLarge { width, height });
        }
        let expected = usize::from(width) * usize::from(height) * BYTES_PER_PIXEL;
        if pixels.len() != expected {
            return Err(EncodeError::PixelLength {
                expected,
                got: pixels.len(),
            });
        }

        let grid = Grid::new(width, height, self.tile);
        let previous = match self.previous.take() {
            Some(p) if p.grid == grid => Some(p),
            // A new size: nothing the viewer has can be compared.
            _ => None,
        };
        self.stats = EncodeStats::default();
        let mut out = Vec::new();

        match previous {
            None => {
                // Everything goes; the copy of the screen starts as this one.
                for row in 0..grid.rows {
                    for col in 0..grid.cols {
                        let rect = grid.tile_rect(col, row);
                        out.push(self.encode_tile(width, rect, pixels));
                    }
                }
                self.previous = Some(Previous {
                    grid,
                    pixels: pixels.to_vec(),
                });
            }
            Some(mut prev) => {
                self.mask.clear();
                self.mask.resize(grid.len(), damage.is_none());
                if let Some(damage) = damage {
                    grid.mark_damage(damage, &mut self.mask);
                }
                let mut index = 0;
                for row in 0..grid.rows {
                    for col in 0..grid.cols {
                        let marked = self.mask.get(index).copied().unwrap_or(false);
                        index += 1;
                        if !marked {
                            continue;
                        }
                        let rect = grid.tile_rect(col, row);
                        self.stats.tiles_compared += 1;
                        if tiles::differs(width, rect, &prev.pixels, pixels) {
                            out.push(self.encode_tile(width, rect, pixels));
                            tiles::copy_rect(width, rect, pixels, &mut prev.pixels);
                        }
                    }
                }
                self.previous = Some(prev);
            }
        }

        self.stats.tiles_sent = out.len() as u32;
        self.stats.bytes = out.iter().map(|r| r.data.len() as u64).sum();
        Ok(out)
    }

    /// Forget the previous screen, so the next [`encode`](Encoder::encode)
    /// sends everything (a new viewer, a lost frame).
    pub fn refresh(&mut self) {
        self.previous = None;
    }

    /// Statistics of the last [`encode`](Encoder::encode).
    pub fn last_stats(&self) -> EncodeStats {
        self.stats
    }

    /// Encode one tile in the smallest exact encoding.
    ///
    /// This is where further encodings slot in: a copy from elsewhere on the
    /// previous screen before anything else (it needs no pixels at all),
    /// then palette, then JPEG when the quality allows loss.
    fn encode_tile(&mut self, width: u16, rect: Rect, screen: &[u8]) -> EncodedRect {
        if let Some(colour) = self.solid_colour(width, rect, screen) {
            return EncodedRect {
                rect,
                encoding: Encoding::Solid,
                data: colour.to_vec(),
            };
        }
        let mut raw = Vec::with_capacity(rect.area() as usize * BYTES_PER_PIXEL);
        tiles::gather(width, rect, screen, &mut raw);
        // The size prefix lets the decoder check the length before it
        // allocates or decompresses anything.
        let packed = lz4_flex::block::compress_prepend_size(&raw);
        // Strictly smaller, so an Lz4 rectangle is always within the raw
        // size and hence within `max_rect_bytes`.
        if packed.len() < raw.len() {
            EncodedRect {
                rect,
                encoding: Encoding::Lz4,
                data: packed,
            }
        } else {
            EncodedRect {
                rect,
                encoding: Encoding::Raw,
                data: raw,
            }
        }
    }

    /// The tile's colour if every pixel has it.
    fn solid_colour(&mut self, width: u16, rect: Rect, screen: &[u8]) -> Option<[u8; 4]> {
        let start =
            (usize::from(rect.y) * usize::from(width) + usize::from(rect.x)) * BYTES_PER_PIXEL;
        let colour: [u8; 4] = screen
            .get(start..start + BYTES_PER_PIXEL)?
            .try_into()
            .ok()?;
        self.solid_row.clear();
        for _ in 0..rect.w {
            self.solid_row.extend_from_slice(&colour);
        }
        tiles::all_rows_equal(width, rect, screen, &self.solid_row).then_some(colour)
    }
}
