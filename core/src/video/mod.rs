//! Video framing, flow control and adaptive quality (DESIGN §4, SES-09, SES-12).
//!
//! The core frames video; it does not encode or decode it. The novice sends a
//! frame as [`Message::FrameStart`](crate::message::Message::FrameStart), the
//! [`Message::Rect`](crate::message::Message::Rect) pieces of each changed
//! rectangle, and [`Message::FrameEnd`](crate::message::Message::FrameEnd).
//! A frame that follows the last on the same screen may go in a compact
//! form instead: [`Message::NextFrame`](crate::message::Message::NextFrame)
//! and one [`Message::Tile`](crate::message::Message::Tile) per whole
//! rectangle, with no frame number and no end, which saves a typed
//! character's frame about 20 of its 50 bytes. The expert answers each
//! frame with [`Message::FrameAck`](crate::message::Message::FrameAck).
//!
//! - [`FrameSender`] (novice): numbers frames, keeps at most a window of them
//!   unacknowledged, and measures round-trip time and throughput from the acks.
//!   When the window is full no new frame starts, so a slow link lowers the
//!   frame rate instead of building a queue in front of input and chat (SES-12).
//! - [`FrameAssembler`] (expert): checks the untrusted sequence of frame
//!   messages before any byte reaches a decoder.
//! - [`QualityController`] (novice): turns the sender's measurements, or a
//!   person's choice, into a target frame interval and a lossy quality (SES-09).

mod assembler;
mod quality;
mod sender;

pub use assembler::{
    max_rect_bytes, FrameAssembler, NextFrame, RectProgress, CACHED_KEY_BYTES, MAX_DIMENSION,
    RECT_OVERHEAD_BYTES,
};
pub use quality::{QualityController, DOWN_HOLD_MS, LEVELS, UP_HOLD_MS};
pub use sender::{FrameSender, MAX_WINDOW, THROUGHPUT_STALE_MS};

/// Frames a sender may have unacknowledged by default.
///
/// Two frames keep the link busy without queueing: while the expert receives
/// and acks one frame, the next is already being captured, encoded and sent,
/// which hides one round trip. A third frame would not arrive sooner on a
/// saturated link; it would only wait in the stream, making everything the
/// expert sees (and every key press behind it) one frame older.
pub const DEFAULT_WINDOW: u8 = 2;

/// Why a video event was refused. From the peer, every one of these is a
/// protocol error.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum VideoError {
    /// An ack for a frame that is not in flight (never sent, or already
    /// acknowledged).
    #[error("ack for frame {frame}, which is not in flight")]
    UnknownAck {
        /// The frame number acknowledged.
        frame: u32,
    },
    /// A frame number that does not increase.
    #[error("frame {got} does not follow frame {last}")]
    FrameNotIncreasing {
        /// The last frame started.
        last: u32,
        /// The frame that arrived.
        got: u32,
    },
    /// A new frame started before the previous one ended.
    #[error("a frame started before the previous one ended")]
    FrameNotEnded,
    /// A rectangle or frame end without a frame in progress.
    #[error("no frame is in progress")]
    NoFrame,
    /// A rectangle or frame end for another frame than the one in progress.
    #[error("message for frame {got} during frame {expected}")]
    WrongFrame {
        /// The frame in progress.
        expected: u32,
        /// The frame named by the message.
        got: u32,
    },
    /// Screen width or height is zero or above [`MAX_DIMENSION`].
    #[error("screen size out of range")]
    BadScreenSize,
    /// A rectangle with zero width or height, or reaching outside the screen.
    #[error("rectangle lies outside the screen")]
    RectOutOfBounds,
    /// More rectangles than the frame announced.
    #[error("more rectangles than the frame announced")]
    TooManyRects,
    /// The frame ended before all announced rectangles arrived.
    #[error("frame ended with {got} of {expected} rectangles")]
    MissingRects {
        /// Rectangles announced.
        expected: u16,
        /// Rectangles received.
        got: u16,
    },
    /// A rectangle's encoded length is impossible for its size and encoding
    /// (see [`max_rect_bytes`]).
    #[error("rectangle length does not fit its size and encoding")]
    RectLength,
    /// A piece of a rectangle does not continue where the last one ended.
    #[error("rectangle piece at offset {got} where {expected} was expected")]
    PieceOutOfOrder {
        /// The offset that was due.
        expected: u32,
        /// The offset given.
        got: u32,
    },
    /// A piece names another rectangle (position, size, encoding or length)
    /// than the one in progress.
    #[error("rectangle piece does not match the rectangle in progress")]
    PieceMismatch,
    /// A piece without bytes.
    #[error("empty rectangle piece")]
    EmptyPiece,
    /// A piece runs past the rectangle's total length.
    #[error("rectangle piece runs past the rectangle's length")]
    PastEnd,
    /// The frame ended in the middle of a rectangle.
    #[error("frame ended in the middle of a rectangle")]
    IncompleteRect,
    /// A frame end for a frame that ends with its last rectangle.
    #[error("frame end for a frame that ends by itself")]
    UnexpectedEnd,
}

#[cfg(test)]
mod tests;
