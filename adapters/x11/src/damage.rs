//! What changed on screen, from XDamage.
//!
//! The damage object on the root window reports at the `NonEmpty` level: one
//! event when the damaged region stops being empty, then nothing until it is
//! emptied again. Taking the damage moves the whole region into an XFixes
//! region with `DamageSubtract` (atomically on the server, so nothing drawn in
//! between is lost) and fetches its rectangles.

use beckon_video::Rect;
use x11rb::connection::Connection;
use x11rb::protocol::damage::{self, ConnectionExt as _};
use x11rb::protocol::xfixes::{self, ConnectionExt as _};
use x11rb::protocol::xproto::{Rectangle, Window};
use x11rb::rust_connection::RustConnection;
use x11rb::NONE;

use crate::error::X11Error;

/// The root window's damage.
#[derive(Debug)]
pub(crate) struct DamageTracker {
    damage: damage::Damage,
    /// Receives the damaged region on each take.
    parts: xfixes::Region,
    /// A `DamageNotify` arrived since the last take.
    pending: bool,
}

impl DamageTracker {
    /// Start tracking damage on `root`. Needs DAMAGE 1.1 and XFIXES 2.0.
    pub(crate) fn new(conn: &RustConnection, root: Window) -> Result<DamageTracker, X11Error> {
        conn.damage_query_version(1, 1)?.reply()?;
        let damage = conn.generate_id()?;
        conn.damage_create(damage, root, damage::ReportLevel::NON_EMPTY)?
            .check()?;
        let parts = conn.generate_id()?;
        conn.xfixes_create_region(parts, &[])?.check()?;
        Ok(DamageTracker {
            damage,
            parts,
            // Whatever happened before we started is unknown to the caller
            // anyway; start clean.
            pending: false,
        })
    }

    /// The event stream said the region is no longer empty.
    pub(crate) fn notify(&mut self, event: &damage::NotifyEvent) {
        if event.damage == self.damage {
            self.pending = true;
        }
    }

    /// The damaged rectangles since the last take, clipped to the screen,
    /// and an empty region on the server.
    pub(crate) fn take(
        &mut self,
        conn: &RustConnection,
        width: u16,
        height: u16,
    ) -> Result<Vec<Rect>, X11Error> {
        if !std::mem::take(&mut self.pending) {
            return Ok(Vec::new());
        }
        conn.damage_subtract(self.damage, NONE, self.parts)?;
        let region = conn.xfixes_fetch_region(self.parts)?.reply()?;
        Ok(region
            .rectangles
            .iter()
            .filter_map(|r| clip(r, width, height))
            .collect())
    }

    /// Free the server-side objects.
    pub(crate) fn close(&self, conn: &RustConnection) {
        let _ = conn.damage_destroy(self.damage);
        let _ = conn.xfixes_destroy_region(self.parts);
    }
}

/// The part of an X rectangle (signed position) on a `width`×`height` screen.
fn clip(r: &Rectangle, width: u16, height: u16) -> Option<Rect> {
    let x0 = i32::from(r.x).max(0);
    let y0 = i32::from(r.y).max(0);
    let x1 = (i32::from(r.x) + i32::from(r.width)).min(i32::from(width));
    let y1 = (i32::from(r.y) + i32::from(r.height)).min(i32::from(height));
    if x0 >= x1 || y0 >= y1 {
        return None;
    }
    Some(Rect::new(
        u16::try_from(x0).ok()?,
        u16::try_from(y0).ok()?,
        u16::try_from(x1 - x0).ok()?,
        u16::try_from(y1 - y0).ok()?,
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rect(x: i16, y: i16, width: u16, height: u16) -> Rectangle {
        Rectangle {
            x,
            y,
            width,
            height,
        }
    }

    #[test]
    fn clipping() {
        assert_eq!(
            clip(&rect(-5, -5, 10, 10), 100, 100),
            Some(Rect::new(0, 0, 5, 5))
        );
        assert_eq!(
            clip(&rect(90, 95, 20, 20), 100, 100),
            Some(Rect::new(90, 95, 10, 5))
        );
        assert_eq!(clip(&rect(100, 0, 5, 5), 100, 100), None);
        assert_eq!(clip(&rect(-10, 0, 5, 5), 100, 100), None);
        assert_eq!(clip(&rect(3, 4, 0, 5), 100, 100), None);
    }
}
