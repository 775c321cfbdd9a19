//! The encoder: which tiles changed, and how each one is sent.

use beckon_core::video::MAX_DIMENSION;

use crate::bounds;
use crate::cache::{self, RectCache};
#[cfg(feature = "h264")]
use crate::fullmotion::FullMotion;
use crate::glyphs;
use crate::jpeg;
use crate::palette::PaletteScratch;
use crate::rect::Rect;
use crate::scroll::{self, Copies, Vector};
use crate::strips;
use crate::tiles::{self, Grid};
use crate::zstream::FrameDeflater;
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
    /// Rectangles sent (a copy of several tiles counts once; see
    /// [`Encoder::last_copied`] and [`Encoder::last_lossy`]).
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
/// later, when a hint (or a call without hints) covers it. Tiles sent as JPEG
/// are remembered as inexact on the viewer's side: they are never the source
/// of a copy, and they are sent again exactly in the first frame in which
/// they did not change (see [`Encoder::has_lossy_tiles`]).
#[derive(Debug, Clone)]
pub struct Encoder {
    tile: u16,
    /// The viewer's screen; `None` until the first call and after
    /// [`refresh`](Encoder::refresh) or a resize.
    previous: Option<Previous>,
    /// Per tile: should it be compared in this call? Kept to avoid an
    /// allocation per frame.
    mask: Vec<bool>,
    /// Per tile: what this call does with it.
    plan: Vec<Plan>,
    /// Indices of the tiles that changed in this call.
    changed: Vec<usize>,
    /// Per tile: how many of its pixels this call's copies wrote.
    covered: Vec<u32>,
    /// One row of a single colour, for the solid test.
    solid_row: Vec<u8>,
    /// One tile's pixels, gathered for compression.
    raw: Vec<u8>,
    palette: PaletteScratch,
    /// This frame's deflate stream for `PaletteZ`, and whether it still
    /// works.
    zstream: FrameDeflater,
    z_ok: bool,
    /// Small rectangles the viewer keeps.
    cache: RectCache,
    /// Glyphs the viewer keeps (`glyphs.rs`).
    glyphs: RectCache,
    /// JPEG quality for photographic tiles; `None`: lossless only.
    lossy_quality: Option<u8>,
    copy_detection: bool,
    /// Moves the windowing system reported since the last call
    /// ([`Encoder::hint_moves`]).
    move_hints: Vec<Vector>,
    /// Whether unchanged JPEG tiles are sent again exactly.
    refine: bool,
    /// Their sum.
    move_sum: Vector,
    /// The vector of the last frame that had copies: a scroll usually goes on.
    last_vector: Option<Vector>,
    stats: EncodeStats,
    /// Tiles sent as copies and as JPEG by the last call.
    copied: u32,
    lossy_sent: u32,
    /// The H.264 path for a region in full motion (off unless the caller
    /// allows it).
    #[cfg(feature = "h264")]
    full_motion: FullMotion,
    /// Tiles the last call carried in an H.264 rectangle.
    motion_sent: u32,
}

#[derive(Debug, Clone)]
struct Previous {
    grid: Grid,
    pixels: Vec<u8>,
    /// Per tile: the viewer has it only approximately (it went as JPEG).
    lossy: Vec<bool>,
}

/// What one call does with a tile.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Plan {
    /// Nothing: the viewer has it.
    Keep,
    /// Changed: encode it.
    Send,
    /// Changed, and sent as a copy.
    Copied,
    /// Changed, and copies of moved rows made it right, on the viewer's side
    /// and in the encoder's copy of its screen alike.
    Moved,
    /// Unchanged but lossy on the viewer's side: send it exactly now.
    Refine,
    /// In the region in full motion: carried by its H.264 rectangle.
    // Only the `h264` feature makes it; the passes handle it either way.
    #[cfg_attr(not(feature = "h264"), allow(dead_code))]
    Motion,
}

impl Encoder {
    /// A new encoder; the first [`encode`](Encoder::encode) sends everything.
    /// Lossless only until [`set_lossy_quality`](Encoder::set_lossy_quality)
    /// allows JPEG; copy detection on.
    pub fn new(config: EncoderConfig) -> Self {
        Self {
            tile: config.tile.max(1),
            previous: None,
            mask: Vec::new(),
            plan: Vec::new(),
            changed: Vec::new(),
            covered: Vec::new(),
            solid_row: Vec::new(),
            raw: Vec::new(),
            palette: PaletteScratch::default(),
            zstream: FrameDeflater::default(),
            z_ok: true,
            cache: RectCache::default(),
            glyphs: RectCache::with_capacity(glyphs::CAPACITY),
            lossy_quality: None,
            copy_detection: true,
            last_vector: None,
            move_hints: Vec::new(),
            refine: true,
            move_sum: (0, 0),
            stats: EncodeStats::default(),
            copied: 0,
            lossy_sent: 0,
            #[cfg(feature = "h264")]
            full_motion: FullMotion::default(),
            motion_sent: 0,
        }
    }

