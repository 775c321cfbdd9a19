//! Whole-screen capture: MIT-SHM when the server offers it, `GetImage`
//! otherwise, converted to RGBA.

use x11rb::protocol::xproto::{ConnectionExt as _, ImageFormat, Window};
use x11rb::rust_connection::RustConnection;

use crate::error::X11Error;
use crate::format::PixelFormat;
use crate::shm::ShmSegment;

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
        let (w, h) = (self.width, self.height);
        if let Some(seg) = &self.shm {
            let len = self.format.image_len(w, h).min(seg.len());
            self.raw.resize(len, 0);
            match seg.get_image(conn, self.root, w, h, &mut self.raw) {
                Ok(()) => {
                    self.format
                        .convert_to_rgba(&self.raw, w, h, &mut self.rgba)?;
                    return Ok(&self.rgba);
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
            .get_image(ImageFormat::Z_PIXMAP, self.root, 0, 0, w, h, u32::MAX)?
            .reply()?;
        self.format
            .convert_to_rgba(&reply.data, w, h, &mut self.rgba)?;
        Ok(&self.rgba)
    }

    /// Give the segment back to the server.
    pub(crate) fn close(&mut self, conn: &RustConnection) {
        if let Some(seg) = self.shm.take() {
            seg.detach(conn);
        }
    }
}
