//! The picture: tiles the frame source marked as changed go out as one
//! frame, as far as the session's send buffer takes them; the rest waits
//! for the next call.

use beckon_core::session::SendError;
use beckon_dongle_kit::tiles::{encode_tile, Grid, MAX_TILE_BYTES};

use super::Visit;
use crate::hw::FrameSource;
use crate::log;

impl Visit {
    /// Send as much of the current frame as the send buffer takes; start a
    /// new frame when the last one is through and something changed.
    pub(super) fn pump_video<F: FrameSource>(
        &mut self,
        video: &mut F,
        tile: &mut [u8; MAX_TILE_BYTES],
    ) {
        video.with_frame(|frame| {
            let grid = Grid {
                width: frame.width,
                height: frame.height,
            };
            if self.full_screen_due {
                self.damage.all(grid);
                self.full_screen_due = false;
            }
            if self.frame.is_none() {
                if self.damage.is_empty() || !self.s.can_send_frame() {
                    return;
                }
                let tiles = self.damage.count();
                // At most MAX_TILES tiles, well inside u16.
                match self.s.begin_frame(frame.width, frame.height, tiles as u16) {
                    Ok(n) => {
                        self.frame = Some((n, core::mem::take(&mut self.damage)));
                    }
                    Err(_) => return,
                }
            }
            let Some((n, todo)) = self.frame.as_mut() else {
                return;
            };
            let indices: heapless::Vec<usize, 64> = todo.iter().take(64).collect();
            for i in indices {
                let r = grid.rect(i);
                let Ok((enc, len)) = encode_tile(frame, r, tile) else {
                    log::error!("tile {} does not encode", i);
                    // Keep the promised count: send it black.
                    continue;
                };
                match self
                    .s
                    .send_rect(*n, (r.x, r.y, r.w, r.h), enc, len as u32, 0, &tile[..len])
                {
                    Ok(()) => todo.unmark(i),
                    Err(SendError::WouldBlock) => return,
                    Err(_) => {
                        self.frame = None;
                        return;
                    }
                }
            }
            if todo.is_empty() {
                let n = *n;
                if self.s.end_frame(n).is_ok() {
                    self.frame = None;
                }
            }
        });
    }
}
