//! MIT-SHM capture through a memfd, without `unsafe`.
//!
//! The segment is an anonymous memory file handed to the server with
//! `ShmAttachFd` (MIT-SHM 1.2). The server writes the screen into it with
//! `ShmGetImage`; we read it back with `pread`, one system call copying from
//! shared pages, instead of mapping it (which would need `unsafe`). That is
//! one memory copy more than a mapping, a fraction of a millisecond for a full
//! HD screen, and far cheaper than `GetImage` pushing the screen through the
//! socket.

use std::fs::File;
use std::os::unix::fs::FileExt;

use rustix::fs::{memfd_create, MemfdFlags};
use x11rb::connection::Connection;
use x11rb::protocol::shm::{self, ConnectionExt as _};
use x11rb::protocol::xproto::{ImageFormat, Window};
use x11rb::rust_connection::RustConnection;

use crate::capture::Area;
use crate::error::X11Error;

/// A shared memory segment the server can write screen images into.
#[derive(Debug)]
pub(crate) struct ShmSegment {
    seg: shm::Seg,
    file: File,
    len: usize,
}

impl ShmSegment {
    /// Make a `len`-byte segment and attach it on the server. Fails when the
    /// server lacks MIT-SHM 1.2 or cannot receive file descriptors (a remote
    /// display over TCP).
    pub(crate) fn attach(conn: &RustConnection, len: usize) -> Result<ShmSegment, X11Error> {
        let fd = memfd_create("beckon-x11-capture", MemfdFlags::CLOEXEC)
            .map_err(std::io::Error::from)?;
        let file = File::from(fd);
        file.set_len(len as u64)?;
        let for_server = file.try_clone()?;
        let seg = conn.generate_id()?;
        conn.shm_attach_fd(seg, std::os::fd::OwnedFd::from(for_server), true)?
            .check()?;
        Ok(ShmSegment { seg, file, len })
    }

    /// Size of the segment in bytes.
    pub(crate) fn len(&self) -> usize {
        self.len
    }

    /// Have the server write a `ZPixmap` image of `area` of `root` into the
    /// segment, then copy its first `out.len()` bytes out.
    pub(crate) fn get_image(
        &self,
        conn: &RustConnection,
        root: Window,
        area: Area,
        out: &mut [u8],
    ) -> Result<(), X11Error> {
        let reply = conn
            .shm_get_image(
                root,
                area.x,
                area.y,
                area.w,
                area.h,
                u32::MAX,
                ImageFormat::Z_PIXMAP.into(),
                self.seg,
                0,
            )?
            .reply()?;
        let size = usize::try_from(reply.size).unwrap_or(usize::MAX);
        if size < out.len() || out.len() > self.len {
            return Err(X11Error::ShortImage {
                got: size,
                want: out.len(),
            });
        }
        self.file.read_exact_at(out, 0)?;
        Ok(())
    }

    /// Detach the segment from the server (the memfd closes on drop).
    pub(crate) fn detach(&self, conn: &RustConnection) {
        if let Err(e) = conn.shm_detach(self.seg) {
            tracing::debug!("MIT-SHM detach failed: {e}");
        }
    }
}
