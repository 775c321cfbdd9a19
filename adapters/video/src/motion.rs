//! Finding a region in full motion (a video, an animation, a photo being
//! panned), for the H.264 path (`h264.rs`).
//!
//! Nothing here is a fixed rule about windows or sizes on screen: a tile is
//! *hot* in a frame when it changed and the encoder's own content measure
//! sent it as JPEG (photographic: many colours, LZ4 does poorly), or when it
//! changed inside the region already found. A tile hot in each of the last
//! [`MIN_STREAK`] frames is moving; the box around the moving tiles is the
//! region when it is large enough ([`MIN_TILES`]) and mostly moving itself
//! (half its tiles), so two small animations far apart do not make one huge
//! region of mostly still pixels. The region stays while it changes; it is
//! dropped after [`MAX_IDLE`] frames without a change in it, or as soon as
//! the screen has rested long enough for JPEG tiles to be sent exactly.

use crate::rect::Rect;
use crate::scroll;
use crate::tiles::Grid;

/// Frames in a row a tile must have been hot to count as moving: three
/// frames is a tenth of a second at 30 frames a second, and a single
/// photograph shown once (a slide) never gets there.
pub(crate) const MIN_STREAK: u8 = 3;

/// Fewest tiles in a region: below a few tiles, JPEG per tile costs little
/// more than H.264, and a region's key picture costs more than it saves.
pub(crate) const MIN_TILES: usize = 4;

/// Frames with changes elsewhere but none in the region before it is
/// dropped (a paused video).
pub(crate) const MAX_IDLE: u8 = 15;

/// The detector's state between frames.
#[derive(Debug, Clone, Default)]
pub(crate) struct Motion {
    /// The grid the streaks were counted on.
    grid: Option<Grid>,
    /// Per tile: frames in a row it was hot (saturating).
    streak: Vec<u8>,
    /// The region, in pixels, made of whole tiles.
    region: Option<Rect>,
    /// Frames since the region last changed.
    idle: u8,
}

impl Motion {
    /// The region found so far, if any.
    pub(crate) fn region(&self) -> Option<Rect> {
        self.region
    }

    /// Forget everything (a new screen size, H.264 turned off).
    pub(crate) fn reset(&mut self) {
        *self = Self::default();
    }

    /// Take one frame: `hot(tile)` says whether the tile was hot, `changed`
    /// whether anything in the region changed. `rested`: the screen has been
    /// still long enough for exact re-sends, so the motion is over.
    pub(crate) fn observe(
        &mut self,
        grid: &Grid,
        hot: impl Fn(usize) -> bool,
        region_changed: bool,
        rested: bool,
    ) {
        if self.grid != Some(*grid) {
            self.reset();
            self.grid = Some(*grid);
            self.streak = vec![0; grid.len()];
        }
        for (index, streak) in self.streak.iter_mut().enumerate() {
            *streak = match hot(index) {
                true => streak.saturating_add(1),
                false => 0,
            };
        }
        if self.region.is_some() {
            self.idle = match region_changed {
                true => 0,
                false => self.idle.saturating_add(1),
            };
            if self.idle > MAX_IDLE || (rested && !region_changed) {
                self.region = None;
            }
        }
        let Some(found) = self.moving_box(grid) else {
            return;
        };
        // A region that already holds the motion stays, so its encoder (and
        // the viewer's decoder) keep going without a new key picture.
        if !self.region.is_some_and(|r| contains(r, found)) {
            self.region = Some(found);
            self.idle = 0;
        }
    }

    /// The box around the moving tiles, when it qualifies as a region.
    fn moving_box(&self, grid: &Grid) -> Option<Rect> {
        let mut moving = 0usize;
        let mut bbox: Option<Rect> = None;
        for (index, &streak) in self.streak.iter().enumerate() {
            if streak < MIN_STREAK {
                continue;
            }
            let tile = scroll::tile_of(grid, index)?;
            moving += 1;
            bbox = Some(bbox.map_or(tile, |b| b.union(tile)));
        }
        let bbox = bbox?;
        if moving < MIN_TILES {
            return None;
        }
        let tiles = (0..grid.len())
            .filter_map(|index| scroll::tile_of(grid, index))
            .filter(|&tile| contains(bbox, tile))
            .count();
        (moving * 2 >= tiles).then_some(bbox)
    }
}

/// Whether `outer` holds all of `inner`.
pub(crate) fn contains(outer: Rect, inner: Rect) -> bool {
    outer.union(inner) == outer
}
