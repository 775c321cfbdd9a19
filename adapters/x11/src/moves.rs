//! Windows the server says moved: hints for copy detection.
//!
//! Dragging a window diagonally leaves no row or column of the screen equal
//! to one before, so the encoder's own vote cannot find the move; the server
//! knows it, though. With `SubstructureNotify` on the root window, every
//! top-level window's new geometry arrives as a `ConfigureNotify`; a window
//! that kept its size and changed its position since the last take moved by
//! the difference. A window is known from its `CreateNotify`, or, for the
//! windows there before we started, from the tree read once at start.

use std::collections::HashMap;

use x11rb::protocol::xproto::{ConfigureNotifyEvent, Window};

/// Where each top-level window is, now and at the last take.
#[derive(Debug, Default)]
pub(crate) struct MoveTracker {
    /// Position and size, as the last `ConfigureNotify` said.
    now: HashMap<Window, (i16, i16, u16, u16)>,
    /// Position and size at the last [`MoveTracker::take`].
    taken: HashMap<Window, (i16, i16, u16, u16)>,
}

/// Most windows followed: far more than a desktop shows, and a bound on
/// what a client creating windows without end can make us hold.
pub(crate) const MAX_WINDOWS: usize = 4096;

impl MoveTracker {
    /// A top-level window's geometry changed.
    pub(crate) fn on_configure(&mut self, e: &ConfigureNotifyEvent) {
        self.place(e.window, e.x, e.y, e.width, e.height);
    }

    /// A top-level window is where it is: created there, configured there,
    /// or found there at start. Known from now on, so its next move (after
    /// the next take) is a vector.
    pub(crate) fn place(&mut self, window: Window, x: i16, y: i16, w: u16, h: u16) {
        if self.now.len() >= MAX_WINDOWS && !self.now.contains_key(&window) {
            return;
        }
        self.now.insert(window, (x, y, w, h));
    }

    /// A window is gone.
    pub(crate) fn forget(&mut self, window: Window) {
        self.now.remove(&window);
        self.taken.remove(&window);
    }

    /// The moves since the last take, as copy vectors: from where a window
    /// is now to where it was.
    pub(crate) fn take(&mut self) -> Vec<(i32, i32)> {
        let mut moves = Vec::new();
        for (window, &(x, y, w, h)) in &self.now {
            if let Some(&(x0, y0, w0, h0)) = self.taken.get(window) {
                if (w0, h0) == (w, h) && (x0, y0) != (x, y) {
                    moves.push((i32::from(x0) - i32::from(x), i32::from(y0) - i32::from(y)));
                }
            }
        }
        self.taken.clone_from(&self.now);
        moves.sort_unstable();
        moves.dedup();
        moves
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn configure(window: Window, x: i16, y: i16, w: u16, h: u16) -> ConfigureNotifyEvent {
        ConfigureNotifyEvent {
            window,
            x,
            y,
            width: w,
            height: h,
            ..Default::default()
        }
    }

    #[test]
    fn a_move_since_the_last_take_is_a_vector() {
        let mut t = MoveTracker::default();
        t.on_configure(&configure(7, 100, 80, 200, 150));
        assert_eq!(t.take(), [], "nothing known before");
        t.on_configure(&configure(7, 120, 90, 200, 150));
        t.on_configure(&configure(7, 137, 101, 200, 150));
        assert_eq!(t.take(), [(100 - 137, 80 - 101)]);
        assert_eq!(t.take(), [], "taken");
        // A resize is not a move.
        t.on_configure(&configure(7, 10, 10, 300, 150));
        assert_eq!(t.take(), []);
        t.forget(7);
        t.on_configure(&configure(7, 0, 0, 300, 150));
        assert_eq!(t.take(), []);
    }

    #[test]
    fn a_placed_window_moves_on_its_first_configure() {
        let mut t = MoveTracker::default();
        t.place(9, 5, 6, 40, 30);
        assert_eq!(t.take(), []);
        t.on_configure(&configure(9, 15, 26, 40, 30));
        assert_eq!(t.take(), [(-10, -20)]);
    }

    #[test]
    fn the_number_of_windows_followed_is_bounded() {
        let mut t = MoveTracker::default();
        for w in 0..MAX_WINDOWS as u32 + 10 {
            t.place(w, 0, 0, 1, 1);
        }
        assert_eq!(t.now.len(), MAX_WINDOWS);
        // One already known still moves.
        t.take();
        t.place(3, 1, 0, 1, 1);
        assert_eq!(t.take(), [(-1, 0)]);
    }
}
