//! The adapter's error type.

use x11rb::errors::{ConnectError, ConnectionError, ReplyError, ReplyOrIdError};

/// Anything that can go wrong talking to the X server.
#[derive(Debug, thiserror::Error)]
pub enum X11Error {
    /// Could not connect to the display (not running, no `$DISPLAY`, refused).
    #[error("cannot connect to the X display: {0}")]
    Connect(#[from] ConnectError),
    /// The connection broke or a request could not be sent.
    #[error("X connection failed: {0}")]
    Connection(#[from] ConnectionError),
    /// The server answered a request with an error, or the connection broke
    /// while waiting for the answer.
    #[error("X request failed: {0}")]
    Reply(#[from] ReplyError),
    /// Like [`X11Error::Reply`], for requests that first allocate an id.
    #[error("X request failed: {0}")]
    ReplyOrId(#[from] ReplyOrIdError),
    /// The connection setup names no screen to work on.
    #[error("the X display has no usable screen")]
    NoScreen,
    /// The root window's pixel format is not one the adapter can convert
    /// (palette visuals, unusual pixel sizes).
    #[error("unsupported root window format: depth {depth}, {bpp} bits per pixel")]
    UnsupportedFormat {
        /// Root window depth.
        depth: u8,
        /// Bits per pixel of that depth (0 when the server lists none).
        bpp: u8,
    },
    /// The server sent fewer image bytes than the screen needs.
    #[error("screen image too short: {got} bytes, {want} needed")]
    ShortImage {
        /// Bytes received.
        got: usize,
        /// Bytes needed.
        want: usize,
    },
    /// A required extension is missing (e.g. XTEST for injection).
    #[error("the X server lacks the {0} extension")]
    MissingExtension(&'static str),
    /// The shared memory segment for MIT-SHM could not be made or read.
    #[error("shared memory: {0}")]
    Io(#[from] std::io::Error),
}