    /// Allow H.264 ([`Encoding::H264`]) for a region of the screen found to
    /// be in full motion (a video, an animation), or forbid it (the
    /// default). Allow it only when the viewer decodes H.264: a [`Screen`]
    /// built with this crate's `h264` feature does, one without does not
    /// (see [`crate::H264`]). Used only while lossy pictures are allowed
    /// ([`Encoder::set_lossy_quality`]).
    ///
    /// Returns whether H.264 will be used: always `false` when this crate
    /// was built without its `h264` feature.
    ///
    /// [`Screen`]: crate::Screen
    pub fn set_h264(&mut self, allowed: bool) -> bool {
        #[cfg(feature = "h264")]
        {
            self.full_motion.set_allowed(allowed);
            self.full_motion.allowed()
        }
        #[cfg(not(feature = "h264"))]
        {
            let _ = allowed;
            false
        }
    }

    /// Tiles the last [`encode`](Encoder::encode) carried in an
    /// [`H264`](Encoding::H264) rectangle.
    pub fn last_motion(&self) -> u32 {
        self.motion_sent
    }

    /// Allow JPEG for photographic tiles at `quality` (1..=100; 0 counts as
    /// 1), or `None` for lossless only (the default). Solid, palette and
    /// copied tiles, and any tile that LZ4 compresses well (text, UI), stay
    /// exact whatever the setting.
    pub fn set_lossy_quality(&mut self, quality: Option<u8>) {
        self.lossy_quality = quality.map(|q| q.clamp(1, 100));
    }

    /// The JPEG quality in use, `None` when lossless only.
    pub fn lossy_quality(&self) -> Option<u8> {
        self.lossy_quality
    }

    /// Turn the detection of scrolled or moved content
    /// ([`Encoding::Copy`]) on or off (on by default). Off, moved content
    /// is sent as pixels; useful to measure what detection saves.
    pub fn set_copy_detection(&mut self, on: bool) {
        self.copy_detection = on;
        self.last_vector = None;
    }

    /// Content moved by these offsets since the last
    /// [`encode`](Encoder::encode): `(dx, dy)` from where it is now to where
    /// it was, such as a window the windowing system reports moved from
    /// `(x0, y0)` to `(x1, y1)`: `(x0 - x1, y0 - y1)`. The next `encode`
    /// tries them as copies, besides the vectors it finds itself; they are
    /// only hints, checked pixel by pixel.
    ///
    /// Several calls before one `encode` add up: a window dragged in steps
    /// moved by their sum since the viewer last saw it, so the sum is tried
    /// first, then the latest steps one by one (several windows that moved).
    pub fn hint_moves(&mut self, vectors: &[(i32, i32)]) {
        for &(dx, dy) in vectors {
            self.move_sum = (self.move_sum.0 + dx, self.move_sum.1 + dy);
            self.move_hints.push((dx, dy));
        }
        // Only the latest few matter.
        let excess = self.move_hints.len().saturating_sub(MAX_MOVE_HINTS);
        self.move_hints.drain(..excess);
    }

    /// Whether [`encode`](Encoder::encode) sends tiles that went as JPEG
    /// and have not changed since again, exactly (on by default). A driver
    /// turns it off while the screen keeps changing, so a slideshow or a
    /// video is not sent twice, once lossy and once exact.
    pub fn set_refine(&mut self, allowed: bool) {
        self.refine = allowed;
    }

    /// Whether the viewer has tiles that went as JPEG and have not been sent
    /// exactly since. The next [`encode`](Encoder::encode) sends those that
    /// did not change again, so a driver that encodes only on damage should
    /// also encode when this is true, even without damage.
    pub fn has_lossy_tiles(&self) -> bool {
        self.previous
            .as_ref()
            .is_some_and(|p| p.lossy.iter().any(|&l| l))
    }

