//! The encoder's H.264 path: whether it may be used, the region in motion
//! (`motion.rs`), that region's encoder (`h264.rs`), and when the next
//! picture must be a key picture.
//!
//! The path is used only when the caller allowed it
//! ([`crate::Encoder::set_h264`], because only the caller knows whether the
//! viewer decodes H.264) and lossy pictures are allowed at all; it carries a
//! region only once the region has been found by measuring (see
//! `motion.rs`). Everything else stays as the tile encoder sends it.

use crate::h264::{qp_for, RegionEncoder};
use crate::motion::{self, Motion};
use crate::rect::Rect;
use crate::scroll;
use crate::tiles::Grid;
use crate::{EncodedRect, Encoding};

/// The H.264 path's state in one [`crate::Encoder`].
#[derive(Debug, Default)]
pub(crate) struct FullMotion {
    allowed: bool,
    motion: Motion,
    encoder: Option<RegionEncoder>,
}

impl Clone for FullMotion {
    /// Allowed as before, with nothing found yet: a clone's first picture
    /// of a region is a key picture (OpenH264's state cannot be copied).
    fn clone(&self) -> Self {
        Self {
            allowed: self.allowed,
            ..Self::default()
        }
    }
}

impl FullMotion {
    /// Allow or forbid the path; forbidding forgets the region.
    pub(crate) fn set_allowed(&mut self, allowed: bool) {
        self.allowed = allowed;
        if !allowed {
            self.motion.reset();
            self.encoder = None;
        }
    }

    /// Whether the path may be used.
    pub(crate) fn allowed(&self) -> bool {
        self.allowed
    }

    /// The viewer may be out of step (a frame encoded and never sent, a new
    /// viewer): the region's next picture is a key picture.
    pub(crate) fn forget(&mut self) {
        if let Some(e) = self.encoder.as_mut() {
            e.force_idr();
        }
    }

    /// The region to send as H.264 in this frame, with the tiles it covers,
    /// or `None`: not allowed, lossless only, or no region found.
    pub(crate) fn region(&self, grid: &Grid, lossy: Option<u8>) -> Option<(Rect, Vec<usize>)> {
        if !self.allowed || lossy.is_none() {
            return None;
        }
        let region = self.motion.region()?;
        let tiles = (0..grid.len())
            .filter(|&i| scroll::tile_of(grid, i).is_some_and(|t| motion::contains(region, t)))
            .collect();
        Some((region, tiles))
    }

    /// Encode `region` of `pixels` at the JPEG-like `quality`, with the
    /// region's encoder (made anew, so starting with a key picture, when the
    /// region or the quality changed). `None` if OpenH264 failed: the tiles
    /// then go as usual.
    pub(crate) fn encode(
        &mut self,
        width: u16,
        region: Rect,
        quality: u8,
        pixels: &[u8],
    ) -> Option<EncodedRect> {
        let qp = qp_for(quality);
        if !self
            .encoder
            .as_ref()
            .is_some_and(|e| e.rect() == region && e.qp() == qp)
        {
            self.encoder = RegionEncoder::new(region, qp);
        }
        let Some(data) = self.encoder.as_mut()?.encode(width, pixels) else {
            // Whatever OpenH264 holds now may not be what the viewer has.
            self.encoder = None;
            return None;
        };
        Some(EncodedRect {
            rect: region,
            encoding: Encoding::H264,
            data,
        })
    }

    /// Count one frame for the detector (see [`Motion::observe`]); drops the
    /// region's encoder with the region.
    pub(crate) fn observe(
        &mut self,
        grid: &Grid,
        hot: impl Fn(usize) -> bool,
        region_changed: bool,
        rested: bool,
    ) {
        if !self.allowed {
            return;
        }
        self.motion.observe(grid, hot, region_changed, rested);
        if self.motion.region() != self.encoder.as_ref().map(RegionEncoder::rect) {
            self.encoder = None;
        }
    }
}
