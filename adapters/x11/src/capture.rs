//! Screen capture, of the whole screen or of the parts that changed:
//! MIT-SHM when the server offers it, `GetImage` otherwise, converted to
//! RGBA into one picture that always holds the whole screen.

use x11rb::protocol::xproto::{ConnectionExt as _, ImageFormat, Window};
use x11rb::rust_connection::RustConnection;

use crate::error::X11Error;
use crate::format::PixelFormat;
use crate::shm::ShmSegment;

/// A part of the screen, in the X protocol's types.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Area {
    pub x: i16,
    pub y: i16,
    pub w: u16,
    pub h: u16,
}

impl Area {
    /// The area in pixels of a screen of `width`×`height` (as they come from
    /// damage reports, which may overhang during a resize).
    pub(crate) fn of(x: u16, y: u16, w: u16, h: u16) -> Area {
        Area {
            x: i16::try_from(x).unwrap_or(i16::MAX),
            y: i16::try_from(y).unwrap_or(i16::MAX),
            w,
            h,
        }
    }

    /// The part inside a `width`×`height` screen; `None` when empty.
    fn clip(self, width: u16, height: u16) -> Option<Area> {
        let (x, y) = (i32::from(self.x).max(0), i32::from(self.y).max(0));
        let x1 = (i32::from(self.x) + i32::from(self.w)).min(i32::from(width));
        let y1 = (i32::from(self.y) + i32::from(self.h)).min(i32::from(height));
        if x >= x1 || y >= y1 {
            return None;
        }
        Some(Area {
            x: i16::try_from(x).ok()?,
            y: i16::try_from(y).ok()?,
            w: u16::try_from(x1 - x).ok()?,
            h: u16::try_from(y1 - y).ok()?,
        })
    }
}

/// Captures the root window into an RGBA buffer.
#[derive(Debug)]
pub(crate) struct Capturer {
    root: Window,
    width: u16,
    height: u16,
    format: PixelFormat,
    /// `None` when MIT-SHM is missing or failed: `GetImage` is used instead.
    shm: Option<ShmSegment>,
    /// The server's image, for the MIT-SHM path.
    raw: Vec<u8>,
    /// The last good frame, RGBA.
    rgba: Vec<u8>,
}

impl Capturer {
    /// A capturer for `root`; tries MIT-SHM when `try_shm`.
    pub(crate) fn new(
        conn: &RustConnection,
        root: Window,
        width: u16,
        height: u16,
        format: PixelFormat,
        try_shm: bool,
    ) -> Capturer {
        let len = format.image_len(width, height);
        let shm = if try_shm {
            match ShmSegment::attach(conn, len) {
                Ok(seg) => Some(seg),
                Err(e) => {
                    tracing::info!("MIT-SHM capture unavailable, using GetImage: {e}");
                    None
                }
            }
        } else {
            None
        };
        let mut rgba = vec![0; usize::from(width) * usize::from(height) * 4];
        // Until the first capture the picture is black, but opaque.
        rgba.iter_mut().skip(3).step_by(4).for_each(|a| *a = 0xFF);
        Capturer {
            root,
            width,
            height,
            format,
            shm,
            raw: Vec::new(),
            rgba,
        }
    }

    /// Whether captures go through MIT-SHM.
    pub(crate) fn uses_shm(&self) -> bool {
        self.shm.is_some()
    }

    /// The last good frame.
    pub(crate) fn last(&self) -> &[u8] {
        &self.rgba
    }

    /// Grab the screen; on error the last good frame stays as it was.
    pub(crate) fn capture(&mut self, conn: &RustConnection) -> Result<&[u8], X11Error> {
        let whole = Area {
            x: 0,
            y: 0,
            w: self.width,
            h: self.height,
        };
        self.capture_area(conn, whole)?;
        Ok(&self.rgba)
    }

    /// Grab `area` of the screen into the last frame; the rest stays as it
    /// was. On error nothing changes.
    pub(crate) fn capture_area(
        &mut self,
        conn: &RustConnection,
        area: Area,
    ) -> Result<(), X11Error> {
        let Some(area) = area.clip(self.width, self.height) else {
            return Ok(());
        };
        let out_stride = usize::from(self.width) * 4;
        let at = (usize::from(area.y.unsigned_abs()) * usize::from(self.width)
            + usize::from(area.x.unsigned_abs()))
            * 4;
        if let Some(seg) = &self.shm {
            let len = self.format.image_len(area.w, area.h).min(seg.len());
            self.raw.resize(len, 0);
            match seg.get_image(conn, self.root, area, &mut self.raw) {
                Ok(()) => {
                    let out = self.rgba.get_mut(at..).unwrap_or(&mut []);
                    return self
                        .format
                        .convert_into(&self.raw, area.w, area.h, out, out_stride);
                }
                Err(e) => {
                    tracing::warn!("MIT-SHM capture failed, falling back to GetImage: {e}");
                    seg.detach(conn);
                    self.shm = None;
                    self.raw = Vec::new();
                }
            }
        }
        let reply = conn
            .get_image(
                ImageFormat::Z_PIXMAP,
                self.root,
                area.x,
                area.y,
                area.w,
                area.h,
                u32::MAX,
            )?
            .reply()?;
        let out = self.rgba.get_mut(at..).unwrap_or(&mut []);
        self.format
            .convert_into(&reply.data, area.w, area.h, out, out_stride)
    }

    /// Give the segment back to the server.
    pub(crate) fn close(&mut self, conn: &RustConnection) {
        if let Some(seg) = self.shm.take() {
            seg.detach(conn);
        }
    }
}