    /// Encode what changed in `pixels` (`width * height * 4` bytes, RGBA)
    /// since the last call.
    ///
    /// `damage` lists regions known to have changed (from the windowing
    /// system), or is `None` to compare every tile. Only tiles inside damage
    /// are compared, and unchanged tiles are skipped even when damaged. The
    /// first call, a call after [`refresh`](Encoder::refresh) and a call with
    /// a new screen size send every tile. Returns an empty `Vec` when nothing
    /// changed.
    ///
    /// **The rectangles must be applied in the order returned**:
    /// [`Copy`](Encoding::Copy) rectangles come first, all with one vector,
    /// each reading the viewer's screen as the previous frame left it,
    /// ordered so that none reads what an earlier one wrote; their
    /// destinations never overlap. The pixel rectangles after them never
    /// overlap one another, but one may repaint part of a copy's
    /// destination (with the same pixels) when a tile changed both there
    /// and around it.
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
        // Every frame's `PaletteZ` rectangles are one new stream, squeezed
        // harder when the frame is small enough to afford it.
        let screen = u64::from(width) * u64::from(height);
        let damaged = match (&previous, damage) {
            (Some(_), Some(rects)) => rects.iter().map(|r| u64::from(r.area())).sum(),
            _ => screen,
        };
        self.zstream
            .begin_frame(crate::zstream::level_for(damaged, screen));
        self.z_ok = true;
        (self.copied, self.lossy_sent, self.motion_sent) = (0, 0, 0);
        let out = match previous {
            None => self.encode_all(grid, pixels),
            Some(prev) => self.encode_changes(grid, prev, pixels, damage),
        };
        self.move_hints.clear();
        self.move_sum = (0, 0);
        self.stats.tiles_sent = out.len() as u32;
        self.stats.bytes = out.iter().map(|r| r.data.len() as u64).sum();
        Ok(out)
    }

    /// Everything goes; the copy of the screen starts as this one. Every
    /// tile goes whole, through the same grouping as a frame's changed
    /// tiles (glyphs, rows of text or photograph, then tile by tile), so a
    /// first picture of text costs what a new page does.
    fn encode_all(&mut self, grid: Grid, pixels: &[u8]) -> Vec<EncodedRect> {
        self.last_vector = None;
        // The viewer's screen starts again: so does the region's stream.
        #[cfg(feature = "h264")]
        self.full_motion.forget();
        self.plan.clear();
        self.plan.resize(grid.len(), Plan::Send);
        let mut prev = Previous {
            grid,
            pixels: pixels.to_vec(),
            lossy: vec![false; grid.len()],
        };
        let boxes = (0..grid.len())
            .filter_map(|index| {
                let tile = scroll::tile_of(&grid, index)?;
                Some(Piece {
                    rect: tile,
                    quality: self.lossy_quality,
                    tiles: vec![index],
                    parts: vec![tile],
                    mergeable: false,
                    whole: true,
                })
            })
            .collect();
        let mut out = Vec::with_capacity(grid.len());
        self.encode_boxes(&grid, boxes, pixels, &mut prev, &mut out);
        self.previous = Some(prev);
        out
    }

    /// The passes of a frame after the first: find the changed tiles, find
    /// copies among them (against the previous screen as it still is),
    /// encode the rest (against the screen as copies of rows leave it), and
    /// only then bring the previous screen up to date.
    fn encode_changes(
        &mut self,
        grid: Grid,
        mut prev: Previous,
        pixels: &[u8],
        damage: Option<&[Rect]>,
    ) -> Vec<EncodedRect> {
        let width = grid.width;
        self.mask.clear();
        self.mask.resize(grid.len(), damage.is_none());
        if let Some(damage) = damage {
            grid.mark_damage(damage, &mut self.mask);
        }

        // Pass 1: what changed.
        self.changed.clear();
        self.plan.clear();
        self.plan.resize(grid.len(), Plan::Keep);
        for (index, (&marked, plan)) in self.mask.iter().zip(self.plan.iter_mut()).enumerate() {
            if let (true, Some(rect)) = (marked, scroll::tile_of(&grid, index)) {
                self.stats.tiles_compared += 1;
                if tiles::differs(width, rect, &prev.pixels, pixels) {
                    *plan = Plan::Send;
                    self.changed.push(index);
                }
            }
        }

        // The region in full motion goes as one H.264 picture, and its
        // tiles take no further part.
        #[cfg(feature = "h264")]
        let (motion_rect, region_changed) = self.full_motion_pass(&grid, &mut prev, pixels);

        // Pass 2: copies, read from the viewer's screen as the previous
        // frame left it.
        let mut out = Vec::new();
        if self.copy_detection && !self.changed.is_empty() {
            let lossy = &prev.lossy;
            let mut hints = Vec::with_capacity(MAX_MOVE_HINTS + 2);
            if !self.move_hints.is_empty() {
                hints.push(self.move_sum);
            }
            hints.extend(self.move_hints.iter().rev());
            hints.extend(self.last_vector);
            let copies = scroll::detect(&grid, &prev.pixels, pixels, &self.changed, &hints, |t| {
                !lossy.get(t).copied().unwrap_or(true)
            });
            match copies {
                Copies::None => {}
                Copies::Tiles { vector, tiles } => {
                    self.last_vector = Some(vector);
                    for &t in &tiles {
                        if let Some(plan) = self.plan.get_mut(t) {
                            *plan = Plan::Copied;
                        }
                    }
                    self.copied = tiles.len() as u32;
                    out = copy_rects(&grid, vector, &tiles);
                }
                Copies::Strips { vector, rects } => {
                    self.last_vector = Some(vector);
                    out = self.apply_strips(&grid, &mut prev, pixels, vector, &rects);
                }
            }
        }

        // After the copies, which never read from the region (its tiles are
        // lossy) nor write into it (its tiles left `changed`).
        #[cfg(feature = "h264")]
        out.extend(motion_rect);

        // Tiles the viewer has only approximately (JPEG) that neither changed
        // nor were wholly overwritten by a copy: sent again, exactly, when
        // the driver allows it now.
        for (plan, &lossy) in self.plan.iter_mut().zip(&prev.lossy) {
            if *plan == Plan::Keep && lossy && self.refine {
                *plan = Plan::Refine;
            }
        }

        // Pass 3: everything else, in tile order: each changed tile's box
        // around what changed, small neighbouring boxes together.
        let mut boxes: Vec<Piece> = Vec::new();
        for index in 0..grid.len() {
            let plan = self.plan.get(index).copied().unwrap_or(Plan::Keep);
            let quality = match plan {
                Plan::Keep | Plan::Copied | Plan::Moved | Plan::Motion => continue,
                Plan::Send => self.lossy_quality,
                Plan::Refine => None,
            };
            let Some(tile) = scroll::tile_of(&grid, index) else {
                continue;
            };
            // Only what changed goes, unless the viewer's tile is inexact
            // (JPEG): then all of it goes, so that it becomes exact again.
            let was_lossy = prev.lossy.get(index).copied().unwrap_or(false);
            let rect = if plan == Plan::Send && !was_lossy {
                bounds::changed_box(width, tile, &prev.pixels, pixels).unwrap_or(tile)
            } else {
                tile
            };
            let exact_send = plan == Plan::Send && !was_lossy;
            boxes.push(Piece {
                rect,
                quality,
                tiles: vec![index],
                parts: vec![rect],
                // An exact tile's box: it may go with its neighbours.
                mergeable: exact_send && rect != tile,
                whole: plan == Plan::Send && rect == tile,
            });
        }
        self.encode_boxes(&grid, boxes, pixels, &mut prev, &mut out);

        // What moved, for the next frame's region: tiles that changed and
        // went as JPEG, or in the region.
        #[cfg(feature = "h264")]
        {
            let (plan, lossy) = (&self.plan, &prev.lossy);
            let hot = |t: usize| {
                matches!(plan.get(t), Some(Plan::Send | Plan::Motion))
                    && lossy.get(t).copied().unwrap_or(false)
            };
            self.full_motion
                .observe(&grid, hot, region_changed, self.refine);
        }

        // Pass 4: the viewer now has this screen. When every tile was
        // compared, the tiles left alone equal the new screen already, so a
        // mostly changed screen is one copy instead of a copy per tile row.
        let sent = self
            .plan
            .iter()
            .filter(|p| !matches!(p, Plan::Keep | Plan::Moved))
            .count();
        let whole = self.mask.iter().all(|&m| m) && sent * 2 > grid.len();
        if whole {
            prev.pixels.copy_from_slice(pixels);
        }
        for (index, &plan) in self.plan.iter().enumerate() {
            if matches!(plan, Plan::Keep | Plan::Moved) {
                continue;
            }
            if let (false, Some(rect)) = (whole, scroll::tile_of(&grid, index)) {
                tiles::copy_rect(width, rect, pixels, &mut prev.pixels);
            }
            if plan == Plan::Copied {
                if let Some(l) = prev.lossy.get_mut(index) {
                    *l = false;
                }
            }
        }
        self.previous = Some(prev);
        out
    }

    /// Apply copies of moved rows (`rects`, in order, moved by `v`) to the
    /// viewer's screen as kept here, exactly as the decoder will, and return
    /// them as rectangles. Then the rest of the frame is diffed against the
    /// screen the viewer will have after them: a changed tile that the
    /// copies made right needs nothing more, and one they made partly right
    /// sends only the box around what is still wrong.
    ///
    /// Sources are exact (detection checked), so a tile that copies cover
    /// wholly becomes exact; one they cover in part keeps its lossy mark,
    /// since the rest of it is still the JPEG the viewer has.
    fn apply_strips(
        &mut self,
        grid: &Grid,
        prev: &mut Previous,
        pixels: &[u8],
        v: Vector,
        rects: &[Rect],
    ) -> Vec<EncodedRect> {
        let width = grid.width;
        self.covered.clear();
        self.covered.resize(grid.len(), 0);
        let mut out = Vec::with_capacity(rects.len());
        for &rect in rects {
            let Some(src) = scroll::source(grid, rect, v) else {
                continue;
            };
            tiles::move_rect(width, src, rect, &mut prev.pixels);
            strips::cover(grid, rect, &mut self.covered);
            out.push(copy_from(rect, src));
        }
        for (index, &covered) in self.covered.iter().enumerate() {
            if covered == 0 {
                continue;
            }
            self.copied += 1;
            let whole = scroll::tile_of(grid, index).is_some_and(|t| covered == t.area());
            if let (true, Some(l)) = (whole, prev.lossy.get_mut(index)) {
                *l = false;
            }
        }
        // A tile the copies cover wholly is right (every row they copy
        // equals the new screen); one they cover in part may still differ.
        for &index in &self.changed {
            let (Some(tile), Some(&covered)) =
                (scroll::tile_of(grid, index), self.covered.get(index))
            else {
                continue;
            };
            let lossy = prev.lossy.get(index).copied().unwrap_or(true);
            let right = covered == tile.area()
                || (covered > 0 && !lossy && !tiles::differs(width, tile, &prev.pixels, pixels));
            if let (true, Some(plan)) = (right, self.plan.get_mut(index)) {
                *plan = Plan::Moved;
            }
        }
        out
    }

    /// Forget the previous screen, so the next [`encode`](Encoder::encode)
    /// sends everything (a new viewer, a lost frame).
    pub fn refresh(&mut self) {
        self.previous = None;
        // The viewer may not have what was encoded since the last frame it
        // got: refer to nothing from before (cache.rs), and start the
        // region's stream again with a key picture (h264.rs).
        self.cache.clear();
        self.glyphs.clear();
        #[cfg(feature = "h264")]
        self.full_motion.forget();
    }

    /// The H.264 pass: when a region in full motion is known and something
    /// in it changed, encode it as one picture and mark its tiles
    /// [`Plan::Motion`] (lossy on the viewer's side, out of `changed`).
    /// Returns the rectangle and whether the region changed.
    #[cfg(feature = "h264")]
    fn full_motion_pass(
        &mut self,
        grid: &Grid,
        prev: &mut Previous,
        pixels: &[u8],
    ) -> (Option<EncodedRect>, bool) {
        let (Some((region, tiles)), Some(quality)) = (
            self.full_motion.region(grid, self.lossy_quality),
            self.lossy_quality,
        ) else {
            return (None, false);
        };
        let plan = &self.plan;
        if !tiles.iter().any(|&t| plan.get(t) == Some(&Plan::Send)) {
            return (None, false);
        }
        let Some(r) = self.full_motion.encode(grid.width, region, quality, pixels) else {
            return (None, true);
        };
        for &t in &tiles {
            if let Some(p) = self.plan.get_mut(t) {
                *p = Plan::Motion;
            }
            if let Some(l) = prev.lossy.get_mut(t) {
                *l = true;
            }
        }
        let plan = &self.plan;
        self.changed.retain(|&t| plan.get(t) != Some(&Plan::Motion));
        self.motion_sent = tiles.len() as u32;
        (Some(r), true)
    }

    /// Statistics of the last [`encode`](Encoder::encode).
    pub fn last_stats(&self) -> EncodeStats {
        self.stats
    }

    /// Tiles the last [`encode`](Encoder::encode) wrote into, wholly or in
    /// part, with [`Copy`](Encoding::Copy) rectangles (several may share
    /// one rectangle).
    pub fn last_copied(&self) -> u32 {
        self.copied
    }

    /// Tiles the last [`encode`](Encoder::encode) sent as
    /// [`Jpeg`](Encoding::Jpeg).
    pub fn last_lossy(&self) -> u32 {
        self.lossy_sent
    }

    /// Pass 3's boxes (each a changed tile's, in tile order) into `out`:
    /// as glyphs all together when that pays, else merged into rows of whole
    /// tiles (one palette or JPEG rectangle each when that pays) and
    /// neighbouring small boxes, each group in its cheapest encoding. Marks
    /// in `prev` which tiles the viewer now has only approximately.
    fn encode_boxes(
        &mut self,
        grid: &Grid,
        mut boxes: Vec<Piece>,
        pixels: &[u8],
        prev: &mut Previous,
        out: &mut Vec<EncodedRect>,
    ) {
        let width = grid.width;
        // Text on one background goes glyph by glyph when that pays.
        if let Some(r) = self.glyph_pass(grid, &boxes, pixels, prev) {
            out.push(r);
            boxes.clear();
        }
        for group in merge_boxes(boxes) {
            // A row of wholly changed tiles of text (a new page) goes as one
            // palette rectangle when it has few colours all along: one
            // header and one flush of the deflate stream instead of a dozen.
            let run = self
                .text_run(width, &group, pixels)
                .or_else(|| self.photo_run(width, &group, pixels));
            if let Some(r) = run {
                for &index in &group.tiles {
                    if let Some(l) = prev.lossy.get_mut(index) {
                        *l = r.encoding == Encoding::Jpeg;
                    }
                }
                out.push(r);
                continue;
            }
            let members = match group.is_run() {
                true => group.split(),
                false => vec![group],
            };
            for group in members {
                self.encode_group(width, group, pixels, prev, out);
            }
        }
    }

    /// Encode one group of boxes as one rectangle, and mark its tiles
    /// lossy or not.
    fn encode_group(
        &mut self,
        width: u16,
        group: Piece,
        pixels: &[u8],
        prev: &mut Previous,
        out: &mut Vec<EncodedRect>,
    ) {
        // A merged box reaches into tiles outside the group, which must not
        // turn lossy unmarked: it goes exactly.
        let quality = if group.tiles.len() > 1 {
            None
        } else {
            group.quality
        };
        let r = self.encode_rect(width, group.rect, pixels, quality);
        for &index in &group.tiles {
            if let Some(l) = prev.lossy.get_mut(index) {
                *l = r.encoding == Encoding::Jpeg;
            }
        }
        out.push(r);
    }

    /// The changed boxes of this frame as one [`Encoding::Glyphs`]
    /// rectangle around them all, when they are most of it, it is text on one
    /// background, most of its glyphs are ones the viewer holds (or come
    /// again within it), and it costs at most half a bit a pixel: a new page
    /// in a terminal. The viewer's tiles inside it become exact.
    fn glyph_pass(
        &mut self,
        grid: &Grid,
        boxes: &[Piece],
        pixels: &[u8],
        prev: &mut Previous,
    ) -> Option<EncodedRect> {
        let rect = Rect::bounding(boxes.iter().map(|b| b.rect))?;
        let changed: u32 = boxes.iter().map(|b| b.rect.area()).sum();
        if changed < rect.area() / 2 {
            return None;
        }
        // A few characters (a keystroke's): glyphs only when they are
        // smaller than the box's own lossless encoding, and never instead of
        // a box the viewer keeps (two bytes).
        let small = rect.area() < GLYPH_MIN_AREA;
        // The box's pixels (in `raw`) and key, when the viewer may keep it.
        let key = cache::keeps(Encoding::Glyphs, rect.area()).then(|| {
            self.raw.clear();
            tiles::gather(grid.width, rect, pixels, &mut self.raw);
            cache::content_key(rect.w, rect.h, &self.raw)
        });
        if small && key.and_then(|key| self.cached_short(key, rect)).is_some() {
            return None;
        }
        let inside =
            |index: usize| scroll::tile_of(grid, index).is_some_and(|t| rect.union(t) == rect);
        // The region in full motion keeps its own stream.
        let mut touched = vec![false; grid.len()];
        grid.mark_damage(&[rect], &mut touched);
        if self
            .plan
            .iter()
            .zip(&touched)
            .any(|(&p, &t)| t && p == Plan::Motion)
        {
            return None;
        }
        // A small box's background is read just outside it.
        let around = match small {
            true => glyphs::ring_around(rect, grid.width, grid.height),
            false => rect,
        };
        let bg = glyphs::background(grid.width, around, pixels);
        let encoded = glyphs::encode(grid.width, rect, pixels, bg, &self.glyphs)?;
        let pays = match small {
            // A new glyph is an investment: it costs more than the box's
            // share of a palette once and a key every time after.
            true => {
                encoded.data.len()
                    < self.lossless_len(grid.width, rect, pixels) + GLYPH_INVESTMENT * encoded.new
            }
            false => {
                encoded.known >= encoded.new
                    && encoded.data.len() as u64 <= u64::from(rect.area() / 16)
            }
        };
        if !pays {
            return None;
        }
        for (index, lossy) in prev.lossy.iter_mut().enumerate() {
            if inside(index) {
                *lossy = false;
            }
        }
        // No ink at all: the box is its background, which any viewer paints
        // without a cache.
        if encoded.known + encoded.new == 0 {
            return Some(EncodedRect {
                rect,
                encoding: Encoding::Solid,
                data: bg.to_vec(),
            });
        }
        encoded.changes.commit(&mut self.glyphs);
        if let Some(key) = key {
            self.cache.insert(key, rect.w, rect.h, &self.raw);
        }
        Some(EncodedRect {
            rect,
            encoding: Encoding::Glyphs,
            data: encoded.data,
        })
    }

    /// A run of whole tiles as one [`Encoding::Jpeg`] rectangle, when loss
    /// is allowed, every tile has more colours than a palette holds (text
    /// next to a photograph stays exact), LZ4 does poorly on the run and
    /// JPEG does better: one JPEG's headers and tables instead of one per
    /// tile, which on a photograph filling the screen are a fifth of the
    /// bytes.
    fn photo_run(&mut self, width: u16, group: &Piece, pixels: &[u8]) -> Option<EncodedRect> {
        let quality = group.quality.filter(|_| group.is_run())?;
        for &part in &group.parts {
            if self.palette.encode(width, part, pixels).is_some() {
                return None;
            }
        }
        self.raw.clear();
        tiles::gather(width, group.rect, pixels, &mut self.raw);
        let raw_len = self.raw.len();
        if !jpeg::opaque(&self.raw) {
            return None;
        }
        let lz4 = &mut self.palette.lz4;
        lz4.compress(&self.raw);
        let lossless = lz4.len().min(raw_len);
        if !jpeg::worth_trying(lossless, raw_len) {
            return None;
        }
        let data = jpeg::encode(group.rect, &self.raw, quality).filter(|j| j.len() < lossless)?;
        self.lossy_sent += group.tiles.len() as u32;
        Some(EncodedRect {
            rect: group.rect,
            encoding: Encoding::Jpeg,
            data,
        })
    }

    /// A run of whole tiles as one [`Encoding::PaletteZ`] rectangle, when it
    /// has at most 16 colours; `None` otherwise (nothing went into the
    /// frame's stream then).
    fn text_run(&mut self, width: u16, group: &Piece, pixels: &[u8]) -> Option<EncodedRect> {
        if !group.is_run() || !self.z_ok {
            return None;
        }
        // Bails out at the seventeenth colour: a row of photo costs little.
        self.palette.encode(width, group.rect, pixels)?;
        // A row of one colour (an empty part of a first picture) is solid:
        // its first pixel's colour, which the palette just found everywhere.
        if self.palette.colours() == 1 {
            let at = (usize::from(group.rect.y) * usize::from(width) + usize::from(group.rect.x))
                * BYTES_PER_PIXEL;
            return Some(EncodedRect {
                rect: group.rect,
                encoding: Encoding::Solid,
                data: pixels.get(at..at + BYTES_PER_PIXEL)?.to_vec(),
            });
        }
        match self.palette.last_as_z(&mut self.zstream) {
            Some(data) => Some(EncodedRect {
                rect: group.rect,
                encoding: Encoding::PaletteZ,
                data,
            }),
            None => {
                self.z_ok = false;
                None
            }
        }
    }

    /// Encode one rectangle: as [`Encoding::Cached`] when the viewer keeps
    /// exactly these pixels, else with [`Self::encode_tile`], keeping the
    /// pixels afterwards when the viewer will (see `cache.rs`).
    fn encode_rect(
        &mut self,
        width: u16,
        rect: Rect,
        screen: &[u8],
        lossy: Option<u8>,
    ) -> EncodedRect {
        if rect.area() > cache::MAX_CACHED_AREA {
            return self.encode_tile(width, rect, screen, lossy, false);
        }
        self.raw.clear();
        tiles::gather(width, rect, screen, &mut self.raw);
        let key = cache::content_key(rect.w, rect.h, &self.raw);
        if let Some(short) = self.cached_short(key, rect) {
            self.cache.take_up(key, rect.w, rect.h);
            return EncodedRect {
                rect,
                encoding: Encoding::Cached,
                data: short.to_le_bytes().to_vec(),
            };
        }
        let r = self.encode_tile(width, rect, screen, lossy, true);
        // `encode_tile` leaves the gathered pixels as they were.
        if cache::keeps(r.encoding, rect.area()) {
            self.cache.insert(key, rect.w, rect.h, &self.raw);
        }
        r
    }

    /// The short key that names `rect`'s pixels (gathered in `raw`, with
    /// content key `key`) at the viewer, if it keeps them: only when its
    /// lookup by short key finds this very entry.
    fn cached_short(&self, key: u64, rect: Rect) -> Option<u16> {
        let short = cache::short_key(key);
        (self.cache.holds(key, rect.w, rect.h, &self.raw)
            && self.cache.newest_with(short, Some((rect.w, rect.h))) == Some(key))
        .then_some(short)
    }

    /// Bytes of `rect`'s exact encoding as a palette, or else as LZ4 (its
    /// pixels gathered in `raw`): what glyphs must beat on a small box.
    fn lossless_len(&mut self, width: u16, rect: Rect, pixels: &[u8]) -> usize {
        if let Some(palette) = self.palette.encode(width, rect, pixels) {
            return palette.len();
        }
        let lz4 = &mut self.palette.lz4;
        lz4.compress(&self.raw);
        lz4.len().min(self.raw.len())
    }

    /// Encode one tile: in the smallest exact encoding, or as JPEG when
    /// `lossy` allows it, the tile looks photographic and JPEG is smaller.
    /// `gathered`: the caller already put its pixels in `raw`.
    fn encode_tile(
        &mut self,
        width: u16,
        rect: Rect,
        screen: &[u8],
        lossy: Option<u8>,
        gathered: bool,
    ) -> EncodedRect {
        let tile = |encoding, data| EncodedRect {
            rect,
            encoding,
            data,
        };
        if let Some(colour) = self.solid_colour(width, rect, screen) {
            return tile(Encoding::Solid, colour.to_vec());
        }
        if !gathered {
            self.raw.clear();
            tiles::gather(width, rect, screen, &mut self.raw);
        }
        let raw_len = self.raw.len();

        if let Some(palette) = self.palette.encode(width, rect, screen) {
            // With up to four colours (1 or 2 bits a pixel) LZ4 of the RGBA
            // pixels is never close, so it is not even tried: that keeps a
            // full screen of text fast.
            // Otherwise LZ4 is tried only if a quarter of it does not
            // already show that it loses: text tiles with a few more colours
            // cost a quarter of an LZ4 instead of a whole one.
            let many = self.palette.colours() > FEW_COLOURS;
            let lz4 = &mut self.palette.lz4;
            if many && lz4.at_least(&self.raw) < palette.len() {
                lz4.compress(&self.raw);
                if lz4.len() < palette.len().min(raw_len) {
                    return tile(Encoding::Lz4, lz4.bytes().to_vec());
                }
            }
            if palette.len() >= raw_len {
                return tile(Encoding::Raw, self.raw.clone());
            }
            // Text bigger than a few characters goes through the frame's
            // deflate stream (zstream.rs); small boxes stay plain palettes,
            // which the viewer keeps for `Cached`.
            if self.z_ok && rect.area() > cache::MAX_CACHED_AREA {
                match self.palette.last_as_z(&mut self.zstream) {
                    Some(z) => return tile(Encoding::PaletteZ, z),
                    None => self.z_ok = false,
                }
            }
            return tile(Encoding::Palette, palette);
        }

        // The size prefix lets the decoder check the length before it
        // allocates or decompresses anything.
        let lz4 = &mut self.palette.lz4;
        lz4.compress(&self.raw);
        let packed_len = lz4.len();
        if let Some(quality) = lossy {
            let lossless = packed_len.min(raw_len);
            if jpeg::worth_trying(lossless, raw_len) && jpeg::opaque(&self.raw) {
                if let Some(j) = jpeg::encode(rect, &self.raw, quality) {
                    if j.len() < lossless {
                        self.lossy_sent += 1;
                        return tile(Encoding::Jpeg, j);
                    }
                }
            }
        }
        // Strictly smaller, so an Lz4 rectangle is always within the raw
        // size and hence within `max_rect_bytes`.
        if packed_len < raw_len {
            tile(Encoding::Lz4, self.palette.lz4.bytes().to_vec())
        } else {
            tile(Encoding::Raw, self.raw.clone())
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

/// A box to encode, and the tiles whose changes it carries.
#[derive(Debug)]
struct Piece {
    rect: Rect,
    quality: Option<u8>,
    tiles: Vec<usize>,
    /// Each tile's own box, in the order of `tiles`.
    parts: Vec<Rect>,
    /// The box, smaller than its tile, of a changed tile the viewer has
    /// exactly: it may go together with its neighbours.
    mergeable: bool,
    /// A whole changed tile the viewer has exactly: it may join a run.
    whole: bool,
}

impl Piece {
    /// Whole tiles side by side in one row of tiles (whole tiles merge only
    /// with each other): sent as one palette rectangle if they have few
    /// colours together, else one by one.
    fn is_run(&self) -> bool {
        self.whole && self.tiles.len() > 1
    }

    /// Pixels of the members' own boxes (the group's box may hold more).
    fn members_area(&self) -> u32 {
        self.parts.iter().map(Rect::area).sum()
    }

    /// Take `other`'s tiles into this group.
    fn absorb(&mut self, other: Piece) {
        self.rect = self.rect.union(other.rect);
        self.tiles.extend(other.tiles);
        self.parts.extend(other.parts);
    }

    /// A run's tiles, one piece each.
    fn split(self) -> Vec<Piece> {
        let quality = self.quality;
        self.tiles
            .into_iter()
            .zip(self.parts)
            .map(|(index, rect)| Piece {
                rect,
                quality,
                tiles: vec![index],
                parts: vec![rect],
                mergeable: false,
                whole: true,
            })
            .collect()
    }
}

/// Area, in pixels, from which [`Encoder::glyph_pass`] takes glyphs on
/// its own terms (mostly known, at most half a bit a pixel): a line of a
/// few dozen characters. A smaller box is a few characters, and goes as
/// glyphs only when that beats its palette.
const GLYPH_MIN_AREA: u32 = 64 * 32;

/// Bytes more than a small box's palette that `glyph_pass` accepts for each
/// new glyph in it: about what a new glyph's pixels cost over the palette's
/// share of them, repaid the second time the glyph is typed.
const GLYPH_INVESTMENT: usize = 32;

// A box smaller than that is one the viewer keeps, so `glyph_pass` has its
// pixels gathered for the comparison.
const _: () = assert!(GLYPH_MIN_AREA <= cache::MAX_CACHED_AREA);

/// Widest run of whole tiles tried as one palette rectangle: a terminal's
/// width of text, in tiles of 64.
const MAX_RUN_WIDTH: u16 = 1024;

/// Largest side of boxes merged together: a tile's.
const MAX_MERGED_SIDE: u16 = 64;

/// Groups looked back at when merging a box: neighbours come close together
/// in tile order, except across a row of tiles.
const MERGE_LOOKBACK: usize = 8;

/// Put boxes together, each group keeping the place of its first member:
/// - whole tiles side by side in a row of tiles, up to [`MAX_RUN_WIDTH`],
///   as a run (see [`Piece::is_run`]);
/// - small boxes that nearly touch (a glyph and the cursor after it on both
///   sides of a tile's edge, a small moving square over four tiles), as the
///   box around them, when that box is at most [`MAX_MERGED_SIDE`] square
///   and at most twice as large as its members (a change over four tiles
///   comes two by two, in tile order): one header and one palette instead
///   of several, and a glyph that straddles two tiles is the same box as one
///   that does not.
fn merge_boxes(boxes: Vec<Piece>) -> Vec<Piece> {
    let mut out: Vec<Piece> = Vec::with_capacity(boxes.len());
    for b in boxes {
        if b.whole {
            if let Some(g) = out.last_mut().filter(|g| {
                g.whole
                    && (g.rect.y, g.rect.h) == (b.rect.y, b.rect.h)
                    && u32::from(g.rect.x) + u32::from(g.rect.w) == u32::from(b.rect.x)
                    && u32::from(g.rect.w) + u32::from(b.rect.w) <= u32::from(MAX_RUN_WIDTH)
            }) {
                g.absorb(b);
                continue;
            }
        }
        if b.mergeable {
            let target = out.iter_mut().rev().take(MERGE_LOOKBACK).find(|g| {
                let u = g.rect.union(b.rect);
                g.mergeable
                    && u.w <= MAX_MERGED_SIDE
                    && u.h <= MAX_MERGED_SIDE
                    && u.area() <= (g.members_area() + b.members_area()) * 2
            });
            if let Some(g) = target {
                g.absorb(b);
                continue;
            }
        }
        out.push(b);
    }
    out
}

/// Most move hints kept for one frame (each costs a check of the changed
/// tiles).
const MAX_MOVE_HINTS: usize = 4;

/// Up to this many colours a palette tile is not compared with LZ4.
const FEW_COLOURS: usize = 4;

/// The copy rectangles for `tiles` (already in a safe order) moved by `v`.
/// Neighbouring tiles across the move are merged into one rectangle (a row
/// of tiles for a vertical move, a column for a horizontal one), which saves
/// a header each and cannot break the order: merged tiles project equally
/// on the vector and none reads the other's destination.
fn copy_rects(grid: &Grid, v: Vector, tiles: &[usize]) -> Vec<EncodedRect> {
    let cols = usize::from(grid.cols);
    let mut rects: Vec<(usize, Rect)> = Vec::new();
    for &t in tiles {
        let Some(r) = scroll::tile_of(grid, t) else {
            continue;
        };
        if let Some((last, run)) = rects.last_mut() {
            let beside = v.0 == 0 && t == *last + 1 && t % cols != 0 && run.y == r.y;
            let below = v.1 == 0 && t == *last + cols && run.x == r.x && run.w == r.w;
            if beside {
                run.w += r.w;
                *last = t;
                continue;
            }
            if below {
                run.h += r.h;
                *last = t;
                continue;
            }
        }
        rects.push((t, r));
    }
    rects
        .into_iter()
        .filter_map(|(_, rect)| Some(copy_from(rect, scroll::source(grid, rect, v)?)))
        .collect()
}

/// A [`Copy`](Encoding::Copy) of `src` to `rect`.
fn copy_from(rect: Rect, src: Rect) -> EncodedRect {
    let mut data = Vec::with_capacity(4);
    data.extend_from_slice(&src.x.to_le_bytes());
    data.extend_from_slice(&src.y.to_le_bytes());
    EncodedRect {
        rect,
        encoding: Encoding::Copy,
        data,
    }
}
